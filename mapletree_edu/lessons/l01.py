# SPDX-License-Identifier: GPL-2.0-or-later
"""Lesson 1, what a maple tree stores: the example trees, exercise checks and solutions.

Every expected answer is computed here from the model, never typed in.
"""

from ..core.constants import ULONG_MAX
from ..tree import MapleTree
from .common import (
    call_text,
    entry_text,
    leaves,
    report,
    solution_text,
    store,
    tree_of,
    unanswered,
    view_of,
    vma_ranges,
)


# --- the trees the lesson uses ----------------------------------------------------------
def tree_a():
    """Six VMA-like ranges [10i, 10i+5] with entries 0..5, in an allocation tree."""
    return tree_of(vma_ranges(6))


def gap_ranges(n=8):
    """``n`` page-sized ranges with holes of 1 to 11 pages between them."""
    out, first = [], 0x1000
    for i in range(n):
        out.append((first, first + 0xFFF))
        first += 0x1000 + 0x1000 * ((i * 7) % 11 + 1)
    return out


def tree_gaps():
    """An allocation tree of :func:`gap_ranges`: two levels, gaps in the root."""
    return tree_of(gap_ranges())


#: Exercise "slots_after": the stores, in order, into an empty tree.
SLOTS_AFTER_STORES = ((100, 199, "a"), (200, 299, "b"), (500, 599, "c"))

#: Exercise "root_entry": each choice is a list of (first, last, entry) stores into an
#: empty tree; entry None is a NULL store (tree.clear).
ROOT_ENTRY_CHOICES = {
    "a": ((0, 0, "x"),),
    "b": ((1, 1, "x"),),
    "c": ((0, 5, "x"),),
    "d": ((0, 0, "x"), (5, 5, "y"), (5, 5, None)),
    "e": ((0, ULONG_MAX, "x"),),
    "f": ((3, 3, "x"), (3, 3, None), (0, 0, "y")),
}


def choice_tree(letter):
    t = MapleTree()
    for first, last, entry in ROOT_ENTRY_CHOICES[letter]:
        store(t, first, last, entry)
    return t


def root_entry_choices():
    """The choices of exercise "root_entry" as text, one line each."""
    lines = []
    for letter, stores in ROOT_ENTRY_CHOICES.items():
        calls = "; ".join(f"t.{call_text(*s)}" for s in stores)
        lines.append(f"{letter}) t = MapleTree(); {calls}")
    return "\n".join(lines)


# --- checks -------------------------------------------------------------------------------
def _as_tuple(answer, n):
    if not isinstance(answer, (tuple, list)) or len(answer) != n:
        return None
    return tuple(answer)


def check_range_at(answer):
    """Exercise "range_at": the (first, last, entry) of tree_a() that holds index 27."""
    expected = next(r for r in tree_a().ranges(include_null=True) if r[0] <= 27 <= r[1])
    if unanswered(answer):
        return report(False, "", "set answer = (first, last, entry); entry is None for a "
                      "NULL range.")
    got = _as_tuple(answer, 3)
    if got is None:
        return report(False, "", "the answer is a tuple of three: (first, last, entry).")
    if got == expected:
        return report(True, f"index 27 lies in {list(expected[:2])}, which holds "
                      f"{entry_text(expected[2])}: the hole between two entries is a range "
                      "too.", "")
    if got[0] <= 27 <= got[1] and got[2] is not None:
        return report(False, "", "look again at what is stored there: is 27 inside an entry, "
                      "or in the hole after one?")
    return report(False, "", "print(ranges_table(t)) lists every range, NULL ones included; "
                  "find the one with first <= 27 <= last.")


def expected_slots_after():
    t = MapleTree()
    for first, last, entry in SLOTS_AFTER_STORES:
        store(t, first, last, entry)
    return leaves(t)[0].end + 1


def check_slots_after(answer):
    """Exercise "slots_after": used slots of the root leaf after SLOTS_AFTER_STORES."""
    expected = expected_slots_after()
    if unanswered(answer):
        return report(False, "", "set answer to a number of slots.")
    if isinstance(answer, bool) or not isinstance(answer, int):
        return report(False, "", "the answer is an int.")
    if answer == expected:
        return report(True, f"{expected} slots: every hole, including the one before the "
                      "first entry and the one up to MAX, takes a NULL slot; touching ranges "
                      "need none between them.", "")
    if answer == len(SLOTS_AFTER_STORES):
        return report(False, "", "a leaf has no 'empty' space: the holes around and between "
                      "the entries are NULL ranges with their own slots.")
    return report(False, "", "write the ranges out from 0 to MAX: where do two ranges touch, "
                  "and where is there a hole?")


