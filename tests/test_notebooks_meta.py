# SPDX-License-Identifier: GPL-2.0-or-later
"""Every lesson notebook follows notebooks/src/TEMPLATE.md (found by glob, never listed).

For each notebooks/[0-9][0-9]-*.ipynb other than the index: navigation first and last; the
title; an "At a glance" cell with the time, a prerequisites table and 3 to 6 "you will
learn" bullets; a vocabulary table; numbered sections; exercises, each with a starter, a
self-check and a solution; a summary; a table of the kernel functions explained with
their place in v6.8; resources whose links are all registered in notebooks/src/LINKS.md;
an optional "After v6.8" whose every item names a commit or a source; what's next.
Players start at step 0, follow a "predict, then step" prompt and have titles that do
not name a write path or decision. Nothing for the tests is in students' view: no nbval
comments, no state printouts, no asserts, no hidden or collapsed cell (the lessons'
``build.check`` assertions are not in the notebooks: tests/test_lesson_checks.py runs them).
Committed with outputs and without saved widget state. The index links every lesson in
order, and every section its class path names exists.
"""

import ast
import html
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
INDEX = NOTEBOOKS / "00-index.ipynb"
LESSONS = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb") if p != INDEX)
ALL = ([INDEX] if INDEX.exists() else []) + LESSONS
LINKS_FILE = NOTEBOOKS / "src" / "LINKS.md"

KERNEL_NAME = re.compile(r"`(__mt|mas|mab|mte|mt|mtree|ma|mast|vm|vma|dup|exit|lock)_\w+(\(\))?`")
V68_PLACE = re.compile(r"`?(lib/maple_tree\.c|mm/\w+\.c|kernel/fork\.c|include/linux/\w+\.h)"
                       r"(:\d+)?`?|`:\d+`")
PLAYER_CALL = re.compile(r"\b(Player|PredictPlayer|SideBySide|Explorer)\(")
TREE_FN_PREFIXES = ("mas_", "mab_", "mte_", "mt_", "mtree_", "ma_", "mast_", "__mt")
MAX_HELPER_STATEMENTS = 3
#: words a player's title must not contain: they name what the question asks
ANSWER_WORDS = re.compile(r"\b(mas_\w+|mab_\w+|exact fit|slot store|node store|big node|"
                          r"push (left|right)|rebalance|split)\b", re.I)
URL = re.compile(r"https?://[^\s)>\]]+")
COMMIT = re.compile(r"\b[0-9a-f]{12,40}\b|Message-ID|https?://")

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


def title_of(nb):
    for h in headings(nb):
        if h.startswith("# "):
            return h[2:].strip()
    return ""


def section(nb, name):
    """The markdown text under the level-2 heading ``## name`` (up to the next ``## ``)."""
    text = "\n\n".join(markdown(nb))
    m = re.search(rf"^## {name}\s*$", text, re.M | re.I)
    if not m:
        return None
    rest = text[m.end():]
    nxt = re.search(r"^## ", rest, re.M)
    return rest[:nxt.start()] if nxt else rest


