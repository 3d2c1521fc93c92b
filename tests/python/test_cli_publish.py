"""`segmentation run` publishes a warehouse only when the whole build succeeded.

Given a published warehouse, when a later build fails (here: a raw file whose lines all
lack a customer, which the source test refuses as a broken export), then the published file
is untouched and still holds the previous marts; when a build succeeds, its marts replace
the previous ones in one step and no side file is left behind, only the released run lock,
and the dbt snapshot of the published warehouse is carried forward and extended.
"""

from __future__ import annotations

import duckdb
import pytest
from _dbt import segmentation_run

from segmentation.ingest.synthetic import generate
from segmentation.publish import SNAPSHOT_SCHEMA
from segmentation.run_lock import lock_file

pytestmark = pytest.mark.slow


def customer_count(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.sql("select count(*) from marts.dim_customers").fetchall()[0][0]


def snapshot_versions(warehouse):
    """Rows of the segments snapshot, and how many of them a later build closed."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.sql(
            "select count(*), count(dbt_valid_to)"
            f" from {SNAPSHOT_SCHEMA}.customer_segments_snapshot"
        ).fetchall()[0]


def test_failed_build_leaves_the_published_warehouse_untouched(tmp_path):
    good = generate(tmp_path / "good.parquet", n_lines=20_000, n_customers=300, progress=False)
    warehouse = tmp_path / "warehouse" / "segmentation.duckdb"

    first = segmentation_run(good, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    published_customers = customer_count(warehouse)
    assert published_customers > 0
    # no side file left; the run lock is empty: nobody holds it
    assert sorted(warehouse.parent.iterdir()) == sorted([warehouse, lock_file(warehouse)])
    assert lock_file(warehouse).read_text() == ""

    broken = tmp_path / "no_customers.csv"
    broken.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        + "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,,United Kingdom\n" * 5
    )
    second = segmentation_run(broken, tmp_path)

    assert second.returncode == 2
    assert "dbt build" in second.stderr
    assert customer_count(warehouse) == published_customers

    # a later build at another as-of date extends the snapshot of the published build:
    # customers whose segments changed get a second version, the first one closed
    first_versions = snapshot_versions(warehouse)
    assert first_versions == (published_customers, 0)
    third = segmentation_run(good, tmp_path, "rfm_as_of_date=2011-06-01")
    assert third.returncode == 0, third.stdout + third.stderr
    versions, closed = snapshot_versions(warehouse)
    assert closed > 0
    assert versions > first_versions[0]
