# SPDX-License-Identifier: GPL-2.0-or-later
"""The MapleTree facade: doctests, iteration, lookups, dup, RCU, counts, destroy.

The lookups follow the kernel's normal API (lib/maple_tree.c, v6.8):

- ``mtree_load(index)``: the entry at index; XA_ZERO_ENTRY reads as NULL.
- ``mt_find(index, max)``: the entry at index, else the first entry starting after it
  and not after max; NULL when index > max; XA_ZERO_ENTRY is skipped.
- ``mt_next(index, max)``: the first entry after the range holding index (so starting
  after index), starting at or before max.
- ``mt_prev(index, min)``: the last entry before the range holding index (so ending
  before index), ending at or after min.
"""

import doctest

import pytest

import mapletree_edu.trace.recorder
import mapletree_edu.tree
from mapletree_edu import ULONG_MAX, XA_ZERO_ENTRY, MapleTree, OutOfMemoryError
from mapletree_edu.replay import Replayer


@pytest.mark.parametrize("module", [mapletree_edu.tree, mapletree_edu.trace.recorder],
                         ids=lambda m: m.__name__)
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def sample():
    """Entries [10i, 10i+5] = i for i < 40 (two levels), then a gap cleared."""
    t = MapleTree()
    for i in range(40):
        t.store(10 * i, 10 * i + 5, i)
    t.clear(100, 135)
    return t


def reference_ranges():
    return [(10 * i, 10 * i + 5, i) for i in range(40) if not 10 <= i <= 13]


def test_iteration_and_len():
    t = sample()
    assert t.height == 2
    assert list(t) == reference_ranges() == list(t.items()) == list(t.ranges())
    assert len(t) == 36
    full = list(t.ranges(include_null=True))
    assert full[0][0] == 0 and full[-1][1] == ULONG_MAX
    assert all(b[0] == a[1] + 1 for a, b in zip(full, full[1:], strict=False))
    assert [r for r in full if r[2] is not None] == reference_ranges()
    assert all(not (a[2] is None and b[2] is None) for a, b in zip(full, full[1:], strict=False))
    assert [t[i] for i in (0, 5, 6, 99, 140, 395)] == [0, 0, None, None, 14, 39]


def test_iteration_of_small_trees():
    t = MapleTree()
    assert list(t) == [] and len(t) == 0 and list(t.ranges(True)) == [(0, ULONG_MAX, None)]
    t.store(0, 0, "root")
    assert t.core.root == "root" and t.node_count == 0 and t.height == 0
    assert list(t) == [(0, 0, "root")]
    assert list(t.ranges(True)) == [(0, 0, "root"), (1, ULONG_MAX, None)]
    assert t.load(0) == "root" and t.load(1) is None


def test_load_reads_a_zero_entry_as_null():
    """mtree_load() returns NULL for XA_ZERO_ENTRY (the fork failure marker)."""
    t = MapleTree()
    t.store(10, 20, XA_ZERO_ENTRY)
    t.store(30, 40, "vma")
    assert t.load(15) is None
    assert t.load(35) == "vma"


def test_find():
    t = sample()
    assert t.find(0) == (0, 5, 0)
    assert t.find(3) == (0, 5, 0)            # the entry holding index
    assert t.find(6) == (10, 15, 1)          # else the next one
    assert t.find(96) == (140, 145, 14)
    assert t.find(96, 139) is None           # the next one starts after max
    assert t.find(96, 140) == (140, 145, 14)
    assert t.find(396) is None
    assert t.find(12, 12) == (10, 15, 1)


def test_find_with_index_beyond_max_is_null():
    """mt_find(): `if (*index > max) return NULL`, even when an entry holds index."""
    t = sample()
    assert t.find(13, 11) is None


def test_find_skips_zero_entries():
    """mt_find() treats XA_ZERO_ENTRY as NULL and goes on to the next entry."""
    t = MapleTree()
    t.store(10, 20, XA_ZERO_ENTRY)
    t.store(30, 40, "vma")
    assert t.find(0) == (30, 40, "vma")
    assert t.find(15) == (30, 40, "vma")


def test_next():
    t = sample()
    assert t.next(0) == (10, 15, 1)          # the entry after the one holding 0
    assert t.next(3) == (10, 15, 1)
    assert t.next(6) == (10, 15, 1)          # from a NULL range: the next entry
    assert t.next(96) == (140, 145, 14)
    assert t.next(96, 139) is None
    assert t.next(96, 140) == (140, 145, 14)
    assert t.next(390) is None and t.next(ULONG_MAX) is None
    assert t.next(5, 5) is None              # index at the limit


def test_prev():
    t = sample()
    assert t.prev(0) is None
    assert t.prev(5) is None                 # the entry before the one holding 5
    assert t.prev(10) == (0, 5, 0)
    assert t.prev(13) == (0, 5, 0)
    assert t.prev(139) == (90, 95, 9)        # from a NULL range: the entry before
    assert t.prev(ULONG_MAX) == (390, 395, 39)
    assert t.prev(139, 95) == (90, 95, 9)    # ends at the limit: still found
    assert t.prev(139, 96) is None
    assert t.prev(10, 10) is None


