# SPDX-License-Identifier: GPL-2.0-or-later
"""Headless tests of the animated diagram view (widgets/diagram.py) and the players'
presenter mode, speed and keys: set a value, assert on the synced state."""

import re

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")

from mapletree_edu import MapleTree  # noqa: E402
from mapletree_edu.trace import record  # noqa: E402
from mapletree_edu.widgets import (  # noqa: E402
    Player,
    PredictPlayer,
    SideBySide,
    diagram,  # noqa: E402
)
from mapletree_edu.widgets.diagram import (  # noqa: E402
    ENGINE_JS,
    DiagramView,
    GraphvizEngine,
    HtmlDiagram,
)


def split_steps():
    t = MapleTree()
    for i in range(15):
        t.store(i * 10 + 10, i * 10 + 15, i + 1)
    with record(t, "store 160-165") as rec:
        t.store(160, 165, 99)
    return rec.steps


def appends_and_bulk(n=6):
    vmas = [(0x1000 + k * 0x2000, 0x1fff + k * 0x2000) for k in range(n)]
    a, b = MapleTree(), MapleTree()
    with record(a, "appends") as ra:
        for k, (f, last) in enumerate(vmas):
            a.store(f, last, k + 1)
    with record(b, "bulk") as rb:
        with b.bulk(n) as bl:
            for k, (f, last) in enumerate(vmas):
                bl.store(f, last, k + 1)
    return ra.steps, rb.steps


@pytest.fixture(autouse=True)
def presenter_off():
    """Presenter mode is remembered module-wide: start each test with it off."""
    diagram.PRESENTER["on"] = False
    yield
    diagram.PRESENTER["on"] = False


def synced(widget):
    """The state the kernel sends to the page (what the JavaScript reads)."""
    return widget.get_state()


def key(view, action):
    view._handle_custom_msg({"type": "key", "action": action}, [])


def test_view_sends_dot_and_frame_with_the_shared_engine():
    steps = split_steps()
    p = Player(steps)
    v = p.view
    assert isinstance(v, DiagramView) and v.animated and "mt-view" in v._dom_classes
    st = synced(v)
    assert st["dot"] == p.frames.dot(0) and st["frame"] == 0
    assert st["dot"].startswith("digraph") and re.search(r"^\s*n\d+ \[", st["dot"], re.M)
    # one engine model for every view of the kernel; its key names its code
    q = Player(steps)
    assert p.view.engine is q.view.engine is GraphvizEngine.shared()
    eng = GraphvizEngine.shared()
    assert eng.code == ENGINE_JS.read_text(encoding="utf-8") and len(eng.key) == 16
    assert st["engine"] == f"IPY_MODEL_{eng.model_id}" and st["engine_key"] == eng.key
    # the view's own module is small: the engine is not sent with every view
    assert len(st["_esm"]) < 200_000 < len(eng.code)


def test_engine_is_made_again_after_it_was_closed():
    eng = GraphvizEngine.shared()
    eng.close()
    again = GraphvizEngine.shared()
    assert again is not eng and again.comm is not None and again.key == eng.key


def test_stepping_swaps_the_value_of_one_view():
    steps = split_steps()
    p = Player(steps)
    v = p.view
    seen = set()
    for i in range(len(steps)):
        p.goto(i)
        assert p.view is v
        assert v.frame == i == p.state()["view_frame"] and v.dot == p.frames.dot(i)
        seen.add(p.state()["view_sha"])
    assert len(seen) == len(steps)
    p.back()
    assert v.frame == len(steps) - 2


def test_arrow_keys_in_the_view_step_the_player():
    steps = split_steps()
    p = Player(steps)
    key(p.view, "forward")
    key(p.view, "forward")
    assert p.value == 2 and p.view.frame == 2
    key(p.view, "back")
    assert p.value == 1
    key(p.view, "last")
    assert p.value == len(steps) - 1
    key(p.view, "first")
    assert p.value == 0
    key(p.view, "nonsense")
    p.view._handle_custom_msg("not a dict", [])
    assert p.value == 0


def test_speed_sets_the_transition_time_of_every_view():
    left, right = appends_and_bulk()
    s = SideBySide(left, right)
    for v in (s.left.view, s.right.view):
        assert v.duration == s.transport.duration > 0
    s.transport.speed.value = "slow"
    assert s.left.view.duration == s.right.view.duration == 1000
    s.transport.speed.value = "no animation"
    assert s.left.view.duration == s.right.view.duration == 0
    assert s.transport.play.interval > 0


