"""Column schemas of the raw transaction file and the checks that guard them.

The raw file comes from outside the project (the UCI download, a user's own export), so the
first thing the pipeline does is look at its header and refuse it early, with a message a
person can act on, rather than let dbt fail later on a missing column deep in a SQL model.
Two published layouts are accepted: UCI "Online Retail" (id 352) and its sequel "Online
Retail II" (id 502), which renamed three columns. The accepted names are the dbt var
``raw_columns`` (dbt_project.yml), the one list that staging reads too.
"""

from __future__ import annotations

import codecs
import gzip
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import duckdb

from segmentation.dbt_vars import project_vars

Aliases = Mapping[str, Sequence[str]]
"""Staged column -> accepted raw names, the Online Retail name first, Online Retail II last."""


def raw_column_aliases() -> dict[str, list[str]]:
    """The accepted raw names of each staged column: the var ``raw_columns``."""
    return project_vars()["raw_columns"]


def published_schemas(aliases: Aliases | None = None) -> dict[str, dict[str, str]]:
    """The two published layouts, staged column -> raw name, to name the layout of a file.

    Online Retail uses the first accepted name of each column and Online Retail II the last.
    """
    aliases = raw_column_aliases() if aliases is None else aliases
    return {
        "online_retail": {column: names[0] for column, names in aliases.items()},
        "online_retail_ii": {column: names[-1] for column, names in aliases.items()},
    }


SUPPORTED_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz", ".parquet", ".xlsx")


class RawFileError(ValueError):
    """The raw transaction file is missing, empty, of an unsupported kind or lacks columns."""


def file_kind(path: str | Path) -> str:
    """Return "csv", "parquet" or "xlsx" from the file name (case-insensitive suffix).

    ``.csv.gz`` counts as "csv": DuckDB reads gzip-compressed CSV transparently.
    """
    name = Path(path).name.lower()
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".xlsx"):
        return "xlsx"
    raise RawFileError(
        f"Raw file {path} has an unsupported type: expected one of "
        f"{', '.join(SUPPORTED_SUFFIXES)} (case-insensitive)."
    )


def check_raw_file(path: str | Path) -> Path:
    """Refuse a path that does not exist, is not a file, is empty or has an unknown suffix."""
    path = Path(path)
    if not path.exists():
        raise RawFileError(f"Raw file {path} does not exist.")
    if not path.is_file():
        raise RawFileError(f"Raw file {path} is not a regular file.")
    file_kind(path)
    if path.stat().st_size == 0:
        raise RawFileError(f"Raw file {path} is empty (0 bytes).")
    return path


