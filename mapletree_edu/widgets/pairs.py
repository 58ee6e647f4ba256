# SPDX-License-Identifier: GPL-2.0-or-later
"""SideBySide: two recorded traces (or two views of one) under one transport bar.

Two uses in the lessons:

- **normal appends beside a bulk load of the same VMAs.** The traces are aligned by op:
  each store (``mtree_store_range`` / ``mas_store`` / ``mtree_erase``) starts a group,
  group k of one side is shown beside group k of the other, and the side with fewer
  steps in a group holds its last step while the other goes on.
- **source beside copy during __mt_dup** (:meth:`SideBySide.dup`). ``mas_dup_build``
  copies the tree node by node in depth-first pre-order; the copy panel shows the nodes
  visited so far (the source view restricted to them, with their pre-order numbers).
"""

import base64
import html
import io

import ipywidgets as widgets
import traitlets

from ..errors import InvalidArgumentError
from ..render.highlight import DUP_FNS
from . import diagram
from .controls import DEFAULT_INTERVAL, Transport, presenter_toggle, zoom_toggle
from .dup_copy import copy_view, dup_allocated, dup_serials, dup_visited
from .frames import Frames, combine_svgs, trace_radix, view_dot
from .player import _index
from .static import HINT, hinted_png, hinted_svg
from .text import kernel_panel_html, kernel_panel_text, status_html, status_text

OP_START_FNS = frozenset({"mtree_store_range", "mas_store", "mtree_erase"})
AUTO_WIDTH_PT = 350          # a half-width column at 1400 px (474 px): wider would shrink text
# a half-width column of a slide (1344 px wide, ~1300 px of content): ~620 px; stacked
# diagrams would fall below a slide's bottom edge, so beside is kept up to this width
DECK_AUTO_WIDTH_PT = 465
# in a deck both sides are drawn for such a column: the frame pipeline collapses what
# does not fit, so the pair stays beside, inside the slide, at presenter size
DECK_COLUMN_PX = 600


def _deck_opts(dot_opts):
    """The drawing options of a pair's frames: as given, and in a slide deck fitted to a
    half-slide column (``collapse=True`` within :data:`DECK_COLUMN_PX`) unless the
    caller asked to draw everything (``collapse=False``)."""
    opts = dict(dot_opts or {})
    if diagram.IN_DECK and opts.get("collapse", True) is not False:
        opts["collapse"] = True
        opts.setdefault("width_px", DECK_COLUMN_PX)
    return opts


def op_groups(steps):
    """Step indices grouped by op: a group starts at each entry event (a store, bulk
    store or erase); steps before the first one join the first group."""
    groups = []
    for i, s in enumerate(steps):
        if s.fn in OP_START_FNS and s.ev and groups and _has_start(steps, groups[-1]):
            groups.append([i])
        elif groups:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _has_start(steps, group):
    return any(steps[i].fn in OP_START_FNS and steps[i].ev for i in group)


def align_by_op(left, right):
    """Frame pairs (left index, right index) for two traces aligned by op.

    Group k of each side is shown together; within a group both sides advance one step
    per frame and the shorter one holds its last step. A side with fewer groups holds
    its last step to the end.
    """
    gl, gr = op_groups(left), op_groups(right)
    if not gl or not gr:
        raise InvalidArgumentError("both traces need at least one step to be compared")
    pairs = []
    for k in range(max(len(gl), len(gr))):
        a = gl[min(k, len(gl) - 1)] if k < len(gl) else [gl[-1][-1]]
        b = gr[min(k, len(gr) - 1)] if k < len(gr) else [gr[-1][-1]]
        for j in range(max(len(a), len(b))):
            pairs.append((a[min(j, len(a) - 1)], b[min(j, len(b) - 1)]))
    return pairs


def align_by_index(left, right):
    """Frame pairs step i with step i; the shorter trace holds its last step."""
    if not left or not right:
        raise InvalidArgumentError("both traces need at least one step to be compared")
    return [(min(i, len(left) - 1), min(i, len(right) - 1))
            for i in range(max(len(left), len(right)))]


def _column():
    return widgets.Layout(width="auto", min_width="0", flex="1 1 0")


