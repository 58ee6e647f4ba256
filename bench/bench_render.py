# SPDX-License-Identifier: GPL-2.0-or-later
"""Render speed: DOT -> SVG for one step of VMA-like trees, and the time to a first frame.

Trees are alloc trees of VMA-like ranges: two pages each, one free page between them,
starting at 0x555555554000. The drawn op is an mprotect-like store over the first page
of the middle VMA (it splits that VMA's entry in two).

Prints a table: median of several uncached runs (the SVG cache is cleared before each)
against the targets: 50 ms for one step at 200 VMAs, 300 ms at 2,000 VMAs, and 1 s from
nothing to the first frame of a recorded 2,000-VMA trace (recording + DOT + SVG).

A second table times the frame pipeline (render.frame.build) stage by stage for the
last step of each trace at 20, 200 and 2,000 VMAs, at 11 px and in presenter mode
(16 px): choose (focus and collapse), mark, labels, emit; median of the runs, in ms.

    python bench/bench_render.py [--runs N] [--full-build]

``--full-build`` also records the creation of all 2,000 VMAs as one trace (every step
snapshots the whole tree, so this measures the recorder; it takes tens of seconds).
"""

import argparse
import statistics
import sys
import time

from mapletree_edu import MapleTree
from mapletree_edu.render import build_step, dot_to_svg, have_dot, trace_dots
from mapletree_edu.render.frame import STAGES, trace_hex
from mapletree_edu.trace import record

PAGE = 4096
BASE = 0x555555554000
TARGETS_MS = {200: 50.0, 2000: 300.0}
FIRST_FRAME_MS = 1000.0


def vma_tree(n):
    t = MapleTree(alloc=True)
    for i in range(n):
        first = BASE + i * 3 * PAGE
        t.store(first, first + 2 * PAGE - 1, i + 1)
    return t


