# SPDX-License-Identifier: GPL-2.0-or-later
"""Page-side helpers for watching the animated diagram (tests and bench/bench_browser.py).

The view (mapletree_edu/widgets/static/diagram.js) keeps a log of its draws in
``window.__mtDiagramEvents``: ``draw`` (a new DOT text arrived; ``ms`` is the transition
time it will use), ``start`` (the transition began: layout done, elements in place) and
``end``, each with the frame index and ``performance.now()``. Its frame element carries
``data-frame`` and ``data-state`` ("moving", "drawing" or "rest").
"""

import json
import re

from .harness import SVG_MIN_TEXT_PX

# A recorder started before a click: every animation frame it hashes the SVG of the view
# (so frames that differ from both ends can be counted) and notes the time between
# animation frames; a PerformanceObserver notes long tasks.
WATCH_JS = """(sel) => {
  const f = document.querySelector(sel + ' .mt-frame');
  const hash = (s) => { let h = 5381; for (let i = 0; i < s.length; i++) {
      h = ((h << 5) + h + s.charCodeAt(i)) | 0; } return h; };
  const svgHash = () => { const s = f.querySelector('svg'); return s ? hash(s.outerHTML) : 0; };
  const w = {shots: [], longtasks: [], on: true, t0: null, before: svgHash()};
  try {
    w.obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) {
      w.longtasks.push([e.startTime, e.duration]); } });
    w.obs.observe({entryTypes: ['longtask']});
  } catch (e) { w.obs = null; }
  const btnClick = (ev) => { if (w.t0 === null) w.t0 = performance.now(); };
  document.addEventListener('click', btnClick, {capture: true});
  document.addEventListener('keydown', btnClick, {capture: true});
  const tick = (t) => { if (!w.on) return;
    w.shots.push([t, performance.now(), f.dataset.state, svgHash()]);
    requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  w.stop = () => { w.on = false; if (w.obs) w.obs.disconnect();
    document.removeEventListener('click', btnClick, {capture: true});
    document.removeEventListener('keydown', btnClick, {capture: true}); };
  window.__mtWatch = w;
}"""

# The watch's result once the view logged ``end`` for frame ``want`` after the click.
RESULT_JS = """([want]) => {
  const w = window.__mtWatch;
  const ev = (globalThis.__mtDiagramEvents || []).filter((e) => w.t0 !== null && e.t >= w.t0);
  const draw = ev.find((e) => e.type === 'draw' && e.frame === want);
  const start = ev.find((e) => e.type === 'start' && e.frame === want);
  const end = ev.find((e) => e.type === 'end' && e.frame === want);
  if (!draw || !start || !end) return null;
  w.stop();
  const during = w.shots.filter((s) => s[1] >= start.t && s[1] <= end.t + 20);
  let longest = 0;
  for (let i = 1; i < during.length; i++) {
    longest = Math.max(longest, during[i][0] - during[i - 1][0]); }
  const after = w.shots.length ? w.shots[w.shots.length - 1][3] : 0;
  return {click_to_draw: draw.t - w.t0, click_to_start: start.t - w.t0,
          transition_ms: end.t - start.t, planned_ms: draw.ms,
          longest_frame: longest, frames: during.length, phases: start.phases || {},
          longtasks: w.longtasks.filter((l) => l[0] >= w.t0).map((l) => l[1]),
          before: w.before, after,
          hashes: during.map((s) => s[3])};
}"""

NODE_IDS_JS = """(sel) => [...document.querySelectorAll(sel + ' .mt-frame svg g.node > title')]
  .map((t) => t.textContent).filter((s) => /^n\\d+$/.test(s)).sort()"""

EDGE_COUNT_JS = """(sel) => document.querySelectorAll(sel + ' .mt-frame svg g.edge').length"""

# The smallest diagram text on screen (CSS px) of the player ``sel``.
MIN_TEXT_PX_JS = ("(sel) => (" + SVG_MIN_TEXT_PX
                  + ")(document.querySelector(sel + ' .mt-frame svg'))")


def wait_rest(page, sel, frame=None, timeout=60_000):
    """Until the view of ``sel`` shows ``frame`` (any when None) at rest with an SVG."""
    page.wait_for_function(
        "([sel, want]) => { const f = document.querySelector(sel + ' .mt-frame');"
        " return f && f.dataset.state === 'rest' && f.querySelector('svg g.node')"
        " && (want === null || f.dataset.frame === String(want)); }",
        arg=[sel, frame], timeout=timeout)


def watched_move(page, sel, act, want, timeout=60_000):
    """Start the recorder, call ``act()`` (a click or a key), wait until the view has
    finished moving to frame ``want`` and return the recorder's result."""
    page.evaluate(WATCH_JS, sel)
    act()
    page.wait_for_function(RESULT_JS, arg=[want], timeout=timeout)
    return page.evaluate(RESULT_JS, [want])


def intermediate(result):
    """How many recorded animation frames differ from both the start and the end."""
    return sum(1 for h in result["hashes"] if h not in (result["before"], result["after"]))


def printed_json(page, tag):
    """The JSON a notebook cell printed after ``tag`` (``print(tag + " " + json)``)."""
    for text in page.locator(".jp-OutputArea-output").all_text_contents():
        m = re.search(re.escape(tag) + r" (.*)", text)
        if m:
            return json.loads(m.group(1))
    raise AssertionError(f"no output with {tag!r}")
