# SPDX-License-Identifier: GPL-2.0-or-later
"""Tables and computed sentences for the fork cost lab's model sections: the sweep per
layout, the unused preallocation, node counts, fill and bench_forking.

Every sentence is written from the counters it is given: its numbers and its wording
change when they change. The model's CPU time never enters a sentence (it is the cost
of this Python model, and varies between runs and machines).
"""

from ..fork import build_mm_tree, fork_pre68
from ..texttable import Table
from .fit import least_squares, per_unit_spread
from .layouts import LAYOUT_NAMES, REAL_MAPS, entries, holes_after, real_process
from .nodecount import dense_nodes, peng_nodes, prealloc_nodes
from .replace import fork_v68_iter, iterator_moves
from .report import join
from .sweep import PATHS, per_vma, row_at, unused, work

PATH_NAMES = {"old": "old (bulk rebuild)", "new": "new (__mt_dup + replace pass)"}
KEYS = ("allocs", "frees", "alloc_calls", "nodes_copied", "visits", "iter_moves", "splits",
        "pushes", "work")
TOLERANCE = 0.10


def in_range(rows, lo, hi):
    return [r for r in rows if lo <= r["vmas"] <= hi]


def _name(layout):
    return LAYOUT_NAMES.get(layout, layout)


# --- counting the same work --------------------------------------------------------------

def per_vma_table(rows, path):
    """Counters per VMA of one path at every size of one layout's sweep."""
    keys = [k for k in KEYS if any((work(r, path) if k == "work" else r[path].get(k, 0))
                                   for r in rows)]
    body = []
    for r in rows:
        vals = [work(r, path) if k == "work" else r[path][k] for k in keys]
        body.append([r["vmas"], r["parent"]["height"]]
                    + [f"{v / r['vmas']:.3f}" for v in vals])
    layout = rows[0].get("layout", "")
    return Table(["VMAs", "height"] + [f"{k}/VMA" for k in keys], body,
                 f"{PATH_NAMES[path]}, {_name(layout)}: counters per VMA "
                 "(work = allocs + visits + iter_moves)")


def touch_ratio(row, with_parent_walk=True):
    """old/new node touches of one row; ``with_parent_walk=False`` leaves the old path's
    iteration of the parent out (the way the lab counted before)."""
    old = work(row, "old") - (0 if with_parent_walk else row["old"]["iter_moves"])
    return old / work(row, "new")


def layout_table(by_layout, vmas, part="all"):
    """One line per layout at ``vmas`` VMAs: entries, nodes, the preallocation, how much
    of it is unused, and node touches per VMA of both paths. ``part="touches"`` leaves
    out the preallocation columns, ``part="waste"`` the touch columns."""
    if part not in ("all", "touches", "waste"):
        raise ValueError(f"part must be 'all', 'touches' or 'waste', not {part!r}")
    heads = ["layout", "entries", "nodes", "height"]
    waste = ["preallocated", "unused", "unused %"]
    touches = ["old touches/VMA", "new touches/VMA", "old/new",
               "old/new without the parent walk"]
    keep = heads + (waste if part != "touches" else []) + (touches if part != "waste" else [])
    body = []
    for layout, rows in by_layout.items():
        r = row_at(rows, vmas)
        cells = dict(zip(heads + waste + touches, [
            _name(layout), r["parent"]["entries"], r["parent"]["nodes"],
            r["parent"]["height"], r["old"]["allocs"], r["old"]["frees"],
            f"{unused(r) * 100:.1f}", f"{work(r, 'old') / vmas:.3f}",
            f"{work(r, 'new') / vmas:.3f}", f"{touch_ratio(r):.3f}",
            f"{touch_ratio(r, False):.3f}"], strict=True))
        body.append([cells[k] for k in keep])
    return Table(keep, body, f"{vmas:,} VMAs per layout")


def touch_sentence(by_layout, vmas):
    """The old/new ratio of node touches per layout, counted the same way on both paths."""
    parts = [f"{touch_ratio(row_at(rows, vmas)):.2f}x ({_name(layout)})"
             for layout, rows in by_layout.items()]
    first = next(iter(by_layout))
    r = row_at(by_layout[first], vmas)
    text = ("Counted the same way on both paths (allocations, store walks and copies, and "
            "one iteration of a tree), the old path touches " + join(parts) +
            f" as many nodes as the new one at {vmas:,} VMAs.")
    text += (f" Leaving out the old path's walk over the parent's tree would make it "
             f"{touch_ratio(r, False):.2f}x ({_name(first)}).")
    ratios = [touch_ratio(row_at(rows, vmas)) for rows in by_layout.values()]
    if min(ratios) > 1:
        return text + " The new path does less of the same work in every layout."
    return text + " In at least one layout the new path does not do less."


