# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/07-mt-dup-and-fork.ipynb: v6.8's __mt_dup (depth-first pre-order
copy, children allocated together), the replace pass, VM_DONTCOPY NULL stores, and
failure part-way (mas_dup_free; XA_ZERO_ENTRY and exit_mmap).

Built by ``python notebooks/src/build.py`` (``build.py 05`` for this one only).
"""

from build import code, exercise, lesson, md, predict

DESCRIPTION = ("how v6.8 fork() copies the VMA tree node for node with __mt_dup, what "
               "VM_DONTCOPY does to the copy, and how a failed copy is unwound")

CELLS = [
    md("""
# __mt_dup and fork

**How v6.8 copies a process's VMA tree: node for node, in depth-first pre-order, then
one exact-fit store per VMA.**

## Overview

Since Linux v6.8, `dup_mmap()` (the part of `fork()` that copies the address space) no
longer rebuilds the child's VMA tree by bulk insertion (lesson 06). It does this instead:

```
__mt_dup(&oldmm->mm_mt, &mm->mm_mt)        # copy every node of the parent's tree
mt_clear_in_rcu(&mm->mm_mt)
for each VMA of the NEW tree (still the parent's VMAs):
    if VM_DONTCOPY:  vma_iter_clear_gfp()   # NULL store over it: a normal write
    else:            vma_iter_bulk_store()  # store the child's copy over exactly its range
mt_set_in_rcu(&mm->mm_mt)
```

The copy has the parent's exact shape, so the loop's stores are exact fits: no
allocation, no split. Only `VM_DONTCOPY` VMAs change the shape. This lesson steps
through each part, then breaks it on purpose: a copy that runs out of memory half-way.

## Prerequisites

- [05](05-node-splits.ipynb): rebalance and spanning stores (a NULL store can cause both).
- [06](06-bulk-insert.ipynb): the bulk load this replaced, for comparison.

## Sections

