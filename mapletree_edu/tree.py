# SPDX-License-Identifier: GPL-2.0-or-later
"""MapleTree: the Pythonic facade over the model, as the kernel's normal API sits
on its advanced API.

>>> t = MapleTree()
>>> t.store(0x1000, 0x1fff, "vma")
>>> t.load(0x1800)
'vma'
>>> list(t)
[(4096, 8191, 'vma')]
>>> t.erase(0x1000)
'vma'
>>> len(t)
0
"""

from contextlib import contextmanager

from .core.bulk import mas_expected_entries
from .core.constants import MA_STATE_BULK, MT_FLAGS_USE_RCU, ULONG_MAX
from .core.dup import mtree_dup as _mtree_dup
from .core.entries import InternalEntry
from .core.gapsearch import EBUSY, EEXIST, mas_empty_area, mas_empty_area_rev
from .core.insert import mtree_alloc_range, mtree_alloc_rrange, mtree_insert_range
from .core.iterate import mas_next, mas_prev, mt_find
from .core.node import Node
from .core.pool import PreallocExhausted
from .core.read import mtree_load
from .core.state import MaState, Tree, count_subtree
from .core.tracer import NULL_TRACER
from .core.write import mas_destroy, mas_store, mtree_erase, mtree_store_range
from .errors import (
    BulkModeError,
    EntryExistsError,
    InvalidArgumentError,
    InvalidEntryError,
    InvalidRangeError,
    NoSpaceError,
)


