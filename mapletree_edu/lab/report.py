# SPDX-License-Identifier: GPL-2.0-or-later
"""Tables and computed sentences for the fork cost lab's published-data sections.

Every sentence here is written from the data it is given: its numbers and its wording
(what the data shows, or that it does not show it) change when the data changes. The
model's sections are in :mod:`mapletree_edu.lab.verdicts`.
"""

import math

from ..texttable import Table
from . import data as D
from .fit import asymptote, fork_time_fit, half_way, marginal_ns, seconds_per_fork
from .normalise import dips, fmt1, liam_multiplier, normalised, reproduce_table, thread_columns


def pct(x):
    return f"{x * 100:.2f}"


def join(items):
    items = [str(i) for i in items]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- 1. the published tables --------------------------------------------------------------

def forks_table(rows, title=None):
    """VMAs, forks/10 s old and new, and the gain computed from them."""
    return Table(["VMAs", "added", "old forks/10 s", "new forks/10 s", "gain %"],
                 [[r.vmas, r.added, r.old, r.new, pct(D.gain(r))] for r in rows], title)


def gain_sentence(bench):
    """Whether the gain rows, increments and Liam's delta row follow from the CSV."""
    off = []
    for series, printed in (("v3", D.V3_GAIN_PERCENT), ("v4", D.V4_GAIN_PERCENT)):
        got = tuple(pct(D.gain(r)) for r in bench[series])
        off += [f"{series} at {r.vmas} VMAs ({g} % computed, {p} % printed)"
                for r, g, p in zip(bench[series], got, printed, strict=False) if g != p]
    rows = bench["v3"]
    off += [f"Liam's delta at {r.vmas} VMAs ({r.new - r.old} computed, {d} printed)"
            for r, d in zip(rows, D.V3_DELTA_FORKS, strict=False) if r.new - r.old != d]
    gains = [D.gain(r) for r in bench["v4"]]
    head = (f"In the merged table the gain grows from {gains[0] * 100:+.1f} % at "
            f"{bench['v4'][0].vmas} VMAs to {gains[-1] * 100:+.1f} % at "
            f"{bench['v4'][-1].vmas:,} VMAs (largest {max(gains) * 100:+.1f} %).")
    if not off:
        return head + (" Every gain row and Liam's delta row follow from the forks per "
                       "10 s to the printed digit.")
    return head + " These printed values do not follow from the forks per 10 s: " + \
        join(off) + "."


# --- 2. the normalisation ---------------------------------------------------------------------

def liam_table():
    """Liam's normalised table as the review thread prints it ("VMA Count", "log(VMA)",
    the old row, the new row and their delta, in VMAs per second)."""
    rows = [["log(VMA)", *D.LIAM_LOG_ROW], ["next-20230921 (old)", *D.LIAM_OLD_ROW],
            ["this (new)", *D.LIAM_NEW_ROW], ["delta", *D.LIAM_DELTA_ROW]]
    return Table(["VMA count", *D.LIAM_VMA_ROW], rows,
                 "Liam's table in the review thread: VMAs per second, as printed")


def multiplier_table(bench):
    """Per column of the thread's table: the multiplier read back from Liam's old and
    new rows, n + 2 and n."""
    rows = []
    for c in thread_columns(bench["v3"]):
        rows.append([c.vmas, c.old_forks, c.new_forks, c.m_old, c.m_new, c.vmas + 2])
    return Table(["VMAs n", "old forks", "new forks", "multiplier (old row)",
                  "multiplier (new row)", "n + 2"], rows,
                 "multiplier = printed VMAs/s x 10 / forks per 10 s")


def multiplier_sentence(bench):
    """What multiplier Liam used, read back from his rows."""
    cols = thread_columns(bench["v3"])
    plus2 = [c for c in cols if c.m_old == c.vmas + 2 and c.m_new == c.vmas + 2]
    other = [c for c in cols if c not in plus2]
    if not other:
        return (f"In all {len(cols)} columns the printed VMAs/s is forks/10 x (n + 2), "
                "exactly.")
    parts = []
    for c in other:
        m = c.m_old if c.m_old == c.m_new else f"{c.m_old} (old row) / {c.m_new} (new row)"
        whole = c.m_old.denominator == 1 and c.m_new.denominator == 1
        parts.append(f"at {c.vmas} VMAs it is {m}{'' if whole else ', not a whole number'}"
                     f" where n + 2 = {c.vmas + 2}")
    return (f"In {len(plus2)} of {len(cols)} columns the printed VMAs/s is forks/10 x "
            f"(n + 2), exactly; " + join(parts) + ".")


