# SPDX-License-Identifier: GPL-2.0-or-later
"""Every lesson notebook in a real browser: JupyterLab 4 and Debian Chromium.

For each notebooks/[0-9][0-9]-*.ipynb (found by glob): open it in JupyterLab, restart
the kernel and run all cells through the menus, then check that every code cell ran,
that no cell shows an error or stderr output, and that no diagram is wider than the
notebook: every SVG (inline, in a player, or an image/svg+xml output) fits inside its
output area and no output area scrolls sideways because of one. A screenshot of the
top of each lesson and of each of its diagrams is saved under tests/browser/out/ for
people to look at.
"""

import json
import re
from pathlib import Path

import pytest

from .harness import OUT, LabPage, Server, copy_root, screenshot

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
MAX_FIGURES = 12          # diagram screenshots kept per lesson
SLACK_PX = 1.5

# Every drawn diagram in the visible notebook: inline <svg> (players, HTML) and the
# <img> of an image/svg+xml output or of show()'s HTML (nested SVGs and small icons are
# not diagrams).
FIGURES = (".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output svg:not(svg svg), "
           ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedSVG img, "
           ".jp-NotebookPanel:not(.lm-mod-hidden) .mt-figure img")
MEASURE_JS = """(el) => {
  const area = el.closest('.jp-OutputArea-output');
  const nb = el.closest('.jp-Notebook');
  return {tag: el.tagName.toLowerCase(), width: el.getBoundingClientRect().width,
          area: area.clientWidth, areaScroll: area.scrollWidth,
          notebook: nb.getBoundingClientRect().width};
}"""


def lesson_id(path):
    return path.stem


@pytest.fixture(scope="module")
def lessons_root(tmp_path_factory):
    """A temporary root holding copies of every lesson notebook."""
    return copy_root(tmp_path_factory, "lessons", LESSONS)


@pytest.fixture(scope="module")
def lessons_server(browser_tools, lessons_root):
    with Server("lab", lessons_root) as server:
        yield server


@pytest.fixture
def lesson_page(lessons_server, chromium):
    with LabPage.opened(chromium, lessons_server) as lab_page:
        yield lab_page


def figures(page):
    """Each diagram scrolled into view (off-screen cells are not laid out) and measured:
    [(locator, measurements)]."""
    loc = page.locator(FIGURES)
    out = []
    for i in range(loc.count()):
        el = loc.nth(i)
        el.scroll_into_view_if_needed()
        m = el.evaluate(MEASURE_JS)
        if m["width"] >= 40:
            out.append((el, m))
    return out


@pytest.mark.skipif(not LESSONS, reason="no notebooks yet")
@pytest.mark.parametrize("path", LESSONS, ids=[lesson_id(p) for p in LESSONS])
def test_lesson_runs_in_jupyterlab(lesson_page, path):
    lab = lesson_page
    page = lab.page
    lab.open_and_run(path.name)
    assert len(page.locator(".jp-NotebookPanel").all()) == 1, "one notebook open"
    assert lab.code_cells_without_count() == [], "cells that did not run"
    prompts = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell "
                           ".jp-InputArea-prompt").all_text_contents()
    numbers = [int(re.search(r"\[(\d+)\]", p).group(1)) for p in prompts]
    # every code cell shows its prompt (no hidden cell): one run, top to bottom
    code = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    assert numbers == list(range(1, len(code) + 1)), f"not one fresh run: {numbers}"
    errors = lab.errors()
    assert errors == [], f"{path.name}: error or stderr outputs: {errors[:3]}"
    for old in OUT.glob(f"lesson-{path.stem[:2]}-*.png"):
        old.unlink()
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first \
        .scroll_into_view_if_needed()
    page.wait_for_timeout(800)            # cells coming into view are laid out lazily
    lab.screenshot(f"lesson-{path.stem[:2]}-top")

    figs = figures(page)
    too_wide = [m for _el, m in figs
                if m["width"] > m["area"] + SLACK_PX or m["areaScroll"] > m["area"] + SLACK_PX
                or m["width"] > m["notebook"] + SLACK_PX]
    for n, (el, _m) in enumerate(figs[:MAX_FIGURES]):
        el.scroll_into_view_if_needed()
        area = el.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-output')][1]")
        screenshot(area, f"lesson-{path.stem[:2]}-fig{n:02d}")
    assert not too_wide, f"{path.name}: diagrams wider than the notebook: {too_wide}"
