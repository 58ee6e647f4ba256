# SPDX-License-Identifier: GPL-2.0-or-later
"""Bulk mode (mas_expected_entries ... mas_store ... mas_destroy) through the facade.

Checks from kernel-maple-v6.8.md §3 and §6 and kernel-node-allocation-v6.8.md §5:
the kernel's check_dup_gaps() copies (source [i*10, (i+1)*10 - gap], copied in bulk
in order), the ledger of a load (E(N) nodes taken at once, frozen during the load,
the unused pool freed by mas_destroy), the fact that in-order loads never make
mas_destroy change the layout, and the 6.4-6.7 fork pattern on an RCU tree.
"""

import pytest
from conftest import check_record, leaf_sizes, record_entries

from mapletree_edu import MapleTree
from mapletree_edu.core.bulk import expected_entries_request
from mapletree_edu.trace import record


def gap_source(n, zero_start, gap, alloc=True):
    """check_dup_gaps()'s source tree: [i*10, (i+1)*10 - gap] for i from 0 (or 1) to n."""
    t = MapleTree(alloc=alloc)
    for i in range(0 if zero_start else 1, n + 1):
        t.store(i * 10, (i + 1) * 10 - gap, i)
    return t


def bulk_copy(src, expected, reset=False):
    """The pre-6.8 fork copy: announce, store every entry in order, mas_destroy.
    Returns the copy and its record just before mas_destroy."""
    copy = MapleTree(alloc=src.alloc, allocator=src.allocator)
    with copy.bulk(expected) as b:
        for first, last, entry in src:
            b.store(first, last, entry, reset=reset)
        before_end = copy.to_record()
    return copy, before_end


SWEEP = [  # (alloc, zero_start, gap, sizes) from check_dup()'s sweeps, sampled
    (True, True, 5, [10, 11, 37, 138, 500, 999]),
    (True, True, 0, [1000, 1001]),
    (True, False, 5, [200, 201, 777]),
    (False, False, 5, [1500]),
    (False, True, 5, [200, 333, 999]),
]


@pytest.mark.parametrize("alloc, zero_start, gap, sizes", SWEEP)
def test_check_dup_gaps(alloc, zero_start, gap, sizes):
    for n in sizes:
        src = gap_source(n, zero_start, gap, alloc)
        copy, before_end = bulk_copy(src, n)
        rec = copy.to_record()
        assert record_entries(rec) == list(src), n
        assert check_record(rec) == [], (n, check_record(rec))
        assert rec["nodes"] == before_end["nodes"], f"n={n}: mas_destroy changed the layout"
        assert copy.node_count == rec["node_count"]


@pytest.mark.slow
@pytest.mark.parametrize("alloc, zero_start, gap, lo, hi", [
    (True, True, 5, 10, 999), (True, True, 0, 1000, 1999), (True, False, 5, 200, 999),
    (False, False, 5, 1500, 2999), (False, True, 5, 200, 999)])
def test_check_dup_gaps_full_sweep(alloc, zero_start, gap, lo, hi):
    for n in range(lo, hi + 1, 7):
        src = gap_source(n, zero_start, gap, alloc)
        copy, before_end = bulk_copy(src, n)
        rec = copy.to_record()
        assert record_entries(rec) == list(src) and check_record(rec) == [], n
        assert rec["nodes"] == before_end["nodes"], n


@pytest.mark.parametrize("gap, start", [(0, 0), (5, 0), (0, 10), (5, 10)])
def test_in_order_loads_never_rebalance_at_destroy(gap, start):
    """§3.3: 1..600 expected entries, gap 0 and 5, start 0 and 10 (sampled here):
    the last leaf is never left with 4 or fewer slots, so mas_destroy moves nothing."""
    for n in list(range(1, 70)) + [99, 100, 101, 150, 333, 600]:
        t = MapleTree()
        cm = t.bulk(n)
        b = cm.__enter__()
        for i in range(n):
            first = start + i * 10
            b.store(first, first + 9 - gap, i + 1)
        before_end = t.to_record()
        with record(t) as rec:
            cm.__exit__(None, None, None)
        assert t.to_record()["nodes"] == before_end["nodes"], n
        assert [s.fn for s in rec.steps if s.fn.startswith("mas_destroy")] in (
            [], ["mas_destroy"]), n
        assert leaf_sizes(before_end)[-1] >= 5 or len(leaf_sizes(before_end)) == 1


