# SPDX-License-Identifier: GPL-2.0-or-later
"""Stage 4 of a frame: emit DOT text.

No kernel twin. Node names are stable across frames: ``n<serial>`` for a tree node,
``c<parent serial>_<first slot>`` for a summary, ``bignode`` for mab_calc_split's big
node, ``root`` for an empty tree or a root entry. Child edges leave from the parent's
slot port ``s<offset>``. Everything is written in pre-order or slot order, so the text
depends only on the frame.
"""

from .fmt import quote
from .notation import SUMMARY

FONT = "Helvetica"


def header(graph_label, sizes, max_width_in=None):
    return ["digraph maple {",
            f'  graph [rankdir=TB, ordering=out, splines=polyline, nodesep=0.2, ranksep=0.4, '
            f'fontname="{FONT}", fontsize={sizes.main:g}, labelloc=t, labeljust=l, '
            'bgcolor=white'
            + (f', size="{max_width_in:g},1000"' if max_width_in else "")
            + (f", label={graph_label}" if graph_label else "") + "];",
            f'  node [shape=plain, fontname="{FONT}", fontsize={sizes.main:g}];',
            '  edge [arrowsize=0.6, color="#555555"];']


def emit(view, plan, marks, labels, sizes, *, big_node=False, max_width_in=None):
    """The DOT text of a frame."""
    out = header(labels.graph, sizes, max_width_in)
    if view.root == "empty":
        out.append('  root [shape=box, style="rounded,dashed", label="empty tree\\n'
                   '(root = NULL)"];')
    elif view.root == "entry":
        out.append("  root [shape=box, style=rounded, label="
                   + quote(f"root entry {view.root_value}\n(covers index 0 only; no node)")
                   + "];")
    edges = []
    for n in view.nodes:
        if n.serial not in plan.visible:
            continue
        out.append(f"  n{n.serial} [label={labels.nodes[n.serial]}];")
        if n.is_leaf:
            continue
        cell_of = {}
        for c in marks.nodes[n.serial].cells:
            for k in range(c.first, c.last + 1):
                cell_of[k] = c.first
        for k, child in enumerate(n.slots):
            port = cell_of.get(k, k)
            if child in plan.visible:
                style = " [penwidth=2.5]" if (n.serial, child) in marks.path_edges else ""
                edges.append(f"  n{n.serial}:s{port} -> n{child}:n{style};")
            else:
                # one edge per collapsed run, from its middle slot
                s = plan.child_target(n.serial, k)
                if s is not None and k == s.slots[(len(s.slots) - 1) // 2]:
                    edges.append(f"  n{n.serial}:s{port} -> {s.name} "
                                 f'[style=dashed, color="{SUMMARY}"];')
    for s in plan.summaries:
        out.append(f'  {s.name} [shape=box, style="rounded,dashed", color="{SUMMARY}", '
                   f'fontcolor="#555555", label={labels.summaries[s.name]}];')
    if big_node and labels.big:
        out.append(f"  bignode [label={labels.big}];")
        if view.root == "node":
            edges.append(f"  bignode -> n{view.nodes[0].serial} [style=invis];")
    out.extend(edges)
    out.append("}")
    return "\n".join(out) + "\n"
