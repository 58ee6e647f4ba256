# SPDX-License-Identifier: GPL-2.0-or-later
"""Splitting upwards: ``mas_split()`` with ``mas_push_data()``, ``mast_split_data()``,
``mast_fill_bnode()`` and ``mas_split_final_node()``.
"""


from .bignode import (
    mab_calc_split,
    mab_mas_cp,
    mab_no_null_split,
    mab_shift_right,
    mas_mab_cp,
)
from .constants import (
    MA_NONE,
    MAPLE_ARANGE_64,
    MAPLE_RANGE_64,
    MT_FLAGS_ALLOC_RANGE,
    MT_SLOTS,
    ULONG_MAX,
)
from .gaps import mas_max_gap
from .pool import mas_node_count, mas_pop_node, raise_if_nomem
from .state import (
    MaState,
    mas_ascend,
    mas_data_end,
    mas_next_sibling,
    mas_prev_sibling,
    mt_height,
    mte_is_root,
    mte_parent_slot,
)
from .topiary import mas_wmb_replace
from .walk import mtree_range_walk


class Mast:
    """struct maple_subtree_state."""

    __slots__ = ("orig_l", "orig_r", "l", "m", "r", "bn")

    def __init__(self, bn, orig_l, orig_r, left=None, right=None):
        self.bn = bn
        self.orig_l = orig_l
        self.orig_r = orig_r
        self.l = left
        self.m = None
        self.r = right


def mas_set_split_parent(mas, left, right, slot, split):
    """mas_set_split_parent(); slot is a one-element list (a pointer)."""
    if mas.status == MA_NONE:
        return
    if slot[0] <= split:
        mas.node.parent = left
        mas.node.parent_slot = slot[0]
    elif right is not None:
        mas.node.parent = right
        mas.node.parent_slot = slot[0] - split - 1
    slot[0] += 1


def mas_split_final_node(mast, mas, height):
    """mas_split_final_node(): the level that fits in one node; a new root if needed."""
    bn = mast.bn
    if mte_is_root(mas.node):
        bn.type = MAPLE_ARANGE_64 if mas.tree.flags & MT_FLAGS_ALLOC_RANGE else MAPLE_RANGE_64
        mas.depth = height
    ancestor = mas_pop_node(mas, bn.type)
    mast.l.node.parent = ancestor
    mast.l.node.parent_slot = mast.l.offset
    mast.r.node.parent = ancestor
    mast.r.node.parent_slot = mast.r.offset
    ancestor.parent = mas.node.parent
    ancestor.parent_slot = mas.node.parent_slot
    mast.l.node = ancestor
    mab_mas_cp(bn, 0, MT_SLOTS[bn.type] - 1, mast.l, True)
    mas.offset = bn.b_end - 1


def mab_set_b_end(b, mas, entry):
    if entry is None:
        return
    b.slot[b.b_end] = entry
    if mas.tree.flags & MT_FLAGS_ALLOC_RANGE:
        b.gap[b.b_end] = mas_max_gap(mas)
    b.pivot[b.b_end] = mas.max
    b.b_end += 1


def mast_fill_bnode(mast, mas, skip):
    """mast_fill_bnode(): the parent's entries with the two new children in place."""
    bn = mast.bn
    bn.clear()
    cp = True
    if mte_is_root(mas.node):
        cp = False
    else:
        mas_ascend(mas)
        mas.offset = mte_parent_slot(mas.node)
    if cp and mast.l.offset:
        mas_mab_cp(mas, 0, mast.l.offset - 1, bn, 0)
    split = bn.b_end
    mab_set_b_end(bn, mast.l, mast.l.node)
    mast.r.offset = bn.b_end
    mab_set_b_end(bn, mast.r, mast.r.node)
    if bn.pivot[bn.b_end - 1] == mas.max:
        cp = False
    if cp:
        mas_mab_cp(mas, split + skip, MT_SLOTS[mas.node.type] - 1, bn, bn.b_end)
    bn.b_end -= 1
    bn.type = mas.node.type


def mast_split_data(mast, mas, split):
    bn = mast.bn
    mab_mas_cp(bn, 0, split, mast.l, True)
    mast.r.node.pivots[0] = mast.r.max
    mab_mas_cp(bn, split + 1, bn.b_end, mast.r, False)
    mast.l.offset = mte_parent_slot(mas.node)
    mast.l.max = bn.pivot[split]
    mast.r.min = mast.l.max + 1
    if mas.node.type < 2:
        return
    p_slot = [mast.orig_l.offset]
    mas_set_split_parent(mast.orig_l, mast.l.node, mast.r.node, p_slot, split)
    mas_set_split_parent(mast.orig_r, mast.l.node, mast.r.node, p_slot, split)


