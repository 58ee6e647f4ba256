# SPDX-License-Identifier: GPL-2.0-or-later
"""Replay every published read case and compare every record with the kernel's.

tests/data/kernel-golden/read-public.jsonl records what Linux v6.8's lib/maple_tree.c
returned for the read, iteration, gap-search and insert API (READ-FORMAT.md): entries,
indices, statuses, the node and offset a maple state points at, return codes, and
the node ledger of inserts and allocations, with periodic dumps of the tree. Records
are compared as parsed JSON, field by field. read-public-traces.jsonl lists the
kernel's trace events per op; they must appear among the model's steps in order, and
the model's steps that stand for trace points must be exactly those events.

Also here: the three scripts READ-FORMAT.md calls invalid (v6.8 dereferences NULL)
stop the replay with an error naming the kernel's failure, and bulk-mode misuse runs
as the kernel runs it.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import record_diff

from mapletree_edu.replay import Replayer
from mapletree_edu.trace.recorder import Recorder

DATA = Path(__file__).resolve().parent / "data" / "kernel-golden"
KEYS = ("fn", "ev", "min", "max", "index", "last", "piv")
FAMILIES = {"read": 11, "iter": 9, "gap": 10, "mmap": 3, "insert": 7}
_CACHE = {}


def read_cases():
    if "cases" not in _CACHE:
        with open(DATA / "read-public.jsonl", encoding="utf-8") as f:
            _CACHE["cases"] = {c["name"]: c for c in map(json.loads, f)}
    return _CACHE["cases"]


def read_traces():
    if "traces" not in _CACHE:
        with open(DATA / "read-public-traces.jsonl", encoding="utf-8") as f:
            _CACHE["traces"] = {t["name"]: {e["line"]: e["events"] for e in t["traces"]}
                                for t in map(json.loads, f)}
    return _CACHE["traces"]


NAMES = list(read_cases())


def family(name):
    return name.split("_", 1)[0]


def script(case):
    return "\n".join(case["ops"]) + "\n"


def test_read_data_is_complete():
    """READ-FORMAT.md: 40 cases, 24,005 op lines, 125 dumps, 1 dup, 13,957 new-op
    records, in five families; the trace file has the same cases in the same order."""
    cases = read_cases()
    assert len(cases) == 40
    assert sum(len(c["ops"]) for c in cases.values()) == 24005
    kinds = [r["op"] for c in cases.values() for r in c["records"]]
    assert (kinds.count("dump"), kinds.count("dup")) == (125, 1)
    assert len(kinds) - 126 == 13957
    counts = {}
    for name in cases:
        counts[family(name)] = counts.get(family(name), 0) + 1
    assert counts == FAMILIES
    assert list(read_traces()) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_golden_read_replay(name):
    """Every field of every record equals the kernel's (validate after each op)."""
    case = read_cases()[name]
    rp = Replayer()
    got = [rec for _line, rec, _op in rp.run(script(case)) if rec is not None]
    want = case["records"]
    assert [r["line"] for r in got] == [r["line"] for r in want]
    for w, g in zip(want, got, strict=True):
        if w != g:
            pytest.fail(f"{name}: record of line {w['line']} ({case['ops'][w['line'] - 1]!r}) "
                        f"differs\n{record_diff(w, g)}\n kernel: {json.dumps(w)[:400]}\n"
                        f" model:  {json.dumps(g)[:400]}", pytrace=False)


def events_in_order(kernel_events, steps):
    it = iter(steps)
    for ev in kernel_events:
        if not any(all(s.get(k) == ev[k] for k in KEYS if k in ev) for s in it):
            return False, ev
    return True, None


@pytest.mark.parametrize("name", NAMES)
def test_golden_read_traces(name):
    """The kernel's events are found in order among the steps of each op, and the
    model's event steps are exactly the kernel's events (none missing, none extra)."""
    case = read_cases()[name]
    kernel = read_traces()[name]
    rp = Replayer(tracer_factory=lambda: Recorder(views=False), validate="off")
    prev = rp.tree.tracer
    for line, _rec, _op in rp.run(script(case)):
        tracer = rp.tree.tracer
        steps = []
        if tracer is not prev:
            steps += prev.take_steps()
            prev = tracer
        steps += tracer.take_steps()
        want = kernel.get(line, [])
        ok, missing = events_in_order(want, steps)
        where = f"{name} line {line} ({case['ops'][line - 1]!r})"
        assert ok, f"{where}: kernel event {missing} not found in order"
        got = [{k: s[k] for k in KEYS if k in s} for s in steps if s.get("ev")]
        assert got == [{k: e[k] for k in KEYS if k in e} for e in want], where


def test_golden_read_cli():
    """`python -m mapletree_edu replay` prints the kernel's records for a read case."""
    case = read_cases()["read_vma_30_s4"]
    proc = subprocess.run([sys.executable, "-m", "mapletree_edu", "replay"],
                          input=script(case), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(x) for x in proc.stdout.splitlines()] == case["records"]


