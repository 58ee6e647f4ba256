# SPDX-License-Identifier: GPL-2.0-or-later
"""A frame: one step (or one tree) drawn for a text size and a width, in one pass.

No kernel twin. :func:`build` takes a Step, a TreeView, a MapleTree, a core tree or a
dump record through four stages, each visited once, each feeding the next:

1. choose what to show (:mod:`.collapse`: focus and collapse, for the width budget);
2. mark the nodes (:mod:`.marks`: colours, path, slots, verdicts; the marks used);
3. lay out the labels (:mod:`.labels`: node tables, summaries, caption, legend);
4. emit DOT (:mod:`.emit`).

The :class:`Frame` keeps each stage's result. Its ``dot`` feeds the static SVG (server
side ``dot``), the exports, the command line and the animated view, which renders the
same DOT in the browser. DOT node names are stable from frame to frame: a tree node is
``n<serial>`` (its SVG group's ``<title>``), its slot cells are ports ``s<offset>`` (SVG
ids ``a_n<serial>_s<offset>``), so a node that survives a step can be matched.

>>> from mapletree_edu import MapleTree
>>> t = MapleTree()
>>> t.store(10, 15, 1)
>>> f = build(t)
>>> f.dot.splitlines()[0], len(f.node_ids), f.node_ids[0] == f"n{f.view.nodes[0].serial}"
('digraph maple {', 1, True)
"""

import time
from dataclasses import dataclass, field

from ..errors import ExportError
from .collapse import choose, summary_texts
from .emit import emit
from .fmt import NumberFormat, view_values
from .highlight import DUP_FNS, Highlight, big_node_of, dup_visits, step_highlight
from .labels import (
    Labels,
    big_node_label,
    big_node_w,
    graph_label,
    key_label,
    legend_keys,
    node_label,
    step_caption,
    summary_label,
)
from .marks import header_notes, mark
from .metrics import DEFAULT_TEXT_PX, DEFAULT_WIDTH_PX, PRESENTER_TEXT_PX, check_sizes
from .views import as_view

STAGES = ("choose", "mark", "labels", "emit")


@dataclass(frozen=True)
class Frame:
    """One drawn frame. ``dot``: the DOT text; ``plan``: what is drawn (visible serials,
    summaries, elided slots, the level chosen, the estimated width); ``marks``: the
    marks of the drawn nodes and the set of marks used (``legend``: the legend's keys);
    ``caption``: the caption lines; ``timings``: seconds spent in each stage."""

    dot: str
    view: object
    highlight: Highlight
    plan: object
    marks: object
    labels: Labels
    caption: tuple
    legend: tuple
    text_px: float
    width_px: float
    hex: bool
    timings: dict = field(default_factory=dict, compare=False)

    @property
    def node_ids(self):
        """DOT names of the tree nodes drawn (``n<serial>``)."""
        return tuple(f"n{s}" for s in sorted(self.plan.visible))

    @property
    def est_width_px(self):
        """The estimated natural width of the drawing in CSS px."""
        return self.plan.width_pt * 4 / 3


