"""Shared pytest helpers: the reference data, small raw files, a local web server, a browser.

The real data set is reference data outside the repository (../shared/data relative to the
repo root, as on CI); tests that need it use the ``real_data_file`` fixture, which skips
with a reason where the file is absent.
"""

from __future__ import annotations

import datetime as dt
import http.server
import io
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_DATA_FILE = REPO_ROOT.parent / "shared" / "data" / "online_retail.parquet"

ONLINE_RETAIL_HEADER = [
    "InvoiceNo", "StockCode", "Description", "Quantity",
    "InvoiceDate", "UnitPrice", "CustomerID", "Country",
]  # fmt: skip
ONLINE_RETAIL_II_HEADER = [
    "Invoice", "StockCode", "Description", "Quantity",
    "InvoiceDate", "Price", "Customer ID", "Country",
]  # fmt: skip


@pytest.fixture
def real_data_file() -> Path:
    """Path of the real Online Retail Parquet file; skips the test where it is absent."""
    if not REAL_DATA_FILE.exists():
        pytest.skip(f"real data file absent: {REAL_DATA_FILE}")
    return REAL_DATA_FILE


def online_retail_rows() -> list[list]:
    """20 lines in the Online Retail layout, as Excel holds them (numbers, dates, blanks).

    Includes a cancellation (C invoice, negative quantity) and lines without CustomerID.
    """
    start = dt.datetime(2010, 12, 1, 8, 26)
    rows = []
    for i in range(20):
        invoice = 536365 + i // 4
        rows.append(
            [
                invoice,
                f"8512{i % 10}A" if i % 3 else 22600 + i,
                f"PRODUCT {i}",
                (i % 5) + 1,
                start + dt.timedelta(minutes=7 * (i // 4)),
                round(0.85 + i * 0.5, 2),
                17850 + i // 4,
                "United Kingdom" if i % 7 else "France",
            ]
        )
    cancelled_at = start + dt.timedelta(hours=1)
    rows[17] = ["C536379", "D", "Discount", -1, cancelled_at, 27.5, 14527, "United Kingdom"]
    rows[18][6] = None  # guest checkout
    rows[19][6] = None
    return rows


def write_online_retail_xlsx(path: Path, rows: list[list] | None = None, header=None) -> Path:
    """Write a small workbook like UCI's ``Online Retail.xlsx`` with openpyxl."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Online Retail"
    sheet.append(header or ONLINE_RETAIL_HEADER)
    for row in online_retail_rows() if rows is None else rows:
        sheet.append(row)
    workbook.save(path)
    return path


def online_retail_zip(tmp_path: Path) -> bytes:
    """Bytes of a zip holding ``Online Retail.xlsx``, as UCI publishes data set 352."""
    workbook = write_online_retail_xlsx(tmp_path / "source.xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(workbook, "Online Retail.xlsx")
    return buffer.getvalue()


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.routes.get(self.path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep pytest output quiet
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, dict[str, bytes]]]:
    """A web server on 127.0.0.1 (free port) serving ``routes[path]``; 404 for the rest.

    Yields (base_url, routes); tests put bytes into ``routes`` before requesting them.
    """
    routes: ClassVar[dict[str, bytes]] = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", routes
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens, to simulate having no network."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/online+retail.zip"


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module, for the modules that import ``_browser``.

    That import skips a module where playwright-python is absent, and its marks skip it
    where Chromium is; so this fixture only runs where both are present.
    """
    from _browser import chromium

    with chromium() as launched:
        yield launched
