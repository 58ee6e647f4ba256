# SPDX-License-Identifier: GPL-2.0-or-later
"""Ports of the kernel's check_seq(), check_rev_seq() and check_dfs_preorder().

tools/testing/radix-tree/maple.c inserts singletons (index i holding
xa_mk_value(i)) one at a time with mtree_insert() and counts the nodes of the
resulting tree with a pre-order walk. The expected numbers are the ones the v6.8
code gives (kernel reference §6 and §8 A): 0..1000 into a plain tree makes 73 nodes,
67 leaves (66 of 15 slots, then 12), the first leaf covering [0, 14]; the same into
an alloc tree makes 76 nodes; inserting in reverse gives the same totals. The
kernel's DFS count is nodes + 1 (74 / 77), the last step leaving the root.

mtree_insert() stores only into an empty slot; here that is store(i, i, value) after
checking that the index is empty. Index 0 goes first into the root pointer.
"""

import pytest

from mapletree_edu import MapleTree
from mapletree_edu.debug.walker import walk

MAX_INDEX = 1000


def mtree_insert(tree, index, entry):
    """mtree_insert(): -EEXIST when occupied, else a store of one index."""
    if tree.load(index) is not None:
        raise AssertionError(f"index {index} already holds {tree.load(index)!r}")
    tree.store(index, index, entry)


def seq_tree(alloc, indices):
    t = MapleTree(alloc=alloc)
    for n, i in enumerate(indices):
        mtree_insert(t, i, i)
        if n == 0 and i == 0:
            assert t.core.root == 0 and t.to_record()["root"] == "entry", \
                "the first insert at index 0 goes to the root pointer"
    return t


def dfs_preorder_count(tree):
    """mas_dfs_preorder() steps until the walk is done: one per node, plus one."""
    return sum(1 for _ in walk(tree.core.root)) + 1


def leaves_of(tree):
    return [n for n in tree.to_record()["nodes"] if n["type"] == "leaf_64"]


@pytest.mark.parametrize("alloc, nodes", [(False, 73), (True, 76)], ids=["plain", "alloc"])
def test_check_seq(alloc, nodes, helpers):
    t = seq_tree(alloc, range(0, MAX_INDEX + 1))
    rec = t.to_record()
    assert helpers.check_record(rec) == []
    assert rec["node_count"] == t.node_count == nodes
    assert t.height == 3
    leaves = leaves_of(t)
    assert [n["end"] + 1 for n in leaves] == [15] * 66 + [12]
    assert (leaves[0]["min"], leaves[0]["max"]) == (0, 14)
    assert [e for e in t] == [(i, i, i) for i in range(MAX_INDEX + 1)]
    assert rec["live"] == nodes


@pytest.mark.parametrize("alloc, nodes", [(False, 73), (True, 76)], ids=["plain", "alloc"])
@pytest.mark.parametrize("low", [1, 0], ids=["1000..1", "1000..0"])
def test_check_rev_seq(alloc, nodes, low, helpers):
    t = seq_tree(alloc, range(MAX_INDEX, low - 1, -1))
    rec = t.to_record()
    assert helpers.check_record(rec) == []
    assert t.node_count == nodes
    assert len(leaves_of(t)) == 67
    assert list(t) == [(i, i, i) for i in range(low, MAX_INDEX + 1)]


def test_check_dfs_preorder():
    """check_dfs_preorder(): 74 steps over the plain tree, 77 over the alloc trees."""
    assert dfs_preorder_count(seq_tree(False, range(0, MAX_INDEX + 1))) == 74
    assert dfs_preorder_count(seq_tree(True, range(0, MAX_INDEX + 1))) == 77
    assert dfs_preorder_count(seq_tree(True, range(MAX_INDEX, 0, -1))) == 77


def test_check_dfs_preorder_bulk(helpers):
    """The bulk part: mas_expected_entries(1000), singletons 0..1000, mas_destroy.

    Reference §8 C: 67 leaves (65 of 15, then 11 and 16), 76 nodes; the root has 8
    children holding 9 leaves each, except 7 and 6 at the end.
    """
    t = MapleTree(alloc=True)
    with t.bulk(MAX_INDEX) as b:
        for i in range(MAX_INDEX + 1):
            b.store(i, i, i)
    rec = t.to_record()
    assert helpers.check_record(rec) == []
    assert t.node_count == 76 and t.height == 3
    assert helpers.leaf_sizes(rec) == [15] * 65 + [11, 16]
    root = rec["nodes"][0]
    assert root["end"] + 1 == 8
    inner = [n["end"] + 1 for n in rec["nodes"] if n["depth"] == 1]
    assert inner == [9] * 6 + [7, 6]
    assert rec["live"] == 76, "mas_destroy frees the unused preallocated nodes"
    assert dfs_preorder_count(t) == 77
