# SPDX-License-Identifier: GPL-2.0-or-later
"""The two animated views of a side-by-side player always come to rest on the newest frame.

Runs tests/browser/fixtures/93-pair-animation-check.ipynb in JupyterLab 4 / Debian
Chromium: lesson 07's ``__mt_dup`` pair (source beside copy) and lesson 06's pair (normal
appends beside a bulk load), two views each, whose arrangement switches from "beside" to
"stacked" as the trees grow. Each pair is moved in ways that overlap transitions: Last from
the first frame, First/Last/First at once, five quick Forward clicks, scrubbing the
slider, a speed change in the middle of a slow move, End then Home on the keyboard. After
each, both views must reach ``data-state="rest"`` showing the steps of the frame asked
for, with the node ids (``n<serial>``) of those steps' DOT text, stay there, and the page
must report no uncaught error. Last, the safety net: a move whose d3 timers are stopped
from outside (so its end never comes) is redrawn at rest on its frame a few seconds
later. Screenshots go to tests/browser/out/pair-anim-*.png.

Each widget model imports its own copy of the view's module (so of d3-transition, whose
transition ids are counted per copy): the two views of a pair once took over each
other's transition on the page's root element and one was left moving for ever.
"""


import pytest

from .anim import printed_json
from .harness import screenshot
from .pageerrors import unexpected

pytestmark = pytest.mark.browser

NB = "93-pair-animation-check.ipynb"

# Every diagram frame of the pair in the page: state, frame, node ids.
FRAMES_JS = """(sel) => [...document.querySelectorAll(sel + ' .mt-frame')].map((f) => ({
  state: f.dataset.state, frame: f.dataset.frame,
  ids: [...f.querySelectorAll('svg g.node > title')].map((t) => t.textContent)
        .filter((s) => /^n\\d+$/.test(s)).sort()}))"""

SETTLED_JS = """([sel, want]) => {
  const fs = [...document.querySelectorAll(sel + ' .mt-frame')];
  if (fs.length !== 2) return false;
  return fs.every((f, i) => {
    if (f.dataset.state !== 'rest' || f.dataset.frame !== String(want[i].frame)) return false;
    const ids = [...f.querySelectorAll('svg g.node > title')].map((t) => t.textContent)
      .filter((s) => /^n\\d+$/.test(s)).sort();
    return JSON.stringify(ids) === JSON.stringify(want[i].ids);
  });
}"""


