"""The static HTML report: one self-contained file rendered from the marts.

``render_report`` reads the warehouse read-only and writes the page; ``build_context`` is the
pure step from frames to what the template shows, for tests without DuckDB.
"""

from segmentation.report.context import DEFAULT_MAX_EXPLORER_CUSTOMERS, build_context
from segmentation.report.data import ReportDataError, load_tables
from segmentation.report.render import render_html, render_report

__all__ = [
    "DEFAULT_MAX_EXPLORER_CUSTOMERS",
    "ReportDataError",
    "build_context",
    "load_tables",
    "render_html",
    "render_report",
]
