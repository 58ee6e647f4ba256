# SPDX-License-Identifier: GPL-2.0-or-later
"""Bulk stores, __mt_dup and both fork paths in the model: times and counters.

Run: ``.venv/bin/python bench/bench_dup_fork.py`` (``--quick``: sizes up to 6421).
Prints tables and writes ``bench/out/dup_fork.json``. A measurement, never a test.

What is measured (CPU time, ``time.process_time``; best of several runs; gc off while
timing):

* **bulk store**: ``mas_expected_entries`` + one ``vma_iter_bulk_store`` per VMA +
  ``mas_destroy`` (``MapleTree.bulk``/``BulkLoader.store``) of the largest address space,
  divided by its VMA count.
* **duplicated node**: ``MapleTree.dup()`` (``__mt_dup``) of the largest parent tree,
  divided by its node count; beside it, in the same run, the bare Python floor: making
  an object with ``__slots__`` and giving it copies (slices) of a 16-entry slot list and
  a 15-entry pivot list. Target: a duplicated node costs at most 3x the bare copy.
* **fork sweep**: for each size of the merged commit's benchmark table (the total VMA
  count of the forking process, 21 ... 51221; the same list as the ``vmas`` column of
  the v4 series in fork-benchmarks.csv) a parent is built from
  ``synthetic_address_space(n - 21)`` and forked both ways:
  ``fork_pre68`` (bulk rebuild, v6.1-v6.7) and ``fork_v68`` (``__mt_dup`` + replace
  pass; its ``__mt_dup`` part is also timed alone). Times are taken with no tracer
  (``events=None``); the counters (nodes visited,
  copied, splits, pushes, ledger) come from a second run with the counting tracer, and
  that counted pass over all sizes and both paths, run once as a user would run it, is
  the "sweep" whose total must stay under 10 s.

The ratio old/new of the model is printed beside the kernel's whole-fork ratio (from
the forks-per-10-s table); the kernel figure includes page tables, the scheduler and
``exit_mmap``, so only the direction is comparable.
"""

import argparse
import csv
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
from mapletree_edu.debug.walker import walk
from mapletree_edu.fork import build_mm_tree, fork_pre68, fork_v68, synthetic_address_space
from mapletree_edu.lab.timing import timed

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "dup_fork.json"
CSV = ROOT / "tests" / "data" / "fork-benchmarks.csv"      # the repository's copy
SIZES = [21, 121, 221, 421, 821, 1621, 3221, 6421, 12821, 25621, 51221]
BASE_VMAS = 21
DUP_TARGET = 3.0
SWEEP_TARGET_S = 10.0


def kernel_table():
    """{vmas: (old, new)} forks per 10 s of the v4 series, if the CSV copy is there."""
    if not CSV.exists():
        return {}
    rows = [r for r in csv.reader(line for line in CSV.read_text().splitlines()
                                  if line and not line.startswith("#"))]
    head = rows[0]
    out = {}
    for r in rows[1:]:
        d = dict(zip(head, r, strict=True))
        if d["series"] == "v4":
            out[int(d["vmas"])] = (int(d["old"]), int(d["new"]))
    return out


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


def internal_nodes(tree):
    return sum(1 for v in walk(tree.core.root) if v.node.type >= 2)


