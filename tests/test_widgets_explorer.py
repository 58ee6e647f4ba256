# SPDX-License-Identifier: GPL-2.0-or-later
"""Explorer: input parsing, operations through the Go button, and bad input that shows a
message and leaves the tree unchanged."""

import pytest

pytest.importorskip("ipywidgets")

from mapletree_edu import MapleTree, MapleTreeError  # noqa: E402
from mapletree_edu.widgets import Explorer  # noqa: E402
from mapletree_edu.widgets.parse import parse_count, parse_range, parse_value  # noqa: E402

U64 = (1 << 64) - 1


@pytest.mark.parametrize("text,expected", [
    ("0x1000-0x1fff", (0x1000, 0x1FFF)),
    ("4096 8191", (4096, 8191)),
    ("4096,8191", (4096, 8191)),
    ("0x1000..0x1fff", (0x1000, 0x1FFF)),
    (" 10 - 20 ", (10, 20)),
    ("4096", (4096, 4096)),
    ("0X10-0x20", (16, 32)),
    ("1_000 2_000", (1000, 2000)),
    ("0-MAX", (0, U64)),
])
def test_parse_range_accepts(text, expected):
    assert parse_range(text) == expected


@pytest.mark.parametrize("text,words", [
    ("", "no range"),
    ("abc", "cannot read"),
    ("1.5", "not an integer"),
    ("1e3", "not an integer"),
    ("-5", "negative"),
    ("20-10", "greater than"),
    ("1-2-3", "cannot read"),
    (str(1 << 64), "2**64 - 1"),
    ("0x10000000000000000", "2**64 - 1"),
    ("10..", "cannot read"),
])
def test_parse_range_refuses_with_a_readable_message(text, words):
    with pytest.raises(MapleTreeError) as exc:
        parse_range(text)
    assert words in str(exc.value)


def test_parse_value_and_count():
    assert parse_value("", 7) == 7
    assert parse_value("0x10", 0) == 16 and parse_value("42", 0) == 42
    assert parse_value("vma", 0) == "vma"
    with pytest.raises(MapleTreeError):
        parse_value("NULL", 0)
    assert parse_count("12") == 12
    for bad in ("0", "x", "1001", "-3", 2.5):
        with pytest.raises(MapleTreeError):
            parse_count(bad)


def filled_explorer(n=12):
    e = Explorer()
    for i in range(n):
        assert e.run("store", f"{i * 10 + 10}-{i * 10 + 15}", str(i + 1))
    return e


@pytest.mark.parametrize("op,rng,value,count", [
    ("store", "abc", "1", None),
    ("store", "50-40", "1", None),
    ("store", "0x10000000000000000", "1", None),
    ("store", "-5", "1", None),
    ("store", "1.5-3", "1", None),
    ("store", "10-20", "NULL", None),
    ("clear", "", "", None),
    ("erase", "10-20", "", None),
    ("erase", "x", "", None),
    ("bulk", "", "", "5"),             # the tree is not empty
    ("bulk", "", "", "many"),
    ("nonsense", "1", "1", None),
])
def test_bad_input_shows_a_message_and_leaves_the_tree(op, rng, value, count):
    e = filled_explorer()
    before = e.tree.to_record()
    player_before = e.player.state()
    assert e.run(op, rng, value, count) is False
    st = e.state()
    assert st["ok"] is False
    assert "Traceback" not in st["message"] and len(st["message"]) > 40
    assert e.tree.to_record() == before
    assert e.player.state()["status"] == player_before["status"]


def test_go_button_reads_the_inputs():
    e = Explorer()
    before = e.tree.to_record()
    e.op.value = "store"
    e.range_text.value = "0x1000-0x1fff"
    e.value_text.value = "7"
    e.go_btn.click()
    assert e.state()["ok"] and e.tree.load(0x1800) == 7
    assert e.tree.to_record() != before
    assert e.player.n_steps >= 1 and e.player.step.fn == "mtree_store_range"
    assert "0x1000" in e.player.title or "4096" in e.player.title
    e.range_text.value = "0x3000 0x2000"
    e.go_btn.click()
    assert not e.state()["ok"] and "greater than" in e.state()["message"]
    assert e.tree.load(0x1800) == 7


