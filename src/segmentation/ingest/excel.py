"""Convert the published Excel workbook to Parquet once, keeping every cell's value.

UCI publishes the data set as ``Online Retail.xlsx``. Excel is slow to read and loses types
(invoice numbers come back as floats, empty cells as empty strings), so the pipeline reads it
once with python-calamine (a Rust reader, much faster than openpyxl), writes Parquet beside it
with the types of the reference file, and lets DuckDB read the Parquet from then on.

Faithfulness rule: a cell becomes NULL only when it was empty. If any cell of a typed column
cannot be converted (say "12 pcs" in Quantity), the whole column is written as text instead,
so the value survives and the dbt staging model can flag that row as rejected.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm.auto import tqdm

from segmentation.atomic import atomic_path
from segmentation.ingest.schema import (
    Aliases,
    RawFileError,
    _normalise,
    check_raw_file,
    match_columns,
)


class _Unconvertible(ValueError):
    """A cell that does not fit its column's type."""


def _is_empty(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and cell == "")


def _as_text(cell: object) -> str:
    """Text of a cell as a person would read it: 536365.0 -> "536365", dates in ISO form."""
    if isinstance(cell, float) and math.isfinite(cell) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ")
    return str(cell)


def _as_int(cell: object) -> int:
    if isinstance(cell, bool):
        raise _Unconvertible(cell)
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float) and math.isfinite(cell) and cell.is_integer():
        return int(cell)
    if isinstance(cell, str):
        text = cell.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise _Unconvertible(cell) from None
            return _as_int(number)
    raise _Unconvertible(cell)


def _as_float(cell: object) -> float:
    if isinstance(cell, bool):
        raise _Unconvertible(cell)
    if isinstance(cell, int | float):
        return float(cell)
    if isinstance(cell, str):
        try:
            number = float(cell.strip())
        except ValueError:
            raise _Unconvertible(cell) from None
        if math.isfinite(number):
            return number
    raise _Unconvertible(cell)


