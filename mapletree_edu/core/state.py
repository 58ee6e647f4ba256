# SPDX-License-Identifier: GPL-2.0-or-later
"""The tree, the maple state and the basic moves of a walk.

Models ``struct maple_tree``, ``struct ma_state`` and the helpers of
lib/maple_tree.c that move a state around (``mas_start``, ``mas_descend``,
``mas_ascend``, siblings), read a node (``mas_data_end``) and link nodes into the
tree (``mas_put_in_tree``, ``mas_adopt_children``). The state's node pool is in
:mod:`.pool`, gap tracking in :mod:`.gaps`.
"""

from .alloc import Allocator
from .constants import (
    MA_ACTIVE,
    MA_NONE,
    MA_ROOT,
    MA_START,
    MAPLE_NODE_SLOTS,
    MT_FLAGS_ALLOC_RANGE,
    MT_FLAGS_HEIGHT_MASK,
    MT_FLAGS_HEIGHT_OFFSET,
    MT_FLAGS_USE_RCU,
    MT_PIVOTS,
    ULONG_MAX,
)
from .node import Node, ma_data_end
from .pool import mas_free
from .tracer import NULL_TRACER

# enum maple_status, in the kernel's order
STATUSES = ("ma_active", "ma_start", "ma_root", "ma_none", "ma_pause", "ma_overflow",
            "ma_underflow", "ma_error")


class Tree:
    """struct maple_tree: the root pointer and ``ma_flags`` (kind, RCU, height)."""

    __slots__ = ("root", "flags", "allocator", "tracer", "__weakref__")

    def __init__(self, alloc=True, rcu=False, allocator=None, tracer=None):
        self.root = None
        self.flags = (MT_FLAGS_ALLOC_RANGE if alloc else 0) | (MT_FLAGS_USE_RCU if rcu else 0)
        self.allocator = allocator if allocator is not None else Allocator()
        self.tracer = tracer if tracer is not None else NULL_TRACER

    @property
    def height(self):
        return (self.flags & MT_FLAGS_HEIGHT_MASK) >> MT_FLAGS_HEIGHT_OFFSET

    @property
    def is_alloc(self):
        return bool(self.flags & MT_FLAGS_ALLOC_RANGE)

    @property
    def in_rcu(self):
        return bool(self.flags & MT_FLAGS_USE_RCU)

    def attr(self):
        """mt_attr(): the flags without the height."""
        return self.flags & ~MT_FLAGS_HEIGHT_MASK


def mt_height(tree):
    return (tree.flags & MT_FLAGS_HEIGHT_MASK) >> MT_FLAGS_HEIGHT_OFFSET


def mte_is_root(node):
    """mte_is_root(): the parent pointer of a root node is the tree."""
    return node.parent.__class__ is not Node


def mte_parent_slot(node):
    if node.parent.__class__ is not Node:
        return 0
    return node.parent_slot


def mte_set_node_dead(node):
    node.parent = node


class MaState:
    """struct ma_state (the "maple state"), including its node pool.

    ``status`` is v6.8's enum maple_status (constants ``MA_*``): ``ma_start`` (walk
    from the root on next use; no node), ``ma_active`` (on ``node`` at ``offset``,
    ``min``/``max`` its bounds, ``index``/``last`` the range there), ``ma_root`` (the
    tree's only entry is in the root pointer), ``ma_none`` (nothing there: an empty
    tree, or past a root entry), ``ma_pause`` (let go of the node; a search goes on
    after ``last`` or before ``index``), ``ma_overflow`` / ``ma_underflow`` (a search
    hit its limit; the node is usually kept), ``ma_error`` (``err`` holds the code).
    """

    __slots__ = ("tree", "index", "last", "node", "min", "max", "offset", "end",
                 "depth", "status", "mas_flags", "pool", "alloc_req", "err")

    def __init__(self, tree, index=0, last=0):
        self.tree = tree
        self.index = index
        self.last = last
        self.node = None
        self.min = 0
        self.max = ULONG_MAX
        self.offset = 0
        self.end = 0
        self.depth = 0
        self.status = MA_START
        self.mas_flags = 0
        self.pool = []
        self.alloc_req = 0
        self.err = 0

    def copy(self):
        """Struct assignment (``a = *b``): the pool is shared, as the pointer is."""
        new = MaState.__new__(MaState)
        new.tree = self.tree
        new.index = self.index
        new.last = self.last
        new.node = self.node
        new.min = self.min
        new.max = self.max
        new.offset = self.offset
        new.end = self.end
        new.depth = self.depth
        new.status = self.status
        new.mas_flags = self.mas_flags
        new.pool = self.pool
        new.alloc_req = self.alloc_req
        new.err = self.err
        return new

    def assign(self, other):
        """``*self = *other``."""
        self.tree = other.tree
        self.index = other.index
        self.last = other.last
        self.node = other.node
        self.min = other.min
        self.max = other.max
        self.offset = other.offset
        self.end = other.end
        self.depth = other.depth
        self.status = other.status
        self.mas_flags = other.mas_flags
        self.pool = other.pool
        self.alloc_req = other.alloc_req
        self.err = other.err

    def reset(self):
        """mas_reset()."""
        self.status = MA_START
        self.node = None

    def set_range(self, index, last):
        """mas_set_range()."""
        self.index = index
        self.last = last
        self.reset()

    def __repr__(self):
        return (f"<MaState {self.status} [{self.index:#x}-{self.last:#x}] node={self.node!r} "
                f"min={self.min:#x} max={self.max:#x} off={self.offset} end={self.end}>")