def mprotect_op(t, n):
    """Record the mprotect-like store; return its steps."""
    first = BASE + (n // 2) * 3 * PAGE
    with record(t, f"store {first} {first + PAGE - 1} {n + 1}") as rec:
        t.store(first, first + PAGE - 1, n + 1)
    return rec.steps


def median_ms(fn, runs):
    times = []
    for _ in range(runs):
        dot_to_svg.cache_clear()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def drawn(dot):
    return sum(1 for line in dot.splitlines() if line.startswith("  n") and "[label=" in line)


def step_rows(runs):
    rows = []
    for n in (200, 2000):
        t = vma_tree(n)
        steps = mprotect_op(t, n)
        for collapse in (True, False):
            t0 = time.perf_counter()
            dot = trace_dots(steps, collapse=collapse)[-1]
            dot_ms = (time.perf_counter() - t0) * 1000
            svg_ms = median_ms(lambda d=dot: dot_to_svg(d), runs if collapse else 3)
            target = TARGETS_MS[n] if collapse else None
            what = f"{n} VMAs, step {steps[-1].fn}" + ("" if collapse else " (no collapse)")
            rows.append((what, f"{drawn(dot)}/{t.node_count}", dot_ms, svg_ms, target))
    return rows


def first_frame_rows(runs, full_build):
    rows = []

    def op_frame():
        t = vma_tree(2000)            # building the tree is not part of the trace
        t0 = time.perf_counter()
        steps = mprotect_op(t, 2000)
        dot = trace_dots(steps[:1])[0]
        dot_to_svg(dot)
        return (time.perf_counter() - t0) * 1000, len(steps)

    def fork_frame():
        t = vma_tree(2000)
        t0 = time.perf_counter()
        with record(t, "dup") as rec:
            t.dup()
        dot = trace_dots(rec.steps[:1])[0]
        dot_to_svg(dot)
        return (time.perf_counter() - t0) * 1000, len(rec.steps)

    cases = [("first frame: mprotect op on 2000 VMAs", op_frame),
             ("first frame: fork (dup) of 2000 VMAs", fork_frame)]
    for what, fn in cases:
        times, nsteps = [], 0
        for _ in range(max(1, runs // 2)):
            dot_to_svg.cache_clear()
            ms, nsteps = fn()
            times.append(ms)
        rows.append((f"{what} ({nsteps} steps)", "-", None, statistics.median(times),
                     FIRST_FRAME_MS))
    if full_build:
        t = MapleTree(alloc=True)
        dot_to_svg.cache_clear()
        t0 = time.perf_counter()
        with record(t, "build") as rec:
            for i in range(2000):
                first = BASE + i * 3 * PAGE
                t.store(first, first + 2 * PAGE - 1, i + 1)
        dot_to_svg(trace_dots(rec.steps[:1])[0])
        ms = (time.perf_counter() - t0) * 1000
        rows.append((f"first frame: recorded build of 2000 VMAs ({len(rec.steps)} steps)",
                     "-", None, ms, FIRST_FRAME_MS))
    return rows


def pipeline_rows(runs):
    """(case, level, drawn, per-stage medians ms, total ms) for the last step's frame."""
    rows = []
    for n in (20, 200, 2000):
        t = vma_tree(n)
        steps = mprotect_op(t, n)
        hx = trace_hex(steps)
        for presenter in (False, True):
            per = {k: [] for k in STAGES}
            warm = []
            frame = None
            for _ in range(runs):
                clear_caches()            # cold: no node measured or labelled before
                frame = build_step(steps, len(steps) - 1, hex_numbers=hx, presenter=presenter)
                for k in STAGES:
                    per[k].append(frame.timings[k] * 1000)
                again = build_step(steps, len(steps) - 1, hex_numbers=hx, presenter=presenter)
                warm.append(sum(again.timings.values()) * 1000)
            med = {k: statistics.median(v) for k, v in per.items()}
            what = f"{n} VMAs, {steps[-1].fn}" + (" (presenter)" if presenter else "")
            rows.append((what, frame.plan.level, f"{len(frame.plan.visible)}/{t.node_count}",
                         med, sum(med.values()), statistics.median(warm)))
    return rows


def clear_caches():
    from mapletree_edu.render import collapse, labels
    collapse._node_w.cache_clear()
    labels._node_label.cache_clear()


def print_pipeline(runs):
    print()
    print(f"{'frame pipeline':<44} {'level':<24} {'drawn':>8} "
          + " ".join(f"{k:>7}" for k in STAGES) + f" {'total':>7} {'warm':>7}")
    for what, level, drawn_s, med, total, warm in pipeline_rows(runs):
        print(f"{what:<44} {level:<24} {drawn_s:>8} "
              + " ".join(f"{med[k]:7.2f}" for k in STAGES) + f" {total:7.2f} {warm:7.2f}")
    print(f"ms per stage of one frame built cold (no node measured or labelled before), "
          f"median of {runs} runs; warm: the same frame built again (node caches hit)")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=7, help="runs per measurement (median)")
    p.add_argument("--full-build", action="store_true",
                   help="also record the creation of 2,000 VMAs as one trace")
    opts = p.parse_args(argv)
    if not have_dot():
        print("bench_render: Graphviz `dot` is not on PATH (apt-get install graphviz)")
        return 1
    dot_to_svg(trace_dots(mprotect_op(vma_tree(10), 10))[0])     # warm up imports
    rows = step_rows(opts.runs) + first_frame_rows(opts.runs, opts.full_build)
    print(f"{'case':<62} {'drawn':>8} {'DOT ms':>8} {'SVG ms':>8} {'target':>8}  result")
    missed = 0
    for what, nodes, dot_ms, svg_ms, target in rows:
        dot_s = f"{dot_ms:8.1f}" if dot_ms is not None else f"{'':>8}"
        if target is None:
            verdict, target_s = "(info)", f"{'-':>8}"
        else:
            ok = svg_ms <= target
            missed += not ok
            verdict, target_s = ("ok" if ok else "MISSED"), f"{target:8.0f}"
        print(f"{what:<62} {nodes:>8} {dot_s} {svg_ms:8.1f} {target_s}  {verdict}")
    print(f"median of {opts.runs} uncached runs (first frames: {max(1, opts.runs // 2)}); "
          "'SVG ms' of a first frame is the whole time: recording + DOT + SVG")
    if missed:
        print(f"{missed} target(s) missed (see the rows marked MISSED)")
    print_pipeline(opts.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
