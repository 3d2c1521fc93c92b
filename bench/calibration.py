"""How close the synthetic generator comes to the real file: the same statistics of both.

Tooling for the bench and for tuning the generator's constants, not part of the runtime
package. `python bench/run.py` puts the table in BENCHMARKS.md; the generator's tests use
``file_statistics`` to check its line shares. Non-product lines are counted with the
project's rule, the seed ``seeds/non_product_stock_codes.csv``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd

NON_PRODUCT_STOCK_CODES_SEED = (
    Path(__file__).resolve().parents[1] / "seeds" / "non_product_stock_codes.csv"
)


def non_product_stock_codes(seed: Path = NON_PRODUCT_STOCK_CODES_SEED) -> list[str]:
    """The stock codes the project rejects as non-product lines, from the seed."""
    with open(seed, newline="", encoding="utf-8") as handle:
        return [row["stock_code"] for row in csv.DictReader(handle)]


_STATISTICS_SQL = """
with

lines as (

    select * from read_parquet($path)

),

customer_invoices as (

    select
        "CustomerID" as customer_id,
        count(distinct "InvoiceNo") filter (where "InvoiceNo" not like 'C%') as invoices,
        sum("Quantity" * "UnitPrice") as revenue

    from lines
    where "CustomerID" is not null
    group by 1

),

invoice_sizes as (

    select "InvoiceNo", count(*) as n_lines from lines group by 1

),

duplicates as (

    select count(*) - (select count(*) from (select distinct * from lines)) as n from lines

)

select
    (select count(*) from lines) as n_lines,
    (select count(distinct "CustomerID") from lines) as distinct_customers,
    (select count(*) from invoice_sizes) as distinct_invoices,
    (select count(distinct "StockCode") from lines) as distinct_stock_codes,
    (select avg(("CustomerID" is null)::int) from lines) as share_missing_customer,
    (select avg(("InvoiceNo" like 'C%')::int) from lines) as share_cancellation_lines,
    (select n from duplicates) / (select count(*) from lines) as share_duplicate_rows,
    (select avg(list_contains($codes, upper("StockCode"))::int) from lines)
        as share_non_product_lines,
    (select avg(("UnitPrice" = 0)::int) from lines) as share_zero_price,
    (select avg(n_lines) from invoice_sizes) as lines_per_invoice_mean,
    (select median(n_lines) from invoice_sizes) as lines_per_invoice_median,
    (select median(invoices) from customer_invoices) as invoices_per_customer_p50,
    (select quantile_cont(invoices, 0.9) from customer_invoices) as invoices_per_customer_p90,
    (select quantile_cont(invoices, 0.99) from customer_invoices) as invoices_per_customer_p99,
    (select median(revenue) from customer_invoices) as revenue_per_customer_p50,
    (select quantile_cont(revenue, 0.9) from customer_invoices) as revenue_per_customer_p90,
    (select quantile_cont(revenue, 0.99) from customer_invoices) as revenue_per_customer_p99,
    (select median("UnitPrice") from lines) as unit_price_median,
    (select avg((month("InvoiceDate") = 11)::int) from lines) as share_lines_november,
    (select count(distinct "Country") from lines) as distinct_countries,
    (select min("InvoiceDate")::date::varchar from lines) as first_day,
    (select max("InvoiceDate")::date::varchar from lines) as last_day
"""


def file_statistics(path: str | Path) -> dict[str, object]:
    """Key statistics of a raw file in the Online Retail layout, measured with DuckDB.

    Invoices per customer count purchase invoices (not "C" ones); revenue per customer is
    net of cancellations (sum of Quantity * UnitPrice over all the customer's lines).
    """
    parameters = {"path": str(path), "codes": non_product_stock_codes()}
    cursor = duckdb.connect().execute(_STATISTICS_SQL, parameters)
    names = [column[0] for column in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def calibration_table(real_path: str | Path, synthetic_path: str | Path) -> pd.DataFrame:
    """Real vs synthetic key statistics, one row per statistic, with their ratio.

    The ratio is synthetic / real for numeric statistics (1.0 = identical), NaN otherwise.
    """
    real, synthetic = file_statistics(real_path), file_statistics(synthetic_path)
    rows = []
    for name, real_value in real.items():
        synthetic_value = synthetic[name]
        numeric = isinstance(real_value, int | float) and isinstance(synthetic_value, int | float)
        ratio = synthetic_value / real_value if numeric and real_value else float("nan")
        rows.append((name, real_value, synthetic_value, ratio))
    return pd.DataFrame(rows, columns=["statistic", "real", "synthetic", "ratio"])
