# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/07-mt-dup-and-fork.ipynb: v6.8's __mt_dup (depth-first pre-order
copy, children allocated together), the replace pass, VM_DONTCOPY NULL stores, and
failure part-way (mas_dup_free; where dup_mmap() puts XA_ZERO_ENTRY, and who stops there).

Built by ``python notebooks/src/build.py`` (``build.py 07`` for this one only).
"""

from build import check, code, exercise, lesson, md, predict
from lessonparts import md_with, table

DESCRIPTION = ("how v6.8 fork() copies the VMA tree node for node with __mt_dup, what "
               "VM_DONTCOPY does to the copy, and how a failed copy is unwound")

PREREQUISITES = table(
    ("Lesson", "What you need from it"),
    ("[05 Node splits](05-node-splits.ipynb)",
     "rebalance and spanning stores (a NULL store can cause both)"),
    ("[06 Bulk insert](06-bulk-insert.ipynb)",
     "the bulk load this replaced, and RCU mode during `dup_mmap()`"),
)

VOCABULARY = table(
    ("Word", "Meaning"),
    ("pre-order", "a depth-first walk that visits a node before its children"),
    ("replace pass", "`dup_mmap()`'s loop that stores the child's copy of each VMA over "
     "its range in the copied tree"),
    ("`VM_DONTCOPY`", "a VMA the child must not get (`madvise(MADV_DONTFORK)`)"),
    ("`XA_ZERO_ENTRY`", "a reserved non-NULL entry; `dup_mmap()` stores it where a failed "
     "copy stopped"),
    ("`map_count`", "the number of VMAs an mm holds; `exit_mmap()` checks it against what "
     "it released"),
)

MARKER_CHECKS = table(
    ("Where (v6.8)", "What it does at `XA_ZERO_ENTRY`"),
    ("`exit_mmap()`, `mm/mmap.c:3260`", "first entry is the marker (or none): destroy the "
     "tree at once; otherwise remove VMAs until the marker, then "
     "`BUG_ON(count != mm->map_count)`"),
    ("`unmap_vmas()`, `mm/memory.c:1739`", "its loop over the VMAs ends at the marker"),
    ("`free_pgtables()`, `mm/memory.c:362`", "a marker found as the next VMA counts as "
     "no next VMA"),
    ("`mtree_load()`, `lib/maple_tree.c:6269`", "returns NULL"),
    ("`mt_find()`, `lib/maple_tree.c:6829`", "skips it, returns the next entry"),
    ("`mas_find()`, `lib/maple_tree.c:6012`", "returns it; the caller tests `xa_is_zero()`"),
)

KERNEL_FUNCTIONS = table(
    ("Function", "What it does", "Where in v6.8"),
    ("`dup_mmap()`", "copy the parent's address space into the child's mm",
     "`kernel/fork.c:626`"),
    ("`__mt_dup()`, `mtree_dup()`", "copy a whole tree node for node",
     "`lib/maple_tree.c:6723`, `:6760`"),
    ("`mas_dup_build()`", "the pre-order walk over the source", "`lib/maple_tree.c:6630`"),
    ("`mas_copy_node()`", "copy one node whole, keeping the parent pointer's low bits",
     "`lib/maple_tree.c:6563`"),
    ("`mas_dup_alloc()`", "one bulk allocation for all children of an internal node",
     "`lib/maple_tree.c:6586`"),
    ("`mas_dup_free()`", "free a partial copy after -ENOMEM", "`lib/maple_tree.c:6518`"),
    ("`mt_clear_in_rcu()`, `mt_set_in_rcu()`", "RCU mode off during the loop, on after "
     "success", "`include/linux/maple_tree.h:798`, `:817`"),
    ("`vma_iter_bulk_store()`", "`mas_store()` of the child's VMA through the iterator's "
     "state: an exact fit", "`include/linux/mm.h:1014`"),
    ("`vma_iter_clear_gfp()`", "`mas_store_gfp()` of NULL over a `VM_DONTCOPY` VMA",
     "`include/linux/mm.h:997`"),
    ("`exit_mmap()`", "tear down an mm; stops at `XA_ZERO_ENTRY`, checks `map_count`",
     "`mm/mmap.c:3260`"),
    ("`unmap_vmas()`, `free_pgtables()`", "unmap pages and free page tables VMA by VMA; "
     "stop at `XA_ZERO_ENTRY`", "`mm/memory.c:1739`, `:362`"),
    ("`mtree_load()`, `mt_find()`", "normal-API reads; return NULL for `XA_ZERO_ENTRY`",
     "`lib/maple_tree.c:6269`, `:6829`"),
    ("`mas_find()`", "the advanced-API iterator; returns the marker as it is",
     "`lib/maple_tree.c:6012`"),
)


CELLS = [
    md("""
