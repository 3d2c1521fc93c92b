"""The SQL half of the project on Apache Spark gives the figures of the DuckDB build.

Given a synthetic file of 3,000 lines and 200 customers, when `segmentation spark` (what
`make run-spark` runs: the file loaded into a local Spark, the `sql_marts` selection built by
dbt-spark with its unit and data tests, every mart exported to Parquet) and the DuckDB build
run on it, then the audit counts, each customer's R, F, M, monetary_net, scores and rule-based
segment, and the monthly revenue are the same, to the cent. Skipped with the reason where
pyspark or Java is missing; .ci/run installs both, so CI runs it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import duckdb
import pytest
from _dbt import REPO_ROOT, SQL_MARTS, dbt, work_environment

from segmentation.ingest.synthetic import generate

pytestmark = pytest.mark.slow

# What must agree, per mart: the key and the compared columns.
COMPARED = {
    "rpt_transaction_audit": "outcome, row_count, is_rejected",
    "dim_customers": (
        "customer_id, country, recency_days, frequency, monetary, monetary_net, r_score,"
        " f_score, m_score, rfm_cell, rfm_segment, as_of_date, average_order_value,"
        " previous_rfm_segment, rfm_segment_since"
    ),
    "rpt_monthly_revenue": (
        "month_start_date, revenue, orders, active_customers, new_customers, returns_amount,"
        " return_lines"
    ),
    "rpt_cohort_retention": (
        "cohort_month_start_date, months_since_first_purchase, cohort_customers,"
        " active_customers, revenue, revenue_per_cohort_customer"
    ),
}


@pytest.fixture(scope="module")
def raw_file(tmp_path_factory):
    pytest.importorskip("pyspark", reason="pyspark not installed (make test installs it)")
    if shutil.which("java") is None:
        pytest.skip(
            "no Java runtime on PATH: Spark needs one (apt-get install default-jre-headless)"
        )
    return generate(
        tmp_path_factory.mktemp("raw") / "lines.parquet", 3_000, 200, seed=42, progress=False
    )


@pytest.fixture(scope="module")
def spark_build(raw_file, tmp_path_factory):
    """`segmentation spark` on the file: one process, one JVM for load, build and export."""
    work = tmp_path_factory.mktemp("spark")
    exports = work / "exports"
    done = segmentation_spark(work, raw_file, exports)
    assert done.returncode == 0, done.stdout + done.stderr
    return exports, done.stdout


def segmentation_spark(work, raw_file, exports):
    """`segmentation spark` in a subprocess; Spark's warehouse and metastore under work."""
    return subprocess.run(
        [sys.executable, "-m", "segmentation.cli", "spark", "--data", str(raw_file),
         "--out", str(exports), "--no-download"],
        cwd=REPO_ROOT,
        env={**work_environment(work), "DBT_SPARK_DIR": str(work / "spark")},
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def duckdb_build(raw_file, tmp_path_factory):
    run = dbt(
        "build", tmp_path_factory.mktemp("duckdb"), {"raw_data_path": str(raw_file)},
        selector=SQL_MARTS,
    )  # fmt: skip
    assert run.returncode == 0, run.output
    return run


def spark_rows(exports, mart: str) -> list[tuple]:
    with duckdb.connect() as connection:
        path = str(exports / f"{mart}.parquet").replace("'", "''")
        return sorted(connection.sql(f"select {COMPARED[mart]} from '{path}'").fetchall())


@pytest.mark.parametrize("mart", sorted(COMPARED))
def test_spark_and_duckdb_builds_agree(mart, spark_build, duckdb_build):
    exports, _ = spark_build

    on_spark = spark_rows(exports, mart)
    on_duckdb = sorted(duckdb_build.query(f"select {COMPARED[mart]} from marts.{mart}"))

    assert on_duckdb, f"{mart} is empty: the comparison would prove nothing"
    assert on_spark == on_duckdb


def test_every_sql_mart_is_exported_and_the_python_models_are_named(spark_build, duckdb_build):
    exports, output = spark_build

    built = {name for (name,) in duckdb_build.query(
        "select table_name from information_schema.tables where table_schema = 'marts'"
    )}  # fmt: skip
    assert {path.stem for path in exports.glob("*.parquet")} == built
    assert "dbt-spark issue #1062" in output
