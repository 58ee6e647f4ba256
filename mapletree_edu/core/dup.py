# SPDX-License-Identifier: GPL-2.0-or-later
"""``__mt_dup()``: duplicate a whole tree in depth-first pre-order.

Models ``mas_dup_build()`` with ``mas_copy_node()`` and ``mas_dup_alloc()``
(every internal node's children are allocated in one bulk call), and
``mas_dup_free()``, which unwinds a copy that ran out of memory.
"""

from ..errors import InvalidArgumentError, OutOfMemoryError
from .node import Node, ma_data_end
from .state import MaState


def _mtree_empty(tree):
    return tree.root is None


def mas_dup_build(src, dst):
    """Build dst as a node-for-node copy of src; return the number of nodes copied.

    Raises InvalidArgumentError (-EINVAL) when the attributes differ or dst is not
    empty, OutOfMemoryError (-ENOMEM) after unwinding a failed copy.
    """
    if src.attr() != dst.attr():
        raise InvalidArgumentError(
            "__mt_dup: the trees' flags differ (-EINVAL): both must be alloc or plain, "
            "with the same RCU mode")
    if not _mtree_empty(dst):
        raise InvalidArgumentError("__mt_dup: the destination tree is not empty (-EINVAL)")
    tracer = src.tracer
    root = src.root
    if root.__class__ is not Node:
        dst.flags = src.flags
        dst.root = root
        if tracer.enabled:
            tracer.step("mas_dup_build", MaState(src), visit=0, copied=0,
                        why="no node to copy: the root entry (or nothing) is copied")
        return 0
    allocator = dst.allocator
    groups = []            # allocations in build order, freed in reverse on failure
    new_root = allocator.alloc_one()
    if new_root is None:
        if tracer.enabled:
            tracer.step("mas_dup_free", MaState(src), freed=0,
                        why="the root node could not be allocated: nothing to free")
        raise OutOfMemoryError("__mt_dup: the first node could not be allocated (-ENOMEM)")
    groups.append([new_root])
    visit = [0]

    def copy(snode, dnode, parent, smin, smax):
        dnode.copy_from(snode)
        dnode.parent = parent if parent is not None else dst
        dnode.parent_slot = snode.parent_slot
        visit[0] += 1
        if tracer.counts_visits:
            tracer.visit(snode, None)
        if tracer.enabled:
            st = MaState(src, smin, smax)
            st.min, st.max, st.node = smin, smax, snode
            tracer.step("mas_dup_build", st, visit=visit[0], src=snode.serial, dst=dnode.serial,
                        why=f"pre-order visit {visit[0]}: copy the whole node")
        if snode.type < 2:
            return True
        end = ma_data_end(snode, snode.type, smax)
        children = allocator.alloc_bulk(end + 1, lazy=True)
        if not children:
            for k in range(end + 1):
                dnode.slots[k] = None
            if tracer.enabled:
                tracer.step("mas_dup_alloc", MaState(src), count=end + 1, ok=False,
                            why=f"the bulk allocation of {end + 1} children failed")
            return False
        shell = Node.shell
        children = [shell(serial) for serial in allocator.next_serials(end + 1)]
        groups.append(children)
        if tracer.enabled:
            tracer.step("mas_dup_alloc", MaState(src), count=end + 1, ok=True,
                        why=f"{end + 1} children allocated in one bulk call")
        dnode.slots[:end + 1] = children
        sslots = snode.slots
        if sslots[0].type < 2 and not (tracer.enabled or tracer.counts_visits):
            # the leaves under this node, copied in the same pre-order without a
            # call apiece (nothing records their visits or bounds)
            for k, child in enumerate(children):
                leaf = sslots[k]
                child.copy_from(leaf)
                child.parent = dnode
                child.parent_slot = leaf.parent_slot
            visit[0] += end + 1
            return True
        lo = smin
        for k, child in enumerate(children):
            hi = snode.pivots[k] if k < len(snode.pivots) and k < end else smax
            if not copy(snode.slots[k], child, dnode, lo, hi):
                return False
            lo = hi + 1
        return True

    ok = copy(root, new_root, None, 0, (1 << 64) - 1)
    if not ok:
        freed = sum(len(g) for g in groups)
        for g in reversed(groups):
            allocator.free(len(g))
        if tracer.enabled:
            tracer.step("mas_dup_free", MaState(src), freed=freed,
                        why=f"out of memory: the {freed} nodes of the partial copy are freed "
                            "in reverse build order")
        raise OutOfMemoryError(
            f"__mt_dup: out of memory after {freed} nodes; the partial copy was freed (-ENOMEM)")
    dst.flags = src.flags
    dst.root = new_root
    return visit[0]


def mtree_dup(src, dst):
    """mtree_dup()/__mt_dup(): duplicate src into the empty tree dst."""
    return mas_dup_build(src, dst)
