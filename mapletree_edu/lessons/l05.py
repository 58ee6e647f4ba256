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
        return report(True, f"{expected}: the pivots are not below min + 15 here, so the "
                      "small-pivot rule does not fire and the split is near the middle.", "")
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
        return report(True, f"append {expected}: the left sibling had room, so no new leaf was "
                      "needed; mas_push_data filled the left leaf instead.", "")
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


# --- solutions -------------------------------------------------------------------------------
SOLUTIONS = {
    "first_split": '''
r = l05.FIRST_SPLIT_SINGLETONS
t = l05.singletons(len(r), start=r[0])
answer = leaf_sizes(t)
print(answer)
ok = l05.check_first_split(answer)
''',
    "vma_split": '''
rows = l05.append_history(40, length=l05.TOUCHING)
print(l05.history_table(rows, only_changes=True))
first = next(r for r in rows if r["commit"] == "split" and not r["push"])
answer = (first["i"], first["leaves"])
print(answer)
ok = l05.check_vma_split(answer)
''',
    "push_left": '''
rows = l05.append_history(40, length=l05.TOUCHING)
answer = next(r["i"] for r in rows if r["push"] == "left")
print(answer)
ok = l05.check_push_left(answer)
''',
    "rebalance": '''
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
           "TOUCHING", "FIRST_SPLIT_SINGLETONS", "COLLAPSED"]
