"""Render the report context into one self-contained HTML file.

The page must open from an e-mail attachment with no network at all, so plotly.js and the
page's own script and style are inlined once, data goes in as JSON inside
``<script type="application/json">`` with ``<``, ``>`` and ``&`` escaped (it is never parsed
as HTML), and a Content-Security-Policy forbids every fetch and allows only the page's own
scripts, by hash. The template autoescapes, so text from the data that lands in HTML tables is
escaped too.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import jinja2
import plotly.io as pio
from plotly.offline import get_plotlyjs

from segmentation.atomic import atomic_path
from segmentation.report.context import DEFAULT_MAX_EXPLORER_CUSTOMERS, build_context
from segmentation.report.data import load_tables
from segmentation.report.numbers import compact

PACKAGE = "segmentation.report"
DASH = "\u2013"  # shown for a missing value


def _asset(name: str) -> str:
    return resources.files(PACKAGE).joinpath("assets", name).read_text(encoding="utf-8")


def script_json(text: str) -> str:
    """Make JSON text safe inside a <script> element: no ``<``, ``>`` or ``&`` survive.

    In JSON these characters only occur inside strings, where ``\\u003c`` means the same, so
    the data is unchanged for ``JSON.parse`` but can never close the element or open a tag.
    """
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot put {type(value).__name__} into the report's JSON")


def page_payload(context: dict) -> str:
    """The JSON the page script reads: every chart and the explorer's data."""
    charts = ",".join(
        json.dumps(chart_id) + ":" + pio.to_json(figure, validate=False, pretty=False)
        for chart_id, figure in context["figures"].items()
    )
    explorer = json.dumps(
        context["explorer"], default=_default, allow_nan=False, separators=(",", ":")
    )
    return script_json('{"charts":{' + charts + '},"explorer":' + explorer + "}")


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader(PACKAGE, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["money"] = lambda v: DASH if v is None else f"£{v:,.0f}"
    environment.filters["money2"] = lambda v: DASH if v is None else f"£{v:,.2f}"
    environment.filters["count"] = lambda v: DASH if v is None else f"{int(v):,}"
    environment.filters["pct"] = lambda v, d=1: DASH if v is None else f"{v:.{d}%}"
    environment.filters["num"] = lambda v, d=1: DASH if v is None else f"{v:,.{d}f}"
    # headline cards: abbreviated at any magnitude (the exact figure is the title)
    environment.filters["money_short"] = lambda v, d=0: compact(v, "£", d) or DASH
    environment.filters["count_short"] = lambda v: compact(v) or DASH
    return environment


def render_html(context: dict) -> str:
    """The whole page as a string."""
    plotly_js = get_plotlyjs()
    page_js = _asset("report.js")
    for name, script in (("plotly.js", plotly_js), ("report.js", page_js)):
        if "</script" in script.lower():
            raise ValueError(f"{name} contains '</script' and cannot be inlined")
    csp = "; ".join(
        [
            "default-src 'none'",
            # Only the two inline scripts of this page run: injected markup cannot add one.
            f"script-src {_sha256(plotly_js)} {_sha256(page_js)}",
            "style-src 'unsafe-inline'",
            "img-src data: blob:",
            "font-src 'none'",
            "connect-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    template = _environment().get_template("report.html.j2")
    return template.render(
        **context,
        csp=csp,
        css=_asset("report.css"),
        plotly_js=plotly_js,
        page_js=page_js,
        payload=page_payload(context),
    )


def render_report(
    warehouse_path: str | Path,
    out_path: str | Path,
    max_explorer_customers: int = DEFAULT_MAX_EXPLORER_CUSTOMERS,
) -> Path:
    """Read the marts read-only from ``warehouse_path`` and write the report to ``out_path``.

    The file is written next to its destination and renamed into place, so a reader never
    sees half a report.
    """
    tables = load_tables(warehouse_path)
    context = build_context(tables, max_explorer_customers=max_explorer_customers)
    context["warehouse_name"] = Path(warehouse_path).name
    html = render_html(context)
    out = Path(out_path)
    with atomic_path(out) as temporary:
        temporary.write_text(html, encoding="utf-8")
    return out
