# SPDX-License-Identifier: GPL-2.0-or-later
"""Every player of every lesson is readable at a glance: JupyterLab 4, Debian Chromium,
a 1400 x 900 window at 100 % zoom.

For each notebooks/[0-9][0-9]-*.ipynb (found by glob): run it from a fresh kernel, then
for every player (Player, PredictPlayer, SideBySide, the Explorer's player) go to its
first and its last step (a PredictPlayer may stop before a question) and measure, in the
page, the smallest diagram text on screen: the font size of each SVG ``<text>`` times the
scale the SVG is drawn at. It must be at least 11 px, with no horizontal scrolling and
every drawn node inside the view; in presenter mode at least 16 px. Numbers go to
tests/browser/out/readability.json, pictures of the first players to out/read-*.png.
One JupyterLab server for the module.
"""

import json
from pathlib import Path

import pytest

from .harness import (
    OUT,
    SVG_MIN_TEXT_PX,
    LabPage,
    Server,
    copy_root,
    launch_chromium,
    screenshot,
)

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
MIN_PX = 11.0
PRESENTER_PX = 16.0
SLACK_PX = 1.5
PLAYERS = (".jp-NotebookPanel:not(.lm-mod-hidden) .mt-player, "
           ".jp-NotebookPanel:not(.lm-mod-hidden) .mt-sidebyside")

# Per player (by its position on the page): each diagram's smallest text in CSS px, its
# width, whether its frame scrolls sideways, and whether every node lies inside the
# frame's visible box.
MEASURE_JS = """([sel, k]) => {
  const minTextPx = """ + SVG_MIN_TEXT_PX + """;
  const root = document.querySelectorAll(sel)[k];
  const out = [];
  for (const f of root.querySelectorAll('.mt-frame')) {
    const svg = f.querySelector('svg');
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal || !svg.viewBox.baseVal.width) continue;
    const box = svg.getBoundingClientRect();
    const min = minTextPx(svg);
    const fr = f.getBoundingClientRect();
    let outside = 0;
    for (const g of svg.querySelectorAll('g.node')) {
      const r = g.getBoundingClientRect();
      if (r.left < fr.left - 1.5 || r.right > fr.right + 1.5) outside++;
    }
    out.push({px: min, width: box.width, frame: fr.width,
              scrolls: f.scrollWidth > f.clientWidth + 1.5, outside,
              nodes: svg.querySelectorAll('g.node').length});
  }
  return out;
}"""

REST_JS = """([sel, k]) => {
  const root = document.querySelectorAll(sel)[k];
  const frames = [...root.querySelectorAll('.mt-frame')];
  return frames.length > 0 && frames.every((f) => (!f.dataset.state || f.dataset.state === 'rest')
                                           && f.querySelector('svg'));
}"""


@pytest.fixture(scope="module")
def lessons_lab(browser_tools, tmp_path_factory):
    root = copy_root(tmp_path_factory, "readability", LESSONS)
    from playwright.sync_api import sync_playwright
    with Server("lab", root) as server:
        pw = sync_playwright().start()
        ctx = launch_chromium(pw, tmp_path_factory.mktemp("chromium-read"), viewport=(1400, 900))
        ctx.set_default_timeout(60_000)
        try:
            with LabPage.opened(ctx, server) as lab:
                yield lab
        finally:
            ctx.close()
            pw.stop()


def settle(page, k):
    """Until every diagram of player k is at rest; False when one never gets there."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    page.wait_for_timeout(300)
    try:
        page.wait_for_function(REST_JS, arg=[PLAYERS, k], timeout=30_000)
    except PlaywrightTimeout:
        return False
    page.wait_for_timeout(150)
    return True


def press(page, k, cls):
    root = page.locator(PLAYERS).nth(k)
    btn = root.locator(f".{cls}").first
    btn.scroll_into_view_if_needed()
    if btn.is_enabled():
        btn.click()
    return settle(page, k)


def measure(page, k):
    return page.evaluate(MEASURE_JS, [PLAYERS, k])


def check(rows, want_px, presenter):
    """Problems with one player's measured diagrams."""
    bad = []
    for r in rows:
        if r["px"] + 1e-6 < want_px:
            bad.append(f"text {r['px']:.1f} px < {want_px}")
        if not presenter and (r["scrolls"] or r["outside"]
                              or r["width"] > r["frame"] + SLACK_PX):
            bad.append(f"scrolls or overflows: {r}")
    return bad


@pytest.mark.skipif(not LESSONS, reason="no notebooks yet")
@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_player_is_readable(lessons_lab, path):
    lab = lessons_lab
    page = lab.page
    lab.open_and_run(path.name)
    assert lab.errors() == [], f"{path.name}: error outputs"
    n = page.locator(PLAYERS).count()
    results, problems = {}, []
    for k in range(n):
        root = page.locator(PLAYERS).nth(k)
        root.scroll_into_view_if_needed()
        settle(page, k)
        rows = {}
        for where, cls in (("first", "mt-first"), ("last", "mt-last")):
            if not press(page, k, cls):
                problems.append(f"player {k} {where}: the diagram did not come to rest")
            rows[where] = measure(page, k)
            problems += [f"player {k} {where}: {p}" for p in check(rows[where], MIN_PX, False)]
            if k < 3:
                screenshot(root, f"read-{path.stem[:2]}-p{k}-{where}")
        toggle = root.locator(".mt-presenter-toggle").first
        if toggle.count():
            toggle.click()
            try:                           # the page applies the mode when the kernel echoes it
                page.wait_for_function(
                    "([sel, k]) => !!document.querySelectorAll(sel)[k]"
                    ".querySelector('.mt-presenter-view')", arg=[PLAYERS, k], timeout=5_000)
            except Exception:              # noqa: BLE001 - measured (and reported) anyway
                pass
            for where, cls in (("presenter first", "mt-first"), ("presenter last", "mt-last")):
                if not press(page, k, cls):
                    problems.append(f"player {k} {where}: the diagram did not come to rest")
                rows[where] = measure(page, k)
                problems += [f"player {k} {where}: {p}"
                             for p in check(rows[where], PRESENTER_PX, True)]
            if k == 0:
                screenshot(root, f"read-{path.stem[:2]}-p{k}-presenter")
            toggle.click()                 # off again (the choice is remembered)
            settle(page, k)
        results[k] = rows
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / "readability.json"
    try:
        data = json.loads(log.read_text())
    except (OSError, ValueError):
        data = {}
    data[path.stem] = results
    log.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    assert not problems, f"{path.name}: {problems[:6]}"
