# SPDX-License-Identifier: GPL-2.0-or-later
"""The model's sweep of both fork paths over the benchmark's VMA counts, per layout.

For each layout of :mod:`~mapletree_edu.lab.layouts` and each size n (total VMAs, as in
the published tables) a parent tree is built and forked both ways:

``old``  :func:`~mapletree_edu.fork.fork_pre68`: the v6.1-v6.7 bulk rebuild. Its
         ``dup_mmap()`` walks the *parent's* tree with ``for_each_vma(old_vmi, mpnt)``
         (the line the v3 patch in the review thread removes) and stores each copy
         with ``vma_iter_bulk_store``.
``new``  :func:`~mapletree_edu.lab.replace.fork_v68_iter`: ``__mt_dup``, then v6.8's
         ``for_each_vma(vmi, mpnt)`` walks the *child's* tree and stores each copy at
         the leaf the iterator is on.

Both paths iterate a tree of the same shape once, so both rows carry ``iter_moves``
(the iterator's node reads, :func:`~mapletree_edu.lab.replace.iterator_moves`) and
:func:`work` counts them on both sides. The other counters are exact and come from the
model's counting tracer: ``allocs``, ``frees``, ``alloc_calls`` (the ledger),
``nodes_copied``, ``visits`` (nodes entered by write walks and copies), ``splits``,
``pushes``, ``rebalances``, ``spanning_stores``. ``seconds`` (only when timed) is the
model's CPU time (``time.process_time``) of one fork without a tracer, best of
``timing`` runs: the cost of this Python model, not of the kernel.

Counters do not depend on the machine, so a full sweep's counters are kept in
``sweep-counters.json`` beside this module (written by ``python -m
mapletree_edu.lab.sweep --write``); the notebook and the tests check them against the
live model at the sizes they measure themselves.
"""

import argparse
import json
from pathlib import Path

from ..debug.walker import walk
from ..fork import build_mm_tree, fork_pre68
from .data import load_benchmarks
from .layouts import LAYOUTS, make
from .replace import fork_v68_iter, iterator_moves
from .timing import timed

#: The VMA counts of the merged commit's table (v4 series), read from the CSV.
TABLE_SIZES = tuple(r.vmas for r in load_benchmarks()["v4"])
#: Beyond the table, doubling on: what the full sweep adds.
BEYOND = (102421,)
PATHS = ("old", "new")
COUNTERS = ("allocs", "frees", "alloc_calls", "nodes_copied", "visits", "splits", "pushes",
            "rebalances", "spanning_stores", "iter_moves")
CACHE_PATH = Path(__file__).resolve().parent / "sweep-counters.json"


def tree_counts(tree):
    """nodes, leaves, internal nodes, height and entries (used leaf slots, NULL ranges
    included) of a tree."""
    root = tree.core.root
    out = {"nodes": 0, "leaves": 0, "internal": 0, "height": tree.height, "entries": 0}
    if root is None or root.__class__.__name__ != "Node":
        return out
    for v in walk(root):
        out["nodes"] += 1
        if v.node.type < 2:
            out["leaves"] += 1
            out["entries"] += v.end + 1
        else:
            out["internal"] += 1
    return out


def measure(vmas, layout="holes", timing=1):
    """One row of the sweep: the parent's shape and both paths' counters (and model CPU
    time, best of ``timing`` runs without a tracer; ``timing=0``: not timed)."""
    parent = build_mm_tree(make(layout, vmas))
    moves = iterator_moves(parent)
    row = {"vmas": vmas, "layout": layout, "parent": tree_counts(parent)}
    old = fork_pre68(parent)
    row["old"] = dict(old.costs.as_dict(), iter_moves=moves, **_child(old.child))
    counts = {}
    child, costs, _s = fork_v68_iter(parent, counts=counts)
    row["new"] = dict(costs.as_dict(), iter_moves=counts["iter_reads"], **_child(child))
    if timing:
        row["old"]["seconds"] = timed(lambda: fork_pre68(parent, events=None), timing)[0]
        row["new"]["seconds"] = timed(lambda: fork_v68_iter(parent, events=None), timing)[0]
    return row


def _child(tree):
    c = tree_counts(tree)
    return {"child_nodes": c["nodes"], "child_height": c["height"],
            "child_leaves": c["leaves"]}


def run_sweep(sizes, layout="holes", timing=1, progress=False):
    """:func:`measure` for every size of one layout; ``progress=True`` shows a tqdm bar."""
    sizes = list(sizes)
    it = sizes
    if progress:
        from tqdm.auto import tqdm
        it = tqdm(sizes, desc=f"fork sweep ({layout})", unit="size")
    return [measure(n, layout, timing) for n in it]