# `__mt_dup` and fork

Since Linux v6.8, `dup_mmap()` (the part of `fork()` that copies the address space) no
longer rebuilds the child's VMA tree by bulk insertion (lesson 06). It copies the
parent's tree node for node with `__mt_dup()`, then stores the child's own VMA over each
range. This lesson steps through the copy and the replace pass, shows what a
`VM_DONTCOPY` VMA does to the copy, and then breaks the fork on purpose: a copy that
runs out of memory, and a fork that fails half-way through its VMAs.
"""),
    md_with("""
## At a glance

*Time:* about 50 minutes.

*Prerequisites:*

{PREREQUISITES}

*You will learn:*

* the order in which `__mt_dup()` copies nodes, and how it allocates them;
* what the replace pass costs, and what it changes in the tree;
* what a `VM_DONTCOPY` VMA does to the child's tree;
* where a failed `dup_mmap()` leaves its `XA_ZERO_ENTRY` marker, and who stops at it;
* how the merged failure path differs from the one first proposed in review.
""", PREREQUISITES=PREREQUISITES),
    md_with("""
### Vocabulary

{VOCABULARY}
""", VOCABULARY=VOCABULARY),
    code("""
from mapletree_edu import XA_ZERO_ENTRY, MapleTree
from mapletree_edu.fork import fork_v68, tree_shape
from mapletree_edu.lessons import l06, l07
from mapletree_edu.lessons.common import Table, show, show_steps, step_table
from mapletree_edu.trace import record
from mapletree_edu.widgets import Player
from mapletree_edu.widgets.pairs import SideBySide
from mapletree_edu.widgets.predict import PredictPlayer
"""),
    md("""
## 1. The v6.8 `dup_mmap()` and its source tree

In v6.8 (`kernel/fork.c:626`), in outline:

```
__mt_dup(&oldmm->mm_mt, &mm->mm_mt)        # copy every node of the parent's tree
mt_clear_in_rcu(&mm->mm_mt)                # RCU mode off while the loop writes
for each VMA of the NEW tree (still the parent's VMAs):
    if VM_DONTCOPY:  vma_iter_clear_gfp()   # NULL store over it: a normal write
    else:            duplicate the VMA, vma_iter_bulk_store() it over exactly its range,
                     map_count++, copy_page_range() (not for VM_WIPEONFORK)
arch_dup_mmap()
mt_set_in_rcu(&mm->mm_mt)                  # only after success
```

