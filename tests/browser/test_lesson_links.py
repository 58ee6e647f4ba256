# SPDX-License-Identifier: GPL-2.0-or-later
"""Links between lessons jump to their section in JupyterLab.

Every link ``NN-name.ipynb#fragment`` of a lesson's markdown into another notebook of the
suite is clicked in a real JupyterLab (headless Chromium), on a fresh page whose workspace
is reset, so the target notebook is opened by the click. The heading the fragment names
must then be on screen. (JupyterLab 4.6 looks a heading-id fragment up only among cells
it has already rendered, so in a notebook the click has just opened only the
``#cell-id=`` form jumps; tests/test_notebooks_meta.py checks the forms statically.)
"""

import re
from pathlib import Path

import nbformat
import pytest

from .harness import LabPage, Server, copy_root, screenshot

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
ALL = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
LINK = re.compile(r"\]\((?P<nb>\d\d-[\w-]+\.ipynb)#(?P<frag>[^)\s]+)\)")
LAB_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

# where the heading with the given text is, relative to the visible notebook's scroller
HEADING_JS = """([panelSel, text]) => {
  const panel = document.querySelector(panelSel);
  const outer = panel.querySelector('.jp-WindowedPanel-outer');
  const h = [...panel.querySelectorAll('h1, h2, h3')].find(
      h => h.textContent.replace(/\u00b6$/, '').trim() === text);
  if (!h) return null;
  return {top: h.getBoundingClientRect().top - outer.getBoundingClientRect().top,
          height: outer.clientHeight, scrollTop: outer.scrollTop};
}"""


def heading_text(nb, frag):
    """The text of the heading ``frag`` names in ``nb`` (a cell id or a heading id)."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if not line.startswith("#"):
                continue
            text = re.sub(r"[`*]", "", line.lstrip("#").strip())
            if frag == f"cell-id={cell.id}" or frag == text.replace(" ", "-"):
                return text
            break
    return None


def links():
    """(source notebook, target notebook, fragment), each once."""
    present = {p.name for p in ALL}
    found = []
    for p in ALL:
        for cell in nbformat.read(p, as_version=4).cells:
            if cell.cell_type == "markdown":
                for m in LINK.finditer(cell.source):
                    item = (p.name, m.group("nb"), m.group("frag"))
                    if m.group("nb") in present and item not in found:
                        found.append(item)
    return found


LINKS = links()


@pytest.fixture(scope="module")
def lab_server(browser_tools, tmp_path_factory):
    with Server("lab", copy_root(tmp_path_factory, "links", ALL)) as server:
        yield server


@pytest.mark.skipif(not LINKS, reason="no lesson links into another notebook")
@pytest.mark.parametrize("source,target,frag", LINKS,
                         ids=[f"{s[:2]}->{t[:2]}#{f}" for s, t, f in LINKS])
def test_link_opens_the_target_at_its_section(lab_server, chromium, source, target, frag):
    text = heading_text(nbformat.read(NOTEBOOKS / target, as_version=4), frag)
    assert text, f"{source}: {target}#{frag} names no heading"
    with LabPage.opened(chromium, lab_server) as lab:
        page = lab.page
        page.goto(f"{lab_server.base}/lab/tree/{source}?reset", timeout=90_000)
        link = page.locator(f'{LAB_PANEL} .jp-RenderedMarkdown a[href$="#{frag}"]').first
        link.wait_for(state="attached", timeout=90_000)
        lab.wait_idle()
        link.scroll_into_view_if_needed()
        link.click()
        page.wait_for_function(
            "(name) => { const t = document.querySelector("
            "'.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current'); "
            "return t && t.textContent.includes(name); }", arg=target, timeout=60_000)
        where = None
        for _ in range(20):                     # until the scroll has settled
            page.wait_for_timeout(500)
            now = page.evaluate(HEADING_JS, [LAB_PANEL, text])
            if now is not None and now == where:
                break
            where = now
        screenshot(page, f"link-{source[:2]}-{target[:2]}")
        assert where is not None, f"{target}: heading {text!r} not found"
        assert where["scrollTop"] > 0 and 0 <= where["top"] < where["height"] / 2, \
            f"{source} -> {target}#{frag}: the heading is not on screen after the click: {where}"
