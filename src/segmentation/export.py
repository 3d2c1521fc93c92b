"""Write every mart of the warehouse to Parquet, for tools that cannot read a DuckDB file.

Spreadsheets, BI tools, a CRM import or pandas elsewhere read Parquet; a DuckDB file can only
be opened by DuckDB, and by one writer at a time. ``export_marts`` opens the warehouse
read-only, so it runs beside other readers, and writes one ``<table>.parquet`` per mart plus
``_manifest.json`` (row counts, columns, source warehouse, time of export).

Each file is written to a temporary name and renamed over the old one, so a reader never sees
half a file. Files of marts that no longer exist are removed (they are listed in the previous
manifest); anything else in the folder is left alone.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from segmentation.atomic import atomic_path
from segmentation.warehouse import (
    WarehouseError,
    connect_read_only,
    quote_literal,
    relation_name,
    table_names,
)

MANIFEST_NAME = "_manifest.json"


class ExportError(WarehouseError):
    """The export cannot run: no warehouse, a locked one, or no mart in it."""


@dataclass(frozen=True)
class ExportedTable:
    """One mart written to Parquet."""

    name: str
    path: Path
    rows: int
    columns: tuple[str, ...]


def _previous_tables(out_dir: Path) -> list[str]:
    manifest = out_dir / MANIFEST_NAME
    if not manifest.is_file():
        return []
    try:
        return list(json.loads(manifest.read_text(encoding="utf-8")).get("tables", {}))
    except (json.JSONDecodeError, AttributeError):
        return []  # a damaged manifest only means stale files are not cleaned up


def export_marts(warehouse: Path, out_dir: Path, schema: str = "marts") -> list[ExportedTable]:
    """Write every table and view of ``schema`` in ``warehouse`` to ``out_dir/<name>.parquet``.

    Raises ExportError when the warehouse is missing or locked, or the schema holds nothing
    (an export without marts would silently hand consumers an empty folder).
    """
    warehouse = Path(warehouse)
    out_dir = Path(out_dir)
    connection = connect_read_only(
        warehouse,
        ExportError,
        missing_hint="Build it first (`make run`), or name it with --warehouse / DBT_DUCKDB_PATH.",
    )
    try:
        tables = table_names(connection, schema)
        if not tables:
            raise ExportError(
                f"no table in schema {schema!r} of {warehouse}: was the build completed "
                "(`make run`)?"
            )
        out_dir.mkdir(parents=True, exist_ok=True)
        exported = []
        for name in tables:
            path = out_dir / f"{name}.parquet"
            relation = relation_name(schema, name)
            with atomic_path(path) as temporary:
                connection.execute(
                    f"copy (select * from {relation}) to {quote_literal(str(temporary))} "
                    "(format parquet, compression zstd)"
                )
            described = connection.execute(f"select * from {relation} limit 0").description
            (rows,) = connection.execute(f"select count(*) from {relation}").fetchone()
            exported.append(
                ExportedTable(name, path, int(rows), tuple(column[0] for column in described))
            )
    finally:
        connection.close()

    for stale in set(_previous_tables(out_dir)) - set(tables):
        (out_dir / f"{stale}.parquet").unlink(missing_ok=True)
    manifest = {
        "warehouse": str(warehouse.resolve()),
        "schema": schema,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tables": {
            table.name: {"file": table.path.name, "rows": table.rows, "columns": table.columns}
            for table in exported
        },
    }
    with atomic_path(out_dir / MANIFEST_NAME) as temporary:
        temporary.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return exported
