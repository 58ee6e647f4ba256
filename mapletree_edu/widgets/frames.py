# SPDX-License-Identifier: GPL-2.0-or-later
"""Frames: the diagram of each step, made lazily and cached.

A player never redraws an ``Output``; it swaps the value of one persistent view. The
animated view needs only each frame's DOT text (the page lays it out); the static view
gets HTML: the graphviz SVG sized to the output width, or, when the ``dot`` program is
missing, a readable message and a kernel-style text dump. Frames of a recorded trace
come from the one-pass frame pipeline (:mod:`mapletree_edu.render.frame`), whose width
estimate lets a two-panel widget choose its arrangement without running ``dot``.
"""

import hashlib
import html
import itertools
import re
from collections import OrderedDict

from ..render import dot as rdot
from ..render import frame as rframe
from ..render import svg as rsvg
from .controls import ZOOM_CSS

SVG_STYLE = "max-width:100%;height:auto;display:block;margin:0 auto"
_uids = itertools.count(1)
_SVG_START = re.compile(r"<svg\b")
_ID_ATTR = re.compile(r'\bid="')
_HREF_REF = re.compile(r'(href="#|url\(#)')
_PT_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([0-9.]+)pt" height="([0-9.]+)pt"')


def trace_step_dot(steps, i, **opts):
    """DOT source of step i of a trace as a player draws it (no headline: the status
    line says it); ``hex_numbers`` in opts: one radix for the whole trace."""
    return rdot.trace_step_dot(steps, i, **opts)


def trace_radix(steps):
    """True when a trace is drawn with hex indices (one radix for every frame)."""
    return rdot.trace_hex(steps)


def view_dot(view, **opts):
    """DOT source of a tree view (``render.dot.view_to_dot``)."""
    return rdot.view_to_dot(view, **opts)


def text_dump(obj):
    """The kernel-style text dump shown instead of a diagram when ``dot`` is missing."""
    if obj is None:
        return "(no tree view recorded)"
    return rsvg.text_dump(obj)


def fallback_html(text):
    """What the view shows when ``dot`` is missing: the install message and a dump."""
    msg = str(rsvg.DotMissing())
    return ('<pre class="mapletree-fallback" style="white-space:pre;overflow:auto;'
            'max-height:32em;font-size:0.85em;margin:0">'
            f"{html.escape(msg)}\n\n{html.escape(str(text))}</pre>")


def svg_width_pt(svg):
    """The natural width of a graphviz SVG in points (0 when unknown)."""
    m = _PT_SIZE.search(svg or "")
    return float(m.group(1)) if m else 0.0


def inline_svg(svg, prefix, max_width="100%"):
    """The SVG prepared for inline HTML: no XML prolog, sized to the output width
    (``max-width:100%``, height kept in proportion), element ids made unique per player
    so two diagrams on one page do not share ids."""
    start = svg.find("<svg")
    if start > 0:
        svg = svg[start:]
    svg = _ID_ATTR.sub(f'id="{prefix}', svg)
    svg = _HREF_REF.sub(lambda m: m.group(1) + prefix, svg)
    style = SVG_STYLE.replace("max-width:100%", f"max-width:{max_width}")
    return _SVG_START.sub(f'<svg style="{style}"', svg, count=1)


def combine_svgs(svgs, gap=18):
    """One SVG holding several graphviz SVGs side by side (for the static fallback of a
    two-panel widget: a mimebundle carries one image)."""
    parts, x, height = [], 0.0, 0.0
    for k, svg in enumerate(svgs):
        m = _PT_SIZE.search(svg)
        if not m:
            continue
        w, h = float(m.group(1)), float(m.group(2))
        inner = inline_svg(svg, f"p{k}-")
        inner = _PT_SIZE.sub(lambda _m, w=w, h=h, x=x: f'<svg x="{x:g}" y="0" width="{w:g}" '
                                                       f'height="{h:g}"', inner, count=1)
        parts.append(inner)
        x += w + gap
        height = max(height, h)
    width = max(x - gap, 0)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{width:g}pt" height="{height:g}pt" viewBox="0 0 {width:g} {height:g}">'
            + "".join(parts) + "</svg>")


def svg_node_count(svg):
    """How many graphviz nodes an SVG holds (``<g ... class="node">``)."""
    return svg.count('class="node"') if svg else 0


def short_hash(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12] if text else ""


class _LRU(OrderedDict):
    """A small least-recently-used map (frames of long traces are not all kept)."""

    def __init__(self, size):
        super().__init__()
        self.size = size

    def get_or(self, key, make):
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        if len(self) > self.size:
            self.popitem(last=False)
        return value


