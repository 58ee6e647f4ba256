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
from .common import leaf_sizes, report, solution_text, unanswered, view_of
from .l05 import big_node_table

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


def normal_ledgers(ranges):
    """One row per way of building the tree of ``ranges``: normal stores without RCU,
    normal stores in RCU mode (as a real mm's tree appends), and a bulk load (as the
    pre-6.8 fork did, with RCU cleared): (way, allocs, frees, alloc_calls, nodes, leaf
    sizes)."""
    rows = []
    for name, rcu in (("normal stores, RCU off", False), ("normal stores, RCU on (a real mm)",
                                                           True)):
        t = MapleTree(rcu=rcu)
        for first, last, entry in ranges:
            t.store(first, last, entry)
        c = t.allocator.counters()
        rows.append((name, c["allocs"], c["frees"], c["alloc_calls"], t.node_count,
                     leaf_sizes(t)))
    t = MapleTree()
    with t.bulk(len(ranges)) as b:
        for first, last, entry in ranges:
            b.store(first, last, entry)
    c = t.allocator.counters()
    rows.append(("bulk load, RCU off", c["allocs"], c["frees"], c["alloc_calls"],
                 t.node_count, leaf_sizes(t)))
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

def bulk_waste(ranges, alloc=True):
    """Bulk-load ``ranges`` ((first, last) or (first, last, entry), ascending) into a new
    tree: (nodes preallocated by mas_expected_entries, nodes built, nodes freed unused at
    mas_destroy)."""
    t = MapleTree(alloc=alloc)
    with t.bulk(len(ranges)) as b:
        for i, r in enumerate(ranges):
            b.store(r[0], r[1], r[2] if len(r) > 2 else i)
    c = t.allocator.counters()
    return c["allocs"], t.node_count, c["frees"]


#: Exercise "least_waste": the number of VMAs to lay out.
WASTE_VMAS = 100

#: Exercises 2 and 3 load the VMAs of section 3 moved up by this much, so that a NULL range
#: comes before the first VMA (section 3's first VMA starts at 0).
SHIFTED = 0x10000


def best_simple_waste(n=WASTE_VMAS):
    """The unused preallocation of the simple layouts (holes after every VMA, touching
    VMAs): the check accepts any layout that wastes no more than the best of them."""
    return min(bulk_waste(vmas(n, gap=True))[2], bulk_waste(vmas(n, gap=False))[2])


def check_least_waste(answer):
    """Exercise "least_waste": a layout of WASTE_VMAS ranges (first, last), ascending and
    not overlapping, whose bulk load frees as few unused preallocated nodes as the best
    simple layout."""
    if unanswered(answer):
        return report(False, "", f"set answer to a list of {WASTE_VMAS} (first, last) ranges.")
    if not isinstance(answer, (list, tuple)) or len(answer) != WASTE_VMAS:
        return report(False, "", f"the answer is a list of exactly {WASTE_VMAS} ranges.")
    prev = -1
    for r in answer:
        if not (isinstance(r, (list, tuple)) and len(r) == 2 and all(
                isinstance(v, int) and not isinstance(v, bool) for v in r)):
            return report(False, "", f"{r!r} is not a (first, last) pair of ints.")
        if not prev < r[0] <= r[1] < 1 << 64:
            return report(False, "", f"{r!r}: ranges must ascend without overlapping "
                          "(first after the previous last, first <= last).")
        prev = r[1]
    pre, built, freed = bulk_waste(list(answer))
    best = best_simple_waste()
    if freed <= best:
        return report(True, f"{pre} nodes preallocated, {built} built, {freed} freed unused. "
                      "mas_expected_entries() sizes for a NULL range beside every entry; a "
                      "layout that has those holes uses what it reserved.", "")
    return report(False, "", f"{pre} nodes preallocated, {built} built, {freed} freed unused: "
                  f"a simple layout wastes only {best}. What does the preallocation assume "
                  "about the ranges beside each VMA?")


def check_first_split(answer):
    """Exercise 2: leaf sizes right after the first bulk split of gap VMAs that start at
    SHIFTED (a NULL range first)."""
    want, _ = first_bulk_split(vmas(40, gap=True, start=SHIFTED))
    return report(list(answer) == want if isinstance(answer, (list, tuple)) else False,
                   f"the bulk split leaves {want[0]} entries on the left and {want[1]} on "
                   "the right: the leading NULL range makes the leaf overflow one store "
                   "earlier than in section 3, and b_end - 6 falls on a NULL.",
                   "give a list of two counts, left leaf first (hint: count the big node's "
                   "entries with the NULL range in front; then apply section 3's rule)")


