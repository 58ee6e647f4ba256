# SPDX-License-Identifier: GPL-2.0-or-later
"""Exports: SVG files with deterministic names, animated GIF, PNG strip, refusals."""

import io

import pytest

from mapletree_edu import ExportError, MapleTree
from mapletree_edu.render import dot_to_png
from mapletree_edu.render.dot import trace_dots
from mapletree_edu.render.export import export_dot, export_gif, export_png_strip, export_svg
from mapletree_edu.render.script import record_script
from mapletree_edu.trace import record

SPLIT = "tree alloc\n" + "".join(f"store {10 * i} {10 * i + 5} {i + 1}\n" for i in range(9))


def split_steps():
    (op,) = record_script(SPLIT)
    return list(op.steps)


def test_file_names_are_deterministic(tmp_path):
    steps = split_steps()
    paths = export_dot(steps, tmp_path / "frames", prefix="split")
    assert [p.name for p in paths] == [f"split-{i:03d}-{s.fn}.dot" for i, s in enumerate(steps)]
    again = export_dot(split_steps(), tmp_path / "again", prefix="split")
    assert [p.read_text() for p in paths] == [p.read_text() for p in again]
    one = export_dot(steps[-1], tmp_path / "one.dot")
    assert one == [tmp_path / "one.dot"] and one[0].read_text().startswith("digraph maple")
    with pytest.raises(ExportError, match="frames cannot go into one"):
        export_dot(steps, tmp_path / "many.dot")


def test_non_integer_entries_are_refused(tmp_path):
    t = MapleTree()
    t.store(0x1000, 0x1fff, 1)
    with record(t, "store vma") as rec:
        t.store(0x3000, 0x3fff, "libc.so")
    for export in (export_gif, export_png_strip, export_svg, export_dot):
        with pytest.raises(ExportError, match="not an integer") as info:
            export(rec.steps, tmp_path / "x.out")
        assert "libc.so" in str(info.value)
    with pytest.raises(ExportError, match="not an integer"):
        export_svg(t, tmp_path / "tree.svg")
    assert not list(tmp_path.iterdir())


@pytest.mark.dot
def test_svg_files(tmp_path):
    steps = split_steps()
    paths = export_svg(steps, tmp_path / "svg")
    assert len(paths) == len(steps)
    for p in paths:
        assert p.read_text().lstrip().startswith("<?xml")
    t = MapleTree()
    t.store(5, 9, 1)
    (p,) = export_svg(t, tmp_path / "tree.svg")
    assert "leaf_64" in p.read_text()


@pytest.mark.dot
def test_gif_has_one_frame_per_step(tmp_path):
    from PIL import Image
    steps = split_steps()
    out = export_gif(steps, tmp_path / "split.gif", frame_ms=500)
    with Image.open(out) as im:
        assert im.format == "GIF"
        assert im.n_frames == len(steps)
        sizes = [Image.open(io.BytesIO(dot_to_png(d))).size for d in trace_dots(steps)]
        assert im.size == (max(w for w, _ in sizes), max(h for _, h in sizes))
        assert im.info.get("duration") == 500


@pytest.mark.dot
def test_png_strip_size(tmp_path):
    from PIL import Image
    steps = split_steps()[-3:]
    sizes = [Image.open(io.BytesIO(dot_to_png(d))).size for d in trace_dots(steps)]
    out = export_png_strip(steps, tmp_path / "strip.png", gap=10)
    with Image.open(out) as im:
        w, h = im.size
    assert w == sum(s[0] for s in sizes) + 10 * (len(sizes) - 1)
    assert h > max(s[1] for s in sizes)                     # captions above the frames
    out = export_png_strip(steps, tmp_path / "col.png", vertical=True, gap=10,
                           captions=False)
    with Image.open(out) as im:
        assert im.size == (max(s[0] for s in sizes),
                           sum(s[1] for s in sizes) + 10 * (len(sizes) - 1))
