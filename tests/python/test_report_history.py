"""The "Segments over time" part of the report: its figures follow the marts they read.

Small hand-made migration, lifecycle and cohort marts (consistent as the dbt tests demand)
are added to the SQL half of ``test_report_context``; the rendered context and the page are
checked against them.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from test_report_context import _tables
from test_report_render import synthetic_tables, write_warehouse

from segmentation.report import build_context, render_report
from segmentation.report.context import RULE_BASED, cluster_methods
from segmentation.report.history import NEWCOMERS, RULE_BASED_METHOD, segment_sizes

QUARTER = ("2011-07-01", "2011-10-01")
MONTH = ("2011-09-01", "2011-10-01")
EARLIER_QUARTER = ("2011-04-01", "2011-07-01")
EARLIER_MONTH = ("2011-08-01", "2011-09-01")


def _migration() -> pd.DataFrame:
    """Rule-based moves over two quarters and two months, k-means over one month."""
    rows = [
        # method, period, from, to, customers, share, revenue, from date, to date
        ("rule_based", "quarter", "champions", "champions", 2, 1.0, 80.0, *EARLIER_QUARTER),
        ("rule_based", "quarter", "champions", "champions", 6, 0.6, 600.0, *QUARTER),
        ("rule_based", "quarter", "champions", "at_risk", 3, 0.3, 90.0, *QUARTER),
        ("rule_based", "quarter", "champions", "loyal_customers", 1, 0.1, 50.0, *QUARTER),
        ("rule_based", "quarter", "hibernating", "hibernating", 5, 1.0, 0.0, *QUARTER),
        ("rule_based", "quarter", None, "new_customers", 4, 1.0, 120.0, *QUARTER),
        ("rule_based", "month", "champions", "champions", 8, 0.8, 300.0, *EARLIER_MONTH),
        ("rule_based", "month", "champions", "at_risk", 2, 0.2, 10.0, *EARLIER_MONTH),
        ("rule_based", "month", None, "champions", 2, 1.0, 70.0, *EARLIER_MONTH),
        ("rule_based", "month", "champions", "champions", 9, 0.9, 280.0, *MONTH),
        ("rule_based", "month", "champions", "hibernating", 1, 0.1, 0.0, *MONTH),
        ("rule_based", "month", "at_risk", "at_risk", 2, 1.0, 0.0, *MONTH),
        ("rule_based", "month", None, "new_customers", 3, 1.0, 45.0, *MONTH),
        ("kmeans", "month", "Champions", "Champions", 5, 1.0, 400.0, *MONTH),
        ("kmeans", "month", None, "Low-Value / One-Time Buyers", 2, 1.0, 30.0, *MONTH),
    ]  # fmt: skip
    frame = pd.DataFrame(
        rows,
        columns=[
            "method",
            "period_type",
            "from_segment",
            "to_segment",
            "customers",
            "from_segment_share",
            "revenue",
            "from_as_of_date",
            "to_as_of_date",
        ],
    )
    for column in ("from_as_of_date", "to_as_of_date"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def _lifecycle() -> pd.DataFrame:
    """Three months whose bridge adds up (the unit test of rpt_customer_lifecycle)."""
    return pd.DataFrame(
        {
            "month_start_date": pd.to_datetime(["2011-01-01", "2011-02-01", "2011-03-01"]).date,
            "active_customers": [2, 2, 1],
            "new_customers": [2, 1, 0],
            "repeating_customers": [0, 1, 1],
            "reactivated_customers": [0, 0, 0],
            "lapsed_customers": [0, 1, 1],
            "revenue": [15.0, 45.0, 25.0],
            "previous_month_revenue": [0.0, 15.0, 45.0],
            "new_revenue": [15.0, 30.0, 0.0],
            "reactivated_revenue": [0.0, 0.0, 0.0],
            "repeating_revenue_change": [0.0, 5.0, -5.0],
            "lapsed_revenue": [0.0, 5.0, 15.0],
        }
    )


def _cohorts() -> pd.DataFrame:
    rows = [
        ("2011-01-01", 0, 2, 2, 1.0, 15.0, "2011-01-01"),
        ("2011-01-01", 1, 2, 1, 0.5, 15.0, "2011-02-01"),
        ("2011-01-01", 2, 2, 0, 0.0, 0.0, "2011-03-01"),
        ("2011-02-01", 0, 1, 1, 1.0, 30.0, "2011-02-01"),
        ("2011-02-01", 1, 1, 1, 1.0, 25.0, "2011-03-01"),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "cohort_month_start_date",
            "months_since_first_purchase",
            "cohort_customers",
            "active_customers",
            "customer_share",
            "revenue",
            "month_start_date",
        ],
    )
    for column in ("cohort_month_start_date", "month_start_date"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def _history_tables() -> dict[str, pd.DataFrame]:
    return {
        **_tables(),
        "rpt_segment_migration": _migration(),
        "rpt_customer_lifecycle": _lifecycle(),
        "rpt_cohort_retention": _cohorts(),
    }


def _cells(trace) -> dict[tuple[str, str], tuple[float, str]]:
    """(row, column) -> (colour value, text) of the heat map cells that hold customers."""
    cells = {}
    for r, source in enumerate(trace.y):
        for c, target in enumerate(trace.x):
            if trace.text[r][c]:
                cells[(source, target)] = (trace.z[r][c], trace.text[r][c])
    return cells


def test_the_migration_mart_names_the_rule_based_method_as_the_report_does():
    # the mart's method value (macro segmentation_methods) is the report's key
    assert RULE_BASED_METHOD == RULE_BASED


def test_migration_heat_map_shows_the_latest_pair_of_each_method_and_period():
    # given rule-based moves over two quarters and two months, and k-means over one month
    context = build_context(_history_tables())
    figure = context["figures"]["segment_migration"]
    # then there is one heat map per method and period type, the first one visible
    names = [trace.name for trace in figure.data]
    assert len(names) == 3
    assert names[0].startswith("Rule-based RFM, month on month (2011-09-01")
    assert names[1] == "Rule-based RFM, quarter on quarter (2011-07-01 \u2192 2011-10-01)"
    assert names[2].startswith("K-means, month on month")
    assert [trace.visible for trace in figure.data] == [True, False, False]
    # and the quarter heat map holds the latest quarter's rows only: customers as text,
    # the share of the row as colour, newcomers in the last row
    quarter = _cells(figure.data[1])
    latest = _migration().query(
        "period_type == 'quarter' and to_as_of_date.astype('str') == '2011-10-01'"
    )
    assert len(quarter) == len(latest)
    assert quarter[("Champions", "At Risk")] == (pytest.approx(0.3), "3")
    assert quarter[("Champions", "Champions")] == (pytest.approx(0.6), "6")
    assert quarter[(NEWCOMERS, "New Customers")] == (pytest.approx(1.0), "4")
    assert list(figure.data[1].y) == ["Champions", "Hibernating", NEWCOMERS]
    # and the menu switches between exactly these heat maps
    buttons = figure.layout.updatemenus[0].buttons
    assert [button.args[0]["visible"] for button in buttons] == [
        [True, False, False],
        [False, True, False],
        [False, False, True],
    ]


def test_champions_kept_are_counted_from_the_latest_quarter():
    # given 10 rule-based champions on 1 July: 6 stayed, 3 at risk, 1 loyal by 1 October
    kept = build_context(_history_tables())["history"]["champions_kept"]
    # then the page states the share that stayed and where the others went, largest first
    assert (kept["from_date"], kept["to_date"]) == QUARTER
    assert kept["champions"] == 10
    assert kept["stayed"] == 6
    assert kept["stayed_share"] == pytest.approx(0.6)
    assert [(d["segment"], d["customers"]) for d in kept["destinations"]] == [
        ("At Risk", 3),
        ("Loyal Customers", 1),
    ]


def test_segment_sizes_are_the_customers_of_each_date():
    # given two consecutive rule-based month pairs and one k-means pair
    context = build_context(_history_tables())
    traces = context["figures"]["segment_sizes"].data
    sizes = {
        (trace.name, pd.Timestamp(x).strftime("%Y-%m-%d")): y
        for trace in traces
        if trace.visible
        for x, y in zip(trace.x, trace.y, strict=True)
    }
    # then the rule-based sizes are the later date's rows, and the earlier date's for the first
    assert sizes[("Champions", "2011-08-01")] == 10
    assert sizes[("Champions", "2011-09-01")] == 10
    assert sizes[("At Risk", "2011-09-01")] == 2
    assert sizes[("Champions", "2011-10-01")] == 9
    assert sizes[("New Customers", "2011-10-01")] == 3
    # and every date adds up to the customers of that date in the migration mart
    migration = _migration().query("method == 'rule_based' and period_type == 'month'")
    for date, total in migration.groupby("to_as_of_date")["customers"].sum().items():
        shown = sum(y for (_, d), y in sizes.items() if d == str(date))
        assert shown == total
    # and the k-means traces are there, hidden until chosen in the menu
    assert {t.name for t in traces if not t.visible} == {
        "Champions",
        "Low-Value / One-Time Buyers",
    }


def test_segment_sizes_of_an_empty_mart_are_empty():
    # given a migration mart without rows
    sizes = segment_sizes(_migration().head(0))
    # then there are no sizes (and no error)
    assert sizes.empty


def test_lifecycle_bridge_bars_add_up_to_the_change_in_revenue():
    # given three months of the lifecycle mart
    context = build_context(_history_tables())
    bridge = context["figures"]["lifecycle_bridge"].data
    bars = [trace for trace in bridge if trace.type == "bar"]
    change = next(trace for trace in bridge if trace.type == "scatter")
    # then lapsed revenue is drawn below zero and the bars of a month add up to its change
    lapsed = next(trace for trace in bars if trace.name.startswith("lapsed"))
    assert list(lapsed.y) == [-0.0, -5.0, -15.0]
    totals = np.sum([np.asarray(trace.y, dtype=float) for trace in bars], axis=0)
    assert list(totals) == pytest.approx(list(change.y))
    assert list(change.y) == pytest.approx([15.0, 30.0, -20.0])
    # and the table lists every month with its bridge
    rows = context["history"]["lifecycle"]
    assert [row["month"] for row in rows] == ["Jan 2011", "Feb 2011", "Mar 2011"]
    assert rows[1]["lapsed_revenue"] == pytest.approx(5.0)


def test_cohort_heat_map_shows_each_cohorts_share():
    # given two cohorts of two and one customers
    context = build_context(_history_tables())
    heat = context["figures"]["cohort_retention"].data[0]
    # then rows are the cohorts with their size, columns the months since, month 0 is 100%
    assert list(heat.y) == ["Jan 2011 (2)", "Feb 2011 (1)"]
    assert list(heat.x) == [0, 1, 2]
    assert heat.z[0][0] == 1.0 and heat.z[1][0] == 1.0
    assert heat.z[0][1] == pytest.approx(0.5)
    assert np.isnan(heat.z[1][2])
    assert context["history"]["cohorts"] == 2


def test_without_history_marts_the_section_says_which_are_missing():
    # given the SQL half of an older warehouse
    context = build_context(_tables())
    # then the section lists the missing marts and draws none of its charts
    assert context["history"]["missing"] == [
        "rpt_segment_migration",
        "rpt_customer_lifecycle",
        "rpt_cohort_retention",
    ]
    assert not {"segment_migration", "lifecycle_bridge", "cohort_retention"} & set(
        context["figures"]
    )
    assert context["explorer"]["history"] == {}


def test_explorer_shows_the_previous_segment_and_since_when():
    # given customers with a previous rule-based and k-means segment
    tables = synthetic_tables(n_customers=40, attack=False)
    customers = tables["dim_customers"]
    customers["previous_rfm_segment"] = ["at_risk"] + [None] * (len(customers) - 1)
    customers["rfm_segment_since"] = pd.Timestamp("2011-09-01")
    segments = tables["dim_customer_segments"]
    segments["previous_kmeans_segment"] = "Regular Customers"
    segments["kmeans_segment_since"] = pd.Timestamp("2011-11-01")
    context = build_context(tables)
    explorer = context["explorer"]
    # then the previous-segment columns are not taken for clustering methods
    assert cluster_methods(segments) == ["kmeans", "agglomerative", "gmm"]
    # and each embedded customer carries its previous segment (labelled) and since when
    history = explorer["history"]
    assert set(history) == {"rule_based_label", "kmeans_segment"}
    ids = explorer["columns"]["customer_id"]
    first = ids.index(str(customers["customer_id"].iloc[0]))
    assert history["rule_based_label"]["previous"][first] == "At Risk"
    assert history["rule_based_label"]["since"][first] == "2011-09-01"
    others = [p for i, p in enumerate(history["rule_based_label"]["previous"]) if i != first]
    assert set(others) == {None}
    assert set(history["kmeans_segment"]["previous"]) == {"Regular Customers"}
    assert set(history["kmeans_segment"]["since"]) == {"2011-11-01"}


def test_rendered_page_has_the_section_and_its_charts(tmp_path):
    # given a warehouse with the history marts
    tables = {
        **synthetic_tables(n_customers=60, attack=False),
        "rpt_segment_migration": _migration(),
        "rpt_customer_lifecycle": _lifecycle(),
        "rpt_cohort_retention": _cohorts(),
    }
    warehouse = write_warehouse(tables, tmp_path / "history.duckdb")
    # when the report is rendered
    page = render_report(warehouse, tmp_path / "report.html").read_text(encoding="utf-8")
    # then the section is listed and drawn, and the champions' fate is stated
    assert 'href="#segments-over-time"' in page
    for chart in ("segment_migration", "segment_sizes", "lifecycle_bridge", "cohort_retention"):
        assert f'data-chart="{chart}"' in page
        assert f'"{chart}":{{' in page
    section = re.search(r'<section id="segments-over-time">(.*?)</section>', page, re.S)
    text = " ".join(section.group(1).split())
    assert "Of the <strong>10</strong> rule-based Champions of 2011-07-01" in text
    assert "(60%) were still Champions on 2011-10-01" in text
    assert "Not in this warehouse" not in text
