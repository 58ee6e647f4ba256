# SPDX-License-Identifier: GPL-2.0-or-later
"""Lesson 4, finding free space: the example address spaces, tables, exercise checks and
solutions.

Every expected answer is computed here by the model (the facade's ``empty_area``, the
simulated mm of :mod:`mapletree_edu.mm`), never written down.
"""

from ..core.constants import ULONG_MAX
from ..errors import MapleTreeError
from ..fork.vma import synthetic_address_space
from ..mm import PAGE_SIZE, Mm, UnmappedAreaInfo
from ..trace import record
from .common import Table, num, report, solution_text, span, tree_of, unanswered

# --- the address spaces --------------------------------------------------------------------
#: The demo process: the sample's VMAs plus 60 one-page anonymous VMAs with one-page holes
#: between them, of which seven in a row were unmapped (a hole of 15 pages).
DEMO_EXTRA = 60
DEMO_UNMAPPED = range(30, 37)
#: Section 2's search: 5 pages, more than the hole in the top leaf.
SEARCH_LEN = 5 * PAGE_SIZE
#: Section 4's mmap(): 12 pages, more than any hole near the top.
DEMO_LEN = 12 * PAGE_SIZE


def demo_mm():
    """The demo process of sections 2 and 4 (an Mm; its ``tree`` is the VMA tree)."""
    vmas = synthetic_address_space(DEMO_EXTRA)
    anon = sorted((v for v in vmas if v.pages == 1 and v.name == ""), key=lambda v: -v.start)
    mm = Mm(vmas)
    for i in DEMO_UNMAPPED:
        mm.munmap(anon[i].start, PAGE_SIZE)
    return mm


def session_mm():
    """The sample process (mapletree_edu/data/cat.maps) as an Mm."""
    return Mm.sample()


#: Section 3: a stack-like VMA (VM_GROWSDOWN) right above the highest hole.
GUARD_LEN = 16 * PAGE_SIZE
#: Exercise 2: a request exactly as long as that hole.
GUARD_EX_LEN = 384 * PAGE_SIZE


def guard_mm():
    """A small address space whose highest hole below mmap_base ends at a VMA made with
    MAP_GROWSDOWN: the stack guard gap below it is kept free."""
    top = 0x7F00_0000_0000
    vmas = [(0x5555_5555_4000, 0x5555_5557_0000, {"rd", "ex"}, "/usr/bin/demo"),
            (top - 0x40_0000, top - 0x38_0000, {"rd", "wr"}, ""),
            (top - 0x20_0000, top - 0x1F_0000, {"rd", "wr", "gd"}, "grows down"),
            (top - 0x1F_0000, top, {"rd", "ex"}, "/usr/lib/libdemo.so")]
    return Mm(vmas, mmap_base=top)


#: Exercise 3: an aligned request.
ALIGN_LEN = 5 * PAGE_SIZE
ALIGN = 0x20_0000


# --- recording and tables --------------------------------------------------------------------
def record_empty_area(tree, mn, mx, size, top_down=True):
    """The steps of ``tree.empty_area(mn, mx, size, top_down)``, and its result."""
    fn = "mas_empty_area_rev" if top_down else "mas_empty_area"
    with record(tree, f"{fn}({num(mn)}, {num(mx)}, {num(size)})") as rec:
        found = tree.empty_area(mn, mx, size, top_down=top_down)
    return rec.steps, found


