"""A folder (or glob) of raw files, one per day or month, and the manifest of the loaded ones.

The files are taken in name order, so that exports named by date (2011-12-09.parquet) line up
in time; a line's id is its position in that concatenation. All files of one folder share a
schema (the same columns, the same kind of file). A daily run loads only the files that came
in since the last run: :func:`plan_load` compares the folder with the manifest of the files
the warehouse holds and says which are new, or why only a full refresh can give the same
warehouse as a rebuild of every file (a late, re-delivered or removed file).
"""

from __future__ import annotations

import glob
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from segmentation.ingest.schema import RawFileError, file_kind

#: How to ask for a rebuild of every file; every refusal of a daily run ends with it.
FULL_REFRESH_HINT = (
    "Run a full refresh: segmentation run --full-refresh (make run DATA=... FULL_REFRESH=1)."
)
_HASH_CHUNK = 1 << 20


class RefreshNeeded(Exception):
    """Only a full rebuild of every file gives the right warehouse; the message says why."""


@dataclass(frozen=True)
class RawFileEntry:
    """One raw file of a folder: where it is, what it was when read, which line ids it has.

    ``first_line_id`` is the id of its first line: 1 plus the rows of the files before it.
    """

    name: str
    path: str
    size_bytes: int
    modified_ns: int
    rows: int
    first_line_id: int
    content_sha256: str | None = None

    @property
    def last_line_id(self) -> int:
        return self.first_line_id + self.rows - 1


def is_folder_data(data: str | Path) -> bool:
    """True for a folder or a glob pattern (``*``, ``?``, ``[``), not for a single file."""
    text = str(data)
    return Path(text).is_dir() or any(char in text for char in "*?[")


def list_raw_files(data: str | Path) -> list[Path]:
    """The raw files of a folder (its .parquet, .csv and .csv.gz files) or a glob, in name
    order. Raises RawFileError when there is none, or when one is Excel (convert it first)."""
    text = str(data)
    if Path(text).is_dir():
        candidates = [path for path in Path(text).iterdir() if path.is_file()]
        candidates = [path for path in candidates if not path.name.startswith(".")]
    else:
        candidates = [Path(name) for name in glob.glob(text) if Path(name).is_file()]
    files = []
    for path in candidates:
        try:
            kind = file_kind(path)
        except RawFileError:
            continue  # a README or checksum file beside the exports is not data
        if kind == "xlsx":
            raise RawFileError(
                f"{path}: Excel files in a folder are not read; convert them to Parquet or CSV "
                "(or pass one workbook as DATA)."
            )
        files.append(path.resolve())
    if not files:
        raise RawFileError(f"No raw file (.parquet, .csv, .csv.gz) in {data}.")
    return sorted(files, key=lambda path: path.name)


def content_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_entries(files: Sequence[Path], rows: Sequence[int]) -> list[RawFileEntry]:
    """The entries of files read in this order, with their row counts: ids run on."""
    entries = []
    first_line_id = 1
    for path, count in zip(files, rows, strict=True):
        stat = path.stat()
        entries.append(
            RawFileEntry(
                name=path.name,
                path=str(path),
                size_bytes=stat.st_size,
                modified_ns=stat.st_mtime_ns,
                rows=count,
                first_line_id=first_line_id,
            )
        )
        first_line_id += count
    return entries


@dataclass(frozen=True)
class LoadPlan:
    """What a run of a folder loads: every file (``new_lines_from`` None) or the new ones."""

    files: tuple[RawFileEntry, ...]
    new_files: tuple[RawFileEntry, ...]
    new_lines_from: int | None

    @property
    def is_daily(self) -> bool:
        return self.new_lines_from is not None


def full_load(files: Sequence[RawFileEntry]) -> LoadPlan:
    """Every file, every line: the line-level tables are rebuilt."""
    return LoadPlan(tuple(files), tuple(files), None)


