# SPDX-License-Identifier: GPL-2.0-or-later
"""The facade's read side: find, items, cursor, empty_area, insert, alloc_range.

Errors name the problem and leave the tree unchanged; a cursor used across a write
raises instead of walking freed nodes (or, in RCU mode, walks again as the kernel's
readers do); recorded reads carry the maple state, the slot and the gap verdicts.
"""

import pytest

from mapletree_edu import MapleTree
from mapletree_edu.errors import (
    EntryExistsError,
    InvalidEntryError,
    KernelCrash,
    MapleTreeError,
    NoSpaceError,
    StaleCursorError,
)
from mapletree_edu.trace import record

ULONG_MAX = (1 << 64) - 1


def vmas(n=100, alloc=True, rcu=False):
    t = MapleTree(alloc=alloc, rcu=rcu)
    for i in range(n):
        t.store(i * 10, i * 10 + 5, i + 1)
    return t


def snapshot(t):
    return t.to_record()


# ------------------------------------------------------------------ find and items

def test_find_is_mt_find():
    t = vmas(50)
    assert t.find(0) == (0, 5, 1)
    assert t.find(6) == (10, 15, 2)
    assert t.find(6, 9) is None                 # the next entry starts above max
    assert t.find(6, 10) == (10, 15, 2)         # a range only has to start by max
    assert t.find(495) == (490, 495, 50)
    assert t.find(496) is None
    assert t.find(20, 10) is None               # index above max
    with pytest.raises(ValueError, match="max"):
        t.find(1, -1)


def test_items_forwards_backwards_and_within():
    t = vmas(30)
    assert list(t.items()) == [(i * 10, i * 10 + 5, i + 1) for i in range(30)]
    assert list(t.items(13, 41)) == [(10, 15, 2), (20, 25, 3), (30, 35, 4), (40, 45, 5)]
    assert list(t.items(13, 41, reverse=True)) == [(40, 45, 5), (30, 35, 4), (20, 25, 3),
                                                   (10, 15, 2)]
    assert list(MapleTree().items()) == []
    with pytest.raises(ValueError, match="greater"):
        list(t.items(5, 4))


def test_items_refuses_a_tree_changed_under_it():
    t = vmas(30)
    it = t.items()
    next(it)
    t.store(1000, 1010, 7)
    with pytest.raises(StaleCursorError, match="reset"):
        next(it)


def test_next_and_prev_are_the_kernels():
    t = vmas(40)
    assert t.next(12) == (20, 25, 3)
    assert t.next(12, 19) is None
    assert t.prev(22) == (10, 15, 2)
    assert t.prev(22, 16) is None


# ------------------------------------------------------------------ the cursor

def test_cursor_state_and_statuses():
    t2 = MapleTree()
    for first, last, v in ((10, 19, 1), (30, 39, 2), (40, 49, 3)):
        t2.store(first, last, v)
    c = t2.cursor(25)
    assert c.state() == {"index": 25, "last": 25, "node": None, "offset": None,
                         "status": "start"}
    assert [c.find(45), c.find(45), c.find(45)] == [2, 3, None]
    assert (c.index, c.last, c.status, c.offset) == (40, 49, "active", 4)
    assert c.prev(0) == 2 and (c.index, c.last) == (30, 39)
    c.pause()
    assert c.state()["status"] == "pause" and c.node is None
    assert c.next(100) == 3
    assert c.next(100) is None and c.status == "overflow"
    assert (c.index, c.last, c.offset) == (50, ULONG_MAX, 5)
    assert c.node == t2.core.root.serial


def test_cursor_range_forms_and_walk():
    t = MapleTree()
    t.store(10, 19, 1)
    t.store(30, 39, 2)
    c = t.cursor(25)
    assert c.walk() is None and (c.index, c.last) == (20, 29)
    c.set(25)
    assert c.find_range(100) == 2                 # skips the NULL range it starts in
    assert c.find_range(100) is None and (c.index, c.last) == (40, ULONG_MAX)
    c.set(35)
    assert c.prev_range(0) is None and (c.index, c.last) == (20, 29)
    assert c.prev_range(0) == 1
    c.set_range(0, 5)
    assert (c.index, c.last, c.status) == (0, 5, "start")
    with pytest.raises(ValueError):
        c.set_range(5, 0)


