# SPDX-License-Identifier: GPL-2.0-or-later
"""The maple state's node pool: ``mas_node_count()``, ``mas_alloc_nodes()``,
``mas_pop_node()``, ``mas_push_node()``, ``mas_free()`` and the freeing half of
``mas_destroy()``, with the errors of running out of nodes.
"""

from ..errors import BulkModeError, MapleTreeError, OutOfMemoryError
from .constants import (
    MA_ERROR,
    MA_STATE_BULK,
    MA_STATE_PREALLOC,
    MA_STATE_REBALANCE,
    MAPLE_ALLOC_SLOTS,
    MT_FLAGS_USE_RCU,
)
from .node import Node


class KernelBug(MapleTreeError):
    """The model reached a state where the kernel would BUG()."""


class PreallocExhausted(KernelBug, BulkModeError):
    """A preallocated (bulk) state needed a node and its pool was empty."""


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