class _Side:
    """One side: a title, a status line, a persistent diagram and a kernel panel."""

    def __init__(self, title, frames, steps, kernel_panel, animate=True):
        self.title, self.frames, self.steps = title, frames, steps
        self.status = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.view = diagram.make_view(animate)
        self.kernel = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.kernel_panel = kernel_panel
        head = widgets.HTML(f"<b>{html.escape(title)}</b>" if title else "")
        self.top = widgets.VBox([head, self.status, self.view],
                                layout=widgets.Layout(width="100%"))
        self.index = 0

    def show(self, i, held=False, next_i=None):
        self.index = i
        step = self.steps[i] if self.steps else None
        extra = " <i>(waiting: this side has no more steps for this op)</i>" if held else ""
        nxt = ""
        if self.view.animated and next_i is not None and next_i != i:
            nxt = self.frames.dot(next_i)             # the page lays it out ahead
        self.view.show(self.frames.dot(i), i, self.frames, nxt)
        self.kernel.value = kernel_panel_html(step)
        self.status.value = status_html(step, i, len(self.steps), None, extra)

    def state(self):
        step = self.steps[self.index] if self.steps else None
        d = {"index": self.index, "fn": step.fn if step else None,
             "status": status_text(step, self.index, len(self.steps)),
             "kernel": kernel_panel_text(step), "view_sha": self.view.digest(),
             "html_sha": self.view.digest(), "view_frame": self.view.frame}
        d.update(self.frames.info(self.index))
        return d


