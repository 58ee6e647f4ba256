# SPDX-License-Identifier: GPL-2.0-or-later
"""Notebook 7 and JupyterLab on a student's machine: no Graphviz ``dot`` and no Chromium
on the PATH of the server and its kernels.

- Notebook 7 (``/notebooks/``): a lesson runs from a fresh kernel through the menus with
  no error output, and a player steps: *Forward* changes the frame and the diagram,
  drawn in the page by the in-browser Graphviz.
- JupyterLab: lesson 08 runs the same way; its ``show()`` diagrams are drawn in the
  page (there is no ``dot`` to draw them in the kernel) and a player steps.

Screenshots go to tests/browser/out/ (nb7-*, nodot-*).
"""

from pathlib import Path

import pytest

from .apps import AppServer, nb7_restart_run_all, path_without, player_state, step_forward
from .harness import ERROR_SELECTOR, LabPage, copy_root, screenshot

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NB7_LESSON = "05-node-splits.ipynb"
LAB_LESSON = "08-a-real-process.ipynb"
HIDDEN = ("dot", "chromium")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    paths = [NOTEBOOKS / NB7_LESSON, NOTEBOOKS / LAB_LESSON]
    missing = [p.name for p in paths if not p.exists()]
    if missing:
        pytest.skip(f"not built: {missing}")
    return copy_root(tmp_path_factory, "nodot", paths)


@pytest.fixture(scope="module")
def server(browser_tools, root, tmp_path_factory):
    path = path_without(tmp_path_factory.mktemp("path") / "bin", HIDDEN)
    with AppServer(root, path=path) as srv:
        yield srv


@pytest.fixture
def page(server, chromium):
    with LabPage.opened(chromium, server) as lab_page:
        yield lab_page


def _errors(page):
    loc = page.locator(ERROR_SELECTOR)
    return [loc.nth(i).text_content()[:200] for i in range(loc.count())]


def _first_player(page):
    """The first player that can step forward (a predict player may be waiting for an
    answer), laid out and at rest."""
    page.wait_for_function(
        "() => document.querySelector('.mt-player button.mt-forward:not([disabled])')",
        timeout=60_000)
    info = page.evaluate("() => [...document.querySelectorAll('.mt-player')].map("
                         "p => { const b = p.querySelector('button.mt-forward');"
                         " return b ? b.disabled : null; })")
    index = info.index(False)
    player = page.locator(".mt-player").nth(index)
    player.scroll_into_view_if_needed()
    page.wait_for_function(
        "(p) => { const f = p.querySelector('.mt-frame');"
        " return f && f.dataset.state === 'rest' && p.querySelector('.mt-view svg'); }",
        arg=player.element_handle(), timeout=60_000)
    return player


def test_server_path_has_no_dot_or_chromium(server):
    import shutil
    for name in HIDDEN:
        assert shutil.which(name, path=server.path) is None


def test_notebook7_runs_a_lesson_and_a_player_steps(page):
    pg = page.page
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(2):   # a kernel restart may lose the websocket: reload, run again
        pg.goto(f"{page.server.base}/notebooks/{NB7_LESSON}", timeout=90_000)
        pg.wait_for_selector(".jp-Notebook .jp-Cell", state="attached", timeout=90_000)
        try:
            nb7_restart_run_all(pg, timeout=120_000)
            break
        except PlaywrightTimeout:
            screenshot(pg, f"nb7-run-all-timeout-{attempt}")
            if attempt == 1:
                raise
    assert _errors(pg) == []
    player = _first_player(pg)
    before, after = step_forward(pg, player)
    assert after["frame"] != before["frame"]
    assert after["svg"] and after["nodes"], "no diagram drawn after the step"
    assert after["status"] != before["status"], "the status line did not follow the step"
    screenshot(pg, "nb7-player-stepped")


def test_jupyterlab_without_dot_draws_in_the_page(page):
    lab = page
    lab.open_and_run(LAB_LESSON)
    assert lab.errors() == []
    pg = lab.page
    drawn = pg.evaluate(
        "() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
        ".jp-OutputArea-output .mt-view')].map(v => !!v.querySelector('svg g.node'))")
    assert len(drawn) > 0, "no diagram view in the notebook"
    # scrolling each view in lets the lazily laid-out ones draw
    views = pg.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output .mt-view")
    for i in range(views.count()):
        views.nth(i).scroll_into_view_if_needed()
    pg.wait_for_function(
        "() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
        ".jp-OutputArea-output .mt-view')].every(v => v.querySelector('svg g.node'))",
        timeout=60_000)
    shown = pg.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output "
                       ".mt-view:not(.mt-player .mt-view)")
    assert shown.count() > 0, "no show() diagram drawn in the page"
    shown.first.scroll_into_view_if_needed()
    screenshot(pg, "nodot-lab-show")
    player = _first_player(pg)
    before, after = step_forward(pg, player)
    assert after["frame"] != before["frame"] and after["nodes"]
    screenshot(pg, "nodot-lab-player-stepped")
    assert player_state(player)["svg"]
