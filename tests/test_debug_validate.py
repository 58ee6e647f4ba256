# SPDX-License-Identifier: GPL-2.0-or-later
"""validate(): the checks of the kernel's mt_validate(), on the golden scripts and
on hand-built trees with one fault each."""

import dataclasses
import json
from pathlib import Path

import pytest

from mapletree_edu import MapleTree
from mapletree_edu.core.constants import (
    MAPLE_ARANGE_64,
    MAPLE_LEAF_64,
    MAPLE_RANGE_64,
    MT_FLAGS_HEIGHT_OFFSET,
    ULONG_MAX,
)
from mapletree_edu.core.node import Node
from mapletree_edu.core.state import Tree
from mapletree_edu.debug.validate import Violation, count_problem_ops, validate
from mapletree_edu.replay import Replayer

GOLDEN = Path(__file__).parent / "data" / "kernel-golden" / "public.jsonl"
CASES = [json.loads(line) for line in GOLDEN.read_text().splitlines() if line.strip()]
QUIRKS = [c for c in CASES if c["name"].startswith("quirk_")]
NORMAL = [c for c in CASES if not c["name"].startswith("quirk_")]


def replay_counting(ops):
    """Replay a script; after every op, count it if validate() complains (the
    rule of FORMAT.md's validate_errors). Returns the count at each dump/dup,
    and the violations of every complaining op by line."""
    rp = Replayer()
    count = 0
    at_records = []
    found = {}
    for line, rec, _op in rp.run("\n".join(ops)):
        problems = validate(rp.tree.core)
        if problems:
            count += 1
            found[line] = problems
        if rec is not None:
            at_records.append(count)
    return at_records, found


# --- the golden data --------------------------------------------------------

@pytest.mark.parametrize("case", NORMAL, ids=[c["name"] for c in NORMAL])
def test_golden_cases_are_clean_after_every_op(case):
    counts, found = replay_counting(case["ops"])
    assert found == {}, {line: [str(v) for v in vs] for line, vs in found.items()}
    assert counts == [d["validate_errors"] for d in case["dumps"]]


@pytest.mark.parametrize("case", QUIRKS, ids=[c["name"] for c in QUIRKS])
def test_quirk_cases_count_like_the_kernel(case):
    counts, found = replay_counting(case["ops"])
    assert counts == [d["validate_errors"] for d in case["dumps"]]
    assert found, "a quirk case must make the checker complain"


def test_count_problem_ops_matches_last_record():
    for case in QUIRKS + NORMAL[:5]:
        rp = Replayer()
        n = count_problem_ops(rp.tree.core for _ in rp.run("\n".join(case["ops"])))
        assert n == case["dumps"][-1]["validate_errors"], case["name"]


def test_null_store_into_empty_tree_is_flagged_as_sequential_nulls():
    t = MapleTree()
    t.clear(100, 199)
    problems = validate(t.core)
    assert {v.check for v in problems} == {"sequential_nulls"}
    assert all(v.path == () and v.node_range == (0, ULONG_MAX) for v in problems)
    t.store(150, 160, 5)
    assert validate(t.core)


def test_spanning_store_quirk_names_the_leaf():
    case = next(c for c in QUIRKS if "spanning" in c["name"])
    t = MapleTree()
    for op in case["ops"][1:-1]:
        kind, *args = op.split()
        if kind == "store":
            t.store(int(args[0]), int(args[1]), int(args[2]))
    problems = t.validate()
    assert problems
    assert {v.node_range for v in problems} == {(316, 475)}
    checks = {v.check for v in problems}
    assert {"data_end", "stale_slot"} <= checks
    leaf = [n for n in t.to_record()["nodes"] if (n["min"], n["max"]) == (316, 475)][0]
    assert all(v.path == problems[0].path for v in problems)
    assert len(problems[0].path) == leaf["depth"]
    assert "316-475" in problems[0].message and str(problems[0].path) in problems[0].message


# --- hand-built trees --------------------------------------------------------

def leaf(lo, hi, ranges):
    """A leaf over [lo, hi]: ranges = [(last, value or None), ...] ending at hi."""
    node = Node(MAPLE_LEAF_64)
    end = len(ranges) - 1
    for i, (last, value) in enumerate(ranges):
        if i < 15:
            node.pivots[i] = last
        node.slots[i] = value
    assert ranges[-1][0] == hi
    if end < 15:
        node.meta_end = end
    return node


