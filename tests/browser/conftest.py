# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures for real-browser tests: a JupyterLab server over a temporary copy of the
notebooks under test, a Voila server, and Debian Chromium through Playwright.

Every test here is marked ``browser`` and skipped, with the reason, when chromium,
playwright or jupyter is missing. A test fails when a page of a browser context made by
``launch_chromium`` raised an uncaught error since the previous test's end (so an error
while a module's fixtures load counts for its first test), unless the error is on the
short allowlist of pageerrors.py (JupyterLab's and Notebook 7's own).
"""

import pytest

from . import harness
from .harness import FIXTURES, LabPage, Server, copy_root, launch_chromium, missing_tools
from .pageerrors import unexpected

_checked = {"upto": 0}


@pytest.fixture(autouse=True)
def no_uncaught_page_errors():
    """Fail the test when a page raised an uncaught error not on the allowlist."""
    yield
    new = harness.PAGE_ERRORS[_checked["upto"]:]
    _checked["upto"] = len(harness.PAGE_ERRORS)
    bad = unexpected(new)
    if bad:
        pytest.fail("uncaught page error(s):\n" + "\n".join(
            f"  {msg}  (page {url})" for url, msg in bad[:10]), pytrace=False)


@pytest.fixture(scope="session")
def browser_tools():
    why = missing_tools(voila=False)
    if why:
        pytest.skip(f"browser tests need: {why}")


@pytest.fixture(scope="module")
def notebook_root(tmp_path_factory):
    """A temporary root directory holding copies of tests/browser/fixtures/*.ipynb."""
    return copy_root(tmp_path_factory, "browser", FIXTURES.glob("*.ipynb"))


@pytest.fixture(scope="module")
def lab_server(browser_tools, notebook_root):
    with Server("lab", notebook_root) as server:
        yield server


@pytest.fixture(scope="module")
def chromium(browser_tools, tmp_path_factory):
    """A Chromium browser context with a fresh user-data-dir."""
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    ctx = launch_chromium(pw, tmp_path_factory.mktemp("chromium-profile"))
    ctx.set_default_timeout(60_000)
    try:
        yield ctx
    finally:
        ctx.close()
        pw.stop()


@pytest.fixture
def lab(lab_server, chromium):
    with LabPage.opened(chromium, lab_server) as lab_page:
        yield lab_page