1. [The source tree](#1.-The-source-tree)
2. [The pre-order copy, step by step](#2.-The-pre-order-copy,-step-by-step)
3. [Pre-order in a taller tree](#3.-Pre-order-in-a-taller-tree)
4. [Children are allocated together](#4.-Children-are-allocated-together)
5. [The replace pass](#5.-The-replace-pass)
6. [VM_DONTCOPY: NULL stores in the copy](#6.-VM_DONTCOPY:-NULL-stores-in-the-copy)
7. [Failure part-way](#7.-Failure-part-way)
8. [Exercises](#8.-Exercises)
"""),
    code("""
from mapletree_edu import XA_ZERO_ENTRY, MapleTree
from mapletree_edu.fork import build_mm_tree, fork_v68, synthetic_address_space, tree_shape
from mapletree_edu.lessons import l06, l07
from mapletree_edu.lessons.common import Table, player_state, step_table
from mapletree_edu.trace import record
from mapletree_edu.widgets import Player
from mapletree_edu.widgets.pairs import SideBySide
from mapletree_edu.widgets.predict import PredictPlayer
"""),
    md("""
## 1. The source tree

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
(`mas_copy_node`: all 256 bytes, pivots, gaps and metadata). When the node it just
copied is internal, it allocates **all** of that node's children in one bulk call
(`mas_dup_alloc`) and stores the new pointers in the copy's slots; then it descends into
the first child. After a leaf it goes back up until there is a next sibling.

A small tree first (30 VMAs: a root and its leaves). The left panel is the source with
the node being copied; the right panel is the copy so far, each node numbered by its
pre-order visit.
"""),
    predict("""
In which order are the nodes copied? How many nodes does the
first `mas_dup_alloc` ask for, and how many allocator calls does the whole copy make?
"""),
    code("""
# NBVAL_IGNORE_OUTPUT
# the side-by-side player; its state is printed in the next cell
small = l07.forking_source(30)
small_steps = l07.record_dup(small)
dup_pair = SideBySide.dup(small_steps)
dup_pair
"""),
    code("""
state = dup_pair.state()
print(state["n_frames"], "frames")
print("source:", state["left"]["status"])
print("copy:  ", state["right"]["status"])
l07.visit_table(small_steps)
"""),
    code("""
copy, ledger = l07.dup_with_ledger(small)
print("ledger of the copy:", ledger)
print("internal nodes:", l07.internal_count(small), "| nodes:", small.node_count)
assert tree_shape(copy) == tree_shape(small)       # node for node, the same entries
assert ledger == {"allocs": small.node_count, "frees": 0,
                  "alloc_calls": 1 + l07.internal_count(small)}
"""),
    md("""
`tree_shape()` lists every node's depth, type, range, pivots, gaps and slots in pre-order:
the copy is identical to the source. The leaf entries are the *same* objects: the copy
still points at the parent's VMAs until the replace pass (section 5).
"""),
    md("""
## 3. Pre-order in a taller tree

The `check_forking` tree has height 3, so pre-order shows its depth-first nature: the
copy finishes the first internal node's whole subtree before it starts the second.
"""),
    code("""
steps = l07.record_dup(src)
visits = [s.details["visit"] for s in steps if s.fn == "mas_dup_build"]
assert visits == list(range(1, src.node_count + 1))      # every node once, in order
l07.visit_table(steps)
"""),
    md("""
Read the visit numbers down the table: the root, the first internal node (which then
allocates its children), its leaves left to right, then back up for the second internal
node and its leaves. Each `mas_dup_alloc` line follows the copy of an internal node.
"""),
    md("""
## 4. Children are allocated together

One allocator call for the root, then one bulk call per internal node, whatever its
number of children. So the copy of any tree makes `1 + internal nodes` allocator calls
and allocates exactly `node_count` nodes, and frees nothing. Check it on trees of several
sizes and both kinds:
"""),
    code("""
rows = []
for n, alloc in ((5, True), (30, True), (135, True), (300, False), (1000, True)):
    tree = l07.forking_source(n, alloc=alloc)
    copy, ledger = l07.dup_with_ledger(tree)
    inner = l07.internal_count(tree)
    assert ledger == {"allocs": tree.node_count, "frees": 0, "alloc_calls": 1 + inner}
    assert l07.layout(copy) == l07.layout(tree)
    rows.append((n, "alloc" if alloc else "plain", tree.height, tree.node_count, inner,
                 ledger["allocs"], ledger["alloc_calls"]))
Table(["entries", "tree", "height", "nodes", "internal", "allocs", "alloc_calls"], rows)
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
copy of the VMA over **exactly** its range. In `mas_wr_modify()` that is the first case,
the exact fit: the slot is overwritten, nothing else changes.
"""),
    predict("""
Which write path will this store take? Will it allocate a node?
"""),
    code("""
# NBVAL_IGNORE_OUTPUT
# the player; its state is printed in the next cell
copy = src.dup()
first, last, vma = next(iter(copy))
with record(copy, f"replace vma {vma}") as rec:
    copy.store(first, last, l07.child_entry(vma))
replace_steps = rec.steps
replace_player = Player(replace_steps, title=f"replace vma {vma}", dot_opts={"collapse": 4})
replace_player
"""),
    code("""
print(player_state(replace_player))
step_table(replace_steps)
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
assert ledger == {"allocs": 0, "frees": 0, "alloc_calls": 0}
assert l07.layout(copy) == l07.layout(src)
assert all(isinstance(e, str) for _f, _l, e in copy)       # every entry is the child's
"""),
    md("""
## 6. VM_DONTCOPY: NULL stores in the copy

A VMA marked `VM_DONTCOPY` (`madvise(MADV_DONTFORK)`) must not appear in the child. The
v6.8 loop finds it in the copied tree and clears it with `vma_iter_clear_gfp()`: a
normal NULL store. Unlike the replace, that is a real write, so everything lesson 02 and
03 showed can happen:

- the NULL **coalesces** with the NULL gaps beside it (two or three slots become one);
- a leaf that drops to `mt_min_slots` or fewer entries is **rebalanced** with a sibling;
- a VMA that is the **last entry of a leaf** makes its NULL end on the leaf's max, which is
  a **spanning store**: the two leaves (and maybe their parents) are rebuilt, and a
  parent pivot moves.

The reference example: mark every third VMA (`v2, v5, v8, ...`) `VM_DONTCOPY` and run the
v6.8 loop over the copy. The table lists the NULL stores that did more than a slot write.
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
print("root's children, source:", l07.internal_bounds(src))
print("root's children, child: ", l07.internal_bounds(copy))
print()
print("first leaf, source:", l07.leaf_text(src, 0))
print("first leaf, child: ", l07.leaf_text(copy, 0))
"""),
    md("""
In the first leaf, each cleared VMA merged with the gaps on both sides into one NULL
range (`-@29` is `[16, 29]`: gap, `v2`, gap). Every few leaves a cleared VMA was the
leaf's last entry: a spanning store. One of them was also the last entry of the first
internal node, so the boundary between the two internal nodes moved.
"""),
    predict("""
The player records that store. The VMA's range ends exactly at
the first internal node's max. Which path will the NULL store take, and which nodes will
be rebuilt?
"""),
    code("""
# NBVAL_IGNORE_OUTPUT
# the player; its state is printed in the next cell
mover = next(vma for vma, rng, what, sizes in events if "parent pivot moved" in what)
copy = src.dup()
for first, last, vma in list(copy):
    if vma == mover:
        with record(copy, f"clear vma {vma} (VM_DONTCOPY)") as rec:
            copy.clear(first, last)
        break
    if vma % 3 == 2:
        copy.clear(first, last)
    else:
        copy.store(first, last, l07.child_entry(vma))
span_steps = rec.steps
span_player = PredictPlayer(span_steps, title=f"clear vma {mover}", dot_opts={"collapse": 4})
span_player
"""),
    code("""
print(player_state(span_player))
step_table(span_steps)
"""),
    md("""
A rebalance needs a leaf to shrink a lot. Mark a run of seven neighbouring VMAs
`VM_DONTCOPY` instead (as a driver might for one large buffer split into several VMAs):
"""),
    code("""
copy = src.dup()
events = l07.dontcopy_pass(copy, lambda vma: 8 <= vma <= 14)
print(Table(["vma", "range", "what happened", "leaf sizes after"],
            [(f"v{vma}", rng, what, sizes) for vma, rng, what, sizes in events]))
print("child leaves:", l06.leaf_sizes(copy))
print("second leaf: ", l07.leaf_text(copy, 1))
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
assert [r[:2] for r in v68] == [r[:2] for r in rebuilt]      # the same VMA ranges
print("pre-6.8 bulk rebuild: nodes", rebuilt.node_count, "leaves", len(l06.leaf_sizes(rebuilt)))
print("v6.8 __mt_dup + loop: nodes", v68.node_count, "leaves", len(l06.leaf_sizes(v68)))
"""),
    md("""
## 7. Failure part-way

### 7.1 `__mt_dup` runs out of memory

`allocator.set_fail_at(k)` makes the k-th node requested from now on fail; a bulk
request containing it fails whole, as `kmem_cache_alloc_bulk()` does. `mas_dup_alloc()`
then zeroes the child slots it was filling and sets `-ENOMEM`; `mas_dup_free()` walks the
partial copy backwards and frees everything allocated so far. The source is untouched.
"""),
    predict("""
With `set_fail_at(5)` on the `check_forking` tree, which request
fails (count the nodes: the root, then each bulk request in pre-order), and how many
nodes does `mas_dup_free` give back?
"""),
    code("""
# NBVAL_IGNORE_OUTPUT
# the side-by-side player; its state is printed in the next cell
src.allocator.set_fail_at(5)
try:
    with record(src, "__mt_dup, node 5 fails") as rec:
        src.dup()
except Exception as exc:
    error = exc
finally:
    src.allocator.set_fail_at(None)
fail_steps = rec.steps
fail_pair = SideBySide.dup(fail_steps, dot_opts={"collapse": 4})
fail_pair
"""),
    code("""
print(type(error).__name__ + ":", error)
state = fail_pair.state()
print("source:", state["left"]["status"])
step_table([s for s in fail_steps if s.fn != "mas_dup_build"], keys=("count", "ok", "freed"))
"""),
    code("""
rows = []
for k in (1, 2, 4, 5, 13, 20, 21):
    r = l07.failed_dup(src, k)
    assert r["source unchanged"]
    assert r["error"] is None or r["ledger"]["allocs"] == r["ledger"]["frees"]
    rows.append((k, "ENOMEM" if r["error"] else "copied", r["freed"] if r["error"] else "-",
                 r["ledger"]))
Table(["fail at node", "result", "mas_dup_free freed", "ledger of the attempt"], rows)
"""),
    md("""
Every failed attempt frees what it allocated (`allocs == frees`) and leaves the source
node for node as it was. The last row does not fail: the copy needs no more nodes than
the tree has.

### 7.2 `dup_mmap` fails at a VMA: XA_ZERO_ENTRY

`__mt_dup` can succeed and the loop still fail later, for example when duplicating one
VMA's anon_vma chain runs out of memory. At that point the child's tree holds the
child's copies before the failing VMA and the *parent's* VMAs after it. The kernel
overwrites the failing VMA's range with `XA_ZERO_ENTRY` and stops; `exit_mmap()`, tearing
the child down, stops at that marker so it never frees the parent's VMAs.

`fork_v68(parent, fail_at_vma=k)` does this on a process-like tree (`Vma` entries):
"""),
    code("""
parent = build_mm_tree(synthetic_address_space(40))
result = fork_v68(parent, fail_at_vma=10)
child = result.child
kinds = []
for (first, last, pvma), (cfirst, clast, cvma) in zip(parent, child, strict=True):
    assert (first, last) == (cfirst, clast)
    kinds.append("XA_ZERO_ENTRY" if cvma is XA_ZERO_ENTRY
                 else "parent's VMA" if cvma is pvma else "child's copy")
rows = [(k, kinds[k]) for k in range(7, 14)]
print("parent VMAs:", len(list(parent)), "| copied before the failure:", result.copied)
print("exit_mmap tears down:", result.torn_down, "VMAs, then stops at the marker")
print("ledger of the fork:", result.ledger, "| the child's layout is the parent's:",
      l07.layout(child) == l07.layout(parent))
Table(["VMA index", "child's entry"], rows)
"""),
    code("""
assert result.torn_down == result.copied == 10
assert kinds[:10] == ["child's copy"] * 10 and kinds[10] == "XA_ZERO_ENTRY"
assert set(kinds[11:]) == {"parent's VMA"}
assert not child.rcu          # RCU mode is only switched on after a successful fork
"""),
    md("""
## 8. Exercises
"""),
    exercise(1, "visit numbers", """
In the `check_forking` tree, at which pre-order visits are the internal nodes copied?
Give the list in increasing order.
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
    exercise(4, "the moving pivot", """
With every third VMA `VM_DONTCOPY`, which VMA's NULL store moved the boundary between
the root's two children? Answer with its number.
""", """
answer = None   # a VMA number
""", "check_pivot_mover", "l07", "pivot_mover"),
    md("""
## Summary

- `__mt_dup()` copies the tree in depth-first pre-order, each node whole; all children
  of an internal node are allocated in one bulk call. Cost: `node_count` nodes in
  `1 + internal nodes` calls, nothing freed, no split.
- The copy has the source's exact shape and still points at the parent's entries; the
  replace pass stores the child's copies by exact fit: no allocation, no shape change.
- `VM_DONTCOPY` VMAs are cleared by normal NULL stores in the copy: they coalesce with
  their gaps and can rebalance leaves or become spanning stores that move parent pivots.
  Before v6.8 they were simply skipped by the bulk rebuild.
- If the copy runs out of memory, `mas_dup_free()` frees the partial copy in reverse and
  the source is unchanged (`-ENOMEM`). If `dup_mmap()` fails later, at a VMA, the
  failing range becomes `XA_ZERO_ENTRY` and `exit_mmap()` stops there.

## What's next

[08 · A real process](08-a-real-process.ipynb): this machine's own address space as a
maple tree, forked both ways.

## Kernel functions explained

`dup_mmap`, `__mt_dup` / `mtree_dup`, `mas_dup_build`, `mas_copy_node`,
`mas_dup_alloc`, `mas_dup_free`, `mt_clear_in_rcu` / `mt_set_in_rcu`,
`vma_iter_bulk_store`, `mas_wr_modify` (exact fit), `vma_iter_clear_gfp`,
`mas_store_gfp`, `mas_wr_extend_null`, `mas_is_span_wr`, `mas_wr_spanning_store`,
`mas_spanning_rebalance`, `mas_rebalance`, `mas_topiary_replace`, `exit_mmap`.
"""),
]


def notebook():
    return lesson(CELLS, DESCRIPTION)


if __name__ == "__main__":
    import build

    build.main(["05"])
