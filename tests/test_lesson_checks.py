# SPDX-License-Identifier: GPL-2.0-or-later
"""The lessons' ``build.check(...)`` assertions run, each right after the cell it follows.

The checks are not in the notebooks: students never see test code. ``build.built(src)``
gives a lesson's notebook as its source builds it and its checks, each with the index of
the cell it follows. The shipped notebook must be that notebook (the same cells, with the
navigation line first and last), or the places would be wrong.

For every lesson notebook, one kernel started in notebooks/ runs the shipped notebook's
code cells in order (the machinery of tests/test_solutions.py), and after cell ``i`` every
check that follows it, in a copy of the kernel's namespace (``probe_source``): a check
sees the names the cells above made, and a name it binds does not reach the next cells. A
failing check fails the test with the notebook, the check and the cell it follows. The
number of checks run is compared with the ``check(`` calls written in the sources.
"""

import ast
import re
import sys
from pathlib import Path

import nbformat
import pytest
from test_solutions import ANSI, NOTEBOOKS, TIMEOUT, nbclient, output_text, probe_source

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "notebooks" / "src"
sys.path.insert(0, str(SRC))
import build  # noqa: E402

SOURCES = [s for s in build.sources() if (NOTEBOOKS / build.target_name(s)).exists()]
LESSONS = [s for s in SOURCES if not s.name.startswith("00_")]
CHECK_LINE = re.compile(r'<solution>"?(?:, line |:)(\d+)')


def written_checks(src):
    """The number of ``check(...)`` / ``build.check(...)`` calls in a source file."""
    tree = ast.parse(Path(src).read_text(encoding="utf-8"))
    return sum(isinstance(n, ast.Call) and (
        (isinstance(n.func, ast.Name) and n.func.id == "check")
        or (isinstance(n.func, ast.Attribute) and n.func.attr == "check"
            and isinstance(n.func.value, ast.Name) and n.func.value.id == "build"))
        for n in ast.walk(tree))


def placed(shipped, nb, checks, name):
    """The checks with ``at``, the index in ``shipped`` of the cell each follows (-1:
    before the first code cell), after making sure that ``shipped`` is ``nb`` with its
    navigation cells."""
    index = [i for i, c in enumerate(shipped.cells) if not build.is_nav(c)]
    got = [(shipped.cells[i].cell_type, shipped.cells[i].source) for i in index]
    want = [(c.cell_type, c.source) for c in nb.cells if not build.is_nav(c)]
    if got != want:
        j = next((k for k, (a, b) in enumerate(zip(got, want, strict=False)) if a != b),
                 min(len(got), len(want)))
        pytest.fail(f"{name} is not what its source builds (first difference at its "
                    f"non-navigation cell {j}): rebuild it with notebooks/src/build.py")
    return [dict(c, number=k + 1, at=index[c["after"]] if c["after"] >= 0 else -1)
            for k, c in enumerate(checks)]


def describe(nb, i):
    """The cell a check follows, as a failure message names it."""
    if i < 0:
        return "before the first cell"
    cell = nb.cells[i]
    first = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"after cell {i} ({cell.cell_type}: {first[:70]!r})"


def run_with_checks(nb, checks, name, path=NOTEBOOKS):
    """Run ``nb``'s code cells in order in one kernel started in ``path``, and each check
    (from ``placed``) right after the cell it follows. Returns (number of checks run,
    failure messages)."""
    nb = nbformat.from_dict(nb)
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
    by_cell = {}
    for chk in checks:
        by_cell.setdefault(chk["at"], []).append(chk)
    cells = list(nb.cells)
    # nbclient stores an executed cell at its index: checks run in a slot of their own
    scratch = len(cells)
    nb.cells.append(nbformat.v4.new_code_cell(""))
    client = nbclient.NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(path)}})
    ran, failures = 0, []

    def run_checks(i):
        nonlocal ran
        for chk in by_cell.get(i, ()):
            probe = nbformat.v4.new_code_cell(probe_source(chk["source"]))
            ran += 1
            try:
                client.execute_cell(probe, scratch)
            except nbclient.exceptions.CellExecutionError as exc:
                text = ANSI.sub("", str(exc)).strip()
                lines = chk["source"].splitlines()
                m = CHECK_LINE.findall(text)
                line = int(m[-1]) if m else 1
                failing = lines[line - 1].strip() if 0 < line <= len(lines) else ""
                failures.append(f"{name}: check {chk['number']} {describe(nb, i)} failed: "
                                f"{text.splitlines()[-1]}\n    line {line}: {failing}")

    with client.setup_kernel():
        run_checks(-1)
        for i, cell in enumerate(cells):
            if cell.cell_type == "code":
                try:
                    client.execute_cell(cell, i)
                except nbclient.exceptions.CellExecutionError as exc:
                    last = ANSI.sub("", str(exc)).strip().splitlines()[-1]
                    pytest.fail(f"{name}: cell {i} raised: {last}")
            run_checks(i)
    nb.cells.pop()
    return ran, failures, nb