# --- height, root, walk moves -------------------------------------------

def mas_set_height(mas):
    tree = mas.tree
    tree.flags = (tree.flags & ~MT_FLAGS_HEIGHT_MASK) | (mas.depth << MT_FLAGS_HEIGHT_OFFSET)


def mas_start(mas):
    """mas_start(): set up a state in ma_start; return the root entry if any."""
    if mas.status == MA_START:
        mas.min = 0
        mas.max = ULONG_MAX
        mas.depth = 0
        root = mas.tree.root
        if root.__class__ is Node:
            mas.depth = 1
            mas.status = MA_ACTIVE
            mas.node = root
            mas.offset = 0
            return None
        if root is None:
            mas.node = None
            mas.status = MA_NONE
            mas.offset = MAPLE_NODE_SLOTS
            return None
        mas.status = MA_ROOT
        mas.offset = MAPLE_NODE_SLOTS
        if mas.index > 0:
            return None
        return root
    return None


def mas_data_end(mas):
    node = mas.node
    return ma_data_end(node, node.type, mas.max)


def mas_descend(mas):
    """mas_descend(): enter the child at mas.offset."""
    node = mas.node
    pivots = node.pivots
    off = mas.offset
    if off:
        mas.min = pivots[off - 1] + 1
    mas.max = mas.max if off >= len(pivots) else pivots[off]
    mas.node = node.slots[off]


def mas_ascend(mas):
    """mas_ascend(): go to the parent and recompute min/max from the ancestors."""
    a_node = mas.node
    if mte_is_root(a_node):
        mas.offset = 0
        return 0
    p_node = a_node.parent
    if p_node is a_node:
        return 1
    mas.offset = a_node.parent_slot
    mas.node = p_node
    if mte_is_root(p_node):
        mas.max = ULONG_MAX
        mas.min = 0
        return 0
    mn = 0
    mx = ULONG_MAX
    set_min = False
    set_max = False
    if not mas.offset:
        mn = mas.min
        set_min = True
    if mas.max == ULONG_MAX:
        set_max = True
    p_enode = p_node
    while True:
        a_node = p_enode.parent
        a_slot = p_enode.parent_slot
        pivots = a_node.pivots
        if not set_min and a_slot:
            set_min = True
            mn = pivots[a_slot - 1] + 1
        if not set_max and a_slot < MT_PIVOTS[a_node.type]:
            set_max = True
            mx = pivots[a_slot]
        if mte_is_root(a_node):
            break
        p_enode = a_node
        if set_min and set_max:
            break
    mas.max = mx
    mas.min = mn
    return 0


def mas_prev_sibling(mas):
    """mas_prev_sibling(): move to the previous node under the same parent."""
    node = mas.node
    if mte_is_root(node):
        return False
    p_slot = node.parent_slot
    if not p_slot:
        return False
    mas_ascend(mas)
    mas.offset = p_slot - 1
    mas_descend(mas)
    return True


def mas_next_sibling(mas):
    """mas_next_sibling(): move to the next node under the same parent."""
    node = mas.node
    if mte_is_root(node):
        return False
    parent = mas.copy()
    mas_ascend(parent)
    parent.offset = node.parent_slot + 1
    if parent.offset > mas_data_end(parent):
        return False
    mas.assign(parent)
    mas_descend(mas)
    return True


def mas_node_or_none(mas, node):
    if node is not None:
        mas.node = node
        mas.status = MA_ACTIVE
    else:
        mas.node = None
        mas.status = MA_NONE


def mas_adopt_children(mas, parent):
    """mas_adopt_children(): point every child's parent pointer at parent."""
    adopt_children(parent, mas.max)


def adopt_children(parent, mx):
    """mas_adopt_children() of a node whose max is mx."""
    offset = 0
    for child in parent.slots[:ma_data_end(parent, parent.type, mx) + 1]:
        child.parent = parent
        child.parent_slot = offset
        offset += 1


def mas_put_in_tree(mas, old):
    """mas_put_in_tree(): link the state's node where old was; old becomes dead."""
    node = mas.node
    if mte_is_root(node):
        node.parent = mas.tree
        mas.tree.root = node
        mas_set_height(mas)
    else:
        node.parent.slots[node.parent_slot] = node
    mte_set_node_dead(old)


def mas_replace_node(mas, old):
    mas_put_in_tree(mas, old)
    mas_free(mas, old)


def count_subtree(node):
    """The number of nodes of a subtree (what a destroy walk frees)."""
    if node.type < 2:
        return 1
    total = 1
    end = ma_data_end(node, node.type, None)
    for child in node.slots[:end + 1]:
        if child.__class__ is Node and child.parent is not child:
            total += count_subtree(child)
    return total


def mte_destroy_walk(node, tree):
    """mte_destroy_walk(): free a whole subtree (RCU: after the grace period)."""
    tree.allocator.free(count_subtree(node))
