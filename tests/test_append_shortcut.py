# SPDX-License-Identifier: GPL-2.0-or-later
"""The append shortcut (mapletree_edu/core/append.py) against the general write path.

Every store is made twice, on two trees with their own allocators: once with the
shortcut on and once with it off. After each store the two trees must be the same
to the last field: every node's type, pivots, slots, gaps, metadata, parent slot,
parent pointer and serial; the tree's flags (height); the allocator's ledger and its
serial counter; and which of the nodes seen before the store are now dead.
"""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mapletree_edu import MapleTree
from mapletree_edu.core import append
from mapletree_edu.core.alloc import Allocator
from mapletree_edu.core.node import Node, ma_data_end
from mapletree_edu.core.tracer import Tracer
from mapletree_edu.errors import OutOfMemoryError
from mapletree_edu.replay import replay_records

ULONG_MAX = (1 << 64) - 1
PAGE = 4096


# ------------------------------------------------------------------ helpers

def nodes_of(tree):
    """Every node of the tree, pre-order."""
    out = []

    def visit(node):
        out.append(node)
        if node.type >= 2:
            for child in node.slots:
                if child.__class__ is Node:
                    visit(child)

    root = tree._tree.root
    if root.__class__ is Node:
        visit(root)
    return out


def snapshot(tree):
    """Everything the shortcut could change, with nodes named by pre-order position."""
    core = tree._tree
    nodes = nodes_of(tree)
    position = {id(n): k for k, n in enumerate(nodes)}
    rows = []
    for n in nodes:
        if n.parent is core:
            parent = "tree"
        else:
            parent = position.get(id(n.parent), "elsewhere")
        if n.type < 2:
            slots = tuple(n.slots)
        else:
            slots = tuple(position.get(id(c), c) if c.__class__ is Node else c
                          for c in n.slots)
        rows.append((n.type, tuple(n.pivots), slots,
                     None if n.gaps is None else tuple(n.gaps),
                     n.meta_end, n.meta_gap, n.parent_slot, parent, n.serial))
    root = core.root
    a = core.allocator
    return {
        "root": "node" if root.__class__ is Node else root,
        "nodes": rows,
        "flags": core.flags,
        "ledger": (a.allocs, a.frees, a.alloc_calls),
        "serial": a._serial,
    }


def apply(tree, op):
    kind, first, last, value = op
    if kind == "store":
        tree.store(first, last, value)
    elif kind == "clear":
        tree.clear(first, last)
    elif kind == "rcu":
        tree.rcu = value
    else:
        tree.erase(first)


def run_both(monkeypatch, ops, alloc=True, every=1, rcu=False):
    """Apply ops to two trees, shortcut on and off, and compare them after every
    ``every``-th op and after the last. Returns the number of ops the shortcut did."""
    trees = {}
    for on in (True, False):
        trees[on] = MapleTree(alloc=alloc, rcu=rcu, allocator=Allocator())
    taken = [0]
    real = append.store_append

    def counting(*args):
        done = real(*args)
        taken[0] += done
        return done

    monkeypatch.setattr(append, "store_append", counting)
    for k, op in enumerate(ops):
        check = k % every == 0 or k == len(ops) - 1
        before = {}
        for on, tree in trees.items():
            monkeypatch.setattr(append, "SHORTCUT", on)
            if check:
                before[on] = nodes_of(tree)
            apply(tree, op)
        if check:
            on, off = snapshot(trees[True]), snapshot(trees[False])
            assert on == off, f"op {k} {op}: the shortcut's tree differs from the general path's"
            dead_on = [n.dead for n in before[True]]
            dead_off = [n.dead for n in before[False]]
            assert dead_on == dead_off, f"op {k} {op}: different nodes were retired"
    monkeypatch.setattr(append, "SHORTCUT", True)
    return taken[0], trees[True]


def appends(n, first=0, gap=PAGE, length=2 * PAGE):
    """n ranges in address order, each ``length`` long, ``gap`` apart."""
    step = length + gap
    return [("store", first + i * step, first + i * step + length - 1, i + 1) for i in range(n)]


# ------------------------------------------------------------------ sequential appends

