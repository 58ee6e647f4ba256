# SPDX-License-Identifier: GPL-2.0-or-later
"""Tables and computed verdicts for the fork cost lab's model sections: the sweep, node
counts, fill and bench_forking. Every line is derived from measured counters; wall
times are never part of a verdict (they vary between runs and machines)."""

from ..lessons.common import Table
from .fit import least_squares, per_unit_spread
from .nodecount import dense_nodes, peng_nodes, prealloc_nodes
from .report import verdict
from .sweep import PATHS, per_vma, work

PATH_NAMES = {"old": "old (bulk rebuild)", "new": "new (__mt_dup, replace via the API)",
              "new_iter": "new (__mt_dup, replace via the iterator)"}
KEYS = ("allocs", "frees", "alloc_calls", "nodes_copied", "visits", "splits", "pushes",
        "work")
TOLERANCE = 0.10


def in_range(rows, lo, hi):
    return [r for r in rows if lo <= r["vmas"] <= hi]


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


def per_vma_table(rows, path):
    """Counters per VMA of one path at every size of the sweep."""
    keys = [k for k in KEYS if any((work(r, path) if k == "work" else r[path][k])
                                   for r in rows)]
    body = []
    for r in rows:
        vals = [work(r, path) if k == "work" else r[path][k] for k in keys]
        body.append([r["vmas"], r["parent"]["height"]]
                    + [f"{v / r['vmas']:.4f}" for v in vals])
    return Table(["VMAs", "height"] + [f"{k}/VMA" for k in keys], body,
                 f"{PATH_NAMES[path]}: counters per VMA"
                 + ("  (work = allocs + visits + iterator moves)" if path == "new_iter"
                    else "  (work = allocs + visits)"))


def linearity_table(rows, lo=121, hi=51221):
    """Every counter of every path: per VMA at the ends, spread, fitted b, worst residual."""
    rows = in_range(rows, lo, hi)
    body = []
    for path in PATHS:
        for key in KEYS:
            res = linearity(rows, path, key)
            if res is None:
                continue
            pv, spread, fit, resid = res
            body.append([path, key, f"{pv[0][1]:.4f}", f"{pv[-1][1]:.4f}",
                         f"{spread * 100:.1f}", f"{fit.b:.4f}" if fit else "-",
                         f"{resid * 100:.1f}", resid <= TOLERANCE])
    return Table(["path", "counter", f"per VMA at {rows[0]['vmas']}",
                  f"per VMA at {rows[-1]['vmas']}", "spread of per-VMA %", "fitted b",
                  "worst residual of a+b*n %", "linear within 10 %"], body,
                 f"{rows[0]['vmas']}..{rows[-1]['vmas']} VMAs; fit a + b*n weighted by 1/y^2")


def linearity_lines(rows, lo=121, hi=51221):
    rows = in_range(rows, lo, hi)
    span = f"{rows[0]['vmas']}..{rows[-1]['vmas']}"
    out = []
    for path in ("old", "new_iter"):
        _pv, spread, _fit, _res = linearity(rows, path, "work")
        out.append(verdict(spread <= TOLERANCE,
                           f"{PATH_NAMES[path]}: node touches per VMA vary by "
                           f"{spread * 100:.1f} % over {span}", "linear within +-10 %"))
    for path in ("old", "new_iter"):
        bad = []
        for key in KEYS:
            res = linearity(rows, path, key)
            if res is not None and res[3] > TOLERANCE:
                bad.append(key)
        out.append(verdict(not bad, f"{PATH_NAMES[path]}: every counter fits a + b*n within "
                           f"10 % over {span}" + (f" except {bad}" if bad else ""),
                           "all linear"))
    exact = all(r["new"]["visits"] - r["new"]["nodes_copied"]
                == r["vmas"] * r["parent"]["height"] for r in rows)
    _pv, spread, _fit, _res = linearity(rows, "new", "visits")
    heights = sorted({r["parent"]["height"] for r in rows})
    out.append(verdict(exact, f"{PATH_NAMES['new']}: replace-pass visits = VMAs x height at "
                       f"every size (height {heights[0]}..{heights[-1]}; visits per VMA vary "
                       f"by {spread * 100:.1f} %)",
                       "a walk from the root per VMA costs n*log(n/16)-like work"))
    return out


