# SPDX-License-Identifier: GPL-2.0-or-later
"""Stage 1 of a frame: choose what to show (focus and collapse), decided per frame.

No kernel twin. The action of a step (the walked path, the state's node and slot, the
sibling, the nodes a gap search judged, and the changed nodes) is drawn in full; the
rest of the tree gives way until the drawing fits the frame's width budget at its text
size. From most to least drawn:

0. every node;
1. the action, its ancestors and all their children (the siblings of the action);
2. the same, with the slots of the siblings elided (runs of slots become one ``⋯ k``
   cell: the slots the action touches, and one neighbour either side, stay);
3. the action, its ancestors and the immediate neighbours of its nodes;
4. the action and its ancestors only;
5. the same with every node's slots elided around the action;
6. the same with no neighbour slots kept;
7. the same, with the slots a gap search skipped elided too (the slot it entered or
   stopped at, and one neighbour either side, stay; a run of skipped slots is drawn as
   skipped, each one's verdict on hover), then with no neighbour kept;
8. the same with narrow summary boxes (their range on two lines);
9. fewer changed nodes (the most recent kept) until it fits.

Every run of children of a drawn node that is not drawn becomes one summary box (``…
12 leaves [0x1000–0x9fff]``). ``collapse=False`` draws everything; an int N draws
everything when the tree has at most N leaves, and starts at level 4 otherwise.
"""

import functools
from dataclasses import dataclass, field

from ..errors import ExportError
from .fmt import NumberFormat, entry_text, slot_text
from .metrics import NODESEP_PT, drawn_cells, node_geometry, text_w

DEFAULT_MAX_LEAVES = 24          # kept for callers: an int collapse is a leaf count
MARGIN_PT = 16


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
    depth: int = 0
    narrow: bool = False  # drawn narrow: its range and counts one per line


@dataclass(frozen=True)
class Plan:
    """What a frame draws: the visible serials, the summaries, the elided slots of each
    drawn node ({serial: frozenset of offsets}), the level chosen and its estimated
    width in points."""

    visible: frozenset
    summaries: tuple
    hidden: dict = field(default_factory=dict)
    level: str = "all"
    width_pt: float = 0.0

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


def _subtree_marks(view, marks):
    """serial -> {what: count} of the marked nodes in its subtree (bottom-up)."""
    sets = {what: set(ss) for what, ss in marks.items() if ss}
    out = {}
    for n in reversed(view.nodes):
        counts = {what: int(n.serial in ss) for what, ss in sets.items()}
        if not n.is_leaf:
            for c in n.slots:
                for what, k in out.get(c, {}).items():
                    counts[what] += k
        out[n.serial] = counts
    return out


@functools.lru_cache(maxsize=4096)
def _node_w(n, hidden, notes, use_hex, sizes):
    """(cell width, node width) in points of NodeView n (cached across frames: a node
    that does not change between steps is measured once)."""
    fmt = NumberFormat(use_hex)
    if n.is_leaf:
        texts = [entry_text(c)[0] for c in n.slots]
    else:
        texts = [slot_text(n, k, fmt)[0] for k in range(len(n.slots))]
    cw, w, _two = node_geometry(n, fmt, sizes, hidden, notes, texts)
    return cw, w


def collapse_mode(collapse):
    """(start level, leaf limit) of a ``collapse`` option."""
    if collapse is True or collapse is None or collapse == "auto":
        return 0, None
    if collapse is False:
        return None, None
    if isinstance(collapse, int) and not isinstance(collapse, bool) and collapse > 0:
        return 4, collapse
    raise ExportError(f"collapse must be True, False or a positive leaf count, not {collapse!r}")


