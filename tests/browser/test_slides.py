# SPDX-License-Identifier: GPL-2.0-or-later
"""A lesson presented as slides (``python -m mapletree_edu.slides``: Voila's reveal.js
template with the style sheets shipped in the package), in Chromium at 1400x1000.

- the deck starts at the title slide (the navigation line is left out);
- reveal.js's style sheets come from the server itself (no network);
- going forward through the deck reaches a sub-slide holding exactly one player, fully
  inside the window; its *Forward* button changes the diagram inside the slide (another
  frame, other nodes) and the slide stays where it is;
- presenting writes nothing: the notebook's bytes and modification time are unchanged.

Screenshots: tests/browser/out/slides-title.png, slides-player-0.png, slides-player-1.png.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from .apps import player_state
from .harness import OUT, _children, _stop_pids, free_port, screenshot

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "notebooks" / "05-node-splits.ipynb"
PRESENT = ".reveal .slides section.present:not(.stack)"


@pytest.fixture(scope="module")
def deck(browser_tools, tmp_path_factory):
    """The slides server on a copy of the lesson: (url, notebook path)."""
    if not LESSON.exists():
        pytest.skip("lesson not built")
    sys.path.insert(0, str(ROOT))
    from mapletree_edu.slides import command, environment

    root = tmp_path_factory.mktemp("slides")
    nb = root / LESSON.name
    nb.write_bytes(LESSON.read_bytes())
    port = free_port()
    voila = str(Path(sys.executable).with_name("voila"))
    env = environment(dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])))
    log = open(root.parent / "slides.log", "w")
    proc = subprocess.Popen(command(nb, port=port, open_browser=False, voila=voila),
                            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    try:
        import socket
        end = time.monotonic() + 90
        while time.monotonic() < end:
            assert proc.poll() is None, (root.parent / "slides.log").read_text()[-3000:]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/", nb
    finally:
        _stop_pids([proc.pid] + _children(proc.pid), 10)
        log.close()


def _present(page):
    return page.evaluate(
        "(sel) => { const s = [...document.querySelectorAll(sel)].pop();"
        " return s ? {players: s.querySelectorAll('.mt-player').length,"
        " h1: (s.querySelector('h1') || {}).textContent || null,"
        " text: s.textContent.trim().slice(0, 80)} : null; }", PRESENT)


def test_slides_start_at_the_title_and_players_step_inside(deck, chromium):
    url, nb_path = deck
    before = (nb_path.read_bytes(), nb_path.stat().st_mtime_ns)
    title = next(line[2:].strip() for c in nbformat.read(nb_path, 4).cells
                 if c.cell_type == "markdown" for line in c.source.splitlines()
                 if line.startswith("# "))
    page = chromium.new_page()
    css = {}
    page.on("response", lambda r: css.__setitem__(r.url, r.status)
            if r.url.endswith(".css") and "/dist/" in r.url else None)
    try:
        page.goto(url, timeout=180_000)
        page.wait_for_function(
            "() => { const r = document.querySelector('#rendered_cells');"
            " return r && r.style.display !== 'none' && document.querySelector("
            "'.reveal .slides section.present'); }", timeout=180_000)
        page.wait_for_timeout(1_000)
        first = _present(page)
        assert first["h1"] and first["h1"].rstrip("¶").strip() == title, first
        assert "Index" not in first["text"].split(title)[0], "the deck starts before the title"
        screenshot(page, "slides-title")
        assert css and all(status == 200 for status in css.values()), css
        assert all(u.startswith(url) for u in css), f"style sheets from elsewhere: {css}"

        for _ in range(12):                      # forward through the deck to a player
            page.keyboard.press("Space")
            page.wait_for_timeout(500)
            if _present(page)["players"]:
                break
        here = _present(page)
        assert here["players"] == 1, f"one player per slide: {here}"
        player = page.locator(f"{PRESENT} .mt-player").first
        page.wait_for_function(
            "(p) => { const f = p.querySelector('.mt-frame');"
            " return f && f.dataset.state === 'rest' && p.querySelector('.mt-view svg'); }",
            arg=player.element_handle(), timeout=60_000)
        box = player.bounding_box()
        view = page.viewport_size
        assert box["y"] >= 0 and box["y"] + box["height"] <= view["height"], (box, view)
        assert box["x"] >= 0 and box["x"] + box["width"] <= view["width"], (box, view)
        screenshot(page, "slides-player-0")
        start = player_state(player)
        player.get_by_role("button", name="Forward").first.click()
        page.wait_for_function(
            "([p, before]) => { const f = p.querySelector('.mt-frame');"
            " return f && f.dataset.frame !== before && f.dataset.state === 'rest'; }",
            arg=[player.element_handle(), start["frame"]], timeout=30_000)
        after = player_state(player)
        assert after["frame"] != start["frame"] and after["nodes"] != start["nodes"], \
            (start, after)
        assert _present(page)["text"] == here["text"], "the slide changed"
        screenshot(page, "slides-player-1")
    finally:
        page.close()
    assert (nb_path.read_bytes(), nb_path.stat().st_mtime_ns) == before, \
        "presenting changed the notebook"
    assert not (nb_path.parent / ".ipynb_checkpoints").exists()
    assert OUT.is_dir()
