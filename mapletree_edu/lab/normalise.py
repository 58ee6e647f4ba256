# SPDX-License-Identifier: GPL-2.0-or-later
"""Forks per 10 s -> VMAs per second, and the multiplier the thread used.

Liam's step in the review: "normalize this to VMAs per second by dividing the forks
by 10, then multiplying by the number of VMAs". Which number of VMAs he multiplied
by can be read back from his table: ``multiplier = published * 10 / forks`` is an
integer in every column. All arithmetic here is exact (``fractions.Fraction``), so a
reproduced value either equals the printed one or it does not.
"""

import math
from dataclasses import dataclass
from fractions import Fraction

from .data import LIAM_DELTA_ROW, LIAM_LOG_ROW, LIAM_NEW_ROW, LIAM_OLD_ROW, LIAM_VMA_ROW

#: The one column where Liam's multiplier is not n + 2: 3223 was written 2323.
LIAM_SLIPS = {3223: 2323}


def vmas_per_second(forks_per_10s, multiplier):
    """forks/10 s divided by 10, times the VMAs per fork (an exact Fraction)."""
    return Fraction(forks_per_10s, 10) * multiplier


def liam_multiplier(vmas):
    """The multiplier Liam used for a column of ``vmas`` total VMAs: n + 2 (the v1
    cover letter's 23-VMA default instead of 21), with 3223 written as 2323."""
    m = vmas + 2
    return LIAM_SLIPS.get(m, m)


def recovered_multiplier(forks_per_10s, published):
    """The multiplier that turns forks/10 s into a printed VMAs/s value: exact."""
    return Fraction(published) * 10 / forks_per_10s


def fmt1(value):
    """A value the way the thread prints it: one decimal."""
    return f"{float(value):.1f}"


@dataclass(frozen=True)
class Column:
    """One column of the thread's table, recomputed."""

    vmas: int
    old_forks: int
    new_forks: int
    m_old: Fraction           # multiplier recovered from Liam's old row
    m_new: Fraction           # multiplier recovered from Liam's new row

    @property
    def liam(self):
        return liam_multiplier(self.vmas)

    @property
    def reproduced(self):
        """Both printed values equal forks/10 * liam_multiplier(n), exactly."""
        return self.m_old == self.liam and self.m_new == self.liam

    @property
    def slip(self):
        """True where Liam's multiplier is not n + 2."""
        return self.liam != self.vmas + 2


def thread_columns(v3_rows):
    """The thread's table, column by column, with the multipliers read back from it.

    ``v3_rows``: the v3 series of :func:`~mapletree_edu.lab.data.load_benchmarks`.
    """
    by_n = {r.vmas: r for r in v3_rows}
    if tuple(sorted(by_n)) != LIAM_VMA_ROW:
        raise ValueError(f"the v3 series has VMA counts {sorted(by_n)}, "
                         f"the thread's table {list(LIAM_VMA_ROW)}")
    cols = []
    for n, old_pub, new_pub in zip(LIAM_VMA_ROW, LIAM_OLD_ROW, LIAM_NEW_ROW, strict=True):
        r = by_n[n]
        cols.append(Column(n, r.old, r.new, recovered_multiplier(r.old, old_pub),
                           recovered_multiplier(r.new, new_pub)))
    return cols


def normalised(rows, multiplier="n"):
    """[(vmas, old VMAs/s, new VMAs/s)] with ``multiplier`` one of "n" (the total VMA
    count), "n+2" (Liam's, without the slip) or "liam" (Liam's as printed) or a
    function of n."""
    fn = {"n": lambda n: n, "n+2": lambda n: n + 2, "liam": liam_multiplier}.get(
        multiplier, multiplier)
    if not callable(fn):
        raise ValueError(f"multiplier must be 'n', 'n+2', 'liam' or a function, "
                         f"not {multiplier!r}")
    return [(r.vmas, vmas_per_second(r.old, fn(r.vmas)), vmas_per_second(r.new, fn(r.vmas)))
            for r in rows]


def dips(points):
    """The VMA counts where VMAs/s falls below the previous column's (old or new)."""
    out = []
    for (_n0, o0, w0), (n1, o1, w1) in zip(points, points[1:], strict=False):
        if o1 < o0 or w1 < w0:
            out.append(n1)
    return out


def reproduce_table(v3_rows):
    """Liam's old, new and delta rows recomputed with :func:`liam_multiplier`, as the
    thread prints them (one decimal), and whether each equals the printed row."""
    pts = normalised(v3_rows, "liam")
    old = tuple(fmt1(o) for _n, o, _w in pts)
    new = tuple(fmt1(w) for _n, _o, w in pts)
    delta = tuple(fmt1(w - o) for _n, o, w in pts)
    return {"old": (old, old == LIAM_OLD_ROW), "new": (new, new == LIAM_NEW_ROW),
            "delta": (delta, delta == LIAM_DELTA_ROW)}


def log_row_sources():
    """For each printed log value: which of log10(n), log10(n - 21) (the increment) or
    log10(Liam's multiplier - 23) it equals at two decimals (None if none does)."""
    out = []
    for n, printed in zip(LIAM_VMA_ROW, LIAM_LOG_ROW, strict=True):
        cands = {"log10(n)": n, "log10(increment)": n - 21,
                 "log10(multiplier - 23)": liam_multiplier(n) - 23}
        hit = next((name for name, v in cands.items()
                    if v > 0 and f"{math.log10(v):.2f}" == printed), None)
        out.append((n, printed, hit))
    return out


__all__ = ["vmas_per_second", "liam_multiplier", "recovered_multiplier", "thread_columns",
           "normalised", "dips", "reproduce_table", "log_row_sources", "fmt1", "Column",
           "LIAM_SLIPS"]
