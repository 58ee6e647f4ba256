# SPDX-License-Identifier: GPL-2.0-or-later
"""The kernel's user-space ``bench_forking`` (lib/test_maple_tree.c) in the model.

Source: an alloc tree holding the value ``i`` over ``[10i, 10i+5]`` for i = 0..134
(135 entries; the code's ``nr_entries`` is 134 and its store loop runs
``i <= nr_entries``). Each iteration copies it:

* **old** (pre-6.8): a new empty tree, ``mas_expected_entries(&newmas, 134)`` (one
  fewer than it then stores), then ``mas_for_each`` over the *source* with
  ``mas_store(&newmas, val)`` of every entry at the same range through the same state,
  then ``mas_destroy``;
* **new** (v6.8): ``__mt_dup`` into an empty tree, then ``mas_for_each`` over the copy
  with ``mas_store`` of every entry (an exact-fit replacement at the iterator's leaf).

Both iterate a tree of the source's shape once (the old one the source, the new one
the copy), so :func:`mapletree_edu.lab.replace.iterator_moves` of the source counts
that walk for either. The series' v1 cover letter reported 13.52 s -> 2.60 s for 80,000
copies, without the time of ``mt_validate()`` and ``mtree_destroy()``
(:mod:`mapletree_edu.lab.data`). Here :func:`per_dup_costs` gives the exact counters
of one copy and :func:`time_per_dup` the model's CPU time per copy (the Python model's
own cost).
"""

import gc
import time

from ..stats import CostCounter
from ..tree import MapleTree
from .data import BENCH_FORKING_ANNOUNCED, BENCH_FORKING_ENTRIES
from .replace import replace_pass_iter


def forking_source(entries=BENCH_FORKING_ENTRIES):
    """The benchmark's source tree: value i over [10i, 10i+5], stored in order."""
    t = MapleTree(alloc=True)
    for i in range(entries):
        t.store(i * 10, i * 10 + 5, i)
    return t


def _same(entry):
    return entry


def dup_old(src, announced=BENCH_FORKING_ANNOUNCED, tracer=None):
    """One pre-6.8 copy: bulk mode announcing ``announced`` entries, one mas_store per
    source entry through the kept state, mas_destroy. Returns the copy."""
    new = MapleTree(alloc=True, allocator=src.allocator, tracer=tracer)
    with new.bulk(announced) as b:
        for first, last, entry in src.ranges():
            b.store(first, last, entry)
    return new


def dup_new(src, tracer=None):
    """One v6.8 copy: __mt_dup, then every entry stored again at the iterator's leaf."""
    with src.tracing(tracer):
        new = src.dup()
    replace_pass_iter(new, _same)
    return new


def per_dup_costs(src, which, announced=BENCH_FORKING_ANNOUNCED):
    """The :class:`~mapletree_edu.stats.Costs` of one copy ("old" or "new"), with the
    ledger; the copy is destroyed afterwards (not counted)."""
    counter = CostCounter(events=True, allocator=src.allocator)
    if which == "old":
        copy = dup_old(src, announced, tracer=counter)
    elif which == "new":
        copy = dup_new(src, tracer=counter)
    else:
        raise ValueError(f"which must be 'old' or 'new', not {which!r}")
    costs = counter.costs()
    copy.tracer = None
    copy.destroy()
    return costs


def time_per_dup(src, which, iterations=200, repeat=3):
    """Model CPU seconds per copy: best of ``repeat`` runs of ``iterations`` copies (each
    copy destroyed outside the timed part, as the kernel's figures exclude it)."""
    fn = dup_old if which == "old" else dup_new
    if which not in ("old", "new"):
        raise ValueError(f"which must be 'old' or 'new', not {which!r}")
    best = None
    for _ in range(repeat):
        copies = []
        gc.collect()
        gc.disable()
        try:
            t0 = time.process_time()
            for _i in range(iterations):
                copies.append(fn(src))
            dt = time.process_time() - t0
        finally:
            gc.enable()
        for c in copies:
            c.destroy()
        best = dt if best is None else min(best, dt)
    return best / iterations


__all__ = ["forking_source", "dup_old", "dup_new", "per_dup_costs", "time_per_dup"]
