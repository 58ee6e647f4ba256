# SPDX-License-Identifier: GPL-2.0-or-later
"""Lesson 3, finding things: the example trees, tables, exercise checks and solutions.

Every expected answer is computed here by the model (the facade's ``load``/``find``,
one :class:`~mapletree_edu.cursor.Cursor`, a recorded write), never written down.
"""

from ..core.constants import ULONG_MAX
from ..core.iterate import mt_find
from ..errors import MapleTreeError, StaleCursorError
from ..mm import PAGE_SIZE, Mm
from ..trace import record
from .common import (
    Table,
    call_answer,
    num,
    ranges_table,
    report,
    solution_text,
    span,
    tree_of,
    unanswered,
)


# --- the trees ----------------------------------------------------------------------------
def process():
    """The committed sample process (mapletree_edu/data/cat.maps) as an Mm: its
    ``tree`` is the mm's VMA tree (allocation tree, RCU mode)."""
    return Mm.sample()


def _vma(name, nth=0, perms=None):
    found = [v for v in process().vmas() if v.name.endswith(name)
             and (perms is None or v.label.endswith(perms))]
    return found[nth]


HEAP = _vma("[heap]")
STACK = _vma("[stack]")
LIBC_FIRST = _vma("libc.so.6")
LIBC_RW = _vma("libc.so.6", perms="rw-")
ANON_BELOW_LIBC = next(v for v in process().vmas() if v.end == LIBC_FIRST.start)
#: Sections 1 and 2: the address looked up. It lies in the hole between the heap and the
#: anonymous mapping below libc (the name does not say so: the lesson asks it).
ADDRESS = 0x7000_0000_0000
#: Section 7: the writer unmaps the anonymous mapping below libc (a NULL store).
RCU_WRITE = (ANON_BELOW_LIBC.start, ANON_BELOW_LIBC.end - 1, None)


def small():
    """The worked example of READ-FORMAT.md: 1 at [10, 19], 2 at [30, 39], 3 at [40, 49]."""
    return tree_of([(10, 19), (30, 39), (40, 49)], entries=[1, 2, 3])


def slots_table(tree):
    """Every slot of every node in pre-order: node, slot, the range it covers and what it
    holds (an entry, NULL, or a child node)."""
    from .common import view_of
    view = view_of(tree)
    ids = {n.serial: n.id for n in view.nodes}
    rows = []
    for n in view.nodes:
        lo = n.min
        for k, (piv, slot) in enumerate(zip(n.pivots, n.slots, strict=False)):
            held = ("NULL" if slot is None else str(slot)) if n.is_leaf \
                else f"child #{ids.get(slot, slot)}"
            rows.append([f"#{n.id} {n.type}", k, span(lo, piv), held])
            lo = piv + 1
    return Table(["node", "slot", "range", "holds"], rows)


def ranges(tree):
    """Every range with its entry, NULL ranges too."""
    return ranges_table(tree)


# --- recording and tables ------------------------------------------------------------------
def record_load(tree, index):
    """The steps of ``tree.load(index)`` (mtree_load)."""
    with record(tree, f"mtree_load({num(index)})") as rec:
        tree.load(index)
    return rec.steps


def record_find(tree, index, limit=ULONG_MAX):
    """The steps of ``tree.find(index, limit)`` (mt_find)."""
    with record(tree, f"mt_find({num(index)}, {num(limit)})") as rec:
        tree.find(index, limit)
    return rec.steps


def _entry(e):
    return "NULL" if e is None else repr(e) if not isinstance(e, str) else e


def load_table(tree, indices):
    """mtree_load() at each index: the entry, or NULL."""
    return Table(["index", "mtree_load() returns"],
                 [[num(i), _entry(tree.load(i))] for i in indices])


