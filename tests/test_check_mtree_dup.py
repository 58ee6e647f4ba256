# SPDX-License-Identifier: GPL-2.0-or-later
"""Port of the kernel's check_mtree_dup (tools/testing/radix-tree/maple.c).

``__mt_dup``/``mtree_dup`` must give a node-for-node copy (same types, pivots, gaps,
metadata and height; fresh nodes; the same entries), refuse trees with different
attributes or a non-empty destination (-EINVAL), and on -ENOMEM free every node of
the partial copy and leave both trees as they were.
"""

import functools
import heapq
from bisect import bisect_left, bisect_right, insort

import pytest

from mapletree_edu import (
    ULONG_MAX,
    InvalidArgumentError,
    MapleTree,
    MapleTreeError,
    OutOfMemoryError,
)
from mapletree_edu.core.alloc import Allocator
from mapletree_edu.core.dup import mtree_dup
from mapletree_edu.core.node import Node, ma_data_end
from mapletree_edu.core.tracer import Tracer
from mapletree_edu.debug.walker import walk

LEAF_SLOTS = 16            # leaf_64 / range_64
ARANGE_SLOTS = 10          # arange_64 (internal nodes of an allocation-range tree)


# ----------------------------------------------------------------- helpers


def slots_of(node, alloc):
    return ARANGE_SLOTS if (alloc and node.type >= 2) else LEAF_SLOTS


def build_full_tree(alloc, height):
    """A tree of the given height in which every node is full.

    As the kernel test builds it: start with one entry over the whole index space;
    then, while the tree is not yet tall enough, halve the largest range of the
    whole tree, and once it is, find the first node in pre-order that still has a
    free slot and halve the largest range below that node. A tie between equally
    large ranges goes to the one further right. Every store keeps the value 5 on
    both halves (equal neighbours are not merged), so the entry count grows by one
    per store until no node has room left.
    """
    t = MapleTree(alloc=alloc)
    t.store(0, ULONG_MAX, 5)
    # The ranges are kept beside the tree (sorted starts, and a heap for the whole-tree
    # query) so that finding the largest one does not rescan the tree every time.
    starts = [0]
    ends = {0: ULONG_MAX}
    heap = [(-ULONG_MAX, 0)]           # (-(last - first), -first): the largest, rightmost first
    while True:
        if t.height < height:
            lo, hi = 0, ULONG_MAX
        else:
            first_free = next((v for v in walk(t.core.root)
                               if v.end + 1 < slots_of(v.node, alloc)), None)
            if first_free is None:
                break
            lo, hi = first_free.min, first_free.max
        if lo == 0 and hi == ULONG_MAX:
            while ends[-heap[0][1]] + heap[0][1] != -heap[0][0]:
                heapq.heappop(heap)    # stale: that range has been halved since
            first = -heap[0][1]
        else:
            cands = starts[bisect_left(starts, lo):bisect_right(starts, hi)]
            first = max(cands, key=lambda s: (ends[s] - s, s))
        last = ends[first]
        assert last - first >= 1, "no range left to halve"
        mid = first + (last - first) // 2
        t.store(first, mid, 5)
        ends[first] = mid
        ends[mid + 1] = last
        insort(starts, mid + 1)
        heapq.heappush(heap, (-(mid - first), -first))
        heapq.heappush(heap, (-(last - mid - 1), -(mid + 1)))
    assert t.height == height
    assert [(f, la) for f, la, _e in t.ranges()] == [(s, ends[s]) for s in starts]
    return t


@functools.cache
def full_tree(alloc, height):
    return build_full_tree(alloc, height)


def compare_tree(a, b):
    """compare_tree() of the kernel test: flags, then node by node in pre-order.

    Every field of each pair of nodes must match (type, all pivots, gaps, metadata,
    parent slot, leaf slots as the very same entries, stale slots past the end),
    the copy's nodes must be new objects and its parent pointers must point into
    the copy.
    """
    assert a.core.flags == b.core.flags, "the flags of the two trees differ"
    ra, rb = a.core.root, b.core.root
    if ra.__class__ is not Node or rb.__class__ is not Node:
        assert ra.__class__ is not Node and rb.__class__ is not Node
        assert ra is rb
        return 0
    assert rb.parent is b.core
    stack = [(ra, rb, ULONG_MAX)]
    count = 0
    while stack:
        na, nb, mx = stack.pop()
        count += 1
        assert na is not nb
        assert (na.type, na.pivots, na.gaps, na.meta_end, na.meta_gap, na.parent_slot) == \
               (nb.type, nb.pivots, nb.gaps, nb.meta_end, nb.meta_gap, nb.parent_slot)
        end = ma_data_end(na, na.type, mx)
        if na.type < 2:
            assert all(x is y for x, y in zip(na.slots, nb.slots, strict=True))
            continue
        assert all(x is y for x, y in zip(na.slots[end + 1:], nb.slots[end + 1:], strict=True))
        kids = []
        for k in range(end + 1):
            cb = nb.slots[k]
            assert cb.parent is nb and cb.parent_slot == k
            cmx = na.pivots[k] if k < end and k < len(na.pivots) else mx
            kids.append((na.slots[k], cb, cmx))
        stack.extend(reversed(kids))
    return count


