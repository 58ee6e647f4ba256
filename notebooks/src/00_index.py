# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/00-index.ipynb: what the suite is, how to run it, the lessons, a
timed 90-minute class path and a self-study path.

The list of lessons is generated from the lesson notebooks themselves (their titles and
index lines), so build.py builds this notebook after the others. The two paths name
sections by their heading (without the number); tests/test_notebooks_meta.py checks that
each one exists in the notebooks present.
"""

from textwrap import dedent

from build import code, lesson, lesson_list, md

BINDER = ("https://mybinder.org/v2/gh/OWNER/REPOSITORY/TAG"
          "?urlpath=lab/tree/notebooks/00-index.ipynb")

#: (minutes, notebook stem, sections, what to do) of the 90-minute class
CLASS_PATH = [
    (5, "01-what-a-maple-tree-stores", ["Ranges, not keys", "Inside a node: pivots and slots"],
     "show the load loop and the slot table; ask where slot 0 starts"),
    (10, "01-what-a-maple-tree-stores",
     ["The node itself: 256 bytes", "The size thresholds"],
     "derive 16 and 10 slots on the board; keep the thresholds table on screen"),
    (5, "01-what-a-maple-tree-stores", ["How to read a diagram"],
     "walk through the marks on the split picture"),
    (15, "02-walking-and-storing",
     ["The write paths, in the order the kernel tries them",
      "Predict, then step: one store per path"],
     "take a show of hands on each prompt before stepping the player"),
    (10, "02-walking-and-storing",
     ["When the node store refuses: the big node", "RCU mode"],
     "predict clear(0, 30); then the RCU table: which writes stay in place?"),
    (10, "03-finding-things", ["The maple state", "RCU readers"],
     "mas_walk() against mtree_load(); what a reader may see during a write"),
    (10, "04-finding-free-space",
     ["The search: `mas_empty_area_rev()`", "`mmap()` and `munmap()` on a real process"],
     "predict what mas_empty_area_rev() returns before stepping"),
    (10, "05-node-splits",
     ["The first split: `mas_split` and `mab_calc_split`",
      "Pushing into a sibling: `mas_push_data`"],
     "the PredictPlayer questions, answered by the class"),
    (10, "07-mt-dup-and-fork", ["The pre-order copy, step by step", "The replace pass"],
     "why the child's tree has the parent's exact shape"),
    (5, "09-fork-cost-lab", ["The debate, both ways"],
     "the two readings of the same numbers; homework: the rest of the lab"),
]

#: (minutes, notebook stem, what to do) of the self-study path: every lesson in order
SELF_STUDY = [
    (50, "01-what-a-maple-tree-stores", "all sections, then exercises 1 to 5"),
    (50, "02-walking-and-storing", "all sections, then exercises 1 to 4"),
    (50, "03-finding-things", "all sections and exercises"),
    (50, "04-finding-free-space", "all sections and exercises"),
    (60, "05-node-splits", "all sections and exercises"),
    (45, "06-bulk-insert", "all sections and exercises"),
    (50, "07-mt-dup-and-fork", "all sections and exercises"),
    (40, "08-a-real-process", "all sections and exercises"),
    (60, "09-fork-cost-lab", "all sections; the exercises take longer"),
]


def lessons_markdown():
    rows = [f"{i}. [{title}]({name}): {desc}"
            for i, (name, title, desc) in enumerate(lesson_list(), start=1)]
    return "\n".join(rows) if rows else "(no lessons built yet)"


def class_path_markdown():
    rows = ["| minutes | notebook | sections | in class |", "| --- | --- | --- | --- |"]
    for minutes, stem, sections, what in CLASS_PATH:
        names = "; ".join(f"§ {s}" for s in sections)
        rows.append(f"| {minutes} | [`{stem}`]({stem}.ipynb) | {names} | {what} |")
    total = sum(m for m, *_ in CLASS_PATH)
    return "\n".join(rows) + f"\n\nTotal: {total} minutes."


def self_study_markdown():
    rows = ["| minutes | notebook | what to do |", "| --- | --- | --- |"]
    for minutes, stem, what in SELF_STUDY:
        rows.append(f"| {minutes} | [`{stem}`]({stem}.ipynb) | {what} |")
    total = sum(m for m, *_ in SELF_STUDY)
    return "\n".join(rows) + f"\n\nTotal: about {total // 60} hours {total % 60} minutes."


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
          Run All Cells*) before class, then step the players in class. Each player comes
          with a "predict, then step" question: ask it before you press *next*; every
          player starts at step 0 (for a write, the tree before it; for a read, the walk's
          first step).
        * **Read-only:** every notebook is stored with its outputs, so GitHub and nbviewer
          show the tables and the diagrams (a player shows its step 0).
        """),
        md("""
        ## The lessons

        Take them in order: each lesson builds on the ones before it.
        """),
        md(lessons_markdown()),
        md(dedent("""
        ## A 90-minute class

        One session through the whole suite: the node and the write paths in depth, then
        one or two sections of each later lesson. Run every notebook once before class.
        The sections are named by their headings.

        """) + class_path_markdown()),
        md(dedent("""
        ## Self-study

        Every lesson in order, with its exercises. Lesson 01 alone gives the vocabulary of
        the rest; after lesson 02 you can read any later lesson.

        """) + self_study_markdown()),
        md("""
        ## How each lesson works

        * **At a glance** at the top: the time it takes, the prerequisites, what you will
          learn; then a **vocabulary** table. At the bottom: a **summary**, the **kernel
          functions** it explained with their place in v6.8, **resources**, what changed
          **after v6.8** where something did, and **what's next**.
        * **Players** step through one recorded operation. The status line names the
          kernel function of the step and says why it happens; the diagram marks the nodes
          the step created, changed or freed. Lesson 01, section 8, explains every mark.
        * **Exercises** end with a check cell: set `answer`, run the check, and it prints
          `Correct: ...` or `Not yet: ...` with a hint. The solution is one cell further
          down: it prints its code so you can compare or paste it.
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
        show(t)
        """, ignore_output=True),
        code("""
        node_table(t)
        """),
        md("""
        If the picture shows one leaf node holding the entry `1` between two NULL ranges,
        the same as the table, everything works. Start with the first lesson.
        """),
    ]
    return lesson(cells, "The suite, how to run it, the lessons in order, a 90-minute class "
                         "path and a self-study path.")


if __name__ == "__main__":
    import build

    build.main([])
