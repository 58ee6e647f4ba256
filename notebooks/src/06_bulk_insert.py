# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/06-bulk-insert.ipynb: v6.8's bulk mode (mas_expected_entries, the
left-balanced bulk split, MA_STATE_REBALANCE, mas_destroy), beside normal appends.

Built by ``python notebooks/src/build.py`` (``build.py 06`` for this one only).
"""

from build import check, code, exercise, lesson, md, predict
from lessonparts import md_with, table

DESCRIPTION = ("how fork() before v6.8 loaded a tree in bulk: one preallocation, "
               "left-balanced splits, and a last-leaf check that never fires")

PREREQUISITES = table(
    ("Lesson", "What you need from it"),
    ("[01 What a maple tree stores](01-what-a-maple-tree-stores.ipynb)",
     "ranges, pivots and slots, the three node types"),
    ("[02 Walking and storing](02-walking-and-storing.ipynb)",
     "the write paths (append, node store, big node), RCU mode"),
    ("[05 Node splits](05-node-splits.ipynb)",
     "`mas_split`, push left and right, `mab_calc_split` in normal mode"),
)

VOCABULARY = table(
    ("Word", "Meaning"),
    ("bulk mode", "`MA_STATE_BULK` on a maple state: splits favour the left, small nodes "
     "are allowed while loading"),
    ("preallocation", "nodes allocated up front and kept in the maple state's pool "
     "(`MA_STATE_PREALLOC`)"),
    ("`MA_STATE_REBALANCE`", "a flag meaning \"the last leaf may be small\"; "
     "`mas_destroy()` looks at it"),
    ("RCU mode", "`MT_FLAGS_USE_RCU`: readers may walk the tree without locks, so a "
     "replaced node is freed only after a grace period"),
    ("ledger", "the node cache's counters: `allocs`, `frees`, `alloc_calls`"),
)

KERNEL_FUNCTIONS = table(
    ("Function", "What it does", "Where in v6.8"),
    ("`mas_expected_entries()`", "set `MA_STATE_BULK`, preallocate the worst case, set "
     "`MA_STATE_PREALLOC`", "`lib/maple_tree.c:5584`"),
    ("`mas_alloc_nodes()`", "fill the maple state's node pool (one head node, then bulk "
     "calls of up to 30)", "`lib/maple_tree.c:1221`"),
    ("`mas_free()`", "a replaced node: back into the pool without RCU, freed after a grace "
     "period with it", "`lib/maple_tree.c:1299`"),
    ("`mab_calc_split()`", "its bulk branch: `b_end - mt_min_slots`, sets "
     "`MA_STATE_REBALANCE` for a leaf", "`lib/maple_tree.c:1852`"),
    ("`mas_push_data()`", "still tried before every bulk split", "`lib/maple_tree.c:3247`"),
    ("`mas_bulk_rebalance()`", "clears `MA_STATE_REBALANCE` when the end offset it is "
     "given is above `mt_min_slots`", "`lib/maple_tree.c:2043`"),
    ("`mas_wr_node_store()`", "skips its too-small refusal in bulk mode",
     "`lib/maple_tree.c:3883`"),
    ("`mas_destroy()`", "rebalance the last leaf if it has 4 or fewer entries, clear the "
     "flags, free the unused pool", "`lib/maple_tree.c:5530`"),
    ("`mas_destroy_rebalance()`", "move the left sibling's tail into the last leaf",
     "`lib/maple_tree.c:3017`"),
    ("`vma_iter_bulk_alloc()`, `vma_iter_bulk_store()`, `vma_iter_free()`", "the VMA "
     "iterator's wrappers of the three calls above", "`include/linux/mm.h:991-1024`"),
)


CELLS = [
    md("""
# Bulk insert

From Linux v6.1, when the maple tree was merged ("Maple Tree: add new data structure",
`54a611b60590`), until v6.8, whose `dup_mmap()` uses `__mt_dup()` (`d2406291483775ec`),
`fork()` built the child's VMA tree by **bulk insertion**: `dup_mmap()` announced how
many VMAs were coming (`mas_expected_entries()`), stored every VMA in address order
through one maple state (`mas_store()`), then finished with `mas_destroy()`. This lesson
loads trees that way and compares them with normal appends: the preallocation, the
left-balanced bulk split, the `MA_STATE_REBALANCE` flag and the last-leaf check of
`mas_destroy()`. v6.8 has both bulk mode and the `__mt_dup()` fork of lesson 07, so the
two can be compared on the same code.
"""),
    md_with("""
## At a glance

