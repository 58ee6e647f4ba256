# SPDX-License-Identifier: GPL-2.0-or-later
"""How fast are the model's reads? find, cursor next and the gap search at 100k VMAs,
and the replay's --validate modes on a 20,000-op script.

Run: ``.venv/bin/python bench/bench_read.py`` (``--quick`` for 10k VMAs and a 5,000-op
script). Prints tables; it is a measurement, never a test.

What is measured
----------------
* **find**: ``MapleTree.find(addr)`` (``mt_find``: the first VMA ending at or after
  addr) of a pseudo-random address (fixed seed), per call, on a tree of N two-page
  VMAs with one-page gaps, built by stores in address order (``alloc``, RCU off).
  The peer is the same question put to a ``sortedcontainers.SortedDict`` keyed by VMA
  end: ``bisect_left(addr)`` and the value at that position.
* **cursor next**: a Cursor at 0, then ``next()`` N - 1 times (``mas_next``: each call
  steps one slot, crossing into the next leaf with ``mas_next_node`` when a leaf is
  used up), per call. The peer steps through the SortedDict the way a dict answers
  "the VMA after this one": ``bisect_right(start)`` and the key at that position.
* **empty_area_rev**: ``MapleTree.empty_area(LOW, ceiling, size)`` (``mas_empty_area_rev``,
  the search of ``unmapped_area_topdown()``) per call, on N VMAs whose gaps are 1 to 16
  pages (fixed seed), with sizes of 1 to 24 pages and ceilings anywhere in the space,
  so that the search prunes subtrees by their gap. No peer: a dict has no gap index.
* **--validate**: ``Replayer(validate=MODE).run()``, in-process, for each mode, of two
  20,000-op scripts: one mixing VMA-like stores, munmaps, loads, mt_find, cursor walks,
  gap searches and inserts as the golden mmap cases mix them (``each`` checks the tree
  only after the ops that changed it: a read leaves the verdict as it was), and one of
  writes only on a 1,000-VMA tree (every line is checked).
* Each figure is the best of several runs of the process's CPU time
  (``time.process_time``), with the garbage collector off (lab/timing.py's ``timed``).

Targets (printed PASS/MISS): at N = 100k, ``find`` and cursor ``next`` cost at most 3x
the SortedDict look-up of the same run. Recording off must cost nothing measurable:
``find`` is also timed with a custom tracer whose ``enabled`` is False (the only thing
the read paths test), and the two must agree within noise.
"""

import argparse
import random
import sys
from pathlib import Path

try:
    import mapletree_edu  # noqa: F401
except ImportError:                                   # run from a checkout without install
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mapletree_edu import MapleTree
from mapletree_edu.core.tracer import Tracer
from mapletree_edu.lab.timing import timed
from mapletree_edu.replay import Replayer

PAGE = 4096
RATIO_TARGET = 3.0


class QuietTracer(Tracer):
    enabled = False
    counts_visits = False


def vma_keys(n):
    return [(i * 3 * PAGE, i * 3 * PAGE + 2 * PAGE - 1) for i in range(n)]


def build(ks, tracer=None):
    t = MapleTree(alloc=True, tracer=tracer)
    for i, (s, e) in enumerate(ks):
        t.store(s, e, i + 1)
    return t


def addresses(ks, count, seed=1):
    rng = random.Random(seed)
    top = ks[-1][1]
    return [rng.randint(0, top) for _ in range(count)]


def find_model(t, addrs):
    find = t.find
    for a in addrs:
        find(a)


def find_sorteddict(d, addrs):
    values = d.values()
    bl = d.bisect_left
    for a in addrs:
        values[bl(a)]


def next_model(t, n):
    c = t.cursor(0)
    nxt = c.next
    c.walk()
    for _ in range(n - 1):
        nxt()
    return c.index


def next_sorteddict(d, n):
    keys = d.keys()
    br = d.bisect_right
    k = keys[0]
    for _ in range(n - 1):
        k = keys[br(k)]
    return k


def gap_tree(n, seed=2):
    """n two-page VMAs separated by gaps of 1 to 16 pages."""
    rng = random.Random(seed)
    t = MapleTree(alloc=True)
    addr = 0x10000
    for i in range(n):
        t.store(addr, addr + 2 * PAGE - 1, i + 1)
        addr += 2 * PAGE + rng.randint(1, 16) * PAGE
    return t, addr


