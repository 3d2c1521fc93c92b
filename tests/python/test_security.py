"""Data never becomes code: not in SQL (paths, vars), not in the report (HTML, script).

Given one raw file whose texts carry script tags and SQL, stored under a path holding a quote,
braces and a semicolon, when the SQL marts are built from it with a timestamp format var that
tries to close its literal, then the build succeeds, the texts arrive as data, and the report
rendered from that warehouse escapes every value and forbids every network access by its
Content-Security-Policy. In Chromium (when installed) none of the payloads runs. Credentials
for any target other than the embedded DuckDB file come from environment variables only.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from _dbt import REPO_ROOT, SQL_MARTS, dbt

from segmentation.dbt_vars import raw_data_vars
from segmentation.ingest import resolve_raw_file
from segmentation.report import render_report

SCRIPT = "<script>window.__h6_pwned=1</script>"
IMG = '"><img src=x onerror="window.__h6_pwned=2">'
SQL = "x'); drop table marts.dim_customers; --"
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
LINES = [
    f'536365,85123A,"{SCRIPT}",6,2010-12-01 08:26:00,2.55,17850,"{SCRIPT}"',
    f'536366,"{IMG.replace(chr(34), 2 * chr(34))}",HEART,6,2010-12-02 08:26:00,2.55,13047,France',
    f'"{SQL}",85123A,HEART,6,2010-12-03 08:26:00,2.55,12583,"{IMG.replace(chr(34), 2 * chr(34))}"',
    f"536368,85123A,HEART,6,2010-12-04 08:26:00,2.55,{SCRIPT},United Kingdom",
    "536369,85123A,HEART,6,2010-12-05 08:26:00,2.55,12347,United Kingdom",
]


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile")
    folder = work / "o'brien {name} {{ x }}; -- $HOME"
    folder.mkdir()
    raw = folder / "export's.csv"
    raw.write_text("\n".join([HEADER, *LINES]) + "\n", encoding="utf-8")
    resolved = resolve_raw_file(raw, raw_dir=folder, log=lambda _: None, progress=False)
    dbt_vars = {
        **raw_data_vars(resolved),
        "raw_timestamp_formats": ["%m/%d/%Y %H:%M", SQL],
    }
    run = dbt("build", work, dbt_vars, selector=SQL_MARTS)
    assert run.returncode == 0, run.output[-3000:]
    return run


@pytest.fixture(scope="module")
def report(hostile_build) -> Path:
    return render_report(hostile_build.warehouse, hostile_build.warehouse.with_suffix(".html"))


@pytest.mark.slow
def test_quoted_path_and_hostile_vars_build_as_data(hostile_build):
    # then every line was read from the odd path, nothing was dropped, and the SQL in the
    # invoice number and in the timestamp format var is data: the mart it names still exists
    audit = dict(hostile_build.query("select outcome, row_count from marts.rpt_transaction_audit"))
    assert sum(audit.values()) == len(LINES)
    assert audit["valid"] == 4 and audit["unparseable"] == 1
    assert hostile_build.query("select count(*) from marts.dim_customers") == [(4,)]
    texts = hostile_build.query(
        "select invoice_id, stock_code, description, country from marts.fct_invoice_lines "
        "order by invoiced_at"
    )
    assert texts[0][2:] == (SCRIPT, SCRIPT)
    assert texts[1][1] == IMG
    assert texts[2][0] == SQL and texts[2][3] == IMG


@pytest.mark.slow
def test_report_escapes_every_value_and_forbids_the_network(report):
    page = report.read_text(encoding="utf-8")
    # then no payload appears as markup anywhere in the page
    assert "window.__h6_pwned" in page  # the texts are there, as data
    assert SCRIPT not in page
    assert "<img" not in page and 'onerror="window' not in page
    # and inline scripts are only the page's own (JSON data block and code)
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page, flags=re.S)
    assert not any("__h6_pwned=1</" in script for script in scripts)
    csp = html.unescape(
        re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    )
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


@pytest.mark.slow
@pytest.mark.browser
def test_no_payload_runs_in_a_browser(report):
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip(f"{chromium} is absent: install Debian's chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium))
        page = browser.new_page()
        requests = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(report.as_uri(), wait_until="load")
        pwned = page.evaluate("typeof window.__h6_pwned")
        images = page.locator("img").count()
        browser.close()
    assert pwned == "undefined"
    assert images == 0
    assert requests == [report.as_uri()]


SECRET_KEYS = re.compile(
    r"pass|secret|token|key|user|account|host|role|private|auth|credential", re.IGNORECASE
)


def test_credentials_of_other_targets_come_from_environment_variables():
    # given the committed profiles.yml
    profiles = yaml.safe_load((REPO_ROOT / "profiles.yml").read_text(encoding="utf-8"))
    outputs = profiles["customer_segmentation"]["outputs"]
    assert "duckdb" in outputs
    # then the embedded target holds no credential, and every credential-like value of any
    # other target is an env_var() call
    assert not [key for key in outputs["duckdb"] if SECRET_KEYS.search(key)]
    for name, output in outputs.items():
        for key, value in output.items():
            if output.get("method") == "session" and key == "host":
                # dbt-spark requires the field; its session method connects nowhere
                assert value == "localhost", f"{name}.host"
                continue
            if SECRET_KEYS.search(key):
                assert re.fullmatch(r"\{\{\s*env_var\('[A-Z0-9_]+'\)\s*\}\}", str(value)), (
                    f"{name}.{key} must be read from an environment variable"
                )
