# SPDX-License-Identifier: GPL-2.0-or-later
"""The exercise checks and solutions of lessons 1-3 (mapletree_edu.lessons.l01..l05).

For every exercise: the placeholder answer is "Not yet", a correct answer is "Correct",
wrong answers are "Not yet", and the printed solution, run as the notebook would run it,
ends with "Correct". The correct answers here are worked out by hand from the rules in
the kernel reference (the comments say how), not copied from the model's output.
"""

import base64
import re

import pytest
from conftest import assert_correct, assert_not_yet, verdict

from mapletree_edu import ULONG_MAX, MapleTree
from mapletree_edu.lessons import common, l01, l02, l05

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
    # the answer is the largest NULL range of the first leaf after the erase, worked out
    # from the ranges; it must be the root's gap[0] and differ from the one before
    t = l01.root_gap_tree()
    first = common.leaves(t)[0]
    holes = [la - f + 1 for f, la, e in t.ranges(include_null=True)
             if e is None and first.min <= f and la <= first.max]
    before = common.leaves(l01.tree_gaps())[0]
    old = [la - f + 1 for f, la, e in l01.tree_gaps().ranges(include_null=True)
           if e is None and before.min <= f and la <= before.max]
    assert len(holes) >= 3 and max(holes) > max(old)
    assert l01.tree_gaps().load(l01.ROOT_GAP_ERASE) is not None
    assert_correct(capsys, l01.check_root_gap, max(holes))
    assert_not_yet(capsys, l01.check_root_gap, None)
    assert_not_yet(capsys, l01.check_root_gap, max(old))
    assert_not_yet(capsys, l01.check_root_gap, max(holes) + 0x1000)
    assert_not_yet(capsys, l01.check_root_gap, min(holes))
    assert_not_yet(capsys, l01.check_root_gap, float(max(holes)))


def test_l01_full_leaf(capsys):
    # 8 entries need 8 NULL ranges for 16 slots: one of the 9 possible NULL places must go
    # (start at 0, two touching entries, or end at MAX); 8 spread-out ranges make 17: split
    assert_correct(capsys, l01.check_full_leaf, [(i * 0x2000, i * 0x2000 + 0xfff)
                                                 for i in range(8)])
    assert_correct(capsys, l01.check_full_leaf, [(0x1000, 0x1fff), (0x2000, 0x2fff)]
                   + [(0x4000 + i * 0x2000, 0x4fff + i * 0x2000) for i in range(6)])
    assert_correct(capsys, l01.check_full_leaf, [(10 + 10 * i, 15 + 10 * i) for i in range(7)]
                   + [(100, ULONG_MAX)])
    spread = [(0x1000 + i * 0x2000, 0x1fff + i * 0x2000) for i in range(8)]
    assert common.leaf_sizes(l01.full_leaf_tree(spread)) != [16]
    for wrong in (None, spread, [(0, 1)] * 8, [(5, 1)] * 8, "x", [(i, i) for i in range(8)]):
        assert_not_yet(capsys, l01.check_full_leaf, wrong)


def test_l01_node_bytes():
    # include/linux/maple_tree.h: 8 + 15*8 + 16*8 = 256 (range_64); arange_64: 8 + 9*8 +
    # 10*8 + 10*8 + 2 = 242; one more slot does not fit in either
    rows = {r[0]: r for r in l01.node_bytes_table().rows}
    assert rows["leaf_64"][6] == "256" and rows["range_64"][6] == "256"
    assert rows["arange_64"][6] == "242"
    assert all(int(r[7].split()[0]) > 256 for r in rows.values())


