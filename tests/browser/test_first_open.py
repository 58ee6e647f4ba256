# SPDX-License-Identifier: GPL-2.0-or-later
"""A lesson opened before it is run, as a student first sees it.

For every lesson notebook (notebooks/[0-9][0-9]-*.ipynb), with its stored outputs and an
empty trust database (so the notebook is untrusted, as in a fresh clone or on Binder):

- in JupyterLab and in Notebook 7, without running anything: every stored picture
  (each player's first frame with its hint, each ``show()`` diagram) is drawn as a loaded
  image; no "Error displaying widget: model not found", no "Cannot display an untrusted
  SVG", no diagram turned into text (an output whose HTML holds SVG labels), and no
  collapsed cell (a hidden input or output shows as a bar a student can click open);
- in a static HTML render (``nbconvert --to html``, what nbviewer and similar viewers
  show): every player output is a picture and no widget placeholder is left;
- JupyterLab, *File -> Save* (Ctrl+S) on the unchanged notebook rewrites it byte for byte
  (the committed format is the one Jupyter writes).

A screenshot of each lesson's first player as first seen is saved in tests/browser/out/.
"""

from pathlib import Path

import nbformat
import pytest

from .apps import WIDGET_ERROR, WIDGET_VIEW, AppServer, nb7_open, player_outputs, stored_pictures
from .harness import LabPage, copy_root, screenshot

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
ALL = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
LESSONS = [p for p in ALL if not p.name.startswith("00-")]

# every output image of the visible notebook, and whether it has loaded
IMAGES_JS = """(panelSel) => [...document.querySelectorAll(panelSel + ' .jp-OutputArea-output img')]
  .map(img => ({w: img.naturalWidth, h: img.naturalHeight, complete: img.complete,
                mime: img.closest('[data-mime-type]') ?
                      img.closest('[data-mime-type]').getAttribute('data-mime-type') : null}))"""
# text of HTML outputs: a sanitized inline SVG leaves its node labels here
HTML_TEXT_JS = """(panelSel) => [...document.querySelectorAll(panelSel +
  ' .jp-OutputArea-output.jp-RenderedHTMLCommon')].map(e => e.textContent)"""
LAB_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
NB7_PANEL = ".jp-NotebookPanel"


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return copy_root(tmp_path_factory, "first-open", ALL)


@pytest.fixture(scope="module")
def server(browser_tools, root):
    with AppServer(root) as srv:
        yield srv


@pytest.fixture
def page(server, chromium):
    with LabPage.opened(chromium, server) as lab_page:
        yield lab_page


def _check_page(page, panel, nb, name):
    """The stored pictures are drawn and no widget error or garbled SVG is shown."""
    expected = len(stored_pictures(nb))
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel + ' .jp-OutputArea-output img').length >= n",
        arg=[panel, expected], timeout=30_000)
    # images load lazily as they come near the viewport: bring each one in
    imgs = page.locator(f"{panel} .jp-OutputArea-output img")
    for i in range(imgs.count()):
        imgs.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(
        "(sel) => [...document.querySelectorAll(sel + ' .jp-OutputArea-output img')]"
        ".every(i => i.complete && i.naturalWidth > 0)", arg=panel, timeout=30_000)
    images = page.evaluate(IMAGES_JS, panel)
    assert len(images) >= expected, f"{name}: {len(images)} pictures drawn, {expected} stored"
    assert all(im["w"] > 0 for im in images), f"{name}: a picture did not load: {images}"
    body = page.locator(panel).inner_text()
    assert not WIDGET_ERROR.search(body), f"{name}: {WIDGET_ERROR.search(body).group(0)!r}"
    # an untrusted notebook sanitizes HTML: an inline SVG would be left as its labels
    html_svg = [i for i, c in enumerate(nb.cells) for o in c.get("outputs", [])
                if "<svg" in str(o.get("data", {}).get("text/html", ""))]
    assert not html_svg, f"{name}: cells {html_svg} store a diagram as HTML"
    drawn_as_text = page.evaluate(HTML_TEXT_JS, panel)
    assert not [t for t in drawn_as_text if "<svg" in t], f"{name}: SVG source shown as text"
    # a hidden input or output shows as a thin bar a student can click open
    bars = page.locator(f"{panel} .jp-InputPlaceholder, {panel} .jp-OutputPlaceholder").count()
    assert bars == 0, f"{name}: {bars} collapsed cells (bars that open onto hidden code)"
    return images


@pytest.mark.skipif(not ALL, reason="no notebooks")
@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_stored_format_is_what_jupyter_writes(path):
    """The committed file is nbformat's own serialization and holds no widget view or
    widget state (they are meaningless once the kernel that made them is gone)."""
    raw = path.read_text(encoding="utf-8")
    nb = nbformat.reads(raw, as_version=nbformat.NO_CONVERT)
    assert nbformat.writes(nb) + "\n" == raw, f"{path.name} is not in nbformat's own format"
    assert "widgets" not in nb.metadata
    views = [i for i, c in enumerate(nb.cells) for o in c.get("outputs", [])
             if WIDGET_VIEW in o.get("data", {})]
    assert views == [], f"{path.name}: cells {views} store a widget view"
    timed = [i for i, c in enumerate(nb.cells) if "execution" in c.metadata]
    assert timed == [], f"{path.name}: cells {timed} store execution timing"


