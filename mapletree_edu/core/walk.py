# SPDX-License-Identifier: GPL-2.0-or-later
"""Walks: the write walk with its spanning check, the range walk and lookups.

Models ``struct ma_wr_state``, ``mas_wr_node_walk()``, ``mas_is_span_wr()``,
``mas_wr_walk()``, ``mas_wr_walk_index()``, ``mtree_range_walk()`` and
``mtree_lookup_walk()``.
"""

from bisect import bisect_left

from .constants import MA_ACTIVE, MA_NONE, MA_ROOT, MT_PIVOTS, ULONG_MAX
from .node import ma_data_end
from .state import mas_start


class WrState:
    """struct ma_wr_state: the write-side view of the leaf being changed."""

    __slots__ = ("mas", "node", "r_min", "r_max", "type", "offset_end", "pivots",
                 "slots", "end_piv", "content", "entry")

    def __init__(self, mas, entry):
        self.mas = mas
        self.node = None
        self.r_min = 0
        self.r_max = 0
        self.type = 0
        self.offset_end = 0
        self.pivots = None
        self.slots = None
        self.end_piv = 0
        self.content = None
        self.entry = entry


def mas_wr_node_walk(wr_mas):
    """mas_wr_node_walk(): find the offset of mas.index in the current node."""
    mas = wr_mas.mas
    node = mas.node
    wr_mas.node = node
    pivots = node.pivots
    wr_mas.pivots = pivots
    count = mas.end = ma_data_end(node, wr_mas.type, mas.max)
    offset = mas.offset
    index = mas.index
    while offset < count and index > pivots[offset]:
        offset += 1
    wr_mas.r_max = pivots[offset] if offset < count else mas.max
    wr_mas.r_min = pivots[offset - 1] + 1 if offset else mas.min
    wr_mas.offset_end = mas.offset = offset


def mas_is_span_wr(wr_mas):
    """mas_is_span_wr(): does the write leave the slot it starts in?

    A NULL written up to the end of a leaf (other than at ULONG_MAX) counts as
    spanning too, since no leaf but the rightmost may end with NULL.
    """
    mx = wr_mas.r_max
    mas = wr_mas.mas
    last = mas.last
    if last < mx:
        return False
    if wr_mas.type < 2:
        mx = mas.max
        if last < mx:
            return False
    if last == mx:
        if wr_mas.entry is not None or last == ULONG_MAX:
            return False
    tracer = mas.tree.tracer
    if tracer.enabled:
        tracer.event("write", "mas_is_span_wr", mas, piv=wr_mas.r_max, entry=wr_mas.entry)
    return True


def mas_wr_walk_descend(wr_mas):
    mas = wr_mas.mas
    tracer = mas.tree.tracer
    if tracer.counts_visits:
        tracer.visit(mas.node, mas)
    wr_mas.type = mas.node.type
    mas_wr_node_walk(wr_mas)
    wr_mas.slots = wr_mas.node.slots


def mas_wr_walk_traverse(wr_mas):
    mas = wr_mas.mas
    mas.max = wr_mas.r_max
    mas.min = wr_mas.r_min
    mas.node = wr_mas.content
    mas.offset = 0
    mas.depth += 1


def _stop_at(wr_mas, mas, node, mtype, end, offset, r_min, r_max):
    """Leave the states where mas_wr_node_walk() would: on node, at offset."""
    mas.end = end
    mas.offset = offset
    wr_mas.node = node
    wr_mas.type = mtype
    wr_mas.pivots = node.pivots
    wr_mas.slots = node.slots
    wr_mas.r_min = r_min
    wr_mas.r_max = r_max
    wr_mas.offset_end = offset


