# SPDX-License-Identifier: GPL-2.0-or-later
"""Reading the tree: ``mtree_load()``, ``mt_find()``, ``mas_walk()`` and the walk
under them (``mas_start()``, ``mtree_range_walk()``, ``mtree_lookup_walk()``), as
Linux v6.8 lib/maple_tree.c does them.

A walk that meets a dead node (one an RCU-mode writer replaced: its parent pointer
points at itself) starts again from the root, as the kernel's readers do.

With a recorder attached, every node the walk passes through is a step
(``mas_descend`` at internal nodes, ``mtree_range_walk`` or ``mtree_lookup_walk`` at
the leaf) carrying the maple state (``info["mas"]``) and the slot it chose
(``info["slot"]``); ``mtree_load`` and ``mt_find`` fire the kernel's ``ma_read``
events. With no recorder the walks test ``tracer.enabled`` once per call.
"""

from bisect import bisect_left

from ..errors import KernelCrash, KernelWarning
from .constants import (
    MA_ACTIVE,
    MA_NONE,
    MA_PAUSE,
    MA_ROOT,
    MA_START,
    MT_PIVOTS,
    ULONG_MAX,
)
from .entries import XA_ZERO_ENTRY
from .node import Node
from .state import MaState, mas_start

# --- the maple state as a learner sees it ------------------------------------

def status_name(status):
    """``ma_active`` -> ``active`` (v6.8's enum maple_status without its prefix)."""
    return status[3:]


def state_dict(mas):
    """The maple state as READ-FORMAT.md records it: index, last, node (serial or
    None), offset (None without a node) and status."""
    node = mas.node
    has = node.__class__ is Node
    return {"index": mas.index, "last": mas.last, "node": node.serial if has else None,
            "offset": mas.offset if has else None, "status": status_name(mas.status)}


def read_step(tracer, fn, mas, why, **info):
    """Record one read step: the state after it (``ma_state``, which a Recorder keeps
    under ``mas``: the protocol's own ``mas`` argument is the live state) and its
    slot (``slot``)."""
    node = mas.node
    if "slot" not in info and node.__class__ is Node:
        info["slot"] = (node.serial, mas.offset)
    tracer.step(fn, mas, ma_state=state_dict(mas), why=why, **info)


def is_dead(node):
    """ma_dead_node(): a replaced node's parent pointer points at the node itself."""
    return node.parent is node


def need_node(mas, fn):
    """The node the kernel function fn is about to read; None is the kernel's oops."""
    node = mas.node
    if node is None:
        raise KernelCrash(
            f"{fn}() reads the maple state's node, which is NULL (status "
            f"{status_name(mas.status)}, index {mas.index}, last {mas.last}): Linux v6.8 "
            "dereferences a NULL pointer here. Reset the state (mas_set/mas_reset) or use "
            "a limit that the state has not already reached.")
    return node


# --- mas_set() and friends ------------------------------------------------------

def mas_reset(mas):
    """mas_reset(): status start, no node; index and last are kept."""
    mas.status = MA_START
    mas.node = None


def mas_set_range(mas, first, last):
    """mas_set_range(): a new range and mas_reset()."""
    mas.index = first
    mas.last = last
    mas.status = MA_START
    mas.node = None


def mas_set(mas, index):
    """mas_set(): mas_set_range(index, index)."""
    mas_set_range(mas, index, index)


def mas_pause(mas):
    """mas_pause(): status pause, no node; the next search goes on from last + 1
    (forwards) or index - 1 (backwards)."""
    mas.status = MA_PAUSE
    mas.node = None
    tracer = mas.tree.tracer
    if tracer.enabled:
        read_step(tracer, "mas_pause", mas,
                  "the state lets go of its node (the lock may be dropped); the next "
                  "search walks again from the root")


# --- the walks -------------------------------------------------------------------

