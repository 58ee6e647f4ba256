# SPDX-License-Identifier: GPL-2.0-or-later
"""Bad input gets an error of the project's hierarchy that names the problem, and
leaves the tree as it was (layout and ledger); the next valid op still works.

Covers the facade (MapleTree, its bulk loader), the core's __mt_dup checks and the
op-script replayer (every op's argument errors, unknown ops, bulk-state rules).
"""

import pytest

from mapletree_edu import (
    ULONG_MAX,
    BulkModeError,
    InvalidArgumentError,
    InvalidEntryError,
    InvalidRangeError,
    MapleTree,
    MapleTreeError,
    OutOfMemoryError,
    ReplayError,
)
from mapletree_edu.core.dup import mtree_dup
from mapletree_edu.core.node import Node
from mapletree_edu.replay import Replayer, parse_line


def sample_tree(alloc=True):
    """Height 2 with a few leaves, some gaps."""
    t = MapleTree(alloc=alloc)
    for i in range(40):
        t.store(i * 10, i * 10 + 5, i + 1)
    t.clear(100, 135)
    return t


def assert_still_works(t, before):
    """The tree is unchanged, and a following valid op does what it should."""
    assert t.to_record() == before
    t.store(1000, 1004, 4242)
    assert t.load(1002) == 4242 and t.load(1005) is None
    assert t.allocator.counters()["live"] == t.node_count


# --------------------------------------------------------------------- facade arguments

BAD_CALLS = [
    # (call, exception types, words the message must contain)
    (lambda t: t.store(20, 10, 1), (InvalidRangeError, ValueError), "greater"),
    (lambda t: t.clear(20, 10), (InvalidRangeError, ValueError), "greater"),
    (lambda t: t.store(-1, 10, 1), (InvalidRangeError, ValueError), "-1"),
    (lambda t: t.store(0, ULONG_MAX + 1, 1), (InvalidRangeError, ValueError), "outside"),
    (lambda t: t.store(2**70, 2**71, 1), (InvalidRangeError, ValueError), "outside"),
    (lambda t: t.erase(-5), (InvalidRangeError, ValueError), "-5"),
    (lambda t: t.erase(ULONG_MAX + 1), (InvalidRangeError, ValueError), "outside"),
    (lambda t: t.load(-1), (InvalidRangeError, ValueError), "-1"),
    (lambda t: t.store(1.0, 2, 1), (InvalidRangeError, ValueError), "float"),
    (lambda t: t.store("1", 2, 1), (InvalidRangeError, ValueError), "str"),
    (lambda t: t.store(1, True, 1), (InvalidRangeError, ValueError), "bool"),
    (lambda t: t.store(None, 2, 1), (InvalidRangeError, ValueError), "NoneType"),
    (lambda t: t.erase(3.5), (InvalidRangeError, ValueError), "float"),
    (lambda t: t.erase(False), (InvalidRangeError, ValueError), "bool"),
    (lambda t: t.load("0x10"), (InvalidRangeError, ValueError), "str"),
    (lambda t: t.next(-1), (InvalidRangeError, ValueError), "-1"),
    (lambda t: t.prev(1.5), (InvalidRangeError, ValueError), "float"),
    (lambda t: t.find(ULONG_MAX + 1), (InvalidRangeError, ValueError), "outside"),
    (lambda t: t.clear(0.0, 5), (InvalidRangeError, ValueError), "float"),
    (lambda t: t.store(1, 2, None), (InvalidEntryError, TypeError), "clear"),
    (lambda t: t.store(1, 2, Node(1)), (InvalidEntryError, TypeError), "node"),
]


@pytest.mark.parametrize("alloc", [True, False], ids=["alloc", "plain"])
@pytest.mark.parametrize("k", range(len(BAD_CALLS)))
def test_bad_arguments(k, alloc):
    call, types, words = BAD_CALLS[k]
    t = sample_tree(alloc)
    before = t.to_record()
    with pytest.raises(MapleTreeError) as err:
        call(t)
    assert isinstance(err.value, types)
    assert words.lower() in str(err.value).lower(), str(err.value)
    assert_still_works(t, before)


def test_bad_arguments_on_empty_and_root_entry_trees():
    for t in (MapleTree(), MapleTree(alloc=False)):
        for call, types, _words in BAD_CALLS:
            before = t.to_record()
            with pytest.raises(types):
                call(t)
            assert t.to_record() == before
        t.store(0, 0, 77)
        assert t.to_record()["root"] == "entry"
        before = t.to_record()
        with pytest.raises(InvalidEntryError):
            t.store(0, 0, None)
        assert t.to_record() == before


