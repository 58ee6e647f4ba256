# SPDX-License-Identifier: GPL-2.0-or-later
"""The animated diagram in a real browser (JupyterLab 4, Debian Chromium, 1400x900).

Runs tests/browser/fixtures/91-animation-check.ipynb from a fresh kernel and checks:
a step animates (animation frames differ from both the picture before and after), the
picture at rest has the nodes of the server-side ``dot`` rendering of that frame, the
speed setting sets the transition time, "no animation" and prefers-reduced-motion draw
at once, presenter mode draws text at 16 px or more, the arrow keys step, and the page
fetches nothing from outside the Jupyter server. Screenshots (mid-transition and at
rest) go to tests/browser/out/.
"""

import pytest

from .anim import (
    EDGE_COUNT_JS,
    MIN_TEXT_PX_JS,
    NODE_IDS_JS,
    intermediate,
    printed_json,
    wait_rest,
    watched_move,
)
from .harness import OUT, screenshot

pytestmark = pytest.mark.browser

NB = "91-animation-check.ipynb"
P = ".anim-player"


def click(page, what):
    return lambda: page.locator(f"{P} {what}").first.click()


def choose_speed(lab, label):
    """Pick a speed; the kernel then sets the views' transition time."""
    lab.page.locator(f"{P} .mt-speed select").first.select_option(label=label)
    lab.page.wait_for_timeout(300)
    lab.wait_idle()


