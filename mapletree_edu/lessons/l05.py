# SPDX-License-Identifier: GPL-2.0-or-later
"""Lesson 05, node splits: the example trees, exercise checks and solutions.

Every expected answer is computed here by running the model (and reading the recorded
steps: mas_push_data, mab_calc_split, mas_rebalance), never typed in.
"""

from ..core.constants import MAPLE_LEAF_64, MT_MIN_SLOTS, MT_SLOTS
from ..tree import MapleTree
from .common import (
    Table,
    commit_kind,
    copy_tree,
    leaf_sizes,
    num,
    record_op,
    report,
    solution_text,
    steps_named,
    tree_of,
    unanswered,
    write_path,
)

#: VMA-like appends: range i is [i * STRIDE, i * STRIDE + LENGTH - 1] (holes between).
STRIDE = 10
LENGTH = 6
#: The exercises append touching ranges instead: LENGTH == STRIDE, no holes.
TOUCHING = STRIDE

#: Player options for trees with many leaves: draw the leaves the step touches and
#: summarise the others, so the diagram stays readable at the page width.
COLLAPSED = {"collapse": 3}

#: Exercise "first_split": singletons [i, i] = i for i in this range, into a plain tree.
FIRST_SPLIT_SINGLETONS = range(100, 116)


# --- the trees the lesson uses ------------------------------------------------------------
def singletons(n, start=0, alloc=False):
    """A tree with [i, i] = i for i in start..start+n-1 (a plain tree by default)."""
    return tree_of([(i, i) for i in range(start, start + n)],
                   entries=list(range(start, start + n)), alloc=alloc)


def append_range(i, length=LENGTH):
    """The i-th VMA-like range."""
    return (i * STRIDE, i * STRIDE + length - 1)


def appended(n, length=LENGTH):
    """An allocation tree after the VMA-like appends 0..n-1."""
    return tree_of([append_range(i, length) for i in range(n)])


def push_facts(steps):
    """'left' or 'right' if a mas_push_data step moved data, else '' ."""
    for s in steps_named(steps, "mas_push_data"):
        if s.details.get("pushed"):
            return s.details.get("side")
    return ""


def split_facts(steps):
    """(b_end, split, mid_split) of the leaf-level mab_calc_split, or None."""
    calc = steps_named(steps, "mab_calc_split")
    if not calc:
        return None
    d = calc[0].details
    return d["b_end"], d["split"], d["mid_split"]


def append_history(n, length=LENGTH):
    """Store the appends 0..n-1 one at a time, recording each: a list of dicts with i,
    first, path, commit, push, split (b_end, split, mid_split), the leaf sizes and the
    height after."""
    t = MapleTree()
    out = []
    for i in range(n):
        first, last = append_range(i, length)
        steps, _t = record_op(t, "store", first, last, i)
        out.append({"i": i, "first": first, "path": write_path(steps),
                    "commit": commit_kind(steps), "push": push_facts(steps),
                    "split": split_facts(steps), "leaves": leaf_sizes(t), "height": t.height})
    return out


def history_table(rows, only_changes=False):
    """The append history as a table (optionally only the stores that split or pushed)."""
    out = []
    for r in rows:
        if only_changes and not r["commit"]:
            continue
        sp = r["split"]
        split = f"b_end {sp[0]}, split {sp[1]}" + (f", mid {sp[2]}" if sp and sp[2] else "") \
            if sp else ""
        commit = f"push {r['push']}" if r["push"] else r["commit"]
        out.append([r["i"], num(r["first"]), r["path"], commit, split, r["leaves"],
                    r["height"]])
    return Table(["i", "first", "write path", "big node", "mab_calc_split", "leaves after",
                  "height"], out)


def erase_base():
    """40 appends: leaves of an allocation tree that the erase exercise shrinks."""
    return appended(40)


#: Exercise "rebalance": erase the entries with these append numbers, in order.
ERASE_ORDER = tuple(range(8, 16))


def erase_history():
    """Erase ERASE_ORDER from erase_base() one at a time: (i, path, commit, leaves)."""
    t = erase_base()
    out = []
    for i in ERASE_ORDER:
        steps, _t = record_op(t, "erase", append_range(i)[0])
        out.append((i, write_path(steps), commit_kind(steps), leaf_sizes(t)))
    return out