def test_every_check_in_the_sources_is_recorded():
    """``built()`` returns as many checks as the sources write ``check(`` calls (57 in
    lessons 01-09 when this was written)."""
    assert SOURCES, "no lesson notebooks"
    written = {s.name: written_checks(s) for s in SOURCES}
    recorded = {s.name: len(build.built(s)[1]) for s in SOURCES}
    assert recorded == written
    assert sum(recorded.values()) > 0, recorded


@pytest.mark.parametrize("src", SOURCES, ids=[build.target_name(s) for s in SOURCES])
def test_no_check_is_in_the_notebook(src):
    """The shipped notebook holds none of its checks' code, in a cell or its metadata."""
    path = NOTEBOOKS / build.target_name(src)
    shipped = nbformat.read(path, as_version=4)
    assert "checks" not in shipped.metadata.get("mapletree_edu", {}), path.name
    text = "\n\n".join(c.source for c in shipped.cells)
    for chk in build.built(src)[1]:
        assert chk["source"] not in text, \
            f"{path.name}: the code of a check is in the notebook: {chk['source'][:80]!r}"


@pytest.mark.parametrize("src", LESSONS, ids=[build.target_name(s) for s in LESSONS])
def test_checks_pass_after_the_cells_they_follow(src):
    path = NOTEBOOKS / build.target_name(src)
    nb, checks = build.built(src)
    if not checks:
        pytest.skip(f"{path.name} has no checks")
    shipped = nbformat.read(path, as_version=4)
    todo = placed(shipped, nb, checks, path.name)
    ran, failures, _ = run_with_checks(shipped, todo, path.name)
    assert not failures, "\n".join(failures)
    assert ran == len(checks) == written_checks(src), (ran, len(checks))


def test_a_wrong_check_is_reported(tmp_path):
    """The machinery fails: on a small built notebook, a wrong check is reported with
    its number, its line and the cell it follows; right checks pass; a check changes no
    name the next cells see; checks before the first cell and after a markdown cell run
    where they stand."""
    nb = build.lesson([
        build.check("assert 'x' not in dir()"),
        build.code("x = 1"),
        build.check("assert x == 1\nz = 5"),
        build.md("some text"),
        build.check("assert x == 1\nassert x == 2, 'x is not 2'"),
        build.code("y = x + 1\nprint('z' in dir(), y)"),
        build.check("assert y == 2"),
    ], "a small lesson")
    checks = nb.metadata["mapletree_edu"].pop("checks")
    assert [c["after"] for c in checks] == [-1, 0, 1, 2]
    shipped = build.with_nav(nbformat.from_dict(nb), "[Index](00-index.ipynb)")
    todo = placed(shipped, nb, checks, "small.ipynb")
    assert [c["at"] for c in todo] == [-1, 1, 2, 3]
    ran, failures, done = run_with_checks(shipped, todo, "small.ipynb", tmp_path)
    assert ran == 4
    assert len(failures) == 1, failures
    assert failures[0].startswith("small.ipynb: check 3 after cell 2 (markdown: 'some text') "
                                  "failed: AssertionError: x is not 2"), failures[0]
    assert "line 2: assert x == 2, 'x is not 2'" in failures[0], failures[0]
    assert output_text(done.cells[3]).strip() == "False 2"   # z stayed in the check


def test_a_stale_notebook_is_refused():
    """A shipped notebook whose cells differ from what its source builds is refused:
    the checks' places would be wrong."""
    nb = build.lesson([build.code("x = 1"), build.check("assert x == 1"), build.code("y = 2")],
                      "d")
    checks = nb.metadata["mapletree_edu"].pop("checks")
    shipped = build.with_nav(nbformat.from_dict(nb), "[Index](00-index.ipynb)")
    shipped.cells.insert(2, nbformat.v4.new_code_cell("x = 3"))
    with pytest.raises(pytest.fail.Exception, match="not what its source builds"):
        placed(shipped, nb, checks, "stale.ipynb")


@pytest.mark.parametrize("src", SOURCES, ids=[build.target_name(s) for s in SOURCES])
def test_cell_ids_are_the_sources(src):
    """Cell ids come from the cells' content (or ``with_id()``), so a rebuild of an
    unchanged source gives the shipped ids again, and a link to a pinned id survives."""
    shipped = nbformat.read(NOTEBOOKS / build.target_name(src), as_version=4)
    body = [c.id for c in shipped.cells if not build.is_nav(c)]
    assert body == [c.id for c in build.built(src)[0].cells]
    assert [c.id for c in build.built(src)[0].cells] == body, "two builds, two id sets"
    assert len(set(c.id for c in shipped.cells)) == len(shipped.cells)