def find_table(tree, indices, limit=ULONG_MAX):
    """mt_find() from each index: the entry, its range and ``index`` afterwards."""
    rows = []
    for i in indices:
        entry, new_index, first, last = mt_find(tree.core, i, limit)
        rows.append([num(i), _entry(entry), span(first, last) if entry is not None else "-",
                     num(new_index)])
    return Table(["index", "mt_find() returns", "its range", "index afterwards"], rows)


def calls_table(calls):
    """One row per cursor call: what it returned and the maple state after it."""
    rows = []
    for c in calls:
        m = c.mas
        rows.append([c.call, _entry(c.entry), num(m["index"]), num(m["last"]),
                     "NULL" if m["node"] is None else f"n{m['node']}",
                     "-" if m["offset"] is None else m["offset"], m["status"]])
    return Table(["call", "returns", "index", "last", "node", "offset", "status"], rows)


def surprises_table():
    """The kernel behaviours of section 5, each run on the model next to the answer a
    flat list of ranges would give."""
    rows = []
    t = small()
    c = t.cursor(40)
    got = c.find(45)
    rows.append(["mas_set(40); mas_find(45)", "3, clipped to [40, 45]",
                 f"{got} with [{c.index}, {c.last}]"])
    c = t.cursor(25)
    got = c.find_range(100)
    rows.append(["mas_set(25); mas_find_range(100)", "NULL, the hole [20, 29]",
                 f"{got} with [{c.index}, {c.last}]"])
    w = tree_of([(10, 19), (60, ULONG_MAX)], entries=[1, 4])
    entry, new_index, _f, _l = mt_find(w.core, 60, ULONG_MAX)
    rows.append(["mt_find(&index = 60, MAX) on [60, MAX] = 4", "index = 2**64 (past the end)",
                 f"{entry}, index = {new_index}"])
    c = t.cursor(40)
    c.find(45)
    got = c.find(45)
    status_find = c.status
    c = t.cursor(40)
    c.next(45)
    rows.append(["at the end: mas_find(45) / mas_next(45)", "both report the end",
                 f"mas_find: {got}, {status_find}; mas_next: {c.status}"])
    return Table(["call", "a flat list would say", "v6.8 (the model)"], rows)


def rcu_table(player):
    """What happened to the reader of an RcuPlayer."""
    f = player.facts
    return Table(["question", "answer"], [
        ["node the reader held", f"n{f['held']}"],
        ["dead after the write (ma_dead_node)", f["dead"]],
        ["the reader walked again (mas_rewalk)", f["rewalked"]],
        ["the reader's mas_next() returned", _entry(f["entry"])],
    ])


# --- exercise 1: a for_each_vma loop with pause ------------------------------------------------
def _pause_loop_expected():
    tree = process().tree
    met = [e for _f, _l, e in tree.ranges()]
    left = [v for v in met if v.name != ""]
    return met, left


def check_pause_loop(answer):
    """Exercise "pause_loop": answer(tree) walks every VMA with one cursor, unmaps the
    anonymous ones, pausing before each write, and returns the VMAs it met."""
    if unanswered(answer) or not callable(answer):
        return report(False, "", "define a function loop(tree) that returns the list of "
                      "VMAs it met, and set answer = loop.")
    met, left = _pause_loop_expected()
    tree = process().tree
    tree.rcu = False
    got, err = call_answer(answer, tree)
    if err and "StaleCursor" in err:
        return report(False, "", "the cursor went on after a write while it still held its "
                      "node: a maple state must be paused (or reset) before the tree changes.")
    if err:
        return report(False, "", f"your function {err}")
    if not isinstance(got, list):
        return report(False, "", "return the list of VMAs the loop met.")
    now = [e for _f, _l, e in tree.ranges()]
    if now != left:
        extra = [v for v in now if v.name == ""]
        return report(False, "", f"{len(extra)} anonymous VMA(s) (name '') are still mapped: "
                      "the loop must unmap every one it meets.")
    if got != met:
        missing = [v for v in met if v not in got]
        return report(False, "", f"the loop met {len(got)} VMAs, not {len(met)}"
                      + (f"; it missed {missing[0]!r}" if missing else "")
                      + ". Did it stop early, or skip the VMA after a write?")
    return report(True, f"{len(met)} VMAs met, {len(met) - len(left)} unmapped. After "
                  "pause() the next find() walks from the root to last + 1, so the loop goes "
                  "on right after the VMA it removed.", "")


