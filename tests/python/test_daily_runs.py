"""Daily runs: `segmentation run --data folder/` loads only the files that came in since.

A synthetic file split by month into a folder: a full build of all months but the last, then
the last month's file lands and the next run appends its lines to the line-level tables
(incremental models) and recomputes the rest; every mart then equals a full refresh of all
the files. A late file (sorting before the loaded ones), a re-delivered file and a removed
file each stop the run before dbt with a message that asks for a full refresh; so does a
`latest_valid_date` under which lines loaded before would get another outcome.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import duckdb
import pytest
from _dbt import dbt, segmentation

from segmentation.ingest.folder import FULL_REFRESH_HINT, MANIFEST_SCHEMA, MANIFEST_TABLE
from segmentation.ingest.synthetic import generate

pytestmark = pytest.mark.slow

# the last day of the synthetic data's year: no line is future_date in any build here
LATEST_VALID_DATE = "latest_valid_date=2011-12-31"
# the models a daily run appends the new lines (or their counts) to
LINE_LEVEL_MODELS = (
    "int_invoice_line_copies",
    "int_invoice_line_magnitudes",
    "int_invoice_lines_classified",
)
# the line groups: a daily run replaces the groups of the new lines' timestamps
LINE_GROUPS = "int_customer_invoice_line_groups"
# models whose rows of the new lines' timestamps or months a daily run replaces
REPLACED_MODELS = (LINE_GROUPS, "int_customer_months_aggregated")
# intermediate tables that must equal a full refresh's, beside every mart
COMPARED_INTERMEDIATE = (
    "int_invoice_line_copies",
    "int_invoice_lines_classified",
    *REPLACED_MODELS,
    "int_invoice_line_plausibility_bounds",
)


def split_by_month(raw: Path, folder: Path) -> list[Path]:
    """One Parquet file per month of the invoice date (lines in file order), named YYYY-MM."""
    folder.mkdir()
    with duckdb.connect() as connection:
        connection.execute(
            "create table lines as select *, row_number() over () as position, "
            f"strftime(InvoiceDate, '%Y-%m') as month from read_parquet('{raw}')"
        )
        months = [
            m for (m,) in connection.sql("select distinct month from lines order by 1").fetchall()
        ]
        for month in months:
            connection.execute(
                f"copy (select * exclude (position, month) from lines where month = '{month}' "
                f"order by position) to '{folder / month}.parquet'"
            )
    return sorted(folder.iterdir())


def split_within_an_invoice(path: Path) -> list[Path]:
    """``path`` as two files (``<stem>-1``, ``<stem>-2``) cut between two lines of one
    invoice and timestamp near the middle, as an export cut mid-invoice would be."""
    with duckdb.connect() as connection:
        connection.execute(
            f"create table lines as select *, row_number() over () as position from '{path}'"
        )
        (cut,) = connection.execute(
            "select position from (select position, InvoiceNo, InvoiceDate, lag(InvoiceNo) "
            "over (order by position) as previous_invoice, lag(InvoiceDate) over (order by "
            "position) as previous_date from lines) where InvoiceNo = previous_invoice and "
            "InvoiceDate = previous_date order by abs(position - (select count(*) / 2 from "
            "lines)) limit 1"
        ).fetchone()
        parts = [path.with_name(f"{path.stem}-{part}.parquet") for part in (1, 2)]
        for part, condition in zip(parts, (f"position < {cut}", f"position >= {cut}"), strict=True):
            connection.execute(
                f"copy (select * exclude (position) from lines where {condition} "
                f"order by position) to '{part}'"
            )
    path.unlink()
    return parts


def move_an_invoice(source: Path, target: Path) -> None:
    """The lines of one sale near the middle of ``source`` moved to the end of ``target``: a
    later file that carries lines dated before the files loaded earlier."""
    with duckdb.connect() as connection:
        for name, path in (("source", source), ("target", target)):
            connection.execute(
                f"create table {name} as select *, row_number() over () as position from '{path}'"
            )
        (invoice,) = connection.execute(
            "select InvoiceNo from source where CustomerID is not null and InvoiceNo not like "
            "'C%' order by abs(position - (select count(*) / 2 from source)) limit 1"
        ).fetchone()
        connection.execute(
            "create table moved as select * exclude (position) from (select *, 0 as part from "
            "target union all by name select *, 1 as part from source where InvoiceNo = ?) "
            "order by part, position",
            [invoice],
        )
        connection.execute(
            f"copy (select * exclude (position) from source where InvoiceNo <> ? "
            f"order by position) to '{source}'",
            [invoice],
        )
        connection.execute(f"copy (select * exclude (part) from moved) to '{target}'")


def run(work: Path, data: Path | str, *args: str):
    return segmentation(
        work,
        "run",
        "--data",
        str(data),
        "--no-report",
        "--no-download",
        "--var",
        LATEST_VALID_DATE,
        *args,
    )


def warehouse(work: Path) -> Path:
    return work / "warehouse" / "segmentation.duckdb"


def copy_work(work: Path, to: Path) -> Path:
    """A second work folder whose published warehouse is a copy of work's."""
    warehouse(to).parent.mkdir(parents=True)
    shutil.copyfile(warehouse(work), warehouse(to))
    return to