@pytest.mark.parametrize("fail_at", [1, 2, 3])
@pytest.mark.parametrize("rcu", [False, True], ids=["normal", "rcu"])
def test_out_of_memory_leaves_the_tree_unchanged(fail_at, rcu):
    """-ENOMEM in a split (a request of 3 nodes): the layout stays, the nodes taken
    before the failure are given back (live == nodes), later ops work."""
    t = MapleTree(rcu=rcu)
    for i in range(8):                       # a full root leaf: 16 slots
        t.store(i * 10, i * 10 + 5, i + 1)
    layout = {k: v for k, v in t.to_record().items() if k in ("height", "root", "nodes")}
    t.allocator.set_fail_at(fail_at)
    with pytest.raises(OutOfMemoryError):
        t.store(80, 85, 9)
    t.allocator.set_fail_at(None)
    rec = t.to_record()
    assert {k: v for k, v in rec.items() if k in layout} == layout
    assert rec["live"] == t.node_count == 1
    t.store(80, 85, 9)
    assert t.height == 2 and t.load(82) == 9
    assert t.allocator.counters()["live"] == t.node_count


def test_out_of_memory_in_a_new_root():
    t = MapleTree()
    t.store(0, 10, 1)
    t.allocator.set_fail_at(1)
    with pytest.raises(OutOfMemoryError):
        t.store(0, ULONG_MAX, 2)
    t.allocator.set_fail_at(None)
    assert list(t) == [(0, 10, 1)] and t.allocator.counters()["live"] == t.node_count


# --------------------------------------------------------------------- dup (core)

def test_dup_into_non_empty_tree_is_einval():
    src = sample_tree()
    dst = MapleTree()
    dst.store(5, 6, 55)
    before_src, before_dst = src.to_record(), dst.to_record()
    with pytest.raises(InvalidArgumentError, match="not empty"):
        mtree_dup(src.core, dst.core)
    assert src.to_record() == before_src and dst.to_record() == before_dst
    assert_still_works(src, before_src)


@pytest.mark.parametrize("alloc, rcu", [(False, False), (True, True)])
def test_dup_with_different_flags_is_einval(alloc, rcu):
    src = sample_tree()
    dst = MapleTree(alloc=alloc, rcu=rcu, allocator=src.allocator)
    before = src.to_record()
    with pytest.raises(InvalidArgumentError, match="flags"):
        mtree_dup(src.core, dst.core)
    assert dst.to_record()["root"] == "empty"
    assert_still_works(src, before)


# --------------------------------------------------------------------- bulk misuse

def test_bulk_needs_an_empty_tree():
    t = sample_tree()
    before = t.to_record()
    with pytest.raises(BulkModeError, match="empty"):
        with t.bulk(10):
            pass
    assert_still_works(t, before)


def test_bulk_refused_in_rcu_mode():
    t = MapleTree(rcu=True)
    before = t.to_record()
    with pytest.raises(BulkModeError, match="RCU"):
        with t.bulk(10):
            pass
    assert t.to_record() == before
    t.rcu = False
    with t.bulk(3) as b:
        b.store(10, 20, 1)
    assert list(t) == [(10, 20, 1)]


@pytest.mark.parametrize("expected", [-1, 1.5, "3", True, ULONG_MAX + 1])
def test_bulk_expected_count_checked(expected):
    t = MapleTree()
    with pytest.raises((InvalidRangeError, ValueError)):
        with t.bulk(expected):
            pass
    assert t.allocator.counters() == {"allocs": 0, "frees": 0, "live": 0, "alloc_calls": 0}


@pytest.mark.parametrize("first, last, words", [
    (5, 8, "ascend"), (15, 30, "ascend"), (20, 25, "ascend"), (40, 30, "greater"),
    (-1, 3, "-1"), (50, 2.0, "float")])
def test_bulk_store_order_and_ranges(first, last, words):
    t = MapleTree()
    with t.bulk(10) as b:
        b.store(10, 20, 1)
        before = t.to_record()
        with pytest.raises(MapleTreeError) as err:
            b.store(first, last, 2)
        assert words in str(err.value)
        assert t.to_record() == before
        b.store(100, 110, 3)
    assert list(t) == [(10, 20, 1), (100, 110, 3)]
    assert t.allocator.counters()["live"] == t.node_count


@pytest.mark.parametrize("what", ["store", "clear", "erase", "dup", "rcu", "destroy",
                                  "nested bulk"])
def test_tree_ops_refused_while_bulk_active(what):
    t = MapleTree()
    calls = {"store": lambda: t.store(1, 2, 3), "clear": lambda: t.clear(1, 2),
             "erase": lambda: t.erase(10), "dup": lambda: t.dup(),
             "rcu": lambda: setattr(t, "rcu", True), "destroy": lambda: t.destroy(),
             "nested bulk": lambda: t.bulk(5).__enter__()}
    with t.bulk(10) as b:
        b.store(10, 20, 1)
        before = t.to_record()
        with pytest.raises(BulkModeError, match="bulk"):
            calls[what]()
        assert t.to_record() == before
        b.store(30, 40, 2)
    assert list(t) == [(10, 20, 1), (30, 40, 2)]
    assert not t.rcu
    assert_still_works(t, t.to_record())