def run_all(sizes, layouts=LAYOUTS, timing=1, progress=False):
    """{layout: rows} for every layout."""
    return {lay: run_sweep(sizes, lay, timing, progress) for lay in layouts}


# --- derived quantities -------------------------------------------------------------------

def work(row, path):
    """Node touches of one fork: allocations + nodes visited (store walks and copies) +
    the iterator's node reads (the parent's tree for ``old``, the child's for ``new``)."""
    p = row[path]
    return p["allocs"] + p["visits"] + p["iter_moves"]


def unused(row):
    """Share of the old path's preallocation that ``mas_destroy`` gives back unused."""
    return row["old"]["frees"] / row["old"]["allocs"]


def per_vma(rows, path, key):
    """[(vmas, value per VMA)] of a counter (or "work") along the sweep."""
    out = []
    for r in rows:
        v = work(r, path) if key == "work" else r[path][key]
        out.append((r["vmas"], v / r["vmas"]))
    return out


def row_at(rows, vmas):
    """The row of ``rows`` for ``vmas`` VMAs."""
    for r in rows:
        if r["vmas"] == vmas:
            return r
    raise ValueError(f"no row for {vmas} VMAs; the sweep has {[r['vmas'] for r in rows]}")


def counters_only(rows):
    """The rows without CPU times (what the cache keeps)."""
    out = []
    for r in rows:
        r2 = {"vmas": r["vmas"], "layout": r["layout"], "parent": dict(r["parent"])}
        for p in PATHS:
            r2[p] = {k: v for k, v in r[p].items() if k != "seconds"}
        out.append(r2)
    return out


def save_cache(by_layout, path=CACHE_PATH):
    data = {"about": "counters of mapletree_edu.lab.sweep.measure(n, layout) for each n "
                     "and layout; regenerate with: python -m mapletree_edu.lab.sweep --write",
            "layouts": {lay: counters_only(rows) for lay, rows in by_layout.items()}}
    Path(path).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load_cache(path=CACHE_PATH):
    """{layout: cached counter rows in size order}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))["layouts"]
    order = [lay for lay in LAYOUTS if lay in data] + sorted(set(data) - set(LAYOUTS))
    return {lay: sorted(data[lay], key=lambda r: r["vmas"]) for lay in order}


def compare_with_cache(live, cached):
    """[(vmas, path, key, live value, cached value)] for every counter that differs
    between live rows and cached rows (of one layout) at the sizes both have."""
    by_n = {r["vmas"]: r for r in cached}
    diffs = []
    for r in counters_only(live):
        c = by_n.get(r["vmas"])
        if c is None:
            diffs.append((r["vmas"], "-", "missing from the cache", None, None))
            continue
        if r["parent"] != c["parent"]:
            diffs.append((r["vmas"], "parent", "shape", r["parent"], c["parent"]))
        for p in PATHS:
            for k in sorted(set(r[p]) | set(c[p])):
                if r[p].get(k) != c[p].get(k):
                    diffs.append((r["vmas"], p, k, r[p].get(k), c[p].get(k)))
    return diffs


def merged(live, cached):
    """Live rows where measured, cached rows elsewhere (each row marked ``source``)."""
    by_n = {r["vmas"]: dict(r, source="cache") for r in cached}
    for r in live:
        by_n[r["vmas"]] = dict(r, source="live")
    return [by_n[n] for n in sorted(by_n)]


def main(argv=None):
    ap = argparse.ArgumentParser(description="the fork lab's sweep of both fork paths")
    ap.add_argument("--max", type=int, default=max(TABLE_SIZES + BEYOND),
                    help="largest VMA count to measure")
    ap.add_argument("--write", action="store_true", help=f"write {CACHE_PATH.name}")
    ap.add_argument("--timing", type=int, default=0, help="timed runs per path (0: none)")
    args = ap.parse_args(argv)
    sizes = [n for n in TABLE_SIZES + BEYOND if n <= args.max]
    by_layout = run_all(sizes, timing=args.timing, progress=True)
    for lay, rows in by_layout.items():
        print(f"layout {lay}")
        for r in rows:
            print(f"{r['vmas']:>7} nodes {r['parent']['nodes']:>6} h {r['parent']['height']}  "
                  f"old work {work(r, 'old'):>7} new work {work(r, 'new'):>7} "
                  f"ratio {work(r, 'old') / work(r, 'new'):.3f}  unused {unused(r):.3f}")
    if args.write:
        save_cache(by_layout)
        print(f"wrote {CACHE_PATH}")


if __name__ == "__main__":
    main()


__all__ = ["TABLE_SIZES", "BEYOND", "PATHS", "COUNTERS", "CACHE_PATH", "tree_counts",
           "measure", "run_sweep", "run_all", "work", "unused", "per_vma", "row_at",
           "counters_only", "save_cache", "load_cache", "compare_with_cache", "merged"]
