# SPDX-License-Identifier: GPL-2.0-or-later
"""A lesson presented as slides (``python -m mapletree_edu.slides``: Voila's reveal.js
template with the style sheets shipped in the package), in Chromium at 1400x900.

- the deck starts at the title slide (the navigation line is left out);
- reveal.js's style sheets come from the server itself;
- going forward through the deck reaches a sub-slide holding exactly one player, fully
  inside the window; the player is in presenter mode from the start: its diagram's
  smallest text is at least 16 px on screen, the SVG lies inside the slide and the window
  and its frame does not scroll sideways; its *Forward* button changes the diagram inside
  the slide (another frame, other nodes) and the slide stays where it is;
- presenting writes nothing: the notebook's bytes and modification time are unchanged;
- the same deck works behind a base URL (a Jupyter server with
  ``--ServerApp.base_url=/user/test/`` and Voila's server extension, as on Binder:
  ``voila/render/NOTEBOOK?template=mapletree-slides``);
- neither the deck nor the lesson as one page (``--page``, template ``mapletree``) asks
  for anything outside 127.0.0.1 (every request the page makes is recorded, and the
  page's Jupyter configuration names no outside address, such as a CDN's MathJax, that it
  could load later), and no page raises an uncaught error.

Screenshots: tests/browser/out/slides-title.png, slides-player-0.png, slides-player-1.png,
slides-player-last.png,
slides-prefix-player.png, page-voila.png.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

from .apps import player_state
from .harness import OUT, SVG_MIN_TEXT_PX, _children, _stop_pids, free_port, screenshot
from .pageerrors import unexpected

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "notebooks" / "05-node-splits.ipynb"
PRESENT = ".reveal .slides section.present:not(.stack)"
VIEWPORT = {"width": 1400, "height": 900}
PRESENTER_PX = 16.0
PREFIX = "/user/test/"

# The present slide's first player: its diagram's smallest text on screen (font size
# times the scale the SVG is drawn at, reveal.js's own scaling included), the SVG's box,
# the slide's box, whether the frame scrolls sideways, whether the view is in presenter
# mode.
MEASURE_JS = """(sel) => {
  const slide = [...document.querySelectorAll(sel)].pop();
  const p = slide && slide.querySelector('.mt-player');
  const f = p && p.querySelector('.mt-frame');
  const svg = f && f.querySelector('svg');
  if (!svg || !svg.viewBox || !svg.viewBox.baseVal || !svg.viewBox.baseVal.width) return null;
  const box = svg.getBoundingClientRect();
  const min = (""" + SVG_MIN_TEXT_PX + """)(svg);
  const s = slide.getBoundingClientRect();
  const r = (b) => ({left: b.left, top: b.top, right: b.right, bottom: b.bottom});
  return {px: min, svg: r(box), slide: r(s), scrolls: f.scrollWidth > f.clientWidth + 1.5,
          presenter: !!p.querySelector('.mt-diagram.mt-presenter-view'),
          frame: f.dataset.frame};
}"""


def _python_path():
    return os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])


@contextlib.contextmanager
def _serving(cmd, cwd, env, log_path, port):
    """Run a server command until the port answers; stop it and its kernels after."""
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 90
        while time.monotonic() < end:
            assert proc.poll() is None, Path(log_path).read_text()[-3000:]
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.3)
        yield proc
    finally:
        _stop_pids([proc.pid] + _children(proc.pid), 10)
        log.close()


def _lesson_copy(tmp_path_factory, name):
    if not LESSON.exists():
        pytest.skip("lesson not built")
    root = tmp_path_factory.mktemp(name)
    nb = root / LESSON.name
    nb.write_bytes(LESSON.read_bytes())
    return root, nb


@pytest.fixture(scope="module")
def launcher(browser_tools):
    sys.path.insert(0, str(ROOT))
    import mapletree_edu.slides as slides
    return slides


@pytest.fixture(scope="module")
def deck(launcher, tmp_path_factory):
    """The slides server (the launcher's command) on a copy of the lesson:
    (url, notebook path)."""
    root, nb = _lesson_copy(tmp_path_factory, "slides")
    port = free_port()
    voila = str(Path(sys.executable).with_name("voila"))
    env = launcher.environment(dict(os.environ, PYTHONPATH=_python_path()))
    with _serving(launcher.command(nb, port=port, open_browser=False, voila=voila),
                  root, env, root.parent / "slides.log", port):
        yield f"http://127.0.0.1:{port}/", nb


@pytest.fixture(scope="module")
def prefixed(launcher, tmp_path_factory):
    """A Jupyter server under the base URL /user/test/ with Voila's server extension, the
    templates on JUPYTER_PATH (as binder/start sets it) and no presenter variable:
    (server url, deck url)."""
    root, nb = _lesson_copy(tmp_path_factory, "slides-prefix")
    port = free_port()
    env = launcher.environment(dict(os.environ, PYTHONPATH=_python_path(),
                                    JUPYTER_PLATFORM_DIRS="1",
                                    JUPYTER_RUNTIME_DIR=str(root.parent / "runtime")),
                               presenter=False)
    cmd = [str(Path(sys.executable).with_name("jupyter-server")), "--no-browser",
           "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--ServerApp.base_url={PREFIX}", f"--ServerApp.root_dir={root}", "--allow-root"]
    with _serving(cmd, root, env, root.parent / "server.log", port):
        base = f"http://127.0.0.1:{port}{PREFIX}"
        yield base, f"{base}voila/render/{nb.name}?template={launcher.TEMPLATE}"


@pytest.fixture
def page(chromium):
    """A 1400x900 page that records every request and every uncaught error."""
    pg = chromium.new_page()
    pg.set_viewport_size(VIEWPORT)
    pg.requests = []
    pg.errors = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    try:
        yield pg
    finally:
        pg.close()


def outside(urls):
    """The requested addresses that leave 127.0.0.1 (data: and blob: stay in the page)."""
    return sorted({u for u in urls if urlsplit(u).scheme not in ("data", "blob")
                   and urlsplit(u).hostname != "127.0.0.1"})


def config_addresses(page):
    """Addresses outside 127.0.0.1 named in the page's Jupyter configuration (the JSON
    the front end reads, e.g. ``fullMathjaxUrl``): what the page may load later, on
    demand, even if it has not yet. Voila's front end also loads MathJax 2 from cdnjs
    when only ``mathjaxConfig`` is set (it fills in the address itself), so a set
    ``mathjaxConfig`` counts as that address."""
    config = page.evaluate(
        "() => { const el = document.getElementById('jupyter-config-data');"
        " return el ? JSON.parse(el.textContent) : {}; }")
    implied = ["https://cdnjs.cloudflare.com/ajax/libs/mathjax/ (Voila's default)"] \
        if config.get("mathjaxConfig") not in (None, "null") else []
    found = implied + page.evaluate(
        "() => { const out = []; const walk = (v) => {"
        " if (typeof v === 'string') { if (/^(https?:)?\\/\\//.test(v)) out.push(v); }"
        " else if (v && typeof v === 'object') Object.values(v).forEach(walk); };"
        " const el = document.getElementById('jupyter-config-data');"
        " if (el) walk(JSON.parse(el.textContent)); return out; }")
    return [u for u in found if u in implied] + \
        outside(u if "//" not in u[:2] else "https:" + u for u in found if u not in implied)


def _present(page):
    return page.evaluate(
        "(sel) => { const s = [...document.querySelectorAll(sel)].pop();"
        " return s ? {players: s.querySelectorAll('.mt-player').length,"
        " h1: (s.querySelector('h1') || {}).textContent || null,"
        " text: s.textContent.trim().slice(0, 80)} : null; }", PRESENT)


def _rest(page, player, not_frame=None):
    page.wait_for_function(
        "([p, before]) => { const f = p.querySelector('.mt-frame');"
        " return f && f.dataset.state === 'rest' && p.querySelector('.mt-view svg')"
        " && (before === null || f.dataset.frame !== before); }",
        arg=[player.element_handle(), not_frame], timeout=60_000)
    page.wait_for_timeout(300)


def readable(m):
    """Problems with a measured player in a slide (empty when it is readable)."""
    bad = []
    if m is None:
        return ["no diagram in the slide"]
    if not m["presenter"]:
        bad.append("not in presenter mode")
    if m["px"] + 1e-6 < PRESENTER_PX:
        bad.append(f"text {m['px']:.1f} px < {PRESENTER_PX}")
    if m["scrolls"]:
        bad.append("the diagram scrolls sideways")
    s, v = m["slide"], m["svg"]
    if v["left"] < max(0, s["left"]) - 1 or v["right"] > min(VIEWPORT["width"], s["right"]) + 1:
        bad.append(f"the SVG is wider than the slide: {v} in {s}")
    if v["top"] < max(0, s["top"]) - 1 or v["bottom"] > min(VIEWPORT["height"], s["bottom"]) + 1:
        bad.append(f"the SVG is taller than the slide: {v} in {s}")
    return bad


def open_deck(page, url, css_prefix, shot=None):
    """Load the deck, check its title slide and style sheets, go forward to the first
    player; returns (its locator, the slide's text)."""
    css = {}
    page.on("response", lambda r: css.__setitem__(r.url, r.status)
            if r.url.split("?")[0].endswith(".css") and "/dist/" in r.url else None)
    page.goto(url, timeout=180_000)
    page.wait_for_function(
        "() => { const r = document.querySelector('#rendered_cells');"
        " return r && r.style.display !== 'none' && document.querySelector("
        "'.reveal .slides section.present'); }", timeout=180_000)
    page.wait_for_timeout(1_000)
    first = _present(page)
    title = next(line[2:].strip() for c in nbformat.read(LESSON, 4).cells
                 if c.cell_type == "markdown" for line in c.source.splitlines()
                 if line.startswith("# "))
    assert first["h1"] and first["h1"].rstrip("¶").strip() == title, first
    assert "Index" not in first["text"].split(title)[0], "the deck starts before the title"
    if shot:
        screenshot(page, shot)
    assert css and all(status == 200 for status in css.values()), css
    assert all(u.startswith(css_prefix) for u in css), f"style sheets from elsewhere: {css}"
    for _ in range(12):                      # forward through the deck to a player
        page.keyboard.press("Space")
        page.wait_for_timeout(500)
        if _present(page)["players"]:
            break
    here = _present(page)
    assert here["players"] == 1, f"one player per slide: {here}"
    player = page.locator(f"{PRESENT} .mt-player").first
    _rest(page, player)
    return player, here["text"]


def step_forward(page, player):
    """Forward: returns (state before, state after) once the new frame is at rest."""
    start = player_state(player)
    player.get_by_role("button", name="Forward").first.click()
    _rest(page, player, start["frame"])
    return start, player_state(player)


def test_slides_start_at_the_title_and_players_step_inside(deck, page):
    url, nb_path = deck
    before = (nb_path.read_bytes(), nb_path.stat().st_mtime_ns)
    player, text = open_deck(page, url, url, shot="slides-title")
    box = player.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORT["width"], box
    first = page.evaluate(MEASURE_JS, PRESENT)
    screenshot(page, "slides-player-0")
    assert not readable(first), (readable(first), first)
    start, after = step_forward(page, player)
    assert after["frame"] != start["frame"] and after["nodes"] != start["nodes"], \
        (start, after)
    moved = player.locator(".mt-frame").first.get_attribute("data-duration")
    assert int(moved or 0) > 0, "the step was not animated"
    assert _present(page)["text"] == text, "the slide changed"
    second = page.evaluate(MEASURE_JS, PRESENT)
    screenshot(page, "slides-player-1")
    assert not readable(second), (readable(second), second)
    last = player.get_by_role("button", name="Last")
    if last.count() and last.first.is_enabled():   # the widest frames come last (the split)
        before_last = player_state(player)["frame"]
        last.first.click()
        _rest(page, player, before_last)
        final = page.evaluate(MEASURE_JS, PRESENT)
        screenshot(page, "slides-player-last")
        assert not readable(final), (readable(final), final)
    assert not outside(page.requests), f"requests outside 127.0.0.1: {outside(page.requests)}"
    assert not unexpected(page.errors), unexpected(page.errors)
    assert (nb_path.read_bytes(), nb_path.stat().st_mtime_ns) == before, \
        "presenting changed the notebook"
    assert not (nb_path.parent / ".ipynb_checkpoints").exists()
    assert OUT.is_dir()


def test_the_view_starts_in_presenter_mode_in_any_deck(launcher, tmp_path_factory, page):
    """Without the launcher's variable (the kernel does not know it is presented), the
    diagram view finds the reveal.js deck in the page and switches its player to
    presenter mode itself."""
    root, nb = _lesson_copy(tmp_path_factory, "slides-no-env")
    port = free_port()
    voila = str(Path(sys.executable).with_name("voila"))
    env = launcher.environment(dict(os.environ, PYTHONPATH=_python_path()), presenter=False)
    assert launcher.PRESENTER_ENV not in env
    with _serving(launcher.command(nb, port=port, open_browser=False, voila=voila),
                  root, env, root.parent / "slides-no-env.log", port):
        url = f"http://127.0.0.1:{port}/"
        player, _text = open_deck(page, url, url)
        page.wait_for_function(
            "(sel) => { const s = [...document.querySelectorAll(sel)].pop();"
            " const f = s && s.querySelector('.mt-player .mt-frame');"
            " return s && s.querySelector('.mt-presenter-view') && f"
            " && f.dataset.state === 'rest'; }", arg=PRESENT, timeout=30_000)
        page.wait_for_timeout(500)
        m = page.evaluate(MEASURE_JS, PRESENT)
        assert not readable(m), (readable(m), m)
        # the kernel heard it: the player's toggle is pressed
        assert player.locator(".mt-presenter-toggle.mod-active").count() == 1
    assert not unexpected(page.errors), unexpected(page.errors)


def test_slides_work_under_a_base_url_prefix(prefixed, page):
    base, url = prefixed
    player, text = open_deck(page, url, base)
    m = page.evaluate(MEASURE_JS, PRESENT)
    screenshot(page, "slides-prefix-player")
    assert not readable(m), (readable(m), m)
    start, after = step_forward(page, player)
    assert after["frame"] != start["frame"], (start, after)
    assert _present(page)["text"] == text, "the slide changed"
    served = [u for u in page.requests if urlsplit(u).scheme in ("http", "https", "ws")]
    assert served and all(urlsplit(u).path.startswith(PREFIX) for u in served), \
        [u for u in served if not urlsplit(u).path.startswith(PREFIX)]
    assert not outside(page.requests), f"requests outside 127.0.0.1: {outside(page.requests)}"
    assert not config_addresses(page), f"addresses outside in the page's configuration: " \
        f"{config_addresses(page)}"
    assert not unexpected(page.errors), unexpected(page.errors)


def test_voila_page_loads_nothing_from_outside(launcher, tmp_path_factory, page):
    """The lesson as one page (``python -m mapletree_edu.slides --page``): its players
    draw and step, in their usual size, and the page asks only 127.0.0.1 for anything."""
    root, nb = _lesson_copy(tmp_path_factory, "voila-page")
    port = free_port()
    voila = str(Path(sys.executable).with_name("voila"))
    env = launcher.environment(dict(os.environ, PYTHONPATH=_python_path()), presenter=False)
    cmd = launcher.command(nb, port=port, open_browser=False, voila=voila,
                           template=launcher.PAGE_TEMPLATE)
    with _serving(cmd, root, env, root.parent / "voila-page.log", port):
        page.goto(f"http://127.0.0.1:{port}/", timeout=180_000)
        page.wait_for_function(
            "() => { const r = document.querySelector('#rendered_cells');"
            " return r && r.style.display !== 'none'"
            " && document.querySelector('.mt-player .mt-view svg'); }", timeout=180_000)
        player = page.locator(".mt-player").first
        player.scroll_into_view_if_needed()
        _rest(page, player)
        assert not player.locator(".mt-diagram.mt-presenter-view").count(), \
            "a page outside slides starts in presenter mode"
        start, after = step_forward(page, player)
        assert after["frame"] != start["frame"], (start, after)
        screenshot(page, "page-voila")
        assert not config_addresses(page), config_addresses(page)
    assert page.requests, "no request recorded"
    assert not outside(page.requests), f"requests outside 127.0.0.1: {outside(page.requests)}"
    assert not unexpected(page.errors), unexpected(page.errors)