def leaf_gap(node, lo, hi):
    gap, start = 0, lo
    for i in range(16):
        stop = node.pivots[i] if i < 15 else hi
        if node.slots[i] is None:
            gap = max(gap, stop - start + 1)
        if stop >= hi:
            return gap
        start = stop + 1
    return gap


def internal(children, spans, mtype=MAPLE_ARANGE_64):
    """An internal node over the children, whose (lo, hi) are in spans."""
    node = Node(mtype)
    end = len(children) - 1
    for i, (child, (lo, hi)) in enumerate(zip(children, spans, strict=True)):
        if i < len(node.pivots):
            node.pivots[i] = hi
        node.slots[i] = child
        child.parent = node
        child.parent_slot = i
        if mtype == MAPLE_ARANGE_64:
            if child.type == MAPLE_ARANGE_64:
                node.gaps[i] = child.gaps[child.meta_gap]
            else:
                node.gaps[i] = leaf_gap(child, lo, hi)
    node.meta_end = end
    if mtype == MAPLE_ARANGE_64:
        best = max(range(end + 1), key=lambda k: (node.gaps[k], k))
        node.meta_gap = best
    return node


def two_level_tree(alloc=True, middle=8):
    """Three leaves under one root: [0, 99], [100, 199] (middle entries), [200, MAX]."""
    def entries(lo, hi, count):
        step = (hi - lo + 1) // count
        out = []
        for k in range(count):
            last = hi if k == count - 1 else lo + step * (k + 1) - 1
            out.append((last, k + 1 if k % 2 == 0 else None))
        if out[-1][1] is None:
            out[-1] = (hi, 99)
        return out

    spans = [(0, 99), (100, 199), (200, ULONG_MAX)]
    leaves = [leaf(0, 99, entries(0, 99, 8)), leaf(100, 199, entries(100, 199, middle)),
              leaf(200, ULONG_MAX, [(209, 5), (ULONG_MAX, None)])]
    root = internal(leaves, spans, MAPLE_ARANGE_64 if alloc else MAPLE_RANGE_64)
    tree = Tree(alloc=alloc)
    tree.root = root
    root.parent = tree
    tree.flags |= 2 << MT_FLAGS_HEIGHT_OFFSET
    return tree, root, leaves


def checks(tree, strict=False):
    return {v.check for v in validate(tree, strict=strict)}


@pytest.mark.parametrize("alloc", [True, False])
def test_hand_built_tree_is_clean(alloc):
    tree, _root, _leaves = two_level_tree(alloc)
    assert validate(tree, strict=True) == []


def test_small_middle_leaf_is_too_small_but_rightmost_is_not():
    tree, _root, _leaves = two_level_tree(middle=4)
    problems = validate(tree)
    assert [(v.check, v.path, v.node_range) for v in problems] == \
        [("node_too_small", (1,), (100, 199))]
    # the rightmost leaf has end 1 (< 6) and is not flagged
    assert tree.root.slots[2].meta_end == 1


def test_pivot_faults():
    tree, _root, leaves = two_level_tree()
    leaves[0].pivots[2], leaves[0].pivots[3] = leaves[0].pivots[3], leaves[0].pivots[2]
    assert "pivot_order" in checks(tree)
    tree, _root, leaves = two_level_tree()
    leaves[1].pivots[0] = 50
    assert "pivot_below_min" in checks(tree)
    tree, _root, leaves = two_level_tree()
    leaves[0].pivots[7] = 120                # the last pivot misses the node max 99
    got = checks(tree)
    assert {"pivot_beyond_max", "missing_pivot", "data_end"} <= got


def test_stale_data_past_the_end():
    tree, _root, leaves = two_level_tree()
    leaves[1].slots[10] = 77
    assert checks(tree) == {"stale_slot"}
    tree, _root, leaves = two_level_tree()
    leaves[1].pivots[11] = 150
    assert checks(tree) == {"stale_pivot"}


