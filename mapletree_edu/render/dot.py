# SPDX-License-Identifier: GPL-2.0-or-later
"""Step -> DOT: deterministic graphviz text for a tree view or a recorded step.

These are the DOT-text entry points the notebooks and the players call; each builds a
:class:`~mapletree_edu.render.frame.Frame` (one pass: choose, mark, lay out, emit) and
returns its ``dot``. The text depends only on the view and the options: node names come
from node serials (``n<serial>``), every list is walked in pre-order or slot order, and
nothing records a time, an ``id()`` or a dict order the caller could not control.

>>> from mapletree_edu import MapleTree
>>> t = MapleTree()
>>> t.store(10, 15, 1)
>>> "leaf_64" in tree_to_dot(t)
True
"""

from .frame import build, build_step, build_trace, trace_hex

__all__ = ["view_to_dot", "step_to_dot", "tree_to_dot", "trace_dots", "trace_hex",
           "trace_step_dot"]


def view_to_dot(view, **opts):
    """DOT text of a TreeView (or anything :func:`~.views.as_view` accepts); options as
    :func:`mapletree_edu.render.frame.build`."""
    return build(view, **opts).dot


def step_to_dot(step, headline=False, **opts):
    """DOT text of one recorded Step: its tree view with what the step changed;
    ``prev_view`` (the view before it) draws the nodes it freed as ghosts.

    This is what a player shows under its status line, so the caption does not repeat
    the line "step n: fn — why" (``headline=True`` puts it back, as the exports do)."""
    return build(step, headline=headline, **opts).dot


def tree_to_dot(obj, **opts):
    """DOT text of a MapleTree, a core tree, a dump record or a TreeView (no highlight)."""
    return build(obj, **opts).dot


def trace_step_dot(steps, i, headline=False, **opts):
    """DOT text of step i of a trace, drawn as in the whole trace (for a player: no
    headline, as :func:`step_to_dot`)."""
    return build_step(list(steps), i, headline=headline, **opts).dot


def trace_dots(steps, **opts):
    """DOT text for every step of a trace (a caption with the headline: for exports)."""
    return [f.dot for f in build_trace(steps, **opts)]