*Time:* about 45 minutes.

*Prerequisites:*

{PREREQUISITES}

*You will learn:*

* what `mas_expected_entries()` preallocates, and why the load itself allocates nothing;
* why that only works with RCU mode off, as `dup_mmap()` had it;
* where a bulk split cuts, and what `MA_STATE_REBALANCE` records;
* what happens when the last leaf of an in-order load overflows again, and why;
* what `mas_destroy()` checks at the end, and why that check never fires for them.
""", PREREQUISITES=PREREQUISITES),
    md_with("""
### Vocabulary

{VOCABULARY}
""", VOCABULARY=VOCABULARY),
    code("""
from mapletree_edu import MapleTree
from mapletree_edu.core.bulk import expected_entries_request
from mapletree_edu.lessons import l06
from mapletree_edu.lessons.common import Table, show, show_steps, step_table
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

t = MapleTree()                      # an alloc tree, like the mm's; RCU off
with t.bulk(len(ranges)) as b:       # mas_expected_entries(mas, 16)
    for first, last, vma in ranges:
        b.store(first, last, vma)    # vma_iter_bulk_store()
                                     # leaving the block: mas_destroy()
print(t, "leaf sizes", l06.leaf_sizes(t))
"""),
    check("""
assert list(t) == ranges
"""),
    md("""
## 2. `mas_expected_entries`: the preallocation

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
        rows.append((nr, "alloc" if alloc else "plain", expected_entries_request(nr, alloc),
                     ledger["allocs"], ledger["alloc_calls"]))
Table(["nr_entries", "tree", "formula", "ledger allocs", "ledger alloc_calls"], rows)
"""),
    check("""
