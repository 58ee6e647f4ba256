# SPDX-License-Identifier: GPL-2.0-or-later
"""Putting a rebuilt subtree in place: ``mas_topiary_replace()`` and ``mas_wmb_replace()``.

The new nodes adopt their children level by level (at most three a level), then the
old nodes that are not reused are freed, pushed back into the state's pool or RCU-freed,
and old subtrees lying wholly inside the written range are destroyed.
"""


from .constants import (
    MT_FLAGS_USE_RCU,
)
from .gaps import mas_update_gap
from .node import ma_data_end
from .pool import mas_free
from .state import mas_put_in_tree, mte_destroy_walk, mte_set_node_dead


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