def test_l01_thresholds_match_v68():
    # lib/maple_tree.c v6.8: node store refuses new_end <= 6 (3895), the big node
    # rebalances b_end < 6 (3442), mas_destroy end + 1 < 5 (5547), mt_validate end < 6
    # unless max == ULONG_MAX (7496); arange_64 uses 4. The write paths only see leaves;
    # mas_spanning_rebalance() and mast_sufficient() compare a count (mas_mab_cp() leaves
    # b_end one past the last entry), the others the last slot's offset.
    rows = {}
    for r in l01.threshold_rows():
        rows.setdefault(r[0], r)
    assert rows["mas_wr_node_store"][2].startswith("<= 6 (7 or fewer")
    assert rows["mas_commit_b_node"][2].startswith("< 6 (6 or fewer")
    assert rows["mas_spanning_rebalance"][2].startswith("<= 6 (6 or fewer")
    assert rows["mast_sufficient"][2].startswith("> 6 (7 or more")
    assert rows["mast_sufficient"][3].startswith("> 4 (5 or more")
    assert rows["mas_destroy"][2].startswith("< 5") and "4 or fewer" in rows["mas_destroy"][2]
    assert rows["mt_validate"][2].startswith("< 6") and "MAX" in rows["mt_validate"][1]
    assert rows["mt_validate"][3].startswith("< 4")
    assert rows["mas_wr_modify"][2].startswith(">= 16")
    for fn in ("mas_wr_modify", "mas_wr_node_store", "mas_commit_b_node",
               "mas_spanning_rebalance", "mas_bulk_rebalance", "mas_preallocate", "mas_destroy"):
        assert rows[fn][3] == l01.LEAVES_ONLY, fn
    places = [r[5] for r in l01.threshold_rows()]
    assert len(set(places)) == len(places) and set(places) <= set(l01.V68.values())
    # every comparison with mt_min_slots[] in v6.8 has its row (lines of the tree read)
    lines = {int(p.rsplit(":", 1)[1]) for p in places}
    assert {1836, 1867, 1900, 2052, 2734, 2854, 3442, 3895, 5503, 5547, 7496} <= lines


def test_l01_pointer_and_metadata_tables():
    t = l01.tree_gaps()
    rows = l01.pointer_table(t).rows
    # arange_64 root: 3 << 3 | 0x4 | 0x2 = 0x1e; children in slots 0 and 1: 0x06, 0x0e
    assert rows[0][2] == "0x1e" and rows[1][2] == "0x01"
    assert [r[2] for r in rows[2:]] == ["0x06", "0x0e"]
    meta = l01.metadata_table(t).rows
    assert meta[0][1] == "arange_64" and meta[0][3] == "1"
    assert all(r[3] == str(int(r[2]) - 1) for r in meta)


def test_l01_notation_key_is_the_renderers():
    """Lesson 01's key lists every mark of the renderer's notation, drawn by the renderer,
    and every mark the lesson's own example diagrams use is in it."""
    from mapletree_edu.render import MARKS, build
    from mapletree_edu.render.fmt import escape

    assert l01.diagram_marks() == [(m.name, m.meaning) for m in MARKS]
    key = l01.notation_key_dot()
    for m in MARKS:
        assert f"<B>{escape(m.name)}</B>" in key and escape(m.meaning) in key, m.key

    high = common.tree_of(common.vma_ranges(20, stride=0x10000, length=0x4000,
                                            start=0x555555554000))
    frames = [build(high, collapse=1, focus_index=common.leaves(high)[1].min)]
    frames += [build(t) for t in (l01.tree_gaps(),
                                  common.tree_of(common.vma_ranges(20), alloc=False))]
    for tree, op, kw in ((common.tree_of(common.vma_ranges(8)), ("store", 100, 105, "x"),
                          {"on_copy": True}),
                         (l02.tree_a(rcu=True), ("store", 12, 22, "x"), {}),
                         (l02.tree_b(), ("store", 0, 30, None), {"on_copy": True})):
        steps, _t = common.record_op(tree, *op, **kw)
        frames += [build(s, prev_view=p.view) for p, s in zip(steps, steps[1:], strict=False)]
    used = set().union(*(f.marks.used for f in frames))
    assert used <= {m.key for m in MARKS}
    assert {"new", "freed", "path", "sibling", "range", "null", "gap_off", "summary"} <= used
    assert frames[0].hex and frames[0].plan.summaries


