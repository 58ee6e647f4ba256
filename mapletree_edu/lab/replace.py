# SPDX-License-Identifier: GPL-2.0-or-later
"""The v6.8 replace pass as the kernel iterates it.

v6.8 ``dup_mmap()`` walks the copy with ``for_each_vma(vmi, mpnt)`` and stores each
child VMA with ``vma_iter_bulk_store(&vmi, tmp)`` (a ``mas_store`` through the same
maple state). ``mas_find`` leaves the state on the leaf that holds the VMA, and
``mas_wr_store_setup`` keeps that position for a store inside the node, so every
store is an exact fit that starts at its leaf: no walk from the root. The iterator
itself moves from leaf to leaf through the parents (``mas_next_node``): climbing c
levels and coming down c levels reads 2c nodes.

:func:`mapletree_edu.fork.fork_v68` stores through the normal API instead, which walks
from the root for every VMA (same ledger, same shape; ``height`` visits per VMA).
:func:`fork_v68_iter` is the same fork with the kernel's iterator, so the two visit
counts can be set side by side. VM_DONTCOPY VMAs are not handled here (use fork_v68).
"""

import time

from ..core.constants import MA_ACTIVE
from ..core.node import Node
from ..core.state import MaState
from ..core.write import mas_store
from ..debug.walker import walk
from ..fork.vma import Vma
from ..stats import CostCounter


def _copy_entry(entry):
    return entry.copy() if isinstance(entry, Vma) else entry


def iterator_moves(tree):
    """Node reads the VMA iterator makes going through every leaf of ``tree``: the
    first descent (height nodes) and 2c per step to the next leaf, c the levels it climbs
    (Peng's "DFS traverses each edge twice")."""
    root = tree.core.root
    if root.__class__ is not Node:
        return 0
    moves = 0
    prev = None
    for v in walk(root):
        if v.node.type >= 2:
            continue
        if prev is None:
            moves += v.depth + 1
        else:
            common = 0
            for a, b in zip(prev.path, v.path, strict=False):
                if a != b:
                    break
                common += 1
            moves += 2 * (v.depth - common)
        prev = v
    return moves


def replace_pass_iter(tree, copy=_copy_entry):
    """Store ``copy(entry)`` over every non-NULL range of ``tree``, each store starting
    at the leaf that holds the range (``for_each_vma`` + ``vma_iter_bulk_store``).

    Returns the number of stores. The tree's tracer sees every store (its visits are
    the nodes the stores' walks enter: one leaf each).
    """
    core = tree.core
    root = core.root
    if root is None:
        return 0
    if root.__class__ is not Node:           # a single entry at index 0, no node
        tree.store(0, 0, copy(root))
        return 1
    stores = 0
    for v in list(walk(root)):
        if v.node.type >= 2:
            continue
        for offset, first, last, entry in v.ranges():
            if entry is None:
                continue
            mas = MaState(core, first, last)
            mas.node = v.node
            mas.min = v.min
            mas.max = v.max
            mas.offset = offset
            mas.end = v.end
            mas.depth = v.depth + 1
            mas.status = MA_ACTIVE
            mas_store(mas, copy(entry))
            stores += 1
    return stores


def fork_v68_iter(parent, events=True):
    """v6.8 ``dup_mmap()`` with the kernel's iterator: ``__mt_dup`` then
    :func:`replace_pass_iter`. Returns (child, Costs or None, seconds).

    ``events=True`` counts with a :class:`~mapletree_edu.stats.CostCounter` (walk visits,
    copies, splits, pushes, ledger); ``events=None`` times it without a tracer.
    """
    allocator = parent.allocator
    counter = None if events is None else CostCounter(events=events, allocator=allocator)
    t0 = time.process_time()
    with parent.tracing(counter):
        child = parent.dup()
    child.rcu = False
    replace_pass_iter(child)
    child.rcu = True
    seconds = time.process_time() - t0
    child.tracer = None
    return child, (counter.costs() if counter is not None else None), seconds


__all__ = ["iterator_moves", "replace_pass_iter", "fork_v68_iter"]
