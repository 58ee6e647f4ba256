# SPDX-License-Identifier: GPL-2.0-or-later
"""`python -m mapletree_edu replay [--trace]`: FORMAT.md's replay contract.

A script on standard input; one JSON object per `dump` or `dup` line on standard
output; blank lines and `#` comments allowed and counted in `line`; a bad line stops
the run with a message naming its line number on standard error and exit status 1,
the records printed before it standing; `--trace` adds {"trace": LINE, "steps": [...]}
after every op line.
"""

import io
import json
import subprocess
import sys

import pytest

from mapletree_edu.replay import main as replay_main
from mapletree_edu.replay import replay_records


def run(args, stdin):
    return subprocess.run([sys.executable, "-m", "mapletree_edu", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def objects(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


SCRIPT = """# a comment first
tree alloc

store 10 20 1
   # an indented comment
store 30 40 2
dump

dup
store 18446744073709551600 18446744073709551615 3
erase 15
dump
"""
PLAIN = "\n".join(line.strip() for line in SCRIPT.splitlines()
                  if line.strip() and not line.strip().startswith("#"))


def test_records_and_line_numbers():
    proc = run(["replay"], SCRIPT)
    assert proc.returncode == 0 and proc.stderr == ""
    recs = objects(proc.stdout)
    assert [(r["op"], r["line"]) for r in recs] == [("dump", 7), ("dup", 9), ("dump", 12)]
    assert recs[1]["dup_equal"] is True and "dup_equal" not in recs[0]
    # the same script without blanks and comments gives the same records, renumbered
    plain = replay_records(PLAIN)
    assert [dict(r, line=None) for r in plain] == [dict(r, line=None) for r in recs]
    assert [r["line"] for r in plain] == [4, 5, 8]
    assert recs[2]["nodes"][0]["slots"] == [None, 2, None, 3]


def test_every_record_field_present():
    recs = objects(run(["replay"], "tree plain\ndump\nstore 0 0 5\ndump\nstore 3 9 6\ndump\n")
                   .stdout)
    base = {"op", "line", "height", "root", "nodes", "node_count", "allocs", "frees", "live",
            "alloc_calls", "validate_errors"}
    assert set(recs[0]) == base and recs[0]["root"] == "empty"
    assert set(recs[1]) == base | {"root_value"} and recs[1]["root_value"] == 5
    assert set(recs[2]) == base and recs[2]["root"] == "node"
    assert set(recs[2]["nodes"][0]) == {"id", "depth", "type", "min", "max", "end", "pivots",
                                        "slots"}


@pytest.mark.parametrize("bad, words", [
    ("store 1 2", "store FIRST LAST V"),
    ("fly 1", "unknown op"),
    ("bstore 1 2 3", "bulk"),
    ("bulk_end", "bulk"),
    ("erase 99999999999999999999", "larger"),
])
def test_bad_line_stops_the_run(bad, words):
    script = "tree alloc\n\n# comment\nstore 1 5 7\ndump\n" + bad + "\ndump\n"
    proc = run(["replay"], script)
    assert proc.returncode == 1
    assert "line 6" in proc.stderr and words in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    recs = objects(proc.stdout)
    assert [r["line"] for r in recs] == [5], "records printed before the bad line stand"


def test_trace_objects_after_every_op_line():
    proc = run(["replay", "--trace"], SCRIPT)
    assert proc.returncode == 0, proc.stderr
    out = objects(proc.stdout)
    op_lines = [n for n, line in enumerate(SCRIPT.splitlines(), 1)
                if line.strip() and not line.strip().startswith("#")]
    assert [o["trace"] for o in out if "trace" in o] == op_lines
    kinds = [("trace", o["trace"]) if "trace" in o else (o["op"], o["line"]) for o in out]
    for rec_line in (7, 9, 12):        # a record comes right before its line's trace
        i = kinds.index(("trace", rec_line))
        assert kinds[i - 1][1] == rec_line and kinds[i - 1][0] in ("dump", "dup")
    traces = {o["trace"]: o["steps"] for o in out if "trace" in o}
    assert all("fn" in s for steps in traces.values() for s in steps)
    assert [s["fn"] for s in traces[4] if "ev" in s] == ["mtree_store_range"]
    assert traces[4][0] == {**traces[4][0], "ev": "write", "min": 0, "max": 2**64 - 1,
                            "index": 10, "last": 20, "piv": 0}
    assert [s["fn"] for s in traces[11] if "ev" in s][0] == "mtree_erase"
    assert not [s for s in traces[7] + traces[9] if "ev" in s]
    assert [o for o in out if "trace" not in o] == objects(run(["replay"], SCRIPT).stdout)


def test_trace_stops_at_a_bad_line():
    proc = run(["replay", "--trace"], "store 1 2 3\nstore 5 4 1\ndump\n")
    assert proc.returncode == 1 and "line 2" in proc.stderr
    assert [o.get("trace") for o in objects(proc.stdout)] == [1]


def test_empty_input_and_only_comments():
    for text in ("", "\n\n", "# nothing\n  \n"):
        proc = run(["replay"], text)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_command_line_usage():
    assert run([], "").returncode == 2
    proc = run(["--help"], "")
    assert proc.returncode == 0 and "replay" in proc.stdout
    assert run(["replay", "--no-such-option"], "").returncode == 2
    assert run(["no-such-command"], "").returncode == 2


def test_main_in_process():
    out, err = io.StringIO(), io.StringIO()
    assert replay_main([], stdin=io.StringIO("store 1 1 1\ndump\n"), stdout=out,
                       stderr=err) == 0
    assert objects(out.getvalue())[0]["line"] == 2 and err.getvalue() == ""
    out, err = io.StringIO(), io.StringIO()
    assert replay_main([], stdin=io.StringIO("dump\nbulk_end\n"), stdout=out, stderr=err) == 1
    assert "line 2" in err.getvalue() and len(objects(out.getvalue())) == 1
