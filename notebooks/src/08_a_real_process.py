# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/08-a-real-process.ipynb: this machine's /proc/self/maps and a
committed sample as maple trees, forked both ways (pre-6.8 bulk rebuild, v6.8 __mt_dup).

Built by ``python notebooks/src/build.py`` (``build.py 08`` for this one only).
"""

from build import check, code, exercise, lesson, md, predict
from lessonparts import md_with, table

DESCRIPTION = ("this machine's own address space as a maple tree, and what each fork "
               "method does with a real process's VMAs")

PREREQUISITES = table(
    ("Lesson", "What you need from it"),
    ("[01 What a maple tree stores](01-what-a-maple-tree-stores.ipynb)",
     "ranges, NULL gaps, `arange_64` nodes and their gaps"),
    ("[06 Bulk insert](06-bulk-insert.ipynb)", "the pre-6.8 fork: a bulk rebuild"),
    ("[07 `__mt_dup` and fork](07-mt-dup-and-fork.ipynb)",
     "the v6.8 fork: a copy and a replace pass"),
)

VOCABULARY = table(
    ("Word", "Meaning"),
    ("VMA", "`struct vm_area_struct`: one mapping, `[vm_start, vm_end)`, one line of "
     "`/proc/<pid>/maps`"),
    ("`mm_mt`", "the mm's maple tree of VMAs: an allocation-range tree in RCU mode "
     "(`MM_MT_FLAGS`)"),
    ("`TASK_SIZE`", "the top of the user address space; on x86-64 with 4-level page "
     "tables `2**47 - 4096` by default"),
    ("`mmap_min_addr`", "the lowest address `mmap()` hands out (sysctl "
     "`vm.mmap_min_addr`, 4096 by default)"),
    ("node reads", "nodes a fork reads in the parent's and the child's trees, counted the "
     "way the kernel's iterator walks"),
)

KERNEL_FUNCTIONS = table(
    ("Function", "What it does", "Where in v6.8"),
    ("`mas_leaf_max_gap()`", "the largest NULL range of a leaf, kept in the parent",
     "`lib/maple_tree.c:1469`"),
    ("`unmapped_area()`, `unmapped_area_topdown()`", "the gap search, bounded by "
     "`mmap_min_addr` and `high_limit`", "`mm/mmap.c:1576`, `:1628`"),
    ("`dup_mmap()`", "the fork of the address space (both versions)",
     "`kernel/fork.c:626`"),
    ("`mas_expected_entries()`", "the pre-6.8 bulk preallocation",
     "`lib/maple_tree.c:5584`"),
    ("`__mt_dup()`", "the v6.8 copy", "`lib/maple_tree.c:6723`"),
    ("`vma_iter_clear_gfp()`", "the NULL store over a `VM_DONTCOPY` VMA",
     "`include/linux/mm.h:997`"),
    ("`mas_find()`", "the VMA iterator's step (`for_each_vma()`)",
     "`lib/maple_tree.c:6012`"),
)


CELLS = [
    md("""
# A real process

Every process has a `struct mm_struct` whose `mm_mt` is a maple tree of its VMAs
(virtual memory areas), holding each VMA over `[vm_start, vm_end - 1]`.
`/proc/<pid>/maps` prints those VMAs, one line each, in address order (`show_map_vma()`
in `fs/proc/task_mmu.c`): it is an iteration of that very tree. This lesson reads them
back, rebuilds the tree with the model, looks at its holes, and forks it both ways:
before v6.8 a fresh tree bulk-loaded with the VMAs that are not `VM_DONTCOPY` (lesson
06); in v6.8 `__mt_dup` of the whole tree and a replace pass that NULL-stores the
`VM_DONTCOPY` ones (lesson 07).
"""),
    md_with("""
## At a glance

*Time:* about 35 minutes.

*Prerequisites:*

{PREREQUISITES}

*You will learn:*

