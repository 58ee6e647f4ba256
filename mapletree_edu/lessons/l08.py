# SPDX-License-Identifier: GPL-2.0-or-later
"""Lesson 08, a real process: helpers, exercise checks and solutions.

The lesson reads a process's VMAs (``/proc/<pid>/maps`` and ``smaps``, or the committed
sample), builds the mm's VMA tree from them and forks it both ways: the pre-6.8 bulk
rebuild (``fork_pre68``) and the v6.8 ``__mt_dup`` copy plus replace pass
(``fork_v68``).
"""

from dataclasses import replace

from ..core.bulk import expected_entries_request
from ..fork import (
    DONTCOPY,
    PAGE_SIZE,
    PRE68,
    WIPEONFORK,
    build_mm_tree,
    fork_pre68,
    fork_v68,
    is_dontcopy,
)
from ..fork import synthetic_address_space as _synthetic
from ..lab.replace import fork_v68_iter, iterator_moves
from ..procmaps import FLAG_NAMES, read_sample
from .common import Table, leaf_sizes, report, solution_text, unanswered
from .l06 import internal_sizes
from .l07 import internal_count, layout

#: Flags of the sample the "what if" section adds (index in read_sample() -> flag).
WHAT_IF = {6: DONTCOPY, 12: WIPEONFORK}
#: Exercise "child_vmas": the flags it adds to the sample (index -> flag).
EXERCISE_FLAGS = {3: DONTCOPY, 6: DONTCOPY, 12: WIPEONFORK, 13: WIPEONFORK, 14: DONTCOPY}
#: Exercise "bulk_frees": the process is synthetic_address_space(BULK_FREES_EXTRA).
BULK_FREES_EXTRA = 10

#: x86-64: TASK_SIZE of a 64-bit task is 2**47 - PAGE_SIZE with 4-level page tables
#: (task_size_max(), arch/x86/include/asm/page_64.h); with 5-level ones it is
#: 2**56 - PAGE_SIZE, but mmap() stays below DEFAULT_MAP_WINDOW = 2**47 - PAGE_SIZE
#: (arch/x86/include/asm/page_64_types.h) unless it is given a hint above that.
TASK_SIZE_X86_64 = (1 << 47) - PAGE_SIZE
#: The lowest address mmap() hands out: mmap_min_addr, the sysctl vm.mmap_min_addr, whose
#: built-in default is CONFIG_DEFAULT_MMAP_MIN_ADDR = 4096 (mm/Kconfig).
MMAP_MIN_ADDR_DEFAULT = 4096


# --- helpers the notebook uses ---------------------------------------------------------------

def pretty_flags(vma):
    """DONTCOPY/WIPEONFORK first, then the permission flags, as one string."""
    fork = [f for f in (DONTCOPY, WIPEONFORK) if f in vma.flags]
    perms = [f for f in ("rd", "wr", "ex", "ms") if f in vma.flags]
    return " ".join(fork + perms)


def vma_table(vmas, rows=None):
    """The VMAs as a table: index, [start, end), pages, flags, name; ``rows`` limits it
    to those indices."""
    idx = range(len(vmas)) if rows is None else rows
    return Table(["#", "start", "end", "pages", "flags", "name"],
                 [(i, hex(vmas[i].start), hex(vmas[i].end), vmas[i].pages,
                   pretty_flags(vmas[i]), vmas[i].name or "(anonymous)") for i in idx])


def short_name(entry):
    """A VMA's short label: the file's base name, [heap]/[stack]/..., anon, or - (NULL)."""
    if entry is None:
        return "-"
    name = getattr(entry, "name", None)
    if name is None:
        return str(entry)
    return name.rsplit("/", 1)[-1] if name else "anon"


def named_copy(tree):
    """A copy of the tree for drawing: the same nodes (``__mt_dup``), each VMA replaced by
    its short name (exact-fit stores, so the layout is unchanged)."""
    copy = tree.dup()
    copy.rcu = False
    for first, last, entry in list(copy):
        copy.store(first, last, short_name(entry))
    return copy


