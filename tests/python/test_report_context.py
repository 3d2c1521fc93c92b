"""build_context on small hand-made frames: what the report says follows from the marts."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from segmentation.report import ReportDataError, build_context
from segmentation.report.colors import segment_color, segment_key
from segmentation.report.context import cluster_methods


def _tables() -> dict[str, pd.DataFrame]:
    """Four customers, five invoices, the SQL half of the marts only."""
    customers = pd.DataFrame(
        {
            "customer_id": [1, 2, 3, 4],
            "country": ["United Kingdom", "France", "France", "Germany"],
            "rfm_segment": ["champions", "about_to_sleep", "cant_lose_them", "hibernating"],
            "recency_days": [2, 90, 300, 350],
            "frequency": [2, 1, 1, 1],
            "monetary": [300.0, 50.0, 100.0, 10.0],
            "r_score": [5, 3, 1, 1],
            "f_score": [5, 1, 5, 1],
        }
    )
    headline = pd.DataFrame(
        {
            "customers": [4],
            "orders": [5],
            "products": [3],
            "countries": [3],
            "revenue": [460.0],
            "average_order_value": [92.0],
            "raw_rows": [10],
            "valid_rows": [6],
            "rejected_rows": [4],
            "valid_row_share": [0.6],
            "first_invoice_date": pd.to_datetime(["2011-01-05"]),
            "last_invoice_date": pd.to_datetime(["2011-02-20"]),
        }
    )
    audit = pd.DataFrame(
        {
            "outcome": ["valid", "cancellation", "missing_customer_id"],
            "outcome_description": ["kept", "a C invoice", "no customer"],
            "row_count": [6, 2, 2],
            "row_share": [None, None, None],
            "is_rejected": [False, True, True],
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
    country_revenue = pd.DataFrame(
        {
            "country": ["United Kingdom", "France", "France", "Germany"],
            "rfm_segment": ["champions", "about_to_sleep", "cant_lose_them", "hibernating"],
            "country_revenue_rank": [1, 2, 2, 3],
            "revenue": [300.0, 50.0, 100.0, 10.0],
        }
    )
    products = pd.DataFrame(
        {
            "stock_code": ["S1", "S2", "S3"],
            "description": ["Mug", "Lamp", None],
            "revenue_rank": [1, 2, 3],
            "revenue": [300.0, 110.0, 50.0],
        }
    )
    profiles = pd.DataFrame(
        {
            "rfm_segment": ["champions", "about_to_sleep", "cant_lose_them", "hibernating"],
            "segment_label": [None] * 4,
            "description": [None] * 4,
            "marketing_action": [None] * 4,
            "revenue_rank": [1, 3, 2, 4],
            "customers": [1, 1, 1, 1],
            "customer_share": [0.25] * 4,
            "median_recency_days": [2.0, 90.0, 300.0, 350.0],
            "median_frequency": [2.0, 1.0, 1.0, 1.0],
            "median_monetary": [300.0, 50.0, 100.0, 10.0],
            "revenue_share": [300 / 460, 50 / 460, 100 / 460, 10 / 460],
        }
    )
    return {
        "dim_customers": customers,
        "rpt_headline_figures": headline,
        "rpt_transaction_audit": audit,
        "rpt_monthly_revenue": monthly,
        "rpt_country_segment_revenue": country_revenue,
        "rpt_product_revenue": products,
        "rpt_rfm_segment_profiles": profiles,
    }


def test_headline_shows_the_headline_mart():
    # given a headline mart of four customers, five invoices, six of ten raw rows kept
    context = build_context(_tables())
    headline = context["headline"]
    # then the headline shows its figures and its dates as dates
    assert headline["customers"] == 4
    assert headline["revenue"] == pytest.approx(460.0)
    assert headline["orders"] == 5
    assert headline["average_order_value"] == pytest.approx(92.0)
    assert headline["raw_rows"] == 10
    assert headline["valid_rows"] == 6
    assert headline["rejected_rows"] == 4
    assert headline["valid_row_share"] == pytest.approx(0.6)
    assert headline["last_invoice_date"] == date(2011, 2, 20)


def test_headline_mart_must_have_one_row():
    # given a headline mart with two rows
    tables = _tables()
    tables["rpt_headline_figures"] = pd.concat([tables["rpt_headline_figures"]] * 2)
    # when / then
    with pytest.raises(ReportDataError, match=r"rpt_headline_figures.*one row"):
        build_context(tables)


def test_audit_shares_are_derived_when_the_mart_has_none():
    # given an audit without row shares
    audit = {row["outcome"]: row for row in build_context(_tables())["audit"]}
    # then each share is its count over the raw rows, and only the row not rejected is kept
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
    # given profiles with the seed's label and action for champions only
    tables = _tables()
    profiles = tables["rpt_rfm_segment_profiles"]
    profiles.loc[0, ["segment_label", "description", "marketing_action"]] = [
        "Our champions",
        "Bought recently, often, a lot.",
        "Reward them.",
    ]
    context = build_context(tables)
    cards = {card["segment"]: card for card in context["playbook"]}
    # then champions carry the seed's texts and the others fall back to readable names
    assert cards["champions"]["segment_label"] == "Our champions"
    assert cards["champions"]["marketing_action"] == "Reward them."
    assert cards["hibernating"]["segment_label"] == "Hibernating"
    assert cards["hibernating"]["marketing_action"] is None
    # and the largest revenue comes first, and the page knows there are texts to show
    assert list(cards) == ["champions", "cant_lose_them", "about_to_sleep", "hibernating"]
    assert context["has_playbook_text"] is True


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


def test_treemap_groups_the_countries_beyond_the_largest():
    # given 14 countries ranked by revenue, and revenue of customers without an RFM row
    tables = _tables()
    tables["rpt_country_segment_revenue"] = pd.DataFrame(
        {
            "country": [f"Country {rank}" for rank in range(1, 15)] + ["Country 1"],
            "rfm_segment": ["champions"] * 14 + [None],
            "country_revenue_rank": [*range(1, 15), 1],
            "revenue": [float(100 - rank) for rank in range(1, 15)] + [5.0],
        }
    )
    treemap = build_context(tables)["figures"]["revenue_treemap"].data[0]
    boxes = dict(zip(treemap.ids, treemap.values, strict=True))
    # then the twelve largest stand alone and the other two are one group
    assert "c/Country 12" in boxes and "c/Country 13" not in boxes
    assert boxes["c/Other countries (2)"] == pytest.approx(86.0 + 87.0)
    # and lines of customers without an RFM row are shown as unsegmented
    assert boxes["c/Country 1/unsegmented"] == pytest.approx(5.0)
    assert boxes["c/Country 1"] == pytest.approx(99.0 + 5.0)
    # and the boxes come largest first: the group of two, then the largest country
    countries = [box for box in treemap.ids if box.count("/") == 1]
    assert countries[:3] == ["c/Other countries (2)", "c/Country 1", "c/Country 2"]


def test_top_products_are_ranked_and_labelled_with_their_code():
    # given three products, the third without a description
    bars = build_context(_tables())["figures"]["top_products"].data[0]
    # then the bars are labelled description [code], the largest drawn last (on top)
    assert list(bars.y) == ["(no description) [S3]", "Lamp [S2]", "Mug [S1]"]
    assert list(bars.x) == [50.0, 110.0, 300.0]


def test_clustering_methods_are_the_segment_columns_of_the_mart():
    # given a segment mart whose method columns come in a made-up order
    segments = pd.DataFrame(
        columns=["customer_id", "zeta_segment_rank", "zeta_segment", "alpha_segment", "x"]
    )
    # then the methods are its <method>_segment columns, in the mart's order
    assert cluster_methods(segments) == ["zeta", "alpha"]


def test_playbook_without_texts_says_so():
    # given profiles without seed texts
    context = build_context(_tables())
    # then the page is told the cards carry numbers only
    assert context["has_playbook_text"] is False
