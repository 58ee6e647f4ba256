# SPDX-License-Identifier: GPL-2.0-or-later
"""Maple nodes and the big node, laid out as the 64-bit kernel lays them out.

A node keeps fixed-size ``pivots`` and ``slots`` arrays (15/16 for leaf_64 and
range_64, 9/10 for arange_64), so that "pivot 0 means no data" and the data-end
rules of ``ma_data_end()`` behave as in the kernel. In leaf_64 and range_64 nodes
the ``{end, gap}`` metadata overlays the storage of slot 15; the model keeps it in
``meta_end``/``meta_gap`` and only consults it where the kernel would.
"""

from .constants import (
    MAPLE_ARANGE_64,
    MAPLE_BIG_NODE_SLOTS,
    MT_PIVOTS,
    MT_SLOTS,
)


class Node:
    """struct maple_node, decoded.

    ``parent`` is the parent Node, or the owning tree object for a root node
    (the kernel's ``tree | MA_ROOT_PARENT``), or the node itself once the node is
    dead (``mte_set_node_dead``). ``parent_slot`` is the slot encoded in the
    parent pointer.
    """

    __slots__ = ("type", "pivots", "slots", "gaps", "meta_end", "meta_gap",
                 "parent", "parent_slot", "serial")

    def __init__(self, mtype, serial=0):
        self.reset(mtype, serial)

    def reset(self, mtype, serial):
        """memset(node, 0) and mt_mk_node(): a zeroed node of type mtype, as
        mas_pop_node() hands it out, with a fresh identity."""
        self.type = mtype
        self.pivots = [0] * MT_PIVOTS[mtype]
        self.slots = [None] * MT_SLOTS[mtype]
        self.gaps = [0] * MT_SLOTS[mtype] if mtype == MAPLE_ARANGE_64 else None
        self.meta_end = 0
        self.meta_gap = 0
        self.parent = None
        self.parent_slot = 0
        self.serial = serial
        return self

    @classmethod
    def shell(cls, serial):
        """An object about to be overwritten whole by copy_from() (dup's memcpy)."""
        node = cls.__new__(cls)
        node.serial = serial
        return node

    def copy_from(self, other):
        """memcpy(self, other, sizeof(struct maple_node))."""
        self.type = other.type
        self.pivots = other.pivots[:]
        self.slots = other.slots[:]
        self.gaps = other.gaps[:] if other.gaps is not None else None
        self.meta_end = other.meta_end
        self.meta_gap = other.meta_gap
        self.parent = other.parent
        self.parent_slot = other.parent_slot

    @property
    def is_leaf(self):
        return self.type < 2

    @property
    def dead(self):
        return self.parent is self

    def __repr__(self):
        return f"<Node #{self.serial} type {self.type}>"


def is_node(obj):
    return obj.__class__ is Node


class BigNode:
    """struct maple_big_node: 34 slots, 33 pivots, gaps, b_end and type."""

    __slots__ = ("pivot", "slot", "gap", "b_end", "type")

    def __init__(self):
        self.pivot = [0] * (MAPLE_BIG_NODE_SLOTS - 1 + 2)
        self.slot = [None] * (MAPLE_BIG_NODE_SLOTS + 2)
        self.gap = [0] * (MAPLE_BIG_NODE_SLOTS + 2)
        self.b_end = 0
        self.type = 0

    def clear(self):
        self.pivot = [0] * (MAPLE_BIG_NODE_SLOTS - 1 + 2)
        self.slot = [None] * (MAPLE_BIG_NODE_SLOTS + 2)
        self.gap = [0] * (MAPLE_BIG_NODE_SLOTS + 2)
        self.b_end = 0


def ma_data_end(node, mtype, mx):
    """ma_data_end(): the offset of the last used slot.

    arange_64 keeps it in its metadata; leaf/range nodes read the metadata only
    when pivot 14 is 0, else the end is 14 when pivot 14 is the node max and 15
    otherwise.
    """
    if mtype == MAPLE_ARANGE_64:
        return node.meta_end
    piv = node.pivots[14]
    if not piv:
        return node.meta_end
    if piv == mx:
        return 14
    return 15


def ma_set_meta(node, mtype, offset, end):
    """ma_set_meta(): for leaf/range nodes this overwrites slot 15's storage."""
    node.meta_gap = offset
    node.meta_end = end
    if mtype != MAPLE_ARANGE_64:
        node.slots[15] = None


def mas_leaf_set_meta(node, mtype, end):
    """mas_leaf_set_meta(): only a node with room for it gets metadata."""
    if end < MT_SLOTS[mtype] - 1:
        ma_set_meta(node, mtype, 0, end)


def ma_max_gap(node):
    """ma_max_gap(): scan the gaps downwards; the highest offset wins a tie.

    Returns (max_gap, offset); with no gap at all the offset is the data end.
    """
    end = node.meta_end
    seg = node.gaps[:end + 1]
    max_gap = max(seg)
    if not max_gap:
        return 0, end
    seg.reverse()
    return max_gap, end - seg.index(max_gap)
