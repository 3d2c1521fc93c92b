"""The raw lines from a warehouse table instead of a file (var raw_relation), on DuckDB.

Given a table that another tool loaded into the warehouse (typed columns in the Online Retail
schema, or text columns in the Online Retail II schema), when the project is built with
`raw_relation` naming it, then the marts equal those built from the file itself: the same
outcomes, customers, RFM, scores, segments and monthly revenue. A name that is not
`<schema>.<table>` stops the run before any SQL is sent.
"""

from __future__ import annotations

import duckdb
import pytest
from _dbt import dbt

from segmentation.ingest.synthetic import generate

pytestmark = pytest.mark.slow

# The marts compared, and everything they are built from.
SELECT = "+dim_customers +rpt_monthly_revenue +rpt_transaction_audit +fct_invoice_lines"
COMPARED = {
    "rpt_transaction_audit": "select outcome, row_count from marts.rpt_transaction_audit",
    "dim_customers": "select * from marts.dim_customers",
    "rpt_monthly_revenue": "select * from marts.rpt_monthly_revenue",
    "fct_invoice_lines": "select * from marts.fct_invoice_lines",
}
# Online Retail II names of the columns whose names differ
RETAIL_II_NAMES = {"InvoiceNo": "Invoice", "UnitPrice": "Price", "CustomerID": "Customer ID"}


def marts(run) -> dict[str, list[tuple]]:
    return {name: sorted(run.query(sql)) for name, sql in COMPARED.items()}


@pytest.fixture(scope="module")
def raw_file(tmp_path_factory):
    return generate(
        tmp_path_factory.mktemp("raw") / "lines.parquet", 2_000, 150, seed=7, progress=False
    )


@pytest.fixture(scope="module")
def from_file(raw_file, tmp_path_factory):
    run = dbt("build", tmp_path_factory.mktemp("file"), {"raw_data_path": str(raw_file)}, SELECT)
    assert run.returncode == 0, run.output
    return marts(run)


def load_table(warehouse, raw_file, as_text: bool) -> None:
    """What another tool would do: the file's lines into raw.invoice_lines, in file order."""
    with duckdb.connect(str(warehouse)) as connection:
        columns = connection.sql(f"select * from read_parquet('{raw_file}')").columns
        selected = []
        for column in columns:
            value = f'cast("{column}" as varchar)' if as_text else f'"{column}"'
            name = RETAIL_II_NAMES.get(column, column) if as_text else column
            selected.append(f'{value} as "{name}"')
        connection.execute("create schema raw")
        connection.execute(
            f"create table raw.invoice_lines as select {', '.join(selected)} "
            f"from read_parquet('{raw_file}')"
        )


@pytest.mark.parametrize(
    "as_text", [False, True], ids=["typed, Online Retail", "text, Online Retail II"]
)
def test_a_table_in_the_warehouse_gives_the_marts_of_the_file(
    as_text, raw_file, from_file, tmp_path
):
    load_table(tmp_path / "warehouse.duckdb", raw_file, as_text)

    run = dbt("build", tmp_path, {"raw_relation": "raw.invoice_lines"}, SELECT)

    assert run.returncode == 0, run.output
    from_table = marts(run)
    assert sum(count for _, count in from_table["rpt_transaction_audit"]) == 2_000
    assert from_table["dim_customers"], "no customer: the comparison would prove nothing"
    assert from_table == from_file


def test_a_raw_relation_that_is_no_plain_name_is_refused(tmp_path):
    run = dbt("parse", tmp_path, {"raw_relation": "raw.lines; drop table x"})

    assert run.returncode != 0
    assert "var raw_relation must be <schema>.<table>" in run.output
