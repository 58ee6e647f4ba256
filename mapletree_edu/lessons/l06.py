# SPDX-License-Identifier: GPL-2.0-or-later
"""Lesson 06, bulk insert: helpers, exercise checks and solutions.

The lesson covers v6.8's bulk mode: ``mas_expected_entries()`` (the bulk flag and
its preallocation), the left-balanced bulk split of ``mab_calc_split()``,
``MA_STATE_REBALANCE``, push-left before any split, and ``mas_destroy()`` with its
last-leaf check (``mas_destroy_rebalance()``).

Every ``check_<name>(answer)`` prints ``Correct: ...`` or ``Not yet: ... (hint: ...)``
and returns a bool; ``solution(name)`` returns the solution's source text.
"""

from ..core.constants import MA_STATE_BULK, MA_STATE_PREALLOC, MA_STATE_REBALANCE
from ..core.tracer import Tracer
from ..tree import MapleTree
from .common import call_answer, leaf_sizes, report, solution_text, view_of

#: VMA-like ranges with a gap after each: [i * 0x10000, i * 0x10000 + 0x3fff].
GAP_SIZE = 0x4000
#: Adjacent VMA-like ranges: [i * 0x10000, i * 0x10000 + 0xffff].
ADJACENT_SIZE = 0x10000
STRIDE = 0x10000


# --- small helpers the notebooks use ------------------------------------------------------

def vmas(n, gap=True, stride=STRIDE, start=0):
    """n VMA-like ranges (first, last, i): with a gap after each, or adjacent."""
    size = GAP_SIZE if gap else stride
    return [(start + i * stride, start + i * stride + size - 1, i) for i in range(n)]


def normal_load(ranges, alloc=True):
    """A tree built by ordinary stores (mtree_store_range), one range at a time."""
    t = MapleTree(alloc=alloc)
    for first, last, entry in ranges:
        t.store(first, last, entry)
    return t


def bulk_load(ranges, expected=None, alloc=True, watch=False):
    """A tree built in bulk mode: mas_expected_entries(expected), mas_store per range,
    mas_destroy. With watch=True, also return one row per store:
    (i, leaf sizes after the store, the maple state's flags after the store), and a last
    row ("destroy", leaf sizes, flags just before mas_destroy)."""
    t = MapleTree(alloc=alloc)
    rows = []
    with t.bulk(len(ranges) if expected is None else expected) as b:
        for i, (first, last, entry) in enumerate(ranges):
            b.store(first, last, entry)
            if watch:
                rows.append((i, leaf_sizes(t), flag_names(b.flags)))
        if watch:
            rows.append(("destroy", leaf_sizes(t), flag_names(b.flags)))
    return (t, rows) if watch else t


def internal_sizes(tree):
    """Child counts of the internal nodes, in pre-order (root first)."""
    v = view_of(tree)
    return [n.end + 1 for n in v.nodes if not n.is_leaf] if v.root == "node" else []


def flag_names(flags):
    """The maple-state flags as text, e.g. 'BULK|PREALLOC|REBALANCE' ('-' for none)."""
    names = [name for bit, name in ((MA_STATE_BULK, "BULK"), (MA_STATE_PREALLOC, "PREALLOC"),
                                    (MA_STATE_REBALANCE, "REBALANCE")) if flags & bit]
    return "|".join(names) or "-"


def histogram(sizes, lo=1, hi=16):
    """{size: how many leaves have it} for sizes lo..hi that occur."""
    out = {}
    for s in sizes:
        out[s] = out.get(s, 0) + 1
    return {k: out[k] for k in range(lo, hi + 1) if k in out}


def fill_table(trees):
    """A text table: for each named tree, how many leaves hold each entry count, then the
    leaf count and the internal nodes' child counts (pre-order)."""
    names = list(trees)
    width = max(10, *(len(n) + 2 for n in names))
    hists = {n: histogram(leaf_sizes(t)) for n, t in trees.items()}
    sizes = sorted({s for h in hists.values() for s in h})
    lines = ["entries per leaf".ljust(18) + "".join(f"{n:>{width}}" for n in names)]
    for s in sizes:
        lines.append(f"  {s:>2} entries".ljust(18) + "".join(
            f"{hists[n].get(s, 0) or '.':>{width}}" for n in names))
    lines.append("leaves".ljust(18) + "".join(f"{len(leaf_sizes(trees[n])):>{width}}"
                                              for n in names))
    lines.append("internal children".ljust(18) + "".join(
        f"{' '.join(map(str, internal_sizes(trees[n]))) or '-':>{width}}" for n in names))
    return "\n".join(lines)


