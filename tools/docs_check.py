"""Documentation coverage of the dbt project, from target/manifest.json and target/catalog.json.

Every model, seed and source of the project, and every column, must have a description. The
manifest alone cannot tell: a column that a model selects but its yml does not list is
simply absent from it. The catalog (written by `dbt docs generate`) lists the columns that
exist in the warehouse, so the check is the union of both: a column is covered when the yml
gives it a non-blank description, whether or not the warehouse has it yet, and missing when
the warehouse has it and the yml does not describe it.

Descriptions carry example queries (```sql fences) for consumers, and analyses/ holds the
queries they ask first; one that no longer runs is worse than none, so ``--warehouse`` runs
every example and every compiled analysis against a built warehouse.

The static site that `dbt docs generate --static` writes has two template slips of dbt-docs
that make a browser request files that do not exist (an SVG icon href bound before Angular
renders it, and a favicon link left as a webpack `require`); ``repair_static_site`` fixes
both, so the site opens offline without a console error.

A development tool, not part of the runtime package. Command line (make docs-check,
make docs)::

    python tools/docs_check.py coverage [target_dir] [--warehouse file.duckdb]
    python tools/docs_check.py repair-site target/static_index.html

`coverage` prints the coverage and every gap, and exits 1 when anything lacks a description
or an example fails (2 when the artifacts are missing).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from segmentation.atomic import atomic_path

RESOURCE_TYPES = ("model", "seed", "snapshot")
EXAMPLE_SQL = re.compile(r"```sql\s*\n(.*?)```", re.DOTALL)
# (what is wrong, pattern in the generated site, replacement); no pattern matches its own
# replacement, so repairing twice changes nothing
SITE_REPAIRS = (
    (
        "icon href bound before Angular renders it",
        re.compile(r'(?<!ng-attr-)xlink:href="\{\{ getIcon\('),
        'ng-attr-xlink:href="{{ getIcon(',
    ),
    (
        "favicon link left as a webpack require",
        re.compile(
            re.escape(
                """<link rel="shortcut icon" href="${require('./assets/favicons/favicon.ico')}"/>"""
            )
        ),
        '<link rel="icon" href="data:,"/>',
    ),
)


class ArtifactError(Exception):
    """A dbt artifact is missing or unreadable."""


@dataclass(frozen=True)
class Gap:
    """Something that lacks a description: a resource, or one column of it."""

    resource_type: str
    name: str
    column: str | None = None

    def __str__(self) -> str:
        if self.column is None:
            return f"{self.resource_type} {self.name}: no description"
        return f"{self.resource_type} {self.name}: column {self.column} has no description"


@dataclass
class Coverage:
    """Counts of described resources and columns, and the list of gaps."""

    resources: int = 0
    resources_described: int = 0
    columns: int = 0
    columns_described: int = 0
    gaps: list[Gap] = field(default_factory=list)
    # described in yml but absent from the warehouse (renamed or dropped columns)
    stale_columns: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.gaps

    @staticmethod
    def _percent(part: int, whole: int) -> float:
        return 100.0 if whole == 0 else 100.0 * part / whole

    @property
    def resource_percent(self) -> float:
        return self._percent(self.resources_described, self.resources)

    @property
    def column_percent(self) -> float:
        return self._percent(self.columns_described, self.columns)

    def summary(self) -> str:
        return (
            f"documentation coverage: {self.resources_described}/{self.resources} resources "
            f"({self.resource_percent:.1f}%), {self.columns_described}/{self.columns} columns "
            f"({self.column_percent:.1f}%)"
        )


def _described(text: str | None) -> bool:
    return bool(text and text.strip())


def _project_name(manifest: dict) -> str:
    name = manifest.get("metadata", {}).get("project_name")
    if not name:
        raise ArtifactError("manifest.json has no metadata.project_name (dbt older than 1.6?)")
    return name


def _display_name(node: dict) -> str:
    if node.get("resource_type") == "source":
        return f"{node['source_name']}.{node['name']}"
    return node["name"]


def _project_resources(manifest: dict) -> list[dict]:
    project = _project_name(manifest)
    nodes = [
        node
        for node in manifest.get("nodes", {}).values()
        if node.get("package_name") == project and node.get("resource_type") in RESOURCE_TYPES
    ]
    sources = [
        source
        for source in manifest.get("sources", {}).values()
        if source.get("package_name") == project
    ]
    return sorted(nodes + sources, key=lambda node: (node["resource_type"], _display_name(node)))


def _catalog_columns(catalog: dict | None, unique_id: str) -> list[str] | None:
    """Column names the warehouse has for the node, in table order; None if not catalogued."""
    if catalog is None:
        return None
    entry = catalog.get("nodes", {}).get(unique_id) or catalog.get("sources", {}).get(unique_id)
    if entry is None:
        return None
    columns = sorted(entry.get("columns", {}).values(), key=lambda column: column["index"])
    return [column["name"] for column in columns]


def documentation_coverage(manifest: dict, catalog: dict | None = None) -> Coverage:
    """Coverage of descriptions over the project's models, seeds, snapshots and sources.

    Columns are those documented in the yml plus those the catalog finds in the warehouse;
    names compare case-insensitively (warehouses fold case differently). Without a catalog
    only the yml columns are checked, which cannot find undocumented columns.
    """
    coverage = Coverage()
    for node in _project_resources(manifest):
        resource_type, name = node["resource_type"], _display_name(node)
        coverage.resources += 1
        if _described(node.get("description")):
            coverage.resources_described += 1
        else:
            coverage.gaps.append(Gap(resource_type, name))

        documented = {
            column_name.lower(): column.get("description")
            for column_name, column in node.get("columns", {}).items()
        }
        in_warehouse = _catalog_columns(catalog, node["unique_id"])
        names = list(documented) if in_warehouse is None else list(in_warehouse)
        if in_warehouse is not None:
            present = {column.lower() for column in in_warehouse}
            coverage.stale_columns += [
                f"{resource_type} {name}: column {column} is documented but not in the warehouse"
                for column in documented
                if column not in present
            ]
        for column in names:
            coverage.columns += 1
            if _described(documented.get(column.lower())):
                coverage.columns_described += 1
            else:
                coverage.gaps.append(Gap(resource_type, name, column))
    return coverage


def example_queries(manifest: dict) -> list[tuple[str, str]]:
    """(resource name, SQL) for every ```sql example in the project's descriptions."""
    return [
        (f"example query of {_display_name(node)}", query.strip())
        for node in _project_resources(manifest)
        for query in EXAMPLE_SQL.findall(node.get("description") or "")
    ]


def compiled_analyses(manifest: dict) -> list[tuple[str, str]]:
    """(analysis name, compiled SQL) of the project's analyses that `dbt compile` rendered."""
    project = _project_name(manifest)
    return sorted(
        (f"analysis {node['name']}", node["compiled_code"].strip())
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "analysis"
        and node.get("package_name") == project
        and node.get("compiled_code")
    )


def failing_examples(
    manifest: dict, warehouse: Path, queries: list[tuple[str, str]] | None = None
) -> list[str]:
    """Runs queries (default: the examples) read-only on the warehouse; one line per failure."""
    import duckdb

    failures = []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for name, query in example_queries(manifest) if queries is None else queries:
            try:
                connection.execute(query).fetchall()
            except duckdb.Error as error:
                first_line = str(error).splitlines()[0]
                failures.append(f"{name} fails: {first_line}")
    return failures


def load_artifacts(target_dir: Path, require_catalog: bool = True) -> tuple[dict, dict | None]:
    """manifest.json and catalog.json of a dbt target folder (catalog None if allowed absent)."""
    target_dir = Path(target_dir)
    loaded = []
    for name, required in (("manifest.json", True), ("catalog.json", require_catalog)):
        path = target_dir / name
        if not path.is_file():
            if required:
                raise ArtifactError(
                    f"{path} not found: run `dbt docs generate` (make docs-check does) first"
                )
            loaded.append(None)
            continue
        try:
            loaded.append(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as error:
            raise ArtifactError(f"{path} is not valid JSON: {error}") from error
    return loaded[0], loaded[1]


def repair_static_site(path: Path) -> list[str]:
    """Fixes the known template slips in a static dbt docs site in place; returns what it fixed.

    The file is rewritten atomically. A slip that a later dbt-docs no longer has is skipped.
    """
    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"{path} not found: run `dbt docs generate --static` first")
    text = path.read_text(encoding="utf-8")
    fixed = []
    for problem, wrong, right in SITE_REPAIRS:
        text, count = wrong.subn(lambda _match, right=right: right, text)
        if count:
            fixed.append(f"{problem} ({count}x)")
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return fixed


def _repair_command(args: argparse.Namespace) -> int:
    try:
        fixed = repair_static_site(args.site)
    except ArtifactError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{args.site}: repaired {', '.join(fixed) if fixed else 'nothing'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/docs_check.py", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    coverage_parser = commands.add_parser("coverage", help="descriptions of every resource")
    coverage_parser.add_argument("target_dir", nargs="?", default="target", type=Path)
    coverage_parser.add_argument(
        "--no-catalog",
        action="store_true",
        help="check the manifest only (cannot find columns the yml does not list)",
    )
    coverage_parser.add_argument(
        "--warehouse", type=Path, help="DuckDB file to run the example queries against"
    )
    repair = commands.add_parser("repair-site", help="fix dbt-docs slips in static_index.html")
    repair.add_argument("site", type=Path)
    args = parser.parse_args(argv)
    if args.command == "repair-site":
        return _repair_command(args)
    try:
        manifest, catalog = load_artifacts(args.target_dir, require_catalog=not args.no_catalog)
    except ArtifactError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.warehouse is not None and not args.warehouse.is_file():
        print(f"error: warehouse not found: {args.warehouse}", file=sys.stderr)
        return 2
    coverage = documentation_coverage(manifest, catalog)
    for stale in coverage.stale_columns:
        print(f"warning: {stale}")
    for gap in coverage.gaps:
        print(f"missing: {gap}")
    print(coverage.summary())
    failures = []
    if args.warehouse is not None:
        queries = example_queries(manifest) + compiled_analyses(manifest)
        failures = failing_examples(manifest, args.warehouse, queries)
        for failure in failures:
            print(f"failing: {failure}")
        print(
            f"example queries and compiled analyses: {len(queries) - len(failures)}/"
            f"{len(queries)} run against {args.warehouse}"
        )
    return 0 if coverage.complete and not failures else 1


if __name__ == "__main__":
    sys.exit(main())