def code_source(cell):
    """A code cell's source as Python (IPython magics and shell lines blanked)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in cell.source.splitlines())


def registered_links():
    text = LINKS_FILE.read_text(encoding="utf-8")
    return {m.group(0).rstrip("|").strip() for m in URL.finditer(text)}


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


# --- the template ----------------------------------------------------------------------------

ORDER = ["At a glance", "Exercises", "Summary", "Kernel functions explained", "Resources",
         "What's next"]


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_template_sections_in_order(path):
    nb = read(path)
    assert nb.cells[1].cell_type == "markdown" and nb.cells[1].source.startswith("# "), \
        "the title comes right after the navigation"
    h2 = [h[3:].strip() for h in headings(nb) if h.startswith("## ")]
    at = []
    for name in ORDER:
        hits = [i for i, h in enumerate(h2) if h.lower() == name.lower()]
        assert hits, f"{path.name}: no '## {name}' heading (TEMPLATE.md)"
        at.append(hits[0])
    assert at == sorted(at), f"{path.name}: template sections out of order: {h2}"
    numbered = [h for h in h2 if re.match(r"\d+\. \S", h)]
    assert numbered, f"{path.name}: no numbered section '## 1. ...'"
    nums = [int(h.split(".")[0]) for h in numbered]
    assert nums == list(range(1, len(nums) + 1)), f"{path.name}: sections numbered {nums}"
    assert "### Vocabulary" in headings(nb), f"{path.name}: no vocabulary"
    vocab = next(s for s in markdown(nb) if s.lstrip().startswith("### Vocabulary"))
    assert vocab.count("\n|") >= 4, f"{path.name}: the vocabulary is not a table"
    desc = nb.metadata.get("mapletree_edu", {}).get("description", "")
    assert len(desc) > 20, f"{path.name}: no index description in metadata.mapletree_edu"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_at_a_glance(path):
    glance = section(read(path), "At a glance")
    assert glance is not None
    assert re.search(r"\*Time:\* about \d+ minutes", glance), f"{path.name}: no time estimate"
    pre = glance.split("*Prerequisites:*", 1)
    assert len(pre) == 2, f"{path.name}: no *Prerequisites:*"
    assert re.search(r"^\|.*\|\s*$", pre[1], re.M), f"{path.name}: prerequisites are no table"
    learn = glance.split("*You will learn:*", 1)
    assert len(learn) == 2, f"{path.name}: no *You will learn:*"
    bullets = re.findall(r"^\* ", learn[1], re.M)
    assert 3 <= len(bullets) <= 6, f"{path.name}: {len(bullets)} 'you will learn' bullets"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_kernel_functions_table_with_v68_places(path):
    text = section(read(path), "Kernel functions explained")
    rows = [r for r in text.splitlines() if r.startswith("|") and "---" not in r][1:]
    assert len(rows) >= 3, f"{path.name}: {len(rows)} kernel functions"
    for r in rows:
        cells = [c.strip() for c in r.strip("|").split("|")]
        assert len(cells) >= 3, f"{path.name}: row {r!r} is not function | what | where"
        assert KERNEL_NAME.search(cells[0]) or "`" in cells[0], f"{path.name}: {r!r}"
        assert V68_PLACE.search(cells[-1]), f"{path.name}: no v6.8 place in {r!r}"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_resources_links_are_registered(path):
    nb = read(path)
    known = registered_links()
    text = section(nb, "Resources")
    links = URL.findall(text)
    assert links, f"{path.name}: Resources without a link"
    after = section(nb, "After v6.8")
    if after is not None:
        links += URL.findall(after)
        items = [i for i in re.split(r"^\* ", after, flags=re.M)[1:] if i.strip()]
        assert items, f"{path.name}: an empty After v6.8"
        for item in items:
            assert COMMIT.search(item), f"{path.name}: After v6.8 item without a source: {item!r}"
    unknown = sorted({u for u in links if u not in known})
    assert not unknown, f"{path.name}: links not in notebooks/src/LINKS.md: {unknown}"


def test_links_file_says_where_each_link_was_found():
    rows = [r for r in LINKS_FILE.read_text(encoding="utf-8").splitlines()
            if r.startswith("| http")]
    assert rows
    for r in rows:
        cells = [c.strip() for c in r.strip("|").split("|")]
        assert len(cells) == 3 and cells[2], f"no source for {cells[0]}"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_whats_next_links_on(path):
    text = section(read(path), "What's next")
    assert re.search(r"\]\([0-9][0-9]-[^)]+\.ipynb\)", text) or "last lesson" in text.lower()


# --- exercises -------------------------------------------------------------------------------

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


# --- players ---------------------------------------------------------------------------------

def player_calls(cell):
    try:
        tree = ast.parse(code_source(cell))
    except SyntaxError:
        return []
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)
            and getattr(n.func, "id", getattr(n.func, "attr", None))
            in ("Player", "PredictPlayer", "SideBySide")]


def player_targets(cell):
    """Names a player is assigned to (shown in the cell right under the question)."""
    tree = ast.parse(code_source(cell))
    return [t.id for n in ast.walk(tree) if isinstance(n, ast.Assign) and player_calls_in(n)
            for t in n.targets if isinstance(t, ast.Name)]


def player_calls_in(node):
    return isinstance(node.value, ast.Call) and getattr(
        node.value.func, "id", getattr(node.value.func, "attr", None)) in (
        "Player", "PredictPlayer", "SideBySide")


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_predict_before_every_player(path):
    cells = read(path).cells
    players = [i for i, c in enumerate(cells) if c.cell_type == "code"
               and PLAYER_CALL.search(code_source(c))]
    for i in players:
        before = [c.source for c in cells[max(0, i - 3):i] if c.cell_type == "markdown"]
        assert any(re.search(r"predict", s, re.I) for s in before), \
            f"{path.name}: cell {i} shows a player without a 'predict, then step' question"
    for i, c in enumerate(cells):
        m = re.match(r"\*\*Predict, then step\.\*\* (\S)", c.source)
        if c.cell_type == "markdown" and m:
            assert not m.group(1).islower(), \
                f"{path.name} cell {i}: the question after the lead-in starts in lower case"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_players_start_at_step_0_with_titles_that_do_not_answer(path):
    for i, c in enumerate(read(path).cells):
        if c.cell_type != "code":
            continue
        for call in player_calls(c):
            for kw in call.keywords:
                if kw.arg == "start":
                    assert isinstance(kw.value, ast.Constant) and kw.value.value == 0, \
                        f"{path.name} cell {i}: a player must start at step 0"
            for target in player_targets(c):
                assert not ANSWER_WORDS.search(target.replace("_", " ")), \
                    f"{path.name} cell {i}: the variable {target!r} names the answer"
            titles = [a.value for a in call.args[1:2] if isinstance(a, ast.Constant)]
            titles += [kw.value.value for kw in call.keywords
                       if kw.arg == "title" and isinstance(kw.value, ast.Constant)]
            for t in titles:
                assert not ANSWER_WORDS.search(str(t)), \
                    f"{path.name} cell {i}: the title {t!r} names the answer"


# --- nothing for the tests in students' view ------------------------------------------------

@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_no_test_scaffolding_in_view(path):
    for i, c in enumerate(read(path).cells):
        if c.cell_type != "code":
            continue
        assert "NBVAL" not in c.source, f"{path.name} cell {i}: an nbval comment in view"
        assert "Graphviz build" not in c.source, f"{path.name} cell {i}: a test note in view"
        assert "player_state(" not in c.source, f"{path.name} cell {i}: a state printout"
        assert not re.search(r"^\s*assert\b", c.source, re.M), \
            f"{path.name} cell {i}: an assert in view (use build.check)"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_no_cell_is_hidden_or_for_the_tests_only(path):
    """No cell a student could click open to find test code: none hidden or collapsed
    (JupyterLab and Notebook 7 would show a thin bar), none tagged for nbval's own use,
    none left out of the slides except the navigation lines."""
    nb = read(path)
    assert "checks" not in nb.metadata.get("mapletree_edu", {}), path.name
    for i, c in enumerate(nb.cells):
        meta = c.metadata
        assert not meta.get("jupyter", {}).get("source_hidden"), f"{path.name} cell {i}"
        assert not meta.get("jupyter", {}).get("outputs_hidden"), f"{path.name} cell {i}"
        assert not meta.get("collapsed"), f"{path.name} cell {i} is collapsed"
        tags = [t for t in meta.get("tags", []) if t != "nbval-ignore-output"]
        assert not tags, f"{path.name} cell {i}: tags {tags}"
        nav = c.cell_type == "markdown" and c.source.startswith("[Index](")
        assert nav or meta.get("slideshow", {}).get("slide_type") != "skip", \
            f"{path.name} cell {i}: left out of the slides"


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
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            assert not fn.name.startswith(TREE_FN_PREFIXES), \
                f"{path.name} cell {i} defines kernel-named {fn.name}(): belongs in the package"
            assert len(fn.body) <= MAX_HELPER_STATEMENTS, \
                f"{path.name} cell {i}: {fn.name}() is not a tiny helper: move it to the package"


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
    text = section(nb, "The lessons")
    assert text is not None, "the index has no '## The lessons'"
    links = [m for m in re.findall(r"\]\(([0-9][0-9]-[^)#]+\.ipynb)\)", text)
             if m != "00-index.ipynb"]
    assert list(dict.fromkeys(links)) == [p.name for p in LESSONS]
    for p in LESSONS:
        title = title_of(read(p))
        assert f"[{title}]({p.name})" in text, f"index: no link titled {title!r}"
    whole = "\n".join(markdown(nb))
    assert "make lab" in whole and "mybinder.org" in whole


def path_rows(nb, name):
    """(minutes, notebook file, section heading) of the path table under ``## name``."""
    text = section(nb, name)
    assert text is not None, f"the index has no '## {name}'"
    rows = []
    for line in text.splitlines():
        m = re.match(r"^\|\s*(\d+)\s*\|\s*\[?`([0-9][0-9]-[\w-]+)`(?:\]\([^)]*\))?\s*\|"
                     r"\s*(.+?)\s*\|", line)
        if m:
            rows.append((int(m.group(1)), m.group(2) + ".ipynb", m.group(3)))
    return rows


