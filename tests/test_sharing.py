# SPDX-License-Identifier: GPL-2.0-or-later
"""Sharing an example as text in the op language: scripts round-trip."""

import pytest

from mapletree_edu.errors import ReplayError
from mapletree_edu.replay import ops_to_script, replay_records, script_to_ops

SCRIPT = """tree plain
store 0 5 1
store 10 15 2
bulk 3
bstore 20 25 3
bstore_reset 30 35 4
bulk_end
erase 12
dup
rcu_on
store 10 20 0
rcu_off
dump
"""


def _layout(rec):
    return {k: rec[k] for k in ("height", "root", "nodes", "node_count")}


def test_script_round_trips_through_ops():
    ops = script_to_ops(SCRIPT)
    assert ops_to_script(ops) == SCRIPT
    assert script_to_ops(ops_to_script(ops)) == ops


def test_comments_and_blank_lines_are_dropped():
    ops = script_to_ops("# a comment\n\ntree alloc\n  store 1 2 3  \n")
    assert ops == [("tree", (True, False)), ("store", (1, 2, 3))]


def test_a_bad_line_names_its_number():
    with pytest.raises(ReplayError, match="line 2"):
        script_to_ops("tree alloc\nstore 1 2\n")


def test_explorer_script_replays_to_the_same_tree():
    pytest.importorskip("ipywidgets")
    from mapletree_edu.widgets import Explorer

    e = Explorer()
    assert e.run("store", "0x1000-0x1fff", "7")
    assert e.run("store", "0x3000-0x3fff", "8")
    assert e.run("clear", "0x1000-0x1fff")
    assert e.run("erase", "0x3000")
    e.reset()
    assert e.run("bulk", "", "", "20")
    assert e.run("dup")
    assert e.run("store", "100 200", "9")
    text = e.script()
    assert text.startswith("tree alloc\nbulk 20\n")
    replayed = replay_records(text + "dump\n")[-1]
    assert _layout(replayed) == _layout(e.tree.to_record())

    other = Explorer()
    assert other.load_script(text)
    assert _layout(other.tree.to_record()) == _layout(e.tree.to_record())
    assert other.share.value == text


def test_explorer_refuses_a_bad_script_and_keeps_its_tree():
    pytest.importorskip("ipywidgets")
    from mapletree_edu.widgets import Explorer

    e = Explorer()
    e.run("store", "10-20", "5")
    before = e.tree.to_record()
    assert not e.load_script("tree alloc\nstore 1 2\n")
    assert "line 2" in e.state()["message"]
    assert e.tree.to_record() == before
    assert not e.load_script("tree alloc\nbstore 1 2 3\n")
    assert e.tree.to_record() == before


def test_non_integer_entries_cannot_be_shared():
    pytest.importorskip("ipywidgets")
    from mapletree_edu.errors import ExportError
    from mapletree_edu.widgets import Explorer

    e = Explorer()
    e.run("store", "1-5", "word")
    with pytest.raises(ExportError, match="not an integer"):
        e.script()
    assert e.share.value.startswith("# ")
