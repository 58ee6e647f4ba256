# SPDX-License-Identifier: GPL-2.0-or-later
"""The fork cost lab's figures (matplotlib, imported when a figure is made).

Every function returns a matplotlib Figure made with pyplot, so that a notebook's
inline backend shows it; call ``plt.close(fig)`` when saving figures in a script.
The numbers behind every figure are printed by :mod:`.report` / :mod:`.verdicts`; the
sweep's figures draw every layout they are given.
"""

from .fit import asymptote
from .layouts import LAYOUT_NAMES
from .nodecount import peng_nodes, prealloc_nodes
from .normalise import normalised
from .sweep import per_vma, unused

OLD, NEW, ITER = "#c0392b", "#2471a3", "#1e8449"
WIDTH = 11


def _plt():
    import matplotlib.pyplot as plt
    return plt


def _tidy(*axes):
    """No minor tick labels on log axes (they overlap on short ranges)."""
    from matplotlib.ticker import NullFormatter
    for ax in axes:
        ax.xaxis.set_minor_formatter(NullFormatter())


def _finish(fig, grid=(), legend=(), fontsize=8):
    """Grid lines and legends on the given axes, tidy log axes, a tight layout."""
    for ax in grid:
        ax.grid(True, which="both", alpha=0.3)
    for ax in legend:
        ax.legend(fontsize=fontsize)
    _tidy(*fig.axes)
    fig.tight_layout()
    return fig


def tables(bench):
    """Forks per 10 s (log-log) of both series and the gain per column."""
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(WIDTH, 4))
    for series, style in (("v3", "o--"), ("v4", "s-")):
        rows = bench[series]
        ns = [r.vmas for r in rows]
        ax1.plot(ns, [r.old for r in rows], style, color=OLD, label=f"{series} old (bulk)")
        ax1.plot(ns, [r.new for r in rows], style, color=NEW, label=f"{series} new (__mt_dup)")
        ax2.plot(ns, [(r.new / r.old - 1) * 100 for r in rows], style, color="k",
                 label=series)
    ax1.set(xscale="log", yscale="log", xlabel="VMAs in the forking process",
            ylabel="forks per 10 s", title="the published tables")
    ax2.set(xscale="log", xlabel="VMAs", ylabel="gain, % (new/old - 1)",
            title="gain (computed)")
    return _finish(fig, grid=(ax1, ax2), legend=(ax1, ax2))


def normalisation(bench, fit_old=None, fit_new=None):
    """VMAs/s of v3 as Liam printed it (the dip), with 3223, with the true n; v4 with n
    and, if fits are given, n/(a+b*n) with its limit 1/b."""
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(WIDTH, 4.2))
    for mult, style, label in (("liam", "x:", "as printed (n+2, 2323 at 3221)"),
                               ("n+2", "o-", "n + 2 (3223 at 3221)"),
                               ("n", ".--", "true VMA count n")):
        pts = normalised(bench["v3"], mult)
        ns = [p[0] for p in pts]
        ax1.plot(ns, [float(p[1]) / 1e6 for p in pts], style, color=OLD, label=f"old, {label}")
        ax1.plot(ns, [float(p[2]) / 1e6 for p in pts], style, color=NEW, label=f"new, {label}")
    ax1.annotate("the 'dip at 3221'", xy=(3221, 1.42), xytext=(250, 0.55),
                 arrowprops={"arrowstyle": "->"}, fontsize=8)
    ax1.set(xscale="log", xlabel="VMAs", ylabel="million VMAs per second",
            title="v3: Liam's normalisation redone")
    pts = normalised(bench["v4"], "n")
    ns = [p[0] for p in pts]
    ax2.plot(ns, [float(p[1]) / 1e6 for p in pts], "s", color=OLD, label="v4 old (n)")
    ax2.plot(ns, [float(p[2]) / 1e6 for p in pts], "s", color=NEW, label="v4 new (n)")
    grid = [ns[0] * (ns[-1] / ns[0]) ** (k / 200) for k in range(201)]
    for fit, color, name in ((fit_old, OLD, "old"), (fit_new, NEW, "new")):
        if fit is None:
            continue
        ax2.plot(grid, [n / fit(n) / 1e6 for n in grid], "-", color=color, alpha=0.7,
                 label=f"{name}: n/(a+bn), b={fit.b * 1e9:.0f} ns")
        ax2.axhline(asymptote(fit) / 1e6, color=color, ls=":", alpha=0.7)
    ax2.set(xscale="log", xlabel="VMAs", ylabel="million VMAs per second",
            title="v4: VMAs/s and n/(a + b*n); dotted: 1/b")
    return _finish(fig, grid=(ax1, ax2), legend=(ax1, ax2), fontsize=7)


