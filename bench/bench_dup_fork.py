# SPDX-License-Identifier: GPL-2.0-or-later
"""Bulk stores, __mt_dup and both fork paths in the model: the model's CPU time and
its counters, per layout.

Run: ``.venv/bin/python bench/bench_dup_fork.py`` (``--quick``: sizes up to 6421).
Prints tables and writes ``bench/out/dup_fork.json``. A measurement, never a test.

All times here are the CPU time of this Python model (``time.process_time``; best of
several runs; gc off while timing). They measure the model, not the kernel, and are
not compared with the kernel's figures.

* **bulk store**: ``mas_expected_entries`` + one ``vma_iter_bulk_store`` per VMA +
  ``mas_destroy`` (``MapleTree.bulk``/``BulkLoader.store``) of the largest address space,
  divided by its VMA count.
* **duplicated node**: ``MapleTree.dup()`` (``__mt_dup``) of the largest parent tree,
  divided by its node count; beside it, in the same run, the bare Python floor: making
  an object with ``__slots__`` and giving it copies (slices) of a 16-entry slot list and
  a 15-entry pivot list. Target: a duplicated node costs at most 3x the bare copy.
* **fork sweep**: for each layout of ``mapletree_edu.lab.layouts`` and each size of the
  merged commit's table (21 ... 51221 VMAs) a parent is built and forked both ways:
  ``fork_pre68`` (bulk rebuild, v6.1-v6.7) and ``fork_v68_iter`` (``__mt_dup`` + the
  replace pass at the iterator's leaf, v6.8). Times are taken with no tracer; the
  counters come from ``mapletree_edu.lab.sweep.measure``, which counts the same work on
  both paths (each walks a tree of the parent's shape once). The counted pass over all
  sizes and both paths of one layout is the "sweep" whose total must stay under 10 s.
"""

import argparse
import json
import platform
import sys
import time
from pathlib import Path

try:
    import mapletree_edu  # noqa: F401
except ImportError:                                   # run from a checkout without install
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mapletree_edu import MapleTree
from mapletree_edu.fork import build_mm_tree, fork_pre68
from mapletree_edu.lab import layouts, sweep
from mapletree_edu.lab.replace import fork_v68_iter
from mapletree_edu.lab.timing import timed

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "dup_fork.json"
SIZES = list(sweep.TABLE_SIZES)
DUP_TARGET = 3.0
SWEEP_TARGET_S = 10.0


class BareNode:
    """The floor: an object with __slots__ holding a slot list and a pivot list."""

    __slots__ = ("pivots", "slots")

    def __init__(self, pivots=None, slots=None):
        self.pivots = pivots
        self.slots = slots


def bare_copy_all(nodes):
    out = []
    append = out.append
    for o in nodes:
        n = BareNode()
        n.pivots = o.pivots[:]
        n.slots = o.slots[:]
        append(n)
    return out


def bulk_load(vmas):
    t = MapleTree(alloc=True)
    with t.bulk(len(vmas)) as b:
        store = b.store
        for v in vmas:
            store(v.start, v.end - 1, v)
    return t


def row(cols, widths):
    return "  ".join(str(c).rjust(w) for c, w in zip(cols, widths, strict=True))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sizes up to 6421 only")
    args = ap.parse_args(argv)
    sizes = [n for n in SIZES if n <= 6421] if args.quick else SIZES
    report = {"python": sys.version.split()[0], "machine": platform.machine(),
              "platform": platform.platform(),
              "timer": "process_time of the Python model, best of runs, gc off"}

    # --- bulk store, dup node vs bare copy (holes layout, the largest size) ---------------
    big = sizes[-1]
    parent = build_mm_tree(layouts.make("holes", big))
    big_vmas = [e for _f, _l, e in parent.ranges()]
    t_bulk, bulk_tree = timed(lambda: bulk_load(big_vmas), 3)
    us_bulk = t_bulk / len(big_vmas) * 1e6
    nodes = parent.node_count
    t_dup, dup_tree = timed(parent.dup, 15)
    assert dup_tree.node_count == nodes
    us_dup = t_dup / nodes * 1e6
    sources = [BareNode(list(range(15)), [object() for _ in range(16)]) for _ in range(nodes)]
    t_bare, _ = timed(lambda: bare_copy_all(sources), 15)
    us_bare = t_bare / nodes * 1e6
    ratio = us_dup / us_bare
    print(f"Python {report['python']} on {report['machine']}; the model's CPU time, best of "
          "runs, gc off\n")
    print(f"bulk store ({len(big_vmas)} VMAs, expected={len(big_vmas)}):   "
          f"{us_bulk:.2f} us per store  ({bulk_tree.node_count} nodes built)")
    print(f"dup of the {len(big_vmas)}-VMA tree ({nodes} nodes):  {us_dup:.2f} us per node, "
          f"{t_dup / len(big_vmas) * 1e6:.2f} us per VMA")
    print(f"bare copy of a 16-slot node (object + 2 slices): {us_bare:.3f} us")
    ok_dup = ratio <= DUP_TARGET
    print(f"Target: duplicated node <= {DUP_TARGET:.0f}x the bare copy -> "
          f"{'PASS' if ok_dup else 'MISS'} ({ratio:.2f}x)")
    report.update(bulk_store_us=us_bulk, bulk_vmas=len(big_vmas), dup_node_us=us_dup,
                  dup_nodes=nodes, bare_copy_us=us_bare, dup_vs_bare=ratio,
                  dup_target=DUP_TARGET, dup_pass=ok_dup)

    # --- per layout: timed forks (no tracer) and the counted sweep ------------------------
    widths = [7, 6, 3, 9, 8, 9, 8, 8, 9, 8]
    report["layouts"] = {}
    worst_sweep = 0.0
    for layout in layouts.LAYOUTS:
        print(f"\nlayout: {layouts.LAYOUT_NAMES[layout]}")
        print(row(["VMAs", "nodes", "h", "old ms", "old us/VMA", "new ms", "new us/VMA",
                   "touches", "old/new", "unused %"], widths))
        out = []
        t0 = time.process_time()
        counted = sweep.run_sweep(sizes, layout, timing=0)
        sweep_total = time.process_time() - t0
        worst_sweep = max(worst_sweep, sweep_total)
        for r in counted:
            n = r["vmas"]
            p = build_mm_tree(layouts.make(layout, n))
            rep = 3 if n <= 6421 else 1
            t_old, _ = timed(lambda p=p: fork_pre68(p, events=None), rep)
            t_new, _ = timed(lambda p=p: fork_v68_iter(p, events=None), rep)
            rec = dict(sweep.counters_only([r])[0], model_old_s=t_old, model_new_s=t_new)
            out.append(rec)
            print(row([n, r["parent"]["nodes"], r["parent"]["height"],
                       f"{t_old * 1e3:.1f}", f"{t_old / n * 1e6:.2f}", f"{t_new * 1e3:.1f}",
                       f"{t_new / n * 1e6:.2f}", f"{sweep.work(r, 'old') / n:.3f}",
                       f"{sweep.work(r, 'old') / sweep.work(r, 'new'):.3f}",
                       f"{sweep.unused(r) * 100:.1f}"], widths))
        print(f"counted sweep of both paths over {len(sizes)} sizes: {sweep_total:.2f} s")
        report["layouts"][layout] = {"rows": out, "sweep_total_s": sweep_total}
    ok_sweep = worst_sweep < SWEEP_TARGET_S
    print(f"\nTarget: the {len(sizes)}-size counted sweep of both paths, one layout, "
          f"< {SWEEP_TARGET_S:.0f} s -> {'PASS' if ok_sweep else 'MISS'} "
          f"(slowest layout {worst_sweep:.2f} s)")
    print("(\"touches\" = old node touches per VMA; old/new counts the same work on both "
          "paths; times are the model's)")
    report.update(sweep_total_s=worst_sweep, sweep_target_s=SWEEP_TARGET_S,
                  sweep_pass=ok_sweep, sizes=sizes)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