def validate_clean(tree):
    pytest.importorskip("mapletree_edu.debug.validate",
                        reason="mapletree_edu/debug/validate.py (MapleTree.validate) missing")
    problems = tree.validate()
    assert not problems, [str(p) for p in problems]


def internal_count(tree):
    return sum(1 for v in walk(tree.core.root) if v.node.type >= 2)


def layout(tree):
    rec = tree.to_record()
    return {k: rec[k] for k in ("height", "root", "nodes", "node_count")}


def sweep_tree(i):
    """The sweep's tree i: odd i plain, even i alloc; entries [j*10, j*10+5] = j."""
    t = MapleTree(alloc=not (i & 1))
    for j in range(i):
        t.store(j * 10, j * 10 + 5, j)
    return t


def check_dup(src):
    c0 = src.allocator.counters()
    new = src.dup()
    c1 = src.allocator.counters()
    assert compare_tree(src, new) == src.node_count
    assert c1["allocs"] - c0["allocs"] == src.node_count
    assert c1["frees"] == c0["frees"]
    if src.node_count:
        assert c1["alloc_calls"] - c0["alloc_calls"] == 1 + internal_count(src)
    assert list(new.ranges()) == list(src.ranges())
    return new


# ----------------------------------------------------------------- the kernel's cases


def test_check_mtree_dup_root_entry():
    src = MapleTree(alloc=False)
    src.store(0, 0, 0)
    c0 = src.allocator.counters()
    new = src.dup()
    assert src.allocator.counters() == c0              # no node to copy
    assert compare_tree(src, new) == 0
    assert new.load(0) == 0 and new.height == 0 and new.node_count == 0
    validate_clean(new)


@pytest.mark.parametrize("src_kw,dst_kw", [
    ({"alloc": False}, {"alloc": True}),
    ({"alloc": True}, {"alloc": False}),
    ({"alloc": True, "rcu": True}, {"alloc": True, "rcu": False}),
])
def test_check_mtree_dup_different_flags(src_kw, dst_kw):
    src = MapleTree(**src_kw)
    for j in range(30):
        src.store(j * 10, j * 10 + 5, j)
    before = layout(src)
    dst = MapleTree(allocator=src.allocator, **dst_kw)
    c0 = src.allocator.counters()
    with pytest.raises(InvalidArgumentError) as exc:
        mtree_dup(src.core, dst.core)
    assert isinstance(exc.value, MapleTreeError) and isinstance(exc.value, ValueError)
    assert dst.core.root is None and dst.height == 0
    assert layout(src) == before
    assert src.allocator.counters() == c0


def test_check_mtree_dup_destination_not_empty():
    src = MapleTree(alloc=False)
    dst = MapleTree(alloc=False, allocator=src.allocator)
    dst.store(5, 5, 5)
    with pytest.raises(InvalidArgumentError):
        mtree_dup(src.core, dst.core)
    assert list(dst.ranges()) == [(5, 5, 5)]
    assert src.core.root is None


@pytest.mark.parametrize("alloc", [False, True], ids=["plain", "alloc"])
@pytest.mark.parametrize("height", [1, 2, 3])
def test_check_mtree_dup_full_tree(alloc, height):
    src = full_tree(alloc, height)
    visits = list(walk(src.core.root))
    assert all(v.end + 1 == slots_of(v.node, alloc) for v in visits)    # every node full
    assert max(v.depth for v in visits) + 1 == height
    new = check_dup(src)
    assert new.height == height
    validate_clean(new)


SWEEP = range(0, 1000, 3)
SWEEP_QUICK = [i for i in SWEEP if i <= 60 or i % 111 == 0]


@pytest.mark.parametrize("i", SWEEP_QUICK)
def test_check_mtree_dup_sweep(i):
    src = sweep_tree(i)
    new = check_dup(src)
    validate_clean(new)


@pytest.mark.slow
def test_check_mtree_dup_sweep_full():
    for i in SWEEP:
        src = sweep_tree(i)
        new = check_dup(src)
        validate_clean(new)


def test_check_mtree_dup_fail_first_node():
    src = MapleTree(alloc=True)
    for j in range(30):
        src.store(j * 10, j * 10 + 5, j)
    c0 = src.allocator.counters()
    src.allocator.set_fail_at(1)
    try:
        with pytest.raises(OutOfMemoryError):
            src.dup()
    finally:
        src.allocator.set_fail_at(None)
    c1 = src.allocator.counters()
    assert c1["allocs"] == c0["allocs"] and c1["frees"] == c0["frees"]
    assert c1["alloc_calls"] == c0["alloc_calls"] + 1


def fail_cases():
    for alloc in (False, True):
        for height in (1, 2, 3):
            yield pytest.param(alloc, height,
                               id=f"{'alloc' if alloc else 'plain'}-h{height}")


