"""The SQL half on the real Online Retail file: the figures the issue promises.

Given the real file (541,909 rows), when dbt builds the marts with the default rules, then
the outcome counts, valid lines, invoices, customers and revenue are exactly the ones
measured on this data set; with the duplicate and non-product rules off they are the figures
published for it (397,884 lines, 18,532 invoices, 4,338 customers, 8,911,407.90).
"""

from __future__ import annotations

import pytest
from _dbt import SQL_MARTS, dbt

pytestmark = [pytest.mark.real_data, pytest.mark.slow]

VALID_TOTALS = """
    select
        count(*),
        count(distinct invoice_id),
        count(distinct customer_id),
        round(sum(line_amount), 2)
    from marts.fct_invoice_lines
"""


def test_default_rules_on_the_real_file(real_data_file, tmp_path):
    run = dbt("build", tmp_path, {"raw_data_path": str(real_data_file)}, selector=SQL_MARTS)
    assert run.returncode == 0, run.output

    audit = dict(run.query("select outcome, row_count from marts.rpt_transaction_audit"))
    assert audit == {
        "unparseable": 0,
        "future_date": 0,
        "implausible_amount": 0,
        "missing_customer_id": 135_080,
        "cancellation": 8_905,
        "adjustment": 0,
        "non_positive_quantity": 0,
        "non_positive_price": 40,
        "non_product_stock_code": 1_547,
        "duplicate": 5_187,
        "valid": 391_150,
    }
    assert sum(audit.values()) == 541_909
    assert run.query(VALID_TOTALS) == [(391_150, 18_402, 4_334, 8_737_227.64)]
    assert run.query("select count(*) from marts.dim_customers") == [(4_334,)]
    # the plausibility bounds: 10,000 x the 99th percentile of |amount| and |quantity|,
    # more than ten times the largest lines, which stay as they are (cancelled the same day)
    bounds = run.query(
        "select line_amount_percentile, quantity_percentile, max_plausible_line_amount, "
        "max_plausible_quantity from intermediate.int_invoice_line_plausibility_bounds"
    )
    assert bounds == [(195.0, 100.0, 1_950_000.0, 1_000_000.0)]
    largest = run.query(
        "select invoice_id, quantity, outcome from intermediate.int_invoice_lines_classified "
        "where abs(quantity) in (80995, 74215) order by invoice_id"
    )
    assert largest == [
        ("541431", 74_215, "valid"),
        ("581483", 80_995, "valid"),
        ("C541433", -74_215, "cancellation"),
        ("C581484", -80_995, "cancellation"),
    ]
    # no valid line lies far beyond the rest of the dates (the longest gap is 12 days)
    warnings = [r for r in run.results() if "warn_valid_lines_dated_far" in r["unique_id"]]
    assert [(r["status"], r["failures"]) for r in warnings] == [("pass", 0)]


def test_published_figures_with_duplicate_and_non_product_rules_off(real_data_file, tmp_path):
    dbt_vars = {
        "raw_data_path": str(real_data_file),
        "reject_duplicates": False,
        "reject_non_product_stock_codes": False,
    }
    run = dbt("build", tmp_path, dbt_vars, selector=SQL_MARTS)
    assert run.returncode == 0, run.output

    assert run.query(VALID_TOTALS) == [(397_884, 18_532, 4_338, 8_911_407.90)]
    audit = dict(run.query("select outcome, row_count from marts.rpt_transaction_audit"))
    assert audit["duplicate"] == 0
    assert audit["non_product_stock_code"] == 0
    assert sum(audit.values()) == 541_909