def ratio_table(rows):
    """old/new ratios of model work (node touches) and, where timed, of CPU time."""
    body = []
    for r in rows:
        line = [r["vmas"], f"{work(r, 'old') / work(r, 'new_iter'):.2f}",
                f"{work(r, 'old') / work(r, 'new'):.2f}"]
        if all("seconds" in r[p] for p in PATHS):
            line += [f"{r['old']['seconds'] / r['new_iter']['seconds']:.2f}",
                     f"{r['old']['seconds'] / r['new']['seconds']:.2f}"]
        else:
            line += ["-", "-"]
        body.append(line)
    return Table(["VMAs", "work old/new_iter", "work old/new", "CPU old/new_iter",
                  "CPU old/new"], body, "old/new in the model")


def node_table(rows):
    body = []
    for r in rows:
        n, e = r["vmas"], r["parent"]["entries"]
        body.append([n, e, f"{peng_nodes(n):.1f}", f"{peng_nodes(e):.1f}", dense_nodes(e),
                     r["parent"]["nodes"], r["old"]["child_nodes"], prealloc_nodes(n),
                     r["old"]["frees"], r["parent"]["height"]])
    return Table(["VMAs n", "entries E", "(n-1)/15", "(E-1)/15", "dense 16/10", "parent",
                  "bulk child", "prealloc", "unused (freed)", "height"], body,
                 "node counts: Peng's formula, a dense tree, the model's trees")


def node_lines(rows):
    out = []
    big = [r for r in rows if r["vmas"] >= 821]
    xs = [r["parent"]["entries"] - 1 for r in big]
    ys = [r["parent"]["nodes"] * 15 for r in big]
    ratios = [y / x for x, y in zip(xs, ys, strict=True)]
    spread = per_unit_spread(xs, ys)
    out.append(verdict(spread <= TOLERANCE,
                       f"real nodes / ((E-1)/15) = {min(ratios):.3f}..{max(ratios):.3f} from "
                       f"{big[0]['vmas']} VMAs up (+-{spread * 100:.1f} %)",
                       "Peng's count is off by a constant factor only: still linear"))
    dense = [r["parent"]["nodes"] / dense_nodes(r["parent"]["entries"]) for r in big]
    out.append(verdict(max(dense) <= 1.02, f"real nodes / dense 16-slot leaves + 10-way "
                       f"internals = {min(dense):.3f}..{max(dense):.3f}",
                       "the VMA tree is within 2 % of the smallest possible tree"))
    vm = [r["parent"]["nodes"] / peng_nodes(r["vmas"]) for r in big]
    out.append(f"INFO: (n-1)/15 with n = VMAs instead of entries undercounts: real/formula = "
               f"{min(vm):.2f}..{max(vm):.2f} (the NULL gaps are entries too)")
    same = all(r["old"]["child_nodes"] == r["parent"]["nodes"] for r in rows)
    out.append(verdict(same, "bulk-built child node count == parent's (normal appends) at "
                       "every size", "bulk mode builds trees as dense as appends"))
    enough = all(r["old"]["allocs"] == prealloc_nodes(r["vmas"])
                 and r["old"]["child_nodes"] + r["old"]["frees"] == r["old"]["allocs"]
                 for r in rows)
    waste = [r["old"]["frees"] / r["old"]["allocs"] for r in big]
    out.append(verdict(enough, "old path ledger: allocs == the preallocation formula, "
                       "used + freed == allocs, at every size",
                       "no node beyond the preallocation"))
    out.append(f"INFO: preallocated but unused: {min(waste) * 100:.1f}..{max(waste) * 100:.1f} "
               f"% from {big[0]['vmas']} VMAs up")
    dup = all(r["new"]["allocs"] == r["parent"]["nodes"] and r["new"]["frees"] == 0
              and r["new"]["alloc_calls"] == 1 + r["parent"]["internal"] for r in rows)
    out.append(verdict(dup, "new path ledger: allocs == parent nodes, frees == 0, calls == 1 + "
                       "internal nodes, at every size", "one bulk allocation per parent node"))
    return out


