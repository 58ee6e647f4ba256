# SPDX-License-Identifier: GPL-2.0-or-later
"""Build the lesson notebooks from their builder scripts.

Every ``notebooks/src/NN_title_words.py`` (found by glob) defines ``notebook()``, which
returns an ``nbformat`` notebook without outputs. This script writes each one to
``notebooks/NN-title-words.ipynb`` with the navigation line added as the first and the
last cell, building the index (``00_*.py``) last so that it can list the others.
Outputs are produced afterwards by ``make refresh-notebooks``.

Usage::

    python notebooks/src/build.py            # build every notebook
    python notebooks/src/build.py 02         # build the notebooks whose number is 02
    python notebooks/src/build.py 00         # rebuild the index (after a title changed)

Builder scripts import the helpers below with ``from build import md, code, lesson``.
Their ``check(...)`` assertions are not written into the notebooks: ``built(src)`` returns
them beside the notebook, each with the cell it follows, and tests/test_lesson_checks.py
runs them there.
"""

import hashlib
import importlib.util
import re
import sys
from pathlib import Path
from textwrap import dedent

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SRC = Path(__file__).resolve().parent
NOTEBOOKS = SRC.parent
INDEX = "00-index.ipynb"
NAV_SEP = " · "
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


# --- helpers for the builder scripts -------------------------------------------------------
#: Cell ids set by ``with_id()``: kept as they are. Every other cell gets an id derived from
#: its content (``_stable_ids``), so a rebuild of unchanged sources changes no byte and a
#: changed cell changes only its own id.
PINNED_IDS = set()


def with_id(cell_id, cell):
    """``cell`` with a fixed id (nbformat 4.5), for a cell that links point to
    (``NN-name.ipynb#cell-id=<id>``): it survives edits of the cell."""
    if not re.fullmatch(r"[A-Za-z0-9-_]{1,64}", cell_id):
        raise ValueError(f"not a valid nbformat cell id: {cell_id!r}")
    PINNED_IDS.add(cell_id)
    cell.id = cell_id
    return cell


def _content_id(cell, taken):
    """An id made from the cell's type and source; a repeat gets a suffix."""
    digest = hashlib.sha1(f"{cell.cell_type}\0{cell.source}".encode()).hexdigest()
    base, n = digest[:12], 1
    cell_id = base
    while cell_id in taken:
        n += 1
        cell_id = f"{base}-{n}"
    return cell_id


def _stable_ids(cells):
    """Give every cell not pinned by ``with_id()`` its content id (in place)."""
    taken = {c.id for c in cells if c.get("id") in PINNED_IDS}
    for c in cells:
        if c.get("id") in PINNED_IDS:
            continue
        c.id = _content_id(c, taken)
        taken.add(c.id)
    return cells

def md(text):
    """A markdown cell (the text is dedented and stripped)."""
    return new_markdown_cell(dedent(text).strip("\n"))


def code(text, ignore_output=False):
    """A code cell (the text is dedented and stripped). ``ignore_output`` tags it
    ``nbval-ignore-output``: nbval runs it but does not compare what it prints."""
    cell = new_code_cell(dedent(text).strip("\n"))
    if ignore_output:
        cell.metadata["tags"] = ["nbval-ignore-output"]
    return cell


def table(headers, rows):
    """A markdown table (text) of ``headers`` and ``rows`` (lists of cell texts), so that
    builder scripts keep their lines short."""
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def kernel_functions(rows):
    """The "Kernel functions explained" cell: rows of (function, what it does, where in
    v6.8)."""
    return new_markdown_cell("## Kernel functions explained\n\n"
                             + table(["function", "what it does", "where in v6.8"], rows))


class Check(str):
    """The code of a check: assertions on the model's state that only the tests need.
    Not a notebook cell: ``lesson()`` takes it out of the cell list and records it with
    its place, the cell it follows."""


def check(text):
    """Assertions for the tests, placed in a lesson's cell list after the cell they
    check. They are not written into the notebook (students never see them):
    ``tests/test_lesson_checks.py`` runs the notebook as shipped and runs each check
    right after the cell it follows (see ``built()``)."""
    return Check(dedent(text).strip("\n"))


def predict(question):
    """The "predict, then step" prompt that goes before a player. It follows the bold
    lead-in as a sentence of its own, so its first letter is a capital."""
    text = dedent(question).strip()
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    return md("**Predict, then step.** " + text)


