# SPDX-License-Identifier: GPL-2.0-or-later
"""The dump record of FORMAT.md (the shape the kernel golden data is written in)."""

from ..core.constants import MAPLE_ARANGE_64, TYPE_NAMES
from ..core.node import Node
from ..errors import ExportError
from .walker import walk


def entry_to_json(entry, where):
    if entry is None:
        return None
    if isinstance(entry, int) and not isinstance(entry, bool):
        return entry
    raise ExportError(f"{where}: entry {entry!r} is not an integer; only integer entries "
                      "can be written to a dump record")


def tree_record(tree):
    """The layout fields of a dump record: height, root, root_value, nodes, node_count."""
    root = tree.root
    rec = {"height": tree.height}
    if root is None:
        rec.update(root="empty", nodes=[], node_count=0)
        return rec
    if root.__class__ is not Node:
        rec.update(root="entry", root_value=entry_to_json(root, "root entry"), nodes=[],
                   node_count=0)
        return rec
    visits = list(walk(root))
    nodes = []
    for v in visits:
        node = v.node
        ranges = v.ranges()
        pivots = [hi for _i, _lo, hi, _s in ranges]
        if node.type < 2:
            slots = [entry_to_json(s, f"[{lo}, {hi}]") for _i, lo, hi, s in ranges]
        else:
            slots = []
        nodes.append({"id": v.id, "depth": v.depth, "type": TYPE_NAMES[node.type],
                      "min": v.min, "max": v.max, "end": v.end, "pivots": pivots,
                      "slots": slots})
        if node.type == MAPLE_ARANGE_64:
            nodes[-1]["gaps"] = list(node.gaps[:v.end + 1])
            nodes[-1]["gap_off"] = node.meta_gap
    by_node = {id(v.node): v.id for v in visits}
    for v, rec_node in zip(visits, nodes, strict=True):
        if v.node.type >= 2:
            rec_node["slots"] = [by_node[id(c)] for c in v.node.slots[:v.end + 1]]
    rec.update(root="node", nodes=nodes, node_count=len(nodes))
    return rec