def fill_lines(fills, log):
    """Verdicts on fills ({"normal", "bulk", "mt_dup"} -> Fill) and a bulk SplitLog."""
    out = []
    splits = log.split_table()
    leaf = {k: v for k, v in splits.items() if k[0] == "bulk" and k[1] == "leaf"}
    inner = {k: v for k, v in splits.items() if k[0] == "bulk" and k[1] == "internal"}
    top = max(leaf, key=leaf.get)
    out.append(verdict(top[2] < 16 and top[3] >= 6,
                       f"bulk leaf splits: {sum(leaf.values())}, most often {top[2]} left / "
                       f"{top[3]} right ({leaf[top]}x)",
                       f"the left leaf is not full at the split ({16 - top[2]} slots free)"))
    if inner:
        itop = max(inner, key=inner.get)
        out.append(verdict(itop[2] < 10, f"bulk internal splits: {sum(inner.values())}, most "
                           f"often {itop[2]} left / {itop[3]} right",
                           f"the left internal node is not full ({10 - itop[2]} slots free)"))
    pushes = log.push_table()
    lp = sum(v for k, v in pushes.items() if k[0] == "left")
    out.append(verdict(lp > 0, f"left pushes afterwards: {lp} "
                       + ", ".join(f"{k[1]}->{k[2]}: {v}" for k, v in pushes.items()),
                       "the free slots are used by pushes"))
    f = fills
    out.append(verdict(f["bulk"].mean_leaf() >= 15.0,
                       f"mean entries per leaf: normal {f['normal'].mean_leaf():.2f}, bulk "
                       f"{f['bulk'].mean_leaf():.2f}, __mt_dup {f['mt_dup'].mean_leaf():.2f}",
                       "finished bulk leaves are (almost) full"))
    out.append(verdict(f["mt_dup"] == f["normal"], "the __mt_dup copy's histograms",
                       "equal the parent's"))
    return out


def bench_table(costs_old, costs_new, moves_new):
    keys = ("allocs", "frees", "alloc_calls", "nodes_copied", "visits", "splits", "pushes")
    body = [[k, getattr(costs_old, k), getattr(costs_new, k)] for k in keys]
    body.append(["iterator moves", 0, moves_new])
    body.append(["work (allocs + visits + moves)", costs_old.allocs + costs_old.visits,
                 costs_new.allocs + costs_new.visits + moves_new])
    return Table(["per copy", "old", "new"], body, "bench_forking: one copy of the "
                 "135-entry tree")


def bench_lines(src, costs_old, costs_new, internal):
    out = [verdict(costs_old.allocs == prealloc_nodes(134),
                   f"old: {costs_old.allocs} nodes allocated per copy "
                   f"(mas_expected_entries(134) asks for {prealloc_nodes(134)}; 135 would give "
                   f"{prealloc_nodes(135)})", "the preallocation is all it takes"),
           verdict(costs_old.allocs - costs_old.frees == src.node_count,
                   f"old: {costs_old.frees} of them freed unused, "
                   f"{costs_old.allocs - costs_old.frees} kept", "equals the source's "
                   f"{src.node_count} nodes"),
           verdict(costs_new.allocs == src.node_count and costs_new.frees == 0
                   and costs_new.alloc_calls == 1 + internal,
                   f"new: {costs_new.allocs} nodes in {costs_new.alloc_calls} allocator calls, "
                   f"{costs_new.frees} frees", "one node per source node, 1 + internal "
                   "calls")]
    return out


__all__ = ["linearity", "per_vma_table", "linearity_table", "linearity_lines", "ratio_table",
           "node_table", "node_lines", "fill_lines", "bench_table", "bench_lines",
           "PATH_NAMES", "TOLERANCE"]