* how a real address space looks as a maple tree, and which of its holes `mmap()` may use;
* what `VM_DONTCOPY` and `VM_WIPEONFORK` do to the child's tree;
* what each fork method costs on a real process, counted the way the kernel walks;
* how the two methods scale with the number of VMAs.

The first section reads *this* machine (its output changes from run to run); everything
after it also works on a committed sample, so the numbers you read are the numbers the
cells print.
""", PREREQUISITES=PREREQUISITES),
    md_with("""
### Vocabulary

{VOCABULARY}
""", VOCABULARY=VOCABULARY),
    code("""
from mapletree_edu.fork import build_mm_tree
from mapletree_edu.lessons import l08
from mapletree_edu.lessons.common import Table, show, show_steps, step_table, view_of
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
try:
    here = read_maps()                 # /proc/self/maps + /proc/self/smaps
    where = "/proc/self/maps"
except MapsUnavailableError as exc:    # no /proc here: use the committed sample
    here, where = read_sample(), f"the committed sample ({exc})"
here_tree = build_mm_tree(here)
print(f"{len(here)} VMAs from {where}")
print(here_tree, "| leaf sizes", l08.leaf_sizes(here_tree))
l08.vma_table(here, rows=list(range(min(8, len(here)))))
""", ignore_output=True),
    md("""
Whatever the machine, the same facts must hold: iterating the tree gives back exactly the
VMA list, each range holding its own VMA, and the model's `mt_validate()` finds no
problem in the tree it built.
"""),
    code("""
for what, result in l08.tree_checks(here_tree, here).items():
    print(f"{what:>22}: {result}")
"""),
    md("""
## 2. A committed sample: `/usr/bin/cat`

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
heap = next(v for v in sample if v.name == "[heap]")
show(l08.named_copy(tree), collapse=1, focus_index=heap.start)
""", ignore_output=True),
    code("""
l08.node_summary(tree)
"""),
    md("""
## 3. The holes, and the ones `mmap()` may use

The root is an `arange_64` node: next to each child pointer it keeps the size of the
largest NULL range below that child. `mmap()` uses those gaps to find room for a new
mapping without visiting every leaf (lesson 04). The tree covers every index from 0 to
MAX.
"""),
    predict("""
the root's largest gap is the size of the largest NULL range in the tree. Is that the
largest hole a new mapping could go into? Look at where the NULL ranges lie before you
run the next cell.
"""),
    code("""
root = view_of(tree).nodes[0]
show_steps(f"root gaps: {[hex(g) for g in root.gaps]}", l08.holes_table(tree))
""", ignore_output=True),
    md("""
The largest gap is the NULL range above the stack, which runs to MAX: almost all of it
lies above `TASK_SIZE`, in the kernel's half of the address space. The gap search is
bounded at both ends: `unmapped_area()` and `unmapped_area_topdown()` (`mm/mmap.c`) raise
the low limit to `mmap_min_addr` and search below `high_limit`, which is the task's
address-space top (`TASK_SIZE`, or `mmap_base` for a top-down search). The right column
above clips every hole to `[mmap_min_addr, TASK_SIZE)` with the x86-64 defaults (4096 and
`2**47 - 4096`); the largest hole `mmap()` may use is a different one:
"""),
    code("""
usable = l08.largest_usable_hole(tree)
print("largest usable hole:", hex(usable[0]), "-", hex(usable[1]),
      "size", hex(usable[1] - usable[0] + 1))
"""),
    check("""
assert max(root.gaps) > usable[1] - usable[0] + 1
assert usable[0] >= l08.MMAP_MIN_ADDR_DEFAULT and usable[1] < l08.TASK_SIZE_X86_64
"""),
    md("""
## 4. `VM_DONTCOPY` and `VM_WIPEONFORK`

Two VMA flags matter to `fork()`'s tree:

- **`VM_DONTCOPY`** (`madvise(MADV_DONTFORK)`; `dc` in the smaps `VmFlags` line): the
  child does not get the VMA at all.