def build(obj, *, prev_view=None, visit_numbers=None, highlight=None, title=None,
          caption=None, headline=True, focus_index=None, collapse=True,
          text_px=DEFAULT_TEXT_PX, width_px=DEFAULT_WIDTH_PX, presenter=False,
          legend=True, hex_numbers=None, big_node=None, ghosts=(), max_width_in=None):
    """The Frame of a Step or a tree.

    ``prev_view``: the view before a step (ghosts of freed nodes, copies told from new
    nodes); ``visit_numbers``: {serial: __mt_dup visit number}; ``highlight``: extra
    marks for a tree (a Highlight or a dict); ``title``: the first line (a step's op by
    default); ``caption``: more lines; ``headline``: start with the op as title and "step n: fn —
    why" (off when a status line beside the diagram says both); ``focus_index``: keep the
    path to this index; ``collapse``: True (fit the width), False (draw everything) or a
    leaf count; ``text_px``/``width_px``: the smallest on-screen text and the width the
    drawing must fit without being scaled (``presenter=True``: 16 px text);
    ``legend``: draw the legend (only the marks used); ``hex_numbers``: force hex (True)
    or decimal (False); ``big_node``: mab_calc_split's big node (a step's by default);
    ``ghosts``: NodeViews of freed nodes; ``max_width_in``: graphviz ``size`` (inches).
    """
    if presenter:
        text_px = max(text_px, PRESENTER_TEXT_PX)
    sizes = check_sizes(text_px, width_px)
    t0 = time.perf_counter()
    step = obj if getattr(obj, "fn", None) is not None and hasattr(obj, "info") else None
    if step is not None:
        if getattr(step, "view", None) is None:
            raise ExportError(f"step {getattr(step, 'n', '?')} has no tree view to draw "
                              "(record with views on)")
        view = step.view
        hl, visits = step_highlight(step, prev_view, visit_numbers)
        if big_node is None:
            big_node = big_node_of(step)
        if prev_view is not None and step.freed and not ghosts:
            prev = prev_view.by_serial()
            ghosts = tuple(prev[s] for s in step.freed if s in prev)
        if title is None and headline:
            title = step.op
    else:
        view = as_view(obj)
        hl = Highlight.coerce(highlight)
        visits = dict(visit_numbers or {})
    values = list(view_values(view))
    if step is not None and view.root == "node" and hl.range is not None:
        values.extend(hl.range)
    if big_node:
        values.extend(big_node.get("pivots", ()))
    fmt = NumberFormat.for_values(values, hex_numbers)

    # 1. choose what to show
    extra_w = big_node_w(big_node, fmt, sizes) if big_node else 0
    notes = header_notes(hl)
    plan = choose(view, hl, fmt, sizes, focus_index=focus_index, collapse=collapse,
                  extra_w=extra_w, notes=notes)
    t1 = time.perf_counter()

    # 2. mark the nodes
    marks = mark(view, plan, hl, visits)
    used = set(marks.used)
    if ghosts:
        used.add("freed")
    if big_node and big_node.get("split") is not None:
        used.add("split")
    t2 = time.perf_counter()

    # 3. lay out the labels
    lines = step_caption(step, fmt, hl, headline) if step is not None else []
    lines.extend(caption or ())
    if view.root == "node" and len(plan.visible) < len(view.nodes):
        lines.append(f"{len(plan.visible)} of {len(view.nodes)} nodes drawn; the rest are "
                     "collapsed")
    by = view.by_serial()
    node_labels = {s: node_label(by[s], m, fmt, sizes) for s, m in marks.nodes.items()}
    summaries = {s.name: summary_label(summary_texts(s, fmt), sizes) for s in plan.summaries}
    big = big_node_label(big_node, fmt, sizes) if big_node else None
    glabel = graph_label(title, lines, used, fmt, sizes, ghosts, legend)
    labels = Labels(node_labels, summaries, big, glabel)
    t3 = time.perf_counter()

    # 4. emit DOT
    dot = emit(view, plan, marks, labels, sizes, big_node=bool(big_node),
               max_width_in=max_width_in)
    t4 = time.perf_counter()
    return Frame(dot=dot, view=view, highlight=hl, plan=plan, marks=marks, labels=labels,
                 caption=tuple(lines), legend=tuple(legend_keys(used)) if legend else (),
                 text_px=sizes.text_px, width_px=sizes.width_px, hex=fmt.hex,
                 timings=dict(zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3),
                                  strict=True)))


def trace_hex(steps):
    """One radix for a whole trace (so numbers do not change base between frames)."""
    values = []
    for s in steps:
        if s.view is not None:
            values.extend(view_values(s.view))
            if s.view.root == "node":
                values.extend((s.index, s.last))
    return NumberFormat.for_values(values).hex


def trace_visits(steps, i):
    """__mt_dup's visit numbers at step i: carried over from the last step of the same
    run of dup steps that recorded them (None outside a dup)."""
    if steps[i].fn not in DUP_FNS:
        return None
    for k in range(i, -1, -1):
        s = steps[k]
        if s.fn not in DUP_FNS:
            break
        if "visit" in s.details:
            return dup_visits(s.view, s.details["visit"])
    return None


def build_step(steps, i, **opts):
    """The Frame of step i of a trace, drawn as in the whole trace: the previous step's
    view (ghosts, copies), __mt_dup's visit numbers, and one radix for every frame
    (pass ``hex_numbers=trace_hex(steps)`` when building many frames)."""
    opts.setdefault("hex_numbers", trace_hex(steps))
    prev_view = steps[i - 1].view if i > 0 else None
    return build(steps[i], prev_view=prev_view, visit_numbers=trace_visits(steps, i), **opts)


def build_trace(steps, **opts):
    """The Frames of every step of a trace."""
    steps = list(steps)
    opts.setdefault("hex_numbers", trace_hex(steps))
    return [build_step(steps, i, **opts) for i in range(len(steps))]


def notation_dot(keys=None, text_px=DEFAULT_TEXT_PX):
    """DOT text of a key to the notation: every mark of ``render.notation.MARKS`` (or
    those with the given keys) drawn as the diagrams draw it, with its name and meaning.

    >>> "gap_off" in notation_dot(["gap_off"])
    True
    """
    sizes = check_sizes(text_px, DEFAULT_WIDTH_PX)
    return ("digraph notation {\n"
            f'  node [shape=plain, fontname="Helvetica", fontsize={sizes.main:g}];\n'
            f"  key [label={key_label(keys, sizes)}];\n}}\n")
