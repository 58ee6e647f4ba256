# SPDX-License-Identifier: GPL-2.0-or-later
"""The counting tracer: its counts agree with a full recording of the same ops."""

import pytest

from mapletree_edu import MapleTree
from mapletree_edu.core.tracer import NULL_TRACER
from mapletree_edu.debug.walker import walk
from mapletree_edu.stats import CostCounter, Costs, counting
from mapletree_edu.trace import Recorder


def recorded_counts(steps):
    """The same counters, taken from a Recorder's steps (the independent oracle)."""
    return {
        "splits": sum(1 for s in steps if s.fn == "mas_split" and s.ev == "op"),
        "pushes": sum(1 for s in steps if s.fn == "mas_push_data" and s.details.get("pushed")),
        "rebalances": sum(1 for s in steps if s.fn == "mas_rebalance" and s.ev == "op"),
        "spanning_stores": sum(1 for s in steps
                               if s.fn == "mas_wr_spanning_store" and s.ev == "op"),
        "nodes_copied": sum(1 for s in steps if s.fn == "mas_dup_build" and "dst" in s.details),
    }


def run(ops, tree, tracer):
    old = tree.tracer
    tree.tracer = tracer
    try:
        return ops(tree)
    finally:
        tree.tracer = old


def appends(t):
    for i in range(135):
        t.store(i * 10, i * 10 + 5, i)


def dontcopy_pass(t):
    new = t.dup()
    for first, last, entry in list(new.ranges()):
        if entry % 3 == 2:
            new.clear(first, last)
        else:
            new.store(first, last, entry)
    return new


def erase_run(t):
    for i in range(12, 60):
        t.erase(i * 10)


SCENARIOS = [
    pytest.param(lambda: MapleTree(alloc=True), appends, id="appends"),
    pytest.param(lambda: MapleTree(alloc=False, rcu=True), appends, id="appends-rcu-plain"),
]


def source():
    t = MapleTree(alloc=True)
    appends(t)
    return t


@pytest.mark.parametrize("make,ops", SCENARIOS)
def test_counts_match_recording(make, ops):
    a, b = make(), make()
    counter = CostCounter(allocator=a.allocator)
    rec = Recorder(views=False)
    run(ops, a, counter)
    run(ops, b, rec)
    costs = counter.costs()
    expect = recorded_counts(rec.steps)
    assert {k: getattr(costs, k) for k in expect} == expect
    assert costs.splits > 0 and costs.pushes > 0
    assert costs.allocs == a.allocator.allocs and costs.frees == a.allocator.frees
    assert costs.alloc_calls == a.allocator.alloc_calls


def test_counts_match_recording_dup_dontcopy_and_erase():
    src_a, src_b = source(), source()
    counter = CostCounter()
    rec = Recorder(views=False)
    new_a = run(dontcopy_pass, src_a, counter)
    run(dontcopy_pass, src_b, rec)
    run(erase_run, new_a, counter)
    new_b = dontcopy_pass(src_b)          # same state again for the erase run, recorded
    rec2 = Recorder(views=False)
    run(erase_run, new_b, rec2)
    costs = counter.costs()
    expect = recorded_counts(rec.steps + rec2.steps)
    assert {k: getattr(costs, k) for k in expect} == expect
    assert costs.nodes_copied == src_a.node_count
    assert costs.spanning_stores > 0 and costs.rebalances > 0


def test_visits_of_an_exact_fit_store():
    t = source()
    with counting(t) as c:
        t.store(500, 505, "new")                    # [500, 505] holds entry 50: exact fit
    costs = c.costs()
    assert costs.visits == t.height                 # one node per level, root to leaf
    assert (costs.splits, costs.allocs, costs.frees, costs.alloc_calls) == (0, 0, 0, 0)


@pytest.mark.parametrize("events", [True, False])
def test_dup_counts(events):
    t = source()
    with counting(t, events=events) as c:
        t.dup()
    costs = c.costs()
    assert costs.nodes_copied == t.node_count
    assert costs.visits == t.node_count
    assert costs.allocs == t.node_count
    internal = sum(1 for v in walk(t.core.root) if v.node.type >= 2)
    assert costs.alloc_calls == 1 + internal
    assert c.enabled is events


def test_events_off_counts_only_visits():
    a, b = MapleTree(alloc=True), MapleTree(alloc=True)
    on, off = CostCounter(events=True), CostCounter(events=False)
    run(appends, a, on)
    run(appends, b, off)
    assert off.enabled is False and on.enabled is True
    assert off.costs().visits == on.costs().visits > 0
    assert (off.splits, off.pushes) == (0, 0) and on.splits > 0


def test_counting_restores_the_tracer_and_keeps_no_tree():
    t = MapleTree()
    before = t.tracer
    with counting(t) as c:
        appends(t)
        assert t.tracer is c
    assert t.tracer is before is NULL_TRACER
    held = [v for k, v in vars(c).items() if k not in ("_allocator", "_base")]
    assert all(isinstance(v, (int, bool)) for v in held)   # counters only, no snapshot


def test_reset_and_baseline():
    t = source()
    c = CostCounter(allocator=t.allocator)
    assert c.costs().allocs == 0
    t.tracer = c
    t.store(2000, 2005, 1)
    first = c.costs()
    assert first.visits > 0
    c.reset(t.allocator)
    assert c.costs() == Costs()
    t.tracer = None
    assert c.costs(allocator=t.allocator).allocs == 0


def test_costs_arithmetic():
    a = Costs(visits=3, splits=1, allocs=4)
    b = Costs(visits=1, pushes=2, frees=1)
    assert a + b == Costs(visits=4, splits=1, pushes=2, allocs=4, frees=1)
    assert (a + b) - b == a
    assert a.as_dict()["visits"] == 3 and set(a.as_dict()) == {
        "visits", "nodes_copied", "splits", "pushes", "rebalances", "spanning_stores",
        "allocs", "frees", "alloc_calls"}
    assert a.per(2)["allocs"] == 2.0
    with pytest.raises(ValueError):
        a.per(0)
    with pytest.raises(TypeError):
        a + 1