def test_metadata_end_disagrees_with_pivots():
    tree, _root, leaves = two_level_tree()
    leaves[0].meta_end = 6
    problems = validate(tree)
    assert [v.check for v in problems] == ["data_end"]
    assert problems[0].node_range == (0, 99) and problems[0].path == (0,)


def test_parent_and_child_pointers():
    tree, root, leaves = two_level_tree()
    leaves[1].parent_slot = 2
    # seen from the parent (child_slot), from the child (parent_slot: slot 2 holds
    # another leaf; duplicate_child: slot 1 holds this one) and by the gap check,
    # which reads the parent's gap at the wrong slot
    assert checks(tree) == {"child_slot", "parent_slot", "duplicate_child", "gap_mismatch"}
    tree, root, leaves = two_level_tree()
    other = Node(MAPLE_ARANGE_64)
    leaves[2].parent = other
    assert "child_parent" in checks(tree)
    tree, root, leaves = two_level_tree()
    root.slots[5] = leaves[0]                # a stale copy past the end
    assert {"duplicate_child", "stale_slot"} <= checks(tree)


def test_missing_child():
    tree, root, leaves = two_level_tree(alloc=False)
    root.slots[1] = None
    problems = [v for v in validate(tree) if v.check == "missing_child"]
    assert len(problems) == 1 and problems[0].path == ()


def test_gap_faults():
    tree, root, leaves = two_level_tree()
    root.gaps[0] += 1
    assert "gap_mismatch" in checks(tree)
    tree, root, leaves = two_level_tree()
    root.meta_gap = 0 if root.meta_gap else 1
    assert checks(tree) == {"gap_not_largest"}
    tree, root, leaves = two_level_tree()
    root.meta_gap = 5
    assert {"gap_offset", "gap_not_largest"} <= checks(tree)
    tree, root, leaves = two_level_tree()
    root.gaps[6] = 3
    assert checks(tree) == {"gap_beyond_end"}
    tree, root, leaves = two_level_tree()
    root.gaps[1] = 1000
    assert "gap_too_large" in checks(tree)


def test_plain_trees_skip_gap_checks():
    tree, root, leaves = two_level_tree(alloc=False)
    leaves[0].slots[1] = 5                   # removes a NULL: gaps would change
    assert validate(tree) == []


def test_sequential_nulls_across_leaves():
    tree, root, leaves = two_level_tree()
    leaves[0].slots[7] = None                # leaf 0 now ends with NULL ...
    leaves[1].slots[0] = None                # ... and leaf 1 starts with NULL
    problems = [v for v in validate(tree) if v.check == "sequential_nulls"]
    assert any(v.path == (1,) and "previous leaf" in v.message for v in problems)
    assert "non_rightmost_leaf_ends_null" in checks(tree, strict=True)
    assert "non_rightmost_leaf_ends_null" not in checks(tree)


def test_dead_node_is_flagged():
    tree, root, leaves = two_level_tree()
    leaves[1].parent = leaves[1]
    assert "dead_node" in checks(tree)


def test_strict_extras_are_marked_non_kernel():
    tree, root, leaves = two_level_tree()
    tree.flags &= ~(0x1F << MT_FLAGS_HEIGHT_OFFSET)
    tree.flags |= 3 << MT_FLAGS_HEIGHT_OFFSET
    assert validate(tree) == []
    extra = validate(tree, strict=True)
    assert {v.check for v in extra} == {"height_mismatch"}
    assert all(v.kernel is False for v in extra)


def test_every_fault_is_collected():
    tree, root, leaves = two_level_tree()
    leaves[0].slots[12] = 1
    leaves[1].slots[12] = 2
    leaves[2].pivots[9] = 7
    paths = {v.path for v in validate(tree)}
    assert paths == {(0,), (1,), (2,)}


def test_violation_is_a_frozen_readable_record():
    tree, root, leaves = two_level_tree()
    leaves[1].slots[10] = 77
    (v,) = validate(tree)
    assert isinstance(v, Violation)
    assert str(v).startswith("stale_slot: ") and "100-199" in str(v) and "(1,)" in str(v)
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.check = "other"


def test_empty_and_root_entry_trees_are_clean():
    t = MapleTree()
    assert t.validate() == []
    t.store(0, 0, 7)
    assert t.validate() == []
    assert validate(t) == []                 # a MapleTree is accepted too
