# SPDX-License-Identifier: GPL-2.0-or-later
"""The animated players in a real browser: click-to-move latency, smoothness, bundle size
and a lesson's page-load time (JupyterLab 4, Debian Chromium, 1400x900).

Run: ``.venv/bin/python bench/bench_browser.py`` (``--rounds N``: forward sweeps per tree
size, default 2; ``--sizes 20,200,2000``; ``--lesson notebooks/05-node-splits.ipynb``).
Prints a table with PASS/MISS against the targets and writes ``bench/out/browser.json``.
A measurement, never a test.

Measured in the page (``performance.now()``), for a Player over one store into a tree of
N VMAs (a new VMA in a gap in the middle of the address space), stepping with Forward:

- **click -> start**: from the click event on Forward to the start of the diagram's
  transition. The round trip: click -> comm -> kernel: slider observer makes the DOT text
  of the step (cached after the first sweep) -> comm -> Graphviz (WebAssembly) lays it
  out in the page -> d3-graphviz starts moving. Target at 200 VMAs: <= 150 ms.
- **longest frame**: the longest gap between two animation frames during the transition
  (requestAnimationFrame timestamps), and long tasks (PerformanceObserver). Target <= 50 ms.
- **the view alone**: the same moves in a bare page (no JupyterLab, no kernel: the view
  module driven by a stand-in model), to tell the view's own frame cost from the cost of
  the JupyterLab page around it.
- **bundle**: the size of the JavaScript shipped in mapletree_edu/widgets/static/, raw
  and gzipped (the engine is sent once per kernel, the view module once per view).
- **lesson page load**: a lesson opened in a fresh JupyterLab page (its stored pictures
  shown), then Restart Kernel and Run All until every player's diagram is drawn.

Uses tests/browser/harness.py: JupyterLab from this virtualenv on 127.0.0.1 with token
authentication off for this throw-away server only, Debian chromium through Playwright
(never a downloaded browser), the server stopped by process id at the end.
"""

import argparse
import gzip
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT))

import anim  # noqa: E402
import harness  # noqa: E402

OUT = ROOT / "bench" / "out"
STATIC = ROOT / "mapletree_edu" / "widgets" / "static"
TARGET_START_MS = 150
TARGET_FRAME_MS = 50
DEFAULT_LESSON = "notebooks/05-node-splits.ipynb"

SETUP = '''from mapletree_edu import MapleTree
from mapletree_edu.trace import record
from mapletree_edu.widgets import Player


def store_into(n):
    """A tree of n VMAs (4 KiB each, 8 KiB apart), then one store of a new VMA into the
    gap in the middle: the steps of that store."""
    t = MapleTree()
    base = 0x400000
    for k in range(n):
        t.store(base + k * 0x3000, base + k * 0x3000 + 0xfff, k + 1)
    mid = base + (n // 2) * 0x3000 + 0x1000
    with record(t, f"store into a tree of {n} VMAs") as rec:
        t.store(mid, mid + 0xfff, n + 1)
    return rec.steps
'''


def bench_notebook(path, sizes):
    import nbformat as nbf

    nb = nbf.v4.new_notebook()
    cells = [nbf.v4.new_code_cell(SETUP)]
    for n in sizes:
        cells.append(nbf.v4.new_code_cell(
            f"p{n} = Player(store_into({n}), title='{n} VMAs')\n"
            f"p{n}.add_class('bench-{n}')\np{n}"))
    nb.cells = cells
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": "python3"}
    nbf.write(nb, path)


def n_steps(page, sel):
    text = page.locator(f"{sel} .mt-status").first.text_content()
    import re
    return int(re.search(r"steps 0\u2013(\d+)", text).group(1)) + 1


