# SPDX-License-Identifier: GPL-2.0-or-later
"""Splits, pushes, rebalances and spanning stores, and swapping their result in.

Models ``mas_split()`` with ``mas_push_data()``, ``mast_split_data()``,
``mast_fill_bnode()`` and ``mas_split_final_node()``; ``mas_rebalance()`` and the
engine they share with spanning stores, ``mas_spanning_rebalance()``;
``mas_wr_spanning_store()``; and ``mas_topiary_replace()``, which puts a new
subtree in place and disposes of the nodes it replaces.
"""

from .bignode import (
    mab_calc_split,
    mab_mas_cp,
    mab_no_null_split,
    mab_shift_right,
    mas_mab_cp,
    mas_store_b_node,
)
from .constants import (
    MA_NONE,
    MAPLE_ARANGE_64,
    MAPLE_RANGE_64,
    MT_FLAGS_ALLOC_RANGE,
    MT_FLAGS_USE_RCU,
    MT_MIN_SLOTS,
    MT_SLOTS,
    ULONG_MAX,
)
from .node import BigNode, ma_data_end
from .root import mas_new_root
from .state import (
    MaState,
    mas_ascend,
    mas_data_end,
    mas_descend,
    mas_free,
    mas_max_gap,
    mas_next_sibling,
    mas_node_count,
    mas_node_or_none,
    mas_pop_node,
    mas_prev_sibling,
    mas_put_in_tree,
    mas_update_gap,
    mt_height,
    mte_destroy_walk,
    mte_is_root,
    mte_parent_slot,
    mte_set_node_dead,
    raise_if_nomem,
)
from .walk import WrState, mas_wr_node_walk, mas_wr_walk_index, mtree_range_walk


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


def _none_state(tree):
    s = MaState(tree)
    s.status = MA_NONE
    return s


# --- topiary ---------------------------------------------------------------

def _find_children(node, mn, mx, limit, out):
    """mas_find_child() repeated: children still pointing at node, with their bounds.

    Appends (child, min, max) to out, at most up to ``limit`` entries in out.
    """
    if len(out) >= limit:
        return
    end = ma_data_end(node, node.type, mx)
    slots = node.slots
    found = [off for off, child in enumerate(slots[:end + 1]) if child.parent is node]
    if not found:
        return
    pivots = node.pivots
    npiv = len(pivots)
    room = limit - len(out)
    for off in found[:room]:
        lo = pivots[off - 1] + 1 if off else mn
        hi = mx if off >= npiv else pivots[off]
        out.append((slots[off], lo, hi))


def _find_and_adopt(node, mn, mx, limit, out):
    """_find_children() then mas_adopt_children() on one node, in a single pass over its slots.

    Models mas_find_child() (the new children, up to ``limit`` entries in out) and
    mas_adopt_children() (every child now points at node); a child is tested before
    its parent pointer is rewritten, so the result is that of the two passes.
    """
    end = ma_data_end(node, node.type, mx)
    slots = node.slots
    pivots = node.pivots
    npiv = len(pivots)
    for off in range(end + 1):
        child = slots[off]
        if child.parent is node:
            if len(out) < limit:
                out.append((child, pivots[off - 1] + 1 if off else mn,
                            mx if off >= npiv else pivots[off]))
        else:
            child.parent = node
        child.parent_slot = off


def mas_topiary_replace(mas, old):
    """mas_topiary_replace(): swap the new subtree in, fix parents, dispose of the old.

    Level by level (at most three nodes a level, as in the kernel), the new nodes
    adopt their children; then the old nodes that are not reused are freed (pushed
    back into the pool, or RCU-freed), and old subtrees lying wholly inside the
    written range are destroyed.
    """
    tree = mas.tree
    mas_put_in_tree(mas, old)
    level = [(mas.node, mas.min, mas.max)]
    while level[0][0].type >= 2:
        nxt = []
        for node, mn, mx in level:
            _find_and_adopt(node, mn, mx, 3, nxt)
        if not nxt:
            break
        level = nxt

    freed = []
    if old.type < 2:
        freed.append(old)
        mas_free(mas, old)
        _trace_topiary(mas, freed, [])
        return
    in_rcu = bool(tree.flags & MT_FLAGS_USE_RCU)
    allocator = tree.allocator
    pool = mas.pool
    subtrees = []

    def dispose(nodes):
        """mas_topiary_node(): mark dead, then RCU-free or push back into the pool."""
        for node, _mn, _mx in nodes:
            freed.append(node)
            mte_set_node_dead(node)
            if in_rcu:
                allocator.free(1)
            else:
                pool.append(node)

    index, last = mas.index, mas.last
    level = [(old, mas.min, mas.max)]
    while True:
        nxt = []
        for node, mn, mx in level:
            if len(nxt) >= 3:
                continue
            found = []
            _find_children(node, mn, mx, 99, found)
            for child, lo, hi in found:
                if lo >= index and hi <= last:
                    mte_set_node_dead(child)
                    subtrees.append(child)
                else:
                    nxt.append((child, lo, hi))
                    if len(nxt) >= 3:
                        break
        if not nxt:
            break
        dispose(level)
        level = nxt
        if level[0][0].type < 2:
            break
    dispose(level)
    for sub in subtrees:
        mte_destroy_walk(sub, tree)
    _trace_topiary(mas, freed, subtrees)


def _trace_topiary(mas, freed, subtrees):
    tracer = mas.tree.tracer
    if tracer.enabled:
        tracer.step("mas_topiary_replace", mas, replaced=[n.serial for n in freed],
                    destroyed=[n.serial for n in subtrees],
                    why="the new nodes are linked in; the nodes they replace are freed")


def mas_wmb_replace(mas, old):
    mas_topiary_replace(mas, old)
    if mas.node.type < 2:
        return
    mas_update_gap(mas)


# --- split -----------------------------------------------------------------

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


# --- rebalance and spanning stores --------------------------------------------

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


__all__ = ["mas_split", "mas_rebalance", "mas_wr_spanning_store", "mas_spanning_rebalance",
           "mas_topiary_replace", "mas_wmb_replace", "mas_node_or_none", "mas_free",
           "mas_next_sibling"]
