# SPDX-License-Identifier: GPL-2.0-or-later
"""The v6.8 write path: from ``mtree_store_range()`` down to the leaf change.

Models ``mas_wr_store_entry()``, ``mas_wr_end_piv()`` and NULL widening, the fast
paths of ``mas_wr_modify()`` in their order (exact fit, ``mas_wr_append()``,
``mas_wr_slot_store()``, ``mas_wr_node_store()``), the big-node slow path
(``mas_wr_bnode()``, ``mas_commit_b_node()``), and the entry points
``mtree_store_range()``, ``mtree_erase()``, ``mas_store()`` and ``mas_destroy()``.
"""

from . import append
from .bignode import mab_mas_cp, mas_bulk_rebalance, mas_store_b_node
from .constants import (
    MA_ACTIVE,
    MA_NONE,
    MA_OVERFLOW,
    MA_PAUSE,
    MA_ROOT,
    MA_START,
    MA_STATE_BULK,
    MA_STATE_PREALLOC,
    MA_STATE_REBALANCE,
    MA_UNDERFLOW,
    MT_FLAGS_USE_RCU,
    MT_MIN_SLOTS,
    MT_SLOTS,
    ULONG_MAX,
)
from .gaps import mas_update_gap
from .leafwrite import ma_wr_append, ma_wr_node_fill
from .node import BigNode, Node
from .pool import mas_node_count, mas_pop_node, raise_if_nomem
from .rebalance import mas_rebalance, mas_wr_spanning_store
from .root import mas_new_root, mas_store_root
from .split import mas_split
from .state import MaState, mas_replace_node, mas_start, mt_height, mte_is_root
from .walk import WrState, mas_state_walk, mas_wr_walk


def mas_wr_extend_null(wr_mas):
    """mas_wr_extend_null(): widen a NULL write over NULL neighbours in the leaf."""
    mas = wr_mas.mas
    slots = wr_mas.slots
    if slots[wr_mas.offset_end] is None:
        mas.last = wr_mas.end_piv
    elif mas.last == wr_mas.end_piv and mas.end != wr_mas.offset_end and \
            slots[wr_mas.offset_end + 1] is None:
        wr_mas.offset_end += 1
        if wr_mas.offset_end == mas.end:
            mas.last = mas.max
        else:
            mas.last = wr_mas.pivots[wr_mas.offset_end]
        wr_mas.end_piv = mas.last
    if wr_mas.content is None:
        mas.index = wr_mas.r_min
    elif mas.index == wr_mas.r_min and mas.offset and slots[mas.offset - 1] is None:
        mas.offset -= 1
        off = mas.offset
        wr_mas.r_min = mas.index = wr_mas.pivots[off - 1] + 1 if off else mas.min
        wr_mas.r_max = wr_mas.pivots[off]


def mas_wr_end_piv(wr_mas):
    """mas_wr_end_piv(): find the slot holding mas.last and its upper bound."""
    mas = wr_mas.mas
    pivots = wr_mas.pivots
    end = mas.end
    last = mas.last
    off = wr_mas.offset_end
    while off < end and last > pivots[off]:
        off += 1
    wr_mas.offset_end = off
    wr_mas.end_piv = pivots[off] if off < end else mas.max
    if wr_mas.entry is None:
        mas_wr_extend_null(wr_mas)


def mas_wr_new_end(wr_mas):
    mas = wr_mas.mas
    new_end = mas.end + 2 - (wr_mas.offset_end - mas.offset)
    if wr_mas.r_min == mas.index:
        new_end -= 1
    if wr_mas.end_piv == mas.last:
        new_end -= 1
    return new_end


def mas_wr_append(wr_mas, new_end):
    """mas_wr_append(): write into the node's last range in place (not in RCU mode)."""
    mas = wr_mas.mas
    if mas.tree.flags & MT_FLAGS_USE_RCU:
        return False
    end = mas.end
    if mas.offset != end:
        return False
    entry = wr_mas.entry
    mas.offset = ma_wr_append(wr_mas.node, end, new_end, mas.index, mas.last, wr_mas.r_max,
                              entry, wr_mas.content)
    if wr_mas.content is None or entry is None:
        mas_update_gap(mas)
    mas.end = new_end
    tracer = mas.tree.tracer
    if tracer.enabled:
        tracer.event("write", "mas_wr_append", mas, piv=new_end, entry=entry)
    return True


def mas_wr_slot_store(wr_mas):
    """mas_wr_slot_store(): the slot count stays; only boundaries move."""
    mas = wr_mas.mas
    offset = mas.offset
    slots = wr_mas.slots
    pivots = wr_mas.pivots
    gap = slots[offset] is None or slots[offset + 1] is None
    if wr_mas.offset_end - offset == 1:
        if mas.index == wr_mas.r_min:
            slots[offset] = wr_mas.entry
            pivots[offset] = mas.last
        else:
            slots[offset + 1] = wr_mas.entry
            pivots[offset] = mas.index - 1
            mas.offset += 1
    elif not (mas.tree.flags & MT_FLAGS_USE_RCU):
        gap = gap or slots[offset + 2] is None
        slots[offset + 1] = wr_mas.entry
        pivots[offset] = mas.index - 1
        pivots[offset + 1] = mas.last
        mas.offset += 1
    else:
        return False
    tracer = mas.tree.tracer
    if tracer.enabled:
        tracer.event("write", "mas_wr_slot_store", mas, entry=wr_mas.entry)
    if wr_mas.entry is None or gap:
        mas_update_gap(mas)
    return True


def mas_wr_node_store(wr_mas, new_end):
    """mas_wr_node_store(): rebuild the leaf (in place, or a new node in RCU mode)."""
    mas = wr_mas.mas
    tree = mas.tree
    offset_end = wr_mas.offset_end
    wtype = wr_mas.type
    in_rcu = tree.flags & MT_FLAGS_USE_RCU
    if not mte_is_root(mas.node) and new_end <= MT_MIN_SLOTS[wtype] and \
            not (mas.mas_flags & MA_STATE_BULK):
        return False
    if mas.last == wr_mas.end_piv:
        offset_end += 1
    elif wr_mas.r_max == ULONG_MAX:
        mas_bulk_rebalance(mas, mas.end, wtype)
    if in_rcu:
        if not mas_node_count(mas, 1):
            return False
        newnode = mas_pop_node(mas, wtype)
    else:
        newnode = Node(wtype)
    old = mas.node
    newnode.parent = old.parent
    newnode.parent_slot = old.parent_slot
    mas.offset = ma_wr_node_fill(newnode, old, mas.offset, offset_end, mas.end, new_end,
                                 wr_mas.r_min, mas.index, mas.last, mas.max, wr_mas.entry,
                                 wr_mas.content)
    if in_rcu:
        mas.node = newnode
        mas_replace_node(mas, old)
    else:
        old.copy_from(newnode)
    tracer = tree.tracer
    if tracer.enabled:
        tracer.event("write", "mas_wr_node_store", mas, entry=wr_mas.entry)
    mas_update_gap(mas)
    mas.end = new_end
    return True


def mas_reuse_node(wr_mas, bn, end):
    """mas_reuse_node(): rewrite the node in place, unless in RCU mode."""
    if wr_mas.mas.tree.flags & MT_FLAGS_USE_RCU:
        return False
    if end > bn.b_end:
        node = wr_mas.node
        b_end = bn.b_end
        nslots = MT_SLOTS[wr_mas.type]
        for k in range(b_end, nslots):
            node.slots[k] = None
        for k in range(b_end, min(nslots - 1, len(node.pivots))):
            node.pivots[k] = 0
        if nslots == 16:
            node.meta_end = 0
            node.meta_gap = 0
    mab_mas_cp(bn, 0, bn.b_end, wr_mas.mas, False)
    return True


def mas_commit_b_node(wr_mas, b_node, end):
    """mas_commit_b_node(): rebalance, split or rewrite the node from the big node."""
    mas = wr_mas.mas
    b_end = b_node.b_end
    b_type = b_node.type
    old = mas.node
    if b_end < MT_MIN_SLOTS[b_type] and not mte_is_root(old) and mt_height(mas.tree) > 1:
        return mas_rebalance(mas, b_node)
    if b_end >= MT_SLOTS[b_type]:
        return mas_split(mas, b_node)
    tracer = mas.tree.tracer
    if tracer.enabled:
        tracer.step("mas_commit_b_node", mas, b_end=b_end,
                    why=f"{b_end + 1} entries fit in one node: the node is rewritten")
    if not mas_reuse_node(wr_mas, b_node, end):
        mas_node_count(mas, 1)
        raise_if_nomem(mas)
        node = mas_pop_node(mas, b_type)
        node.parent = old.parent
        node.parent_slot = old.parent_slot
        mas.node = node
        mab_mas_cp(b_node, 0, b_end, mas, False)
        mas_replace_node(mas, old)
    mas_update_gap(mas)
    mas.end = b_end
    return 1


def mas_wr_bnode(wr_mas):
    """mas_wr_bnode(): the slow path through a big node."""
    mas = wr_mas.mas
    tracer = mas.tree.tracer
    if tracer.enabled:
        tracer.event("write", "mas_wr_bnode", mas, entry=wr_mas.entry)
    b_node = BigNode()
    mas_store_b_node(wr_mas, b_node, wr_mas.offset_end)
    mas_commit_b_node(wr_mas, b_node, mas.end)


