# SPDX-License-Identifier: GPL-2.0-or-later
"""Player: step through a recorded operation (a list of trace steps).

Layout, top to bottom: the transport bar (first, back, play/pause, forward, last, speed,
the step slider), the status line (step n/N, the kernel function, the step's reason),
the diagram and the kernel-function panel. The diagram is ONE persistent view whose
DOT text is swapped per step (:mod:`.diagram`): in a live front end, Graphviz compiled
to WebAssembly draws it in the page and animates each step into the next; nothing is
cleared or redrawn. DOT text is made on first use, cached, and the next step's ahead.
``animate=False`` (or no anywidget) shows server-side SVG in a ``widgets.HTML`` instead.

Shown outside a live kernel (GitHub, nbviewer, a notebook opened before it is run, an
untrusted notebook) the player is a picture: ``_repr_mimebundle_`` adds
:meth:`Player.static_bundle`, the start frame as SVG and PNG with a one-line hint to run
the cell, beside the widget view.

For Voila, give the final state to the constructor (``start=``): changes made by a later
cell during the first run do not reach the page.
"""

import ipywidgets as widgets
import traitlets

from ..errors import InvalidArgumentError
from . import diagram
from .controls import DEFAULT_INTERVAL, Transport, presenter_toggle, zoom_toggle
from .frames import Frames
from .static import static_bundle
from .text import kernel_panel_html, kernel_panel_text, status_html, status_text

NOTHING_DOT = ('digraph maple {\n  nothing [shape=box, style="rounded,dashed", '
               'label="nothing was recorded"];\n}\n')


