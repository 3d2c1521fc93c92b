"""The static dbt docs site in headless Chromium: it loads offline, draws lineage, finds models.

Generates the site as `make docs` does (`dbt docs generate --static`, then the repair of the
dbt-docs template slips), against an empty throw-away warehouse and the small sample file, so
no build is needed. Needs Debian's ``chromium`` at /usr/bin/chromium (installed by .ci/run)
and playwright-python; skipped with the reason when either is absent.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from _browser import BROWSER_MARKS, open_recorded, sync_api
from _dbt import REPO_ROOT, dbt
from docs_check import repair_static_site

SAMPLE = REPO_ROOT / "tests" / "fixtures" / "online_retail_sample.csv"
MODEL_URL = "#!/model/model.customer_segmentation.dim_customer_segments"

pytestmark = [*BROWSER_MARKS, pytest.mark.slow]


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory) -> Path:
    """target/static_index.html of this project, generated into a temporary folder."""
    work = tmp_path_factory.mktemp("docs_site")
    run = dbt("docs generate --static", work, {"raw_data_path": str(SAMPLE)})
    assert run.returncode == 0, run.output[-6000:]
    site = run.target / "static_index.html"
    repair_static_site(site)
    return site


def open_offline(browser, site: Path, fragment: str = ""):
    """A page on the site with network access cut off; records console messages and requests."""
    page, console, requests = open_recorded(browser, site.as_uri() + fragment, offline=True)
    page.wait_for_selector("#search", state="visible", timeout=60_000)
    return page, console, requests


def test_site_loads_offline_without_console_errors(browser, docs_site):
    # given the static site opened from disk without network
    page, console, requests = open_offline(browser, docs_site)
    page.wait_for_selector("text=Customer segmentation for an online retailer", timeout=30_000)
    # then the overview renders, nothing logged an error, and the only request was the file
    errors = [(kind, text) for kind, text in console if kind in ("error", "pageerror")]
    assert errors == []
    assert requests == [docs_site.as_uri()]
    page.context.close()


def test_lineage_graph_renders_the_model_and_its_neighbours(browser, docs_site):
    # given the page of dim_customer_segments
    page, console, _requests = open_offline(browser, docs_site, MODEL_URL)
    # when the lineage graph is opened
    page.click("a[title='View Lineage Graph']")
    page.wait_for_function(
        "document.querySelectorAll('#cy canvas').length > 0 && "
        "angular.element(document.getElementById('cy')).scope().graph.elements.length > 0",
        timeout=30_000,
    )
    labels = page.evaluate(
        "angular.element(document.getElementById('cy')).scope().graph.elements"
        ".filter(e => !e.data.source).map(e => e.data.label)"
    )
    # cytoscape paints on a later animation frame than the one that adds the elements: wait
    # up to 30 s for pixels (a slow machine), then count them
    painted_pixels = """Array.from(document.querySelectorAll('#cy canvas')).map(canvas => {
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
            return pixels.data.filter((value, index) => index % 4 === 3 && value > 0).length;
        }).reduce((a, b) => a + b, 0)"""
    with contextlib.suppress(sync_api.TimeoutError):
        page.wait_for_function(f"({painted_pixels}) > 1000", timeout=30_000, polling=250)
    painted = page.evaluate(painted_pixels)
    # then the graph holds the model, its parent, a mart built on it and the report exposure,
    # and the canvas has pixels drawn on it
    assert {"dim_customer_segments", "int_customers_segmented", "rpt_segment_profiles"} <= set(
        labels
    )
    assert "Customer segmentation report" in labels
    assert painted > 1000
    assert [kind for kind, _text in console if kind in ("error", "pageerror")] == []
    page.context.close()


def test_search_finds_dim_customer_segments(browser, docs_site):
    # given the site
    page, _console, _requests = open_offline(browser, docs_site)
    # when a consumer searches for the segment table
    page.fill("#search", "dim_customer_segments")
    page.wait_for_selector(".search-result", timeout=30_000)
    targets = page.eval_on_selector_all(
        ".search-result", "results => results.map(r => r.getAttribute('href'))"
    )
    # then the model is among the results and opening it shows its page
    assert MODEL_URL in targets
    page.locator(f".search-result[href='{MODEL_URL}']").click()
    page.wait_for_selector("h1:has-text('dim_customer_segments')", timeout=30_000)
    assert "One row per customer" in page.locator("body").inner_text()
    page.context.close()