def sweep(lab, sel, rounds):
    """Forward through every step ``rounds`` times; the watch results of each move."""
    page = lab.page
    out = []
    n = n_steps(page, sel)
    for r in range(rounds):
        if r:
            page.locator(f"{sel} .mt-speed select").first.select_option(label="no animation")
            page.wait_for_timeout(200)
            lab.wait_idle()
            page.locator(f"{sel} .mt-first").first.click()
            anim.wait_rest(page, sel, 0)
            page.locator(f"{sel} .mt-speed select").first.select_option(label="normal")
            page.wait_for_timeout(200)
            lab.wait_idle()
        for k in range(1, n):
            lab.attached(f"{sel} .mt-forward")
            res = anim.watched_move(
                page, sel, lambda: page.locator(f"{sel} .mt-forward").first.click(), k)
            res["cold"] = r == 0
            res["nodes"] = page.evaluate(
                "(s) => document.querySelectorAll(s + ' .mt-frame svg g.node').length", sel)
            res.pop("hashes", None)
            out.append(res)
    return out


# The view module in a bare page, driven by a stand-in for the widget model: each move
# is timed with requestAnimationFrame from the new DOT text to the end of its transition.
ALONE_JS = """async ([view, engine, dots, rounds]) => {
  const state = {dot: dots[0], frame: 0, next_dot: "", duration: 550, presenter: false,
    actual_size: false, engine: "IPY_MODEL_engine", engine_key: "bench"};
  const listeners = {};
  const model = {get: (k) => state[k], set: (k, v) => { state[k] = v; }, save_changes() {},
    send() {}, on: (e, f) => { (listeners[e] ??= []).push(f); }, off() {},
    widget_manager: {get_model: async () => ({get: () => engine})}};
  const fire = (k) => (listeners["change:" + k] || []).forEach((f) => f());
  const url = URL.createObjectURL(new Blob([view], {type: "text/javascript"}));
  const mod = await import(url);
  const el = document.createElement("div");
  el.style.width = "968px";
  document.body.append(el);
  mod.default.render({model, el});
  const at = (type, fr) => new Promise((res) => { const h = (e) => {
    if (e.detail.type === type && e.detail.frame === fr) {
      el.removeEventListener("mt-diagram", h); res(e.detail); } };
    el.addEventListener("mt-diagram", h); });
  const show = (i, ms, next) => { state.duration = ms; state.dot = dots[i]; state.frame = i;
    state.next_dot = next; fire("dot"); fire("frame"); fire("next_dot"); };
  await at("end", 0);
  const out = [];
  for (let r = 0; r < rounds; r++) {
    for (let i = 1; i < dots.length; i++) {
      const gaps = []; let on = true; let last = null;
      const tick = (t) => { if (!on) return; if (last !== null) gaps.push(t - last);
        last = t; requestAnimationFrame(tick); };
      const started = at("start", i); const ended = at("end", i);
      const t0 = performance.now();
      show(i, 550, i + 1 < dots.length ? dots[i + 1] : "");
      const st = await started;
      requestAnimationFrame(tick);
      await ended; on = false;
      out.push({to_start: st.t - t0, longest: Math.max(0, ...gaps)});
      await new Promise((res) => setTimeout(res, 300));    // the next layout, ahead
    }
    show(0, 0, dots[1]); await at("end", 0);
  }
  return out;
}"""


def view_alone(pw, tmp, sizes, rounds):
    """The view module alone in a bare page: {n: [{to_start, longest}, ...]}."""
    sys.path.insert(0, str(ROOT))
    from mapletree_edu import MapleTree
    from mapletree_edu.trace import record
    from mapletree_edu.widgets.frames import Frames

    view = (STATIC / "diagram.js").read_text(encoding="utf-8")
    engine = (STATIC / "graphviz-engine.js").read_text(encoding="utf-8")
    page_file = tmp / "alone.html"
    page_file.write_text("<!doctype html><html><body></body></html>")
    browser = pw.chromium.launch(executable_path=harness.chromium_path(),
                                 args=harness.CHROMIUM_FLAGS)
    out = {}
    try:
        for n in sizes:
            scope = {}
            exec(SETUP, {"MapleTree": MapleTree, "record": record, "Player": None}, scope)
            steps = scope["store_into"](n)
            frames = Frames.of_steps(steps)
            dots = [frames.dot(i) for i in range(len(steps))]
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(page_file.as_uri())
            out[n] = page.evaluate(ALONE_JS, [view, engine, dots, rounds])
            page.close()
    finally:
        browser.close()
    return out


