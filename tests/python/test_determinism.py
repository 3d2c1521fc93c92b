"""Two full runs on the same input give identical marts.

Given one small synthetic raw file, when `segmentation run` builds it twice into two separate
warehouses, then every table of the `marts` schema has the same checksum in both: same
columns, same types, same rows (order-independent), so the clustering's random states, the
tie-breaks of the SQL and DuckDB's parallel aggregation leave no trace. ``mart_checksums`` is
also what test_faults.py uses to compare a warehouse before and after a killed build.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from _dbt import segmentation_run

from segmentation.ingest.synthetic import generate


def mart_checksums(warehouse: Path, schema: str = "marts") -> dict[str, str]:
    """md5 per table of ``schema``: its column names and types, then its rows sorted as text."""
    checksums = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? order by table_name",
            [schema],
        ).fetchall()
        for (table,) in tables:
            columns = connection.execute(
                "select string_agg(column_name || ' ' || data_type, ', ' order by ordinal_position)"
                " from information_schema.columns where table_schema = ? and table_name = ?",
                [schema, table],
            ).fetchone()[0]
            rows = connection.execute(
                "select md5(coalesce(string_agg(row_text, chr(10) order by row_text), '')) "
                f'from (select cast(t as varchar) as row_text from "{schema}"."{table}" as t)'
            ).fetchone()[0]
            checksums[table] = f"{columns} | {rows}"
    return checksums


def test_checksum_changes_with_any_row_and_not_with_row_order(tmp_path):
    # given two warehouses holding the same rows in a different order, and a third with one
    # value changed
    def warehouse(name: str, rows: str) -> Path:
        path = tmp_path / f"{name}.duckdb"
        with duckdb.connect(str(path)) as connection:
            connection.execute("create schema marts")
            connection.execute(f"create table marts.t as select * from (values {rows}) v(a, b)")
        return path

    same = warehouse("same", "(1, 'x'), (2, 'y')")
    reordered = warehouse("reordered", "(2, 'y'), (1, 'x')")
    changed = warehouse("changed", "(1, 'x'), (2, 'z')")
    # then the checksum ignores row order but sees the changed value
    assert mart_checksums(same) == mart_checksums(reordered)
    assert mart_checksums(same) != mart_checksums(changed)


@pytest.mark.slow
def test_two_full_runs_give_identical_marts(tmp_path):
    # given one raw file
    data = generate(tmp_path / "raw.parquet", n_lines=3_000, n_customers=80, progress=False)
    # when it is built twice, each time from scratch
    first = segmentation_run(data, tmp_path / "first")
    second = segmentation_run(data, tmp_path / "second")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr
    # then every mart, the clustering ones included, is identical
    checksums = mart_checksums(tmp_path / "first" / "warehouse" / "segmentation.duckdb")
    assert {"dim_customers", "fct_invoice_lines", "dim_customer_segments"} <= set(checksums)
    assert checksums == mart_checksums(tmp_path / "second" / "warehouse" / "segmentation.duckdb")
