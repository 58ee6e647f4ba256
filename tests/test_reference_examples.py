# SPDX-License-Identifier: GPL-2.0-or-later
"""The verified examples of the kernel references, rebuilt with the model.

Layouts: kernel-maple-v6.8.md §8 (B normal appends, C bulk appends, D the
check_forking tree, E the DONTCOPY simulation, F a rebalance/spanning example) and
the bulk-versus-normal table of §3.2. Ledger: kernel-node-allocation-v6.8.md §5.1
(mas_expected_entries sizes), §6 (dup) and the worked examples of §9, rebuilt from
the published op scripts, with the RCU versus non-RCU table. And a direct test of
mas_destroy()'s last-leaf rebalance (§3.3), which in-order bulk loads never reach.

"Leaf sizes" are slot counts (end + 1) of the leaves, left to right.
"""

import pytest
from conftest import ULONG_MAX, leaf_sizes

from mapletree_edu import MapleTree
from mapletree_edu.core.constants import MA_STATE_REBALANCE
from mapletree_edu.core.write import mas_store
from mapletree_edu.replay import Replayer
from mapletree_edu.trace import record

GAP = [(i * 0x10000, i * 0x10000 + 0x3FFF) for i in range(100)]      # §8 B with gaps
ADJ = [(i * 0x10000, i * 0x10000 + 0xFFFF) for i in range(100)]      # §8 B adjacent
BULK_GAP = [(i * 10, i * 10 + 5) for i in range(1001)]               # §8 C, §6, §3.2
BULK_ADJ = [(i * 10, i * 10 + 9) for i in range(1001)]


def sizes(t):
    return leaf_sizes(t.to_record())


def normal_sizes(ranges, n, alloc=True):
    """Leaf sizes after each of the first n normal stores (entry i = value i)."""
    t = MapleTree(alloc=alloc)
    out = []
    for i, (first, last) in enumerate(ranges[:n]):
        t.store(first, last, i)
        out.append(sizes(t))
    return out


def bulk_sizes(ranges, n, expected=None, alloc=True):
    """Leaf sizes and the REBALANCE flag after each of the first n bulk stores."""
    t = MapleTree(alloc=alloc)
    out = []
    with t.bulk(n if expected is None else expected) as b:
        for i, (first, last) in enumerate(ranges[:n]):
            b.store(first, last, i)
            out.append((sizes(t), bool(b.flags & MA_STATE_REBALANCE)))
    return out, t


# ------------------------------------------------------------------ §8 B, C

def test_normal_appends_with_gaps():
    s = normal_sizes(GAP, 41)
    assert [s[i] for i in range(8)] == [[2 * (i + 1)] for i in range(8)]
    expect = {8: [9, 9], 11: [9, 15], 12: [15, 11], 15: [15, 10, 7], 20: [15, 16, 11],
              23: [15, 16, 10, 7], 40: [15, 16, 16, 16, 10, 9]}
    assert {i: s[i] for i in expect} == expect
    t = MapleTree()
    for i, (first, last) in enumerate(GAP):
        t.store(first, last, i)
    leaves = [n for n in t.to_record()["nodes"] if n["type"] == "leaf_64"]
    for leaf in leaves[1:-2]:       # steady state: 16 slots, NULL first, a value last
        assert leaf["end"] == 15 and leaf["slots"][0] is None and leaf["slots"][-1] is not None


def test_normal_appends_adjacent():
    s = normal_sizes(ADJ, 100)
    assert {i: s[i] for i in (15, 24, 30, 39)} == {15: [9, 8], 24: [15, 11], 30: [15, 9, 8],
                                                    39: [15, 15, 11]}
    assert all(x == 15 for x in s[99][:-2])


def test_normal_singletons_0_40():
    """The first split is 11 6, then 15 13, 15 9 8, ...; the result is 15 15 12."""
    s = normal_sizes([(i, i) for i in range(41)], 41)
    multi = [x for x in s if len(x) > 1]
    assert multi[0] == [11, 6]
    at = [multi.index(x) for x in ([11, 6], [15, 13], [15, 9, 8], [15, 15, 11])]
    assert at == sorted(at)
    assert s[-1] == [15, 15, 12]