def plan_load(
    loaded: Sequence[RawFileEntry] | None,
    files: Sequence[RawFileEntry],
    loaded_settings: dict | None = None,
    settings: dict | None = None,
) -> LoadPlan:
    """Compare the folder with the manifest of loaded files (None: no manifest, a full load).

    A daily run appends the files that sort after every loaded one, when the loaded ones are
    all still there, unchanged (size and modification time) and first in name order. Raises
    RefreshNeeded for a removed file, a re-delivered one (same name, other size or time), a
    late one (a new file sorting before a loaded one) and for changed line-level settings
    (``settings``: the vars that decide the lines' outcomes), whose tables would then differ
    from a rebuild.
    """
    if loaded is None:
        return full_load(files)
    by_name = {entry.name: entry for entry in files}
    removed = [entry.name for entry in loaded if entry.name not in by_name]
    if removed:
        raise RefreshNeeded(
            f"{len(removed)} file(s) loaded before are no longer in the data: "
            f"{_names(removed)}. Their lines are in the warehouse. {FULL_REFRESH_HINT}"
        )
    changed = [
        entry.name
        for entry in loaded
        if (by_name[entry.name].size_bytes, by_name[entry.name].modified_ns)
        != (entry.size_bytes, entry.modified_ns)
    ]
    if changed:
        raise RefreshNeeded(
            f"{len(changed)} file(s) loaded before were delivered again (other size or "
            f"modification time): {_names(changed)}. The warehouse holds their old lines. "
            f"{FULL_REFRESH_HINT}"
        )
    loaded_names = [entry.name for entry in loaded]
    if [entry.name for entry in files[: len(loaded)]] != loaded_names:
        late = [entry.name for entry in files[: len(loaded)] if entry.name not in loaded_names]
        raise RefreshNeeded(
            f"{len(late)} new file(s) sort before files loaded before (a late file for an "
            f"earlier period): {_names(late)}. Appending them would number their lines after "
            f"the later files' lines, unlike a rebuild. {FULL_REFRESH_HINT}"
        )
    if (loaded_settings or {}) != (settings or {}):
        differ = sorted(
            name
            for name in {*(loaded_settings or {}), *(settings or {})}
            if (loaded_settings or {}).get(name) != (settings or {}).get(name)
        )
        raise RefreshNeeded(
            f"The settings that decide each line's outcome changed since the lines were "
            f"loaded ({', '.join(differ)}). {FULL_REFRESH_HINT}"
        )
    if any(entry.rows != old.rows for entry, old in zip(files, loaded, strict=False)):
        raise RefreshNeeded(f"A file loaded before has another row count now. {FULL_REFRESH_HINT}")
    new_lines_from = loaded[-1].last_line_id + 1 if loaded else 1
    return LoadPlan(tuple(files), tuple(files[len(loaded) :]), new_lines_from)


#: The manifest: one row per loaded file, in the warehouse the files were loaded into.
MANIFEST_SCHEMA = "ingest"
MANIFEST_TABLE = "loaded_raw_files"
_MANIFEST = f"{MANIFEST_SCHEMA}.{MANIFEST_TABLE}"


def read_manifest(connection) -> tuple[list[RawFileEntry], dict] | None:
    """The loaded files (in line-id order) and the line-level settings they were loaded
    with, from a DuckDB connection to the warehouse; None when it has no manifest."""
    exists = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [MANIFEST_SCHEMA, MANIFEST_TABLE],
    ).fetchone()[0]
    if not exists:
        return None
    rows = connection.execute(
        f"select name, path, size_bytes, modified_ns, rows, first_line_id, content_sha256, "
        f"line_settings from {_MANIFEST} order by first_line_id"
    ).fetchall()
    entries = [RawFileEntry(*row[:7]) for row in rows]
    settings = json.loads(rows[-1][7]) if rows else {}
    return entries, settings


def write_manifest(connection, plan: LoadPlan, settings: dict) -> None:
    """Record the files of ``plan`` as loaded: a full load replaces the manifest, a daily
    one adds the new files (with their content hash, for the record)."""
    connection.execute(f"create schema if not exists {MANIFEST_SCHEMA}")
    if not plan.is_daily:
        connection.execute(f"drop table if exists {_MANIFEST}")
    connection.execute(
        f"create table if not exists {_MANIFEST} (name varchar not null primary key, "
        "path varchar not null, size_bytes bigint not null, modified_ns bigint not null, "
        "rows bigint not null, first_line_id bigint not null, last_line_id bigint not null, "
        "content_sha256 varchar, line_settings varchar not null, "
        "loaded_at timestamp not null default current_timestamp)"
    )
    for entry in plan.new_files:
        connection.execute(
            f"insert into {_MANIFEST} (name, path, size_bytes, modified_ns, rows, "
            "first_line_id, last_line_id, content_sha256, line_settings) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                entry.name,
                entry.path,
                entry.size_bytes,
                entry.modified_ns,
                entry.rows,
                entry.first_line_id,
                entry.last_line_id,
                entry.content_sha256 or content_sha256(entry.path),
                json.dumps(settings, sort_keys=True, default=str),
            ],
        )


def _names(names: Sequence[str], shown: int = 5) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
