# SPDX-License-Identifier: GPL-2.0-or-later
"""Lesson 07, ``__mt_dup`` and fork: helpers, exercise checks and solutions.

The lesson follows v6.8's ``dup_mmap()``: ``__mt_dup()`` copies the whole tree in
depth-first pre-order (``mas_dup_build``, one bulk allocation of all children per
internal node in ``mas_dup_alloc``), then every VMA is either replaced by an
exact-fit store or, for ``VM_DONTCOPY``, cleared by a normal NULL store. A copy
that runs out of memory is unwound by ``mas_dup_free``.
"""

from ..debug.walker import walk
from ..errors import OutOfMemoryError
from ..tree import MapleTree
from .common import (
    Table,
    call_answer,
    leaf_sizes,
    report,
    solution_text,
    tree_of,
    unanswered,
    vma_ranges,
)
from .l06 import FnLog, internal_sizes

#: The kernel's check_forking() tree: [i*10, i*10+5] holding i, for i = 0..134.
FORKING_ENTRIES = 135
#: Exercise 1's tree: forking_source(VISIT_ENTRIES) has height 4 (the lesson's has 3).
VISIT_ENTRIES = 800


# --- helpers the notebook uses ---------------------------------------------------------------

def forking_source(n=FORKING_ENTRIES, alloc=True):
    """check_forking()'s source tree: n ranges [i*10, i*10+5] holding i, stored in order."""
    return tree_of(vma_ranges(n), alloc=alloc)


def ledger_delta(allocator, before):
    now = allocator.counters()
    return {k: now[k] - before[k] for k in ("allocs", "frees", "alloc_calls")}


def dup_with_ledger(src):
    """(the copy, the ledger difference of the __mt_dup) - the copy shares src's allocator."""
    before = src.allocator.counters()
    copy = src.dup()
    return copy, ledger_delta(src.allocator, before)


def internal_count(tree):
    """Internal nodes of a tree (0 for an empty tree or a root entry)."""
    root = tree.core.root
    if root is None or root.__class__.__name__ != "Node":
        return 0
    return sum(1 for v in walk(root) if v.node.type >= 2)


def internal_bounds(tree, depth=1):
    """[(min, max)] of the nodes at ``depth`` (1: the root's children)."""
    root = tree.core.root
    return [(v.min, v.max) for v in walk(root) if v.depth == depth]


def visit_table(steps, limit=None):
    """One row per pre-order copy (mas_dup_build) and bulk child allocation
    (mas_dup_alloc) of a recorded __mt_dup."""
    rows = []
    for s in steps:
        d = s.details
        if s.fn == "mas_dup_build" and "visit" in d and d["visit"]:
            node = s.view.by_serial().get(d["src"]) if s.view is not None else None
            where = f"[{node.min}, {_num(node.max)}]" if node is not None else ""
            kind = node.type if node is not None else ""
            depth = node.depth if node is not None else ""
            rows.append([d["visit"], depth, kind, where, f"#{d['src']} -> #{d['dst']}", ""])
        elif s.fn == "mas_dup_alloc":
            rows.append(["", "", "", "", "", f"{d['count']} children, one bulk call"
                         + ("" if d["ok"] else ": FAILED")])
        elif s.fn == "mas_dup_free":
            rows.append(["", "", "", "", "", f"mas_dup_free: {d['freed']} nodes freed"])
    if limit is not None:
        rows = rows[:limit]
    return Table(["visit", "depth", "type", "source range", "source -> copy",
                  "mas_dup_alloc"], rows)


def _num(v):
    return "MAX" if v == (1 << 64) - 1 else str(v)


def child_entry(entry):
    """The child's copy of a parent entry: "c<n>" for entry n (dup_vma's new VMA)."""
    return f"c{entry}"


def layout(tree):
    """The tree's node layout without the leaf entries: equal layouts mean the same
    nodes, pivots, gaps and shape (fork.tree_shape with the entries left out)."""
    from ..fork.paths import tree_shape
    return [row[:-1] + ((len(row[-1]),) if row[1] < 2 else (row[-1],))
            for row in tree_shape(tree)]


def replace_all(copy):
    """The replace pass of v6.8 dup_mmap(): store the child's copy of every entry over
    exactly its range. Returns the ledger difference and the write paths taken."""
    before = copy.allocator.counters()
    log = FnLog()
    with copy.tracing(log):
        for first, last, entry in list(copy):
            copy.store(first, last, child_entry(entry))
    paths = {}
    for fn, _info in log.log:
        if fn.startswith("mas_wr_") or fn in ("mas_split", "mas_rebalance"):
            paths[fn] = paths.get(fn, 0) + 1
    return ledger_delta(copy.allocator, before), paths