#: The spanning store that needs a three-way split: from inside the last entry of one
#: full leaf to inside the leading NULL range of the next one.
THREE_WAY_STORE = (151, 158, "x")


#: Section 2: singletons [1000 + i, 1000 + i] = i for i < NARROW_COUNT (a plain tree), then
#: the entries NARROW_ERASE erased one by one: the last erase rebalances a leaf.
NARROW_START = 1000
NARROW_COUNT = 37
NARROW_ERASE = tuple(range(14, 18))


def narrow_tree(width=1, start=NARROW_START, count=NARROW_COUNT):
    """``count`` touching ranges of ``width`` indices from ``start`` (width 1: singletons),
    entry i in range i, in a plain tree. Every width gives the same node layout."""
    return tree_of([(start + width * i, start + width * i + width - 1) for i in range(count)],
                   entries=list(range(count)), alloc=False)


def narrow_erases(width=1, start=NARROW_START):
    """Erase entries NARROW_ERASE of narrow_tree(width) one at a time. Returns (the tree
    before the last erase, the recorded steps of the last erase, the tree after)."""
    t = narrow_tree(width, start)
    for i in NARROW_ERASE[:-1]:
        record_op(t, "erase", start + width * i)
    before = copy_tree(t)
    steps, t = record_op(t, "erase", start + width * NARROW_ERASE[-1])
    return before, steps, t


def calc_steps(steps):
    """The mab_calc_split steps of a recorded operation."""
    return steps_named(steps, "mab_calc_split")


def small_pivot_fired(step):
    """Did the small-pivot rule move this mab_calc_split step's split point?"""
    return "small-pivot" in (step.why or "")


def big_node_table(steps, nth=0):
    """The big node the nth mab_calc_split of ``steps`` cuts, offset by offset (what the
    node holds, before the split point is chosen): offset, range, entry."""
    calc = calc_steps(steps)[nth]
    big = calc.details["big_node"]
    rows = []
    lo = calc.min if getattr(calc, "min", None) is not None else None
    prev = None
    for off, (piv, slot) in enumerate(zip(big["pivots"], big["slots"], strict=True)):
        first = "" if prev is None and lo is None else num((prev + 1) if prev is not None
                                                           else lo)
        rng = f"[{first}, {num(piv)}]" if first != "" else f"[..., {num(piv)}]"
        what = ("NULL" if slot is None else
                (str(slot) if big["type"] == MAPLE_LEAF_64 else f"child n{slot}"))
        rows.append([off, rng, what])
        prev = piv
    return Table(["offset", "range", "holds"], rows,
                 f"the big node: offsets 0..{big['b_end']} (b_end {big['b_end']})")


def ledger_of(tree, op, first, last=None, entry=None):
    """Run one operation on a copy of ``tree``: (steps, copy, ledger difference, change
    in node count). The ledger counts node objects taken from (allocs) and given back to
    (frees) the node cache, and allocator calls."""
    copy = copy_tree(tree)
    before = copy.allocator.counters()
    nodes = copy.node_count
    steps, copy = record_op(copy, op, first, last, entry)
    now = copy.allocator.counters()
    ledger = {k: now[k] - before[k] for k in ("allocs", "frees", "alloc_calls")}
    return steps, copy, ledger, copy.node_count - nodes


def max_rebalance_entries():
    """The most entries mas_rebalance() can combine in one leaf-level big node: a leaf
    that has dropped to mt_min_slots (6) entries, and a full sibling (16)."""
    return MT_MIN_SLOTS[MAPLE_LEAF_64] + MT_SLOTS[MAPLE_LEAF_64]


def three_way_needs():
    """The fewest entries a 16-slot big node needs for mab_middle_node(): b_end >= 32,
    or b_end >= 31 when the middle offset holds NULL."""
    return 2 * MT_SLOTS[MAPLE_LEAF_64] + 1, 2 * MT_SLOTS[MAPLE_LEAF_64]


