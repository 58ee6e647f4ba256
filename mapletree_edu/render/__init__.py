# SPDX-License-Identifier: GPL-2.0-or-later
"""Drawing trees and steps: step -> Frame -> DOT (deterministic text) -> SVG, GIF or PNG.

:func:`build` makes the :class:`Frame` of a step or a tree in one pass (choose what to
show for a text size and width, mark, lay out labels, emit DOT); the DOT feeds the
static SVG, the exports, the command line and the players' animated view.
:data:`MARKS` is the notation (:mod:`.notation` explains how to read a diagram).

>>> from mapletree_edu import MapleTree
>>> from mapletree_edu.render import tree_to_dot
>>> t = MapleTree()
>>> t.store(10, 15, 1)
>>> tree_to_dot(t).splitlines()[0]
'digraph maple {'
"""

from .dot import step_to_dot, trace_dots, tree_to_dot, view_to_dot
from .frame import Frame, build, build_step, build_trace, notation_dot
from .highlight import Highlight
from .notation import MARKS
from .svg import (
                  DotMissing,
                  dot_to_png,
                  dot_to_svg,
                  fit_svg,
                  have_dot,
                  svg_mimebundle,
                  svg_or_text,
                  text_dump,
)
from .views import as_view, record_to_view

__all__ = ["Frame", "build", "build_step", "build_trace", "MARKS", "notation_dot",
           "view_to_dot", "step_to_dot", "tree_to_dot", "trace_dots", "Highlight",
           "dot_to_svg", "dot_to_png", "fit_svg", "have_dot", "DotMissing", "svg_or_text",
           "svg_mimebundle", "text_dump", "record_to_view", "as_view"]
