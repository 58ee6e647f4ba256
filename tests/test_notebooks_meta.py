# SPDX-License-Identifier: GPL-2.0-or-later
"""The structure every lesson notebook must have (found by glob, never listed by hand).

For each notebooks/[0-9][0-9]-*.ipynb other than the index: navigation first and last,
a title, an overview, prerequisites, at least three exercises each with a self-check and
a solution, a "predict, then step" prompt before each player, a summary, what's next,
the kernel functions it explained; no algorithm code defined in its cells; committed with
outputs and without saved widget state. The index links every lesson in order.
"""

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
INDEX = NOTEBOOKS / "00-index.ipynb"
LESSONS = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb") if p != INDEX)
ALL = ([INDEX] if INDEX.exists() else []) + LESSONS

KERNEL_NAME = re.compile(r"`(__mt|mas|mab|mte|mt|mtree|ma|mast|mab)_\w+(\(\))?`")
PLAYER_CALL = re.compile(r"\b(Player|PredictPlayer|SideBySide|Explorer)\(")
MARKER = "# NBVAL_IGNORE_OUTPUT"
TREE_FN_PREFIXES = ("mas_", "mab_", "mte_", "mt_", "mtree_", "ma_", "mast_", "__mt")
MAX_HELPER_STATEMENTS = 3

if not LESSONS:
    pytest.skip("no lesson notebooks yet", allow_module_level=True)


def read(path):
    return nbformat.read(path, as_version=4)


def ids(paths):
    return [p.name for p in paths]


def markdown(nb):
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def headings(nb):
    out = []
    for src in markdown(nb):
        out += [line.strip() for line in src.splitlines() if line.startswith("#")]
    return out


def has_heading(nb, pattern):
    return any(re.match(pattern, h, re.IGNORECASE) for h in headings(nb))


def title_of(nb):
    for h in headings(nb):
        if h.startswith("# "):
            return h[2:].strip()
    return ""


