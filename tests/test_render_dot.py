# SPDX-License-Identifier: GPL-2.0-or-later
"""Step -> DOT: golden diagrams of representative steps, and structural checks.

The golden files in tests/data/golden-dot/ were generated from the op scripts below and
accepted after their PNGs were looked at. To regenerate after a deliberate change:
``MAPLETREE_UPDATE_GOLDEN=1 pytest tests/test_render_dot.py`` (then look at them again:
``dot -Tpng tests/data/golden-dot/NAME.dot -o /tmp/NAME.png``).
"""

import json
import os
import re
from pathlib import Path

import pytest

from mapletree_edu import ExportError, MapleTree
from mapletree_edu.render import (
    Highlight,
    record_to_view,
    step_to_dot,
    trace_dots,
    tree_to_dot,
    view_to_dot,
)
from mapletree_edu.render.script import record_script
from mapletree_edu.trace import TreeView, record

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden-dot"
MT_DUMP = DATA / "kernel-golden" / "mt_dump"
UPDATE = os.environ.get("MAPLETREE_UPDATE_GOLDEN") == "1"
VMA_BASE = 0x555555554000


def appends(n, stride=10, length=6, op="store"):
    return [f"{op} {stride * i} {stride * i + length - 1} {i + 1}" for i in range(n)]


def vmas(n, base=VMA_BASE):
    """VMA-like ranges: two pages each, one free page between them."""
    return [f"store {base + i * 3 * 4096} {base + i * 3 * 4096 + 2 * 4096 - 1} {i + 1}"
            for i in range(n)]


MIDDLE_VMA = VMA_BASE + 100 * 3 * 4096

# name: (script lines, kernel function of the drawn step, details it must have)
SCENARIOS = {
    "root_expand": (["tree alloc", "store 10 15 1"], "mas_root_expand", {}),
    "append": (["tree alloc"] + appends(3), "mas_wr_append", {}),
    "split": (["tree alloc"] + appends(9), "mab_calc_split", {"mode": "normal"}),
    "push_left": (["tree alloc"] + appends(13), "mas_push_data", {"pushed": True}),
    "bulk_split": (["tree alloc", "bulk 40"] + appends(9, op="bstore"), "mab_calc_split",
                   {"mode": "bulk"}),
    "spanning_store": (["tree alloc"] + appends(40) + ["store 55 255 99"],
                       "mas_topiary_replace", {}),
    "rebalance": (["tree alloc"] + appends(30) + [f"erase {10 * i}" for i in range(10, 15)],
                  "mas_rebalance", {"sibling": "next"}),
    "dup_visit": (["tree alloc"] + appends(30) + ["dup"], "mas_dup_build", {"visit": 3}),
    "collapsed_vma": (["tree alloc"] + vmas(200) + [f"store {MIDDLE_VMA} {MIDDLE_VMA + 4095} 0"],
                      "mas_wr_slot_store", {}),
}


def scenario_steps(name):
    """(steps of the script's last op, index of the drawn step)."""
    lines, fn, want = SCENARIOS[name]
    (op,) = record_script("\n".join(lines) + "\n")
    for i, s in enumerate(op.steps):
        if s.fn == fn and all(s.details.get(k) == v for k, v in want.items()):
            return list(op.steps), i
    raise AssertionError(f"{name}: no {fn} step with {want}: {[s.fn for s in op.steps]}")


def scenario_dot(name):
    steps, i = scenario_steps(name)
    return trace_dots(steps)[i]


def node_names(dot):
    return re.findall(r"^  (n\d+) \[label=", dot, flags=re.M)


def edges(dot):
    return re.findall(r"^  (n\d+):s(\d+) -> (\w+)", dot, flags=re.M)


# ---------------------------------------------------------------- golden files


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_golden_dot(name):
    dot = scenario_dot(name)
    path = GOLDEN / f"{name}.dot"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(dot, encoding="utf-8")
    assert path.exists(), f"missing golden {path}; run with MAPLETREE_UPDATE_GOLDEN=1"
    assert dot == path.read_text(encoding="utf-8")