def reproduce_sentence(bench):
    rep = reproduce_table(bench["v3"])
    bad = [name for name, (_row, ok) in rep.items() if not ok]
    if not bad:
        return ("With n + 2 and 2323 in the 3221 column, the old, new and delta rows of "
                "Liam's table come out digit for digit.")
    return ("With n + 2 and 2323 in the 3221 column, Liam's " + join(bad) +
            " row(s) do not come out as printed.")


def dip_sentence(bench):
    """Where VMAs/s falls, as printed and with the multiplier corrected."""
    d_liam = dips(normalised(bench["v3"], "liam"))
    d_fix = dips(normalised(bench["v3"], "n+2"))
    d_true = dips(normalised(bench["v3"], "n"))
    printed = (f"As printed, VMAs/s falls at {join(d_liam)} VMAs" if d_liam
               else "As printed, VMAs/s never falls")
    if d_liam and not d_fix and not d_true:
        return (printed + "; with n + 2 (3223) or with the true count n it rises at every "
                "column: the dip is the multiplier 2323, not a measurement.")
    fixed = join(sorted(set(d_fix) | set(d_true))) or "no column"
    return (printed + f"; with n + 2 or the true count n it falls at {fixed}: "
            "the multiplier does not explain it.")


def normalised_table(bench, series="v3"):
    """VMAs/s of a series with Liam's multiplier as printed, with 3223, with n."""
    liam = normalised(bench[series], "liam")
    fix = normalised(bench[series], "n+2")
    true = normalised(bench[series], "n")
    rows = []
    for (n, lo, lw), (_a, fo, fw), (_b, to, tw) in zip(liam, fix, true, strict=True):
        rows.append([n, liam_multiplier(n), fmt1(lo), fmt1(lw), fmt1(fo), fmt1(fw),
                     fmt1(to), fmt1(tw)])
    return Table(["VMAs n", "Liam's mult.", "old (Liam)", "new (Liam)", "old (n+2)",
                  "new (n+2)", "old (n)", "new (n)"], rows, f"{series}: VMAs per second")


# --- 3. the fit -----------------------------------------------------------------------------------

def fits(bench):
    """{(series, path, columns): Fit} for every series and path; columns "all" and
    ">=821" are ordinary least squares, "all, relative" weighs every column by 1/T**2."""
    out = {}
    for series, rows in bench.items():
        for path in ("old", "new"):
            out[(series, path, "all")] = fork_time_fit(rows, path)
            out[(series, path, ">=821")] = fork_time_fit(rows, path, min_vmas=821)
            out[(series, path, "all, relative")] = fork_time_fit(rows, path, relative=True)
    return out


def fit_table(bench):
    rows = []
    for (series, path, pts), f in fits(bench).items():
        rows.append([series, path, pts, f.points, f"{f.a * 1e6:.1f}", f"{f.b * 1e9:.1f}",
                     f"{f.r2:.5f}", f"{asymptote(f) / 1e6:.2f}", f"{half_way(f):.0f}"])
    return Table(["series", "path", "columns", "points", "a (us)", "b (ns/VMA)", "R^2",
                  "1/b (M VMAs/s)", "a/b (VMAs)"], rows,
                 "T(n) = a + b*n, T = 10 s / forks; least squares")


def bend_sentence(bench, tolerance=0.05):
    """How well n/(a + b*n) (relative fits) reproduces every measured VMAs/s."""
    f = fits(bench)
    worst, where = 0.0, None
    for series, rows in bench.items():
        for path in ("old", "new"):
            fit = f[(series, path, "all, relative")]
            for r in rows:
                meas = r.vmas / seconds_per_fork(r.forks(path))
                err = abs(r.vmas / fit(r.vmas) - meas) / meas
                if err > worst:
                    worst, where = err, (series, path, r.vmas)
    text = (f"n/(a + b*n) reproduces every measured VMAs/s of both tables within "
            f"{worst * 100:.1f} % (worst: {where[0]} {where[1]} at {where[2]:,} VMAs)")
    if worst <= tolerance:
        return text + ": a fixed cost per fork plus a constant cost per VMA gives the bend."
    return text + f": more than {tolerance * 100:.0f} % off, so a + b*n does not explain " \
        "the whole bend."


def _nlogn_growth(ns):
    """Mean marginal cost over the later half of the intervals / the earlier half, for
    T = n*log2(n)."""
    marg = [((n1 * math.log2(n1)) - (n0 * math.log2(n0))) / (n1 - n0)
            for n0, n1 in zip(ns, ns[1:], strict=False)]
    half = len(marg) // 2
    return (sum(marg[-half:]) / half) / (sum(marg[:half]) / half)


