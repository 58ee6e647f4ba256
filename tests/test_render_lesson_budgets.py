# SPDX-License-Identifier: GPL-2.0-or-later
"""The width budget holds at every step of every player of every lesson.

For each notebooks/[0-9][0-9]-*.ipynb (found by glob), its code cells run in one
namespace as the notebook runs them, and every player they build is collected as it is
made: Player and its subclasses (PredictPlayer, the read players CursorPlayer,
FreeSpacePlayer, RcuPlayer, ReadPlayer) and both sides of every SideBySide. Each step of
each player is then drawn, at 11 px and in presenter mode (16 px): the frame
pipeline's width estimate must be within the width the frame was drawn for (the width
beside a read player's panel when it is beside, else the output area). The estimate
errs wide; where it is over, ``dot`` lays the frame out and its real width must fit
JupyterLab's output area in a 1400 px window (968 px), so the page does not shrink its
text below 11 px (16 px).
"""

import contextlib
import io
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from mapletree_edu.render import dot_to_svg
from mapletree_edu.widgets import pairs, player

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
SCREEN_PX = 968                  # JupyterLab's output area in a 1400 px wide window


def lesson_players(path, monkeypatch):
    """Every Player and SideBySide the lesson's code cells build, in order."""
    made = []
    for cls in (player.Player, pairs.SideBySide):
        orig = cls.__init__

        def init(self, *args, _orig=orig, **kwargs):
            _orig(self, *args, **kwargs)
            made.append(self)

        monkeypatch.setattr(cls, "__init__", init)
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    ns = {"__name__": "__main__", "display": lambda *a, **k: None}
    monkeypatch.chdir(path.parent)
    for src in code:
        lines = [x for x in src.splitlines() if not x.lstrip().startswith(("%", "!"))]
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile("\n".join(lines), f"{path.name}:cell", "exec"), ns)  # noqa: S102
    built = "Player(" in "\n".join(code) or "SideBySide" in "\n".join(code)
    return made, built


def frame_sets(p):
    """(name, Frames) of a player: a SideBySide has two."""
    if isinstance(p, pairs.SideBySide):
        return [("left", p.left.frames), ("right", p.right.frames)]
    return [("", p.frames)]


def too_wide(p, presenter):
    """Steps whose frame is wider than the width it was drawn for."""
    if isinstance(p, pairs.SideBySide):
        if presenter:
            return []      # a pair redraws itself for presenter mode elsewhere (pairs tests)
    elif presenter != p._presenter:
        p._on_presenter({"new": presenter})
    out = []
    for side, frames in frame_sets(p):
        for i in range(len(frames)):
            f = frames.frame(i)
            if f is None:
                continue
            if f.est_width_px > f.width_px:
                svg = dot_to_svg(f.dot)
                width = float(re.search(r'<svg width="([0-9.]+)pt"', svg).group(1)) * 4 / 3
                if width > SCREEN_PX:
                    out.append((side, i, round(f.est_width_px), round(width), f.width_px,
                                f.plan.level))
    return out


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` missing")
@pytest.mark.parametrize("path", LESSONS, ids=[p.name[:2] for p in LESSONS])
def test_every_step_of_every_player_fits_its_width(path, monkeypatch):
    made, built = lesson_players(path, monkeypatch)
    assert made or not built, f"{path.name} builds players but none was collected"
    for p in made:
        name = f"{type(p).__name__} {getattr(p, 'title', getattr(p, 'titles', ''))!s}"
        for presenter in (False, True):
            bad = too_wide(p, presenter)
            assert not bad, f"{path.name} {name} presenter={presenter}: {bad}"


def test_skipped_slots_are_elided_with_their_verdicts_on_hover():
    """A gap-search step that judged every slot of a wide leaf (lesson 04's mmap) elides
    the skipped slots it does not stop at: the state's slot and its neighbours stay
    drawn, the run is drawn as skipped and its hover text gives each slot's verdict."""
    from mapletree_edu.lessons import l04
    from mapletree_edu.widgets.readers import FreeSpacePlayer
    p = FreeSpacePlayer(l04.demo_mm(), l04.DEMO_LEN, "mmap")
    frames = [p.frames.frame(i) for i in range(p.n_steps)]
    judged = [f for f in frames if f.plan.level.startswith("skipped")]
    assert judged, [f.plan.level for f in frames]
    skipped_runs = 0
    for f in judged:
        assert f.est_width_px <= f.width_px
        serial, offset = f.highlight.slot
        cells = f.marks.nodes[serial].cells
        drawn = {c.first for c in cells if not c.elided}
        assert offset in drawn and {offset - 1, offset + 1} & drawn
        runs = [c for c in cells if c.elided and c.fill == "skip"]
        skipped_runs += len(runs)
        for c in runs:
            assert len(c.verdicts) == c.last - c.first + 1 and all(c.verdicts)
            line = next(x for x in f.dot.splitlines() if x.startswith(f"  n{serial} "))
            tip = re.search(rf'ID="n{serial}_s{c.first}" TITLE="([^"]*)"', line).group(1)
            assert f"the gap search skipped all {c.last - c.first + 1}" in tip
            passed_over = re.findall(r": (skip|occupied|outside|no gaps kept)\)", tip)
            assert len(passed_over) == min(c.last - c.first + 1, 16)
    assert skipped_runs