def dontcopy_pass(copy, dontcopy):
    """v6.8 dup_mmap()'s loop over the copy: NULL-store each entry for which
    ``dontcopy(entry)`` is true (vma_iter_clear_gfp), replace every other one by an
    exact-fit store. Returns one row per NULL store that did more than a slot write:
    (entry, [first, last], what happened, leaf sizes after)."""
    rows = []
    for first, last, entry in list(copy):
        if dontcopy(entry):
            log = FnLog()
            before = internal_bounds(copy)
            with copy.tracing(log):
                copy.clear(first, last)
            fns = [fn for fn, _i in log.log]
            what = []
            if "mas_wr_spanning_store" in fns:
                what.append("spanning store")
            if "mas_rebalance" in fns:
                what.append("rebalance")
            if internal_bounds(copy) != before:
                what.append("parent pivot moved")
            if what:
                rows.append((entry, (first, last), ", ".join(what), leaf_sizes(copy)))
        else:
            copy.store(first, last, child_entry(entry))
    return rows


def leaf_text(tree, k=0):
    """Leaf k as 'v0@5 -@9 v1@15 ...': each slot's entry (v<n> for the parent's entry n,
    c<n> for the child's copy, - for NULL) and its pivot."""
    leaves = [v for v in walk(tree.core.root) if v.node.type < 2]
    out = []
    for _i, _lo, hi, entry in leaves[k].ranges():
        label = "-" if entry is None else (f"v{entry}" if isinstance(entry, int) else entry)
        out.append(f"{label}@{_num(hi)}")
    return " ".join(out)


def failed_dup(src, k):
    """Run __mt_dup with the k-th node allocation failing. Returns a dict: the error
    text, the nodes mas_dup_free freed, the ledger difference, and whether src is
    unchanged (node for node)."""
    from ..fork.paths import tree_shape
    shape = tree_shape(src)
    log = FnLog()
    before = src.allocator.counters()
    src.allocator.set_fail_at(k)
    error = None
    try:
        with src.tracing(log):
            src.dup()
    except OutOfMemoryError as exc:
        error = str(exc)
    finally:
        src.allocator.set_fail_at(None)
    freed = [d["freed"] for d in log.calls("mas_dup_free")]
    return {"error": error, "freed": freed[0] if freed else None,
            "ledger": ledger_delta(src.allocator, before),
            "source unchanged": tree_shape(src) == shape}


#: Section 7 and the "marker" exercise: a process-like parent (the sample's 21 VMAs plus
#: FAIL_EXTRA one-page VMAs) and the VMA at which the simulated fork fails.
FAIL_EXTRA = 40
FAIL_AT = 10
MARKER_AT = 17
#: Exercise "marker": these VMAs of failing_parent() are VM_DONTCOPY.
MARKER_DONTCOPY = (3, 4)


def failing_parent(dontcopy=()):
    """The parent tree of section 7: synthetic_address_space(FAIL_EXTRA), mm-style; the
    VMAs at the indices ``dontcopy`` get VM_DONTCOPY."""
    from dataclasses import replace

    from ..fork import DONTCOPY, build_mm_tree, synthetic_address_space
    vmas = synthetic_address_space(FAIL_EXTRA)
    for i in dontcopy:
        vmas[i] = replace(vmas[i], flags=vmas[i].flags | {DONTCOPY})
    return build_mm_tree(vmas)


def child_kinds(parent, result):
    """What each child entry is, in address order: "copy" (the child's own VMA),
    "marker" (XA_ZERO_ENTRY), "parent's" (the parent's VMA, not yet replaced) or "NULL"
    (a cleared VM_DONTCOPY VMA)."""
    from ..core.entries import XA_ZERO_ENTRY
    kids = {first: entry for first, _last, entry in result.child}
    out = []
    for first, _last, pvma in parent:
        c = kids.get(first)
        out.append("NULL" if c is None else "marker" if c is XA_ZERO_ENTRY
                   else "parent's" if c is pvma else "copy")
    return out


