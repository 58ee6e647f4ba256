# SPDX-License-Identifier: GPL-2.0-or-later
"""Lesson 2, walking and storing: the example trees, exercise checks and solutions.

Every expected answer is computed here by recording the store on a copy of the tree
and reading which write path the model took (the kernel function of the step).
"""

from ..core.constants import MAPLE_LEAF_64, MT_MIN_SLOTS
from .common import (
    WRITE_PATHS,
    call_text,
    commit_kind,
    fns,
    leaf_sizes,
    leaves,
    record_op,
    report,
    solution_text,
    tree_of,
    unanswered,
    vma_ranges,
    write_path,
)


# --- the trees the lesson uses ----------------------------------------------------------
def tree_a(rcu=False):
    """Six VMA-like ranges [10i, 10i+5], entries 0..5: one root leaf."""
    return tree_of(vma_ranges(6), rcu=rcu)


def tree_b():
    """Twelve VMA-like ranges [10i, 10i+5]: a root and two leaves."""
    return tree_of(vma_ranges(12))


#: Exercise "which_path": four stores into tree_a(), each on a fresh copy.
WHICH_PATH_STORES = ((30, 35, "x"), (60, 69, "x"), (32, 39, "x"), (31, 33, "x"))

#: Exercise "coalesce": the index erased from tree_a() and the index asked about.
COALESCE_ERASE = 20


def paths_of(tree, stores):
    """The write path of each (first, last, entry) store, each on a copy of ``tree``."""
    return [write_path(record_op(tree, "store", f, la, e, on_copy=True)[0])
            for f, la, e in stores]


# --- checks ---------------------------------------------------------------------------------
def _path_name(x):
    return str(x).strip().rstrip("()")


def check_which_path(answer):
    """Exercise "which_path": the write path of each WHICH_PATH_STORES store into tree_a()."""
    expected = paths_of(tree_a(), WHICH_PATH_STORES)
    if unanswered(answer):
        return report(False, "", "set answer to a list of four kernel function names, e.g. "
                      "['mas_wr_append', ...].")
    if not isinstance(answer, (list, tuple)) or len(answer) != len(expected):
        return report(False, "", f"the answer is a list of {len(expected)} names.")
    got = [_path_name(a) for a in answer]
    unknown = [g for g in got if g not in WRITE_PATHS]
    if unknown:
        return report(False, "", f"{unknown[0]!r} is not one of the write paths: "
                      f"{', '.join(WRITE_PATHS[3:])}.")
    if got == expected:
        return report(True, "exact fit, append, slot store, node store: the kernel tries "
                      "the cheapest change first.", "")
    bad = [i for i, (g, e) in enumerate(zip(got, expected, strict=False)) if g != e]
    first = WHICH_PATH_STORES[bad[0]]
    return report(False, "", f"{len(bad)} wrong; look again at {call_text(*first)}: how many "
                  "slots does the leaf have afterwards, and is the write in the last slot?")


def expected_coalesce():
    t = tree_a()
    t.erase(COALESCE_ERASE)
    return next((f, la) for f, la, e in t.ranges(include_null=True)
                if f <= COALESCE_ERASE <= la)


def check_coalesce(answer):
    """Exercise "coalesce": the (first, last) of the NULL range holding COALESCE_ERASE
    after tree_a().erase(COALESCE_ERASE)."""
    expected = expected_coalesce()
    if unanswered(answer):
        return report(False, "", "set answer = (first, last).")
    if not isinstance(answer, (list, tuple)) or len(answer) != 2:
        return report(False, "", "the answer is a pair (first, last).")
    got = tuple(answer)
    if got == expected:
        return report(True, f"{list(expected)}: the erased range merged with the NULL ranges "
                      "on both sides (mas_wr_extend_null), so the leaf never holds two NULLs "
                      "side by side.", "")
    t = tree_a()
    old = next((f, la) for f, la, e in t.ranges() if f <= COALESCE_ERASE <= la)
    if got == old:
        return report(False, "", "that is the range erase() cleared; what happens to the NULL "
                      "ranges next to it?")
    if got[0] == expected[0] or got[1] == expected[1]:
        return report(False, "", "one side is right: the NULL run grows on both sides.")
    return report(False, "", "list the ranges before and after the erase: which NULL ranges "
                  "touch the erased one?")


def _refuse_facts(first, last, entry):
    t = tree_b()
    before = leaves(t)
    steps, after = record_op(t, "store", first, last, entry, on_copy=True)
    in_left = before[0].min <= first and last <= before[0].max
    return steps, in_left, leaf_sizes(after)


