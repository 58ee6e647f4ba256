# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the browser tests of how the lessons open and present: a Jupyter server
that serves JupyterLab, Notebook 7 (``/notebooks/``) and Voila (``/voila/render/``)
at once, with its own empty trust database and, when asked, a PATH without some
programs; Notebook 7 and static-HTML steps.
"""

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from .harness import NEWS_SETTINGS, VENV_BIN, Server

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_ERROR = re.compile(r"Error displaying widget|model not found|Cannot display an untrusted",
                          re.I)


def path_without(directory, names, path=None):
    """A PATH string whose directories hold every program of ``path`` (default: this
    process's PATH) except ``names``: one directory of symbolic links, made in
    ``directory``. The virtualenv's bin comes first."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    dirs = [str(VENV_BIN)] + (path or os.environ.get("PATH", "")).split(os.pathsep)
    for d in dirs:
        try:
            entries = sorted(Path(d).iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.name in names or (directory / entry.name).exists():
                continue
            if entry.is_file() and os.access(entry, os.X_OK):
                (directory / entry.name).symlink_to(entry.resolve())
    return str(directory)


class AppServer(Server):
    """``jupyter lab`` (which also serves Notebook 7 and Voila) on 127.0.0.1.

    Notebooks are untrusted, as in a fresh clone: the trust database is in memory, so no
    signature made elsewhere on this machine counts. ``path``: the PATH of the server
    and of the kernels it starts."""

    def __init__(self, root, path=None, timeout=120, extra_args=()):
        super().__init__("lab", root, timeout=timeout)
        self.path = path
        self.extra_args = list(extra_args)

    def command(self):
        cmd = super().command()
        return cmd + ["--NotebookNotary.db_file=:memory:"] + self.extra_args

    def start(self):
        env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1", PYTHONUNBUFFERED="1",
                   JUPYTER_RUNTIME_DIR=str(self.root.parent / "runtime"))
        if self.path is not None:
            env["PATH"] = self.path
        t0 = time.monotonic()
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.command(), cwd=self.root, env=env,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        end = t0 + self.timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n"
                                   + self.log_tail())
            if self._ready(self.base + "/api/status"):
                self.started_in = time.monotonic() - t0
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"server did not answer within {self.timeout} s:\n"
                           + self.log_tail())


def silence_news(server):
    """The news toast setting of the harness, for servers made here."""
    state = server.root.parent / "lab-state" / "user-settings" / "@jupyterlab"
    (state / "apputils-extension").mkdir(parents=True, exist_ok=True)
    (state / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps(NEWS_SETTINGS))


def stored_pictures(nb):
    """[(cell index, mimetypes)] of the stored outputs that hold a picture."""
    out = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if "image/png" in data or "image/svg+xml" in data:
                out.append((i, sorted(data)))
    return out


def player_outputs(nb):
    """Cell indexes whose stored output is a player's (or another widget's) picture: its
    text/plain names the widget class, as ``<Player: ...>``."""
    found = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            text = o.get("data", {}).get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            if re.search(r"^<[A-Za-z]+(Player|SideBySide|Explorer)\b", text, re.M):
                found.append(i)
    return found


def which(name):
    return shutil.which(name)


# --- Notebook 7 -------------------------------------------------------------------------

def nb7_open(page, server, name, timeout=90_000):
    """Open ``name`` in Notebook 7 and wait until its kernel is idle."""
    page.goto(f"{server.base}/notebooks/{name}", timeout=timeout)
    page.wait_for_selector(".jp-Notebook .jp-Cell", state="attached", timeout=timeout)
    nb7_wait_idle(page, timeout)


def nb7_wait_idle(page, timeout=90_000):
    page.wait_for_function(
        "() => { const e = document.querySelector('.jp-Notebook-ExecutionIndicator');"
        " return e && e.getAttribute('data-status') === 'idle'; }", timeout=timeout)


def nb7_restart_run_all(page, timeout=180_000):
    """Kernel -> Restart Kernel and Run All Cells... through Notebook 7's menu bar;
    waits until every code cell has a prompt number and the kernel is idle."""
    for attempt in range(3):
        page.get_by_role("menuitem", name="Kernel", exact=True).click()
        page.get_by_role("menuitem", name=re.compile("^Restart Kernel and Run All")).click()
        button = page.locator(".jp-Dialog").get_by_role(
            "button", name=re.compile("^(Confirm Kernel Restart|Restart)$"))
        try:
            button.wait_for(state="visible", timeout=15_000)
        except Exception:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            page.wait_for_timeout(2_000)
            continue
        button.click()
        break
    page.wait_for_function(
        "() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];"
        " return p.length > 0 && p.every(x => /\\[\\d+\\]/.test(x.textContent)); }",
        timeout=timeout)
    nb7_wait_idle(page, timeout)


# --- players in the page ---------------------------------------------------------------

FRAME_JS = """(player) => {
  const f = player.querySelector('.mt-frame');
  const svg = player.querySelector('.mt-view svg');
  const nodes = svg ? [...svg.querySelectorAll('g.node')].map(n => n.textContent.trim()) : [];
  return {frame: f ? f.dataset.frame : null, nodes: nodes.join('|'),
          svg: !!svg, status: (player.querySelector('.mt-status-line') || {}).textContent};
}"""


def player_state(player):
    """What a player shows: its frame index, its diagram's node texts, its status."""
    return player.evaluate(FRAME_JS)


def step_forward(page, player, timeout=30_000):
    """Click the player's Forward button and wait until its diagram shows another frame
    (a different frame index and different node texts). Returns (before, after)."""
    before = player_state(player)
    player.scroll_into_view_if_needed()
    player.get_by_role("button", name=re.compile("Forward")).first.click()
    handle = player.element_handle()
    page.wait_for_function(
        "([p, before]) => { const f = p.querySelector('.mt-frame');"
        " const svg = p.querySelector('.mt-view svg');"
        " return f && svg && f.dataset.frame !== before && f.dataset.state === 'rest'; }",
        arg=[handle, before["frame"]], timeout=timeout)
    return before, player_state(player)
