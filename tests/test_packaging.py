"""Packaging consistency: pyproject extras, conda environment files, Binder and CI scripts.

The pip pins in pyproject.toml are the reference; environment.yml and binder/environment.yml
must carry the same versions for the packages they list (conda names mapped to pip names).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
ENV_YML = ROOT / "environment.yml"
BINDER_YML = ROOT / "binder" / "environment.yml"
POSTBUILD = ROOT / "binder" / "postBuild"
CI_RUN = ROOT / ".ci" / "run"

# conda-forge name -> PyPI name, where they differ (after normalisation).
CONDA_TO_PIP = {"python-graphviz": "graphviz"}
# conda-forge packages that are not Python distributions on PyPI: the interpreter, pip,
# and Graphviz itself (conda `graphviz` is the `dot` executable, not PyPI's `graphviz`).
CONDA_NON_PYPI = {"python", "pip", "graphviz"}


def normalize(name: str) -> str:
    """PEP 503 name normalisation: case-insensitive, runs of -_. are one dash."""
    return re.sub(r"[-_.]+", "-", name).lower()


# ------------------------------------------------------------------ pyproject


def load_extras() -> dict[str, dict[str, str]]:
    """{extra: {normalised name: pinned version}}; raises on a requirement that is not ==."""
    data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    extras = {}
    for extra, reqs in data["project"]["optional-dependencies"].items():
        pins = {}
        for req in reqs:
            m = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;,]+)\s*", req)
            assert m, f"[{extra}] {req!r} is not an exact pin (name==version)"
            pins[normalize(m.group(1))] = m.group(2)
        extras[extra] = pins
    return extras


# ------------------------------------------------------------------ conda files


def parse_conda_env(text: str) -> dict:
    """A small parser for the simple conda environment files of this repository.

    Understands top-level `name:`, `channels:` and `dependencies:`; dependency items
    `- name`, `- name=version`, `- name==version`, and a nested `- pip:` list.
    Returns {"name": str, "channels": [...], "conda": {name: version or None},
    "pip": {name: version or None}, "raw": [every dependency string]}.
    """
    env = {"name": None, "channels": [], "conda": {}, "pip": {}, "raw": []}
    section = None
    pip_indent = None  # indentation of the `- pip:` item while inside its list
    for lineno, line in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", line).rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        if indent == 0:
            key, _, value = body.partition(":")
            section = key.strip()
            if section == "name":
                env["name"] = value.strip()
            pip_indent = None
            continue
        assert body.startswith("- "), f"line {lineno}: unexpected {body!r}"
        item = body[2:].strip()
        if section == "channels":
            env["channels"].append(item)
            continue
        assert section == "dependencies", f"line {lineno}: item outside a known list"
        if pip_indent is not None and indent <= pip_indent:
            pip_indent = None
        if item == "pip:":
            pip_indent = indent
            continue
        env["raw"].append(item)
        if pip_indent is not None:
            m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:==\s*(\S+))?", item)
            assert m, f"line {lineno}: pip item {item!r} is not name or name==version"
            env["pip"][normalize(m.group(1))] = m.group(2)
        else:
            m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:==?\s*(\S+))?", item)
            assert m, f"line {lineno}: conda item {item!r} is not name or name=version"
            env["conda"][normalize(m.group(1))] = m.group(2)
    return env


def pypi_view(env: dict) -> dict[str, tuple[str | None, str]]:
    """{PyPI name: (version, where)} for every Python package an environment file lists."""
    out = {}
    for name, version in env["conda"].items():
        if name in CONDA_NON_PYPI:
            continue
        out[CONDA_TO_PIP.get(name, name)] = (version, f"conda {name}")
    for name, version in env["pip"].items():
        assert name not in out, f"{name} listed twice (conda and pip:)"
        out[name] = (version, f"pip {name}")
    return out


ENV_FILES = [ENV_YML, BINDER_YML]


@pytest.fixture(scope="module")
def extras():
    return load_extras()


@pytest.fixture(scope="module", params=ENV_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def env_file(request):
    return request.param


def test_extras_are_exact_pins_and_complete(extras):
    assert set(extras) >= {"notebooks", "test", "bench"}
    assert {"jupyterlab", "ipywidgets", "graphviz", "nbval", "pytest"} <= (
        set(extras["notebooks"]) | set(extras["test"])
    )
    data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    assert data["project"]["dependencies"] == [], "the model is pure Python"


def test_extras_do_not_disagree(extras):
    seen = {}
    for extra, pins in extras.items():
        for name, version in pins.items():
            if name in seen:
                assert seen[name][1] == version, (
                    f"{name}: {seen[name][0]} pins {seen[name][1]}, {extra} pins {version}"
                )
            seen[name] = (extra, version)


def test_env_file_versions_equal_pyproject_pins(extras, env_file):
    pins = {name: v for pinset in extras.values() for name, v in pinset.items()}
    listed = pypi_view(parse_conda_env(env_file.read_text(encoding="utf-8")))
    mismatches = [
        f"{where}: {version} != pyproject {name}=={pins[name]}"
        for name, (version, where) in sorted(listed.items())
        if name in pins and version != pins[name]
    ]
    assert not mismatches, f"{env_file.relative_to(ROOT)}: " + "; ".join(mismatches)
    unknown = sorted(set(listed) - set(pins))
    assert not unknown, f"{env_file.relative_to(ROOT)} lists packages not in any extra: {unknown}"


def test_env_file_basics(env_file):
    env = parse_conda_env(env_file.read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"]
    assert env["conda"].get("python") == "3.11"
    assert "graphviz" in env["conda"], "Graphviz itself (the dot executable) must be listed"
    for name, version in env["conda"].items():
        if name not in CONDA_NON_PYPI:
            assert version, f"conda package {name} has no version"


def test_environment_yml_covers_notebooks_and_test_extras(extras):
    listed = pypi_view(parse_conda_env(ENV_YML.read_text(encoding="utf-8")))
    missing = sorted((set(extras["notebooks"]) | set(extras["test"])) - set(listed))
    assert not missing, f"environment.yml lacks {missing}"


def test_binder_has_notebooks_extra_only(extras):
    env = parse_conda_env(BINDER_YML.read_text(encoding="utf-8"))
    listed = pypi_view(env)
    only_test_or_bench = (set(extras["test"]) | set(extras["bench"])) - set(extras["notebooks"])
    leaked = sorted(set(listed) & only_test_or_bench)
    assert not leaked, f"binder/environment.yml lists test-only or bench-only packages: {leaked}"
    missing = sorted(set(extras["notebooks"]) - set(listed))
    assert not missing, f"binder/environment.yml lacks notebooks packages: {missing}"


def test_binder_postbuild_installs_package():
    text = POSTBUILD.read_text(encoding="utf-8")
    commands = [ln.strip() for ln in text.splitlines() if not ln.strip().startswith("#")]
    assert "pip install --no-deps -e ." in commands
    assert "overrides.json" in text
    assert os.access(POSTBUILD, os.X_OK), "binder/postBuild must be executable"


def test_ci_run_runs_make_test():
    text = CI_RUN.read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines()]
    assert lines[0] == "#!/usr/bin/env bash"
    commands = [ln for ln in lines[1:] if ln and not ln.startswith("#")]
    assert "set -euo pipefail" in commands
    assert "make test" in commands
    assert os.access(CI_RUN, os.X_OK), ".ci/run must be executable"


def test_hand_parser_agrees_with_yaml():
    yaml = pytest.importorskip("yaml")
    for path in ENV_FILES:
        text = path.read_text(encoding="utf-8")
        ours = parse_conda_env(text)
        theirs = yaml.safe_load(text)
        assert ours["name"] == theirs["name"]
        assert ours["channels"] == theirs["channels"]
        flat = []
        for dep in theirs["dependencies"]:
            flat.extend(dep["pip"] if isinstance(dep, dict) else [dep])
        assert ours["raw"] == flat


def test_parser_sees_a_version_change():
    """The comparison is not vacuous: an edited version is reported."""
    text = BINDER_YML.read_text(encoding="utf-8")
    assert "  - jupyterlab=" in text
    edited = re.sub(r"(  - jupyterlab=)\S+", r"\g<1>0.0.1", text)
    assert pypi_view(parse_conda_env(edited))["jupyterlab"][0] == "0.0.1"
    assert (
        pypi_view(parse_conda_env(text))["jupyterlab"][0]
        == load_extras()["notebooks"]["jupyterlab"]
    )


def test_data_files_named_in_origin_exist():
    data = ROOT / "tests" / "data"
    origin = (data / "ORIGIN.md").read_text(encoding="utf-8")
    for rel in [
        "kernel-golden/public.jsonl",
        "kernel-golden/public-traces.jsonl",
        "kernel-golden/FORMAT.md",
        "kernel-golden/TRACES.md",
        "kernel-golden/mt_dump/README.md",
        "fork-benchmarks.csv",
    ]:
        assert (data / rel).is_file(), rel
        assert Path(rel).name in origin, f"ORIGIN.md does not mention {rel}"


def test_slides_templates_ship_with_their_style_sheets():
    """The slide template (mapletree_edu/slides/voila/templates/mapletree-slides) sets the
    slide size the launcher names and addresses reveal.js's style sheets, which ship in the
    package, under the server's base URL; the theme fetches no fonts; both templates drop
    the links their parents make to a CDN; the launcher's presenter variable is the one
    the players read."""
    import json

    from mapletree_edu import slides
    from mapletree_edu.widgets import diagram
    tpl = slides.TEMPLATES / slides.TEMPLATE
    static = tpl / "static"
    index = (tpl / "index.html.j2").read_text()
    assert f'"width": {slides.WIDTH}, "height": {slides.HEIGHT}' in index
    assert 'resources.base_url ~ "voila/templates/mapletree-slides/static"' in index
    assert (static / "dist" / "reveal.css").is_file()
    css = (static / "dist" / "theme" / "white.css").read_text()
    assert "@import" not in css, "the theme must not fetch fonts from elsewhere"
    assert json.loads((tpl / "conf.json").read_text())["base_template"] == "reveal"
    page = slides.TEMPLATES / slides.PAGE_TEMPLATE
    assert json.loads((page / "conf.json").read_text())["base_template"] == "lab"
    for t in (tpl, page):
        assert "offline.local_only(super())" in (t / "index.html.j2").read_text(), t
    assert slides.PRESENTER_ENV == diagram.PRESENTER_ENV
    assert slides.TEMPLATE == diagram.SLIDES_TEMPLATE
    env = slides.environment({"JUPYTER_PATH": "/elsewhere"})
    assert env["JUPYTER_PATH"].split(os.pathsep) == [str(slides.SHARE), "/elsewhere"]
    assert env[slides.PRESENTER_ENV] == "1"
    assert slides.PRESENTER_ENV not in slides.environment({}, presenter=False)


def test_package_data_covers_shipped_assets():
    """Every non-Python file under mapletree_edu/ is matched by a package-data pattern."""
    from fnmatch import fnmatch
    data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["mapletree_edu"]
    pkg = ROOT / "mapletree_edu"
    missed = []
    for f in sorted(pkg.rglob("*")):
        if not f.is_file() or f.suffix in (".py", ".pyc") or "__pycache__" in f.parts:
            continue
        rel = f.relative_to(pkg).as_posix()
        if not any(fnmatch(rel, p) and rel.count("/") == p.count("/") for p in patterns):
            missed.append(rel)
    assert not missed, f"not in package-data: {missed}"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_needs_no_system_package():
    """`make lab` and `make notebook` neither install nor check Graphviz or Chromium;
    `make test` goes through setup-test, which does (dry runs: `make -n`)."""
    def dry(target):
        proc = subprocess.run(["make", "-n", *target.split()], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout
    for target in ("lab", "notebook", "slides NB=notebooks/05-node-splits.ipynb"):
        out = dry(target)
        assert "jupyter" in out or "mapletree_edu.slides" in out
        for word in ("apt-get", "chromium", "command -v dot"):
            assert word not in out, f"make {target} runs {word!r}"
    usage = dry("slides")
    assert "usage: make slides NB=" in usage and "pip install" not in usage, usage
    out = dry("test")
    assert "apt-get install" in out and "command -v dot" in out and "chromium" in out
