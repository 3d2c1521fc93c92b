"""A build carries the published warehouse's dbt snapshots into its side file.

`segmentation run` rebuilds everything in a fresh file; the snapshot tables are the one
state of earlier builds, so they are copied in first and dbt extends them.
"""

from __future__ import annotations

import re

import duckdb
import pytest
from _dbt import REPO_ROOT

from segmentation.publish import SNAPSHOT_SCHEMA, BuildFailed, carry_forward_snapshots


def _published(path, tables: dict[str, int]):
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.dim_customers as select 1 as customer_id")
        if tables:
            connection.execute(f"create schema {SNAPSHOT_SCHEMA}")
        for name, rows in tables.items():
            connection.execute(
                f"create table {SNAPSHOT_SCHEMA}.{name} as"
                f" select range as customer_id from range({rows})"
            )
    return path


def _tables(path) -> dict[tuple[str, str], int]:
    with duckdb.connect(str(path), read_only=True) as connection:
        names = connection.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        return {
            (schema, name): connection.execute(
                f'select count(*) from {schema}."{name}"'
            ).fetchone()[0]
            for schema, name in names
        }


def test_snapshot_tables_are_copied_and_nothing_else(tmp_path):
    published = _published(tmp_path / "segmentation.duckdb", {"customer_segments_snapshot": 7})
    building = tmp_path / ".segmentation.building.duckdb"

    copied = carry_forward_snapshots(published, building)

    assert copied == ["customer_segments_snapshot"]
    assert _tables(building) == {(SNAPSHOT_SCHEMA, "customer_segments_snapshot"): 7}
    # the published file is only read
    assert (SNAPSHOT_SCHEMA, "customer_segments_snapshot") in _tables(published)


@pytest.mark.parametrize("published_tables", [None, {}], ids=["no warehouse", "no snapshots"])
def test_first_build_starts_without_snapshots(tmp_path, published_tables):
    published = tmp_path / "segmentation.duckdb"
    if published_tables is not None:
        _published(published, published_tables)
    building = tmp_path / ".segmentation.building.duckdb"

    assert carry_forward_snapshots(published, building) == []
    assert not building.exists() or _tables(building) == {}


def test_unreadable_published_warehouse_is_one_message(tmp_path):
    published = tmp_path / "segmentation.duckdb"
    published.write_text("not a database")

    with pytest.raises(BuildFailed, match=r"Could not carry the snapshots of .* forward"):
        carry_forward_snapshots(published, tmp_path / ".segmentation.building.duckdb")


def test_every_snapshot_is_written_to_the_carried_schema():
    snapshots = sorted((REPO_ROOT / "snapshots").glob("*.sql"))
    assert snapshots
    for path in snapshots:
        schemas = re.findall(r"schema\s*=\s*'(\w+)'", path.read_text(encoding="utf-8"))
        assert schemas == [SNAPSHOT_SCHEMA], path.name
