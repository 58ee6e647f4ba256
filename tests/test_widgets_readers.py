# SPDX-License-Identifier: GPL-2.0-or-later
"""The read-side players (mapletree_edu.widgets.readers), headless: the steps they
record, the maple state beside the diagram, the gap verdicts, the RCU interleaving, and
the simulated mm they drive (mapletree_edu.mm)."""

import pytest

pytest.importorskip("ipywidgets")

from mapletree_edu import ULONG_MAX, MapleTree  # noqa: E402
from mapletree_edu.errors import InvalidArgumentError, MapleTreeError  # noqa: E402
from mapletree_edu.mm import (  # noqa: E402
    PAGE_SIZE,
    STACK_GUARD_GAP,
    Mm,
    MmapError,
    UnmappedAreaInfo,
    vm_end_gap,
    vm_start_gap,
)
from mapletree_edu.widgets.readers import (  # noqa: E402
    CursorPlayer,
    FreeSpacePlayer,
    RcuPlayer,
    ReadPlayer,
    mas_table_html,
    record_cursor,
    record_rcu,
)


def small():
    t = MapleTree()
    for i, (a, b) in enumerate([(10, 19), (30, 39), (40, 49)]):
        t.store(a, b, i + 1)
    return t


# --- the cursor player -------------------------------------------------------------------------
def test_cursor_player_starts_at_step_zero_and_follows_the_cursor():
    p = CursorPlayer(small(), [("walk",), ("find", 45), ("find", 45), ("find", 45)], start=25)
    assert p.value == 0
    # every call ends with a step naming what it returned, the last find included
    ends = [p.steps[c.end_step] for c in p.calls]
    assert [s.fn for s in ends] == ["mas_walk", "mas_find", "mas_find", "mas_find"]
    assert [c.entry for c in p.calls] == [None, 2, 3, None]
    assert [(c.mas["index"], c.mas["last"]) for c in p.calls] == [(20, 29), (30, 39),
                                                                    (40, 49), (40, 49)]
    assert all(c.mas["status"] == "active" for c in p.calls)
    # the panel shows the state of the step shown, and changes with it
    p.goto(p.calls[1].end_step)
    st = p.state()
    assert st["mas"]["index"] == 30 and st["mas"]["offset"] == 3
    assert 'data-key="index"' in p.panel.value and ">30<" in p.panel.value.replace("<b>", "")


def test_cursor_player_shows_overflow_and_underflow():
    p = CursorPlayer(small(), [("next", 45), ("next", 100), ("prev", 0), ("prev", 0),
                               ("prev", 0), ("prev", 0)], start=40)
    statuses = [c.mas["status"] for c in p.calls]
    assert statuses[:2] == ["overflow", "overflow"]
    assert statuses[-1] == "underflow"
    assert p.calls[2].entry == 3 and p.calls[3].entry == 2


def test_cursor_pause_keeps_index_and_forgets_the_node():
    steps, calls = record_cursor(small(), [("find", ULONG_MAX), ("pause",), ("find", ULONG_MAX)],
                                 start=0)
    assert calls[1].mas["status"] == "pause" and calls[1].mas["node"] is None
    assert calls[1].mas["index"] == 10
    assert calls[2].entry == 2
    assert steps[0].n == 0 and [s.n for s in steps] == list(range(len(steps)))


def test_bad_cursor_ops_are_refused_clearly():
    with pytest.raises(InvalidArgumentError, match="not a cursor op"):
        CursorPlayer(small(), [("jump", 3)])
    with pytest.raises(InvalidArgumentError, match="takes 1 argument"):
        CursorPlayer(small(), [("find",)])


def test_mas_table_marks_changes():
    html = mas_table_html({"index": 5, "last": 9, "node": 3, "offset": 1, "status": "active"},
                          {"index": 5, "last": 7, "node": 3, "offset": 1, "status": "active"})
    assert "<b>9</b>" in html and "<b>5</b>" not in html and "n3" in html


def test_lanes_and_notes_must_match_the_steps():
    steps, _calls = record_cursor(small(), [("walk",)], start=10)
    with pytest.raises(InvalidArgumentError, match="lanes"):
        ReadPlayer(steps, lanes=["reader"] * (len(steps) + 1))


