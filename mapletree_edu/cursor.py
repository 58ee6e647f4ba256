# SPDX-License-Identifier: GPL-2.0-or-later
"""Cursor: one maple state (``struct ma_state``) over a MapleTree, with the kernel's
iteration API as methods.

>>> from mapletree_edu import MapleTree
>>> t = MapleTree()
>>> for i in range(1, 4):
...     t.store(i * 10, i * 10 + 9, i)
>>> c = t.cursor(25)
>>> c.find(45), c.index, c.last, c.status      # the entry holding 25 comes whole
(2, 20, 29, 'active')
>>> c.next(100), c.next(100), c.status
(3, None, 'overflow')

Search methods return the entry or None; ``index``/``last`` are then the range the
state is on, ``status`` its status (``start``, ``active``, ``root``, ``none``,
``pause``, ``overflow``, ``underflow``), ``node`` the serial of the node it points
at (or None) and ``offset`` its slot there.

**Across a write.** A state that holds a node must be reset (:meth:`reset`,
:meth:`set`) or paused (:meth:`pause`) before the tree changes, as in the kernel.
A cursor in ``start``, ``pause`` or ``none`` walks from the root on its next search
and may be used after a write. One in any other status raises
:class:`~mapletree_edu.errors.StaleCursorError`, with one exception: in RCU mode a
writer replaces nodes instead of changing them, marks the old ones dead, and a
reader that meets a dead node walks again from the root; a cursor on an RCU tree
does exactly that (its ``root`` status still raises, as nothing would notice a
root entry that became a node).
"""

from .core.constants import MA_NONE, MA_PAUSE, MA_ROOT, MA_START, ULONG_MAX
from .core.iterate import (
    mas_find,
    mas_find_range,
    mas_find_range_rev,
    mas_find_rev,
    mas_next,
    mas_next_range,
    mas_prev,
    mas_prev_range,
)
from .core.node import Node
from .core.read import mas_pause, mas_reset, mas_set_range, mas_walk, state_dict, status_name
from .core.state import MaState
from .errors import StaleCursorError
from .tree import check_index, check_range

_SAFE = (MA_START, MA_PAUSE, MA_NONE)


def _limit(value, what):
    if value.__class__ is int and 0 <= value <= ULONG_MAX:
        return value
    return check_index(value, what)


class Cursor:
    """A maple state on a :class:`~mapletree_edu.tree.MapleTree`."""

    __slots__ = ("_owner", "mas", "_gen")

    def __init__(self, tree, index=0):
        _limit(index, "index")
        self._owner = tree
        self.mas = MaState(tree.core, index, index)
        self._gen = tree._gen

    # --- the state ------------------------------------------------------------------
    @property
    def index(self):
        return self.mas.index

    @property
    def last(self):
        return self.mas.last

    @property
    def status(self):
        return status_name(self.mas.status)

    @property
    def node(self):
        node = self.mas.node
        return node.serial if node.__class__ is Node else None

    @property
    def offset(self):
        return self.mas.offset if self.mas.node.__class__ is Node else None

    def state(self):
        """dict(index, last, node, offset, status)."""
        return state_dict(self.mas)

    def __repr__(self):
        s = self.state()
        return (f"<Cursor {s['status']} [{s['index']}, {s['last']}] node={s['node']} "
                f"offset={s['offset']}>")

    def _check(self):
        owner = self._owner
        if owner._gen == self._gen:
            return self.mas
        status = self.mas.status
        if status not in _SAFE and not (owner.rcu and status != MA_ROOT):
            raise StaleCursorError(
                f"the tree changed since this cursor's last call and the cursor still "
                f"holds its place (status {status_name(status)}): call reset(), set() "
                "or pause() before the write, as a maple state must be")
        self.mas.tree = owner.core
        self._gen = owner._gen
        return self.mas

    # --- moving without searching ------------------------------------------------------
    def set(self, index):
        """mas_set(): index = last = index, status start."""
        _limit(index, "index")
        mas_set_range(self.mas, index, index)
        self._gen = self._owner._gen

    def set_range(self, first, last):
        """mas_set_range()."""
        check_range(first, last)
        mas_set_range(self.mas, first, last)
        self._gen = self._owner._gen

    def reset(self):
        """mas_reset(): status start, no node; index and last are kept."""
        mas_reset(self.mas)
        self._gen = self._owner._gen

    def pause(self):
        """mas_pause(): status pause, no node; the next search goes on after last
        (forwards) or before index (backwards)."""
        mas_pause(self.mas)
        self._gen = self._owner._gen

    # --- searching -----------------------------------------------------------------------
    def walk(self):
        """mas_walk(): the entry at index (index/last become its range, or the NULL
        range there)."""
        return mas_walk(self._check())

    def find(self, max=ULONG_MAX):
        """mas_find(): the entry at or after index on the first call, then the next
        one, starting at or before max."""
        return mas_find(self._check(), _limit(max, "max"))

    def find_range(self, max=ULONG_MAX):
        """mas_find_range(): as find(), but later calls stop at NULL ranges too."""
        return mas_find_range(self._check(), _limit(max, "max"))

    def find_rev(self, min=0):
        """mas_find_rev(): the entry at or before index, then the previous one, ending
        at or after min."""
        return mas_find_rev(self._check(), _limit(min, "min"))

    def find_range_rev(self, min=0):
        """mas_find_range_rev()."""
        return mas_find_range_rev(self._check(), _limit(min, "min"))

    def next(self, max=ULONG_MAX):
        """mas_next(): the next entry after the current range (overflow past max)."""
        return mas_next(self._check(), _limit(max, "max"))

    def next_range(self, max=ULONG_MAX):
        """mas_next_range(): the next range, NULL or not."""
        return mas_next_range(self._check(), _limit(max, "max"))

    def prev(self, min=0):
        """mas_prev(): the previous entry (underflow below min)."""
        return mas_prev(self._check(), _limit(min, "min"))

    def prev_range(self, min=0):
        """mas_prev_range(): the previous range, NULL or not."""
        return mas_prev_range(self._check(), _limit(min, "min"))


__all__ = ["Cursor"]
