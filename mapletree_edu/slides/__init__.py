# SPDX-License-Identifier: GPL-2.0-or-later
"""Present a lesson as slides whose players step and animate inside the slide.

Voila runs the notebook in a fresh kernel and shows it with its reveal.js template: every
``##`` section is a slide, every ``###`` sub-section and every player (with its "predict,
then step" question) a sub-slide below it, the navigation lines and test cells are left
out, and the code is hidden. The live widgets work in the slides (JupyterLab's RISE
cannot load the widget manager). Every player starts in presenter mode (diagram text of
16 px or more). Presenting saves nothing: Voila never writes the notebook.

The templates ship in this package (``voila/templates``): ``mapletree-slides`` (the deck:
Voila's reveal template with reveal.js's style sheets served from the template's
``static/`` folder under the server's base URL, so it also works behind Binder's
``/user/NAME/`` prefix) and ``mapletree`` (a lesson as one page). Neither loads anything
from outside the server (the parents' Font Awesome links to a CDN are left out)::

    python -m mapletree_edu.slides notebooks/05-node-splits.ipynb
    python -m mapletree_edu.slides --page notebooks/05-node-splits.ipynb
"""

import os
from pathlib import Path

TEMPLATE = "mapletree-slides"
PAGE_TEMPLATE = "mapletree"
SHARE = Path(__file__).resolve().parent         # holds voila/templates/<the templates>
TEMPLATES = SHARE / "voila" / "templates"
DEFAULT_PORT = 8866
# The slide's size in CSS pixels (set in the template). reveal.js keeps a 4 % margin, so
# this size is drawn 1:1 in a 1400x900 window (1400 * 0.96 = 1344, 900 * 0.96 = 864).
WIDTH, HEIGHT = 1344, 864
# Set for the lesson's kernel: its players start in presenter mode.
PRESENTER_ENV = "MAPLETREE_EDU_PRESENTER"


def environment(env=None, presenter=True):
    """``env`` (default: this process's) with this package's templates on JUPYTER_PATH
    and, for slides (``presenter``), the variable that starts the players in presenter
    mode."""
    env = dict(os.environ if env is None else env)
    rest = [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_PATH"] = os.pathsep.join([str(SHARE)] + rest)
    if presenter:
        env[PRESENTER_ENV] = "1"
    return env


def command(notebook, port=DEFAULT_PORT, ip="127.0.0.1", open_browser=True, voila="voila",
            template=TEMPLATE):
    """The ``voila`` command line that serves ``notebook`` with ``template`` (the slides
    by default; PAGE_TEMPLATE for one page)."""
    cmd = [voila, str(notebook), f"--template={template}", f"--port={port}",
           f"--Voila.ip={ip}"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd
