# SPDX-License-Identifier: GPL-2.0-or-later
"""``validate()``: the checks of the kernel's ``mt_validate()`` (Linux v6.8).

The kernel's checker walks every node (leaves first, then each level above) and
runs, per node:

* the size check of ``mt_validate()`` itself: a node below ``mt_min_slots`` of
  its type (leaf/range_64 end < 6, arange_64 end < 4) is flagged, unless it is
  the rightmost node of its level (its max is ULONG_MAX);
* ``mas_validate_parent_slot()``: the parent's slot named by the node's parent
  pointer holds the node, and no other slot of the parent does;
* ``mas_validate_limits()``: pivots ascend, stay in [min, max], are not 0 after
  slot 0; the data end is the slot whose pivot reaches max; nothing is stored
  past the end;
* ``mas_validate_child_slot()``: every child of an internal node exists and
  points back at this node and this slot;
* ``mas_validate_gaps()`` (alloc trees only): the largest gap of a node is what
  its parent records, the ``gap`` metadata names the largest gap, no gap is
  bigger than its slot's range and none is recorded past the end;

and finally ``mt_validate_nulls()``: no two NULL slots follow each other, within
a leaf or across neighbouring leaves.

Unlike the kernel, which prints and carries on, ``validate()`` returns every
problem as a :class:`Violation`; an empty list means the kernel's checker would
stay silent. Violations come in pre-order of the nodes (the walker's order), the
NULL-run check last. ``strict=True`` adds invariants the model keeps but the
kernel's checker does not test (flagged ``kernel=False``).
"""

from dataclasses import dataclass

from ..core.constants import (
    MAPLE_ARANGE_64,
    MT_MIN_SLOTS,
    MT_PIVOTS,
    MT_SLOTS,
    TYPE_NAMES,
    ULONG_MAX,
)
from ..core.node import Node
from .walker import walk


@dataclass(frozen=True)
class Violation:
    """One complaint: which node (path of slot offsets from the root, and its
    range), which check (a short name) and a readable message.

    ``kernel`` is False for the extra invariants of ``validate(strict=True)``.
    """

    path: tuple
    node_range: tuple
    check: str
    message: str
    kernel: bool = True

    def __str__(self):
        return f"{self.check}: {self.message}"


def describe(visit):
    """'leaf_64 node 316-475 at path (0, 4)': how messages name a node."""
    node = visit.node
    kind = TYPE_NAMES.get(node.type, f"type {node.type}")
    where = "the root" if not visit.path else "path " + repr(visit.path)
    return f"{kind} node {visit.min}-{visit.max} at {where}"


class _Report:
    """Collects violations, once per (node, check, detail)."""

    def __init__(self):
        self.items = []
        self._seen = set()

    def add(self, visit, check, key, text, kernel=True):
        mark = (id(visit.node), visit.path, check, key)
        if mark in self._seen:
            return
        self._seen.add(mark)
        self.items.append(Violation(visit.path, (visit.min, visit.max), check,
                                    f"{describe(visit)}: {text}", kernel))


def _safe_pivot(node, i, mx):
    """mas_safe_pivot(): a stored pivot, or the node max for the last slot."""
    if i < MT_PIVOTS[node.type]:
        return node.pivots[i]
    return mx


# --- one visitor per kernel helper ------------------------------------------

def check_node(v, out):
    """The per-node part of mt_validate(): dead nodes and too-small nodes."""
    node = v.node
    if node.parent is node:
        out.add(v, "dead_node", None, "the node is marked dead but is still in the tree")
    minimum = MT_MIN_SLOTS[node.type]
    if v.end < minimum and v.max != ULONG_MAX:
        out.add(v, "node_too_small", None,
                f"data end {v.end} is below the minimum {minimum} of its type, and the "
                "node is not the rightmost of its level")


def check_parent_slot(v, out):
    """mas_validate_parent_slot(): the parent holds this node at its parent slot only."""
    node = v.node
    parent = node.parent
    if parent.__class__ is not Node or parent is node:
        return
    p_slot = node.parent_slot
    for i, child in enumerate(parent.slots):
        if i == p_slot:
            if child is not node:
                out.add(v, "parent_slot", i,
                        f"its parent pointer names slot {i}, but that slot of the parent "
                        "holds something else")
        elif child is node:
            out.add(v, "duplicate_child", i,
                    f"the parent also holds this node in slot {i} (its parent slot is "
                    f"{p_slot})")


def check_limits(v, out):
    """mas_validate_limits(): pivots inside [min, max] and in order, the data end
    where the pivots reach max, nothing stored past it."""
    node = v.node
    nslots = MT_SLOTS[node.type]
    npivots = MT_PIVOTS[node.type]
    prev = 0
    i = 0
    for i in range(nslots):
        piv = _safe_pivot(node, i, v.max)
        if piv == 0 and i != 0:
            out.add(v, "missing_pivot", i, f"pivot {i} is 0 before the pivots reach the "
                    f"node max {v.max}")
        if prev > piv:
            out.add(v, "pivot_order", i, f"pivot {i} ({piv}) is below pivot {i - 1} ({prev})")
        if piv < v.min:
            out.add(v, "pivot_below_min", i, f"pivot {i} ({piv}) is below the node min")
        if piv > v.max:
            out.add(v, "pivot_beyond_max", i, f"pivot {i} ({piv}) is beyond the node max")
        prev = piv
        if piv == v.max:
            break
    if v.end != i:
        out.add(v, "data_end", None,
                f"the data end is {v.end} but the pivots reach the node max at slot {i}")
    for j in range(i + 1, nslots):
        if node.slots[j] is not None and j != nslots - 1:
            out.add(v, "stale_slot", j,
                    f"slot {j} holds {node.slots[j]!r} past the slot ({i}) that reaches "
                    "the node max")
        if j < npivots and node.pivots[j]:
            out.add(v, "stale_pivot", j,
                    f"pivot {j} is {node.pivots[j]} past the slot ({i}) that reaches the "
                    "node max")


