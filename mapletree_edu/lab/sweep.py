# SPDX-License-Identifier: GPL-2.0-or-later
"""The model's sweep of both fork paths over the benchmark's VMA counts.

For each size n (total VMAs, as in the published tables) a parent is built from
``synthetic_address_space(n - 21)`` and forked three ways:

``old``       :func:`~mapletree_edu.fork.fork_pre68`: the v6.1-v6.7 bulk rebuild
``new``       :func:`~mapletree_edu.fork.fork_v68`: ``__mt_dup`` + a replace pass through
              the normal API (a walk from the root per VMA)
``new_iter``  :func:`~mapletree_edu.lab.replace.fork_v68_iter`: ``__mt_dup`` + the replace
              pass as the kernel iterates (each store starts at its leaf)

Counters (all exact and deterministic): ``allocs``, ``frees``, ``alloc_calls`` (the
ledger), ``nodes_copied``, ``visits`` (nodes entered by walks and copies), ``splits``,
``pushes``, ``rebalances``, ``spanning_stores``; for ``new_iter`` also ``iter_moves``
(node reads of the iterator between leaves, :func:`~mapletree_edu.lab.replace.iterator_moves`).
``seconds`` is the CPU time (``time.process_time``) of one fork without a tracer, best of
``timing`` runs: CPU time, so that other processes on the machine do not inflate it.

Counters do not depend on the machine, so a full sweep's counters are kept in
``sweep-counters.json`` beside this module (written by ``python -m
mapletree_edu.lab.sweep --write``); a notebook can load them and check them against
the live model at the sizes it measures itself.
"""

import argparse
import json
from pathlib import Path

from ..debug.walker import walk
from ..fork import build_mm_tree, fork_pre68, fork_v68, synthetic_address_space
from .data import BASE_VMAS, load_benchmarks
from .replace import fork_v68_iter, iterator_moves
from .timing import timed

#: The VMA counts of the merged commit's table (v4 series), read from the CSV.
TABLE_SIZES = tuple(r.vmas for r in load_benchmarks()["v4"])
#: Beyond the table, doubling on: what the full sweep adds.
BEYOND = (102421,)
PATHS = ("old", "new", "new_iter")
COUNTERS = ("allocs", "frees", "alloc_calls", "nodes_copied", "visits", "splits", "pushes",
            "rebalances", "spanning_stores")
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


def measure(vmas, timing=1):
    """One row of the sweep: the parent's shape and every path's counters (and CPU
    time, best of ``timing`` runs without a tracer; ``timing=0``: no timing)."""
    if vmas < BASE_VMAS:
        raise ValueError(f"a process has at least {BASE_VMAS} VMAs here, not {vmas}")
    parent = build_mm_tree(synthetic_address_space(vmas - BASE_VMAS))
    row = {"vmas": vmas, "parent": tree_counts(parent)}
    old = fork_pre68(parent)
    row["old"] = dict(old.costs.as_dict(), **_child(old.child))
    new = fork_v68(parent)
    row["new"] = dict(new.costs.as_dict(), **_child(new.child))
    child, costs, _s = fork_v68_iter(parent)
    row["new_iter"] = dict(costs.as_dict(), iter_moves=iterator_moves(child), **_child(child))
    if timing:
        row["old"]["seconds"] = timed(lambda: fork_pre68(parent, events=None), timing)[0]
        row["new"]["seconds"] = timed(lambda: fork_v68(parent, events=None), timing)[0]
        row["new_iter"]["seconds"] = timed(lambda: fork_v68_iter(parent, events=None),
                                           timing)[0]
    return row


def _child(tree):
    c = tree_counts(tree)
    return {"child_nodes": c["nodes"], "child_height": c["height"],
            "child_leaves": c["leaves"]}


def run_sweep(sizes, timing=1, progress=False):
    """:func:`measure` for every size; ``progress=True`` shows a tqdm.auto bar."""
    sizes = list(sizes)
    it = sizes
    if progress:
        from tqdm.auto import tqdm
        it = tqdm(sizes, desc="fork sweep", unit="size")
    return [measure(n, timing) for n in it]


# --- derived quantities -------------------------------------------------------------------

def work(row, path):
    """Model work of one fork: node allocations + nodes visited (walks and copies); for
    ``new_iter`` the iterator's node reads between leaves are included."""
    p = row[path]
    return p["allocs"] + p["visits"] + p.get("iter_moves", 0)


def per_vma(rows, path, key):
    """[(vmas, value per VMA)] of a counter (or "work") along the sweep."""
    out = []
    for r in rows:
        v = work(r, path) if key == "work" else r[path][key]
        out.append((r["vmas"], v / r["vmas"]))
    return out


def counters_only(rows):
    """The rows without wall times (what the cache keeps)."""
    out = []
    for r in rows:
        r2 = {"vmas": r["vmas"], "parent": dict(r["parent"])}
        for p in PATHS:
            r2[p] = {k: v for k, v in r[p].items() if k != "seconds"}
        out.append(r2)
    return out


def save_cache(rows, path=CACHE_PATH):
    data = {"about": "counters of mapletree_edu.lab.sweep.measure(n) for each n; "
                     "regenerate with: python -m mapletree_edu.lab.sweep --write",
            "rows": counters_only(rows)}
    Path(path).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load_cache(path=CACHE_PATH):
    """The cached counter rows, in size order."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return sorted(data["rows"], key=lambda r: r["vmas"])


def compare_with_cache(live, cached):
    """[(vmas, path, key, live value, cached value)] for every counter that differs
    between live rows and the cache at the sizes both have."""
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
    ap.add_argument("--timing", type=int, default=1, help="timed runs per path (0: none)")
    args = ap.parse_args(argv)
    sizes = [n for n in TABLE_SIZES + BEYOND if n <= args.max]
    rows = run_sweep(sizes, timing=args.timing, progress=True)
    for r in rows:
        o, w, i = r["old"], r["new"], r["new_iter"]
        times = ""
        if "seconds" in o:
            times = (f"  old {o['seconds'] * 1e3:8.1f} ms  new {w['seconds'] * 1e3:8.1f} ms"
                     f"  iter {i['seconds'] * 1e3:8.1f} ms")
        print(f"{r['vmas']:>7} nodes {r['parent']['nodes']:>6} h {r['parent']['height']}  "
              f"old allocs {o['allocs']:>6} visits {o['visits']:>7}  new visits "
              f"{w['visits']:>7}  iter visits {i['visits']:>7}{times}")
    if args.write:
        save_cache(rows)
        print(f"wrote {CACHE_PATH}")


if __name__ == "__main__":
    main()


__all__ = ["TABLE_SIZES", "BEYOND", "PATHS", "COUNTERS", "CACHE_PATH", "tree_counts", "measure",
           "run_sweep", "work", "per_vma", "counters_only", "save_cache", "load_cache",
           "compare_with_cache", "merged"]
