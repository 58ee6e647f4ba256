# SPDX-License-Identifier: GPL-2.0-or-later
"""Replay op scripts in the golden data's op language (FORMAT.md's replay contract).

One allocator is shared by the trees of a script, as the kernel's node cache is.
Values: ``V`` is stored as the integer V; ``V = 0`` stores NULL.
"""

import json
import sys

from .core.alloc import Allocator
from .core.bulk import mas_expected_entries
from .core.constants import MA_START, ULONG_MAX
from .core.gapsearch import mas_empty_area, mas_empty_area_rev
from .core.insert import mtree_alloc_range, mtree_alloc_rrange, mtree_insert_range
from .core.iterate import (
    mas_find,
    mas_find_range,
    mas_find_range_rev,
    mas_find_rev,
    mas_next,
    mas_next_range,
    mas_prev,
    mas_prev_range,
    mt_find,
)
from .core.node import Node
from .core.read import (
    mas_pause,
    mas_reset,
    mas_set,
    mas_set_range,
    mas_walk,
    mtree_load,
    status_name,
)
from .core.state import MaState
from .core.write import mas_destroy, mas_store
from .debug.validate import validate
from .errors import MapleTreeError, ReplayError
from .tree import MapleTree

# op -> the names of its unsigned 64-bit arguments (FORMAT.md, READ-FORMAT.md);
# `tree` and `mtdump` take words and are parsed on their own
ARGS = {
    "tree": None, "mtdump": None,
    "store": ("FIRST", "LAST", "V"), "bstore": ("FIRST", "LAST", "V"),
    "bstore_reset": ("FIRST", "LAST", "V"), "erase": ("N",), "bulk": ("N",),
    "bulk_end": (), "dup": (), "rcu_on": (), "rcu_off": (), "dump": (),
    # the one-shot read, gap and insert API
    "load": ("INDEX",), "mt_find": ("INDEX", "MAX"), "insert": ("FIRST", "LAST", "V"),
    "alloc_range": ("SIZE", "MIN", "MAX", "V"), "alloc_rrange": ("SIZE", "MIN", "MAX", "V"),
    "empty_area": ("MIN", "MAX", "SIZE"), "empty_area_rev": ("MIN", "MAX", "SIZE"),
    # the cursor: one persistent maple state
    "mas_set": ("INDEX",), "mas_set_range": ("FIRST", "LAST"), "mas_reset": (),
    "mas_pause": (), "mas_walk": (),
    "mas_find": ("MAX",), "mas_find_range": ("MAX",), "mas_next": ("MAX",),
    "mas_next_range": ("MAX",), "mas_find_rev": ("MIN",), "mas_find_range_rev": ("MIN",),
    "mas_prev": ("MIN",), "mas_prev_range": ("MIN",),
}
OPS = tuple(ARGS)
# ops whose FIRST > LAST is a malformed line (an insert's is its -EINVAL)
ORDERED = ("store", "bstore", "bstore_reset")


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
    if op not in ARGS:
        raise ReplayError(line, f"unknown op {op!r} (expected one of {', '.join(OPS)})")
    if op == "tree":
        if not args or args[0] not in ("alloc", "plain") or len(args) > 2 or \
                (len(args) == 2 and args[1] != "rcu"):
            raise ReplayError(line, "expected 'tree alloc|plain [rcu]'")
        return op, (args[0] == "alloc", len(args) == 2)
    if op == "mtdump":
        # the mt_dump() samples' scripts ask for the kernel text dump here; the
        # replay contract prints records only, so it changes nothing
        if len(args) != 1 or args[0] not in ("dec", "hex"):
            raise ReplayError(line, "expected 'mtdump dec|hex'")
        return op, (args[0],)
    names = ARGS[op]
    if len(args) != len(names):
        if not names:
            raise ReplayError(line, f"'{op}' takes no arguments")
        raise ReplayError(line, f"expected '{op} {' '.join(names)}'")
    values = tuple(_u64(tok, line, name) for tok, name in zip(args, names, strict=True))
    if op in ORDERED and values[0] > values[1]:
        raise ReplayError(line, f"FIRST {values[0]} is greater than LAST {values[1]}")
    return op, values


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


VALIDATE_MODES = ("each", "dumps", "off")

# ops after which the script's cursor gets mas_reset() (READ-FORMAT.md's cursor rule)
WRITES = frozenset({"store", "erase", "insert", "alloc_range", "alloc_rrange", "bulk_end",
                    "rcu_on", "rcu_off"})
# the only ops allowed while a bulk state is active (FORMAT.md)
BULK_OPS = frozenset({"bstore", "bstore_reset", "dump", "bulk_end", "mtdump"})
CURSOR_SEARCH = {
    "mas_find": mas_find, "mas_find_range": mas_find_range, "mas_next": mas_next,
    "mas_next_range": mas_next_range, "mas_find_rev": mas_find_rev,
    "mas_find_range_rev": mas_find_range_rev, "mas_prev": mas_prev,
    "mas_prev_range": mas_prev_range,
}