def test_presenter_toggle_is_remembered_for_the_next_players():
    steps = split_steps()
    a = Player(steps)
    assert not a.presenter.value and not a.view.presenter
    assert "mt-presenter" not in a._dom_classes
    a.presenter.value = True
    assert a.view.presenter and synced(a.view)["presenter"] is True
    assert "mt-presenter" in a._dom_classes and diagram.PRESENTER["on"]
    b = Player(steps)                               # made after the toggle: starts on
    assert b.presenter.value and b.view.presenter and "mt-presenter" in b._dom_classes
    q = PredictPlayer(steps)
    assert q.presenter.value and q.view.presenter
    b.presenter.value = False
    c = Player(steps)
    assert not c.presenter.value and "mt-presenter" not in c._dom_classes
    assert a.presenter.value                        # a player keeps its own state


def test_presenter_set_by_the_page_reaches_the_toggle():
    """The page switches a new view on from the choice it remembered (localStorage)."""
    steps = split_steps()
    p = Player(steps)
    p.view.presenter = True                         # as a message from the page would
    assert p.presenter.value and "mt-presenter" in p._dom_classes
    left, right = appends_and_bulk()
    s = SideBySide(left, right)
    assert s.left.view.presenter and s.right.view.presenter      # remembered
    s.right.view.presenter = False
    assert not s.presenter.value and not s.left.view.presenter


def test_side_by_side_has_two_animated_views_and_one_transport():
    left, right = appends_and_bulk()
    s = SideBySide(left, right, start=0)
    assert isinstance(s.left.view, DiagramView) and isinstance(s.right.view, DiagramView)
    s.goto(len(s.pairs) - 1)
    li, ri = s.pairs[-1]
    assert s.left.view.dot == s.left.frames.dot(li) and s.left.view.frame == li
    assert s.right.view.dot == s.right.frames.dot(ri) and s.right.view.frame == ri
    key(s.right.view, "first")
    assert s.value == 0


def test_static_view_when_animation_is_off():
    steps = split_steps()
    p = Player(steps, animate=False)
    assert isinstance(p.view, HtmlDiagram) and not p.view.animated
    assert not p.state()["animated"]
    p.forward()
    assert p.view.frame == 1 and p.view.dot == p.frames.dot(1)
    assert isinstance(diagram.make_view(True), DiagramView)
    assert isinstance(diagram.make_view(False), HtmlDiagram)


def test_players_start_at_step_zero():
    steps = split_steps()
    assert Player(steps).value == 0 and Player(steps).view.frame == 0
    assert PredictPlayer(steps).value == 0
    left, right = appends_and_bulk()
    assert SideBySide(left, right).value == 0


def test_the_next_step_is_sent_ahead_for_the_page_to_lay_out():
    steps = split_steps()
    p = Player(steps)
    assert p.view.next_dot == p.frames.dot(1)
    p.goto(3)
    assert synced(p.view)["next_dot"] == p.frames.dot(4)
    p.last()
    assert p.view.next_dot == ""
    left, right = appends_and_bulk()
    s = SideBySide(left, right)
    nl, nr = s.pairs[1]
    li, ri = s.pairs[0]
    assert s.left.view.next_dot == (s.left.frames.dot(nl) if nl != li else "")
    assert s.right.view.next_dot == (s.right.frames.dot(nr) if nr != ri else "")


def test_presenter_mode_draws_the_frames_for_16_px_text():
    """Presenter mode draws the frames again with the pipeline's 16 px sizes."""
    def sizes(dot):
        return [float(x) for x in re.findall(r'fontsize=([0-9.]+)', dot)]
    steps = split_steps()
    p = Player(steps)
    small = p.frames.dot(2)
    p.goto(2)
    p.presenter.value = True
    big = p.view.dot
    assert p.view.frame == 2 and big == p.frames.dot(2) != small
    assert min(sizes(big)) > min(sizes(small))
    assert min(sizes(big)) * 4 / 3 >= 16
    p.presenter.value = False
    assert p.view.dot == small
    left, right = appends_and_bulk()
    s = SideBySide(left, right)
    before = (s.left.view.dot, s.right.view.dot)
    s.presenter.value = True
    assert s.left.view.dot != before[0] and s.right.view.dot != before[1]
    assert min(sizes(s.left.view.dot)) * 4 / 3 >= 16
