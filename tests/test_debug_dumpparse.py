# SPDX-License-Identifier: GPL-2.0-or-later
"""parse_mt_dump(): real kernel mt_dump() text back into dump records."""

import hashlib
import json
import re
from pathlib import Path

import pytest

from mapletree_edu import DumpParseError, MapleTreeError
from mapletree_edu.debug.dump import mt_dump
from mapletree_edu.debug.dumpparse import parse_mt_dump
from mapletree_edu.replay import Replayer

SAMPLES = Path(__file__).parent / "data" / "kernel-golden" / "mt_dump"
NAMES = sorted(p.stem for p in SAMPLES.glob("*.ops"))
GOLDEN = Path(__file__).parent / "data" / "kernel-golden" / "public.jsonl"
LEDGER = {"allocs", "frees", "live", "alloc_calls"}


def replayed_record(name):
    lines = (SAMPLES / f"{name}.ops").read_text().splitlines()
    rp = Replayer()
    for _ in rp.run("\n".join(line for line in lines if not line.startswith("mtdump"))):
        pass
    return {k: v for k, v in rp.tree.to_record().items() if k not in LEDGER}


def sample(name, fmt):
    return (SAMPLES / f"{name}.{fmt}.txt").read_text()


@pytest.mark.parametrize("fmt", ["dec", "hex"])
@pytest.mark.parametrize("name", NAMES)
def test_parse_real_sample_gives_the_replayed_record(name, fmt):
    got = parse_mt_dump(sample(name, fmt))
    assert got == replayed_record(name)
    recorded = json.loads((SAMPLES / f"{name}.json").read_text())
    assert got == {k: recorded[k] for k in got}
    assert parse_mt_dump(sample(name, fmt), fmt=fmt) == got


def test_header_fields_on_request():
    rec = parse_mt_dump(sample("vma_rcu", "hex"), header=True)
    assert (rec["flags"], rec["kind"], rec["rcu"]) == (0xB, "alloc", True)
    rec = parse_mt_dump(sample("plain_300_singletons", "dec"), header=True)
    assert (rec["flags"], rec["kind"], rec["rcu"]) == (0xC, "plain", False)
    assert "kind" not in parse_mt_dump(sample("empty", "dec"))


def test_format_mismatch_is_an_error():
    with pytest.raises(DumpParseError) as err:
        parse_mt_dump(sample("one_leaf", "hex"), fmt="dec")
    assert err.value.line == 2 and "hex" in err.value.message


def test_log_prefixes_are_stripped():
    text = sample("append_alloc_17", "hex")
    want = parse_mt_dump(text)
    dmesg = "".join(f"[ {12 + i * 0.001:10.6f}] {line}\n"
                    for i, line in enumerate(text.splitlines()))
    assert parse_mt_dump(dmesg) == want
    level = "".join(f"<6>{line}\n" for line in text.splitlines())
    assert parse_mt_dump(level) == want
    syslog = "".join(f"Mar  3 10:00:01 host kernel: [    5.000001] {line}\n"
                     for line in text.splitlines())
    assert parse_mt_dump(syslog) == want


def hash_pointers(text):
    """What a kernel without no_hash_pointers prints: every non-NULL pointer word
    becomes 00000000 and 8 hex digits of a hash."""
    def hashed(m):
        if int(m.group(0), 16) == 0:
            return m.group(0)
        h = hashlib.sha256(m.group(0).encode()).hexdigest()[:8]
        return "00000000" + h
    return re.sub(r"\b[0-9a-f]{16}\b", hashed, text)


@pytest.mark.parametrize("name", ["append_alloc_120", "plain_300_singletons", "vma_rcu",
                                  "root_entry"])
def test_hashed_pointers(name):
    text = hash_pointers(sample(name, "dec"))
    assert text != sample(name, "dec")
    assert parse_mt_dump(text) == replayed_record(name)