def mas_wr_modify(wr_mas):
    """mas_wr_modify(): try the fast paths in the kernel's order, else the slow path."""
    mas = wr_mas.mas
    if wr_mas.r_min == mas.index and wr_mas.r_max == mas.last:
        wr_mas.slots[mas.offset] = wr_mas.entry
        if (wr_mas.entry is None) != (wr_mas.content is None):
            mas_update_gap(mas)
        tracer = mas.tree.tracer
        if tracer.enabled:
            tracer.step("mas_wr_modify", mas, path="exact_fit", entry=wr_mas.entry,
                        why="the write covers exactly one existing range: the slot is replaced")
        return
    # mas_wr_new_end() written out (hot path)
    new_end = mas.end + 2 - (wr_mas.offset_end - mas.offset)
    if wr_mas.r_min == mas.index:
        new_end -= 1
    if wr_mas.end_piv == mas.last:
        new_end -= 1
    if new_end < MT_SLOTS[wr_mas.type]:
        if mas_wr_append(wr_mas, new_end):
            return
        if new_end == mas.end and mas_wr_slot_store(wr_mas):
            return
        if mas_wr_node_store(wr_mas, new_end):
            return
        raise_if_nomem(mas)
    mas_wr_bnode(wr_mas)


def mas_wr_store_entry(wr_mas):
    """mas_wr_store_entry(): root cases, walk (or spanning store), then modify the leaf."""
    mas = wr_mas.mas
    wr_mas.content = mas_start(mas)
    if mas.status == MA_NONE or mas.status == MA_ROOT:
        mas_store_root(mas, wr_mas.entry)
        return wr_mas.content
    if not mas_wr_walk(wr_mas):
        mas_wr_spanning_store(wr_mas)
        return wr_mas.content
    mas_wr_end_piv(wr_mas)
    if not mas.index and mas.last == ULONG_MAX:
        mas_new_root(mas, wr_mas.entry)
        return wr_mas.content
    mas_wr_modify(wr_mas)
    return wr_mas.content


def mas_wr_store_setup(wr_mas):
    """mas_wr_store_setup(): keep a bulk state's position if the write fits its node."""
    mas = wr_mas.mas
    if mas.status != MA_ACTIVE:
        if mas.status == MA_START:
            return
        if mas.status in (MA_PAUSE, MA_NONE, MA_OVERFLOW, MA_UNDERFLOW):
            mas.reset()
            return
    if mas.last > mas.max:
        mas.reset()
        return
    if wr_mas.entry is not None:
        return
    if mas.node.__class__ is Node and mas.node.type < 2 and mas.last == mas.max:
        mas.reset()


def mas_destroy(mas):
    """mas_destroy(): the bulk-load tail check, then free the state's unused nodes."""
    if mas.mas_flags & MA_STATE_REBALANCE:
        from .bulk import mas_destroy_rebalance_check
        mas_destroy_rebalance_check(mas)
        mas.mas_flags &= ~MA_STATE_REBALANCE
    mas.mas_flags &= ~(MA_STATE_BULK | MA_STATE_PREALLOC)
    # mas_destroy_pool() written out
    pool = mas.pool
    if pool:
        mas.tree.allocator.free(len(pool))
        mas.pool = []
    mas.alloc_req = 0


def mtree_store_range(tree, index, last, entry):
    """mtree_store_range(): the normal store API (arguments already checked)."""
    tracer = tree.tracer
    if not (tracer.enabled or tracer.counts_visits) and append.SHORTCUT and \
            append.store_append(tree, index, last, entry):
        return None
    mas = MaState(tree, index, last)
    if tracer.enabled:
        tracer.event("write", "mtree_store_range", mas, entry=entry)
    wr_mas = WrState(mas, entry)
    try:
        mas_wr_store_entry(wr_mas)
    finally:
        mas_destroy(mas)
    return wr_mas.content


def mtree_erase(tree, index):
    """mtree_erase(): find the range holding index and store NULL over all of it."""
    mas = MaState(tree, index, index)
    tracer = tree.tracer
    if tracer.enabled:
        tracer.event("op", "mtree_erase", mas)
    mas.status = MA_START
    entry = mas_state_walk(mas)
    if entry is None:
        return None
    mas.reset()
    wr_mas = WrState(mas, None)
    mas_wr_store_setup(wr_mas)
    try:
        mas_wr_store_entry(wr_mas)
    finally:
        mas_destroy(mas)
    return entry


def mas_store(mas, entry):
    """mas_store(): the advanced API; the state keeps its position and its pool."""
    tracer = mas.tree.tracer
    if tracer.enabled:
        tracer.event("write", "mas_store", mas, entry=entry)
    wr_mas = WrState(mas, entry)
    mas_wr_store_setup(wr_mas)
    mas_wr_store_entry(wr_mas)
    return wr_mas.content


__all__ = ["mtree_store_range", "mtree_erase", "mas_store", "mas_destroy", "MA_STATE_PREALLOC"]