def test_dot_is_deterministic_across_replays():
    first = {name: scenario_dot(name) for name in ("split", "dup_visit")}
    again = {name: scenario_dot(name) for name in ("split", "dup_visit")}
    assert first == again
    for dot in first.values():
        assert " at 0x" not in dot and "id(" not in dot


# ---------------------------------------------------------------- structure


def _tree(n, alloc=True):
    t = MapleTree(alloc=alloc)
    for i in range(n):
        t.store(10 * i, 10 * i + 5, i + 1)
    return t


def test_every_node_and_child_edge_is_drawn():
    t = _tree(60)
    rec = t.to_record()
    dot = tree_to_dot(rec, collapse=False)
    assert sorted(node_names(dot)) == sorted(f"n{n['id']}" for n in rec["nodes"])
    want = sorted((f"n{n['id']}", str(k), f"n{c}") for n in rec["nodes"]
                  if n["type"] != "leaf_64" for k, c in enumerate(n["slots"]))
    assert sorted(edges(dot)) == want


def test_slots_and_pivots_shown():
    t = MapleTree()
    t.store(10, 15, 7)
    t.store(20, 25, 8)
    dot = tree_to_dot(t)
    for text in ("leaf_64", "[0, MAX]", ">9<", ">15<", ">19<", ">7<", ">8<"):
        assert text in dot
    assert len(re.findall(r'PORT="s\d+"', dot)) == 5   # NULL, 7, NULL, 8, NULL


def test_radix_rule():
    small = tree_to_dot(_tree(3))
    node_lines = [x for x in small.splitlines() if x.startswith("  n")]
    assert node_lines and not any("0x" in x for x in node_lines)
    assert ">25<" in small
    t = MapleTree()
    t.store(0x10000, 0x10fff, 1)
    big = tree_to_dot(t)
    assert "0xffff<" in big and "0x10fff" in big
    assert ">MAX<" not in big        # the last pivot is the node max, shown in the header
    assert "[0x0, MAX]" in big
    forced = tree_to_dot(_tree(3), hex_numbers=True)
    assert "0x19" in forced and ">25<" not in forced     # pivot 25 of the small tree


def test_empty_and_root_entry_trees():
    t = MapleTree()
    assert "empty tree" in tree_to_dot(t)
    t.store(0, 0, 5)
    dot = tree_to_dot(t)
    assert "root entry 5" in dot and "leaf_64" not in dot


def test_collapse_keeps_the_focus_and_counts_every_leaf():
    t = _tree(300)
    rec = t.to_record()
    leaves = [n for n in rec["nodes"] if n["type"] == "leaf_64"]
    assert len(leaves) > 24
    index = 1505
    target = next(n for n in leaves if n["min"] <= index <= n["max"])
    dot = tree_to_dot(rec, focus_index=index)
    drawn = set(node_names(dot))
    assert f"n{target['id']}" in drawn
    assert "n0" in drawn
    summarized = sum(int(m) for m in re.findall(r"\u2026 (\d+) lea", dot))
    drawn_leaves = sum(1 for n in leaves if f"n{n['id']}" in drawn)
    assert summarized + drawn_leaves == len(leaves)
    assert len(drawn) < len(rec["nodes"])
    assert len(tree_to_dot(rec, collapse=False)) > len(dot)
    assert set(node_names(tree_to_dot(rec, collapse=1000))) == \
        {f"n{n['id']}" for n in rec["nodes"]}


