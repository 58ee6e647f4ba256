# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/00-index.ipynb: what the suite is, how to run it, the lessons.

The list of lessons is generated from the lesson notebooks themselves (their titles and
index lines), so build.py builds this notebook after the others.
"""

from build import code, lesson, lesson_list, md

BINDER = ("https://mybinder.org/v2/gh/OWNER/REPOSITORY/TAG"
          "?urlpath=lab/tree/notebooks/00-index.ipynb")


def lessons_markdown():
    rows = [f"{i}. [{title}]({name}): {desc}"
            for i, (name, title, desc) in enumerate(lesson_list(), start=1)]
    return "\n".join(rows) if rows else "(no lessons built yet)"


def notebook():
    cells = [
        md("""
        # The maple tree, step by step

        Interactive lessons on the **maple tree**, the range-based B-tree the Linux kernel
        uses to keep track of a process's memory areas (VMAs). Every picture, table and
        number in these lessons comes from `mapletree_edu`, a Python model of the Linux
        v6.8 `lib/maple_tree.c` that matches the kernel node for node. You can record any
        operation as a list of steps, each named after the kernel function it models, and
        step through it forwards and backwards.
        """),
        md("""
        ## How to run the lessons

        * **On your machine:** clone the repository and run `make lab`. It installs
          everything into `.venv` (Graphviz and Chromium come from your package manager)
          and opens JupyterLab on this index.
        * **In the browser, nothing to install:** launch on Binder. The link below is a
          placeholder: replace `OWNER/REPOSITORY/TAG` with where the suite is published,
          and link a tag, not a branch, so the image is built once before class.

          [Launch on Binder](""" + BINDER + """)
        * **Teaching from it:** run a lesson top to bottom (*Kernel → Restart Kernel and
          Run All Cells*), then step the players in class. Each player comes with a
          "predict, then step" question: ask it before you press *next*.
        * **Read-only:** every notebook is stored with its outputs, so GitHub and nbviewer
          show the tables and the diagrams (the players show the step they stopped at).
        """),
        md("""
        ## The lessons

        Take them in order: each lesson builds on the ones before it.
        """),
        md(lessons_markdown()),
        md("""
        ## How each lesson works

        * **Overview and prerequisites** at the top; **summary**, **what's next** and the
          list of **kernel functions** it explained at the bottom.
        * **Players** step through one recorded operation. The status line names the
          kernel function of the step and says why it happens; the diagram marks the nodes
          the step created, changed or freed.
        * **Exercises** end with a check cell: set `answer`, run the check, and it prints
          `Correct: ...` or `Not yet: ...` with a hint. The solution is one cell further
          down: it prints its code so you can compare or copy it.
        * Nothing is defined in the notebooks: the model, the players and the checks all
          live in the `mapletree_edu` package, where the test suite covers them.
        """),
        md("""
        ## Check your setup

        The next cell imports the package and draws a tiny tree. If it prints a line
        about Graphviz instead of a picture, install Graphviz (`apt-get install graphviz`
        or `conda install -c conda-forge graphviz`).
        """),
        code("""
        from mapletree_edu import MapleTree, __version__
        from mapletree_edu.lessons.common import node_table, render_available, show

        t = MapleTree()
        t.store(10, 15, 1)
        print("mapletree_edu", __version__)
        print("diagrams available:", render_available())
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # the diagram (SVG bytes depend on the Graphviz build)
        show(t)
        """),
        code("""
        node_table(t)
        """),
        md("""
        If the picture shows one leaf node holding the entry `1` between two NULL ranges,
        the same as the table, everything works. Start with the first lesson.
        """),
    ]
    return lesson(cells, "The suite, how to run it, and the lessons in order.")


if __name__ == "__main__":
    import build

    build.main([])