def gap_requests(top, count, seed=3):
    rng = random.Random(seed)
    return [(rng.randint(top // 8, top), rng.randint(1, 24) * PAGE) for _ in range(count)]


def empty_area_rev(t, reqs):
    ea = t.empty_area
    found = 0
    for ceiling, size in reqs:
        if ea(0x10000, ceiling - 1, size) is not None:
            found += 1
    return found


def script(n_ops, seed=4):
    """A VMA-like script of about n_ops ops: a layout, then mmap/munmap rounds mixed
    with reads, as the golden mmap_* and read_* cases mix them."""
    rng = random.Random(seed)
    ops = ["tree alloc"]
    vmas = []
    addr = 0x400000
    for i in range(200):
        ops.append(f"store {addr} {addr + 3 * PAGE - 1} {i + 1}")
        vmas.append((addr, addr + 3 * PAGE - 1))
        addr += 3 * PAGE + rng.randint(1, 8) * PAGE
    ceil = addr + 0x100000
    v = 1000
    while len(ops) < n_ops:
        r = rng.random()
        if r < 0.25:
            size = rng.randint(1, 8) * PAGE
            ops.append(f"empty_area_rev 65536 {ceil - 1} {size}")
            ops.append(f"alloc_rrange {size} 65536 {ceil - 1} {v}")
            v += 1
        elif r < 0.4 and vmas:
            a, b = vmas[rng.randrange(len(vmas))]
            ops.append(f"store {a} {b} 0")
        elif r < 0.55:
            a = rng.randint(0x400000, ceil)
            ops.append(f"load {a}")
            ops.append(f"mt_find {a} {ceil}")
        elif r < 0.8:
            ops.append(f"mas_set {rng.randint(0x400000, ceil)}")
            ops.extend(["mas_find 18446744073709551615"] * 4)
            ops.append("mas_prev 0")
        else:
            first = rng.randint(0x400000, ceil)
            ops.append(f"insert {first} {first + rng.randint(0, 4) * PAGE} {v}")
            v += 1
        if len(ops) % 500 < 2:
            ops.append("dump")
    ops.append("dump")
    return "\n".join(ops) + "\n"


def churn_script(n_ops, seed=5):
    """n_ops writes only: 1,000 VMAs, then munmaps and re-mmaps of random ones (every
    op changes the tree, so --validate each checks the tree after every line)."""
    rng = random.Random(seed)
    ops = ["tree alloc"]
    slots = [(0x400000 + i * 5 * PAGE, 0x400000 + i * 5 * PAGE + 3 * PAGE - 1)
             for i in range(1000)]
    ops += [f"store {a} {b} {i + 1}" for i, (a, b) in enumerate(slots)]
    while len(ops) < n_ops:
        a, b = slots[rng.randrange(len(slots))]
        ops.append(f"store {a} {b} {rng.choice([0, rng.randint(1, 999)])}")
        if len(ops) % 1000 == 0:
            ops.append("dump")
    ops.append("dump")
    return "\n".join(ops) + "\n"


def replay(text, mode):
    n = 0
    for _line, rec, _op in Replayer(validate=mode).run(text):
        n += rec is not None
    return n


def verdict(ok):
    return "PASS" if ok else "MISS"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10k VMAs, a 5,000-op script")
    args = ap.parse_args(argv)
    n = 10_000 if args.quick else 100_000
    n_ops = 5_000 if args.quick else 20_000
    from sortedcontainers import SortedDict

    print(f"Python {sys.version.split()[0]}; CPU time per call in microseconds "
          "(best of runs, gc off)")
    ks = vma_keys(n)
    t = build(ks)
    quiet = build(ks, tracer=QuietTracer())
    d = SortedDict((e, (s, e, i + 1)) for i, (s, e) in enumerate(ks))
    addrs = addresses(ks, 50_000)
    for a in addrs[:2000]:                        # the two answer the same question
        got = t.find(a)
        s, e, v = d.values()[d.bisect_left(a)]
        assert got == (s, e, v), a
    t_find, _ = timed(lambda: find_model(t, addrs), 5)
    t_quiet, _ = timed(lambda: find_model(quiet, addrs), 5)
    t_sd, _ = timed(lambda: find_sorteddict(d, addrs), 5)
    us = [x / len(addrs) * 1e6 for x in (t_find, t_quiet, t_sd)]
    print(f"\nN = {n:,} VMAs, height {t.height}, {t.node_count:,} nodes")
    print(f"find (mt_find)            model {us[0]:6.2f}   SortedDict {us[2]:6.2f}   "
          f"ratio {us[0] / us[2]:4.2f}x  (target <= {RATIO_TARGET:.0f}x: "
          f"{verdict(us[0] <= RATIO_TARGET * us[2])})")
    print(f"find, custom tracer with recording off: {us[1]:6.2f} "
          f"({(us[1] / us[0] - 1) * 100:+.1f}% against the default no-op tracer)")

    assert next_model(t, n) == ks[-1][0] and next_sorteddict(d, n) == ks[-1][1]
    t_next, _ = timed(lambda: next_model(t, n), 5)
    t_snext, _ = timed(lambda: next_sorteddict(d, n), 5)
    un, usn = t_next / (n - 1) * 1e6, t_snext / (n - 1) * 1e6
    print(f"cursor next (mas_next)    model {un:6.2f}   SortedDict {usn:6.2f}   "
          f"ratio {un / usn:4.2f}x  (target <= {RATIO_TARGET:.0f}x: "
          f"{verdict(un <= RATIO_TARGET * usn)})")

    gt, top = gap_tree(n)
    reqs = gap_requests(top, 5_000)
    t_gap, found = timed(lambda: empty_area_rev(gt, reqs), 3)
    print(f"empty_area_rev            model {t_gap / len(reqs) * 1e6:6.2f}   "
          f"({found:,} of {len(reqs):,} requests found a hole; height {gt.height}, "
          f"gaps of 1-16 pages, sizes of 1-24 pages)")

    text = script(n_ops)
    lines = text.count("\n")
    print(f"\nreplay of a {lines:,}-op script (VMA-like stores and munmaps, loads, "
          "mt_find, cursor walks, gap searches, inserts), seconds")
    for mode in ("off", "dumps", "each"):
        sec, recs = timed(lambda mode=mode: replay(text, mode), 1 if mode == "each" else 3)
        print(f"  --validate {mode:5s}  {sec:7.2f} s   ({recs:,} records)")
    text = churn_script(n_ops)
    print(f"replay of a {text.count(chr(10)):,}-op script of writes only (1,000 VMAs "
          "munmapped and mmapped again), seconds")
    for mode in ("off", "dumps", "each"):
        sec, recs = timed(lambda mode=mode: replay(text, mode), 1 if mode == "each" else 3)
        print(f"  --validate {mode:5s}  {sec:7.2f} s   ({recs:,} records)")


if __name__ == "__main__":
    main()
