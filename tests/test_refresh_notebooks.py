# SPDX-License-Identifier: GPL-2.0-or-later
"""tools/refresh_notebooks.py: what it keeps and drops, and the bytes it writes."""

import importlib.util
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("refresh_notebooks",
                                               ROOT / "tools" / "refresh_notebooks.py")
refresh = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refresh)

VIEW = {"model_id": "0123", "version_major": 2, "version_minor": 0}


def notebook():
    player = new_output("execute_result", execution_count=1, data={
        refresh.WIDGET_VIEW: VIEW, "image/png": "iVBORw0KGgo=",
        "image/svg+xml": "<svg/>", "text/plain": "Run this cell...\n<Player: step 0>"})
    bar = new_output("display_data", data={refresh.WIDGET_VIEW: VIEW,
                                            "text/plain": "sweep:   0%|"})
    bare = new_output("display_data", data={refresh.WIDGET_VIEW: VIEW})
    text = new_output("stream", name="stdout", text="hello\n")
    cells = [new_code_cell("p", outputs=[player], execution_count=1),
             new_code_cell("bar", outputs=[bar, text]),
             new_code_cell("w", outputs=[bare])]
    cells[0].metadata["execution"] = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
    nb = new_notebook(cells=cells)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def test_tidy_drops_widget_views_state_and_timing():
    nb = notebook()
    changes = refresh.tidy(nb)
    assert "widgets" not in nb.metadata
    assert "execution" not in nb.cells[0].metadata
    player = nb.cells[0].outputs[0]["data"]
    assert sorted(player) == ["image/png", "image/svg+xml", "text/plain"]
    assert sorted(nb.cells[1].outputs[0]["data"]) == ["text/plain"]
    assert nb.cells[1].outputs[1]["text"] == "hello\n"
    # a widget view with nothing beside it is left (and reported)
    assert refresh.WIDGET_VIEW in nb.cells[2].outputs[0]["data"]
    assert refresh.bare_widget_outputs(nb) == [2]
    assert len(changes) == 4
    assert refresh.tidy(nb) == [], "tidying twice changes nothing"


def test_no_run_rewrites_in_nbformat_own_bytes(tmp_path):
    path = tmp_path / "x.ipynb"
    nb = notebook()
    path.write_text(nbformat.writes(nb, version=4).replace("\n ", "\n    "))
    refresh.main(["--no-run", str(path)])
    raw = path.read_text()
    again = nbformat.reads(raw, as_version=nbformat.NO_CONVERT)
    assert raw == nbformat.writes(again) + "\n"
    views = [i for i, c in enumerate(again.cells) for o in c.outputs
             if refresh.WIDGET_VIEW in o.get("data", {})]
    assert views == [2]


def test_tidy_merges_a_print_flushed_in_pieces():
    """JupyterLab merges consecutive outputs of one stream when it loads a notebook, so
    a notebook stored with them apart would change on an unchanged save."""
    pieces = [new_output("stream", name="stdout", text="nodes"),
              new_output("stream", name="stdout", text=" 15\n"),
              new_output("stream", name="stderr", text="warning\n"),
              new_output("stream", name="stdout", text="done\n")]
    nb = new_notebook(cells=[new_code_cell("print()", outputs=pieces)])
    changes = refresh.tidy(nb)
    outs = nb.cells[0].outputs
    assert [(o.name, o.text) for o in outs] == [
        ("stdout", "nodes 15\n"), ("stderr", "warning\n"), ("stdout", "done\n")]
    assert changes == ["cell 0: merged two stdout outputs"]
    assert refresh.tidy(nb) == []


def test_shipped_notebooks_have_no_stream_in_pieces():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            outs = cell.get("outputs", [])
            for a, b in zip(outs, outs[1:], strict=False):
                assert not (a.output_type == b.output_type == "stream" and a.name == b.name), (
                    f"{path.name} cell {i}: two {a.name} outputs in a row; "
                    "run tools/refresh_notebooks.py --no-run on it")