# --- exercise 2: statuses ------------------------------------------------------------------
STATUS_START = 35
STATUS_CALLS = (("next", 45), ("next", 45), ("prev", 15), ("prev", 15), ("prev", 15),
                ("prev", 15), ("find", 100))
STATUS_NAMES = ("start", "active", "root", "none", "pause", "overflow", "underflow")


def expected_statuses():
    c = small().cursor(STATUS_START)
    out = []
    for name, *args in STATUS_CALLS:
        getattr(c, name)(*args)
        out.append(c.status)
    return out


def check_statuses(answer):
    """Exercise "statuses": the status after each call of STATUS_CALLS."""
    want = expected_statuses()
    if unanswered(answer):
        return report(False, "", f"set answer to a list of {len(want)} status names.")
    if not isinstance(answer, (list, tuple)) or len(answer) != len(want):
        return report(False, "", f"the answer is a list of {len(want)} names, one per call.")
    got = [str(a).strip().lower().removeprefix("ma_") for a in answer]
    bad = [g for g in got if g not in STATUS_NAMES]
    if bad:
        return report(False, "", f"{bad[0]!r} is not a status; they are "
                      f"{', '.join(STATUS_NAMES)}.")
    if got == want:
        return report(True, "mas_next() stops with overflow and mas_prev() with underflow, "
                      "each keeping its place; the next call in the other direction first "
                      "walks to where the state stands and returns the entry there, if "
                      "there is one.", "")
    k = next(i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w)
    name, *args = STATUS_CALLS[k]
    return report(False, "", f"call {k + 1} ({name}{tuple(args)}) is not right. Which entries "
                  "start at or before the limit (next) or end at or after it (prev)?")


# --- exercise 3: find_vma ---------------------------------------------------------------------
FIND_ADDRESSES = (0x1000, HEAP.start + 5 * PAGE_SIZE, 0x6000_0000_0000, LIBC_RW.end - 1,
                  STACK.end + PAGE_SIZE)


def expected_find_vma():
    tree = process().tree
    return [None if r is None else r[2] for r in (tree.find(a) for a in FIND_ADDRESSES)]


def check_find_vma(answer):
    """Exercise "find_vma": the VMA find_vma() returns for each FIND_ADDRESSES entry."""
    want = expected_find_vma()
    if unanswered(answer):
        return report(False, "", f"set answer to a list of {len(want)} VMAs (or None).")
    if not isinstance(answer, (list, tuple)) or len(answer) != len(want):
        return report(False, "", f"the answer is a list of {len(want)} items.")
    bad = [i for i, (g, w) in enumerate(zip(answer, want, strict=True)) if g != w]
    if not bad:
        return report(True, "find_vma() returns the first VMA that ends above the address: "
                      "the one holding it, or the next one up, or NULL above the last VMA.", "")
    i = bad[0]
    return report(False, "", f"address {FIND_ADDRESSES[i]:#x} is not right: is it inside a VMA, "
                  "or in a hole? In a hole, which VMA comes next going up?")


# --- exercise 4: which writes kill the reader's leaf ----------------------------------------
RCU_WRITES = (
    (HEAP.start, HEAP.end - 1, "new heap"),          # exact fit: one slot pointer
    RCU_WRITE,                                        # NULL store, slots merge: node store
    (HEAP.start, HEAP.end - 1 + PAGE_SIZE, "heap+1"),  # one boundary moves: slot store
    (STACK.start, STACK.end - 1, None),               # in the other leaf
)


