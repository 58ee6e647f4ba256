# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/09-fork-cost-lab.ipynb: the fork cost lab. The published fork
benchmarks, Liam's normalisation redone, a + b*n fits, the model's sweep of both fork
paths with counters per VMA, node counts, fill histograms and bench_forking re-enacted.

Built by ``python notebooks/src/build.py`` (``build.py 07`` for this one only).
"""

from build import code, exercise, lesson, md

DESCRIPTION = ("the O(n) vs O(n log n) argument of the __mt_dup review settled with the "
               "published benchmarks and the model's counters")

IGNORE = "# NBVAL_IGNORE_OUTPUT\n"

PATHS_TABLE = "\n".join([
    "| path | what | models |",
    "|---|---|---|",
    "| `old` | `fork_pre68`: `mas_expected_entries(map_count)`, one `vma_iter_bulk_store` "
    "per VMA, `mas_destroy` | `dup_mmap()` v6.1-v6.7 |",
    "| `new` | `fork_v68`: `__mt_dup`, then each VMA stored back through the normal API "
    "(a walk from the root per VMA) | `dup_mmap()` v6.8, replace pass simplified |",
    "| `new_iter` | `__mt_dup`, then each VMA stored at the leaf the iterator is on | "
    "`dup_mmap()` v6.8: `for_each_vma` + `vma_iter_bulk_store` |",
])

CELLS = [
    md("""
# The fork cost lab

**Is copying a process's VMA tree O(n) or O(n log n)? The review of `__mt_dup` argued
about it; here the published numbers and the model's counters answer it.**

## Overview

In September 2023 Peng Zhang posted "fork: Use __mt_dup() to duplicate maple tree in
dup_mmap()" with a benchmark table (forks per 10 s for processes of 21 to 6,421 VMAs) and
a commit message claiming the tree copy went "from O(n * log(n)) to O(n)". Liam Howlett,
the maple tree's maintainer, was "not confident in the big O calculations": he
normalised the table to VMAs per second, found both curves bending the same way (and a
"dip at 3221"), and argued that the old bulk rebuild was closer to `n + n/16 * log(n)`
because bulk mode leaves room in the left nodes for pushes. The merged commit (v6.8)
kept a benchmark up to 51,221 VMAs and softened the claim.

This lab redoes the arithmetic from the data, then measures both fork paths in the model
with exact counters. Every conclusion below is printed by a code cell from the data:
change the data and the printed verdicts change.

## Prerequisites

- [06 · Bulk insert](06-bulk-insert.ipynb): `mas_expected_entries`, the bulk split,
  pushes, `mas_destroy` (the old path).
- [07 · __mt_dup and fork](07-mt-dup-and-fork.ipynb): the pre-order copy and the replace
  pass (the new path).
- Some Python; matplotlib figures are drawn for you.

## Sections

