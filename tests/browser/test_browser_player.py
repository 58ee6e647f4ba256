# SPDX-License-Identifier: GPL-2.0-or-later
"""The step player in a real browser: JupyterLab 4 and Voila, Debian Chromium.

Runs tests/browser/fixtures/90-player-check.ipynb from a fresh kernel through the real
menus, presses Forward and Play, and checks what the kernel produced: the diagram's
frame and SVG, and the status line. Click-to-SVG times are printed and written to
tests/browser/out/timings.json (never asserted: see bench/bench_browser.py).
"""

import re

import pytest

from .anim import wait_rest
from .harness import Server, click_to_frame_ms, missing_tools, record_timings, screenshot, summarize

pytestmark = pytest.mark.browser

NB = "90-player-check.ipynb"
P = ".check-player"


def step_text(k, n):
    """The status line's words for step k of n (steps count from 0)."""
    return f"step {k} (steps 0\u2013{n - 1})"


def steps_in(status):
    """How many steps the player has, read from its first status line."""
    m = re.search(r"step 0 \(steps 0\u2013(\d+)\)", status)
    assert m, status
    return int(m.group(1)) + 1


def frame_of(page, root):
    return page.locator(f"{root} .mt-view .mt-frame").first.get_attribute("data-frame")


def status_of(page, root):
    return page.locator(f"{root} .mt-status").first.text_content()


def svg_nodes(page, root):
    """Nodes of the diagram once it has stopped moving (freed nodes fade out first)."""
    wait_rest(page, root)
    return page.locator(f"{root} .mt-view svg g.node").count()


def wait_status(page, root, text, timeout=30_000):
    """Wait for kernel-produced status text (not the slider's own readout)."""
    page.wait_for_function(
        "([sel, t]) => { const e = document.querySelector(sel);"
        " return e && e.textContent.includes(t); }",
        arg=[f"{root} .mt-status", text], timeout=timeout)


def svg_fits(page, root):
    """Width of the drawn SVG and of its output area (the SVG must not overflow)."""
    return page.evaluate(
        "(sel) => { const v = document.querySelector(sel + ' .mt-view');"
        " const s = v.querySelector('svg');"
        " return [s.getBoundingClientRect().width, v.getBoundingClientRect().width,"
        " v.scrollWidth, v.clientWidth]; }", root)