# --- the free-space player and the mm ------------------------------------------------------------
def test_free_space_player_search_then_store():
    mm = Mm.sample()
    before = {v.start for v in mm.vmas()}
    p = FreeSpacePlayer(mm, 3 * PAGE_SIZE, "mmap")
    fns = [s.fn for s in p.steps]
    assert p.value == 0 and p.vma is not None
    assert fns.index("mas_empty_area_rev") < fns.index("mmap_region") \
        < fns.index("mtree_store_range")
    # the search's verdicts are in the steps, and the panel lists them
    pruned = [x for s in p.steps for x in s.details.get("pruned", ())]
    assert any(v == "enter" for *_x, v in pruned)
    k = next(i for i, s in enumerate(p.steps) if s.details.get("pruned"))
    p.goto(k)
    assert "subtrees looked at" in p.panel.value
    # the VMA is in the tree, over the top of the highest hole below mmap_base
    assert mm.tree.load(p.vma.start) is p.vma
    assert p.vma.start not in before
    nxt = mm.tree.find(p.vma.end)
    assert nxt is not None and nxt[0] == p.vma.end      # placed right below the VMA above
    assert not mm.tree.validate()
    assert p.steps[-1].fn == "mas_update_gap"


def test_free_space_player_names_the_gap_it_changed():
    # one-page VMAs at pages 100, 102, ... with one-page holes, less the four at pages
    # 110-116: a 9-page hole [109, 118). A 6-page mmap takes its top, [112, 118), and that
    # leaf's largest gap drops from 9 to 3 pages
    vmas = [((100 + 2 * i) * PAGE_SIZE, (101 + 2 * i) * PAGE_SIZE, {"rd"}, "v")
            for i in range(60) if not 5 <= i < 9]
    vmas.append((1 * PAGE_SIZE, 100 * PAGE_SIZE, {"rd"}, "low"))     # hole [0, 1) only
    mm = Mm(vmas, mmap_base=(101 + 2 * 59) * PAGE_SIZE)
    assert mm.tree.height >= 2
    p = FreeSpacePlayer(mm, 6 * PAGE_SIZE)
    assert p.vma.start == 112 * PAGE_SIZE
    last = p.steps[-1]
    assert last.fn == "mas_update_gap"
    assert f"{9 * PAGE_SIZE:#x} -> {3 * PAGE_SIZE:#x}" in last.why


def test_unmapped_area_topdown_guard_gap_retry():
    top = 0x7F00_0000_0000
    gd = (top - 0x20_0000, top - 0x1F_0000, {"rd", "wr", "gd"}, "stack-like")
    mm = Mm([(0x1000_0000, 0x1001_0000, {"rd"}, "a"), gd, (top - 0x1F_0000, top, {"rd"}, "b")],
            mmap_base=top)
    area = mm.vm_unmapped_area(UnmappedAreaInfo(16 * PAGE_SIZE, PAGE_SIZE, top))
    assert len(area.rounds) == 2 and area.rounds[0].retry
    # the second search stops below the guard gap of the grows-down VMA
    assert area.addr + 16 * PAGE_SIZE <= gd[0] - STACK_GUARD_GAP
    assert area.addr == gd[0] - STACK_GUARD_GAP - 16 * PAGE_SIZE


def test_unmapped_area_alignment_and_limits():
    mm = Mm.sample()
    v = mm.mmap(5 * PAGE_SIZE, align=0x20_0000)
    assert v.start % 0x20_0000 == 0
    assert mm.last_area.info.align_mask == 0x1F_FFFF
    assert mm.last_area.rounds[0].window[2] == 5 * PAGE_SIZE + 0x1F_FFFF
    assert mm.last_area.rounds[0].window[0] == mm.mmap_min_addr   # low_limit raised
    assert mm.last_area.rounds[0].window[1] == mm.mmap_base - 1    # high_limit exclusive


