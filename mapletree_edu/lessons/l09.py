# SPDX-License-Identifier: GPL-2.0-or-later
"""Lesson 09, the fork cost lab: exercise checks and solutions.

The measurement code is in :mod:`mapletree_edu.lab`; the checks compute their expected
answers from the same data (the package's copy of the benchmark CSV, the thread's
table, the model), never from typed numbers.
"""

import numbers

from ..fork import Vma, as_vma, build_mm_tree, fork_pre68
from ..lab import data as D
from ..lab.fill import bulk_load_logged
from ..lab.report import fitted_gain, gain_limit
from ..stats import CostCounter
from ..tree import MapleTree
from .common import call_answer, report, solution_text, unanswered


def _number(answer):
    """A real number (int, float, Fraction, numpy scalar), not a bool."""
    return isinstance(answer, numbers.Real) and not isinstance(answer, bool)


# --- exercise 1 -------------------------------------------------------------------------------

def vmas_per_second(series="v4"):
    """{path: [(n, VMAs/s)]} of a published table, normalised with the true count n:
    forks per 10 s / 10 x n."""
    rows = D.load_benchmarks()[series]
    return {path: [(r.vmas, getattr(r, path) / 10 * r.vmas) for r in rows]
            for path in ("old", "new")}


def expected_peaks(series="v4"):
    """(n where the old path's VMAs/s is highest, the same for the new path)."""
    per = vmas_per_second(series)
    return tuple(max(per[path], key=lambda nv: nv[1])[0] for path in ("old", "new"))


def check_peaks(answer):
    """Exercise 1: the VMA counts at which the merged commit's table (v4) gives the highest
    VMAs/s, old path and new path."""
    want = expected_peaks()
    if (unanswered(answer) or not isinstance(answer, (tuple, list)) or len(answer) != 2
            or not all(_number(a) for a in answer)):
        return report(False, "", "give a pair of VMA counts: (old path's peak, new path's "
                      "peak), e.g. (821, 1621)")
    per = vmas_per_second()
    last = {path: per[path][-1] for path in per}
    peak = {path: dict(per[path])[n] for path, n in zip(("old", "new"), want, strict=True)}
    falls = [(peak[p] - last[p][1]) / peak[p] * 100 for p in ("old", "new")]
    ok = tuple(answer) == want
    return report(ok, f"the old path peaks at {want[0]:,} VMAs and the new one at "
                  f"{want[1]:,}; at {last['old'][0]:,} they are {falls[0]:.1f} % and "
                  f"{falls[1]:.1f} % lower. n/(a + b*n) can only rise towards 1/b, so these "
                  "last columns are the scatter of the measurement around the fitted line "
                  "(section 3): both paths are already close to their limit there.",
                  "VMAs/s = forks per 10 s / 10 x n, for every column of "
                  "data.load_benchmarks()[\"v4\"]; which column is largest, for each path?")


# --- exercise 2 -------------------------------------------------------------------------------

def expected_gains(series="v4", vmas=1621):
    """(gain of the relative fits at ``vmas``, their limit), in percent."""
    bench = D.load_benchmarks()
    return fitted_gain(bench, vmas, series) * 100, gain_limit(bench, series) * 100


def check_gains(answer):
    """Exercise 2: for the merged commit's table (v4): (fitted gain at 1,621 VMAs, the
    limit for large n), in percent."""
    want = expected_gains()
    if (unanswered(answer) or not isinstance(answer, (tuple, list)) or len(answer) != 2
            or not all(_number(a) for a in answer)):
        return report(False, "", "give a pair of percentages: (gain at 1621, limit), e.g. "
                      "(40.0, 45.0)")
    ok = all(abs(a - w) <= 0.5 for a, w in zip(answer, want, strict=True))
    v3 = expected_gains("v3")
    return report(ok, f"about {want[0]:+.1f} % at 1,621 VMAs and {want[1]:+.1f} % in the "
                  "limit: with a fixed cost per fork the gain T_old/T_new - 1 = "
                  "(a_old + b_old n)/(a_new + b_new n) - 1 still grows at 1,621 VMAs and "
                  "reaches b_old/b_new - 1 only for very large n. The thread's table (v3) "
                  f"gave {v3[0]:+.1f} % and {v3[1]:+.1f} %: the merged table tells the same "
                  "story.",
                  f"{tuple(answer)} is not within half a point of both (fit both v4 columns "
                  "with relative weights, divide the old path's T(n) by the new path's, "
                  "and compare the slopes for the limit)")


