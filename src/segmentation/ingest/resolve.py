"""Decide which raw transaction file a run uses, and check it before dbt reads it.

Order (first that applies wins):

1. the file the user passed (``make run DATA=...``); an .xlsx is converted to Parquet beside it;
2. ``raw_dir/online_retail.parquet`` from an earlier download;
3. a fresh download of UCI data set 352;
4. a synthetic file of the same shape, announced loudly, so the pipeline still runs offline.

Whatever the origin, the header is matched against the accepted column names, so a wrong
file stops here with a readable message instead of failing inside a SQL model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyarrow.parquet as pq

from segmentation.ingest.download import RAW_PARQUET_NAME, UCI_URL, DownloadError, download_uci
from segmentation.ingest.excel import excel_to_parquet
from segmentation.ingest.folder import (
    RawFileEntry,
    file_entries,
    is_folder_data,
    list_raw_files,
)
from segmentation.ingest.layout import check_layout
from segmentation.ingest.schema import (
    Aliases,
    RawFileError,
    check_raw_file,
    detect_csv_encoding,
    detect_schema,
    file_kind,
    match_columns,
    read_header,
)
from segmentation.ingest.synthetic import generate

SYNTHETIC_NAME = "online_retail_synthetic.parquet"
# Customers per line in the real file, used to size a synthetic stand-in of any length.
_CUSTOMERS_PER_LINE = 4_372 / 541_909

Origin = Literal["given", "local", "downloaded", "synthetic"]


@dataclass(frozen=True)
class ResolvedRawFile:
    """The raw file a run reads, where it came from and how its columns map.

    ``columns`` maps canonical names (invoice_id, ...) to the file's own column names, for
    the dbt staging model. ``encoding`` is the encoding to pass to DuckDB's ``read_csv``
    ("utf-8" or "latin-1"); it is "utf-8" for Parquet. ``delimiter`` is the CSV delimiter the
    structure check found ("," for Parquet) and ``data_rows`` the number of data rows.
    """

    path: Path
    origin: Origin
    schema: str
    columns: dict[str, str]
    encoding: str = field(default="utf-8")
    delimiter: str = field(default=",")
    data_rows: int | None = field(default=None)
    #: A folder of files (ingest.folder): each file, in name order; empty for one file.
    files: tuple[RawFileEntry, ...] = field(default=())


def synthetic_banner(reason: str, path: Path) -> str:
    """A boxed warning that cannot be missed in a scrolling terminal log."""
    lines = [
        "WARNING: RESULTS ARE BASED ON SYNTHETIC DATA",
        "",
        "The real UCI Online Retail data set could not be obtained:",
        f"  {reason}",
        f"A synthetic file of the same shape was generated instead: {path}",
        "Segments, figures and the report describe made-up customers.",
        "Run with DATA=<path to the real file> or with network access for real results.",
    ]
    width = max(len(line) for line in lines)
    border = "#" * (width + 6)
    body = [f"## {line.ljust(width)} ##" for line in lines]
    return "\n".join([border, *body, border])


def _validated(path: Path, origin: Origin, aliases: Aliases | None):
    encoding = detect_csv_encoding(path) if file_kind(path) == "csv" else "utf-8"
    # structure first: on a ragged CSV the header read below would guess the dialect wrong
    layout = check_layout(path, encoding)
    header = read_header(path)
    columns = match_columns(header, aliases, path)
    return ResolvedRawFile(
        path=path,
        origin=origin,
        schema=detect_schema(header, aliases),
        columns=columns,
        encoding=encoding,
        delimiter=layout.delimiter or ",",
        data_rows=layout.data_rows,
    )


def _synthetic(raw_dir: Path, n_lines: int, progress: bool) -> Path:
    """Generate (or reuse, if already there at the requested size) the synthetic file."""
    path = raw_dir / SYNTHETIC_NAME
    if path.exists():
        try:
            if pq.ParquetFile(path).metadata.num_rows == n_lines:
                return path
        except OSError:
            pass  # unreadable leftover: regenerate
    n_customers = max(1, round(n_lines * _CUSTOMERS_PER_LINE))
    return generate(path, n_lines=n_lines, n_customers=n_customers, progress=progress)


def resolve_raw_file(
    data: str | Path | None = None,
    raw_dir: str | Path = "data/raw",
    aliases: Aliases | None = None,
    allow_download: bool = True,
    synthetic_lines: int = 541_909,
    log: Callable[[str], object] = print,
    *,
    url: str = UCI_URL,
    timeout: float = 20,
    progress: bool = True,
) -> ResolvedRawFile:
    """Pick the raw file for this run (see the module docstring) and validate its columns.

    Raises RawFileError for a given file that is missing, empty, of an unsupported type
    (.csv, .csv.gz, .parquet, .xlsx are accepted, any case) or lacks required columns.
    A failed download is not an error: it is logged and a synthetic file is used instead.
    """
    raw_dir = Path(raw_dir)
    if data is not None and is_folder_data(data):
        resolved = resolve_raw_folder(data, aliases)
        log(
            f"Raw files: {len(resolved.files)} in {resolved.path} (schema {resolved.schema}, "
            f"{resolved.data_rows:,} lines)"
        )
        return resolved
    if data is not None:
        path = check_raw_file(data)
        if file_kind(path) == "xlsx":
            log(f"Converting {path} to Parquet (once; reused while the workbook is unchanged)")
            path = excel_to_parquet(path, progress=progress, aliases=aliases)
        resolved = _validated(path, "given", aliases)
    elif (raw_dir / RAW_PARQUET_NAME).exists():
        resolved = _validated(raw_dir / RAW_PARQUET_NAME, "local", aliases)
    else:
        reason = "download disabled (allow_download=False)"
        if allow_download:
            log(f"No raw file in {raw_dir}; downloading the UCI Online Retail data set from {url}")
            try:
                path = download_uci(raw_dir, url=url, timeout=timeout, progress=progress)
                return _validated(path, "downloaded", aliases)
            except DownloadError as error:
                reason = str(error)
                log(f"Download failed: {reason}")
        path = _synthetic(raw_dir, synthetic_lines, progress)
        log(synthetic_banner(reason, path))
        resolved = _validated(path, "synthetic", aliases)
    log(f"Raw file: {resolved.path} ({resolved.origin}, schema {resolved.schema})")
    return resolved


def _file_signature(resolved: ResolvedRawFile) -> tuple:
    """What every file of one folder must share: kind, columns in order, CSV dialect and,
    for Parquet, the column types."""
    kind = file_kind(resolved.path)
    types = str(pq.read_schema(resolved.path)) if kind == "parquet" else None
    header = tuple(read_header(resolved.path))
    return kind, header, resolved.encoding, resolved.delimiter, types


def resolve_raw_folder(
    data: str | Path,
    aliases: Aliases | None = None,
    known: dict[str, RawFileEntry] | None = None,
) -> ResolvedRawFile:
    """A folder or glob of raw files (ingest.folder.list_raw_files), each checked like a
    single file and all of one schema: the same kind, columns (names, order and, for
    Parquet, types) and CSV dialect. ``known``: entries of files loaded before, by name;
    a file with the same size and modification time is not read again (its row count is
    taken from there). Raises RawFileError naming the first file that differs."""
    paths = list_raw_files(data)
    names = [path.name for path in paths]
    if len(set(names)) != len(names):
        raise RawFileError(f"Two raw files of {data} share a name; names must be unique.")
    first = _validated(check_raw_file(paths[0]), "given", aliases)
    signature = _file_signature(first)
    rows = []
    for path in paths:
        entry = (known or {}).get(path.name)
        stat = path.stat()
        if entry and (entry.size_bytes, entry.modified_ns) == (stat.st_size, stat.st_mtime_ns):
            rows.append(entry.rows)
            continue
        resolved = first if path == paths[0] else _validated(check_raw_file(path), "given", aliases)
        if _file_signature(resolved) != signature:
            raise RawFileError(
                f"All files in one DATA must share a schema: {path.name} differs from "
                f"{paths[0].name} (kind, columns {list(signature[1])}, CSV dialect or column "
                "types). Put files of another schema in another folder."
            )
        rows.append(resolved.data_rows or 0)
    entries = file_entries(paths, rows)
    return ResolvedRawFile(
        path=Path(data),
        origin="given",
        schema=first.schema,
        columns=first.columns,
        encoding=first.encoding,
        delimiter=first.delimiter,
        data_rows=sum(rows),
        files=tuple(entries),
    )
