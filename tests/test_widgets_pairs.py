# SPDX-License-Identifier: GPL-2.0-or-later
"""SideBySide: normal appends beside a bulk load (aligned by op) and source beside copy
during __mt_dup."""

import re
import shutil

import pytest

pytest.importorskip("ipywidgets")

from mapletree_edu import MapleTree, MapleTreeError  # noqa: E402
from mapletree_edu.trace import record  # noqa: E402
from mapletree_edu.widgets import SideBySide  # noqa: E402
from mapletree_edu.widgets.dup_copy import (  # noqa: E402
    copy_view,
    dup_allocated,
    dup_serials,
    dup_visited,
)
from mapletree_edu.widgets.pairs import align_by_index, align_by_op  # noqa: E402

no_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` missing")
VMAS = [(0x1000 + i * 0x2000, 0x1fff + i * 0x2000) for i in range(24)]


def appends_and_bulk(vmas=VMAS):
    a = MapleTree()
    with record(a, "normal appends") as ra:
        for k, (first, last) in enumerate(vmas):
            a.store(first, last, k + 1)
    b = MapleTree()
    with record(b, "bulk load") as rb:
        with b.bulk(len(vmas)) as bl:
            for k, (first, last) in enumerate(vmas):
                bl.store(first, last, k + 1)
    return ra.steps, rb.steps


def op_number(steps):
    """For each step, how many stores started before or at it (an independent count)."""
    out, k = [], 0
    for s in steps:
        if s.ev and s.fn in ("mtree_store_range", "mas_store", "mtree_erase"):
            k += 1
        out.append(max(k, 1))
    return out


def test_align_by_op_pairs_the_same_store():
    left, right = appends_and_bulk()
    pairs = align_by_op(left, right)
    assert pairs[0] == (0, 0) and pairs[-1] == (len(left) - 1, len(right) - 1)
    nl, nr = op_number(left), op_number(right)
    assert max(nl) == max(nr) == len(VMAS)
    for li, ri in pairs:
        assert nl[li] == nr[ri]
    # every step of both traces is shown, in order
    assert sorted({li for li, _ in pairs}) == list(range(len(left)))
    assert sorted({ri for _, ri in pairs}) == list(range(len(right)))
    assert all(b[0] >= a[0] and b[1] >= a[1] for a, b in zip(pairs, pairs[1:], strict=False))


def test_align_by_index_holds_the_shorter_trace():
    left, right = appends_and_bulk()
    pairs = align_by_index(left[:3], right)
    assert len(pairs) == len(right) and pairs[-1] == (2, len(right) - 1)


def test_side_by_side_moves_both_panels():
    left, right = appends_and_bulk()
    s = SideBySide(left, right, titles=("normal appends", "bulk load"))
    assert s.state()["n_frames"] == len(s.pairs)
    s.transport.fwd_btn.click()
    s.transport.fwd_btn.click()
    st = s.state()
    li, ri = s.pairs[2]
    assert st["left"]["fn"] == left[li].fn and st["right"]["fn"] == right[ri].fn
    s.transport.last_btn.click()
    st = s.state()
    assert st["left"]["fn"] == left[-1].fn and st["right"]["fn"] == right[-1].fn
    assert "mas_destroy" == right[-1].fn
    # a held side says so
    held = next(k for k in range(1, len(s.pairs)) if s.pairs[k][0] == s.pairs[k - 1][0])
    s.goto(held)
    assert "waiting" in s.left.status.value and "waiting" not in s.right.status.value


def test_side_by_side_bad_align():
    left, right = appends_and_bulk()
    with pytest.raises(MapleTreeError):
        SideBySide(left, right, align="sideways")
    with pytest.raises(MapleTreeError):
        SideBySide(left, right, align=[(0, len(right))])
    with pytest.raises(MapleTreeError):
        SideBySide([], right)


def dup_steps(n=60, with_copy=False):
    t = MapleTree()
    with t.bulk(n) as b:
        for i in range(n):
            b.store(0x1000 + i * 0x2000, 0x1fff + i * 0x2000, i + 1)
    with record(t, "dup") as rec:
        copy = t.dup()
    return (t, rec.steps, copy) if with_copy else (t, rec.steps)


def test_dup_copy_panel_names_the_copy_s_own_nodes():
    """The copy's nodes are new allocations: the copy panel labels them with their own
    serials (those of the finished copy), never the source's; a copied internal node
    points at its children's copies once they are allocated, at the source's children
    before (mas_copy_node copies the slots whole)."""
    from mapletree_edu.trace import TreeView
    t, steps, copy = dup_steps(with_copy=True)
    serials = dup_serials(steps)
    src_view = steps[-1].view
    real = TreeView.of(copy._tree)
    assert {n.serial for n in src_view.nodes}.isdisjoint({n.serial for n in real.nodes})
    # node for node, in the same pre-order: the copy of each source node
    assert [serials[n.serial] for n in src_view.nodes] == [n.serial for n in real.nodes]
    last = len(steps) - 1
    whole = copy_view(src_view, dup_visited(steps, last), serials, dup_allocated(steps, last))
    assert [(n.serial, n.parent, n.slots) for n in whole.nodes] == \
        [(n.serial, n.parent, n.slots) for n in real.nodes]
    # right after the root is copied, before its children are allocated
    first_build = next(i for i, st in enumerate(steps) if st.fn == "mas_dup_build")
    (root,) = copy_view(src_view, dup_visited(steps, first_build), serials,
                        dup_allocated(steps, first_build)).nodes
    src_root = src_view.nodes[0]
    assert root.serial == serials[src_root.serial] != src_root.serial
    assert root.slots == src_root.slots
    assert steps[first_build + 1].fn == "mas_dup_alloc"
    (root,) = copy_view(src_view, dup_visited(steps, first_build + 1), serials,
                        dup_allocated(steps, first_build + 1)).nodes
    assert root.slots[:root.end + 1] == tuple(serials[c]
                                              for c in src_root.slots[:src_root.end + 1])


def test_dup_visited_grows_in_pre_order():
    t, steps = dup_steps()
    last = dup_visited(steps, len(steps) - 1)
    assert len(last) == t.node_count
    nodes = steps[-1].view.nodes                      # pre-order of the source
    assert sorted(last, key=last.get) == [n.serial for n in nodes]
    sizes = [len(dup_visited(steps, i)) for i in range(len(steps))]
    assert sizes == sorted(sizes) and sizes[0] == 1


def test_dup_copy_panel_after_a_failed_child_allocation():
    """When mas_dup_alloc fails for a copied node, the model clears that copy's slots to
    NULL: the copy panel shows them so (and says so on hover), under the copy's serial."""
    t, _steps = dup_steps()
    t.allocator.set_fail_at(3)
    try:
        with record(t, "dup") as rec:
            t.dup()
    except MapleTreeError:
        pass
    finally:
        t.allocator.set_fail_at(None)
    steps = rec.steps
    k = next(i for i, st in enumerate(steps)
             if st.fn == "mas_dup_alloc" and not st.details["ok"])
    failed_src = steps[k - 1].details["src"]
    serials = dup_serials(steps)
    v = copy_view(steps[k].view, dup_visited(steps, k), serials, dup_allocated(steps, k))
    node = next(n for n in v.nodes if n.serial == serials[failed_src])
    assert node.slots[:node.end + 1] == (None,) * (node.end + 1)
    dot = SideBySide.dup(steps, animate=False).right.frames.dot(k)
    assert "NULL (no child)" in dot and f"n{serials[failed_src]}" in dot


@pytest.mark.dot
@no_dot
def test_dup_copy_panel_shows_only_the_nodes_copied_so_far():
    t, steps = dup_steps()
    s = SideBySide.dup(steps)
    builds = [i for i, st in enumerate(steps) if st.fn == "mas_dup_build"]
    k = builds[len(builds) // 2]
    s.goto(k)
    serials = dup_serials(steps)
    visited = {serials[src]: v for src, v in dup_visited(steps, k).items()}
    assert 0 < len(visited) < t.node_count
    dot = s.right.frames.dot(k)
    named = set(re.findall(r"^\s*n(\d+) \[label=", dot, re.M))
    # the copy panel fits its width: it draws copied nodes only (under the copies' own
    # serials), the latest always; the older ones it leaves out are counted in its
    # summary boxes
    assert named <= {str(x) for x in visited}
    assert named.isdisjoint({str(n.serial) for n in steps[k].view.nodes})
    latest = max(visited, key=visited.get)
    assert str(latest) in named and f"visit {visited[latest]}" in dot
    for x in named:
        assert f"visit {visited[int(x)]}" in dot
    summarized = sum(int(c) for c in re.findall(r"(\d+) copied", dot))
    assert len(named) + summarized == len(visited)
    st = s.state()
    assert st["right"]["svg_nodes"] == len(named) + dot.count("rounded,dashed")
    # the source panel draws the node being copied at this step
    src = steps[k].details.get("src")
    assert src is None or re.search(rf"^\s*n{src} \[label=", s.left.frames.dot(k), re.M)
    assert st["left"]["svg_nodes"] >= 1
    s.transport.last_btn.click()
    last = s.right.frames.dot(s.right.index)
    drawn = len(re.findall(r"^\s*n\d+ \[label=", last, re.M))
    assert drawn + sum(int(c) for c in re.findall(r"(\d+) copied", last)) == t.node_count


def test_dup_requires_dup_steps():
    left, _right = appends_and_bulk()
    with pytest.raises(MapleTreeError):
        SideBySide.dup(left)


@pytest.mark.dot
@no_dot
def test_side_by_side_static_fallback_holds_both_diagrams():
    left, right = appends_and_bulk(VMAS[:6])
    s = SideBySide(left, right, titles=("normal appends", "bulk load"), start=-1)
    b = s._repr_mimebundle_()
    svg = b["image/svg+xml"]
    # one picture: the hint line, around both diagrams side by side
    assert svg.startswith("<svg") and svg.count("<svg") == 4 and "Run this cell" in svg
    assert b["text/plain"].startswith("Run this cell")
    assert __import__("base64").b64decode(b["image/png"]).startswith(b"\x89PNG")
    assert svg.count('class="node"') == (s.state()["left"]["svg_nodes"]
                                         + s.state()["right"]["svg_nodes"])
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert len(ids) == len(set(ids))
    assert "normal appends" in b["text/plain"] and "bulk load" in b["text/plain"]


def test_arrange_beside_or_stacked():
    left, right = appends_and_bulk(VMAS[:4])
    s = SideBySide(left, right, arrange="beside")
    (row,) = s.body.children
    assert [c.children[0] for c in row.children] == [s.left.top, s.right.top]
    s.arrange.value = "stacked"
    assert list(s.body.children[:2]) == [s.left.top, s.right.top]
    assert s.left.view in s.body.children[0].children
    with pytest.raises(MapleTreeError):
        SideBySide(left, right, arrange="diagonal")


@pytest.mark.dot
@no_dot
def test_arrange_auto_stacks_wide_diagrams():
    small_l, small_r = appends_and_bulk(VMAS[:2])
    wide_l, wide_r = appends_and_bulk()
    assert SideBySide(small_l, small_r).arrange.value == "beside"
    assert SideBySide(wide_l, wide_r, start=-1).arrange.value == "stacked"


def test_arrange_auto_uses_a_slide_s_wider_columns_in_a_deck(monkeypatch):
    """In a slide deck (the kernel started by the slides launcher) a column is about
    620 px wide, not 474: a pair whose widest diagram is 351-465 pt stays beside."""
    from mapletree_edu.widgets import diagram, pairs
    left, right = appends_and_bulk(VMAS[:22])
    k = len(SideBySide(left, right).pairs) - 1
    s = SideBySide(left, right, start=k)
    assert pairs.AUTO_WIDTH_PT < s._widest(k) <= pairs.DECK_AUTO_WIDTH_PT
    assert s.arrange.value == "stacked"
    monkeypatch.setattr(diagram, "IN_DECK", True)
    assert SideBySide(left, right, start=k).arrange.value == "beside"
    # a pair too wide for a slide's column is drawn for it (the pipeline collapses what
    # does not fit): beside, every frame within the column, at presenter size
    wide_l, wide_r = appends_and_bulk(VMAS[:8])
    monkeypatch.setattr(diagram, "IN_DECK", False)
    assert SideBySide(wide_l, wide_r, start=-1).arrange.value == "stacked"
    monkeypatch.setattr(diagram, "IN_DECK", True)
    monkeypatch.setitem(diagram.PRESENTER, "on", True)
    w = SideBySide(wide_l, wide_r, start=-1, dot_opts={"collapse": 4})
    assert w.arrange.value == "beside"
    column_pt = pairs.DECK_COLUMN_PX * 3 / 4
    for k, (a, b) in enumerate(w.pairs):
        nodes = max(len(side.frames.frame(i).plan.visible)
                    for side, i in ((w.left, a), (w.right, b)))
        if nodes > 1:        # one full node cannot be narrower: that frame is stacked
            assert w._widest(k) <= column_pt, k
            assert w._auto_arrangement(k) == "beside"
    # unless the caller asked for everything
    assert pairs._deck_opts({"collapse": False}) == {"collapse": False}
    assert pairs._deck_opts({"collapse": 4}) == {"collapse": True,
                                                 "width_px": pairs.DECK_COLUMN_PX}
    monkeypatch.setattr(diagram, "IN_DECK", False)
    assert pairs._deck_opts({"collapse": 4}) == {"collapse": 4}


@pytest.mark.dot
@no_dot
def test_dup_copy_is_drawn_at_the_source_s_scale():
    from mapletree_edu.widgets.frames import svg_width_pt

    _t, steps = dup_steps()
    s = SideBySide.dup(steps, start=1, animate=False)
    k = s.value
    src_w = svg_width_pt(s.left.frames.svg(k))
    copy_w = svg_width_pt(s.right.frames.svg(k))
    assert copy_w > 0 and src_w > 0
    m = re.search(r'<svg style="[^"]*max-width:([0-9.]+)%', s.right.view.value)
    want = 100 * copy_w / src_w if copy_w < src_w else 100
    assert m and float(m.group(1)) == pytest.approx(want, abs=0.01)
    assert "max-width:100%" in s.left.view.value