# --- checks -----------------------------------------------------------------------------------
def _int_list(answer):
    if not isinstance(answer, (list, tuple)):
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in answer):
        return None
    return list(answer)


def first_split_tree():
    r = FIRST_SPLIT_SINGLETONS
    return singletons(len(r), start=r[0])


def expected_first_split():
    return leaf_sizes(first_split_tree())


def check_first_split(answer):
    """Exercise "first_split": the leaf sizes after storing singletons 0..15."""
    expected = expected_first_split()
    if unanswered(answer):
        return report(False, "", "set answer to the list of leaf sizes, left to right.")
    got = _int_list(answer)
    if got is None:
        return report(False, "", "the answer is a list of ints, e.g. [8, 9].")
    if got == expected:
        return report(True, f"{expected}: a leaf split in mas_split() passes min = 0, and "
                      "pivots of 100 and more are never below 0 + 15, so the small-pivot rule "
                      "does not fire and the split is near the middle.", "")
    if sum(got) == sum(expected) and len(got) == len(expected):
        return report(False, "", "the total is right. Where does b_end / 2 put the split, and "
                      "does the small-pivot rule fire when the pivots are 100 and more?")
    return report(False, "", "count the big node: the NULL range before the first index, the "
                  "singletons, and the NULL range up to MAX; a leaf holds "
                  f"{MT_SLOTS[MAPLE_LEAF_64]}; the left leaf gets offsets 0..split.")


def _first(rows, pred):
    return next(r for r in rows if pred(r))


def expected_vma_split():
    r = _first(append_history(40, TOUCHING),
               lambda r: r["commit"] == "split" and not r["push"])
    return r["i"], r["leaves"]


def check_vma_split(answer):
    """Exercise "vma_split": (i, leaf sizes) of the first touching append that splits the
    root leaf."""
    expected = expected_vma_split()
    if unanswered(answer):
        return report(False, "", "set answer = (i, [leaf sizes]).")
    if not isinstance(answer, (list, tuple)) or len(answer) != 2:
        return report(False, "", "the answer is a pair (i, [leaf sizes]).")
    i, sizes = answer
    got_sizes = _int_list(sizes)
    if i == expected[0] and got_sizes == expected[1]:
        return report(True, f"append {expected[0]} overflows the leaf and it splits into "
                      f"{expected[1]}: touching ranges need no NULL between them, so the leaf "
                      "fills twice as slowly.", "")
    if i != expected[0]:
        return report(False, "", "touching appends add one entry each (no hole); when does the "
                      f"leaf need more than {MT_SLOTS[MAPLE_LEAF_64]} slots?")
    return report(False, "", "the step is right; print the history table to see the sizes.")


def expected_push_left():
    return _first(append_history(40, TOUCHING), lambda r: r["push"] == "left")["i"]


def check_push_left(answer):
    """Exercise "push_left": the first touching append i at which mas_push_data moves data
    left."""
    expected = expected_push_left()
    if unanswered(answer):
        return report(False, "", "set answer to an append number i.")
    if isinstance(answer, bool) or not isinstance(answer, int):
        return report(False, "", "the answer is an int.")
    if answer == expected:
        return report(True, f"append {expected}: the left sibling had room, so "
                      "mas_push_data() shared the data between the two leaves and the parent "
                      "kept its number of children (the two leaves and the parent are still "
                      "rewritten as new nodes).", "")
    if answer < expected:
        return report(False, "", "at that point the leaf still had room, or had no left "
                      "sibling with space.")
    return report(False, "", "earlier: look for the first store whose big node ended with "
                  "a push.")


def expected_rebalance():
    return next(i for i, _p, commit, _l in erase_history() if commit == "rebalance")


def check_rebalance(answer):
    """Exercise "rebalance": the first i in ERASE_ORDER whose erase rebalances a leaf."""
    expected = expected_rebalance()
    if unanswered(answer):
        return report(False, "", "set answer to the append number i of the erase.")
    if isinstance(answer, bool) or not isinstance(answer, int):
        return report(False, "", "the answer is an int.")
    if answer == expected:
        return report(True, f"erase of entry {expected}: the leaf would drop below the "
                      "minimum, so mas_rebalance merged it with its next sibling and split "
                      "the result again.", "")
    return report(False, "", "each erase removes an entry and its NULL neighbour merges: "
                  "two slots fewer. When does a leaf drop to "
                  f"{MT_MIN_SLOTS[MAPLE_LEAF_64]} slots or fewer?")


