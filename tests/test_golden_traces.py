# SPDX-License-Identifier: GPL-2.0-or-later
"""The model fires the kernel's trace events, op by op, as Linux v6.8 did.

tests/data/kernel-golden/public-traces.jsonl lists, for every op of every published
case, the events of the kernel's trace points (ma_op / ma_read / ma_write) with
their fields fn, min, max, index, last and piv. TRACES.md's rule: the kernel's
events must appear among the model's steps for that op, in the same order, with
equal fields. This file checks that and the other direction too: the steps of the
model that model a kernel trace point (those with an ``ev`` key) are exactly the
kernel's events, so the model fires no event the kernel did not, and an op with no
entry in the file (bulk, bulk_end, dup, tree, rcu_on/off, dump) fires none.
"""

import json
import subprocess
import sys

import pytest

from mapletree_edu.replay import Replayer
from mapletree_edu.trace.recorder import Recorder

KEYS = ("fn", "ev", "min", "max", "index", "last", "piv")
TRACED_OPS = {"store", "bstore", "bstore_reset", "erase"}
CLI_TRACE_CASES = ("vma_rcu_bulk_fork_0", "erase_alloc_150_random", "dup_after_bulk_140")


def events_in_order(kernel_events, model_steps, keys=KEYS):
    """TRACES.md's rule: (True, None) if kernel_events is a subsequence of model_steps
    comparing the given keys (those present in the kernel event); else (False, the
    first kernel event not matched)."""
    steps = iter(model_steps)
    for ev in kernel_events:
        if not any(all(s.get(k) == ev[k] for k in keys if k in ev) for s in steps):
            return False, ev
    return True, None


def kernel_view(ev):
    return {k: ev[k] for k in KEYS if k in ev}


def model_events(steps):
    """The model's steps that stand for kernel trace points, with the kernel's fields."""
    return [{k: s[k] for k in KEYS if k in s} for s in steps if s.get("ev")]


def traced_run(case):
    """Yield (line, op text, steps) for every op line, replaying with a recorder."""
    rp = Replayer(tracer_factory=lambda: Recorder(views=False))
    prev = rp.tree.tracer
    for line, _rec, _op in rp.run("\n".join(case["ops"])):
        tracer = rp.tree.tracer
        steps = []
        if tracer is not prev:          # a `tree` line: the old tree's tracer too
            steps += prev.take_steps()
            prev = tracer
        steps += tracer.take_steps()
        yield line, case["ops"][line - 1], steps


def check_op(name, line, op, kernel, steps):
    where = f"{name} line {line} ({op!r})"
    assert all("fn" in s for s in steps), f"{where}: a step without fn"
    ok, missing = events_in_order(kernel, steps)
    assert ok, (f"{where}: kernel event {json.dumps(missing)} not found in order among the "
                f"model's steps\n kernel: {json.dumps(kernel)}\n model: "
                f"{json.dumps(model_events(steps))}")
    got = model_events(steps)
    want = [kernel_view(e) for e in kernel]
    assert got == want, (f"{where}: the model's kernel-event steps differ from the kernel's "
                         f"events\n kernel: {json.dumps(want)}\n model:  {json.dumps(got)}")


def test_trace_data_is_complete(cases, traces):
    """TRACES.md: 9,258 traced op lines (every store/bstore/erase), 20,233 events."""
    lines = sum(len(t) for t in traces.values())
    events = sum(len(e) for t in traces.values() for e in t.values())
    assert (lines, events) == (9258, 20233)
    for name, per_line in traces.items():
        ops = cases[name]["ops"]
        assert {ln for ln, op in enumerate(ops, 1) if op.split()[0] in TRACED_OPS} == \
            set(per_line)


def test_golden_trace_events(case_name, cases, traces):
    """Every op's kernel events equal the model's event steps, in order."""
    case = cases[case_name]
    kernel = traces[case_name]
    seen = 0
    for line, op, steps in traced_run(case):
        check_op(case_name, line, op, kernel.get(line, []), steps)
        seen += 1
    assert seen == len(case["ops"])


def test_events_in_order_rule():
    """The checking rule itself: order and fields matter, extra steps do not."""
    k = [{"fn": "a", "ev": "op", "index": 1}, {"fn": "b", "ev": "write", "piv": 2}]
    steps = [{"fn": "x"}, {"fn": "a", "ev": "op", "index": 1}, {"fn": "y"},
             {"fn": "b", "ev": "write", "piv": 2}]
    assert events_in_order(k, steps) == (True, None)
    assert events_in_order(k, steps[::-1])[0] is False
    assert events_in_order(k, [dict(s, piv=3) for s in steps]) == (False, k[1])


@pytest.mark.parametrize("name", CLI_TRACE_CASES)
def test_golden_trace_cli(name, cases, traces):
    """`replay --trace`: one {"trace": LINE, "steps": [...]} after every op line."""
    case = cases[name]
    proc = subprocess.run([sys.executable, "-m", "mapletree_edu", "replay", "--trace"],
                          input="\n".join(case["ops"]) + "\n", capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    trace_objs = [o for o in out if "trace" in o]
    records = [o for o in out if "trace" not in o]
    assert [o["trace"] for o in trace_objs] == list(range(1, len(case["ops"]) + 1))
    assert records == case["dumps"]
    for obj in trace_objs:
        line = obj["trace"]
        assert set(obj) == {"trace", "steps"}
        check_op(name, line, case["ops"][line - 1], traces[name].get(line, []), obj["steps"])
