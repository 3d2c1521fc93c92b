"""build_context on small hand-made frames: what the report says follows from the marts."""

from __future__ import annotations

import pandas as pd
import pytest

from segmentation.report import ReportDataError, build_context
from segmentation.report.colors import segment_color, segment_key


def _tables() -> dict[str, pd.DataFrame]:
    """Four customers, five invoices, the SQL half of the marts only."""
    customers = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            "country": ["United Kingdom", "France", "France", "Germany"],
            "rfm_cell": ["555", "311", "155", "111"],
            "rfm_segment": ["champions", "about_to_sleep", "cant_lose_them", "hibernating"],
            "recency_days": [2, 90, 300, 350],
            "frequency": [2, 1, 1, 1],
            "monetary": [300.0, 50.0, 100.0, 10.0],
            "r_score": [5, 3, 1, 1],
            "f_score": [5, 1, 5, 1],
            "m_score": [5, 1, 5, 1],
        }
    )
    lines = pd.DataFrame(
        {
            "invoice_id": ["A", "A", "B", "C", "D", "E"],
            "stock_code": ["S1", "S2", "S1", "S3", "S1", "S2"],
            "description": ["Mug", "Lamp", "Mug", "Bag", "Mug", "Lamp"],
            "country": ["United Kingdom"] * 3 + ["France", "France", "Germany"],
            "customer_id": [1, 1, 1, 2, 3, 4],
            "line_amount": [100.0, 100.0, 100.0, 50.0, 100.0, 10.0],
            "invoiced_at": pd.to_datetime(
                [
                    "2011-01-05",
                    "2011-01-05",
                    "2011-02-20",
                    "2011-01-10",
                    "2011-02-01",
                    "2011-02-09",
                ]
            ),
        }
    )
    audit = pd.DataFrame(
        {
            "outcome": ["valid", "cancellation", "missing_customer_id"],
            "outcome_description": ["kept", "a C invoice", "no customer"],
            "row_count": [6, 2, 2],
            "row_share": [None, None, None],
        }
    )
    monthly = pd.DataFrame(
        {
            "month_start_date": pd.to_datetime(["2011-01-01", "2011-02-01"]).date,
            "revenue": [250.0, 210.0],
            "orders": [2, 3],
            "active_customers": [2, 3],
            "new_customers": [2, 2],
            "returns_amount": [5.0, None],
            "return_lines": [1, None],
        }
    )
    return {
        "dim_customers": customers,
        "fct_invoice_lines": lines,
        "rpt_transaction_audit": audit,
        "rpt_monthly_revenue": monthly,
    }


def test_headline_counts_come_from_the_marts():
    # given four customers with six valid lines on five invoices, ten raw rows in the audit
    context = build_context(_tables())
    headline = context["headline"]
    # then the headline adds them up
    assert headline["customers"] == 4
    assert headline["revenue"] == pytest.approx(460.0)
    assert headline["orders"] == 5
    assert headline["average_order_value"] == pytest.approx(92.0)
    assert headline["raw_rows"] == 10
    assert headline["kept_rows"] == 6
    assert headline["rejected_rows"] == 4
    assert headline["kept_share"] == pytest.approx(0.6)


def test_audit_shares_are_derived_when_the_mart_has_none():
    # given an audit without row shares
    audit = {row["outcome"]: row for row in build_context(_tables())["audit"]}
    # then each share is its count over the raw rows, and only valid is kept
    assert audit["cancellation"]["row_share"] == pytest.approx(0.2)
    assert [o for o, row in audit.items() if row["is_kept"]] == ["valid"]


def test_last_month_is_flagged_partial_when_data_ends_mid_month():
    # given invoices that stop on 20 February
    context = build_context(_tables())
    # then February is called out as a partial month
    assert context["monthly_partial"] == ["February 2011"]


def test_rfm_grid_puts_each_segment_in_its_cell():
    # given customers in cells (r=5, f=5) champions and (r=1, f=5) can't-lose-them
    grid = build_context(_tables())["figures"]["rfm_grid"].data[0]
    # then the cell text names the segment and its customer count (rows are f, columns r)
    assert grid.text[4][4] == "Champions<br>1"
    assert grid.text[4][0] == "Can't Lose Them<br>1"
    assert grid.text[2][2] == ""


def test_seed_labels_and_actions_reach_the_playbook():
    # given a seed with a label and an action for champions only
    tables = _tables()
    tables["rfm_segments"] = pd.DataFrame(
        {
            "rfm_segment": ["champions"],
            "segment_label": ["Our champions"],
            "description": ["Bought recently, often, a lot."],
            "marketing_action": ["Reward them."],
        }
    )
    cards = {card["segment"]: card for card in build_context(tables)["playbook"]}
    # then champions carry the seed's texts and the others fall back to readable names
    assert cards["champions"]["segment_label"] == "Our champions"
    assert cards["champions"]["marketing_action"] == "Reward them."
    assert cards["hibernating"]["segment_label"] == "Hibernating"
    assert cards["hibernating"]["marketing_action"] is None
    # and the largest revenue comes first
    assert next(iter(cards)) == "champions"


def test_without_clustering_marts_the_context_says_which_are_missing():
    # given the SQL half only
    context = build_context(_tables())
    # then clustering is unavailable, the missing tables are named, no clustering chart is built
    assert context["clustering_available"] is False
    assert "dim_customer_segments" in context["clustering_missing"]
    assert "elbow" not in context["figures"]
    assert [m["label"] for m in context["explorer"]["methods"]] == ["Rule-based RFM"]


def test_explorer_keeps_the_highest_spenders_within_the_bound():
    # given a bound of two customers
    explorer = build_context(_tables(), max_explorer_customers=2)["explorer"]
    # then the two highest spenders are embedded and the rest is counted as left out
    assert explorer["columns"]["customer_id"] == ["1", "3"]
    assert explorer["embedded"] == 2
    assert explorer["left_out"] == 2
    assert explorer["smallest_embedded_monetary"] == pytest.approx(100.0)


def test_skewed_metric_is_drawn_on_a_log_scale():
    # given monetary values where one customer spends far more than the others
    tables = _tables()
    tables["dim_customers"]["monetary"] = [10.0, 12.0, 11.0, 5000.0]
    context = build_context(tables)
    # then monetary value is listed among the log-scale metrics, recency is not
    assert "monetary value" in context["log_metrics"]
    assert "recency" not in context["log_metrics"]


def test_missing_required_mart_is_reported_by_name():
    # given no monthly revenue mart
    tables = _tables()
    del tables["rpt_monthly_revenue"]
    # when / then the error names it and says how to build it
    with pytest.raises(ReportDataError, match=r"rpt_monthly_revenue.*make run"):
        build_context(tables)


def test_missing_column_is_reported_with_its_table():
    # given a dim_customers without scores
    tables = _tables()
    tables["dim_customers"] = tables["dim_customers"].drop(columns=["f_score"])
    # when / then
    with pytest.raises(ReportDataError, match=r"marts\.dim_customers.*f_score"):
        build_context(tables)


def test_same_segment_name_gets_the_same_colour_across_methods():
    # given a rule-based name and a cluster name for the same idea, and an unknown name
    # then they share a key and a colour, and an unknown name keeps a stable colour
    assert segment_key("Can't Lose Them") == segment_key("cant_lose_them")
    assert segment_color("champions") == segment_color("Champions")
    assert segment_color("Low-Value / One-Time Buyers") != segment_color("Champions")
    assert segment_color("Brand new name") == segment_color("brand_new_name")
