# SPDX-License-Identifier: GPL-2.0-or-later
"""The fork cost lab's figures (matplotlib, imported when a figure is made).

Every function returns a matplotlib Figure made with pyplot, so that a notebook's
inline backend shows it; call ``plt.close(fig)`` when saving figures in a script.
The numbers behind every figure are printed by :mod:`.report` / :mod:`.verdicts`.
"""

from .fit import asymptote
from .nodecount import dense_nodes, peng_nodes, prealloc_nodes
from .normalise import normalised
from .sweep import per_vma

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
            title="v4: an affine cost gives the bend; dotted: 1/b")
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
            title="T(n) = a + b*n fits every column")
    ax2.set(xscale="log", xlabel="VMAs (between columns)", ylabel="ns per added VMA",
            title="marginal cost: flat, no log n growth", ylim=(0, 600))
    return _finish(fig, grid=(ax1, ax2), legend=(ax1, ax2))


def sweep_counters(rows):
    """Counters per VMA along the model's sweep, both paths."""
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(WIDTH, 3.8))
    ns = [r["vmas"] for r in rows]

    def line(ax, path, key, color, style, label):
        ax.plot(ns, [v for _n, v in per_vma(rows, path, key)], style, color=color, label=label)

    line(axes[0], "old", "allocs", OLD, "o-", "old: allocs")
    line(axes[0], "old", "frees", OLD, "x:", "old: frees")
    line(axes[0], "new", "allocs", NEW, "o-", "new: allocs = copies")
    axes[0].set(title="node ledger per VMA", ylim=(0, 0.25))
    line(axes[1], "old", "splits", OLD, "o-", "old: splits")
    line(axes[1], "old", "pushes", OLD, "x:", "old: pushes")
    axes[1].set(title="splits and pushes per VMA", ylim=(0, 0.3))
    line(axes[2], "old", "visits", OLD, "o-", "old: visits")
    line(axes[2], "new", "visits", NEW, "s-", "new, API replace: visits")
    line(axes[2], "new_iter", "visits", ITER, "^-", "new, iterator: visits")
    axes[2].plot(ns, [r["parent"]["height"] for r in rows], "k:", label="tree height")
    axes[2].set(title="nodes visited per VMA", ylim=(0, 7))
    for ax in axes:
        ax.set(xscale="log", xlabel="VMAs")
    return _finish(fig, grid=axes, legend=axes, fontsize=7)


def sweep_time(rows):
    """Model CPU time per VMA of each path (rows that carry ``seconds``)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(WIDTH / 2, 3.8))
    timed = [r for r in rows if "seconds" in r["old"]]
    ns = [r["vmas"] for r in timed]
    for path, color, label in (("old", OLD, "old (bulk rebuild)"),
                               ("new", NEW, "new, replace via the API"),
                               ("new_iter", ITER, "new, replace via the iterator")):
        ax.plot(ns, [r[path]["seconds"] / r["vmas"] * 1e6 for r in timed], "o-", color=color,
                label=label)
    ax.set(xscale="log", xlabel="VMAs", ylabel="model CPU time per VMA, us", ylim=(0, None),
           title="the model's fork time per VMA")
    return _finish(fig, grid=(ax,), legend=(ax,))


def node_counts(rows):
    """Nodes vs VMAs: Peng's (n-1)/15, a dense 16/10 tree, the real tree, the bulk
    preallocation; and each relative to the real count."""
    plt = _plt()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(WIDTH, 4))
    ns = [r["vmas"] for r in rows]
    real = [r["parent"]["nodes"] for r in rows]
    series = [("(n-1)/15, n = VMAs", [peng_nodes(n) for n in ns], "x:"),
              ("(E-1)/15, E = entries", [peng_nodes(r["parent"]["entries"]) for r in rows],
               "+--"),
              ("dense: 16-slot leaves, 10-way internal",
               [dense_nodes(r["parent"]["entries"]) for r in rows], "^-"),
              ("bulk preallocation", [prealloc_nodes(n) for n in ns], "v-")]
    ax1.plot(ns, real, "ko-", label="real tree (parent = bulk child)")
    for label, ys, style in series:
        ax1.plot(ns, ys, style, label=label)
        ax2.plot(ns, [y / x for x, y in zip(real, ys, strict=True)], style, label=label)
    ax1.set(xscale="log", yscale="log", xlabel="VMAs", ylabel="nodes", title="node counts")
    ax2.axhline(1.0, color="k")
    ax2.set(xscale="log", xlabel="VMAs", ylabel="count / real nodes", ylim=(0, 2.8),
            title="relative to the real tree")
    return _finish(fig, grid=(ax1, ax2), legend=(ax1, ax2), fontsize=7)


def fills(named, log=None):
    """Leaf and internal fill histograms of named trees; optional bulk split sizes."""
    plt = _plt()
    ncols = 3 if log is not None else 2
    fig, axes = plt.subplots(1, ncols, figsize=(WIDTH, 3.8))
    names = list(named)
    shown = {n: (" " + n if n.startswith("_") else n) for n in names}   # "_x" hides a label
    w = 0.8 / len(names)
    colors = ("#7f8c8d", OLD, NEW, ITER)
    for k, name in enumerate(names):
        f = named[name]
        axes[0].bar([s + (k - (len(names) - 1) / 2) * w for s in range(1, 17)],
                    f.row("leaf"), width=w, color=colors[k % 4], label=shown[name])
        axes[1].bar([s + (k - (len(names) - 1) / 2) * w for s in range(1, 11)],
                    f.row("internal"), width=w, color=colors[k % 4], label=shown[name])
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


def bench_forking(model_old_s, model_new_s, kernel_old_s, kernel_new_s):
    """Time per copy of the 135-entry tree: the model vs the kernel's user-space harness."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(WIDTH / 2, 3.6))
    xs = [0, 1, 3, 4]
    vals = [kernel_old_s * 1e6, kernel_new_s * 1e6, model_old_s * 1e6, model_new_s * 1e6]
    ax.bar(xs, vals, color=[OLD, NEW, OLD, NEW])
    ax.set_xticks(xs, ["kernel\nold", "kernel\nnew", "model\nold", "model\nnew"])
    for x, v in zip(xs, vals, strict=True):
        ax.text(x, v, f"{v:.0f}", ha="center", va="bottom", fontsize=8)
    ax.set(ylabel="us per copy", yscale="log",
           title=f"bench_forking: old/new = {kernel_old_s / kernel_new_s:.1f}x (kernel), "
                 f"{model_old_s / model_new_s:.1f}x (model)")
    return _finish(fig)


__all__ = ["tables", "normalisation", "fork_time", "sweep_counters", "sweep_time",
           "node_counts", "fills", "bench_forking"]
