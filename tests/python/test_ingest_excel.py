"""Excel workbook -> Parquet conversion (segmentation.ingest.excel_to_parquet)."""

from __future__ import annotations

import datetime as dt
import os

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import (
    ONLINE_RETAIL_HEADER,
    ONLINE_RETAIL_II_HEADER,
    online_retail_rows,
    write_online_retail_xlsx,
)

from segmentation.ingest import RawFileError, excel_to_parquet


def test_conversion_keeps_values_and_reference_types(tmp_path):
    # given the small workbook (numbers as Excel stores them, a C invoice, blank customers)
    workbook = write_online_retail_xlsx(tmp_path / "Online Retail.xlsx")
    # when
    target = excel_to_parquet(workbook, progress=False)
    # then the Parquet lies beside the workbook with the reference types
    assert target == tmp_path / "Online Retail.parquet"
    table = pq.read_table(target)
    assert table.schema.names == ONLINE_RETAIL_HEADER
    assert table.schema.field("InvoiceNo").type == pa.string()
    assert table.schema.field("StockCode").type == pa.string()
    assert table.schema.field("Quantity").type == pa.int64()
    assert table.schema.field("InvoiceDate").type == pa.timestamp("us")
    assert table.schema.field("UnitPrice").type == pa.float64()
    assert table.schema.field("CustomerID").type == pa.int64()
    rows = table.to_pylist()
    assert len(rows) == 20
    assert rows[0]["InvoiceNo"] == "536365"  # not "536365.0"
    assert rows[0]["StockCode"] == "22600"  # numeric stock codes become text too
    assert rows[1]["StockCode"] == "85121A"
    assert rows[0]["InvoiceDate"] == dt.datetime(2010, 12, 1, 8, 26)
    assert rows[0]["UnitPrice"] == pytest.approx(0.85)
    assert rows[17]["InvoiceNo"] == "C536379" and rows[17]["Quantity"] == -1
    assert rows[18]["CustomerID"] is None and rows[19]["CustomerID"] is None
    assert rows[0]["CustomerID"] == 17850


def test_unconvertible_cell_turns_the_column_to_text_without_losing_it(tmp_path):
    # given a Quantity cell holding text
    rows = online_retail_rows()
    rows[3][3] = "12 pcs"
    workbook = write_online_retail_xlsx(tmp_path / "dirty.xlsx", rows)
    # when
    with pytest.warns(UserWarning, match=r"'Quantity'.*row 5.*'12 pcs'"):
        target = excel_to_parquet(workbook, progress=False)
    # then the column is text and keeps both the odd value and the good ones
    table = pq.read_table(target)
    assert table.schema.field("Quantity").type == pa.string()
    quantities = table.column("Quantity").to_pylist()
    assert quantities[3] == "12 pcs"
    assert quantities[0] == "1"
    assert table.schema.field("UnitPrice").type == pa.float64()  # other columns unaffected


def test_empty_cells_become_null_only_where_empty(tmp_path):
    rows = online_retail_rows()
    rows[2][2] = None  # empty Description
    target = excel_to_parquet(write_online_retail_xlsx(tmp_path / "x.xlsx", rows), progress=False)
    descriptions = pq.read_table(target).column("Description").to_pylist()
    assert descriptions[2] is None
    assert descriptions.count(None) == 1


def test_conversion_is_skipped_while_parquet_is_newer(tmp_path):
    workbook = write_online_retail_xlsx(tmp_path / "w.xlsx")
    target = excel_to_parquet(workbook, progress=False)
    # given a Parquet newer than the workbook, marked so we can see if it is rewritten
    pq.write_table(pa.table({"marker": [1]}), target)
    os.utime(workbook, (1_000_000, 1_000_000))
    assert pq.read_table(excel_to_parquet(workbook, progress=False)).num_rows == 1
    # when the workbook becomes newer, the Parquet is rebuilt
    os.utime(target, (1_000_000, 1_000_000))
    os.utime(workbook, None)
    assert pq.read_table(excel_to_parquet(workbook, progress=False)).num_rows == 20


def test_explicit_target_and_no_temporary_leftovers(tmp_path):
    workbook = write_online_retail_xlsx(tmp_path / "w.xlsx")
    target = excel_to_parquet(workbook, tmp_path / "out" / "raw.parquet", progress=False)
    assert target.exists()
    assert [p.name for p in target.parent.iterdir()] == ["raw.parquet"]


def test_online_retail_ii_sheets_are_concatenated(tmp_path):
    # given an Online Retail II workbook with one sheet per year and a notes sheet
    header = ONLINE_RETAIL_II_HEADER
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Year 2009-2010"
    first.append(header)
    first.append(
        [489434, "85048", "CUSHION", 12, dt.datetime(2009, 12, 1, 7, 45), 6.95, 13085, "UK"]
    )
    second = workbook.create_sheet("Year 2010-2011")
    second.append(header)
    second.append(
        [536365, "85123A", "HOLDER", 6, dt.datetime(2010, 12, 1, 8, 26), 2.55, 17850, "UK"]
    )
    workbook.create_sheet("Notes").append(["Source: UCI"])
    path = tmp_path / "online_retail_II.xlsx"
    workbook.save(path)
    # when
    with pytest.warns(UserWarning, match="'Notes'"):
        table = pq.read_table(excel_to_parquet(path, progress=False))
    # then both years are there, typed by their Online Retail II names
    assert table.column("Invoice").to_pylist() == ["489434", "536365"]
    assert table.schema.field("Customer ID").type == pa.int64()
    assert table.schema.field("Price").type == pa.float64()


def test_workbook_without_required_columns_is_refused(tmp_path):
    header = [h if h != "Quantity" else "Qty" for h in ONLINE_RETAIL_HEADER]
    workbook = write_online_retail_xlsx(tmp_path / "w.xlsx", header=header)
    with pytest.raises(RawFileError, match=r"w\.xlsx lacks required columns"):
        excel_to_parquet(workbook, progress=False)
    assert not (tmp_path / "w.parquet").exists()


def test_corrupt_workbook_is_a_raw_file_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 definitely not a workbook")
    with pytest.raises(RawFileError, match=r"broken\.xlsx cannot be read as Excel"):
        excel_to_parquet(path, progress=False)
