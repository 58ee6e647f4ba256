# SPDX-License-Identifier: GPL-2.0-or-later
"""Bulk-insert mode as v6.8 has it (removed upstream in v6.18).

Models ``mas_expected_entries()`` (bulk flag and preallocation) and the tail
check of ``mas_destroy()`` with ``mas_destroy_rebalance()``. The bulk split rule
itself lives in ``mab_calc_split()``.
"""

from .constants import (
    MA_STATE_BULK,
    MA_STATE_PREALLOC,
    MAPLE_ARANGE64_SLOTS,
    MAPLE_RANGE64_SLOTS,
    MT_FLAGS_ALLOC_RANGE,
    MT_FLAGS_USE_RCU,
    MT_MIN_SLOTS,
    MT_SLOTS,
)
from .gaps import mas_leaf_max_gap, mas_update_gap
from .pool import mas_destroy_pool, mas_node_count, mas_pop_node, raise_if_nomem
from .state import (
    mas_adopt_children,
    mas_ascend,
    mas_data_end,
    mas_prev_sibling,
    mas_replace_node,
    mas_start,
)
from .walk import mtree_range_walk


def expected_entries_request(nr_entries, alloc):
    """The node count mas_expected_entries() asks for."""
    nonleaf_cap = MAPLE_ARANGE64_SLOTS - 2 if alloc else MAPLE_RANGE64_SLOTS - 2
    nr_nodes = max(nr_entries, nr_entries * 2 + 1)
    nr_nodes = -(-nr_nodes // (MAPLE_RANGE64_SLOTS - 2))
    nr_nodes += -(-nr_nodes // nonleaf_cap)
    return nr_nodes + 3


def mas_expected_entries(mas, nr_entries):
    """mas_expected_entries(): set MA_STATE_BULK and preallocate the nodes."""
    mas.mas_flags |= MA_STATE_BULK
    request = expected_entries_request(nr_entries, bool(mas.tree.flags & MT_FLAGS_ALLOC_RANGE))
    mas_node_count(mas, request)
    mas.mas_flags |= MA_STATE_PREALLOC
    tracer = mas.tree.tracer
    if tracer.enabled:
        tracer.step("mas_expected_entries", mas, nr_entries=nr_entries, request=request,
                    why=f"bulk mode on; {request} nodes preallocated for {nr_entries} entries")
    raise_if_nomem(mas)


def mas_destroy_rebalance_check(mas):
    """The MA_STATE_REBALANCE part of mas_destroy(): fix a too-small last leaf."""
    mas.reset()
    mas_start(mas)
    if mas.node is None:
        return
    mtree_range_walk(mas)
    end = mas.end + 1
    tracer = mas.tree.tracer
    fires = end < MT_MIN_SLOTS[mas.node.type] - 1
    if tracer.enabled:
        tracer.step("mas_destroy", mas, last_leaf_count=end, rebalance=fires,
                    why=(f"the last leaf has {end} entries: rebalance it with its left sibling"
                         if fires else f"the last leaf has {end} entries: nothing to rebalance"))
    if fires:
        mas_destroy_rebalance(mas, end)


def mas_destroy_rebalance(mas, end):
    """mas_destroy_rebalance(): move the left sibling's tail into the last leaf."""
    tree = mas.tree
    node = mas.node
    mt = node.type
    split = MT_SLOTS[mt] // 2
    in_rcu = bool(tree.flags & MT_FLAGS_USE_RCU)
    l_mas = mas.copy()
    if not mas_prev_sibling(l_mas):
        return
    left = l_mas.node
    l_slots = left.slots
    l_pivs = left.pivots
    if l_slots[split] is None:
        split += 1
    tmp = mas_data_end(l_mas) - split
    new_slots = l_slots[split + 1:split + 1 + tmp] + node.slots[:end]
    left_pivs = l_pivs + [l_mas.max]
    new_pivs = left_pivs[split + 1:split + 1 + tmp] + node.pivots[:end]
    l_mas.max = l_pivs[split]
    mas.min = l_mas.max + 1
    parent = left.parent
    total = tmp + end
    npiv = len(node.pivots)
    if in_rcu:
        mas_node_count(mas, 3)
        raise_if_nomem(mas)
    if not in_rcu:
        slots = (new_slots + [None] * 16)[:MT_SLOTS[mt]]
        pivs = (new_pivs + [0] * 16)[:npiv]
        node.slots = slots
        node.pivots = pivs
        node.meta_gap = 0
        node.meta_end = total - 1
        parent.pivots[left.parent_slot] = l_pivs[split]
        for k in range(split + 1, npiv):
            l_pivs[k] = 0
        for k in range(split + 1, MT_SLOTS[mt]):
            l_slots[k] = None
        left.meta_gap = 0
        left.meta_end = split
        eparent = parent
    else:
        newnode = mas_pop_node(mas, mt)
        newnode.parent = node.parent
        newnode.parent_slot = node.parent_slot
        newnode.slots[:len(new_slots)] = new_slots[:MT_SLOTS[mt]]
        newnode.pivots[:min(len(new_pivs), npiv)] = new_pivs[:npiv]
        newnode.meta_end = total
        mas.node = newnode
        new_left = mas_pop_node(mas, mt)
        new_left.parent = left.parent
        new_left.parent_slot = left.parent_slot
        new_left.slots[:split] = l_slots[:split]
        new_left.pivots[:split] = l_pivs[:split]
        new_left.meta_end = split
        l_mas.node = new_left
        offset = node.parent_slot
        eparent = mas_pop_node(mas, parent.type)
        eparent.copy_from(parent)
        eparent.slots[offset] = newnode
        eparent.slots[offset - 1] = new_left
        eparent.pivots[offset - 1] = l_mas.max
    if tree.flags & MT_FLAGS_ALLOC_RANGE:
        eparent.gaps[mas.node.parent_slot] = mas_leaf_max_gap(mas)
        eparent.gaps[l_mas.node.parent_slot] = mas_leaf_max_gap(l_mas)
    mas_ascend(mas)
    if in_rcu:
        old_parent = mas.node
        mas.node = eparent
        mas_replace_node(mas, old_parent)
        mas_adopt_children(mas, mas.node)
    mas_update_gap(mas)
    tracer = tree.tracer
    if tracer.enabled:
        tracer.step("mas_destroy_rebalance", mas, moved=tmp,
                    why=f"{tmp} entries moved from the left sibling into the last leaf")


def mas_destroy_bulk_end(mas):
    """mas_destroy() for a bulk state: tail check, clear the flags, free the pool."""
    from .write import mas_destroy
    mas_destroy(mas)


__all__ = ["mas_expected_entries", "mas_destroy_rebalance", "mas_destroy_pool",
           "MA_STATE_BULK", "mas_destroy_bulk_end"]