def node_summary(tree):
    """One row per node in pre-order: id, depth, type, [min, max], used slots, and what
    the slots hold (short VMA names, - for NULL; child ids for internal nodes)."""
    from ..debug.walker import walk
    rows = []
    visits = list(walk(tree.core.root))
    ids = {id(v.node): v.id for v in visits}
    for v in visits:
        ranges = v.ranges()
        if v.node.type < 2:
            what = " ".join(short_name(e) for _i, _lo, _hi, e in ranges)
        else:
            what = " ".join(f"#{ids[id(c)]}" for _i, _lo, _hi, c in ranges)
        mx = "MAX" if v.max == (1 << 64) - 1 else hex(v.max)
        rows.append((f"#{v.id}", v.depth, ("leaf_64", "range_64", "arange_64")[v.node.type - 1],
                     f"[{v.min:#x}, {mx}]", v.end + 1, what))
    return Table(["node", "depth", "type", "[min, max]", "used", "slots"], rows)


def fork_flagged(vmas):
    """(index, name, [DONTCOPY / WIPEONFORK]) of every VMA carrying one of the two."""
    return [(i, v.name or "(anonymous)", [f for f in (DONTCOPY, WIPEONFORK) if f in v.flags])
            for i, v in enumerate(vmas) if v.dontcopy or v.wipeonfork]


def tree_checks(tree, vmas):
    """The facts a compared cell can print about a tree built from vmas: the tree's
    ranges equal the VMA list, every entry is its VMA, and mt_validate finds nothing."""
    ranges = [(f, la) for f, la, _e in tree]
    return {"ranges == VMA list": ranges == [(v.start, v.last) for v in vmas],
            "entries are the VMAs": [e for _f, _l, e in tree] == list(vmas),
            "validate()": tree.validate()}


def with_flags(vmas, marks=None):
    """A copy of vmas with extra flags: ``marks`` maps index -> flag name."""
    marks = WHAT_IF if marks is None else marks
    out = list(vmas)
    for i, flag in marks.items():
        out[i] = replace(out[i], flags=out[i].flags | {flag})
    return out


def fork_both(parent):
    """(pre-6.8 result, v6.8 result) of forking the parent tree both ways."""
    return fork_pre68(parent), fork_v68(parent)


def has_dontcopy(tree):
    return any(is_dontcopy(e) for _f, _l, e in tree)


def node_reads(parent, result):
    """The nodes a fork reads, counted the kernel's way.

    pre-6.8: the bulk stores (each starts at the leaf the state is on), ``mas_destroy``'s
    walk, and the VMA iterator over the *parent's* tree (``for_each_vma(old_vmi)``).
    v6.8: the ``__mt_dup`` copy, the loop as ``lab.replace.fork_v68_iter`` runs it (each
    exact-fit store starts at the iterator's leaf; a VM_DONTCOPY VMA is cleared through
    the same state, ``vma_iter_clear_gfp``) and the iterator over the copy, counted on
    the tree as the clears leave it.
    """
    if result.method == PRE68:
        return result.costs.visits + iterator_moves(parent)
    counts = {}
    _child, costs, _s = fork_v68_iter(parent, counts=counts)
    return costs.visits + counts["iter_reads"]


def fork_table(parent, results):
    """One row per fork: the child's tree and the work it took (node reads counted the
    kernel's way, see :func:`node_reads`)."""
    rows = []
    for r in results:
        c = r.costs
        reads = node_reads(parent, r)
        rows.append((r.method, r.child.height, r.child.node_count, leaf_sizes(r.child),
                     len(list(r.child)), c.allocs, c.frees, c.alloc_calls, c.nodes_copied,
                     reads, c.splits, c.pushes, c.rebalances,
                     c.spanning_stores))
    return Table(["method", "height", "nodes", "leaf sizes", "VMAs", "allocs", "frees",
                  "alloc_calls", "nodes copied", "node reads", "splits", "pushes",
                  "rebalances", "spanning"], rows,
                 f"parent: height {parent.height}, {parent.node_count} nodes, leaf sizes "
                 f"{leaf_sizes(parent)}, {len(list(parent))} VMAs")