def test_player_in_jupyterlab(lab):
    page = lab.page
    lab.open_and_run(NB)
    assert lab.code_cells_without_count() == []
    lab.attached(f"{P} .mt-view svg g.node")
    status0 = status_of(page, P)
    n = steps_in(status0)
    assert n >= 5 and "mtree_store_range" in status0
    nodes0 = svg_nodes(page, P)
    assert frame_of(page, P) == "0" and nodes0 > 0
    w_svg, w_view, scroll_w, client_w = svg_fits(page, P)
    assert w_svg <= w_view + 1 and scroll_w <= client_w + 1

    # Forward: the kernel swaps the diagram and the status line
    lab.attached(f"{P} .mt-forward")
    timings = []
    for k in range(1, n):
        timings.append(click_to_frame_ms(page, f"{P} .mt-forward", f"{P} .mt-view", k))
        wait_status(page, P, step_text(k, n))
    assert status_of(page, P) != status0
    assert frame_of(page, P) == str(n - 1)
    nodes_last = svg_nodes(page, P)
    assert nodes_last > nodes0                      # the split added nodes
    back = click_to_frame_ms(page, f"{P} .mt-back", f"{P} .mt-view", n - 2)
    wait_status(page, P, step_text(n - 2, n))
    screenshot(lab.attached(P), "lab-player")

    # Play from the first step to the last (Play -> jslink -> slider -> kernel)
    page.locator(f"{P} .mt-first").first.click()
    wait_status(page, P, step_text(0, n))
    assert svg_nodes(page, P) == nodes0
    page.locator(f"{P} .mt-play button").first.click()
    wait_status(page, P, step_text(n - 1, n), timeout=60_000)
    assert frame_of(page, P) == str(n - 1) and svg_nodes(page, P) == nodes_last

    # the headless check cell printed the kernel-side state
    outputs = page.locator(".jp-CodeCell .jp-OutputArea-output").all_text_contents()
    assert any("mtree_store_range" in t and f"0 {n}" in t for t in outputs)

    # the other widgets rendered too, without overflowing
    for root in (".check-pair", ".check-dup", ".check-explorer", ".check-predict"):
        lab.attached(f"{root} .mt-view svg g.node")
        w_svg, w_view, scroll_w, client_w = svg_fits(page, root)
        assert w_svg <= w_view + 1 and scroll_w <= client_w + 1, root
        screenshot(lab.attached(root), "lab-" + root.strip(".").replace("check-", ""))
    # predict mode: Last stops at the first decision and asks; an answer reveals it
    lab.attached(".check-predict .mt-last").click()
    question = lab.attached(".check-predict .mt-q")
    assert "Predict step" in question.text_content()
    choices = page.locator(".check-predict .mt-choice")
    assert choices.count() >= 2
    screenshot(lab.attached(".check-predict"), "lab-predict-question")
    choices.first.click()
    verdict = lab.attached(".check-predict .mt-verdict")
    ok = verdict.get_attribute("data-ok")
    assert ok in ("0", "1") and f"score {ok}/1" in verdict.text_content()
    screenshot(lab.attached(".check-predict"), "lab-predict-answered")

    # "actual size": the diagram at its natural size (1 pt = 4/3 px), scrolled inside its
    # own box when wider; the output never overflows
    lab.attached(".check-pair .mt-zoom").click()
    page.wait_for_function("() => document.querySelector('.check-pair .mt-view')"
                           ".classList.contains('mt-zoom-actual')")
    wait_rest(page, ".check-pair")
    natural, drawn = page.evaluate(
        "() => { const s = document.querySelector('.check-pair .mt-frame svg');"
        " return [parseFloat(s.getAttribute('width')) * 4 / 3,"
        " s.getBoundingClientRect().width]; }")
    assert abs(natural - drawn) <= 1.5, (natural, drawn)
    inner = page.evaluate("() => { const o = document.querySelector('.check-pair');"
                          " return o.scrollWidth <= o.clientWidth + 1; }")
    assert inner is True
    screenshot(lab.attached(".check-pair"), "lab-pair-actual-size")
    lab.attached(P)
    lab.screenshot("lab-page")
    assert lab.errors() == []

    dom = [t["dom"] for t in timings]
    result = {"click_to_svg_ms": summarize(dom),
              "click_to_next_paint_ms": summarize([t["frame"] for t in timings]),
              "back_ms": round(back["dom"], 1), "steps": n,
              "server_start_s": round(lab.server.started_in, 1)}
    record_timings("jupyterlab", result)
    print(f"\nJupyterLab: Forward click -> new SVG: {result['click_to_svg_ms']} ms")


def test_player_in_voila(browser_tools, notebook_root, chromium):
    why = missing_tools(voila=True)
    if why:
        pytest.skip(f"the Voila check needs: {why}")
    with Server("voila", notebook_root, notebook=NB) as server:
        page = chromium.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(server.base + "/", timeout=90_000)
            loc = page.locator(f"{P} .mt-view svg g.node").first
            loc.wait_for(state="attached", timeout=90_000)
            loc.scroll_into_view_if_needed()
            status0 = status_of(page, P)
            n = steps_in(status0)
            nodes0 = svg_nodes(page, P)
            # the pair was built with start=-1: Voila shows the constructor's state
            assert "frame" in page.locator(".check-pair .mt-frame-status").first.text_content()
            timings = []
            for k in range(1, n):
                timings.append(click_to_frame_ms(page, f"{P} .mt-forward", f"{P} .mt-view", k))
                wait_status(page, P, step_text(k, n))
            assert status_of(page, P) != status0 and frame_of(page, P) == str(n - 1)
            assert svg_nodes(page, P) > nodes0
            w_svg, w_view, scroll_w, client_w = svg_fits(page, P)
            assert w_svg <= w_view + 1 and scroll_w <= client_w + 1
            screenshot(page, "voila-page")
            pair_status = page.locator(".check-pair .mt-frame-status").first.text_content()
            m = re.search(r"frame (\d+) \(frames 0\u2013(\d+)\)", pair_status)
            assert m and m.group(1) == m.group(2), pair_status
            assert not page.locator(".jp-OutputArea-output[data-mime-type="
                                    "'application/vnd.jupyter.stderr']").count()
            assert errors == []
        finally:
            page.close()
    result = {"click_to_svg_ms": summarize([t["dom"] for t in timings]),
              "click_to_next_paint_ms": summarize([t["frame"] for t in timings]),
              "server_start_s": round(server.started_in, 1)}
    record_timings("voila", result)
    print(f"\nVoila: Forward click -> new SVG: {result['click_to_svg_ms']} ms")
