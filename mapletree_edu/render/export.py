# SPDX-License-Identifier: GPL-2.0-or-later
"""Exporting steps and traces: SVG files, an animated GIF, a PNG strip for slides.

Frames are rasterized by ``dot -Tpng`` from the DOT text (no SVG rasterizer needed) and
put together with Pillow. File names are deterministic:
``<prefix>-<frame:03d>-<kernel function>.svg``.

Only trees whose entries are integers (or NULL) are exported: an exported picture is a
teaching artefact that must be reproducible from an op script, and op scripts store
integers only.
"""

import io
from pathlib import Path

from ..errors import ExportError
from ..trace.step import Step
from .dot import step_to_dot, trace_dots, tree_to_dot
from .svg import dot_to_png, dot_to_svg
from .views import as_view, non_integer_entries

DEFAULT_DPI = 96
DEFAULT_FRAME_MS = 900


def _steps(obj):
    """A list of Steps from a Step, a list of Steps or a Recorder."""
    if isinstance(obj, Step):
        return [obj]
    steps = getattr(obj, "steps", obj)
    try:
        steps = list(steps)
    except TypeError:
        raise ExportError(f"expected a Step, a list of Steps or a Recorder, not "
                          f"{type(obj).__name__}") from None
    if not steps:
        raise ExportError("there are no steps to export")
    for s in steps:
        if not isinstance(s, Step):
            raise ExportError(f"expected Steps, found a {type(s).__name__}")
    return steps


def check_exportable(views):
    """Refuse trees with entries that are not integers (or NULL)."""
    for view in views:
        if view is None:
            continue
        bad = non_integer_entries(view)
        if bad:
            where, label = bad[0]
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            raise ExportError(f"cannot export: {where} holds {label}, which is not an integer"
                              f"{more}; only trees with integer entries (or NULL) can be "
                              "exported, as op scripts can only store integers")


def frame_dots(obj, only=None, **opts):
    """(DOT texts, frame names) of every frame of a Step, a list of Steps, a Recorder, or
    one frame of a tree (MapleTree, core tree, TreeView or dump record); ``only``: keep
    frame ``only`` (an index, negative from the end) of a trace, drawn as in the whole
    trace (ghosts of freed nodes, dup visit numbers). Checks the entries first."""
    if isinstance(obj, Step) or isinstance(getattr(obj, "steps", None), list) \
            or isinstance(obj, (list, tuple)):
        steps = _steps(obj)
        check_exportable(s.view for s in steps)
        if len(steps) == 1:
            dots = [step_to_dot(steps[0], headline=True, **opts)]
        else:
            dots = trace_dots(steps, **opts)
        names = [_frame_name(i, s.fn) for i, s in enumerate(steps)]
        if only is not None:
            try:
                dots, names = [dots[only]], [names[only]]
            except IndexError:
                raise ExportError(f"step {only}: there are {len(steps)} steps "
                                  f"(0..{len(steps) - 1})") from None
        return dots, names
    view = as_view(obj)
    check_exportable([view])
    return [tree_to_dot(view, **opts)], [_frame_name(0, "tree")]


def _frame_name(i, fn):
    return f"{i:03d}-{fn}"


def export_svg(obj, out, *, prefix="step", **opts):
    """Write SVG files: ``out`` is a file path when there is one frame and it ends in
    .svg, else a directory that gets ``<prefix>-<NNN>-<fn>.svg`` per frame. Returns the
    paths written."""
    return _write_text(obj, out, prefix, ".svg", dot_to_svg, opts)


def export_dot(obj, out, *, prefix="step", **opts):
    """Like :func:`export_svg`, writing the DOT text."""
    return _write_text(obj, out, prefix, ".dot", lambda d: d, opts)


def _write_text(obj, out, prefix, ext, convert, opts):
    dots, names = frame_dots(obj, **opts)
    out = Path(out)
    if len(dots) == 1 and out.suffix == ext:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(convert(dots[0]), encoding="utf-8")
        return [out]
    if out.suffix == ext:
        raise ExportError(f"{len(dots)} frames cannot go into one {ext} file; give a "
                          f"directory (or choose one step)")
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for dot, name in zip(dots, names, strict=True):
        p = out / f"{prefix}-{name}{ext}"
        p.write_text(convert(dot), encoding="utf-8")
        paths.append(p)
    return paths


def _images(dots, dpi):
    from PIL import Image
    out = []
    for d in dots:
        im = Image.open(io.BytesIO(dot_to_png(d, dpi=dpi)))
        im.load()
        out.append(im.convert("RGB"))
    return out


def _pad(im, w, h):
    from PIL import Image
    if im.size == (w, h):
        return im
    canvas = Image.new("RGB", (w, h), "white")
    canvas.paste(im, (0, 0))
    return canvas


def export_gif(obj, out, *, frame_ms=DEFAULT_FRAME_MS, dpi=DEFAULT_DPI, loop=0, **opts):
    """An animated GIF with one frame per step (all frames padded to the largest)."""
    dots, _names = frame_dots(obj, **opts)
    images = _images(dots, dpi)
    w = max(im.width for im in images)
    h = max(im.height for im in images)
    frames = [_pad(im, w, h).quantize(colors=255, dither=0) for im in images]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:],
                   duration=frame_ms, loop=loop, optimize=False, disposal=1)
    return out


def _font(size):
    from PIL import ImageFont
    for name in ("DejaVuSans.ttf", "LiberationSans-Regular.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def export_png_strip(obj, out, *, vertical=False, captions=True, gap=16, dpi=DEFAULT_DPI,
                     **opts):
    """One PNG with every frame side by side (``vertical``: one under the other), each
    with a caption "N. kernel function" above it, for slides."""
    from PIL import Image, ImageDraw
    dots, names = frame_dots(obj, **opts)
    images = _images(dots, dpi)
    font = _font(max(12, dpi // 6))
    cap_h = (font.size + 10) if captions else 0
    if vertical:
        w = max(im.width for im in images)
        h = sum(im.height + cap_h for im in images) + gap * (len(images) - 1)
    else:
        w = sum(im.width for im in images) + gap * (len(images) - 1)
        h = max(im.height for im in images) + cap_h
    strip = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(strip)
    x = y = 0
    for i, (im, name) in enumerate(zip(images, names, strict=True)):
        if captions:
            fn = name.split("-", 1)[1]
            draw.text((x + 4, y + 4), f"{i + 1}. {fn}", fill="black", font=font)
        strip.paste(im, (x, y + cap_h))
        if vertical:
            y += im.height + cap_h + gap
            if i + 1 < len(images):
                draw.line([(0, y - gap // 2), (w, y - gap // 2)], fill="#bbbbbb")
        else:
            x += im.width + gap
            if i + 1 < len(images):
                draw.line([(x - gap // 2, 0), (x - gap // 2, h)], fill="#bbbbbb")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    strip.save(out, format="PNG")
    return out