def test_highlight_colours_and_bold_path():
    t = _tree(20)
    view = TreeView.of(t.core)
    leaf = view.leaf_for(55)
    root = view.nodes[0]
    dot = view_to_dot(view, highlight={"new": [leaf.serial], "path": [root.serial, leaf.serial],
                                       "range": (50, 55)})
    line = next(x for x in dot.splitlines() if x.startswith(f"  n{leaf.serial} "))
    assert 'BORDER="3"' in line and "#b9e6b3" in line and "#fff2a8" in line
    assert f"n{root.serial}:s{leaf.slot_in_parent} -> n{leaf.serial}:n [penwidth=2.5]" in dot
    with pytest.raises(ExportError, match="unknown highlight"):
        view_to_dot(view, highlight={"newest": [1]})
    assert Highlight.coerce({"new": [3]}).status(3) == "new"


def test_step_shows_what_changed():
    t = _tree(8)
    with record(t, "store 80 85 9") as rec:
        t.store(80, 85, 9)
    dots = trace_dots(rec.steps)
    last = rec.steps[-1]
    assert last.fn == "mas_topiary_replace" and last.freed and last.new
    dot = dots[-1]
    assert "freed by this step" in dot
    for s in last.freed:
        assert f">n{s}<" in dot                  # listed as a ghost
        assert f"  n{s} [" not in dot            # not drawn as a live node
    for s in last.new:
        line = next(x for x in dot.splitlines() if x.startswith(f"  n{s} "))
        assert "#b9e6b3" in line                 # green: new
    step, split = next((s, d) for s, d in zip(rec.steps, dots, strict=True)
                        if s.fn == "mab_calc_split")
    d = step.details
    pivot = d["big_node"]["pivots"][d["split"]]
    assert "bignode [label=" in split
    assert f"<B>{pivot}</B><BR/>split" in split   # the chosen split pivot is marked
    assert "store 80 85 9" in split              # the op is the title


def test_dup_visit_numbers_follow_pre_order():
    t = _tree(30)
    with record(t, "dup") as rec:
        t.dup()
    builds = [s for s in rec.steps if s.fn == "mas_dup_build"]
    assert [s.details["visit"] for s in builds] == list(range(1, len(builds) + 1))
    dot = trace_dots(rec.steps)[rec.steps.index(builds[2])]
    visited = re.findall(r"visit (\d+)</B>", dot)
    assert sorted(map(int, visited)) == [1, 2, 3]
    assert "copied so far: 3 of" in dot


def test_record_to_view_matches_live_view():
    t = _tree(80)
    live = TreeView.of(t.core)
    rec_view = record_to_view(t.to_record())
    assert len(live.nodes) == len(rec_view.nodes)
    for a, b in zip(live.nodes, rec_view.nodes, strict=True):
        assert (a.type, a.min, a.max, a.end, a.pivots, a.depth, a.gaps, a.gap_off) == \
            (b.type, b.min, b.max, b.end, b.pivots, b.depth, b.gaps, b.gap_off)
        assert b.serial == b.id
        if a.is_leaf:
            assert a.slots == b.slots
    assert rec_view.kind == "alloc"


@pytest.mark.parametrize("path", sorted(MT_DUMP.glob("*.json")), ids=lambda p: p.stem)
def test_golden_dump_records_draw(path):
    rec = json.loads(path.read_text())
    dot = tree_to_dot(rec, collapse=False)
    assert sorted(node_names(dot)) == sorted(f"n{n['id']}" for n in rec["nodes"])
    n_edges = sum(len(n["slots"]) for n in rec["nodes"] if n["type"] != "leaf_64")
    assert len(edges(dot)) == n_edges


def test_bad_inputs_are_refused():
    with pytest.raises(ExportError):
        tree_to_dot(42)
    with pytest.raises(ExportError, match="no 'pivots'"):
        record_to_view({"root": "node", "nodes": [{"id": 0, "type": "leaf_64", "min": 0,
                                                   "max": 5, "slots": [1]}]})
    with pytest.raises(ExportError, match="collapse"):
        tree_to_dot(_tree(2), collapse=-3)
    s = record_script("tree alloc\nstore 1 2 3\n")[0].steps[0]
    assert "digraph maple" in step_to_dot(s, max_width_in=5)
    assert 'size="5,1000"' in step_to_dot(s, max_width_in=5)