def test_guard_gap_helpers():
    from mapletree_edu.mm import MmVma
    stack = MmVma(0x10_0000_0000, 0x10_0010_0000, {"gd"}, "[stack]")
    plain = MmVma(0x10_0000_0000, 0x10_0010_0000, {"rd"}, "x")
    assert vm_start_gap(stack) == stack.start - STACK_GUARD_GAP
    assert vm_start_gap(plain) == plain.start
    assert vm_end_gap(plain) == plain.end


def test_munmap_splits_and_clears():
    mm = Mm.sample()
    libc_x = next(v for v in mm.vmas() if v.label == "libc r-x")
    cut = libc_x.start + 4 * PAGE_SIZE
    mm.munmap(cut, 2 * PAGE_SIZE)
    assert mm.tree.load(cut) is None and mm.tree.load(cut + 2 * PAGE_SIZE - 1) is None
    low, high = mm.tree.load(libc_x.start), mm.tree.load(cut + 2 * PAGE_SIZE)
    assert (low.start, low.end) == (libc_x.start, cut)
    assert (high.start, high.end) == (cut + 2 * PAGE_SIZE, libc_x.end)
    assert not mm.tree.validate()


def test_mmap_errors_are_clear_and_leave_the_tree_alone():
    mm = Mm.sample()
    before = list(mm.tree.ranges())
    with pytest.raises(MmapError, match="positive"):
        mm.mmap(0)
    with pytest.raises(MmapError, match="page-aligned"):
        mm.munmap(123, PAGE_SIZE)
    with pytest.raises(MmapError, match="ENOMEM"):
        mm.mmap(mm.task_size + PAGE_SIZE)
    with pytest.raises(InvalidArgumentError, match="align"):
        mm.mmap(PAGE_SIZE, align=3 * PAGE_SIZE)
    assert list(mm.tree.ranges()) == before
    assert isinstance(MmapError(-12, "x"), MapleTreeError)


def test_failed_search_falls_back_bottom_up():
    # nothing fits below mmap_base: the bottom-up search above mmap_legacy_base is used
    mm = Mm([(0x10000, 0x2000_0000, {"rd"}, "big")], mmap_base=0x2000_0000)
    v = mm.mmap(PAGE_SIZE)
    assert v.start >= mm.mmap_legacy_base
    assert any(r.found is None for r in mm.last_area.rounds)


# --- the RCU reader and writer ------------------------------------------------------------
def heap_start(mm):
    return next(v for v in mm.vmas() if v.name == "[heap]").start


def test_rcu_reader_finds_its_node_dead_and_walks_again():
    mm = Mm.sample()
    anon = next(v for v in mm.vmas() if v.end == next(
        x for x in mm.vmas() if x.name.endswith("libc.so.6")).start)
    p = RcuPlayer(mm.tree, heap_start(mm), (anon.start, anon.end - 1, None), "rcu")
    assert p.value == 0
    assert p.facts["dead"] and p.facts["rewalked"]
    assert p.facts["entry"].name.endswith("libc.so.6")      # the anon VMA is gone
    lanes = p.lanes
    assert lanes[0] == "reader" and "writer" in lanes and lanes[-1] == "reader"
    assert lanes.index("writer") < len(lanes) - 1 - lanes[::-1].index("writer")
    dead_step = next(i for i, s in enumerate(p.steps) if s.fn == "ma_dead_node")
    assert lanes[dead_step] == "reader"
    p.goto(dead_step)
    assert 'data-lane="reader"' in p.panel.value and "dead" in p.panel.value


def test_rcu_exact_fit_keeps_the_reader_node():
    mm = Mm.sample()
    h = next(v for v in mm.vmas() if v.name == "[heap]")
    steps, lanes, notes, facts = record_rcu(mm.tree, h.start, (h.start, h.end - 1, "new"))
    assert not facts["dead"] and not facts["rewalked"]
    assert "ma_dead_node" not in [s.fn for s in steps]


def test_rcu_player_needs_rcu_mode():
    with pytest.raises(InvalidArgumentError, match="RCU mode"):
        record_rcu(small(), 10, (10, 19, "x"))


