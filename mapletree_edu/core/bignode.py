# SPDX-License-Identifier: GPL-2.0-or-later
"""The big node: copying in and out, and choosing where to split it.

Models ``mas_mab_cp()``, ``mab_mas_cp()``, ``mab_shift_right()``,
``mab_middle_node()``, ``mab_no_null_split()``, ``mab_calc_split()`` (v6.8, with
its bulk branch and the small-pivot loop later removed upstream),
``mas_bulk_rebalance()`` and ``mas_store_b_node()``.
"""

from .constants import (
    MA_STATE_BULK,
    MA_STATE_REBALANCE,
    MAPLE_ARANGE_64,
    MT_FLAGS_ALLOC_RANGE,
    MT_MIN_SLOTS,
    MT_PIVOTS,
    MT_SLOTS,
    ULONG_MAX,
)
from .node import mas_leaf_set_meta
from .state import mte_is_root


def mab_shift_right(b, shift):
    """mab_shift_right(): move the first b_end entries right by shift."""
    size = b.b_end
    b.pivot[shift:shift + size] = b.pivot[0:size]
    b.slot[shift:shift + size] = b.slot[0:size]
    if b.type == MAPLE_ARANGE_64:
        b.gap[shift:shift + size] = b.gap[0:size]


def mab_middle_node(b, split, slot_count):
    size = b.b_end
    if size >= 2 * slot_count:
        return True
    if b.slot[split] is None and size >= 2 * slot_count - 1:
        return True
    return False


def mab_no_null_split(b, split, slot_count):
    """mab_no_null_split(): never end the left node on a NULL."""
    if b.slot[split] is None:
        if split < slot_count - 1 and (b.b_end - split) > MT_MIN_SLOTS[b.type]:
            split += 1
        else:
            split -= 1
    return split


def mab_calc_split(mas, b, mn):
    """mab_calc_split(): return (split, mid_split) as v6.8 computes them."""
    b_end = b.b_end
    split = b_end // 2
    slot_count = MT_SLOTS[b.type]
    tracer = mas.tree.tracer
    if mas.mas_flags & MA_STATE_BULK:
        split = b_end - MT_MIN_SLOTS[b.type]
        if b.type >= 2:
            if tracer.enabled:
                why = f"bulk mode: an internal node splits at b_end - {MT_MIN_SLOTS[b.type]}"
                _trace_split(tracer, mas, b, split, 0, "bulk", why)
            return split, 0
        mas.mas_flags |= MA_STATE_REBALANCE
        why = "bulk mode: the left leaf keeps all but 6 entries"
        if b.slot[split] is None:
            split -= 1
            why += " (one fewer: the split slot is NULL)"
        if tracer.enabled:
            _trace_split(tracer, mas, b, split, 0, "bulk", why)
        return split, 0
    if mab_middle_node(b, split, slot_count):
        split = b_end // 3
        mid_split = split * 2
        why = "3-way split: the data cannot fit in two nodes"
    else:
        slot_min = MT_MIN_SLOTS[b.type]
        mid_split = 0
        why = f"split in the middle of b_end {b_end}"
        moved = 0
        pivot = b.pivot
        while split < slot_count - 1 and ((pivot[split] - mn) & ULONG_MAX) < slot_count - 1 and \
                b_end - split > slot_min:
            split += 1
            moved += 1
        if moved:
            why += f", moved right {moved} by the small-pivot rule (pivots below min + 15)"
    nsplit = mab_no_null_split(b, split, slot_count)
    if nsplit != split:
        why += f", moved {'right' if nsplit > split else 'left'} off a NULL"
    split = nsplit
    if mid_split:
        mid_split = mab_no_null_split(b, mid_split, slot_count)
    if tracer.enabled:
        _trace_split(tracer, mas, b, split, mid_split, "normal", why)
    return split, mid_split


def _trace_split(tracer, mas, b, split, mid_split, mode, why):
    tracer.step("mab_calc_split", mas, b_end=b.b_end, split=split, mid_split=mid_split,
                mode=mode, big_node=big_node_view(b), why=why)


def big_node_view(b):
    """A plain copy of a big node's entries, for tracing."""
    n = b.b_end + 1
    if b.type >= 2:
        slots = [getattr(s, "serial", s) for s in b.slot[:n]]
    else:
        slots = list(b.slot[:n])
    return {"type": b.type, "b_end": b.b_end, "pivots": list(b.pivot[:n]), "slots": slots}


def mas_mab_cp(mas, mas_start, mas_end, b, mab_start):
    """mas_mab_cp(): copy slots mas_start..mas_end of mas.node into b at mab_start."""
    node = mas.node
    mt = node.type
    pivots = node.pivots
    bpiv = b.pivot
    i = mas_start
    j = mab_start
    complete = False
    if not i:
        bpiv[j] = pivots[i]
        i += 1
        if i > mas_end:
            complete = True
        else:
            j += 1
    if not complete:
        npiv = MT_PIVOTS[mt]
        piv_end = mas_end if mas_end < npiv else npiv
        mx = mas.max
        # copy pivots until a zero pivot (no data) or the node max (the end)
        seg = pivots[i:piv_end]
        n = len(seg)
        stop = seg.index(0) if 0 in seg else n
        if mx in seg:
            at_max = seg.index(mx)
            if at_max < stop:
                stop = at_max
                complete = True
        if stop < n:
            bpiv[j:j + stop + 1] = seg[:stop + 1]
        else:
            bpiv[j:j + stop] = seg
        i += stop
        j += stop
        if not complete and i <= mas_end:
            bpiv[j] = mx if i >= npiv else pivots[i]
    j += 1
    b.b_end = j
    j -= mab_start
    b.slot[mab_start:mab_start + j] = node.slots[mas_start:mas_start + j]
    if mt >= 2 and (mas.tree.flags & MT_FLAGS_ALLOC_RANGE):
        b.gap[mab_start:mab_start + j] = node.gaps[mas_start:mas_start + j]


def mab_mas_cp(b, mab_start, mab_end, mas, new_max):
    """mab_mas_cp(): copy b[mab_start..mab_end] into mas.node and set its metadata."""
    node = mas.node
    mt = node.type
    slots = node.slots
    pivots = node.pivots
    npiv = MT_PIVOTS[mt]
    if mab_end - mab_start > npiv:
        mab_end -= 1
    if not pivots[npiv - 1]:
        slots[npiv] = None
        if mt != MAPLE_ARANGE_64:
            node.meta_end = 0
            node.meta_gap = 0
    bpiv = b.pivot
    # copy pivots from mab_start up to mab_end, stopping before a zero pivot
    seg = bpiv[mab_start + 1:mab_end + 1]
    count = 1 + (seg.index(0) if 0 in seg else len(seg))
    m = count if count < npiv else npiv
    pivots[0:m] = bpiv[mab_start:mab_start + m]
    i = mab_start + count
    j = count
    slots[0:count] = b.slot[mab_start:i]
    if new_max:
        mas.max = bpiv[i - 1]
    end = j - 1
    if mt >= 2 and (mas.tree.flags & MT_FLAGS_ALLOC_RANGE):
        # the gaps copied down from the end: the highest offset of the largest gap
        # wins, and offset 0 when there is no gap
        seg = b.gap[mab_start:i]
        node.gaps[0:j] = seg
        max_gap = max(seg)
        if max_gap:
            seg.reverse()
            node.meta_gap = j - 1 - seg.index(max_gap)
        else:
            node.meta_gap = 0
        node.meta_end = end
    else:
        mas_leaf_set_meta(node, mt, end)


def mas_bulk_rebalance(mas, end, mt):
    """mas_bulk_rebalance(): clear MA_STATE_REBALANCE once the tail node is big enough."""
    if not (mas.mas_flags & MA_STATE_BULK):
        return
    if mte_is_root(mas.node):
        return
    if end > MT_MIN_SLOTS[mt]:
        mas.mas_flags &= ~MA_STATE_REBALANCE


def mas_store_b_node(wr_mas, b, offset_end):
    """mas_store_b_node(): the node's data with the new entry written in, into b."""
    mas = wr_mas.mas
    b.type = wr_mas.type
    b_end = 0
    slot = mas.offset
    if slot:
        mas_mab_cp(mas, 0, slot - 1, b, 0)
        b_end = b.b_end
        piv = b.pivot[b_end - 1]
    else:
        piv = (mas.min - 1) & ULONG_MAX
    if ((piv + 1) & ULONG_MAX) < mas.index:
        b.slot[b_end] = wr_mas.content
        if wr_mas.content is None:
            b.gap[b_end] = mas.index - 1 - piv
        b.pivot[b_end] = mas.index - 1
        b_end += 1
    mas.offset = b_end
    b.slot[b_end] = wr_mas.entry
    b.pivot[b_end] = mas.last
    if mas.last >= mas.max:
        b.b_end = b_end
        return
    piv = mas.max if offset_end >= MT_PIVOTS[wr_mas.type] else wr_mas.pivots[offset_end]
    if piv > mas.last:
        if piv == ULONG_MAX:
            mas_bulk_rebalance(mas, b.b_end, wr_mas.type)
        if offset_end != slot:
            wr_mas.content = wr_mas.slots[offset_end]
        b_end += 1
        b.slot[b_end] = wr_mas.content
        if wr_mas.content is None:
            b.gap[b_end] = piv - mas.last + 1
        b.pivot[b_end] = piv
    slot = offset_end + 1
    if slot > mas.end:
        b.b_end = b_end
        return
    b_end += 1
    mas_mab_cp(mas, slot, mas.end + 1, b, b_end)
    b.b_end -= 1