The kernel's own test of this code, `check_forking()`, copies an alloc tree holding
`[i·10, i·10+5]` for `i = 0..134`, stored one by one. `l07.forking_source(n)` builds the
same tree (entry `i` is the number `i`; think of it as the parent's VMA `i`).
"""),
    code("""
src = l07.forking_source()
print(src)
print("leaf sizes:      ", l06.leaf_sizes(src))
print("internal children:", l06.internal_sizes(src), "(pre-order: root first)")
print("the root's children cover:", l07.internal_bounds(src))
"""),
    md("""
## 2. The pre-order copy, step by step

`mas_dup_build()` walks the source depth first, in pre-order, and copies each node whole
(`mas_copy_node()`: all 256 bytes, pivots, gaps and metadata). When the node it just
copied is internal, it allocates **all** of that node's children in one bulk call
(`mas_dup_alloc()`) and stores the new pointers in the copy's slots; then it descends into
the first child. After a leaf it goes back up until there is a next sibling.

A small tree first (30 VMAs: a root and its leaves). The left panel is the source with
the node being copied; the right panel is the copy so far, each node numbered by its
pre-order visit.
"""),
    code("""
small = l07.forking_source(30)
show(small)
""", ignore_output=True),
    predict("""
in which order are the nodes copied, and how many nodes does the first `mas_dup_alloc`
ask for?
"""),
    code("""
small_steps = l07.record_dup(small)
dup_pair = SideBySide.dup(small_steps)
dup_pair
""", ignore_output=True),
    check("""
assert dup_pair.state()["index"] == 0
"""),
    md("""
*After the player:* the visits, and the ledger of the copy.
"""),
    code("""
copy, ledger = l07.dup_with_ledger(small)
show_steps(l07.visit_table(small_steps), f"ledger of the copy: {ledger}",
           f"internal nodes: {l07.internal_count(small)} | nodes: {small.node_count}")
""", ignore_output=True),
    check("""
assert tree_shape(copy) == tree_shape(small)
assert ledger == {"allocs": small.node_count, "frees": 0,
                  "alloc_calls": 1 + l07.internal_count(small)}
"""),
    md("""
`tree_shape()` lists every node's depth, type, range, pivots, gaps and slots in pre-order:
the copy is identical to the source. The leaf entries are the *same* objects: the copy
still points at the parent's VMAs until the replace pass (section 5).

## 3. Pre-order in a taller tree

The `check_forking` tree has height 3, so pre-order shows its depth-first nature: the
copy finishes the first internal node's whole subtree before it starts the second.
"""),
    code("""
steps = l07.record_dup(src)
l07.visit_table(steps)
"""),
    check("""
visits = [s.details["visit"] for s in steps if s.fn == "mas_dup_build"]
assert visits == list(range(1, src.node_count + 1))
"""),
    md("""
Read the visit numbers down the table: the root, the first internal node (which then
allocates its children), its leaves left to right, then back up for the second internal
node and its leaves. Each `mas_dup_alloc` line follows the copy of an internal node.

## 4. Children are allocated together

Every node the copy allocates is a node of the copy, so the copy of any tree allocates
exactly `node_count` nodes and frees nothing; an internal node's children come in one
bulk request. The ledger of trees of several sizes and both kinds (exercise 2 asks you
for the rule behind the `alloc_calls` column):
"""),
    code("""
rows = []
for n, alloc in ((5, True), (30, True), (135, True), (300, False), (1000, True)):
    tree = l07.forking_source(n, alloc=alloc)
    copy, ledger = l07.dup_with_ledger(tree)
    rows.append((n, "alloc" if alloc else "plain", tree.height, tree.node_count,
                 l07.internal_count(tree), ledger["allocs"], ledger["alloc_calls"],
                 l07.layout(copy) == l07.layout(tree)))
Table(["entries", "tree", "height", "nodes", "internal", "allocs", "alloc_calls",
       "same layout"], rows)
"""),
    check("""
assert all(r[5] == r[3] and r[7] for r in rows)
"""),
    md("""
Compare with lesson 06: a bulk rebuild of the same 135 entries preallocates for the worst
case, then frees what it did not use, and does a split (or push) every few stores. The
copy does no split at all and allocates only what it keeps.
"""),
    code("""
bulk = l06.bulk_load(l06.vmas(135))
copy, ledger = l07.dup_with_ledger(src)
print("bulk rebuild of 135 VMAs:", {k: bulk.allocator.counters()[k]
                                    for k in ("allocs", "frees", "alloc_calls")})
print("__mt_dup of 135 entries: ", ledger)
"""),
    md("""
## 5. The replace pass

After the copy, `dup_mmap()` visits every VMA of the new tree and stores the child's own
copy of the VMA over **exactly** its range. (The kernel stores through the iterator's
maple state, which is already on the right leaf; the model's `store()` walks from the
root, with the same result.)
"""),
    code("""
copy = src.dup()
first, last, vma = next(iter(copy))
print(f"replace vma {vma} over [{first}, {last}] with the child's copy")
show(copy, collapse=4, focus_index=first)
""", ignore_output=True),
    predict("""
which write path will this store take? Will it allocate a node?
"""),
    code("""
with record(copy, f"replace vma {vma}") as rec:
    copy.store(first, last, l07.child_entry(vma))
replace_steps = rec.steps
replace_player = Player(replace_steps, title=f"store over [{first}, {last}]",
                        dot_opts={"collapse": 4})
replace_player
""", ignore_output=True),
    md("""
*After the player:* in `mas_wr_modify()` a store over exactly one existing range is the
first case, the exact fit: the slot is overwritten, nothing else changes.
"""),
    code("""
show_steps(step_table(replace_steps))
""", ignore_output=True),
    check("""
assert replace_player.state()["index"] == 0
"""),
    md("""
Now the whole pass. The ledger must not move, and the layout (everything but the leaf
entries) must stay the source's:
"""),
    code("""
copy = src.dup()
ledger, paths = l07.replace_all(copy)
print("ledger of the replace pass:", ledger)
print("write paths taken:", paths)
print("first leaf of the child:", l07.leaf_text(copy, 0))
"""),
    check("""
assert ledger == {"allocs": 0, "frees": 0, "alloc_calls": 0}
assert l07.layout(copy) == l07.layout(src)
assert all(isinstance(e, str) for _f, _l, e in copy)
"""),
    md("""
## 6. `VM_DONTCOPY`: NULL stores in the copy

A VMA marked `VM_DONTCOPY` (`madvise(MADV_DONTFORK)`) must not appear in the child. The
v6.8 loop finds it in the copied tree and clears it with `vma_iter_clear_gfp()`: a normal
NULL store, with RCU mode off. Unlike the replace, that is a real write, so everything
lessons 02 and 05 showed can happen:

- the NULL **coalesces** with the NULL gaps beside it (two or three slots become one);
- a leaf that drops to `mt_min_slots` or fewer entries is **rebalanced** with a sibling;
- a VMA that is the **last entry of a leaf** makes its NULL end on the leaf's max, which is
  a **spanning store**: the two leaves (and maybe their parents) are rebuilt, and a
  parent pivot may move.

The reference example: mark every third VMA (`v2, v5, v8, ...`) `VM_DONTCOPY` and run the
v6.8 loop over the copy. Look at one of those stores: VMA 71, `[710, 715]`, the last entry
of the first internal node's last leaf, after the loop has handled VMAs 0 to 70:
"""),
    code("""
copy = src.dup()
for first, last, vma in list(copy):
    if vma == 71:
        break
    if vma % 3 == 2:
        copy.clear(first, last)
    else:
        copy.store(first, last, l07.child_entry(vma))
print("the root's children cover:", l07.internal_bounds(copy))
show(copy, collapse=4, focus_index=710)
""", ignore_output=True),
    predict("""
VMA 71's range ends exactly at the first internal node's max, 715, so its NULL store is
a spanning store. Which nodes will it rebuild, and where will the boundary between the
root's two children be afterwards: still at 715, below it, or above it?
"""),
    code("""
with record(copy, "clear [710, 715]") as rec:
    copy.clear(710, 715)
span_steps = rec.steps
span_player = PredictPlayer(span_steps, title="clear [710, 715]", dot_opts={"collapse": 4})
span_player
""", ignore_output=True),
    code("""
show_steps(f"the root's children now cover: {l07.internal_bounds(copy)}",
           step_table(span_steps))
""", ignore_output=True),
    check("""
assert span_player.state()["index"] == 0
assert l07.internal_bounds(copy)[0][1] != 715
"""),
    md("""
*The whole pass:* the NULL stores that did more than a slot write, then the two trees
side by side.
"""),
    code("""
copy = src.dup()
events = l07.dontcopy_pass(copy, lambda vma: vma % 3 == 2)
Table(["vma", "range", "what happened", "leaf sizes after"],
      [(f"v{vma}", rng, what, sizes) for vma, rng, what, sizes in events])
"""),
    code("""
print("source leaves:", l06.leaf_sizes(src))
print("child leaves: ", l06.leaf_sizes(copy))
print("source: height", src.height, "nodes", src.node_count,
      "| child: height", copy.height, "nodes", copy.node_count)
print("first leaf, source:", l07.leaf_text(src, 0))
print("first leaf, child: ", l07.leaf_text(copy, 0))
"""),
    md("""
In the first leaf, each cleared VMA merged with the gaps on both sides into one NULL
range (`-@29` is `[16, 29]`: gap, `v2`, gap). Every few leaves a cleared VMA was the
leaf's last entry: a spanning store.

A rebalance needs a leaf to shrink a lot. Mark a run of seven neighbouring VMAs
`VM_DONTCOPY` instead (as one `madvise(MADV_DONTFORK)` over a range that spans several
VMAs would):
"""),
    code("""
copy = src.dup()
events = l07.dontcopy_pass(copy, lambda vma: 8 <= vma <= 14)
print(Table(["vma", "range", "what happened", "leaf sizes after"],
            [(f"v{vma}", rng, what, sizes) for vma, rng, what, sizes in events]))
print("child leaves:", l06.leaf_sizes(copy))
print("second leaf: ", l07.leaf_text(copy, 1))
"""),
    check("""
assert any("rebalance" in what for _v, _r, what, _s in events)
"""),
    md("""
Before v6.8 the child's tree was built from scratch and `VM_DONTCOPY` VMAs were simply
not stored. The same every-third marking gives a different, smaller tree that way:
"""),
    code("""
kept = [(first, last, vma) for first, last, vma in src if vma % 3 != 2]
rebuilt = MapleTree()
with rebuilt.bulk(len(list(src))) as b:          # dup_mmap announced map_count
    for first, last, vma in kept:
        b.store(first, last, vma)
v68 = src.dup()
l07.dontcopy_pass(v68, lambda vma: vma % 3 == 2)
print("pre-6.8 bulk rebuild: nodes", rebuilt.node_count, "leaves", len(l06.leaf_sizes(rebuilt)))
print("v6.8 __mt_dup + loop: nodes", v68.node_count, "leaves", len(l06.leaf_sizes(v68)))
"""),
    check("""
assert [r[:2] for r in v68] == [r[:2] for r in rebuilt]
"""),
    md("""
## 7. Failure part-way

### 7.1 `__mt_dup` runs out of memory

`allocator.set_fail_at(k)` makes the k-th node requested from now on fail; a bulk
request containing it fails whole, as `kmem_cache_alloc_bulk()` does. `mas_dup_alloc()`
then zeroes the child slots it was filling and sets `-ENOMEM`; `mas_dup_free()` walks the
partial copy backwards and frees everything allocated so far. The source is untouched,
and `dup_mmap()` returns before its loop: nothing is stored.

The `check_forking` tree again, collapsed to its internal nodes:
"""),
    code("""
print("internal children (pre-order):", l06.internal_sizes(src))
show(src, collapse=2)
""", ignore_output=True),
    predict("""
with `set_fail_at(5)` on the `check_forking` tree, which request fails (count the nodes:
the root, then each bulk request in pre-order), and how many nodes does `mas_dup_free`
give back?
"""),
    code("""
src.allocator.set_fail_at(5)
try:
    with record(src, "__mt_dup of the check_forking tree") as rec:
        src.dup()
except Exception as exc:
    error = exc
finally:
    src.allocator.set_fail_at(None)
fail_steps = rec.steps
fail_pair = SideBySide.dup(fail_steps, dot_opts={"collapse": 4})
fail_pair
""", ignore_output=True),
    code("""
show_steps(f"{type(error).__name__}: {error}",
           step_table([s for s in fail_steps if s.fn != "mas_dup_build"],
                      keys=("count", "ok", "freed")))
""", ignore_output=True),
    code("""
rows = []
for k in (1, 2, 4, 5, 13, 20, 21):
    r = l07.failed_dup(src, k)
    rows.append((k, "ENOMEM" if r["error"] else "copied", r["freed"] if r["error"] else "-",
                 r["ledger"], r["source unchanged"]))
Table(["fail at node", "result", "mas_dup_free freed", "ledger of the attempt",
       "source unchanged"], rows)
"""),
    check("""
assert fail_pair.state()["index"] == 0
assert all(r[4] for r in rows)
assert all(r[3]["allocs"] == r[3]["frees"] for r in rows if r[1] == "ENOMEM")
"""),
    md("""
Every failed attempt frees what it allocated (`allocs == frees`) and leaves the source
node for node as it was. The last row does not fail: the copy needs no more nodes than
the tree has.

### 7.2 `dup_mmap()` fails at a VMA: where the marker goes

`__mt_dup()` can succeed and the loop still fail later. At that point the child's tree
holds the child's copies for the VMAs already handled and the *parent's* VMAs after
them, and `exit_mmap()` will have to tear the child down without touching the parent's
VMAs. v6.8 marks the point with `XA_ZERO_ENTRY`, stored with `mas_store()` over one VMA's
range (an exact fit), after the loop, in three different ways:

- a failure **before** VMA *k* is stored (`vm_area_dup()`, `vma_dup_policy()`,
  `anon_vma_fork()` returning `-ENOMEM`, a fatal signal, or `vma_iter_clear_gfp()` for a
  `VM_DONTCOPY` VMA): the marker goes on VMA *k*;
- a failure of `copy_page_range()` for VMA *k*: VMA *k*'s copy is **already stored and
  counted** in `map_count`, so `dup_mmap()` moves on with `vma_next()` and the marker
  goes on the **next** VMA; when there is no next VMA, no marker is written;
- a failure of `arch_dup_mmap()`, after the loop: every VMA is the child's, and no marker
  is written.

RCU mode stays off after any failure.
"""),
    code("""
parent = l07.failing_parent()
print(len(list(parent)), "VMAs in the parent; the fork fails at VMA", l07.FAIL_AT)
"""),
    predict("""
`copy_page_range()` fails for VMA 10. Which VMA gets the marker, what is `map_count`,
and how many VMAs will `exit_mmap()` release? Then the same for a failure before VMA 10's
store.
"""),
    code("""
show_steps(l07.failure_table(parent))
""", ignore_output=True),
    check("""
for where, k, want in (("dup_vma", 10, 10), ("copy_page_range", 10, 11)):
    r = fork_v68(parent, fail_at_vma=k, fail_in=where)
    assert r.marker_at == want and r.torn_down == r.map_count and not r.child.rcu
"""),
    md_with("""
### 7.3 Who stops at the marker, and who does not see it

`exit_mmap()` (`mm/mmap.c:3260`) finds the first VMA with `mas_find()`. If there is none,
or it is the marker, it goes straight to destroying the tree. Otherwise it unmaps and
frees page tables, then walks the VMAs again, removing each one and counting it, until
the end of the tree **or the marker**. It then checks `BUG_ON(count != mm->map_count)`:
the VMAs before the marker must be exactly the ones `dup_mmap()` counted. After a
`copy_page_range()` failure VMA *k* is already counted, so it must be released with the
others, and the marker one VMA further on keeps the two numbers equal. Two helpers on
the way do the same check: `unmap_vmas()` (`mm/memory.c:1739`) stops its loop at the
marker, and `free_pgtables()` (`mm/memory.c:362`) treats a marker as "no next VMA".

{MARKER_CHECKS}

The marker is a reserved entry of the maple tree. The normal API hides it:
`mtree_load()` returns NULL for it and `mt_find()` skips it. The advanced API
(`mas_find()`, which the VMA iterator and `exit_mmap()` use) returns it as it is, and
`xa_is_zero()` tells it apart. The model does the same:
""", MARKER_CHECKS=MARKER_CHECKS),
    code("""
r = fork_v68(parent, fail_at_vma=l07.FAIL_AT, fail_in="copy_page_range")
marked = next((f, la) for f, la, e in r.child if e is XA_ZERO_ENTRY)
print("marker over", [hex(a) for a in marked], "(VMA", r.marker_at, ")")
print("iteration (mas_find) sees:", next(e for f, la, e in r.child if f == marked[0]))
print("load (mtree_load) sees:   ", r.child.load(marked[0]))
print("find (mt_find) gives:     ", r.child.find(marked[0])[2])
print("exit_mmap releases", r.torn_down, "VMAs; map_count", r.map_count)
"""),
    check("""
assert r.child.load(marked[0]) is None and r.child.find(marked[0])[2] is not XA_ZERO_ENTRY
assert r.torn_down == r.map_count == l07.FAIL_AT + 1
"""),
    md("""
### 7.4 What review changed: `undo_dup_mmap()` against the marker

The series did not start with a marker. Version 3 (September 2023, the thread in
*Resources*) added `undo_dup_mmap(mm, vma_end)` to `mm/mmap.c`: on failure, `dup_mmap()`
passed it the first VMA that had not been duplicated, and it unmapped the VMAs before
that one (through `unmap_region()`), removed them one by one, checked the count against
`map_count` with a `BUG_ON`, and destroyed the tree. To stop `free_pgtables()` from
walking into the parent's VMAs it gave that function a new `tree_end` argument. In the
review Liam Howlett asked whether the extra argument was needed ("Can you just use
ceiling?") and suggested passing the first undone VMA as `next`; Peng Zhang answered that
the ceiling alone made `free_pgtables()` iterate over "the last portion that was not
duplicated". From version 5 (October 2023) the failure path moved into `exit_mmap()`:
`dup_mmap()` only stores `XA_ZERO_ENTRY` where the copy stopped, and the teardown code
that every mm goes through anyway stops there. That is what was merged
(`d2406291483775ecddaee929231a39c70c08fda2`) and what v6.8 runs.
"""),
    md("""
## Exercises
"""),
    exercise(1, "visit numbers in a taller tree", """
Section 3 numbered the visits of a tree of height 3. `l07.forking_source(l07.VISIT_ENTRIES)`
(800 entries) has height 4. From its internal nodes' children counts in pre-order
(`l06.internal_sizes(tree)`), work out at which pre-order visits its internal nodes are
copied, before you record the copy. Give the list in increasing order.
""", """
answer = None   # a list of visit numbers
""", "check_visit_numbers", "l07", "visit_numbers"),
    exercise(2, "allocator calls", """
Write `dup_calls(tree)`, the number of allocator calls `__mt_dup` makes for any
`MapleTree`. The check compares it with the ledger on five trees, including an empty one
and one holding a single entry at index 0 (a root entry, no node).
""", """
def dup_calls(tree):
    return None   # your code here

answer = dup_calls
""", "check_dup_alloc_calls", "l07", "dup_alloc_calls"),
    exercise(3, "how much is freed?", """
Write `nodes_freed(k)`: the number of nodes `mas_dup_free` gives back when node `k`
fails during the copy of the `check_forking` tree (0 if nothing was allocated yet or
the copy succeeds).
""", """
def nodes_freed(k):
    return None   # your code here

answer = nodes_freed
""", "check_nodes_freed", "l07", "nodes_freed"),
    exercise(4, "change the child's height", """
Find a set of `VM_DONTCOPY` VMAs (entry numbers of the `check_forking` tree) whose NULL
stores in the copy give the child a tree of a **different height** from the parent's.
`l07.height_change(vmas)` tells you (parent height, child height, child nodes). Then
try with as few VMAs as you can.
""", """
answer = None   # a set of VMA numbers
""", "check_height_change", "l07", "height_change"),
    exercise(5, "where is the marker, with DONTCOPY VMAs?", """
In the process of section 7.2, mark VMAs 3 and 4 `VM_DONTCOPY`
(`l07.failing_parent(l07.MARKER_DONTCOPY)`), and let `copy_page_range()` fail for VMA
`l07.MARKER_AT` (17). Which VMA holds `XA_ZERO_ENTRY`, and how many VMAs does
`exit_mmap()` release? Answer `(marker VMA, VMAs released)` before you run the fork.
""", """
answer = None   # (marker VMA, VMAs released)
""", "check_marker", "l07", "marker"),
    exercise(6, "move the boundary down", """
In section 6 the NULL store of VMA 71 moved the boundary between the root's two children
*up*, from 715 to 725. Find a set of `VM_DONTCOPY` VMAs (entry numbers of the
`check_forking` tree) that leaves the child's root with two children, the first one
ending **below** 715. `l07.boundary_after(vmas)` tells you where the root's children
end in the copy.
""", """
answer = None   # a set of VMA numbers
""", "check_boundary_down", "l07", "boundary_down"),
    md("""
## Summary

- `__mt_dup()` copies the tree in depth-first pre-order, each node whole; all children
  of an internal node are allocated in one bulk call. Cost: `node_count` nodes in
  `1 + internal nodes` calls, nothing freed, no split.
- The copy has the source's exact shape and still points at the parent's entries; the
  replace pass stores the child's copies by exact fit: no allocation, no shape change.
- `VM_DONTCOPY` VMAs are cleared by normal NULL stores in the copy: they coalesce with
  their gaps and can rebalance leaves or become spanning stores that move parent pivots,
  and many of them can lower the child's height. Before v6.8 they were simply skipped.
- If the copy runs out of memory, `mas_dup_free()` frees the partial copy in reverse and
  the source is unchanged (`-ENOMEM`).
- If `dup_mmap()` fails later, `XA_ZERO_ENTRY` marks the failing VMA when the failure came
  before its store, the next VMA after a `copy_page_range()` failure, and nothing when
  there is no next VMA or `arch_dup_mmap()` failed. `exit_mmap()`, `unmap_vmas()` and
  `free_pgtables()` stop at it; `mtree_load()` and `mt_find()` hide it.
"""),
    md_with("""
## Kernel functions explained

{KERNEL_FUNCTIONS}

## Resources

- Version 3 of the series, whose review is quoted here (cover letter):
  <https://lore.kernel.org/lkml/20230925035617.84767-1-zhangpeng.00@bytedance.com/>.
- Version 5, where the failure path moved into `exit_mmap()` (its list of changes since
  v4 says so): its cover letter, message ID
  `20231016032226.59199-1-zhangpeng.00@bytedance.com`, archived at
  <http://mail.spinics.net/lists/linux-mm/msg358803.html>.
- The merged commits: "maple_tree: introduce interfaces `__mt_dup()` and `mtree_dup()`"
  (`fd32e4e9b7646510ee9010e0d5f8b8857d48a6f7`,
  <https://lab.nexedi.com/kirr/linux/-/commit/fd32e4e9b7646510ee9010e0d5f8b8857d48a6f7>)
  and "fork: use `__mt_dup()` to duplicate maple tree in `dup_mmap()`"
  (`d2406291483775ecddaee929231a39c70c08fda2`,
  <https://android-kvm.googlesource.com/linux/+/d2406291483775ecddaee929231a39c70c08fda2>).
- `Documentation/core-api/maple_tree.rst` (`mtree_dup()`), rendered at
  <https://docs.kernel.org/core-api/maple_tree.html>.

## After v6.8

* **Bulk mode, the old way of building the child's tree, is gone**: "maple_tree: Drop
  bulk insert support" (`e3852a1213ff`, v6.18-rc1 according to a downstream backport
  note, <https://github.com/deepin-community/kernel/pull/1280>) gives as its reason
  that `fork()` uses `__mt_dup()`.
* **The copy's node allocation moved to slab sheaves**: "maple_tree: Convert forking
  to use the sheaf interface" (`9b906376adc1`, seen in Liam Howlett's public maple-tree
  branch,
  <https://www.infradead.org/git/?a=commit&h=9b906376adc11f6fa51c555ac25dd60ee2f05b49&p=users%2Fjedix%2Flinux-maple.git>;
  the release it went into was not checked).

## What's next

[08 A real process](08-a-real-process.ipynb): this machine's own address space as a
maple tree, forked both ways.
""", KERNEL_FUNCTIONS=KERNEL_FUNCTIONS),
]


def notebook():
    return lesson(CELLS, DESCRIPTION)


if __name__ == "__main__":
    import build

    build.main(["07"])
