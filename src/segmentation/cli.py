"""Command line of the project: `segmentation run` is what `make run` calls.

It obtains the raw file (given, local, downloaded or synthetic), hands it to `dbt build` as the
var `raw_data_path`, and renders the report from the marts. Errors the user can fix (a missing
file, a file without the expected columns, another run building the same warehouse) end in one
clear message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from segmentation import publish, run_lock
from segmentation.dbt_runner import PROJECT_DIR, run_dbt_process
from segmentation.dbt_vars import VarError, check_vars, parse_vars, project_vars, raw_data_vars
from segmentation.ingest.folder import is_folder_data

DEFAULT_REPORT = "reports/segmentation_report.html"


class UserError(Exception):
    """A problem the user can fix; printed as one message without a traceback."""


def resolve_data(data: str | None, allow_download: bool = True):
    """The raw file to build from (see segmentation.ingest.resolve_raw_file)."""
    from segmentation.ingest import (
        DownloadError,
        RawFileError,
        require_rows,
        resolve_raw_file,
    )

    try:
        resolved = resolve_raw_file(
            data=data,
            raw_dir=PROJECT_DIR / "data" / "raw",
            aliases=project_vars()["raw_columns"],
            allow_download=allow_download,
        )
        require_rows(resolved.path, resolved.data_rows)
    except (RawFileError, DownloadError) as error:
        raise UserError(str(error)) from error
    print(f"Raw data: {resolved.path} ({resolved.origin}, {resolved.schema} schema)")
    return resolved


#: The vars that decide each line's outcome: a daily run appends new lines to tables built
#: with them, so a change of any of them needs a full refresh (latest_valid_date is checked
#: line by line instead, by int_invoice_lines_classified).
LINE_LEVEL_VARS = (
    "raw_columns",
    "raw_timestamp_formats",
    "reject_duplicates",
    "reject_non_product_stock_codes",
    "implausible_amount_percentile",
    "implausible_amount_factor",
)


def plan_folder_run(data: str, extra_vars: dict, full_refresh: bool) -> tuple[dict, dict]:
    """A folder (or glob) of raw files: the dbt vars and build options of this run.

    The published warehouse's manifest says which files it holds; a daily run loads only
    the new ones (ingest.folder.plan_load), a full refresh every file. A late, re-delivered
    or removed file stops here with a message that asks for a full refresh.
    """
    from segmentation.ingest import RawFileError
    from segmentation.ingest.folder import (
        RefreshNeeded,
        full_load,
        plan_load,
        write_manifest,
    )
    from segmentation.ingest.resolve import resolve_raw_folder

    settings = {name: extra_vars[name] for name in LINE_LEVEL_VARS if name in extra_vars}
    try:
        manifest = None if full_refresh else publish.read_manifest(publish.warehouse_path())
    except publish.BuildFailed as error:
        raise UserError(str(error)) from error
    known = {entry.name: entry for entry in manifest[0]} if manifest else {}
    try:
        resolved = resolve_raw_folder(data, project_vars()["raw_columns"], known)
        plan = (
            plan_load(manifest[0], resolved.files, manifest[1], settings)
            if manifest
            else full_load(resolved.files)
        )
    except (RawFileError, RefreshNeeded) as error:
        raise UserError(str(error)) from error
    if plan.is_daily:
        print(
            f"Raw data: {resolved.path}: {len(plan.new_files)} new file(s) of "
            f"{len(plan.files)} ({sum(entry.rows for entry in plan.new_files):,} new lines); "
            "daily run, the line-level tables append the new lines"
        )
    else:
        print(
            f"Raw data: {resolved.path}: {len(plan.files)} file(s), {resolved.data_rows:,} "
            f"lines ({resolved.schema} schema); full build"
        )
    dbt_vars = {
        **raw_data_vars(resolved),
        "raw_files": [
            {"path": entry.path, "first_line_id": entry.first_line_id} for entry in plan.files
        ],
        **({"raw_new_lines_from": plan.new_lines_from} if plan.is_daily else {}),
        **extra_vars,
    }

    def record_files(building: Path) -> None:
        import duckdb

        with duckdb.connect(str(building)) as connection:
            write_manifest(connection, plan, settings)

    return dbt_vars, {"from_published": plan.is_daily, "before_publish": record_files}


def render_report(out: Path) -> None:
    """Renders the static report from the marts."""
    from segmentation.report import render_report as render

    path = render(publish.warehouse_path(), out)
    print(f"Report: {path}")


def export(warehouse: Path | None, out: Path) -> None:
    """Every mart of the warehouse to Parquet under ``out``."""
    from segmentation.export import ExportError, export_marts

    try:
        for table in export_marts(warehouse or publish.warehouse_path(), out):
            print(f"{table.path} ({table.rows:,} rows)")
    except ExportError as error:
        raise UserError(str(error)) from error


def run(args: argparse.Namespace) -> None:
    """`segmentation run`: check the vars, then, holding the warehouse's run lock, obtain the
    raw file, build, publish and render the report."""
    try:
        extra_vars = check_vars(parse_vars(args.var))
    except VarError as error:
        raise UserError(str(error)) from error
    try:
        lock = run_lock.acquire(publish.warehouse_path(), args.wait, say=_say)
    except run_lock.LockNotTaken as error:
        hint = "" if args.wait else "; to wait for it: --wait SECONDS (make run WAIT=SECONDS)"
        raise UserError(f"{error}{hint}") from error
    with lock:
        if args.data is not None and is_folder_data(args.data):
            dbt_vars, options = plan_folder_run(args.data, extra_vars, args.full_refresh)
        else:
            resolved = resolve_data(args.data, allow_download=not args.no_download)
            dbt_vars, options = {**raw_data_vars(resolved), **extra_vars}, {}
        try:
            published = publish.build_and_publish(dbt_vars, lock, **options)
        except publish.BuildFailed as error:
            raise UserError(str(error)) from error
        print(f"Warehouse: {published}")
        if not args.no_report:
            render_report(args.report)


def run_spark(args: argparse.Namespace) -> None:
    """`segmentation spark`: the SQL marts built on a local Apache Spark from the raw file,
    exported to Parquet (segmentation.spark)."""
    from segmentation import spark

    try:
        extra_vars = check_vars(parse_vars(args.var))
    except VarError as error:
        raise UserError(str(error)) from error
    resolved = resolve_data(args.data, allow_download=not args.no_download)
    if resolved.files:
        raise UserError("`segmentation spark` reads one raw file, not a folder of files.")
    try:
        exported = spark.run(resolved, args.out, extra_vars)
    except spark.SparkRunError as error:
        raise UserError(str(error)) from error
    for mart in exported:
        print(f"{mart.path} ({mart.rows:,} rows)")
    print(spark.PYTHON_MODELS_NOTE)


def _say(message: str) -> None:
    print(message, flush=True)  # before a wait of minutes, not when the buffer fills


def _seconds(text: str) -> float:
    """A non-negative number of seconds (argparse type)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text!r}")
    return seconds