def check_refuse(answer):
    """Exercise "refuse": a store (first, last, entry) into tree_b()'s left leaf that the
    node store refuses and the big node rewrites in one node (mas_commit_b_node)."""
    if unanswered(answer):
        return report(False, "", "set answer = (first, last, entry); entry None is a NULL "
                      "store.")
    if not isinstance(answer, (list, tuple)) or len(answer) != 3:
        return report(False, "", "the answer is a tuple (first, last, entry).")
    first, last, entry = answer
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (first, last)) \
            or first > last or first < 0:
        return report(False, "", "first and last are ints with first <= last.")
    steps, in_left, sizes = _refuse_facts(first, last, entry)
    names = fns(steps)
    if not in_left:
        return report(False, "", "keep the store inside the left leaf: its slot table "
                      "shows the range it covers.")
    path = write_path(steps)
    if path == "mas_wr_bnode" and commit_kind(steps) == "rewrite":
        return report(True, f"{call_text(first, last, entry)} leaves the left leaf with "
                      f"{sizes[0]} entries: too few for mas_wr_node_store in a non-root leaf, "
                      "enough for mas_commit_b_node to rewrite it without a rebalance.", "")
    if "mas_rebalance" in names:
        return report(False, "", "that went one step further: the leaf became so small that it "
                      "was rebalanced with its sibling. Remove a little less.")
    if "mas_split" in names:
        return report(False, "", "that made the leaf overflow; the refusal is about a leaf "
                      "becoming small.")
    return report(False, "", f"that took {path}; the leaf still has {sizes[0]} entries. "
                  "Node store refuses when a non-root leaf would end up with "
                  f"{MT_MIN_SLOTS[MAPLE_LEAF_64] + 1} or fewer: remove entries (a NULL store) "
                  "instead of adding them.")


def in_place_facts(first, last, entry):
    """(write path, new nodes, freed nodes, leaf sizes) of one store into tree_a(rcu=True)."""
    steps, t = record_op(tree_a(rcu=True), "store", first, last, entry)
    new = sum(len(s.new) for s in steps)
    freed = sum(len(s.freed) for s in steps)
    return write_path(steps), new, freed, leaf_sizes(t)


def check_in_place_rcu(answer):
    """Exercise "in_place_rcu": a store (first, last, entry) into tree_a(rcu=True) that is
    not an exact fit and still changes the leaf in place (no new node, none freed)."""
    if unanswered(answer):
        return report(False, "", "set answer = (first, last, entry).")
    if not isinstance(answer, (list, tuple)) or len(answer) != 3:
        return report(False, "", "the answer is a tuple (first, last, entry).")
    first, last, entry = answer
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (first, last)) \
            or not 0 <= first <= last:
        return report(False, "", "first and last are ints with 0 <= first <= last.")
    path, new, freed, _sizes = in_place_facts(first, last, entry)
    if path == "mas_wr_modify":
        return report(False, "", "that one is an exact fit (one slot pointer is swapped): "
                      "find one that moves a boundary between two ranges.")
    if new == 0 and freed == 0:
        return report(True, f"{call_text(first, last, entry)} took {path} and changed the "
                      "leaf where it is: one slot pointer and one pivot. v6.8 allows this "
                      "in RCU mode when only two neighbouring slots are involved.", "")
    return report(False, "", f"that took {path} and wrote a new node ({new} new, {freed} "
                  "freed). Which store keeps the slot count and touches only two "
                  "neighbouring ranges?")


# --- solutions --------------------------------------------------------------------------------
SOLUTIONS = {
    "which_path": '''
from mapletree_edu.lessons import l02
from mapletree_edu.lessons.common import record_op, write_path

t = l02.tree_a()
answer = []
for first, last, entry in l02.WHICH_PATH_STORES:
    steps, _copy = record_op(t, "store", first, last, entry, on_copy=True)
    answer.append(write_path(steps))
print(answer)
ok = l02.check_which_path(answer)
''',
    "coalesce": '''
from mapletree_edu.lessons import l02

t = l02.tree_a()
t.erase(l02.COALESCE_ERASE)
answer = next((first, last) for first, last, entry in t.ranges(include_null=True)
              if first <= l02.COALESCE_ERASE <= last)
print(answer)
ok = l02.check_coalesce(answer)
''',
    "refuse": '''
from mapletree_edu.lessons import l02
from mapletree_edu.lessons.common import fns, leaf_sizes, record_op, slot_table

t = l02.tree_b()
print(slot_table(t, 1))        # the left leaf: 9 slots
# NULL-store one entry: the leaf loses the entry and one NULL range (they coalesce),
# 7 slots: new_end 6 <= mt_min_slots, so node store refuses; b_end 6 is not < 6,
# so the big node rewrites the leaf without a rebalance
answer = (10, 15, None)
steps, after = record_op(t, "store", *answer, on_copy=True)
print(fns(steps), leaf_sizes(after))
ok = l02.check_refuse(answer)
''',
    "in_place_rcu": '''
from mapletree_edu.lessons import l02
from mapletree_edu.lessons.common import record_op, write_path

# cover the end of the NULL [6, 9] and ALL of the entry 1 at [10, 15]: the new entry
# takes 1's slot, the pivot between the two slots moves from 9 to 7, and the slot count
# stays the same (a two-slot slot store)
answer = (8, 15, "y")
steps, t = record_op(l02.tree_a(rcu=True), "store", *answer)
print(write_path(steps), "new nodes:", sum(len(s.new) for s in steps))
ok = l02.check_in_place_rcu(answer)
''',
}


def solution(name):
    """The source text of a solution: ``print(l02.solution("which_path"))``."""
    return solution_text(SOLUTIONS, name)


__all__ = ["tree_a", "tree_b", "WHICH_PATH_STORES", "COALESCE_ERASE", "paths_of",
           "check_which_path", "check_coalesce", "check_refuse", "in_place_facts",
           "check_in_place_rcu",
           "solution", "SOLUTIONS"]