def test_animated_player_in_jupyterlab(lab):
    page = lab.page
    page.set_viewport_size({"width": 1400, "height": 900})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    lab.open_and_run(NB)
    assert lab.code_cells_without_count() == [] and lab.errors() == []
    lab.attached(f"{P} .mt-frame svg g.node")
    wait_rest(page, P, 0)
    static_ids = printed_json(page, "STATIC-IDS")
    n = len(static_ids)
    assert n >= 5
    # at rest, the page's picture has the nodes of the server-side rendering
    assert page.evaluate(NODE_IDS_JS, P) == static_ids[0]
    assert page.evaluate(
        "(sel) => document.querySelector(sel + ' .mt-diagram') !== null", P)

    # a step that adds nodes, at the slow speed: the picture moves through frames that
    # differ from both ends, and ends on the static rendering's nodes
    choose_speed(lab, "slow")
    lab.attached(f"{P} .mt-last")
    # 300 ms into the move: what each node group is doing
    page.evaluate("""(sel) => { const v = document.querySelector(sel + ' .mt-diagram');
      window.__mtMidNodes = new Promise((res) => { const h = (e) => {
        if (e.detail.type !== 'start') return;
        v.removeEventListener('mt-diagram', h);
        setTimeout(() => res([...v.querySelectorAll('.mt-frame svg g.node')].map((g) => ({
          id: g.querySelector('title').textContent, mark: g.getAttribute('data-mt'),
          transform: getComputedStyle(g).transform,
          opacity: parseFloat(getComputedStyle(g).opacity)}))), 300); };
        v.addEventListener('mt-diagram', h); }); }""", P)
    slow = watched_move(page, P, click(page, ".mt-last"), n - 1)
    mid = {x["id"]: x for x in page.evaluate("() => window.__mtMidNodes")}
    grown = [x for i, x in mid.items() if i in static_ids[n - 1] and i not in static_ids[0]]
    gone = [x for i, x in mid.items() if i in static_ids[0] and i not in static_ids[n - 1]]
    # new nodes grow in (scaled below 1), freed ones fade out (still there, fading)
    assert grown and all(x["mark"] == "entering" and x["transform"].startswith("matrix(0.")
                         for x in grown), mid
    assert gone and all(x["opacity"] < 1 for x in gone), mid
    assert slow["planned_ms"] == 1000
    assert 900 <= slow["transition_ms"] <= 2500, slow
    assert intermediate(slow) >= 5, slow
    wait_rest(page, P, n - 1)
    assert page.evaluate(NODE_IDS_JS, P) == static_ids[n - 1]
    assert page.evaluate(EDGE_COUNT_JS, P) >= len(static_ids[n - 1]) - 1
    # hovering a slot still shows its range and entry (the cells' link titles survive)
    hover = page.evaluate(
        "(sel) => [...document.querySelectorAll(sel + ' .mt-frame svg a')]"
        ".map((a) => a.getAttributeNS('http://www.w3.org/1999/xlink', 'title') || '')"
        ".filter((t) => t.startsWith('slot '))", P)
    assert hover and all("[" in t for t in hover), hover
    screenshot(lab.attached(P), "anim-player-rest-last")

    # mid-transition screenshot: back to the first step, slowly
    page.evaluate("""(sel) => { const v = document.querySelector(sel + ' .mt-diagram');
      window.__mtMid = new Promise((res) => { const h = (e) => {
        if (e.detail.type === 'start') { v.removeEventListener('mt-diagram', h);
          setTimeout(res, 380); } }; v.addEventListener('mt-diagram', h); }); }""", P)
    box = lab.attached(P).bounding_box()
    page.locator(f"{P} .mt-first").first.click()
    page.evaluate("() => window.__mtMid")
    assert page.locator(f"{P} .mt-frame").first.get_attribute("data-state") == "moving"
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / "anim-player-mid-transition.png"), clip=box)
    wait_rest(page, P, 0)
    assert page.evaluate(NODE_IDS_JS, P) == static_ids[0]
    screenshot(lab.attached(P), "anim-player-rest-first")

    # the fastest speed moves in less time
    choose_speed(lab, "fastest")
    fast = watched_move(page, P, click(page, ".mt-forward"), 1)
    assert fast["planned_ms"] == 110 and fast["transition_ms"] < 600, fast

    # no animation: drawn at once, no frame in between
    choose_speed(lab, "no animation")
    still = watched_move(page, P, click(page, ".mt-last"), n - 1)
    assert still["planned_ms"] == 0 and still["transition_ms"] < 150, still
    assert intermediate(still) == 0, still
    assert page.evaluate(NODE_IDS_JS, P) == static_ids[n - 1]

    # prefers-reduced-motion turns the animation off at any speed
    choose_speed(lab, "slow")
    page.emulate_media(reduced_motion="reduce")
    reduced = watched_move(page, P, click(page, ".mt-first"), 0)
    assert reduced["planned_ms"] == 0 and intermediate(reduced) == 0, reduced
    page.emulate_media(reduced_motion="no-preference")

    # the arrow keys step the player when the diagram has the focus
    page.locator(f"{P} .mt-diagram").first.focus()
    keyed = watched_move(page, P, lambda: page.keyboard.press("ArrowRight"), 1)
    assert keyed["planned_ms"] == 1000
    lab.attached(f"{P} .mt-status")
    page.wait_for_function(
        "(sel) => document.querySelector(sel + ' .mt-status').dataset.step === '1'", arg=P)

    # presenter mode: diagram text >= 16 px, the status line too; remembered in the page
    choose_speed(lab, "no animation")
    normal_px = page.evaluate(MIN_TEXT_PX_JS, P)
    assert normal_px >= 8
    lab.attached(f"{P} .mt-presenter-toggle").click()
    page.wait_for_function(
        "(sel) => document.querySelector(sel).classList.contains('mt-presenter')", arg=P)
    page.wait_for_timeout(300)
    big_px = page.evaluate(MIN_TEXT_PX_JS, P)
    status_px = page.evaluate(
        "(sel) => parseFloat(getComputedStyle(document.querySelector(sel + ' .mt-status'))"
        ".fontSize)", P)
    assert big_px >= 16 and status_px >= 16, (big_px, status_px)
    assert page.evaluate("() => localStorage.getItem('mapletree-edu.presenter')") == "1"
    screenshot(lab.attached(P), "anim-player-presenter")
    lab.attached(f"{P} .mt-presenter-toggle").click()
    page.wait_for_function(
        "() => localStorage.getItem('mapletree-edu.presenter') === '0'")

    # nothing was fetched from outside the Jupyter server
    outside = [u for u in requests
               if not u.startswith((lab.server.base, "data:", "blob:"))]
    assert outside == []
    assert lab.errors() == []
    print(f"\nanimation: slow {slow['transition_ms']:.0f} ms, {slow['frames']} frames, "
          f"{intermediate(slow)} in between, longest frame {slow['longest_frame']:.1f} ms; "
          f"click->start {slow['click_to_start']:.0f} ms; text {normal_px:.1f} px, "
          f"presenter {big_px:.1f} px")
