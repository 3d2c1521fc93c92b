"""Raw files as users have them: CSV copies, the Online Retail II schema, dirty values.

Given a small raw file written by the test, when the SQL half is built from it, then every
line ends in exactly one outcome (the audit sums to the file), values that do not parse are
rejected as `unparseable` rather than dropped or fatal, and a file without an expected column
stops with one message naming the file, the missing and the found columns.
"""

from __future__ import annotations

import pytest
from _dbt import SQL_MARTS, dbt, segmentation_run

pytestmark = pytest.mark.slow

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"

DIRTY_LINES = [
    # a clean sale, ISO timestamp
    "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",
    # the Kaggle copy's date format and a customer id written as a float with blanks
    "536366,22633,HAND WARMER,6,12/1/2010 8:28,1.85, 17850.0 ,United Kingdom",
    # a quantity that is no number
    "536367,84879,BIRD ORNAMENT,many,2010-12-01 08:34:00,1.69,13047,United Kingdom",
    # a date that is no date
    "536368,22960,JAM MAKING SET,6,yesterday,4.25,13047,United Kingdom",
    # NaN and infinite prices
    "536369,22913,RED COAT RACK,3,2010-12-01 08:35:00,NaN,13047,United Kingdom",
    "536369,22912,YELLOW COAT RACK,3,2010-12-01 08:35:00,inf,13047,United Kingdom",
    # a customer id that is no number
    "536370,22728,ALARM CLOCK,24,2010-12-01 08:45:00,3.75,abc,France",
    # quotes, commas and a newline inside a description; a script tag in the country
    '536371,22727,"CLOCK, ""RED""\nPINK",24,2010-12-01 08:45:00,3.75,12583,<script>x</script>',
    # missing customer, cancellation
    "536372,21730,LANTERN,6,2010-12-01 09:00:00,4.25,,United Kingdom",
    "C536373,21730,LANTERN,-6,2010-12-01 09:01:00,4.25,17850,United Kingdom",
]


def write_csv(path, header, lines, encoding="utf-8"):
    path.write_bytes(("\n".join([header, *lines]) + "\n").encode(encoding))
    return path


def audit(run):
    return dict(run.query("select outcome, row_count from marts.rpt_transaction_audit"))


def test_unparseable_values_become_rejected_rows(tmp_path):
    raw = write_csv(tmp_path / "dirty.csv", HEADER, DIRTY_LINES)

    run = dbt("build", tmp_path, {"raw_data_path": str(raw)}, selector=SQL_MARTS)

    assert run.returncode == 0, run.output
    outcomes = audit(run)
    assert sum(outcomes.values()) == len(DIRTY_LINES)
    assert outcomes["unparseable"] == 5
    assert outcomes["valid"] == 3
    assert outcomes["missing_customer_id"] == 1
    assert outcomes["cancellation"] == 1
    problems = run.query(
        "select parse_problems from intermediate.int_invoice_lines_classified "
        "where outcome = 'unparseable' order by invoice_line_id"
    )
    assert [p for (p,) in problems] == [
        "quantity unparseable",
        "invoiced_at unparseable",
        "unit_price unparseable",
        "unit_price unparseable",
        "customer_id unparseable",
    ]
    # the float-written id and the month-first date parsed
    assert run.query(
        "select customer_id, invoiced_at::varchar from marts.fct_invoice_lines "
        "where invoice_id = '536366'"
    ) == [(17850, "2010-12-01 08:28:00")]
    # text with quotes, commas, newlines and markup survives as data
    assert run.query(
        "select description, country from marts.fct_invoice_lines where invoice_id = '536371'"
    ) == [('CLOCK, "RED"\nPINK', "<script>x</script>")]


def test_online_retail_ii_schema_in_latin1(tmp_path):
    header = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country"
    lines = [
        "489434,85048,15CM CHRISTMAS GLASS BALL 20 LIGHTS,12,2009-12-01 07:45:00,6.95,13085,"
        "United Kingdom",
        "489435,22350,CAFÉ SIGN,12,2009-12-01 07:46:00,2.55,13085,España",
    ]
    raw = write_csv(tmp_path / "online_retail_ii.csv", header, lines, encoding="latin-1")

    run = dbt(
        "build",
        tmp_path,
        {"raw_data_path": str(raw), "raw_csv_encoding": "latin-1"},
        selector=SQL_MARTS,
    )

    assert run.returncode == 0, run.output
    assert audit(run)["valid"] == 2
    assert run.query(
        "select description, country from marts.fct_invoice_lines where invoice_id = '489435'"
    ) == [("CAFÉ SIGN", "España")]


