# SPDX-License-Identifier: GPL-2.0-or-later
"""The lab's measurements applied to op scripts in the golden data's op language.

Two ways to measure what a scripted fork cost:

* :func:`ledger_segments` replays a whole script (``mapletree_edu.replay``) and gives,
  for every ``dump``/``dup`` record, the layout and the ledger difference since the
  previous record (since the start for the first one): exactly what the kernel's
  cumulative counters give when subtracted the same way.
* :func:`fork_script` reads a ``vma_bulk_fork``/``vma_dup_fork`` script as a parent
  process and runs the fork functions (:func:`~mapletree_edu.fork.fork_pre68`,
  :func:`~mapletree_edu.fork.fork_v68`) on it.

The script's values stand for VMAs: value V over [first, last] is VMA number V.
:class:`ScriptVma` is such a value entry (an int, so dump records can hold it) that
can carry VM_DONTCOPY.
"""

from ..fork import DONTCOPY, fork_pre68, fork_v68
from ..replay import Replayer
from ..tree import MapleTree

LEDGER = ("allocs", "frees", "alloc_calls")
LAYOUT = ("height", "root", "nodes", "node_count")


class ScriptVma(int):
    """A script value standing for a VMA: an int (dump records print it as V) with the
    ``flags`` the fork functions look at."""

    flags = frozenset()

    def __new__(cls, value, dontcopy=False):
        obj = super().__new__(cls, value)
        obj.flags = frozenset({DONTCOPY}) if dontcopy else frozenset()
        return obj


def _text(ops):
    return ops if isinstance(ops, str) else "\n".join(ops)


def ledger_segments(ops):
    """[(record, ledger delta since the previous record)] for a script (list of op lines
    or text); the delta is a dict of allocs, frees, alloc_calls."""
    out = []
    prev = {k: 0 for k in LEDGER}
    for _line, rec, _op in Replayer().run(_text(ops)):
        if rec is None:
            continue
        out.append((rec, {k: rec[k] - prev[k] for k in LEDGER}))
        prev = {k: rec[k] for k in LEDGER}
    return out


def kernel_segments(case):
    """The same deltas computed from a golden case's recorded dumps."""
    out = []
    prev = {k: 0 for k in LEDGER}
    for rec in case["dumps"]:
        out.append((rec, {k: rec[k] - prev[k] for k in LEDGER}))
        prev = {k: rec[k] for k in LEDGER}
    return out


def layout(rec):
    """The layout fields of a dump record (what two trees must share to be equal)."""
    return {k: rec.get(k) for k in LAYOUT + ("root_value",) if k in rec}


def _parse(ops):
    lines = [ln.split() for ln in _text(ops).splitlines() if ln.strip()]
    return lines


def script_parent(ops):
    """(parent MapleTree, index of the op that starts the copy) of a fork script: the
    ranges stored with ``store`` (or ``bstore``) before ``dup`` / ``bulk_end``, as
    :class:`ScriptVma` entries."""
    parent = MapleTree(alloc=True)
    for k, toks in enumerate(_parse(ops)):
        if toks[0] in ("store", "bstore", "bstore_reset"):
            first, last, v = int(toks[1]), int(toks[2]), int(toks[3])
            if v:
                parent.store(first, last, ScriptVma(v))
            else:
                parent.clear(first, last)
        elif toks[0] in ("dup", "bulk_end"):
            return parent, k
    return parent, None


def fork_script(ops, path, dontcopy=()):
    """Fork the parent a script describes with ``path`` ("old": fork_pre68, "new":
    fork_v68); VMAs whose value is in ``dontcopy`` carry VM_DONTCOPY. Returns the
    ForkResult (its ledger is the fork's, the child's entries are ScriptVma ints)."""
    parent, _k = script_parent(ops)
    if dontcopy:
        marked = MapleTree(alloc=True)
        for first, last, v in parent.ranges():
            marked.store(first, last, ScriptVma(int(v), dontcopy=int(v) in set(dontcopy)))
        parent = marked
    if path == "old":
        return fork_pre68(parent)
    if path == "new":
        return fork_v68(parent)
    raise ValueError(f"path must be 'old' or 'new', not {path!r}")


def op_after_dup(ops):
    """(first, last, value) of the ``store`` right after ``dup`` in a script, or None."""
    lines = _parse(ops)
    for k, toks in enumerate(lines):
        if toks[0] == "dup":
            nxt = lines[k + 1] if k + 1 < len(lines) else None
            if nxt and nxt[0] == "store":
                return int(nxt[1]), int(nxt[2]), int(nxt[3])
            return None
    return None


def vma_values_in(parent, first, last):
    """The values of the parent's entries lying exactly inside [first, last]."""
    return [int(v) for f, la, v in parent.ranges() if first <= f and la <= last]


__all__ = ["ScriptVma", "ledger_segments", "kernel_segments", "layout", "script_parent",
           "fork_script", "op_after_dup", "vma_values_in", "LEDGER"]
