# SPDX-License-Identifier: GPL-2.0-or-later
"""Turning whatever a learner holds (a MapleTree, a core tree, a dump record) into a TreeView.

A dump record (FORMAT.md: golden dumps, parsed mt_dump() text) has no node serials, so
its node ids stand in for them: ``record_to_view`` makes a view in which serial == id.
"""

from ..errors import ExportError
from ..trace.step import NodeView, TreeView

NODE_TYPES = ("leaf_64", "range_64", "arange_64")


def record_to_view(record):
    """A TreeView of a FORMAT.md dump record (node ids become serials)."""
    if not isinstance(record, dict):
        raise ExportError(f"a dump record is a dict, not {type(record).__name__}")
    root = record.get("root", "node" if record.get("nodes") else "empty")
    height = record.get("height", 0)
    nodes = record.get("nodes") or []
    types = {n.get("type") for n in nodes}
    kind = record.get("kind") or ("plain" if "range_64" in types else "alloc")
    if root == "empty":
        return TreeView(kind, height, "empty")
    if root == "entry":
        return TreeView(kind, height, "entry", record.get("root_value"))
    if root != "node":
        raise ExportError(f"unknown root kind {root!r} in the record")
    parent = {}
    for n in nodes:
        if n.get("type") != "leaf_64":
            for k, child in enumerate(n.get("slots", ())):
                parent[child] = (n["id"], k)
    views = []
    for i, n in enumerate(nodes):
        try:
            nid, ntype = n["id"], n["type"]
            if ntype not in NODE_TYPES:
                raise ExportError(f"node {nid}: unknown type {ntype!r}")
            gaps = tuple(n["gaps"]) if n.get("gaps") is not None else None
            par, slot = parent.get(nid, (None, 0))
            views.append(NodeView(
                serial=nid, id=n.get("id", i), depth=n.get("depth", 0), type=ntype,
                min=n["min"], max=n["max"], end=n.get("end", len(n["pivots"]) - 1),
                pivots=tuple(n["pivots"]), slots=tuple(n["slots"]), gaps=gaps,
                gap_off=n.get("gap_off"), parent=par, slot_in_parent=slot))
        except KeyError as exc:
            raise ExportError(f"node {i} of the record has no {exc.args[0]!r} field") from None
    return TreeView(kind, height, "node", None, tuple(views))


def as_view(obj):
    """A TreeView of a TreeView, a Step, a MapleTree, a core tree or a dump record."""
    if isinstance(obj, TreeView):
        return obj
    view = getattr(obj, "view", None)
    if isinstance(view, TreeView):          # a Step
        return view
    if isinstance(obj, dict):
        return record_to_view(obj)
    core = getattr(obj, "core", None)
    if core is not None and hasattr(core, "root"):   # MapleTree facade
        return TreeView.of(core)
    if hasattr(obj, "root") and hasattr(obj, "is_alloc"):   # core Tree
        return TreeView.of(obj)
    raise ExportError(f"cannot draw a {type(obj).__name__}: expected a MapleTree, a core "
                      "tree, a TreeView, a Step or a dump record")


def non_integer_entries(view):
    """(where, label) for every leaf entry that is neither an int nor NULL."""
    bad = []
    if view.root == "entry" and not _is_int_or_none(view.root_value):
        bad.append(("root entry", view.root_value))
    for n in view.nodes:
        if n.is_leaf:
            for k, label in enumerate(n.slots):
                if not _is_int_or_none(label):
                    bad.append((f"n{n.serial} slot {k}", label))
    return bad


def _is_int_or_none(v):
    return v is None or (isinstance(v, int) and not isinstance(v, bool))