def test_bulk_appends_with_gaps():
    s, t = bulk_sizes(BULK_GAP, 64, expected=100)
    assert [s[i][0] for i in range(8)] == [[2 * (i + 1)] for i in range(8)]
    assert s[8] == ([11, 7], True), "bulk split, REBALANCE set"
    assert s[12][0] == [11, 15]
    assert s[13] == ([15, 13], False), "push left; REBALANCE cleared"
    assert {i: s[i][0] for i in (15, 20, 23)} == {15: [15, 10, 7], 20: [15, 16, 11],
                                                  23: [15, 16, 10, 7]}
    for i in range(15, 56):          # then a repeating 8-step cycle: one more 16 each time
        assert s[i + 8][0] == s[i][0][:1] + [16] + s[i][0][1:], i


def test_bulk_appends_adjacent():
    s, _t = bulk_sizes(BULK_ADJ, 31, expected=100)
    assert {i: s[i][0] for i in (15, 26, 30)} == {15: [11, 6], 26: [15, 13], 30: [15, 11, 6]}


@pytest.mark.parametrize("ranges, n, normal, bulk", [
    (BULK_GAP, 11, [9, 13], [11, 11]),
    (BULK_ADJ, 31, [15, 9, 8], [15, 11, 6]),
    (BULK_ADJ, 101, [15, 15, 12], [15, 11, 16]),
], ids=["gap-10", "adjacent-30", "adjacent-100"])
def test_normal_versus_bulk_final_leaves(ranges, n, normal, bulk):
    """§3.2: final leaf sizes of the same input, normal appends versus a bulk copy."""
    got_normal = normal_sizes(ranges, n)[-1]
    got_bulk = bulk_sizes(ranges, n)[0][-1][0]
    assert got_normal[-len(normal):] == normal and got_bulk[-len(bulk):] == bulk


@pytest.mark.parametrize("n", [20, 64, 137, 300])
def test_normal_and_bulk_identical_for_gaps(n):
    """§3.2: for the gap case with n = 20..500 the final leaf sizes are identical
    (internal nodes fill differently)."""
    t = MapleTree()
    for i, (first, last) in enumerate(BULK_GAP[:n + 1]):
        t.store(first, last, i)
    _s, b = bulk_sizes(BULK_GAP, n + 1)
    assert sizes(b) == sizes(t)


# ------------------------------------------------------------------ §8 D, E, F

def forking_source():
    t = MapleTree()
    for i in range(135):
        t.store(i * 10, i * 10 + 5, i)
    return t


def test_check_forking_source_and_copies():
    src = forking_source()
    rec = src.to_record()
    assert (src.height, src.node_count) == (3, 20)
    assert leaf_sizes(rec) == [15] + [16] * 15 + [15]
    inner = [n for n in rec["nodes"] if n["depth"] == 1]
    assert [(n["min"], n["max"], n["end"] + 1) for n in inner] == [(0, 715, 9),
                                                                  (716, ULONG_MAX, 8)]
    bulk = MapleTree()
    with bulk.bulk(134) as b:           # the pre-6.8 copy announced one entry fewer
        for first, last, entry in src:
            b.store(first, last, entry)
    brec = bulk.to_record()
    assert (bulk.height, bulk.node_count, leaf_sizes(brec)) == (3, 20, leaf_sizes(rec))
    assert [n["end"] + 1 for n in brec["nodes"] if n["depth"] == 1] == [7, 10]
    copy = src.dup()                    # the v6.8 method: __mt_dup, then replace all
    for first, last, entry in list(copy):
        copy.store(first, last, entry)
    assert copy.to_record()["nodes"] == rec["nodes"]


def test_dontcopy_simulation():
    """§8 E: dup, then NULL-store every third entry (v2, v5, ...) and replace the rest."""
    src = forking_source()
    copy = src.dup()
    for first, last, v in list(copy):
        if v % 3 == 2:
            copy.clear(first, last)
        else:
            copy.store(first, last, v)
    rec = copy.to_record()
    assert leaf_sizes(rec) == [11, 10, 14, 8, 10, 14, 8, 10, 14, 8, 10, 14, 8, 10, 14, 8, 9]
    assert (copy.node_count, copy.height) == (20, 3)
    assert [n["max"] for n in rec["nodes"] if n["depth"] == 1] == [735, ULONG_MAX]
    first_leaf = rec["nodes"][2]
    assert list(zip(first_leaf["slots"], first_leaf["pivots"], strict=True)) == [
        (0, 5), (None, 9), (1, 15), (None, 29), (3, 35), (None, 39), (4, 45), (None, 59),
        (6, 65), (None, 69), (7, 75)]
    skip = MapleTree()                  # a pre-6.8 bulk copy that skips the same entries
    with skip.bulk(134) as b:
        for first, last, v in src:
            if v % 3 != 2:
                b.store(first, last, v)
    assert (len(leaf_sizes(skip.to_record())), skip.node_count) == (12, 15)