def exercise(number, title, question, starter, check, module, name):
    """The cells of one exercise: the question, a starter cell that sets ``answer``, the
    self-check cell, and the solution, printed on demand from ``module.solution(name)``."""
    return [
        md(f"### Exercise {number}: {title}\n\n" + dedent(question).strip("\n")),
        code(starter),
        code(f"ok = {module}.{check}(answer)"),
        md(f"**Solution {number}.** Run the next cell to print it; paste it into the cell "
           "above to run it."),
        code(f'print({module}.solution("{name}"))'),
    ]


PREDICT = "**Predict, then step.**"
# a code cell that makes a player (it displays it: the cell ends with the player)
PLAYER_CALL = re.compile(r"\b(?:Predict)?Player\(|\bSideBySide\(|\bExplorer\(")


def _slide_type(cell):
    """Slide marks (reveal.js, see mapletree_edu/slides): sections are slides,
    sub-sections sub-slides, and so is a player's "predict, then step" question (the
    player goes on its slide)."""
    if cell.cell_type != "markdown":
        return None
    first = cell.source.lstrip().split("\n", 1)[0]
    if first.startswith("# ") or first.startswith("## "):
        return "slide"
    if first.startswith("### ") or first.startswith(PREDICT):
        return "subslide"
    return None


def _player_slides(cells):
    """One player per slide: a player not right after its question starts a sub-slide,
    and the text after a player starts the next one."""
    shown = [c for c in cells if c.metadata.get("slideshow", {}).get("slide_type") != "skip"]
    for prev, cell, nxt in zip([None] + shown[:-1], shown, shown[1:] + [None], strict=True):
        if cell.cell_type != "code" or not PLAYER_CALL.search(cell.source):
            continue
        if not (prev is not None and prev.cell_type == "markdown"
                and prev.source.lstrip().startswith(PREDICT)):
            cell.metadata["slideshow"] = {"slide_type": "subslide"}
        if nxt is not None and "slideshow" not in nxt.metadata:
            nxt.metadata["slideshow"] = {"slide_type": "subslide"}


def lesson(cells, description):
    """A notebook of ``cells`` (lists of cells are flattened); ``description`` is the
    one line the index shows. The ``check(...)`` items among the cells are not cells:
    they are kept in ``metadata.mapletree_edu.checks`` as ``{"after": i, "source": ...}``,
    ``i`` the index (in ``nb.cells``) of the cell the check follows, -1 before the first
    cell. ``built()`` takes them out again before the notebook is written."""
    flat, checks = [], []
    for c in cells:
        for item in c if isinstance(c, list) else [c]:
            if isinstance(item, Check):
                checks.append({"after": len(flat) - 1, "source": str(item)})
            else:
                flat.append(item)
    for c in flat:
        slide = _slide_type(c)
        if slide:
            c.metadata["slideshow"] = {"slide_type": slide}
    _player_slides(flat)
    nb = new_notebook(cells=_stable_ids(flat))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["mapletree_edu"] = {"description": description}
    if checks:
        nb.metadata["mapletree_edu"]["checks"] = checks
    return nb


# --- finding sources and notebooks ------------------------------------------------------------
def sources():
    """Builder scripts in order: notebooks/src/[0-9][0-9]_*.py."""
    return sorted(SRC.glob("[0-9][0-9]_*.py"))


def target_name(src):
    """``01_what_a_maple_tree_stores.py`` -> ``01-what-a-maple-tree-stores.ipynb``."""
    return Path(src).stem.replace("_", "-") + ".ipynb"


def lesson_files(directory=NOTEBOOKS):
    """The lesson notebooks (not the index), in order: notebooks/[0-9][0-9]-*.ipynb."""
    return [p for p in sorted(Path(directory).glob("[0-9][0-9]-*.ipynb")) if p.name != INDEX]


