# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/09-fork-cost-lab.ipynb: the fork cost lab.

The published fork benchmarks and the review thread's arguments, both sides; the
model's counters of both fork paths on three layouts; the unused preallocation; node
counts, fill and bench_forking. Every conclusion is a sentence computed from the data.

Built by ``python notebooks/src/build.py 09``.
"""

from build import check, code, exercise, lesson, md, predict

from mapletree_edu.lab.quotes import blockquote

DESCRIPTION = ("the O(n) vs O(n log n) argument of the __mt_dup review, told both ways, "
               "measured fairly on three layouts")

CELLS = [
    md("""
# The fork cost lab

Since v6.8, `fork()` copies a process's VMA tree with `__mt_dup()` instead of rebuilding
it entry by entry. In the review of that change Peng Zhang, its author, and Liam R.
Howlett, the maple tree's maintainer, disagreed about what the benchmark showed: was the
old rebuild O(n log n) and the copy O(n), or were both linear? This lab redoes the
arithmetic of the thread from the published tables, tells both sides of the argument in
their own words, and counts the work of both paths in the model: the same work on both
sides, on three layouts of the address space.
"""),
    md("""
## At a glance

*Time:* about 60 minutes (90 with every exercise).

*Prerequisites:*

| you need | where |
| --- | --- |
| the old path: bulk mode, its splits and pushes | [06 · Bulk insert](06-bulk-insert.ipynb) |
| the new path: the copy, the replace pass | [07 · __mt_dup and fork](07-mt-dup-and-fork.ipynb) |
| `/proc/<pid>/maps` as a VMA tree, forked | [08 · A real process](08-a-real-process.ipynb) |

*You will learn:*

* to redo a benchmark's arithmetic from its table, and to find a slip in it;
* why a fixed cost per fork bends the curves, and what `a + b·n` predicts for the gain;
* to count the same work on both paths before comparing them;
* why the layout of the holes decides how much of the bulk preallocation is wasted;
* why both paths are O(n): with the position kept, an append is O(1) amortised.
"""),
    md("""
### Vocabulary

