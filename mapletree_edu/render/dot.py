# SPDX-License-Identifier: GPL-2.0-or-later
"""Step -> DOT: deterministic graphviz text for a tree view or a recorded step.

The text depends only on the view and the options: node names come from node serials
(``n<serial>``), every list is walked in pre-order or slot order, and nothing records a
time, an ``id()`` or a dict order the caller could not control. Tests compare this text.

>>> from mapletree_edu import MapleTree
>>> t = MapleTree()
>>> t.store(10, 15, 1)
>>> "leaf_64" in tree_to_dot(t)
True
"""

import textwrap

from ..errors import ExportError
from .collapse import DEFAULT_MAX_LEAVES, plan_collapse
from .fmt import NumberFormat, escape, quote, view_values
from .highlight import DUP_FNS, Highlight, big_node_of, dup_visits, step_caption, step_highlight
from .nodes import (
    COLORS,
    FREED,
    NULL_BG,
    RANGE_BG,
    SIBLING,
    big_node_label,
    freed_label,
    node_label,
    summary_label,
)
from .views import as_view

FONT = "Helvetica"
CAPTION_WIDTH = 90


def _legend(fmt):
    cells = []
    for what in ("new", "copied", "modified"):
        bg, border = COLORS[what]
        cells.append(f'<TD BGCOLOR="{bg}" COLOR="{border}" BORDER="1">{what}</TD>')
    cells.append(f'<TD COLOR="{FREED}" BORDER="1" STYLE="dashed">'
                 f'<FONT COLOR="{FREED}">freed</FONT></TD>')
    cells.append('<TD BORDER="3">path</TD>')
    cells.append(f'<TD COLOR="{SIBLING}" BORDER="2">sibling</TD>')
    cells.append(f'<TD BGCOLOR="{RANGE_BG}" BORDER="1">written range</TD>')
    cells.append(f'<TD BGCOLOR="{NULL_BG}" BORDER="1">NULL</TD>')
    cells.append('<TD BORDER="0">* gap_off</TD>')
    cells.append(f'<TD BORDER="0">{"hex" if fmt.hex else "decimal"} indices</TD>')
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2">'
            '<TR>' + "".join(f"{c}" for c in cells).replace("<TD", '<TD ALIGN="CENTER"')
            + "</TR></TABLE>")


def _graph_label(title, caption, legend, fmt, ghosts=()):
    rows = []
    if title:
        rows.append(f'<TR><TD ALIGN="LEFT"><B>{escape(title)}</B></TD></TR>')
    for i, line in enumerate(caption or ()):
        for part in textwrap.wrap(line, CAPTION_WIDTH) or [""]:
            size = 11 if i == 0 else 10
            rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{size}">{escape(part)}'
                        '</FONT></TD></TR>')
    if legend:
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9">{_legend(fmt)}</FONT>'
                    '</TD></TR>')
    if not rows and not ghosts:
        return None
    text = ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>")
    if ghosts:
        # the freed nodes sit beside the caption, out of the tree's layout
        text = ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
                f'<TD VALIGN="TOP">{text}</TD><TD WIDTH="12"></TD>'
                f'<TD VALIGN="TOP">{freed_label(ghosts, fmt)}</TD></TR></TABLE>')
    return "<" + text + ">"


def _header(graph_label, max_width_in):
    out = ["digraph maple {",
           f'  graph [rankdir=TB, ordering=out, splines=polyline, nodesep=0.2, ranksep=0.4, '
           f'fontname="{FONT}", fontsize=11, labelloc=t, labeljust=l, bgcolor=white'
           + (f', size="{max_width_in:g},1000"' if max_width_in else "")
           + (f", label={graph_label}" if graph_label else "") + "];",
           f'  node [shape=plain, fontname="{FONT}", fontsize=10];',
           '  edge [arrowsize=0.6, color="#555555"];']
    return out


def _collapse_limit(collapse):
    if collapse is True:
        return DEFAULT_MAX_LEAVES
    if collapse is False or collapse is None:
        return None
    if isinstance(collapse, int) and collapse > 0:
        return collapse
    raise ExportError(f"collapse must be True, False or a positive leaf count, not {collapse!r}")