def section_names(cell_text):
    return re.findall(r"§ ([^;|]+?)(?=;|$)", cell_text)


@pytest.mark.parametrize("name,total", [("A 90-minute class", 90), ("Self-study", None)])
def test_index_paths_name_sections_that_exist(name, total):
    rows = path_rows(read(INDEX), name)
    assert len(rows) >= 5, f"{name}: {len(rows)} rows"
    if total is not None:
        assert sum(m for m, _nb, _s in rows) == total, f"{name}: minutes do not add up"
    missing_notebooks = set()
    for _minutes, nbname, sections in rows:
        path = NOTEBOOKS / nbname
        if not path.exists():
            missing_notebooks.add(nbname)
            continue
        heads = {re.sub(r"^\d+\.\s+", "", h.lstrip("#").strip()) for h in headings(read(path))}
        for s in section_names(sections):
            assert s.strip() in heads, f"{name}: {nbname} has no section {s.strip()!r}"
    if missing_notebooks:
        pytest.skip(f"{name}: checked the sections of the notebooks present; not in this "
                    f"tree (written on another branch): {sorted(missing_notebooks)}")


def test_index_title_and_setup_check():
    nb = read(INDEX)
    assert nb.cells[1].source.startswith("# ")
    assert any(c.cell_type == "code" and "import" in c.source for c in nb.cells)


