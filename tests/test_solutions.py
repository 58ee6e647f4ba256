# SPDX-License-Identifier: GPL-2.0-or-later
"""Every exercise solution runs when pasted into its notebook as shipped.

For every lesson notebook (found by glob), one kernel runs the notebook's code cells in
order, as shipped. Just before the starter cell of each exercise (the cell a student
pastes the solution into), the solution text from ``lNN.solution(name)`` runs in a copy
of the kernel's namespace at that point: it sees exactly the names the cells above it
defined, nothing more, and it does not change what the following cells see. It must
not raise, and its own check must print "Correct:" and no "Not yet".

This is what catches a solution that uses a name the notebook never imported. Running
the solutions with a hand-made namespace (say, all of ``common.__all__``) would not.
"""

import importlib
import re
from pathlib import Path

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LESSONS = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb") if p.name != "00-index.ipynb")
SOLUTION_CELL = re.compile(r"""print\((l\d\d)\.solution\(["'](\w+)["']\)\)""")
STARTER = re.compile(r"^\s*answer\s*=", re.M)
TIMEOUT = 600
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def exercises(nb):
    """[(starter cell index, module name, solution name)] in notebook order: each
    solution cell and the nearest code cell above it that sets ``answer``."""
    out = []
    for i, c in enumerate(nb.cells):
        m = SOLUTION_CELL.search(c.source) if c.cell_type == "code" else None
        if not m:
            continue
        starter = next((j for j in range(i - 1, -1, -1) if nb.cells[j].cell_type == "code"
                        and STARTER.search(nb.cells[j].source)
                        and "solution(" not in nb.cells[j].source), None)
        assert starter is not None, f"cell {i}: a solution with no starter cell above it"
        out.append((starter, m.group(1), m.group(2)))
    return out


def probe_source(text):
    """Run ``text`` in a copy of the kernel's globals (the names the cells above made)."""
    return f"exec(compile({text!r}, '<solution>', 'exec'), dict(globals()))"


def output_text(cell):
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            parts.append(o.get("text", ""))
        elif o.get("output_type") == "error":
            parts.append(f"{o.get('ename')}: {o.get('evalue')}")
        else:
            parts.append(o.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def test_exercise_cells_are_found():
    """The pattern above finds the solution cells build.exercise() writes."""
    assert LESSONS, "no lesson notebooks"
    counts = {p.name: len(exercises(nbformat.read(p, as_version=4))) for p in LESSONS}
    assert all(n >= 1 for n in counts.values()), counts


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_each_solution_runs_in_the_notebook_as_shipped(path):
    nb = nbformat.read(path, as_version=4)
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
    todo = exercises(nb)
    if not todo:
        pytest.skip(f"{path.name} has no exercises")
    by_starter = {}
    for starter, module, name in todo:
        mod = importlib.import_module(f"mapletree_edu.lessons.{module}")
        by_starter.setdefault(starter, []).append((module, name, mod.solution(name)))
    client = nbclient.NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    failures = []
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            for module, name, text in by_starter.get(i, ()):
                probe = nbformat.v4.new_code_cell(probe_source(text))
                try:
                    client.execute_cell(probe, i)
                except nbclient.exceptions.CellExecutionError as exc:
                    last = ANSI.sub("", str(exc)).strip().splitlines()[-1]
                    failures.append(f"{module}.solution({name!r}) raised: {last}")
                    continue
                out = output_text(probe)
                if "Correct:" not in out or "Not yet" in out:
                    failures.append(f"{module}.solution({name!r}) printed: {out[-300:]!r}")
            client.execute_cell(cell, i)
    assert not failures, f"{path.name}:\n" + "\n".join(failures)
