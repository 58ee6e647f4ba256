# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/08-a-real-process.ipynb: this machine's /proc/self/maps and a
committed sample as maple trees, forked both ways (pre-6.8 bulk rebuild, v6.8 __mt_dup).

Built by ``python notebooks/src/build.py`` (``build.py 06`` for this one only).
"""

from build import code, exercise, lesson, md, predict

DESCRIPTION = ("this machine's own address space as a maple tree, and what each fork "
               "method does with a real process's VMAs")

CELLS = [
    md("""
# A real process

**The VMAs of a running process, as the kernel's maple tree holds them, and what
`fork()` does with that tree before and after v6.8.**

## Overview

Every process has a `struct mm_struct` whose `mm_mt` is a maple tree of its VMAs (virtual
memory areas): an allocation-range tree in RCU mode (`MM_MT_FLAGS`), holding each VMA
over `[vm_start, vm_end - 1]`. `/proc/<pid>/maps` prints those VMAs, one line each, in
address order: it is an iteration of that very tree. This lesson reads them back,
rebuilds the tree with the model, and forks it both ways:

- **before v6.8**: a fresh tree, bulk-loaded with the VMAs that are not `VM_DONTCOPY`
  (lesson 06);
- **v6.8**: `__mt_dup` of the whole tree, then a replace pass that NULL-stores the
  `VM_DONTCOPY` ones (lesson 07).

The first section reads *this* machine (its output changes from run to run); everything
after it also works on a committed sample, so the numbers you read are the numbers the
cells print.

## Prerequisites

- [01](01-what-a-maple-tree-stores.ipynb): ranges, NULL gaps, arange_64 nodes and their gaps.
- [06](06-bulk-insert.ipynb) and [07](07-mt-dup-and-fork.ipynb): the two fork methods.

## Sections

