# SPDX-License-Identifier: GPL-2.0-or-later
"""Rebalances and spanning stores, and the engine they share.

Models ``mas_rebalance()``, ``mas_wr_spanning_store()`` with
``mas_extend_spanning_null()``, and ``mas_spanning_rebalance()`` with its
``mast_*`` helpers, which rebuild the affected subtree level by level.
"""


from .bignode import (
    mab_calc_split,
    mab_mas_cp,
    mab_shift_right,
    mas_mab_cp,
    mas_store_b_node,
)
from .constants import (
    MA_NONE,
    MT_MIN_SLOTS,
    MT_SLOTS,
    ULONG_MAX,
)
from .node import BigNode
from .pool import mas_node_count, mas_pop_node, raise_if_nomem
from .root import mas_new_root
from .split import Mast, mab_set_b_end, mas_set_split_parent
from .state import (
    MaState,
    mas_ascend,
    mas_data_end,
    mas_descend,
    mas_next_sibling,
    mas_node_or_none,
    mas_prev_sibling,
    mt_height,
    mte_is_root,
)
from .topiary import mas_wmb_replace
from .walk import WrState, mas_wr_node_walk, mas_wr_walk_index, mtree_range_walk


def mast_rebalance_next(mast):
    b_end = mast.bn.b_end
    mas_mab_cp(mast.orig_r, 0, MT_SLOTS[mast.orig_r.node.type], mast.bn, b_end)
    mast.orig_r.last = mast.orig_r.max


def mast_rebalance_prev(mast):
    end = mas_data_end(mast.orig_l) + 1
    b_end = mast.bn.b_end
    mab_shift_right(mast.bn, end)
    mas_mab_cp(mast.orig_l, 0, end - 1, mast.bn, 0)
    mast.l.min = mast.orig_l.min
    mast.orig_l.index = mast.orig_l.min
    mast.bn.b_end = end + b_end
    mast.l.offset += end


def mast_spanning_rebalance(mast):
    """mast_spanning_rebalance(): pull in the nearest neighbour, right first."""
    r_tmp = mast.orig_r.copy()
    l_tmp = mast.orig_l.copy()
    depth = 0
    orig_r = mast.orig_r
    orig_l = mast.orig_l
    while True:
        mas_ascend(orig_r)
        mas_ascend(orig_l)
        depth += 1
        if orig_r.offset < mas_data_end(orig_r):
            orig_r.offset += 1
            while True:
                mas_descend(orig_r)
                orig_r.offset = 0
                depth -= 1
                if not depth:
                    break
            mast_rebalance_next(mast)
            orig_l.assign(l_tmp)
            return True
        elif orig_l.offset != 0:
            orig_l.offset -= 1
            while True:
                mas_descend(orig_l)
                orig_l.offset = mas_data_end(orig_l)
                depth -= 1
                if not depth:
                    break
            mast_rebalance_prev(mast)
            orig_r.assign(r_tmp)
            return True
        if mte_is_root(orig_r.node):
            break
    orig_r.assign(r_tmp)
    orig_l.assign(l_tmp)
    return False


def mast_ascend(mast):
    orig_l, orig_r = mast.orig_l, mast.orig_r
    wr_mas = WrState(orig_r, None)
    mas_ascend(orig_l)
    mas_ascend(orig_r)
    orig_r.offset = 0
    orig_r.index = mast.r.max
    if orig_r.last < orig_r.index:
        orig_r.last = orig_r.index
    wr_mas.type = orig_r.node.type
    mas_wr_node_walk(wr_mas)
    orig_l.offset = 0
    orig_l.index = mast.l.min
    wr_mas.mas = orig_l
    wr_mas.type = orig_l.node.type
    mas_wr_node_walk(wr_mas)
    mast.bn.type = wr_mas.type


def mas_mab_to_node(mas, b, mn):
    """mas_mab_to_node(): new left (and right, middle) nodes; return the split."""
    left = mas_pop_node(mas, b.type)
    right = None
    middle = None
    mid_split = 0
    if b.b_end < MT_SLOTS[b.type]:
        split = b.b_end
    else:
        split, mid_split = mab_calc_split(mas, b, mn)
        right = mas_pop_node(mas, b.type)
    if mid_split:
        middle = mas_pop_node(mas, b.type)
    return split, mid_split, left, middle, right


def mast_set_split_parents(mast, left, middle, right, split, mid_split):
    if mast.l.status == MA_NONE:
        return
    lnode = left
    rnode = right
    if middle is not None:
        rnode = middle
    slot = [mast.l.offset]
    for st in (mast.l, mast.m, mast.r):
        # mte_mid_split_check(): past the middle split, the pair moves right
        if rnode is not right and slot[0] >= mid_split:
            lnode = rnode
            rnode = right
            split = mid_split
        mas_set_split_parent(st, lnode, rnode, slot, split)