def fork_time(bench, fits):
    """T(n) per fork with the fitted lines (log-log) and the marginal cost per VMA."""
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(WIDTH, 4))
    rows = bench["v4"]
    ns = [r.vmas for r in rows]
    grid = [ns[0] * (ns[-1] / ns[0]) ** (k / 200) for k in range(201)]
    for path, color in (("old", OLD), ("new", NEW)):
        ax1.plot(ns, [10 / r.forks(path) * 1e6 for r in rows], "o", color=color,
                 label=f"v4 {path}")
        f = fits[("v4", path, "all, relative")]
        ax1.plot(grid, [f(n) * 1e6 for n in grid], "-", color=color, alpha=0.6,
                 label=f"a={f.a * 1e6:.0f} us + {f.b * 1e9:.0f} ns x n")
        marg = [((10 / r1.forks(path)) - (10 / r0.forks(path))) / (r1.vmas - r0.vmas) * 1e9
                for r0, r1 in zip(rows, rows[1:], strict=False)]
        mids = [(r0.vmas * r1.vmas) ** 0.5 for r0, r1 in zip(rows, rows[1:], strict=False)]
        ax2.plot(mids, marg, "o-", color=color, label=f"{path}")
    ax1.set(xscale="log", yscale="log", xlabel="VMAs", ylabel="time per fork, us",
            title="time per fork and the fitted a + b*n")
    ax2.set(xscale="log", xlabel="VMAs (between columns)", ylabel="ns per added VMA",
            title="marginal cost between columns", ylim=(0, 600))
    return _finish(fig, grid=(ax1, ax2), legend=(ax1, ax2))


LAYOUT_STYLE = {"holes": "o-", "touching": "s--", "real": "^:"}


def sweep_counters(by_layout):
    """Node touches per VMA of both paths, one panel per layout; the old path also
    without its walk over the parent's tree (how the lab counted before)."""
    plt = _plt()
    layouts = list(by_layout)
    fig, axes = plt.subplots(1, len(layouts), figsize=(WIDTH, 3.8), sharey=True)
    axes = list(axes) if len(layouts) > 1 else [axes]
    for ax, layout in zip(axes, layouts, strict=True):
        rows = by_layout[layout]
        ns = [r["vmas"] for r in rows]
        ax.plot(ns, [v for _n, v in per_vma(rows, "old", "work")], "o-", color=OLD,
                label="old: bulk rebuild")
        ax.plot(ns, [(r["old"]["allocs"] + r["old"]["visits"]) / r["vmas"] for r in rows],
                "x:", color=OLD, label="old without the parent walk")
        ax.plot(ns, [v for _n, v in per_vma(rows, "new", "work")], "s-", color=NEW,
                label="new: __mt_dup + replace")
        ax.set(xscale="log", xlabel="VMAs", title=LAYOUT_NAMES.get(layout, layout), ylim=(0, None))
    axes[0].set_ylabel("node touches per VMA (model counters)")
    return _finish(fig, grid=axes, legend=axes[:1], fontsize=8)


def unused_share(by_layout, reals=()):
    """Share of the old path's preallocation left unused, per layout and for the real
    processes (points at their own size)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(WIDTH * 0.75, 3.8))
    for layout, rows in by_layout.items():
        ax.plot([r["vmas"] for r in rows], [unused(r) * 100 for r in rows],
                LAYOUT_STYLE.get(layout, "o-"), label=LAYOUT_NAMES.get(layout, layout))
    for r, marker in zip(reals, "*PXD", strict=False):
        ax.plot([r["vmas"]], [r["unused"] / r["prealloc"] * 100], marker, color="k", ms=9,
                ls="none", label=f"real: {r['name']} ({r['vmas']} VMAs)")
    ax.set(xscale="log", xlabel="VMAs", ylabel="% of the preallocation unused",
           ylim=(0, 70), title="mas_expected_entries(): nodes left unused")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return _finish(fig, grid=(ax,))


def gain_fit(bench, fitted_gain, limit, series="v3"):
    """Measured gain per column and the gain of the a + b*n fits, with its limit."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(WIDTH * 0.6, 3.8))
    for s, style in (("v3", "o"), ("v4", "s")):
        rows = bench[s]
        ax.plot([r.vmas for r in rows], [(r.new / r.old - 1) * 100 for r in rows], style,
                label=f"{s} measured")
    ns = [21 * (1e6 / 21) ** (k / 200) for k in range(201)]
    ax.plot(ns, [fitted_gain(n) * 100 for n in ns], "k-", alpha=0.7,
            label=f"{series} fit: T_old(n)/T_new(n) - 1")
    ax.axhline(limit * 100, color="k", ls=":", label=f"limit b_old/b_new - 1 = "
               f"{limit * 100:+.1f} %")
    ax.axvline(1621, color="grey", lw=0.8)
    ax.set(xscale="log", xlabel="VMAs", ylabel="gain, %", ylim=(0, 60),
           title="measured gain and the gain of the a + b*n fits")
    return _finish(fig, grid=(ax,), legend=(ax,))


def sweep_time(by_layout):
    """The model's CPU time per VMA of each path (rows that carry ``seconds``): the cost
    of this Python model, not the kernel's."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(WIDTH * 0.6, 3.8))
    for layout, rows in by_layout.items():
        timed = [r for r in rows if "seconds" in r["old"]]
        ns = [r["vmas"] for r in timed]
        style = LAYOUT_STYLE.get(layout, "o-")
        for path, color in (("old", OLD), ("new", NEW)):
            ax.plot(ns, [r[path]["seconds"] / r["vmas"] * 1e6 for r in timed], style,
                    color=color, label=f"{path}, {LAYOUT_NAMES.get(layout, layout)}")
    ax.set(xscale="log", xlabel="VMAs", ylabel="model CPU time per VMA, us", ylim=(0, None),
           title="the Python model's own cost (not the kernel's)")
    return _finish(fig, grid=(ax,), legend=(ax,), fontsize=7)


def node_counts(by_layout):
    """Nodes of the parent tree per layout against (n-1)/15 with n = VMAs and the bulk
    preallocation."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(WIDTH * 0.6, 3.8))
    ns = None
    for layout, rows in by_layout.items():
        ns = [r["vmas"] for r in rows]
        ax.plot(ns, [r["parent"]["nodes"] for r in rows], LAYOUT_STYLE.get(layout, "o-"),
                label=f"tree, {LAYOUT_NAMES.get(layout, layout)}")
    ax.plot(ns, [prealloc_nodes(n) for n in ns], "k-", lw=2, alpha=0.5,
            label="bulk preallocation (every layout)")
    ax.plot(ns, [peng_nodes(n) for n in ns], "x", color="grey", label="(n-1)/15, n = VMAs")
    ax.set(xscale="log", yscale="log", xlabel="VMAs", ylabel="nodes",
           title="node counts per layout")
    return _finish(fig, grid=(ax,), legend=(ax,), fontsize=7)


def fills(named, log=None):
    """Leaf and internal fill histograms of named trees; optional bulk split sizes."""
    plt = _plt()
    ncols = 3 if log is not None else 2
    fig, axes = plt.subplots(1, ncols, figsize=(WIDTH, 3.8))
    names = list(named)
    shown = {n: (" " + n if n.startswith("_") else n) for n in names}   # "_x" hides a label
    w = 0.8 / len(names)
    colors = ("#7f8c8d", OLD, "#e67e22", "#8e44ad", NEW, ITER)
    for k, name in enumerate(names):
        f = named[name]
        axes[0].bar([s + (k - (len(names) - 1) / 2) * w for s in range(1, 17)],
                    f.row("leaf"), width=w, color=colors[k % len(colors)], label=shown[name])
        axes[1].bar([s + (k - (len(names) - 1) / 2) * w for s in range(1, 11)],
                    f.row("internal"), width=w, color=colors[k % len(colors)], label=shown[name])
    axes[0].set(title="leaves", xlabel="entries in the leaf (of 16)", ylabel="leaves",
                yscale="log")
    axes[0].set_xticks(range(1, 17))
    axes[0].tick_params(axis="x", labelsize=7)
    axes[1].set_xticks(range(1, 11))
    axes[1].set(title="internal nodes", xlabel="children (of 10)", ylabel="nodes",
                yscale="log")
    if log is not None:
        table = log.split_table()
        labels = [f"{kind}\n{left}/{right}" for (mode, kind, left, right) in table
                  if mode == "bulk"]
        counts = [v for (mode, _k, _l, _r), v in table.items() if mode == "bulk"]
        axes[2].bar(range(len(counts)), counts, color=OLD)
        axes[2].set_xticks(range(len(counts)), labels, fontsize=7)
        axes[2].set(title="bulk splits: left/right entries", ylabel="splits", yscale="log")
    return _finish(fig, legend=axes[:2], fontsize=7)


__all__ = ["tables", "normalisation", "fork_time", "sweep_counters", "unused_share",
           "gain_fit", "sweep_time", "node_counts", "fills"]