| word | meaning |
| --- | --- |
| old path | `dup_mmap()` of v6.1–v6.7: a bulk rebuild (the model's `fork_pre68`) |
| new path | `dup_mmap()` of v6.8: `__mt_dup()` + a replace pass (`fork_v68_iter`) |
| forks per 10 s | what byte-unixbench's `spawn` counts: fork, the child exits, the parent waits |
| VMAs/s | forks per second × VMAs per fork |
| fixed cost `a` | the part of one fork that does not depend on the VMA count |
| marginal cost `b` | the cost of one more VMA in a fork |
| node touch | a node allocated, entered by a walk or a copy, or read by the iterator |
| layout | where the holes are: after every VMA, nowhere, or as in a real process |
| preallocation | the nodes `mas_expected_entries()` takes up front, sized for 2n + 1 entries |
| amortised cost | the cost of n operations divided by n |
"""),
    code("""
import os

from mapletree_edu.fork import Vma, build_mm_tree, fork_v68
from mapletree_edu.lab import (
    benchfork,
    data,
    fill,
    fit,
    layouts,
    plots,
    report,
    summary,
    sweep,
    verdicts,
)
from mapletree_edu.lab.replace import iterator_moves
from mapletree_edu.lessons import l09

FULL_SWEEP = os.environ.get("MAPLETREE_FULL_SWEEP") == "1"
ALL_SIZES = sweep.TABLE_SIZES + sweep.BEYOND
LIVE_SIZES = [n for n in ALL_SIZES if FULL_SWEEP or n <= 6421]
"""),
    md("""
## 1. The published tables

Peng measured with byte-unixbench's `spawn` test, counting fork() calls per ten seconds
with the process bound to a CPU ("CPU binding", in the patch's words):

""" + blockquote("peng_spawn") + """

The process has 21 VMAs by default; the columns add 0 to 6,400 VMAs in v3 of the
series (the table of the review thread) and up to 51,200 in v4 (the table of the merged
commit). "old" is the kernel before the change, "new" with `__mt_dup()`. The modified
`spawn` was not published, so **the layout of the benchmark's extra VMAs (holes between
them or not) is unknown**; section 5 shows why that matters.
"""),
    code("""
bench = data.load_benchmarks()
report.forks_table(bench["v3"], "v3 (the review thread's table, baseline next-20230921)")
"""),
    code("""
report.forks_table(bench["v4"], "v4 (the merged commit's table, baseline next-20231006)")
"""),
    code("""
plots.tables(bench);
""", ignore_output=True),
    code("""
print(report.gain_sentence(bench))
"""),
    md("""
## 2. Liam's normalisation, redone

Liam turned the table into VMAs per second: forks per 10 s, divided by 10, times the
VMAs of one fork. His table has a dip at 3221 VMAs in both rows; he first thought of
something else running on the host machine, but both runs dropped by about the same
percentage.
"""),
    code("""
report.liam_table()
"""),
    predict("""
Every printed VMAs/s is forks/10 × some multiplier. Read the multiplier back from his
rows (printed value × 10 / forks). Is the dip at 3221 a measurement or arithmetic?
"""),
    code("""
report.multiplier_table(bench)
"""),
    code("""
print(report.multiplier_sentence(bench))
print(report.reproduce_sentence(bench))
print(report.dip_sentence(bench))
"""),
    md("""
n + 2 is what his multiplier is everywhere else (23 was the default VMA count of the
series' first version; the v3 table counts 21). The corrected rows beside his:
"""),
    code("""
report.normalised_table(bench, "v3")
"""),
    code("""
fits = report.fits(bench)
plots.normalisation(bench, fits[("v4", "old", "all, relative")],
                    fits[("v4", "new", "all, relative")]);
""", ignore_output=True),
    md("""
## 3. The debate, both ways

### The claim and the doubt

The patch's commit message claimed:

""" + blockquote("peng_claim") + """

Liam was "not confident in the big O calculations here":

""" + blockquote("liam_nlogn") + """

and, on the old path's splits:

""" + blockquote("liam_bound") + """

### Peng: the rest of fork() is a fixed cost

Liam read the normalised curves as a puzzle: "I would think each VMA requires the same
amount of work, so a constant." Peng's answer was the cost of everything else a fork
does:

""" + blockquote("peng_other_work") + """

""" + blockquote("peng_fixed_cost") + """

Write that as a formula. One fork costs `T(n) = a + b·n`: a fixed `a` (creating the
process, the child's exit, the wait) and `b` per VMA. Then VMAs/s = n / (a + b·n): it
rises while `a` dominates and tends to the constant 1/b, exactly Peng's "approach a
constant value". Least squares on both tables (T = 10 s / forks; "relative" weighs every
column by 1/T², so the small columns count as much as the large ones):
"""),
    code("""
report.fit_table(bench)
"""),
    code("""
print(report.bend_sentence(bench))
print(report.marginal_sentence(bench))
f_old = fits[("v3", "old", "all, relative")]
print(f"v3 old path at 6,421 VMAs: n/(a + b*n) is at "
      f"{fit.vmas_per_second_curve(f_old, 6421) / fit.asymptote(f_old) * 100:.1f} % of its "
      f"limit 1/b = {fit.asymptote(f_old) / 1e6:.2f} M VMAs/s")
"""),
    code("""
report.marginal_table(bench, "v4")
"""),
    code("""
plots.fork_time(bench, fits);
""", ignore_output=True),
    md("""
### Liam's "+53 %"

Liam's argument against the fixed-cost explanation:

""" + blockquote("liam_53") + """

If fork's other work were the whole story, he reasoned, the gain should already be at
its limit by 1,600 VMAs.
"""),
    predict("""
Take the two fitted lines of the thread's table (v3, relative). What gain
T_old(n) / T_new(n) − 1 do they predict at 1,621 VMAs: close to the +46 % that was
measured, or close to +53 %? And what does the gain tend to as n grows?
"""),
    code("""
report.gain_table(bench)
"""),
    code("""
print(report.fixed_cost_sentence(bench))
"""),
    code("""
plots.gain_fit(bench, lambda n: report.fitted_gain(bench, n), report.gain_limit(bench));
""", ignore_output=True),
    md("""
Both sides had a point. Peng's fixed cost explains the bend of VMAs/s and the gain at
1,621 VMAs; the +53 % Liam expected is the fit's limit, which a fork reaches only when
its fixed part no longer counts. Liam was right that the curves did not show an
O(n log n) against an O(n): both marginal costs are flat. And `spawn` times a whole fork
and the child's exit, so `b` holds page tables and `exit_mmap()` too; the tree alone
needs the model. Peng proposed the same:

""" + blockquote("peng_userspace") + """

## 4. Counting the same work

Before v6.8, `dup_mmap()` walked the **parent's** tree (`for_each_vma(old_vmi, mpnt)`)
and bulk-stored each copy into the child; the v3 patch in the thread deletes exactly
those lines (`VMA_ITERATOR(old_vmi, oldmm, 0)` and `for_each_vma(old_vmi, mpnt)`).
v6.8's `dup_mmap()` (`kernel/fork.c`, line 666) walks the **child's** copy with
`for_each_vma(vmi, mpnt)` and stores each copy at the iterator's leaf. The user-space
`bench_forking` did the same: before v6.8 a `mas_for_each` over the source, since v6.8
one over the copy. So both paths iterate a tree of the same shape once, and a fair count
includes that walk on both sides.

The model counts, per fork: allocations, nodes entered by store walks and by the copy,
and the iterator's node reads (`iterator_moves`). Each size is forked live here up to
6,421 VMAs on every layout; the larger sizes come from `mapletree_edu/lab/sweep-counters.json`
(the tests check it against the live model).
"""),
    predict("""
Counted without the old path's walk over the parent, the old path touches about 1.08
times the nodes of the new one. With that walk counted on both sides, does the ratio
rise, fall or stay?
"""),
    code("""
live = {lay: sweep.run_sweep(LIVE_SIZES, lay, timing=1) for lay in layouts.LAYOUTS}
cached = sweep.load_cache()
rows = {lay: sweep.merged(live[lay], cached[lay]) for lay in layouts.LAYOUTS}
verdicts.layout_table(rows, 51221, part="touches")
"""),
    check("""
for _lay in layouts.LAYOUTS:
    assert sweep.compare_with_cache(live[_lay], cached[_lay]) == [], _lay
assert [r["vmas"] for r in rows["holes"]] == list(ALL_SIZES)
"""),
    code("""
print(verdicts.touch_sentence(rows, 51221))
"""),
    code("""
plots.sweep_counters(rows);
""", ignore_output=True),
    md("""
Whether the touches per VMA stay constant as n grows is section 6. The old path's
touches are also the heavier kind: a bulk store that overflows a leaf builds a big node
and splits or pushes, where `__mt_dup()` copies whole nodes.

## 5. The layout decides the waste

The VMA tree stores the holes too: between VMAs, below the first one and above the last.
So n VMAs make between n + 2 entries (every VMA touches the next) and 2n + 1 (a hole
after every VMA).
`mas_expected_entries()` sizes its preallocation for 2n + 1; `mas_destroy()` frees what
the load did not use. The lab's three layouts:

- **a hole after every VMA added** (`synthetic_address_space`): the small process's
  21 VMAs, then one-page VMAs each followed by a one-page hole, as the lab has always
  measured: close to the worst case the preallocation is sized for;
- **touching VMAs**: one-page VMAs back to back;
- **real shape**: the VMA sizes and holes of a real Chromium browser process, repeated up
  to n VMAs (`layouts.tiled`). The real processes themselves are measured too (their
  origin: `mapletree_edu/data/ORIGIN.md`).
"""),
    predict("""
A process whose VMAs touch has about half the entries of one with a hole after every
VMA. Which share of the preallocation will the old path leave unused for it, and for
the real processes?
"""),
    code("""
verdicts.layout_table(rows, 51221, part="waste")
"""),
    code("""
reals = verdicts.real_rows()
verdicts.real_table(reals)
"""),
    code("""
print(verdicts.waste_sentence(rows, 51221, reals))
"""),
    code("""
plots.unused_share(rows, reals);
""", ignore_output=True),
    md("""
The Jupyter-kernel-like process (`python-jupyter`) is the kind lesson 08 forks in its
last section. The *holes after a VMA* column of the table says how close each real
process is to the touching layout (a library's segments touch one another), and so how
far from the case the preallocation is sized for. Where Peng's benchmark sat is unknown
(its layout was not published).

## 6. Both paths are linear

Node touches per VMA over 121 to 51,221 VMAs, and a line `a + b·n` fitted to each:
"""),
    code("""
verdicts.linearity_table(rows, 121, 51221)
"""),
    code("""
print(verdicts.linearity_sentence(rows, 121, 51221))
"""),
    md("""
Why the old path is linear too is exercise 4: with the maple state kept at the last
leaf, an append costs O(1) amortised.

## 7. Counting nodes

Peng's argument for the copy: n entries in full 16-slot nodes make
n/16 + n/16² + … + 1 = (n − 1)/15 nodes, and the copy does a constant amount of work
per node. The VMA tree counts its NULL ranges as entries (E of them) and its internal
nodes have 10 slots:
"""),
    code("""
verdicts.node_table(rows["real"])
"""),
    code("""
print(verdicts.node_sentence(rows))
"""),
    code("""
plots.node_counts(rows);
""", ignore_output=True),
    md("""
## 8. How full are the nodes?

Liam, on the bulk split (`mab_calc_split()` keeps the right node at the minimum):

""" + blockquote("liam_not_full") + """

A bulk load of 3,221 VMAs per layout, with every split and push logged, beside the
parent built by normal appends and its `__mt_dup()` copy:
"""),
    code("""
fills, logs = {}, {}
for lay in layouts.LAYOUTS:
    parent = build_mm_tree(layouts.make(lay, 3221))
    bulk_tree, logs[lay] = fill.bulk_load_logged(list(parent.ranges()))
    fills[lay] = {"normal": fill.fill(parent), "bulk": fill.fill(bulk_tree),
                  "mt_dup": fill.fill(fork_v68(parent).child)}
    print(f"{layouts.LAYOUT_NAMES[lay]}: {verdicts.fill_sentence(fills[lay], logs[lay])}")
"""),
    code("""
plots.fills({f"bulk, {layouts.LAYOUT_NAMES[lay]}": fills[lay]["bulk"]
             for lay in layouts.LAYOUTS});
""", ignore_output=True),
    md("""
## 9. bench_forking

The kernel's user-space `bench_forking` (`lib/test_maple_tree.c`) copies a tree holding
`[10i, 10i+5]` for i = 0..134 80,000 times. Its published figures, **13.52 s → 2.60 s**,
are from the series' **v1 cover letter** (July 2023), not from the review thread, and
that letter says they "do not include the time consumed by mt_validate() and
mtree_destroy()". The letter speaks of "134 entries": the code announces 134
(`nr_entries`) and stores 135. One copy, counted in the model (counters, not times):
"""),
    code("""
src = benchfork.forking_source()
old_costs = benchfork.per_dup_costs(src, "old")
new_costs = benchfork.per_dup_costs(src, "new")
moves = iterator_moves(src)
print(verdicts.bench_table(old_costs, new_costs, moves, moves))
print()
print(verdicts.bench_sentence(src, old_costs, new_costs, sweep.tree_counts(src)["internal"]))
"""),
    md("""
## 10. The model's own time

The model is Python. Its CPU time measures this model, not the kernel: it is not
comparable to the kernel's figures and is no evidence for or against them. Here it is,
per VMA, for the sizes forked live in section 4 (it varies between runs and machines):
"""),
    code("""
plots.sweep_time(live);
""", ignore_output=True),
    md("""
## Exercises
"""),
    exercise(1, "where the merged table peaks", """
Normalise the merged commit's table (`data.load_benchmarks()["v4"]`, up to 51,221 VMAs)
with the true VMA count: VMAs/s = forks per 10 s / 10 × n. At which VMA count is it
highest for the old path, and at which for the new one? Answer `(old, new)`. Before you
compute: if every fork cost exactly `a + b·n`, where would the peak be?
""", """
answer = None   # (VMA count, VMA count)
""", "check_peaks", "l09", "peaks"),
    exercise(2, "the fixed cost against +53 %, in the merged table", """
Section 3 fitted the thread's table (v3). Do the same for the merged commit's table:
fit `T(n) = a + b·n` to both of its columns (v4, relative weights:
`fit.fork_time_fit`), and give the gain `T_old(n) / T_new(n) − 1` the two lines predict
at 1,621 VMAs and the value it tends to as n grows, both in percent:
`(gain at 1621, limit)`.
""", """
answer = None   # (percent, percent)
""", "check_gains", "l09", "gains"),
    exercise(3, "a layout of your own", """
Build two address spaces with the same number of VMAs (at least 500, `Vma(start, end)`
with `end` exclusive, no overlaps): one for which the old path leaves **more than half**
of `mas_expected_entries()`'s preallocation unused, one for which it leaves **less than a
fifth** unused. `l09.unused_share(vmas)` tells you the share for a list. Answer
`(wasteful, thrifty)`.
""", """
answer = None   # (wasteful, thrifty): two lists of Vma
""", "check_layouts", "l09", "layouts"),
    exercise(4, "an append is O(1) amortised", """
Show that the old path is linear. Write `touches_per_append(n)`: bulk-load the ranges
`[10i, 10i+5]`, i = 0..n-1, into a new `MapleTree(alloc=True)` in bulk mode (the maple
state keeps its position at the last leaf), count the node touches (allocations plus
visits) with a `CostCounter` from `mapletree_edu.stats` attached to the tree while it
loads, and return them divided by n. The check calls it for n = 1,000, 4,000 and 16,000.
Before you run it: if an append cost O(log n), by how much would the value grow between
1,000 and 16,000?
""", """
def touches_per_append(n):
    ...   # build, count, divide

answer = None   # then: answer = touches_per_append
""", "check_amortised", "l09", "amortised"),
    md("""
## Summary

Computed from the tables and the model's counters above (never from CPU times):
"""),
    code("""
for sentence in summary.conclusions(bench, rows, reals):
    print("-", sentence)
"""),
    check("""
_text = " ".join(summary.conclusions(bench, rows, reals))
assert "PASS" not in _text and "True" not in _text
"""),
    md("""
- A fork costs `a + b·n`: the fixed part `a` bends VMAs/s and the gain, and the gain of
  the two fitted lines tends to `b_old / b_new − 1` only as n grows (section 3).
- Liam's dip at 3221 comes from the multiplier printed for that column (section 2).
- Count the same work on both paths before comparing them: both walk a tree of the same
  shape once (section 4).
- The layout of the holes decides how much of the preallocation for 2n + 1 entries the
  old path uses (section 5); the benchmark's layout is unknown.
- An append at the kept position is O(1) amortised, so both paths are O(n); they differ
  in the constant (section 6, exercise 4).
- The model's CPU time is the model's, not the kernel's.

## Kernel functions explained

| function | what it does | where in v6.8 |
| --- | --- | --- |
| `dup_mmap()` | copies the parent's VMAs; in v6.8 by `__mt_dup()` + replace | `kernel/fork.c:626` |
| `__mt_dup()` | copies a whole tree node by node, in pre-order | `lib/maple_tree.c:6723` |
| `mas_dup_build()` | the pre-order walk of the copy | `lib/maple_tree.c:6630` |
| `mas_dup_alloc()` | one bulk allocation for all children of a node | `lib/maple_tree.c:6586` |
| `for_each_vma()` | the VMA iterator (`vma_next()`, a `mas_find()`) | `include/linux/mm.h:1036` |
| `vma_iter_bulk_store()` | sets the range, then `mas_store()` | `include/linux/mm.h:1014` |
| `vma_iter_bulk_alloc()` | the old path's `mas_expected_entries()` | `include/linux/mm.h:991` |
| `mas_expected_entries()` | preallocates for 2n + 1 entries | `lib/maple_tree.c:5584` |
| `mas_split()` | splits an overflowing node (or pushes to a sibling) | `lib/maple_tree.c:3315` |
| `mab_calc_split()` | where to split; bulk: right node minimal | `lib/maple_tree.c:1852` |
| `mas_push_data()` | moves entries into a sibling with room | `lib/maple_tree.c:3247` |
| `mas_destroy()` | frees the unused preallocation | `lib/maple_tree.c:5530` |
| `mas_find()` | the next entry from the state's position | `lib/maple_tree.c:6012` |

## Resources

- The review thread starts at v3's cover letter:
  [lore.kernel.org/lkml/20230925035617.84767-1-zhangpeng.00@bytedance.com](https://lore.kernel.org/lkml/20230925035617.84767-1-zhangpeng.00@bytedance.com/)
  (v4: [20231009090320.64565-1](https://lore.kernel.org/lkml/20231009090320.64565-1-zhangpeng.00@bytedance.com/)).
- v1's cover letter with the `bench_forking` figures:
  [lore.kernel.org](https://lore.kernel.org/lkml/20230726080916.17454-1-zhangpeng.00@bytedance.com/),
  archived at [spinics.net](http://mail.spinics.net/lists/linux-mm/msg349758.html).
- The merged commits: "fork: use __mt_dup() to duplicate maple tree in dup_mmap()",
  [d2406291483775ecddaee929231a39c70c08fda2](https://android-kvm.googlesource.com/linux/+/d2406291483775ecddaee929231a39c70c08fda2);
  "maple_tree: introduce interfaces __mt_dup() and mtree_dup()",
  [fd32e4e9b7646510ee9010e0d5f8b8857d48a6f7](https://lab.nexedi.com/kirr/linux/-/commit/fd32e4e9b7646510ee9010e0d5f8b8857d48a6f7).
- [byte-unixbench](https://github.com/kdlucas/byte-unixbench/tree/master), whose `spawn`
  Peng modified.
- `Documentation/core-api/maple_tree.rst`:
  [docs.kernel.org/core-api/maple_tree.html](https://docs.kernel.org/core-api/maple_tree.html);
  LWN, [Introducing maple trees](https://lwn.net/Articles/845507/).

## After v6.8

* **Bulk insert dropped** in v6.18-rc1: "maple_tree: Drop bulk insert support" (mainline
  `e3852a1213ffc6fbd89c768e7c54a360652648b8`, seen in
  <https://github.com/deepin-community/kernel/pull/1280>) removes
  `mas_expected_entries()` and the bulk split; fork had stopped using them in v6.8.
* **Forking with slab sheaves**: "maple_tree: Convert forking to use the sheaf interface"
  (`9b906376adc11f6fa51c555ac25dd60ee2f05b49` in the maple tree development tree,
  <https://www.infradead.org/git/?a=commit&h=9b906376adc11f6fa51c555ac25dd60ee2f05b49&p=users%2Fjedix%2Flinux-maple.git>)
  changes how `__mt_dup()` gets its nodes (which release first had it was not checked).

## What's next

Back to the [index](00-index.ipynb), or fork your own process both ways in
[lesson 08](08-a-real-process.ipynb) and compare with the table of section 5.
"""),
]


def notebook():
    return lesson(CELLS, DESCRIPTION)


if __name__ == "__main__":
    import build

    build.main(["09"])
