# SPDX-License-Identifier: GPL-2.0-or-later
"""The exercise checks and solutions of lessons 1-3 (mapletree_edu.lessons.l01..l05).

For every exercise: the placeholder answer is "Not yet", a correct answer is "Correct",
wrong answers are "Not yet", and the printed solution, run as the notebook would run it,
ends with "Correct". The correct answers here are worked out by hand from the rules in
the kernel reference (the comments say how), not copied from the model's output.
"""

import pytest

from mapletree_edu import ULONG_MAX, MapleTree
from mapletree_edu.lessons import common, l01, l02, l05


def verdict(capsys, check, answer):
    """(returned bool, printed text) of one check."""
    ok = check(answer)
    out = capsys.readouterr().out
    return ok, out


def assert_correct(capsys, check, answer):
    ok, out = verdict(capsys, check, answer)
    assert ok is True, out
    assert out.startswith("Correct: "), out


def assert_not_yet(capsys, check, answer):
    ok, out = verdict(capsys, check, answer)
    assert ok is False, out
    assert out.startswith("Not yet: "), out
    assert len(out.strip()) > len("Not yet: ") + 10, "a wrong answer gets a hint"


# --- lesson 1 ------------------------------------------------------------------------------

def test_l01_range_at(capsys):
    # tree_a holds [10i, 10i + 5]: index 27 falls in the hole [26, 29]
    assert_correct(capsys, l01.check_range_at, (26, 29, None))
    assert_correct(capsys, l01.check_range_at, [26, 29, None])
    for wrong in (None, (20, 25, 2), (26, 29, 2), (27, 27, None), "26-29", (26, 29)):
        assert_not_yet(capsys, l01.check_range_at, wrong)


def test_l01_slots_after(capsys):
    # NULL [0,99], a, b, NULL [300,499], c, NULL [600, MAX]
    assert_correct(capsys, l01.check_slots_after, 6)
    for wrong in (None, 3, 5, 7, "6", True):
        assert_not_yet(capsys, l01.check_slots_after, wrong)


def test_l01_root_entry(capsys):
    # only a lone [0, 0] entry lives in the root pointer (a); (f) empties the tree
    # completely (a NULL store over the only entry widens to [0, MAX], a new empty root)
    # before storing at 0; (d) and (e) keep a leaf node; (b), (c) are not at [0, 0]
    assert_correct(capsys, l01.check_root_entry, {"a", "f"})
    assert_correct(capsys, l01.check_root_entry, ["F", "a"])
    for wrong in (None, {"a"}, {"a", "d"}, {"a", "e", "f"}, set(), 5):
        assert_not_yet(capsys, l01.check_root_entry, wrong)


def test_l01_root_gap_agrees_with_ranges(capsys):
    t = l01.tree_gaps()
    first = common.leaves(t)[0]
    holes = [la - f + 1 for f, la, e in t.ranges(include_null=True)
             if e is None and first.min <= f and la <= first.max]
    assert len(holes) >= 3
    assert_correct(capsys, l01.check_root_gap, max(holes))
    assert_not_yet(capsys, l01.check_root_gap, None)
    assert_not_yet(capsys, l01.check_root_gap, max(holes) + 0x1000)
    assert_not_yet(capsys, l01.check_root_gap, min(holes))
    assert_not_yet(capsys, l01.check_root_gap, float(max(holes)))


def test_l01_gap_ranges_have_holes():
    rs = l01.gap_ranges()
    holes = {b[0] - a[1] - 1 for a, b in zip(rs, rs[1:], strict=False)}
    assert len(holes) > 3 and min(holes) >= 0x1000


# --- lesson 2 ------------------------------------------------------------------------------