class FnLog(Tracer):
    """A tracer that keeps (fn, details) of every event and step, without tree views."""

    enabled = True

    def __init__(self):
        self.log = []

    def event(self, ev, fn, mas, piv=0, **info):
        self.log.append((fn, info))

    def step(self, fn, mas, **info):
        info.pop("why", None)
        self.log.append((fn, info))

    def calls(self, fn):
        return [info for f, info in self.log if f == fn]


def destroy_sweep(sizes=range(1, 201), gaps=(True, False)):
    """Bulk-load n VMAs for every n in sizes (with and without gaps) and look at
    mas_destroy: one row (n, gap, REBALANCE set at mas_destroy, last leaf count,
    mas_destroy_rebalance ran) per load."""
    rows = []
    for gap in gaps:
        for n in sizes:
            t = MapleTree()
            log = FnLog()
            t.tracer = log
            with t.bulk(n) as b:
                for first, last, entry in vmas(n, gap):
                    b.store(first, last, entry)
                flag = bool(b.flags & MA_STATE_REBALANCE)
                last_leaf = leaf_sizes(t)[-1]
            fired = bool(log.calls("mas_destroy_rebalance"))
            rows.append((n, gap, flag, last_leaf, fired))
    return rows


def first_bulk_split(ranges, alloc=True):
    """(leaf sizes right after the first bulk leaf split, the mab_calc_split details)."""
    t = MapleTree(alloc=alloc)
    log = FnLog()
    t.tracer = log
    with t.bulk(len(ranges)) as b:
        for first, last, entry in ranges:
            b.store(first, last, entry)
            splits = [d for d in log.calls("mab_calc_split") if d["mode"] == "bulk"]
            if splits:
                return leaf_sizes(t), splits[0]
    return leaf_sizes(t), None


# --- exercises ------------------------------------------------------------------------------

def _ledger_prealloc(n, alloc):
    t = MapleTree(alloc=alloc)
    with t.bulk(n):
        got = t.allocator.counters()["allocs"]
    return got


def check_prealloc(answer):
    """Exercise 1: a function prealloc(nr_entries, alloc) giving the node count that
    mas_expected_entries() allocates; compared with the ledger."""
    if not callable(answer):
        return report(False, "", "pass your function itself, e.g. check_prealloc(prealloc) "
                       "(hint: def prealloc(nr_entries, alloc): ...)")
    for alloc in (True, False):
        for n in (0, 1, 6, 7, 13, 14, 20, 64, 100, 117, 135, 300, 1000):
            want = _ledger_prealloc(n, alloc)
            got, failed = call_answer(answer, n, alloc)
            if failed:
                return report(False, "", f"prealloc({n}, {alloc}) {failed}")
            if got != want:
                kind = "an alloc tree" if alloc else "a plain tree"
                return report(False, "", f"for {n} entries in {kind} the ledger shows "
                               f"{want} nodes, your function gives {got!r} (hint: worst "
                               "case 2*n+1 entries, 14 per leaf, one parent per 8 (alloc) "
                               "or 14 (plain) leaves, plus 3)")
    return report(True, "your formula matches the ledger for 26 loads, alloc and plain "
                   "trees alike.", "")


def check_first_split(answer):
    """Exercise 2: leaf sizes right after the first bulk split of gap VMAs."""
    want, _ = first_bulk_split(vmas(40, gap=True))
    return report(list(answer) == want if isinstance(answer, (list, tuple)) else False,
                   f"the bulk split leaves {want[0]} entries on the left and {want[1]} on "
                   "the right.",
                   "give a list of two counts, left leaf first (hint: b_end - 6 is the "
                   "split slot; move one left if it is NULL; the left leaf keeps slots "
                   "0..split)")


def _push_after_bulk_split():
    """Sizes of the leaves at the first successful push-left of a gap bulk load."""
    t = MapleTree()
    log = FnLog()
    t.tracer = log
    with t.bulk(40) as b:
        for first, last, entry in vmas(40, gap=True):
            b.store(first, last, entry)
            if [d for d in log.calls("mas_push_data") if d.get("pushed")]:
                return leaf_sizes(t)
    return None


def check_push_left(answer):
    """Exercise 3: how many entries the left leaf holds after the first push-left."""
    sizes = _push_after_bulk_split()
    want = sizes[0]
    return report(answer == want, f"a left push fills the left sibling to {want} entries "
                   f"(leaves {sizes} after it): mt_slots - 1, the split point 14.",
                   "count entries 0..split of the combined big node, where split = "
                   "mt_slots[leaf] - 2 for a left push")