@pytest.mark.parametrize("alloc", [True, False], ids=["alloc", "plain"])
@pytest.mark.parametrize("gap", [0, 1, PAGE], ids=["adjacent", "gap1", "gap-page"])
def test_appends_match_the_general_path_store_by_store(monkeypatch, alloc, gap):
    """Root leaf, its split into a new root, leaf splits with a push to the left and
    with mab_calc_split(), internal splits and new roots up to height 4."""
    ops = appends(3000, first=0x1000, gap=gap)
    taken, tree = run_both(monkeypatch, ops, alloc=alloc, every=1)
    assert taken == len(ops) - 1          # all but the first store, into the empty tree
    assert tree._tree.height >= 3


@pytest.mark.parametrize("alloc", [True, False], ids=["alloc", "plain"])
@pytest.mark.parametrize("gap", [0, PAGE], ids=["adjacent", "gap-page"])
def test_rcu_appends_match_the_general_path_store_by_store(monkeypatch, alloc, gap):
    """RCU mode: each append writes a new leaf (mas_wr_node_store()) and frees the old
    one after the grace period; splits free the replaced nodes at once."""
    ops = appends(3000, first=0x1000, gap=gap)
    taken, tree = run_both(monkeypatch, ops, alloc=alloc, every=1, rcu=True)
    assert taken == len(ops) - 1
    assert tree._tree.height >= 3


@pytest.mark.parametrize("alloc", [True, False], ids=["alloc", "plain"])
@pytest.mark.parametrize("rcu", [False, True], ids=["normal", "rcu"])
def test_singletons_from_zero_match(monkeypatch, alloc, rcu):
    """Singletons 0, 1, 2, ...: the small-pivot rule of mab_calc_split() moves the
    first splits right (the minimum the split argument starts from is 0), and in RCU
    mode the short last leaf it leaves goes to the general path."""
    ops = appends(2000, first=0, gap=0, length=1)
    taken, tree = run_both(monkeypatch, ops, alloc=alloc, every=1, rcu=rcu)
    assert taken > len(ops) * 0.9
    assert list(tree.validate()) == []


@pytest.mark.parametrize("alloc", [True, False], ids=["alloc", "plain"])
def test_a_deep_tree_matches(monkeypatch, alloc):
    """40,000 appends, to height 5 or more; compared every 997 stores and at the end."""
    ops = appends(40_000, first=0x400000)
    taken, tree = run_both(monkeypatch, ops, alloc=alloc, every=997)
    assert taken == len(ops) - 1
    assert tree._tree.height >= 5


def test_every_split_shape_is_taken(monkeypatch):
    """The shortcut itself splits leaves alone and leaves with internal nodes above
    them, and grows a new root at every height: none of these shapes is left to the
    general path."""
    heights = set()
    replaced = set()
    real = append._split_spine

    def watching(tree, path, *args):
        height = tree.height
        real(tree, path, *args)
        heights.add((height, tree.height))
        replaced.add(sum(node.dead for node, _mn in path))
        return None

    monkeypatch.setattr(append, "_split_spine", watching)
    t = MapleTree(alloc=True)
    for _kind, first, last, value in appends(20_000):
        t.store(first, last, value)
    assert {(a, b) for a, b in heights if b > a} == {(1, 2), (2, 3), (3, 4), (4, 5)}
    # the leaf and its parent (a leaf split), or more levels (internal splits)
    assert {2, 3, 4} <= replaced
    assert list(t.validate()) == []


def test_push_left_and_calc_split_both_happen():
    """A leaf split on the spine sometimes pushes into the left sibling (which is then
    replaced) and sometimes splits in place (the left sibling survives)."""
    t = MapleTree(alloc=True)
    pushed = in_place = 0
    for _kind, first, last, value in appends(3000):
        leaf = nodes_of(t)[-1] if t._tree.root.__class__ is Node else None
        sibling = None
        if leaf is not None and leaf.parent.__class__ is Node and leaf.parent_slot:
            sibling = leaf.parent.slots[leaf.parent_slot - 1]
        before = t.allocator.alloc_calls
        t.store(first, last, value)
        if t.allocator.alloc_calls != before and sibling is not None:
            if sibling.dead:
                pushed += 1
            else:
                in_place += 1
    assert pushed > 50 and in_place > 50