def test_cursor_across_a_write_raises_unless_reset():
    t = vmas(40)
    c = t.cursor(100)
    assert c.find() == 11
    t.store(2000, 2005, 9)
    with pytest.raises(StaleCursorError, match="reset"):
        c.next()
    c.reset()
    assert c.next() == 12                          # walks again at index, then steps
    c.pause()
    t.erase(0)
    assert c.next() == 13                          # a paused cursor may go on


def test_cursor_in_rcu_mode_walks_again_past_a_dead_node():
    """In RCU mode the writer replaces the leaf and marks the old one dead; the reader
    notices and walks again from the root, as the kernel's readers do."""
    t = vmas(40, rcu=True)
    c = t.cursor(100)
    assert c.find() == 11
    old = c.mas.node
    t.store(107, 108, 99)                          # a new leaf replaces the cursor's
    assert old.dead and c.node == old.serial
    with record(t, "next") as rec:
        got = c.next()
    assert got == 99 and (c.index, c.last) == (107, 108)
    assert [s.fn for s in rec.steps][:1] == ["mas_rewalk"]
    assert c.node != old.serial


# ------------------------------------------------------------------ gap search

def test_empty_area_both_ways():
    t = MapleTree()
    for first, last, v in ((10, 19, 1), (30, 39, 2), (40, 49, 3)):
        t.store(first, last, v)
    assert t.empty_area(0, 100, 5) == (96, 100)
    assert t.empty_area(20, 100, 10, top_down=False) == (20, 29)
    assert t.empty_area(21, 38, 10) is None        # -EBUSY
    assert MapleTree().empty_area(7, 100, 5, top_down=False) == (7, 11)


@pytest.mark.parametrize("args, words", [
    ((10, 5, 1), "greater"), ((0, 10, 0), "size 0"), ((0, 3, 5), "fewer than size"),
    ((0, 1 << 64, 1), "outside"), ((-1, 10, 1), "outside"), ((0, 10, 1.5), "integer"),
])
def test_empty_area_bad_arguments(args, words):
    t = vmas(5)
    with pytest.raises(ValueError, match=words):
        t.empty_area(*args)


def test_empty_area_rev_on_a_tree_without_nodes_names_the_kernel_crash():
    t = MapleTree()
    with pytest.raises(KernelCrash, match="NULL"):
        t.empty_area(0, 100, 5)
    t.store(0, 0, 5)
    with pytest.raises(KernelCrash, match="root entry"):
        t.empty_area(1, 100, 5)
    with pytest.raises(KernelCrash):
        t.alloc_range(5, 1, 100, 9, top_down=True)
    assert t.load(0) == 5 and t.height == 0


def test_empty_area_rev_misses_the_leftmost_subtree_at_ulong_max():
    """READ-FORMAT item 9: with MAX = ULONG_MAX the room check of the root's first slot
    wraps, so a hole only there is not found; MAX = ULONG_MAX - 1 finds it."""
    t = MapleTree()
    for i in range(10, 60):
        t.store(i * 100, i * 100 + 99, i)
    t.store(6000, ULONG_MAX, 1)
    assert t.height >= 2
    assert t.empty_area(0, ULONG_MAX, 10) is None
    assert t.empty_area(1, ULONG_MAX, 10) is None
    assert t.empty_area(0, ULONG_MAX - 1, 10) == (990, 999)
    assert t.empty_area(0, ULONG_MAX, 10, top_down=False) == (0, 9)


def test_plain_tree_of_height_two_finds_no_gap():
    """READ-FORMAT item 8."""
    t = vmas(60, alloc=False)
    assert t.height >= 2
    assert t.empty_area(0, ULONG_MAX - 1, 2) is None
    assert t.empty_area(0, 1000, 2, top_down=False) is None
    small = vmas(4, alloc=False)
    assert small.empty_area(0, 100, 2, top_down=False) == (6, 7)


# ------------------------------------------------------------------ insert and alloc