#: a link into a notebook of the suite (or into the same notebook) with a fragment
INTRA_LINK = re.compile(r"\[(?P<label>[^\]]+)\]\((?P<nb>\d\d-[\w-]+\.ipynb)?#(?P<frag>[^)\s]+)\)")
HEADING_HTML = re.compile(r"<h([1-6])[^>]*>(.*?)</h\1>", re.S)
#: fragment characters that JupyterLab, nbconvert and the browser all leave unchanged
FRAGMENT_CHARS = re.compile(r"[\w.\-:,()!?'=]+")


def _heading_html(nb):
    """The rendered `<hN>` elements of a notebook's markdown cells (mistune, nbconvert's
    Markdown renderer)."""
    import mistune

    return [m for src in markdown(nb) for m in HEADING_HTML.finditer(mistune.html(src))]


def lab_heading_ids(nb):
    """The ids JupyterLab 4 gives the headings of a notebook's markdown cells: rendermime's
    createHeaderId() takes the heading's rendered text (textContent) and replaces every
    space with '-' (so `## 7. The size thresholds` is `7.-The-size-thresholds`; code spans
    and emphasis lose their marks, entities are decoded). JupyterLab looks a link's
    fragment up among these (and among `data-jupyter-id`, which is what its sanitizer makes
    of an `<a id>`), but only in cells it has rendered: in JupyterLab 4.6 a link jumps when
    the target notebook is already open, and opens it at the top otherwise."""
    return {html.unescape(re.sub(r"<[^>]+>", "", m.group(2))).replace(" ", "-")
            for m in _heading_html(nb)}