def _as_timestamp(cell: object) -> dt.datetime:
    # Excel stores times as fractions of a day; float noise can give 08:25:59.999998, so
    # round to the nearest second (the data set has minute precision).
    if isinstance(cell, dt.datetime):
        return (cell + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    if isinstance(cell, dt.date):
        return dt.datetime(cell.year, cell.month, cell.day)
    if isinstance(cell, str):
        try:
            return dt.datetime.fromisoformat(cell.strip())
        except ValueError:
            raise _Unconvertible(cell) from None
    raise _Unconvertible(cell)


_TYPES: dict[str, tuple[pa.DataType, Callable[[object], object]]] = {
    "invoice_id": (pa.string(), _as_text),
    "stock_code": (pa.string(), _as_text),
    "description": (pa.string(), _as_text),
    "quantity": (pa.int64(), _as_int),
    "invoiced_at": (pa.timestamp("us"), _as_timestamp),
    "unit_price": (pa.float64(), _as_float),
    "customer_id": (pa.int64(), _as_int),
    "country": (pa.string(), _as_text),
}
"""Target type of each canonical column: the types of the reference Parquet file."""


def _column_array(name: str, cells: list, canonical: str | None, source: Path) -> pa.Array:
    """Typed array for one column, or a text array if any non-empty cell does not convert."""
    data_type, convert = _TYPES.get(canonical, (pa.string(), _as_text))
    values: list = []
    for row_number, cell in enumerate(cells, start=2):
        if _is_empty(cell):
            values.append(None)
            continue
        try:
            values.append(convert(cell))
        except _Unconvertible:
            warnings.warn(
                f"{source}: column {name!r} expects {data_type} but row {row_number} holds "
                f"{cell!r}; writing the column as text so no value is lost "
                "(the dbt staging model rejects rows it cannot parse).",
                stacklevel=3,
            )
            return pa.array([None if _is_empty(c) else _as_text(c) for c in cells], pa.string())
    return pa.array(values, data_type)


def _read_workbook(path: Path, progress: bool) -> tuple[list[str], list[list]]:
    """Header and column-wise cells of every sheet that shares the first sheet's header.

    Online Retail II splits its rows over two sheets (one per year) with the same header, so
    those are concatenated; a sheet with another header (notes, pivots) is skipped with a
    warning. Rows whose cells are all empty are formatting residue and carry no value.
    """
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = [workbook.get_sheet_by_index(i) for i in range(len(workbook.sheet_names))]
    except Exception as error:  # calamine has its own error types for corrupt workbooks
        raise RawFileError(f"Raw file {path} cannot be read as Excel: {error}") from error

    header: list[str] | None = None
    columns: list[list] = []
    with tqdm(
        total=sum(sheet.height for sheet in sheets),
        unit="row",
        unit_scale=True,
        desc=f"Converting {path.name}",
        disable=not progress,
    ) as bar:
        for sheet in sheets:
            rows = sheet.iter_rows()
            first = next(rows, None)
            if first is None:
                continue
            names = [_as_text(c).replace("\ufeff", "") if not _is_empty(c) else "" for c in first]
            if header is None:
                header = [n or f"column_{i + 1}" for i, n in enumerate(names)]
                columns = [[] for _ in header]
            elif [_normalise(n) for n in names if n] != [_normalise(n) for n in header if n]:
                warnings.warn(
                    f"{path}: sheet {sheet.name!r} has another header than the first sheet; "
                    "it is not part of the transaction table and was skipped.",
                    stacklevel=2,
                )
                bar.update(sheet.height)
                continue
            bar.update(1)
            width = len(header)
            pending = 0
            for row in rows:
                if any(not _is_empty(c) for c in row):
                    if len(row) > width and any(not _is_empty(c) for c in row[width:]):
                        raise RawFileError(
                            f"Raw file {path}, sheet {sheet.name!r}: a row has values beyond "
                            f"the {width} header columns: {row!r}"
                        )
                    row = list(row[:width]) + [""] * (width - len(row))
                    for column, cell in zip(columns, row, strict=True):
                        column.append(cell)
                pending += 1
                if pending == 10_000:
                    bar.update(pending)
                    pending = 0
            bar.update(pending)
    if header is None:
        raise RawFileError(f"Raw file {path} has no rows in any sheet (no header row).")
    keys = [_normalise(name) for name in header]
    duplicated = sorted({h for h, key in zip(header, keys, strict=True) if keys.count(key) > 1})
    if duplicated:
        raise RawFileError(f"Raw file {path} has duplicated column names: {', '.join(duplicated)}")
    return header, columns


def excel_to_parquet(
    xlsx_path: str | Path,
    parquet_path: str | Path | None = None,
    progress: bool = True,
    aliases: Aliases | None = None,
) -> Path:
    """Convert ``xlsx_path`` to Parquet (default: same name, ``.parquet``) and return its path.

    Skipped when the Parquet file exists and is at least as new as the workbook, so repeated
    ``make run`` calls cost nothing. Column names are kept as in the workbook; the columns
    named in ``aliases`` get the reference types (invoice and stock codes as text, Quantity
    and CustomerID as 64-bit integers, InvoiceDate as a timestamp, UnitPrice as a double).
    The file is written to a temporary name and renamed, so it is complete or absent.
    """
    xlsx_path = check_raw_file(xlsx_path)
    parquet_path = Path(parquet_path) if parquet_path else xlsx_path.with_suffix(".parquet")
    if parquet_path.exists() and parquet_path.stat().st_mtime >= xlsx_path.stat().st_mtime:
        return parquet_path

    header, columns = _read_workbook(xlsx_path, progress)
    mapping = match_columns(header, aliases, xlsx_path)
    canonical_of = {raw: canonical for canonical, raw in mapping.items()}
    table = pa.table(
        {
            name: _column_array(name, cells, canonical_of.get(name), xlsx_path)
            for name, cells in zip(header, columns, strict=True)
        }
    )
    with atomic_path(parquet_path) as temporary:
        pq.write_table(table, temporary)
    return parquet_path
