# SPDX-License-Identifier: GPL-2.0-or-later
"""The package's JavaScript: pinned, self-contained, and the build of its lockfile.

mapletree_edu/widgets/static/ ships the diagram view's two ES modules, and the slides
template's static/ folder the deck's jQuery shim, all built from js/ by
``npm --prefix js ci && npm --prefix js run build``. This test builds them again in a
temporary directory from js/package-lock.json and compares the bytes with the shipped
files, so the committed files are what the lockfile and js/src give (the build is
deterministic), and no other JavaScript file ships.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JS = ROOT / "js"
STATIC = ROOT / "mapletree_edu" / "widgets" / "static"
BUNDLE = ("diagram.js", "graphviz-engine.js")
SLIDES_STATIC = ROOT / "mapletree_edu" / "slides" / "voila" / "templates" / "mapletree-slides" \
    / "static"
SHIM = "jquery-shim.js"


def test_no_javascript_ships_but_the_build():
    shipped = sorted(p.relative_to(ROOT).as_posix()
                     for p in (ROOT / "mapletree_edu").rglob("*.js")
                     if not p.name.startswith("LICENSE."))     # reveal.js's licence text
    assert shipped == sorted([f"mapletree_edu/widgets/static/{n}" for n in BUNDLE]
                             + [(SLIDES_STATIC / SHIM).relative_to(ROOT).as_posix()])


def test_dependencies_are_pinned_exactly():
    pkg = json.loads((JS / "package.json").read_text())
    lock = json.loads((JS / "package-lock.json").read_text())
    wanted = {**pkg["dependencies"], **pkg["devDependencies"]}
    assert {"d3-graphviz", "esbuild"} <= set(wanted)
    for name, version in wanted.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is not pinned: {version}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name
    # every package in the lockfile has a fixed version and an integrity hash
    for path, meta in lock["packages"].items():
        if path:
            assert meta.get("version") and meta.get("integrity"), path


def test_bundle_is_self_contained():
    """Nothing is fetched at run time: no URL but XML namespaces, the WASM inlined."""
    for path in [STATIC / n for n in BUNDLE] + [SLIDES_STATIC / SHIM]:
        name = path.name
        text = path.read_text(encoding="utf-8")
        urls = set(re.findall(r"https?://[^\s\"'`)]+", text))
        assert all(u.startswith("http://www.w3.org/") for u in urls), (name, urls)
    engine = (STATIC / "graphviz-engine.js").read_text(encoding="utf-8")
    assert len(engine) > 500_000                       # the inlined Graphviz WASM
    view = (STATIC / "diagram.js").read_text(encoding="utf-8")
    assert len(view) < 200_000 and "mapletree-edu.presenter" in view
    assert "export{" in view.replace(" ", "")


def test_shipped_bundle_is_the_lockfile_build(tmp_path):
    npm = shutil.which("npm")
    node = shutil.which("node")
    if npm is None or node is None:
        pytest.skip("npm (Node.js) is not installed: the shipped bundle cannot be rebuilt "
                    "here to compare it with the lockfile build")
    work = tmp_path / "js"
    work.mkdir()
    for name in ("package.json", "package-lock.json", "build.mjs"):
        shutil.copy(JS / name, work / name)
    shutil.copytree(JS / "src", work / "src")
    out = tmp_path / "out"
    run = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"],
                         cwd=work, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    run = subprocess.run([node, "build.mjs"], cwd=work, capture_output=True, text=True,
                         timeout=600, env={"PATH": str(Path(node).parent),
                                           "MT_BUNDLE_OUT": str(out),
                                           "MT_SLIDES_OUT": str(out / "slides")})
    assert run.returncode == 0, run.stdout + run.stderr
    pairs = [(out / n, STATIC / n) for n in BUNDLE] + [(out / "slides" / SHIM,
                                                         SLIDES_STATIC / SHIM)]
    for built_path, shipped_path in pairs:
        name = shipped_path.name
        built = built_path.read_bytes()
        shipped = shipped_path.read_bytes()
        assert built == shipped, (f"{name}: the shipped bundle differs from the lockfile "
                                  "build; rebuild it with: npm --prefix js ci && "
                                  "npm --prefix js run build")
