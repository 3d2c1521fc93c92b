"""``python -m segmentation.report``: render the report from the warehouse."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from segmentation.report.context import DEFAULT_MAX_EXPLORER_CUSTOMERS
from segmentation.report.data import ReportDataError
from segmentation.report.render import render_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m segmentation.report",
        description="Render the static HTML segmentation report from the DuckDB marts.",
    )
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path("warehouse/segmentation.duckdb"),
        help="DuckDB file built by `make run` (opened read-only; default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("reports/segmentation_report.html"),
        help="HTML file to write (default: %(default)s)",
    )
    parser.add_argument(
        "--max-explorer-customers",
        type=int,
        default=DEFAULT_MAX_EXPLORER_CUSTOMERS,
        help="at most this many customers (the highest spenders) are embedded in the "
        "explorer and the 3D scatter (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        out = render_report(args.warehouse, args.out, args.max_explorer_customers)
    except (ReportDataError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    size = out.stat().st_size / 1_000_000
    print(f"wrote {out} ({size:.1f} MB) in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
