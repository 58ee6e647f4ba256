# SPDX-License-Identifier: GPL-2.0-or-later
"""Re-execute notebooks in place and store them the way Jupyter itself saves them.

Usage::

    python tools/refresh_notebooks.py                 # every notebooks/*.ipynb
    python tools/refresh_notebooks.py notebooks/05-node-splits.ipynb ...
    python tools/refresh_notebooks.py --no-run FILE...  # tidy and rewrite only

For each notebook:

1. every cell runs in a fresh kernel started in the notebook's folder (nbclient), without
   storing widget state and without per-cell timing metadata;
2. ``metadata.widgets`` (saved widget state, keyed by per-run model ids) is dropped, and
   so is any ``metadata.execution`` timing a cell still carries;
3. consecutive stream outputs of the same stream (a ``print`` the kernel flushed in two
   pieces) are merged into one, as JupyterLab and Notebook 7 merge them when they load a
   notebook (and so write them on save);
4. an output that carries a widget view (``application/vnd.jupyter.widget-view+json``)
   and another representation loses the widget view. Once the kernel that made it is
   gone there is no widget model, and a front end that trusts the notebook would show
   "Error displaying widget: model not found" instead of the other representation: for
   a player, its first frame as a picture (PNG and SVG) with the hint to run the cell;
   for a progress bar, its text. Run the cell and the live widget replaces it. nbval does
   not compare widget views, so the stored outputs still match a fresh run;
5. the notebook is written with ``nbformat.write``: JSON with sorted keys, one-space
   indent and a final newline, the bytes JupyterLab and Notebook 7 write when they save
   it (tests/browser/test_first_open.py opens, saves and compares every notebook).

Graphviz's ``dot`` must be on PATH: the stored pictures are drawn by it.
"""

import argparse
import shutil
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PICTURES = ("image/png", "image/svg+xml")
CELL_TIMEOUT = 900          # seconds; the fork cost lab's sweeps are the slowest cells


def tidy(nb):
    """Apply steps 2 to 4 to a notebook in place; returns a list of what changed."""
    changes = []
    if nb.metadata.pop("widgets", None) is not None:
        changes.append("dropped metadata.widgets")
    for i, cell in enumerate(nb.cells):
        if cell.metadata.pop("execution", None) is not None:
            changes.append(f"cell {i}: dropped timing metadata")
        if cell.cell_type != "code":
            continue
        merged = []
        for out in cell.outputs:
            prev = merged[-1] if merged else None
            if (out.output_type == "stream" and prev is not None
                    and prev.output_type == "stream" and prev.name == out.name):
                prev.text += out.text
                changes.append(f"cell {i}: merged two {out.name} outputs")
                continue
            merged.append(out)
        cell.outputs = merged
        for out in cell.outputs:
            data = out.get("data", {})
            if WIDGET_VIEW in data and len(data) > 1:
                del data[WIDGET_VIEW]
                changes.append(f"cell {i}: widget view replaced by its "
                               + ("picture" if any(p in data for p in PICTURES) else "text"))
    return changes


def bare_widget_outputs(nb):
    """Cells with a stored output that is a widget view and nothing else (it shows
    nothing, or "model not found", before the notebook is run)."""
    return [i for i, cell in enumerate(nb.cells) for out in cell.get("outputs", [])
            if WIDGET_VIEW in out.get("data", {})]


def execute(nb, path):
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},
                            store_widget_state=False, record_timing=False)
    client.execute()


def refresh(path, run=True):
    path = Path(path)
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    if run:
        execute(nb, path)
    changes = tidy(nb)
    nbformat.write(nb, path)
    return nb, changes


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--no-run", action="store_true",
                    help="only tidy the stored outputs and rewrite (no execution)")
    args = ap.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not args.no_run and shutil.which("dot") is None:
        sys.exit("refresh_notebooks: Graphviz's `dot` is not on PATH; the stored pictures "
                 "need it (make setup-test installs it)")
    for path in paths:
        t0 = time.monotonic()
        nb, changes = refresh(path, run=not args.no_run)
        bare = bare_widget_outputs(nb)
        print(f"== {path}: {time.monotonic() - t0:.1f} s, {len(changes)} tidied")
        if bare:
            print(f"   warning: cells {bare}: a widget view with nothing beside it "
                  "(it shows nothing before the notebook is run)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