def mast_cp_to_nodes(mast, left, middle, right, split, mid_split):
    bn = mast.bn
    new_lmax = True
    mas_node_or_none(mast.l, left)
    mas_node_or_none(mast.m, middle)
    mas_node_or_none(mast.r, right)
    mast.l.min = mast.orig_l.min
    if split == bn.b_end:
        mast.l.max = mast.orig_r.max
        new_lmax = False
    mab_mas_cp(bn, 0, split, mast.l, new_lmax)
    if middle is not None:
        mab_mas_cp(bn, 1 + split, mid_split, mast.m, True)
        mast.m.min = bn.pivot[split] + 1
        split = mid_split
    mast.r.max = mast.orig_r.max
    if right is not None:
        mab_mas_cp(bn, 1 + split, bn.b_end, mast.r, False)
        mast.r.min = bn.pivot[split] + 1


def mast_combine_cp_left(mast):
    l_slot = mast.orig_l.offset
    if not l_slot:
        return
    mas_mab_cp(mast.orig_l, 0, l_slot - 1, mast.bn, 0)


def mast_combine_cp_right(mast):
    bn = mast.bn
    if bn.pivot[bn.b_end - 1] >= mast.orig_r.max:
        return
    mas_mab_cp(mast.orig_r, mast.orig_r.offset + 1, MT_SLOTS[mast.orig_r.node.type], bn, bn.b_end)
    mast.orig_r.last = mast.orig_r.max


def mas_is_root_limits(mas):
    return not mas.min and mas.max == ULONG_MAX


def mas_spanning_rebalance(mas, mast, count):
    """mas_spanning_rebalance(): rebuild the subtree level by level up to a sufficient one."""
    tree = mas.tree
    bn = mast.bn
    l_mas = MaState(tree, mas.index, mas.index)
    r_mas = MaState(tree, mas.index, mas.last)
    m_mas = MaState(tree, mas.index, mas.index)
    mast.l = l_mas
    mast.m = m_mas
    mast.r = r_mas
    l_mas.status = r_mas.status = m_mas.status = MA_NONE
    left = middle = right = None
    tracer = tree.tracer
    if tracer.enabled:
        tracer.step("mas_spanning_rebalance", mas, b_end=bn.b_end, levels=count,
                    why="rebuild the affected subtree level by level")
    if (mast.orig_l.min != 0 or mast.orig_r.max != ULONG_MAX) and \
            bn.b_end <= MT_MIN_SLOTS[bn.type]:
        mast_spanning_rebalance(mast)
    l_mas.depth = 0
    new_root = False
    while count:
        count -= 1
        bn.b_end -= 1
        bn.type = mast.orig_l.node.type
        split, mid_split, left, middle, right = mas_mab_to_node(mas, bn, mast.orig_l.min)
        mast_set_split_parents(mast, left, middle, right, split, mid_split)
        mast_cp_to_nodes(mast, left, middle, right, split, mid_split)
        bn.clear()
        bn.type = left.type
        l_mas.depth += 1
        if mas_is_root_limits(mast.l):
            new_root = True
            break
        mast_ascend(mast)
        mast_combine_cp_left(mast)
        l_mas.offset = bn.b_end
        mab_set_b_end(bn, l_mas, left)
        mab_set_b_end(bn, m_mas, middle)
        mab_set_b_end(bn, r_mas, right)
        mast_combine_cp_right(mast)
        mast.orig_l.last = mast.orig_l.max
        if bn.b_end > MT_MIN_SLOTS[mast.orig_l.node.type]:
            continue
        if bn.b_end >= MT_SLOTS[mast.orig_l.node.type]:
            continue
        if mas_is_root_limits(mast.orig_l):
            break
        mast_spanning_rebalance(mast)
        if not count:
            count += 1
    if not new_root:
        l_mas.node = mas_pop_node(mas, mast.orig_l.node.type)
        l_mas.depth += 1
        mab_mas_cp(bn, 0, MT_SLOTS[bn.type] - 1, l_mas, True)
        slot = 0
        left.parent = l_mas.node
        left.parent_slot = slot
        if middle is not None:
            slot += 1
            middle.parent = l_mas.node
            middle.parent_slot = slot
        if right is not None:
            slot += 1
            right.parent = l_mas.node
            right.parent_slot = slot
    if mas_is_root_limits(mast.l):
        mast.l.node.parent = tree
        while not mte_is_root(mast.orig_l.node):
            mast_ascend(mast)
    else:
        l_mas.node.parent = mast.orig_l.node.parent
        l_mas.node.parent_slot = mast.orig_l.node.parent_slot
    old = mast.orig_l.node
    mas.depth = l_mas.depth
    mas.node = l_mas.node
    mas.min = l_mas.min
    mas.max = l_mas.max
    mas.offset = l_mas.offset
    mas_wmb_replace(mas, old)
    mtree_range_walk(mas)
    return bn.b_end