def holes_table(tree, low=MMAP_MIN_ADDR_DEFAULT, high=TASK_SIZE_X86_64):
    """Every NULL range of the tree with its size, and the part of it mmap() may hand
    out: inside [low, high) (mmap_min_addr and TASK_SIZE by default)."""
    rows = []
    for first, last, entry in tree.ranges(include_null=True):
        if entry is not None:
            continue
        ufirst, ulast = max(first, low), min(last, high - 1)
        usable = ulast - ufirst + 1 if ufirst <= ulast else 0
        rows.append((hex(first), "MAX" if last == (1 << 64) - 1 else hex(last),
                     hex(last - first + 1) if last - first + 1 < 1 << 64 else "2**64",
                     hex(usable) if usable else "0"))
    return Table(["first", "last", "size", "mmap() may use"], rows)


def largest_usable_hole(tree, low=MMAP_MIN_ADDR_DEFAULT, high=TASK_SIZE_X86_64):
    """(first, last) of the largest part of a hole inside [low, high)."""
    best = None
    for first, last, entry in tree.ranges(include_null=True):
        if entry is not None:
            continue
        ufirst, ulast = max(first, low), min(last, high - 1)
        if ufirst <= ulast and (best is None or ulast - ufirst > best[1] - best[0]):
            best = (ufirst, ulast)
    return best


def child_vmas(result):
    """The child's VMAs as (start, end, name) - comparable across the two methods."""
    return [(e.start, e.end, e.name) for _f, _l, e in result.child]


def synthetic_address_space(n=0):
    """fork.synthetic_address_space: the sample's small process plus n one-page VMAs."""
    return _synthetic(n)


# --- exercises ---------------------------------------------------------------------------------

def check_flag_codes(answer):
    """Exercise 1: the two-letter smaps VmFlags codes of VM_DONTCOPY and VM_WIPEONFORK."""
    codes = {v: k for k, v in FLAG_NAMES.items()}
    want = (codes[DONTCOPY], codes[WIPEONFORK])
    if unanswered(answer):
        return report(False, "", "give a pair of two-letter codes (DONTCOPY, WIPEONFORK)")
    ok = isinstance(answer, (list, tuple)) and tuple(answer) == want
    return report(ok, f"VM_DONTCOPY shows as '{want[0]}' and VM_WIPEONFORK as '{want[1]}' "
                  "in the VmFlags line of /proc/<pid>/smaps.",
                  "look at procmaps.FLAG_NAMES, or at show_smap_vma_flags() in "
                  "fs/proc/task_mmu.c (hint: 'dont copy' and 'wipe on fork')")


def check_child_vmas(answer):
    """Exercise 2: how many VMAs the child has after forking the sample marked with
    EXERCISE_FLAGS (either way)."""
    parent = build_mm_tree(with_flags(read_sample(), EXERCISE_FLAGS))
    pre, v68 = fork_both(parent)
    want = len(list(v68.child))
    if unanswered(answer):
        return report(False, "", "set answer to a number of VMAs.")
    ok = answer == want and want == len(list(pre.child))
    return report(ok, f"{want}: the DONTCOPY VMAs are missing in both children (skipped before "
                  "v6.8, NULL-stored in v6.8); the WIPEONFORK ones are there, only their "
                  "pages start empty.",
                  "start from the parent's VMA count and take away the VMAs fork leaves out "
                  "(hint: which flag does that, and which only empties the pages?)")


def check_spanning_dontcopy(answer):
    """Exercise "spanning": indices of sample VMAs to mark VM_DONTCOPY so that the v6.8
    fork's replace pass makes at least one spanning store."""
    sample = read_sample()
    if unanswered(answer):
        return report(False, "", "set answer to a set of VMA indices of the sample.")
    try:
        marked = set(answer)
    except TypeError:
        return report(False, "", "the answer is a set or list of VMA indices.")
    if not marked or not all(isinstance(i, int) and not isinstance(i, bool)
                             and 0 <= i < len(sample) for i in marked):
        return report(False, "", f"give VMA indices between 0 and {len(sample) - 1}.")
    r = fork_v68(build_mm_tree(with_flags(sample, {i: DONTCOPY for i in marked})))
    c = r.costs
    if c.spanning_stores:
        return report(True, f"{len(marked)} DONTCOPY VMA(s): {c.spanning_stores} spanning "
                      f"store(s), {c.rebalances} rebalance(s); the child has leaves "
                      f"{leaf_sizes(r.child)}.", "")
    return report(False, "", f"no spanning store ({c.rebalances} rebalance(s)). A NULL store "
                  "spans when it would end exactly on a leaf's last index; which VMA is the "
                  "last entry of a leaf that is not the last leaf?")