def test_insert_and_its_errors_leave_the_tree_unchanged():
    t = vmas(40)
    t.insert(6, 9, 77)
    assert t.load(7) == 77
    before = snapshot(t)
    for first, last in ((5, 8), (3, 3), (0, 400), (16, 30)):
        with pytest.raises(EntryExistsError, match="EEXIST"):
            t.insert(first, last, 1)
        assert snapshot(t) == before
    with pytest.raises(ValueError, match="greater"):
        t.insert(9, 8, 1)
    with pytest.raises(InvalidEntryError):
        t.insert(16, 17, None)
    assert snapshot(t) == before
    assert issubclass(EntryExistsError, MapleTreeError)


def test_insert_into_empty_and_root_entry_trees():
    t = MapleTree()
    t.insert(0, ULONG_MAX, 1)
    assert t.find(5) == (0, ULONG_MAX, 1)
    t = MapleTree()
    t.insert(0, 0, 3)
    with pytest.raises(EntryExistsError):
        t.insert(0, 0, 4)
    t.insert(1, 5, 4)
    assert list(t.items()) == [(0, 0, 3), (1, 5, 4)]


def test_alloc_range_and_its_errors():
    t = vmas(40)
    assert t.alloc_range(4, 0, 1000, 88) == 6
    assert t.alloc_range(4, 0, 1000, 89, top_down=True) == 997
    before = snapshot(t)
    with pytest.raises(NoSpaceError, match="EBUSY"):
        t.alloc_range(9, 0, 390, 1)
    with pytest.raises(ValueError, match="fewer than size"):
        t.alloc_range(20, 0, 10, 1)
    with pytest.raises(ValueError, match="plain"):
        vmas(5, alloc=False).alloc_range(1, 0, 100, 1)
    assert snapshot(t) == before


# ------------------------------------------------------------------ recorded steps

def test_recorded_reads_carry_the_state_the_slot_and_the_verdicts():
    t = vmas(200)
    with record(t, "load") as rec:
        t.load(333)
    assert rec.steps[0].fn == "mtree_load" and rec.steps[0].ev == "read"
    walk = [s for s in rec.steps if s.fn == "mtree_lookup_walk"]
    assert len(walk) == t.height
    assert all(set(s.details["mas"]) == {"index", "last", "node", "offset", "status"}
               for s in walk)
    assert walk[-1].details["slot"][0] == walk[-1].details["mas"]["node"]

    c = t.cursor(100)
    with record(t, "cursor") as rec:
        c.find()
        c.next()
    slots = [s for s in rec.steps if s.fn == "mas_next_slot"]
    assert slots and slots[-1].details["mas"] == c.state()

    t.clear(1000, 1099)
    with record(t, "gap") as rec:
        assert t.empty_area(0, 1500, 50) == (1050, 1099)
    pruned = [p for s in rec.steps for p in s.details.get("pruned", ())]
    assert {"skip", "enter"} <= {p[3] for p in pruned}
    assert rec.steps[-1].fn == "mas_empty_area_rev" and rec.steps[-1].details["rc"] == 0


def test_insert_records_the_write_events():
    t = vmas(10)
    with record(t, "insert") as rec:
        t.insert(7, 8, 5)
    assert [s.fn for s in rec.steps if s.ev] == ["mas_wr_node_store"]


def test_the_last_step_of_a_cursor_call_is_the_state_it_leaves():
    """A player shows the state after each step: the last one must be the state the
    call leaves, statuses included (mas_find's overflow turned back into active)."""
    t = vmas(40)
    c = t.cursor(150)
    calls = [("find", 390), ("find", 390), ("find", 390), ("find", 390), ("next", 392),
             ("prev", 0), ("prev_range", 0), ("find_rev", 200), ("next", 100),
             ("next", 395), ("prev", 394), ("find_range", 400), ("walk", None)]
    for name, arg in calls:
        with record(t, name) as rec:
            got = getattr(c, name)() if arg is None else getattr(c, name)(arg)
        assert rec.steps, name
        last = rec.steps[-1].details
        assert last["mas"] == c.state(), (name, arg)
        if name != "walk":
            assert last.get("entry") == got


def test_cursor_doctest():
    import doctest

    import mapletree_edu.cursor
    result = doctest.testmod(mapletree_edu.cursor)
    assert result.attempted > 0 and result.failed == 0