def test_rebalance_and_spanning_example():
    """§8 F: leaves 15 16 16 16 10 9, then NULL-store v12..v19 one at a time."""
    t = MapleTree()
    for i, (first, last) in enumerate(GAP[:41]):
        t.store(first, last, i)
    assert sizes(t) == [15, 16, 16, 16, 10, 9]
    seen = {}
    for v in range(12, 20):
        with record(t) as rec:
            t.clear(*GAP[v])
        seen[v] = (sizes(t), [s.fn for s in rec.steps if s.ev])
    assert [seen[v][0][1] for v in (12, 13, 14)] == [14, 12, 10]
    assert seen[15][0][1:3] == [12, 12]
    assert seen[19][0] == [15, 16, 16, 10, 9]
    for v in (15, 19):                  # the last entry of leaf 2: a spanning store
        assert "mas_wr_spanning_store" in seen[v][1]


# ------------------------------------------------------------------ ledger (allocation §5, §6, §9)

@pytest.mark.parametrize("n, alloc, nodes, calls", [
    (0, True, 5, 2), (6, True, 5, 2), (7, True, 6, 2), (9, True, 6, 2), (13, True, 6, 2),
    (14, True, 7, 2), (20, True, 7, 2), (33, True, 9, 2), (64, True, 15, 2),
    (100, True, 20, 2), (117, False, 22, 2), (117, True, 23, 2), (150, True, 28, 2),
    (170, True, 32, 3), (255, True, 45, 3), (300, True, 52, 3), (300, False, 50, 3),
    (1000, True, 164, 7), (2000, True, 325, 12), (2000, False, 310, 12),
    (5000, True, 808, 28), (5000, False, 770, 27)])
def test_expected_entries_preallocation(n, alloc, nodes, calls):
    """mas_expected_entries(N): one request of E(N) nodes; mas_destroy frees them all."""
    t = MapleTree(alloc=alloc)
    with t.bulk(n):
        c = t.allocator.counters()
        assert (c["allocs"], c["alloc_calls"], c["live"], c["frees"]) == (nodes, calls, nodes, 0)
    assert t.allocator.counters()["live"] == 0 == t.node_count


def replay_op(case, line):
    """Counters, node count and height before and after op `line` of a golden case."""
    rp = Replayer()

    def snap():
        c = rp.allocator.counters()
        return dict(c, nodes=rp.tree.node_count, height=rp.tree.height,
                    rec=rp.tree.to_record())
    before = snap() if line == 1 else None
    for at, _rec, _op in rp.run("\n".join(case["ops"][:line])):
        if at == line - 1:
            before = snap()
    return before, snap()


def leaf_end(rec, index):
    for n in rec["nodes"]:
        if n["type"] == "leaf_64" and n["min"] <= index <= n["max"]:
            return n["end"]
    return None