1. [This process](#1.-This-process)
2. [A committed sample: /usr/bin/cat](#2.-A-committed-sample:-/usr/bin/cat)
3. [VM_DONTCOPY and VM_WIPEONFORK](#3.-VM_DONTCOPY-and-VM_WIPEONFORK)
4. [Forking the sample both ways](#4.-Forking-the-sample-both-ways)
5. [What if some VMAs were DONTCOPY?](#5.-What-if-some-VMAs-were-DONTCOPY?)
6. [Bigger processes](#6.-Bigger-processes)
7. [Forking this process](#7.-Forking-this-process)
8. [Exercises](#8.-Exercises)
"""),
    code("""
from mapletree_edu.fork import build_mm_tree
from mapletree_edu.lessons import l08
from mapletree_edu.lessons.common import Table, player_state, show, step_table, view_of
from mapletree_edu.procmaps import MapsUnavailableError, read_maps, read_sample
from mapletree_edu.trace import record
from mapletree_edu.widgets import Player
"""),
    md("""
## 1. This process

`read_maps()` parses `/proc/self/maps` (and `smaps`, for each VMA's flags) of the Python
kernel running this notebook. `build_mm_tree()` stores every VMA over `[start, end - 1]`
into an alloc tree in RCU mode, the way `mm_mt` is set up. The output of this cell is this
machine's, so it differs on yours.
"""),
    code("""
# NBVAL_IGNORE_OUTPUT
# this machine's address space: different on every machine and every run
try:
    here = read_maps()                 # /proc/self/maps + /proc/self/smaps
    where = "/proc/self/maps"
except MapsUnavailableError as exc:    # no /proc here: use the committed sample
    here, where = read_sample(), f"the committed sample ({exc})"
here_tree = build_mm_tree(here)
print(f"{len(here)} VMAs from {where}")
print(here_tree, "| leaf sizes", l08.leaf_sizes(here_tree))
l08.vma_table(here, rows=list(range(min(8, len(here)))))
"""),
    md("""
Whatever the machine, the same facts must hold: iterating the tree gives back exactly the
VMA list, each range holding its own VMA, and the model's `mt_validate()` finds no
problem in the tree it built.
"""),
    code("""
for what, result in l08.tree_checks(here_tree, here).items():
    print(f"{what:>22}: {result}")
assert l08.tree_checks(here_tree, here) == {"ranges == VMA list": True,
                                            "entries are the VMAs": True, "validate()": []}
"""),
    md("""
## 2. A committed sample: /usr/bin/cat

The rest of the lesson uses a sample committed with the package (`read_sample()`):
`/usr/bin/cat` on Debian 12, read while it waited for input. `[vsyscall]` is left out by
the parser: it is not a VMA of the mm's tree.
"""),
    code("""
sample = read_sample()
tree = build_mm_tree(sample)
print(len(sample), "VMAs;", tree)
l08.vma_table(sample)
"""),
    md("""
The diagram draws the leaf holding the heap (the other leaf is collapsed into a box);
each VMA is labelled with its file's name (`l08.named_copy` makes a copy of the tree with
short names for entries: same nodes, same pivots).
"""),
    code("""
# NBVAL_IGNORE_OUTPUT
# the diagram (SVG bytes vary with the Graphviz build); every node is listed in the next cell
heap = next(v for v in sample if v.name == "[heap]")
show(l08.named_copy(tree), collapse=1, focus_index=heap.start)
"""),
    code("""
l08.node_summary(tree)
"""),
    md("""
The root is an `arange_64` node: next to each child pointer it keeps the size of the
largest NULL range (free address space) below that child. `mmap()` uses those gaps to
find room for a new mapping without visiting every leaf. The largest of them is the
largest hole in the address space:
"""),
    code("""
holes = [(first, last) for first, last, e in tree.ranges(include_null=True) if e is None]
biggest = max(holes, key=lambda h: h[1] - h[0])
root = view_of(tree).nodes[0]
print("NULL ranges (holes):", len(holes))
print("largest hole:", hex(biggest[0]), "-", hex(biggest[1]),
      "size", hex(biggest[1] - biggest[0] + 1))
print("root gaps:", [hex(g) for g in root.gaps])
assert max(root.gaps) == biggest[1] - biggest[0] + 1
"""),
    md("""
## 3. VM_DONTCOPY and VM_WIPEONFORK

Two VMA flags matter to `fork()`'s tree:

- **`VM_DONTCOPY`** (`madvise(MADV_DONTFORK)`; `dc` in the smaps `VmFlags` line): the
  child does not get the VMA at all. Drivers and RDMA libraries set it on memory that
  must not be shared with a child, some virtual machine monitors on guest RAM.
- **`VM_WIPEONFORK`** (`madvise(MADV_WIPEONFORK)`; `wf`): the child gets the VMA, but its
  pages start zero-filled (used for secrets such as random-number-generator state).
  The tree is not affected: the VMA is copied like any other.

Which VMAs carry them, in the sample and in this process?
"""),
    code("""
print("sample:", l08.fork_flagged(sample) or "none")
assert l08.fork_flagged(sample) == []
"""),
    code("""
# NBVAL_IGNORE_OUTPUT
# this machine's process: depends on the libraries it loaded
print("this process:", l08.fork_flagged(here) or "none")
"""),
    md("""
Neither flag is common in an ordinary program. Section 5 adds them to the sample to see
what they change.

## 4. Forking the sample both ways

`fork_pre68(parent)` builds the child as v6.1–v6.7 did; `fork_v68(parent)` as v6.8 does.
Both return the child's tree and what it cost: the node ledger (`allocs`, `frees`,
`alloc_calls`) and the work counters of `stats.CostCounter` (nodes copied by `__mt_dup`,
nodes visited by walks, `mas_split` calls, pushes, rebalances, spanning stores).
"""),
    code("""
pre, v68 = l08.fork_both(tree)
l08.fork_table(tree, (pre, v68))
"""),
    code("""
assert l08.child_vmas(pre) == l08.child_vmas(v68) == [(v.start, v.end, v.name) for v in sample]
assert l08.layout(v68.child) == l08.layout(tree)          # v6.8: the parent's exact shape
assert v68.allocs == tree.node_count and v68.frees == 0
assert v68.alloc_calls == 1 + l08.internal_count(tree)
assert pre.allocs == l08.expected_entries_request(len(sample), True)
print("same VMAs in both children; v6.8 child has the parent's layout:",
      l08.layout(v68.child) == l08.layout(tree))
print("pre-6.8 child has the parent's layout:", l08.layout(pre.child) == l08.layout(tree))
"""),
    md("""
Reading the table:

- **pre-6.8** preallocates for the parent's VMA count, builds the child by splitting and
  pushing as it goes, and frees what it did not use. Its child is built independently of
  the parent's shape: for this small process the two happen to match, sections 5 and 7
  show cases where they do not.
- **v6.8** allocates exactly the parent's nodes, in `1 + internal nodes` calls, copies
  them, and splits nothing. Its child is the parent's shape.
- `visits` counts nodes entered by walks. The model's replace pass stores each VMA
  through the normal API, which walks from the root every time; the kernel's VMA iterator
  resumes from the leaf it is on, so it visits fewer. The ledger is the same either way.

The children's leaves beside the parent's:
"""),
    code("""
print("parent leaves:  ", l08.leaf_sizes(tree))
print("pre-6.8 leaves: ", l08.leaf_sizes(pre.child))
print("v6.8 leaves:    ", l08.leaf_sizes(v68.child))
"""),
    md("""
## 5. What if some VMAs were DONTCOPY?

Mark the anonymous mapping below libc `VM_DONTCOPY` and the anonymous one after libc's
data `VM_WIPEONFORK` (`l08.with_flags`), then fork both ways.
"""),
    code("""
what_if = l08.with_flags(sample)
parent = build_mm_tree(what_if)
l08.vma_table(what_if, rows=sorted(l08.WHAT_IF))
"""),
    code("""
pre, v68 = l08.fork_both(parent)
l08.fork_table(parent, (pre, v68))
"""),
    md("""
The leaf that held the `DONTCOPY` VMA, in each child (the other leaf is collapsed):
"""),
    code("""
# NBVAL_IGNORE_OUTPUT
# the two children (SVG); their leaf sizes are in the table above
spot = next(v for v in what_if if v.dontcopy).start
show(l08.named_copy(pre.child), collapse=1, focus_index=spot,
     title="child, pre-6.8 bulk rebuild")
show(l08.named_copy(v68.child), collapse=1, focus_index=spot,
     title="child, v6.8 __mt_dup + replace pass")
"""),
    code("""
dontcopy = [v for v in what_if if v.dontcopy]
kept = [(v.start, v.end, v.name) for v in what_if if not v.dontcopy]
assert l08.child_vmas(pre) == l08.child_vmas(v68) == kept
print("parent VMAs:", len(what_if), "| child VMAs (both ways):", len(kept))
print("DONTCOPY, missing from both children:", [hex(v.start) for v in dontcopy])
print("WIPEONFORK, present in both children:",
      [hex(v.start) for v in what_if if v.wipeonfork and (v.start, v.end, v.name) in kept])
"""),
    md("""
Both children hold the same VMAs, by different routes: the bulk rebuild never stores the
`DONTCOPY` VMA; the v6.8 loop finds it in the copied tree and stores NULL over it.
"""),
    predict("""
The `DONTCOPY` VMA has a hole below it and touches libc above it.
When v6.8 clears it in the copy, which write path does the NULL store take, and how many
slots does the leaf lose? (Lesson 02: NULL stores coalesce with neighbouring NULLs.)
"""),
    code("""
# NBVAL_IGNORE_OUTPUT
# the player; its state is printed in the next cell
child = parent.dup()
victim = dontcopy[0]
before = l08.leaf_sizes(child)
with record(child, f"clear the DONTCOPY VMA at {victim.start:#x}") as rec:
    child.clear(victim.start, victim.last)
clear_steps = rec.steps
clear_player = Player(clear_steps, title=f"vma_iter_clear_gfp {victim.start:#x}")
clear_player
"""),
    code("""
print(player_state(clear_player))
print("leaf sizes before:", before, "after:", l08.leaf_sizes(child))
step_table(clear_steps)
"""),
    md("""
## 6. Bigger processes

`synthetic_address_space(n)` is the sample's small process plus `n` one-page anonymous
VMAs with one-page holes between them, as a test program mapping pages would get (the
kernel's fork benchmark added 100 to 51,200 VMAs this way). Lesson 09 measures this
properly; here is a first look at how the two methods scale:
"""),
    code("""
rows = []
for n in (0, 100, 1000):
    big = build_mm_tree(l08.synthetic_address_space(n))
    for r in l08.fork_both(big):
        c = r.costs
        rows.append((len(list(big)), big.node_count, r.method, c.allocs, c.frees,
                     c.alloc_calls, c.nodes_copied, c.splits, c.pushes))
Table(["VMAs", "parent nodes", "method", "allocs", "frees", "alloc_calls", "nodes copied",
       "splits", "pushes"], rows)
"""),
    md("""
`__mt_dup` never splits: its work grows with the number of nodes, and every node it
allocates is kept. The bulk rebuild splits (or pushes) over and over as the child grows,
and allocates for the worst case. It makes fewer allocator calls, though: one
preallocation against one bulk call per internal node.

## 7. Forking this process

The same two forks on this machine's VMAs from section 1. The table varies; the checks
after it do not.
"""),
    code("""
# NBVAL_IGNORE_OUTPUT
# this machine's process: the numbers vary
here_pre, here_v68 = l08.fork_both(here_tree)
l08.fork_table(here_tree, (here_pre, here_v68))
"""),
    code("""
kept = [(v.start, v.end, v.name) for v in here if not v.dontcopy]
checks = {
    "both children hold the VMAs fork copies": l08.child_vmas(here_pre)
    == l08.child_vmas(here_v68) == kept,
    "v6.8 child has the parent's layout (or DONTCOPY changed it)":
        l08.layout(here_v68.child) == l08.layout(here_tree) or len(kept) < len(here),
    "v6.8 allocates exactly the parent's nodes": here_v68.allocs == here_tree.node_count,
    "both children pass validate()": here_pre.child.validate() == here_v68.child.validate()
    == [],
}
for what, ok in checks.items():
    print(f"{what}: {ok}")
assert all(checks.values())
"""),
    md("""
## 8. Exercises
"""),
    exercise(1, "flag codes", """
Which two-letter codes does `/proc/<pid>/smaps` print in the `VmFlags` line for
`VM_DONTCOPY` and `VM_WIPEONFORK`? Answer `(dontcopy, wipeonfork)`.
""", """
answer = None   # a pair of two-letter codes
""", "check_flag_codes", "l08", "flag_codes"),
    exercise(2, "the child's VMAs", """
Fork the what-if sample of section 5 (either way). How many VMAs does the child have?
""", """
answer = None   # a VMA count
""", "check_child_vmas", "l08", "child_vmas"),
    exercise(3, "the v6.8 bill", """
Write `v68_cost(parent)` returning `(allocs, alloc_calls)` of `fork_v68(parent)` for a
parent with no `DONTCOPY` VMA. The check tries four process sizes.
""", """
def v68_cost(parent):
    return None   # your code here

answer = v68_cost
""", "check_v68_cost", "l08", "v68_cost"),
    exercise(4, "what the bulk rebuild gives back", """
How many nodes does `fork_pre68` free when it forks the (unmodified) sample?
""", """
answer = None   # a node count
""", "check_bulk_frees", "l08", "bulk_frees"),
    md("""
## Summary

- `/proc/<pid>/maps` is an iteration of the process's maple tree; rebuilt with the model,
  its ranges are exactly the VMA list and it validates.
- The tree is an allocation-range tree: its internal nodes keep the largest hole under
  each child, which is how `mmap()` finds free space.
- `VM_DONTCOPY` VMAs are left out of the child (skipped by the pre-6.8 bulk rebuild,
  NULL-stored by v6.8); `VM_WIPEONFORK` VMAs are copied like the others.
- v6.8's fork allocates exactly the parent's nodes and keeps its shape; the pre-6.8
  rebuild preallocates, splits and pushes, frees the rest, and has a shape of its own.

## What's next

[09 · The fork cost lab](09-fork-cost-lab.ipynb): both methods measured across process
sizes, against the kernel's own benchmark numbers.

## Kernel functions explained

`show_map_vma` / `show_smap_vma_flags` (what `/proc/<pid>/maps` and `smaps` print),
`vma_iter_store` (building `mm_mt`), `mas_leaf_max_gap` and the arange_64 gaps,
`dup_mmap` (both versions), `mas_expected_entries`, `vma_iter_bulk_store`,
`mas_destroy`, `__mt_dup`, `vma_iter_clear_gfp`, `mas_wr_modify`.
"""),
]


def notebook():
    return lesson(CELLS, DESCRIPTION)


if __name__ == "__main__":
    import build

    build.main(["06"])