@pytest.mark.parametrize("alloc", [True, False], ids=["alloc", "plain"])
def test_appends_near_the_top_of_the_index_space(monkeypatch, alloc):
    """Above 2**63 the trailing gap no longer exceeds the write's end, so the gap update
    takes mas_parent_gap() at every level; ranges of one index, then up to ULONG_MAX - 1."""
    base = (1 << 63) + 12345
    ops = appends(700, first=base, gap=3, length=1)
    ops += appends(5, first=ULONG_MAX - 40, gap=1, length=3)
    ops.append(("store", ULONG_MAX - 5, ULONG_MAX - 1, "end"))
    taken, _tree = run_both(monkeypatch, ops, alloc=alloc)
    assert taken == len(ops) - 1


# ------------------------------------------------------------------ mixed sequences

def mixed_ops(seed, n):
    """Mostly appends (with varied gaps and lengths), some clears, overwrites and
    erases anywhere, and RCU mode switched on and off, so that appends meet trees of
    every shape."""
    rng = random.Random(seed)
    ops = []
    pos = rng.randrange(0, 50)
    for i in range(n):
        r = rng.random()
        if r < 0.8:
            gap = rng.choice([0, 0, 1, 2, 5, 100])
            length = rng.choice([1, 1, 2, 3, 10])
            ops.append(("store", pos + gap, pos + gap + length - 1, i + 1))
            pos += gap + length
        elif r < 0.9:
            a = rng.randrange(0, pos + 10)
            ops.append(("clear", a, a + rng.randrange(0, 30), None))
        elif r < 0.95:
            a = rng.randrange(0, pos + 10)
            ops.append(("store", a, a + rng.randrange(0, 30), -i))
        elif r < 0.97:
            ops.append(("rcu", 0, 0, rng.random() < 0.5))
        else:
            ops.append(("erase", rng.randrange(0, pos + 1), 0, None))
    return ops


@pytest.mark.parametrize("alloc", [True, False], ids=["alloc", "plain"])
@pytest.mark.parametrize("seed", range(12))
def test_mixed_sequences_match(monkeypatch, alloc, seed):
    taken, _tree = run_both(monkeypatch, mixed_ops(seed, 500), alloc=alloc)
    assert taken > 200


op_strategy = st.one_of(
    st.tuples(st.just("append"), st.integers(0, 40), st.integers(1, 40)),
    st.tuples(st.just("store"), st.integers(0, 3000), st.integers(0, 80)),
    st.tuples(st.just("clear"), st.integers(0, 3000), st.integers(0, 80)),
    st.tuples(st.just("erase"), st.integers(0, 3000), st.just(0)),
    st.tuples(st.just("rcu"), st.booleans(), st.just(0)),
)


@pytest.mark.parametrize("alloc", [True, False], ids=["alloc", "plain"])
@given(steps=st.lists(op_strategy, min_size=1, max_size=400))
def test_random_sequences_match(alloc, steps):
    ops = []
    pos = 0
    for k, (kind, a, b) in enumerate(steps):
        if kind == "append":
            ops.append(("store", pos + a, pos + a + b - 1, k + 1))
            pos += a + b
        elif kind == "erase":
            ops.append(("erase", a, 0, None))
        elif kind == "rcu":
            ops.append(("rcu", 0, 0, a))
        else:
            ops.append((kind, a, a + b, -k - 1 if kind == "store" else None))
    with pytest.MonkeyPatch.context() as monkeypatch:
        run_both(monkeypatch, ops, alloc=alloc)


# ------------------------------------------------------------------ when it stands aside

class Recording(Tracer):
    enabled = True


class Counting(Tracer):
    counts_visits = True


def tree_whose_last_leaf(fits, rcu=False):
    """A tree of height 2 or more whose right-most leaf's data end satisfies fits()."""
    t = MapleTree(alloc=True, rcu=rcu)
    for _kind, first, last, value in appends(200):
        t.store(first, last, value)
        leaf = nodes_of(t)[-1]
        if t._tree.height >= 2 and fits(ma_data_end(leaf, leaf.type, ULONG_MAX)):
            return t
    raise AssertionError("no such right-most leaf")


