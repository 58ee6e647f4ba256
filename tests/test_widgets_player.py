# SPDX-License-Identifier: GPL-2.0-or-later
"""Headless tests of the step Player over real recorded traces (split, bulk load, dup)."""

import re
import shutil

import pytest

pytest.importorskip("ipywidgets")

from mapletree_edu import MapleTree, MapleTreeError  # noqa: E402
from mapletree_edu.render import svg as rsvg  # noqa: E402
from mapletree_edu.trace import record  # noqa: E402
from mapletree_edu.widgets import Player  # noqa: E402
from mapletree_edu.widgets.frames import svg_node_count  # noqa: E402

no_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` missing")


def split_trace():
    """15 ranges with NULL gaps fill two leaves; the 16th store overfills the right
    leaf, which splits."""
    t = MapleTree()
    for i in range(15):
        t.store(i * 10 + 10, i * 10 + 15, i + 1)
    with record(t, "store 160-165") as rec:
        t.store(160, 165, 99)
    return t, rec.steps


def bulk_trace(n=20):
    t = MapleTree()
    with record(t, f"bulk load of {n}") as rec:
        with t.bulk(n) as b:
            for i in range(n):
                b.store(0x1000 + i * 0x2000, 0x1fff + i * 0x2000, i + 1)
    return t, rec.steps


def dup_trace():
    t, _ = bulk_trace(40)
    with record(t, "dup") as rec:
        t.dup()
    return t, rec.steps


def slider_step(p):
    return p.transport.slider.value


# --- structure -------------------------------------------------------------------------

def test_player_has_one_persistent_view_and_transport():
    _t, steps = split_trace()
    p = Player(steps, title="split")
    view = p.view
    for _ in range(len(steps)):
        p.forward()
        assert p.view is view
    # the diagram's widget is in the player exactly once; nothing is an Output
    import ipywidgets as w

    def walk(x):
        yield x
        for c in getattr(x, "children", ()):
            yield from walk(c)
    kids = list(walk(p))
    assert sum(1 for k in kids if k is view) == 1
    assert not any(isinstance(k, w.Output) for k in kids)
    labels = [b.description for b in (p.transport.first_btn, p.transport.back_btn,
                                      p.transport.fwd_btn, p.transport.last_btn)]
    assert any("First" in s for s in labels) and any("Last" in s for s in labels)
    assert p.transport.play.max == p.transport.slider.max == len(steps) - 1


def test_buttons_move_and_stop_at_the_ends():
    _t, steps = split_trace()
    n = len(steps)
    p = Player(steps)
    assert p.value == 0 and p.transport.back_btn.disabled and p.transport.first_btn.disabled
    p.transport.back_btn.click()               # at the start: stays
    assert p.value == 0
    p.transport.fwd_btn.click()
    p.transport.fwd_btn.click()
    assert p.value == 2 == slider_step(p)
    p.transport.back_btn.click()
    assert p.value == 1
    p.transport.last_btn.click()
    assert p.value == n - 1 and p.transport.fwd_btn.disabled and p.transport.last_btn.disabled
    p.transport.fwd_btn.click()                # at the end: stays
    assert p.value == n - 1
    p.transport.first_btn.click()
    assert p.value == 0


def test_status_line_follows_the_step():
    _t, steps = split_trace()
    p = Player(steps, title="split")
    seen = set()
    for i, s in enumerate(steps):
        p.goto(i)
        st = p.state()
        assert st["fn"] == s.fn
        assert f"step {i} (steps 0\u2013{len(steps) - 1})" in st["status"]
        # the caption under the status line does not repeat it
        assert f"step {s.n}:" not in p.frames.dot(i)
        assert not s.why or s.why not in p.frames.dot(i)
        assert s.fn in p.status.value and f'data-step="{i}"' in p.status.value
        if s.why:
            assert s.why in st["status"]
        seen.add(st["status"])
    assert len(seen) == len(steps)


def test_slider_scrubs_and_value_trait_is_linked():
    _t, steps = split_trace()
    p = Player(steps)
    p.transport.slider.value = 3
    assert p.value == 3 and p.step is steps[3]
    p.value = 5
    assert slider_step(p) == 5 and p.state()["fn"] == steps[5].fn


def test_start_option_and_goto_errors():
    _t, steps = split_trace()
    p = Player(steps, start=-1)
    assert p.value == len(steps) - 1
    p2 = Player(steps, start=2)
    assert p2.value == 2 and p2.state()["fn"] == steps[2].fn
    with pytest.raises(MapleTreeError):
        p2.goto(len(steps))
    with pytest.raises(MapleTreeError):
        p2.goto("3")
    with pytest.raises(MapleTreeError):
        Player(steps, start=99)
    assert p2.value == 2


def test_kernel_panel_shows_fields_and_details():
    _t, steps = split_trace()
    p = Player(steps)
    k = next(i for i, s in enumerate(steps) if s.fn == "mab_calc_split")
    p.goto(k)
    d = steps[k].details
    panel = p.kernel.value
    assert "mab_calc_split" in panel and "lib/maple_tree.c" in panel
    assert f"= {d['b_end']}" in panel and f"= {d['split']}" in panel
    assert "no kernel trace point" in panel
    w = next(i for i, s in enumerate(steps) if s.ev == "write")
    p.goto(w)
    panel = p.kernel.value
    assert "ma_write" in panel and "piv=" in panel
    assert f"last={steps[w].last}" in panel
    push = next(i for i, s in enumerate(steps) if s.fn == "mas_push_data")
    p.goto(push)
    assert f"= {steps[push].details['side']}" in p.kernel.value


# --- the diagram -----------------------------------------------------------------------

@pytest.mark.dot
@no_dot
@pytest.mark.parametrize("make", [split_trace, bulk_trace, dup_trace])
def test_svg_per_step_has_the_step_s_nodes(make):
    _t, steps = make()
    p = Player(steps, animate=False)
    drawn = [i for i, s in enumerate(steps) if s.view.root == "node"]
    assert drawn
    for i in sorted({drawn[0], drawn[len(drawn) // 2], drawn[-1]}):
        p.goto(i)
        html = p.view.value
        assert "<svg" in html and "max-width:100%" in html and "height:auto" in html
        assert "<?xml" not in html
        # every tree node is drawn: as many graphviz nodes as the DOT names n<serial>
        dot = p.frames.dot(i)
        named = set(re.findall(r"^\s*(n\d+) \[label=", dot, re.M))
        shown = {f"n{n.serial}" for n in steps[i].view.nodes}
        assert named <= shown
        # the nodes the step changed are drawn (the rest may be collapsed)
        changed = {f"n{x}" for x in (*steps[i].new, *steps[i].modified)} & shown
        assert changed <= named
        assert svg_node_count(p.current_svg()) >= len(named) > 0
        assert p.state()["svg_nodes"] == svg_node_count(p.current_svg())


@pytest.mark.dot
@no_dot
def test_split_step_draws_more_nodes_than_before():
    _t, steps = split_trace()
    p = Player(steps)
    before = p.state()
    p.last()
    after = p.state()
    assert len(steps[-1].view.nodes) > len(steps[0].view.nodes)
    assert after["svg_nodes"] > before["svg_nodes"]
    assert after["dot_sha"] != before["dot_sha"] and after["html_sha"] != before["html_sha"]


@pytest.mark.dot
@no_dot
def test_frames_are_cached_and_next_is_prerendered():
    _t, steps = split_trace()
    p = Player(steps, animate=False)
    assert 1 in p.frames._html            # pre-rendered after showing step 0
    p.forward()
    cached = p.frames._html[1]
    p.back()
    p.forward()
    assert p.view.value is cached
    assert 2 in p.frames._html


@pytest.mark.dot
@no_dot
def test_mimebundle_has_the_start_frame_as_a_picture_with_a_hint():
    import base64

    from mapletree_edu.widgets.static import HINT

    _t, steps = split_trace()
    p = Player(steps, start=-1)
    b = p._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in b
    svg = b["image/svg+xml"]
    assert svg.startswith("<svg") and HINT in svg
    # the start frame's own picture is inside, with its nodes
    assert set(re.findall(r"<title>(n\d+)</title>", svg)) == \
        set(re.findall(r"<title>(n\d+)</title>", p.frames.svg(len(steps) - 1)))
    assert base64.b64decode(b["image/png"]).startswith(b"\x89PNG")
    assert b["text/plain"].startswith(HINT)
    assert steps[-1].fn in b["text/plain"] and "0x" not in b["text/plain"]
    # the picture is the start frame, wherever the player has been moved since
    p.first()
    assert p._repr_mimebundle_()["image/svg+xml"] == svg
    assert Player(steps)._repr_mimebundle_()["image/svg+xml"] != svg
    assert set(p.static_bundle(formats=["text/plain"])) == {"text/plain"}


def test_without_dot_the_static_view_shows_install_hint_and_text_dump(monkeypatch):
    monkeypatch.setattr(rsvg, "have_dot", lambda: False)
    _t, steps = split_trace()
    p = Player(steps, start=-1, animate=False)
    html = p.view.value
    assert "<svg" not in html
    assert "apt-get install graphviz" in html
    leaf = next(n for n in steps[-1].view.nodes if n.is_leaf)
    assert f"n{leaf.serial}" in html and "leaf_64" in html
    b = p._repr_mimebundle_()
    assert "image/svg+xml" not in b and "image/png" not in b
    assert "Run this cell" in b["text/plain"]
    st = p.state()
    assert st["have_svg"] is False and st["svg_nodes"] == 0


def test_without_dot_the_animated_view_still_gets_every_frame(monkeypatch):
    """The animated view needs DOT text only: the page lays it out, not the kernel."""
    def no_dot(*_a, **_k):
        raise AssertionError("the kernel ran dot")
    monkeypatch.setattr(rsvg, "have_dot", lambda: False)
    monkeypatch.setattr(rsvg, "dot_to_svg", no_dot)
    _t, steps = split_trace()
    p = Player(steps)
    assert p.view.animated
    for i in range(len(steps)):
        p.goto(i)
        assert p.view.frame == i and p.view.dot == p.frames.dot(i)
        assert f"n{steps[i].view.nodes[0].serial}" in p.view.dot


def test_empty_and_replaced_steps():
    p = Player([], animate=False)
    assert p.state()["fn"] is None and "nothing was recorded" in p.view.value
    assert "nothing was recorded" in Player([]).view.dot
    _t, steps = split_trace()
    p.set_steps(steps, title="again")
    assert p.n_steps == len(steps) and p.value == 0 and p.state()["fn"] == steps[0].fn
    assert p.transport.slider.max == len(steps) - 1
    p.last()
    p.set_steps(steps[:2], title="short")
    assert p.value == 0 and p.transport.slider.max == 1 and p.transport.play.max == 1


def test_speed_choice_sets_play_interval_and_transition_time():
    _t, steps = split_trace()
    p = Player(steps)
    tr = p.transport
    seen = set()
    for label in tr.speed.options:
        tr.speed.value = label
        seen.add((tr.play.interval, p.view.duration))
        # the move ends before the next step of a playing player starts
        assert p.view.duration == tr.duration < tr.play.interval
    assert len(seen) == len(tr.speed.options)
    tr.speed.value = "slow"
    slow = (tr.play.interval, p.view.duration)
    tr.speed.value = "fastest"
    assert tr.play.interval < slow[0] and 0 < p.view.duration < slow[1]
    tr.speed.value = "no animation"
    assert p.view.duration == 0 and p.state()["duration"] == 0 and tr.play.interval > 0


def test_zoom_toggle_switches_the_view_class():
    _t, steps = split_trace()
    p = Player(steps, animate=False)
    assert "mt-zoom-actual" not in p.view._dom_classes
    assert "mt-zoom-actual" in p.view.value          # the frame carries the zoom rules
    p.zoom.value = True
    assert "mt-zoom-actual" in p.view._dom_classes
    p.zoom.value = False
    assert "mt-zoom-actual" not in p.view._dom_classes


def test_frame_cache_is_bounded(monkeypatch):
    from mapletree_edu.widgets.frames import Frames

    monkeypatch.setattr(Frames, "CACHE", 4)
    monkeypatch.setattr(rsvg, "have_dot", lambda: False)     # text frames: fast
    _t, steps = bulk_trace(12)
    p = Player(steps, animate=False)
    for i in range(len(steps)):
        p.goto(i)
    assert len(p.frames._html) <= 4 and len(p.frames._dot) <= 4
    p.goto(0)
    assert 'data-frame="0"' in p.view.value
