# SPDX-License-Identifier: GPL-2.0-or-later
"""The fork lab: both ways of copying the mm's VMA tree, on real and synthetic VMAs."""

import os
from dataclasses import replace
from itertools import pairwise

import pytest

from mapletree_edu import XA_ZERO_ENTRY, InvalidArgumentError, InvalidRangeError, MapleTree
from mapletree_edu.debug.walker import walk
from mapletree_edu.fork import (
    DONTCOPY,
    PAGE_SIZE,
    WIPEONFORK,
    Vma,
    build_mm_tree,
    exit_mmap,
    fork_pre68,
    fork_v68,
    synthetic_address_space,
    tree_shape,
)
from mapletree_edu.procmaps import read_maps, read_sample

HAVE_PROC = os.path.exists("/proc/self/maps")


def validate_clean(tree):
    pytest.importorskip("mapletree_edu.debug.validate",
                        reason="mapletree_edu/debug/validate.py (MapleTree.validate) missing")
    problems = tree.validate()
    assert not problems, [str(p) for p in problems]


def entries(tree):
    return [e for _f, _l, e in tree.ranges()]


def internal_nodes(tree):
    return sum(1 for v in walk(tree.core.root) if v.node.type >= 2)


def mark_dontcopy(vmas, every):
    """Flag every `every`-th VMA (and the [vvar] page, if any) VM_DONTCOPY."""
    out = []
    for k, v in enumerate(vmas):
        if k % every == every - 1 or v.name == "[vvar]":
            v = replace(v, flags=v.flags | {DONTCOPY})
        out.append(v)
    return out


def sources():
    return [
        pytest.param(read_sample, id="sample"),
        pytest.param(lambda: synthetic_address_space(300), id="synthetic-321"),
        pytest.param(read_maps, id="proc-self",
                     marks=pytest.mark.skipif(not HAVE_PROC, reason="no /proc on this machine")),
    ]


FORKS = [pytest.param(fork_pre68, id="pre68"), pytest.param(fork_v68, id="v68")]


# ----------------------------------------------------------------- both paths


@pytest.mark.parametrize("fork", FORKS)
@pytest.mark.parametrize("get_vmas", sources())
def test_fork_copies_every_vma(fork, get_vmas):
    vmas = get_vmas()
    parent = build_mm_tree(vmas)
    before = tree_shape(parent)
    r = fork(parent)
    child = r.child
    assert r.parent_vmas == len(vmas) and r.copied == len(vmas) and r.skipped == 0
    assert entries(child) == vmas                                  # equal fields ...
    assert all(c is not p for c, p in zip(entries(child), vmas, strict=True))  # new objects
    assert [(f, la) for f, la, _e in child.ranges()] == [(v.start, v.end - 1) for v in vmas]
    assert child.rcu and child.alloc
    assert child.allocator is parent.allocator
    assert tree_shape(parent) == before and entries(parent) == vmas
    assert r.live == child.node_count
    assert r.failed_at is None and r.torn_down is None


@pytest.mark.parametrize("fork", FORKS)
@pytest.mark.parametrize("get_vmas", sources())
def test_fork_dontcopy(fork, get_vmas):
    vmas = mark_dontcopy(get_vmas(), every=4)
    kept = [v for v in vmas if not v.dontcopy]
    parent = build_mm_tree(vmas)
    r = fork(parent)
    assert r.skipped == len(vmas) - len(kept) > 0
    assert r.copied == len(kept)
    assert entries(r.child) == kept
    for v in vmas:
        if v.dontcopy:
            assert r.child.load(v.start) is None and r.child.load(v.end - 1) is None
    assert entries(parent) == vmas
    validate_clean(r.child)


@pytest.mark.parametrize("get_vmas", sources())
def test_fork_v68_child_shape_is_the_parents(get_vmas):
    parent = build_mm_tree(get_vmas())
    r = fork_v68(parent)
    assert tree_shape(r.child) == tree_shape(parent)       # node for node, entries ==
    assert r.child.height == parent.height
    parent_nodes = {id(v.node) for v in walk(parent.core.root)}
    assert not parent_nodes & {id(v.node) for v in walk(r.child.core.root)}