def mas_rebalance(mas, b_node):
    """mas_rebalance(): merge an underfull node with its right (else left) sibling."""
    tree = mas.tree
    tracer = tree.tracer
    empty_count = mt_height(tree)
    b_node.b_end += 1
    b_end = b_node.b_end
    l_mas = MaState(tree, mas.index, mas.last)
    r_mas = MaState(tree, mas.index, mas.last)
    if tracer.enabled:
        tracer.event("op", "mas_rebalance", mas)
    mas_node_count(mas, empty_count * 2 - 1)
    raise_if_nomem(mas)
    mast = Mast(b_node, l_mas, r_mas)
    b_node.type = mas.node.type
    l_mas.assign(mas)
    r_mas.assign(mas)
    if mas_next_sibling(r_mas):
        mas_mab_cp(r_mas, 0, MT_SLOTS[r_mas.node.type], b_node, b_end)
        r_mas.last = r_mas.index = r_mas.max
        side = "next"
    else:
        mas_prev_sibling(l_mas)
        shift = mas_data_end(l_mas) + 1
        mab_shift_right(b_node, shift)
        mas.offset += shift
        mas_mab_cp(l_mas, 0, shift - 1, b_node, 0)
        b_node.b_end = shift + b_end
        l_mas.index = l_mas.last = l_mas.min
        side = "previous"
    if tracer.enabled:
        tracer.step("mas_rebalance", mas, sibling=side, b_end=b_node.b_end,
                    why=f"the node has too few entries: combine it with its {side} sibling")
    return mas_spanning_rebalance(mas, mast, empty_count)


def mas_extend_spanning_null(l_wr_mas, r_wr_mas):
    """mas_extend_spanning_null(): widen a NULL store over NULL neighbours on both sides."""
    r_mas = r_wr_mas.mas
    l_mas = l_wr_mas.mas
    l_slot = l_mas.offset
    if l_wr_mas.content is None:
        l_mas.index = l_wr_mas.r_min
    if l_mas.index == l_wr_mas.r_min and l_slot and l_wr_mas.slots[l_slot - 1] is None:
        if l_slot > 1:
            l_mas.index = l_wr_mas.pivots[l_slot - 2] + 1
        else:
            l_mas.index = l_mas.min
        l_mas.offset = l_slot - 1
    if r_wr_mas.content is None:
        if r_mas.last < r_wr_mas.r_max:
            r_mas.last = r_wr_mas.r_max
        r_mas.offset += 1
    elif r_mas.last == r_wr_mas.r_max and r_mas.last < r_mas.max and \
            r_wr_mas.slots[r_mas.offset + 1] is None:
        r_mas.last = r_wr_mas.pivots[1]
        r_mas.offset += 1


def mas_wr_spanning_store(wr_mas):
    """mas_wr_spanning_store(): a write that crosses nodes (or ends a leaf with NULL)."""
    mas = wr_mas.mas
    tree = mas.tree
    tracer = tree.tracer
    entry = wr_mas.entry
    if tracer.enabled:
        tracer.event("op", "mas_wr_spanning_store", mas)
    if not mas.index and mas.last == ULONG_MAX:
        return mas_new_root(mas, entry)
    height = mt_height(tree)
    mas_node_count(mas, 1 + height * 3)
    raise_if_nomem(mas)
    r_mas = mas.copy()
    if r_mas.last != ULONG_MAX:
        r_mas.last += 1
    r_mas.index = r_mas.last
    r_wr_mas = WrState(r_mas, entry)
    mas_wr_walk_index(r_wr_mas)
    r_mas.last = r_mas.index = mas.last
    l_mas = mas.copy()
    l_wr_mas = WrState(l_mas, entry)
    mas_wr_walk_index(l_wr_mas)
    if entry is None:
        mas_extend_spanning_null(l_wr_mas, r_wr_mas)
        mas.offset = l_mas.offset
        mas.index = l_mas.index
        mas.last = l_mas.last = r_mas.last
    if not l_mas.index and r_mas.last == ULONG_MAX:
        mas.set_range(0, ULONG_MAX)
        return mas_new_root(mas, entry)
    b_node = BigNode()
    mas_store_b_node(l_wr_mas, b_node, l_mas.end)
    if r_mas.offset <= r_mas.end:
        mas_mab_cp(r_mas, r_mas.offset, r_mas.end, b_node, b_node.b_end + 1)
    else:
        b_node.b_end += 1
    l_mas.index = l_mas.last = mas.index
    mast = Mast(b_node, l_mas, r_mas)
    return mas_spanning_rebalance(mas, mast, height + 1)


__all__ = ["mas_rebalance", "mas_wr_spanning_store", "mas_spanning_rebalance"]