def failure_table(parent, k=FAIL_AT):
    """One row per place a v6.8 dup_mmap() can fail (fork.fork_v68's fail_in): where,
    map_count, the VMA holding the marker, the VMAs exit_mmap() tears down, and what the
    child holds around VMA k."""
    from ..fork import fork_v68
    n = len(list(parent))
    cases = [("before VMA k's store (vm_area_dup, anon_vma_fork, ...)", k, "dup_vma"),
             ("copy_page_range() of VMA k", k, "copy_page_range"),
             ("copy_page_range() of the last VMA", n - 1, "copy_page_range"),
             ("arch_dup_mmap(), after the loop", None, "arch_dup_mmap")]
    rows = []
    for what, at, where in cases:
        r = fork_v68(parent, fail_at_vma=at, fail_in=where, events=None)
        kinds = child_kinds(parent, r)
        lo = max(0, (at if at is not None else n - 1) - 1)
        around = " ".join(f"{i}:{kinds[i]}" for i in range(lo, min(n, lo + 3)))
        rows.append((what, "-" if at is None else at, r.map_count,
                     "none" if r.marker_at is None else r.marker_at, r.torn_down, around))
    return Table(["failure", "VMA k", "map_count", "marker on VMA", "exit_mmap tears down",
                  "child entries around k"], rows)


def height_change(dontcopy, src=None):
    """The check_forking tree copied and put through the v6.8 loop with the VMAs in
    ``dontcopy`` (entry numbers) marked VM_DONTCOPY: (source height, child height,
    child nodes)."""
    src = forking_source() if src is None else src
    marked = set(dontcopy)
    copy = src.dup()
    dontcopy_pass(copy, lambda e: e in marked)
    return src.height, copy.height, copy.node_count


# --- exercises ---------------------------------------------------------------------------------

def _dup_calls(tree):
    return dup_with_ledger(tree)[1]["alloc_calls"]


def check_visit_numbers(answer):
    """Exercise 1: the pre-order visit numbers of the internal nodes of
    forking_source(VISIT_ENTRIES) (height 4), in increasing order."""
    src = forking_source(VISIT_ENTRIES)
    want = [v.id + 1 for v in walk(src.core.root) if v.node.type >= 2]
    if unanswered(answer):
        return report(False, "", "give a list of visit numbers, e.g. [1, ...]")
    ok = isinstance(answer, (list, tuple)) and list(answer) == want
    return report(ok, f"internal nodes are visits {want}: the root first, then each internal "
                  "node just before its own subtree.",
                  "pre-order: a node is copied before all of its children, and a whole subtree "
                  "before its next sibling (hint: the root is 1, its first child 2, that "
                  "child's first child 3; count each subtree's nodes before the next sibling)")


def check_dup_alloc_calls(answer):
    """Exercise 2: a function giving the allocator calls of __mt_dup for a tree."""
    if not callable(answer):
        return report(False, "", "pass a function of a MapleTree, e.g. "
                      "check_dup_alloc_calls(dup_calls)")
    cases = {"check_forking tree": forking_source(), "one leaf": forking_source(5),
             "plain tree, 300 ranges": forking_source(300, alloc=False),
             "empty tree": MapleTree()}
    root_entry = MapleTree()
    root_entry.store(0, 0, "only entry")
    cases["root entry"] = root_entry
    for name, tree in cases.items():
        want = _dup_calls(tree)
        got, failed = call_answer(answer, tree)
        if failed:
            return report(False, "", f"{name}: your function {failed}")
        if got is None:
            return report(False, "", "your function returned None: return the number of "
                          "allocator calls.")
        if got != want:
            return report(False, "", f"{name}: the ledger shows {want} calls, your function "
                          f"gives {got!r}. Look again at the mas_dup_alloc lines of the visit "
                          "table in section 3.")
    return report(True, "one call for the root, then one bulk call per internal node, "
                  "and none at all for a tree without nodes.", "")


def check_nodes_freed(answer):
    """Exercise 3: a function nodes_freed(k) for the check_forking tree: the nodes
    mas_dup_free gives back when the k-th node allocation fails (0 when the copy
    succeeds or nothing was allocated)."""
    if not callable(answer):
        return report(False, "", "pass a function of k, e.g. check_nodes_freed(nodes_freed)")
    src = forking_source()
    for k in range(1, src.node_count + 2):
        want = failed_dup(src, k)["freed"] or 0
        got, failed = call_answer(answer, k)
        if failed:
            return report(False, "", f"nodes_freed({k}) {failed}")
        if got is None:
            return report(False, "", "your function returned None: return a number of nodes.")
        if got != want:
            return report(False, "", f"nodes_freed({k}): {want} nodes are freed, your function "
                          f"gives {got!r}. Which request does node {k} belong to, and what "
                          "had been allocated before that request?")
    return report(True, "allocations come in groups (root, then each internal node's "
                  "children), and a failure frees every group before the failing one.", "")


