# SPDX-License-Identifier: GPL-2.0-or-later
"""The Explorer in a real browser (JupyterLab 4, Debian Chromium): Go acts on exactly
what is typed, with or without Enter, 20 times out of 20; bad input shows a readable
message and leaves the tree unchanged.

Runs tests/browser/fixtures/92-explorer-check.ipynb from a fresh kernel. Each round
types a new range and value key by key and clicks Go at once (no pause, no blur), so a
click that overtook the last keystrokes would store the previous round's input.
"""

import re

import pytest

from .harness import screenshot

pytestmark = pytest.mark.browser

NB = "92-explorer-check.ipynb"
E = ".check-explorer"
ROUNDS = 20


def message(page):
    return page.locator(f"{E} .mt-msg").first


def wait_message(page, text, timeout=30_000):
    page.wait_for_function(
        "([sel, t]) => { const e = document.querySelector(sel);"
        " return e && e.textContent.includes(t); }",
        arg=[f"{E} .mt-msg", text], timeout=timeout)


def summary_entries(page):
    text = page.locator(f"{E} .mt-summary").first.text_content()
    return int(re.search(r"(\d+) entries", text).group(1))


def type_into(page, cls, text):
    field = page.locator(f"{E} .{cls} input").first
    field.fill("")
    field.press_sequentially(text, delay=0)
    return field


def test_go_acts_on_what_is_typed(lab):
    page = lab.page
    lab.open_and_run(NB)
    assert lab.errors() == []
    lab.attached(f"{E} .mt-go-button")
    go = page.locator(f"{E} .mt-go-button").first
    results = []
    for i in range(ROUNDS):
        first = 0x10000 + i * 0x3000
        rng = f"{first:#x}-{first + 0xfff:#x}"
        value = str(1000 + i)
        type_into(page, "mt-range", rng)
        field = type_into(page, "mt-value", value)
        if i % 2:
            field.press("Enter")           # half the rounds press Enter first
        go.click()
        want = f"store {rng} = {value}"
        try:
            wait_message(page, want, timeout=20_000)
            results.append(True)
        except Exception:                  # noqa: BLE001 - report every round
            results.append(message(page).text_content())
    screenshot(page.locator(E).first, "explorer-after-20-stores")
    bad = [(i, r) for i, r in enumerate(results) if r is not True]
    assert not bad, f"{len(bad)} of {ROUNDS} rounds acted on other input: {bad}"
    assert summary_entries(page) == ROUNDS


def test_bad_input_is_a_readable_message_and_changes_nothing(lab):
    page = lab.page
    lab.open_and_run(NB)
    lab.attached(f"{E} .mt-go-button")
    go = page.locator(f"{E} .mt-go-button").first
    type_into(page, "mt-range", "0x21000-0x21fff")
    type_into(page, "mt-value", "7")
    go.click()
    wait_message(page, "store 0x21000-0x21fff = 7")
    type_into(page, "mt-range", "0x30000 0x20000")
    go.click()
    wait_message(page, "greater than")
    msg = message(page)
    assert msg.get_attribute("role") == "alert" and msg.get_attribute("data-ok") == "0"
    text = msg.text_content()
    assert "Traceback" not in text and "the tree is unchanged" in text
    assert summary_entries(page) == 1
    assert lab.errors() == []
    screenshot(page.locator(E).first, "explorer-bad-input")