def test_bulk_left_by_an_exception_still_runs_mas_destroy():
    t = MapleTree()
    with pytest.raises(RuntimeError):
        with t.bulk(100) as b:
            for i in range(30):
                b.store(i * 10, i * 10 + 5, i)
            assert t.allocator.counters()["live"] > t.node_count
            raise RuntimeError("interrupted")
    assert b.closed and not b.in_bulk
    assert t.allocator.counters()["live"] == t.node_count
    with pytest.raises(BulkModeError, match="ended"):
        b.store(1000, 1001, 1)
    assert_still_works(t, t.to_record())


# --------------------------------------------------------------------- replay lines

BAD_LINES = [
    ("store 1 2", "store FIRST LAST V"), ("store 1 2 3 4", "store FIRST LAST V"),
    ("store a 2 3", "FIRST"), ("store 1 -2 3", "LAST"), ("store 1 2 0x3", "V"),
    ("store 1 18446744073709551616 3", "larger"), ("store 5 4 1", "greater"),
    ("store 1.5 2 3", "FIRST"), ("erase", "erase N"), ("erase 1 2", "erase N"),
    ("erase x", "N"), ("erase 18446744073709551616", "larger"), ("bulk", "bulk N"),
    ("bulk -3", "N"), ("tree", "tree alloc|plain"), ("tree foo", "tree alloc|plain"),
    ("tree alloc xyz", "tree alloc|plain"), ("tree alloc rcu more", "tree alloc|plain"),
    ("dump 1", "no arguments"), ("dup now", "no arguments"), ("rcu_on 1", "no arguments"),
    ("bulk_end x", "no arguments"), ("bstore 1 2", "bstore FIRST LAST V"),
    ("bstore_reset 3 2 1", "greater"), ("frobnicate 1", "unknown op"),
    ("STORE 1 2 3", "unknown op"),
]


@pytest.mark.parametrize("text, words", BAD_LINES, ids=[t for t, _w in BAD_LINES])
def test_malformed_replay_lines(text, words):
    with pytest.raises(ReplayError) as err:
        parse_line(text, 7)
    assert err.value.line == 7 and "line 7" in str(err.value)
    assert words in err.value.message, err.value.message
    assert isinstance(err.value, (MapleTreeError, ValueError))


def run_until_error(script):
    """Replay a script whose last line is bad: records before it, the error, the
    tree's record before the bad line, and the replayer."""
    rp = Replayer()
    records = []
    n = len(script.splitlines())
    before = rp.tree.to_record()
    with pytest.raises(ReplayError) as err:
        for line, rec, _op in rp.run(script):
            if rec is not None:
                records.append(rec)
            if line == n - 1:
                before = rp.tree.to_record()
    return records, err.value, before, rp


SEMANTIC = [
    # script (the last line is refused), words of the message. Bulk-mode misuse (a bulk
    # load in RCU mode, on a non-empty tree, overlapping bstores) is not refused: the
    # replay runs it as the kernel does (tests/test_golden_read.py)
    ("tree alloc\ndump\nbstore 1 2 3", "bulk"),
    ("tree alloc\ndump\nbstore_reset 1 2 3", "bulk"),
    ("tree alloc\ndump\nbulk_end", "bulk"),
    ("tree alloc\ndump\nbulk 5\nstore 1 2 3", "bulk"),
    ("tree alloc\ndump\nbulk 5\nerase 1", "bulk"),
    ("tree alloc\ndump\nbulk 5\nbstore 1 2 3\ndup", "bulk"),
    ("tree alloc\ndump\nbulk 5\nrcu_on", "bulk"),
    ("tree alloc\ndump\nbulk 5\nrcu_off", "bulk"),
    ("tree alloc\ndump\nbulk 5\ntree plain", "bulk"),
    ("tree alloc\ndump\nbulk 5\nbulk 5", "bulk"),
    ("tree plain\nstore 5 6 1\ndump\nstore 9 8 1", "greater"),
]


@pytest.mark.parametrize("script, words", SEMANTIC,
                         ids=[s.split("\n", 2)[-1].replace("\n", "; ") for s, _w in SEMANTIC])
def test_replay_op_not_allowed(script, words):
    records, err, before, rp = run_until_error(script)
    n = len(script.splitlines())
    assert err.line == n and f"line {n}" in str(err)
    assert words.lower() in str(err).lower(), str(err)
    dump_line = script.splitlines().index("dump") + 1
    assert [r["line"] for r in records] == [dump_line], "records before the error stand"
    assert rp.tree.to_record() == before, "the refused op changed nothing"
    follow = ["bulk_end", "store 500 600 9"] if rp.loader is not None else ["store 500 600 9"]
    for k, op_text in enumerate(follow, start=n + 1):
        rp.apply(*parse_line(op_text, k), k)
    assert rp.tree.load(550) == 9
    assert rp.tree.allocator.counters()["live"] == rp.tree.node_count