def _first_internal_split(alloc):
    t = MapleTree(alloc=alloc)
    log = FnLog()
    t.tracer = log
    n = 400 if not alloc else 200
    with t.bulk(n) as b:
        for first, last, entry in vmas(n, gap=True):
            b.store(first, last, entry)
    for d in log.calls("mab_calc_split"):
        if d["mode"] == "bulk" and d["big_node"]["type"] != 1:
            return d["split"] + 1, d["b_end"] - d["split"]
    return None


def check_internal_split(answer):
    """Exercise 4: children the LEFT internal node keeps in the first internal bulk split,
    as (alloc tree, plain tree)."""
    want = (_first_internal_split(True)[0], _first_internal_split(False)[0])
    ok = isinstance(answer, (list, tuple)) and tuple(answer) == want
    return report(ok, f"an arange_64 node of 11 children splits {want[0]}/"
                   f"{11 - want[0]}, a range_64 node of 17 splits {want[1]}/{17 - want[1]}: "
                   "split = b_end - mt_min_slots, no NULL check, no flag.",
                   "give (alloc, plain) (hint: mt_min_slots is 4 for arange_64 and 6 for "
                   "range_64; b_end is the index of the last child, one less than the count)")


def check_destroy_min(answer):
    """Exercise 5: the smallest last-leaf count seen at mas_destroy with REBALANCE set,
    over the sweep; and whether that is small enough to rebalance."""
    rows = destroy_sweep(range(1, 121))
    flagged = [r[3] for r in rows if r[2]]
    want = min(flagged)
    ok = answer == want
    return report(ok, f"the smallest was {want}: above 4, so mas_destroy_rebalance never "
                   "runs for these in-order loads.",
                   "run destroy_sweep() and look only at the rows whose flag is set "
                   "(hint: min(r[3] for r in rows if r[2]))")


SOLUTIONS = {
    "prealloc": '''\
def prealloc(nr_entries, alloc):
    """mas_expected_entries(): nodes allocated for nr_entries entries."""
    n = max(nr_entries, 2 * nr_entries + 1)    # worst case: a NULL beside every entry
    leaves = -(-n // 14)                       # ceil(n / (MAPLE_RANGE64_SLOTS - 2))
    cap = 8 if alloc else 14                   # leaves per parent (arange_64 / range_64)
    return leaves + -(-leaves // cap) + 3      # + 3: two split halves and a new parent

l06.check_prealloc(prealloc)''',
    "first_split": '''\
sizes, calc = l06.first_bulk_split(l06.vmas(40, gap=True))
print("big node b_end", calc["b_end"], "-> split", calc["split"])
l06.check_first_split(sizes)''',
    "push_left": '''\
# store gap VMAs one at a time until mas_push_data reports a push
t = MapleTree()
log = l06.FnLog()
t.tracer = log
with t.bulk(40) as b:
    for first, last, vma in l06.vmas(40):
        b.store(first, last, vma)
        if any(d.get("pushed") for d in log.calls("mas_push_data")):
            break
print("leaf sizes after the first push:", l06.leaf_sizes(t))
# a left push splits at mt_slots - 2 = 14: the left leaf keeps entries 0..14
l06.check_push_left(l06.leaf_sizes(t)[0])''',
    "internal_split": '''\
# arange_64: b_end = 10 (11 children), split = 10 - 4 = 6 -> left keeps 7
# range_64:  b_end = 16 (17 children), split = 16 - 6 = 10 -> left keeps 11
l06.check_internal_split((7, 11))''',
    "destroy_min": '''\
rows = l06.destroy_sweep(range(1, 121))
smallest = min(last_leaf for n, gap, flag, last_leaf, fired in rows if flag)
print("smallest last leaf with REBALANCE set:", smallest)
l06.check_destroy_min(smallest)''',
}


def solution(name):
    """The solution of exercise ``name`` as source text."""
    return solution_text(SOLUTIONS, name)


__all__ = ["vmas", "normal_load", "bulk_load", "leaf_sizes", "internal_sizes",
           "flag_names", "histogram", "fill_table", "FnLog", "destroy_sweep",
           "first_bulk_split", "check_prealloc", "check_first_split", "check_push_left",
           "check_internal_split", "check_destroy_min", "solution", "SOLUTIONS"]