def check_bulk_frees(answer):
    """Exercise 4: nodes the pre-6.8 fork of synthetic_address_space(BULK_FREES_EXTRA)
    frees."""
    parent = build_mm_tree(_synthetic(BULK_FREES_EXTRA))
    result = fork_pre68(parent)
    want = result.frees
    if unanswered(answer):
        return report(False, "", "set answer to a number of nodes.")
    ok = answer == want
    return report(ok, f"{want}: mas_expected_entries preallocated "
                  f"{expected_entries_request(len(list(parent)), True)} nodes for "
                  f"{len(list(parent))} VMAs, the child kept {result.child.node_count}, and "
                  "mas_destroy freed the rest.",
                  "preallocation (lesson 06's formula with the parent's VMA count) minus the "
                  "nodes the child keeps")


SOLUTIONS = {
    "flag_codes": '''\
from mapletree_edu.lessons import l08
from mapletree_edu.procmaps import FLAG_NAMES
print(FLAG_NAMES)
codes = {name: code for code, name in FLAG_NAMES.items()}
answer = (codes["DONTCOPY"], codes["WIPEONFORK"])
ok = l08.check_flag_codes(answer)''',
    "child_vmas": '''\
from mapletree_edu.lessons import l08
from mapletree_edu.procmaps import read_sample

vmas = l08.with_flags(read_sample(), l08.EXERCISE_FLAGS)
dontcopy = sum(v.dontcopy for v in vmas)
print(len(vmas), "VMAs,", dontcopy, "DONTCOPY")
answer = len(vmas) - dontcopy
ok = l08.check_child_vmas(answer)''',
    "spanning_dontcopy": '''\
from mapletree_edu.fork import build_mm_tree
from mapletree_edu.lessons import l08
from mapletree_edu.lessons.common import leaves
from mapletree_edu.procmaps import read_sample

sample = read_sample()
first_leaf = leaves(build_mm_tree(sample))[0]
# the first leaf ends with a VMA: clearing it makes a NULL that ends on the leaf's max
last_vma = next(i for i, v in enumerate(sample) if v.last == first_leaf.max)
print("the first leaf ends at", hex(first_leaf.max), "with VMA", last_vma)
answer = {last_vma}
ok = l08.check_spanning_dontcopy(answer)''',
    "bulk_frees": '''\
from mapletree_edu.fork import build_mm_tree
from mapletree_edu.lessons import l08

parent = build_mm_tree(l08.synthetic_address_space(l08.BULK_FREES_EXTRA))
vma_count = len(list(parent))
preallocated = l08.expected_entries_request(vma_count, True)   # lesson 06's formula
child = l08.fork_both(parent)[0].child          # the pre-6.8 bulk rebuild
print(vma_count, "VMAs ->", preallocated, "nodes preallocated;", child.node_count, "kept")
answer = preallocated - child.node_count
ok = l08.check_bulk_frees(answer)''',
}


def solution(name):
    """The solution of exercise ``name`` as source text."""
    return solution_text(SOLUTIONS, name)


__all__ = ["WHAT_IF", "EXERCISE_FLAGS", "BULK_FREES_EXTRA", "short_name", "named_copy",
           "node_summary", "fork_flagged", "pretty_flags", "vma_table", "tree_checks",
           "with_flags", "fork_both", "fork_table", "child_vmas", "synthetic_address_space",
           "internal_count", "internal_sizes", "layout", "expected_entries_request",
           "check_flag_codes", "check_child_vmas", "check_spanning_dontcopy", "check_bulk_frees",
           "TASK_SIZE_X86_64", "MMAP_MIN_ADDR_DEFAULT", "holes_table", "largest_usable_hole",
           "node_reads", "has_dontcopy",
           "solution", "SOLUTIONS"]
