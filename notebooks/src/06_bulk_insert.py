# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/06-bulk-insert.ipynb: v6.8's bulk mode (mas_expected_entries, the
left-balanced bulk split, MA_STATE_REBALANCE, mas_destroy), beside normal appends.

Built by ``python notebooks/src/build.py`` (``build.py 04`` for this one only).
"""

from build import code, exercise, lesson, md, predict

DESCRIPTION = ("how v6.1-v6.7 fork() loaded a tree in bulk: one preallocation, "
               "left-balanced splits, and a last-leaf check that never fires")

CELLS = [
    md("""
# Bulk insert

**Loading a whole tree in one go: `mas_expected_entries`, the left-balanced bulk split,
`MA_STATE_REBALANCE` and `mas_destroy`.**

## Overview

From Linux v6.1 to v6.7, `fork()` built the child's VMA tree by **bulk insertion**:
`dup_mmap()` announced how many VMAs were coming (`mas_expected_entries()`), stored every
VMA in address order through one maple state (`mas_store()`), then finished with
`mas_destroy()`. Bulk mode changes two things:

1. **memory**: every node the load may need is allocated up front, in one request;
2. **shape**: splits are *left-balanced*: the left node keeps as much as it can and the
   right node gets just enough to be valid, because more entries are about to arrive on
   the right.

v6.8 switched `fork()` to `__mt_dup()` (the next lesson), and v6.18-rc1 removed bulk mode
altogether ("maple_tree: Drop bulk insert support"). This lesson is about v6.8, which has
both, so you can compare them on the same input.

## Prerequisites

- [01](01-what-a-maple-tree-stores.ipynb): ranges, pivots and slots, the three node types.
- [02](02-walking-and-storing.ipynb): the write paths (append, node store, big node).
- [05](05-node-splits.ipynb): `mas_split`, push left and right, `mab_calc_split` in normal mode.

## Sections