@pytest.mark.parametrize("alloc,height", list(fail_cases()))
def test_check_mtree_dup_fail_at_every_node(alloc, height):
    """Failing the k-th node, for every k: -ENOMEM, source unchanged, copy freed."""
    src = full_tree(alloc, height)
    before = src.to_record()
    before_layout = {k: before[k] for k in ("height", "root", "nodes", "node_count")}
    n = src.node_count
    allocator = src.allocator
    for k in range(1, n + 1):
        dst = MapleTree(alloc=alloc, allocator=allocator)
        c0 = allocator.counters()
        allocator.set_fail_at(k)
        try:
            with pytest.raises(OutOfMemoryError):
                mtree_dup(src.core, dst.core)
        finally:
            allocator.set_fail_at(None)
        c1 = allocator.counters()
        assert dst.core.root is None and dst.height == 0 and len(dst) == 0
        assert c1["allocs"] - c0["allocs"] == c1["frees"] - c0["frees"], f"k={k}"
        assert c1["allocs"] - c0["allocs"] < k
        assert c1["live"] == c0["live"]
        assert layout(src) == before_layout, f"source changed by the failed dup at k={k}"
    # and one more than the tree needs succeeds
    allocator.set_fail_at(n + 1)
    try:
        new = src.dup()
    finally:
        allocator.set_fail_at(None)
    assert compare_tree(src, new) == n


def kernel_rand():
    """The test's own generator: seed = seed * 1103515245 + 12345 (unsigned int),
    rand = seed / 65536 % 128, starting from seed 17."""
    seed = 17
    while True:
        seed = (seed * 1103515245 + 12345) & 0xFFFFFFFF
        yield seed // 65536 % 128


def test_check_mtree_dup_random_budget():
    """The random-failure sweep: a node budget of rand (mt_set_non_kernel) per dup.

    The harness's allocator hands out `rand` nodes and then fails (a bulk request
    that does not fit fails whole), which is set_fail_at(rand + 1). The trees grow
    by three entries per step, so one tree per flag set is extended in place.
    """
    trees = {False: MapleTree(alloc=False), True: MapleTree(alloc=True)}
    stored = {False: 0, True: 0}
    rand = kernel_rand()
    failures = successes = 0
    for i in SWEEP:
        alloc = not (i & 1)
        src = trees[alloc]
        for j in range(stored[alloc], i):
            src.store(j * 10, j * 10 + 5, j)
        stored[alloc] = i
        budget = next(rand)
        allocator = src.allocator
        c0 = allocator.counters()
        dst = MapleTree(alloc=alloc, allocator=allocator)
        allocator.set_fail_at(budget + 1)
        try:
            mtree_dup(src.core, dst.core)
        except OutOfMemoryError:
            failures += 1
            c1 = allocator.counters()
            assert src.node_count > budget
            assert dst.core.root is None
            assert c1["allocs"] - c0["allocs"] == c1["frees"] - c0["frees"]
            assert c1["allocs"] - c0["allocs"] <= budget
            continue
        finally:
            allocator.set_fail_at(None)
        successes += 1
        assert src.node_count <= budget
        assert compare_tree(src, dst) == src.node_count
        dst.destroy()
    assert failures >= 1                     # BUG_ON(!count)
    assert successes >= 1


def test_check_mtree_dup_random_budget_source_intact():
    """A failed dup leaves the source exactly as it was (full dump record)."""
    src = sweep_tree(600)
    before = layout(src)
    rand = kernel_rand()
    tried = 0
    for budget in (next(rand) for _ in range(40)):
        if budget >= src.node_count:
            continue
        src.allocator.set_fail_at(budget + 1)
        try:
            with pytest.raises(OutOfMemoryError):
                src.dup()
        finally:
            src.allocator.set_fail_at(None)
        assert layout(src) == before
        tried += 1
    assert tried >= 1
    validate_clean(src)


class _CountVisits(Tracer):
    counts_visits = True


@pytest.mark.parametrize("alloc", [True, False], ids=["alloc", "plain"])
def test_check_mtree_dup_same_copy_with_and_without_a_counter(alloc):
    """With nothing counting, the leaves under a node are copied in one loop; with a
    visit counter every node goes through the per-node copy. Both give the same
    copy, node serials included, and the same number of visits."""
    copies = []
    for tracer in (None, _CountVisits()):
        src = MapleTree(alloc=alloc, allocator=Allocator())
        for i in range(3000):
            src.store(i * 10, i * 10 + 5, i + 1)
        dst = MapleTree(alloc=alloc, allocator=src.allocator)
        with src.tracing(tracer):
            copied = mtree_dup(src._tree, dst._tree)
        nodes = [(v.node.serial, v.node.parent_slot, tuple(v.node.pivots), v.node.meta_end,
                  v.node.meta_gap, None if v.node.gaps is None else tuple(v.node.gaps),
                  tuple(c if c.__class__ is not Node else c.serial for c in v.node.slots),
                  v.node.parent.serial if v.node.parent.__class__ is Node else "tree")
                 for v in walk(dst._tree.root)]
        copies.append((copied, nodes, src.allocator.counters(), src.allocator.next_serial()))
    assert copies[0] == copies[1]
    assert copies[0][0] == src.node_count > 100
