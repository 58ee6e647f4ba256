# SPDX-License-Identifier: GPL-2.0-or-later
"""``python -m mapletree_edu render``: draw an op script's steps or a kernel mt_dump().

    render --script FILE|- [--op-line N | --all] [--step K] --format svg|gif|png-strip|dot
           --out PATH [--hex] [--width PX] [--text-px PX | --presenter]
    render --mt-dump FILE|- --out x.svg

The script is replayed (FORMAT.md's op language) and the steps of one op line (default:
the last op) or of every op are drawn. For svg and dot, ``--out`` ending in .svg/.dot
gets one diagram (the op's last step, or ``--step K``), any other path is a directory
that gets one file per step. ``--width`` is the width the drawing must fit and
``--text-px`` the smallest text (11 px; ``--presenter``: 16 px): parts of the tree away
from the step are collapsed until it fits. Errors go to standard error with exit
status 1.
"""

import argparse
import sys
from pathlib import Path

from ..errors import MapleTreeError
from .export import export_dot, export_gif, export_png_strip, export_svg
from .script import record_script
from .views import record_to_view

FORMATS = ("svg", "gif", "png-strip", "dot")
SUFFIX_FORMAT = {".svg": "svg", ".gif": "gif", ".png": "png-strip", ".dot": "dot"}
CSS_DPI = 96


class CliError(Exception):
    """A usage error reported as a message."""


def _parser():
    p = argparse.ArgumentParser(
        prog="python -m mapletree_edu render",
        description="Draw the steps of an op script, or a kernel mt_dump() text, "
                    "without Jupyter.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--script", metavar="FILE", help="op script to replay ('-': stdin)")
    src.add_argument("--mt-dump", metavar="FILE", dest="mt_dump",
                     help="kernel mt_dump() text to draw ('-': stdin)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--op-line", type=int, metavar="N",
                       help="draw the op on script line N (default: the last op)")
    which.add_argument("--all", action="store_true", help="draw the steps of every op")
    p.add_argument("--step", type=int, metavar="K",
                   help="only step K of the chosen op(s) (0-based; negative counts "
                        "from the end; default for one .svg/.dot file: the last)")
    p.add_argument("--format", choices=FORMATS,
                   help="output format (default: from the --out suffix, else svg)")
    p.add_argument("--out", required=True, metavar="PATH", help="output file or directory")
    p.add_argument("--hex", action="store_true", help="write every index in hex")
    p.add_argument("--width", type=int, metavar="PX",
                   help="largest diagram width in pixels (96 per inch; default 960)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--text-px", type=float, metavar="PX", dest="text_px",
                      help="smallest text size in pixels (default 11)")
    size.add_argument("--presenter", action="store_true",
                      help="text of at least 16 px, for a projector")
    p.add_argument("--no-collapse", action="store_true",
                   help="draw every node, however large the tree")
    return p


def _read(path):
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from None


def _format(opts):
    if opts.format:
        return opts.format
    return SUFFIX_FORMAT.get(Path(opts.out).suffix.lower(), "svg")


def _what_to_draw(opts):
    """Steps (a list) or a TreeView to draw."""
    if opts.mt_dump is not None:
        text = _read(opts.mt_dump)
        try:
            from ..debug.dumpparse import parse_mt_dump
        except ImportError:
            raise CliError("reading mt_dump() text needs mapletree_edu.debug.dumpparse, "
                           "which this installation does not have") from None
        return record_to_view(parse_mt_dump(text))
    text = _read(opts.script)
    ops = record_script(text, op_line=opts.op_line, all_ops=opts.all)
    steps = [s for op in ops for s in op.steps]
    if not steps:
        # an op that records no step (dump, rcu_on, tree...): draw the tree after it
        return ops[-1].view
    return steps


def run(opts):
    fmt = _format(opts)
    obj = _what_to_draw(opts)
    draw = {}
    if opts.hex:
        draw["hex_numbers"] = True
    if opts.width:
        if opts.width < 200:
            raise CliError(f"--width {opts.width}: give the width in pixels (at least 200)")
        draw["max_width_in"] = opts.width / CSS_DPI
        draw["width_px"] = opts.width
    if opts.text_px is not None:
        if opts.text_px < 6:
            raise CliError(f"--text-px {opts.text_px:g}: give the text size in pixels "
                           "(at least 6)")
        draw["text_px"] = opts.text_px
    if opts.presenter:
        draw["presenter"] = True
    if opts.no_collapse:
        draw["collapse"] = False
    if opts.mt_dump is not None:
        draw["title"] = "mt_dump " + ("(stdin)" if opts.mt_dump == "-" else
                                      Path(opts.mt_dump).name)
    if isinstance(obj, list):
        if opts.step is not None:
            draw["only"] = opts.step
        elif fmt in ("svg", "dot") and Path(opts.out).suffix.lower() == "." + fmt:
            draw["only"] = -1         # one file: the op's last step
    if fmt == "svg":
        written = export_svg(obj, opts.out, **draw)
    elif fmt == "dot":
        written = export_dot(obj, opts.out, **draw)
    elif fmt == "gif":
        written = [export_gif(obj, opts.out, **draw)]
    else:
        written = [export_png_strip(obj, opts.out, **draw)]
    return written


def main(argv=None):
    """Entry point; returns the exit status."""
    parser = _parser()
    try:
        opts = parser.parse_args(argv)
    except SystemExit as exc:      # argparse has printed its message
        return int(exc.code or 0) and 2
    try:
        written = run(opts)
    except (MapleTreeError, CliError) as exc:
        sys.stderr.write(f"render: {exc}\n")
        return 1
    except OSError as exc:
        sys.stderr.write(f"render: {exc}\n")
        return 1
    for p in written:
        sys.stdout.write(f"{p}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