def mas_wr_walk(wr_mas):
    """mas_wr_walk(): descend to the leaf; False when the write spans.

    The per-level work of mas_wr_walk_descend()/mas_wr_node_walk()/mas_is_span_wr()
    and mas_wr_walk_traverse() is written out in one loop: this is the hot path.
    """
    mas = wr_mas.mas
    tracer = mas.tree.tracer
    counts = tracer.counts_visits
    index = mas.index
    last = mas.last
    entry = wr_mas.entry
    node = mas.node
    offset = mas.offset
    mn = mas.min
    mx = mas.max
    depth = mas.depth
    # mas.node/min/max/depth live in locals during the descent and are stored back
    # wherever the state can be seen (a visit, or the return)
    while True:
        if counts:
            mas.node = node
            mas.min = mn
            mas.max = mx
            mas.depth = depth
            tracer.visit(node, mas)
        mtype = node.type
        pivots = node.pivots
        # ma_data_end()
        if mtype == 3:
            end = node.meta_end
        else:
            p14 = pivots[14]
            end = node.meta_end if not p14 else (14 if p14 == mx else 15)
        if offset < end and index > pivots[offset]:
            # the first pivot >= index (pivots[:end] ascend); past them all: the end
            offset = end if index > pivots[end - 1] else bisect_left(pivots, index, offset, end)
        r_max = pivots[offset] if offset < end else mx
        r_min = pivots[offset - 1] + 1 if offset else mn
        # mas_is_span_wr()
        if last >= r_max and (mtype >= 2 or last >= mx) and \
                (last != (r_max if mtype >= 2 else mx) or
                 (entry is None and last != ULONG_MAX)):
            mas.node = node
            mas.min = mn
            mas.max = mx
            mas.depth = depth
            _stop_at(wr_mas, mas, node, mtype, end, offset, r_min, r_max)
            if tracer.enabled:
                tracer.event("write", "mas_is_span_wr", mas, piv=r_max, entry=entry)
            return False
        slots = node.slots
        content = slots[offset]
        if mtype < 2:
            # _stop_at() written out: where mas_wr_node_walk() leaves the states
            mas.node = node
            mas.min = mn
            mas.max = mx
            mas.depth = depth
            mas.end = end
            mas.offset = offset
            wr_mas.node = node
            wr_mas.type = mtype
            wr_mas.pivots = pivots
            wr_mas.slots = slots
            wr_mas.r_min = r_min
            wr_mas.r_max = r_max
            wr_mas.offset_end = offset
            wr_mas.content = content
            return True
        # mas_wr_walk_traverse()
        mx = r_max
        mn = r_min
        node = content
        offset = 0
        depth += 1


def mas_wr_walk_index(wr_mas):
    """mas_wr_walk_index(): descend to the leaf holding mas.index."""
    mas = wr_mas.mas
    while True:
        mas_wr_walk_descend(wr_mas)
        wr_mas.content = wr_mas.slots[mas.offset]
        if wr_mas.type < 2:
            return True
        mas_wr_walk_traverse(wr_mas)


def mtree_range_walk(mas):
    """mtree_range_walk(): walk to mas.index; leave the state on the leaf.

    On return index/last are the range of the slot found and min/max the leaf's.
    """
    nxt = mas.node
    mn = mas.min
    mx = mas.max
    index = mas.index
    tracer = mas.tree.tracer
    while True:
        last = nxt
        node = nxt
        if tracer.counts_visits:
            tracer.visit(node, mas)
        pivots = node.pivots
        end = ma_data_end(node, node.type, mx)
        prev_min = mn
        prev_max = mx
        if pivots[0] >= index:
            offset = 0
            mx = pivots[0]
        else:
            offset = 1
            while offset < end:
                if pivots[offset] >= index:
                    mx = pivots[offset]
                    break
                offset += 1
            mn = pivots[offset - 1] + 1
        nxt = node.slots[offset]
        if node.type < 2:
            break
    mas.end = end
    mas.offset = offset
    mas.index = mn
    mas.last = mx
    mas.min = prev_min
    mas.max = prev_max
    mas.node = last
    return nxt


def mas_state_walk(mas):
    entry = mas_start(mas)
    if mas.status == MA_NONE:
        return None
    if mas.status == MA_ROOT:
        return entry
    return mtree_range_walk(mas)


def mtree_lookup_walk(root, index):
    """mtree_lookup_walk(): the entry at index, without keeping a state."""
    node = root
    while True:
        pivots = node.pivots
        offset = 0
        if pivots[0] < index:
            # the first pivot >= index, scanning the whole pivot array as the
            # kernel does (zero pivots after the data are skipped over)
            end = MT_PIVOTS[node.type]
            offset = 1
            while offset < end and pivots[offset] < index:
                offset += 1
        nxt = node.slots[offset]
        if node.type < 2:
            return nxt
        node = nxt


__all__ = ["WrState", "MA_ACTIVE"]
