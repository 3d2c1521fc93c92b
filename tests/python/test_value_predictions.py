"""The value models' tables: fitted parameters and every customer's predictions.

Given summaries simulated from BG/NBD or built by hand (tiny, degenerate, unconverged), the
parameter table says how each fit went and the predictions are the package's formulas for
every customer, null where a model is unusable, never an exception.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_value_models import simulate_bg_nbd, summary

from segmentation.value import (
    CONVERGED,
    NO_REPEAT_BUYERS,
    NOT_CONVERGED,
    PARAMETER_COLUMNS,
    PREDICTION_COLUMNS,
    TOO_FEW_CUSTOMERS,
    ValueModelConfig,
    ValueModelInputError,
    churn_risk,
    conditional_expected_purchases,
    customer_lifetime_value,
    days_to_expected_next_purchase,
    expected_average_value,
    fit_bg_nbd,
    fit_gamma_gamma,
    fit_sample,
    fit_value_models,
    fits_from_parameters,
    p_alive,
    predict_customer_values,
)

PREDICTED = [
    "p_alive",
    "expected_purchases_90d",
    "expected_purchases_365d",
    "expected_average_order_value",
    "predicted_clv_365d",
    "days_to_expected_next_purchase",
]


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    """1,500 customers simulated from BG/NBD, with a positive mean value for repeat buyers."""
    rng = np.random.default_rng(11)
    frame = simulate_bg_nbd(0.5, 20.0, 0.7, 3.0, 1500, 365, rng)
    repeat = frame["repeat_purchases"] > 0
    frame["mean_repeat_purchase_value"] = np.where(repeat, rng.gamma(6.0, 4.0, len(frame)), np.nan)
    return frame


def columns(frame: pd.DataFrame) -> tuple:
    return tuple(
        frame[c].to_numpy(float)
        for c in (
            "repeat_purchases",
            "first_to_last_purchase_days",
            "first_purchase_to_period_end_days",
        )
    )


# --- The parameter table -------------------------------------------------------------------


def test_parameter_table_has_one_row_per_model_and_parameter(customers):
    # when both models are fitted
    table = fit_value_models(customers)
    # then the table lists the four BG/NBD and three Gamma-Gamma parameters with their fits
    assert tuple(table.columns) == PARAMETER_COLUMNS
    assert list(zip(table["model"], table["parameter"], strict=True)) == [
        ("bg_nbd", "r"), ("bg_nbd", "alpha"), ("bg_nbd", "a"), ("bg_nbd", "b"),
        ("gamma_gamma", "p"), ("gamma_gamma", "q"), ("gamma_gamma", "gamma"),
    ]  # fmt: skip
    assert (table["status"] == CONVERGED).all()
    bg = table[table["model"] == "bg_nbd"]
    assert (bg["time_unit"] == "days").all() and bg["customers_used"].eq(1500).all()
    gg = table[table["model"] == "gamma_gamma"]
    assert gg["time_unit"].isna().all()
    assert gg["customers_used"].eq(int((customers["repeat_purchases"] > 0).sum())).all()
    # and the estimates are those of the package's fits
    direct = fit_bg_nbd(customers)
    np.testing.assert_allclose(bg["estimate"], list(direct.parameters.values()), rtol=1e-12)
    assert bg["log_likelihood"].iloc[0] == pytest.approx(direct.log_likelihood, rel=1e-12)


def test_parameters_read_back_are_the_fits(customers):
    fits = fits_from_parameters(fit_value_models(customers))
    for fit, direct in ((fits["bg_nbd"], fit_bg_nbd(customers)),
                        (fits["gamma_gamma"], fit_gamma_gamma(customers))):  # fmt: skip
        assert fit.parameters == direct.parameters
        assert (fit.status, fit.message, fit.customers) == (
            direct.status, direct.message, direct.customers
        )  # fmt: skip
        assert fit.log_likelihood == direct.log_likelihood


def test_a_parameter_table_without_a_model_is_refused(customers):
    table = fit_value_models(customers)
    with pytest.raises(ValueModelInputError, match="gamma_gamma needs one row for each of"):
        fits_from_parameters(table[table["model"] == "bg_nbd"])


# --- The fit sample ------------------------------------------------------------------------


def test_the_fit_sample_is_bounded_and_does_not_depend_on_row_order(customers):
    # given a bound below the number of customers
    config = ValueModelConfig(value_model_max_fit_customers=400)
    # when the sample is drawn from the summary and from the same summary shuffled
    sample, mask = fit_sample(customers, config)
    shuffled = customers.sample(frac=1.0, random_state=5)
    again, _ = fit_sample(shuffled, config)
    # then it holds exactly the bound, the same customers both times, marked in the mask
    assert len(sample) == 400 and mask.sum() == 400
    assert sorted(sample["customer_id"]) == sorted(again["customer_id"])
    assert set(customers.loc[mask, "customer_id"]) == set(sample["customer_id"])
    # and another seed draws other customers
    other, _ = fit_sample(customers, ValueModelConfig(value_model_max_fit_customers=400,
                                                      random_state=1))  # fmt: skip
    assert set(other["customer_id"]) != set(sample["customer_id"])


def test_a_sampled_fit_predicts_everyone_close_to_the_full_fit(customers):
    # given fits on every customer and on a sample of 800
    full = fit_value_models(customers)
    sampled = fit_value_models(customers, ValueModelConfig(value_model_max_fit_customers=800))
    # then the sampled fit used 800 customers
    assert sampled.loc[sampled["model"] == "bg_nbd", "customers_used"].eq(800).all()
    # and predicts every customer, close to the full fit on average
    config = ValueModelConfig(value_model_max_fit_customers=800)
    predicted = predict_customer_values(customers, sampled, config)
    reference = predict_customer_values(customers, full)
    assert len(predicted) == len(customers) and predicted["p_alive"].notna().all()
    assert predicted["is_value_fit_sample"].sum() == 800
    assert predicted["expected_purchases_365d"].sum() == pytest.approx(
        reference["expected_purchases_365d"].sum(), rel=0.1
    )


# --- Predictions ---------------------------------------------------------------------------


def test_predictions_are_the_package_formulas_for_every_customer(customers):
    # given the fitted parameters
    table = fit_value_models(customers)
    fits = fits_from_parameters(table)
    # when every customer is predicted
    predicted = predict_customer_values(customers.iloc[::-1], table)
    # then there is one row per customer, in customer_id order
    assert tuple(predicted.columns) == PREDICTION_COLUMNS
    assert predicted["customer_id"].tolist() == sorted(customers["customer_id"])
    # and each prediction is the formula of the package
    x, t_x, big_t = columns(customers)
    m_x = customers["mean_repeat_purchase_value"].to_numpy(float)
    bg, gg = fits["bg_nbd"], fits["gamma_gamma"]
    np.testing.assert_allclose(predicted["p_alive"], p_alive(bg, x, t_x, big_t), rtol=1e-12)
    for days in (90, 365):
        np.testing.assert_allclose(
            predicted[f"expected_purchases_{days}d"],
            conditional_expected_purchases(bg, days, x, t_x, big_t),
            rtol=1e-10,
        )
    np.testing.assert_allclose(
        predicted["expected_average_order_value"], expected_average_value(gg, x, m_x), rtol=1e-12
    )
    np.testing.assert_allclose(
        predicted["predicted_clv_365d"],
        customer_lifetime_value(bg, gg, x, t_x, big_t, m_x),
        rtol=1e-12,
    )
    assert set(predicted["churn_risk"]) <= {"low", "medium", "high"}
    assert (predicted[["bg_nbd_status", "gamma_gamma_status"]] == CONVERGED).all().all()


def test_churn_risk_cuts_p_alive_at_the_thresholds():
    # given thresholds 0.3 and 0.7
    config = ValueModelConfig(churn_risk_high_below=0.3, churn_risk_medium_below=0.7)
    # when P(alive) is on, below and above each
    risk = churn_risk([0.0, 0.2999, 0.3, 0.6999, 0.7, 1.0, np.nan], config)
    # then below the first is high, below the second medium, the rest low, unknown None
    assert risk.tolist() == ["high", "high", "medium", "medium", "low", "low", None]


def test_next_purchase_day_is_the_first_day_one_purchase_is_expected(customers):
    # given the fitted BG/NBD and 60 customers
    fit = fits_from_parameters(fit_value_models(customers))["bg_nbd"]
    x, t_x, big_t = (values[:60] for values in columns(customers))
    # when the day of the expected next purchase is found by bisection
    days = days_to_expected_next_purchase(fit, x, t_x, big_t, 365)
    # then it is the first of the days 1..365 at which E[Y(d)] reaches 1, by brute force
    grid = np.arange(1, 366, dtype=float)
    for i in range(60):
        expected = conditional_expected_purchases(fit, grid, x[i], t_x[i], big_t[i])
        reached = np.flatnonzero(expected >= 1)
        if len(reached):
            assert days[i] == grid[reached[0]], i
        else:
            assert np.isnan(days[i]), i
    # and both kinds of customer are among them
    assert np.isnan(days).any() and (~np.isnan(days)).any()


# --- Fits that cannot be used: statuses and nulls, never an exception -----------------------


def unusable(predicted: pd.DataFrame, names: list[str]) -> bool:
    return bool(predicted[names].isna().all().all())


def test_an_empty_summary_gives_statuses_and_no_rows():
    empty = summary([], [], [])
    table = fit_value_models(empty)
    assert (table["status"] == TOO_FEW_CUSTOMERS).all() and table["estimate"].isna().all()
    assert (table["customers_used"] == 0).all()
    predicted = predict_customer_values(empty, table)
    assert predicted.empty and tuple(predicted.columns) == PREDICTION_COLUMNS


def test_too_few_customers_leave_every_prediction_null():
    tiny = summary([0, 2, 1], [0, 30, 10], [50, 60, 40], [np.nan, 12.0, 9.0])
    table = fit_value_models(tiny)
    assert set(table["status"]) == {TOO_FEW_CUSTOMERS}
    predicted = predict_customer_values(tiny, table)
    assert len(predicted) == 3 and unusable(predicted, PREDICTED)
    assert predicted["churn_risk"].isna().all()
    assert (predicted["bg_nbd_status"] == TOO_FEW_CUSTOMERS).all()


def test_no_repeat_buyers_leave_every_prediction_null():
    once = summary([0] * 30, [0] * 30, list(range(30, 60)))
    table = fit_value_models(once)
    statuses = dict(zip(table["model"], table["status"], strict=False))
    assert statuses == {"bg_nbd": NO_REPEAT_BUYERS, "gamma_gamma": TOO_FEW_CUSTOMERS}
    predicted = predict_customer_values(once, table)
    assert len(predicted) == 30 and unusable(predicted, PREDICTED)


def test_an_unconverged_fit_leaves_its_predictions_null(customers):
    # given a BG/NBD fit stopped after one iteration, and a converged Gamma-Gamma
    config = ValueModelConfig(value_model_max_iterations=1)
    table = fit_value_models(customers, config)
    statuses = dict(zip(table["model"], table["status"], strict=False))
    assert statuses["bg_nbd"] == NOT_CONVERGED
    # then nothing that needs BG/NBD is predicted, and the statuses say why
    predicted = predict_customer_values(customers, table, config)
    assert unusable(predicted, PREDICTED)
    assert (predicted["bg_nbd_status"] == NOT_CONVERGED).all()


def test_few_repeat_buyers_keep_purchases_but_not_value(customers):
    # given a Gamma-Gamma that was not fitted (too few repeat customers for the minimum)
    table = fit_value_models(customers)
    repeat_customers = int(table.loc[table["model"] == "gamma_gamma", "customers_used"].iloc[0])
    config = ValueModelConfig(value_model_min_customers=repeat_customers + 1)
    table = fit_value_models(customers, config)
    # then P(alive) and purchases are predicted, order value and CLV are null
    predicted = predict_customer_values(customers, table, config)
    assert predicted["p_alive"].notna().all()
    assert unusable(predicted, ["expected_average_order_value", "predicted_clv_365d"])
    assert (predicted["gamma_gamma_status"] == TOO_FEW_CUSTOMERS).all()


def test_an_infinite_population_mean_leaves_the_order_value_null(customers):
    # given a converged Gamma-Gamma with q <= 1 (its population mean spend is infinite)
    table = fit_value_models(customers)
    table.loc[(table["model"] == "gamma_gamma") & (table["parameter"] == "q"), "estimate"] = 0.9
    # then the expected order value and the CLV are null, the purchases are not
    predicted = predict_customer_values(customers, table)
    assert unusable(predicted, ["expected_average_order_value", "predicted_clv_365d"])
    assert predicted["expected_purchases_365d"].notna().all()