def mtree_range_walk(mas):
    """mtree_range_walk(): from mas.node down to the leaf holding mas.index.

    On return index/last are the slot's range, min/max the leaf's, offset the slot.
    A dead node on the way resets the state (status start) and returns None.
    """
    node = mas.node
    mn = mas.min
    mx = mas.max
    index = mas.index
    tracer = mas.tree.tracer
    tracing = tracer.enabled
    while True:
        pivots = node.pivots
        mtype = node.type
        # ma_data_end() written out (hot path)
        if mtype == 3:
            end = node.meta_end
        else:
            p14 = pivots[14]
            end = node.meta_end if not p14 else (14 if p14 == mx else 15)
        prev_min = mn
        prev_max = mx
        if pivots[0] >= index:
            offset = 0
            mx = pivots[0]
        else:
            # the first pivot >= index among pivots[1:end], else end: pivots[:end]
            # ascend, so bisect_left() stops where the kernel's scan does
            offset = bisect_left(pivots, index, 1, end)
            if offset < end:
                mx = pivots[offset]
            mn = pivots[offset - 1] + 1
        nxt = node.slots[offset]
        if node.parent is node:             # ma_dead_node()
            mas.status = MA_START
            mas.node = None
            if tracing:
                read_step(tracer, "mas_rewalk", mas,
                          "the walk met a dead node (a writer replaced it): start again "
                          "from the root")
            return None
        if mtype < 2:
            break
        if tracing:
            _descend_step(tracer, mas, node, offset, prev_min, prev_max, mn, mx)
        node = nxt
    mas.end = end
    mas.offset = offset
    mas.index = mn
    mas.last = mx
    mas.min = prev_min
    mas.max = prev_max
    mas.node = node
    if tracing:
        read_step(tracer, "mtree_range_walk", mas,
                  f"leaf [{prev_min}, {prev_max}]: slot {offset} covers [{mn}, {mx}] and "
                  + ("holds an entry" if nxt is not None else "is NULL"),
                  entry=nxt)
    return nxt


def _descend_step(tracer, mas, node, offset, pmin, pmax, cmin, cmax, fn="mas_descend",
                  index=None):
    """A step at an internal node: the state is shown on the node, at the slot chosen."""
    saved = (mas.node, mas.min, mas.max, mas.offset)
    mas.node, mas.min, mas.max, mas.offset = node, pmin, pmax, offset
    idx = mas.index if index is None else index
    read_step(tracer, fn, mas,
              f"node [{pmin}, {pmax}]: index {idx} is under slot {offset} [{cmin}, {cmax}]; "
              "go down into that child", child=(cmin, cmax))
    mas.node, mas.min, mas.max, mas.offset = saved


def mas_state_walk(mas):
    """mas_state_walk(): mas_start(), then the range walk when there are nodes."""
    entry = mas_start(mas)
    if mas.status == MA_NONE:
        return None
    if mas.status == MA_ROOT:
        return entry
    return mtree_range_walk(mas)


def mas_walk(mas):
    """mas_walk(): walk from the root to mas.index; index/last become the range there.

    Its guard "not active or not start" is always true: the walk always restarts.
    """
    mas.status = MA_START
    while True:
        entry = mas_state_walk(mas)
        if mas.status != MA_START:
            break
    status = mas.status
    if status == MA_NONE:
        mas.index = 0
        mas.last = ULONG_MAX
    elif status == MA_ROOT:
        if not mas.index:
            mas.last = 0
        else:
            mas.index = 1
            mas.last = ULONG_MAX
            mas.status = MA_NONE
            entry = None
    tracer = mas.tree.tracer
    if tracer.enabled and status != MA_ACTIVE:
        read_step(tracer, "mas_walk", mas,
                  "the tree has no node: " + ("it is empty" if mas.tree.root is None else
                                              "its only entry, at 0, is in the root pointer"),
                  entry=entry)
    return entry


def mas_rewalk(mas, index):
    """mas_rewalk(): mas_set(index) and walk again until the walk is not restarted."""
    tracer = mas.tree.tracer
    if tracer.enabled:
        read_step(tracer, "mas_rewalk", mas,
                  f"the state's node is dead (a writer replaced it): walk again to {index}")
    while True:
        mas_set(mas, index)
        mas_state_walk(mas)
        if mas.status != MA_START:
            return


# --- the one-shot API ----------------------------------------------------------------

