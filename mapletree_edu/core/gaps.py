# SPDX-License-Identifier: GPL-2.0-or-later
"""Gap tracking in allocation trees: ``mas_leaf_max_gap()``, ``mas_max_gap()``,
``mas_parent_gap()`` and ``mas_update_gap()``, with the tie rules of ``ma_max_gap()``.
"""

from .constants import MAPLE_ARANGE64_SLOTS, MT_FLAGS_ALLOC_RANGE, ULONG_MAX
from .node import Node

_ARANGE_LAST = MAPLE_ARANGE64_SLOTS - 1

def mas_leaf_max_gap(mas):
    """mas_leaf_max_gap(): the largest NULL range of a leaf."""
    return ma_leaf_max_gap(mas.node, mas.min, mas.max)


def ma_leaf_max_gap(node, mn, mx):
    """mas_leaf_max_gap() of a leaf node with bounds [mn, mx]."""
    slots = node.slots
    pivots = node.pivots
    max_gap = 0
    if slots[0] is None:
        max_gap = pivots[0] - mn + 1
        i = 2
    else:
        i = 1
    # ma_data_end() of a leaf written out (hot path)
    p14 = pivots[14]
    max_piv = (node.meta_end if not p14 else (14 if p14 == mx else 15)) - 1
    if mx == ULONG_MAX and slots[max_piv + 1] is None:
        gap = ULONG_MAX - pivots[max_piv]
        if gap > max_gap:
            max_gap = gap
        if max_gap > (pivots[max_piv] - mn) % (ULONG_MAX + 1):
            return max_gap
    while i <= max_piv:
        if slots[i] is not None:
            i += 1
            continue
        gap = pivots[i] - pivots[i - 1]
        if gap > max_gap:
            max_gap = gap
        i += 2
    return max_gap


def mas_max_gap(mas):
    node = mas.node
    if node.type < 2:
        return mas_leaf_max_gap(mas)
    return node.gaps[node.meta_gap]


def mas_parent_gap(mas, offset, new):
    """mas_parent_gap(): set a parent's gap and carry the change upwards."""
    ma_parent_gap(mas.node.parent, offset, new)


def ma_parent_gap(pnode, offset, new):
    """mas_parent_gap() from the parent node pnode: its gap at offset becomes new.

    ma_max_gap() and mte_is_root() are written out in the loop (hot path).
    """
    while True:
        meta_offset = pnode.meta_gap
        pgaps = pnode.gaps
        meta_gap = pgaps[meta_offset]
        pgaps[offset] = new
        if meta_gap == new:
            return
        if offset != meta_offset:
            if meta_gap > new:
                return
            pnode.meta_gap = offset
        elif new < meta_gap:
            # ma_max_gap(): the highest offset wins a tie; no gap -> the data end
            end = pnode.meta_end
            new = max(pgaps) if end == _ARANGE_LAST else max(pgaps[:end + 1])
            if not new or pgaps[end] == new:
                if meta_offset != end:
                    pnode.meta_gap = end
            else:
                seg = pgaps[:end]
                seg.reverse()
                pnode.meta_gap = end - 1 - seg.index(new)
        parent = pnode.parent
        if parent.__class__ is not Node:        # mte_is_root()
            return
        offset = pnode.parent_slot
        pnode = parent


def mas_update_gap(mas):
    """mas_update_gap(): push a node's new max gap into its parent.

    mte_is_root() and mas_max_gap() are written out (hot path).
    """
    if not (mas.tree.flags & MT_FLAGS_ALLOC_RANGE):
        return
    node = mas.node
    parent = node.parent
    if parent.__class__ is not Node:            # mte_is_root()
        return
    max_gap = ma_leaf_max_gap(node, mas.min, mas.max) if node.type < 2 else \
        node.gaps[node.meta_gap]
    pslot = node.parent_slot
    if parent.gaps[pslot] != max_gap:
        ma_parent_gap(parent, pslot, max_gap)