class _Chooser:
    def __init__(self, view, hl, fmt, sizes, focus_index, extra_w, notes):
        self.view, self.hl, self.fmt, self.sizes = view, hl, fmt, sizes
        self.by = view.by_serial()
        self.stats = _subtree_stats(view)
        self.notes = notes
        core = [s for s in hl.core() if s in self.by]
        if focus_index is not None:
            core.extend(view.path_to(focus_index))
        self.focus_index = focus_index
        self.core = list(dict.fromkeys(core))
        self.changed = [s for s in dict.fromkeys(hl.changed()) if s in self.by]
        if not self.core and not self.changed:
            # no action: the root and the paths to both ends of the tree
            self.core = list(dict.fromkeys(view.path_to(view.nodes[0].min)
                                           + view.path_to(view.nodes[0].max)))
        self.extra_w = extra_w
        self.marks = {"new": hl.new, "copied": hl.copied, "modified": hl.modified}
        self.mark_counts = _subtree_marks(view, self.marks)

    # --- what to keep ----------------------------------------------------------------
    def ancestors(self, serials):
        keep = set()
        for s in serials:
            while s is not None and s not in keep:
                keep.add(s)
                s = self.by[s].parent
        return keep

    def with_children(self, keep):
        out = set(keep)
        for s in keep:
            n = self.by[s]
            if not n.is_leaf:
                out.update(c for c in n.slots if c in self.by)
        return out

    def with_neighbours(self, keep, of):
        out = set(keep)
        for s in of:
            n = self.by[s]
            if n.parent is None:
                continue
            sib = self.by[n.parent].slots
            for k in (n.slot_in_parent - 1, n.slot_in_parent + 1):
                if 0 <= k < len(sib) and sib[k] in self.by:
                    out.add(sib[k])
        return self.ancestors(out)

    # --- elision -------------------------------------------------------------------------
    def interesting(self, n, visible, judged=True):
        """Offsets of node n the action touches; ``judged=False`` leaves out the slots a
        gap search only ruled out (they are drawn as one skipped run when elided)."""
        hl = self.hl
        out = set()
        lo = n.min
        for k, hi in enumerate(n.pivots):
            if n.is_leaf:
                if hl.range is not None and lo <= hl.range[1] and hi >= hl.range[0]:
                    out.add(k)
            elif n.slots[k] in visible:
                out.add(k)
            if self.focus_index is not None and lo <= self.focus_index <= hi:
                out.add(k)
            lo = hi + 1
        if hl.slot and hl.slot[0] == n.serial:
            out.add(hl.slot[1])
        out.update(p[1] for p in hl.pruned if p[0] == n.serial
                   and (judged or p[3] == "enter"))
        return out

    def hidden_of(self, n, visible, context=1, judged=True):
        """Offsets to elide in n: all but the touched ones and ``context`` neighbours
        either side (the first and last slots when nothing is touched); runs of one
        stay drawn. ``judged=False``: slots the gap search skipped are not touched."""
        size = len(n.slots)
        touched = self.interesting(n, visible, judged)
        if not touched:
            touched = {0, size - 1}
        keep = set()
        for k in touched:
            keep.update(range(k - context, k + context + 1))
        hidden = {k for k in range(size) if k not in keep}
        # a run of one hidden slot is as wide as the slot itself: draw it
        for k in sorted(hidden):
            if k - 1 not in hidden and k + 1 not in hidden:
                hidden.discard(k)
        return frozenset(hidden)

    # --- widths ---------------------------------------------------------------------------
    def node_w(self, n, hidden):
        """(cell width, node width) in points."""
        return _node_w(n, hidden, self.notes.get(n.serial, ()), self.fmt.hex, self.sizes)

    def extents(self, serial, visible, hidden, summaries):
        """(left, right) of the drawn subtree of ``serial`` around its centre, with each
        child as close under its parent's slot as the children before it allow (how dot
        lays out ``ordering=out`` trees with ports)."""
        n = self.by[serial]
        h = hidden.get(serial, frozenset())
        cw, w = self.node_w(n, h)
        left, right = -w / 2, w / 2
        if n.is_leaf:
            return left, right
        cell_of = {}
        for i, (a, b, _e) in enumerate(drawn_cells(len(n.slots), h)):
            for k in range(a, b + 1):
                cell_of[k] = i
        kids = []
        for k, child in enumerate(n.slots):
            if child in visible:
                kids.append((k, self.extents(child, visible, hidden, summaries)))
        for sm in summaries.get(serial, ()):
            sw = summary_w(sm, self.fmt, self.sizes)
            kids.append((sm.slots[(len(sm.slots) - 1) // 2], (-sw / 2, sw / 2)))
        kids.sort(key=lambda kv: kv[0])
        want = [-w / 2 + 3 + cw * (cell_of.get(k, 0) + 0.5) for k, _e in kids]
        # dot may keep either end under its port and push the others aside: place the
        # children from the left and from the right, and keep the wider of the two
        l1, r1 = left, right
        prev = None
        for (_k, (cl, cr)), x in zip(kids, want, strict=True):
            c = x if prev is None else max(x, prev + NODESEP_PT - cl)
            prev = c + cr
            l1, r1 = min(l1, c + cl), max(r1, c + cr)
        l2, r2 = left, right
        prev = None
        for (_k, (cl, cr)), x in zip(reversed(kids), reversed(want), strict=True):
            c = x if prev is None else min(x, prev - NODESEP_PT - cr)
            prev = c + cl
            l2, r2 = min(l2, c + cl), max(r2, c + cr)
        return (l1, r1) if r1 - l1 >= r2 - l2 else (l2, r2)

    def plan(self, visible, elide, level, narrow=False):
        """A Plan drawing ``visible`` with slots elided in the nodes ``elide`` chose
        (``narrow``: summary boxes put each part of their text on a line of its own)."""
        visible = frozenset(visible)
        hidden = {}
        for s in visible:
            n = self.by[s]
            if elide in ("all", "tight", "judged", "judged tight") or (
                    elide == "others" and s not in self.core and s not in self.changed):
                h = self.hidden_of(n, visible, 0 if elide.endswith("tight") else 1,
                                   judged=not elide.startswith("judged"))
                if h:
                    hidden[s] = h
        summaries = self.summaries(visible, narrow)
        ranks = {}
        for s in visible:
            n = self.by[s]
            ranks.setdefault(n.depth, []).append(self.node_w(n, hidden.get(s, frozenset()))[1])
        for sm in summaries:
            ranks.setdefault(sm.depth, []).append(summary_w(sm, self.fmt, self.sizes))
        width = max((sum(ws) + NODESEP_PT * (len(ws) - 1) for ws in ranks.values()),
                    default=0)
        by_parent = {}
        for sm in summaries:
            by_parent.setdefault(sm.parent, []).append(sm)
        root = self.view.nodes[0].serial
        if root in visible:
            left, right = self.extents(root, visible, hidden, by_parent)
            # the big node is drawn centred above the root
            left, right = min(left, -self.extra_w / 2), max(right, self.extra_w / 2)
            width = max(width, right - left)
        width = max(width, self.extra_w) + MARGIN_PT
        return Plan(visible, tuple(summaries), hidden, level, width)

    def summaries(self, visible, narrow=False):
        out = []
        for n in self.view.nodes:
            if n.is_leaf or n.serial not in visible:
                continue
            run = []
            for k, child in enumerate(n.slots + (None,)):
                # a child missing from the view (a partial copy) ends a run, drawn as nothing
                if child is not None and child not in visible and child in self.by:
                    run.append((k, child))
                    continue
                if run:
                    out.append(self.summary(n, run, narrow))
                    run = []
        return out

    def summary(self, parent, run, narrow=False):
        serials = tuple(c for _k, c in run)
        stats = self.stats
        nodes = sum(stats[c][0] for c in serials)
        leaves = sum(stats[c][1] for c in serials)
        totals = {}
        for c in serials:
            for what, k in self.mark_counts.get(c, {}).items():
                totals[what] = totals.get(what, 0) + k
        marked = tuple((what, totals[what]) for what in self.marks if totals.get(what))
        first, last = self.by[serials[0]], self.by[serials[-1]]
        return Summary(name=f"c{parent.serial}_{run[0][0]}", parent=parent.serial,
                       slots=tuple(k for k, _c in run), serials=serials, nodes=nodes,
                       leaves=leaves, min=first.min, max=last.max, marked=marked,
                       depth=parent.depth + 1, narrow=narrow)

    # --- the levels ------------------------------------------------------------------------
    def choose(self, start):
        budget = self.sizes.budget_pt
        action = self.core + self.changed
        base = self.ancestors(action)
        levels = [
            ("all", lambda: set(self.by), None),
            ("siblings", lambda: self.with_children(base), None),
            ("siblings elided", lambda: self.with_children(base), "others"),
            ("neighbours", lambda: self.with_neighbours(base, action), "others"),
            ("action", lambda: base, "others"),
            ("action elided", lambda: base, "all"),
            ("action tight", lambda: base, "tight"),
            ("skipped elided", lambda: base, "judged"),
            ("skipped tight", lambda: base, "judged tight"),
            ("narrow summaries", lambda: base, "judged tight", True),
        ]
        plan = None
        for name, keep, elide, *narrow in levels[start:]:
            plan = self.plan(keep(), elide, name, bool(narrow))
            if plan.width_pt <= budget:
                return plan
        # fewer changed nodes: keep the most recent ones (at least one when they are
        # all the action there is, as in the copy panel of a dup)
        k = len(self.changed)
        least = 0 if self.core else 1
        while k > least:
            k = max(least, k // 2 if k > 1 else 0)
            changed = self.changed[len(self.changed) - k:] if k else []
            plan = self.plan(self.ancestors(self.core + changed), "judged tight",
                             f"action, {k} of {len(self.changed)} changed", True)
            if plan.width_pt <= budget:
                return plan
        return plan


def summary_texts(s, fmt):
    """The lines of a summary box."""
    what = f"\u2026 {s.leaves} leaves" if s.leaves != 1 else "\u2026 1 leaf"
    if s.nodes != s.leaves:
        k = len(s.serials)
        what += f" in {k} subtree" + ("s" if k != 1 else "")
    if s.narrow:
        # one part a line: the count, the subtrees, the range's two ends
        head, _, rest = what.partition(" in ")
        lines = [head] + ([f"in {rest}"] if rest else [])
        lines += [fmt.index(s.min), f"\u2013 {fmt.index(s.max)}"]
    else:
        lines = [what, fmt.dash_span(s.min, s.max)]
    if s.marked:
        lines.append(", ".join(f"{c} {w}" for w, c in s.marked))
    return lines


def summary_w(s, fmt, sizes):
    return max(text_w(t, sizes.small) for t in summary_texts(s, fmt)) + 16


def choose(view, hl, fmt, sizes, *, focus_index=None, collapse=True, extra_w=0,
           notes=None):
    """The Plan of a frame: which nodes to draw, which to summarize, which slots to
    elide. ``hl``: the step's Highlight; ``extra_w``: width (pt) of what is drawn beside
    the tree (the big node); ``notes``: {serial: header notes} (they widen a header)."""
    all_serials = frozenset(n.serial for n in view.nodes)
    start, limit = collapse_mode(collapse)
    if view.root != "node" or start is None or (limit is not None
                                                and leaf_count(view) <= limit):
        return Plan(all_serials, (), {}, "all")
    return _Chooser(view, hl, fmt, sizes, focus_index, extra_w, notes or {}).choose(start)

