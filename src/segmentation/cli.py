"""Command line of the project: `segmentation run` is what `make run` calls.

It obtains the raw file (given, local, downloaded or synthetic), hands it to `dbt build` as the
var `raw_data_path`, and renders the report from the marts. Errors the user can fix (a missing
file, a file without the expected columns) end in one clear message and exit code 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_WAREHOUSE = "warehouse/segmentation.duckdb"
DEFAULT_REPORT = "reports/segmentation_report.html"


class UserError(Exception):
    """A problem the user can fix; printed as one message without a traceback."""


def project_vars(project_dir: Path = PROJECT_DIR) -> dict:
    """The `vars:` block of dbt_project.yml (the single place where defaults live)."""
    with open(project_dir / "dbt_project.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle).get("vars", {})


def warehouse_path() -> Path:
    """The DuckDB file dbt writes, as profiles.yml resolves it."""
    return Path(os.environ.get("DBT_DUCKDB_PATH", DEFAULT_WAREHOUSE))


def dbt_environment() -> dict[str, str]:
    """Environment for dbt: project-local profile, no usage tracking (no network attempts)."""
    env = dict(os.environ)
    env.setdefault("DBT_PROFILES_DIR", str(PROJECT_DIR))
    env.setdefault("DBT_PROJECT_DIR", str(PROJECT_DIR))
    env["DO_NOT_TRACK"] = "1"
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return env


def dbt_executable() -> str:
    """dbt from the same environment as this interpreter, so the pinned version runs."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def run_dbt(command: str, dbt_vars: dict, warehouse: Path, extra: list[str] | None = None) -> None:
    """Runs one dbt command with the given vars; a failure is a UserError naming the command."""
    args = [dbt_executable(), command, "--vars", json.dumps(dbt_vars), *(extra or [])]
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    env = {**dbt_environment(), "DBT_DUCKDB_PATH": str(warehouse)}
    completed = subprocess.run(args, cwd=PROJECT_DIR, env=env, check=False)
    if completed.returncode != 0:
        raise UserError(
            f"`dbt {command}` failed (exit code {completed.returncode}); its log above says "
            "which model or test, and target/run_results.json holds the details."
        )


def build_and_publish(dbt_vars: dict) -> Path:
    """`dbt build` into a side file, then rename it over the warehouse in one step.

    Readers holding the published file (read-only connections, the report) keep a complete,
    consistent warehouse while a build runs, and a build that fails or is killed leaves the
    previous warehouse as it was; the next run starts its side file afresh.
    """
    published = warehouse_path()
    building = published.with_name(f".{published.stem}.building{published.suffix}")
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    try:
        run_dbt("build", dbt_vars, building)
    except UserError as error:
        explanation = explain_failed_build(building, dbt_vars)
        if explanation:
            raise UserError(
                f"{explanation}\n{error} The published warehouse is unchanged."
            ) from error
        raise UserError(f"{error} The published warehouse is unchanged.") from error
    import duckdb

    with duckdb.connect(str(building)) as connection:
        connection.execute("checkpoint")  # everything in the file, no write-ahead log left
    # a log beside the published file belongs to the old file and must not be replayed
    published.with_name(published.name + ".wal").unlink(missing_ok=True)
    os.replace(building, published)
    print(f"Warehouse: {published}")
    return published


def explain_failed_build(building: Path, dbt_vars: dict) -> str | None:
    """Why a build failed, in the data's terms, when the data leaves nothing to segment.

    A file whose lines are all rejected (only cancellations, say) or an as-of date before
    every purchase makes the RFM thresholds empty and a dbt test fail with a message about
    percentiles. The side file still holds the classified lines, so this says instead how
    many lines got which outcome, or where the purchases lie against the as-of date.
    Returns None when the failure lies elsewhere (the dbt log above then says what failed).
    """
    if not building.exists():
        return None
    import duckdb

    try:
        with duckdb.connect(str(building), read_only=True) as connection:
            outcomes = connection.execute(
                "select outcome, count(*) from intermediate.int_invoice_lines_classified "
                "group by outcome order by count(*) desc, outcome"
            ).fetchall()
            first, last = connection.execute(
                "select min(invoiced_at), max(invoiced_at) "
                "from intermediate.int_invoice_lines_classified where outcome = 'valid'"
            ).fetchone()
            try:
                customers, profiles = connection.execute(
                    "select count(*), count(distinct (recency_days, frequency, monetary)) "
                    "from marts.dim_customers"
                ).fetchone()
            except duckdb.Error:
                customers = profiles = None  # the RFM marts were not built
    except duckdb.Error:
        return None  # the build stopped before the lines were classified
    raw_file = dbt_vars.get("raw_data_path", "the raw file")
    counts = ", ".join(f"{outcome} {count:,}" for outcome, count in outcomes)
    if first is None:
        return (
            f"No valid purchase line in {raw_file}: every line was rejected ({counts}), so "
            "there is no customer to segment. Expected at least one line with a customer, a "
            "positive quantity and price and an invoice number not starting with C or A."
        )
    as_of = dbt_vars.get("rfm_as_of_date")
    if as_of and dt.date.fromisoformat(str(as_of)) <= first.date():
        return (
            f"rfm_as_of_date {as_of} is on or before the first valid purchase in {raw_file} "
            f"({first:%Y-%m-%d}; the last is {last:%Y-%m-%d}), so no customer has a purchase "
            "to measure. Expected an as-of date after the first purchase, or none (the day "
            "after the last purchase)."
        )
    # fewer distinct customers than k lowers k (rpt_cluster_model_selection.selection_note);
    # below 3 distinct customers there is nothing to cluster at all
    if customers and profiles is not None and profiles < 3:
        return (
            f"Only {customers} customer(s) with {profiles} distinct RFM profile(s) in "
            f"{raw_file}: clustering needs at least 3 customers whose recency, frequency "
            "and monetary value are not all alike. Give more data."
        )
    return None


