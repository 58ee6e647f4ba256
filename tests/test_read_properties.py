# SPDX-License-Identifier: GPL-2.0-or-later
"""The read side against a flat interval model (a sorted list of ranges, no tree).

Random trees (``alloc`` and ``plain``, RCU on or off, built by appends, random
stores, NULL stores, erases and inserts) are read with every API of the model and
the answers compared with the flat model. The only differences allowed are the ones
READ-FORMAT.md documents as the kernel's (and the golden data confirms):

- item 5: ``mas_find_range`` / ``mas_find_range_rev`` from ``start`` skip the NULL
  range they start in (unless the range begins exactly at MAX);
- item 8: on a ``plain`` tree of height >= 2 the gap search finds nothing (-EBUSY);
- item 9: ``mas_empty_area_rev`` with MAX = ULONG_MAX never chooses the root's first
  slot (its room check wraps), so its answer is the flat answer above that slot.
"""

from bisect import bisect_right

from hypothesis import given
from hypothesis import strategies as st

from mapletree_edu import MapleTree
from mapletree_edu.core.gapsearch import EBUSY, EINVAL, mas_empty_area, mas_empty_area_rev
from mapletree_edu.core.state import MaState
from mapletree_edu.errors import EntryExistsError, NoSpaceError

ULONG_MAX = (1 << 64) - 1
SPACE = 3000


class Flat:
    """Non-NULL ranges, sorted, with the NULL ranges between them on demand."""

    def __init__(self):
        self.ranges = []        # (first, last, v)

    def store(self, first, last, v):
        out = []
        for a, b, x in self.ranges:
            if b < first or a > last:
                out.append((a, b, x))
                continue
            if a < first:
                out.append((a, first - 1, x))
            if b > last:
                out.append((last + 1, b, x))
        if v is not None:
            out.append((first, last, v))
        self.ranges = sorted(out)

    def at(self, i):
        k = bisect_right(self.ranges, (i, ULONG_MAX + 1)) - 1
        if k >= 0 and self.ranges[k][0] <= i <= self.ranges[k][1]:
            return self.ranges[k]
        return None

    def all_ranges(self):
        """Every range, NULL ones included (v None), covering [0, ULONG_MAX]."""
        out = []
        nxt = 0
        for a, b, v in self.ranges:
            if a > nxt:
                out.append((nxt, a - 1, None))
            out.append((a, b, v))
            nxt = b + 1
        if nxt <= ULONG_MAX:
            out.append((nxt, ULONG_MAX, None))
        return out

    def gaps(self):
        return [(a, b) for a, b, v in self.all_ranges() if v is None]

    def lowest_fit(self, mn, mx, size):
        for a, b in self.gaps():
            lo = max(a, mn)
            if lo + size - 1 <= min(b, mx):
                return lo, lo + size - 1
        return None

    def highest_fit(self, mn, mx, size):
        for a, b in reversed(self.gaps()):
            hi = min(b, mx)
            if hi >= size - 1 and hi - size + 1 >= max(a, mn):
                return hi - size + 1, hi
        return None


@st.composite
def trees(draw):
    alloc = draw(st.booleans())
    t = MapleTree(alloc=alloc, rcu=draw(st.booleans()))
    flat = Flat()
    n = draw(st.integers(0, 120))
    stride = draw(st.sampled_from([3, 10, 25]))
    for i in range(n):
        t.store(i * stride, i * stride + stride // 2, i + 1)
        flat.store(i * stride, i * stride + stride // 2, i + 1)
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["store", "null", "erase", "insert", "top"]))
        a = draw(st.integers(0, SPACE))
        b = a + draw(st.integers(0, 40))
        v = draw(st.integers(1, 999))
        if kind == "store":
            t.store(a, b, v)
            flat.store(a, b, v)
        elif kind == "null":
            if t.height == 0:
                continue        # a NULL store into a tree without nodes is a v6.8 quirk
            t.clear(a, b)
            flat.store(a, b, None)
        elif kind == "erase":
            hit = flat.at(a)
            assert t.erase(a) == (hit[2] if hit else None)
            if hit:
                flat.store(hit[0], hit[1], None)
        elif kind == "insert":
            free = all(flat.at(i) is None for i in range(a, b + 1))
            try:
                t.insert(a, b, v)
                assert free
                flat.store(a, b, v)
            except EntryExistsError:
                assert not free
        else:
            t.store(ULONG_MAX - b, ULONG_MAX - a, v)
            flat.store(ULONG_MAX - b, ULONG_MAX - a, v)
    return t, flat


def probes(flat):
    """Every range boundary +-1, and the ends of the index space."""
    pts = {0, 1, ULONG_MAX - 1, ULONG_MAX}
    for a, b, _v in flat.ranges:
        pts.update((a - 1, a, a + 1, b - 1, b, b + 1))
    return sorted(p for p in pts if 0 <= p <= ULONG_MAX)


@given(trees())
def test_load_and_find_match_the_flat_model(tf):
    t, flat = tf
    pts = probes(flat)
    for i in pts:
        hit = flat.at(i)
        assert t.load(i) == (hit[2] if hit else None), i
        for mx in (ULONG_MAX, i, i + 40 if i + 40 <= ULONG_MAX else ULONG_MAX):
            want = next(((a, b, v) for a, b, v in flat.ranges if b >= i and a <= mx), None)
            assert t.find(i, mx) == want, (i, mx)