def _index(n, total):
    """A step index (negative counts from the end, as in Python lists)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise InvalidArgumentError(f"a step index is an int, not {type(n).__name__}")
    if n < 0:
        n += total
    if not 0 <= n < max(total, 1):
        raise InvalidArgumentError(f"step {n} is outside 0..{max(total - 1, 0)}")
    return n


class Player(widgets.VBox):
    """Step through ``steps`` (from :func:`mapletree_edu.trace.record`).

    ``start`` is the 0-based index shown first; ``interval`` the playback delay in ms;
    ``kernel_panel=False`` hides the kernel-function panel; ``dot_opts`` are passed to
    ``render.dot.step_to_dot``; ``animate=False`` draws server-side SVG without
    animation. ``value`` is the index of the step shown.
    """

    value = traitlets.Int(0, help="index of the step shown (0-based)")

    def __init__(self, steps, title=None, *, start=0, interval=DEFAULT_INTERVAL,
                 kernel_panel=True, dot_opts=None, play=True, animate=True, **kwargs):
        self._steps = list(steps)
        self.title = title
        self.dot_opts = dict(dot_opts or {})
        self._presenter = bool(diagram.PRESENTER["on"])
        self.frames = self._make_frames(self._steps)
        start = _index(start, len(self._steps)) if self._steps else 0
        self.start = start
        self.view = diagram.make_view(animate)
        self.status = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.status.add_class("mt-status-line")
        self.kernel = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.kernel.add_class("mt-kernel-panel")
        self.extra = widgets.VBox([])          # subclasses put their panels here
        self.transport = Transport(len(self._steps), self._show, start=start,
                                   interval=interval, play=play)
        self.transport.on_speed = self._set_duration
        self.view.duration = self.transport.duration
        self.view.on_keys(forward=self.forward, back=self.back, first=self.first,
                          last=self.last)
        children = [self.transport.box, self.status, self.extra, self.view]
        if kernel_panel:
            children.append(self.kernel)
        super().__init__(children, layout=widgets.Layout(width="100%"), **kwargs)
        self.add_class("mt-player")
        self.presenter = presenter_toggle([self.view], self, diagram.PRESENTER)
        self.presenter.observe(self._on_presenter, names="value")
        self.zoom = zoom_toggle([self.view])
        self.transport.add(self.presenter, self.zoom)
        self.observe(self._on_value, names="value")
        self._show(start)

    # --- the steps -----------------------------------------------------------------
    def _make_frames(self, steps):
        opts = dict(self.dot_opts)
        if self._presenter:
            opts.setdefault("presenter", True)     # 16 px text, drawn for the same width
        return Frames.of_steps(steps, **opts)

    def _on_presenter(self, change):
        """Presenter mode on or off: the frames are drawn again for that text size."""
        on = bool(change["new"])
        if on == self._presenter:
            return
        self._presenter = on
        self.frames = self._make_frames(self._steps)
        if self._steps:
            self._show(self.value)

    @property
    def steps(self):
        return tuple(self._steps)

    @property
    def n_steps(self):
        return len(self._steps)

    @property
    def step(self):
        """The step shown (None when nothing was recorded)."""
        return self._steps[self.value] if self._steps else None

    def set_steps(self, steps, title=None, start=0):
        """Show another list of steps in the same widgets (the Explorer does this)."""
        self._steps = list(steps)
        self.title = title if title is not None else self.title
        self.frames = self._make_frames(self._steps)
        start = _index(start, len(self._steps)) if self._steps else 0
        self.start = start
        self.transport.resize(len(self._steps), start)

    # --- moving ------------------------------------------------------------------------
    def goto(self, n):
        """Show step n (0-based; negative counts from the end)."""
        self.transport.go(_index(n, self.n_steps))

    def forward(self):
        self.transport.go(self.value + 1)

    def back(self):
        self.transport.go(self.value - 1)

    def first(self):
        self.transport.go(0)

    def last(self):
        self.transport.go(self.n_steps - 1)

    def _set_duration(self, ms):
        self.view.duration = ms

    def _on_value(self, change):
        if self.transport.index != change["new"]:
            self.goto(change["new"])

    def _show(self, index):
        """Swap the three HTML values to step ``index`` (the only place that draws).

        The diagram goes first and the status line last: the browser applies the updates
        in order, so a changed status line means the diagram has changed too."""
        self.value = index
        step = self.step
        if step is None:
            self.view.show(NOTHING_DOT, index)
            if not self.view.animated:
                self.view.value = '<div class="mt-frame">nothing was recorded</div>'
        else:
            nxt = ""
            if self.view.animated and index + 1 < self.n_steps:
                nxt = self.frames.dot(index + 1)      # the page lays it out ahead
            self.view.show(self.frames.dot(index), index, self.frames, nxt)
        self.kernel.value = kernel_panel_html(step)
        self.status.value = status_html(step, index, self.n_steps, self.title,
                                        self._status_extra(index))
        if step is not None and not self.view.animated:
            self.frames.prefetch(index + 1)

    def _status_extra(self, index):
        return ""

    # --- reading the state -----------------------------------------------------------
    def status_text(self):
        return status_text(self.step, self.value, self.n_steps, self.title)

    def state(self):
        """A plain dict of what is shown, for headless tests and compared notebook cells.

        ``dot_sha`` (a hash of the DOT source) and ``svg_nodes`` are stable across
        graphviz builds; ``svg_len`` is not. ``view_sha`` is a hash of what the view
        holds (the frame and its DOT text, or the static view's HTML).
        """
        step = self.step
        d = {"index": self.value, "n_steps": self.n_steps, "title": self.title,
             "fn": step.fn if step else None, "ev": step.ev if step else None,
             "op": step.op if step else None, "status": self.status_text(),
             "kernel": kernel_panel_text(step)}
        if step is not None:
            d.update(self.frames.info(self.value))
        d["view_sha"] = d["html_sha"] = self.view.digest()
        d.update(animated=self.view.animated, presenter=self.view.presenter,
                 duration=self.view.duration, view_frame=self.view.frame)
        return d

    def current_svg(self):
        """The raw SVG of the step shown, or None when ``dot`` is missing."""
        return self.frames.svg(self.value) if self._steps else None

    # --- static fallback ---------------------------------------------------------------
    def static_bundle(self, formats=None):
        """What the notebook shows before it is run: the start frame as a picture
        (SVG and PNG, the hint to run the cell drawn above it) and the hint as text.

        Needs Graphviz's ``dot`` for the pictures (the notebooks are executed where it
        is installed); without it, only ``text/plain``. See :func:`.static.static_bundle`.
        """
        if not self._steps:
            return {"text/plain": f"<{type(self).__name__}: nothing was recorded>"}
        text = status_text(self._steps[self.start], self.start, self.n_steps, self.title)
        return static_bundle(self.frames, self.start, f"<{type(self).__name__}: {text}>",
                             formats=formats)

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        data.update(self.static_bundle())
        return data
