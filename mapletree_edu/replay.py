# SPDX-License-Identifier: GPL-2.0-or-later
"""Replay op scripts in the golden data's op language (FORMAT.md's replay contract).

One allocator is shared by the trees of a script, as the kernel's node cache is.
Values: ``V`` is stored as the integer V; ``V = 0`` stores NULL.
"""

import json
import sys

from .core.alloc import Allocator
from .core.constants import ULONG_MAX
from .debug.validate import validate
from .errors import MapleTreeError, ReplayError
from .tree import MapleTree

OPS = ("tree", "store", "erase", "bulk", "bstore", "bstore_reset", "bulk_end", "dup",
       "rcu_on", "rcu_off", "dump", "mtdump")


def _u64(tok, line, what):
    if not tok.isdigit():
        raise ReplayError(line, f"{what} {tok!r} is not an unsigned decimal number")
    v = int(tok)
    if v > ULONG_MAX:
        raise ReplayError(line, f"{what} {tok} is larger than 2**64 - 1")
    return v


def parse_line(text, line):
    """Parse one op line into (op, args); None for blank lines and comments."""
    toks = text.split()
    if not toks or toks[0].startswith("#"):
        return None
    op, args = toks[0], toks[1:]
    if op not in OPS:
        raise ReplayError(line, f"unknown op {op!r} (expected one of {', '.join(OPS)})")
    if op == "tree":
        if not args or args[0] not in ("alloc", "plain") or len(args) > 2 or \
                (len(args) == 2 and args[1] != "rcu"):
            raise ReplayError(line, "expected 'tree alloc|plain [rcu]'")
        return op, (args[0] == "alloc", len(args) == 2)
    if op in ("store", "bstore", "bstore_reset"):
        if len(args) != 3:
            raise ReplayError(line, f"expected '{op} FIRST LAST V'")
        first = _u64(args[0], line, "FIRST")
        last = _u64(args[1], line, "LAST")
        value = _u64(args[2], line, "V")
        if first > last:
            raise ReplayError(line, f"FIRST {first} is greater than LAST {last}")
        return op, (first, last, value)
    if op == "mtdump":
        # the mt_dump() samples' scripts ask for the kernel text dump here; the
        # replay contract prints records only, so it changes nothing
        if len(args) != 1 or args[0] not in ("dec", "hex"):
            raise ReplayError(line, "expected 'mtdump dec|hex'")
        return op, (args[0],)
    if op in ("erase", "bulk"):
        if len(args) != 1:
            raise ReplayError(line, f"expected '{op} N'")
        return op, (_u64(args[0], line, "N"),)
    if args:
        raise ReplayError(line, f"'{op}' takes no arguments")
    return op, ()


def format_op(op, args=()):
    """One op line in the op language (the inverse of :func:`parse_line`)."""
    if op == "tree":
        alloc, rcu = args
        return "tree " + ("alloc" if alloc else "plain") + (" rcu" if rcu else "")
    return " ".join([op, *(str(a) for a in args)])


def script_to_ops(text):
    """Every op of a script as (op, args), blank lines and comments left out.

    >>> script_to_ops("tree alloc\\nstore 10 15 1\\n# a comment\\ndump")
    [('tree', (True, False)), ('store', (10, 15, 1)), ('dump', ())]
    """
    out = []
    for line, raw in enumerate(text.splitlines(), start=1):
        parsed = parse_line(raw, line)
        if parsed is not None:
            out.append(parsed)
    return out


def ops_to_script(ops):
    """The script text of (op, args) pairs; ``script_to_ops(ops_to_script(ops)) == ops``."""
    return "".join(format_op(op, args) + "\n" for op, args in ops)


