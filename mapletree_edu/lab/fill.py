# SPDX-License-Identifier: GPL-2.0-or-later
"""How full the nodes are: leaf and internal-node fill histograms, and the sizes a
bulk split leaves.

Liam in the review: the bulk split keeps the *right* node at the minimum
(``split = b_end - mt_min_slots`` in ``mab_calc_split``), so the left nodes "are not
full ... the left node will have that many spaces for push". :class:`SplitLog`
records every ``mab_calc_split`` and ``mas_push_data`` of a load, so the lab can show
the left/right sizes at the moment of each split and how pushes fill the left nodes
later.
"""

from dataclasses import dataclass, field

from ..core.constants import MAPLE_ARANGE_64, MT_SLOTS
from ..core.node import Node
from ..debug.walker import walk
from ..stats import CostCounter

LEAF_SLOTS = MT_SLOTS[1]                 # 16
ARANGE_SLOTS = MT_SLOTS[MAPLE_ARANGE_64]   # 10


@dataclass
class Fill:
    """Histograms of one tree: ``leaf[k]`` leaves hold k entries (NULL ranges included),
    ``internal[k]`` internal nodes have k children; the rightmost leaf and the last
    node of each level are counted too."""

    leaf: dict = field(default_factory=dict)
    internal: dict = field(default_factory=dict)

    @property
    def leaves(self):
        return sum(self.leaf.values())

    @property
    def internals(self):
        return sum(self.internal.values())

    def mean_leaf(self):
        """Mean entries per leaf."""
        return sum(k * c for k, c in self.leaf.items()) / self.leaves if self.leaves else 0.0

    def mean_internal(self):
        n = self.internals
        return sum(k * c for k, c in self.internal.items()) / n if n else 0.0

    def share(self, sizes, which="leaf"):
        """Fraction of leaves (or internal nodes) whose size is in ``sizes``."""
        hist = self.leaf if which == "leaf" else self.internal
        total = sum(hist.values())
        return sum(c for k, c in hist.items() if k in sizes) / total if total else 0.0

    def row(self, which="leaf", lo=1, hi=None):
        """Counts for sizes lo..hi as a list (hi: 16 for leaves, 10 for internal)."""
        hist = self.leaf if which == "leaf" else self.internal
        hi = hi or (LEAF_SLOTS if which == "leaf" else ARANGE_SLOTS)
        return [hist.get(k, 0) for k in range(lo, hi + 1)]


def fill(tree):
    """The :class:`Fill` of a MapleTree (empty histograms for an empty tree or a root
    entry)."""
    out = Fill()
    root = tree.core.root
    if root.__class__ is not Node:
        return out
    for v in walk(root):
        size = v.end + 1
        hist = out.leaf if v.node.type < 2 else out.internal
        hist[size] = hist.get(size, 0) + 1
    return out


class SplitLog(CostCounter):
    """A :class:`~mapletree_edu.stats.CostCounter` that also keeps, for every
    ``mab_calc_split``, (mode, node kind, entries left, entries right), and for every
    ``mas_push_data`` that moved entries, (side, node kind, entries the left node of
    the pair keeps: for a left push, the sibling that received them)."""

    def __init__(self, allocator=None):
        super().__init__(events=True, allocator=allocator)
        self.split_sizes = []
        self.push_sizes = []

    def step(self, fn, mas, **info):
        super().step(fn, mas, **info)
        if fn == "mab_calc_split":
            kind = "leaf" if info["big_node"]["type"] < 2 else "internal"
            left = info["split"] + 1
            self.split_sizes.append((info["mode"], kind, left, info["b_end"] + 1 - left))
        elif fn == "mas_push_data" and info.get("pushed"):
            kind = "leaf" if mas.node is None or mas.node.type < 2 else "internal"
            self.push_sizes.append((info["side"], kind, info["split"] + 1))

    def split_table(self):
        """{(mode, kind, left, right): how many splits chose it}."""
        out = {}
        for key in self.split_sizes:
            out[key] = out.get(key, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: (kv[0][0], kv[0][1], -kv[1])))

    def push_table(self):
        """{(side, kind, left node size): how many pushes}."""
        out = {}
        for key in self.push_sizes:
            out[key] = out.get(key, 0) + 1
        return dict(sorted(out.items()))


def bulk_load_logged(ranges, expected=None):
    """Bulk-load ``(first, last, entry)`` ranges into a new alloc tree as pre-6.8 fork
    did (``mas_expected_entries`` + ``mas_store`` each + ``mas_destroy``) with a
    :class:`SplitLog` attached. Returns (tree, log)."""
    from ..tree import MapleTree
    ranges = list(ranges)
    t = MapleTree(alloc=True)
    log = SplitLog(allocator=t.allocator)
    t.tracer = log
    with t.bulk(len(ranges) if expected is None else expected) as b:
        for first, last, entry in ranges:
            b.store(first, last, entry)
    t.tracer = None
    return t, log


def normal_load_logged(ranges):
    """The same ranges stored one by one with the normal API (``mtree_store_range``),
    with a :class:`SplitLog`. Returns (tree, log)."""
    from ..tree import MapleTree
    t = MapleTree(alloc=True)
    log = SplitLog(allocator=t.allocator)
    t.tracer = log
    for first, last, entry in ranges:
        t.store(first, last, entry)
    t.tracer = None
    return t, log


def histogram_text(fills, which="leaf"):
    """A text table: one column per named Fill, one row per size."""
    names = list(fills)
    hi = LEAF_SLOTS if which == "leaf" else ARANGE_SLOTS
    width = max(8, *(len(n) + 2 for n in names))
    what = "entries" if which == "leaf" else "children"
    lines = [f"{what:>10}" + "".join(f"{n:>{width}}" for n in names)]
    for k in range(1, hi + 1):
        counts = [fills[n].leaf.get(k, 0) if which == "leaf" else fills[n].internal.get(k, 0)
                  for n in names]
        if any(counts):
            lines.append(f"{k:>10}" + "".join(f"{c or '.':>{width}}" for c in counts))
    total = [fills[n].leaves if which == "leaf" else fills[n].internals for n in names]
    mean = [fills[n].mean_leaf() if which == "leaf" else fills[n].mean_internal()
            for n in names]
    lines.append(f"{'nodes':>10}" + "".join(f"{c:>{width}}" for c in total))
    lines.append(f"{'mean':>10}" + "".join(f"{m:>{width}.2f}" for m in mean))
    return "\n".join(lines)


__all__ = ["Fill", "fill", "SplitLog", "bulk_load_logged", "normal_load_logged",
           "histogram_text", "LEAF_SLOTS", "ARANGE_SLOTS"]
