"""The backtest's package functions on synthetic data (segmentation.value.backtest,
segmentation.clustering.backtest), and the vars its dbt Python models receive.

Purchase histories are simulated from BG/NBD itself, customers arriving on different days,
and cut at a cutoff as the dbt models cut the real file: what the models fitted before the
cutoff expect must then match what the simulation did after it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from _clustering_frames import GROUP_CENTRES, rfm_customers

from segmentation.clustering import METHODS, ClusteringConfig, ClusteringInputError
from segmentation.clustering.backtest import segments_refitted
from segmentation.value import (
    CONVERGED,
    DECILES,
    ModelFit,
    ValueModelConfig,
    ValueModelInputError,
    backtest_period,
    cumulative_expected_repeat_purchases,
    expected_average_value,
    expected_purchases,
    fit_value_models,
    holdout_predictions,
    tracking_series,
)
from segmentation.value.backtest import value_deciles

REPO_ROOT = Path(__file__).resolve().parents[2]
BACKTEST_MODELS = REPO_ROOT / "models" / "intermediate" / "backtest"

BG = ModelFit("bg_nbd", {"r": 0.5, "alpha": 20.0, "a": 0.7, "b": 3.0}, 0.0, 0, CONVERGED, "")
START = dt.date(2011, 1, 1)


def simulate(customers=3000, arrival_days=200, cutoff_day=240, end_day=329, seed=11):
    """BG/NBD purchase days (rate ~ Gamma(0.5, 20) per day, dropout ~ Beta(0.7, 3)) with
    spend per purchase day ~ Gamma(6, nu), nu ~ Gamma(4, 15): the frames the dbt models hand
    the package (summary at the cutoff, holdout actuals, daily repeat purchases, period)."""
    rng = np.random.default_rng(seed)
    cutoff, end = START + dt.timedelta(cutoff_day), START + dt.timedelta(end_day)
    rows, days = [], []
    for customer in range(1, customers + 1):
        first = int(rng.integers(0, arrival_days))
        rate, dropout = rng.gamma(0.5, 1 / 20), rng.beta(0.7, 3.0)
        nu = rng.gamma(4.0, 1 / 15)
        purchase_days, time = {first}, float(first)
        while True:
            time += rng.exponential(1 / rate)
            if time > end_day + 1:
                break
            purchase_days.add(int(time))
            if rng.random() < dropout:
                break
        ordered = sorted(day for day in purchase_days if day <= end_day)
        before = [day for day in ordered if day < cutoff_day]
        after = [day for day in ordered if day >= cutoff_day]
        values = rng.gamma(6.0, 1 / nu, len(ordered))
        repeat_values = values[1 : len(before)]
        rows.append(
            {
                "customer_id": customer,
                "repeat_purchases": len(before) - 1,
                "first_to_last_purchase_days": before[-1] - first,
                "first_purchase_to_period_end_days": cutoff_day - 1 - first,
                "mean_repeat_purchase_value": repeat_values.mean() if len(before) > 1 else None,
                "first_purchase_date": START + dt.timedelta(first),
                "holdout_purchases": len(after),
                "holdout_revenue": float(values[len(before) :].sum()),
            }
        )
        days += ordered[1:]
    frame = pd.DataFrame(rows)
    summary = frame.drop(columns=["holdout_purchases", "holdout_revenue"])
    actuals = frame[["customer_id", "holdout_purchases", "holdout_revenue"]]
    daily = pd.Series(days).value_counts().sort_index()
    daily_frame = pd.DataFrame(
        {
            "purchase_date": [START + dt.timedelta(int(day)) for day in daily.index],
            "repeat_purchases": daily.to_numpy(),
        }
    )
    period = pd.DataFrame(
        {
            "holdout_days": [(end - cutoff).days + 1],
            "cutoff_date": [cutoff],
            "holdout_end_date": [end],
        }
    )
    return summary, actuals, daily_frame, period


@pytest.fixture(scope="module")
def simulated():
    summary, actuals, daily, period = simulate()
    return summary, actuals, daily, period, fit_value_models(summary)


# --- the expected cumulative repeat purchases (tracking curve) ----------------------------


def test_cumulative_expectation_sums_equation_9_over_the_arrived_customers():
    # given three customers arriving on days 0, 0 and 30
    firsts = np.array([0, 0, 30])
    at = np.array([0.0, 10.0, 30.0, 100.0])
    # when the expected cumulative repeat purchases are computed
    curve = cumulative_expected_repeat_purchases(BG, firsts, at)
    # then each point is the sum of E[X(t - f_i)] over the customers already there
    direct = [sum(expected_purchases(BG, max(t - f, 0.0)) for f in firsts) for t in at]
    np.testing.assert_allclose(curve, direct, rtol=1e-12)
    # and nobody has repeated before arriving, and the curve only grows
    assert curve[0] == 0 and (np.diff(curve) > 0).all()


def test_a_single_new_customer_follows_e_x_t():
    at = np.array([7.0, 90.0, 365.0])
    np.testing.assert_allclose(
        cumulative_expected_repeat_purchases(BG, [0], at), expected_purchases(BG, at)
    )


def test_tracking_series_shape(simulated):
    summary, _, daily, period, parameters = simulated
    # when the tracking series is built
    series = tracking_series(summary, daily, parameters, period)
    # then weeks are consecutive, end on cutoff - 1 + 7 j and the last one at the holdout end
    cutoff, end, _ = backtest_period(period)
    assert (np.diff(series["weeks_from_cutoff"]) == 1).all()
    week_zero = series.loc[series["weeks_from_cutoff"] == 0].iloc[0]
    assert week_zero["week_end_date"] == cutoff - dt.timedelta(1)
    assert series["week_end_date"].iloc[-1] == end
    assert series["is_holdout"].tolist() == (series["weeks_from_cutoff"] > 0).tolist()
    # the first week holds the earliest first purchase
    first = summary["first_purchase_date"].min()
    assert series["week_start_date"].iloc[0] <= first <= series["week_end_date"].iloc[0]
    # and the actual counts are every repeat purchase, cumulated
    assert series["actual_repeat_purchases"].sum() == daily["repeat_purchases"].sum()
    np.testing.assert_array_equal(
        series["actual_cumulative_repeat_purchases"], series["actual_repeat_purchases"].cumsum()
    )
    np.testing.assert_allclose(
        series["predicted_repeat_purchases"].cumsum(),
        series["predicted_cumulative_repeat_purchases"],
    )


def test_tracking_curve_of_the_fit_follows_the_simulation(simulated):
    # given customers simulated from BG/NBD and the models fitted before the cutoff
    summary, actuals, daily, period, parameters = simulated
    series = tracking_series(summary, daily, parameters, period)
    # then the expected cumulative repeat purchases track the actual ones, in the calibration
    # weeks and at the end of the holdout (sampling error of 3,000 customers)
    calibration = series.loc[~series["is_holdout"]].iloc[-1]
    last = series.iloc[-1]
    for row in (calibration, last):
        assert row["predicted_cumulative_repeat_purchases"] == pytest.approx(
            row["actual_cumulative_repeat_purchases"], rel=0.08
        )
    holdout = series.loc[series["is_holdout"]]
    assert holdout["predicted_repeat_purchases"].sum() == pytest.approx(
        actuals["holdout_purchases"].sum(), rel=0.12
    )


def test_tracking_without_a_converged_fit_has_no_expected_curve(simulated):
    summary, _, daily, period, parameters = simulated
    failed = parameters.assign(status="not_converged")
    series = tracking_series(summary, daily, failed, period)
    assert series["predicted_cumulative_repeat_purchases"].isna().all()
    assert series["actual_cumulative_repeat_purchases"].iloc[-1] == daily["repeat_purchases"].sum()


def test_tracking_rejects_days_outside_the_periods(simulated):
    summary, _, daily, period, parameters = simulated
    late = pd.concat(
        [daily, pd.DataFrame({"purchase_date": [dt.date(2012, 6, 1)], "repeat_purchases": [1]})]
    )
    with pytest.raises(ValueModelInputError, match="on or before"):
        tracking_series(summary, late, parameters, period)


# --- holdout predictions -------------------------------------------------------------------


def test_holdout_predictions_are_equation_10_times_the_expected_order_value(simulated):
    summary, actuals, _, period, parameters = simulated
    # when the holdout is predicted from the fits at the cutoff
    predictions = holdout_predictions(summary, actuals, parameters, period)
    # then there is one row per customer, with the actuals carried over
    assert predictions["customer_id"].tolist() == sorted(summary["customer_id"])
    assert predictions["actual_purchases"].sum() == actuals["holdout_purchases"].sum()
    # and the revenue is the expected purchases times the Gamma-Gamma expected order value
    from segmentation.value import fits_from_parameters

    value = fits_from_parameters(parameters)["gamma_gamma"]
    order_value = expected_average_value(
        value, summary["repeat_purchases"], summary["mean_repeat_purchase_value"].astype(float)
    )
    np.testing.assert_allclose(
        predictions["predicted_revenue"], predictions["predicted_purchases"] * order_value
    )
    assert ((predictions["p_alive"] >= 0) & (predictions["p_alive"] <= 1)).all()


def test_the_fit_at_the_cutoff_predicts_the_holdout(simulated):
    summary, actuals, _, period, parameters = simulated
    predictions = holdout_predictions(summary, actuals, parameters, period)
    # then in total it is close to what happened
    assert predictions["predicted_purchases"].sum() == pytest.approx(
        predictions["actual_purchases"].sum(), rel=0.12
    )
    assert predictions["predicted_revenue"].sum() == pytest.approx(
        predictions["actual_revenue"].sum(), rel=0.2
    )
    # and the top decile of predicted value bought far more than a tenth of the holdout revenue
    top = predictions.loc[predictions["predicted_value_decile"] == 1, "actual_revenue"].sum()
    assert top / predictions["actual_revenue"].sum() > 0.3


def test_deciles_rank_predicted_value_in_equal_groups():
    # given 25 values with ties and one unknown
    values = np.array([*range(24, 0, -1), np.nan], dtype=float)
    values[3] = values[2]
    # when they are cut into deciles
    deciles = value_deciles(values)
    # then the highest are in decile 1, the groups differ by at most one, NaN has none
    assert deciles[0] == 1 and deciles[-2] == DECILES and deciles[-1] == 0
    sizes = np.bincount(deciles[deciles > 0])[1:]
    assert len(sizes) == DECILES and sizes.max() - sizes.min() <= 1
    assert (np.diff(deciles[:-1]) >= 0).all()


def test_predictions_without_converged_fits_are_null(simulated):
    summary, actuals, _, period, parameters = simulated
    no_value = parameters.assign(
        status=np.where(parameters["model"] == "gamma_gamma", "too_few_customers", "converged")
    )
    predictions = holdout_predictions(summary, actuals, no_value, period)
    assert predictions["predicted_purchases"].notna().all()
    assert predictions["predicted_revenue"].isna().all()
    assert predictions["predicted_value_decile"].isna().all()
    nothing = holdout_predictions(
        summary, actuals, parameters.assign(status="not_converged"), period
    )
    assert nothing[["p_alive", "predicted_purchases"]].isna().all().all()


def test_actuals_must_be_the_summary_customers(simulated):
    summary, actuals, _, period, parameters = simulated
    with pytest.raises(ValueModelInputError, match="exactly the customers"):
        holdout_predictions(summary, actuals.iloc[1:], parameters, period)


def test_the_period_is_checked():
    cutoff, end = dt.date(2011, 9, 11), dt.date(2011, 12, 9)
    good = pd.DataFrame({"holdout_days": [90], "cutoff_date": [cutoff], "holdout_end_date": [end]})
    assert backtest_period(good) == (cutoff, end, 90)
    with pytest.raises(ValueModelInputError, match="holdout_days is 89"):
        backtest_period(good.assign(holdout_days=89))
    with pytest.raises(ValueModelInputError, match="before the cutoff"):
        backtest_period(good.assign(cutoff_date=dt.date(2012, 1, 1), holdout_days=-22))


# --- the clusterings refitted at the cutoff ------------------------------------------------


def selection_using(k: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"method": ["kmeans"] * 3, "k": [3, 4, 5], "is_used": [x == k for x in (3, 4, 5)]}
    )


def test_every_method_is_refitted_at_the_builds_k():
    # given four well-separated groups of customers and a build that uses k = 4
    customers = rfm_customers(per_group=12)
    # when the clusterings are refitted
    segments = segments_refitted(customers, selection_using(4), ClusteringConfig())
    # then every customer has one segment per method, at k = 4
    assert len(segments) == len(customers) * len(METHODS)
    assert segments.groupby("method")["customer_id"].nunique().eq(len(customers)).all()
    assert segments.groupby("method")["segment_rank"].nunique().eq(4).all()
    # and the best group is Champions, the worst Low-Value, in every method
    merged = segments.merge(customers[["customer_id", "true_group"]], on="customer_id")
    for method, frame in merged.groupby("method"):
        assert set(frame.loc[frame["true_group"] == 0, "segment"]) == {"Champions"}, method
        worst = len(GROUP_CENTRES) - 1
        assert set(frame.loc[frame["true_group"] == worst, "segment"]) == {
            "Low-Value / One-Time Buyers"
        }, method


def test_refit_follows_the_used_k_not_n_segments():
    segments = segments_refitted(
        rfm_customers(per_group=12), selection_using(3), ClusteringConfig()
    )
    assert segments.groupby("method")["segment_rank"].nunique().eq(3).all()


def test_refit_needs_one_used_k():
    broken = selection_using(4).assign(is_used=False)
    with pytest.raises(ClusteringInputError, match="is_used"):
        segments_refitted(rfm_customers(), broken, ClusteringConfig())


# --- the vars the Python models receive ----------------------------------------------------


def test_backtest_models_get_every_var_of_their_settings():
    # given the backtest models' yml and the Python models that read settings
    properties = yaml.safe_load((BACKTEST_MODELS / "_backtest__models.yml").read_text())
    meta = {m["name"]: m.get("config", {}).get("meta", {}) for m in properties["models"]}
    for key, settings in (("clustering", ClusteringConfig), ("value_models", ValueModelConfig)):
        readers = [
            path.stem
            for path in sorted(BACKTEST_MODELS.glob("*.py"))
            if f'meta_get("{key}")' in path.read_text()
        ]
        expected = {name: f"{{{{ var('{name}') }}}}" for name in settings.dbt_var_names()}
        # then each passes every var of its settings, under its own name, and nothing else
        assert readers, key
        for model in readers:
            assert meta[model].get(key) == expected, model


def test_the_backtest_vars_are_declared():
    project_vars = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["vars"]
    assert project_vars["backtest_cutoff_date"] is None
    assert isinstance(project_vars["backtest_holdout_days"], int)
    assert project_vars["backtest_holdout_days"] >= 1
