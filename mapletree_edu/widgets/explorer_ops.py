# SPDX-License-Identifier: GPL-2.0-or-later
"""The Explorer's operations on its tree, apart from the widget.

:func:`plan` checks everything typed for one operation before the tree is touched and
returns a :class:`Plan`: the label of the trace, the action that runs it and the ops it
adds to the shareable script (the golden data's op language, FORMAT.md).
:func:`replay_ops` runs such a script on a tree. Bad input raises a MapleTreeError
naming the problem (InvalidRangeError, BulkModeError) or ValueError.

Operations: store (mtree_store_range), clear (a NULL store), erase (mtree_erase of one
index), bulk load of N VMAs (mas_expected_entries ... mas_store ... mas_destroy into an
empty tree, as dup_mmap() fills a new mm) and dup (__mt_dup; the tree is unchanged).
"""

from collections.abc import Callable
from typing import NamedTuple

from ..errors import BulkModeError, InvalidRangeError
from .parse import parse_count, parse_index, parse_range, parse_value
from .text import num

OPERATIONS = (("store", "store"), ("clear (store NULL)", "clear"), ("erase one index", "erase"),
              ("bulk load of N VMAs", "bulk"), ("dup (__mt_dup)", "dup"))
VMA_SIZE = 0x1000
VMA_STRIDE = 0x2000


class Plan(NamedTuple):
    """One checked operation: ``action()`` runs it on the tree and returns a note (or
    None); ``ops`` are its lines of the op language."""

    label: str
    action: Callable
    ops: list


def vma_ranges(n, start=VMA_SIZE, size=VMA_SIZE, stride=VMA_STRIDE):
    """N VMA-like ranges: ``size`` bytes each, ``stride`` apart (a one-page hole after
    each), starting at ``start``."""
    return [(start + k * stride, start + k * stride + size - 1) for k in range(n)]


def plan(tree, op, range_text="", value="", count=8, *, auto=1, used_auto=None, keep_copy=None):
    """Check the typed input of operation ``op`` on ``tree``; the Plan that runs it.

    ``auto``: the entry a store with no value stores (``used_auto()`` is called once it
    is stored); ``keep_copy(copy)`` receives the copy a dup makes."""
    if op == "store":
        first, last = parse_range(range_text)
        entry = parse_value(value, None)
        typed = entry is not None
        if not typed:
            entry = auto

        def store():
            tree.store(first, last, entry)
            if not typed and used_auto is not None:
                used_auto()
        return Plan(f"store {_r(first, last)} = {entry!r}", store,
                    [("store", (first, last, entry))])
    if op == "clear":
        first, last = parse_range(range_text)
        return Plan(f"clear {_r(first, last)}", lambda: tree.clear(first, last),
                    [("store", (first, last, 0))])
    if op == "erase":
        first, last = parse_range(range_text)
        if first != last:
            raise InvalidRangeError(f"erase takes one index (the range holding it is "
                                    f"erased), not {_r(first, last)}; use clear for a range")
        return Plan(f"erase {first:#x}", lambda: _erased(tree.erase(first)),
                    [("erase", (first,))])
    if op == "bulk":
        return _bulk_plan(tree, range_text, value, count)
    if op == "dup":
        def dup():
            copy = tree.dup()
            if keep_copy is not None:
                keep_copy(copy)
            return f"the copy has {copy.node_count} nodes (explorer.copy)"
        return Plan("dup", dup, [("dup", ())])
    raise InvalidRangeError(f"unknown operation {op!r}")


def _bulk_plan(tree, range_text, value, count):
    n = parse_count(count)
    start = parse_index(range_text, "first VMA") if str(range_text).strip() else VMA_SIZE
    ranges = vma_ranges(n, start)
    if ranges[-1][1] > (1 << 64) - 1:
        raise InvalidRangeError(f"{n} VMAs from {start:#x} run past the largest index")
    if len(tree) or tree.node_count:
        raise BulkModeError("a bulk load fills an empty tree (as dup_mmap() fills a new "
                            "mm): press 'New empty tree' first")
    base = parse_value(value, 1)
    if not isinstance(base, int):
        raise InvalidRangeError("for a bulk load the value is the first entry number (an int)")

    def bulk():
        with tree.bulk(len(ranges)) as b:
            for k, (first, last) in enumerate(ranges):
                b.store(first, last, base + k)
    ops = [("bulk", (n,))] + [("bstore", (a, b, base + k))
                              for k, (a, b) in enumerate(ranges)] + [("bulk_end", ())]
    return Plan(f"bulk load of {n} VMAs", bulk, ops)


def replay_ops(tree, ops, keep_copy=None):
    """Apply op-language ops to ``tree`` (``keep_copy(copy)`` receives each dup's copy)."""
    loader = None
    bulk_cm = None
    for op, args in ops:
        if op in ("tree", "dump", "mtdump", "rcu_on", "rcu_off"):
            if op == "rcu_on":
                tree.rcu = True
            elif op == "rcu_off":
                tree.rcu = False
            continue
        if op == "store":
            first, last, v = args
            if v:
                tree.store(first, last, v)
            else:
                tree.clear(first, last)
        elif op == "erase":
            tree.erase(args[0])
        elif op == "bulk":
            bulk_cm = tree.bulk(args[0])
            loader = bulk_cm.__enter__()
        elif op in ("bstore", "bstore_reset"):
            if loader is None:
                raise BulkModeError(f"'{op}' needs 'bulk N' first")
            first, last, v = args
            loader.store(first, last, v or None, reset=(op == "bstore_reset"))
        elif op == "bulk_end":
            if bulk_cm is None:
                raise BulkModeError("'bulk_end' without 'bulk N'")
            bulk_cm.__exit__(None, None, None)
            bulk_cm = loader = None
        elif op == "dup":
            copy = tree.dup()
            if keep_copy is not None:
                keep_copy(copy)
    if bulk_cm is not None:
        bulk_cm.__exit__(None, None, None)


def _r(first, last):
    return num(first) if first == last else f"{num(first)}-{num(last)}"


def _erased(old):
    return "nothing was stored there" if old is None else f"erased entry {old!r}"
