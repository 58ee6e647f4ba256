# SPDX-License-Identifier: GPL-2.0-or-later
"""A student's machine: Python and pip only, no Graphviz ``dot`` and no Chromium.

A lesson is executed with nbclient by a kernel whose PATH lacks ``dot`` and
``chromium``. Every cell must run without an error or a traceback; the players and the
``show()`` diagrams must still come out as widgets (drawn in the page by the in-browser
Graphviz), and nothing may have been drawn by ``dot`` (no ``image/svg+xml`` output).
tests/browser/test_no_dot_notebook7.py drives the same situation in a browser.
"""

import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from browser.apps import path_without  # tests/ is on sys.path (pytest's rootdir-less import)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LESSONS = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
HIDDEN = ("dot", "chromium")
# a cell that makes a player, a side-by-side view or a show() diagram (not plt.show())
DIAGRAM_CALL = re.compile(r"(Player|SideBySide)\(|(?<![.\w])show\(")

def test_path_without_hides_the_programs(tmp_path):
    path = path_without(tmp_path / "bin", HIDDEN)
    assert shutil.which("python3", path=path) or shutil.which("python", path=path)
    for name in HIDDEN:
        assert shutil.which(name, path=path) is None


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_without_dot_or_chromium(tmp_path, monkeypatch, lesson):
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / lesson, as_version=4)
    probe = nbformat.v4.new_code_cell(
        "import shutil\nprint('tools:', shutil.which('dot'), shutil.which('chromium'))")
    nb.cells.append(probe)
    monkeypatch.setenv("PATH", path_without(tmp_path / "bin", HIDDEN))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()                    # raises CellExecutionError on any error

    assert "tools: None None" in "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    problems, widgets, svgs = [], 0, 0
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append((i, out.ename))
            if out.output_type == "stream" and out.name == "stderr":
                problems.append((i, out.text[:120]))
            text = "".join(out.get("text", "")) + str(out.get("data", {}).get("text/plain", ""))
            if "Traceback" in text:
                problems.append((i, text[:120]))
            data = out.get("data", {})
            widgets += WIDGET_VIEW in data
            svgs += "image/svg+xml" in data
    assert problems == [], problems
    assert svgs == 0, "something was drawn by dot although it is not on PATH"
    players = sum(1 for c in nb.cells if c.cell_type == "code"
                  and DIAGRAM_CALL.search(c.source))
    assert widgets >= players, f"{widgets} widget outputs for {players} diagram cells"
