# SPDX-License-Identifier: GPL-2.0-or-later
"""The slot and pivot writes of the leaf fast paths, on nodes.

``mas_wr_append()`` and ``mas_wr_node_store()`` (mapletree_edu/core/write.py) decide
whether a write can go in place or into a new leaf; these functions make the change
to the node itself, so that the append shortcut (mapletree_edu/core/append.py) makes
it with the same code.
"""

from .constants import MAPLE_LEAF_64, MT_PIVOTS
from .node import mas_leaf_set_meta


def ma_wr_append(node, end, new_end, index, last, r_max, entry, content):
    """mas_wr_append()'s writes: [index, last] goes into the node's last range
    (offset end, which holds content up to r_max). Returns the write's offset."""
    pivots = node.pivots
    slots = node.slots
    if new_end < MT_PIVOTS[node.type]:
        pivots[new_end] = pivots[end]
        node.meta_gap = 0
        node.meta_end = new_end
    if new_end == end + 1:
        if last == r_max:
            slots[new_end] = entry
            pivots[end] = index - 1
            return new_end
        slots[new_end] = content
        pivots[end] = last
        slots[end] = entry
        return end
    slots[new_end] = content
    pivots[end + 1] = last
    slots[end + 1] = entry
    pivots[end] = index - 1
    return end + 1


def ma_wr_node_fill(dst, src, off, offset_end, end, new_end, r_min, index, last, mx, entry,
                    content):
    """mas_wr_node_store()'s copy into the zeroed leaf dst: src's slots before off, the
    rest of the range at off (content, from r_min) left of the write, the write, then
    src's slots from offset_end to its data end; mx is the node max. Returns the
    write's offset."""
    node_pivots = MT_PIVOTS[src.type]
    dst_pivots = dst.pivots
    dst_slots = dst.slots
    src_pivots = src.pivots
    src_slots = src.slots
    dst_pivots[:off] = src_pivots[:off]
    dst_slots[:off] = src_slots[:off]
    if r_min < index:
        dst_slots[off] = content
        dst_pivots[off] = index - 1
        off += 1
    if off < node_pivots:
        dst_pivots[off] = last
    dst_slots[off] = entry
    if offset_end <= end:
        dst_offset = off + 1
        copy_size = end - offset_end + 1
        dst_slots[dst_offset:dst_offset + copy_size] = src_slots[offset_end:offset_end + copy_size]
        n = copy_size - 1
        dst_pivots[dst_offset:dst_offset + n] = src_pivots[offset_end:offset_end + n]
        if new_end < node_pivots:
            dst_pivots[new_end] = mx
    mas_leaf_set_meta(dst, MAPLE_LEAF_64, new_end)
    return off