def _marked_vmas(answer):
    """The answer as a set of VMA numbers of the check_forking tree, or an error text."""
    if unanswered(answer):
        return None, "set answer to a set (or list) of VMA numbers."
    try:
        marked = set(answer)
    except TypeError:
        return None, "the answer is a set or list of VMA numbers."
    if not marked or not all(isinstance(v, int) and not isinstance(v, bool)
                             and 0 <= v < FORKING_ENTRIES for v in marked):
        return None, f"give VMA numbers between 0 and {FORKING_ENTRIES - 1}."
    return marked, ""


def boundary_after(dontcopy, src=None):
    """The root's children's [(min, max)] in the copy after the NULL stores of the VMAs
    ``dontcopy`` (entry numbers of the check_forking tree)."""
    src = forking_source() if src is None else src
    marked = set(dontcopy)
    copy = src.dup()
    dontcopy_pass(copy, lambda e: e in marked)
    return internal_bounds(copy)


def check_boundary_down(answer):
    """Exercise "boundary_down": a set of VMA numbers whose DONTCOPY NULL stores leave
    the root with two children, the first ending below the parent's boundary."""
    marked, problem = _marked_vmas(answer)
    if marked is None:
        return report(False, "", problem)
    before = internal_bounds(forking_source())[0][1]
    bounds = boundary_after(marked)
    if len(bounds) == 2 and bounds[0][1] < before:
        return report(True, f"{len(marked)} DONTCOPY VMA(s): the first child of the root now "
                      f"ends at {bounds[0][1]} (it ended at {before}). A NULL store that ends "
                      "on the boundary is a spanning store: it rebuilds the nodes on both "
                      "sides and cuts them afresh, by how many entries each side has left.",
                      "")
    if len(bounds) != 2:
        return report(False, "", f"the root now has {len(bounds)} child(ren): too much was "
                      "cleared. Mark fewer VMAs, near the boundary.")
    return report(False, "", f"the first child of the root still ends at {bounds[0][1]} "
                  f"(the parent's: {before}). Only a write that reaches the boundary can "
                  "move it: which VMA ends exactly there, and what happens to the rebuild "
                  "when the leaves just right of the boundary lose entries as well?")


def check_height_change(answer):
    """Exercise "height_change": a set of VMA numbers of the check_forking tree whose
    DONTCOPY NULL stores in the copy change the child's height."""
    if unanswered(answer):
        return report(False, "", "set answer to a set (or list) of VMA numbers.")
    try:
        marked = set(answer)
    except TypeError:
        return report(False, "", "the answer is a set or list of VMA numbers.")
    if not marked or not all(isinstance(v, int) and not isinstance(v, bool)
                             and 0 <= v < FORKING_ENTRIES for v in marked):
        return report(False, "", f"give VMA numbers between 0 and {FORKING_ENTRIES - 1}.")
    h_src, h_child, nodes = height_change(marked)
    if h_child != h_src:
        return report(True, f"{len(marked)} DONTCOPY VMAs: the child's tree has height "
                      f"{h_child} ({nodes} nodes), the parent's {h_src}. The NULL stores "
                      "rebalanced leaves until the root's children fitted into one node.",
                      "")
    return report(False, "", f"{len(marked)} DONTCOPY VMAs leave the child at height "
                  f"{h_child} ({nodes} nodes). Scattered holes only coalesce inside their "
                  "leaves; how many leaves must disappear before the two internal nodes "
                  "fit into one?")


def check_marker(answer):
    """Exercise "marker": in failing_parent(MARKER_DONTCOPY), copy_page_range() fails at VMA
    MARKER_AT: (the VMA holding XA_ZERO_ENTRY, the VMAs exit_mmap() tears down)."""
    from ..fork import fork_v68
    r = fork_v68(failing_parent(MARKER_DONTCOPY), fail_at_vma=MARKER_AT,
                 fail_in="copy_page_range", events=None)
    want = (r.marker_at, r.torn_down)
    if unanswered(answer):
        return report(False, "", "set answer = (marker VMA, VMAs torn down).")
    if not isinstance(answer, (list, tuple)) or len(answer) != 2:
        return report(False, "", "the answer is a pair (marker VMA, VMAs torn down).")
    if tuple(answer) == want:
        return report(True, f"VMA {MARKER_AT} was stored and counted before "
                      f"copy_page_range() failed, so the marker goes on VMA {want[0]} "
                      f"(vma_next()). map_count counts the copies only: the "
                      f"{len(MARKER_DONTCOPY)} VM_DONTCOPY VMAs were cleared, not counted, "
                      f"and exit_mmap() finds NULL there, so it releases {want[1]} VMAs.", "")
    if answer[0] == MARKER_AT:
        return report(False, "", "that is where a failure *before* the store puts it; when "
                      "does dup_mmap() call copy_page_range(), before or after the store?")
    if answer[0] == want[0]:
        return report(False, "", "the marker is right. Which VMAs before it did dup_mmap() "
                      "count in map_count, and what did it leave in the tree for the "
                      "VM_DONTCOPY ones?")
    return report(False, "", "which VMAs are in map_count when copy_page_range() fails, "
                  "and which VMA does dup_mmap() look at next?")