@pytest.mark.skipif(not LESSONS, reason="no lessons")
@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_players_are_pictures_with_a_hint(path):
    """Every player output stores its first frame as PNG and SVG, and its text says
    to run the cell."""
    nb = nbformat.read(path, as_version=4)
    cells = player_outputs(nb)
    for i in cells:
        for o in nb.cells[i].outputs:
            data = o.get("data", {})
            if "text/plain" in data and "<" in data["text/plain"]:
                assert "image/png" in data and "image/svg+xml" in data, \
                    f"{path.name} cell {i}: player output without a picture: {sorted(data)}"
                assert "Run this cell" in data["text/plain"], f"{path.name} cell {i}: no hint"
                assert "text/html" not in data, \
                    f"{path.name} cell {i}: text/html would win over the picture untrusted"


@pytest.mark.skipif(not ALL, reason="no notebooks")
@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_first_open_in_jupyterlab_then_save_unchanged(page, root, path):
    lab = page
    nb = nbformat.read(path, as_version=4)
    target = root / path.name
    before = target.read_bytes()
    lab.page.goto(f"{lab.server.base}/lab/tree/{path.name}?reset", timeout=90_000)
    lab.page.wait_for_selector(f"{LAB_PANEL} .jp-Notebook .jp-Cell", state="attached",
                               timeout=90_000)
    lab.wait_idle()
    images = _check_page(lab.page, LAB_PANEL, nb, path.name)
    if stored_pictures(nb):
        # untrusted: the PNG is the picture shown (an untrusted SVG is not drawn)
        assert all(im["mime"] == "image/png" for im in images), images
        first = lab.page.locator(f"{LAB_PANEL} .jp-OutputArea-output img").first
        first.scroll_into_view_if_needed()
        area = first.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-child')][1]")
        screenshot(area, f"first-open-lab-{path.stem[:2]}")
    # save the unchanged notebook: Ctrl+S in the notebook (command mode)
    lab.page.locator(f"{LAB_PANEL} .jp-Notebook .jp-Cell").first.click()
    lab.page.keyboard.press("Escape")
    mtime = target.stat().st_mtime_ns
    lab.page.keyboard.press("Control+s")
    for _ in range(100):
        if target.stat().st_mtime_ns != mtime:
            break
        lab.page.wait_for_timeout(100)
    assert target.stat().st_mtime_ns != mtime, "the notebook was not saved"
    lab.page.wait_for_timeout(300)
    after = target.read_bytes()
    if after != before:
        import difflib
        diff = list(difflib.unified_diff(before.decode().splitlines(),
                                         after.decode().splitlines(), lineterm="", n=0))
        pytest.fail(f"{path.name}: saving unchanged rewrote {len(diff)} diff lines:\n"
                    + "\n".join(diff[:30]))


@pytest.mark.skipif(not LESSONS, reason="no lessons")
@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_first_open_in_notebook7(page, path):
    nb = nbformat.read(path, as_version=4)
    nb7_open(page.page, page.server, path.name)
    _check_page(page.page, NB7_PANEL, nb, path.name)
    if stored_pictures(nb):
        first = page.page.locator(f"{NB7_PANEL} .jp-OutputArea-output img").first
        first.scroll_into_view_if_needed()
        screenshot(page.page, f"first-open-nb7-{path.stem[:2]}")


@pytest.mark.skipif(not LESSONS, reason="no lessons")
@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_static_html_render(chromium, tmp_path, path):
    """nbconvert's HTML (what nbviewer serves; GitHub's viewer makes the same choice of
    picture) shows every player as a picture and no widget placeholder."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(path, as_version=4)
    body, _ = HTMLExporter().from_notebook_node(nb)
    html_file = tmp_path / f"{path.stem}.html"
    html_file.write_text(body, encoding="utf-8")
    pg = chromium.new_page()
    try:
        pg.goto(html_file.as_uri())
        players = player_outputs(nb)
        pics = pg.evaluate(
            "() => [...document.querySelectorAll('.jp-OutputArea-output')]"
            ".filter(o => o.querySelector('img, svg')).length")
        assert pics >= len(players), f"{path.name}: {pics} pictures for {len(players)} players"
        text = pg.locator("body").inner_text()
        assert not WIDGET_ERROR.search(text)
        assert WIDGET_VIEW not in body
        if players:
            pg.locator(".jp-OutputArea-output img, .jp-OutputArea-output svg").first \
                .scroll_into_view_if_needed()
            screenshot(pg, f"first-open-html-{path.stem[:2]}")
    finally:
        pg.close()
