"""The rendered report in headless Chromium: it draws, fetches nothing and runs no injection.

Needs Debian's ``chromium`` at /usr/bin/chromium (installed by .ci/run) and
playwright-python; skipped with the reason when either is absent (tests/python/_browser.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _browser import BROWSER_MARKS, open_recorded
from test_report_render import synthetic_tables, write_warehouse

from segmentation.report import render_report

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    warehouse = write_warehouse(synthetic_tables(), folder / "segmentation.duckdb")
    return render_report(warehouse, folder / "segmentation_report.html")


@pytest.fixture(scope="module")
def opened(browser, report_file):
    """The report open in a page, with every console message and request recorded."""
    page, console, requests = open_recorded(browser, report_file.as_uri())
    page.wait_for_function(
        "document.querySelectorAll('[data-chart]').length === "
        "document.querySelectorAll('[data-chart].js-plotly-plot').length",
        timeout=60_000,
    )
    yield page, console, requests
    page.context.close()


def test_page_logs_no_console_error(opened):
    # given the report open in Chromium
    _page, console, _requests = opened
    # then nothing was logged as an error (CSP violations and script errors are errors)
    errors = [(kind, text) for kind, text in console if kind in ("error", "pageerror")]
    assert errors == []


def test_page_requests_nothing_but_itself(opened, report_file):
    # given the report open in Chromium
    _page, _console, requests = opened
    # then the only request was for the file itself: no script, font, image or data fetch
    assert requests == [report_file.as_uri()]


def test_every_chart_is_drawn(opened):
    # given the report open in Chromium
    page, _console, _requests = opened
    # when we count chart placeholders and drawn plotly charts
    placeholders = page.locator("[data-chart]").count()
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('[data-chart]'))"
        ".filter(d => d.querySelector('.main-svg')).length"
    )
    # then every placeholder holds a drawn chart, the 3D scatter included
    assert placeholders >= 15
    assert drawn == placeholders
    assert page.locator("[data-chart='rfm_scatter_3d'] .gl-container").count() == 1


def test_injected_markup_never_runs(opened):
    # given countries, descriptions and seed texts carrying <script> and onerror payloads
    page, _console, _requests = opened
    # then neither payload ran, and the text shows as text in the explorer and the playbook
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img").count() == 0
    assert page.get_by_text("<script>window.__pwned=1</script>").count() > 0


def _shown(page) -> tuple[int, str]:
    count = int(page.locator("#explorer-count").get_attribute("data-matches"))
    first = page.locator("#explorer-table tbody tr").first.text_content()
    return count, first


def test_moving_a_slider_changes_the_rows_shown(opened):
    # given the explorer with every customer matching
    page, _console, _requests = opened
    before_count, before_first = _shown(page)
    # when the upper spend slider is moved to the middle
    page.eval_on_selector(
        "#explorer-monetary-max",
        "el => { el.value = 500; el.dispatchEvent(new Event('input', {bubbles: true})); }",
    )
    after_count, after_first = _shown(page)
    # then fewer customers match and the top row (the highest spender) is a different one
    assert after_count < before_count
    assert after_first != before_first
    # and the search box narrows to one customer id
    page.fill("#explorer-search", "12000")
    assert page.locator("#explorer-table tbody tr").count() <= 1


def test_choosing_a_method_lists_its_segments(opened):
    # given the explorer
    page, _console, _requests = opened
    # when the k-means method is chosen
    page.select_option("#explorer-method", label="K-means")
    options = page.locator("#explorer-segment option").all_text_contents()
    # then the segment filter offers the k-means segment names
    assert "Champions" in options and "Low-Value / One-Time Buyers" in options


def test_headline_card_of_a_trillion_fits(browser, tmp_path):
    # given a headline of £1,000,000,000,000 revenue (a runaway line nobody rejected)
    tables = synthetic_tables(attack=False)
    tables["rpt_headline_figures"] = tables["rpt_headline_figures"].assign(
        revenue=1_000_000_000_000.0, average_order_value=1_000_000_000_000.0 / 7
    )
    warehouse = write_warehouse(tables, tmp_path / "segmentation.duckdb")
    report = render_report(warehouse, tmp_path / "segmentation_report.html")
    page, _console, _requests = open_recorded(browser, report.as_uri())
    try:
        for width in (1400, 360):
            # when the page is shown wide and on a phone
            page.set_viewport_size({"width": width, "height": 900})
            cards = page.evaluate(
                """Array.from(document.querySelectorAll('#overview .card')).map(card => {
                    const value = card.querySelector('.value');
                    const box = value.getBoundingClientRect(), outer = card.getBoundingClientRect();
                    return [value.textContent, value.title, value.scrollWidth <= value.clientWidth,
                            box.left >= outer.left && box.right <= outer.right];
                })"""
            )
            # then the figure is abbreviated, exact in its title, and inside its card
            assert cards[0][:2] == ["£1.00T", "£1,000,000,000,000.00"]
            assert cards[3][0] == "£143B"
            assert all(fits and inside for _text, _title, fits, inside in cards), cards
    finally:
        page.context.close()