def lesson_load(pw, tmp, lesson):
    root = tmp / "lesson" / "root"
    root.mkdir(parents=True)
    src = ROOT / lesson
    shutil.copy(src, root / src.name)
    server = harness.Server("lab", root).start()
    ctx = harness.launch_chromium(pw, tmp / "lesson-profile", viewport=(1400, 900))
    try:
        lab = harness.LabPage(ctx.new_page(), server)
        t0 = time.monotonic()
        lab.open_notebook(src.name)
        opened = time.monotonic() - t0
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        t1 = time.monotonic()
        retried = False
        try:
            lab.restart_and_run_all(timeout=300_000)
        except PlaywrightTimeout:         # the kernel was still connecting: reload, run
            retried = True
            t1 = time.monotonic()
            lab.open_and_run(src.name, timeout=300_000)
        ran = time.monotonic() - t1
        lab.page.wait_for_function(
            "() => { const v = [...document.querySelectorAll('.mt-diagram')];"
            " return v.every((d) => { const f = d.querySelector('.mt-frame');"
            " return f && f.dataset.state === 'rest'; }); }", timeout=300_000)
        drawn = time.monotonic() - t1
        views = lab.page.locator(".mt-diagram").count()
        errors = lab.errors()
    finally:
        ctx.close()
        server.stop()
    return {"lesson": lesson, "open_s": opened, "run_all_s": ran,
            "run_all_until_drawn_s": drawn, "views": views, "errors": errors,
            "reloaded": retried}


def bundle_sizes():
    out = {}
    for name in ("diagram.js", "graphviz-engine.js"):
        data = (STATIC / name).read_bytes()
        out[name] = {"bytes": len(data), "gzip": len(gzip.compress(data, 9, mtime=0))}
    return out


