# SPDX-License-Identifier: GPL-2.0-or-later
"""The frame pipeline (render.frame.build): focus and collapse for a width budget, marks,
labels, legend and notation, asserted on the DOT text. The few tests that lay the DOT out
with Graphviz's ``dot`` to measure it are marked ``dot``."""

import dataclasses
import re
import shutil

import pytest

from mapletree_edu import MapleTree
from mapletree_edu.fork import build_mm_tree
from mapletree_edu.procmaps import read_sample
from mapletree_edu.render import MARKS, build, build_trace, step_to_dot, trace_dots
from mapletree_edu.render.frame import STAGES, build_step
from mapletree_edu.render.notation import BY_KEY, LEGEND_ORDER, SKIP_BG, SLOT_BORDER
from mapletree_edu.trace import TreeView, record

no_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` missing")
SCREEN_PX = 968                  # JupyterLab's output area in a 1400 px wide window


def tree_of(n, alloc=True, stride=10, length=6):
    t = MapleTree(alloc=alloc)
    for i in range(n):
        t.store(stride * i, stride * i + length - 1, i + 1)
    return t


def recorded(t, label, fn, *args):
    with record(t, label) as rec:
        fn(*args)
    return rec.steps


def node_names(dot):
    return re.findall(r"^  (n\d+) \[label=", dot, flags=re.M)


def node_line(dot, serial):
    return next(x for x in dot.splitlines() if x.startswith(f"  n{serial} [label="))


def cells(line):
    """(port offset, colspan text, inner text) of each slot cell of a node line."""
    return re.findall(r'<TD COLSPAN="2" PORT="s(\d+)"[^>]*>(.*?)</TD>', line)


def point_sizes(dot):
    return [float(x) for x in re.findall(r'POINT-SIZE="([0-9.]+)"', dot)] + \
        [float(x) for x in re.findall(r"fontsize=([0-9.]+)", dot)]


def leaves_accounted(frame):
    """Drawn leaves plus the leaves counted in summary boxes."""
    view = frame.view
    drawn = sum(1 for n in view.nodes if n.is_leaf and n.serial in frame.plan.visible)
    return drawn + sum(s.leaves for s in frame.plan.summaries)


# ------------------------------------------------------------------ the pipeline


def test_one_pass_records_each_stage_once():
    t = tree_of(40)
    (step,) = [s for s in recorded(t, "store", t.store, 500, 505, 99)
               if s.fn == "mtree_store_range"]
    f = build(step)
    assert tuple(f.timings) == STAGES and all(v >= 0 for v in f.timings.values())
    assert f.dot == step_to_dot(step, headline=True)
    assert f.dot.startswith("digraph maple {") and f.dot.endswith("}\n")


def test_dot_ids_are_serials_and_ports_are_offsets():
    t = tree_of(30)
    steps = recorded(t, "store 305", t.store, 305, 306, 77)
    frames = build_trace(steps)
    for f in frames:
        for n in f.view.nodes:
            if n.serial in f.plan.visible:
                line = node_line(f.dot, n.serial)
                ports = [int(p) for p, _ in cells(line)]
                assert ports == sorted(ports) and ports[0] == 0
                assert f'ID="n{n.serial}_s0"' in line
    # a node that survives a step keeps its DOT name
    before, after = set(node_names(frames[0].dot)), set(node_names(frames[-1].dot))
    kept = {f"n{n.serial}" for n in frames[-1].view.nodes} & \
        {f"n{n.serial}" for n in frames[0].view.nodes}
    assert kept & before & after


def test_small_trees_are_drawn_whole_with_no_collapse_marks():
    t = tree_of(8)
    f = build(t)
    assert f.plan.level == "all" and not f.plan.summaries and not f.plan.hidden
    assert sorted(node_names(f.dot)) == sorted(f"n{n.serial}" for n in f.view.nodes)
    assert "collapsed" not in f.dot and "\u22ef" not in f.dot
    assert "summary" not in f.legend and "elided" not in f.legend


# ------------------------------------------------------------------ focus and collapse


@pytest.mark.parametrize("text_px", [11, 16])
def test_big_tree_keeps_the_action_and_fits_the_budget(text_px):
    t = tree_of(300)
    steps = recorded(t, "store 1501", t.store, 1501, 1502, 999)
    hexes = {"hex_numbers": False}
    for i, step in enumerate(steps):
        f = build_step(steps, i, text_px=text_px, **hexes)
        drawn = set(f.plan.visible)
        assert set(step.path) <= drawn, step.fn
        assert step.node is None or step.node in drawn
        assert leaves_accounted(f) == sum(1 for n in f.view.nodes if n.is_leaf)
        assert len(drawn) < len(f.view.nodes)
        assert "summary" in f.legend


def test_presenter_text_is_larger_and_draws_no_more():
    t = tree_of(120)
    steps = recorded(t, "store 601", t.store, 601, 602, 5)
    normal = build_step(steps, len(steps) - 1)
    big = build_step(steps, len(steps) - 1, presenter=True)
    assert min(point_sizes(normal.dot)) >= 9            # 9 pt = 12 px >= 11 px
    assert min(point_sizes(big.dot)) >= 12              # 12 pt = 16 px
    assert len(big.plan.visible) <= len(normal.plan.visible)


def test_collapse_false_and_leaf_limits():
    t = tree_of(100)
    every = build(t, collapse=False)
    assert len(node_names(every.dot)) == len(every.view.nodes) and not every.plan.hidden
    assert len(node_names(build(t, collapse=10_000).dot)) == len(every.view.nodes)
    few = build(t, collapse=2, focus_index=505)
    leaf = TreeView.of(t.core).leaf_for(505)
    assert f"n{leaf.serial}" in node_names(few.dot)
    assert leaves_accounted(few) == sum(1 for n in few.view.nodes if n.is_leaf)


def test_elided_slots_are_counted_and_listed_on_hover():
    t = tree_of(300)
    f = build(t, focus_index=1503)
    assert f.plan.hidden, f.plan.level
    for serial, hidden in f.plan.hidden.items():
        n = f.view.by_serial()[serial]
        line = node_line(f.dot, serial)
        ports = [int(p) for p, _ in cells(line)]
        runs = [int(k) for k in re.findall(r">\u22ef (\d+)<", line)]
        # every slot is a drawn cell or inside one elided run
        assert len(ports) - len(runs) + sum(runs) == len(n.slots)
        assert sum(runs) == len(hidden)
        assert re.search(r'TITLE="slots \d+\u2013\d+ \(\d+ not drawn\)', line)


def test_focus_index_leaf_keeps_its_slot():
    t = tree_of(300)
    f = build(t, focus_index=1503)
    leaf = f.view.leaf_for(1503)
    line = node_line(f.dot, leaf.serial)
    k = next(k for k, hi in enumerate(leaf.pivots) if 1503 <= hi)
    assert f'PORT="s{k}"' in line


# ------------------------------------------------------------------ labels


def test_vma_entries_get_short_labels_and_the_full_value_on_hover():
    vmas = read_sample()
    tree = build_mm_tree(vmas)
    f = build(tree, focus_index=vmas[len(vmas) // 2].start)
    bases = {v.name.rsplit("/", 1)[-1][:10] for v in vmas if v.name}
    texts = set(re.findall(r'PORT="s\d+"[^>]*>([^<>]+)</TD>', f.dot))
    assert texts & bases, texts
    assert "Vma(0x" not in "".join(re.findall(r">([^<>]*)</TD>", f.dot))   # cell texts
    assert re.search(r'TITLE="slot \d+: \[0x[0-9a-f]+, 0x[0-9a-f]+\] \u2192 Vma\(0x', f.dot)


def test_slot_and_pruned_marks_from_read_steps():
    t = tree_of(40)
    steps = recorded(t, "store", t.store, 405, 406, 3)
    step = steps[-1]
    view = step.view
    root = view.nodes[0]
    leaf = view.by_serial()[root.slots[1]]
    info = step.info + (("mas", {"index": 1, "last": 2, "node": leaf.serial, "offset": 2,
                                 "status": "active"}),
                        ("slot", (leaf.serial, 2)),
                        ("pruned", ((root.serial, 0, 4, "skip"), (root.serial, 1, 9, "enter"),
                                    "junk")),
                        ("unknown_key", object()))
    s2 = dataclasses.replace(step, info=info)
    f = build(s2)
    line = node_line(f.dot, leaf.serial)
    assert f'ID="n{leaf.serial}_s2"' in line
    slot_cell = re.search(r'<TD [^>]*PORT="s2"[^>]*>', line).group(0)
    assert f'COLOR="{SLOT_BORDER}"' in slot_cell and "the state points here" in slot_cell
    rline = node_line(f.dot, root.serial)
    skip = re.search(r'<TD [^>]*PORT="s0"[^>]*>', rline).group(0)
    assert f'BGCOLOR="{SKIP_BG}"' in skip and "gap search: gap 4: skip" in skip
    assert "gap search: gap 9: enter" in rline
    assert {"slot", "skip", "enter"} <= set(f.legend)
    caption = "\n".join(f.caption)
    assert "mas=" not in caption and "pruned" not in caption and "slot=" not in caption
    assert "'status'" not in caption


# ------------------------------------------------------------------ legend, caption, notation


def test_legend_shows_only_the_marks_used():
    t = tree_of(3)
    plain = build(t, legend=True)
    assert set(plain.legend) <= {"null"}
    assert ">new</TD>" not in plain.dot and ">path</TD>" not in plain.dot
    steps = recorded(t, "store 100", t.store, 100, 105, 9)
    f = build_trace(steps)[-1]
    used = set(f.legend)
    assert "path" in used and "range" in used
    for key in LEGEND_ORDER:
        sample = f">{BY_KEY[key].name}</"
        assert (sample in f.dot) == (key in used), key
    assert not build(t, legend=False).legend


def test_legend_names_the_yellow_range_per_step_written_or_looked_up():
    """On a write step the yellow slots are the "written range"; on a read step (a walk,
    a find, mas_walk, a gap search's result) the same yellow is the "range looked up",
    and the legend says so; the notation key explains both."""
    from mapletree_edu.render.highlight import LOOKUP_FNS
    t = tree_of(40)
    writes = build_trace(recorded(t, "store 100", t.store, 100, 105, 9))
    reads = build_trace(recorded(t, "find 200", t.find, 200))
    gaps = build_trace(recorded(t, "empty area", t.empty_area, 0, 1000, 3))
    written = BY_KEY["range"].name
    looked = BY_KEY["read"].name
    assert written != looked and "written" in written and "looked up" in looked
    assert any("range" in f.legend for f in writes)
    assert not any("read" in f.legend for f in writes)
    for frames in (reads, gaps):
        assert not any("range" in f.legend for f in frames), [f.legend for f in frames]
        assert f">{written}</" not in "".join(f.dot for f in frames)
    assert any("read" in f.legend for f in reads)
    for f in reads:
        assert (f">{looked}</" in f.dot) == ("read" in f.legend)
    steps = recorded(t, "find 200 again", t.find, 200)
    assert {s.fn for s in steps} <= LOOKUP_FNS and "mt_find" in {s.fn for s in steps}
    assert "mas_insert" not in LOOKUP_FNS      # it checks the range it is about to write


def test_caption_leaves_out_empty_details_and_the_status_line():
    t = tree_of(8)
    steps = recorded(t, "store 80", t.store, 80, 85, 9)
    last = steps[-1]
    s2 = dataclasses.replace(last, info=last.info + (("replaced", ()), ("note", None)))
    with_head = build(s2)
    assert with_head.caption[0].startswith(f"step {last.n}: {last.fn}")
    text = "\n".join(with_head.caption)
    assert "replaced -" not in text and "note" not in text
    player = step_to_dot(s2)
    assert f"step {last.n}:" not in player and (not last.why or last.why not in player)
    assert f"step {last.n}:" in trace_dots(steps)[-1]


def test_notation_covers_every_mark_the_frames_use():
    keys = {m.key for m in MARKS}
    assert len(keys) == len(MARKS)
    for needed in ("new", "copied", "modified", "freed", "path", "sibling", "range", "read",
                   "null",
                   "slot", "skip", "enter", "gap_off", "summary", "elided", "split", "visit",
                   "pivot", "serial", "max", "hex"):
        assert needed in keys
    for m in MARKS:
        assert m.name and m.meaning
        assert m.look in ("fill", "border", "dashed", "text")
        assert m.look != "fill" or m.fill.startswith("#")
    assert BY_KEY["max"].sample == "MAX-115"


# ------------------------------------------------------------------ measured with dot


def svg_measure(dot):
    from mapletree_edu.render import dot_to_svg
    svg = dot_to_svg(dot)
    width_px = float(re.search(r'<svg width="([0-9.]+)pt"', svg).group(1)) * 4 / 3
    smallest = min(float(x) for x in re.findall(r'font-size="([0-9.]+)"', svg)) * 4 / 3
    return width_px, smallest * min(1.0, SCREEN_PX / width_px)


def worst_cases():
    """The diagrams that used to be unreadable: a real process's leaf, a three-way
    split, a bulk load of 40, a spanning store over a wide tree."""
    vmas = read_sample()
    tree = build_mm_tree(vmas)
    mid = vmas[len(vmas) // 2]
    yield "real process clear", recorded(tree, "clear", tree.clear, mid.start, mid.last)
    t = tree_of(120)
    yield "spanning store", recorded(t, "spanning", t.store, 55, 905, 99)
    b = MapleTree()
    with record(b, "bulk 40") as rec, b.bulk(40) as loader:
        for i in range(40):
            loader.store(0x1000 + i * 0x2000, 0x1fff + i * 0x2000, i + 1)
    yield "bulk load of 40", rec.steps
    t = tree_of(300)
    yield "store into 300 entries", recorded(t, "store 1501", t.store, 1501, 1502, 999)


@pytest.mark.dot
@no_dot
@pytest.mark.parametrize("presenter", [False, True])
def test_worst_cases_fit_the_screen_at_readable_sizes(presenter):
    want = 16 if presenter else 11
    for name, steps in worst_cases():
        frames = build_trace(steps, presenter=presenter)
        for i in sorted({0, len(frames) // 2, len(frames) - 1}):
            width, text = svg_measure(frames[i].dot)
            assert width <= SCREEN_PX and text >= want, (name, i, width, text)


def test_notation_key_draws_every_mark():
    from mapletree_edu.render import notation_dot
    from mapletree_edu.render.fmt import escape
    dot = notation_dot()
    for m in MARKS:
        assert f"<B>{escape(m.name)}</B>" in dot and escape(m.meaning) in dot
    few = notation_dot(["gap_off", "path"])
    assert "* gap_off" in few and ">new<" not in few
    with pytest.raises(ValueError, match="unknown mark"):
        notation_dot(["nope"])


def test_a_read_marks_only_the_way_it_has_walked():
    """Step 0 of a lookup shows the tree before the walk: no path and no looked-up range
    (they would answer "which nodes will it read?"); the path grows with the state's
    node, and the range is marked once the walk is in the leaf. The nodes still to come
    are drawn in full, unmarked, so the frames keep one layout."""
    from mapletree_edu.render.highlight import step_highlight
    t = tree_of(60)
    steps = recorded(t, "load 300", t.load, 300)
    assert t.height >= 2 and steps[0].node is None
    frames = build_trace(steps)
    first, _ = step_highlight(steps[0], None, None)
    assert first.path == () and first.range is None and "path" not in frames[0].legend
    assert set(steps[0].path) <= set(frames[0].plan.visible)
    walked = []
    for s in steps:
        hl, _ = step_highlight(s, None, None)
        if s.node is not None:
            walked = list(s.path[:s.path.index(s.node) + 1])
        assert list(hl.path) == walked
        leaf = s.node is not None and s.view.by_serial()[s.node].type == "leaf_64"
        assert (hl.range is not None) == leaf, (s.n, s.fn)
    assert list(hl.path) == list(steps[-1].path) and hl.range is not None
    # a write step still marks its whole path from the start
    w = recorded(t, "store 700", t.store, 700, 705, 1)
    assert step_highlight(w[0], None, None)[0].path == tuple(w[0].path) != ()


def test_a_gap_search_starts_before_its_first_decision():
    """Step 0 of a gap search is the call itself (a model step, no trace point): no
    verdict, no path, no range, and the end of the tree where the search starts reading
    drawn in full; the first decision is step 1."""
    from mapletree_edu.render.highlight import step_highlight
    t = tree_of(200)
    for top_down, fn in ((True, "mas_empty_area_rev"), (False, "mas_empty_area")):
        steps = recorded(t, "search", lambda td=top_down: t.empty_area(0, 5000, 2, top_down=td))
        first = steps[0]
        assert first.fn == fn and first.ev is None and "look for 2 free indices" in first.why
        hl, _ = step_highlight(first, None, None)
        assert hl.path == () and hl.range is None and hl.pruned == () and hl.slot is None
        end = 5000 if top_down else 0
        assert set(hl.keep) == set(first.view.path_to(end))
        assert "focus" not in " ".join(build(first).caption)
        assert steps[1].fn in ("mas_rev_awalk", "mas_awalk", "mas_anode_descend")


def test_a_search_s_focus_is_not_shown_as_a_kernel_detail():
    from mapletree_edu.widgets.readers import read_kernel_panel_html
    t = tree_of(200)
    steps = recorded(t, "search", lambda: t.empty_area(0, 5000, 2))
    assert dict(steps[0].info).get("focus") == 5000
    assert "focus" not in read_kernel_panel_html(steps[0])
