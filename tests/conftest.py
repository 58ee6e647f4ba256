# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared test set-up: Hypothesis profiles, the golden data copies, record checks.

Hypothesis profiles (chosen with the environment variable MAPLETREE_HYPOTHESIS_PROFILE):

- ``default``: quick and reproducible (``make test``): few examples, derandomized.
- ``long``: ``make test-long``: at least 10,000 generated op sequences over the
  stateful tests of tests/test_properties.py, still derandomized.

The golden data is read only from the copies in tests/data/kernel-golden/.
"""

import importlib.util
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

DATA = Path(__file__).resolve().parent / "data" / "kernel-golden"
PUBLIC = DATA / "public.jsonl"
PUBLIC_TRACES = DATA / "public-traces.jsonl"

ULONG_MAX = (1 << 64) - 1

# ------------------------------------------------------------------ Hypothesis profiles

# Number of stateful test functions in test_properties.py that share the long budget;
# 4 x 2,500 sequences = 10,000.
STATEFUL_TESTS = 4

# both profiles: reproducible, no deadline, no example database
_COMMON = dict(deadline=None, derandomize=True, database=None, print_blob=False,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("default", max_examples=60, stateful_step_count=30, **_COMMON)
settings.register_profile("long", max_examples=10_000 // STATEFUL_TESTS,
                          stateful_step_count=50, **_COMMON)
HYPOTHESIS_PROFILE = os.environ.get("MAPLETREE_HYPOTHESIS_PROFILE", "default") or "default"
if HYPOTHESIS_PROFILE not in ("default", "long"):
    raise pytest.UsageError(f"MAPLETREE_HYPOTHESIS_PROFILE={HYPOTHESIS_PROFILE!r}: "
                            "expected 'default' or 'long'")
settings.load_profile(HYPOTHESIS_PROFILE)


# ------------------------------------------------------------------ golden data

def _read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


_CACHE = {}


def golden_cases():
    """{case name: {"name", "ops", "dumps"}} in file order (read once)."""
    if "cases" not in _CACHE:
        _CACHE["cases"] = {c["name"]: c for c in _read_jsonl(PUBLIC)}
    return _CACHE["cases"]


def golden_traces():
    """{case name: {line: [kernel events]}} in file order (read once)."""
    if "traces" not in _CACHE:
        _CACHE["traces"] = {t["name"]: {e["line"]: e["events"] for e in t["traces"]}
                            for t in _read_jsonl(PUBLIC_TRACES)}
    return _CACHE["traces"]


# A handful of cases that also go through `python -m mapletree_edu replay` in a
# subprocess: a bstore_reset bulk load, an RCU tree loaded in bulk, dups mixed into
# random edits, a plain tree emptied by erases, and a store over the whole range.
CLI_CASES = ("bulk_alloc_80_reset_walk", "vma_rcu_bulk_fork_0", "random_alloc_dup_mix",
             "erase_plain_80_middle_out", "span_alloc_60_whole")


def pytest_generate_tests(metafunc):
    """``case_name``: every published case; ``cli_case_name``: the CLI subset."""
    if "case_name" in metafunc.fixturenames:
        names = list(golden_cases())
        metafunc.parametrize("case_name", names, ids=names)
    if "cli_case_name" in metafunc.fixturenames:
        metafunc.parametrize("cli_case_name", CLI_CASES, ids=CLI_CASES)


@pytest.fixture(scope="session")
def cases():
    return golden_cases()


@pytest.fixture(scope="session")
def traces():
    return golden_traces()


# ------------------------------------------------------------------ optional modules

def module_exists(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


HAS_VALIDATE = module_exists("mapletree_edu.debug.validate")
HAS_DUMP = module_exists("mapletree_edu.debug.dump")
NO_VALIDATE = "mapletree_edu/debug/validate.py (mt_validate) is not written yet"


# ------------------------------------------------------------------ record checks

def live_ranges(node):
    """(first, last, slot) of a record node's slots, without dead slots.

    A dead slot follows a pivot equal to the node's max (seen in v6.8 after spanning
    stores that run to ULONG_MAX): its range would be empty.
    """
    out = []
    lo = node["min"]
    for slot, piv in zip(node["slots"], node["pivots"], strict=False):
        if piv >= lo:
            out.append((lo, piv, slot))
        lo = piv + 1
    return out


def has_dead_slot(rec):
    return any(len(live_ranges(n)) != len(n["slots"]) for n in rec.get("nodes", ()))


def record_entries(rec):
    """Every non-NULL (first, last, value) of a dump record, in index order."""
    if rec["root"] == "empty":
        return []
    if rec["root"] == "entry":
        return [(0, 0, rec["root_value"])]
    return [(lo, hi, s) for n in rec["nodes"] if n["type"] == "leaf_64"
            for lo, hi, s in live_ranges(n) if s is not None]


def leaf_sizes(rec):
    """Slot counts of the leaves, left to right (the reference's "leaf sizes")."""
    return [n["end"] + 1 for n in rec["nodes"] if n["type"] == "leaf_64"]


def check_record(rec):
    """The golden data's invariants of a dump record; a list of problems (empty: fine).

    Pre-order ids and depths, each child's min/max equal to its parent's slot range,
    pivots ascending and ending at the node max (trailing dead slots at the max are
    tolerated), every index covered once by the leaves, no two neighbouring NULL
    ranges within or across leaves, arange_64 gaps equal to the largest NULL run of
    each child's subtree and gap_off the offset of a largest gap (which one of equal
    gaps depends on the write path),
    node_count equal to len(nodes), height equal to the number of levels.
    """
    problems = []
    nodes = rec["nodes"]
    if rec["node_count"] != len(nodes):
        problems.append(f"node_count {rec['node_count']} != {len(nodes)} nodes")
    if rec["root"] != "node":
        if nodes:
            problems.append(f"root {rec['root']!r} with nodes")
        if rec["height"] != 0:
            problems.append(f"root {rec['root']!r} with height {rec['height']}")
        return problems
    by_id = {n["id"]: n for n in nodes}
    if [n["id"] for n in nodes] != list(range(len(nodes))):
        problems.append("ids are not 0..n-1 in order")
    root = nodes[0]
    if (root["min"], root["max"], root["depth"]) != (0, ULONG_MAX, 0):
        problems.append("root does not cover 0..2^64-1 at depth 0")
    gap_memo = {}

    def max_gap(node):
        key = node["id"]
        if key not in gap_memo:
            if node["type"] == "leaf_64":
                gap_memo[key] = max((hi - lo + 1 for lo, hi, s in live_ranges(node)
                                     if s is None), default=0)
            else:
                gap_memo[key] = max((max_gap(by_id[c]) for _lo, _hi, c in live_ranges(node)),
                                    default=0)
        return gap_memo[key]

    leaves = []
    order = []

    def visit(node):
        order.append(node["id"])
        if node["type"] == "leaf_64":
            leaves.append(node)
            return
        for _lo, _hi, c in live_ranges(node):
            visit(by_id[c])

    visit(root)
    if order != [n["id"] for n in nodes]:
        problems.append("nodes are not in pre-order")
    depth = max(n["depth"] for n in nodes) + 1
    if rec["height"] != depth:
        problems.append(f"height {rec['height']} but {depth} levels")
    for n in nodes:
        where = f"node {n['id']} [{n['min']}, {n['max']}]"
        end = n["end"]
        if len(n["pivots"]) != end + 1 or len(n["slots"]) != end + 1:
            problems.append(f"{where}: end {end} but {len(n['pivots'])} pivots, "
                            f"{len(n['slots'])} slots")
            continue
        if n["pivots"][-1] != n["max"]:
            problems.append(f"{where}: last pivot {n['pivots'][-1]} is not the max")
        lo = n["min"]
        for i, piv in enumerate(n["pivots"]):
            if piv < lo and not (piv == n["max"] and lo == n["max"] + 1):
                problems.append(f"{where}: pivot {i} = {piv} is below {lo}")
            lo = piv + 1
        if n["type"] == "leaf_64":
            continue
        live = live_ranges(n)
        if len(live) != len(n["slots"]):
            problems.append(f"{where}: internal node with a dead slot")
        for lo, hi, c in live:
            child = by_id.get(c)
            if child is None:
                problems.append(f"{where}: child id {c} missing")
                continue
            if (child["min"], child["max"], child["depth"]) != (lo, hi, n["depth"] + 1):
                problems.append(f"{where}: child {c} covers [{child['min']}, {child['max']}] "
                                f"at depth {child['depth']}, expected [{lo}, {hi}]")
        if n["type"] == "arange_64":
            want = [max_gap(by_id[c]) if c in by_id else None for c in n["slots"]]
            if n.get("gaps") != want:
                problems.append(f"{where}: gaps {n.get('gaps')} but the leaves give {want}")
            elif want:
                off = n.get("gap_off")
                if not (isinstance(off, int) and 0 <= off < len(want)) or want[off] != max(want):
                    problems.append(f"{where}: gap_off {off} does not name the largest gap "
                                    f"of {want}")
        elif "gaps" in n:
            problems.append(f"{where}: {n['type']} with gaps")
    flat = [r for leaf in leaves for r in live_ranges(leaf)]
    expect = 0
    for i, (lo, hi, s) in enumerate(flat):
        if lo != expect:
            problems.append(f"leaf ranges not contiguous at [{lo}, {hi}] (expected {expect})")
            break
        expect = hi + 1
        if i and s is None and flat[i - 1][2] is None:
            problems.append(f"two neighbouring NULL ranges at [{flat[i - 1][0]}, "
                            f"{flat[i - 1][1]}] and [{lo}, {hi}]")
    if flat and expect != ULONG_MAX + 1:
        problems.append(f"leaves end at {expect - 1}, not 2^64-1")
    return problems


def _node_text(n):
    keys = ("id", "depth", "type", "min", "max", "end", "pivots", "slots", "gaps", "gap_off")
    return json.dumps({k: n[k] for k in keys if k in n})


def record_diff(expected, got):
    """A readable account of where two dump records first differ ('' if equal)."""
    if expected == got:
        return ""
    out = []
    keys = sorted(set(expected) | set(got))
    for k in keys:
        if k != "nodes" and expected.get(k) != got.get(k):
            out.append(f"  {k}: kernel {expected.get(k)!r}, model {got.get(k)!r}")
    en, gn = expected.get("nodes", []), got.get("nodes", [])
    for i in range(max(len(en), len(gn))):
        a = en[i] if i < len(en) else None
        b = gn[i] if i < len(gn) else None
        if a != b:
            out.append(f"  first differing node: pre-order id {i}")
            out.append(f"    kernel: {_node_text(a) if a else '(none)'}")
            out.append(f"    model:  {_node_text(b) if b else '(none)'}")
            break
    return "\n".join(out)


def tree_text(tree):
    """Kernel-style dump of a MapleTree when mt_dump is available, else its record."""
    if HAS_DUMP:
        try:
            return tree.dump()
        except Exception as exc:  # the dump module is someone else's work in progress
            return f"(tree.dump() failed: {exc!r})\n" + tree_text_record(tree)
    return tree_text_record(tree)


def tree_text_record(tree):
    try:
        rec = tree.to_record()
    except Exception as exc:
        return f"(to_record() failed: {exc!r})"
    head = {k: v for k, v in rec.items() if k != "nodes"}
    return "\n".join([json.dumps(head)] + [_node_text(n) for n in rec["nodes"]])


class Helpers:
    """The helpers above, for tests that take them as a fixture."""

    check_record = staticmethod(check_record)
    record_diff = staticmethod(record_diff)
    record_entries = staticmethod(record_entries)
    leaf_sizes = staticmethod(leaf_sizes)
    live_ranges = staticmethod(live_ranges)
    has_dead_slot = staticmethod(has_dead_slot)
    tree_text = staticmethod(tree_text)
    has_validate = HAS_VALIDATE
    has_dump = HAS_DUMP
    no_validate = NO_VALIDATE
    ulong_max = ULONG_MAX


@pytest.fixture(scope="session")
def helpers():
    return Helpers


# ------------------------------------------------------------------ lesson checks

def verdict(capsys, check, answer):
    """(returned bool, printed text) of one exercise check."""
    ok = check(answer)
    out = capsys.readouterr().out
    return ok, out


def assert_correct(capsys, check, answer):
    ok, out = verdict(capsys, check, answer)
    assert ok is True, out
    assert out.startswith("Correct: "), out


def assert_not_yet(capsys, check, answer):
    ok, out = verdict(capsys, check, answer)
    assert ok is False, out
    assert out.startswith("Not yet: "), out
    assert len(out.strip()) > len("Not yet: ") + 10, "a wrong answer gets a hint"