def test_store_split_shows_the_split_in_the_player():
    e = filled_explorer(15)
    assert e.run("store", "170-175", "99")
    fns = [s.fn for s in e.player.steps]
    assert "mas_split" in fns and "mab_calc_split" in fns
    assert e.state()["height"] == 2 and e.tree.load(172) == 99
    e.player.last()
    assert e.player.state()["fn"] == e.player.steps[-1].fn


def test_clear_erase_and_automatic_values():
    e = Explorer()
    assert e.run("store", "100-199", "")
    assert e.run("store", "300-399", "")
    assert e.tree.load(150) == 1 and e.tree.load(350) == 2
    assert e.run("clear", "150-160")
    assert e.tree.load(155) is None and e.tree.load(149) == 1
    assert e.run("erase", "350")
    assert e.tree.load(300) is None and "erased entry 2" in e.state()["message"]
    assert e.run("erase", "5000") and "nothing was stored" in e.state()["message"]


def test_bulk_load_and_dup_and_reset():
    e = Explorer()
    assert e.run("bulk", "", "", "30")
    assert len(e.tree) == 30 and e.tree.load(0x1000) == 1
    fns = {s.fn for s in e.player.steps}
    assert {"mas_expected_entries", "mas_store"} <= fns
    before = e.tree.to_record()
    assert e.run("dup")
    assert e.copy is not None and list(e.copy) == list(e.tree)
    assert {s.fn for s in e.player.steps} >= {"mas_dup_build"}
    assert e.tree.to_record()["nodes"] == before["nodes"]
    e.reset_btn.click()
    assert len(e.tree) == 0 and e.player.n_steps == 0 and e.copy is None
    assert e.run("bulk", "0x100000", "", "3")
    assert e.tree.load(0x100000) == 1 and len(e.tree) == 3


def test_explorer_over_a_given_plain_tree():
    t = MapleTree(alloc=False)
    t.store(5, 9, "x")
    e = Explorer(tree=t)
    assert e.tree is t and "plain" in e.summary.value
    assert e.run("store", "20", "y") and t.load(20) == "y"


def test_constructor_ops_set_the_shown_state_and_static_fallback():
    e = Explorer(ops=[("store", "0x1000-0x1fff", "7"), ("store", "0x3000-0x3fff", "8"),
                      ("erase", "x", "")])
    assert e.tree.load(0x1000) == 7 and e.tree.load(0x3000) == 8
    assert not e.state()["ok"]                # the last op was refused, with a message
    assert e.player.title.startswith("store")
    b = e._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in b
    assert b["text/plain"].startswith("<Explorer: ") and "mtree_store_range" in b["text/plain"]


def test_go_from_the_page_uses_the_typed_text_not_the_synced_fields():
    from mapletree_edu.widgets.explorer import OPERATIONS, GoButton
    if GoButton is None:
        pytest.skip("anywidget is not installed")
    e = Explorer()
    e.range_text.value = "100-199"            # what the kernel last heard
    e.value_text.value = "5"
    typed = {"event": "go", "op_index": [v for _l, v in OPERATIONS].index("store"),
             "range": "0x21000-0x21fff", "value": "7", "count": "8"}
    e.go_btn._on_msg(e.go_btn, typed, [])
    assert e.state()["ok"] and e.tree.load(0x21800) == 7 and e.tree.load(150) is None
    assert e.range_text.value == "0x21000-0x21fff" and e.value_text.value == "7"
    before = e.tree.to_record()
    e.go_btn._on_msg(e.go_btn, dict(typed, range="0x30000 0x20000"), [])
    st = e.state()
    assert not st["ok"] and "greater than" in st["message"] and 'role="alert"' in st["message"]
    assert "the tree is unchanged" in st["message"] and e.tree.to_record() == before
    e.go_btn._on_msg(e.go_btn, {"event": "other"}, [])      # other messages do nothing
    assert e.tree.to_record() == before
