# SPDX-License-Identifier: GPL-2.0-or-later
"""Command line: ``python -m mapletree_edu replay|render ...``."""

import sys

USAGE = """usage: python -m mapletree_edu COMMAND [options]

commands:
  replay [--trace]   replay an op script (FORMAT.md) from standard input; JSON lines out
  render ...         draw a tree, a step or a whole trace to SVG/GIF/PNG (see render --help)
"""


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "replay":
        from .replay import main as replay_main
        return replay_main(rest)
    if cmd == "render":
        from .render.cli import main as render_main
        return render_main(rest)
    sys.stderr.write(f"unknown command {cmd!r}\n{USAGE}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
