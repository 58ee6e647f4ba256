# SPDX-License-Identifier: GPL-2.0-or-later
"""Keeping large trees readable: collapse the subtrees away from the action.

No kernel twin: this decides which nodes of a TreeView a diagram draws. Nodes in the
focus (the walked path, the state's node, new or modified nodes, the sibling of a push
or rebalance, the path to a chosen index) and their ancestors stay; every run of other children
of a drawn node becomes one summary box ("… 12 leaves [0x1000–0x9fff]").
"""

from dataclasses import dataclass

DEFAULT_MAX_LEAVES = 24


@dataclass(frozen=True)
class Summary:
    """A run of collapsed children of one drawn node."""

    name: str            # DOT node name
    parent: int          # serial of the drawn parent
    slots: tuple         # the parent's slots that point into the summary
    serials: tuple       # the collapsed subtree roots
    nodes: int           # nodes inside (all levels)
    leaves: int
    min: int
    max: int
    marked: tuple = ()   # (what, count) of highlighted nodes inside, e.g. ("copied", 3)


@dataclass(frozen=True)
class Plan:
    visible: frozenset
    summaries: tuple

    def child_target(self, parent, slot):
        for s in self.summaries:
            if s.parent == parent and slot in s.slots:
                return s
        return None


def leaf_count(view):
    return sum(1 for n in view.nodes if n.is_leaf)


def _subtree_stats(view):
    """serial -> (nodes, leaves) of its subtree, from the pre-order list."""
    stats = {}
    for n in reversed(view.nodes):
        if n.is_leaf:
            stats[n.serial] = (1, 1)
        else:
            nodes = leaves = 0
            for c in n.slots:
                cn, cl = stats.get(c, (0, 0))
                nodes += cn
                leaves += cl
            stats[n.serial] = (nodes + 1, leaves)
    return stats


def _subtree_serials(by_serial, root):
    out = [root]
    i = 0
    while i < len(out):
        n = by_serial.get(out[i])
        if n is not None and not n.is_leaf:
            out.extend(n.slots)
        i += 1
    return out


def plan_collapse(view, focus, max_leaves=DEFAULT_MAX_LEAVES, marks=None):
    """Which nodes to draw. ``focus``: serials to keep; ``marks``: {what: set(serials)}
    counted inside summaries. Nothing is collapsed when the tree has few leaves."""
    all_serials = frozenset(n.serial for n in view.nodes)
    if view.root != "node" or max_leaves is None or leaf_count(view) <= max_leaves:
        return Plan(all_serials, ())
    by_serial = view.by_serial()
    focus = [s for s in focus if s in by_serial]
    if not focus:
        focus = [n.serial for n in view.nodes if n.depth <= 1]
    keep = set()
    for s in focus:
        while s is not None and s not in keep:
            keep.add(s)
            s = by_serial[s].parent
    stats = _subtree_stats(view)
    marks = marks or {}
    summaries = []
    for n in view.nodes:
        if n.is_leaf or n.serial not in keep:
            continue
        run = []
        for k, child in enumerate(n.slots + (None,)):
            if child is not None and child not in keep:
                run.append((k, child))
                continue
            if run:
                summaries.append(_summary(n, run, by_serial, stats, marks))
                run = []
    return Plan(frozenset(keep), tuple(summaries))


def _summary(parent, run, by_serial, stats, marks):
    serials = tuple(c for _k, c in run)
    nodes = sum(stats[c][0] for c in serials)
    leaves = sum(stats[c][1] for c in serials)
    inside = set()
    for c in serials:
        inside.update(_subtree_serials(by_serial, c))
    marked = tuple((what, len(inside & set(ss))) for what, ss in marks.items()
                   if inside & set(ss))
    first, last = by_serial[serials[0]], by_serial[serials[-1]]
    return Summary(name=f"c{parent.serial}_{run[0][0]}", parent=parent.serial,
                   slots=tuple(k for k, _c in run), serials=serials, nodes=nodes,
                   leaves=leaves, min=first.min, max=last.max, marked=marked)
