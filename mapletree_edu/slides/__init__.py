# SPDX-License-Identifier: GPL-2.0-or-later
"""Present a lesson as slides whose players step and animate inside the slide.

Voila runs the notebook in a fresh kernel and shows it with its reveal.js template: every
``##`` section is a slide, every ``###`` sub-section and every player (with its "predict,
then step" question) a sub-slide below it, the navigation lines and test cells are left
out, and the code is hidden. The live widgets work in the slides (JupyterLab's RISE
cannot load the widget manager). Presenting saves nothing: Voila never writes the
notebook.

reveal.js's style sheets ship in this package (``voila/templates/mapletree-slides``), so
the slides need no network::

    python -m mapletree_edu.slides notebooks/05-node-splits.ipynb
"""

import os
from pathlib import Path

TEMPLATE = "mapletree-slides"
SHARE = Path(__file__).resolve().parent         # holds voila/templates/mapletree-slides
CONFIG = SHARE / "config"                       # voila.json: the reveal settings below
DEFAULT_PORT = 8866
# the slide's size in CSS pixels; reveal.js scales it to the window (1:1 at 1400x900)
WIDTH, HEIGHT = 1400, 900


def resources(width=WIDTH, height=HEIGHT, base_url="/"):
    """Voila's ``resources`` for the reveal template: local style sheets, no transition
    (the players animate instead), slides that scroll when they are taller than the
    screen."""
    return {"reveal": {"url_prefix": f"{base_url}voila/templates/{TEMPLATE}/static",
                       "theme": "white", "transition": "none", "scroll": True,
                       "width": width, "height": height}}


def voila_config():
    """The content of ``config/voila.json`` (Voila reads a dict setting such as
    ``resources`` from a config file, not from its command line)."""
    return {"VoilaConfiguration": {"resources": resources()}}


def environment(env=None):
    """``env`` (default: this process's) with this package's template on JUPYTER_PATH
    and its ``voila.json`` on JUPYTER_CONFIG_PATH."""
    env = dict(os.environ if env is None else env)
    for var, first in (("JUPYTER_PATH", SHARE), ("JUPYTER_CONFIG_PATH", CONFIG)):
        rest = [p for p in env.get(var, "").split(os.pathsep) if p]
        env[var] = os.pathsep.join([str(first)] + rest)
    return env


def command(notebook, port=DEFAULT_PORT, ip="127.0.0.1", open_browser=True, voila="voila"):
    """The ``voila`` command line that serves ``notebook`` as slides."""
    cmd = [voila, str(notebook), f"--template={TEMPLATE}", f"--port={port}",
           f"--Voila.ip={ip}"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd
