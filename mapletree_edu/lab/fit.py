# SPDX-License-Identifier: GPL-2.0-or-later
"""Least squares ``y = a + b*n`` in pure Python, and what it says about the tables.

If one fork costs ``T(n) = a + b*n`` seconds (a fixed part ``a`` for the process,
``b`` per VMA), then VMAs per second is ``n / (a + b*n)``: it rises steeply while
``a`` dominates and flattens towards ``1/b``. That is the bend both curves of the
thread show; an ``n log n`` cost would instead make VMAs/s *fall* for large n.
No numpy needed.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Fit:
    """y = a + b*x fitted by ordinary least squares over ``points`` (x, y) pairs."""

    a: float
    b: float
    r2: float
    points: int

    def __call__(self, x):
        return self.a + self.b * x

    def max_rel_residual(self, xs, ys):
        """max |y - fit(x)| / y over the given points."""
        return max(abs(y - self(x)) / abs(y) for x, y in zip(xs, ys, strict=True))


def least_squares(xs, ys, weights=None):
    """The :class:`Fit` of y = a + b*x (needs at least two distinct x).

    ``weights``: one per point (default all 1). ``[1 / y**2 ...]`` minimises the
    *relative* residuals, so that a table spanning 21 to 51,221 VMAs is not fitted to
    its largest columns only. ``r2`` is the weighted coefficient of determination.
    """
    xs = [float(x) for x in xs]
    ys = [float(y) for y in ys]
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError("least_squares needs two equally long sequences of 2+ points")
    ws = [1.0] * len(xs) if weights is None else [float(w) for w in weights]
    if len(ws) != len(xs) or min(ws) <= 0:
        raise ValueError("least_squares needs one positive weight per point")
    sw = sum(ws)
    mx = sum(w * x for w, x in zip(ws, xs, strict=True)) / sw
    my = sum(w * y for w, y in zip(ws, ys, strict=True)) / sw
    sxx = sum(w * (x - mx) ** 2 for w, x in zip(ws, xs, strict=True))
    if sxx == 0:
        raise ValueError("least_squares needs at least two distinct x values")
    sxy = sum(w * (x - mx) * (y - my) for w, x, y in zip(ws, xs, ys, strict=True))
    b = sxy / sxx
    a = my - b * mx
    ss_tot = sum(w * (y - my) ** 2 for w, y in zip(ws, ys, strict=True))
    ss_res = sum(w * (y - (a + b * x)) ** 2 for w, x, y in zip(ws, xs, ys, strict=True))
    r2 = 1.0 - ss_res / ss_tot if ss_tot else 1.0
    return Fit(a, b, r2, len(xs))


def seconds_per_fork(forks_per_10s):
    """T for one fork (the benchmark ran 10 s): 10 / forks."""
    return 10.0 / forks_per_10s


def fork_time_fit(rows, path, min_vmas=0, relative=False):
    """Fit T(n) = a + b*n (seconds) to one path ("old"/"new") of a published table,
    using the columns with at least ``min_vmas`` VMAs; ``relative=True`` weighs each
    column by 1/T**2 (least relative error)."""
    pts = [(r.vmas, seconds_per_fork(r.forks(path))) for r in rows if r.vmas >= min_vmas]
    ys = [p[1] for p in pts]
    weights = [1 / y ** 2 for y in ys] if relative else None
    return least_squares([p[0] for p in pts], ys, weights)


def vmas_per_second_curve(fit, n):
    """What an affine cost predicts for VMAs per second at n VMAs: n / (a + b*n)."""
    return n / fit(n)


def asymptote(fit):
    """The limit of n / (a + b*n) for large n: 1/b VMAs per second."""
    return 1.0 / fit.b


def half_way(fit):
    """n at which VMAs/s reaches half its limit: a/b (the fixed cost in VMA units)."""
    return fit.a / fit.b


def marginal_ns(rows, path):
    """[(n0, n1, ns per VMA)] between successive columns: (T(n1) - T(n0)) / (n1 - n0)."""
    out = []
    for r0, r1 in zip(rows, rows[1:], strict=False):
        t0 = seconds_per_fork(r0.forks(path))
        t1 = seconds_per_fork(r1.forks(path))
        out.append((r0.vmas, r1.vmas, (t1 - t0) / (r1.vmas - r0.vmas) * 1e9))
    return out


def per_unit_spread(xs, ys):
    """How far y/x strays from its mean over the points: max |y/x - mean| / mean.

    0.032 means "y per x varies by +-3.2 %": y is proportional to x within that.
    """
    ratios = [y / x for x, y in zip(xs, ys, strict=True)]
    mean = sum(ratios) / len(ratios)
    if mean == 0:
        return 0.0
    return max(abs(r - mean) for r in ratios) / abs(mean)


__all__ = ["Fit", "least_squares", "seconds_per_fork", "fork_time_fit",
           "vmas_per_second_curve", "asymptote", "half_way", "marginal_ns", "per_unit_spread"]