@given(trees(), st.data())
def test_items_match_the_flat_model(tf, data):
    t, flat = tf
    lo = data.draw(st.integers(0, SPACE))
    hi = data.draw(st.one_of(st.integers(lo, SPACE + 100), st.just(ULONG_MAX)))
    want = [r for r in flat.ranges if r[1] >= lo and r[0] <= hi]
    assert list(t.items(lo, hi)) == want
    assert list(t.items(lo, hi, reverse=True)) == want[::-1]
    assert list(t.items()) == flat.ranges


@given(trees(), st.data())
def test_cursor_moves_match_the_flat_model(tf, data):
    """From a walk, next/prev and their _range forms step as the flat list does."""
    t, flat = tf
    every = flat.all_ranges()
    start = data.draw(st.sampled_from(probes(flat)))
    c = t.cursor(start)
    entry = c.walk()
    k = next(j for j, (a, b, _v) in enumerate(every) if a <= start <= b)
    a, b, v = every[k]
    if t.height == 0:
        return
    assert (entry, c.index, c.last) == (v, a, b)
    for _ in range(data.draw(st.integers(1, 12))):
        if c.status != "active":
            break
        move = data.draw(st.sampled_from(["next", "prev", "next_range", "prev_range"]))
        fwd = move.startswith("next")
        empty = move.endswith("range")
        lim = data.draw(st.sampled_from([ULONG_MAX, 0, min(c.last + 50, ULONG_MAX),
                                         max(c.index - 50, 0)]))
        got = getattr(c, move)(lim)
        step = 1 if fwd else -1
        j = k + step
        while 0 <= j < len(every) and not empty and every[j][2] is None:
            j += step
        ok = 0 <= j < len(every) and (every[j][0] <= lim if fwd else every[j][1] >= lim)
        if ok:
            assert got == every[j][2] and (c.index, c.last) == every[j][:2], (move, lim)
            k = j
        else:
            assert got is None and c.status == ("overflow" if fwd else "underflow"), (move, lim)


@given(trees(), st.data())
def test_find_range_skips_the_null_range_it_starts_in(tf, data):
    """READ-FORMAT item 5, the only difference from the flat answer."""
    t, flat = tf
    every = flat.all_ranges()
    start = data.draw(st.sampled_from(probes(flat)))
    mx = data.draw(st.sampled_from([ULONG_MAX, start, start + 30]))
    mx = min(mx, ULONG_MAX)
    k = next(j for j, (a, b, _v) in enumerate(every) if a <= start <= b)
    c = t.cursor(start)
    got = c.find_range(mx)
    a, b, v = every[k]
    if t.height == 0:
        return
    if start > mx:
        assert (got, c.index, c.last) == (None, start, start)
    elif v is not None:
        assert (got, c.index, c.last) == (v, a, b)
    elif a == mx:
        # the exception: the NULL range begins exactly at MAX
        assert (got, c.index, c.last, c.status) == (None, a, b, "active")
    else:
        nxt = every[k + 1] if k + 1 < len(every) else None
        if nxt is not None and nxt[0] <= mx:
            assert (got, c.index, c.last) == (nxt[2], nxt[0], nxt[1])
        else:
            assert got is None


@given(trees(), st.data())
def test_gap_search_matches_the_flat_model(tf, data):
    """empty_area/empty_area_rev and alloc_range/alloc_rrange, with items 8 and 9."""
    t, flat = tf
    mn = data.draw(st.integers(0, SPACE))
    mx = data.draw(st.one_of(st.integers(mn, SPACE + 200), st.just(ULONG_MAX),
                             st.just(ULONG_MAX - 1)))
    size = data.draw(st.integers(1, 60))
    valid = mx - mn >= size - 1
    core = t.core
    for fwd in (True, False):
        if not fwd and core.height == 0:
            continue        # v6.8 dereferences NULL there (tests/test_golden_read.py)
        mas = MaState(core, 0, 0)
        rc = (mas_empty_area if fwd else mas_empty_area_rev)(mas, mn, mx, size)
        got = (mas.index, mas.last) if rc == 0 else None
        if not valid:
            assert rc == EINVAL
            continue
        want = flat.lowest_fit(mn, mx, size) if fwd else flat.highest_fit(mn, mx, size)
        if core.height == 0:
            # no node: the forward search answers from the window (a root entry at 0
            # first raises MIN to 1)
            lo = 1 if (core.root is not None and mn == 0) else mn
            want = (lo, lo + size - 1) if lo <= mx and mx - lo + 1 >= size else None
        elif not core.is_alloc and core.height >= 2:
            want = None                                  # item 8
        elif not fwd and mx == ULONG_MAX:
            root = core.root                             # item 9
            p0 = root.pivots[0]
            want = flat.highest_fit(max(mn, p0 + 1), mx, size) \
                if mx - max(mn, p0 + 1) >= size - 1 else None
        assert got == want, (fwd, mn, mx, size, rc)
        assert rc in (0, EBUSY)


@given(trees(), st.data())
def test_alloc_range_matches_the_flat_model(tf, data):
    t, flat = tf
    if not t.alloc or t.height == 0:
        return
    mn = data.draw(st.integers(0, SPACE))
    mx = data.draw(st.integers(mn + 60, SPACE + 300))
    size = data.draw(st.integers(1, 60))
    top = data.draw(st.booleans())
    before = list(t.items())
    want = flat.highest_fit(mn, mx, size) if top else flat.lowest_fit(mn, mx, size)
    try:
        start = t.alloc_range(size, mn, mx, 77, top_down=top)
    except NoSpaceError:
        assert want is None
        assert list(t.items()) == before
        return
    assert (start, start + size - 1) == want
    assert t.load(start) == 77 and t.find(start) == (start, start + size - 1, 77)
    assert not t.validate()
