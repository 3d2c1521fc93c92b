"""Check the structure of a raw file before dbt reads it: delimiter, field counts, rows.

DuckDB's CSV sniffer guesses the dialect from a sample. On a small or ragged file it can guess
wrong (a data line taken for the header, one column instead of eight), and a line with one
field too many stops ``read_csv`` deep inside ``dbt build`` with an engine error. Scanning the
file once here, with Python's csv module and the same dialect that the dbt source is then
told to use (var ``raw_csv_delimiter``, ``"`` quotes doubled inside values), turns those
cases into one message naming the file, the line and what was expected, and tells a file
with a header but no data apart from a real export.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from segmentation.ingest.schema import RawFileError, file_kind

CSV_DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
"""Delimiters a raw CSV may use; comma first (UCI and the Kaggle copy), then Excel's others."""

_SHOWN_LINE_CHARS = 120


@dataclass(frozen=True)
class RawFileLayout:
    """What the structure scan found: the CSV delimiter (None for Parquet) and data rows."""

    delimiter: str | None
    data_rows: int


def _open_text(path: Path, encoding: str) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")  # noqa: SIM115
    # newline="" lets the csv module see newlines inside quoted values; utf-8-sig drops a BOM
    codec = "utf-8-sig" if encoding.replace("_", "-").lower() in ("utf-8", "utf8") else encoding
    return io.TextIOWrapper(raw, encoding=codec, newline="")


def _field_count(line: str, delimiter: str) -> int:
    return len(next(csv.reader([line], delimiter=delimiter), []))


def detect_csv_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line into the most fields (comma on a tie)."""
    return max(CSV_DELIMITERS, key=lambda d: (_field_count(header_line, d), d == ","))


def _shown(row: list[str], delimiter: str) -> str:
    text = delimiter.join(row)
    return text if len(text) <= _SHOWN_LINE_CHARS else text[:_SHOWN_LINE_CHARS] + "…"


def check_csv_layout(path: str | Path, encoding: str = "utf-8") -> RawFileLayout:
    """Scan a CSV once: detect its delimiter, require every line to have the header's width.

    Blank lines are skipped (DuckDB skips them too; they hold no value). Raises RawFileError
    naming the file, the first malformed line, the expected and the found field count and how
    many lines are malformed in all. A header without data rows is a valid layout (0 rows);
    :func:`require_rows` refuses it where a build needs data.
    """
    path = Path(path)
    try:
        with _open_text(path, encoding) as handle:
            header_line = handle.readline()
            if not header_line.strip():
                raise RawFileError(f"Raw file {path} has no header line (its first line is empty).")
            delimiter = detect_csv_delimiter(header_line)
            handle.seek(0)
            reader = csv.reader(handle, delimiter=delimiter, quotechar='"', strict=True)
            header = next(reader)
            width = len(header)
            data_rows = 0
            malformed: list[tuple[int, list[str]]] = []
            record_start = reader.line_num + 1
            try:
                for row in reader:
                    if row and len(row) != width:
                        malformed.append((record_start, row))
                    data_rows += bool(row)
                    record_start = reader.line_num + 1
            except csv.Error as error:
                raise RawFileError(
                    f"Raw file {path}, line {record_start}: cannot be parsed as CSV "
                    f'({error}); values holding the delimiter or a newline must be quoted with ", '
                    'and a " inside a quoted value doubled ("").'
                ) from error
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise RawFileError(f"Raw file {path} cannot be read as {encoding} CSV: {error}") from error
    if malformed:
        line, row = malformed[0]
        others = len(malformed) - 1
        raise RawFileError(
            f"Raw file {path}, line {line}: expected {width} fields separated by "
            f"{delimiter!r} (as in the header: {', '.join(header)}) but found {len(row)}: "
            f"{_shown(row, delimiter)!r}"
            + (f"; {others} more line(s) are malformed as well." if others else ".")
            + " Quote values that contain the delimiter."
        )
    return RawFileLayout(delimiter=delimiter, data_rows=data_rows)


def check_layout(path: str | Path, encoding: str = "utf-8") -> RawFileLayout:
    """Structure check for any raw file dbt reads: a CSV is scanned, Parquet's rows counted."""
    path = Path(path)
    if file_kind(path) == "csv":
        return check_csv_layout(path, encoding)
    try:
        rows = pq.ParquetFile(path).metadata.num_rows
    except Exception as error:  # pyarrow raises several error types for a broken footer
        raise RawFileError(f"Raw file {path} cannot be read as Parquet: {error}") from error
    return RawFileLayout(delimiter=None, data_rows=rows)


def require_rows(path: str | Path, data_rows: int | None) -> None:
    """Refuse a raw file that has a header but no data rows: there is nothing to build from."""
    if data_rows == 0:
        raise RawFileError(
            f"Raw file {path} has a header but no data rows; expected at least one invoice line."
        )