1. [The published tables](#1.-The-published-tables)
2. [Liam's normalisation, redone](#2.-Liam's-normalisation,-redone)
3. [A fit: where the bend comes from](#3.-A-fit:-where-the-bend-comes-from)
4. [The model's sweep of both fork paths](#4.-The-model's-sweep-of-both-fork-paths)
5. [Counting nodes](#5.-Counting-nodes)
6. [How full are the nodes?](#6.-How-full-are-the-nodes?)
7. [bench_forking in the model](#7.-bench_forking-in-the-model)
8. [Exercises](#8.-Exercises)
9. [Conclusions](#9.-Conclusions)

**Running it.** By default the lab measures the model live up to 3,221 VMAs and takes the
larger sizes (up to 102,421) from `mapletree_edu/lab/sweep-counters.json`, after checking
that the live counters equal the stored ones. Set `FULL_SWEEP = True` below (or run
Jupyter with `MAPLETREE_FULL_SWEEP=1`) to measure every size live: under a minute of
CPU time on a 2-core x86-64 machine.
"""),
    code("""
import os

from mapletree_edu.fork import build_mm_tree, fork_v68, synthetic_address_space
from mapletree_edu.lab import (
    benchfork,
    data,
    fill,
    fit,
    nodecount,
    normalise,
    plots,
    report,
    summary,
    sweep,
    verdicts,
)
from mapletree_edu.lab.replace import iterator_moves
from mapletree_edu.lessons import l09

FULL_SWEEP = False
FULL_SWEEP = FULL_SWEEP or os.environ.get("MAPLETREE_FULL_SWEEP") == "1"
ALL_SIZES = sweep.TABLE_SIZES + sweep.BEYOND
LIVE_SIZES = [n for n in ALL_SIZES if FULL_SWEEP or n <= 3221]
BENCH_COPIES = 2000 if FULL_SWEEP else 150      # copies per timing run in section 7
"""),
    md("""
## 1. The published tables

Peng measured with byte-unixbench's `spawn` (fork, the child exits at once, the parent
waits), pinned to one CPU for 10 s, after mapping extra VMAs into the process: 21 VMAs by
default plus 0, 100, ..., 6,400 in v3 of the series, up to 51,200 in v4, whose table went
into the merged commit. "old" is the bulk rebuild of v6.1-v6.7, "new" is `__mt_dup`.
The package carries its own copy of the tables (`mapletree_edu/data/fork-benchmarks.csv`).
"""),
    code("""
bench = data.load_benchmarks()
report.forks_table(bench["v3"], "v3 (the thread's table, next-20230921)")
"""),
    code("""
report.forks_table(bench["v4"], "v4 (the merged commit's table, next-20231006)")
"""),
    code(IGNORE + """# figure; its numbers are the tables above and the next cell
plots.tables(bench);
"""),
    md("""
The gain rows of both tables, the thread's "Increment of VMAs" row and Liam's "delta"
row, recomputed from the CSV and compared with what was printed:
"""),
    code("""
print("\\n".join(report.gain_lines(bench)))
"""),
    md("""
Forks per 10 s fall as the process grows, for both paths; the gain grows from 2 % at 21
VMAs to about 50 % beyond 3,000. Neither shape says "n log n" or "n" by itself: one fork
also does work that does not depend on the VMA count.

## 2. Liam's normalisation, redone

Liam: "If we normalize this to VMAs per second by dividing the forks by 10, then
multiplying by the number of VMAs we get this", and he noticed "some dip in the numbers at
3221 ... both runs are affected by around the same percent". His table gives away which
number of VMAs he multiplied by: printed value × 10 / forks is a whole number in every
column.
"""),
    code("""
report.multiplier_table(bench)
"""),
    code("""
print("n + 2, with the slip:", [normalise.liam_multiplier(n) for n in data.LIAM_VMA_ROW])
"""),
    code("""
print("\\n".join(report.normalisation_lines(bench)))
"""),
    md("""
He used n + 2: 23 is the default VMA count of the series' first version, the v3 table
counts 21. In the 3221 column he wrote 2323 for 3223. That alone makes the dip. The
table below puts his numbers beside the corrected ones (with n + 2, and with the true
count n); the multiplier moves a point by 2/n only, under 0.1 % from 3,221 VMAs up.
"""),
    code("""
report.normalised_table(bench, "v3")
"""),
    code(IGNORE + """# figure; the numbers are in the tables above and in section 3
fits = report.fits(bench)
plots.normalisation(bench, fits[("v4", "old", "all, relative")],
                    fits[("v4", "new", "all, relative")]);
"""),
    md("""
With the slip corrected both curves rise smoothly and flatten. Liam expected a straight
line ("I would think each VMA requires the same amount of work, so a constant") and saw
a curve. Section 3 shows why a constant cost per VMA gives exactly that curve.

## 3. A fit: where the bend comes from

Time per fork is T = 10 s / forks. If one fork costs a fixed `a` (creating the process,
exiting, waiting) plus `b` per VMA, then T(n) = a + b·n and

VMAs/s = n / (a + b·n), which rises steeply while `a` dominates and flattens towards 1/b.

An n·log n cost would do the opposite at large n: VMAs/s would fall. Least squares on the
published tables, ordinary (as in the published fits) and weighted by 1/T² (every column
counts the same, relatively):
"""),
    code("""
report.fit_table(bench)
"""),
    code("""
print("\\n".join(report.fit_lines(bench)))
"""),
    md("""
The same fit by hand for one column set (the v4 old path, relative weights):
"""),
    code("""
f_old = fit.fork_time_fit(bench["v4"], "old", relative=True)
print(f"T(n) = {f_old.a * 1e6:.1f} us + {f_old.b * 1e9:.1f} ns x n")
for n in (21, 821, 51221):
    print(f"  n = {n:>5}: VMAs/s = n / T(n) = {fit.vmas_per_second_curve(f_old, n) / 1e6:.2f} M"
          f" of the limit 1/b = {fit.asymptote(f_old) / 1e6:.2f} M")
print(f"half the limit at n = a/b = {fit.half_way(f_old):.0f} VMAs")
"""),
    code(IGNORE + """# figure; its numbers are the fit table above and the marginal table below
plots.fork_time(bench, fits);
"""),
    md("""
The marginal cost between successive columns (ns per added VMA) is flat: if the per-VMA
work grew with log n, the later columns would cost about half as much again as the first
ones.
"""),
    code("""
report.marginal_table(bench, "v4")
"""),
    md("""
So the kernel's own numbers say: both paths are linear, each with its own cost per VMA
(b in the fit table), and the saving per VMA (the last column of the marginal table) is
all that the tree rebuild could have cost. Note that `spawn` times the whole fork and
the child's exit: page tables, `anon_vma` chains and `exit_mmap()` are in `b` too. To see
the tree alone we need the model.

## 4. The model's sweep of both fork paths

For each VMA count of the merged table a parent process is made with
`synthetic_address_space(n - 21)` (21 VMAs of a small process plus one-page VMAs with
one-page gaps) and forked three ways:

""" + PATHS_TABLE + """

Counters (exact): the ledger (`allocs`, `frees`, `alloc_calls`), `nodes_copied`,
`visits` (nodes entered by walks and copies), `splits`, `pushes`; for `new_iter` the
iterator's moves between leaves too. "work" = node touches = allocations + visits
(+ iterator moves).
"""),
    code(IGNORE + """# progress bar and CPU times vary; the counters are checked in the next cell
live = sweep.run_sweep(LIVE_SIZES, timing=1, progress=True)
"""),
    code("""
cached = sweep.load_cache()
diffs = sweep.compare_with_cache(live, cached)
rows = sweep.merged(live, cached)
print(report.verdict(not diffs, f"live counters at {len(live)} sizes "
                     f"({live[0]['vmas']}..{live[-1]['vmas']} VMAs)",
                     "equal the stored sweep"))
for d in diffs[:5]:
    print("  differs:", d)
print("sizes from the stored sweep:", [r["vmas"] for r in rows if r["source"] == "cache"])
"""),
    code("""
verdicts.per_vma_table(rows, "old")
"""),
    code("""
verdicts.per_vma_table(rows, "new_iter")
"""),
    code("""
verdicts.per_vma_table(rows, "new")
"""),
    code(IGNORE + """# figure; its numbers are the tables above
plots.sweep_counters(rows);
"""),
    md("""
Every counter of the old path settles to a constant per VMA (the first table):
allocations (the preallocation), splits, pushes, nodes visited. None grows with the
height of the tree, which steps up twice over the range. The new path with the kernel's
iterator visits a little more than one node per VMA: one leaf per store, plus the
copies.

Through the normal API the replace pass walks from the root for every VMA: its visits
per VMA are the tree's height. That is the `n * log(n/16)` Liam had in mind for the new
algorithm, and the reason `dup_mmap()` stores through its iterator.

Now the linearity test over 121..51,221 VMAs, the range of the anchors: a + b·n fitted
to each counter (relative weights), its worst residual, and the spread of the per-VMA
value:
"""),
    code("""
verdicts.linearity_table(rows, 121, 51221)
"""),
    code("""
print("\\n".join(verdicts.linearity_lines(rows, 121, 51221)))
"""),
    md("""
### The model's time

Counters say how many nodes are touched, not how much work each touch is. CPU time per
VMA of the model (no tracer attached; best of one run per size in the default sweep):
"""),
    code(IGNORE + """# CPU times differ from run to run and machine to machine
print(verdicts.ratio_table(live))
plots.sweep_time(live);
"""),
    code("""
k_fork = data.kernel_ratio(bench["v4"])
k_old, k_new = data.bench_forking_per_dup()
big = rows[[r["vmas"] for r in rows].index(51221)]
print(f"model work (node touches), old/new_iter at 51221 VMAs: "
      f"{sweep.work(big, 'old') / sweep.work(big, 'new_iter'):.2f}")
print(f"kernel, whole fork, old/new time at 51221 VMAs:       {k_fork:.2f}")
print(f"kernel, bench_forking (135 entries), old/new time:    {k_old / k_new:.2f}")
"""),
    md("""
Both paths touch about the same number of nodes per VMA; the old path's touches are the
expensive kind. A bulk store that overflows a leaf builds a big node, pushes or splits,
and rewrites parents (the splits and pushes columns); `__mt_dup` copies whole nodes and
then does one exact-fit slot write per VMA. In the model the old path costs a few times
the new one in CPU time (table above), between the kernel's whole-fork ratio (the tree
is a minority of a fork) and `bench_forking`'s (the tree alone).

## 5. Counting nodes

Peng's argument for the copy: with n entries and 16 slots everywhere there are
n/16 + n/16² + ... + 1 = (n-1)/15 nodes, and the copy does a constant amount of work per
node. The VMA tree differs in two ways: its entries include the NULL gaps between VMAs
(E ≈ 2n for n VMAs with holes), and its internal nodes (`arange_64`) have 10 slots. The
old path preallocated for the worst case: leaves = ⌈(2n+1)/14⌉, plus ⌈leaves/8⌉, plus 3.
"""),
    code("""
verdicts.node_table(rows)
"""),
    code("""
print("\\n".join(verdicts.node_lines(rows)))
usage = nodecount.bulk_usage(
    [(f, la, v) for f, la, v in build_mm_tree(synthetic_address_space(800)).ranges()])
print("821 VMAs, bulk load:", usage)
print("formula:", nodecount.prealloc_nodes(821), "| dense 16/10 levels for E = 1628:",
      nodecount.dense_levels(1628), "| Peng's levels:",
      [round(x, 1) for x in nodecount.peng_levels(1628)])
"""),
    code(IGNORE + """# figure; its numbers are the node table above
plots.node_counts(rows);
"""),
    md("""
Peng's count is off by a constant factor (the 10-way internal nodes), which does not
change the order: the real tree is within about 1 % of the smallest tree that can hold
its entries. The bulk preallocation over-estimates by a steady fraction (printed
above), returned at `mas_destroy`; nothing is freed during the load, because in non-RCU
mode the nodes a split replaces go back to the maple state's pool. Liam's "the existing
method over-estimating by a huge number of nodes" holds for small processes (compare the
first rows of the node table), not at scale.

## 6. How full are the nodes?

Liam on the bulk split: "They are not full, the right node has enough entries to have a
sufficient node, so the left node will have that many spaces for push" (`mab_calc_split`:
`split = b_end - mt_min_slots[type]` in bulk mode). The log below records every
`mab_calc_split` and successful `mas_push_data` of a bulk load of a 3,221-VMA process,
then compares the finished trees: the parent (normal appends), the bulk-built child and
the `__mt_dup` copy.
"""),
    code("""
parent = build_mm_tree(synthetic_address_space(3200))
ranges = list(parent.ranges())
bulk_tree, split_log = fill.bulk_load_logged(ranges)
fills = {"normal": fill.fill(parent), "bulk": fill.fill(bulk_tree),
         "mt_dup": fill.fill(fork_v68(parent).child)}
print(fill.histogram_text(fills, "leaf"))
print()
print(fill.histogram_text(fills, "internal"))
print()
print("bulk splits (mode, kind, left, right):", split_log.split_table())
print("pushes (side, kind, left node size):  ", split_log.push_table())
"""),
    code("""
print("\\n".join(verdicts.fill_lines(fills, split_log)))
"""),
    code(IGNORE + """# figure; its numbers are the histograms above
plots.fills({"normal appends": fills["normal"], "bulk load": fills["bulk"],
             "__mt_dup": fills["mt_dup"]}, split_log);
"""),
    md("""
At the moment of a bulk split the left node keeps well short of a full node (the split
table: left/right sizes): not full, as Liam said. The room is used at once: the next
overflow pushes entries left instead of splitting, which fills the left node (the push
table). The finished trees are as full as normal appends make them, and the `__mt_dup`
copy is the parent, node for node.

## 7. bench_forking in the model

The kernel's user-space benchmark (`lib/test_maple_tree.c`, `BENCH_FORK`) copies a
135-entry tree `[10i, 10i+5]`, i = 0..134, 80,000 times. Before v6.8 each copy was a bulk
load that announced 134 entries (the code's `nr_entries`, one fewer than it stores);
since v6.8 it is `__mt_dup` plus a `mas_for_each` that stores every entry back.
Published: 13.52 s → 2.60 s. One copy, counted:
"""),
    code("""
src = benchfork.forking_source()
old_costs = benchfork.per_dup_costs(src, "old")
new_costs = benchfork.per_dup_costs(src, "new")
print(verdicts.bench_table(old_costs, new_costs, iterator_moves(src)))
print("\\n".join(verdicts.bench_lines(src, old_costs, new_costs,
                                     sweep.tree_counts(src)["internal"])))
"""),
    code(IGNORE + """# CPU times differ from run to run and machine to machine
t_old = benchfork.time_per_dup(src, "old", iterations=BENCH_COPIES)
t_new = benchfork.time_per_dup(src, "new", iterations=BENCH_COPIES)
k_old, k_new = data.bench_forking_per_dup()
print(f"kernel: {k_old * 1e6:.1f} us -> {k_new * 1e6:.1f} us per copy, "
      f"old/new = {k_old / k_new:.2f}")
print(f"model:  {t_old * 1e6:.1f} us -> {t_new * 1e6:.1f} us per copy, "
      f"old/new = {t_old / t_new:.2f}")
print(f"model time x {BENCH_COPIES}: {t_old * BENCH_COPIES:.2f} s -> "
      f"{t_new * BENCH_COPIES:.2f} s; x 80,000 it would be {t_old * 80000:.0f} s -> "
      f"{t_new * 80000:.0f} s")
plots.bench_forking(t_old, t_new, k_old, k_new);
"""),
    code("""
print(f"published: {data.BENCH_FORKING_ITERATIONS} copies, {data.BENCH_FORKING_OLD_S} s -> "
      f"{data.BENCH_FORKING_NEW_S} s, old/new = "
      f"{data.BENCH_FORKING_OLD_S / data.BENCH_FORKING_NEW_S:.2f}")
print(f"timed here: {BENCH_COPIES} copies per run, best of 3, CPU time, no tracer")
"""),
    md("""
The model is several times slower than the kernel in absolute terms (it is Python), but
the old/new ratio of one copy is of the same size as the kernel's. With the counts of
one copy above (a preallocation larger than the tree, splits and pushes, against one
node copy per node in a few allocator calls), the ratio is no mystery.

## 8. Exercises
"""),
    exercise(1, "the multiplier", """
Read back the multiplier Liam used in the 3221 column: his old row prints 1420514.5
VMAs/s there. Use the v3 forks/10 s from `data.load_benchmarks()`.
""", """
answer = None   # a number
""", "check_multiplier", "l09", "multiplier"),
    exercise(2, "the limit", """
Fit T(n) = a + b·n to the v4 **new** column (`fit.fork_time_fit`, with `relative=True`)
and give the value VMAs/s tends to for large n, in millions of VMAs per second.
""", """
answer = None   # million VMAs per second
""", "check_limit", "l09", "limit"),
    exercise(3, "walking from the root", """
In the stored sweep (`sweep.load_cache()`), how many nodes per VMA does the `new` path's
replace pass visit at 51,221 VMAs? (Its visits minus the copy's visits, which are the
nodes copied, divided by the VMA count.)
""", """
answer = None   # visits per VMA
""", "check_root_walk", "l09", "root_walk"),
    exercise(4, "preallocated, unused", """
For a process of 821 VMAs, how many nodes does the old path preallocate, and how many
does `mas_destroy` give back unused? Answer `(preallocated, unused)`.
""", """
answer = None   # (preallocated, unused)
""", "check_prealloc", "l09", "prealloc"),
    exercise(5, "allocator calls of one copy", """
How many allocator calls does one `__mt_dup` of `bench_forking`'s 135-entry tree make?
""", """
answer = None   # a whole number
""", "check_dup_calls", "l09", "dup_calls"),
    md("""
## 9. Conclusions

Computed from the tables and the counters above (CPU times are not used):
"""),
    code("""
print("\\n".join(summary.conclusions(bench, rows, old_costs, new_costs)))
"""),
    md("""
## Summary

- The published fork times fit T(n) = a + b·n in every column; the curve in VMAs/s is
  n/(a + b·n) flattening towards 1/b. Both paths are linear; `__mt_dup` lowered b.
- Liam's "dip at 3221" is the multiplier 2323 written for 3223.
- In the model both paths touch a constant number of nodes per VMA; the bulk rebuild's
  splits and pushes are a constant fraction per VMA, not log n per insert. A replace pass
  walking from the root would add log n per VMA; the kernel's iterator avoids it.
- Peng's (n-1)/15 is off by a constant factor (10-way internal nodes, NULL gaps as
  entries); the bulk preallocation over-estimates by a constant fraction.
- Bulk splits leave the left node part empty; pushes fill it.
- The new path is faster because each touch is cheaper (a node copy instead of a
  big-node split), in the kernel and in the model.

## What's next

Back to the [index](00-index.ipynb). Try the lab on this machine's own address space:
`fork_pre68(read_maps())` and `fork_v68(read_maps())` from lesson
[08](08-a-real-process.ipynb), or open `mapletree_edu/lab/` and add a counter.

## Kernel functions explained

`dup_mmap` (v6.1-v6.7 and v6.8), `vma_iter_bulk_alloc` / `mas_expected_entries`,
`vma_iter_bulk_store` / `mas_store`, `mas_wr_store_setup`, `mas_split`,
`mab_calc_split` (bulk branch), `mas_push_data`, `mas_destroy`, `__mt_dup` /
`mas_dup_build` / `mas_dup_alloc`, `for_each_vma` / `mas_find` / `mas_next_node`,
`mas_wr_modify` (exact fit), `bench_forking` / `check_forking` (lib/test_maple_tree.c).
"""),
]


def notebook():
    return lesson(CELLS, DESCRIPTION)


if __name__ == "__main__":
    import build

    build.main(["07"])
