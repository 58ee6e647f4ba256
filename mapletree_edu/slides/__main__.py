# SPDX-License-Identifier: GPL-2.0-or-later
"""``python -m mapletree_edu.slides NOTEBOOK``: serve a lesson as slides (Voila, reveal.js).

Opens the browser at the first slide; *Right* / *Space* go forward, *Esc* shows the
overview, *Ctrl+C* in the terminal stops the server. ``--page`` serves the lesson as one
page instead (Voila without the code, nothing loaded from outside the server).
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from . import DEFAULT_PORT, PAGE_TEMPLATE, TEMPLATE, command, environment


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m mapletree_edu.slides",
                                 description="Present a lesson as slides with live players.")
    ap.add_argument("notebook", type=Path)
    ap.add_argument("--port", type=int, default=DEFAULT_PORT)
    ap.add_argument("--no-browser", action="store_true", help="do not open a browser")
    ap.add_argument("--page", action="store_true",
                    help="one page instead of slides (the players in their usual size)")
    args = ap.parse_args(argv)
    if not args.notebook.is_file():
        ap.error(f"no such notebook: {args.notebook}")
    voila = shutil.which("voila") or str(Path(sys.executable).with_name("voila"))
    if not Path(voila).exists():
        ap.error("voila is not installed: pip install -e '.[notebooks]'")
    cmd = command(args.notebook, port=args.port, open_browser=not args.no_browser,
                  voila=voila, template=PAGE_TEMPLATE if args.page else TEMPLATE)
    try:
        return subprocess.call(cmd, env=environment(presenter=not args.page))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
