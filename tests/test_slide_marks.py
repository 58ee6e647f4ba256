# SPDX-License-Identifier: GPL-2.0-or-later
"""The slide marks of every lesson (notebooks/src/build.py, used by
``python -m mapletree_edu.slides``): the deck starts at the title, and no slide or
sub-slide holds more than one player. tests/browser/test_slides.py presents one lesson
in Chromium."""

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
sys.path.insert(0, str(ROOT / "notebooks" / "src"))
import build  # noqa: E402


def slides(nb):
    """The deck as reveal.js builds it: a list of slides, each a list of cells."""
    deck = []
    for cell in nb.cells:
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        if kind == "skip":
            continue
        if kind in ("slide", "subslide") or not deck:
            deck.append([])
        deck[-1].append(cell)
    return deck


def players(cells):
    return [c for c in cells if c.cell_type == "code" and build.PLAYER_CALL.search(c.source)]


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_deck_starts_at_the_title(path):
    nb = nbformat.read(path, as_version=4)
    first = slides(nb)[0][0]
    assert first.cell_type == "markdown" and re.match(r"#\s", first.source.lstrip()), \
        first.source[:80]
    assert all(c.metadata.get("slideshow", {}).get("slide_type") == "skip"
               for c in nb.cells if build.is_nav(c))


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_one_player_per_slide(path):
    nb = nbformat.read(path, as_version=4)
    crowded = [[c.source.splitlines()[-1] for c in players(s)] for s in slides(nb)
               if len(players(s)) > 1]
    assert not crowded, f"{path.name}: slides with several players: {crowded}"


def test_rules_on_a_small_lesson():
    """A player without a question gets a sub-slide, and so does the text after it."""
    cells = [build.md("# T"), build.md("## S"), build.md("text"),
             build.code("p = Player(steps)\np"), build.md("after"),
             build.predict("what next?"), build.code("q = PredictPlayer(steps)\nq"),
             build.md("answer")]
    nb = build.lesson(cells, "d")
    kinds = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
    assert kinds == ["slide", "slide", None, "subslide", "subslide", "subslide", None,
                     "subslide"]
    assert [len(players(s)) for s in slides(nb)] == [0, 0, 1, 0, 1, 0]
