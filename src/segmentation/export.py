"""Write every mart of the warehouse to Parquet, for tools that cannot read a DuckDB file.

Spreadsheets, BI tools, a CRM import or pandas elsewhere read Parquet; a DuckDB file can only
be opened by DuckDB, and by one writer at a time. ``export_marts`` opens the warehouse
read-only, so it runs beside other readers, and writes one ``<table>.parquet`` per mart plus
``_manifest.json`` (row counts, columns, source warehouse, time of export).

Each file is written to a temporary name and renamed over the old one, so a reader never sees
half a file. Files of marts that no longer exist are removed (they are listed in the previous
manifest); anything else in the folder is left alone.

Beside the marts, ``export_marts`` writes the campaign audiences: one CSV per segmentation
method (``rule_based`` and every clustering method of dim_customer_segments) and segment,
``audiences/<method>/<segment>.csv``, one row per customer of the segment with the key
predictions of dim_customer_predictions and the control-group flag, most valuable first.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from segmentation.atomic import atomic_path
from segmentation.warehouse import (
    WarehouseError,
    connect_read_only,
    quote_identifier,
    quote_literal,
    relation_name,
    table_names,
)

MANIFEST_NAME = "_manifest.json"
AUDIENCE_DIR = "audiences"
#: The rule-based RFM segments' method name (dim_customers.rfm_segment).
RULE_BASED = "rule_based"
#: dim_customer_segments has one `<method>_segment` column per clustering method.
SEGMENT_SUFFIX = "_segment"
#: The marts an audience is made of, besides the segment tables.
AUDIENCE_MARTS = ("dim_customers", "dim_customer_predictions", "dim_customer_control_group")
#: The columns of every audience file, after customer_id, method and segment.
AUDIENCE_COLUMNS = (
    "churn_risk",
    "p_alive",
    "expected_purchases_365d",
    "predicted_clv_365d",
    "expected_next_purchase_date",
    "is_control_group",
)


class ExportError(WarehouseError):
    """The export cannot run: no warehouse, a locked one, or no mart in it."""


@dataclass(frozen=True)
class ExportedTable:
    """One mart written to Parquet."""

    name: str
    path: Path
    rows: int
    columns: tuple[str, ...]


def _previous(out_dir: Path, key: str) -> list[str]:
    manifest = out_dir / MANIFEST_NAME
    if not manifest.is_file():
        return []
    try:
        return list(json.loads(manifest.read_text(encoding="utf-8")).get(key, {}))
    except (json.JSONDecodeError, AttributeError):
        return []  # a damaged manifest only means stale files are not cleaned up


def audience_file_name(segment: str) -> str:
    """A segment name as a file name: lower case, runs of other characters as one '_'
    ('Low-Value / One-Time Buyers' -> 'low_value_one_time_buyers.csv')."""
    slug = re.sub(r"[^a-z0-9]+", "_", segment.lower()).strip("_")
    return f"{slug or 'unnamed'}.csv"


def _audience_sources(connection, schema: str, tables: list[str]) -> dict[str, str] | str:
    """SQL of each method's (customer_id, segment), by method; or why there is none."""
    missing = [name for name in AUDIENCE_MARTS if name not in tables]
    if missing:
        return f"no audiences: {', '.join(f'{schema}.{name}' for name in missing)} missing"
    sources = {
        RULE_BASED: f"select customer_id, rfm_segment as segment "
        f"from {relation_name(schema, 'dim_customers')}"
    }
    if "dim_customer_segments" in tables:
        segments = relation_name(schema, "dim_customer_segments")
        columns = [
            c[0] for c in connection.execute(f"select * from {segments} limit 0").description
        ]
        for column in columns:
            if column.endswith(SEGMENT_SUFFIX):
                method = column.removesuffix(SEGMENT_SUFFIX)
                sources[method] = (
                    f"select customer_id, {quote_identifier(column)} as segment from {segments}"
                )
    return sources


def export_audiences(connection, schema: str, tables: list[str], out_dir: Path):
    """One CSV per method and segment under ``out_dir/audiences``; returns the files
    written, or the reason none was (a mart missing)."""
    sources = _audience_sources(connection, schema, tables)
    if isinstance(sources, str):
        return sources
    predictions = relation_name(schema, "dim_customer_predictions")
    control = relation_name(schema, "dim_customer_control_group")
    exported = []
    for method, source in sources.items():
        members = f"""
            select
                members.customer_id,
                {quote_literal(method)} as method,
                members.segment,
                {", ".join(f"predictions.{column}" for column in AUDIENCE_COLUMNS[:-1])},
                control.is_control_group
            from ({source}) as members
            left join {predictions} as predictions
                on members.customer_id = predictions.customer_id
            left join {control} as control
                on members.customer_id = control.customer_id
        """
        segments = connection.execute(
            f"select distinct segment from ({source}) where segment is not null order by 1"
        ).fetchall()
        names = [audience_file_name(segment) for (segment,) in segments]
        if len(set(names)) != len(names):
            raise ExportError(f"two {method} segments map to one file name: {segments}")
        for (segment,), name in zip(segments, names, strict=True):
            path = out_dir / AUDIENCE_DIR / method / name
            query = (
                f"select * from ({members}) where segment = {quote_literal(segment)} "
                "order by predicted_clv_365d desc nulls last, customer_id"
            )
            with atomic_path(path) as temporary:
                connection.execute(
                    f"copy ({query}) to {quote_literal(str(temporary))} (format csv, header)"
                )
            (rows,) = connection.execute(f"select count(*) from ({query})").fetchone()
            columns = ("customer_id", "method", "segment", *AUDIENCE_COLUMNS)
            exported.append(
                ExportedTable(f"{AUDIENCE_DIR}/{method}/{name}", path, int(rows), columns)
            )
    return exported


def export_marts(warehouse: Path, out_dir: Path, schema: str = "marts") -> list[ExportedTable]:
    """Write every table and view of ``schema`` in ``warehouse`` to ``out_dir/<name>.parquet``,
    then the audiences (``export_audiences``); returns the marts, then the audience files.

    Raises ExportError when the warehouse is missing or locked, or the schema holds nothing
    (an export without marts would silently hand consumers an empty folder). Without the
    marts audiences need, the manifest says which are missing.
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
        audiences = export_audiences(connection, schema, tables, out_dir)
    finally:
        connection.close()

    for stale in set(_previous(out_dir, "tables")) - set(tables):
        (out_dir / f"{stale}.parquet").unlink(missing_ok=True)
    written = [] if isinstance(audiences, str) else audiences
    for stale in set(_previous(out_dir, "audiences")) - {a.name for a in written}:
        if stale.startswith(f"{AUDIENCE_DIR}/"):
            (out_dir / stale).unlink(missing_ok=True)
    manifest = {
        "warehouse": str(warehouse.resolve()),
        "schema": schema,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tables": {
            table.name: {"file": table.path.name, "rows": table.rows, "columns": table.columns}
            for table in exported
        },
        "audiences": {
            audience.name: {"rows": audience.rows, "columns": audience.columns}
            for audience in written
        },
    }
    if isinstance(audiences, str):
        manifest["audiences_note"] = audiences
    with atomic_path(out_dir / MANIFEST_NAME) as temporary:
        temporary.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return [*exported, *written]