def test_round_trip_of_every_golden_dump():
    """The model's own dump reads back as its record, for every recorded state,
    the quirk cases (stale data past a node's end) included."""
    count = 0
    for line in GOLDEN.read_text().splitlines():
        case = json.loads(line)
        rp = Replayer()
        for _line, rec, _op in rp.run("\n".join(case["ops"])):
            if rec is None:
                continue
            want = {k: v for k, v in rp.tree.to_record().items() if k not in LEDGER}
            fmt = ("dec", "hex")[count % 2]
            pointers = ("kernel", "kernel", "userspace")[count % 3]
            assert parse_mt_dump(mt_dump(rp.tree.core, fmt, pointers)) == want, case["name"]
            count += 1
    assert count > 300


# --- malformed dumps ---------------------------------------------------------

def line_no(text, prefix):
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(prefix))


def parse_error(text):
    with pytest.raises(DumpParseError) as err:
        parse_mt_dump(text)
    assert isinstance(err.value, MapleTreeError) and isinstance(err.value, ValueError)
    assert str(err.value).startswith(f"line {err.value.line}: ")
    return err.value


def edit(text, n, fn):
    lines = text.splitlines()
    lines[n - 1] = fn(lines[n - 1])
    return "\n".join(lines) + "\n"


def test_truncated_node_line():
    text = sample("append_alloc_17", "dec")
    n = line_no(text, "  76-125: node")
    err = parse_error(edit(text, n, lambda s: s[:len(s) // 2]))
    assert err.line == n and "truncated" in err.message


def test_truncated_dump():
    text = sample("append_alloc_17", "dec")
    cut = "\n".join(text.splitlines()[:-3]) + "\n"
    err = parse_error(cut)
    assert err.line == len(text.splitlines()) - 3 and "ends early" in err.message
    assert "an entry line for 156-159" in err.message


def test_bad_number():
    text = sample("one_leaf", "dec")
    err = parse_error(edit(text, 2, lambda s: s.replace(" 4095 ", " 40x5 ")))
    assert err.line == 2 and "bad number" in err.message and "40x5" in err.message
    text = sample("one_leaf", "hex")
    err = parse_error(edit(text, 5, lambda s: s.replace("a-f:", "a-g:")))
    assert err.line == 5


def test_wrong_indentation():
    text = sample("append_alloc_17", "hex")
    n = line_no(text, "    4c-4f:")
    err = parse_error(edit(text, n, lambda s: " " + s))
    assert err.line == n and "indent" in err.message
    n = line_no(text, "  7e-ffffffffffffffff: node")
    err = parse_error(edit(text, n, lambda s: s[2:]))
    assert err.line == n


def test_unknown_and_dense_types():
    text = sample("append_alloc_17", "dec")
    n = line_no(text, "  0-75: node")
    err = parse_error(edit(text, n, lambda s: s.replace(" type 1 ", " type 7 ")))
    assert err.line == n and "unknown node type 7" in err.message
    err = parse_error(edit(text, n, lambda s: s.replace(" type 1 ", " type 0 ")))
    assert err.line == n and "dense" in err.message


def test_structure_faults():
    text = sample("append_alloc_17", "dec")
    n = line_no(text, "    20-25:")
    err = parse_error(edit(text, n, lambda s: s.replace("20-25", "20-26")))
    assert err.line == n and "pivots" in err.message
    err = parse_error(edit(text, n, lambda s: s.replace("value 3 (0x3)", "value 4 (0x4)")))
    assert err.line == n
    err = parse_error(text + text)
    assert err.line == len(text.splitlines()) + 1 and "second dump" in err.message
    err = parse_error("\n".join(text.splitlines()[1:]))
    assert err.line == 1 and "header" in err.message
    n = line_no(text, "  0-75: node")
    err = parse_error(edit(text, n, lambda s: s.replace("depth 1", "depth 2")))
    assert err.line == n and "depth" in err.message


def test_header_faults():
    text = sample("one_leaf", "dec")
    err = parse_error(edit(text, 1, lambda s: s.replace("height 1", "height 2")))
    assert err.line == 1 and "height" in err.message
    err = parse_error(edit(text, 1, lambda s: s.replace(" flags ", " flag ")))
    assert err.line == 1