def full_leaf_tree():
    """The next append (with a gap before it) splits the right-most leaf."""
    return tree_whose_last_leaf(lambda end: end >= 14)


@pytest.mark.parametrize("tracer", [Recording(), Counting()], ids=["recording", "counting"])
def test_a_tracer_gets_the_general_path(monkeypatch, tracer):
    calls = []
    monkeypatch.setattr(append, "store_append", lambda *a: calls.append(a) or False)
    t = MapleTree(alloc=True)
    with t.tracing(tracer):
        for _kind, first, last, value in appends(40):
            t.store(first, last, value)
    assert calls == []
    t.store(10 ** 9, 10 ** 9 + 5, "x")
    assert len(calls) == 1


@pytest.mark.parametrize("case", ["null", "to_ulong_max", "inside", "fail_at", "entry_at_end",
                                  "rcu_small_leaf", "rcu_fail_at"])
def test_it_declines_and_leaves_the_tree_unchanged(case):
    """store_append() returns False without touching anything; the store then goes
    the general way (through the facade it still succeeds, or fails cleanly). In RCU
    mode a last leaf that would stay below the minimum after the append is rebalanced
    by the general path; with room to spare the new leaf needs an allocation."""
    if case == "rcu_small_leaf":
        # singletons 0..15: v6.8's small-pivot rule splits them 10 + 6, and the
        # adjacent singleton 16 would leave the last leaf at six slots
        t = MapleTree(alloc=True, rcu=True)
        for i in range(16):
            t.store(i, i, i + 1)
    elif case == "rcu_fail_at":
        t = tree_whose_last_leaf(lambda end: 6 < end + 2 < 16, rcu=True)
        t.allocator.set_fail_at(1)
    else:
        t = full_leaf_tree()
    last_end = max(last for _f, last, _v in t)
    first, last, entry = last_end + 10, last_end + 20, "new"
    if case == "rcu_small_leaf":
        first = last = last_end + 1
    if case == "null":
        entry = None
    elif case == "to_ulong_max":
        last = ULONG_MAX
    elif case == "inside":
        first, last = 5, 7
    elif case == "fail_at":
        t.allocator.set_fail_at(1)
    elif case == "entry_at_end":
        t.store(last_end + 1, ULONG_MAX, "tail")      # no trailing NULL range
    before = snapshot(t)
    assert append.store_append(t._tree, first, last, entry) is False
    assert snapshot(t) == before
    if case in ("fail_at", "rcu_fail_at"):
        with pytest.raises(OutOfMemoryError):
            t.store(first, last, entry)
        after = snapshot(t)
        assert after["nodes"] == before["nodes"] and after["flags"] == before["flags"]
        assert after["ledger"][:2] == before["ledger"][:2]    # the failed call is counted
    elif entry is not None:
        t.store(first, last, entry)
        assert t.load(first) == entry
    assert list(t.validate()) == []


def test_turning_it_off_changes_nothing_but_the_road(monkeypatch):
    """SHORTCUT = False: every store takes the general path, with the same result."""
    calls = []
    real = append.store_append
    monkeypatch.setattr(append, "store_append", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(append, "SHORTCUT", False)
    t = MapleTree(alloc=True)
    for _kind, first, last, value in appends(100):
        t.store(first, last, value)
    assert calls == []
    assert list(t.validate()) == []


# ------------------------------------------------------------------ the kernel's cases

def _golden_script(case):
    return "\n".join(case["ops"]) + "\n"


def test_golden_cases_use_the_shortcut(cases, monkeypatch):
    """The published cases exercise the shortcut (their replay, which
    tests/test_golden_replay.py checks record by record, runs with it on)."""
    taken = []
    real = append.store_append
    monkeypatch.setattr(append, "store_append", lambda *a: taken.append(real(*a)) or taken[-1])
    for case in cases.values():
        replay_records(_golden_script(case))
    assert sum(taken) > 2000


def test_golden_cases_replay_the_same_without_the_shortcut(cases, monkeypatch):
    """With the shortcut off, the general path alone gives every kernel record too."""
    monkeypatch.setattr(append, "SHORTCUT", False)
    for name, case in cases.items():
        assert replay_records(_golden_script(case)) == case["dumps"], name