def query(work: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse(work)), read_only=True) as connection:
        return connection.sql(sql).fetchall()


@pytest.fixture(scope="module")
def daily(tmp_path_factory):
    """A folder of monthly files built in full without its last file, then again after that
    file landed. The last month comes as two files cut within an invoice, so the new lines
    share an invoice and timestamp with lines loaded before; the new file also carries a
    sale of two months before, dated before stored dates of the segment history."""
    root = tmp_path_factory.mktemp("daily")
    raw = generate(root / "raw.parquet", n_lines=20_000, n_customers=300, progress=False)
    *months, last_month = split_by_month(raw, root / "months")
    months += split_within_an_invoice(last_month)
    move_an_invoice(months[-4], months[-1])
    folder = root / "folder"
    folder.mkdir()
    for path in months[:-1]:
        shutil.copy2(path, folder / path.name)
    work = root / "work"
    first = run(work, folder)
    assert first.returncode == 0, first.stdout + first.stderr
    loaded_before = query(work, "select count(*) from intermediate.int_invoice_lines_classified")[
        0
    ][0]
    shutil.copy2(months[-1], folder / months[-1].name)
    second = run(work, folder)
    assert second.returncode == 0, second.stdout + second.stderr
    return {
        "root": root,
        "folder": folder,
        "months": months,
        "work": work,
        "loaded_before": loaded_before,
        "output": second.stdout,
    }


