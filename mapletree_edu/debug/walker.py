# SPDX-License-Identifier: GPL-2.0-or-later
"""One depth-first walker that carries each node's implied bounds and path.

The dump record, ``validate()`` and ``mt_dump()`` text are visitors of it.
"""

from ..core.constants import MT_PIVOTS, ULONG_MAX
from ..core.node import Node, ma_data_end


class Visit:
    """A node as the walker meets it."""

    __slots__ = ("node", "min", "max", "depth", "path", "end", "parent_visit", "slot", "id")

    def __init__(self, node, mn, mx, depth, path, parent_visit, slot):
        self.node = node
        self.min = mn
        self.max = mx
        self.depth = depth
        self.path = path
        self.parent_visit = parent_visit
        self.slot = slot
        self.end = ma_data_end(node, node.type, mx)
        self.id = 0

    def pivot(self, i):
        """The upper bound of slot i (the node max for the last slot)."""
        if i >= self.end or i >= MT_PIVOTS[self.node.type]:
            return self.max
        return self.node.pivots[i]

    def ranges(self):
        """(offset, first, last, slot content) for every used slot."""
        lo = self.min
        out = []
        for i in range(self.end + 1):
            hi = self.pivot(i)
            out.append((i, lo, hi, self.node.slots[i]))
            lo = (hi + 1) & ULONG_MAX
        return out


def walk(root):
    """Yield a Visit per node in pre-order (a node before its children, left to right)."""
    if root.__class__ is not Node:
        return
    stack = [Visit(root, 0, ULONG_MAX, 0, (), None, 0)]
    n = 0
    while stack:
        v = stack.pop()
        v.id = n
        n += 1
        yield v
        if v.node.type < 2:
            continue
        kids = []
        for i, lo, hi, child in v.ranges():
            if child.__class__ is Node:
                kids.append(Visit(child, lo, hi, v.depth + 1, v.path + (i,), v, i))
        stack.extend(reversed(kids))