# --- the unused preallocation ----------------------------------------------------------------

def real_rows(names=REAL_MAPS):
    """Per committed real process: VMAs, holes after a VMA, entries, nodes, the old
    path's preallocation and unused nodes, and the old/new touch ratio."""
    out = []
    for name in names:
        vmas = real_process(name)
        parent = build_mm_tree(vmas)
        old = fork_pre68(parent)
        counts = {}
        _child, new, _s = fork_v68_iter(parent, counts=counts)
        w_old = old.costs.allocs + old.costs.visits + iterator_moves(parent)
        w_new = new.allocs + new.visits + counts["iter_reads"]
        out.append({"name": name, "vmas": len(vmas), "holes": holes_after(vmas),
                    "entries": entries(vmas), "nodes": parent.node_count,
                    "prealloc": old.allocs, "unused": old.frees, "ratio": w_old / w_new})
    return out


def real_table(rows):
    body = [[r["name"], r["vmas"], r["holes"], r["entries"], r["nodes"], r["prealloc"],
             r["unused"], f"{r['unused'] / r['prealloc'] * 100:.1f}", f"{r['ratio']:.2f}"]
            for r in rows]
    return Table(["process", "VMAs", "holes after a VMA", "entries", "nodes",
                  "preallocated", "unused", "unused %", "old/new touches"], body,
                 "real processes (mapletree_edu/data/*.maps), forked both ways")


def waste_sentence(by_layout, vmas, reals=()):
    """How much of mas_expected_entries()'s preallocation each layout leaves unused."""
    parts = [f"{unused(row_at(rows, vmas)) * 100:.1f} % of it with {_name(layout)}"
             for layout, rows in by_layout.items()]
    text = (f"mas_expected_entries() sizes its preallocation for 2n + 1 entries. At "
            f"{vmas:,} VMAs the old path leaves unused " + join(parts) + ".")
    shares = {lay: unused(row_at(rows, vmas)) for lay, rows in by_layout.items()}
    low, high = min(shares, key=shares.get), max(shares, key=shares.get)
    if shares[high] - shares[low] > 0.10:
        text += (f" The layout decides it: only with {_name(low)} does the tree need most "
                 "of what was preallocated.")
    else:
        text += " The layout hardly matters here."
    if reals:
        text += " The real processes leave " + join(
            f"{r['unused'] / r['prealloc'] * 100:.1f} % ({r['name']}, {r['vmas']} VMAs)"
            for r in reals) + " unused."
    return text


# --- linear or not ---------------------------------------------------------------------------

def linearity(rows, path, key):
    """(per-VMA values, spread of y/n, relative affine fit, its worst residual) of one
    counter over ``rows``; None if the counter is zero everywhere."""
    pv = per_vma(rows, path, key)
    xs = [n for n, _v in pv]
    ys = [v * n for n, v in pv]
    if not any(ys):
        return None
    if not all(ys):
        return pv, float("inf"), None, float("inf")
    fit = least_squares(xs, ys, [1 / y ** 2 for y in ys])
    return pv, per_unit_spread(xs, ys), fit, fit.max_rel_residual(xs, ys)


def linearity_table(by_layout, lo=121, hi=51221):
    """Node touches per VMA of both paths at the ends of the range, per layout."""
    body = []
    for layout, rows in by_layout.items():
        rows = in_range(rows, lo, hi)
        for path in PATHS:
            pv, spread, fit, resid = linearity(rows, path, "work")
            body.append([_name(layout), path, f"{pv[0][1]:.3f}", f"{pv[-1][1]:.3f}",
                         f"{spread * 100:.1f}", f"{fit.b:.3f}", f"{resid * 100:.1f}"])
    return Table(["layout", "path", f"touches/VMA at {lo}", f"touches/VMA at {hi}",
                  "spread of touches/VMA %", "fitted b", "worst residual of a+b*n %"], body,
                 f"{lo}..{hi} VMAs; fit a + b*n weighted by 1/y^2")


def linearity_sentence(by_layout, lo=121, hi=51221):
    worst = {}
    for layout, rows in by_layout.items():
        rows = in_range(rows, lo, hi)
        for path in PATHS:
            worst[(layout, path)] = linearity(rows, path, "work")[1]
    top = max(worst, key=worst.get)
    text = (f"From {lo:,} to {hi:,} VMAs, node touches per VMA stay within "
            f"{worst[top] * 100:.1f} % of their mean on both paths and every layout "
            f"(widest: {top[1]}, {_name(top[0])})")
    if worst[top] <= TOLERANCE:
        return text + ": both paths are linear in n, with different constants."
    bad = [f"{p} ({_name(lay)})" for (lay, p), s in worst.items() if s > TOLERANCE]
    return text + f": {join(bad)} grow(s) faster than n."