def title_of(nb):
    """The text of the first level-1 heading of a notebook."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return ""


def description_of(nb):
    """The index line of a notebook: its metadata description, else the first sentence
    of the paragraph after its title."""
    desc = nb.metadata.get("mapletree_edu", {}).get("description")
    if desc:
        return desc
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            rest = cell.source.split("\n", 1)[1] if "\n" in cell.source else ""
            para = next((p.strip() for p in rest.split("\n\n") if p.strip()
                         and not p.lstrip().startswith("#")), "")
            return re.split(r"(?<=[.!?])\s", " ".join(para.split()), maxsplit=1)[0]
    return ""


def lesson_list(directory=NOTEBOOKS):
    """(file name, title, description) of every lesson notebook, in order."""
    out = []
    for path in lesson_files(directory):
        nb = nbformat.read(path, as_version=4)
        out.append((path.name, title_of(nb), description_of(nb)))
    return out


# --- navigation ---------------------------------------------------------------------------------
def is_nav(cell):
    return cell.cell_type == "markdown" and cell.source.startswith("[Index](")


def nav_line(names, titles, i):
    """The navigation line of notebook ``names[i]`` (the index first)."""
    parts = [f"[Index]({INDEX})"]
    if i > 0:
        parts.append(f"← [{titles[i - 1]}]({names[i - 1]})")
    if i + 1 < len(names):
        parts.append(f"[{titles[i + 1]}]({names[i + 1]}) →")
    return NAV_SEP.join(parts)


def nav_cell(line):
    """A navigation cell; slides leave it out (the deck starts at the title)."""
    cell = new_markdown_cell(line)
    cell.metadata["slideshow"] = {"slide_type": "skip"}
    return cell


def with_nav(nb, line):
    """The notebook with its navigation cells (first and last) set to ``line``."""
    cells = [c for c in nb.cells if not is_nav(c)]
    taken = {c.id for c in cells}
    first, last = nav_cell(line), nav_cell(line)
    for c in (first, last):
        c.id = _content_id(c, taken)
        taken.add(c.id)
    nb.cells = [first] + cells + [last]
    return nb


def add_navigation(directory=NOTEBOOKS):
    """Rewrite the navigation cells of every notebook in ``directory`` (index first,
    then the lessons in order); outputs are kept."""
    paths = [Path(directory) / INDEX] + lesson_files(directory)
    paths = [p for p in paths if p.exists()]
    nbs = [nbformat.read(p, as_version=4) for p in paths]
    names = [p.name for p in paths]
    titles = [title_of(nb) for nb in nbs]
    for i, (path, nb) in enumerate(zip(paths, nbs, strict=False)):
        line = nav_line(names, titles, i)
        before = [(c.source, c.metadata.get("slideshow")) for c in nb.cells if is_nav(c)]
        with_nav(nb, line)
        if before != [(line, {"slide_type": "skip"})] * 2 or not is_nav(nb.cells[0]):
            nbformat.write(nb, path)


# --- building -----------------------------------------------------------------------------------
def load_builder(src):
    """Import a builder script as a module."""
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    spec = importlib.util.spec_from_file_location(f"nb_src_{Path(src).stem}", src)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def built(src):
    """The notebook of one builder script (without outputs or navigation) and its checks:
    ``(nb, checks)``, each check a dict ``{"after": i, "source": text}`` with ``i`` the
    index in ``nb.cells`` of the cell it follows (-1: before the first cell). The
    notebook carries no check."""
    nb = load_builder(src).notebook()
    checks = nb.metadata.get("mapletree_edu", {}).pop("checks", [])
    nbformat.validate(nb)
    return nb, checks


def build_one(src, directory=NOTEBOOKS):
    """Write the notebook of one builder script (without outputs); return its path."""
    nb, _ = built(src)
    path = Path(directory) / target_name(src)
    nbformat.write(nb, path)
    return path


def build(only=None, directory=NOTEBOOKS):
    """Build the notebooks (``only``: numbers such as "02"; the index only when "00" is
    among them or nothing is selected, so that building one lesson does not wipe the
    index's outputs), the index last, then set the navigation of every notebook (their
    outputs are kept)."""
    srcs = sources()
    index = [s for s in srcs if s.name.startswith("00_")]
    lessons = [s for s in srcs if not s.name.startswith("00_")]
    built = []
    for src in lessons + index:
        if only and src.name[:2] not in only:
            continue
        built.append(build_one(src, directory))
    add_navigation(directory)
    return built


def main(argv):
    for path in build(set(argv) or None):
        print(f"built {path.relative_to(NOTEBOOKS.parent)}")


if __name__ == "__main__":
    main(sys.argv[1:])
