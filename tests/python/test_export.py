"""Exports of the marts to Parquet: every mart, exact rows, read-only, stale files cleaned;
and the campaign audiences, one CSV per method and segment with predictions and control flag."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from segmentation.cli import main as cli_main
from segmentation.export import MANIFEST_NAME, ExportError, audience_file_name, export_marts


def small_warehouse(path: Path) -> Path:
    """Two mart tables, a mart view and a table outside the marts schema."""
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            """
            create schema marts;
            create schema intermediate;
            create table marts.dim_customers as
                select * from (values (1, 'France', 10.5), (2, 'It''s UK', null))
                    as t(customer_id, country, monetary);
            create table marts.rpt_empty (metric varchar, value double);
            create view marts.rpt_countries as
                select country, count(*) as customers from marts.dim_customers group by 1;
            create table intermediate.int_hidden as select 1 as x;
            """
        )
    return path


def read_parquet(path: Path) -> list[tuple]:
    with duckdb.connect() as connection:
        return connection.execute(
            "select * from read_parquet(?) order by all", [str(path)]
        ).fetchall()


def test_every_mart_is_exported_with_its_rows(tmp_path):
    # given a warehouse with two mart tables, a mart view and an intermediate table
    warehouse = small_warehouse(tmp_path / "w.duckdb")
    out = tmp_path / "exports"
    # when the marts are exported
    exported = export_marts(warehouse, out)
    # then each mart (tables and views) has a Parquet file with exactly its rows and nulls
    assert [table.name for table in exported] == ["dim_customers", "rpt_countries", "rpt_empty"]
    assert sorted(p.name for p in out.glob("*.parquet")) == [
        "dim_customers.parquet", "rpt_countries.parquet", "rpt_empty.parquet"
    ]  # fmt: skip
    assert read_parquet(out / "dim_customers.parquet") == [
        (1, "France", 10.5),
        (2, "It's UK", None),
    ]
    assert read_parquet(out / "rpt_empty.parquet") == []
    # and nothing outside the marts schema, and no temporary file, is left in the folder
    assert not (out / "int_hidden.parquet").exists()
    assert not list(out.glob("*.tmp"))


def test_manifest_lists_rows_and_columns(tmp_path):
    # given an exported warehouse
    warehouse = small_warehouse(tmp_path / "w.duckdb")
    export_marts(warehouse, tmp_path / "exports")
    # when the manifest is read
    manifest = json.loads((tmp_path / "exports" / MANIFEST_NAME).read_text(encoding="utf-8"))
    # then it names the source and the row count and columns of every file
    assert manifest["warehouse"] == str(warehouse.resolve())
    assert manifest["tables"]["dim_customers"] == {
        "file": "dim_customers.parquet",
        "rows": 2,
        "columns": ["customer_id", "country", "monetary"],
    }
    assert manifest["tables"]["rpt_countries"]["rows"] == 2


def test_export_runs_beside_another_reader(tmp_path):
    # given a warehouse that another process has open read-only
    warehouse = small_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(warehouse), read_only=True) as reader:
        # when the marts are exported meanwhile
        exported = export_marts(warehouse, tmp_path / "exports")
        # then the export succeeds and the reader still works
        assert len(exported) == 3
        assert reader.execute("select count(*) from marts.dim_customers").fetchone() == (2,)


def test_dropped_mart_loses_its_file_but_foreign_files_stay(tmp_path):
    # given an export, a file someone else put in the folder, then a mart dropped
    warehouse = small_warehouse(tmp_path / "w.duckdb")
    out = tmp_path / "exports"
    export_marts(warehouse, out)
    (out / "notes.parquet").write_bytes(b"not ours")
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("drop view marts.rpt_countries")
    # when the marts are exported again
    export_marts(warehouse, out)
    # then the dropped mart's file is gone and the foreign file is untouched
    assert not (out / "rpt_countries.parquet").exists()
    assert (out / "notes.parquet").read_bytes() == b"not ours"


def test_missing_warehouse_is_a_clear_error(tmp_path):
    # given no warehouse file
    missing = tmp_path / "nowhere.duckdb"
    # when exporting, then the error names the file and what to do
    with pytest.raises(ExportError, match=r"warehouse not found: .*nowhere\.duckdb.*make run"):
        export_marts(missing, tmp_path / "exports")
    assert not (tmp_path / "exports").exists()


def test_warehouse_without_marts_is_an_error(tmp_path):
    # given a warehouse without a marts schema (a build that never finished)
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create table main.t as select 1 as x")
    # when exporting, then it refuses instead of writing an empty folder
    with pytest.raises(ExportError, match="no table in schema 'marts'"):
        export_marts(warehouse, tmp_path / "exports")


def test_cli_export_prints_files_and_reports_errors(tmp_path, capsys):
    # given a warehouse
    warehouse = small_warehouse(tmp_path / "w.duckdb")
    out = tmp_path / "exports"
    # when `segmentation export` runs on it and on a missing file
    ok = cli_main(["export", "--warehouse", str(warehouse), "--out", str(out)])
    printed = capsys.readouterr().out
    failed = cli_main(["export", "--warehouse", str(tmp_path / "gone.duckdb"), "--out", str(out)])
    # then the first lists each file with its row count and the second exits 2 with one line
    assert ok == 0
    assert f"{out / 'dim_customers.parquet'} (2 rows)" in printed
    assert failed == 2
    assert capsys.readouterr().err.startswith("error: warehouse not found:")


# --- Audiences -------------------------------------------------------------------------------


def audience_warehouse(path: Path) -> Path:
    """Three customers with rule-based and two clustering segments, predictions, control."""
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            """
            create schema marts;
            create table marts.dim_customers as
                select * from (values (1, 'champions'), (2, 'champions'), (3, 'hibernating'))
                    as t(customer_id, rfm_segment);
            create table marts.dim_customer_segments as
                select * from (values
                    (1, 'Champions', 1, 'Champions'),
                    (2, 'Low-Value / One-Time Buyers', 2, 'Champions'),
                    (3, 'Low-Value / One-Time Buyers', 2, 'Low-Value / One-Time Buyers'))
                    as t(customer_id, kmeans_segment, kmeans_segment_rank, gmm_segment);
            create table marts.dim_customer_predictions as
                select * from (values
                    (1, 'low', 0.99, 4.5, 800.0, date '2012-01-05'),
                    (2, 'medium', 0.5, 1.2, 1200.0, date '2012-03-01'),
                    (3, null, null, null, null, null))
                    as t(customer_id, churn_risk, p_alive, expected_purchases_365d,
                         predicted_clv_365d, expected_next_purchase_date);
            create table marts.dim_customer_control_group as
                select * from (values (1, 0.05, true), (2, 0.5, false), (3, 0.7, false))
                    as t(customer_id, control_group_draw, is_control_group);
            """
        )
    return path


def read_csv(path: Path) -> list[tuple]:
    with duckdb.connect() as connection:
        return connection.execute(
            "select * from read_csv(?, header = true)", [str(path)]
        ).fetchall()


def test_one_audience_file_per_method_and_segment(tmp_path):
    # given a warehouse with segments of three methods, predictions and the control group
    warehouse = audience_warehouse(tmp_path / "w.duckdb")
    out = tmp_path / "exports"
    # when the marts are exported
    exported = export_marts(warehouse, out)
    # then each method has a folder with one CSV per segment, named after the segment
    audiences = out / "audiences"
    assert sorted(str(p.relative_to(audiences)) for p in audiences.rglob("*.csv")) == [
        "gmm/champions.csv", "gmm/low_value_one_time_buyers.csv",
        "kmeans/champions.csv", "kmeans/low_value_one_time_buyers.csv",
        "rule_based/champions.csv", "rule_based/hibernating.csv",
    ]  # fmt: skip
    # and each file holds the segment's customers, most valuable first, with the predictions
    # and the control flag; a customer without predictions keeps his row with empty fields
    assert read_csv(audiences / "rule_based" / "champions.csv") == [
        (2, "rule_based", "champions", "medium", 0.5, 1.2, 1200.0,
         dt.date(2012, 3, 1), False),
        (1, "rule_based", "champions", "low", 0.99, 4.5, 800.0, dt.date(2012, 1, 5), True),
    ]  # fmt: skip
    assert read_csv(audiences / "kmeans" / "low_value_one_time_buyers.csv") == [
        (2, "kmeans", "Low-Value / One-Time Buyers", "medium", 0.5, 1.2, 1200.0,
         dt.date(2012, 3, 1), False),
        (3, "kmeans", "Low-Value / One-Time Buyers", None, None, None, None, None, False),
    ]  # fmt: skip
    # and every customer is in exactly one audience per method
    for method in ("rule_based", "kmeans", "gmm"):
        ids = [row[0] for path in (audiences / method).glob("*.csv") for row in read_csv(path)]
        assert sorted(ids) == [1, 2, 3], method
    # and the export returns and the manifest lists each audience with its rows
    names = {table.name: table.rows for table in exported}
    assert names["audiences/gmm/champions.csv"] == 2
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["audiences"]["audiences/rule_based/hibernating.csv"]["rows"] == 1


def test_an_audience_of_a_segment_that_is_gone_is_removed(tmp_path):
    # given an export, then every customer moved out of the rule-based 'hibernating'
    warehouse = audience_warehouse(tmp_path / "w.duckdb")
    out = tmp_path / "exports"
    export_marts(warehouse, out)
    (out / "audiences" / "notes.txt").write_text("ours", encoding="utf-8")
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("update marts.dim_customers set rfm_segment = 'champions'")
    # when exported again
    export_marts(warehouse, out)
    # then the stale audience is gone, the new one complete, foreign files kept
    assert not (out / "audiences" / "rule_based" / "hibernating.csv").exists()
    assert len(read_csv(out / "audiences" / "rule_based" / "champions.csv")) == 3
    assert (out / "audiences" / "notes.txt").read_text(encoding="utf-8") == "ours"


def test_without_predictions_the_manifest_says_why_there_are_no_audiences(tmp_path):
    # given a warehouse built before the value models existed
    warehouse = audience_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("drop table marts.dim_customer_predictions")
    # when exported
    exported = export_marts(warehouse, tmp_path / "exports")
    # then the marts are written, no audience, and the manifest names the missing mart
    assert not any(table.name.startswith("audiences/") for table in exported)
    manifest = json.loads((tmp_path / "exports" / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["audiences"] == {}
    assert "marts.dim_customer_predictions missing" in manifest["audiences_note"]


def test_audience_file_names_are_slugs_of_the_segment():
    assert audience_file_name("Low-Value / One-Time Buyers") == "low_value_one_time_buyers.csv"
    assert audience_file_name("cant_lose_them") == "cant_lose_them.csv"
    assert audience_file_name("Regular Customers 2") == "regular_customers_2.csv"
    assert audience_file_name("***") == "unnamed.csv"