def check_child_slots(v, out):
    """mas_validate_child_slot(): every child points back here, at its slot."""
    node = v.node
    if node.type < 2:
        return
    npivots = MT_PIVOTS[node.type]
    for i in range(MT_SLOTS[node.type]):
        child = node.slots[i]
        if child is None:
            out.add(v, "missing_child", i, f"internal slot {i} holds no child")
        elif child.__class__ is not Node:
            out.add(v, "missing_child", i, f"internal slot {i} holds {child!r}, not a node")
        else:
            got = child.parent_slot if child.parent.__class__ is Node else 0
            if got != i:
                out.add(v, "child_slot", i, f"the child in slot {i} says its parent slot "
                        f"is {got}")
            if child.parent is not node:
                out.add(v, "child_parent", i,
                        f"the child in slot {i} has a parent pointer to another node")
        if i < npivots and node.pivots[i] == v.max:
            break


def check_gaps(v, out):
    """mas_validate_gaps(): the node's largest gap against its own metadata and
    against the gap its parent records for it (alloc trees only)."""
    node = v.node
    gaps = node.gaps if node.type == MAPLE_ARANGE_64 else None
    nslots = MT_SLOTS[node.type]
    start = v.min
    gap = max_gap = 0
    i = 0
    for i in range(nslots):
        stop = _safe_pivot(node, i, v.max)
        span = (stop - start + 1) & ULONG_MAX
        if gaps is None:
            if node.slots[i] is None:
                gap = span
        else:
            gap = gaps[i]
            if node.slots[i] is None:
                out.add(v, "missing_child", i, f"internal slot {i} holds no child")
            if gap > span:
                out.add(v, "gap_too_large", i,
                        f"gap {i} ({gap}) is larger than its slot's range {start}-{stop}")
        max_gap = max(max_gap, gap)
        start = (stop + 1) & ULONG_MAX
        if stop >= v.max:
            break
    if gaps is not None:
        off = node.meta_gap
        if off > i:
            out.add(v, "gap_offset", None,
                    f"the metadata names gap {off} as the largest, past the data end {i}")
        recorded = gaps[off] if off < len(gaps) else None
        if recorded != max_gap:
            out.add(v, "gap_not_largest", None,
                    f"the metadata names gap {off} ({recorded}) as the largest, but the "
                    f"largest is {max_gap}")
        for j in range(i + 1, nslots):
            if gaps[j]:
                out.add(v, "gap_beyond_end", j, f"gap {j} is {gaps[j]} past the data end {i}")
    parent = node.parent
    if parent.__class__ is not Node or parent is node:
        return
    if max_gap > v.max:
        out.add(v, "gap_exceeds_max", None,
                f"its largest gap ({max_gap}) is larger than the node max")
    if parent.type == MAPLE_ARANGE_64:
        p_slot = node.parent_slot
        recorded = parent.gaps[p_slot] if p_slot < len(parent.gaps) else None
        if recorded != max_gap:
            out.add(v, "gap_mismatch", None,
                    f"the parent records gap {recorded} for it in slot {p_slot}, but its "
                    f"largest gap is {max_gap}")


class NullRuns:
    """mt_validate_nulls(): no NULL slot right after a NULL slot, leaf to leaf."""

    def __init__(self):
        self.last = object()        # anything but None: slot 0 of the first leaf is free

    def visit(self, v, out):
        if v.node.type >= 2:
            return
        for i in range(v.end + 1):
            entry = v.node.slots[i]
            if entry is None and self.last is None:
                out.add(v, "sequential_nulls", i,
                        f"slot {i} is NULL and so is the slot before it"
                        + (" (the last slot of the previous leaf)" if i == 0 else ""))
            self.last = entry


# --- extra invariants (strict=True), not tested by mt_validate() ------------

def check_extra(v, out, tree, height):
    node = v.node
    if node.type < 2 and v.max != ULONG_MAX and node.slots[v.end] is None:
        out.add(v, "non_rightmost_leaf_ends_null", None,
                "a leaf that is not the rightmost ends with a NULL slot", kernel=False)
    if not v.path and node.parent is not tree:
        out.add(v, "root_parent", None,
                "the root's parent pointer is not the tree", kernel=False)
    if node.type < 2 and v.depth + 1 != height:
        out.add(v, "height_mismatch", None,
                f"a leaf at depth {v.depth}, but the tree's height is {height}",
                kernel=False)


# --- the checker ------------------------------------------------------------

def validate(core_tree, strict=False):
    """mt_validate(): every violation in the tree, as a list (empty when clean).

    ``core_tree`` is the core Tree (``MapleTree.core``); a MapleTree works too.
    """
    tree = getattr(core_tree, "core", core_tree)
    root = tree.root
    if root.__class__ is not Node:
        return []
    out = _Report()
    nulls = NullRuns()
    alloc = tree.is_alloc
    for v in walk(root):
        check_node(v, out)
        check_parent_slot(v, out)
        check_limits(v, out)
        check_child_slots(v, out)
        if alloc:
            check_gaps(v, out)
        nulls.visit(v, out)
        if strict:
            check_extra(v, out, tree, tree.height)
    return out.items


def count_problem_ops(states, strict=False):
    """How many of the given tree states fail validate(): the golden data's
    ``validate_errors`` when fed the tree after every op of a script, e.g.
    ``count_problem_ops(rp.tree.core for _ in rp.run(text))``."""
    return sum(1 for tree in states if validate(tree, strict=strict))


__all__ = ["Violation", "validate", "count_problem_ops", "describe"]
