# SPDX-License-Identifier: GPL-2.0-or-later
"""The picture a player leaves in a notebook for when it is not running.

A lesson opened before *Run All* (a fresh clone, Binder, GitHub, nbviewer, an untrusted
notebook) has no widget model to draw. Each player's output therefore also carries its
start frame as a picture, with one line above it saying to run the cell to step
through it: ``image/svg+xml`` (sharp; shown by trusted front ends), ``image/png`` (shown
everywhere, untrusted notebooks included) and the hint as ``text/plain``. The pictures
need Graphviz's ``dot`` where the notebook is executed.
"""

import base64
import html
import io
import re

from ..render import svg as rsvg
from .frames import inline_svg

HINT = "Run this cell to step through the diagram (this picture is its first step)."
FORMATS = ("image/svg+xml", "image/png", "text/plain")
HINT_PT = 13                     # the hint's font size (points) and line height
_LINE = HINT_PT + 11
_PT_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([0-9.]+)pt" height="([0-9.]+)pt"')


def hinted_svg(svg, hint=HINT, prefix="st-"):
    """A graphviz SVG with ``hint`` written on one line above it."""
    m = _PT_SIZE.search(svg or "")
    if not m:
        return svg
    w, h = float(m.group(1)), float(m.group(2))
    width = max(w, len(hint) * HINT_PT * 0.52 + 8)
    inner = inline_svg(svg, prefix)
    inner = _PT_SIZE.sub(lambda _m: f'<svg x="0" y="{_LINE}" width="{w:g}" height="{h:g}"',
                         inner, count=1)
    return ('<svg xmlns="http://www.w3.org/2000/svg" '
            'xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{width:g}pt" height="{h + _LINE:g}pt" '
            f'viewBox="0 0 {width:g} {h + _LINE:g}">'
            f'<rect width="100%" height="100%" fill="white"/>'
            f'<text x="4" y="{HINT_PT + 3}" font-family="Helvetica,Arial,sans-serif" '
            f'font-size="{HINT_PT}" fill="#1565c0">{html.escape(hint)}</text>'
            + inner + "</svg>")


def hinted_png(png, hint=HINT, scale=1.0):
    """PNG bytes with ``hint`` written on a white strip above the picture (needs Pillow;
    without it the picture is returned unchanged)."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:              # pragma: no cover - the notebooks extra has Pillow
        return png
    pic = Image.open(io.BytesIO(png)).convert("RGB")
    size = round(HINT_PT * 4 / 3 * scale)
    font = ImageFont.load_default(size=size)
    strip = round(_LINE * 4 / 3 * scale)
    text_w = ImageDraw.Draw(pic).textlength(hint, font=font)
    out = Image.new("RGB", (max(pic.width, int(text_w) + 12), pic.height + strip), "white")
    out.paste(pic, (0, strip))
    ImageDraw.Draw(out).text((5, (strip - size) // 2), hint, fill=(21, 101, 192), font=font)
    buf = io.BytesIO()
    out.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def static_bundle(frames, index, text, formats=None, hint=HINT):
    """The mimebundle of frame ``index`` of ``frames`` as a picture with the hint.

    ``formats``: which of ``FORMATS`` to include (default: all). ``text`` is the
    player's one-line text form; the hint goes before it."""
    formats = FORMATS if formats is None else tuple(formats)
    bundle = {}
    if "text/plain" in formats:
        bundle["text/plain"] = f"{hint}\n{text}"
    if not rsvg.have_dot():
        return bundle
    try:
        dot = frames.static_dot(index)
        if "image/svg+xml" in formats:
            svg = frames.static_svg(index)
            if svg:
                bundle["image/svg+xml"] = hinted_svg(svg, hint)
        if "image/png" in formats:
            png = hinted_png(rsvg.dot_to_png(dot), hint)
            bundle["image/png"] = base64.b64encode(png).decode("ascii")
    except rsvg.DotMissing:
        pass
    return bundle