def test_heading_ids_are_nbconverts():
    """nbviewer and `jupyter nbconvert --to html` give headings the same ids (nbconvert's
    add_anchor filter), except that nbconvert percent-encodes characters not allowed in a
    URL fragment (`%`, `"`, ...): a link whose fragment has none of them (FRAGMENT_CHARS)
    jumps in both."""
    from urllib.parse import unquote

    from nbconvert.filters.strings import add_anchor

    for p in ALL:
        nb = read(p)
        theirs = {unquote(html.unescape(re.search(r'id="([^"]+)"',
                                                  add_anchor(m.group(0))).group(1)))
                  for m in _heading_html(nb)}
        ours = lab_heading_ids(nb)
        assert ours == theirs, f"{p.name}: {sorted(ours ^ theirs)}"


def cell_ids_of_headings(nb):
    """The ids of the markdown cells that start with a heading (`#cell-id=` targets)."""
    return {c.id for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("#")}


def test_intra_suite_links_name_a_heading():
    """Every link `NN-name.ipynb#frag` (or `#frag` in the same notebook) names a heading of
    the target notebook, in one of two forms:

    * `#cell-id=<id>`, the id of a markdown cell that starts with the heading. JupyterLab 4
      scrolls to such a cell even in a notebook the click has just opened, and nbconvert's
      HTML (nbviewer) gives each cell the element id `cell-id=<id>`. The target cell's id
      is fixed in its lesson source (build.py keeps it); use this form across notebooks.
    * a heading id by the JupyterLab rule (`lab_heading_ids`), which nbconvert shares.
      JupyterLab 4.6 jumps to it only when the target notebook is already open (it looks
      the fragment up among rendered cells once, right after loading).

    Its text says where it goes (a lesson number or "section"), for the views that open a
    notebook at its top (GitHub). Targets not in this tree (lessons of another branch) are
    skipped."""
    present = {p.name: p for p in ALL}
    missing, checked = set(), 0
    for p in ALL:
        for src in markdown(read(p)):
            for m in INTRA_LINK.finditer(src):
                target = m.group("nb") or p.name
                if target not in present:
                    missing.add(target)
                    continue
                frag = m.group("frag")
                assert FRAGMENT_CHARS.fullmatch(frag), \
                    f"{p.name}: #{frag}: a fragment nbconvert and JupyterLab both keep as is"
                nb = read(present[target])
                if frag.startswith("cell-id="):
                    ids = cell_ids_of_headings(nb)
                    assert frag[len("cell-id="):] in ids, \
                        f"{p.name}: link to {target}#{frag}: no heading cell has that id"
                else:
                    ids = lab_heading_ids(nb)
                    assert frag in ids, (f"{p.name}: link to {target}#{frag} names no heading "
                                         f"there (ids: {sorted(ids)})")
                if m.group("nb"):
                    label = m.group("label")
                    assert re.search(r"\b\d\d\b|section", label), \
                        f"{p.name}: link {label!r} to {target}#{frag} does not say where"
                checked += 1
    assert checked or missing, "no intra-suite link with a fragment was found"
    if missing:
        pytest.skip(f"checked {checked} links; targets not in this tree: {sorted(missing)}")