assert all(r[2] == r[3] and r[4] == 1 + -(-(r[2] - 1) // 30) for r in rows)
"""),
    md("""
The formula and the ledger agree for every size. Nothing is allocated during the load
itself: stores take nodes from the preallocated pool, and a node that a split replaces
goes back into it, to be used again.
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
"""),
    check("""
assert after_expected == before_destroy
assert after_destroy["frees"] == after_expected["allocs"] - t.node_count
"""),
    md("""
**This needs RCU mode off.** A replaced node goes back into the maple state's pool only
because `mas_free()` pushes it there when the tree is *not* in RCU mode; in RCU mode a
lock-free reader may still be walking the old node, so it is freed after an RCU grace
period instead, and the next split would have to allocate again. The mm's tree is
created in RCU mode (`MM_MT_FLAGS` includes `MT_FLAGS_USE_RCU` in
`include/linux/mm_types.h`), and `dup_mmap()` called `mt_clear_in_rcu()` on the child's
new tree right after `vma_iter_bulk_alloc()` (the context lines of the patch quoted in the
review thread, see *Resources*). The comment
above `mas_expected_entries()` gives the same advice: load in bulk with RCU disabled. The
model refuses a bulk load in RCU mode.
"""),
    md("""
## 3. The bulk split and `MA_STATE_REBALANCE`

In normal mode `mab_calc_split()` splits a big node near its middle (lesson 05). In bulk
mode it does this instead, for a leaf:

```
split = b_end - mt_min_slots[leaf]       # b_end - 6: the right leaf gets 6 entries after it
if slot[split] is NULL: split -= 1       # never end the left leaf on a NULL
set MA_STATE_REBALANCE                   # "the rightmost leaf may be small"
```

The left leaf keeps offsets `0..split`. Load 16 VMAs with gaps: the root leaf fills up
(two slots per VMA: the VMA and the gap after it), and after 8 stores it is full. The
next store goes through the big node and `mas_split()`:
"""),
    code("""
ranges = l06.vmas(16)
t = MapleTree()
with t.bulk(len(ranges)) as b:
    for first, last, vma in ranges[:8]:
        b.store(first, last, vma)
    show(t)
    first, last, vma = ranges[8]
    with record(t, f"bulk store of vma {vma}") as rec:
        b.store(first, last, vma)
split_steps = rec.steps
split_tree = t
""", ignore_output=True),
    code("""
l06.big_node_table(split_steps)
"""),
    predict("""
the big node above holds offsets `0..b_end`. Work out the split offset from the rule
above, and the two leaf sizes it gives. The player stops and asks you at each decision
(push or split? which offset?).
"""),
    code("""
first_bulk = PredictPlayer(split_steps, title="bulk store of vma 8", start=0)
first_bulk
""", ignore_output=True),
    check("""
assert first_bulk.state()["index"] == 0 and first_bulk.questions
"""),
    md("""
*After the player:* the `mab_calc_split` step's numbers, then the leaf sizes and the maple
state's flags after every store of the 16-VMA load.
"""),
    code("""
calc = next(s for s in split_steps if s.fn == "mab_calc_split").details
big, b_end = calc["big_node"], calc["b_end"]
t, rows = l06.bulk_load(l06.vmas(16), watch=True)
show_steps(f"mode {calc['mode']} | b_end {b_end} | b_end - 6 = {b_end - 6} | slot there: "
           f"{big['slots'][b_end - 6]} | split {calc['split']}",
           f"left leaf keeps offsets 0 .. {calc['split']} = {calc['split'] + 1} entries; "
           f"right leaf gets {b_end - calc['split']}",
           Table(["after store", "leaf sizes", "state flags"], rows))
""", ignore_output=True),
    check("""
assert calc["mode"] == "bulk" and calc["split"] == b_end - 6 - (big["slots"][b_end - 6] is None)
"""),
    md("""
`MA_STATE_REBALANCE` is now set on the maple state: the load has left a small rightmost
leaf, and `mas_destroy()` will look at it if the flag is still set at the end. The flag
is cleared by `mas_bulk_rebalance(mas, end, type)`, which tests an **end offset**: if
`end > mt_min_slots` (6), the flag goes. Two writes call it, both only for a write that
ends inside the tree's last range (the one running to MAX):

- the big-node path (`mas_store_b_node()`), with the number of slots copied before the
  write's offset: the flag goes when at least 7 slots come before the write;
- the node store (`mas_wr_node_store()`), with the node's end offset: the flag goes when
  the node holds at least 8 entries.

Plain appends (`mas_wr_append()`) do not touch it. In the table, the flag is cleared at
store 13: a big-node write into the last range, the push of the next section.
"""),
    md("""
## 4. Pushing in bulk mode

Bulk mode does not switch off pushing. Every time a node overflows, `mas_split()` first
tries to move entries into the previous sibling (`mas_push_data()`, left), then into the
next one, and only then splits. The rightmost leaf grows by appends until it overflows
again. Here is the tree just before that store:
"""),
    code("""
ranges = l06.vmas(16)
t = MapleTree()
with t.bulk(len(ranges)) as b:
    for first, last, vma in ranges[:13]:
        b.store(first, last, vma)
    show(t)
    first, last, vma = ranges[13]
    with record(t, f"bulk store of vma {vma}") as rec:
        b.store(first, last, vma)
    push_steps, push_flags = rec.steps, b.flags
push_tree = t
""", ignore_output=True),
    predict("""
will `mas_split()` push left, push right or split? How many entries will the left leaf
hold afterwards?
"""),
    code("""
push_player = PredictPlayer(push_steps, title="bulk store of vma 13", start=0)
push_player
""", ignore_output=True),
    code("""
show_steps(step_table([s for s in push_steps if s.fn in ("mas_split", "mas_push_data")],
                      keys=("side", "b_end", "sibling_end", "space", "split", "pushed")),
           f"leaf sizes after the push: {l06.leaf_sizes(push_tree)}",
           f"state flags after the push: {l06.flag_names(push_flags)}")
""", ignore_output=True),
    check("""
assert push_player.state()["index"] == 0
assert any(s.fn == "mas_push_data" and s.details.get("pushed") for s in push_steps)
"""),
    md("""
A left push fills the left sibling to `mt_slots - 1` entries (split point 14) and the
rest stays on the right. The push happened at a *leaf* of a bulk load, so the left node
was not full. Which brings us to the question the kernel's maintainer answered.

## 5. Why the left nodes are not full

In the review of "fork: Use `__mt_dup()` to duplicate maple tree in `dup_mmap()`"
(version 3 of the series, October 2023), Peng Zhang expected that bulk mode does not
push when inserting in ascending order, *"because the left nodes are all full, while
there are no nodes on the right side"*. Liam Howlett answered: *"They are not full, the
right node has enough entries to have a sufficient node, so the left node will have that
many spaces for push."* The bulk split leaves the right node just enough entries to be
a sufficient node (`split = b_end - mt_min_slots`), so the left node keeps that many
free slots, and the next overflow pushes into them.

Count it on a larger load, and compare three ways of building the same tree: normal
stores with RCU off, normal stores **with RCU on**, which is how a real mm's tree grows
(`mmap()` appends into a tree in RCU mode, so `mas_wr_append()` is refused and every
append rewrites its leaf into a new node, lesson 02), and the bulk load:
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
    rows.append((name, costs.splits, costs.pushes, costs.splits - costs.pushes))
print(Table(["135 VMAs", "mas_split calls", "pushes", "real splits"], rows))
Table(["135 VMAs", "allocs", "frees", "alloc_calls", "nodes", "leaf sizes"],
      l06.normal_ledgers(ranges))
"""),
    check("""
assert all(r[2] > 0 for r in rows)
ledgers = l06.normal_ledgers(ranges)
assert ledgers[1][1] > ledgers[0][1] > ledgers[2][1] and ledgers[0][4] == ledgers[2][4]
"""),
    md("""
Both ways push about as often as they split: an in-order load alternates "split, fill up
the right node by appends, push into the left". The ledger is where bulk mode pays off:
one preallocation instead of a request per split, and nothing freed during the load. In
RCU mode, as a real mm runs, the normal way also pays for a new leaf on every append.

## 6. Internal nodes

When a split ripples up, the internal node splits with the same idea, but **without** the
NULL check (internal slots are never NULL) and without setting a flag:

```
split = b_end - mt_min_slots[type]     # arange_64: b_end - 4    range_64: b_end - 6
```

The cell below finds the first internal bulk split in an alloc tree (`arange_64` nodes;
a plain tree's `range_64` nodes are exercise 4).
"""),
    code("""
t = MapleTree()                         # an alloc tree: arange_64 internal nodes
log = l06.FnLog()
t.tracer = log
with t.bulk(200) as b:
    for first, last, vma in l06.vmas(200):
        b.store(first, last, vma)
calc = next(d for d in log.calls("mab_calc_split")
            if d["mode"] == "bulk" and d["big_node"]["type"] != 1)
Table(["internal type", "children", "b_end", "split", "left keeps", "right gets"],
      [("arange_64", calc["b_end"] + 1, calc["b_end"], calc["split"], calc["split"] + 1,
        calc["b_end"] - calc["split"])])
"""),
    md("""
Internal nodes are later topped up by pushes too, so internal fill differs from a
normally built tree even when the leaves come out the same (section 9).

## 7. `mas_destroy` and the last leaf

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
print("mas_destroy_rebalance ran:", sum(r[4] for r in sweep), "times")
"""),
    check("""
assert flagged and not any(r[4] for r in sweep)
"""),
    md("""
So for in-order loads the last-leaf rebalance is dead code: the flag is often still set,
but the leaf is never small enough. (The kernel comment gives "fewer entries inserted than
expected" as the reason for the check; the announced count only sizes the preallocation
and never enters a split decision, so that does not make the leaf smaller either.) The
test suite drives `mas_destroy_rebalance()` directly to cover it.

## 8. Normal appends beside a bulk load

The same 20 touching VMAs, stored one by one with `mtree_store_range` on the left and
loaded in bulk on the right, both with RCU mode off. (In RCU mode, as a real mm runs, the
left side gives the same leaves: each append becomes a node store into a new leaf.) The
player aligns the two traces store by store.
"""),
    predict("""
at which store do the two trees first differ, and what are the two leaf sizes right
after it on each side? 20 touching VMAs and the trailing NULL need two leaves; normal
mode splits near the middle.
"""),
    code("""
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
""", ignore_output=True),
    check("""
assert pair.state()["index"] == 0
"""),
    md("""
*After the player:* leaf sizes after each store, on both sides, around the first
difference.
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
show_steps(f"first difference at the store of vma {first_diff}",
           Table(["store of vma", "normal", "bulk", ""], rows[first_diff - 2:first_diff + 3]))
""", ignore_output=True),
    md("""
Normal mode splits the 17-entry big node in the middle; bulk mode leaves 6 entries on the
right. Both trees then grow by appends into the last leaf.

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
""", ignore_output=True),
    md("""
## Exercises
"""),
    exercise(1, "waste as little as you can", """
`mas_expected_entries()` reserves nodes for the worst case, and `mas_destroy()` frees
what the load did not use. Lay out `l06.WASTE_VMAS` (100) VMAs as a list of
`(first, last)` ranges, ascending and not overlapping, so that their bulk load frees as
few unused nodes as possible. `l06.bulk_waste(ranges)` tells you (preallocated, built,
freed). The check accepts any layout that wastes no more than the best simple layout.
""", """
answer = None   # a list of (first, last) ranges
""", "check_least_waste", "l06", "least_waste"),
    exercise(2, "the first bulk split, shifted", """
Section 3's VMAs start at 0. Load the same VMAs moved up by `l06.SHIFTED` (0x10000), so
that a NULL range comes first: `l06.vmas(40, start=l06.SHIFTED)`, in bulk. Right after
the first leaf split, how many entries does each leaf hold? Predict it from the rule of
section 3, then check.
""", """
answer = None   # a list of two leaf sizes, left to right
""", "check_first_split", "l06", "first_split"),
    exercise(3, "the push, shifted", """
In the same shifted load, what are the leaf sizes right after the first successful push
into the left leaf? Section 4's push (from 0) left 15 entries on the left; is it the same
here?
""", """
answer = None   # a list of leaf sizes, left to right
""", "check_push_left", "l06", "push_left"),
    exercise(4, "internal bulk splits in a plain tree", """
Section 6 split an `arange_64` node. A plain tree (`MapleTree(alloc=False)`) has
`range_64` internal nodes of up to 16 children. When the first of them splits in a bulk
load (17 children), how many children does the *left* node keep?
""", """
answer = None   # a number of children
""", "check_internal_split", "l06", "internal_split"),
    exercise(5, "mas_destroy", """
Run `l06.destroy_sweep(range(1, 121))`. Among the loads that still had
`MA_STATE_REBALANCE` set at `mas_destroy`, what is the smallest last-leaf size?
""", """
answer = None   # an entry count
""", "check_destroy_min", "l06", "destroy_min"),
    md("""
## Summary

- `mas_expected_entries()` sets `MA_STATE_BULK` and preallocates the worst case (a NULL
  beside every entry) in one request; the load itself allocates and frees nothing, because
  with RCU mode off (`dup_mmap()` cleared it) replaced nodes go back into the maple state;
  `mas_destroy()` frees the rest.
- A bulk leaf split keeps all but `mt_min_slots` (6) entries on the left, one fewer if that
  would end the left leaf on a NULL, and sets `MA_STATE_REBALANCE`;
  `mas_bulk_rebalance()` clears it when the end offset it is given is above 6. Internal
  bulk splits use `b_end - mt_min_slots` with no NULL check and no flag.
- Push left is still tried before every split. The left nodes are not full (they keep
  room for what the bulk split moved right), so in-order loads push about as often as
  they split: the maintainer's point in the `__mt_dup` review.
- `mas_destroy()` rebalances the last leaf only if it has 4 or fewer entries; in-order
  loads never leave it that small, so that path never runs for them.
- The leaves come out mostly 15–16 entries either way; bulk and normal trees differ in the
  tail and in internal fill. A real mm appends in RCU mode, where every append takes a new
  leaf.
"""),
    md_with("""
## Kernel functions explained

{KERNEL_FUNCTIONS}

## Resources

- The review thread of "fork: Use `__mt_dup()` to duplicate maple tree in `dup_mmap()`",
  v3 (Peng Zhang, September 2023), cover letter:
  <https://lore.kernel.org/lkml/20230925035617.84767-1-zhangpeng.00@bytedance.com/>.
- `Documentation/core-api/maple_tree.rst` ("mass insertion mode"), rendered at
  <https://docs.kernel.org/core-api/maple_tree.html>.
- The merged fork commit, `d2406291483775ecddaee929231a39c70c08fda2`:
  <https://android-kvm.googlesource.com/linux/+/d2406291483775ecddaee929231a39c70c08fda2>.

## After v6.8

* **Bulk mode is gone.** "maple_tree: Drop bulk insert support" (Liam R. Howlett,
  mainline `e3852a1213ffc6fbd89c768e7c54a360652648b8`, v6.18-rc1 according to a
  downstream backport note, <https://github.com/deepin-community/kernel/pull/1280>)
  removed `mas_expected_entries()`'s bulk mode, `mas_bulk_rebalance()`,
  `mas_destroy_rebalance()`, `MA_STATE_BULK`, `MA_STATE_REBALANCE` and the bulk branch
  of `mab_calc_split()`. The reason given: `fork()` already uses `__mt_dup()`, and the
  per-CPU slab "sheaves" that now back maple-node preallocation made the model of
  pushing nodes back into the maple state hard to keep.

## What's next

[07 `__mt_dup` and fork](07-mt-dup-and-fork.ipynb): how v6.8 copies the tree node for
node instead of rebuilding it, what a `VM_DONTCOPY` VMA does to the copy, and what happens
when the copy fails half-way.
""", KERNEL_FUNCTIONS=KERNEL_FUNCTIONS),
]


def notebook():
    return lesson(CELLS, DESCRIPTION)


if __name__ == "__main__":
    import build

    build.main(["06"])