@pytest.mark.parametrize("get_vmas", sources())
def test_fork_v68_ledger_without_dontcopy(get_vmas):
    parent = build_mm_tree(get_vmas())
    r = fork_v68(parent)
    n = parent.node_count
    assert r.allocs == n                                   # one node per parent node
    assert r.alloc_calls == 1 + internal_nodes(parent)     # root + one bulk per internal node
    assert r.frees == 0
    assert r.live == n
    c = r.costs
    assert c.nodes_copied == n
    assert (c.splits, c.pushes, c.rebalances, c.spanning_stores) == (0, 0, 0, 0)
    # the replace pass walks root to leaf once per VMA (mtree_store_range); the dup
    # copy visits every node once
    assert c.visits == n + r.copied * parent.height


@pytest.mark.parametrize("get_vmas", sources())
def test_fork_pre68_ledger(get_vmas):
    vmas = get_vmas()
    parent = build_mm_tree(vmas)
    r = fork_pre68(parent)
    nr = len(vmas)                                         # map_count
    leaves = -(-(2 * nr + 1) // 14)                        # reference: mas_expected_entries
    request = leaves + -(-leaves // 8) + 3
    assert r.allocs == request
    assert r.alloc_calls == 1 + -(-(request - 1) // 30)
    assert r.frees == request - r.child.node_count         # bulk_end frees the rest
    assert r.live == r.child.node_count
    assert r.costs.nodes_copied == 0
    validate_clean(r.child)


@pytest.mark.parametrize("fork", FORKS)
def test_fork_events_off_and_none(fork):
    parent = build_mm_tree(synthetic_address_space(200))
    full = fork(parent)
    quiet = fork(parent, events=False)
    bare = fork(parent, events=None)
    assert tree_shape(full.child) == tree_shape(quiet.child) == tree_shape(bare.child)
    assert full.ledger == quiet.ledger == bare.ledger
    assert quiet.costs.visits == full.costs.visits
    assert quiet.costs.nodes_copied == full.costs.nodes_copied
    assert (bare.costs.visits, bare.costs.splits) == (0, 0)
    assert quiet.costs.splits == 0 and (fork is fork_v68 or full.costs.splits > 0)


def test_fork_pre68_and_v68_trees_differ_but_hold_the_same():
    parent = build_mm_tree(synthetic_address_space(1000))
    a = fork_pre68(parent)
    b = fork_v68(parent)
    assert entries(a.child) == entries(b.child)
    assert a.costs.splits > 0 and a.costs.pushes > 0       # bulk build splits and pushes
    assert b.costs.splits == 0


# ----------------------------------------------------------------- failure


@pytest.mark.parametrize("k", [0, 1, 7, 22])
def test_fork_v68_fail_at_vma(k):
    vmas = read_sample()
    parent = build_mm_tree(vmas)
    shape = tree_shape(parent)
    r = fork_v68(parent, fail_at_vma=k)
    child = r.child
    got = entries(child)
    assert got.count(XA_ZERO_ENTRY) == 1
    assert (vmas[k].start, vmas[k].end - 1, XA_ZERO_ENTRY) in list(child.ranges())
    assert child.load(vmas[k].start) is None           # mtree_load() hides the marker
    z = got.index(XA_ZERO_ENTRY)
    assert z == k
    assert got[:k] == vmas[:k] and all(c is not p for c, p in zip(got[:k], vmas[:k], strict=True))
    assert all(c is p for c, p in zip(got[k + 1:], vmas[k + 1:], strict=True))
    assert r.failed_at == k and r.copied == k and r.torn_down == k
    assert not child.rcu                               # only a successful fork sets RCU
    assert r.allocs == parent.node_count and r.frees == 0   # the marker is an exact fit
    assert tree_shape(parent) == shape
    validate_clean(child)


def test_fork_v68_fail_after_dontcopy():
    vmas = mark_dontcopy(read_sample(), every=3)
    k = 10
    r = fork_v68(build_mm_tree(vmas), fail_at_vma=k)
    skipped_before = sum(1 for v in vmas[:k] if v.dontcopy)
    assert skipped_before > 0
    assert r.skipped == skipped_before
    assert r.torn_down == r.copied == k - skipped_before
    assert entries(r.child).count(XA_ZERO_ENTRY) == 1


def test_exit_mmap_destroy_frees_the_child():
    parent = build_mm_tree(read_sample())
    live = parent.allocator.live
    r = fork_v68(parent, fail_at_vma=5)
    assert parent.allocator.live == live + r.child.node_count
    assert exit_mmap(r.child, destroy=True) == 5
    assert parent.allocator.live == live
    assert len(r.child) == 0


@pytest.mark.parametrize("bad", [-1, 23, 1.5, True])
def test_fork_v68_fail_at_vma_out_of_range(bad):
    with pytest.raises(InvalidArgumentError):
        fork_v68(read_sample(), fail_at_vma=bad)


# ----------------------------------------------------------------- inputs


def test_vma_fields_and_copy():
    v = Vma(0x1000, 0x3000, ["rd", DONTCOPY], "x")
    assert v.flags == frozenset({"rd", DONTCOPY}) and v.dontcopy and not v.wipeonfork
    assert v.last == 0x2fff and v.pages == 2
    c = v.copy()
    assert c == v and c is not v
    assert Vma(0, 1, WIPEONFORK).wipeonfork
    for bad in [(5, 5), (6, 5), (-1, 5), (0, 2**64 + 1), ("0", 5)]:
        with pytest.raises(InvalidRangeError):
            Vma(*bad)


def test_fork_accepts_tuples_and_wipeonfork():
    vmas = [(0x1000, 0x2000, {"rd"}), (0x3000, 0x5000, {WIPEONFORK}),
            (0x6000, 0x7000, {DONTCOPY})]
    for fork in (fork_pre68, fork_v68):
        r = fork(vmas)
        assert [(v.start, v.end) for v in entries(r.child)] == [(0x1000, 0x2000),
                                                                (0x3000, 0x5000)]
        assert r.copied == 2 and r.skipped == 1


def test_build_mm_tree_orders_and_overlap():
    vmas = synthetic_address_space(40)
    a = build_mm_tree(vmas)
    b = build_mm_tree(vmas, order="reverse")
    c = build_mm_tree(list(reversed(vmas)), order="given")
    assert a.rcu and a.alloc
    assert entries(a) == entries(b) == entries(c) == vmas
    assert tree_shape(b) == tree_shape(c)
    with pytest.raises(InvalidRangeError):
        build_mm_tree([(0, 0x2000), (0x1000, 0x3000)])
    with pytest.raises(InvalidArgumentError):
        build_mm_tree(vmas, order="random")


@pytest.mark.parametrize("n", [0, 1, 100, 1000])
def test_synthetic_address_space(n):
    vmas = synthetic_address_space(n)
    assert len(vmas) == 21 + n
    assert vmas == sorted(vmas, key=lambda v: v.start)
    assert all(a.end <= b.start for a, b in pairwise(vmas))
    names = {v.name for v in vmas}
    assert {"[heap]", "[stack]", "[vdso]", "[vvar]"} <= names
    assert any("libc" in x for x in names) and any("ld-linux" in x for x in names)
    anon = [v for v in vmas if v.pages == 1 and v.name == "" and "wr" in v.flags]
    added = anon[:n] if n else []
    assert all(v.end - v.start == PAGE_SIZE for v in added)
    assert all(b.start - a.end == PAGE_SIZE for a, b in pairwise(added))
    if n:
        heap = next(v for v in vmas if v.name == "[heap]")
        libc = next(v for v in vmas if "libc" in v.name)
        assert heap.end < added[0].start and added[-1].end + PAGE_SIZE == libc.start


def test_synthetic_base_is_from_the_sample():
    sample = {(v.start, v.end): v for v in read_sample()}
    base = synthetic_address_space(0)
    assert all((v.start, v.end) in sample and sample[(v.start, v.end)] == v for v in base)


def test_fork_leaves_other_trees_alone():
    parent = build_mm_tree(read_sample())
    other = MapleTree(alloc=True, allocator=parent.allocator)
    other.store(1, 2, "x")
    r = fork_v68(parent)
    assert list(other.ranges()) == [(1, 2, "x")]
    assert r.allocs == parent.node_count


# ----------------------------------------------------------------- where dup_mmap() fails
# v6.8 kernel/fork.c dup_mmap(): a failure before a VMA's store marks that VMA; a
# copy_page_range() failure comes after the store and map_count++, so the marker goes on
# the next VMA (vma_next()); with no next VMA, or when arch_dup_mmap() fails, no marker.


@pytest.mark.parametrize("k", [0, 7, 20])
def test_fork_v68_copy_page_range_failure_marks_the_next_vma(k):
    vmas = read_sample()
    parent = build_mm_tree(vmas)
    r = fork_v68(parent, fail_at_vma=k, fail_in="copy_page_range")
    got = entries(r.child)
    assert r.failed_in == "copy_page_range" and r.failed_at == k
    assert r.copied == r.map_count == k + 1               # VMA k is stored and counted
    assert got[k] == vmas[k] and got[k] is not vmas[k]    # the child's copy of VMA k
    assert r.marker_at == k + 1 and got.index(XA_ZERO_ENTRY) == k + 1
    assert (vmas[k + 1].start, vmas[k + 1].end - 1, XA_ZERO_ENTRY) in list(r.child.ranges())
    assert all(c is p for c, p in zip(got[k + 2:], vmas[k + 2:], strict=True))
    assert r.torn_down == r.map_count                     # exit_mmap()'s BUG_ON holds
    assert r.child.load(vmas[k + 1].start) is None        # mtree_load() hides the marker
    assert r.child.find(vmas[k + 1].start)[2] is got[k + 2]   # mt_find() skips it
    assert not r.child.rcu
    validate_clean(r.child)


def test_fork_v68_copy_page_range_failure_at_the_last_vma_writes_no_marker():
    vmas = read_sample()
    r = fork_v68(build_mm_tree(vmas), fail_at_vma=len(vmas) - 1, fail_in="copy_page_range")
    assert r.marker_at is None and XA_ZERO_ENTRY not in entries(r.child)
    assert r.torn_down == r.map_count == len(vmas)
    assert not r.child.rcu


def test_fork_v68_arch_dup_mmap_failure_writes_no_marker():
    vmas = read_sample()
    r = fork_v68(build_mm_tree(vmas), fail_in="arch_dup_mmap")
    assert r.failed_in == "arch_dup_mmap" and r.marker_at is None
    assert XA_ZERO_ENTRY not in entries(r.child)
    assert r.torn_down == r.map_count == r.copied == len(vmas)
    assert not r.child.rcu


def test_fork_v68_failure_at_the_first_vma_tears_down_nothing():
    r = fork_v68(build_mm_tree(read_sample()), fail_at_vma=0)
    assert r.marker_at == 0 and r.torn_down == r.map_count == 0


def test_fork_v68_copy_page_range_failure_before_a_dontcopy_vma():
    vmas = mark_dontcopy(read_sample(), every=3)
    k = next(i for i in range(len(vmas) - 1) if not vmas[i].dontcopy and vmas[i + 1].dontcopy)
    r = fork_v68(build_mm_tree(vmas), fail_at_vma=k, fail_in="copy_page_range")
    # the next VMA in the copy is the DONTCOPY one, not yet cleared: it takes the marker
    assert r.marker_at == k + 1 and entries(r.child).count(XA_ZERO_ENTRY) == 1
    assert r.torn_down == r.map_count == r.copied


@pytest.mark.parametrize("kwargs", [
    {"fail_in": "nowhere"},
    {"fail_at_vma": 3, "fail_in": "arch_dup_mmap"},
])
def test_fork_v68_bad_failure_arguments(kwargs):
    parent = build_mm_tree(read_sample())
    shape = tree_shape(parent)
    with pytest.raises(InvalidArgumentError):
        fork_v68(parent, **kwargs)
    assert tree_shape(parent) == shape


def test_fork_v68_copy_page_range_is_not_called_for_dontcopy_or_wipeonfork():
    vmas = read_sample()
    for flag in (DONTCOPY, WIPEONFORK):
        marked = list(vmas)
        marked[4] = replace(marked[4], flags=marked[4].flags | {flag})
        with pytest.raises(InvalidArgumentError, match="copy_page_range"):
            fork_v68(build_mm_tree(marked), fail_at_vma=4, fail_in="copy_page_range")
