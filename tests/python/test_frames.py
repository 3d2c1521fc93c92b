"""segmentation.frames.to_pandas: whatever `dbt.ref()` returns becomes the same pandas frame.

Given the same rows as a pandas frame, a DuckDB relation, a real PySpark DataFrame (local
Spark; skipped with the reason where pyspark or Java is missing, installed by .ci/run) and an
object shaped like a Snowpark DataFrame, when each is read with to_pandas, then the rows and
the (lower-case) column names are the same; anything else is refused with a clear message.
"""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest

from segmentation.frames import to_pandas

ROWS = [(17850, "United Kingdom", 2.55), (13047, "France", 1.69)]
COLUMNS = ["customer_id", "country", "monetary"]


def expected() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS)


def same_rows(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == COLUMNS
    assert [tuple(row) for row in frame.itertuples(index=False)] == ROWS


def test_a_pandas_frame_gets_lower_case_names_and_the_caller_keeps_its_own():
    given = expected().rename(columns=str.upper)

    frame = to_pandas(given)

    same_rows(frame)
    assert list(given.columns) == [name.upper() for name in COLUMNS]


def test_a_duckdb_relation_is_read_as_pandas():
    with duckdb.connect() as connection:
        relation = connection.sql(
            "select * from (values (17850, 'United Kingdom', 2.55), (13047, 'France', 1.69))"
            " as lines (CUSTOMER_ID, Country, monetary)"
        )
        frame = to_pandas(relation)

    same_rows(frame)


def test_a_duckdb_relation_gives_only_the_columns_asked_for_in_their_order():
    with duckdb.connect() as connection:
        relation = connection.sql(
            "select * from (values (17850, 'United Kingdom', 2.55, 'x'), (13047, 'France',"
            " 1.69, 'y')) as lines (CUSTOMER_ID, Country, monetary, unread)"
        )
        frame = to_pandas(relation, columns=["monetary", "customer_id"])

    assert list(frame.columns) == ["monetary", "customer_id"]
    assert frame.to_dict("list") == {"monetary": [2.55, 1.69], "customer_id": [17850, 13047]}


def test_a_pandas_frame_gives_only_the_columns_asked_for_whatever_their_case():
    frame = to_pandas(expected().rename(columns=str.upper), columns=["country"])

    assert frame.to_dict("list") == {"country": ["United Kingdom", "France"]}


class SnowparkLike:  # Snowpark's DataFrame has to_pandas() and select(), upper-case names
    def __init__(self, frame: pd.DataFrame | None = None, reads: list | None = None) -> None:
        self.frame = expected().rename(columns=str.upper) if frame is None else frame
        self.reads = [] if reads is None else reads  # the columns of each to_pandas()

    def select(self, *columns: str) -> SnowparkLike:
        return SnowparkLike(self.frame[[column.upper() for column in columns]], self.reads)

    def to_pandas(self) -> pd.DataFrame:
        self.reads.append(list(self.frame.columns))
        return self.frame


def test_a_snowpark_like_frame_is_read_through_to_pandas():
    same_rows(to_pandas(SnowparkLike()))


def test_a_snowpark_like_frame_is_asked_for_the_columns_before_it_is_read():
    relation = SnowparkLike()

    frame = to_pandas(relation, columns=["customer_id", "monetary"])

    assert relation.reads == [["CUSTOMER_ID", "MONETARY"]]
    assert frame.to_dict("list") == {"customer_id": [17850, 13047], "monetary": [2.55, 1.69]}


def test_anything_else_is_refused_with_what_was_expected():
    with pytest.raises(TypeError, match="cannot read a list as pandas: expected a DuckDB"):
        to_pandas([1, 2])


@pytest.fixture(scope="module")
def spark():
    """A local Spark session (one JVM for the module); skips where Spark cannot run."""
    pytest.importorskip("pyspark", reason="pyspark not installed (make test installs it)")
    if shutil.which("java") is None:
        pytest.skip(
            "no Java runtime on PATH: Spark needs one (apt-get install default-jre-headless)"
        )
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("test_frames")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_a_spark_dataframe_is_read_as_pandas(spark):
    given = spark.createDataFrame(ROWS, ["Customer_ID", "COUNTRY", "monetary"])

    frame = to_pandas(given)

    same_rows(frame)
    assert frame["customer_id"].dtype.kind == "i"
    assert frame["monetary"].dtype.kind == "f"


def test_a_spark_dataframe_gives_only_the_columns_asked_for(spark):
    given = spark.createDataFrame(ROWS, ["Customer_ID", "COUNTRY", "monetary"])

    frame = to_pandas(given, columns=["country"])

    assert frame.to_dict("list") == {"country": ["United Kingdom", "France"]}
