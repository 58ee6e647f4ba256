# SPDX-License-Identifier: GPL-2.0-or-later
"""Root writes: the root entry, root expand and a new one-slot root.

Models ``mas_store_root()``, ``mas_root_expand()`` and ``mas_new_root()``.
"""

from .constants import MA_ACTIVE, MA_START, MAPLE_LEAF_64, ULONG_MAX
from .entries import is_reserved
from .node import Node, ma_set_meta
from .pool import mas_node_count, mas_pop_node, raise_if_nomem
from .state import mas_set_height, mte_destroy_walk


def mas_root_expand(mas, entry):
    """mas_root_expand(): turn an empty or root-entry tree into a leaf_64 root."""
    tree = mas.tree
    contents = tree.root
    mas_node_count(mas, 1)
    raise_if_nomem(mas)
    node = mas_pop_node(mas, MAPLE_LEAF_64)
    pivots = node.pivots
    slots = node.slots
    node.parent = tree
    mas.node = node
    mas.status = MA_ACTIVE
    slot = 0
    if mas.index:
        if contents is not None:
            slots[slot] = contents
            if mas.index > 1:
                slot += 1
        pivots[slot] = mas.index - 1
        slot += 1
    slots[slot] = entry
    mas.offset = slot
    pivots[slot] = mas.last
    if mas.last != ULONG_MAX:
        slot += 1
        pivots[slot] = ULONG_MAX
    mas.depth = 1
    mas_set_height(mas)
    ma_set_meta(node, MAPLE_LEAF_64, 0, slot)
    tree.root = node
    tracer = tree.tracer
    if tracer.enabled:
        tracer.step("mas_root_expand", mas, entry=entry,
                    why="the tree had no node: a leaf_64 root is made")
    return slot


def mas_store_root(mas, entry):
    """mas_store_root(): an entry at [0, 0] lives in the root pointer itself."""
    if mas.last != 0 or mas.index != 0 or is_reserved(entry):
        mas_root_expand(mas, entry)
        return
    mas.tree.root = entry
    mas.status = MA_START
    tracer = mas.tree.tracer
    if tracer.enabled:
        tracer.step("mas_store_root", mas, entry=entry,
                    why="a lone entry at index 0 is kept in the root pointer, with no node")


def mas_new_root(mas, entry):
    """mas_new_root(): the write covers [0, ULONG_MAX]; replace the whole tree."""
    tree = mas.tree
    old = tree.root
    if entry is None and not mas.index and mas.last == ULONG_MAX:
        mas.depth = 0
        mas_set_height(mas)
        tree.root = None
        mas.status = MA_START
    else:
        mas_node_count(mas, 1)
        raise_if_nomem(mas)
        node = mas_pop_node(mas, MAPLE_LEAF_64)
        node.parent = tree
        mas.node = node
        mas.status = MA_ACTIVE
        node.slots[0] = entry
        node.pivots[0] = mas.last
        mas.depth = 1
        mas_set_height(mas)
        tree.root = node
    if old.__class__ is Node:
        mte_destroy_walk(old, tree)
    tracer = tree.tracer
    if tracer.enabled:
        tracer.step("mas_new_root", mas, entry=entry,
                    why="the write covers every index: the old tree is destroyed")
    return 1