def holes_table(mm, at_least=1, low=None, high=None):
    """The holes of ``mm`` between ``low`` (mmap_min_addr) and ``high`` (mmap_base), highest
    first, with their size in pages; only those of ``at_least`` pages or more."""
    low = mm.mmap_min_addr if low is None else low
    high = mm.mmap_base if high is None else high
    rows = [[span(s, e - 1, True), (e - s) // PAGE_SIZE]
            for s, e in reversed(mm.holes(low, high)) if (e - s) // PAGE_SIZE >= at_least]
    return Table(["hole", "pages"], rows)


def gap_table(tree):
    """The gaps of every arange_64 node: one row per slot, with ``*`` at gap_off."""
    from .common import view_of
    view = view_of(tree)
    ids = {n.serial: n.id for n in view.nodes}
    rows = []
    for n in view.nodes:
        if n.gaps is None:
            continue
        lo = n.min
        for k, (child, piv) in enumerate(zip(n.slots, n.pivots, strict=False)):
            mark = "*" if k == n.gap_off else ""
            rows.append([f"#{n.id}", k, span(lo, piv, True), f"#{ids.get(child, child)}",
                         f"{num(n.gaps[k], True)}{mark}",
                         f"{n.gaps[k] // PAGE_SIZE}{mark}"])
            lo = piv + 1
    return Table(["node", "slot", "child's range", "child", "largest gap", "in pages"], rows)


def rounds_table(area):
    """Every pass of an UnmappedArea: the window searched, the hole found, the address
    and why another pass was needed."""
    rows = []
    for r in area.rounds:
        mn, mx, size = r.window
        rows.append([f"[{num(mn, True)}, {num(mx, True)}] size {num(size, True)}",
                     span(*r.found, True) if r.found else "-EBUSY",
                     num(r.addr, True) if r.addr is not None else "-",
                     repr(r.neighbour) if r.neighbour is not None else "-",
                     r.retry or "done"])
    return Table(["mas_empty_area window", "hole found", "addr", "neighbour checked",
                  "then"], rows)


def gaps_changed(before, after):
    """arange_64 slots whose gap changed between two trees (drawn views), by range."""
    from .common import view_of

    def gaps(tree):
        out = {}
        for n in view_of(tree).nodes:
            if n.gaps is None:
                continue
            lo = n.min
            for k, piv in enumerate(n.pivots):
                out[(n.depth, lo, piv)] = n.gaps[k]
                lo = piv + 1
        return out
    b, a = gaps(before), gaps(after)
    rows = [[depth, span(lo, hi, True), num(b.get(key), True), num(a.get(key), True)]
            for key in sorted(set(b) | set(a)) for depth, lo, hi in [key]
            if b.get(key) != a.get(key)]
    return Table(["depth", "child's range", "gap before", "gap after"], rows)


def wrap_ranges():
    """[0, 9], a hole of 40, then 40 ranges of 5 with holes of 5, and a last range that
    runs to ULONG_MAX: the only hole of 20 or more is in the leftmost leaf."""
    ranges = [(0, 9)] + [(50 + 10 * i, 54 + 10 * i) for i in range(40)]
    return ranges + [(ranges[-1][1] + 6, ULONG_MAX)]


def wrap_tree(alloc=True):
    """Section 5's tree (height 2): see :func:`wrap_ranges`."""
    return tree_of(wrap_ranges(), alloc=alloc)


WRAP_SIZE = 20


def edge_table():
    """The two edges of section 5, each run on the model."""
    rows = []
    t = wrap_tree()
    for mn, mx in ((1, ULONG_MAX), (1, ULONG_MAX - 1)):
        got = t.empty_area(mn, mx, WRAP_SIZE)
        rows.append([f"alloc tree, height {t.height}", f"mas_empty_area_rev({num(mn)}, "
                     f"{num(mx)}, {WRAP_SIZE})", "-EBUSY" if got is None else span(*got)])
    plain = wrap_tree(alloc=False)
    for top_down in (True, False):
        got = plain.empty_area(1, ULONG_MAX - 1, WRAP_SIZE, top_down=top_down)
        fn = "mas_empty_area_rev" if top_down else "mas_empty_area"
        rows.append([f"plain tree, height {plain.height}", f"{fn}(1, MAX - 1, {WRAP_SIZE})",
                     "-EBUSY" if got is None else span(*got)])
    return Table(["tree", "search", "result (the model, as v6.8)"], rows)


# --- exercise 1: build a layout -----------------------------------------------------------------
EX1_MAX = 100_000


def _check_layout(ranges):
    if not isinstance(ranges, (list, tuple)) or not ranges:
        return "ranges is a non-empty list of (first, last) pairs."
    prev = -1
    for r in ranges:
        if not isinstance(r, (list, tuple)) or len(r) != 2 or \
                not all(isinstance(v, int) and not isinstance(v, bool) for v in r):
            return f"{r!r} is not a (first, last) pair of ints."
        first, last = r
        if first <= prev or last < first or last > EX1_MAX:
            return (f"{r!r}: ranges go in increasing order, do not overlap, and end at or "
                    f"below {EX1_MAX}.")
        prev = last
    return ""


def largest_holes(ranges, mx=EX1_MAX):
    """The NULL ranges of a layout within [0, mx], largest first."""
    holes, cur = [], 0
    for first, last in ranges:
        if first > cur:
            holes.append((cur, first - 1))
        cur = last + 1
    if cur <= mx:
        holes.append((cur, mx))
    return sorted(holes, key=lambda h: -(h[1] - h[0]))


def check_layout(answer):
    """Exercise "layout": (ranges, size, (first, last)): a layout of height 2 or more in
    which mas_empty_area_rev(0, EX1_MAX, size) does not pick the largest hole, and the
    area it returns predicted."""
    if unanswered(answer):
        return report(False, "", "set answer = (ranges, size, (first, last)).")
    if not isinstance(answer, (list, tuple)) or len(answer) != 3:
        return report(False, "", "the answer has three parts: (ranges, size, (first, last)).")
    ranges, size, predicted = answer
    problem = _check_layout(ranges)
    if problem:
        return report(False, "", problem)
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= EX1_MAX:
        return report(False, "", f"size is an int between 1 and {EX1_MAX}.")
    tree = tree_of(ranges)
    if tree.height < 2:
        return report(False, "", f"this layout fits in one leaf (height {tree.height}): use "
                      "more ranges, so that the search has subtrees to choose between.")
    got = tree.empty_area(0, EX1_MAX, size)
    if got is None:
        return report(False, "", f"no hole of {size} indices exists below {EX1_MAX}: the "
                      "search returns -EBUSY. Leave room somewhere.")
    biggest = largest_holes(ranges)[0]
    if biggest[0] <= got[0] and got[1] <= biggest[1]:
        return report(False, "", "the search picked the largest hole. Make a hole that fits "
                      "above it, smaller than it.")
    if not isinstance(predicted, (list, tuple)) or tuple(predicted) != got:
        return report(False, "", "the layout is right; your prediction of (first, last) is "
                      "not. The search returns the highest fit: where does that hole end?")
    return report(True, f"{span(*got)}: the highest hole that fits, not the largest "
                  f"{span(*biggest)}. The gaps let the search skip subtrees with too little "
                  "room, but it takes the first fit from the top.", "")


# --- exercise 2: the guard gap --------------------------------------------------------------------
def expected_guard(length=GUARD_EX_LEN):
    return guard_mm().mmap(length).start


def check_guard(answer):
    """Exercise "guard": the address guard_mm().mmap(GUARD_EX_LEN) returns."""
    want = expected_guard()
    if unanswered(answer):
        return report(False, "", "set answer to an address (an int).")
    if isinstance(answer, bool) or not isinstance(answer, int):
        return report(False, "", "the answer is an int, such as 0x7effffe00000.")
    if answer == want:
        return report(True, f"{want:#x}: the first search took the whole hole below the "
                      "grows-down VMA; vm_start_gap() showed the guard gap, so high_limit "
                      "dropped to it, what was left of that hole was too small, and the "
                      "second search went on to the next hole down.", "")
    mm = guard_mm()
    gd = next(v for v in mm.vmas() if "gd" in v.flags)
    if answer == gd.start - GUARD_EX_LEN:
        return report(False, "", "that is where the first search lands. What does "
                      "unmapped_area_topdown() do when the next VMA grows down?")
    return report(False, "", "print(l04.holes_table(l04.guard_mm())) and find the highest "
                  "hole that fits below mmap_base; then think of the stack guard gap.")


# --- exercise 3: alignment ------------------------------------------------------------------------
def expected_align():
    return session_mm().mmap(ALIGN_LEN, align=ALIGN).start


def check_align(answer):
    """Exercise "align": the address session_mm().mmap(ALIGN_LEN, align=ALIGN) returns."""
    want = expected_align()
    if unanswered(answer):
        return report(False, "", "set answer to an address (an int).")
    if isinstance(answer, bool) or not isinstance(answer, int):
        return report(False, "", "the answer is an int.")
    if answer == want:
        return report(True, f"{want:#x}: the search asked for {ALIGN_LEN:#x} + "
                      f"{ALIGN - 1:#x} bytes, took the top of the hole it found and rounded "
                      "down to the alignment.", "")
    if answer % ALIGN:
        return report(False, "", f"{answer:#x} is not a multiple of {ALIGN:#x}.")
    return report(False, "", "the search asks for length + align_mask: which hole is the "
                  "highest that holds that many bytes?")


# --- exercise 4: the ULONG_MAX wrap ---------------------------------------------------------------
WRAP_WINDOWS = ((5, ULONG_MAX), (5, ULONG_MAX - 1), (5, 40), (45, ULONG_MAX - 1))
#: Exercise 4's request size (section 5 uses WRAP_SIZE).
WRAP_EX_SIZE = 30


def expected_wrap():
    t = wrap_tree()
    return [t.empty_area(mn, mx, WRAP_EX_SIZE) for mn, mx in WRAP_WINDOWS]


def check_wrap(answer):
    """Exercise "wrap": mas_empty_area_rev(min, max, WRAP_EX_SIZE) on wrap_tree() for each
    WRAP_WINDOWS window."""
    want = expected_wrap()
    if unanswered(answer):
        return report(False, "", f"set answer to a list of {len(want)} results: (first, last) "
                      "or None for -EBUSY.")
    if not isinstance(answer, (list, tuple)) or len(answer) != len(want):
        return report(False, "", f"the answer is a list of {len(want)} items.")
    got = [None if a is None else tuple(a) if isinstance(a, (list, tuple)) else a
           for a in answer]
    if got == want:
        return report(True, "with max = ULONG_MAX, last - min + 1 wraps to 0 for a slot "
                      "that starts at 0, so the leftmost subtree is never chosen; one less "
                      "and the same hole is found.", "")
    k = next(i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w)
    return report(False, "", f"window {k + 1} {WRAP_WINDOWS[k]} is not right. Which leaf holds "
                  "the only hole that fits, and where does that leaf start?")


# --- solutions ------------------------------------------------------------------------------------
SOLUTIONS = {
    "layout": '''
from mapletree_edu.lessons.common import tree_of

# 30 ranges of 10 with holes of 5, one hole of 100 low down, one of 40 near the top,
# and a last range up to EX1_MAX, so that no hole is left above it
ranges = []
first = 0
for i in range(30):
    ranges.append((first, first + 9))
    first += 10 + (100 if i == 3 else 40 if i == 26 else 5)
ranges.append((first, l04.EX1_MAX))
size = 30
tree = tree_of(ranges)
predicted = tree.empty_area(0, l04.EX1_MAX, size)
print("height", tree.height, "found", predicted)
answer = (ranges, size, predicted)
ok = l04.check_layout(answer)
''',
    "guard": '''
mm = l04.guard_mm()
print(l04.holes_table(mm))
answer = mm.mmap(l04.GUARD_EX_LEN).start
print(l04.rounds_table(mm.last_area))
ok = l04.check_guard(answer)
''',
    "align": '''
mm = l04.session_mm()
answer = mm.mmap(l04.ALIGN_LEN, align=l04.ALIGN).start
print(hex(answer))
print(l04.rounds_table(mm.last_area))
ok = l04.check_align(answer)
''',
    "wrap": '''
t = l04.wrap_tree()
answer = [t.empty_area(mn, mx, l04.WRAP_EX_SIZE) for mn, mx in l04.WRAP_WINDOWS]
print(answer)
ok = l04.check_wrap(answer)
''',
}


def solution(name):
    """The source text of a solution: ``print(l04.solution("layout"))``."""
    return solution_text(SOLUTIONS, name)


__all__ = ["demo_mm", "session_mm", "guard_mm", "SEARCH_LEN", "DEMO_LEN", "GUARD_LEN",
           "GUARD_EX_LEN", "ALIGN_LEN", "ALIGN", "record_empty_area", "holes_table",
           "gap_table", "rounds_table", "gaps_changed", "wrap_ranges", "wrap_tree", "WRAP_SIZE",
           "edge_table", "EX1_MAX", "largest_holes", "check_layout", "check_guard",
           "check_align", "WRAP_WINDOWS", "WRAP_EX_SIZE", "check_wrap", "solution", "SOLUTIONS",
           "UnmappedAreaInfo", "MapleTreeError"]
