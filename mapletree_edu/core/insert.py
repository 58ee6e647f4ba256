# SPDX-License-Identifier: GPL-2.0-or-later
"""Inserting where nothing is: ``mas_insert()``, ``mtree_insert_range()``,
``mtree_alloc_range()`` and ``mtree_alloc_rrange()`` of Linux v6.8.

``mas_insert()`` walks as a store does (``mas_wr_walk()``, with its spanning check,
which here means -EEXIST: a spanning write always overwrites something), checks that
the leaf slot is NULL and holds the whole range, and then changes the leaf through
the store's own fast and slow paths (``mas_wr_modify()``), so that nodes, ledger and
trace events are the store's. The alloc calls first search with
:func:`~mapletree_edu.core.gapsearch.mas_empty_area` (or ``_rev``) and insert from
the leaf the search stopped in.

Return codes are the kernel's: 0, -EEXIST, -EINVAL, -EBUSY. A failed call changes
nothing and allocates nothing.
"""

from .constants import MA_ERROR, MA_NONE, MA_ROOT
from .entries import is_reserved
from .gapsearch import EBUSY, EEXIST, EINVAL, mas_empty_area, mas_empty_area_rev, mas_set_err
from .read import read_step
from .root import mas_store_root
from .state import MaState, mas_start
from .walk import WrState, mas_wr_walk
from .write import mas_destroy, mas_wr_modify


def mas_insert(mas, entry):
    """mas_insert(): store entry at [index, last] only if all of it is NULL.

    Returns the content found (None on success); on -EEXIST the state's status is
    error with ``mas.err`` = -EEXIST.
    """
    wr_mas = WrState(mas, entry)
    wr_mas.content = mas_start(mas)
    tracer = mas.tree.tracer
    if wr_mas.content is not None:
        return _exists(mas, wr_mas, "index 0 holds the root entry")
    if mas.status in (MA_NONE, MA_ROOT):
        mas_store_root(mas, entry)
        return None
    if not mas_wr_walk(wr_mas):
        # a write that spans leaves always overwrites something
        return _exists(mas, wr_mas, "the range crosses the end of the subtree it starts in")
    wr_mas.offset_end = mas.offset
    wr_mas.end_piv = wr_mas.r_max
    if wr_mas.content is not None or mas.last > wr_mas.r_max:
        return _exists(mas, wr_mas, f"slot {mas.offset} [{wr_mas.r_min}, {wr_mas.r_max}] "
                       + ("holds an entry" if wr_mas.content is not None else
                          "is NULL but ends before the range does"))
    if entry is None:
        return None
    if tracer.enabled:
        read_step(tracer, "mas_insert", mas,
                  f"slot {mas.offset} [{wr_mas.r_min}, {wr_mas.r_max}] is NULL and holds "
                  "the whole range: write it", entry=entry)
    mas_wr_modify(wr_mas)
    return wr_mas.content


def _exists(mas, wr_mas, why):
    tracer = mas.tree.tracer
    if tracer.enabled:
        read_step(tracer, "mas_insert", mas, why + ": -EEXIST", rc=EEXIST)
    mas_set_err(mas, EEXIST)
    return wr_mas.content


def mtree_insert_range(tree, first, last, entry):
    """mtree_insert_range(): 0, -EEXIST or -EINVAL (first > last, a reserved entry)."""
    if is_reserved(entry) or first > last:
        return EINVAL
    mas = MaState(tree, first, last)
    try:
        mas_insert(mas, entry)
    finally:
        mas_destroy(mas)            # mas_nomem()
    return mas.err if mas.status == MA_ERROR else 0


def _alloc(tree, entry, size, mn, mx, search):
    if not tree.is_alloc or is_reserved(entry):
        return EINVAL, None
    mas = MaState(tree, 0, 0)
    rc = search(mas, mn, mx, size)
    if rc:
        return rc, None
    try:
        mas_insert(mas, entry)
    finally:
        mas_destroy(mas)
    if mas.status == MA_ERROR:
        return mas.err, None
    return 0, mas.index


def mtree_alloc_range(tree, entry, size, mn, mx):
    """mtree_alloc_range(): store entry in the lowest free area of size in [mn, mx].

    Returns (rc, start): rc 0, -EINVAL (a plain tree, bad arguments) or -EBUSY.
    """
    return _alloc(tree, entry, size, mn, mx, mas_empty_area)


def mtree_alloc_rrange(tree, entry, size, mn, mx):
    """mtree_alloc_rrange(): the same, in the highest free area."""
    return _alloc(tree, entry, size, mn, mx, mas_empty_area_rev)


__all__ = ["mas_insert", "mtree_insert_range", "mtree_alloc_range", "mtree_alloc_rrange",
           "EBUSY", "EEXIST", "EINVAL"]