- **`VM_WIPEONFORK`** (`madvise(MADV_WIPEONFORK)`; `wf`): the child gets the VMA, but
  `dup_mmap()` copies none of its pages (`copy_page_range()` is skipped), so the child
  sees them zero-filled. The tree is not affected: the VMA is copied like any other.

Which VMAs carry them, in the sample and in this process?
"""),
    code("""
print("sample:", l08.fork_flagged(sample) or "none")
"""),
    code("""
print("this process:", l08.fork_flagged(here) or "none")
""", ignore_output=True),
    md("""
Neither flag is common in an ordinary program. Section 6 adds them to the sample to see
what they change.

## 5. Forking the sample both ways

`fork_pre68(parent)` builds the child as `dup_mmap()` did before v6.8; `fork_v68(parent)`
as v6.8 does.
Both return the child's tree and what it cost: the node ledger (`allocs`, `frees`,
`alloc_calls`), nodes copied by `__mt_dup`, `mas_split` calls, pushes, rebalances,
spanning stores, and **node reads** counted the way the kernel walks (`l08.node_reads`):

- pre-6.8: the VMA iterator over the *parent's* tree, and the bulk stores, each of which
  starts at the leaf the maple state is already on;
- v6.8: the copy (every node once), the iterator over the copy, and one leaf per
  exact-fit store (the iterator's state is already there: `lab.replace.fork_v68_iter`);
  a `VM_DONTCOPY` VMA is cleared through the same state.
"""),
    code("""
pre, v68 = l08.fork_both(tree)
l08.fork_table(tree, (pre, v68))
"""),
    code("""
print("pre-6.8 child has the parent's layout:", l08.layout(pre.child) == l08.layout(tree))
print("v6.8 child has the parent's layout:   ", l08.layout(v68.child) == l08.layout(tree))
print("parent leaves:  ", l08.leaf_sizes(tree))
print("pre-6.8 leaves: ", l08.leaf_sizes(pre.child))
print("v6.8 leaves:    ", l08.leaf_sizes(v68.child))
"""),
    check("""
assert l08.child_vmas(pre) == l08.child_vmas(v68) == [(v.start, v.end, v.name) for v in sample]
assert l08.layout(v68.child) == l08.layout(tree)
assert v68.allocs == tree.node_count and v68.frees == 0
assert pre.allocs == l08.expected_entries_request(len(sample), True)
"""),
    md("""
Reading the table:

- **pre-6.8** preallocates for the parent's VMA count, builds the child by splitting and
  pushing as it goes, and frees what it did not use. Its child is built independently of
  the parent's shape: for this small process the two happen to match; sections 6 and 7
  show cases where they do not.
- **v6.8** allocates exactly the parent's nodes, copies them, and splits nothing. Its
  child is the parent's shape.
- Both read about the same number of nodes here: a tree of three nodes is walked once
  either way.

## 6. What if some VMAs were `DONTCOPY`?

Mark the anonymous mapping below libc `VM_DONTCOPY` and the anonymous one after libc's
data `VM_WIPEONFORK` (`l08.with_flags`). The `DONTCOPY` VMA has a hole below it and
touches libc above it.
"""),
    code("""
what_if = l08.with_flags(sample)
parent = build_mm_tree(what_if)
victim = next(v for v in what_if if v.dontcopy)
child = parent.dup()
before = l08.leaf_sizes(child)
print("leaf sizes of the copy:", before)
l08.vma_table(what_if, rows=sorted(l08.WHAT_IF))
"""),
    code("""
show(l08.named_copy(child), collapse=1, focus_index=victim.start,
     title="the copy: the leaf that holds the DONTCOPY VMA")
""", ignore_output=True),
    predict("""
when v6.8 clears the `DONTCOPY` VMA in the copy, which write path does the NULL store
take, and how many slots does its leaf lose? (Lesson 02: NULL stores coalesce with
neighbouring NULLs.)
"""),
    code("""
with record(child, f"clear [{victim.start:#x}, {victim.last:#x}]") as rec:
    child.clear(victim.start, victim.last)
clear_steps = rec.steps
clear_player = Player(clear_steps, title=f"clear [{victim.start:#x}, {victim.last:#x}] "
                                         "in the copy")
clear_player
""", ignore_output=True),
    code("""
show_steps(f"leaf sizes before: {before} after: {l08.leaf_sizes(child)}",
           step_table(clear_steps))
""", ignore_output=True),
    check("""
assert clear_player.state()["index"] == 0
"""),
    md("""
*The whole forks:* both methods on the marked sample.
"""),
    code("""
pre, v68 = l08.fork_both(parent)
l08.fork_table(parent, (pre, v68))
"""),
    code("""
kept = [(v.start, v.end, v.name) for v in what_if if not v.dontcopy]
print("parent VMAs:", len(what_if), "| child VMAs (both ways):", len(kept))
print("DONTCOPY, missing from both children:", [hex(v.start) for v in what_if if v.dontcopy])
print("WIPEONFORK, present in both children:",
      [hex(v.start) for v in what_if if v.wipeonfork and (v.start, v.end, v.name) in kept])
"""),
    check("""
assert l08.child_vmas(pre) == l08.child_vmas(v68) == kept
"""),
    md("""
Both children hold the same VMAs, by different routes: the bulk rebuild never stores the
`DONTCOPY` VMA; the v6.8 loop finds it in the copied tree and stores NULL over it
(`vma_iter_clear_gfp()`, through the iterator's own state, so its walk starts at the
leaf the iterator is on; the player above walked from the root, as the normal API does).
The node reads count that path: the clear's walk, and the iterator going on over the
tree as the clear left it. The leaf that held the `DONTCOPY` VMA, in each child:
"""),
    code("""
show(l08.named_copy(pre.child), collapse=1, focus_index=victim.start,
     title="child, pre-6.8 bulk rebuild")
show(l08.named_copy(v68.child), collapse=1, focus_index=victim.start,
     title="child, v6.8 __mt_dup + replace pass")
""", ignore_output=True),
    md("""
## 7. Bigger processes

`synthetic_address_space(n)` is the sample's small process plus `n` one-page anonymous
VMAs with one-page holes between them, as a test program mapping pages might get (the
fork benchmark of the `__mt_dup` review added 100 to 51,200 VMAs to a small process; how
it laid them out was not published). Lesson 09 measures this properly, on more than one
layout; here is a first look at how the two methods scale:
"""),
    code("""
rows = []
for n in (0, 100, 1000):
    big = build_mm_tree(l08.synthetic_address_space(n))
    for r in l08.fork_both(big):
        c = r.costs
        rows.append((len(list(big)), big.node_count, r.method, c.allocs, c.frees,
                     c.alloc_calls, c.nodes_copied, l08.node_reads(big, r), c.splits,
                     c.pushes))
Table(["VMAs", "parent nodes", "method", "allocs", "frees", "alloc_calls", "nodes copied",
       "node reads", "splits", "pushes"], rows)
"""),
    md("""
`__mt_dup` never splits: its work grows with the number of nodes, and every node it
allocates is kept. The bulk rebuild splits (or pushes) over and over as the child grows,
and allocates for the worst case, a hole beside every VMA (this layout has one). It
makes fewer allocator calls, though: its one preallocation takes a call for the head of
the node list and one bulk call per 30 further nodes, where the copy makes one call for
the root and one bulk call per internal node. Counted the way the kernel iterates, the
rebuild reads more nodes than the copy once the process grows; the ratio, from the table:
"""),
    code("""
for k in range(0, len(rows), 2):
    old, new = rows[k], rows[k + 1]
    print(f"{old[0]:>5} VMAs: node reads pre-6.8 / v6.8 = {old[7] / new[7]:.2f}")
"""),
    md("""
## 8. Forking this process

The same two forks on this machine's VMAs from section 1. The table varies; the checks
after it do not.
"""),
    code("""
here_pre, here_v68 = l08.fork_both(here_tree)
l08.fork_table(here_tree, (here_pre, here_v68))
""", ignore_output=True),
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
"""),
    check("""
assert all(checks.values())
assert l08.tree_checks(here_tree, here) == {"ranges == VMA list": True,
                                            "entries are the VMAs": True, "validate()": []}
"""),
    md("""
## Exercises
"""),
    exercise(1, "flag codes", """
Which two-letter codes does `/proc/<pid>/smaps` print in the `VmFlags` line for
`VM_DONTCOPY` and `VM_WIPEONFORK`? Answer `(dontcopy, wipeonfork)`.
""", """
answer = None   # a pair of two-letter codes
""", "check_flag_codes", "l08", "flag_codes"),
    exercise(2, "the child's VMAs", """
Mark the sample with other flags: `l08.with_flags(read_sample(), l08.EXERCISE_FLAGS)`
(`l08.EXERCISE_FLAGS` says which VMA gets which flag). Fork it (either way): how many
VMAs does the child have? Answer before you fork.
""", """
answer = None   # a VMA count
""", "check_child_vmas", "l08", "child_vmas"),
    exercise(3, "a spanning store in the replace pass", """
Choose VMAs of the (unmarked) sample to mark `VM_DONTCOPY` so that the v6.8 fork's
replace pass makes at least one **spanning store**. Answer with a set of VMA indices
(positions in `read_sample()`); the check forks the marked sample and tells you what
happened.
""", """
answer = None   # a set of VMA indices
""", "check_spanning_dontcopy", "l08", "spanning_dontcopy"),
    exercise(4, "what the bulk rebuild gives back", """
How many nodes does `fork_pre68` free when it forks
`l08.synthetic_address_space(l08.BULK_FREES_EXTRA)` (the sample's small process plus 10
one-page VMAs)? Work it out from lesson 06's preallocation and the nodes the child will
need before you run it.
""", """
answer = None   # a node count
""", "check_bulk_frees", "l08", "bulk_frees"),
    md("""
## Summary

- `/proc/<pid>/maps` is an iteration of the process's maple tree; rebuilt with the model,
  its ranges are exactly the VMA list and it validates.
- The tree is an allocation-range tree: its internal nodes keep the largest hole under
  each child. The largest of those is usually the range above the stack, running to MAX;
  `mmap()` only searches `[mmap_min_addr, high_limit)`, below `TASK_SIZE`.
- `VM_DONTCOPY` VMAs are left out of the child (skipped by the pre-6.8 rebuild,
  NULL-stored by v6.8, where the NULL store can coalesce, rebalance or span);
  `VM_WIPEONFORK` VMAs are copied like the others.
- v6.8's fork allocates exactly the parent's nodes and keeps its shape; the pre-6.8
  rebuild preallocates, splits and pushes, frees the rest, and has a shape of its own.
  Counted the way the kernel iterates, both read the same number of nodes for the
  small sample, and the rebuild reads more as the process grows (section 7).
"""),
    md_with("""
## Kernel functions explained

{KERNEL_FUNCTIONS}

## Resources

- `Documentation/core-api/maple_tree.rst`, rendered at
  <https://docs.kernel.org/core-api/maple_tree.html>.
- LWN, "Introducing maple trees" (2021): <https://lwn.net/Articles/845507/>.
- The merged fork commit, `d2406291483775ecddaee929231a39c70c08fda2`:
  <https://android-kvm.googlesource.com/linux/+/d2406291483775ecddaee929231a39c70c08fda2>.

## What's next

[09 The fork cost lab](09-fork-cost-lab.ipynb): both methods measured across process
sizes and layouts, against the numbers of the `__mt_dup` review.
""", KERNEL_FUNCTIONS=KERNEL_FUNCTIONS),
]


def notebook():
    return lesson(CELLS, DESCRIPTION)


if __name__ == "__main__":
    import build

    build.main(["08"])