def test_mm_imports_no_view_library():
    """mapletree_edu.mm is facade layer: no graphviz, ipywidgets or matplotlib."""
    import json
    import subprocess
    import sys
    code = ("import json, sys; import mapletree_edu.mm as m; mm = m.Mm.sample(); "
            "mm.mmap(3 * m.PAGE_SIZE); "
            "print(json.dumps(sorted(x for x in sys.modules "
            "if x.split('.')[0] in ('graphviz', 'ipywidgets', 'matplotlib'))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def test_read_player_puts_the_state_beside_the_diagram():
    from mapletree_edu.render.metrics import DEFAULT_WIDTH_PX
    from mapletree_edu.widgets import diagram
    from mapletree_edu.widgets.readers import DIAGRAM_WIDTH_PX, PANEL_PX
    p = CursorPlayer(small(), [("find", 100)], start=0)
    rows = [c for c in p.children if p.view in getattr(c, "children", ())]
    assert rows and p.panel in rows[0].children and rows[0].layout.flex_flow == "row"
    # the frames are drawn for the width left beside the panel (not shrunk by the page)
    assert DIAGRAM_WIDTH_PX + PANEL_PX < DEFAULT_WIDTH_PX
    assert p.frames.frame(0).width_px == DIAGRAM_WIDTH_PX
    assert p.frames.frame(0).est_width_px <= DIAGRAM_WIDTH_PX
    assert "maple state" in p.panel.value and ".mt-presenter .mt-read-panel" in p.panel.value
    # presenter mode: 16 px text, the panel under the diagram, the whole width for it
    try:
        p.presenter.value = True
        f = p.frames.frame(p.value)
        assert f.text_px >= 16 and f.width_px == DEFAULT_WIDTH_PX
        assert rows[0].layout.flex_flow == "column" and p.panel.layout.width == "100%"
        assert "mt-presenter" in p._dom_classes
        p.presenter.value = False
        assert p.frames.frame(p.value).width_px == DIAGRAM_WIDTH_PX
        assert rows[0].layout.flex_flow == "row"
    finally:
        diagram.PRESENTER["on"] = False


def test_read_player_puts_the_panel_under_a_diagram_too_wide_beside_it():
    from mapletree_edu.lessons import l04
    from mapletree_edu.render.metrics import DEFAULT_WIDTH_PX
    from mapletree_edu.widgets.readers import DIAGRAM_WIDTH_PX
    p = FreeSpacePlayer(l04.demo_mm(), l04.DEMO_LEN, "mmap")
    ests = [p.frames.frame(i).est_width_px for i in range(p.n_steps)]
    beside = p.frames.remake(width_px=DIAGRAM_WIDTH_PX)
    # a new leaf of a real process's VMAs (its header naming the leaf it replaces) is
    # wider than the room beside the panel
    assert max(beside.frame(i).est_width_px for i in range(p.n_steps)) > DIAGRAM_WIDTH_PX
    assert not p.beside and p.frames.frame(0).width_px == DEFAULT_WIDTH_PX
    assert max(ests) > DIAGRAM_WIDTH_PX
    row = next(c for c in p.children if p.view in getattr(c, "children", ()))
    assert row.layout.flex_flow == "column" and p.panel.layout.width == "100%"


def test_read_players_draw_the_read_marks():
    """The state's slot and the gap search's verdicts are drawn in the diagram."""
    p = CursorPlayer(small(), [("find", 100), ("next", 100)])
    used = set().union(*(p.frames.frame(i).marks.used for i in range(p.n_steps)))
    assert "slot" in used
    fp = FreeSpacePlayer(Mm.sample(), 3 * PAGE_SIZE, "mmap")
    marks = set().union(*(fp.frames.frame(i).marks.used for i in range(fp.n_steps)))
    assert {"skip", "enter"} & marks and any(s.details.get("pruned") for s in fp.steps)
    # the gap search's index/last are its window, and a decision between steps is about no
    # range: neither draws a written range; the first decision shows the root
    first = fp.steps[0]
    assert first.fn == "unmapped_area_topdown" and first.path == (first.view.nodes[0].serial,) \
        and first.view.nodes[0].parent is None
    for i, s in enumerate(fp.steps):
        if "pruned" in s.details or s.details.get("range", ()) is None:
            assert "range" not in fp.frames.frame(i).marks.used, (i, s.fn)
    store = next(i for i, s in enumerate(fp.steps) if s.fn == "mmap_region")
    assert "range" in fp.frames.frame(store).marks.used


def flat_topdown(vmas, length, low, high, mask):
    """unmapped_area_topdown() over a sorted list of (start, end) without guard gaps: the
    highest hole of length + mask inside [low, high), its top aligned down."""
    need = length + mask
    holes, cur = [], 0
    for s, e in sorted(vmas):
        holes.append((cur, s))
        cur = e
    holes.append((cur, 1 << 64))
    for s, e in reversed(holes):
        s, e = max(s, low), min(e, high)
        if e - s >= need:
            gap = e - length
            return gap - (gap & mask)
    return None


def test_unmapped_area_topdown_matches_a_flat_model():
    import random
    rng = random.Random(20240603)
    for _case in range(60):
        n = rng.randrange(1, 60)
        starts = sorted(rng.sample(range(16, 4000), n))
        vmas = []
        for s in starts:
            e = s + rng.randrange(1, 6)
            if not vmas or s >= vmas[-1][1]:
                vmas.append((s, e))
        pages = [(s * PAGE_SIZE, e * PAGE_SIZE, {"rd"}, "v") for s, e in vmas]
        base = rng.randrange(2000, 4100) * PAGE_SIZE
        mm = Mm(pages, mmap_base=base)
        for _req in range(5):
            length = rng.randrange(1, 40) * PAGE_SIZE
            mask = rng.choice((0, 0, 4 * PAGE_SIZE - 1, 16 * PAGE_SIZE - 1))
            info = UnmappedAreaInfo(length, PAGE_SIZE, base, mask, 0, True)
            got = mm.vm_unmapped_area(info).addr
            want = flat_topdown([(a, b) for a, b, _f, _n in pages], length,
                                mm.mmap_min_addr, base, mask)
            assert got == want, (pages, length, mask, base)


def test_cursor_scenario_with_a_write_between_calls():
    steps, calls = record_cursor(small(), [("find", ULONG_MAX), ("find", ULONG_MAX), ("pause",),
                                           ("clear", 30, 39), ("find", ULONG_MAX)])
    assert [c.call for c in calls] == ["mas_find(MAX)"] * 2 + ["mas_pause()", "mas_find(MAX)"]
    assert calls[-1].entry == 3 and calls[-1].mas["index"] == 40
    assert any(s.op == "clear(30, 39)" and s.ev == "write" for s in steps)
    # without the pause the cursor may not go on after the write (not an RCU tree)
    from mapletree_edu.errors import StaleCursorError
    with pytest.raises(StaleCursorError):
        record_cursor(small(), [("find", ULONG_MAX), ("clear", 30, 39), ("find", ULONG_MAX)])


def test_doctests_of_mm_and_readers():
    import doctest

    import mapletree_edu.mm
    import mapletree_edu.widgets.readers
    for module in (mapletree_edu.mm, mapletree_edu.widgets.readers):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_kernel_panel_names_read_functions_and_their_files():
    p = FreeSpacePlayer(Mm.sample(), PAGE_SIZE)
    k = next(i for i, s in enumerate(p.steps) if s.fn == "unmapped_area_topdown")
    p.goto(k)
    assert "mm/mmap.c" in p.kernel.value and "lib/maple_tree.c" not in p.kernel.value
    assert "highest hole" in p.kernel.value
    k = next(i for i, s in enumerate(p.steps) if s.fn == "mas_rev_awalk")
    p.goto(k)
    assert "lib/maple_tree.c" in p.kernel.value and "&mdash;</td>" not in p.kernel.value
    # the maple state and the verdicts are in the panel beside the diagram, not repeated
    assert p.steps[k].details.get("pruned") and "<code>pruned</code>" not in p.kernel.value
    assert "<code>mas</code>" not in p.kernel.value and "subtrees looked at" in p.panel.value
    p.goto(0)
    assert "<code>range</code>" not in p.kernel.value
