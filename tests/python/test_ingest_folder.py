"""A folder of raw files: listing, one schema, line ids across files, and the load plan
that decides between a daily run and a full refresh (segmentation.ingest.folder)."""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

from segmentation.ingest import RawFileError
from segmentation.ingest.folder import (
    FULL_REFRESH_HINT,
    RawFileEntry,
    RefreshNeeded,
    file_entries,
    is_folder_data,
    list_raw_files,
    plan_load,
    read_manifest,
    write_manifest,
)
from segmentation.ingest.resolve import resolve_raw_folder

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
LINE = "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"


def entry(name: str, rows: int, first_line_id: int, size: int = 100, modified: int = 1):
    return RawFileEntry(name, f"/data/{name}", size, modified, rows, first_line_id)


LOADED = [entry("2011-01.csv", 10, 1), entry("2011-02.csv", 5, 11)]


def test_a_folder_lists_its_data_files_in_name_order(tmp_path):
    for name in ("2011-02.csv", "2011-01.csv.gz", "README.md", ".hidden.csv", "2010-12.parquet"):
        (tmp_path / name).write_text("x")
    assert is_folder_data(tmp_path) and is_folder_data(tmp_path / "*.csv")
    assert not is_folder_data(tmp_path / "2011-02.csv")
    assert [path.name for path in list_raw_files(tmp_path)] == [
        "2010-12.parquet",
        "2011-01.csv.gz",
        "2011-02.csv",
    ]
    assert [path.name for path in list_raw_files(tmp_path / "2011-*")] == [
        "2011-01.csv.gz",
        "2011-02.csv",
    ]
    with pytest.raises(RawFileError, match="No raw file"):
        list_raw_files(tmp_path / "nothing-*.csv")


def test_line_ids_run_on_across_the_files(tmp_path):
    (tmp_path / "b.csv").write_text(HEADER + LINE * 2)
    (tmp_path / "a.csv").write_text(HEADER + LINE * 3)
    resolved = resolve_raw_folder(tmp_path)
    assert resolved.data_rows == 5
    assert [(f.name, f.first_line_id, f.last_line_id) for f in resolved.files] == [
        ("a.csv", 1, 3),
        ("b.csv", 4, 5),
    ]


def test_files_of_another_schema_are_refused(tmp_path):
    (tmp_path / "a.csv").write_text(HEADER + LINE)
    (tmp_path / "b.csv").write_text(HEADER.replace("UnitPrice", "Price") + LINE)
    with pytest.raises(RawFileError, match=r"All files in one DATA must share a schema: b\.csv"):
        resolve_raw_folder(tmp_path)


def test_new_files_after_the_loaded_ones_make_a_daily_run():
    files = [*LOADED, entry("2011-03.csv", 7, 16)]
    plan = plan_load(LOADED, files)
    assert plan.is_daily and plan.new_lines_from == 16
    assert [f.name for f in plan.new_files] == ["2011-03.csv"]
    # nothing new: a daily run that appends nothing
    assert plan_load(LOADED, LOADED).new_files == ()
    assert not plan_load(None, files).is_daily


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ([entry("2010-12.csv", 3, 1), *LOADED], "sort before"),
        ([LOADED[0]], "no longer in the data"),
        ([LOADED[0], dataclasses.replace(LOADED[1], size_bytes=101)], "delivered again"),
        ([LOADED[0], dataclasses.replace(LOADED[1], modified_ns=2)], "delivered again"),
    ],
    ids=["late", "removed", "re-delivered size", "re-delivered time"],
)
def test_a_changed_past_needs_a_full_refresh(files, reason):
    with pytest.raises(RefreshNeeded, match=reason) as raised:
        plan_load(LOADED, files)
    assert FULL_REFRESH_HINT in str(raised.value)


def test_changed_line_level_settings_need_a_full_refresh():
    with pytest.raises(RefreshNeeded, match="reject_duplicates"):
        plan_load(LOADED, LOADED, {}, {"reject_duplicates": False})
    assert plan_load(LOADED, LOADED, {"a": 1}, {"a": 1}).is_daily


def test_the_manifest_round_trips_and_grows(tmp_path):
    paths = []
    for name, lines in (("a.csv", 2), ("b.csv", 1)):
        (tmp_path / name).write_text(HEADER + LINE * lines)
        paths.append(tmp_path / name)
    entries = file_entries(paths, [2, 1])
    with duckdb.connect() as connection:
        assert read_manifest(connection) is None
        write_manifest(connection, plan_load(None, entries[:1]), {"reject_duplicates": True})
        write_manifest(connection, plan_load(entries[:1], entries), {"reject_duplicates": True})
        loaded, settings = read_manifest(connection)
    assert [(e.name, e.first_line_id, e.rows) for e in loaded] == [("a.csv", 1, 2), ("b.csv", 3, 1)]
    assert all(len(e.content_sha256) == 64 for e in loaded)
    assert settings == {"reject_duplicates": True}