def writes_table():
    """The writes of exercise 4, as calls."""
    from .common import call_text
    return Table(["write", "on the range of"],
                 [[call_text(f, la, e), repr(process().tree.load(f)) if process().tree.load(f)
                   else "NULL"] for f, la, e in RCU_WRITES])


def reader_dies(write):
    """Does a reader holding the [heap] leaf find it dead after ``write``?"""
    tree = process().tree
    cur = tree.cursor(HEAP.start)
    cur.walk()
    held = cur.node
    first, last, entry = write
    if entry is None:
        tree.clear(first, last)
    else:
        tree.store(first, last, entry)
    from ..debug.walker import walk
    alive = {v.node.serial for v in walk(tree.core.root)}
    return held not in alive


def check_rcu_dead(answer):
    """Exercise "rcu_dead": for each RCU_WRITES write, is the reader's leaf dead?"""
    want = [reader_dies(w) for w in RCU_WRITES]
    if unanswered(answer):
        return report(False, "", f"set answer to a list of {len(want)} booleans.")
    if not isinstance(answer, (list, tuple)) or len(answer) != len(want) \
            or not all(isinstance(a, bool) for a in answer):
        return report(False, "", f"the answer is a list of {len(want)} True/False values.")
    if list(answer) == want:
        return report(True, "only writes that rebuild the reader's leaf (node store, big node) "
                      "kill it; an exact fit and a two-slot slot store change it in place, and "
                      "a write in another leaf does not touch it.", "")
    k = next(i for i, (g, w) in enumerate(zip(answer, want, strict=True)) if g != w)
    return report(False, "", f"write {k + 1} is not right. Record it on a fresh "
                  "l03.process().tree and look at the write path: does it build a new node?")


# --- solutions ---------------------------------------------------------------------------------
SOLUTIONS = {
    "pause_loop": '''
from mapletree_edu import ULONG_MAX


def loop(tree):
    met = []
    cur = tree.cursor(0)
    while (vma := cur.find(ULONG_MAX)) is not None:
        met.append(vma)
        if vma.name == "":
            cur.pause()
            tree.clear(vma.start, vma.end - 1)
    return met


answer = loop
ok = l03.check_pause_loop(answer)
''',
    "statuses": '''
from mapletree_edu.widgets.readers import CursorPlayer

p = CursorPlayer(l03.small(), l03.STATUS_CALLS, start=l03.STATUS_START)
answer = [c.mas["status"] for c in p.calls]
print(answer)
ok = l03.check_statuses(answer)
''',
    "find_vma": '''
proc = l03.process().tree
answer = []
for address in l03.FIND_ADDRESSES:
    found = proc.find(address)
    answer.append(None if found is None else found[2])
print(answer)
ok = l03.check_find_vma(answer)
''',
    "rcu_dead": '''
from mapletree_edu.widgets.readers import record_rcu

answer = []
for write in l03.RCU_WRITES:
    steps, lanes, notes, facts = record_rcu(l03.process().tree, l03.HEAP.start, write)
    writer = [s.fn for s, lane in zip(steps, lanes) if lane == "writer"]
    print(write[:2], writer[:3], "dead" if facts["dead"] else "alive")
    answer.append(facts["dead"])
ok = l03.check_rcu_dead(answer)
''',
}


def solution(name):
    """The source text of a solution: ``print(l03.solution("pause_loop"))``."""
    return solution_text(SOLUTIONS, name)


__all__ = ["process", "small", "ranges", "slots_table", "HEAP", "STACK", "LIBC_FIRST", "LIBC_RW",
           "ANON_BELOW_LIBC", "ADDRESS", "RCU_WRITE", "record_load", "record_find",
           "load_table", "find_table", "calls_table", "surprises_table", "rcu_table",
           "check_pause_loop", "STATUS_START", "STATUS_CALLS", "check_statuses",
           "FIND_ADDRESSES", "check_find_vma", "RCU_WRITES", "writes_table",
           "reader_dies", "check_rcu_dead",
           "solution", "SOLUTIONS", "MapleTreeError", "StaleCursorError"]
