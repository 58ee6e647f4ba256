# SPDX-License-Identifier: GPL-2.0-or-later
"""The tree, the maple state and its node pool, and the basic moves of a walk.

Models ``struct maple_tree``, ``struct ma_state`` and the helpers of
lib/maple_tree.c that move a state around (``mas_start``, ``mas_descend``,
``mas_ascend``, siblings), read a node (``mas_data_end``, gaps) and manage the
per-state node pool (``mas_node_count``, ``mas_pop_node``, ``mas_push_node``,
``mas_destroy``).
"""

from ..errors import BulkModeError, MapleTreeError, OutOfMemoryError
from .alloc import Allocator
from .constants import (
    MA_ACTIVE,
    MA_ERROR,
    MA_NONE,
    MA_ROOT,
    MA_START,
    MA_STATE_BULK,
    MA_STATE_PREALLOC,
    MA_STATE_REBALANCE,
    MAPLE_ALLOC_SLOTS,
    MAPLE_ARANGE64_SLOTS,
    MAPLE_ARANGE_64,
    MAPLE_NODE_SLOTS,
    MT_FLAGS_ALLOC_RANGE,
    MT_FLAGS_HEIGHT_MASK,
    MT_FLAGS_HEIGHT_OFFSET,
    MT_FLAGS_USE_RCU,
    MT_PIVOTS,
    ULONG_MAX,
)
from .node import Node, ma_data_end
from .tracer import NULL_TRACER


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


def mas_set_parent(node, parent, slot):
    node.parent = parent
    node.parent_slot = slot


def mte_set_node_dead(node):
    node.parent = node


class MaState:
    """struct ma_state (the "maple state"), including its node pool."""

    __slots__ = ("tree", "index", "last", "node", "min", "max", "offset", "end",
                 "depth", "status", "mas_flags", "pool", "alloc_req")

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


class KernelBug(MapleTreeError):
    """The model reached a state where the kernel would BUG()."""


class PreallocExhausted(KernelBug, BulkModeError):
    """A preallocated (bulk) state needed a node and its pool was empty."""


# --- the node pool -------------------------------------------------------

def mas_alloc_nodes(mas):
    """mas_alloc_nodes(): fill the pool with the pending request.

    From an empty pool a request of R takes one single-object call and then bulk
    calls of at most 30 nodes, as the pool's list head holds 30 pointers.
    """
    requested = mas.alloc_req
    if not requested:
        return
    mas.alloc_req = 0
    allocated = len(mas.pool)
    if mas.mas_flags & MA_STATE_PREALLOC:
        if allocated:
            return
        raise KernelBug("allocation from an empty preallocated node pool")
    allocator = mas.tree.allocator
    pool = mas.pool
    head_count = allocated % MAPLE_ALLOC_SLOTS if allocated else 0
    if not allocated or head_count == MAPLE_ALLOC_SLOTS:
        node = allocator.alloc_one(lazy=True)
        if node is None:
            mas.alloc_req = requested
            mas.status = MA_ERROR
            return
        pool.append(node)
        requested -= 1
        head_count = 1 if allocated else 0
    while requested:
        max_req = min(requested, MAPLE_ALLOC_SLOTS - head_count)
        nodes = allocator.alloc_bulk(max_req, lazy=True)
        if not nodes:
            mas.alloc_req = requested
            mas.status = MA_ERROR
            return
        pool.extend(nodes)
        requested -= max_req
        head_count = 0


def mas_node_count(mas, count):
    """mas_node_count(): make sure the pool holds at least count nodes."""
    allocated = len(mas.pool)
    if allocated < count:
        mas.alloc_req = count - allocated
        mas_alloc_nodes(mas)
    return mas.status != MA_ERROR


def mas_pop_node(mas, mtype):
    """mas_pop_node() + mt_mk_node(): a zeroed node of the given type."""
    pool = mas.pool
    if not pool:
        if mas.mas_flags & MA_STATE_PREALLOC:
            raise PreallocExhausted(
                "the bulk load ran out of preallocated nodes: more was stored than "
                "mas_expected_entries() announced (the kernel would BUG here)")
        raise KernelBug("mas_pop_node() on an empty pool")
    node = pool.pop()
    serial = mas.tree.allocator.next_serial()
    if node is None:
        return Node(mtype, serial)
    return node.reset(mtype, serial)


def mas_push_node(mas, node):
    """mas_push_node(): give a node back to the state's pool for reuse."""
    mas.pool.append(node)


def mas_free(mas, node):
    """mas_free(): RCU-free the node, or push it back into the pool."""
    if mas.tree.flags & MT_FLAGS_USE_RCU:
        mas.tree.allocator.free(1)
    else:
        mas_push_node(mas, node)


def mas_destroy_pool(mas):
    """The freeing half of mas_destroy(): every pooled node is returned."""
    if mas.pool:
        mas.tree.allocator.free(len(mas.pool))
        mas.pool = []
    mas.alloc_req = 0


def raise_if_nomem(mas):
    if mas.status == MA_ERROR:
        mas_destroy_pool(mas)
        mas.mas_flags &= ~(MA_STATE_BULK | MA_STATE_PREALLOC | MA_STATE_REBALANCE)
        raise OutOfMemoryError("the node allocator failed (-ENOMEM); the tree is unchanged")


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


def mas_safe_pivot(mas, pivots, piv, mtype):
    if piv >= MT_PIVOTS[mtype]:
        return mas.max
    return pivots[piv]


def mas_safe_min(mas, pivots, offset):
    if offset:
        return pivots[offset - 1] + 1
    return mas.min


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


# --- gaps ---------------------------------------------------------------

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


def mas_adopt_children(mas, parent):
    """mas_adopt_children(): point every child's parent pointer at parent."""
    offset = ma_data_end(parent, parent.type, mas.max)
    slots = parent.slots
    while True:
        child = slots[offset]
        child.parent = parent
        child.parent_slot = offset
        if offset == 0:
            break
        offset -= 1


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


def mas_find_child(mas, child):
    """mas_find_child(): the next child (from mas.offset) whose parent is mas.node."""
    node = mas.node
    end = ma_data_end(node, node.type, mas.max)
    slots = node.slots
    offset = mas.offset
    while offset <= end:
        entry = slots[offset]
        if entry.parent is node:
            child.assign(mas)
            mas.offset = offset + 1
            child.offset = offset
            mas_descend(child)
            child.offset = 0
            return True
        offset += 1
    return False


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


def ma_node_end(node, mx):
    return ma_data_end(node, node.type, mx)


ARANGE = MAPLE_ARANGE_64
REBALANCE_FLAGS = MA_STATE_BULK | MA_STATE_PREALLOC | MA_STATE_REBALANCE