# case, line, height before, nodes before -> after, height after, allocs/frees/calls,
# (end of the leaf holding `at` before, after) or None
LEDGER_9 = [
    ("append_alloc_17", 2, 0, 0, 1, 1, (1, 0, 1), None),
    ("append_alloc_17", 34, 2, 4, 4, 2, (0, 0, 0), (160, 6, 8)),
    ("append_alloc_100", 10, 1, 1, 3, 2, (3, 1, 2), (80, 15, None)),
    ("append_alloc_100", 14, 2, 3, 3, 2, (5, 5, 2), None),
    ("append_alloc_100", 17, 2, 3, 4, 2, (5, 4, 2), None),
    ("append_alloc_100", 84, 2, 11, 14, 3, (5, 2, 2), None),
    ("append_alloc_100", 89, 3, 14, 14, 3, (7, 7, 2), None),
    ("append_alloc_1000_tall", 731, 3, 102, 106, 4, (7, 3, 2), None),
    ("append_alloc_1000_tall", 736, 4, 106, 106, 4, (9, 9, 2), None),
    ("append_alloc_rcu_40", 3, 1, 1, 1, 1, (1, 1, 1), (10, 1, 3)),
    ("append_alloc_rcu_40", 15, 2, 3, 3, 2, (5, 5, 2), None),
    ("random_alloc_0", 46, 2, None, None, 2, (0, 0, 0), (225, 15, 15)),
    ("vma_rcu_bulk_fork_0", 64, None, None, None, None, (0, 0, 0),
     (140737331908608, 15, 15)),
    ("vma_rcu_bulk_fork_0", 60, None, None, None, None, (1, 1, 1),
     (93824992362496, 14, 15)),
    ("random_alloc_0", 233, 3, None, None, 3, (0, 0, 0), (148, 9, 6)),
    ("random_alloc_1", 72, 2, 7, 6, 2, (3, 4, 2), None),
    ("erase_alloc_100_forward", 103, 3, None, None, 3, (0, 0, 0), (1, 14, 13)),
    ("erase_alloc_100_forward", 107, 3, 16, 16, 3, (5, 5, 2), (40, 7, None)),
    ("erase_alloc_100_forward", 110, 3, 16, 15, 3, (5, 6, 2), None),
    ("erase_alloc_100_reverse", 106, 3, None, None, 3, (0, 0, 0), (962, 8, 6)),
    ("erase_alloc_150_random", 160, 3, 22, 22, 3, (10, 10, 2), None),
    ("erase_alloc_100_forward", 211, 1, 1, 0, 0, (0, 1, 0), None),
    ("span_alloc_100", 103, 3, 16, 8, 2, (10, 18, 2), None),
    ("span_alloc_100", 109, 2, 7, 5, 2, (7, 9, 2), None),
    ("span_alloc_60_whole", 63, 2, 9, 1, 1, (1, 9, 1), None),
    ("span_alloc_60_whole", 65, 1, 1, 1, 1, (0, 0, 0), (100, 0, 2)),
    ("quirk_null_store_into_empty_tree", 2, 0, 0, 1, 1, (1, 0, 1), None),
    ("bulk_alloc_100", 2, 0, 0, 0, 0, (20, 0, 2), None),
    ("bulk_alloc_100", 11, 1, 1, 3, 2, (0, 0, 0), None),
    ("bulk_alloc_100", 107, None, 16, 16, None, (0, 4, 0), None),
    ("dup_after_bulk_140", 144, 3, 21, 21, 3, (21, 21, 4), None),
]


@pytest.mark.parametrize("name, line, h0, n0, n1, h1, delta, ends", LEDGER_9,
                         ids=[f"{r[0]}-L{r[1]}" for r in LEDGER_9])
def test_ledger_worked_examples(name, line, h0, n0, n1, h1, delta, ends, cases):
    before, after = replay_op(cases[name], line)
    got = tuple(after[k] - before[k] for k in ("allocs", "frees", "alloc_calls"))
    assert got == delta, f"{name} line {line}: allocs/frees/calls {got}, kernel {delta}"
    for want, have in ((h0, before["height"]), (n0, before["nodes"]), (n1, after["nodes"]),
                       (h1, after["height"])):
        if want is not None:
            assert have == want
    if ends:
        at, e0, e1 = ends
        assert leaf_end(before["rec"], at) == e0
        if e1 is not None:
            assert leaf_end(after["rec"], at) == e1
    if name != "bulk_alloc_100" or line == 107:
        assert after["live"] == after["nodes"], "live == nodes outside bulk mode"


def test_dup_ledger():
    """§6: n allocs in 1 + internal-node calls; destroying the source frees n;
    an empty or single-entry source allocates nothing."""
    for n_entries in (0, 1, 5, 30, 135):
        src = MapleTree()
        for i in range(n_entries):
            src.store(i * 10, i * 10 + (5 if n_entries > 1 else 0), i)
        rec = src.to_record()
        nodes = rec["node_count"]
        internal = sum(1 for n in rec["nodes"] if n["type"] != "leaf_64")
        c0 = src.allocator.counters()
        copy = src.dup()
        src.destroy()
        c1 = copy.allocator.counters()
        assert (c1["allocs"] - c0["allocs"], c1["frees"] - c0["frees"],
                c1["alloc_calls"] - c0["alloc_calls"]) == \
            (nodes, nodes, 1 + internal if nodes else 0), n_entries
        assert copy.to_record()["nodes"] == rec["nodes"]