1. [The bulk API](#1.-The-bulk-API)
2. [mas_expected_entries: the preallocation](#2.-mas_expected_entries:-the-preallocation)
3. [The bulk split and MA_STATE_REBALANCE](#3.-The-bulk-split-and-MA_STATE_REBALANCE)
4. [Push left is still tried first](#4.-Push-left-is-still-tried-first)
5. [Why the left nodes are not full](#5.-Why-the-left-nodes-are-not-full)
6. [Internal nodes](#6.-Internal-nodes)
7. [mas_destroy and the last leaf](#7.-mas_destroy-and-the-last-leaf)
8. [Normal appends beside a bulk load](#8.-Normal-appends-beside-a-bulk-load)
9. [Leaf fill](#9.-Leaf-fill)
10. [Exercises](#10.-Exercises)
"""),
    code("""
from mapletree_edu import MapleTree
from mapletree_edu.core.bulk import expected_entries_request
from mapletree_edu.lessons import l06
from mapletree_edu.lessons.common import Table, player_state, step_table
from mapletree_edu.stats import counting
from mapletree_edu.trace import record
from mapletree_edu.widgets.pairs import SideBySide
from mapletree_edu.widgets.predict import PredictPlayer
"""),
    md("""
## 1. The bulk API

In the model a bulk load is a `with` block. Entering it is `mas_expected_entries()`,
each `b.store(first, last, entry)` is `vma_iter_bulk_store()` (a `mas_store()` through a
state that keeps its position), and leaving the block is `mas_destroy()`. Stores must
ascend, as `dup_mmap()`'s did: it walked the parent's VMAs in address order.

The VMAs here are `l06.vmas(n)`: range `i` is `[i·0x10000, i·0x10000 + 0x3fff]` with a
gap after it (`gap=False` makes them touch). The entry is the VMA's number.
"""),
    code("""
ranges = l06.vmas(16)
print(Table(["vma", "first", "last"], [(e, hex(f), hex(la)) for f, la, e in ranges[:4]]))

t = MapleTree()                      # an alloc tree, like the mm's
with t.bulk(len(ranges)) as b:       # mas_expected_entries(mas, 16)
    for first, last, vma in ranges:
        b.store(first, last, vma)    # vma_iter_bulk_store()
                                     # leaving the block: mas_destroy()
print(t, "leaf sizes", l06.leaf_sizes(t))
assert list(t) == ranges
"""),
    md("""
## 2. mas_expected_entries: the preallocation

`mas_expected_entries(mas, nr_entries)` sets `MA_STATE_BULK`, asks for enough nodes for
the worst case, then sets `MA_STATE_PREALLOC`. The worst case is a NULL range beside every
entry:

```
n      = max(nr_entries, 2 * nr_entries + 1)    # entries plus a NULL beside each
leaves = ceil(n / 14)                           # MAPLE_RANGE64_SLOTS - 2 per leaf
n      = leaves + ceil(leaves / cap)            # cap: 8 (arange_64) or 14 (range_64)
request n + 3 nodes                             # slack: two split halves and a new parent
```

The node ledger (`t.allocator.counters()`) counts what the allocator hands out. Read it
just inside the `with` block, before any store: `allocs` is the request. `alloc_calls`
is one call for the head of the state's node list plus one bulk call per 30 further
nodes.
"""),
    code("""
rows = []
for nr in (0, 6, 7, 13, 14, 20, 64, 100, 117, 135, 1000):
    for alloc in (True, False):
        t = MapleTree(alloc=alloc)
        with t.bulk(nr):
            ledger = t.allocator.counters()
        formula = expected_entries_request(nr, alloc)
        assert ledger["allocs"] == formula, (nr, alloc)
        assert ledger["alloc_calls"] == 1 + -(-(formula - 1) // 30)
        rows.append((nr, "alloc" if alloc else "plain", formula, ledger["allocs"],
                     ledger["alloc_calls"]))
Table(["nr_entries", "tree", "formula", "ledger allocs", "ledger alloc_calls"], rows)
"""),
    md("""
The formula and the ledger agree for every size. Nothing is allocated during the load
itself: stores pop nodes from the preallocated pool, and nodes a split replaces go back
into it. `mas_destroy()` frees what is left.
"""),
    code("""
ranges = l06.vmas(135)
t = MapleTree()
with t.bulk(len(ranges)) as b:
    after_expected = dict(t.allocator.counters())
    for first, last, vma in ranges:
        b.store(first, last, vma)
    before_destroy = dict(t.allocator.counters())
after_destroy = dict(t.allocator.counters())
print("after mas_expected_entries:", after_expected)
print("before mas_destroy:        ", before_destroy)
print("after mas_destroy:         ", after_destroy)
print("nodes in the tree:", t.node_count)
assert after_expected == before_destroy                  # the load allocated nothing
assert after_destroy["frees"] == after_expected["allocs"] - t.node_count
"""),
    md("""
## 3. The bulk split and MA_STATE_REBALANCE

In normal mode `mab_calc_split()` splits a big node near its middle (lesson 05). In bulk
mode it does this instead, for a leaf:

```
split = b_end - mt_min_slots[leaf]       # b_end - 6: the right leaf gets 6 entries after it
if slot[split] is NULL: split -= 1       # never end the left leaf on a NULL
set MA_STATE_REBALANCE                   # "the rightmost leaf may be small"
```

The left leaf keeps offsets `0..split`. Watch the leaf sizes and the maple state's flags
after every store of a 16-VMA load:
"""),
    code("""
t, rows = l06.bulk_load(l06.vmas(16), watch=True)
Table(["after store", "leaf sizes", "state flags"], rows)
"""),
    md("""
The root leaf fills up (two slots per VMA: the VMA and the gap after it) until a store no
longer fits in 16 slots. That store goes through the big node and `mas_split`.
"""),
    predict("""
The player below records that one store. Its big node holds
offsets `0..b_end`. Before you step onto `mab_calc_split`, work out the split offset
from the rule above, and the two leaf sizes it gives. The player stops and asks you at
each decision (push or split? which offset?).
"""),
    code("""
# NBVAL_IGNORE_OUTPUT
# the player (widget and SVG vary between runs); its state is printed in the next cell
ranges = l06.vmas(16)
t = MapleTree()
with t.bulk(len(ranges)) as b:
    for first, last, vma in ranges[:8]:
        b.store(first, last, vma)
    first, last, vma = ranges[8]
    with record(t, f"bulk store of vma {vma}") as rec:
        b.store(first, last, vma)
split_steps = rec.steps
split_player = PredictPlayer(split_steps, title=f"bulk store of vma {vma}", start=0)
split_player
"""),
    code("""
print(player_state(split_player))
step_table(split_steps)
"""),
    md("""
*Answer (run this cell after stepping).* The big node's details, from the
`mab_calc_split` step:
"""),
    code("""
calc = next(s for s in split_steps if s.fn == "mab_calc_split").details
big = calc["big_node"]
b_end = calc["b_end"]
print("mode", calc["mode"], "| b_end", b_end, "| b_end - 6 =", b_end - 6,
      "| slot there:", big["slots"][b_end - 6], "| split", calc["split"])
print("left leaf keeps offsets 0 ..", calc["split"], "=", calc["split"] + 1, "entries;",
      "right leaf gets", b_end - calc["split"])
print("leaf sizes after the store:", l06.leaf_sizes(t))
assert calc["mode"] == "bulk" and calc["split"] == b_end - 6 - (big["slots"][b_end - 6] is None)
"""),
    md("""
`MA_STATE_REBALANCE` is now set on the maple state: the load has left a small rightmost
leaf, and `mas_destroy()` will look at it if the flag is still set at the end. The flag
is **cleared** by `mas_bulk_rebalance()` when a later big-node or node-store write into
the tree's last range finds the node large enough (more than `mt_min_slots` entries).
Plain appends (`mas_wr_append`) do not touch it.
"""),
    md("""
## 4. Push left is still tried first

Bulk mode does not switch off pushing. Every time a node overflows, `mas_split` first
tries to move entries into the previous sibling (`mas_push_data`, left), then into the
next one, and only then splits. In the table of section 3 the rightmost leaf grows by
appends until it overflows again; at that store the left leaf has room, and the data is
pushed into it.
"""),
    predict("""
Which store is it, and will `mas_split` push left, push right or
split? How many entries will the left leaf hold afterwards?
"""),
    code("""
# NBVAL_IGNORE_OUTPUT
# the player; its state is printed in the next cell
ranges = l06.vmas(16)
t = MapleTree()
pushed_at = None
with t.bulk(len(ranges)) as b:
    for first, last, vma in ranges:
        with record(t, f"bulk store of vma {vma}") as rec:
            b.store(first, last, vma)
        if any(s.fn == "mas_push_data" and s.details.get("pushed") for s in rec.steps):
            pushed_at, push_steps = vma, rec.steps
            break
push_player = PredictPlayer(push_steps, title=f"bulk store of vma {pushed_at}", start=0)
push_player
"""),
    code("""
print("the push happens at the store of vma", pushed_at)
print(player_state(push_player))
step_table([s for s in push_steps if s.fn in ("mas_split", "mas_push_data")],
           keys=("side", "b_end", "sibling_end", "space", "split", "pushed"))
"""),
    code("""
print("leaf sizes after the push:", l06.leaf_sizes(t))
print("state flags after the push:", l06.flag_names(b.flags))
"""),
    md("""
A left push fills the left sibling to `mt_slots - 1` entries (split point 14) and the
rest stays on the right. The push happened at a *leaf* of a bulk load, so the left node
was not full. Which brings us to the question the kernel's maintainer answered.
"""),
    md("""
## 5. Why the left nodes are not full

When `dup_mmap()` was switched to `__mt_dup()` (review of the patch "fork: Use
__mt_dup() to duplicate maple tree in dup_mmap()", October 2023), the patch author
expected that bulk mode never pushes when inserting in ascending order, *"because the
left nodes are all full, while there are no nodes on the right side"*. Liam Howlett's
reply, in short: they are **not** full. The bulk split leaves the right node just enough
entries to be a sufficient node (`split = b_end - mt_min_slots`), so the left node has
that many free slots, and the next overflow pushes into them. Pushing happens at every
level.

Count it on a larger load: splits and pushes, bulk against normal appends of the same
VMAs (`stats.counting` counts `mas_split` calls and successful `mas_push_data` steps):
"""),
    code("""
ranges = l06.vmas(135)
rows = []
for name in ("normal appends", "bulk load"):
    t = MapleTree()
    with counting(t) as c:
        if name == "bulk load":
            with t.bulk(len(ranges)) as b:
                for first, last, vma in ranges:
                    b.store(first, last, vma)
        else:
            for first, last, vma in ranges:
                t.store(first, last, vma)
    costs = c.costs()
    rows.append((name, costs.splits, costs.pushes, costs.splits - costs.pushes,
                 costs.allocs, costs.frees, costs.alloc_calls))
    assert costs.pushes > 0
Table(["135 VMAs", "mas_split calls", "pushes", "real splits", "allocs", "frees",
       "alloc_calls"], rows)
"""),
    md("""
Both ways push about as often as they split: an in-order load alternates "split, fill up
the right node by appends, push into the left". The ledger is where bulk mode pays off:
one preallocation instead of a request per split, and nothing freed during the load.
"""),
    md("""
## 6. Internal nodes

When a split ripples up, the internal node splits with the same idea, but **without** the
NULL check (internal slots are never NULL) and without setting a flag:

```
split = b_end - mt_min_slots[type]     # arange_64: b_end - 4    range_64: b_end - 6
```

The cell below finds the first internal bulk split in an alloc tree and in a plain tree.
"""),
    code("""
rows = []
for alloc, n in ((True, 200), (False, 400)):
    t = MapleTree(alloc=alloc)
    log = l06.FnLog()
    t.tracer = log
    with t.bulk(n) as b:
        for first, last, vma in l06.vmas(n):
            b.store(first, last, vma)
    calc = next(d for d in log.calls("mab_calc_split")
                if d["mode"] == "bulk" and d["big_node"]["type"] != 1)
    kind = "arange_64" if alloc else "range_64"
    rows.append((kind, calc["b_end"] + 1, calc["b_end"], calc["split"], calc["split"] + 1,
                 calc["b_end"] - calc["split"]))
Table(["internal type", "children", "b_end", "split", "left keeps", "right gets"], rows)
"""),
    md("""
Internal nodes are later topped up by pushes too, so internal fill differs from a
normally built tree even when the leaves come out the same (section 9).
"""),
    md("""
## 7. mas_destroy and the last leaf

`mas_destroy()` ends bulk mode. If `MA_STATE_REBALANCE` is still set, it walks to the last
leaf and, **only if that leaf has fewer than `mt_min_slots - 1` entries (at most 4)**,
calls `mas_destroy_rebalance()`, which moves the tail of the left sibling into it. Then it
clears the flags and frees the unused preallocated nodes.

Look at the flag and the last leaf just before `mas_destroy` for the 16-VMA load:
"""),
    code("""
t, rows = l06.bulk_load(l06.vmas(16), watch=True)
print("before mas_destroy:", rows[-1])
print("last leaf:", l06.leaf_sizes(t)[-1], "entries; rebalance needs at most 4")
"""),
    md("""
The flag is set, but the last leaf is far from small. Can an in-order load ever leave a
last leaf of 4 or fewer? A bulk leaf split always leaves at least `mt_min_slots` entries on
the right, and later stores only add to it. Try every size from 1 to 200 VMAs, with and
without gaps:
"""),
    code("""
sweep = l06.destroy_sweep(range(1, 201))
flagged = [r for r in sweep if r[2]]
print("loads:", len(sweep))
print("REBALANCE still set at mas_destroy:", len(flagged))
print("smallest last leaf among those:", min(r[3] for r in flagged))
print("mas_destroy_rebalance ran:", sum(r[4] for r in sweep), "times")
assert not any(r[4] for r in sweep)
"""),
    md("""
So for in-order loads the last-leaf rebalance is dead code: the flag is often still set,
but the leaf is never small enough. (The kernel comment gives "fewer entries inserted than
expected" as the reason for the check; the announced count only sizes the preallocation
and never enters a split decision, so that does not make the leaf smaller either.) The
test suite drives `mas_destroy_rebalance()` directly to cover it.
"""),
    md("""
## 8. Normal appends beside a bulk load

The same 20 touching VMAs, stored one by one with `mtree_store_range` on the left and
loaded in bulk on the right. The player aligns the two traces store by store.
"""),
    predict("""
At which store do the two trees first differ, and what are the
two leaf sizes right after it on each side? (Hint: 20 touching VMAs and the trailing NULL
need two leaves; normal mode splits near the middle.)
"""),
    code("""
# NBVAL_IGNORE_OUTPUT
# the side-by-side player; its state is printed in the next cell
ranges = l06.vmas(20, gap=False)
normal = MapleTree()
with record(normal, "normal appends") as rec_normal:
    for first, last, vma in ranges:
        normal.store(first, last, vma)
bulk = MapleTree()
with record(bulk, "bulk load") as rec_bulk:
    with bulk.bulk(len(ranges)) as b:
        for first, last, vma in ranges:
            b.store(first, last, vma)
pair = SideBySide(rec_normal.steps, rec_bulk.steps, titles=("normal appends", "bulk load"))
pair
"""),
    code("""
state = pair.state()
print(state["n_frames"], "frames")
print("left: ", state["left"]["status"])
print("right:", state["right"]["status"])
print("final leaf sizes: normal", l06.leaf_sizes(normal), " bulk", l06.leaf_sizes(bulk))
"""),
    md("""
*Answer (run after stepping).* Leaf sizes after each store, on both sides:
"""),
    code("""
rows, first_diff = [], None
n_tree, b_tree = MapleTree(), MapleTree()
with b_tree.bulk(len(ranges)) as b:
    for first, last, vma in ranges:
        n_tree.store(first, last, vma)
        b.store(first, last, vma)
        a, c = l06.leaf_sizes(n_tree), l06.leaf_sizes(b_tree)
        if a != c and first_diff is None:
            first_diff = vma
        rows.append((vma, a, c, "<- differ" if a != c else ""))
print("first difference at the store of vma", first_diff)
Table(["store of vma", "normal", "bulk", ""], rows[first_diff - 2:first_diff + 3])
"""),
    md("""
Normal mode splits the 17-entry big node in the middle; bulk mode leaves 6 entries on the
right. Both trees then grow by appends into the last leaf.
"""),
    md("""
## 9. Leaf fill

Leaf sizes of the two ways, for VMAs with gaps (the kernel's `check_forking` shape) and
touching VMAs. Counts of leaves holding each number of entries:
"""),
    code("""
trees = {}
for label, gap, n in (("gaps, 135", True, 135), ("touching, 40", False, 40),
                      ("touching, 100", False, 100)):
    trees[f"normal {label}"] = l06.normal_load(l06.vmas(n, gap=gap))
    trees[f"bulk {label}"] = l06.bulk_load(l06.vmas(n, gap=gap))
for label in ("gaps, 135", "touching, 40", "touching, 100"):
    print(l06.fill_table({"normal": trees[f"normal {label}"], "bulk": trees[f"bulk {label}"]}))
    print("   leaves left to right: normal", l06.leaf_sizes(trees[f"normal {label}"]))
    print("                         bulk  ", l06.leaf_sizes(trees[f"bulk {label}"]))
    print()
"""),
    md("""
The body of the tree is the same 15–16-entry leaves either way: pushes top every left
node up. The two differ in the **tail** (the last one or two leaves) and in the
**internal fill** (for the 135-VMA tree the internal nodes hold different numbers of
children). A plot of the same leaves:
"""),
    code("""
# NBVAL_IGNORE_OUTPUT
# a matplotlib figure (its bytes vary); the numbers it shows are printed in the next cell
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 3, figsize=(12, 2.8), sharey=True)
for ax, label in zip(axes, ("gaps, 135", "touching, 40", "touching, 100"), strict=True):
    for name, dx, color in (("normal", -0.2, "#7f9fbf"), ("bulk", 0.2, "#d9822b")):
        sizes = l06.leaf_sizes(trees[f"{name} {label}"])
        ax.bar([i + dx for i in range(len(sizes))], sizes, width=0.4, color=color, label=name)
    ax.axhline(16, color="grey", lw=0.8, ls=":")
    ax.set_title(label)
    ax.set_xlabel("leaf (left to right)")
axes[0].set_ylabel("entries")
axes[0].legend(loc="lower left")
fig.tight_layout()
plt.show()
"""),
    code("""
for label in ("gaps, 135", "touching, 40", "touching, 100"):
    print(f"{label:>14}: normal {l06.histogram(l06.leaf_sizes(trees['normal ' + label]))}")
    print(f"{'':>14}  bulk   {l06.histogram(l06.leaf_sizes(trees['bulk ' + label]))}")
"""),
    md("""
## 10. Exercises
"""),
    exercise(1, "the preallocation", """
Write `prealloc(nr_entries, alloc)` from the formula in section 2. The check compares it
with the ledger for 26 loads (alloc and plain trees).
""", """
def prealloc(nr_entries, alloc):
    return None   # your formula here

answer = prealloc
""", "check_prealloc", "l06", "prealloc"),
    exercise(2, "the first bulk split", """
Load VMAs with gaps (`l06.vmas(40)`) in bulk. Right after the first leaf split, how many
entries does each leaf hold? Answer with a list, left leaf first.
""", """
answer = None   # a list of two leaf sizes, left to right
""", "check_first_split", "l06", "first_split"),
    exercise(3, "the push", """
In the same load, how many entries does the left leaf hold right after the first
successful push into it?
""", """
answer = None   # an entry count
""", "check_push_left", "l06", "push_left"),
    exercise(4, "internal bulk splits", """
When an internal node splits in bulk mode, how many children does the *left* node keep?
Answer `(alloc tree, plain tree)` for the first internal split of each (an arange_64
node of 11 children, a range_64 node of 17).
""", """
answer = None   # (alloc, plain)
""", "check_internal_split", "l06", "internal_split"),
    exercise(5, "mas_destroy", """
Run `l06.destroy_sweep(range(1, 121))`. Among the loads that still had
`MA_STATE_REBALANCE` set at `mas_destroy`, what is the smallest last-leaf size?
""", """
answer = None   # an entry count
""", "check_destroy_min", "l06", "destroy_min"),
    md("""
## Summary

- `mas_expected_entries()` sets `MA_STATE_BULK` and preallocates the worst case in one
  request; the load itself allocates and frees nothing; `mas_destroy()` frees the rest.
- A bulk leaf split keeps all but `mt_min_slots` (6) entries on the left, one fewer if that
  would end the left leaf on a NULL, and sets `MA_STATE_REBALANCE`. Internal bulk splits
  use `b_end - mt_min_slots` with no NULL check and no flag.
- Push left is still tried before every split. The left nodes are not full (they keep
  room for what the bulk split moved right), so in-order loads push about as often as
  they split: the maintainer's point in the `__mt_dup` review.
- `mas_destroy()` rebalances the last leaf only if it has 4 or fewer entries; in-order
  loads never leave it that small, so that path never runs for them.
- The leaves come out mostly 15–16 entries either way; bulk and normal trees differ in the
  tail and in internal fill.

## What's next

[07 · `__mt_dup` and fork](07-mt-dup-and-fork.ipynb): how v6.8 copies the tree node for
node instead of rebuilding it, and what a `VM_DONTCOPY` VMA does to the copy.

## Kernel functions explained

`mas_expected_entries`, `mas_node_count` / `mas_alloc_nodes` (the preallocation),
`vma_iter_bulk_alloc`, `vma_iter_bulk_store`, `mas_store`, `mas_wr_append`,
`mas_wr_bnode`, `mas_split`, `mas_push_data`, `mab_calc_split` (bulk branch),
`mas_bulk_rebalance`, `mas_destroy`, `mas_destroy_rebalance`, `vma_iter_free`.
"""),
]


def notebook():
    return lesson(CELLS, DESCRIPTION)


if __name__ == "__main__":
    import build

    build.main(["04"])