def check_vars(dbt_vars: dict) -> dict:
    """Refuse var values that are not what the models expect, before dbt renders them.

    ``rfm_as_of_date`` lands in SQL as a date literal, so it must be an ISO date; anything
    else (a typo, or text trying to close the literal) stops here with a message.
    """
    as_of = dbt_vars.get("rfm_as_of_date")
    if as_of is not None:
        if isinstance(as_of, dt.datetime):
            as_of = as_of.date()
        try:
            parsed = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
        except ValueError:
            raise UserError(
                f"rfm_as_of_date must be a date written YYYY-MM-DD (or null), got {as_of!r}."
            ) from None
        dbt_vars = {**dbt_vars, "rfm_as_of_date": parsed.isoformat()}
    return dbt_vars


def resolve_data(data: str | None, allow_download: bool = True):
    """The raw file to build from (see segmentation.ingest.resolve_raw_file)."""
    from segmentation.ingest import (
        DownloadError,
        RawFileError,
        require_rows,
        resolve_raw_file,
    )

    aliases = project_vars()["raw_columns"]
    try:
        resolved = resolve_raw_file(
            data=data,
            raw_dir=PROJECT_DIR / "data" / "raw",
            aliases=aliases,
            allow_download=allow_download,
        )
        require_rows(resolved.path, resolved.data_rows)
    except (RawFileError, DownloadError) as error:
        raise UserError(str(error)) from error
    print(f"Raw data: {resolved.path} ({resolved.origin}, {resolved.schema} schema)")
    return resolved


def raw_data_vars(resolved) -> dict:
    """The dbt vars that point the source at the resolved file."""
    return {
        "raw_data_path": str(Path(resolved.path).resolve()),
        "raw_csv_encoding": resolved.encoding,
        "raw_csv_delimiter": resolved.delimiter,
    }


def render_report(out: Path) -> None:
    """Renders the static report from the marts, if the report package is present."""
    from segmentation.report import render_report as render

    path = render(warehouse_path(), out)
    print(f"Report: {path}")


def parse_vars(pairs: list[str]) -> dict:
    """`--var name=value` pairs; values are parsed as YAML (so `true`, `4`, `auto` work)."""
    parsed = {}
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not name:
            raise UserError(f"--var expects name=value, got {pair!r}")
        try:
            parsed[name.strip()] = yaml.safe_load(value)
        except (yaml.YAMLError, ValueError):
            # YAML cannot read it (say 2011-13-45, a date-shaped impossible date): keep the
            # text, and let check_vars or dbt say what the var expects
            parsed[name.strip()] = value
    return parsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="segmentation", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="obtain data, dbt build, render the report")
    run.add_argument("--data", help="raw file: .parquet, .csv, .csv.gz or .xlsx")
    run.add_argument("--var", action="append", default=[], help="dbt var as name=value")
    run.add_argument("--no-download", action="store_true", help="never try the network")
    run.add_argument("--no-report", action="store_true")
    run.add_argument("--report", default=DEFAULT_REPORT, type=Path)

    prepare = commands.add_parser("prepare", help="obtain and check the raw file, print it")
    prepare.add_argument("--data")
    prepare.add_argument("--no-download", action="store_true")

    report = commands.add_parser("report", help="render the report from the marts")
    report.add_argument("--out", default=DEFAULT_REPORT, type=Path)

    synthesize = commands.add_parser("synthesize", help="write a synthetic raw file")
    synthesize.add_argument("--out", required=True, type=Path)
    synthesize.add_argument("--lines", type=int, default=541_909)
    synthesize.add_argument("--customers", type=int, default=4_372)
    synthesize.add_argument("--seed", type=int, default=42)

    export = commands.add_parser("export", help="write every mart to Parquet under exports/")
    export.add_argument("--warehouse", type=Path, help="default: DBT_DUCKDB_PATH or warehouse/")
    export.add_argument("--out", default=Path("exports"), type=Path)

    args = parser.parse_args(argv)
    try:
        if args.command == "prepare":
            print(resolve_data(args.data, allow_download=not args.no_download).path)
        elif args.command == "synthesize":
            from segmentation.ingest.synthetic import generate

            print(generate(args.out, args.lines, args.customers, seed=args.seed))
        elif args.command == "export":
            from segmentation.export import ExportError, export_marts

            try:
                for table in export_marts(args.warehouse or warehouse_path(), args.out):
                    print(f"{table.path} ({table.rows:,} rows)")
            except ExportError as error:
                raise UserError(str(error)) from error
        elif args.command == "report":
            render_report(args.out)
        else:
            extra_vars = check_vars(parse_vars(args.var))
            resolved = resolve_data(args.data, allow_download=not args.no_download)
            build_and_publish({**raw_data_vars(resolved), **extra_vars})
            if not args.no_report:
                render_report(args.report)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