def check_index(value, what="index"):
    """An index must be an int in [0, 2**64 - 1]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRangeError(f"{what} must be an integer, not {type(value).__name__} "
                                f"({value!r})")
    if value < 0 or value > ULONG_MAX:
        raise InvalidRangeError(f"{what} {value} is outside [0, 2**64 - 1]")
    return value


def check_range(first, last):
    if not (first.__class__ is int and last.__class__ is int and 0 <= first <= last <= ULONG_MAX):
        check_index(first, "first")
        check_index(last, "last")
    if first > last:
        raise InvalidRangeError(f"first {first:#x} is greater than last {last:#x}")


def check_entry(entry):
    if entry is None:
        raise InvalidEntryError("None is NULL: use erase() or clear() to remove a range")
    if isinstance(entry, Node):
        raise InvalidEntryError("a maple node cannot be stored as an entry")
    return entry


class MapleTree:
    """A maple tree of Linux v6.8: ``alloc=True`` for the mm's gap-tracking kind
    (arange_64 internal nodes), ``alloc=False`` for a plain tree (range_64);
    ``rcu=True`` for RCU mode (nodes are replaced instead of changed in place).

    Entries are any Python objects except None, which is NULL.
    """

    def __init__(self, alloc=True, rcu=False, allocator=None, tracer=None):
        self._tree = Tree(alloc=alloc, rcu=rcu, allocator=allocator, tracer=tracer)
        self._bulk = None
        # write generation: bumped by every change made through this facade, so that
        # a Cursor can tell that the tree changed under it
        self._gen = 0

    def _changed(self):
        """Note a change to the tree (cursors holding a node become stale)."""
        self._gen += 1

    # --- properties ---------------------------------------------------------
    @property
    def core(self):
        """The core tree (struct maple_tree) under this facade."""
        return self._tree

    @property
    def alloc(self):
        return self._tree.is_alloc

    @property
    def rcu(self):
        return self._tree.in_rcu

    @rcu.setter
    def rcu(self, on):
        """mt_set_in_rcu() / mt_clear_in_rcu()."""
        self._check_not_bulk("changing RCU mode")
        self._gen += 1
        if on:
            self._tree.flags |= MT_FLAGS_USE_RCU
        else:
            self._tree.flags &= ~MT_FLAGS_USE_RCU

    @property
    def height(self):
        return self._tree.height

    @property
    def allocator(self):
        return self._tree.allocator

    @property
    def tracer(self):
        return self._tree.tracer

    @tracer.setter
    def tracer(self, tracer):
        self._tree.tracer = tracer if tracer is not None else NULL_TRACER

    @contextmanager
    def tracing(self, tracer):
        """Attach ``tracer`` for the block and put the previous one back afterwards
        (``None``: leave the tracer as it is). Trees made by ``dup()`` inside the block
        keep the tracer they were made with."""
        old = self.tracer
        if tracer is not None:
            self.tracer = tracer
        try:
            yield tracer
        finally:
            self.tracer = old

    @property
    def node_count(self):
        root = self._tree.root
        return count_subtree(root) if root.__class__ is Node else 0

    def _check_not_bulk(self, what):
        if self._bulk is not None:
            raise BulkModeError(f"{what} is not allowed while a bulk load is active; "
                                "only the bulk state's store(), to_record() and dump() are")

    # --- the normal API --------------------------------------------------------
    def store(self, first, last, entry):
        """mtree_store_range(): store entry over [first, last]."""
        if self._bulk is not None:
            self._check_not_bulk("store()")
        # the common case of check_range()/check_entry() tested inline; else they raise
        if not (first.__class__ is int and last.__class__ is int
                and 0 <= first <= last <= ULONG_MAX):
            check_range(first, last)
        if entry is None or isinstance(entry, Node):
            check_entry(entry)
        self._gen += 1
        mtree_store_range(self._tree, first, last, entry)

    def clear(self, first, last):
        """mtree_store_range() with NULL: remove whatever is in [first, last]."""
        self._check_not_bulk("clear()")
        check_range(first, last)
        self._gen += 1
        mtree_store_range(self._tree, first, last, None)

    def erase(self, index):
        """mtree_erase(): remove the whole range holding index; return its entry."""
        self._check_not_bulk("erase()")
        check_index(index)
        self._gen += 1
        return mtree_erase(self._tree, index)

    def insert(self, first, last, entry):
        """mtree_insert_range(): store entry over [first, last] only if every index
        there is NULL. EntryExistsError (-EEXIST) if not, InvalidRangeError (a
        ValueError, -EINVAL) for first > last; the tree is then unchanged."""
        self._check_not_bulk("insert()")
        check_range(first, last)
        check_entry(entry)
        self._gen += 1
        rc = mtree_insert_range(self._tree, first, last, entry)
        if rc == EEXIST:
            raise EntryExistsError(f"[{first:#x}, {last:#x}] is not free: an entry is already "
                                   "stored there, or the range crosses the end of the subtree "
                                   "it starts in (-EEXIST)")
        if rc:
            raise InvalidArgumentError(f"mtree_insert_range() returned {rc}")

    def alloc_range(self, size, min, max, entry, top_down=False):
        """mtree_alloc_range() (or mtree_alloc_rrange() with top_down): store entry in
        the lowest (highest) free area of size indices within [min, max]; return its
        start. NoSpaceError (-EBUSY) when there is none; ValueError (-EINVAL) for a
        plain tree or bad arguments."""
        self._check_not_bulk("alloc_range()")
        check_entry(entry)
        self._check_area_args(min, max, size)
        if not self.alloc:
            raise InvalidArgumentError("alloc_range() needs an allocation tree (alloc=True): "
                                       "a plain tree keeps no gaps (-EINVAL)")
        if top_down and self._tree.root.__class__ is not Node:
            self._no_node_rev("alloc_range(top_down=True)")
        self._gen += 1
        fn = mtree_alloc_rrange if top_down else mtree_alloc_range
        rc, start = fn(self._tree, entry, size, min, max)
        if rc == EBUSY:
            raise NoSpaceError(f"no free area of {size} indices in [{min:#x}, {max:#x}] (-EBUSY)")
        if rc:
            raise InvalidArgumentError(f"mtree_alloc_range() returned {rc}")
        return start

    def empty_area(self, min, max, size, top_down=True):
        """mas_empty_area_rev() (top_down, as mmap's search) or mas_empty_area(): the
        highest (lowest) free [first, last] of size indices within [min, max], or None
        when there is none (-EBUSY). ValueError names a bad argument (-EINVAL).

        On a tree without nodes (empty, or one entry at 0 in the root) the top-down
        search dereferences NULL in Linux v6.8: KernelCrash is raised instead."""
        self._check_area_args(min, max, size)
        if top_down and self._tree.root.__class__ is not Node:
            self._no_node_rev("empty_area(top_down=True)")
        mas = MaState(self._tree, 0, 0)
        rc = (mas_empty_area_rev if top_down else mas_empty_area)(mas, min, max, size)
        if rc == EBUSY:
            return None
        if rc:
            raise InvalidArgumentError(f"mas_empty_area() returned {rc}")
        return (mas.index, mas.last)

    @staticmethod
    def _check_area_args(mn, mx, size):
        check_index(mn, "min")
        check_index(mx, "max")
        check_index(size, "size")
        if mn > mx:
            raise InvalidRangeError(f"min {mn:#x} is greater than max {mx:#x} (-EINVAL)")
        if size == 0:
            raise InvalidRangeError("size 0: an area has at least one index (-EINVAL)")
        if mx - mn < size - 1:
            raise InvalidRangeError(f"the window [{mn:#x}, {mx:#x}] holds {mx - mn + 1} "
                                    f"indices, fewer than size {size} (-EINVAL)")

    def _no_node_rev(self, what):
        from .errors import KernelCrash
        state = "empty" if self._tree.root is None else "holds only a root entry at index 0"
        raise KernelCrash(f"{what} on a tree that {state}: mas_empty_area_rev() reads the "
                          "root node's end before it checks for an empty tree, and Linux "
                          "v6.8 dereferences a NULL node there")

    def load(self, index):
        """mtree_load(): the entry at index, or None."""
        if not (index.__class__ is int and 0 <= index <= ULONG_MAX):
            check_index(index)
        return mtree_load(self._tree, index)

    def __getitem__(self, index):
        return self.load(index)

    def ranges(self, include_null=False):
        """Every (first, last, entry) in index order; NULL ranges too if asked."""
        root = self._tree.root
        if root is None:
            if include_null:
                yield (0, ULONG_MAX, None)
            return
        if root.__class__ is not Node:
            yield (0, 0, root)
            if include_null:
                yield (1, ULONG_MAX, None)
            return
        yield from _leaf_ranges(root, 0, ULONG_MAX, include_null)

    def __iter__(self):
        return self.ranges()

    def __len__(self):
        return sum(1 for _ in self.ranges())

    def items(self, first=0, last=ULONG_MAX, reverse=False):
        """Iterate (first, last, entry) of the entries that meet [first, last], with
        mas_find() (mas_find_rev() when reverse), as for_each_vma() does: an entry
        holding ``first`` (``last`` when reverse) comes whole.

        A change to the tree during the iteration raises StaleCursorError, except in
        RCU mode, where the walk goes on as an RCU reader's does (see Cursor)."""
        check_range(first, last)
        from .cursor import Cursor
        cur = Cursor(self, last if reverse else first)
        step = cur.find_rev if reverse else cur.find
        limit = first if reverse else last
        while True:
            entry = step(limit)
            if entry is None:
                return
            yield (cur.index, cur.last, entry)

    def cursor(self, index=0):
        """A Cursor: one maple state at index (status start), with the kernel's
        walk/find/next/prev/pause as methods."""
        from .cursor import Cursor
        return Cursor(self, index)

    def next(self, index, limit=ULONG_MAX):
        """mt_next(): the first entry after the range holding index, starting at or
        before limit, as (first, last, entry), or None."""
        check_index(index)
        check_index(limit, "limit")
        mas = MaState(self._tree, index, index)
        entry = mas_next(mas, limit)
        return None if entry is None else (mas.index, mas.last, entry)

    def prev(self, index, limit=0):
        """mt_prev(): the last entry before the range holding index, ending at or
        after limit, as (first, last, entry), or None."""
        check_index(index)
        check_index(limit, "limit")
        mas = MaState(self._tree, index, index)
        entry = mas_prev(mas, limit)
        return None if entry is None else (mas.index, mas.last, entry)

    def find(self, index, max=ULONG_MAX):
        """mt_find(): the first entry whose range ends at or after index and starts at
        or before max, as (first, last, entry), or None (XA_ZERO_ENTRY ranges are
        skipped, as mt_find() skips them)."""
        if not (index.__class__ is int and 0 <= index <= ULONG_MAX):
            check_index(index)
        if not (max.__class__ is int and 0 <= max <= ULONG_MAX):
            check_index(max, "max")
        entry, _new, first, last = mt_find(self._tree, index, max)
        return None if entry is None else (first, last, entry)

    # --- duplication and bulk loads ------------------------------------------------
    def dup(self):
        """__mt_dup(): a node-for-node copy sharing the entries; self is unchanged."""
        self._check_not_bulk("dup()")
        new = MapleTree(alloc=self.alloc, rcu=self.rcu, allocator=self._tree.allocator,
                        tracer=self._tree.tracer)
        _mtree_dup(self._tree, new._tree)
        return new

    @contextmanager
    def bulk(self, expected):
        """mas_expected_entries() ... mas_destroy(): a bulk load into this empty tree."""
        self._check_not_bulk("a nested bulk()")
        check_index(expected, "expected")
        if self._tree.root is not None:
            raise BulkModeError("bulk() needs an empty tree")
        if self.rcu:
            raise BulkModeError("bulk() is not allowed in RCU mode (clear rcu first)")
        self._gen += 1
        loader = BulkLoader(self)
        mas_expected_entries(loader.mas, expected)
        self._bulk = loader
        try:
            yield loader
        finally:
            self._bulk = None
            loader.close()

    # --- tools ---------------------------------------------------------------------
    def validate(self):
        """mt_validate(): every violation found, each with its path from the root."""
        from .debug.validate import validate
        return validate(self._tree)

    def dump(self, fmt="dec"):
        """mt_dump(): the kernel-style text dump ("dec" or "hex")."""
        from .debug.dump import mt_dump
        return mt_dump(self._tree, fmt)

    def to_record(self):
        """FORMAT.md's dump record (layout and ledger); int entries only."""
        from .debug.record import tree_record
        rec = tree_record(self._tree)
        rec.update(self._tree.allocator.counters())
        return rec

    def destroy(self):
        """mtree_destroy(): free every node; the tree becomes empty."""
        self._check_not_bulk("destroy()")
        self._gen += 1
        root = self._tree.root
        if root.__class__ is Node:
            self._tree.allocator.free(count_subtree(root))
        self._tree.root = None
        self._tree.flags = self._tree.attr()

    def __repr__(self):
        kind = "alloc" if self.alloc else "plain"
        rcu = ", rcu" if self.rcu else ""
        return f"<MapleTree {kind}{rcu} height {self.height}, {self.node_count} nodes>"


def mtree_dup(src, dst):
    """mtree_dup(): copy the tree src into the empty tree dst, node for node.

    The kernel's checks: dst must be empty and of the same kind and RCU mode
    (InvalidArgumentError, its -EINVAL); OutOfMemoryError (-ENOMEM) after the partial
    copy was freed. Returns the number of nodes copied.
    """
    return _mtree_dup(src.core, dst.core)


class BulkLoader:
    """The maple state of a bulk load: ascending stores that keep their position."""

    def __init__(self, tree):
        self._owner = tree
        self.mas = MaState(tree._tree, 0, 0)
        self._last = None
        self.closed = False

    def store(self, first, last, entry, reset=False):
        """vma_iter_bulk_store(): mas_store() at [first, last]; reset=True is
        mas_set_range() first (a walk from the root)."""
        if self.closed:
            raise BulkModeError("this bulk load has ended")
        check_range(first, last)
        if entry is not None:
            check_entry(entry)
        if self._last is not None and first <= self._last:
            raise BulkModeError(f"bulk stores must ascend without overlap: [{first:#x}, "
                                f"{last:#x}] does not start after {self._last:#x}")
        mas = self.mas
        self._owner._gen += 1
        saved = (mas.copy(), mas.mas_flags)
        if reset:
            mas.set_range(first, last)
        else:
            mas.index = first
            mas.last = last
        try:
            mas_store(mas, entry)
        except PreallocExhausted:
            # Nothing was linked into the tree; the nodes taken from the pool for
            # the failed store are returned so that the ledger stays whole.
            tree = self._owner
            lost = tree.allocator.live - tree.node_count - len(mas.pool)
            if lost > 0:
                tree.allocator.free(lost)
            mas.assign(saved[0])
            mas.mas_flags = saved[1]
            raise
        self._last = last

    def to_record(self):
        return self._owner.to_record()

    def dump(self, fmt="dec"):
        return self._owner.dump(fmt)

    def close(self):
        """mas_destroy()."""
        if not self.closed:
            self.closed = True
            mas_destroy(self.mas)

    @property
    def flags(self):
        return self.mas.mas_flags

    @property
    def in_bulk(self):
        return bool(self.mas.mas_flags & MA_STATE_BULK)


def _leaf_ranges(root, mn, mx, include_null):
    from .debug.walker import walk
    for v in walk(root):
        if v.node.type >= 2:
            continue
        for _i, lo, hi, entry in v.ranges():
            if entry is not None or include_null:
                yield (lo, hi, entry)
            if hi == v.max:
                break       # a slot after the node max is dead: walks never reach it


__all__ = ["MapleTree", "BulkLoader", "InternalEntry", "mtree_dup"]