def mtree_lookup_walk(mas):
    """mtree_lookup_walk(): the entry at mas.index, keeping no state on the way.

    The kernel scans the whole pivot array (zero pivots past the data are below any
    index that reaches them); a dead node resets the state and gives None.
    """
    node = mas.node
    index = mas.index
    tracer = mas.tree.tracer
    tracing = tracer.enabled
    mn, mx = 0, ULONG_MAX
    while True:
        pivots = node.pivots
        end = MT_PIVOTS[node.type]
        offset = 0
        while offset < end and pivots[offset] < index:
            offset += 1
        nxt = node.slots[offset]
        if node.parent is node:
            mas_reset(mas)
            return None
        if tracing:
            cmin = pivots[offset - 1] + 1 if offset else mn
            cmax = pivots[offset] if offset < end else mx
            if node.type < 2:
                saved = (mas.node, mas.min, mas.max, mas.offset)
                mas.node, mas.min, mas.max, mas.offset = node, mn, mx, offset
                read_step(tracer, "mtree_lookup_walk", mas,
                          f"leaf [{mn}, {mx}]: index {index} is in slot {offset} "
                          f"[{cmin}, {cmax}]", entry=nxt, range=(cmin, cmax))
                mas.node, mas.min, mas.max, mas.offset = saved
            else:
                _descend_step(tracer, mas, node, offset, mn, mx, cmin, cmax,
                              fn="mtree_lookup_walk")
            mn, mx = cmin, cmax
        if node.type < 2:
            return nxt
        node = nxt


def mtree_load(tree, index):
    """mtree_load(): the entry at index, or None (XA_ZERO_ENTRY reads as None)."""
    tracer = tree.tracer
    if not tracer.enabled:
        # the same walk with no state kept (hot path): pivots[:end] ascend, so the
        # kernel's scan stops where bisect_left() does
        node = tree.root
        if node.__class__ is not Node:
            entry = node if (node is not None and not index) else None
            return None if entry is XA_ZERO_ENTRY else entry
        mx = ULONG_MAX
        while True:
            if node.parent is node:
                return mtree_load_slow(tree, index)
            pivots = node.pivots
            mtype = node.type
            if pivots[0] >= index:
                offset = 0
            else:
                # ma_data_end(); pivots[:end] ascend, so bisect_left() stops where
                # the kernel's scan does; past them the scan goes on over the array
                if mtype == 3:
                    end = node.meta_end
                else:
                    p14 = pivots[14]
                    end = node.meta_end if not p14 else (14 if p14 == mx else 15)
                offset = bisect_left(pivots, index, 1, end) if end > 1 else end
                npiv = MT_PIVOTS[mtype]
                if offset == end and end < npiv and pivots[end] < index:
                    offset = _scan(pivots, index, end, npiv)
            if mtype < 2:
                nxt = node.slots[offset]
                return None if nxt is XA_ZERO_ENTRY else nxt
            if offset < MT_PIVOTS[mtype]:
                mx = pivots[offset]
            node = node.slots[offset]
    return mtree_load_slow(tree, index)


def _scan(pivots, index, offset, end):
    while offset < end and pivots[offset] < index:
        offset += 1
    return offset


def mtree_load_slow(tree, index):
    """mtree_load() as the kernel writes it, with its read event and retry."""
    mas = MaState(tree, index, index)
    tracer = tree.tracer
    if tracer.enabled:
        tracer.event("read", "mtree_load", mas, ma_state=state_dict(mas))
    while True:
        entry = mas_start(mas)
        if mas.status == MA_NONE:
            break
        if mas.status == MA_ROOT:
            if index:
                entry = None
            break
        entry = mtree_lookup_walk(mas)
        if entry is None and mas.status == MA_START:
            continue
        break
    if tracer.enabled and mas.status != MA_ACTIVE:
        read_step(tracer, "mtree_load", mas,
                  "no node to walk: the tree is empty" if mas.status == MA_NONE else
                  "the root pointer holds the only entry, at index 0", entry=entry)
    return None if entry is XA_ZERO_ENTRY else entry


__all__ = ["KernelCrash", "KernelWarning", "mas_walk", "mas_state_walk", "mtree_range_walk",
           "mtree_lookup_walk", "mtree_load", "mas_set", "mas_set_range", "mas_reset",
           "mas_pause", "mas_rewalk", "state_dict", "status_name", "read_step"]