class Pair:
    """One side-by-side player of the fixture, found by its CSS class."""

    def __init__(self, lab, cls, tag, page_errors):
        self.lab, self.page, self.sel, self.tag = lab, lab.page, f".{cls}", tag.lower()
        self.ids = printed_json(self.page, f"{tag}-IDS")
        self.steps = printed_json(self.page, f"{tag}-STEPS")
        self.page_errors = page_errors
        self.last = len(self.steps) - 1

    def want(self, k):
        return [{"frame": self.steps[k][i], "ids": self.ids[k][i]} for i in (0, 1)]

    def settled(self, k, what, timeout=20_000):
        """Both views at rest on frame k's steps and nodes, and still there a moment later
        (a screenshot either way)."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        try:
            self.page.wait_for_function(SETTLED_JS, arg=[self.sel, self.want(k)],
                                        timeout=timeout)
            ok = True
        except PlaywrightTimeout:
            ok = False
        self.page.wait_for_timeout(200)
        got = self.page.evaluate(FRAMES_JS, self.sel)
        screenshot(self.lab.attached(self.sel), f"pair-anim-{self.tag}-{what}")
        assert ok, (f"{self.tag} {what}: want frame {k} {self.want(k)}, the page has {got}; "
                    f"page errors {self.page_errors}")
        self.page.wait_for_timeout(400)
        assert self.page.evaluate(SETTLED_JS, [self.sel, self.want(k)]), \
            f"{self.tag} {what}: left frame {k}: {self.page.evaluate(FRAMES_JS, self.sel)}"
        assert self.page_errors == [], self.page_errors

    def click(self, cls):
        self.page.locator(f"{self.sel} .{cls}").first.click()

    def speed(self, label, wait=True):
        self.page.locator(f"{self.sel} .mt-speed select").first.select_option(label=label)
        if wait:
            self.page.wait_for_timeout(300)
            self.lab.wait_idle()

    def slider_value(self):
        return int(self.page.locator(f"{self.sel} .mt-slider .widget-readout")
                   .first.inner_text())

    def scrub(self):
        """Drag the slider's handle to the right end and back to the middle, slowly
        enough for the kernel to send many frames on the way."""
        page = self.page
        handle = page.locator(f"{self.sel} .mt-slider .noUi-handle").first
        track = page.locator(f"{self.sel} .mt-slider .noUi-target").first
        track.scroll_into_view_if_needed()
        box, hb = track.bounding_box(), handle.bounding_box()
        y = hb["y"] + hb["height"] / 2
        page.mouse.move(hb["x"] + hb["width"] / 2, y)
        page.mouse.down()
        for i in list(range(1, 25)) + list(range(24, 11, -1)):
            page.mouse.move(box["x"] + box["width"] * i / 24, y)
            page.wait_for_timeout(30)
        page.mouse.up()
        page.wait_for_timeout(500)
        self.lab.wait_idle()
        return self.slider_value()


def exercise(pair):
    page, last = pair.page, pair.last
    pair.lab.attached(f"{pair.sel} .mt-frame svg g.node")
    pair.settled(0, "start")

    pair.click("mt-last")                       # Last from the first frame
    pair.settled(last, "last-from-first")

    pair.click("mt-first")                      # First, Last, First while moving
    page.wait_for_timeout(60)
    pair.click("mt-last")
    page.wait_for_timeout(60)
    pair.click("mt-first")
    pair.settled(0, "first-last-first")

    for _ in range(5):                          # five quick Forward clicks
        pair.click("mt-forward")
        page.wait_for_timeout(40)
    pair.settled(min(5, last), "forward-x5")

    k = pair.scrub()                            # scrubbing the slider
    assert 0 < k < last, k
    pair.settled(k, "scrubbed")

    pair.click("mt-first")
    pair.settled(0, "first-again")
    pair.speed("slow")                          # a speed change in the middle of a move
    pair.click("mt-last")
    page.wait_for_timeout(250)
    pair.speed("fastest", wait=False)
    pair.settled(last, "speed-change-mid-move")
    pair.speed("normal")

    page.locator(f"{pair.sel} .mt-diagram").first.focus()   # End then Home at once
    page.keyboard.press("End")
    page.wait_for_timeout(80)
    page.keyboard.press("Home")
    pair.settled(0, "keys-end-home")


def test_pair_views_always_come_to_rest_on_the_newest_frame(lab):
    page = lab.page
    page.set_viewport_size({"width": 1400, "height": 900})
    page_errors = []
    # JupyterLab's own errors (pageerrors.ALLOWED) are not counted as view errors
    page.on("pageerror", lambda e: page_errors.extend(unexpected([str(e)])))
    lab.open_and_run(NB)
    assert lab.code_cells_without_count() == [] and lab.errors() == []
    for cls, tag in (("pair-dup", "DUP"), ("pair-bulk", "BULK")):
        pair = Pair(lab, cls, tag, page_errors)
        # the pair re-arranges itself on the way: the first and last frames differ
        assert pair.last >= 5 and pair.ids[0] != pair.ids[pair.last]
        exercise(pair)
    assert lab.errors() == []
    stalled_move_is_redrawn(lab, Pair(lab, "pair-bulk", "BULK", page_errors))


# Stops every d3 timer of the right view's running move (as if its transition had been
# interrupted from outside or d3's timer had thrown): its end never comes.
STALL_JS = """(sel) => { window.__mtStall = new Promise((res) => {
  setTimeout(() => res(-1), 8000);
  const v = document.querySelectorAll(sel + ' .mt-diagram')[1];
  const h = (e) => { if (e.detail.type !== 'start') return;
    v.removeEventListener('mt-diagram', h);
    setTimeout(() => { let n = 0;
      for (const x of [v.querySelector('.mt-frame'), ...v.querySelectorAll('.mt-frame *')]) {
        for (const s of Object.values(x.__transition || {})) { s.timer.stop(); n++; } }
      res(n); }, 150); };
  v.addEventListener('mt-diagram', h); }); }"""


def stalled_move_is_redrawn(lab, pair):
    """The safety net: a move whose end never comes is redrawn at once, at rest on the
    frame asked for, a few seconds after its planned time."""
    page = pair.page
    pair.click("mt-last")      # a move within one arrangement (stacked): Back; the right
    # (bulk) side moves, the left one holds its step
    pair.settled(pair.last, "before-stall")
    pair.speed("slow")
    page.evaluate(STALL_JS, pair.sel)
    pair.click("mt-back")
    assert page.evaluate("() => window.__mtStall") > 0
    assert page.locator(f"{pair.sel} .mt-frame").nth(1).get_attribute("data-state") == "moving"
    pair.settled(pair.last - 1, "stalled-move-redrawn", timeout=15_000)
    assert page.evaluate("() => (globalThis.__mtDiagramEvents || [])"
                         ".some((e) => e.type === 'stuck')")
    pair.speed("normal")