def view_to_dot(view, *, highlight=None, title=None, max_width_in=None, collapse=True,
                focus_index=None, visit_numbers=None, big_node=None, legend=True,
                hex_numbers=None, caption=None, ghosts=()):
    """DOT text of a TreeView (or anything :func:`as_view` accepts).

    ``highlight``: a Highlight or a dict (new, copied, modified, freed, path, node, range,
    sibling, replaces); ``collapse``: True (more than 24 leaves), a leaf count, or False;
    ``focus_index``: keep the path to this index when collapsing; ``visit_numbers``:
    {serial: __mt_dup visit number}; ``big_node``: mab_calc_split's big node dict (type,
    b_end, pivots, slots, split, mid_split); ``hex_numbers``: force hex (True) or decimal
    (False) indices; ``caption``: lines under the title; ``ghosts``: NodeViews of freed
    nodes, drawn dashed red.
    """
    view = as_view(view)
    hl = Highlight.coerce(highlight)
    visit_numbers = dict(visit_numbers or {})
    values = list(view_values(view))
    if big_node:
        values.extend(big_node.get("pivots", ()))
    fmt = NumberFormat.for_values(values, hex_numbers)
    focus = hl.focus()
    if focus_index is not None:
        focus.extend(view.path_to(focus_index))
    marks = {"new": hl.new, "copied": hl.copied, "modified": hl.modified}
    plan = plan_collapse(view, focus, _collapse_limit(collapse), marks)
    if view.root == "node" and caption is None and len(plan.visible) < len(view.nodes):
        caption = [f"{len(plan.visible)} of {len(view.nodes)} nodes drawn; the rest are "
                   "collapsed"]
    elif view.root == "node" and len(plan.visible) < len(view.nodes):
        caption = list(caption) + [f"{len(plan.visible)} of {len(view.nodes)} nodes drawn; "
                                   "the rest are collapsed"]
    out = _header(_graph_label(title, caption, legend, fmt, ghosts), max_width_in)
    if view.root == "empty":
        out.append('  root [shape=box, style="rounded,dashed", label="empty tree\\n'
                   '(root = NULL)"];')
    elif view.root == "entry":
        out.append("  root [shape=box, style=rounded, label="
                   + quote(f"root entry {view.root_value}\n(covers index 0 only; no node)")
                   + "];")
    replaced_by = dict(hl.replaces)
    edges = []
    for n in view.nodes:
        if n.serial not in plan.visible:
            continue
        tags = []
        if n.serial == hl.node:
            tags.append("mas.node")
        if n.serial in replaced_by:
            tags.append(f"replaces n{replaced_by[n.serial]}")
        if n.serial == hl.sibling:
            tags.append("sibling")
        label = node_label(n, fmt, status=hl.status(n.serial), bold=n.serial in hl.path,
                           tags=tags, written=hl.range if n.is_leaf else None,
                           visit=visit_numbers.get(n.serial),
                           border=SIBLING if n.serial == hl.sibling else None)
        out.append(f"  n{n.serial} [label={label}];")
        if n.is_leaf:
            continue
        for k, child in enumerate(n.slots):
            if child in plan.visible:
                style = " [penwidth=2.5]" if child in hl.path and n.serial in hl.path else ""
                edges.append(f"  n{n.serial}:s{k} -> n{child}:n{style};")
            else:
                # one edge per collapsed run, from its middle slot
                s = plan.child_target(n.serial, k)
                if s is not None and k == s.slots[(len(s.slots) - 1) // 2]:
                    edges.append(f"  n{n.serial}:s{k} -> {s.name} "
                                 '[style=dashed, color="#999999"];')
    for s in plan.summaries:
        out.append(f'  {s.name} [shape=box, style="rounded,dashed", color="#999999", '
                   f'fontcolor="#555555", label={summary_label(s, fmt)}];')
    if big_node:
        out.append(f"  bignode [label={big_node_label(big_node, fmt)}];")
        if view.root == "node":
            edges.append(f"  bignode -> n{view.nodes[0].serial} [style=invis];")
    out.extend(edges)
    out.append("}")
    return "\n".join(out) + "\n"


def step_to_dot(step, *, prev_view=None, visit_numbers=None, title=None, caption=None,
                **opts):
    """DOT text of one recorded Step: its tree view with what the step changed.

    ``prev_view``: the view of the step before (to draw the nodes this step freed as
    ghosts and to tell copies from new nodes); ``visit_numbers``: __mt_dup visit numbers
    when the step itself does not carry them. Other options as :func:`view_to_dot`.
    """
    if getattr(step, "view", None) is None:
        raise ExportError(f"step {getattr(step, 'n', '?')} has no tree view to draw "
                          "(record with views on)")
    hl, visits = step_highlight(step, prev_view, visit_numbers)
    values = list(view_values(step.view))
    if step.view.root == "node" and hl.range is not None:
        values.extend(hl.range)
    fmt = NumberFormat.for_values(values, opts.pop("hex_numbers", None))
    ghosts = ()
    if prev_view is not None and step.freed:
        prev = prev_view.by_serial()
        ghosts = tuple(prev[s] for s in step.freed if s in prev)
    lines = step_caption(step, fmt, hl)
    if caption:
        lines.extend(caption)
    return view_to_dot(step.view, highlight=hl, title=step.op if title is None else title,
                       visit_numbers=visits, big_node=big_node_of(step), caption=lines,
                       ghosts=ghosts, hex_numbers=fmt.hex, **opts)


def tree_to_dot(obj, **opts):
    """DOT text of a MapleTree, a core tree, a dump record or a TreeView (no highlight)."""
    return view_to_dot(as_view(obj), **opts)


def trace_hex(steps):
    """One radix for a whole trace (so numbers do not change base between frames)."""
    values = []
    for s in steps:
        if s.view is not None:
            values.extend(view_values(s.view))
            if s.view.root == "node":
                values.extend((s.index, s.last))
    return NumberFormat.for_values(values).hex


def trace_dots(steps, **opts):
    """DOT text for every step of a trace, threading what one step needs from the ones
    before it: the previous view (ghosts of freed nodes) and __mt_dup's visit numbers."""
    steps = list(steps)
    opts.setdefault("hex_numbers", trace_hex(steps))
    out = []
    prev_view = None
    visits = None
    for s in steps:
        if s.fn in DUP_FNS:
            if "visit" in s.details:
                visits = dup_visits(s.view, s.details["visit"])
        else:
            visits = None
        out.append(step_to_dot(s, prev_view=prev_view, visit_numbers=visits, **opts))
        prev_view = s.view
    return out