def marginal_growth(bench, path, series="v4", lo=121):
    """(later/earlier marginal ns per VMA, what n*log2(n) would give)."""
    rows = [r for r in bench[series] if r.vmas >= lo]
    marg = [m for _a, _b, m in marginal_ns(rows, path)]
    half = len(marg) // 2
    growth = (sum(marg[-half:]) / half) / (sum(marg[:half]) / half)
    return growth, _nlogn_growth([r.vmas for r in rows]), min(marg), max(marg)


def marginal_sentence(bench, series="v4"):
    parts = []
    verdict = []
    for path in ("old", "new"):
        growth, want, lo, hi = marginal_growth(bench, path, series)
        parts.append(f"{path} {lo:.0f}..{hi:.0f} ns, later columns / earlier = {growth:.2f}")
        verdict.append(growth < (1 + want) / 2)
    head = (f"Marginal cost per added VMA ({series}, from 121 VMAs up): " + "; ".join(parts)
            + f". n*log2(n) would give {want:.2f}.")
    if all(verdict):
        return head + " Neither path shows log n growth."
    grown = [p for p, ok in zip(("old", "new"), verdict, strict=True) if not ok]
    return head + f" The {join(grown)} path grows like n log n here."


def marginal_table(bench, series="v4"):
    rows = bench[series]
    old = marginal_ns(rows, "old")
    new = marginal_ns(rows, "new")
    return Table(["from", "to", "old ns/VMA", "new ns/VMA", "saved ns/VMA"],
                 [[a, b, f"{o:.0f}", f"{w:.0f}", f"{o - w:.0f}"]
                  for (a, b, o), (_a, _b, w) in zip(old, new, strict=True)],
                 f"{series}: (T(n1) - T(n0)) / (n1 - n0) between columns")


# --- Liam's "+53 %" and the fixed cost -----------------------------------------------------------

def fitted_gain(bench, n, series="v3"):
    """The gain new/old - 1 the relative fits of ``series`` predict at n VMAs
    (T_old(n) / T_new(n) - 1)."""
    f = fits(bench)
    return f[(series, "old", "all, relative")](n) / f[(series, "new", "all, relative")](n) - 1


def gain_limit(bench, series="v3"):
    """The gain the fits tend to as n grows: b_old / b_new - 1."""
    f = fits(bench)
    return f[(series, "old", "all, relative")].b / f[(series, "new", "all, relative")].b - 1


def gain_table(bench, series="v3", sizes=(821, 1621, 3221, 6421, 51221, 1_000_000)):
    rows = {r.vmas: r for r in bench[series]}
    body = []
    for n in sizes:
        meas = f"{D.gain(rows[n]) * 100:+.2f}" if n in rows else "-"
        body.append([f"{n:,}", meas, f"{fitted_gain(bench, n, series) * 100:+.1f}"])
    body.append(["n -> infinity", "-", f"{gain_limit(bench, series) * 100:+.1f}"])
    return Table(["VMAs", "measured gain %", "gain of the fit %"], body,
                 f"{series}: gain = T_old(n) / T_new(n) - 1 with T = a + b*n (relative fits)")


def fixed_cost_sentence(bench, series="v3", n0=821, n1=1621):
    """Liam's "+53 % instead of +46 %" answered with the fits of the thread's table."""
    rows = {r.vmas: r for r in bench[series]}
    g0, g1 = fitted_gain(bench, n0, series), fitted_gain(bench, n1, series)
    lim = gain_limit(bench, series)
    m1 = D.gain(rows[n1]) if n1 in rows else None
    text = (f"Fitted to the thread's table, a fixed cost per fork plus a constant cost per "
            f"VMA predicts a gain of {g0 * 100:+.1f} % at {n0:,} VMAs and {g1 * 100:+.1f} % "
            f"at {n1:,}")
    if m1 is not None:
        text += f" (measured {m1 * 100:+.1f} %)"
    close = m1 is not None and abs(g1 - m1) <= 0.02
    text += (f", and {lim * 100:+.1f} % only as n grows without end (b_old / b_new - 1). ")
    if close:
        return text + (f"So the {m1 * 100:+.1f} % measured at {n1:,} VMAs is what the fixed "
                       "cost predicts; the limit comes only where the fixed cost no longer "
                       "counts.")
    return text + (f"The measured gain at {n1:,} VMAs is more than 2 points away from the "
                   "fit, so the fixed cost alone does not explain it.")


__all__ = ["forks_table", "gain_sentence", "liam_table", "multiplier_table", "multiplier_sentence",
           "reproduce_sentence", "dip_sentence", "normalised_table", "fits", "fit_table",
           "bend_sentence", "marginal_growth", "marginal_sentence", "marginal_table",
           "fitted_gain", "gain_limit", "gain_table", "fixed_cost_sentence", "pct", "join"]
