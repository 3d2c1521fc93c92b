"""Fetch the UCI "Online Retail" data set (id 352) and turn it into the raw Parquet file.

UCI publishes the data as a zip holding ``Online Retail.xlsx``. The download streams to a
temporary file with a progress bar (the archive is ~23 MB), the workbook is extracted
atomically and converted once with :func:`excel_to_parquet`. Every failure a user can hit
without a bug in this code (no network, proxy page instead of a zip, HTTP 404) surfaces as
:class:`DownloadError` with the URL and the reason, so the caller can fall back cleanly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path

from tqdm.auto import tqdm

from segmentation.atomic import atomic_path
from segmentation.ingest.excel import excel_to_parquet
from segmentation.ingest.schema import RawFileError

UCI_URL = "https://archive.ics.uci.edu/static/public/352/online+retail.zip"
RAW_PARQUET_NAME = "online_retail.parquet"
_CHUNK = 1 << 16


class DownloadError(RuntimeError):
    """The data set could not be downloaded or the archive is not what UCI publishes."""


def _fetch(url: str, target: Path, timeout: float, progress: bool) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "segmentation-ingest"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with (
                target.open("wb") as out,
                tqdm(
                    total=total,
                    unit="B",
                    unit_scale=True,
                    desc="Downloading UCI Online Retail",
                    disable=not progress,
                ) as bar,
            ):
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    bar.update(len(chunk))
    except urllib.error.HTTPError as error:
        reason = f"HTTP {error.code} {error.reason}"
        raise DownloadError(f"Download of {url} failed: {reason}") from error
    except urllib.error.URLError as error:
        raise DownloadError(f"Download of {url} failed: {error.reason}") from error
    except (TimeoutError, OSError) as error:
        raise DownloadError(f"Download of {url} failed: {error}") from error


def _extract_workbook(archive: Path, raw_dir: Path, url: str) -> Path:
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [m for m in bundle.namelist() if m.lower().endswith(".xlsx")]
            if not members:
                raise DownloadError(
                    f"Archive from {url} holds no .xlsx workbook (found: "
                    f"{', '.join(bundle.namelist()) or 'nothing'})."
                )
            # Prefer the published name; otherwise the only workbook there is.
            member = next((m for m in members if Path(m).name == "Online Retail.xlsx"), members[0])
            target = raw_dir / Path(member).name
            with (
                atomic_path(target) as temporary,
                bundle.open(member) as source,
                temporary.open("wb") as out,
            ):
                shutil.copyfileobj(source, out)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise DownloadError(f"Download of {url} is not a valid zip archive: {error}") from error
    return target


def download_uci(
    raw_dir: str | Path,
    url: str = UCI_URL,
    timeout: float = 20,
    progress: bool = True,
) -> Path:
    """Download UCI data set 352 into ``raw_dir`` and return ``raw_dir/online_retail.parquet``.

    Leaves ``raw_dir/Online Retail.xlsx`` beside the Parquet file (the published original,
    handy for audits); the zip itself is not kept. Raises DownloadError on network failure,
    a non-zip response or a workbook that cannot be converted.
    """
    raw_dir = Path(raw_dir)
    raw_dir.mkdir(parents=True, exist_ok=True)
    parquet_path = raw_dir / RAW_PARQUET_NAME
    handle, name = tempfile.mkstemp(prefix=".online_retail.", suffix=".zip.part", dir=raw_dir)
    os.close(handle)
    archive = Path(name)
    try:
        _fetch(url, archive, timeout, progress)
        workbook = _extract_workbook(archive, raw_dir, url)
    finally:
        archive.unlink(missing_ok=True)
    try:
        return excel_to_parquet(workbook, parquet_path, progress=progress)
    except RawFileError as error:
        raise DownloadError(f"Workbook downloaded from {url} is unusable: {error}") from error
