# SPDX-License-Identifier: GPL-2.0-or-later
"""Port of the kernel's check_forking (lib/test_maple_tree.c), both forms.

The source tree holds 135 entries [i*10, i*10+5] = i for i = 0..134 (the kernel's
``nr_entries`` is 134 and its loop runs to it inclusive) in an allocation-range tree.

- v6.8 form: ``__mt_dup`` into an empty tree, then an exact-fit store of every entry,
  then ``mt_validate``.
- pre-6.8 form: ``mas_expected_entries(134)`` on an empty tree and a bulk store of
  every entry, then ``mas_destroy`` and ``mt_validate``.

Expected layouts are the ground-truth vectors of the v6.8 reference (section 8 D/E)
and the preallocation formula of its section 3.1; none is computed by the model.
"""

import pytest

from mapletree_edu import MapleTree
from mapletree_edu.debug.walker import walk
from mapletree_edu.fork import Vma, build_mm_tree, fork_pre68, fork_v68, tree_shape
from mapletree_edu.stats import counting

NR_ENTRIES = 134                     # the kernel test's nr_entries; 135 entries are stored
ENTRIES = range(NR_ENTRIES + 1)

# Reference section 8 D: the normal-append source, its bulk copy and its dup.
SOURCE_LEAVES = [15] + [16] * 15 + [15]
SOURCE_HEIGHT = 3
SOURCE_NODES = 20
ROOT_PIVOT = 715                     # the root's first child covers [0, 715]
# Reference section 8 E: dup, then NULL-store every third entry (v2, v5, ...).
DONTCOPY_LEAVES = [11, 10, 14, 8, 10, 14, 8, 10, 14, 8, 10, 14, 8, 10, 14, 8, 9]
DONTCOPY_ROOT_PIVOT = 735
DONTCOPY_FIRST_LEAF = [(0, 5, 0), (6, 9, None), (10, 15, 1), (16, 29, None), (30, 35, 3),
                       (36, 39, None), (40, 45, 4), (46, 59, None), (60, 65, 6),
                       (66, 69, None), (70, 75, 7)]
BULK_SKIP_LEAVES = 12
BULK_SKIP_NODES = 15


def dontcopy(i):
    return i % 3 == 2


def build_source():
    t = MapleTree(alloc=True)
    for i in ENTRIES:
        t.store(i * 10, i * 10 + 5, i)
    return t


def leaf_sizes(tree):
    return [v.end + 1 for v in walk(tree.core.root) if v.node.type < 2]


def layout(tree):
    """The layout fields of the dump record (no ledger)."""
    rec = tree.to_record()
    return {k: rec[k] for k in ("height", "root", "nodes", "node_count")}


def root_children(tree):
    visits = list(walk(tree.core.root))
    return [v for v in visits if v.depth == 1]


def validate_clean(tree):
    pytest.importorskip("mapletree_edu.debug.validate",
                        reason="mapletree_edu/debug/validate.py (MapleTree.validate) missing")
    problems = tree.validate()
    assert not problems, [str(p) for p in problems]