# --- exercise 3 -------------------------------------------------------------------------------

def unused_share(vmas):
    """Share of mas_expected_entries()'s preallocation the pre-6.8 fork of ``vmas``
    leaves unused."""
    r = fork_pre68(build_mm_tree(vmas), events=None)
    return r.frees / r.allocs


def _vma_list(answer):
    try:
        return [as_vma(v) for v in answer]
    except Exception as exc:          # the learner's input may be anything
        raise ValueError(f"not a list of VMAs: {exc}") from None


def check_layouts(answer, least=500):
    """Exercise 3: (wasteful, thrifty): two layouts with the same number of VMAs (at
    least ``least``); the old fork leaves more than half of its preallocation unused
    with the first and less than a fifth with the second."""
    if (unanswered(answer) or not isinstance(answer, (tuple, list)) or len(answer) != 2):
        return report(False, "", "give a pair (wasteful, thrifty) of VMA lists")
    try:
        a, b = _vma_list(answer[0]), _vma_list(answer[1])
        if len(a) != len(b) or len(a) < least:
            raise ValueError(f"both layouts need the same number of VMAs, at least {least} "
                             f"(got {len(a)} and {len(b)})")
        wa, wb = unused_share(a), unused_share(b)
    except Exception as exc:          # overlapping VMAs, bad ranges: say what was wrong
        return report(False, "", f"{exc}")
    ok = wa > 0.5 and wb < 0.2
    return report(ok, f"{wa * 100:.1f} % unused against {wb * 100:.1f} % with the same "
                  f"{len(a)} VMAs: the preallocation assumes a hole after every VMA "
                  "(2n + 1 entries); only the layout decides how much of it is used.",
                  f"unused: {wa * 100:.1f} % and {wb * 100:.1f} % (the first must be above "
                  "50 %, the second below 20 %; think about what a NULL range between two "
                  "VMAs costs in a leaf)")


# --- exercise 4 -------------------------------------------------------------------------------

SIZES_4 = (1000, 4000, 16000)


def append_touches(n):
    """Node touches (allocations + nodes visited) per append of a bulk load of n
    ranges [10i, 10i+5], the position kept at the last leaf."""
    t = MapleTree(alloc=True)
    counter = CostCounter(events=True, allocator=t.allocator)
    with t.tracing(counter), t.bulk(n) as b:
        for i in range(n):
            b.store(10 * i, 10 * i + 5, i + 1)
    c = counter.costs()
    return (c.allocs + c.visits) / n


def overflows(n):
    """(leaf overflows, internal-node overflows) of the bulk load of
    :func:`append_touches`: every ``mab_calc_split`` of a split or a push."""
    _t, log = bulk_load_logged([(10 * i, 10 * i + 5, i + 1) for i in range(n)])
    leaf = sum(1 for s in log.split_sizes if s[1] == "leaf")
    return leaf, len(log.split_sizes) - leaf