def test_l02_which_path(capsys):
    # tree_a: [10i, 10i + 5], 12 slots in one root leaf (kernel reference 2.4):
    # [30, 35] is one whole range: exact fit; [60, 69] is in the last slot (NULL to MAX),
    # not RCU: append; [32, 39] cuts 3 short and fills the NULL after it, same count:
    # slot store; [31, 33] splits 3 into three pieces: node store
    right = ["mas_wr_modify", "mas_wr_append", "mas_wr_slot_store", "mas_wr_node_store"]
    assert_correct(capsys, l02.check_which_path, right)
    assert_correct(capsys, l02.check_which_path, tuple(right))
    assert_correct(capsys, l02.check_which_path, [n + "()" for n in right])
    for wrong in (None, right[:3], list(reversed(right)), ["exact fit"] + right[1:],
                  ["mas_wr_modify", "mas_wr_node_store", "mas_wr_slot_store",
                   "mas_wr_node_store"]):
        assert_not_yet(capsys, l02.check_which_path, wrong)


def test_l02_coalesce(capsys):
    # erase(20) clears [20, 25]; the NULLs [16, 19] and [26, 29] join it
    assert_correct(capsys, l02.check_coalesce, (16, 29))
    for wrong in (None, (20, 25), (16, 25), (20, 29), (16, 29, None)):
        assert_not_yet(capsys, l02.check_coalesce, wrong)


def test_l02_refuse(capsys):
    # tree_b's left leaf has 9 slots ([0, 45]); clearing one entry removes it and a
    # neighbouring NULL: 7 slots, which node store refuses (not root, new_end 6 <= 6)
    # and which the big node rewrites (b_end 6 is not below mt_min_slots)
    assert_correct(capsys, l02.check_refuse, (10, 15, None))
    assert_correct(capsys, l02.check_refuse, (20, 25, None))
    for wrong in (None, (12, 13, "x"),     # node store, the leaf grows
                  (0, 30, None),           # too small: rebalance
                  (60, 65, None),          # the right leaf
                  (40, 50, None),          # crosses into the right leaf
                  (15, 10, None), (10, 15)):
        assert_not_yet(capsys, l02.check_refuse, wrong)


def test_l02_rcu_append(capsys):
    # RCU mode switches the in-place append off; node store writes a new node
    assert_correct(capsys, l02.check_rcu_append, "mas_wr_node_store")
    for wrong in (None, "mas_wr_append", "mas_wr_bnode"):
        assert_not_yet(capsys, l02.check_rcu_append, wrong)


def test_l02_paths_of_a_plain_store():
    t = l02.tree_a()
    before = list(t.ranges(include_null=True))
    assert l02.paths_of(t, [(10, 15, "y")]) == ["mas_wr_modify"]
    assert list(t.ranges(include_null=True)) == before, "paths_of works on copies"


# --- lesson 05 ------------------------------------------------------------------------------

def test_l05_first_split(capsys):
    # singletons 100..115: root expand gives [NULL, 100, NULL]; each later store adds one
    # slot, so the 15th store (114) makes 17 entries, b_end 16: split at 8, pivot 106 is
    # not below 15 (no small-pivot move), slot 8 is not NULL: 9 | 8; 115 appends: 9, 9
    assert_correct(capsys, l05.check_first_split, [9, 9])
    for wrong in (None, [11, 7], [9, 8], [18], (9,), ["9", "9"]):
        assert_not_yet(capsys, l05.check_first_split, wrong)


def test_l05_first_split_of_small_singletons_is_11_6():
    # kernel reference 2.7: singletons 0..15 make the first root split 11/6
    assert common.leaf_sizes(l05.singletons(16)) == [11, 6]


def test_l05_vma_split(capsys):
    # kernel reference 8.B, adjacent appends: i=15 gives leaves 9 8
    assert_correct(capsys, l05.check_vma_split, (15, [9, 8]))
    for wrong in (None, (8, [9, 9]), (15, [9, 9]), (16, [9, 9]), 15):
        assert_not_yet(capsys, l05.check_vma_split, wrong)