def parser() -> argparse.ArgumentParser:
    """The subcommands and their options."""
    top = argparse.ArgumentParser(prog="segmentation", description=__doc__.splitlines()[0])
    commands = top.add_subparsers(dest="command", required=True)

    run_command = commands.add_parser("run", help="obtain data, dbt build, render the report")
    run_command.add_argument(
        "--data",
        help="raw file (.parquet, .csv, .csv.gz or .xlsx), or a folder or glob of files of "
        "one schema, one per day or month (later runs load only the new files)",
    )
    run_command.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the line-level tables from every file of a folder (a daily run "
        "appends the new files only)",
    )
    run_command.add_argument("--var", action="append", default=[], help="dbt var as name=value")
    run_command.add_argument("--no-download", action="store_true", help="never try the network")
    run_command.add_argument("--no-report", action="store_true")
    run_command.add_argument("--report", default=DEFAULT_REPORT, type=Path)
    run_command.add_argument(
        "--wait",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="when another run builds the same warehouse, wait this long for it (default: "
        "exit with code 2 at once)",
    )

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

    export_command = commands.add_parser(
        "export", help="write every mart to Parquet under exports/"
    )
    export_command.add_argument(
        "--warehouse", type=Path, help="default: DBT_DUCKDB_PATH or warehouse/"
    )
    export_command.add_argument("--out", default=Path("exports"), type=Path)

    spark_command = commands.add_parser(
        "spark", help="build the SQL marts on a local Apache Spark, export them to Parquet"
    )
    spark_command.add_argument("--data", help="raw file: .parquet, .csv, .csv.gz or .xlsx")
    spark_command.add_argument("--var", action="append", default=[], help="dbt var as name=value")
    spark_command.add_argument("--no-download", action="store_true", help="never try the network")
    spark_command.add_argument("--out", default=Path("exports/spark"), type=Path)

    commands.add_parser(
        "dbt",
        help="run dbt on this project with its profile and no tracking: segmentation dbt ARGS",
        add_help=False,
    )
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["dbt"]:
        # passed through untouched: dbt parses its own arguments, --help included
        return run_dbt_process(argv[1:]).returncode
    args = parser().parse_args(argv)
    try:
        if args.command == "prepare":
            print(resolve_data(args.data, allow_download=not args.no_download).path)
        elif args.command == "synthesize":
            from segmentation.ingest.synthetic import generate

            print(generate(args.out, args.lines, args.customers, seed=args.seed))
        elif args.command == "export":
            export(args.warehouse, args.out)
        elif args.command == "report":
            render_report(args.out)
        elif args.command == "spark":
            run_spark(args)
        else:
            run(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