def code_source(cell):
    """A code cell's source as Python (IPython magics and shell lines blanked)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in cell.source.splitlines())


# --- navigation ------------------------------------------------------------------------------

def nav_links(line):
    return re.findall(r"\]\(([^)]+\.ipynb)\)", line)


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_navigation_first_and_last(path):
    nb = read(path)
    first, last = nb.cells[0], nb.cells[-1]
    assert first.cell_type == "markdown" and last.cell_type == "markdown"
    assert first.source.startswith("[Index](00-index.ipynb)"), first.source
    assert last.source == first.source, "the navigation at the end must match the top"
    order = [p.name for p in ALL]
    i = order.index(path.name)
    want = ["00-index.ipynb"]
    if i > 0:
        want.append(order[i - 1])
    if i + 1 < len(order):
        want.append(order[i + 1])
    assert nav_links(first.source) == want, f"{path.name}: links {nav_links(first.source)}"
    if i > 0:
        assert "←" in first.source
    if i + 1 < len(order):
        assert first.source.rstrip().endswith("→")


# --- the lesson skeleton -------------------------------------------------------------------

@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_skeleton(path):
    nb = read(path)
    assert nb.cells[1].cell_type == "markdown" and nb.cells[1].source.startswith("# "), \
        "the title comes right after the navigation"
    assert title_of(nb)
    for what, pattern in (("overview", r"#+ overview"), ("prerequisites", r"#+ prerequisites"),
                          ("summary", r"#+ summary"),
                          ("what's next", r"#+ what(’|')s next"),
                          ("kernel functions", r"#+ .*kernel functions")):
        assert has_heading(nb, pattern), f"{path.name}: no {what} heading"
    desc = nb.metadata.get("mapletree_edu", {}).get("description", "")
    assert len(desc) > 20, f"{path.name}: no index description in metadata.mapletree_edu"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_kernel_functions_listed(path):
    nb = read(path)
    cells = nb.cells
    at = next(i for i, c in enumerate(cells) if c.cell_type == "markdown"
              and re.search(r"^#+ .*kernel functions", c.source, re.I | re.M))
    src = cells[at].source
    text = src[re.search(r"^#+ .*kernel functions", src, re.I | re.M).end():]
    if not KERNEL_NAME.search(text) and at + 1 < len(cells):
        text += cells[at + 1].source
    names = {m.group(0).strip("`").rstrip("()") for m in KERNEL_NAME.finditer(text)}
    assert len(names) >= 3, f"{path.name}: kernel functions {sorted(names)}"


def exercise_blocks(nb):
    """[(heading, [cells up to the next heading of the same or a higher level])]."""
    blocks = []
    current = None
    for c in nb.cells:
        if c.cell_type == "markdown":
            m = re.match(r"^(#+)\s+exercise\s*\d+", c.source.strip(), re.I)
            if m:
                current = (len(m.group(1)), c.source.splitlines()[0], [])
                blocks.append(current)
                continue
            h = re.match(r"^(#+)\s", c.source.strip())
            if current and h and len(h.group(1)) <= current[0]:
                current = None
        if current:
            current[2].append(c)
    return [(title, cells) for _level, title, cells in blocks]


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_exercises_with_checks_and_solutions(path):
    blocks = exercise_blocks(read(path))
    assert len(blocks) >= 3, f"{path.name}: {len(blocks)} exercises"
    for title, cells in blocks:
        code = [c.source for c in cells if c.cell_type == "code"]
        assert any(re.search(r"\bcheck_\w+\(", s) for s in code), f"{title}: no self-check"
        assert any(".solution(" in s for s in code), f"{title}: no loadable solution"
        assert any(re.search(r"^\s*answer\s*=", s, re.M) for s in code), \
            f"{title}: no starter cell setting answer"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_predict_before_every_player(path):
    nb = read(path)
    cells = nb.cells
    players = [i for i, c in enumerate(cells) if c.cell_type == "code"
               and PLAYER_CALL.search(code_source(c))]
    for i in players:
        before = [c.source for c in cells[max(0, i - 3):i] if c.cell_type == "markdown"]
        assert any(re.search(r"predict", s, re.I) for s in before), \
            f"{path.name}: cell {i} shows a player without a 'predict, then step' question"


# --- what code cells may contain --------------------------------------------------------

def defined_functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_no_algorithm_code_in_cells(path):
    nb = read(path)
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code":
            continue
        try:
            tree = ast.parse(code_source(c))
        except SyntaxError as exc:
            pytest.fail(f"{path.name} cell {i}: not valid Python: {exc}")
        classes = [n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
        assert not classes, f"{path.name} cell {i} defines classes {classes}"
        for fn in defined_functions(tree):
            assert not fn.name.startswith(TREE_FN_PREFIXES), \
                f"{path.name} cell {i} defines kernel-named {fn.name}(): belongs in the package"
            assert len(fn.body) <= MAX_HELPER_STATEMENTS, \
                f"{path.name} cell {i}: {fn.name}() is not a tiny helper: move it to the package"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_ignore_marker_alone_on_the_first_line(path):
    for i, c in enumerate(read(path).cells):
        if c.cell_type == "code" and "NBVAL_IGNORE_OUTPUT" in c.source:
            assert c.source.splitlines()[0] == MARKER, \
                f"{path.name} cell {i}: the marker must be alone on the first line"


# --- committed with outputs, without widget state -------------------------------------------

@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_outputs_present_and_clean(path):
    nb = read(path)
    assert "widgets" not in nb.metadata, f"{path.name}: saved widget state (metadata.widgets)"
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert all(isinstance(n, int) for n in counts), \
        f"{path.name}: unexecuted code cells; run make refresh-notebooks"
    assert counts == list(range(1, len(code) + 1)), \
        f"{path.name}: not run top to bottom in one kernel: {counts}"
    assert sum(len(c.outputs) for c in code) >= len(code) // 2, f"{path.name}: few outputs"
    for i, c in enumerate(code):
        for o in c.outputs:
            assert o.output_type != "error", f"{path.name} code cell {i}: {o.get('ename')}"
            if o.output_type == "stream":
                assert o.name != "stderr", f"{path.name} code cell {i} wrote to stderr"
            state = o.get("data", {}).get("application/vnd.jupyter.widget-state+json")
            assert state is None, f"{path.name} code cell {i}: saved widget state"


# --- the index ----------------------------------------------------------------------------------

def test_index_lists_every_lesson_in_order():
    assert INDEX.exists()
    nb = read(INDEX)
    text = "\n".join(markdown(nb))
    links = [m for m in re.findall(r"\]\(([0-9][0-9]-[^)]+\.ipynb)\)", text)
             if m != "00-index.ipynb"]
    lesson_links = [x for x in dict.fromkeys(links)]
    assert lesson_links == [p.name for p in LESSONS]
    for p in LESSONS:
        title = title_of(read(p))
        assert f"[{title}]({p.name})" in text, f"index: no link titled {title!r}"
    assert "make lab" in text and "mybinder.org" in text


def test_index_title_and_setup_check():
    nb = read(INDEX)
    assert nb.cells[1].source.startswith("# ")
    assert any(c.cell_type == "code" and "import" in c.source for c in nb.cells)