def expected_entries_request(nr, nonleaf_cap):
    """Reference section 3.1, written out independently of the model."""
    n = max(nr, 2 * nr + 1)
    leaves = -(-n // 14)
    return leaves + -(-leaves // nonleaf_cap) + 3


def test_check_forking_source_layout():
    t = build_source()
    assert t.height == SOURCE_HEIGHT
    assert t.node_count == SOURCE_NODES
    assert leaf_sizes(t) == SOURCE_LEAVES
    root = t.to_record()["nodes"][0]
    assert root["end"] == 1                              # two children
    assert root["pivots"][0] == ROOT_PIVOT
    left, right = root_children(t)
    assert (left.end + 1, right.end + 1) == (9, 8)       # 9 + 8 leaves
    assert (left.min, left.max, right.min) == (0, ROOT_PIVOT, ROOT_PIVOT + 1)


def test_check_forking_v68_dup_and_replace_all():
    src = build_source()
    before = layout(src)
    c0 = src.allocator.counters()
    new = src.dup()
    c1 = src.allocator.counters()
    internal = sum(1 for v in walk(src.core.root) if v.node.type >= 2)
    assert c1["allocs"] - c0["allocs"] == SOURCE_NODES
    assert c1["alloc_calls"] - c0["alloc_calls"] == 1 + internal
    assert c1["frees"] == c0["frees"]
    assert layout(new) == before
    # mas_for_each over the new tree + mas_store of each entry: exact fits
    for first, last, entry in list(new.ranges()):
        new.store(first, last, entry)
    c2 = src.allocator.counters()
    assert c2 == c1                                       # no allocation, no free
    assert layout(new) == before                          # node for node
    assert layout(src) == before                          # source untouched
    src_nodes = {id(v.node) for v in walk(src.core.root)}
    assert not src_nodes & {id(v.node) for v in walk(new.core.root)}


def test_check_forking_v68_validate():
    src = build_source()
    new = src.dup()
    for first, last, entry in list(new.ranges()):
        new.store(first, last, entry)
    validate_clean(new)
    validate_clean(src)


@pytest.mark.parametrize("announced", [NR_ENTRIES, NR_ENTRIES + 1])
def test_check_forking_pre68_bulk_copy(announced):
    src = build_source()
    new = MapleTree(alloc=True)
    c0 = new.allocator.counters()
    with new.bulk(announced) as b:
        pre = new.allocator.counters()
        assert pre["allocs"] - c0["allocs"] == expected_entries_request(announced, 8) == 26
        assert pre["alloc_calls"] - c0["alloc_calls"] == 2          # 1 + bulk(25)
        for first, last, entry in src.ranges():
            b.store(first, last, entry)
        assert new.allocator.counters()["allocs"] == pre["allocs"]  # nothing more taken
    c1 = new.allocator.counters()
    assert new.height == SOURCE_HEIGHT
    assert new.node_count == SOURCE_NODES
    assert leaf_sizes(new) == SOURCE_LEAVES
    assert [v.end + 1 for v in root_children(new)] == [7, 10]
    assert c1["frees"] - c0["frees"] == 26 - SOURCE_NODES
    assert c1["live"] - c0["live"] == SOURCE_NODES
    assert list(new.ranges()) == list(src.ranges())
    validate_clean(new)


def test_check_forking_dontcopy_v68_null_stores():
    src = build_source()
    new = src.dup()
    with counting(new) as c:
        for first, last, entry in list(new.ranges()):
            if dontcopy(entry):
                new.clear(first, last)
            else:
                new.store(first, last, entry)
    assert leaf_sizes(new) == DONTCOPY_LEAVES
    assert new.node_count == SOURCE_NODES
    assert new.height == SOURCE_HEIGHT
    rec = new.to_record()
    assert rec["nodes"][0]["pivots"][0] == DONTCOPY_ROOT_PIVOT
    first_leaf = next(v for v in walk(new.core.root) if v.node.type < 2)
    assert [(lo, hi, e) for _i, lo, hi, e in first_leaf.ranges()] == DONTCOPY_FIRST_LEAF
    assert c.costs().spanning_stores >= 1             # the 715 -> 735 move
    assert [e for _f, _l, e in new.ranges()] == [i for i in ENTRIES if not dontcopy(i)]
    validate_clean(new)


def test_check_forking_dontcopy_bulk_skip():
    src = build_source()
    new = MapleTree(alloc=True)
    with new.bulk(NR_ENTRIES + 1) as b:
        for first, last, entry in src.ranges():
            if not dontcopy(entry):
                b.store(first, last, entry)
    assert len(leaf_sizes(new)) == BULK_SKIP_LEAVES
    assert new.node_count == BULK_SKIP_NODES
    validate_clean(new)


def vma_source():
    return [Vma(i * 10, i * 10 + 6, {"DONTCOPY"} if dontcopy(i) else (), f"v{i}")
            for i in ENTRIES]


def test_check_forking_through_fork_paths():
    """The same two DONTCOPY experiments through the fork lab's functions."""
    vmas = vma_source()
    v68 = fork_v68(vmas)
    assert leaf_sizes(v68.child) == DONTCOPY_LEAVES
    assert v68.child.node_count == SOURCE_NODES
    assert v68.skipped == sum(1 for i in ENTRIES if dontcopy(i))
    assert v68.copied + v68.skipped == len(ENTRIES)
    pre = fork_pre68(vmas)
    assert len(leaf_sizes(pre.child)) == BULK_SKIP_LEAVES
    assert pre.child.node_count == BULK_SKIP_NODES
    assert pre.allocs == 26
    plain = [Vma(v.start, v.end, (), v.name) for v in vmas]
    same = fork_v68(plain)
    assert tree_shape(same.child) == tree_shape(build_mm_tree(plain))
    assert leaf_sizes(same.child) == SOURCE_LEAVES
