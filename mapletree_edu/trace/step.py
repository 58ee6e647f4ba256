# SPDX-License-Identifier: GPL-2.0-or-later
"""Immutable steps and frozen tree views."""

from dataclasses import dataclass, field

from ..core.constants import MAPLE_ARANGE_64, TYPE_NAMES, ULONG_MAX
from ..core.node import Node
from ..debug.walker import walk


def entry_label(entry):
    """A short, stable text for an entry (ints as they are, NULL as None)."""
    if entry is None:
        return None
    if isinstance(entry, int) and not isinstance(entry, bool):
        return entry
    return repr(entry)


@dataclass(frozen=True)
class NodeView:
    """One node of a frozen tree view, in the terms of FORMAT.md's node object."""

    serial: int
    id: int
    depth: int
    type: str
    min: int
    max: int
    end: int
    pivots: tuple
    slots: tuple          # leaf: entry labels; internal: child serials
    gaps: tuple = None
    gap_off: int = None
    parent: int = None    # parent serial (None for the root)
    slot_in_parent: int = 0

    @property
    def is_leaf(self):
        return self.type == "leaf_64"

    def content_key(self):
        return (self.type, self.min, self.max, self.end, self.pivots, self.slots, self.gaps,
                self.gap_off)


@dataclass(frozen=True)
class TreeView:
    """A frozen picture of a whole tree, enough to draw it."""

    kind: str             # "alloc" or "plain"
    height: int
    root: str             # "empty", "entry" or "node"
    root_value: object = None
    nodes: tuple = ()

    @classmethod
    def of(cls, tree):
        root = tree.root
        kind = "alloc" if tree.is_alloc else "plain"
        if root is None:
            return cls(kind, tree.height, "empty")
        if root.__class__ is not Node:
            return cls(kind, tree.height, "entry", entry_label(root))
        views = []
        for v in walk(root):
            node = v.node
            ranges = v.ranges()
            if node.type < 2:
                slots = tuple(entry_label(s) for _i, _lo, _hi, s in ranges)
            else:
                slots = tuple(s.serial for _i, _lo, _hi, s in ranges)
            gaps = gap_off = None
            if node.type == MAPLE_ARANGE_64:
                gaps = tuple(node.gaps[:v.end + 1])
                gap_off = node.meta_gap
            views.append(NodeView(
                serial=node.serial, id=v.id, depth=v.depth, type=TYPE_NAMES[node.type],
                min=v.min, max=v.max, end=v.end,
                pivots=tuple(hi for _i, _lo, hi, _s in ranges), slots=slots, gaps=gaps,
                gap_off=gap_off,
                parent=v.parent_visit.node.serial if v.parent_visit else None,
                slot_in_parent=v.slot))
        return cls(kind, tree.height, "node", None, tuple(views))

    def by_serial(self):
        return {n.serial: n for n in self.nodes}

    def leaf_for(self, index):
        for n in self.nodes:
            if n.is_leaf and n.min <= index <= n.max:
                return n
        return None

    def path_to(self, index):
        """Serials of the nodes a walk to index passes through."""
        out = []
        for n in self.nodes:
            if n.min <= index <= n.max:
                out.append(n.serial)
        return tuple(out)


@dataclass(frozen=True)
class Step:
    """One step of a recorded operation.

    ``fn`` is the kernel function it models; ``ev`` is "op", "read" or "write" when
    the step models one of the kernel's trace points (with ``min``, ``max``,
    ``index``, ``last`` and ``piv`` as TRACES.md defines them), else None.
    """

    n: int
    fn: str
    ev: str
    min: int
    max: int
    index: int
    last: int
    piv: int
    why: str
    info: tuple = ()
    node: int = None          # serial of the node the state points at
    new: tuple = ()
    modified: tuple = ()
    freed: tuple = ()
    path: tuple = ()
    view: TreeView = field(default=None, repr=False, compare=False)
    op: str = ""

    @property
    def details(self):
        return dict(self.info)

    def text(self):
        """One line for a status bar."""
        return f"{self.fn}: {self.why}" if self.why else self.fn

    def to_dict(self, view=False):
        d = {"fn": self.fn}
        if self.ev:
            d.update(ev=self.ev, min=self.min, max=self.max, index=self.index, last=self.last)
            if self.ev == "write":
                d["piv"] = self.piv
        d["why"] = self.why
        for k, v in self.info:
            if k not in d:
                d[k] = _jsonable(v)
        if self.new:
            d["new"] = list(self.new)
        if self.modified:
            d["modified"] = list(self.modified)
        if self.freed:
            d["freed"] = list(self.freed)
        if self.path:
            d["path"] = list(self.path)
        if self.node is not None:
            d["node"] = self.node
        if view and self.view is not None:
            d["nodes"] = len(self.view.nodes)
        return d


def _jsonable(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return repr(v)


__all__ = ["Step", "TreeView", "NodeView", "entry_label", "ULONG_MAX"]