def three_way_facts():
    base = erase_base()
    first, last, entry = THREE_WAY_STORE
    steps, after = record_op(base, "store", first, last, entry, on_copy=True)
    return steps, leaf_sizes(base), leaf_sizes(after)


def _three_way_result(first, last):
    steps, _after = record_op(erase_base(), "store", first, last, "x", on_copy=True)
    return [c for c in calc_steps(steps) if c.details.get("mid_split")], steps


def check_three_way(answer):
    """Exercise "three_way": a store (first, last) of one entry into erase_base() whose
    big node mab_calc_split cuts three ways (not the store of section 9)."""
    if unanswered(answer):
        return report(False, "", "set answer = (first, last), the range of your store.")
    if not isinstance(answer, (list, tuple)) or len(answer) != 2 or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in answer):
        return report(False, "", "the answer is a pair of ints (first, last).")
    first, last = answer
    if not 0 <= first <= last < 1 << 64:
        return report(False, "", f"[{first}, {last}] is not a range: 0 <= first <= last.")
    if (first, last) == THREE_WAY_STORE[:2]:
        return report(False, "", "that is the store of section 9: find another one.")
    three, steps = _three_way_result(first, last)
    if three:
        d = three[0].details
        return report(True, f"store({first}, {last}) gives a big node with b_end "
                      f"{d['b_end']}: mab_calc_split cuts it at {d['split']} and "
                      f"{d['mid_split']}, three new leaves.", "")
    path = write_path(steps)
    calc = calc_steps(steps)
    if path != "mas_wr_spanning_store":
        return report(False, "", f"that store took {path}: only a write that crosses a leaf "
                      "boundary (a spanning store) combines two leaves into one big node.")
    b_end = calc[0].details["b_end"] if calc else None
    return report(False, "", f"a spanning store, but its big node has b_end {b_end}; it needs "
                  "32 (33 entries), or 31 with a NULL in the middle. Which two neighbouring "
                  "leaves are both full, and how little of them can your range cover?")


HIGH = 10 ** 9


def _apply_ops(ops):
    """Run the ops on a new plain tree, recording each: the mab_calc_split steps whose
    small-pivot rule fired, with the lowest pivot of their big node."""
    t = MapleTree(alloc=False)
    fired = []
    for n, op in enumerate(ops):
        kind = op[0]
        if kind == "store":
            _k, first, last = op
            steps, t = record_op(t, "store", first, last, n + 1)
        else:
            steps, t = record_op(t, "erase", op[1])
        for c in calc_steps(steps):
            if small_pivot_fired(c):
                pivots = [p for p in c.details["big_node"]["pivots"] if p != (1 << 64) - 1]
                fired.append(min(pivots))
    return fired


def check_small_pivot_anywhere(answer):
    """Exercise "anywhere": a list of ("store", first, last) and ("erase", index)
    operations on a new plain tree that makes the small-pivot rule fire in a big node
    whose pivots are all at or above 10**9."""
    if unanswered(answer):
        return report(False, "", "set answer to a list of operations, e.g. "
                      "[(\"store\", first, last), (\"erase\", index)].")
    if not isinstance(answer, (list, tuple)) or not answer:
        return report(False, "", "the answer is a non-empty list of operations.")
    if len(answer) > 2000:
        return report(False, "", "at most 2000 operations, please.")
    for op in answer:
        ok = isinstance(op, (list, tuple)) and (
            (len(op) == 3 and op[0] == "store") or (len(op) == 2 and op[0] == "erase")) \
            and all(isinstance(v, int) and not isinstance(v, bool) for v in op[1:])
        if not ok:
            return report(False, "", f"{op!r} is not an operation: use (\"store\", first, "
                          "last) or (\"erase\", index) with int indices.")
        if op[0] == "store" and not 0 <= op[1] <= op[2] < 1 << 64:
            return report(False, "", f"{op!r}: a store needs 0 <= first <= last < 2**64.")
    try:
        fired = _apply_ops(answer)
    except ValueError as exc:
        return report(False, "", f"the model refused an operation: {exc}")
    high = [p for p in fired if p >= HIGH]
    if high:
        return report(True, f"the rule fired in a big node whose lowest pivot is {high[0]}: "
                      "a rebalance or spanning store passes the left node's real minimum, so "
                      "narrow ranges trigger it at any address.", "")
    if fired:
        return report(False, "", f"the rule fired, but with pivots down to {min(fired)}; "
                      "build the same thing above 10**9.")
    return report(False, "", "the rule never fired. A split at the leaf level passes min = 0 to "
                  "mab_calc_split; which operations pass the left leaf's own minimum? And how "
                  "wide may the ranges be for pivot - min to stay below 15?")