class Replayer:
    """Carry out a script op by op; records come out of :meth:`run`.

    ``validate`` chooses when the tree is checked as the kernel's mt_validate()
    checks it: ``"each"`` after every op (``validate_errors`` counts the ops after
    which it complained, as the golden data does), ``"dumps"`` only at ``dump`` and
    ``dup`` (counting those), ``"off"`` never (``validate_errors`` is then null).

    Bulk loads run on a bare maple state as the kernel runs them, misuse included
    (in RCU mode, on a non-empty tree, overlapping ``bstore``); a kernel BUG or WARN
    point stops the replay with a ReplayError naming it.
    """

    def __init__(self, tracer_factory=None, validate="each"):
        if validate not in VALIDATE_MODES:
            raise ValueError(f"validate must be one of {VALIDATE_MODES}, not {validate!r}")
        self.allocator = Allocator()
        self.tracer_factory = tracer_factory
        self.validate_mode = validate
        self.tree = None
        self.bulk_mas = None
        self.cursor = None
        self.validate_errors = 0
        self._checked = None        # (tree, generation, complained) of the last check
        self._ids = None            # (tree, generation, {node: pre-order id})
        self.handlers = {
            "tree": self._op_tree, "store": self._op_store, "erase": self._op_erase,
            "bulk": self._op_bulk, "bstore": self._op_bstore, "bstore_reset": self._op_bstore,
            "bulk_end": self._op_bulk_end, "dup": self._op_dup, "rcu_on": self._op_rcu,
            "rcu_off": self._op_rcu, "dump": self._op_dump, "mtdump": self._op_nothing,
            "load": self._op_load, "mt_find": self._op_mt_find, "insert": self._op_insert,
            "alloc_range": self._op_alloc, "alloc_rrange": self._op_alloc,
            "empty_area": self._op_empty_area, "empty_area_rev": self._op_empty_area,
            "mas_set": self._op_mas_set, "mas_set_range": self._op_mas_set,
            "mas_reset": self._op_mas_set, "mas_pause": self._op_mas_set,
            "mas_walk": self._op_cursor_search,
            **{name: self._op_cursor_search for name in CURSOR_SEARCH},
        }
        self._new_tree(True, False)

    @property
    def loader(self):
        """The active bulk state (a MaState), or None."""
        return self.bulk_mas

    # --- trees and the cursor ----------------------------------------------------------
    def _new_tree(self, alloc, rcu):
        if self.tree is not None:
            self.tree.rcu = False
            self.tree.destroy()
        tracer = self.tracer_factory() if self.tracer_factory else None
        self.tree = MapleTree(alloc=alloc, rcu=rcu, allocator=self.allocator, tracer=tracer)
        self.cursor = MaState(self.tree.core, 0, 0)

    def node_id(self, node):
        """The pre-order id of node in the current tree (as a dump numbers it)."""
        tree = self.tree
        if self._ids is None or self._ids[0] is not tree or self._ids[1] != tree._gen:
            from .debug.walker import walk
            self._ids = (tree, tree._gen, {id(v.node): v.id for v in walk(tree.core.root)})
        return self._ids[2].get(id(node))

    def cursor_record(self, op, line, entry=None, with_entry=True):
        mas = self.cursor
        rec = {"op": op, "line": line}
        if with_entry:
            rec["entry"] = entry
        node = mas.node
        has = node.__class__ is Node
        rec.update(index=mas.index, last=mas.last, status=status_name(mas.status),
                   node=self.node_id(node) if has else None, offset=mas.offset if has else None)
        return rec

    def record(self, op, line):
        rec = {"op": op, "line": line}
        rec.update(self.tree.to_record())
        rec["validate_errors"] = self.validate_errors
        return rec

    # --- applying an op --------------------------------------------------------------------
    def apply(self, op, args, line):
        """Apply one parsed op; return its record (dump, dup and the read ops), or None.

        With ``validate="each"`` the tree is checked after every op (a read-only op
        reuses the last verdict, as the tree is the same); ``validate_errors``
        counts the ops after which the checker complained, the op that emits a
        record included.
        """
        if self.bulk_mas is not None and op not in BULK_OPS:
            raise ReplayError(line, f"'{op}' is not allowed while a bulk state is active")
        try:
            rec = self.handlers[op](op, args, line)
        except ReplayError:
            raise
        except MapleTreeError as exc:
            raise ReplayError(line, f"{type(exc).__name__}: {exc}") from exc
        if op in WRITES:
            # READ-FORMAT.md's cursor rule: mas_reset() after every write
            self.cursor.status = MA_START
            self.cursor.node = None
        mode = self.validate_mode
        if mode == "each" or (mode == "dumps" and op in ("dump", "dup")):
            if self._complains():
                self.validate_errors += 1
        if rec is not None and "validate_errors" in rec:
            rec["validate_errors"] = self.validate_errors if mode != "off" else None
        return rec

    def _complains(self):
        tree = self.tree
        key = (tree, tree._gen)
        if self._checked is not None and self._checked[:2] == key:
            return self._checked[2]
        bad = bool(validate(tree.core))
        self._checked = (*key, bad)
        return bad

    # --- the ops of FORMAT.md -------------------------------------------------------------
    def _op_tree(self, op, args, line):
        self._new_tree(*args)

    def _op_store(self, op, args, line):
        first, last, v = args
        if v:
            self.tree.store(first, last, v)
        else:
            self.tree.clear(first, last)

    def _op_erase(self, op, args, line):
        self.tree.erase(args[0])

    def _op_bulk(self, op, args, line):
        mas = MaState(self.tree.core, 0, 0)
        self.tree._changed()
        mas_expected_entries(mas, args[0])
        self.bulk_mas = mas

    def _op_bstore(self, op, args, line):
        mas = self.bulk_mas
        if mas is None:
            raise ReplayError(line, f"'{op}' needs an active bulk state ('bulk N' first)")
        first, last, v = args
        if op == "bstore_reset":
            mas_set_range(mas, first, last)
        else:
            mas.index = first
            mas.last = last
        self.tree._changed()
        mas_store(mas, v or None)

    def _op_bulk_end(self, op, args, line):
        if self.bulk_mas is None:
            raise ReplayError(line, "'bulk_end' without an active bulk state")
        mas, self.bulk_mas = self.bulk_mas, None
        self.tree._changed()
        mas_destroy(mas)

    def _op_dup(self, op, args, line):
        copy = self.tree.dup()
        src = self.tree
        src.rcu = False
        src.destroy()
        self.tree = copy
        self.cursor = MaState(copy.core, 0, 0)
        rec = self.record("dup", line)
        rec["dup_equal"] = True
        return rec

    def _op_rcu(self, op, args, line):
        self.tree.rcu = op == "rcu_on"

    def _op_dump(self, op, args, line):
        return self.record("dump", line)

    def _op_nothing(self, op, args, line):
        return None

    # --- the one-shot read, gap and insert API (READ-FORMAT.md) -----------------------------
    def _op_load(self, op, args, line):
        return {"op": op, "line": line, "entry": mtree_load(self.tree.core, args[0])}

    def _op_mt_find(self, op, args, line):
        entry, index, _first, _last = mt_find(self.tree.core, *args)
        return {"op": op, "line": line, "entry": entry, "index": index}

    def _op_insert(self, op, args, line):
        first, last, v = args
        self.tree._changed()
        rc = mtree_insert_range(self.tree.core, first, last, v or None)
        return {"op": op, "line": line, "rc": rc, **self.allocator.counters()}

    def _op_alloc(self, op, args, line):
        size, mn, mx, v = args
        fn = mtree_alloc_range if op == "alloc_range" else mtree_alloc_rrange
        self.tree._changed()
        rc, start = fn(self.tree.core, v or None, size, mn, mx)
        rec = {"op": op, "line": line, "rc": rc}
        if rc == 0:
            rec["start"] = start
        rec.update(self.allocator.counters())
        return rec

    def _op_empty_area(self, op, args, line):
        mas = MaState(self.tree.core, 0, 0)
        fn = mas_empty_area if op == "empty_area" else mas_empty_area_rev
        rc = fn(mas, *args)
        rec = {"op": op, "line": line, "rc": rc}
        if rc == 0:
            rec.update(index=mas.index, last=mas.last)
        return rec

    # --- the cursor ------------------------------------------------------------------------
    def _op_mas_set(self, op, args, line):
        mas = self.cursor
        if op == "mas_set":
            mas_set(mas, args[0])
        elif op == "mas_set_range":
            mas_set_range(mas, *args)
        elif op == "mas_reset":
            mas_reset(mas)
        else:
            mas_pause(mas)
        return self.cursor_record(op, line, with_entry=False)

    def _op_cursor_search(self, op, args, line):
        if op == "mas_walk":
            entry = mas_walk(self.cursor)
        else:
            entry = CURSOR_SEARCH[op](self.cursor, args[0])
        return self.cursor_record(op, line, entry)

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


def replay_records(text, validate="each"):
    """All records of a script (a list of dicts)."""
    return [rec for _line, rec, _op in Replayer(validate=validate).run(text) if rec is not None]


def main(argv=None, stdin=None, stdout=None, stderr=None):
    """``python -m mapletree_edu replay [--trace]``: script on stdin, JSON lines out."""
    import argparse
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser = argparse.ArgumentParser(prog="python -m mapletree_edu replay")
    parser.add_argument("--trace", action="store_true",
                        help="also print the steps of every op line")
    parser.add_argument("--validate", choices=VALIDATE_MODES, default="each",
                        help="when to run the tree checker (mt_validate): after each op "
                             "(default; validate_errors as the golden data counts it), only "
                             "at dump/dup lines, or off (validate_errors is then null)")
    opts = parser.parse_args(argv)
    factory = None
    if opts.trace:
        from .trace.recorder import Recorder
        factory = Recorder
    rp = Replayer(tracer_factory=factory, validate=opts.validate)
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
