# SPDX-License-Identifier: GPL-2.0-or-later
"""Click-to-SVG latency of the step Player in a real browser (JupyterLab 4 and Voila).

Run: ``.venv/bin/python bench/bench_browser.py`` (``--rounds N``: forward sweeps per
server, default 3; ``--no-voila``). Prints a table and writes
``bench/out/browser.json``. A measurement, never a test; the browser test
(tests/browser/test_browser_player.py) takes the same measurement once and only records it.

What is measured, in the page (``performance.now()``): from the ``click`` event on the
player's Forward (or Last) button to the moment the view holds the new frame's SVG
(``dom``), and to the next animation frame after that (``paint``). The round trip is:
click -> comm message -> kernel: slider observer swaps three ``widgets.HTML`` values ->
comm messages -> DOM. Target: < 200 ms.

- **cold jump**: "Last" right after the notebook ran: that frame was never drawn, so the
  kernel runs ``dot`` for it inside the round trip.
- **forward (cached)**: Forward through every step; each next step was rendered ahead
  (pre-render) or on an earlier sweep.

Uses tests/browser/harness.py: JupyterLab/Voila from this virtualenv on 127.0.0.1 with
token authentication off for this throw-away server only, Debian chromium through
Playwright (never a downloaded browser), servers stopped by process id at the end.
"""

import argparse
import json
import platform
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

import harness  # noqa: E402

NB = "90-player-check.ipynb"
P = ".check-player"
OUT = ROOT / "bench" / "out"


def n_steps(page):
    text = page.locator(f"{P} .mt-status").first.text_content()
    m = re.search(r"steps 0\u2013(\d+)", text)
    return int(m.group(1)) + 1


def sweep(page, rounds):
    """(cold jump timing, [forward timings]) on a freshly run player."""
    n = n_steps(page)
    cold = harness.click_to_frame_ms(page, f"{P} .mt-last", f"{P} .mt-view", n - 1)
    forward = []
    for _ in range(rounds):
        page.locator(f"{P} .mt-first").first.click()
        page.wait_for_function(
            f"() => document.querySelector('{P} .mt-view .mt-frame').dataset.frame === '0'")
        for k in range(1, n):
            forward.append(harness.click_to_frame_ms(page, f"{P} .mt-forward", f"{P} .mt-view",
                                                     k))
    return cold, forward


def bench_lab(pw, tmp, rounds):
    root = tmp / "lab" / "root"
    root.mkdir(parents=True)
    shutil.copy(harness.FIXTURES / NB, root / NB)
    server = harness.Server("lab", root).start()
    ctx = harness.launch_chromium(pw, tmp / "lab-profile")
    try:
        lab = harness.LabPage(ctx.new_page(), server)
        t0 = time.monotonic()
        lab.open_notebook(NB)
        lab.restart_and_run_all()
        lab.attached(f"{P} .mt-view svg g.node")
        ready = time.monotonic() - t0
        cold, forward = sweep(lab.page, rounds)
        errors = lab.errors()
    finally:
        ctx.close()
        server.stop()
    return {"server_start_s": server.started_in, "open_run_s": ready, "cold": cold,
            "forward": forward, "errors": errors}


def bench_voila(pw, tmp, rounds):
    root = tmp / "voila" / "root"
    root.mkdir(parents=True)
    shutil.copy(harness.FIXTURES / NB, root / NB)
    server = harness.Server("voila", root, notebook=NB).start()
    ctx = harness.launch_chromium(pw, tmp / "voila-profile")
    try:
        page = ctx.new_page()
        t0 = time.monotonic()
        page.goto(server.base + "/", timeout=90_000)
        loc = page.locator(f"{P} .mt-view svg g.node").first
        loc.wait_for(state="attached", timeout=90_000)
        loc.scroll_into_view_if_needed()
        ready = time.monotonic() - t0
        cold, forward = sweep(page, rounds)
    finally:
        ctx.close()
        server.stop()
    return {"server_start_s": server.started_in, "open_run_s": ready, "cold": cold,
            "forward": forward, "errors": []}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-voila", action="store_true")
    args = ap.parse_args()
    why = harness.missing_tools(voila=not args.no_voila)
    if why:
        print(f"bench_browser: skipped: {why}")
        return 0
    from playwright.sync_api import sync_playwright

    results = {}
    with tempfile.TemporaryDirectory(prefix="mt-bench-browser-") as d, \
            sync_playwright() as pw:
        tmp = Path(d)
        results["JupyterLab"] = bench_lab(pw, tmp, args.rounds)
        if not args.no_voila:
            results["Voila"] = bench_voila(pw, tmp, args.rounds)

    print(f"Player click -> new SVG in the page (ms); {platform.machine()}, "
          f"Python {platform.python_version()}; target < 200 ms")
    head = f"{'front end':<11} {'what':<17} {'n':>3} {'min':>7} {'median':>7} {'max':>7}" \
           f" {'paint med':>9}"
    print(head)
    print("-" * len(head))
    summary = {}
    for name, r in results.items():
        rows = {"cold jump (Last)": [r["cold"]], "forward (cached)": r["forward"]}
        summary[name] = {"server_start_s": round(r["server_start_s"], 2),
                         "open_and_run_s": round(r["open_run_s"], 2), "errors": r["errors"]}
        for what, ts in rows.items():
            dom = harness.summarize([t["dom"] for t in ts])
            paint = harness.summarize([t["frame"] for t in ts])
            summary[name][what] = {"dom": dom, "paint": paint}
            print(f"{name:<11} {what:<17} {dom['n']:>3} {dom['min']:>7.1f} "
                  f"{dom['median']:>7.1f} {dom['max']:>7.1f} {paint['median']:>9.1f}")
    for name, s in summary.items():
        print(f"{name}: server up in {s['server_start_s']} s, notebook open + run all "
              f"{s['open_and_run_s']} s, error outputs: {len(s['errors'])}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "browser.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    print(f"wrote {OUT / 'browser.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