# --- node counts ------------------------------------------------------------------------

def node_table(rows):
    body = []
    for r in rows:
        n, e = r["vmas"], r["parent"]["entries"]
        body.append([n, e, f"{peng_nodes(n):.1f}", f"{peng_nodes(e):.1f}", dense_nodes(e),
                     r["parent"]["nodes"], r["old"]["child_nodes"], prealloc_nodes(n),
                     r["old"]["frees"], r["parent"]["height"]])
    layout = rows[0].get("layout", "")
    return Table(["VMAs n", "entries E", "(n-1)/15", "(E-1)/15", "dense 16/10", "parent",
                  "bulk child", "prealloc", "unused (freed)", "height"], body,
                 f"node counts, {_name(layout)}: Peng's formula, a dense tree, the model's "
                 "trees")


def node_sentence(by_layout, lo=821):
    parts = []
    for layout, rows in by_layout.items():
        big = [r for r in rows if r["vmas"] >= lo]
        ratio = [r["parent"]["nodes"] / peng_nodes(r["parent"]["entries"]) for r in big]
        dense = [r["parent"]["nodes"] / dense_nodes(r["parent"]["entries"]) for r in big]
        parts.append(f"{min(ratio):.2f}..{max(ratio):.2f}x (E-1)/15 and "
                     f"{(max(dense) - 1) * 100:.1f} % above the densest tree "
                     f"({_name(layout)})")
    return (f"From {lo:,} VMAs up the VMA tree has " + join(parts) +
            ", where E counts the NULL ranges too: Peng's count is off by a constant "
            "factor (10-slot internal nodes), which does not change the order.")


# --- fill -------------------------------------------------------------------------------

def fill_sentence(fills, log):
    """What a bulk load's splits and pushes did (``fills``: {"normal", "bulk", "mt_dup"}
    -> Fill; ``log``: the bulk load's SplitLog)."""
    splits = log.split_table()
    leaf = {k: v for k, v in splits.items() if k[0] == "bulk" and k[1] == "leaf"}
    if not leaf:
        return "The bulk load made no leaf split."
    top = max(leaf, key=leaf.get)
    pushes = sum(v for k, v in log.push_table().items() if k[0] == "left")
    f = fills
    text = (f"Most bulk leaf splits ({leaf[top]} of {sum(leaf.values())}) leave {top[2]} "
            f"entries on the left and {top[3]} on the right, so the left leaf has "
            f"{16 - top[2]} free slots; {pushes} later overflows pushed entries left "
            f"instead of splitting. Mean entries per leaf: normal appends "
            f"{f['normal'].mean_leaf():.2f}, bulk load {f['bulk'].mean_leaf():.2f}, "
            f"__mt_dup copy {f['mt_dup'].mean_leaf():.2f}")
    if f["mt_dup"] == f["normal"]:
        return text + " (the copy is the parent, node for node)."
    return text + " (the copy's histograms differ from the parent's)."


# --- bench_forking -------------------------------------------------------------------------

def bench_table(costs_old, costs_new, moves_src, moves_copy):
    keys = ("allocs", "frees", "alloc_calls", "nodes_copied", "visits", "splits", "pushes")
    body = [[k, getattr(costs_old, k), getattr(costs_new, k)] for k in keys]
    body.append(["iterator moves (source / copy)", moves_src, moves_copy])
    body.append(["work (allocs + visits + moves)", costs_old.allocs + costs_old.visits
                 + moves_src, costs_new.allocs + costs_new.visits + moves_copy])
    return Table(["per copy", "old", "new"], body, "bench_forking: one copy of the "
                 "135-entry tree, counted in the model")


def bench_sentence(src, costs_old, costs_new, internal):
    kept = costs_old.allocs - costs_old.frees
    text = (f"One old copy preallocates {costs_old.allocs} nodes "
            f"(mas_expected_entries(134) asks for {prealloc_nodes(134)}), splits "
            f"{costs_old.splits} times and frees {costs_old.frees} unused, keeping {kept}")
    text += (" = the source's node count" if kept == src.node_count
             else f" where the source has {src.node_count}")
    text += (f"; one new copy allocates {costs_new.allocs} nodes in "
             f"{costs_new.alloc_calls} allocator calls")
    if costs_new.alloc_calls == 1 + internal and costs_new.frees == 0:
        text += " (the root, then one bulk call per internal node) and frees none."
    else:
        text += f" and frees {costs_new.frees}."
    return text


__all__ = ["per_vma_table", "touch_ratio", "layout_table", "touch_sentence", "real_rows",
           "real_table", "waste_sentence", "linearity", "linearity_table",
           "linearity_sentence", "node_table", "node_sentence", "fill_sentence",
           "bench_table", "bench_sentence", "in_range", "PATH_NAMES", "TOLERANCE"]