def detect_csv_encoding(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """Return "utf-8" if the whole CSV decodes as UTF-8 (BOM allowed), else "latin-1".

    Excel on Windows still saves "CSV" as Windows-1252/latin-1, and a single accented
    Description deep in the file is enough to make a UTF-8 reader fail mid-run. Streaming the
    file once through an incremental decoder tells the caller which ``encoding`` to pass to
    DuckDB's ``read_csv``.
    """
    path = Path(path)
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with opener(path, "rb") as handle:
            while chunk := handle.read(chunk_size):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1"
    except (OSError, EOFError) as error:
        raise RawFileError(f"Raw file {path} cannot be read: {error}") from error
    return "utf-8"


def _clean_name(name: object) -> str:
    """Header cell as text without a BOM; Excel headers may be numbers or empty cells."""
    text = "" if name is None else str(name)
    return text.replace("\ufeff", "")


def _read_csv_header(path: Path) -> list[str]:
    sql = "describe select * from read_csv(?, header = true, all_varchar = true, encoding = ?)"
    last_error: Exception | None = None
    # Try UTF-8 first (DuckDB drops a UTF-8 BOM itself); fall back to latin-1, which accepts
    # any byte sequence, so a Windows-1252 header still yields readable names.
    for encoding in ("utf-8", "latin-1"):
        try:
            rows = duckdb.connect().execute(sql, [str(path), encoding]).fetchall()
        except duckdb.Error as error:
            last_error = error
            continue
        return [_clean_name(row[0]) for row in rows]
    raise RawFileError(f"Raw file {path} cannot be read as CSV: {last_error}")


# DuckDB adds this column when it numbers a Parquet file's rows (staging's line id).
ROW_NUMBER_COLUMN = "file_row_number"


def _read_parquet_header(path: Path) -> list[str]:
    try:
        rows = duckdb.connect().execute("describe select * from read_parquet(?)", [str(path)])
        names = [_clean_name(row[0]) for row in rows.fetchall()]
    except duckdb.Error as error:
        raise RawFileError(f"Raw file {path} cannot be read as Parquet: {error}") from error
    if any(name.strip().lower() == ROW_NUMBER_COLUMN for name in names):
        raise RawFileError(
            f"Raw file {path} has a column named {ROW_NUMBER_COLUMN}, the name DuckDB gives "
            "the row numbers the pipeline reads a Parquet file with; rename or drop that "
            "column."
        )
    return names


def _read_xlsx_header(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        first_row = next(iter(sheet.iter_rows()), None)
    except Exception as error:  # calamine raises its own error types for corrupt workbooks
        raise RawFileError(f"Raw file {path} cannot be read as Excel: {error}") from error
    if not first_row:
        raise RawFileError(f"Raw file {path} has an empty first sheet (no header row).")
    names = [_clean_name(cell) for cell in first_row]
    while names and not names[-1].strip():  # trailing empty cells of a formatted row
        names.pop()
    return names


def read_header(path: str | Path) -> list[str]:
    """Column names of a raw .csv / .csv.gz / .parquet / .xlsx file, in file order.

    CSV and Parquet are described by DuckDB, the engine dbt will read them with, so the names
    seen here are the names the SQL sees. Excel is read with python-calamine (first row of the
    first sheet). A UTF-8 BOM is removed and a latin-1 header is decoded as latin-1.
    """
    path = check_raw_file(path)
    kind = file_kind(path)
    if kind == "csv":
        return _read_csv_header(path)
    if kind == "parquet":
        return _read_parquet_header(path)
    return _read_xlsx_header(path)


def _normalise(name: str) -> str:
    return name.replace("\ufeff", "").strip().casefold()


def _describe_expected(aliases: Aliases) -> str:
    return ", ".join(f"{canonical} ({' | '.join(names)})" for canonical, names in aliases.items())


def match_columns(
    found: Iterable[str],
    aliases: Aliases | None = None,
    path: str | Path | None = None,
) -> dict[str, str]:
    """Map each canonical column to the raw column that carries it.

    Matching ignores case and surrounding whitespace, so " customerid " finds CustomerID;
    aliases are tried in order and extra columns are ignored. A canonical column with no
    match, or one matched by two raw columns that differ only in case or spacing, raises
    RawFileError naming the file, what was expected (with aliases) and what was found.
    """
    aliases = raw_column_aliases() if aliases is None else aliases
    found = list(found)
    where = f"Raw file {path}" if path is not None else "The raw file"
    by_key: dict[str, list[str]] = {}
    for name in found:
        by_key.setdefault(_normalise(name), []).append(name)

    mapping: dict[str, str] = {}
    missing: list[str] = []
    for canonical, names in aliases.items():
        hits = next((by_key[k] for k in map(_normalise, names) if k in by_key), None)
        if hits is None:
            missing.append(f"{canonical} (one of {', '.join(names)})")
        elif len(hits) > 1:
            raise RawFileError(
                f"{where} has ambiguous columns for {canonical}: {', '.join(hits)} "
                "differ only in case or spacing; rename or drop one."
            )
        else:
            mapping[canonical] = hits[0]
    if missing:
        raise RawFileError(
            f"{where} lacks required columns.\n"
            f"  missing:  {'; '.join(missing)}\n"
            f"  expected: {_describe_expected(aliases)}\n"
            f"  found:    {', '.join(found) if found else '(no columns)'}"
        )
    return mapping


def detect_schema(found: Iterable[str], aliases: Aliases | None = None) -> str:
    """Name the published layout of a header: "online_retail" or "online_retail_ii".

    The columns are matched first (a header that matches neither raises RawFileError). The
    layout whose published names agree with more of the matched columns wins; a file that
    mixes both naming styles is called "online_retail", the layout the project was built on.
    """
    aliases = raw_column_aliases() if aliases is None else aliases
    mapping = match_columns(found, aliases)
    layouts = published_schemas(aliases)

    def agreement(schema: str) -> int:
        names = layouts[schema]
        return sum(
            _normalise(raw) == _normalise(names[canonical])
            for canonical, raw in mapping.items()
            if canonical in names
        )

    if agreement("online_retail_ii") > agreement("online_retail"):
        return "online_retail_ii"
    return "online_retail"
