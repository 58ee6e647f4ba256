# SPDX-License-Identifier: GPL-2.0-or-later
"""``python -m mapletree_edu render``: files written, exit codes, messages."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mapletree_edu.render.dot import trace_dots
from mapletree_edu.render.script import record_script

ROOT = Path(__file__).resolve().parent.parent
MT_DUMP = ROOT / "tests" / "data" / "kernel-golden" / "mt_dump"
SPLIT = "tree alloc\n" + "".join(f"store {10 * i} {10 * i + 5} {i + 1}\n" for i in range(9))


def render(*args, stdin=None, env=None):
    return subprocess.run([sys.executable, "-m", "mapletree_edu", "render", *map(str, args)],
                          input=stdin, capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120)


@pytest.fixture
def script(tmp_path):
    p = tmp_path / "split.ops"
    p.write_text(SPLIT)
    return p


def test_dot_of_the_last_op(tmp_path, script):
    out = tmp_path / "last.dot"
    r = render("--script", script, "--out", out)
    assert r.returncode == 0, r.stderr
    (op,) = record_script(SPLIT)
    assert out.read_text() == trace_dots(op.steps)[-1]
    assert str(out) in r.stdout


def test_every_step_of_every_op_from_stdin(tmp_path):
    out = tmp_path / "frames"
    r = render("--script", "-", "--all", "--format", "dot", "--out", out, stdin=SPLIT)
    assert r.returncode == 0, r.stderr
    total = sum(len(op.steps) for op in record_script(SPLIT, all_ops=True))
    assert len(list(out.glob("step-*.dot"))) == total


def test_op_line_and_step(tmp_path, script):
    out = tmp_path / "frames"
    r = render("--script", script, "--op-line", 2, "--format", "dot", "--out", out)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == \
        ["step-000-mtree_store_range.dot", "step-001-mas_root_expand.dot"]
    one = tmp_path / "one.dot"
    r = render("--script", script, "--step", 1, "--hex", "--out", one)
    assert r.returncode == 0, r.stderr
    text = one.read_text()
    assert "mas_wr_bnode" in text and "[0x0, MAX]" in text      # --hex: every index in hex


def test_bad_script_line(tmp_path):
    r = render("--script", "-", "--out", tmp_path / "x.svg",
               stdin="tree alloc\nstore 10 15 1\nstore 20 oops 2\n")
    assert r.returncode == 1
    assert "line 3" in r.stderr and "LAST" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "x.svg").exists()


def test_other_errors_exit_1(tmp_path, script):
    r = render("--script", script, "--op-line", 99, "--out", tmp_path / "x.svg")
    assert r.returncode == 1 and "line 99" in r.stderr and "Traceback" not in r.stderr
    r = render("--script", tmp_path / "missing.ops", "--out", tmp_path / "x.svg")
    assert r.returncode == 1 and "cannot read" in r.stderr
    r = render("--script", script, "--step", 50, "--out", tmp_path / "x.svg")
    assert r.returncode == 1 and "steps" in r.stderr
    r = render("--script", script)
    assert r.returncode == 2 and "--out" in r.stderr


def test_mt_dump_text(tmp_path):
    out = tmp_path / "dump.dot"
    r = render("--mt-dump", MT_DUMP / "dup_alloc_60.hex.txt", "--no-collapse", "--out", out)
    assert r.returncode == 0, r.stderr
    rec = json.loads((MT_DUMP / "dup_alloc_60.json").read_text())
    text = out.read_text()
    for n in rec["nodes"]:
        assert f"  n{n['id']} [label=" in text
    r = render("--mt-dump", "-", "--out", tmp_path / "bad.dot", stdin="not a dump\n")
    assert r.returncode == 1 and "line 1" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.dot
def test_svg_gif_and_strip(tmp_path, script):
    from PIL import Image
    r = render("--script", script, "--out", tmp_path / "x.svg", "--width", 600)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "x.svg").read_text().lstrip().startswith("<?xml")
    r = render("--script", script, "--out", tmp_path / "x.gif")
    assert r.returncode == 0, r.stderr
    (op,) = record_script(SPLIT)
    with Image.open(tmp_path / "x.gif") as im:
        assert im.n_frames == len(op.steps)
    r = render("--script", script, "--format", "png-strip", "--out", tmp_path / "strip.png",
               "--width", 400)
    assert r.returncode == 0, r.stderr
    with Image.open(tmp_path / "strip.png") as im:
        assert im.height <= 400 * 2                            # frames fit the width...
        assert im.width <= (400 + 16) * len(op.steps)          # ...side by side


def test_missing_dot_message(tmp_path, script):
    r = render("--script", script, "--out", tmp_path / "x.svg",
               env={"PATH": str(tmp_path), "PYTHONPATH": str(ROOT)})
    assert r.returncode == 1
    assert "apt-get install graphviz" in r.stderr and "Traceback" not in r.stderr


def test_text_size_and_presenter(tmp_path, script):
    sizes = {}
    for name, extra in (("normal", ()), ("big", ("--text-px", 20)), ("pres", ("--presenter",))):
        out = tmp_path / f"{name}.dot"
        r = render("--script", script, "--out", out, *extra)
        assert r.returncode == 0, r.stderr
        sizes[name] = min(float(x) for x in re.findall(r'POINT-SIZE="([0-9.]+)"',
                                                       out.read_text()))
    assert sizes["normal"] * 4 / 3 >= 11 and sizes["pres"] * 4 / 3 >= 16
    assert sizes["big"] * 4 / 3 >= 20
    r = render("--script", script, "--out", tmp_path / "x.dot", "--text-px", 2)
    assert r.returncode == 1 and "--text-px" in r.stderr
    r = render("--script", script, "--out", tmp_path / "x.dot", "--text-px", 12,
               "--presenter")
    assert r.returncode == 2