def test_missing_column_stops_dbt_with_one_clear_message(tmp_path):
    header = HEADER.replace("UnitPrice", "Cost")
    raw = write_csv(tmp_path / "renamed.csv", header, DIRTY_LINES[:1])

    run = dbt("build", tmp_path, {"raw_data_path": str(raw)}, selector=SQL_MARTS)

    assert run.returncode != 0
    assert "renamed.csv lacks the column(s) UnitPrice or Price" in run.output
    assert "found: InvoiceNo, StockCode, Description, Quantity, InvoiceDate, Cost" in run.output


@pytest.mark.parametrize(
    ("make_file", "expected"),
    [
        (lambda tmp: tmp / "absent.parquet", "absent.parquet"),
        (
            lambda tmp: write_csv(tmp / "renamed.csv", HEADER.replace("Country", "Land"), []),
            "Country",
        ),
    ],
    ids=["missing file", "missing column"],
)
def test_cli_refuses_bad_raw_file_with_a_message_not_a_traceback(tmp_path, make_file, expected):
    raw = make_file(tmp_path)

    completed = segmentation_run(raw, tmp_path)

    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert completed.stderr.startswith("error: ")
    assert expected in completed.stderr
    assert str(raw.name) in completed.stderr


def _numbered_parquet(path, first: int, rows: int):
    """A Parquet file of many small row groups whose stock code is the line's position."""
    import duckdb

    duckdb.sql(
        f"""
        copy (
            select
                'INV' || (n // 7) as InvoiceNo, 'S' || n as StockCode, 'ITEM' as Description,
                1 as Quantity, timestamp '2011-01-01 10:00:00' as InvoiceDate,
                1.5 as UnitPrice, 17850.0 as CustomerID, 'France' as Country
            from range({first}, {first + rows}) as positions(n)
            order by n
        ) to '{path}' (format parquet, row_group_size 2048)
        """
    )
    return path


@pytest.mark.parametrize("layout", ["one file", "a glob of two files"])
def test_line_id_is_the_position_in_the_file(tmp_path, layout):
    # given 30,000 lines in many row groups (read in parallel), in one file or two
    if layout == "one file":
        raw = _numbered_parquet(tmp_path / "lines.parquet", 1, 30_000)
    else:
        _numbered_parquet(tmp_path / "lines_1.parquet", 1, 15_000)
        _numbered_parquet(tmp_path / "lines_2.parquet", 15_001, 15_000)
        raw = tmp_path / "lines_*.parquet"
    # when staging is built
    run = dbt(
        "run", tmp_path, {"raw_data_path": str(raw)}, select="stg_online_retail__invoice_lines"
    )
    assert run.returncode == 0, run.output
    # then every line's id is its 1-based position (the stock code says which it is)
    mismatches = run.query(
        "select count(*) from staging.stg_online_retail__invoice_lines "
        "where stock_code != 'S' || invoice_line_id"
    )
    assert mismatches == [(0,)]
    assert run.query("select count(*) from staging.stg_online_retail__invoice_lines") == [(30_000,)]
    # and one file is numbered by DuckDB's reader, a glob by the file-order window
    compiled = next(run.target.glob("compiled/**/stg_online_retail__invoice_lines.sql"))
    numbered_by_reader = "file_row_number + 1 as invoice_line_id" in compiled.read_text()
    assert numbered_by_reader == (layout == "one file")


def test_a_raw_file_changed_after_the_build_is_caught(tmp_path):
    # given a build from a file whose third line repeats its first
    raw = write_csv(
        tmp_path / "lines.csv", HEADER, [DIRTY_LINES[0], DIRTY_LINES[9], DIRTY_LINES[0]]
    )
    assert dbt("build", tmp_path, {"raw_data_path": str(raw)}, selector=SQL_MARTS).returncode == 0
    check = "assert_line_copies_match_the_raw_file"
    assert dbt("test", tmp_path, {"raw_data_path": str(raw)}, select=check).returncode == 0
    # when the file is exported again in place, in another order, after the build
    write_csv(raw, HEADER, [DIRTY_LINES[9], DIRTY_LINES[0], DIRTY_LINES[0]])
    # then the views would pin the copy on the wrong line, and the test says so
    stale = dbt("test", tmp_path, {"raw_data_path": str(raw)}, select=check)
    assert stale.returncode != 0
    assert [r["status"] for r in stale.results()] == ["fail"]
