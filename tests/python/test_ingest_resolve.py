"""Choosing and validating the raw file of a run (segmentation.ingest.resolve_raw_file)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import ONLINE_RETAIL_HEADER, online_retail_zip, write_online_retail_xlsx

from segmentation.ingest import RawFileError, resolve_raw_file


def write_parquet(path, header=ONLINE_RETAIL_HEADER):
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({name: ["x"] for name in header}), path)
    return path


def test_given_csv_is_used_and_mapped(tmp_path):
    path = tmp_path / "mine.CSV"
    path.write_text(
        "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country,Extra\n"
    )
    messages = []
    resolved = resolve_raw_file(path, raw_dir=tmp_path / "raw", log=messages.append)
    assert resolved.path == path
    assert resolved.origin == "given"
    assert resolved.schema == "online_retail_ii"
    assert resolved.columns["customer_id"] == "Customer ID"
    assert resolved.encoding == "utf-8"
    assert any("mine.CSV" in m for m in messages)


def test_given_xlsx_is_converted_beside_it(tmp_path):
    workbook = write_online_retail_xlsx(tmp_path / "Online Retail.xlsx")
    resolved = resolve_raw_file(
        workbook, raw_dir=tmp_path / "raw", log=lambda _m: None, progress=False
    )
    assert resolved.path == tmp_path / "Online Retail.parquet"
    assert resolved.origin == "given"
    assert pq.read_metadata(resolved.path).num_rows == 20


def test_given_file_with_renamed_column_is_refused(tmp_path):
    path = write_parquet(
        tmp_path / "bad.parquet", [h.replace("Country", "Land") for h in ONLINE_RETAIL_HEADER]
    )
    with pytest.raises(RawFileError) as error:
        resolve_raw_file(path, raw_dir=tmp_path, log=lambda _m: None)
    assert "bad.parquet" in str(error.value) and "country (one of Country)" in str(error.value)
    assert "Land" in str(error.value)


@pytest.mark.parametrize("name", ["raw.txt", "raw.xls", "raw.parquet.bak"])
def test_given_file_of_unsupported_type_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_text("x")
    with pytest.raises(RawFileError, match="unsupported type"):
        resolve_raw_file(path, raw_dir=tmp_path, log=lambda _m: None)


def test_missing_given_file_is_refused(tmp_path):
    with pytest.raises(RawFileError, match="does not exist"):
        resolve_raw_file(tmp_path / "nope.parquet", raw_dir=tmp_path, log=lambda _m: None)


def test_local_raw_file_is_preferred_to_download(tmp_path, closed_port_url):
    local = write_parquet(tmp_path / "raw" / "online_retail.parquet")
    resolved = resolve_raw_file(raw_dir=tmp_path / "raw", url=closed_port_url, log=lambda _m: None)
    assert resolved.path == local
    assert resolved.origin == "local"


def test_download_is_used_when_nothing_is_local(tmp_path, http_server):
    base_url, routes = http_server
    routes["/uci.zip"] = online_retail_zip(tmp_path)
    resolved = resolve_raw_file(
        raw_dir=tmp_path / "raw", url=f"{base_url}/uci.zip", log=lambda _m: None, progress=False
    )
    assert resolved.origin == "downloaded"
    assert resolved.path == tmp_path / "raw" / "online_retail.parquet"
    assert resolved.schema == "online_retail"


def test_no_network_falls_back_to_synthetic_loudly(tmp_path, closed_port_url):
    messages = []
    resolved = resolve_raw_file(
        raw_dir=tmp_path / "raw",
        url=closed_port_url,
        timeout=2,
        synthetic_lines=3_000,
        log=messages.append,
        progress=False,
    )
    assert resolved.origin == "synthetic"
    assert resolved.path == tmp_path / "raw" / "online_retail_synthetic.parquet"
    assert pq.read_metadata(resolved.path).num_rows == 3_000
    assert resolved.columns["invoice_id"] == "InvoiceNo"
    banner = next(m for m in messages if "SYNTHETIC" in m)
    lines = banner.splitlines()
    assert len(lines) >= 5 and lines[0] == lines[-1] and set(lines[0]) == {"#"}
    assert "127.0.0.1" in banner  # the reason names where the download went
    assert any(m.startswith("Download failed") for m in messages)


def test_download_disabled_goes_straight_to_synthetic(tmp_path):
    messages = []
    resolved = resolve_raw_file(
        raw_dir=tmp_path,
        allow_download=False,
        synthetic_lines=1_000,
        log=messages.append,
        progress=False,
    )
    assert resolved.origin == "synthetic"
    assert "download disabled" in "\n".join(messages)
    assert not any(m.startswith("No raw file") for m in messages)
