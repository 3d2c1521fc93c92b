"""Download of UCI data set 352 (segmentation.ingest.download_uci), against a local server."""

from __future__ import annotations

import io
import zipfile

import pyarrow.parquet as pq
import pytest
from conftest import online_retail_zip

from segmentation.ingest import DownloadError, download_uci


def test_download_extracts_and_converts(tmp_path, http_server):
    # given a server publishing the zip as UCI does
    base_url, routes = http_server
    routes["/static/public/352/online+retail.zip"] = online_retail_zip(tmp_path)
    raw_dir = tmp_path / "raw"
    # when
    path = download_uci(
        raw_dir, url=f"{base_url}/static/public/352/online+retail.zip", progress=False
    )
    # then the Parquet holds every row of the workbook, which is kept beside it
    assert path == raw_dir / "online_retail.parquet"
    table = pq.read_table(path)
    assert table.num_rows == 20
    assert table.column("InvoiceNo").to_pylist()[17] == "C536379"
    assert table.column("CustomerID").null_count == 2
    assert sorted(p.name for p in raw_dir.iterdir()) == ["Online Retail.xlsx", path.name]


def test_http_404_is_a_download_error(tmp_path, http_server):
    base_url, _routes = http_server
    with pytest.raises(DownloadError, match=r"missing\.zip failed: HTTP 404"):
        download_uci(tmp_path, url=f"{base_url}/missing.zip", progress=False)
    assert list(tmp_path.iterdir()) == []  # no partial files left behind


def test_corrupt_zip_is_a_download_error(tmp_path, http_server):
    base_url, routes = http_server
    routes["/bad.zip"] = b"<html>captive portal</html>"
    with pytest.raises(DownloadError, match="not a valid zip archive"):
        download_uci(tmp_path, url=f"{base_url}/bad.zip", progress=False)
    assert list(tmp_path.iterdir()) == []


def test_zip_without_workbook_is_a_download_error(tmp_path, http_server):
    base_url, routes = http_server
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "nothing here")
    routes["/empty.zip"] = buffer.getvalue()
    with pytest.raises(DownloadError, match=r"no \.xlsx workbook \(found: README\.txt\)"):
        download_uci(tmp_path, url=f"{base_url}/empty.zip", progress=False)


def test_closed_port_is_a_download_error(tmp_path, closed_port_url):
    with pytest.raises(DownloadError, match="failed"):
        download_uci(tmp_path, url=closed_port_url, timeout=2, progress=False)