def row(cols, widths):
    return "  ".join(str(c).rjust(w) for c, w in zip(cols, widths, strict=True))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sizes up to 6421 only")
    args = ap.parse_args(argv)
    sizes = [n for n in SIZES if n <= 6421] if args.quick else SIZES
    kernel = kernel_table()
    if kernel and sorted(kernel) != SIZES:
        print(f"note: the CSV's v4 sizes {sorted(kernel)} differ from {SIZES}")
    report = {"python": sys.version.split()[0], "machine": platform.machine(),
              "platform": platform.platform(), "timer": "process_time, best of runs, gc off"}

    # --- parents --------------------------------------------------------------------
    parents = {}
    build_t = {}
    for n in sizes:
        vmas = synthetic_address_space(n - BASE_VMAS)
        build_t[n], parents[n] = timed(lambda vmas=vmas: build_mm_tree(vmas), 1)
    big = sizes[-1]
    parent = parents[big]
    big_vmas = [e for _f, _l, e in parent.ranges()]

    # --- bulk store, dup node vs bare copy ------------------------------------------------
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
    print(f"Python {report['python']} on {report['machine']}; CPU time, best of runs, gc off\n")
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

    # --- timed fork sweep (no tracer) --------------------------------------------------------
    print("\nfork, both paths (times without a tracer; counters from the counted pass)")
    widths = [6, 6, 3, 9, 8, 8, 6, 6, 6, 6, 7, 8, 8, 7, 6, 6, 7]
    print(row(["VMAs", "nodes", "h", "build ms", "old ms", "old/VMA", "allocs", "frees",
               "splits", "pushes", "visits", "new ms", "new/VMA", "dup ms", "allocs", "calls",
               "old/new"], widths))
    print(row(["", "parent", "", "parent", "pre-6.8", "us", "", "", "", "", "", "v6.8", "us",
               "of new", "", "", ""], widths))
    sweep = []
    for n in sizes:
        p = parents[n]
        rep = 3 if n <= 6421 else 1
        t_old, _ = timed(lambda p=p: fork_pre68(p, events=None), rep)
        t_new, _ = timed(lambda p=p: fork_v68(p, events=None), rep)
        t_dup, _ = timed(p.dup, rep)
        sweep.append({"vmas": n, "parent_nodes": p.node_count, "parent_height": p.height,
                      "parent_build_s": build_t[n], "pre68_s": t_old, "v68_s": t_new,
                      "v68_dup_s": t_dup})
    # --- the counted sweep, one pass, as a user runs it --------------------------------------
    t0 = time.process_time()
    counted = {n: (fork_pre68(parents[n]), fork_v68(parents[n])) for n in sizes}
    sweep_total = time.process_time() - t0
    for rec in sweep:
        n = rec["vmas"]
        old, new = counted[n]
        rec["pre68"] = dict(old.costs.as_dict(), child_nodes=old.child.node_count,
                            child_height=old.child.height, live=old.live)
        rec["v68"] = dict(new.costs.as_dict(), child_nodes=new.child.node_count,
                          child_height=new.child.height, live=new.live,
                          internal_nodes=internal_nodes(new.child))
        rec["old_over_new"] = rec["pre68_s"] / rec["v68_s"]
        if n in kernel:
            k_old, k_new = kernel[n]
            rec["kernel_old_over_new"] = k_new / k_old      # time ratio from forks/10 s
        o = rec["pre68"]
        w = rec["v68"]
        print(row([n, rec["parent_nodes"], rec["parent_height"],
                   f"{rec['parent_build_s'] * 1e3:.1f}", f"{rec['pre68_s'] * 1e3:.1f}",
                   f"{rec['pre68_s'] / n * 1e6:.2f}", o["allocs"], o["frees"], o["splits"],
                   o["pushes"], o["visits"], f"{rec['v68_s'] * 1e3:.1f}",
                   f"{rec['v68_s'] / n * 1e6:.2f}", f"{rec['v68_dup_s'] * 1e3:.1f}",
                   w["allocs"], w["alloc_calls"],
                   f"{rec['old_over_new']:.2f}"], widths))
    report["sweep"] = sweep
    timed_total = sum(r["pre68_s"] + r["v68_s"] for r in sweep)
    ok_sweep = sweep_total < SWEEP_TARGET_S
    print("\nold/new time ratio in the kernel (whole fork, v4 table): "
          + ", ".join(f"{r['vmas']}: {r['kernel_old_over_new']:.2f}"
                      for r in sweep if "kernel_old_over_new" in r))
    print(f"one pass of both paths over {len(sizes)} sizes, no tracer: {timed_total:.2f} s")
    print(f"Target: the {len(sizes)}-size sweep of both paths (counters on, one pass) "
          f"< {SWEEP_TARGET_S:.0f} s -> {'PASS' if ok_sweep else 'MISS'} ({sweep_total:.2f} s)")
    report.update(sweep_total_s=sweep_total, sweep_no_tracer_s=timed_total,
                  sweep_target_s=SWEEP_TARGET_S, sweep_pass=ok_sweep, sizes=sizes)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