class Replayer:
    """Carry out a script op by op; records come out of :meth:`run`."""

    def __init__(self, tracer_factory=None):
        self.allocator = Allocator()
        self.tracer_factory = tracer_factory
        self.tree = None
        self.bulk_cm = None
        self.loader = None
        self.validate_errors = 0
        self._new_tree(True, False)

    def _new_tree(self, alloc, rcu):
        if self.tree is not None:
            self.tree.rcu = False
            self.tree.destroy()
        tracer = self.tracer_factory() if self.tracer_factory else None
        self.tree = MapleTree(alloc=alloc, rcu=rcu, allocator=self.allocator, tracer=tracer)

    def record(self, op, line):
        rec = {"op": op, "line": line}
        rec.update(self.tree.to_record())
        rec["validate_errors"] = self.validate_errors
        return rec

    def apply(self, op, args, line):
        """Apply one parsed op; return a record for dump and dup, else None.

        After every op the tree is checked as the kernel's mt_validate() checks it;
        ``validate_errors`` counts the ops after which it complained (the op that
        emits a record included).
        """
        rec = self._apply(op, args, line)
        if validate(self.tree.core):
            self.validate_errors += 1
        if rec is not None:
            rec["validate_errors"] = self.validate_errors
        return rec

    def _apply(self, op, args, line):
        bulk_ops = ("bstore", "bstore_reset", "dump", "bulk_end", "mtdump")
        if self.loader is not None and op not in bulk_ops:
            raise ReplayError(line, f"'{op}' is not allowed while a bulk state is active")
        try:
            if op == "tree":
                self._new_tree(*args)
            elif op == "store":
                first, last, v = args
                if v:
                    self.tree.store(first, last, v)
                else:
                    self.tree.clear(first, last)
            elif op == "erase":
                self.tree.erase(args[0])
            elif op == "bulk":
                self.bulk_cm = self.tree.bulk(args[0])
                self.loader = self.bulk_cm.__enter__()
            elif op in ("bstore", "bstore_reset"):
                if self.loader is None:
                    raise ReplayError(line, f"'{op}' needs an active bulk state ('bulk N' first)")
                first, last, v = args
                self.loader.store(first, last, v or None, reset=(op == "bstore_reset"))
            elif op == "bulk_end":
                if self.loader is None:
                    raise ReplayError(line, "'bulk_end' without an active bulk state")
                cm, self.bulk_cm, self.loader = self.bulk_cm, None, None
                cm.__exit__(None, None, None)
            elif op == "dup":
                copy = self.tree.dup()
                src = self.tree
                src.rcu = False
                src.destroy()
                self.tree = copy
                rec = self.record("dup", line)
                rec["dup_equal"] = True
                return rec
            elif op == "rcu_on":
                self.tree.rcu = True
            elif op == "rcu_off":
                self.tree.rcu = False
            elif op == "dump":
                return self.record("dump", line)
        except ReplayError:
            raise
        except MapleTreeError as exc:
            raise ReplayError(line, str(exc)) from exc
        return None

    def run(self, text):
        """Yield (line, record-or-None, op) for every op line of text."""
        for line, raw in enumerate(text.splitlines(), start=1):
            parsed = parse_line(raw, line)
            if parsed is None:
                continue
            op, args = parsed
            tracer = self.tree.tracer
            if hasattr(tracer, "begin"):
                tracer.begin(raw.strip(), self.tree.core)
            yield line, self.apply(op, args, line), op


def replay_records(text):
    """All records of a script (a list of dicts)."""
    return [rec for _line, rec, _op in Replayer().run(text) if rec is not None]


def main(argv=None, stdin=None, stdout=None, stderr=None):
    """``python -m mapletree_edu replay [--trace]``: script on stdin, JSON lines out."""
    import argparse
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = argparse.ArgumentParser(prog="python -m mapletree_edu replay")
    parser.add_argument("--trace", action="store_true",
                        help="also print the steps of every op line")
    opts = parser.parse_args(argv)
    factory = None
    if opts.trace:
        from .trace.recorder import Recorder
        factory = Recorder
    rp = Replayer(tracer_factory=factory)
    try:
        for line, rec, _op in rp.run(stdin.read()):
            if rec is not None:
                stdout.write(json.dumps(rec) + "\n")
            if opts.trace:
                steps = rp.tree.tracer.take_steps() if hasattr(rp.tree.tracer, "take_steps") \
                    else []
                stdout.write(json.dumps({"trace": line, "steps": steps}) + "\n")
    except ReplayError as exc:
        stdout.flush()
        stderr.write(f"replay: {exc}\n")
        return 1
    return 0