def test_l05_push_left(capsys):
    # kernel reference 8.B, adjacent appends: i=24 gives 15 11 (the first push left)
    assert_correct(capsys, l05.check_push_left, 24)
    for wrong in (None, 15, 30, 39, "24"):
        assert_not_yet(capsys, l05.check_push_left, wrong)


def test_l05_rebalance(capsys):
    # the second leaf of 40 appends holds 16 slots (NULL, 8, NULL, 9, ..., 15); each erase
    # removes an entry and merges two NULLs: 14, 12, 10, 8, then 6 at entry 12, which is
    # below the leaf minimum (count <= mt_min_slots): mas_rebalance
    assert_correct(capsys, l05.check_rebalance, 12)
    for wrong in (None, 8, 11, 13, 15):
        assert_not_yet(capsys, l05.check_rebalance, wrong)


def test_l05_history_rows_describe_the_appends():
    rows = l05.append_history(16)
    assert [r["i"] for r in rows] == list(range(16))
    assert rows[0]["path"] == "mas_root_expand"
    assert rows[1]["path"] == "mas_wr_append"
    # kernel reference 8.B with gaps: i=8 splits 9 9, i=12 pushes left to 15 11
    assert rows[8]["leaves"] == [9, 9] and rows[8]["commit"] == "split"
    assert rows[12]["push"] == "left" and rows[12]["leaves"] == [15, 11]
    text = l05.history_table(rows, only_changes=True).text()
    assert "push left" in text and "mas_wr_append" not in text


def test_l05_three_way_store_splits_three_ways():
    steps, before, after = l05.three_way_facts()
    calc = common.steps_named(steps, "mab_calc_split")[0].details
    assert calc["mid_split"] > calc["split"] > 0
    assert len(after) == len(before) + 1


def test_l05_three_way(capsys):
    # erase_base() leaves 3 [156, 235] and 4 [236, 315] hold 16 entries each; a store
    # from inside [230, 235] to inside the leading NULL [236, 239] keeps 15 + 1 + 1 + 16
    # = 33 entries: b_end 32 >= 2 * 16, three nodes (mab_middle_node)
    assert_correct(capsys, l05.check_three_way, (231, 238))
    assert_correct(capsys, l05.check_three_way, [232, 237])
    for wrong in (None, l05.THREE_WAY_STORE[:2], (10, 12), (75, 77), (5, 3), 7, (1.5, 2)):
        assert_not_yet(capsys, l05.check_three_way, wrong)


def test_l05_rebalance_cannot_split_three_ways():
    # mas_rebalance combines a leaf of <= 6 entries with a sibling of <= 16: at most 22,
    # and mab_middle_node needs 33 (or 32 with a NULL in the middle)
    assert l05.max_rebalance_entries() == 22
    assert min(l05.three_way_needs()) > l05.max_rebalance_entries()
    t = l05.erase_base()
    for i in l05.ERASE_ORDER:
        steps, t = l05.record_op(t, "erase", l05.append_range(i)[0])
        for c in l05.calc_steps(steps):
            assert c.details["mid_split"] == 0


def test_l05_small_pivot_rule_fires_for_narrow_ranges_anywhere(capsys):
    # mas_spanning_rebalance passes the left node's real min: singletons from 1000 fire
    # the rule in the rebalance of the fourth erase; ranges 16 wide (same layout) do not
    _b, steps, after = l05.narrow_erases(width=1)
    assert l05.small_pivot_fired(l05.calc_steps(steps)[0])
    assert common.leaf_sizes(after) == [15, 13, 8]
    _b, steps, after = l05.narrow_erases(width=16)
    assert not l05.small_pivot_fired(l05.calc_steps(steps)[0])
    assert common.leaf_sizes(after) == [15, 11, 10]
    high = 10 ** 9
    ops = [("store", high + i, high + i) for i in range(l05.NARROW_COUNT)]
    assert_correct(capsys, l05.check_small_pivot_anywhere,
                   ops + [("erase", high + i) for i in l05.NARROW_ERASE])
    # the same at 0 fires, but below 10**9; singletons alone (leaf splits, min 0) at 10**9
    # never fire; wide ranges never fire
    low = [("store", i, i) for i in range(l05.NARROW_COUNT)]
    assert_not_yet(capsys, l05.check_small_pivot_anywhere,
                   low + [("erase", i) for i in l05.NARROW_ERASE])
    assert_not_yet(capsys, l05.check_small_pivot_anywhere, ops)
    for wrong in (None, [], [("store", 5)], [("insert", 1, 2)], [("store", 3, 2)], "ops"):
        assert_not_yet(capsys, l05.check_small_pivot_anywhere, wrong)