# --- solutions -------------------------------------------------------------------------------
SOLUTIONS = {
    "three_way": '''
from mapletree_edu.lessons import l05
from mapletree_edu.lessons.common import leaf_sizes, leaves

base = l05.erase_base()
for leaf in leaves(base):                 # find two neighbouring full leaves
    print(leaf.min, leaf.max, leaf.end + 1)
# leaves 3 and 4 hold 16 entries each; the last entry of leaf 3 is [230, 235], and
# leaf 4 starts with the NULL range [236, 239]: store from inside the one to inside the other
answer = (231, 238)
ok = l05.check_three_way(answer)
''',
    "anywhere": '''
from mapletree_edu.lessons import l05

start = 10 ** 9
ops = [("store", start + i, start + i) for i in range(l05.NARROW_COUNT)]   # singletons
ops += [("erase", start + i) for i in l05.NARROW_ERASE]    # the last erase rebalances
answer = ops
ok = l05.check_small_pivot_anywhere(answer)
''',
    "first_split": '''
from mapletree_edu.lessons import l05
from mapletree_edu.lessons.common import leaf_sizes

r = l05.FIRST_SPLIT_SINGLETONS
t = l05.singletons(len(r), start=r[0])
answer = leaf_sizes(t)
print(answer)
ok = l05.check_first_split(answer)
''',
    "vma_split": '''
from mapletree_edu.lessons import l05

rows = l05.append_history(40, length=l05.TOUCHING)
print(l05.history_table(rows, only_changes=True))
first = next(r for r in rows if r["commit"] == "split" and not r["push"])
answer = (first["i"], first["leaves"])
print(answer)
ok = l05.check_vma_split(answer)
''',
    "push_left": '''
from mapletree_edu.lessons import l05

rows = l05.append_history(40, length=l05.TOUCHING)
answer = next(r["i"] for r in rows if r["push"] == "left")
print(answer)
ok = l05.check_push_left(answer)
''',
    "rebalance": '''
from mapletree_edu.lessons import l05

for i, path, commit, sizes in l05.erase_history():
    print(i, path, commit, sizes)
answer = next(i for i, path, commit, sizes in l05.erase_history() if commit == "rebalance")
ok = l05.check_rebalance(answer)
''',
}


def solution(name):
    """The source text of a solution: ``print(l05.solution("first_split"))``."""
    return solution_text(SOLUTIONS, name)


__all__ = ["STRIDE", "LENGTH", "singletons", "append_range", "appended", "append_history",
           "history_table", "erase_base", "ERASE_ORDER", "erase_history", "THREE_WAY_STORE",
           "three_way_facts", "push_facts", "split_facts", "first_split_tree",
           "check_first_split", "check_vma_split", "check_push_left", "check_rebalance",
           "solution", "SOLUTIONS",
           "TOUCHING", "FIRST_SPLIT_SINGLETONS", "COLLAPSED", "NARROW_START", "NARROW_COUNT",
           "NARROW_ERASE", "narrow_tree", "narrow_erases", "calc_steps", "small_pivot_fired",
           "big_node_table", "ledger_of", "max_rebalance_entries", "three_way_needs",
           "check_three_way", "check_small_pivot_anywhere", "HIGH"]