def test_l01_notation_key_shows_a_picture_with_a_text_alternative(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    l01.notation_key(["gap_off", "path"])
    (bundle,) = shown
    assert bundle["text/plain"].splitlines()[1:] == ["path: the nodes the walk went through "
                                                     "(thick border)",
                                                     "* gap_off: in an arange_64 node: the "
                                                     "slot with the largest gap"]
    if common.render_available():
        assert "gap_off" in bundle["image/svg+xml"] and ">new<" not in bundle["image/svg+xml"]


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


def test_l02_in_place_rcu(capsys):
    # RCU mode: a two-slot slot store (the write ends exactly where the second of two
    # neighbouring ranges ends) writes in place, mas_wr_slot_store lines 3984-3994;
    # the exact fit is refused as an answer; three-range slot stores and appends become
    # node stores (a new node, the old one freed)
    assert_correct(capsys, l02.check_in_place_rcu, (12, 19, "x"))
    assert_correct(capsys, l02.check_in_place_rcu, (8, 15, "y"))
    for wrong in (None, (10, 15, "x"),      # exact fit
                  (12, 22, "x"),            # three ranges: node store in RCU mode
                  (100, 105, "x"),          # append: node store in RCU mode
                  (12, 13, "x"),            # node store
                  (15, 10, "x"), (1, 2)):
        assert_not_yet(capsys, l02.check_in_place_rcu, wrong)


def test_l02_rcu_table_agrees_with_the_prose():
    """In RCU mode the exact fit and the two-range slot store allocate nothing; the append
    and the three-range slot store become node stores with one new and one freed node."""
    t = l02.tree_a(rcu=True)
    rows = common.path_table(t, [(10, 15, "x"), (12, 19, "x"), (100, 105, "x"),
                                 (12, 22, "x")], nodes=True).rows
    assert [(r[1], r[5], r[6]) for r in rows] == [
        ("mas_wr_modify", "0", "0"), ("mas_wr_slot_store", "0", "0"),
        ("mas_wr_node_store", "1", "1"), ("mas_wr_node_store", "1", "1")]
    plain = common.path_table(l02.tree_a(), [(100, 105, "x"), (12, 22, "x")], nodes=True).rows
    assert [(r[1], r[5]) for r in plain] == [("mas_wr_append", "0"),
                                             ("mas_wr_slot_store", "0")]


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


# --- solutions and hints -----------------------------------------------------------------
# Every solution is run inside its notebook by tests/test_solutions.py (a kernel that ran
# only the cells above it). Here: no hint gives a solution's code away.

def solution_code_lines(module):
    out = set()
    for name in module.SOLUTIONS:
        for line in module.solution(name).splitlines():
            line = line.split("#")[0].strip()
            if len(line) >= 12 and not line.startswith(("from ", "import ", "print(", "ok =")):
                out.add(line)
    return out


WRONG_ANSWERS = {
    l01: {"check_range_at": [None, (20, 25, 2), (0, 1, 2)], "check_slots_after": [None, 3, 9],
          "check_root_entry": [None, {"a", "d"}, {"a"}], "check_root_gap": [None, 1],
          "check_full_leaf": [None, [(0, 1)] * 3,
                              [(0x1000 + i * 0x2000, 0x1fff + i * 0x2000) for i in range(8)],
                              [(i * 0x2000, i * 0x2000 + 0xfff) for i in range(7)] + [(1, 1)]]},
    l02: {"check_which_path": [None, ["mas_wr_append"] * 4], "check_coalesce": [None, (1, 2)],
          "check_refuse": [None, (12, 13, "x"), (0, 30, None), (60, 65, "x")],
          "check_in_place_rcu": [None, (10, 15, "x"), (12, 22, "x")]},
}


@pytest.mark.parametrize("module", [l01, l02], ids=["l01", "l02"])
def test_hints_do_not_contain_solution_code(capsys, module):
    code = solution_code_lines(module)
    assert code
    for check, answers in WRONG_ANSWERS[module].items():
        for answer in answers:
            ok, out = verdict(capsys, getattr(module, check), answer)
            assert ok is False, (check, answer)
            for line in code:
                assert line not in out, f"{check}({answer!r}) hint gives away {line!r}"
            assert "record_op(" not in out and not re.search(r"\bfor \w+ in\b", out), out


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
    if "image/svg+xml" in bundle:
        # the picture twice (SVG for trusted front ends, PNG for untrusted ones) and no
        # HTML: an untrusted notebook prefers HTML and strips the inline SVG out of it
        assert "text/html" not in bundle
        svg = bundle["image/svg+xml"]
        assert "<svg" in svg and f"<title>n{common.view_of(t).nodes[0].serial}</title>" in svg
        assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    else:  # no dot and no anywidget: the install hint and a text dump
        assert "dot" in bundle["text/plain"] and "<pre" in bundle["text/html"]