def check_amortised(answer, sizes=SIZES_4):
    """Exercise 4: a function n -> node touches per append of a bulk load of n entries;
    the check compares it with the model's own count at several n."""
    if unanswered(answer) or not callable(answer):
        return report(False, "", "give a function of n (def touches_per_append(n): ...)")
    got = []
    for n in sizes:
        value, err = call_answer(answer, n)
        if err:
            return report(False, "", f"your function {err} for n = {n}")
        if not _number(value):
            return report(False, "", f"your function returned {value!r} for n = {n}, "
                          "not a number")
        got.append(float(value))
    want = [append_touches(n) for n in sizes]
    same = all(abs(g - w) <= 0.02 * w for g, w in zip(got, want, strict=True))
    flat = max(got) <= 1.10 * min(got)
    text = ", ".join(f"n = {n}: {g:.3f}" for n, g in zip(sizes, got, strict=True))
    leaf, inner = overflows(sizes[-1])
    return report(same and flat, f"{text}. The cost per append does not grow with n: at "
                  f"n = {sizes[-1]} a leaf overflows (split or push) once every "
                  f"{sizes[-1] / leaf:.1f} appends and an internal node once every "
                  f"{leaf / inner:.1f} leaf overflows, so there are about n/k + n/k^2 + ... "
                  "overflows in all: a geometric series below a constant times n, each "
                  "costing a few nodes. With the position kept at the last leaf an append "
                  "is O(1) amortised, so the bulk rebuild is O(n), like __mt_dup.",
                  f"got {text}; the model counts {', '.join(f'{w:.3f}' for w in want)} "
                  "(count allocations plus visits with a CostCounter attached while the "
                  "tree bulk-loads, and divide by n)")


SOLUTIONS = {
    "peaks": '''\
from mapletree_edu.lab import data
from mapletree_edu.lessons import l09

v4 = data.load_benchmarks()["v4"]
old = max(v4, key=lambda r: r.old / 10 * r.vmas)
new = max(v4, key=lambda r: r.new / 10 * r.vmas)
print("old path peaks at", old.vmas, "VMAs; new path at", new.vmas)
answer = (old.vmas, new.vmas)
ok = l09.check_peaks(answer)''',
    "gains": '''\
from mapletree_edu.lab import data, fit
from mapletree_edu.lessons import l09

v4 = data.load_benchmarks()["v4"]
old = fit.fork_time_fit(v4, "old", relative=True)
new = fit.fork_time_fit(v4, "new", relative=True)
at_1621 = (old(1621) / new(1621) - 1) * 100
limit = (old.b / new.b - 1) * 100
print(f"gain of the fit at 1621: {at_1621:+.1f} %, limit: {limit:+.1f} %")
answer = (at_1621, limit)
ok = l09.check_gains(answer)''',
    "layouts": '''\
from mapletree_edu.fork import Vma
from mapletree_edu.lessons import l09

PAGE = 4096
n = 1000
# every VMA touches the next: n + 2 entries, about half of the 2n + 1 preallocated for
touching = [Vma(0x10000 + i * PAGE, 0x10000 + (i + 1) * PAGE) for i in range(n)]
# a one-page hole after every VMA: 2n + 1 entries, what mas_expected_entries() assumes
holes = [Vma(0x10000 + 2 * i * PAGE, 0x10000 + (2 * i + 1) * PAGE) for i in range(n)]
print(f"touching: {l09.unused_share(touching) * 100:.1f} % unused, "
      f"holes: {l09.unused_share(holes) * 100:.1f} % unused")
l09.check_layouts((touching, holes))''',
    "amortised": '''\
from mapletree_edu import MapleTree
from mapletree_edu.lessons import l09
from mapletree_edu.stats import CostCounter


def touches_per_append(n):
    t = MapleTree(alloc=True)
    counter = CostCounter(events=True, allocator=t.allocator)
    with t.tracing(counter), t.bulk(n) as b:
        for i in range(n):
            b.store(10 * i, 10 * i + 5, i + 1)
    c = counter.costs()
    return (c.allocs + c.visits) / n


for n in (1000, 4000, 16000):
    print(n, round(touches_per_append(n), 3))
l09.check_amortised(touches_per_append)''',
}


def solution(name):
    """The solution of exercise ``name`` as source text."""
    return solution_text(SOLUTIONS, name)


__all__ = ["check_peaks", "check_gains", "check_layouts", "check_amortised",
           "unused_share", "append_touches", "overflows", "solution", "SOLUTIONS",
           "expected_peaks", "vmas_per_second", "expected_gains", "SIZES_4", "Vma"]