def verdict(ok):
    return "PASS" if ok else "MISS"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--sizes", default="20,200,2000")
    ap.add_argument("--lesson", default=DEFAULT_LESSON)
    ap.add_argument("--no-lesson", action="store_true")
    args = ap.parse_args()
    why = harness.missing_tools()
    if why:
        print(f"bench_browser: skipped: {why}")
        return 0
    from playwright.sync_api import sync_playwright

    sizes = [int(x) for x in args.sizes.split(",")]
    results = {"bundle": bundle_sizes(), "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="mt-bench-browser-") as d, \
            sync_playwright() as pw:
        tmp = Path(d)
        root = tmp / "lab" / "root"
        root.mkdir(parents=True)
        bench_notebook(root / "bench.ipynb", sizes)
        server = harness.Server("lab", root).start()
        ctx = harness.launch_chromium(pw, tmp / "lab-profile", viewport=(1400, 900))
        try:
            lab = harness.LabPage(ctx.new_page(), server)
            lab.open_and_run("bench.ipynb")
            for n in sizes:
                sel = f".bench-{n}"
                lab.attached(f"{sel} .mt-frame svg g.node")
                anim.wait_rest(lab.page, sel, 0)
                results["sizes"][n] = sweep(lab, sel, args.rounds)
            results["errors"] = lab.errors()
        finally:
            ctx.close()
            server.stop()
        results["alone"] = view_alone(pw, tmp, sizes, args.rounds)
        if not args.no_lesson:
            try:
                results["lesson"] = lesson_load(pw, tmp, args.lesson)
            except Exception as exc:       # report the rest of the measurements anyway
                results["lesson_error"] = f"{type(exc).__name__}: {exc}".splitlines()[0]

    print(f"Animated player in JupyterLab 4 / Chromium, 1400x900; {platform.machine()}, "
          f"Python {platform.python_version()}; 'normal' speed (550 ms moves)")
    print(f"targets at 200 VMAs: click -> start <= {TARGET_START_MS} ms, longest frame "
          f"<= {TARGET_FRAME_MS} ms (judged on the median move; max shown)")
    head = (f"{'VMAs':>5} {'moves':>5} {'nodes':>5} | {'click->start ms':>22} | "
            f"{'longest frame ms':>22} | {'long tasks':>10} | verdict")
    print(head)
    print(f"{'':>17} | {'median':>7} {'p90':>6} {'max':>7} | {'median':>7} {'p90':>6} "
          f"{'max':>7} |")
    print("-" * len(head))
    summary = {}
    for n, moves in results["sizes"].items():
        starts = sorted(m["click_to_start"] for m in moves)
        frames = sorted(m["longest_frame"] for m in moves)
        longs = [x for m in moves for x in m["longtasks"]]

        def p90(xs):
            return xs[min(len(xs) - 1, int(0.9 * len(xs)))]
        s_med, f_med = statistics.median(starts), statistics.median(frames)
        ok = s_med <= TARGET_START_MS and f_med <= TARGET_FRAME_MS
        summary[n] = {"moves": len(moves), "click_to_start_ms": {
            "median": s_med, "p90": p90(starts), "max": starts[-1]},
            "longest_frame_ms": {"median": f_med, "p90": p90(frames), "max": frames[-1]},
            "long_tasks": len(longs), "max_nodes": max(m["nodes"] for m in moves),
            "click_to_draw_ms_median": statistics.median(m["click_to_draw"] for m in moves)}
        tag = verdict(ok) if n == 200 else f"({verdict(ok)})"
        print(f"{n:>5} {len(moves):>5} {summary[n]['max_nodes']:>5} | {s_med:>7.1f} "
              f"{p90(starts):>6.1f} {starts[-1]:>7.1f} | {f_med:>7.1f} {p90(frames):>6.1f} "
              f"{frames[-1]:>7.1f} | {len(longs):>10} | {tag}")
    print("the view alone in a bare page (no JupyterLab, no kernel), medians (p90) in ms:")
    for n, moves in results.get("alone", {}).items():
        ts = sorted(m["to_start"] for m in moves)
        fs = sorted(m["longest"] for m in moves)
        q = min(len(fs) - 1, int(0.9 * len(fs)))
        print(f"  {n:>5} VMAs: new DOT -> transition start {statistics.median(ts):.1f} "
              f"({ts[q]:.1f}); longest frame {statistics.median(fs):.1f} ({fs[q]:.1f})")
    print("where click -> start goes (medians, ms after the DOT text reached the page):")
    for n, moves in results["sizes"].items():
        ph = {}
        for m in moves:
            for k, v in m.get("phases", {}).items():
                ph.setdefault(k, []).append(v)
        parts = ", ".join(f"{k} {statistics.median(v):.0f}" for k, v in ph.items())
        print(f"  {n} VMAs: kernel round trip {summary[n]['click_to_draw_ms_median']:.1f}; "
              f"then {parts}")
    b = results["bundle"]
    total = sum(x["bytes"] for x in b.values())
    print("bundle: " + ", ".join(f"{k} {v['bytes'] / 1024:.0f} kB ({v['gzip'] / 1024:.0f} kB "
                                 f"gzipped)" for k, v in b.items())
          + f"; total {total / 1024:.0f} kB")
    if "lesson" in results:
        r = results["lesson"]
        print(f"lesson {r['lesson']}: opened in {r['open_s']:.1f} s; Restart + Run All "
              f"{r['run_all_s']:.1f} s, all {r['views']} diagrams drawn after "
              f"{r['run_all_until_drawn_s']:.1f} s; error outputs: {len(r['errors'])}"
              + (" (the first Run All did not start: page reloaded)" if r["reloaded"] else ""))
    if "lesson_error" in results:
        print(f"lesson {args.lesson}: not measured: {results['lesson_error']}")
    print(f"error outputs in the bench notebook: {len(results.get('errors', []))}")
    OUT.mkdir(parents=True, exist_ok=True)
    results["summary"] = summary
    (OUT / "browser.json").write_text(json.dumps(results, indent=2, sort_keys=True,
                                                 default=str) + "\n")
    print(f"wrote {OUT / 'browser.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