@pytest.mark.parametrize("rcu", [False, True], ids=["normal", "rcu"])
def test_rcu_versus_normal_ledger(rcu):
    """The table closing allocation §9: erases 0, 10, ..., 90 from 40 adjacent ranges."""
    t = MapleTree(rcu=rcu)
    for i in range(40):
        t.store(10 * i, 10 * i + 9, i + 1)
    assert (t.height, t.node_count) == (2, 4)
    want_ends = [14, 14, 13, 12, 11, 10, 9, 8, 7, 6]     # leaf end before each erase
    for k, index in enumerate(range(0, 100, 10)):
        c0 = t.allocator.counters()
        end = leaf_end(t.to_record(), index)
        with record(t) as rec:
            t.erase(index)
        c1 = t.allocator.counters()
        delta = tuple(c1[x] - c0[x] for x in ("allocs", "frees", "alloc_calls"))
        fns = [s.fn for s in rec.steps if s.ev]
        assert end == want_ends[k], (index, end)
        if index == 0:
            assert (delta, fns) == ((0, 0, 0), ["mtree_erase"])
        elif index <= 70:
            assert delta == ((1, 1, 1) if rcu else (0, 0, 0))
            assert fns == ["mtree_erase", "mas_wr_node_store"]
        elif index == 80:
            assert delta == ((1, 1, 1) if rcu else (0, 0, 0))
            assert fns == ["mtree_erase", "mas_wr_bnode"]
        else:
            assert delta == (3, 3, 2)
            assert fns == ["mtree_erase", "mas_wr_bnode", "mas_rebalance"]
        assert c1["live"] == t.node_count


# ------------------------------------------------------------------ mas_destroy rebalance

def build_small_last_leaf(alloc, ranges, cut):
    """A bulk state whose last leaf was cut to <= 4 slots with REBALANCE set.

    The bulk load splits the root leaf (REBALANCE set); then a NULL store through the
    bulk state's own mas_store (node store allows small nodes in bulk mode) removes
    entries at the start of the last leaf. Returns the tree and the record before
    mas_destroy, and the loader, still open.
    """
    t = MapleTree(alloc=alloc)
    cm = t.bulk(30)
    b = cm.__enter__()
    for i, (first, last) in enumerate(ranges):
        b.store(first, last, i + 1)
    rec = t.to_record()
    assert len(leaf_sizes(rec)) == 2 and b.flags & MA_STATE_REBALANCE
    lo = rec["nodes"][2]["min"]
    b.mas.set_range(lo, cut)
    mas_store(b.mas, None)
    b.mas.mas_flags |= MA_STATE_REBALANCE
    return t, cm, b, t.to_record()


DESTROY_CASES = {
    # slot 8 of the left leaf holds an entry: split = 8
    "gaps": ([(i * 10, i * 10 + 5) for i in range(9)], 79, 8),
    # slot 8 of the left leaf is NULL: split = 9
    "null-at-8": ([(i * 10, i * 10 + 9) for i in range(8)] +
                  [(i * 10, i * 10 + 9) for i in range(9, 16)], 139, 9),
}


@pytest.mark.parametrize("alloc", [True, False], ids=["alloc", "plain"])
@pytest.mark.parametrize("case", list(DESTROY_CASES))
def test_mas_destroy_rebalances_small_last_leaf(case, alloc, helpers):
    ranges, cut, split = DESTROY_CASES[case]
    t, cm, b, before = build_small_last_leaf(alloc, ranges, cut)
    root, left, last = before["nodes"]
    assert last["end"] + 1 <= 4 and left["end"] > split
    assert (left["slots"][8] is None) == (split == 9)
    entries = helpers.record_entries(before)
    with record(t) as rec:
        cm.__exit__(None, None, None)
    assert not b.in_bulk and not b.flags & MA_STATE_REBALANCE
    after = t.to_record()
    assert helpers.check_record(after) == []
    root2, left2, last2 = after["nodes"]
    assert left2["slots"] == left["slots"][:split + 1]
    assert left2["pivots"] == left["pivots"][:split + 1]
    assert left2["max"] == left["pivots"][split] == root2["pivots"][0]
    assert last2["min"] == left["pivots"][split] + 1
    assert last2["slots"] == left["slots"][split + 1:] + last["slots"]
    assert last2["pivots"] == left["pivots"][split + 1:] + last["pivots"]
    assert helpers.record_entries(after) == entries
    assert [s.fn for s in rec.steps if s.ev] == [], "mas_destroy fires no trace event"
    assert "mas_destroy_rebalance" in [s.fn for s in rec.steps]
    assert after["live"] == t.node_count == 3
    if helpers.has_validate:
        assert list(t.validate()) == []


def test_mas_destroy_leaves_big_last_leaf_alone():
    """With REBALANCE set but 5 or more slots in the last leaf nothing moves."""
    s, t = bulk_sizes(BULK_GAP, 9, expected=30)
    assert s[-1] == ([11, 7], True)
    assert sizes(t) == [11, 7] and t.allocator.counters()["live"] == t.node_count