SOLUTIONS = {
    "visit_numbers": '''\
from mapletree_edu.lessons import l07

tree = l07.forking_source(l07.VISIT_ENTRIES)
steps = l07.record_dup(tree)
internal = [s.details["visit"] for s in steps
            if s.fn == "mas_dup_build" and s.details.get("visit")
            and s.view.by_serial()[s.details["src"]].type != "leaf_64"]
print(internal)
answer = internal
ok = l07.check_visit_numbers(answer)''',
    "dup_alloc_calls": '''\
from mapletree_edu.lessons import l07


def dup_calls(tree):
    """Allocator calls of __mt_dup: the root, then one bulk call per internal node."""
    if tree.node_count == 0:          # empty, or a single entry in the root pointer
        return 0
    return 1 + l07.internal_count(tree)

answer = dup_calls
ok = l07.check_dup_alloc_calls(answer)''',
    "nodes_freed": '''\
from mapletree_edu.lessons import l07

src = l07.forking_source()
groups = [1] + l07.internal_sizes(src)   # the root, then each internal node's children
print("allocation groups in build order:", groups)

def nodes_freed(k):
    done = 0
    for group in groups:
        if k <= done + group:        # the failing node is in this group: it fails whole
            return done              # every earlier group is freed
        done += group
    return 0                         # the copy succeeded: nothing freed

answer = nodes_freed
ok = l07.check_nodes_freed(answer)''',
    "height_change": '''\
from mapletree_edu.lessons import l07

# clear a long run of neighbouring VMAs: whole leaves empty out and are merged, until the
# root's children fit into one node (scattered VMAs only shrink their own leaves)
answer = set(range(60, l07.FORKING_ENTRIES))
print(l07.height_change(answer))
ok = l07.check_height_change(answer)''',
    "marker": '''\
from mapletree_edu.fork import fork_v68
from mapletree_edu.lessons import l07

parent = l07.failing_parent(l07.MARKER_DONTCOPY)
r = fork_v68(parent, fail_at_vma=l07.MARKER_AT, fail_in="copy_page_range")
answer = (r.marker_at, r.torn_down)
print(answer, "map_count", r.map_count)
ok = l07.check_marker(answer)''',
    "boundary_down": '''\
from mapletree_edu.lessons import l07

src = l07.forking_source()
edge = l07.internal_bounds(src)[0][1]          # 715: the first internal node's max
ends_there = edge // 10                        # VMA 71 is [710, 715]
print("boundary", edge, "is the end of VMA", ends_there)
# clear that VMA and a growing run of the VMAs right of it, until the boundary moves down
for last in range(ends_there, ends_there + 10):
    marked = set(range(ends_there, last + 1))
    bounds = l07.boundary_after(marked)
    print(sorted(marked), "->", bounds)
    if len(bounds) == 2 and bounds[0][1] < edge:
        break
answer = marked
ok = l07.check_boundary_down(answer)''',
}


def record_dup(src):
    """The recorded steps of src.dup() (the copy itself is dropped)."""
    from ..trace import record
    with record(src, "__mt_dup") as rec:
        src.dup()
    return rec.steps


def solution(name):
    """The solution of exercise ``name`` as source text."""
    return solution_text(SOLUTIONS, name)


__all__ = ["child_entry", "layout", "internal_sizes", "forking_source", "dup_with_ledger",
           "internal_count", "internal_bounds", "visit_table", "replace_all", "dontcopy_pass",
           "leaf_text", "failed_dup", "record_dup", "check_visit_numbers",
           "check_dup_alloc_calls", "check_nodes_freed", "check_boundary_down", "boundary_after",
           "solution", "SOLUTIONS", "FORKING_ENTRIES", "VISIT_ENTRIES", "FAIL_EXTRA", "FAIL_AT",
           "MARKER_AT", "MARKER_DONTCOPY",
           "failing_parent", "child_kinds", "failure_table", "height_change",
           "check_height_change", "check_marker"]
