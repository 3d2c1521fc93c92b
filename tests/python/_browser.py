"""Headless Chromium for the browser tests: Debian's chromium driven by playwright-python.

Importing this module skips the importing test module, with the reason, where
playwright-python is not installed; ``BROWSER_MARKS`` skips it where Chromium is absent
(.ci/run installs Debian's ``chromium`` at /usr/bin/chromium).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is absent: install Debian's chromium (`apt-get install chromium`)",
    ),
]
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright-python is not installed in this environment"
)


@contextlib.contextmanager
def chromium() -> Iterator:
    """A launched headless Chromium (conftest's ``browser`` fixture: one per test module)."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            launched.close()


def open_recorded(browser, url: str, *, offline: bool = False):
    """A new page at ``url`` (in a fresh context) and the lists it records as it runs.

    Returns (page, console, requests): console holds (type, text) of every console message
    and uncaught page error, requests every URL the page asked for. ``offline`` cuts the
    context off the network.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 900}, offline=offline)
    page = context.new_page()
    console, requests = [], []
    page.on("console", lambda message: console.append((message.type, message.text)))
    page.on("pageerror", lambda error: console.append(("pageerror", str(error))))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url, wait_until="load")
    return page, console, requests
