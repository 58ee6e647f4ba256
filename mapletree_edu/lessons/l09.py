# SPDX-License-Identifier: GPL-2.0-or-later
"""Lesson 09, the fork cost lab: exercise checks and solutions.

The measurement code is in :mod:`mapletree_edu.lab`; the checks compute their expected
answers from the same data (the package's copy of the benchmark CSV, the thread's
table, the model), never from typed numbers.
"""

import numbers

from ..lab import data as D
from ..lab.benchfork import forking_source, per_dup_costs
from ..lab.fit import asymptote, fork_time_fit
from ..lab.normalise import recovered_multiplier
from ..lab.sweep import load_cache
from .common import report, solution_text, unanswered


def _number(answer):
    """A real number (int, float, Fraction, numpy scalar), not a bool."""
    return isinstance(answer, numbers.Real) and not isinstance(answer, bool)


def expected_multiplier(vmas=3221):
    """The multiplier read back from Liam's old row at ``vmas``."""
    rows = {r.vmas: r for r in D.load_benchmarks()["v3"]}
    k = D.LIAM_VMA_ROW.index(vmas)
    return recovered_multiplier(rows[vmas].old, D.LIAM_OLD_ROW[k])


def check_multiplier(answer):
    """Exercise 1: the multiplier Liam used in the 3221 column."""
    want = expected_multiplier()
    if unanswered(answer) or not _number(answer):
        return report(False, "", "give a number: printed VMAs/s x 10 / forks per 10 s, "
                      "with the old row's 3221 column (1420514.5) and the v3 old forks there")
    ok = answer == want
    return report(ok, f"{want}: Liam multiplied by {want} where n + 2 = 3223, two digits "
                  "swapped. Every other column uses n + 2.",
                  f"{answer} does not turn the forks into the printed 1420514.5 (hint: "
                  "1420514.5 * 10 / 6115)")


def expected_limit(series="v4", path="new"):
    """1/b of the relative fit, in millions of VMAs per second."""
    fit = fork_time_fit(D.load_benchmarks()[series], path, relative=True)
    return asymptote(fit) / 1e6


def check_limit(answer):
    """Exercise 2: the limit of VMAs/s for the v4 new path, in millions (1/b)."""
    want = expected_limit()
    if unanswered(answer) or not _number(answer):
        return report(False, "", "give 1/b in millions of VMAs per second, e.g. 2.5")
    ok = abs(answer - want) <= 0.03 * want
    return report(ok, f"about {want:.2f} M VMAs/s: VMAs/s = n/(a + b*n) flattens towards "
                  "1/b; the bend is the fixed cost a being shared by more VMAs.",
                  f"{answer} is not within 3 % of 1/b (hint: fit T = 10 / forks against n "
                  "with lab.fit.fork_time_fit(rows, 'new'), then 1 / fit.b / 1e6)")


def expected_root_walk(vmas=51221):
    row = next(r for r in load_cache() if r["vmas"] == vmas)
    return (row["new"]["visits"] - row["new"]["nodes_copied"]) / vmas, row["parent"]["height"]


def check_root_walk(answer):
    """Exercise 3: replace-pass visits per VMA of the new path through the normal API at
    51221 VMAs."""
    want, height = expected_root_walk()
    if unanswered(answer) or not _number(answer):
        return report(False, "", "give (visits - nodes_copied) / VMAs of the 'new' path at "
                      "51221 VMAs")
    ok = abs(answer - want) < 1e-9
    return report(ok, f"{want:g} = the tree's height {height}: a store through the normal "
                  "API walks from the root, so this replace pass costs n x height, which "
                  "grows like log(n/16). The kernel's iterator stores at the leaf it is on "
                  "(new_iter: 1 visit per VMA).",
                  f"{answer} is not it (hint: the row of load_cache() with vmas == 51221; "
                  "subtract the copy's visits, which are the nodes copied)")


def expected_prealloc(vmas=821):
    row = next(r for r in load_cache() if r["vmas"] == vmas)
    return row["old"]["allocs"], row["old"]["frees"]


def check_prealloc(answer):
    """Exercise 4: (nodes preallocated, nodes freed unused) by the old path at 821 VMAs."""
    want = expected_prealloc()
    if unanswered(answer) or not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return report(False, "", "give a pair (preallocated, freed unused)")
    ok = tuple(answer) == want
    return report(ok, f"{want[0]} preallocated, {want[1]} returned unused at mas_destroy: "
                  f"{want[0] - want[1]} nodes in the tree, exactly what the parent has.",
                  f"{tuple(answer)} is not the ledger (hint: 2n+1 entries, 14 per leaf, one "
                  "parent per 8 leaves, + 3; the frees are the rest)")


def expected_dup_calls():
    return per_dup_costs(forking_source(), "new").alloc_calls


def check_dup_calls(answer):
    """Exercise 5: allocator calls of one __mt_dup of bench_forking's 135-entry tree."""
    want = expected_dup_calls()
    if unanswered(answer) or not _number(answer):
        return report(False, "", "give a whole number of allocator calls")
    ok = answer == want
    return report(ok, f"{want}: one for the root, then one bulk call per internal node for "
                  "all its children (mas_dup_alloc).",
                  f"{answer} is not it (hint: count the internal nodes of forking_source() "
                  "and add the root's own allocation)")


SOLUTIONS = {
    "multiplier": '''\
rows = {r.vmas: r for r in data.load_benchmarks()["v3"]}
k = data.LIAM_VMA_ROW.index(3221)
m = normalise.recovered_multiplier(rows[3221].old, data.LIAM_OLD_ROW[k])
print("multiplier at 3221:", m, "| n + 2 would be", 3221 + 2)
l09.check_multiplier(m)''',
    "limit": '''\
v4 = data.load_benchmarks()["v4"]
f = fit.fork_time_fit(v4, "new", relative=True)
print(f"a = {f.a * 1e6:.1f} us, b = {f.b * 1e9:.1f} ns/VMA")
limit = fit.asymptote(f) / 1e6
print(f"1/b = {limit:.2f} M VMAs/s")
l09.check_limit(limit)''',
    "root_walk": '''\
row = next(r for r in sweep.load_cache() if r["vmas"] == 51221)
per_vma = (row["new"]["visits"] - row["new"]["nodes_copied"]) / row["vmas"]
print("replace-pass visits per VMA:", per_vma, "| height:", row["parent"]["height"])
l09.check_root_walk(per_vma)''',
    "prealloc": '''\
requested = nodecount.prealloc_nodes(821)          # the formula
row = next(r for r in sweep.load_cache() if r["vmas"] == 821)
print("formula:", requested, "| ledger:", row["old"]["allocs"], "allocs,",
      row["old"]["frees"], "frees")
l09.check_prealloc((row["old"]["allocs"], row["old"]["frees"]))''',
    "dup_calls": '''\
src = benchfork.forking_source()
costs = benchfork.per_dup_costs(src, "new")
internal = sweep.tree_counts(src)["internal"]
print("internal nodes:", internal, "| allocator calls:", costs.alloc_calls)
l09.check_dup_calls(costs.alloc_calls)''',
}


def solution(name):
    """The solution of exercise ``name`` as source text."""
    return solution_text(SOLUTIONS, name)


__all__ = ["check_multiplier", "check_limit", "check_root_walk", "check_prealloc",
           "check_dup_calls", "solution", "SOLUTIONS", "expected_multiplier",
           "expected_limit", "expected_root_walk", "expected_prealloc", "expected_dup_calls"]
