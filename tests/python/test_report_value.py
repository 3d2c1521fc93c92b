"""The report's "Future value" part and the explorer's predictions, against the marts.

Given the synthetic marts of test_report_render plus value marts made up for their
customers, when the context is built or the page rendered, then every figure of the part
shows exactly what the marts hold, and a warehouse without the value marts still renders
and says what is missing.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from test_report_render import synthetic_tables, write_warehouse

from segmentation.report import build_context, render_report
from segmentation.report.value import CHURN_RISKS, MARTS, NOT_PREDICTED, clv_bins

METHODS = ("rule_based", "kmeans", "agglomerative", "gmm")


def value_tables(customers: pd.DataFrame, seed: int = 5) -> dict[str, pd.DataFrame]:
    """Made-up value marts for ``customers``: predictions (a few not predicted), the fits,
    a 20-week tracking series and a lift table per method and segment."""
    rng = np.random.default_rng(seed)
    n = len(customers)
    alive = rng.beta(2, 1, n)
    clv = rng.gamma(1.2, 300.0, n)
    risk = np.where(alive < 0.3, "high", np.where(alive < 0.7, "medium", "low")).astype(object)
    unknown = np.zeros(n, dtype=bool)
    unknown[:3] = True
    predictions = pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy(),
            "churn_risk": np.where(unknown, None, risk),
            "p_alive": np.where(unknown, np.nan, alive),
            "predicted_clv_365d": np.where(unknown, np.nan, clv),
            "is_control_group": rng.random(n) < 0.1,
        }
    )
    parameters = pd.DataFrame(
        {
            "model": ["bg_nbd"] * 4 + ["gamma_gamma"] * 3,
            "parameter": ["r", "alpha", "a", "b", "p", "q", "gamma"],
            "time_unit": ["days"] * 4 + [None] * 3,
            "status": ["converged"] * 4 + ["not_converged"] * 3,
            "estimate": [0.8, 69.0, 0.01, 7.0, 2.2, 3.4, 437.0],
            "customers_used": [n] * 4 + [n // 2] * 3,
        }
    )
    weeks = np.arange(-10, 10)
    tracking = pd.DataFrame(
        {
            "weeks_from_cutoff": weeks,
            "predicted_cumulative_repeat_purchases": np.cumsum(rng.uniform(5, 10, len(weeks))),
            "actual_cumulative_repeat_purchases": np.cumsum(rng.integers(4, 11, len(weeks))),
            "is_holdout": weeks >= 0,
            "week_start_date": pd.Timestamp("2011-09-01") + pd.to_timedelta(weeks * 7, "D"),
        }
    )
    lift = pd.DataFrame(
        [
            {
                "method": method,
                "segment": segment,
                "customers": int(rng.integers(5, 50)),
                "holdout_buyer_share": float(rng.uniform(0.1, 0.8)),
                "holdout_buyer_lift": float(rng.uniform(0.3, 2.0)),
            }
            for method in METHODS
            for segment in ("Champions", "Regular Customers", "Low-Value / One-Time Buyers")
        ]
    )
    return {
        "dim_customer_predictions": predictions,
        "rpt_clv_model_parameters": parameters,
        "rpt_clv_backtest_tracking": tracking,
        "rpt_segment_holdout_lift": lift,
    }


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    marts = synthetic_tables(n_customers=200, attack=False)
    return {**marts, **value_tables(marts["dim_customers"])}


@pytest.fixture(scope="module")
def context(tables) -> dict:
    return build_context(tables)


def test_churn_risk_counts_are_the_marts(tables, context):
    # given the churn risk of every customer in the predictions mart
    risk = tables["dim_customer_predictions"]["churn_risk"]
    # then the bars count each risk, every risk listed, then the customers not predicted
    bars = context["figures"]["churn_risk"].data[0]
    assert list(bars.x) == [*CHURN_RISKS, NOT_PREDICTED]
    assert list(bars.y) == [*(int((risk == r).sum()) for r in CHURN_RISKS), 3]
    assert context["future_value"]["predicted"] == len(risk) - 3


def test_clv_distribution_counts_every_predicted_customer_once(tables, context):
    clv = tables["dim_customer_predictions"]["predicted_clv_365d"].dropna()
    bars = context["figures"]["clv_distribution"].data[0]
    # then the bars add up to the predicted customers
    assert sum(bars.y) == len(clv)
    # and each bar counts the customers between its bounds (the last: above the 99th
    # percentile)
    bins = clv_bins(clv)
    for row, shown in zip(bins.itertuples(), bars.y, strict=True):
        if pd.isna(row.high):
            expected = (clv > row.low).sum()
        elif row.Index == len(bins) - 2:
            expected = ((clv >= row.low) & (clv <= row.high)).sum()
        else:
            expected = ((clv >= row.low) & (clv < row.high)).sum()
        assert shown == expected, row.label
    assert context["future_value"]["total_clv"] == pytest.approx(clv.sum())


def test_p_alive_boxes_hold_each_rule_based_segment(tables, context):
    # given P(alive) and the rule-based segment of each customer
    customers = tables["dim_customers"].merge(tables["dim_customer_predictions"], on="customer_id")
    labels = {
        row.rfm_segment: row.segment_label
        for row in tables["rpt_rfm_segment_profiles"].itertuples()
    }
    boxes = context["figures"]["p_alive_by_segment"].data
    # then each box holds exactly the predicted customers of its segment
    assert boxes
    for box in boxes:
        segments = [s for s, label in labels.items() if label == box.name] or [box.name]
        wanted = customers.loc[customers["rfm_segment"].isin(segments), "p_alive"].dropna()
        np.testing.assert_allclose(sorted(box.y), sorted(wanted))


def test_tracking_plot_is_the_weekly_series(tables, context):
    tracking = tables["rpt_clv_backtest_tracking"].sort_values("weeks_from_cutoff")
    actual, predicted = context["figures"]["clv_tracking"].data
    np.testing.assert_array_equal(actual.y, tracking["actual_cumulative_repeat_purchases"])
    np.testing.assert_allclose(predicted.y, tracking["predicted_cumulative_repeat_purchases"])


def test_lift_chart_has_one_panel_per_method_with_its_segments(tables, context):
    lift = tables["rpt_segment_holdout_lift"]
    traces = context["figures"]["holdout_lift"].data
    # then the panels follow the report's method order, rule-based first
    assert len(traces) == len(METHODS)
    for trace, method in zip(traces, METHODS, strict=True):
        rows = lift[lift["method"] == method].set_index("segment")
        assert sorted(trace.x) == sorted(rows.index)
        for segment, value in zip(trace.x, trace.y, strict=True):
            assert value == pytest.approx(rows.at[segment, "holdout_buyer_lift"])
        # best segment first
        assert list(trace.y) == sorted(trace.y, reverse=True)


def test_explorer_shows_each_customers_predictions(tables, context):
    explorer = context["explorer"]
    predictions = tables["dim_customer_predictions"].set_index("customer_id")
    shown = explorer["predictions"]
    for i, customer in enumerate(explorer["columns"]["customer_id"]):
        row = predictions.loc[int(customer)]
        if pd.isna(row["p_alive"]):
            assert shown["p_alive"][i] is None and shown["churn_risk"][i] is None
            continue
        assert shown["p_alive"][i] == pytest.approx(row["p_alive"], abs=5e-4)
        assert shown["predicted_clv_365d"][i] == pytest.approx(row["predicted_clv_365d"], abs=5e-3)
        assert shown["churn_risk"][i] == row["churn_risk"]


def test_rendered_page_has_the_part_its_charts_and_the_fits(tables, tmp_path):
    # given a warehouse of the marts
    warehouse = write_warehouse(tables, tmp_path / "w.duckdb")
    # when the report is rendered
    page = render_report(warehouse, tmp_path / "report.html").read_text(encoding="utf-8")
    # then the part is in the contents and holds its charts, each with data
    assert 'href="#future-value"' in page and 'id="future-value"' in page
    for chart in ("clv_distribution", "churn_risk", "p_alive_by_segment", "clv_tracking",
                  "holdout_lift"):  # fmt: skip
        assert f'data-chart="{chart}"' in page and f'"{chart}":{{' in page, chart
    # and the fits table lists the seven parameters, and the unconverged model is named
    table = re.search(r'id="value-model-parameters">(.*?)</table>', page, flags=re.S)
    assert table is not None and table.group(1).count("<tr>") == 1 + 7
    assert "gamma_gamma did not converge (not_converged)" in page
    # and the explorer's data carries the predictions
    payload = re.search(r'id="report-data">(.*?)</script>', page, flags=re.S).group(1)
    assert '"predictions": {"p_alive"' in payload or '"predictions":{"p_alive"' in payload


def test_without_the_value_marts_the_part_says_what_is_missing(tmp_path):
    # given a warehouse built before the value models
    tables = synthetic_tables(n_customers=120, attack=False)
    context = build_context(tables)
    # then no chart of the part is drawn, the explorer has no predictions, and the part
    # names the missing marts
    assert not {"clv_distribution", "churn_risk", "clv_tracking", "holdout_lift"} & set(
        context["figures"]
    )
    assert context["explorer"]["predictions"] is None
    assert context["future_value"]["missing"] == list(MARTS)
    page = render_report(write_warehouse(tables, tmp_path / "w.duckdb"), tmp_path / "r.html")
    text = page.read_text(encoding="utf-8")
    assert "Not in this warehouse, so not shown: " + ", ".join(MARTS) in text


def test_a_model_that_sees_no_dropout_is_explained(tables):
    # given predictions where every customer is likely alive
    alive = tables["dim_customer_predictions"].assign(churn_risk="low", p_alive=0.99)
    context = build_context({**tables, "dim_customer_predictions": alive})
    # then the part says so, where the made-up marts with risky customers do not
    assert context["future_value"]["none_at_risk"] is True
    assert build_context(tables)["future_value"]["none_at_risk"] is False