def _push_after_bulk_split(start=SHIFTED):
    """Leaf sizes at the first successful push-left of a gap bulk load from ``start``."""
    t = MapleTree()
    log = FnLog()
    t.tracer = log
    with t.bulk(40) as b:
        for first, last, entry in vmas(40, gap=True, start=start):
            b.store(first, last, entry)
            if [d for d in log.calls("mas_push_data") if d.get("pushed")]:
                return leaf_sizes(t)
    return None


def check_push_left(answer):
    """Exercise 3: the leaf sizes right after the first push-left of the SHIFTED load."""
    want = _push_after_bulk_split()
    ok = isinstance(answer, (list, tuple)) and list(answer) == want
    return report(ok, f"leaves {want} after the push: a left push cuts at mt_slots - 2 = 14, "
                   "and where that slot holds NULL mab_no_null_split() moves the cut one to "
                   f"the right, so the left leaf keeps {want[0]}.",
                   "give the list of leaf sizes, left to right (hint: where does a left push "
                   "put its split point, lesson 05 section 4, and what does "
                   "mab_no_null_split() do when that slot is NULL?)")


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
    """Exercise 4: children the LEFT range_64 node keeps in the first internal bulk split of
    a plain tree (section 6 shows the arange_64 one)."""
    want = _first_internal_split(False)[0]
    ok = isinstance(answer, int) and not isinstance(answer, bool) and answer == want
    return report(ok, f"a range_64 node of 17 children splits {want}/{17 - want}: split = "
                   "b_end - mt_min_slots = 16 - 6, no NULL check, no flag.",
                   "give a number of children (hint: mt_min_slots is 6 for range_64; b_end "
                   "is the index of the last child, one less than the count)")


def check_destroy_min(answer):
    """Exercise 5: the smallest last-leaf count seen at mas_destroy with REBALANCE set,
    over the sweep; and whether that is small enough to rebalance."""
    rows = destroy_sweep(range(1, 121))
    flagged = [r[3] for r in rows if r[2]]
    want = min(flagged)
    ok = answer == want
    return report(ok, f"the smallest was {want}: above 4, so mas_destroy_rebalance never "
                   "runs for these in-order loads.",
                   "run destroy_sweep() and look only at the rows whose flag is still set "
                   "at mas_destroy; of those, which last leaf is the smallest?")


SOLUTIONS = {
    "least_waste": '''\
from mapletree_edu.lessons import l06

# mas_expected_entries() reserves for a NULL range beside every entry: leave a hole
# after each VMA, so that the tree really has about 2 * 100 + 1 ranges
layout = [(i * 0x10000, i * 0x10000 + 0x3fff) for i in range(l06.WASTE_VMAS)]
print("preallocated, built, freed:", l06.bulk_waste(layout))
answer = layout
ok = l06.check_least_waste(answer)''',
    "first_split": '''\
from mapletree_edu.lessons import l06

sizes, calc = l06.first_bulk_split(l06.vmas(40, gap=True, start=l06.SHIFTED))
print("big node b_end", calc["b_end"], "-> split", calc["split"])
answer = sizes
ok = l06.check_first_split(answer)''',
    "push_left": '''\
from mapletree_edu import MapleTree
from mapletree_edu.lessons import l06

# store the shifted gap VMAs one at a time until mas_push_data reports a push
t = MapleTree()
log = l06.FnLog()
t.tracer = log
with t.bulk(40) as b:
    for first, last, vma in l06.vmas(40, start=l06.SHIFTED):
        b.store(first, last, vma)
        if any(d.get("pushed") for d in log.calls("mas_push_data")):
            break
answer = l06.leaf_sizes(t)
print("leaf sizes after the first push:", answer)
ok = l06.check_push_left(answer)''',
    "internal_split": '''\
from mapletree_edu.lessons import l06

# range_64: b_end = 16 (17 children), split = 16 - 6 = 10 -> the left node keeps 11
answer = 16 - 6 + 1
ok = l06.check_internal_split(answer)''',
    "destroy_min": '''\
from mapletree_edu.lessons import l06

rows = l06.destroy_sweep(range(1, 121))
answer = min(last_leaf for n, gap, flag, last_leaf, fired in rows if flag)
print("smallest last leaf with REBALANCE set:", answer)
ok = l06.check_destroy_min(answer)''',
}


def solution(name):
    """The solution of exercise ``name`` as source text."""
    return solution_text(SOLUTIONS, name)


__all__ = ["SHIFTED", "big_node_table", "vmas", "normal_load", "bulk_load", "leaf_sizes",
           "internal_sizes",
           "flag_names", "histogram", "fill_table", "FnLog", "destroy_sweep",
           "first_bulk_split", "bulk_waste", "WASTE_VMAS", "best_simple_waste",
           "check_least_waste", "normal_ledgers", "check_first_split", "check_push_left",
           "check_internal_split", "check_destroy_min", "solution", "SOLUTIONS"]