@pytest.mark.parametrize("alloc", [True, False], ids=["alloc", "plain"])
def test_bulk_ledger(alloc):
    """§5: E(N) nodes in one request; nothing allocated or freed while loading, live
    stays E(N); mas_destroy frees E(N) - nodes built; then live == nodes."""
    for n, stored in ((100, 100), (150, 100), (100, 37), (20, 20)):
        t = MapleTree(alloc=alloc)
        e = expected_entries_request(n, alloc)
        with t.bulk(n) as b:
            c0 = t.allocator.counters()
            assert c0["allocs"] == c0["live"] == e
            for i in range(stored):
                b.store(i * 10, i * 10 + 5, i + 1)
                assert t.allocator.counters() == c0
        c1 = t.allocator.counters()
        assert c1["frees"] == e - t.node_count and c1["live"] == t.node_count
        assert c1["allocs"] == e and c1["alloc_calls"] == c0["alloc_calls"]


def test_bulk_store_keeps_its_position():
    """TRACES.md example 2: after a bulk split the state stays on the right leaf, so the
    next mas_store event starts with that leaf's range; reset=True walks from the root
    but keeps min/max (bstore_reset)."""
    t = MapleTree()
    with record(t) as rec:
        with t.bulk(33) as b:
            for i in range(10):
                b.store(i * 10, i * 10 + 5, i + 1)
            b.store(100, 105, 11, reset=True)
    entry_events = [s for s in rec.steps if s.fn == "mas_store"]
    assert [(s.min, s.max) for s in entry_events[:9]] == [(0, 2**64 - 1)] * 9
    assert (entry_events[9].min, entry_events[9].index) == (56, 90)
    assert (entry_events[10].min, entry_events[10].index) == (56, 100)


def test_bstore_reset_load_is_sound():
    src = gap_source(80, True, 5)
    for reset in (False, True):
        copy, before_end = bulk_copy(src, 80, reset=reset)
        assert record_entries(copy.to_record()) == list(src)
        assert check_record(copy.to_record()) == []


def test_bulk_null_stores_and_values():
    """Bulk stores may write NULL (a gap) and any object as an entry."""
    t = MapleTree()
    marker = object()
    with t.bulk(10) as b:
        b.store(0, 9, marker)
        b.store(10, 19, None)
        b.store(20, 29, "text")
    assert list(t) == [(0, 9, marker), (20, 29, "text")]
    assert t.load(5) is marker


def test_rcu_tree_bulk_fork_pattern():
    """6.4-6.7 fork: tree alloc rcu, rcu_off, bulk ..., bulk_end, rcu_on; then edits
    follow the RCU paths. The result is sound and the entries are right."""
    src = gap_source(120, True, 5)
    t = MapleTree(rcu=True)
    t.rcu = False
    with t.bulk(120) as b:
        for first, last, entry in src:
            b.store(first, last, entry)
    t.rcu = True
    for i in range(0, 120, 7):
        t.clear(i * 10, i * 10 + 5)
        src.clear(i * 10, i * 10 + 5)
    assert list(t) == list(src)
    assert check_record(t.to_record()) == []
    assert t.allocator.counters()["live"] == t.node_count


def test_dup_of_a_bulk_loaded_tree():
    src = gap_source(140, True, 5)
    copy, _ = bulk_copy(src, 140)
    dup = copy.dup()
    assert dup.to_record()["nodes"] == copy.to_record()["nodes"]
    dup.erase(500)
    assert copy.load(500) == 50 and dup.load(500) is None