def test_a_daily_run_appends_only_the_new_lines(daily):
    work, months = daily["work"], daily["months"]
    with duckdb.connect() as connection:
        new_lines = connection.sql(f"select count(*) from '{months[-1]}'").fetchall()[0][0]
        all_lines = connection.sql(
            f"select count(*) from '{months[0].parent}/*.parquet'"
        ).fetchall()[0][0]
    assert "1 new file(s) of" in daily["output"] and "daily run" in daily["output"]
    # the view of the lines this build loaded read the new file only
    assert query(work, "select count(*) from staging.stg_online_retail__new_invoice_lines") == [
        (new_lines,)
    ]
    assert daily["loaded_before"] == all_lines - new_lines
    assert query(
        work, "select count(*), max(invoice_line_id) from intermediate.int_invoice_lines_classified"
    ) == [(all_lines, all_lines)]
    # each line-level model appended (an insert of the new rows), not rebuilt; the view of
    # the valid lines (fct_invoice_lines) reads them
    run_sql = Path(work / "target" / "run" / "customer_segmentation" / "models")
    for model in LINE_LEVEL_MODELS:
        (compiled,) = run_sql.rglob(f"{model}.sql")
        assert compiled.read_text().lstrip().lower().startswith("insert into"), model
    for model in REPLACED_MODELS:
        (compiled,) = run_sql.rglob(f"{model}.sql")
        assert compiled.read_text().lstrip().lower().startswith("delete from"), model
    # the new file's old sale is dated before stored dates of the RFM history: those dates
    # were computed again (their rows equal a full refresh's: the test below)
    with duckdb.connect() as connection:
        (oldest,) = connection.execute(f"select min(InvoiceDate) from '{months[-1]}'").fetchone()
    assert (
        query(
            work,
            "select count(distinct as_of_date) from intermediate.int_customers_rfm_history "
            f"where cast(as_of_date as timestamp) > timestamp '{oldest}'",
        )[0][0]
        >= 2
    )
    # the invoice cut between the last two files is one group per timestamp, as in a rebuild
    assert query(
        work,
        f"select count(*) from (select customer_id, invoice_id, country, outcome, invoiced_at "
        f"from intermediate.{LINE_GROUPS} group by all having count(*) > 1)",
    ) == [(0,)]
    # the manifest: every file once, line ids running on without gap
    manifest = query(
        work,
        f"select name, rows, first_line_id, last_line_id from {MANIFEST_SCHEMA}.{MANIFEST_TABLE}"
        " order by first_line_id",
    )
    assert [name for name, *_ in manifest] == [path.name for path in months]
    assert manifest[0][2] == 1 and manifest[-1][3] == all_lines
    assert all(a[3] + 1 == b[2] for a, b in itertools.pairwise(manifest))
    # the tests of the line-level tables and of the raw files read the new lines only
    # (placeholders of the `where` config, macro get_where_subquery)
    run_tests = Path(work / "target" / "run" / "customer_segmentation")
    new_from = manifest[-1][2]
    for test, condition in (
        ("unique_fct_invoice_lines_invoice_line_id", f"invoice_line_id >= {new_from}"),
        ("contract_constraints_hold_fct_invoice_lines_True", f"invoice_line_id >= {new_from}"),
        ("raw_customer_id_missing", f"filename in ('{daily['folder'] / months[-1].name}')"),
    ):
        (compiled,) = run_tests.rglob(f"{test}.sql")
        assert condition in compiled.read_text(), test


def test_marts_equal_a_full_refresh_of_every_file(daily):
    full = copy_work(daily["work"], daily["root"] / "full")
    rebuilt = run(full, daily["folder"], "--full-refresh")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "full build" in rebuilt.stdout
    assert_same_tables(daily["work"], full)


def test_a_run_with_no_new_file_changes_nothing(daily):
    again = copy_work(daily["work"], daily["root"] / "again")
    rerun = run(again, daily["folder"])
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "0 new file(s) of" in rerun.stdout and "daily run" in rerun.stdout
    assert query(again, "select count(*) from staging.stg_online_retail__new_invoice_lines") == [
        (0,)
    ]
    assert_same_tables(daily["work"], again)