@pytest.mark.parametrize("mode", ["dumps", "off"])
def test_validate_modes(mode):
    """--validate dumps gives the same records on a valid script; off prints
    validate_errors as null and nothing else differs."""
    case = read_cases()["mmap_80_s1"]
    proc = subprocess.run([sys.executable, "-m", "mapletree_edu", "replay", "--validate", mode],
                          input=script(case), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    got = [json.loads(x) for x in proc.stdout.splitlines()]
    want = case["records"]
    if mode == "off":
        assert all(g["validate_errors"] is None for g in got if "validate_errors" in g)
        want = [dict(w, validate_errors=None) if "validate_errors" in w else w for w in want]
    assert got == want


def test_validate_counts_differ_only_in_when():
    """A script the checker complains about (the quirk of a NULL store into an empty
    tree): 'each' counts every op after it, 'dumps' only the dumps."""
    text = "tree alloc\nstore 5 9 0\nload 3\nload 4\ndump\n"
    each = [r for r in Replayer().run(text) if r[1] is not None][-1][1]
    dumps = [r for r in Replayer(validate="dumps").run(text) if r[1] is not None][-1][1]
    assert each["validate_errors"] == 4
    assert dumps["validate_errors"] == 1


# --------------------------------------------------------------- invalid and misuse

INVALID = [
    # READ-FORMAT.md's three scripts that v6.8 would crash on (a NULL node dereference)
    ("tree alloc\nempty_area_rev 0 100 5", "mas_empty_area_rev"),
    ("tree alloc\nstore 0 0 7\nempty_area_rev 1 100 5", "mas_empty_area_rev"),
    ("tree alloc\nalloc_rrange 5 0 100 3", "mas_empty_area_rev"),
    ("tree alloc\nstore 10 20 1\nmas_set 5\nmas_next 5\nmas_next 50", "mas_next_slot"),
    ("tree alloc\nstore 10 20 1\nmas_set 5\nmas_next 5\nmas_next_range 50", "mas_next_slot"),
    ("tree alloc\nstore 10 20 1\nmas_set 0\nmas_prev 0\nmas_prev 0\nmas_find_rev 0",
     None),
    ("tree alloc\nstore 10 20 1\nmas_set 5\nmas_prev 5\nmas_prev 2", "mas_prev_slot"),
    ("tree alloc\nstore 10 20 1\nmas_set 5\nmas_prev 5\nmas_find_rev 2", "mas_prev_slot"),
    ("tree alloc\nstore 10 20 1\nmas_set 5\nmas_next 5\nmas_find_range_rev 2",
     "mas_prev_slot"),
]


@pytest.mark.parametrize("text, fn", INVALID, ids=[t.split("\n")[-1] for t, _f in INVALID])
def test_invalid_scripts_name_the_kernel_failure(text, fn):
    proc = subprocess.run([sys.executable, "-m", "mapletree_edu", "replay"], input=text,
                          capture_output=True, text=True, timeout=120)
    n = len(text.splitlines())
    if fn is None:
        # mas_set 0, mas_prev 0, mas_prev 0 is fine, and so is a find_rev with a limit
        # that is not below index
        assert proc.returncode == 0, proc.stderr
        return
    assert proc.returncode == 1
    assert f"line {n}" in proc.stderr and fn in proc.stderr and "NULL" in proc.stderr
    assert "KernelCrash" in proc.stderr and "Traceback" not in proc.stderr


MISUSE = [
    # bulk mode used as the kernel allows but does not intend: the replay runs it
    "tree alloc rcu\nbulk 10\nbstore 10 19 1\nbstore 30 39 2\nbulk_end\ndump",
    "tree alloc\nstore 5 6 1\nbulk 10\nbstore 10 19 1\nbstore 30 39 2\nbulk_end\ndump",
    "tree alloc\nbulk 10\nbstore 10 20 1\nbstore 15 30 2\nbstore 25 60 3\nbulk_end\ndump",
]


def test_bulk_store_behind_the_state_runs_to_the_end():
    """A bstore below where the bulk state stands is not refused either: the kernel's
    write walk goes on from the state's slot without a reset, and whatever it leaves
    is what the checker then sees (validate_errors counts it)."""
    text = "tree alloc\nbulk 10\nbstore 50 60 1\nbstore 10 20 2\nbulk_end\ndump"
    recs = [rec for _line, rec, _op in Replayer().run(text) if rec is not None]
    assert recs[-1]["op"] == "dump" and recs[-1]["line"] == 6


@pytest.mark.parametrize("text", MISUSE, ids=["rcu", "non-empty", "overlap"])
def test_bulk_misuse_runs_as_the_kernel_runs_it(text):
    """The tree ends up holding what the stores say, checked by the tree checker."""
    rp = Replayer()
    recs = [rec for _line, rec, _op in rp.run(text) if rec is not None]
    assert recs[-1]["validate_errors"] == 0
    want = {}
    for line in text.splitlines():
        op, *args = line.split()
        if op in ("store", "bstore"):
            first, last, v = map(int, args)
            for i in range(first, last + 1):
                want[i] = v
    for i in range(0, 70):
        assert rp.tree.load(i) == want.get(i), i
    assert recs[-1]["live"] == rp.tree.node_count


def test_pool_exhaustion_stops_with_the_kernel_bug():
    """More bulk stores than announced empty the preallocated pool: a kernel BUG."""
    text = "tree alloc\nbulk 1\n" + "".join(f"bstore {i * 10} {i * 10 + 5} {i + 1}\n"
                                           for i in range(60))
    proc = subprocess.run([sys.executable, "-m", "mapletree_edu", "replay"], input=text,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "BUG" in proc.stderr and "preallocated" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_golden_read_trace_cli():
    """`replay --trace` on a read case: the kernel's events in order after every op
    line, and the read steps carry the maple state and the slot."""
    case = read_cases()["iter_tiny_1000"]
    proc = subprocess.run([sys.executable, "-m", "mapletree_edu", "replay", "--trace"],
                          input=script(case), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [o for o in out if "trace" not in o] == case["records"]
    traces = {o["trace"]: o["steps"] for o in out if "trace" in o}
    assert list(traces) == list(range(1, len(case["ops"]) + 1))
    kernel = read_traces()["iter_tiny_1000"]
    for line, steps in traces.items():
        assert events_in_order(kernel.get(line, []), steps)[0], line
    states = [s["mas"] for steps in traces.values() for s in steps if "mas" in s]
    assert states and all(set(m) == {"index", "last", "node", "offset", "status"}
                          for m in states)