def test_l05_push_rewrites_three_nodes():
    # mas_split takes a new left and right node before it tries the push, and the push
    # ends with a new parent: 1 + 2 * 2 = 5 nodes asked, 3 used, 3 replaced, 2 unused
    _s, after, ledger, grown = l05.ledger_of(l05.appended(12), "store",
                                             *l05.append_range(12), 12)
    assert ledger == {"allocs": 5, "frees": 5, "alloc_calls": 2} and grown == 0
    assert common.leaf_sizes(after) == [15, 11]


def test_l05_big_node_table_hides_the_split():
    steps, _t = common.record_op(l05.singletons(15), "store", 15, 15, 15)
    text = l05.big_node_table(steps).text()
    assert "split" not in text.lower() and "16" in text


# --- solutions -------------------------------------------------------------------------------

NOTEBOOK_NAMES = {
    "MapleTree": MapleTree, "ULONG_MAX": ULONG_MAX,
    **{name: getattr(common, name) for name in common.__all__},
}


@pytest.mark.parametrize("module,name", [(m, n) for m in (l01, l02, l05)
                                         for n in m.SOLUTIONS])
def test_solution_runs_and_is_correct(capsys, module, name):
    text = module.solution(name)
    assert text.endswith("\n") and "answer" in text
    ns = dict(NOTEBOOK_NAMES, l01=l01, l02=l02, l05=l05)
    exec(compile(text, f"<{module.__name__} solution {name}>", "exec"), ns)
    out = capsys.readouterr().out
    assert "Correct: " in out and "Not yet" not in out, out


def test_unknown_solution_names_the_known_ones():
    with pytest.raises(KeyError, match="range_at"):
        l01.solution("nope")


# --- shared helpers ----------------------------------------------------------------------------

def test_write_path_and_table():
    t = common.tree_of(common.vma_ranges(6))
    table = common.path_table(t, [(10, 15, "x"), (100, 105, "x"), (12, 13, None)])
    assert [r[1] for r in table.rows] == ["mas_wr_modify", "mas_wr_append",
                                          "mas_wr_node_store"]
    assert common.leaf_sizes(t) == [12], "path_table works on copies"
    text = table.text()
    assert text.splitlines()[0].startswith("store") and "clear(12, 13)" in text
    assert "<table>" in table._repr_html_()


def test_node_and_slot_tables():
    t = common.tree_of(common.vma_ranges(12))
    nt = common.node_table(t)
    assert [r[2] for r in nt.rows] == ["arange_64", "leaf_64", "leaf_64"]
    st = common.slot_table(t, 1)
    assert st.rows[0][2] == "[0, 5]" and st.rows[1][3] == "NULL"
    wt = common.walk_table(t, 62)
    assert [r[0] for r in wt.rows] == ["#0", "#2"] and wt.rows[-1][-1] == "6"
    empty = common.node_table(MapleTree())
    assert empty.rows == [] and "empty" in empty.title


def test_show_displays_an_svg_or_a_fallback(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    t = common.tree_of(common.vma_ranges(3))
    common.show(t)
    (bundle,) = shown
    # [0, 5] starts at 0 (no leading NULL): e0, NULL, e1, NULL, e2, NULL to MAX
    assert bundle["text/plain"] == "diagram: height 1, 1 node(s), leaves [6]"
    assert "image/svg+xml" in bundle or "text/html" in bundle