def assert_same_tables(work: Path, other: Path) -> None:
    """Every mart and the COMPARED_INTERMEDIATE tables hold the same rows in both."""
    with duckdb.connect() as connection:
        connection.execute(f"attach '{warehouse(work)}' as first (read_only)")
        connection.execute(f"attach '{warehouse(other)}' as second (read_only)")
        tables = [
            name
            for (name,) in connection.sql(
                "select table_name from information_schema.tables where table_catalog = "
                "'first' and table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        assert "fct_invoice_lines" in tables and "dim_customers" in tables
        for table in [*tables, *COMPARED_INTERMEDIATE]:
            schema = "marts" if table in tables else "intermediate"
            a, b = f"first.{schema}.{table}", f"second.{schema}.{table}"
            counts = connection.sql(
                f"select (select count(*) from {a}), (select count(*) from {b})"
            ).fetchall()
            assert counts[0][0] == counts[0][1], table
            # row for row, duplicates included, in both directions
            for left, right in ((a, b), (b, a)):
                differ = connection.sql(
                    f"select count(*) from (select * from {left} except all select * from {right})"
                ).fetchall()[0][0]
                assert differ == 0, f"{table}: {differ} rows of {left} not in {right}"


@pytest.mark.parametrize("change", ["late", "re-delivered", "removed"])
def test_files_that_change_the_past_ask_for_a_full_refresh(daily, change, tmp_path):
    folder = tmp_path / "folder"
    shutil.copytree(daily["folder"], folder)  # copy2: same sizes and modification times
    months = sorted(folder.iterdir())
    if change == "late":
        shutil.copy2(months[3], folder / "2010-11.parquet")
    elif change == "re-delivered":
        with duckdb.connect() as connection:
            connection.execute(
                f"copy (select * from '{months[3]}' limit 10) to '{tmp_path / 'short.parquet'}'"
            )
        shutil.move(tmp_path / "short.parquet", months[3])
    else:
        months[3].unlink()
    work = copy_work(daily["work"], tmp_path / "work")
    published = warehouse(work).read_bytes()

    refused = run(work, folder)

    assert refused.returncode == 2
    assert FULL_REFRESH_HINT in refused.stderr
    assert {"late": "sort before", "re-delivered": "delivered again", "removed": "no longer"}[
        change
    ] in refused.stderr
    assert "dbt=" not in refused.stdout  # refused before dbt started
    assert warehouse(work).read_bytes() == published


def test_a_valid_date_that_changes_loaded_outcomes_asks_for_a_full_refresh(daily, tmp_path):
    # the lines of the last months loaded as valid would be future_date under this date
    work = copy_work(daily["work"], tmp_path / "work")
    refused = run(work, daily["folder"], "--var", "latest_valid_date=2011-06-30")
    assert refused.returncode == 2
    assert "would get another outcome" in refused.stderr
    assert FULL_REFRESH_HINT in refused.stderr  # dbt's refusal says what the CLI's say


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_line_ids_run_on_across_the_files_and_a_daily_run_reads_the_new_ones(tmp_path, kind):
    # given two files of numbered lines (stock code S<position>), many row groups each
    with duckdb.connect() as connection:
        for name, first in (("a", 1), ("b", 5_001)):
            connection.execute(
                f"copy (select 'S' || n as StockCode, '5' || n as InvoiceNo, 'X' as Description,"
                " 1 as Quantity, timestamp '2011-01-01' as InvoiceDate, 1.5 as UnitPrice,"
                f" 17850 as CustomerID, 'France' as Country from range({first}, {first + 5_000})"
                f" as positions(n) order by n) to '{tmp_path / name}.{kind}'"
                + (" (format parquet, row_group_size 1024)" if kind == "parquet" else "")
            )
    files = [
        {"path": str(tmp_path / f"a.{kind}"), "first_line_id": 1},
        {"path": str(tmp_path / f"b.{kind}"), "first_line_id": 5_001},
    ]
    # when staging is built for a daily run whose new file is the second
    dbt_vars = {"raw_data_path": str(tmp_path), "raw_files": files, "raw_new_lines_from": 5_001}
    models = "stg_online_retail__invoice_lines stg_online_retail__new_invoice_lines"
    built = dbt("run", tmp_path / "work", dbt_vars, select=models)
    assert built.returncode == 0, built.output
    # then every line's id is its position in the two files, and the new lines are the second's
    for model, count, first in (("invoice_lines", 10_000, 1), ("new_invoice_lines", 5_000, 5_001)):
        relation = f"staging.stg_online_retail__{model}"
        assert built.query(
            f"select count(*), min(invoice_line_id), "
            f"count(*) filter (where stock_code != 'S' || invoice_line_id) from {relation}"
        ) == [(count, first, 0)]
