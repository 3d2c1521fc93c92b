"""Reading the published warehouse from Python: opening it read-only, quoting names in SQL.

Shared by the report (segmentation.report.data) and the exports (segmentation.export), so
that both say the same thing when the warehouse is missing or held by a writer.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


class WarehouseError(RuntimeError):
    """The warehouse cannot be read as asked; the message says what to do."""


def quote_identifier(name: str) -> str:
    """A SQL identifier in double quotes, with any double quote inside doubled."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A SQL string literal in single quotes, with any single quote inside doubled."""
    return "'" + text.replace("'", "''") + "'"


def relation_name(schema: str, name: str) -> str:
    """``"schema"."name"``: a table or view of the warehouse, quoted for SQL."""
    return f"{quote_identifier(schema)}.{quote_identifier(name)}"


def table_names(connection: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    """The tables and views of ``schema``, by name."""
    rows = connection.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? order by table_name",
        [schema],
    ).fetchall()
    return [name for (name,) in rows]


def connect_read_only(
    path: Path, error: type[WarehouseError], *, missing_hint: str
) -> duckdb.DuckDBPyConnection:
    """A read-only DuckDB connection to the warehouse at ``path``.

    Raises ``error`` with a message a person can act on: the file is absent (``missing_hint``
    says how to build or name it), or a process holds it for writing.
    """
    if not path.is_file():
        raise error(f"warehouse not found: {path}. {missing_hint}")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as cause:
        raise error(
            f"cannot open the warehouse {path} read-only ({cause}). A process holds it for "
            "writing; wait for it to finish."
        ) from cause