class SideBySide(widgets.VBox):
    """Two traces side by side under one transport bar.

    ``align``: "op" (group by store; the default), "index" (step i beside step i) or an
    explicit list of (left index, right index) pairs. ``arrange``: "beside" (two
    columns), "stacked" (one diagram above the other, each at full width; the kernel
    panels stay side by side) or "auto" (stacked when a diagram is wider than
    ``AUTO_WIDTH_PT`` points, which would shrink its text in a half-width column;
    ``DECK_AUTO_WIDTH_PT`` in a slide deck, whose columns are wider),
    decided again at every frame until the learner picks one with the toggle.
    ``animate=False`` draws server-side SVG without animation. ``value`` is the frame
    index.
    """

    value = traitlets.Int(0, help="index of the frame shown (0-based)")

    def __init__(self, left_steps, right_steps, titles=("left", "right"), *, align="op",
                 start=0, interval=DEFAULT_INTERVAL, kernel_panel=True, dot_opts=None,
                 arrange="auto", animate=True, _left_frames=None, _right_frames=None,
                 **kwargs):
        left, right = list(left_steps), list(right_steps)
        if isinstance(align, str):
            if align not in ("op", "index"):
                raise InvalidArgumentError(f'align must be "op", "index" or a list of '
                                           f"pairs, not {align!r}")
            pairs = align_by_op(left, right) if align == "op" else align_by_index(left, right)
        else:
            pairs = [(int(a), int(b)) for a, b in align]
            if any(not (0 <= a < len(left) and 0 <= b < len(right)) for a, b in pairs):
                raise InvalidArgumentError("a frame pair points outside the traces")
        if not pairs:
            raise InvalidArgumentError("nothing to show: no frame pairs")
        self.pairs = pairs
        self.titles = tuple(titles)
        opts = _deck_opts(dot_opts)
        self._presenter = bool(diagram.PRESENTER["on"])
        if self._presenter:
            opts.setdefault("presenter", True)
        self.left = _Side(self.titles[0], _left_frames or Frames.of_steps(left, **opts), left,
                          kernel_panel, animate)
        ropts = dict(opts)
        ropts.setdefault("legend", False)           # one legend (the left one) is enough
        self.right = _Side(self.titles[1], _right_frames or Frames.of_steps(right, **ropts),
                           right, kernel_panel, animate)
        start = _index(start, len(pairs))
        self.start = start
        self.transport = Transport(len(pairs), self._show, start=start, interval=interval)
        views = [self.left.view, self.right.view]
        for v in views:
            v.duration = self.transport.duration
            v.on_keys(forward=self.forward, back=self.back,
                      first=lambda: self.transport.go(0),
                      last=lambda: self.transport.go(len(self.pairs) - 1))
        self.transport.on_speed = lambda ms: [setattr(v, "duration", ms) for v in views]
        self.zoom = zoom_toggle(views)
        self.frame_status = widgets.HTML()
        if arrange not in ("auto", "beside", "stacked"):
            raise InvalidArgumentError(f'arrange must be "auto", "beside" or "stacked", not '
                                       f"{arrange!r}")
        self.auto_arrange = arrange == "auto"
        if arrange == "auto":
            arrange = self._auto_arrangement(start)
        self.arrange = widgets.ToggleButtons(options=["beside", "stacked"], value=arrange,
                                             tooltips=["two columns", "one above the other"],
                                             style={"button_width": "80px"})
        self.arrange.add_class("mt-arrange")
        self.body = widgets.VBox(layout=widgets.Layout(width="100%"))
        self._arrange(arrange)
        self._arranging = False
        self.arrange.observe(self._on_arrange, names="value")
        head = widgets.HBox([self.frame_status, self.arrange],
                            layout=widgets.Layout(justify_content="space-between",
                                                  align_items="center", width="100%"))
        super().__init__([self.transport.box, head, self.body],
                         layout=widgets.Layout(width="100%"), **kwargs)
        self.add_class("mt-sidebyside")
        self.presenter = presenter_toggle(views, self, diagram.PRESENTER)
        self.presenter.observe(self._on_presenter, names="value")
        self.transport.add(self.presenter, self.zoom)
        self.observe(self._on_value, names="value")
        self._show(start)

    def _on_presenter(self, change):
        """Presenter mode on or off: both sides are drawn again for that text size."""
        on = bool(change["new"])
        if on == self._presenter:
            return
        self._presenter = on
        for side in (self.left, self.right):
            if side.frames.remake is not None:
                side.frames = side.frames.remake(presenter=on)
        self._show(self.value)

    def _on_arrange(self, change):
        if not self._arranging:            # the learner chose: no more automatic choice
            self.auto_arrange = False
        self._arrange(change["new"])

    def _auto_arrangement(self, k):
        limit = DECK_AUTO_WIDTH_PT if diagram.IN_DECK else AUTO_WIDTH_PT
        return "stacked" if self._widest(k) > limit else "beside"

    def _widest(self, k):
        """Natural width in points of the widest diagram of frame k: the frame
        pipeline's estimate (no ``dot`` run), else the SVG's width (0 without dot)."""
        li, ri = self.pairs[k]
        return max(self.left.frames.width_pt(li), self.right.frames.width_pt(ri))

    def _arrange(self, how):
        """Lay the two sides out beside each other or one above the other."""
        kernels = [s.kernel for s in (self.left, self.right) if s.kernel_panel]
        if how == "beside":
            cols = [widgets.VBox([s.top] + ([s.kernel] if s.kernel_panel else []),
                                 layout=_column()) for s in (self.left, self.right)]
            self.body.children = [widgets.HBox(cols, layout=widgets.Layout(
                width="100%", align_items="flex-start"))]
        else:
            rows = [self.left.top, self.right.top]
            if kernels:
                rows.append(widgets.HBox([widgets.VBox([k], layout=_column()) for k in kernels],
                                         layout=widgets.Layout(width="100%",
                                                               align_items="flex-start")))
            self.body.children = rows

    @classmethod
    def dup(cls, steps, titles=("source", "copy (nodes copied so far)"), **kwargs):
        """Source beside copy for a recorded ``tree.dup()``: the left panel is the source
        with the node being copied; the right one the nodes copied so far, each under
        its own serial (a copy is a new node), numbered in the depth-first pre-order
        __mt_dup visits them."""
        steps = list(steps)
        if not any(s.fn in DUP_FNS for s in steps):
            raise InvalidArgumentError("these steps do not record a dup (no mas_dup_* step)")
        visited = [dup_visited(steps, i) for i in range(len(steps))]
        serials = dup_serials(steps)
        hex_numbers = trace_radix(steps)

        freed_at = next((k for k, s in enumerate(steps) if s.fn == "mas_dup_free"), None)

        presenter = bool(diagram.PRESENTER["on"])

        def copy_dot(i, presenter=False):
            if freed_at is not None and i >= freed_at:
                n = steps[freed_at].details.get("freed", 0)
                return ('digraph copy {\n  freed [shape=box, style="rounded,dashed", '
                        'color="#c62828", fontcolor="#c62828", label="out of memory:\\n'
                        f'the {n} nodes of the partial copy\\nwere freed (mas_dup_free)"];'
                        '\n}\n')
            v = copy_view(steps[i].view, visited[i], serials, dup_allocated(steps, i))
            if v is not None and v.root == "node" and not v.nodes:
                return ('digraph copy {\n  empty [shape=box, style="rounded,dashed", '
                        'label="nothing copied yet"];\n}\n')
            visits = {serials.get(src, src): k for src, k in visited[i].items()}
            return view_dot(v, visit_numbers=visits, legend=False,
                            highlight={"copied": tuple(visits)},
                            hex_numbers=hex_numbers, presenter=presenter,
                            **_deck_opts({"collapse": True}),
                            caption=[f"{len(visited[i])} of {len(steps[i].view.nodes)} "
                                     "nodes copied"])

        lopts = _deck_opts(kwargs.get("dot_opts"))
        if presenter:
            lopts.setdefault("presenter", True)
        left = Frames.of_steps(steps, **lopts)

        def copy_frames(presenter=False):
            return Frames(steps, lambda i: copy_dot(i, presenter),
                          scale_like=(left, lambda i: i), remake=copy_frames)
        right = copy_frames(presenter)
        pair = cls(steps, steps, titles, align="index", _left_frames=left,
                   _right_frames=right, **kwargs)
        pair.right.kernel_panel = False         # both sides show the same step
        pair._arrange(pair.arrange.value)
        return pair

    # --- moving -----------------------------------------------------------------
    def goto(self, n):
        self.transport.go(_index(n, len(self.pairs)))

    def forward(self):
        self.transport.go(self.value + 1)

    def back(self):
        self.transport.go(self.value - 1)

    def _on_value(self, change):
        if self.transport.index != change["new"]:
            self.goto(change["new"])

    def _show(self, k):
        self.value = k
        if self.auto_arrange and hasattr(self, "arrange"):
            how = self._auto_arrangement(k)
            if how != self.arrange.value:
                self._arranging = True
                try:
                    self.arrange.value = how
                finally:
                    self._arranging = False
        li, ri = self.pairs[k]
        prev = self.pairs[k - 1] if k > 0 else (None, None)
        nl, nr = self.pairs[k + 1] if k + 1 < len(self.pairs) else (None, None)
        self.left.show(li, held=k > 0 and prev[0] == li, next_i=nl)
        self.right.show(ri, held=k > 0 and prev[1] == ri, next_i=nr)
        self.frame_status.value = (f'<div class="mt-frame-status" data-frame="{k}">frame '
                                   f"{k} (frames 0\u2013{len(self.pairs) - 1})</div>")
        if nl is not None and not self.left.view.animated:
            self.left.frames.prefetch(nl)
            self.right.frames.prefetch(nr)

    # --- state and fallback --------------------------------------------------------
    def state(self):
        return {"index": self.value, "n_frames": len(self.pairs), "titles": self.titles,
                "left": self.left.state(), "right": self.right.state()}

    def static_bundle(self, formats=None):
        """What the notebook shows before it is run: the start frame's two diagrams
        side by side as one picture (SVG and PNG, the hint to run the cell above it)
        and the hint as text. Needs ``dot`` for the pictures."""
        formats = ("image/svg+xml", "image/png", "text/plain") if formats is None \
            else tuple(formats)
        li, ri = self.pairs[self.start]
        text = (f"<SideBySide frame {self.start} of 0-{len(self.pairs) - 1}: "
                f"{self.titles[0]}: {status_text(self.left.steps[li], li, len(self.left.steps))}"
                f" | {self.titles[1]}: "
                f"{status_text(self.right.steps[ri], ri, len(self.right.steps))}>")
        bundle = {"text/plain": f"{HINT}\n{text}"} if "text/plain" in formats else {}
        svgs = [self.left.frames.static_svg(li), self.right.frames.static_svg(ri)]
        if not all(svgs):
            return bundle
        both = combine_svgs(svgs)
        if "image/svg+xml" in formats:
            bundle["image/svg+xml"] = hinted_svg(both)
        if "image/png" in formats:
            png = _svg_pair_png(self.left.frames, li, self.right.frames, ri)
            if png is not None:
                bundle["image/png"] = base64.b64encode(hinted_png(png)).decode("ascii")
        return bundle

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        data.update(self.static_bundle())
        return data


def _svg_pair_png(left, li, right, ri, gap=24):
    """One PNG of two frames side by side (``dot -Tpng`` of each, pasted together)."""
    try:
        from PIL import Image
    except ImportError:               # pragma: no cover - the notebooks extra has Pillow
        return None
    from ..render import svg as rsvg
    try:
        pics = [Image.open(io.BytesIO(rsvg.dot_to_png(f.static_dot(i)))).convert("RGB")
                for f, i in ((left, li), (right, ri))]
    except rsvg.DotMissing:
        return None
    out = Image.new("RGB", (pics[0].width + gap + pics[1].width,
                            max(p.height for p in pics)), "white")
    out.paste(pics[0], (0, 0))
    out.paste(pics[1], (pics[0].width + gap, 0))
    buf = io.BytesIO()
    out.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
