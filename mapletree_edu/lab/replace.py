# SPDX-License-Identifier: GPL-2.0-or-later
"""The v6.8 replace pass as the kernel iterates it.

v6.8 ``dup_mmap()`` (kernel/fork.c:666-754) walks the copy with
``for_each_vma(vmi, mpnt)`` (``vma_next()`` = ``mas_find(&vmi->mas, ULONG_MAX)``) and,
through the same maple state:

* stores each child VMA with ``vma_iter_bulk_store(&vmi, tmp)`` (include/linux/mm.h:1014:
  ``index``/``last`` set to the VMA's range, then ``mas_store``). ``mas_find`` leaves the
  state on the leaf that holds the VMA, and ``mas_wr_store_setup`` keeps that position
  for a store inside the node, so every such store is an exact fit that starts at its
  leaf: no walk from the root;
* clears a VM_DONTCOPY VMA with ``vma_iter_clear_gfp(&vmi, vm_start, vm_end, GFP_KERNEL)``
  (include/linux/mm.h:997: ``__mas_set_range`` to ``[vm_start, vm_end - 1]``, which keeps
  the position, then ``mas_store_gfp(NULL)``). ``mas_wr_store_setup`` keeps the position
  for this NULL store too, unless the range ends on the leaf's maximum (then the walk
  starts again from the root). The NULL store may merge with the holes around it, and
  may rebalance or span: the tree changes under the iterator, which goes on from where
  the store left the state.

The iterator moves from leaf to leaf through the parents (``mas_next_node``): climbing c
levels and coming down c levels reads 2c nodes; its first ``mas_find`` reads ``height``
nodes. Those reads are counted here, apart from the tracer's walk visits (the tracer is
detached while ``mas_find`` runs, so its ``visits`` are the stores' walks and the dup
copy only). A clear's ``mas_store_gfp`` ends in ``mas_nomem()``, which calls
``mas_destroy``: the nodes it freed into the state's pool are released at once. At the
end ``vma_iter_free()`` (``mas_destroy``) frees whatever is left.

:func:`mapletree_edu.fork.fork_v68` stores through the normal API instead, which walks
from the root for every VMA (``height`` visits per VMA) and starts every store from a
fresh state. Without VM_DONTCOPY VMAs both give the same tree and the same ledger.
"""

import time

from ..core.constants import MA_ACTIVE, ULONG_MAX
from ..core.iterate import mas_find
from ..core.node import Node
from ..core.pool import KernelBug
from ..core.state import MaState
from ..core.tracer import NULL_TRACER
from ..core.write import mas_destroy, mas_store
from ..debug.walker import walk
from ..fork.vma import dup_entry, is_dontcopy
from ..stats import CostCounter


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


def _depth(node):
    depth = 1
    while node.parent.__class__ is Node:
        node = node.parent
        depth += 1
    return depth


def _climb(a, b):
    """Levels from leaf ``a`` up to the lowest node that is also above leaf ``b`` (both
    in the tree, at the same depth)."""
    levels = 0
    while a is not b:
        if a.parent is a or a.parent.__class__ is not Node:
            raise KernelBug("the iterator's leaf is no longer in the tree")
        a, b = a.parent, b.parent
        levels += 1
    return levels


def replace_pass_iter(tree, copy=dup_entry, counts=None):
    """The loop of v6.8 ``dup_mmap()`` over ``tree`` (the ``__mt_dup`` copy): every
    VM_DONTCOPY entry is cleared (``vma_iter_clear_gfp``), every other one replaced by
    ``copy(entry)`` (``vma_iter_bulk_store``), all through one maple state that
    ``for_each_vma`` moves.

    Returns the number of copies stored. ``counts``, a dict, receives ``stores``,
    ``cleared`` and ``iter_reads`` (the iterator's node reads, counted as
    :func:`iterator_moves` counts them, on the tree as it is at each step). The tree's
    tracer sees every store (its visits are the nodes the stores' walks enter: one leaf
    for an exact fit).
    """
    core = tree.core
    stores = cleared = reads = 0
    root = core.root
    if root is not None and root.__class__ is not Node:   # one entry at index 0, no node
        if is_dontcopy(root):
            tree.clear(0, 0)
            cleared = 1
        else:
            tree.store(0, 0, copy(root))
            stores = 1
    elif root is not None:
        mas = MaState(core, 0, 0)
        tracer = core.tracer
        while True:
            before = mas.node if mas.status == MA_ACTIVE else None
            core.tracer = NULL_TRACER             # the iterator's reads are counted here
            try:
                entry = mas_find(mas, ULONG_MAX)  # vma_next()
            finally:
                core.tracer = tracer
            if entry is None:
                break
            if before is None:
                reads += _depth(mas.node)
            elif mas.node is not before:
                reads += 2 * _climb(before, mas.node)
            # mas.index / mas.last are the entry's range: [vm_start, vm_end - 1]
            if is_dontcopy(entry):
                # vma_iter_clear_gfp -> mas_store_gfp: the store, then mas_nomem(), which
                # with no allocation failure calls mas_destroy(): the nodes a clear freed
                # into the state's pool go back to the allocator at once
                mas_store(mas, None)
                mas_destroy(mas)
                cleared += 1
            else:
                mas_store(mas, copy(entry))       # vma_iter_bulk_store
                stores += 1
        mas_destroy(mas)                          # vma_iter_free()
    if counts is not None:
        counts.update(stores=stores, cleared=cleared, iter_reads=reads)
    return stores


def fork_v68_iter(parent, events=True, counts=None):
    """v6.8 ``dup_mmap()`` with the kernel's iterator: ``__mt_dup`` then
    :func:`replace_pass_iter` (VM_DONTCOPY VMAs cleared). Returns (child, Costs or None,
    seconds); ``counts`` (a dict) receives what :func:`replace_pass_iter` counts.

    ``events=True`` counts with a :class:`~mapletree_edu.stats.CostCounter` (walk visits,
    copies, splits, pushes, ledger); ``events=None`` times it without a tracer.
    """
    allocator = parent.allocator
    counter = None if events is None else CostCounter(events=events, allocator=allocator)
    t0 = time.process_time()
    with parent.tracing(counter):
        child = parent.dup()
    child.rcu = False
    replace_pass_iter(child, counts=counts)
    child.rcu = True
    seconds = time.process_time() - t0
    child.tracer = None
    return child, (counter.costs() if counter is not None else None), seconds


__all__ = ["iterator_moves", "replace_pass_iter", "fork_v68_iter"]