def expected_root_entry():
    return {k for k in ROOT_ENTRY_CHOICES if view_of(choice_tree(k)).root == "entry"}


def check_root_entry(answer):
    """Exercise "root_entry": the set of choices that end with a root entry (no node)."""
    expected = expected_root_entry()
    if unanswered(answer):
        return report(False, "", "set answer to a set of letters, e.g. {'a', 'c'}.")
    try:
        got = {str(x).strip().lower() for x in answer}
    except TypeError:
        return report(False, "", "the answer is a set of letters, e.g. {'a', 'c'}.")
    if got == expected:
        return report(True, f"{', '.join(sorted(expected))}: only a lone entry at index 0 lives "
                      "in the root pointer; a tree that has had a node keeps it until a store "
                      "empties the whole range [0, MAX].", "")
    wrong = sorted(got - expected)
    missed = sorted(expected - got)
    hints = []
    if wrong:
        hints.append(f"{', '.join(wrong)}: build it and print(node_table(t)): is there a node?")
    if missed:
        hints.append(f"{len(missed)} choice(s) missing: what does a NULL store over the only "
                     "entry leave behind?")
    return report(False, "", " ".join(hints))


def expected_root_gap():
    root = view_of(tree_gaps()).nodes[0]
    return root.gaps[0]


def check_root_gap(answer):
    """Exercise "root_gap": gap[0] of tree_gaps()'s root, the largest hole under child 0."""
    expected = expected_root_gap()
    if unanswered(answer):
        return report(False, "", "set answer to a number (hex like 0x3000 is fine).")
    if isinstance(answer, bool) or not isinstance(answer, int):
        return report(False, "", "the answer is an int.")
    if answer == expected:
        return report(True, f"{expected:#x}: the largest NULL range in the first leaf. "
                      "get_unmapped_area() reads these numbers to skip whole subtrees that "
                      "have no hole big enough.", "")
    child = leaves(tree_gaps())[0]
    sizes = [hi - lo + 1 for lo, hi, e in _leaf_ranges(child) if e is None]
    if answer in sizes:
        return report(False, "", "that is one hole of the first leaf, but not the largest.")
    return report(False, "", "print(slot_table(t, 1)) shows the first leaf; the size of a "
                  "NULL range [lo, hi] is hi - lo + 1.")


def _leaf_ranges(n):
    lo = n.min
    for piv, s in zip(n.pivots, n.slots, strict=False):
        yield lo, piv, s
        lo = piv + 1


# --- solutions -------------------------------------------------------------------------------
SOLUTIONS = {
    "range_at": '''
t = l01.tree_a()
answer = next((first, last, entry) for first, last, entry in t.ranges(include_null=True)
              if first <= 27 <= last)
print(answer)
ok = l01.check_range_at(answer)
''',
    "slots_after": '''
t = MapleTree()
for first, last, entry in l01.SLOTS_AFTER_STORES:
    t.store(first, last, entry)
print(ranges_table(t))
answer = len(list(t.ranges(include_null=True)))   # one slot per range, NULL ones too
ok = l01.check_slots_after(answer)
''',
    "root_entry": '''
answer = set()
for letter in l01.ROOT_ENTRY_CHOICES:
    t = l01.choice_tree(letter)
    if t.node_count == 0 and len(t) > 0:      # an entry but no node: it is in the root pointer
        answer.add(letter)
print(sorted(answer))
ok = l01.check_root_entry(answer)
''',
    "root_gap": '''
t = l01.tree_gaps()
first_leaf = leaves(t)[0]
holes = [last - first + 1 for first, last, entry in t.ranges(include_null=True)
         if entry is None and first_leaf.min <= first <= first_leaf.max]
answer = max(holes)
print(hex(answer))
ok = l01.check_root_gap(answer)
''',
}


def solution(name):
    """The source text of a solution: ``print(l01.solution("range_at"))``."""
    return solution_text(SOLUTIONS, name)


__all__ = ["tree_a", "gap_ranges", "tree_gaps", "SLOTS_AFTER_STORES", "ROOT_ENTRY_CHOICES",
           "choice_tree", "root_entry_choices", "check_range_at", "check_slots_after",
           "check_root_entry", "check_root_gap", "solution", "SOLUTIONS"]