def mas_push_data(mas, height, mast, left):
    """mas_push_data(): move data into a sibling instead of adding a node."""
    bn = mast.bn
    slot_total = bn.b_end
    tmp_mas = mas.copy()
    tmp_mas.depth = mast.l.depth
    side = "left" if left else "right"
    tracer = mas.tree.tracer
    if left and not mas_prev_sibling(tmp_mas):
        if tracer.enabled:
            _trace_push(tracer, mas, side, None, None, None,
                        "no previous sibling under the same parent")
        return False
    if not left and not mas_next_sibling(tmp_mas):
        if tracer.enabled:
            _trace_push(tracer, mas, side, None, None, None,
                        "no next sibling under the same parent")
        return False
    end = mas_data_end(tmp_mas)
    slot_total += end
    space = 2 * MT_SLOTS[mas.node.type] - 2
    if bn.type < 2:
        space -= 1
    if mas.max == ULONG_MAX:
        space -= 1
    if slot_total >= space:
        if tracer.enabled:
            _trace_push(tracer, mas, side, bn.b_end, end, space,
                        f"b_end {bn.b_end} + sibling end {end} = {slot_total} "
                        f"does not fit below {space}")
        return False
    bn.b_end += 1
    if left:
        mab_shift_right(bn, end + 1)
        mas_mab_cp(tmp_mas, 0, end, bn, 0)
        bn.b_end = slot_total + 1
    else:
        mas_mab_cp(tmp_mas, 0, end, bn, bn.b_end)
    split = MT_SLOTS[bn.type] - 2
    if left:
        mas.assign(tmp_mas)
        tmp_mas.node = mast.l.node
        mast.l.assign(tmp_mas)
    else:
        tmp_mas.node = mast.r.node
        mast.r.assign(tmp_mas)
        split = slot_total - split
    split = mab_no_null_split(bn, split, MT_SLOTS[bn.type])
    if left:
        mast.orig_l.offset += end + 1
    if tracer.enabled:
        _trace_push(tracer, mas, side, slot_total - end, end, space,
                    f"pushed {side}: {slot_total + 1} entries shared with the sibling, "
                    f"split at {split}",
                    split=split, ok=True)
    mast_split_data(mast, mas, split)
    mast_fill_bnode(mast, mas, 2)
    mas_split_final_node(mast, mas, height + 1)
    return True


def _trace_push(tracer, mas, side, b_end, sib_end, space, why, split=None, ok=False):
    """The mas_push_data step (the caller has tested tracer.enabled)."""
    tracer.step("mas_push_data", mas, side=side, b_end=b_end, sibling_end=sib_end,
                space=space, split=split, pushed=ok, why=why)


def mas_split(mas, b_node):
    """mas_split(): split upwards, trying to push left then right at each level."""
    tree = mas.tree
    tracer = tree.tracer
    if tracer.enabled:
        tracer.event("op", "mas_split", mas)
    mas.depth = mt_height(tree)
    mas_node_count(mas, 1 + mas.depth * 2)
    raise_if_nomem(mas)
    l_mas = MaState(tree, mas.index, mas.last)
    r_mas = MaState(tree, mas.index, mas.last)
    prev_l_mas = MaState(tree, mas.index, mas.last)
    prev_r_mas = MaState(tree, mas.index, mas.last)
    mast = Mast(b_node, prev_l_mas, prev_r_mas, l_mas, r_mas)
    height = 0
    while height <= mas.depth:
        height += 1
        if MT_SLOTS[b_node.type] > b_node.b_end:
            mas_split_final_node(mast, mas, height)
            break
        l_mas.assign(mas)
        r_mas.assign(mas)
        l_mas.node = mas_pop_node(mas, b_node.type)
        r_mas.node = mas_pop_node(mas, b_node.type)
        if mas_push_data(mas, height, mast, True):
            break
        if mas_push_data(mas, height, mast, False):
            break
        split, _mid = mab_calc_split(mas, b_node, prev_l_mas.min)
        mast_split_data(mast, mas, split)
        mast.r.max = mas.max
        mast_fill_bnode(mast, mas, 1)
        prev_l_mas.assign(mast.l)
        prev_r_mas.assign(mast.r)
    old = mas.node
    mas.node = l_mas.node
    mas_wmb_replace(mas, old)
    mtree_range_walk(mas)
    return 1