class Frames:
    """Lazily rendered, cached frames of a list of items.

    ``to_dot(i) -> str`` writes the DOT source of frame i; ``to_text(i) -> str`` the
    text dump shown when ``dot`` is missing. ``html(i)`` is what the persistent view
    shows. :meth:`of_steps` builds the frames of a recorded trace.
    """

    CACHE = 256          # frames kept per player (DOT, SVG and HTML each)

    def __init__(self, items, to_dot, to_text=None, scale_like=None, to_frame=None,
                 to_static_dot=None, remake=None):
        self.items = list(items)
        self.to_frame = to_frame          # i -> render.frame.Frame (None: DOT only)
        self.to_dot = to_dot if to_dot is not None else (lambda i: self.frame(i).dot)
        self.to_static_dot = to_static_dot
        self.remake = remake              # **opts -> the same Frames drawn with opts
        self.to_text = to_text or (lambda i: text_dump(getattr(self.items[i], "view", None)))
        self.scale_like = scale_like      # (Frames, index map): draw at their scale
        self.prefix = f"mt{next(_uids)}-"
        self._dot = _LRU(self.CACHE)
        self._frame = _LRU(self.CACHE)
        self._svg = _LRU(self.CACHE)
        self._html = _LRU(self.CACHE)

    @classmethod
    def of_steps(cls, steps, **dot_opts):
        """Frames of a recorded trace, from the frame pipeline (``render.frame``): no
        headline in the caption (a player's status line says it), except in the static
        picture (:meth:`static_dot`), which has no status line beside it."""
        steps = list(steps)
        opts = dict(dot_opts)
        if steps and "hex_numbers" not in opts:
            opts["hex_numbers"] = trace_radix(steps)
        live = dict(opts)
        live.setdefault("headline", False)
        static = dict(opts, headline=True)
        return cls(steps, None, to_frame=lambda i: rframe.build_step(steps, i, **live),
                   to_static_dot=lambda i: rframe.build_step(steps, i, **static).dot,
                   remake=lambda **more: cls.of_steps(steps, **{**dot_opts, **more}))

    def __len__(self):
        return len(self.items)

    def dot(self, i):
        return self._dot.get_or(i, lambda: self.to_dot(i))

    def frame(self, i):
        """The pipeline's Frame of item i (None when these frames are DOT only)."""
        if self.to_frame is None:
            return None
        return self._frame.get_or(i, lambda: self.to_frame(i))

    def width_pt(self, i):
        """The natural width of frame i in points: the pipeline's estimate when there
        is one (no ``dot`` run), else the width of the SVG (0 without ``dot``)."""
        f = self.frame(i)
        if f is not None:
            return f.est_width_px * 3 / 4
        return svg_width_pt(self.svg(i))

    def static_dot(self, i):
        """The DOT of frame i for a picture shown without the player (with the step's
        headline in the caption when the frames have one)."""
        return self.to_static_dot(i) if self.to_static_dot is not None else self.dot(i)

    def static_svg(self, i):
        """SVG of :meth:`static_dot` (None when ``dot`` is missing)."""
        if self.to_static_dot is None:
            return self.svg(i)
        if not rsvg.have_dot():
            return None
        try:
            return rsvg.dot_to_svg(self.static_dot(i))
        except rsvg.DotMissing:
            return None

    def svg(self, i):
        """The raw SVG of frame i, or None when ``dot`` is missing."""
        return self._svg.get_or(i, lambda: self._render(i))

    def _render(self, i):
        if not rsvg.have_dot():
            return None
        try:
            return rsvg.dot_to_svg(self.dot(i))
        except rsvg.DotMissing:
            return None

    def html(self, i):
        """The HTML for the persistent view: inline SVG, or the message and text dump."""
        return self._html.get_or(i, lambda: self._frame_html(i))

    def _frame_html(self, i):
        svg = self.svg(i)
        if svg is not None:
            body = inline_svg(svg, f"{self.prefix}{i}-", self._max_width(i, svg))
        else:
            body = fallback_html(self.to_text(i))
        return (f'{ZOOM_CSS}<div class="mt-frame" data-frame="{i}" '
                f'style="width:100%;overflow:hidden">{body}</div>')

    def _max_width(self, i, svg):
        """100%, or, when drawn beside another diagram at its scale, the fraction of
        the width that keeps both at the same scale once fitted to the same width."""
        if self.scale_like is None:
            return "100%"
        other, index_of = self.scale_like
        ref = svg_width_pt(other.svg(index_of(i)))
        own = svg_width_pt(svg)
        if ref <= 0 or own <= 0 or own >= ref:
            return "100%"
        return f"{100 * own / ref:.2f}%"

    def prefetch(self, i, dot_only=False):
        """Make frame i ahead of time (the next step), ignoring indices out of range:
        its DOT text for the animated view (``dot_only``), else its HTML (runs ``dot``)."""
        if not 0 <= i < len(self.items):
            return
        if dot_only:
            self.dot(i)
        elif i not in self._html:
            self.html(i)

    def text(self, i):
        return self.to_text(i)

    def info(self, i):
        """Stable facts about frame i for tests: DOT hash, SVG length and node count."""
        svg = self.svg(i)
        return {"dot_sha": short_hash(self.dot(i)), "svg_len": len(svg) if svg else 0,
                "svg_nodes": svg_node_count(svg), "have_svg": svg is not None}