def test_lookups_ignore_dead_slots():
    """A v6.8 NULL store running to ULONG_MAX can leave a dead slot after the pivot
    equal to the node max (dumped as pivots [..., MAX, MAX]); walks never enter it."""
    script = """tree alloc
store 5000 5005 3
store 18446744073709551398 18446744073709551615 7
store 18446744073709551548 18446744073709551568 8
store 18446744073709551603 18446744073709551603 14
store 18446744073709551336 18446744073709551341 15
store 33 4000 17
store 3000 3000 18
store 18446744073709551595 18446744073709551600 0
store 182 202 0
store 18446744073709551324 18446744073709551615 0"""
    rp = Replayer()
    for _ in rp.run(script):
        pass
    t = rp.tree
    leaf = t.to_record()["nodes"][0]
    assert leaf["pivots"][-2:] == [ULONG_MAX, ULONG_MAX] and leaf["slots"][-1] == 7
    want = [(33, 181, 17), (203, 2999, 17), (3000, 3000, 18), (3001, 4000, 17),
            (5000, 5005, 3)]
    assert list(t) == want
    assert len(t) == 5
    assert t.find(5006) is None
    assert t.load(ULONG_MAX) is None
    full = list(t.ranges(include_null=True))
    assert full[-1] == (5006, ULONG_MAX, None)


def test_dup_shares_entries_and_leaves_source_unchanged():
    t = MapleTree()
    objs = [object() for _ in range(60)]
    for i, o in enumerate(objs):
        t.store(10 * i, 10 * i + 5, o)
    layout = [(a, b, id(o)) for a, b, o in t]
    c0 = t.allocator.counters()
    copy = t.dup()
    assert [(a, b, id(o)) for a, b, o in t] == layout
    assert all(copy.load(10 * i) is o for i, o in enumerate(objs))
    assert copy.node_count == t.node_count and copy.height == t.height
    assert copy.allocator is t.allocator
    assert copy.allocator.counters()["allocs"] - c0["allocs"] == t.node_count
    copy.erase(0)
    copy.store(5000, 5001, "new")
    assert t.load(0) is objs[0] and t.load(5000) is None
    assert [(a, b, id(o)) for a, b, o in t] == layout


def test_dup_copies_kind_and_rcu():
    for alloc in (True, False):
        for rcu in (True, False):
            t = MapleTree(alloc=alloc, rcu=rcu)
            for i in range(20):
                t.store(i * 4, i * 4 + 1, i)
            copy = t.dup()
            assert (copy.alloc, copy.rcu) == (alloc, rcu)
            assert copy.to_record()["nodes"] == t.to_record()["nodes"]


def test_rcu_property():
    t = MapleTree()
    assert t.rcu is False
    t.rcu = True
    assert t.rcu is True and MapleTree(rcu=True).rcu is True
    for i in range(3):
        t.store(i * 10, i * 10 + 5, i)
    c0 = t.allocator.counters()
    t.store(30, 35, 3)        # an append is refused in RCU mode: a node store, 1 new node
    c1 = t.allocator.counters()
    assert (c1["allocs"] - c0["allocs"], c1["frees"] - c0["frees"]) == (1, 1)
    t.rcu = False
    t.store(40, 45, 4)        # an append in place: no node
    assert t.allocator.counters()["allocs"] == c1["allocs"]
    assert "rcu" in repr(MapleTree(rcu=True)) and "rcu" not in repr(t)


def test_node_count_and_height():
    t = MapleTree(alloc=False)
    assert (t.node_count, t.height) == (0, 0)
    t.store(0, 0, 1)
    assert (t.node_count, t.height) == (0, 0)
    t.store(5, 9, 2)
    assert (t.node_count, t.height) == (1, 1)
    for i in range(1, 200):
        t.store(i * 10, i * 10 + 5, i)
        rec = t.to_record()
        assert (t.node_count, t.height) == (rec["node_count"], rec["height"])
        assert rec["live"] == t.node_count
    assert t.height == 3 and not t.alloc and MapleTree().alloc


def test_destroy():
    t = MapleTree(rcu=True)
    for i in range(100):
        t.store(10 * i, 10 * i + 5, i)
    n = t.node_count
    f0 = t.allocator.counters()["frees"]
    t.destroy()
    assert t.allocator.counters()["frees"] - f0 == n
    assert t.allocator.counters()["live"] == 0
    assert (list(t), t.node_count, t.height, t.load(0)) == ([], 0, 0, None)
    assert t.rcu and t.alloc, "the tree keeps its attributes"
    t.store(1, 2, 3)
    assert list(t) == [(1, 2, 3)]
    t.destroy()
    t.destroy()
    assert t.to_record()["root"] == "empty"


def test_erase_returns_the_entry():
    t = sample()
    assert t.erase(3) == 0 and t.erase(3) is None and t.erase(7) is None
    assert t.load(0) is None and t.load(10) == 1


def test_check_mtree_dup():
    """A port of check_mtree_dup() (tools/testing/radix-tree/maple.c), sampled:
    [0, 0] only; trees of i entries [j*10, j*10+5] with alternating flags; -ENOMEM at
    the first node; a pseudo-random allocation budget that must fail at least once,
    each failure leaving the destination empty and the ledger balanced."""
    t = MapleTree()
    t.store(0, 0, "only")
    copy = t.dup()
    assert copy.core.root == "only" and copy.node_count == 0
    failures = 0
    seed = 17
    for i in range(0, 1000, 37):
        t = MapleTree(alloc=bool(i % 2))
        for j in range(i):
            t.store(j * 10, j * 10 + 5, j)
        copy = t.dup()
        assert copy.to_record()["nodes"] == t.to_record()["nodes"], i
        if t.node_count:
            t.allocator.set_fail_at(1)               # mt_set_non_kernel(0)
            with pytest.raises(OutOfMemoryError):
                t.dup()
            seed = (seed * 1103515245 + 12345) & 0xFFFFFFFF
            budget = seed // 65536 % 128
            t.allocator.set_fail_at(budget + 1)
            try:
                other = t.dup()
            except OutOfMemoryError:
                failures += 1
            else:
                assert other.to_record()["nodes"] == t.to_record()["nodes"]
                other.destroy()
            t.allocator.set_fail_at(None)
        copy.destroy()
        assert t.allocator.counters()["live"] == t.node_count, i
    assert failures > 0
