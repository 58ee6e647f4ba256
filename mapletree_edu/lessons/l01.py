# SPDX-License-Identifier: GPL-2.0-or-later
"""Lesson 1, what a maple tree stores: the example trees, exercise checks and solutions.

Every expected answer is computed here from the model, never typed in.
"""

import re

from ..core.constants import (
    MAPLE_ARANGE_64,
    MAPLE_LEAF_64,
    MAPLE_RANGE_64,
    MT_MIN_SLOTS,
    MT_PIVOTS,
    MT_SLOTS,
    TYPE_NAMES,
    ULONG_MAX,
)
from ..tree import MapleTree
from .common import (
    Table,
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

#: include/linux/maple_tree.h: MAPLE_NODE_MASK is 255, so a node is 256 bytes and
#: 256-byte aligned; on 64-bit every pointer and every unsigned long is 8 bytes.
NODE_BYTES = 256
WORD = 8
META_BYTES = 2          # struct maple_metadata { unsigned char end, gap; }

#: Where each number of this lesson lives in Linux v6.8 (file:line of the bc4fae0d tree
#: named in the kernel reference; lines are where the comparison or definition is).
V68 = {
    "MAPLE_RANGE64_SLOTS": "include/linux/maple_tree.h:30",
    "MAPLE_ARANGE64_SLOTS": "include/linux/maple_tree.h:31",
    "MAPLE_NODE_MASK": "include/linux/maple_tree.h:41",
    "struct maple_range_64": "include/linux/maple_tree.h:103",
    "struct maple_arange_64": "include/linux/maple_tree.h:124",
    "mt_min_slots": "lib/maple_tree.c:111",
    "mt_mk_node": "lib/maple_tree.c:334",
    "MAPLE_PARENT_RANGE64": "lib/maple_tree.c:415",
    "mas_wr_modify": "lib/maple_tree.c:4181",
    "mas_wr_node_store": "lib/maple_tree.c:3895",
    "mas_commit_b_node": "lib/maple_tree.c:3442",
    "mas_spanning_rebalance": "lib/maple_tree.c:2854",
    "mast_sufficient": "lib/maple_tree.c:2734",
    "mab_no_null_split": "lib/maple_tree.c:1836",
    "mab_calc_split, bulk": "lib/maple_tree.c:1867",
    "mab_calc_split": "lib/maple_tree.c:1900",
    "mas_bulk_rebalance": "lib/maple_tree.c:2052",
    "mas_preallocate": "lib/maple_tree.c:5503",
    "mas_destroy": "lib/maple_tree.c:5547",
    "mt_validate": "lib/maple_tree.c:7496",
    "mas_topiary_replace": "lib/maple_tree.c:2548",
}


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
    return report(False, "", "list every range of the tree, NULL ones included (the table of "
                  "section 1 shows how), and find the one that contains 27.")


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


#: Exercise "root_gap": the index whose entry is erased from tree_gaps() before the
#: question (entry 2 of the first leaf, between two holes).
ROOT_GAP_ERASE = 0xC000


def root_gap_tree():
    """tree_gaps() after ``erase(ROOT_GAP_ERASE)``."""
    t = tree_gaps()
    t.erase(ROOT_GAP_ERASE)
    return t


def expected_root_gap():
    root = view_of(root_gap_tree()).nodes[0]
    return root.gaps[0]


def check_root_gap(answer):
    """Exercise "root_gap": gap[0] of the root of tree_gaps() after erase(ROOT_GAP_ERASE),
    the largest hole under child 0 once the erased range has merged with its neighbours."""
    expected = expected_root_gap()
    if unanswered(answer):
        return report(False, "", "set answer to a number (hex like 0x3000 is fine).")
    if isinstance(answer, bool) or not isinstance(answer, int):
        return report(False, "", "the answer is an int.")
    if answer == expected:
        return report(True, f"{expected:#x}: the erased entry and the holes on both sides of "
                      "it became one NULL range, now the largest of the first leaf, and "
                      "mas_update_gap() wrote it into the root. The gap search "
                      "(mas_empty_area(), called through vm_unmapped_area()) reads these "
                      "numbers to skip whole subtrees with no hole big enough.", "")
    before = view_of(tree_gaps()).nodes[0].gaps[0]
    if answer == before:
        return report(False, "", "that is gap[0] before the erase: erase() stores NULL over "
                      "the whole entry, and NULL ranges never sit side by side.")
    child = leaves(tree_gaps())[0]
    sizes = [hi - lo + 1 for lo, hi, e in _leaf_ranges(child) if e is None]
    if answer in sizes:
        return report(False, "", "that is one hole of the first leaf before the erase; what "
                      "does the erased range join up with?")
    return report(False, "", "list the first leaf's ranges, remove the erased entry, merge the "
                  "NULL ranges that now touch, and take the largest. Both ends of a range "
                  "are included in its size.")


# --- the node itself ---------------------------------------------------------------------
def node_bytes_table():
    """How the 256 bytes of a node are spent, per node type (64-bit)."""
    rows = []
    for t in (MAPLE_LEAF_64, MAPLE_RANGE_64, MAPLE_ARANGE_64):
        slots, pivots = MT_SLOTS[t], MT_PIVOTS[t]
        gaps = slots if t == MAPLE_ARANGE_64 else 0
        used = WORD + pivots * WORD + slots * WORD + gaps * WORD
        if t == MAPLE_ARANGE_64:
            meta = f"{META_BYTES} (own field)"
            used += META_BYTES
        else:
            meta = "in slot 15's 8 bytes"
        one_more = used + (3 if gaps else 2) * WORD
        rows.append([TYPE_NAMES[t], WORD, f"{pivots} x {WORD} = {pivots * WORD}",
                     f"{slots} x {WORD} = {slots * WORD}",
                     f"{gaps} x {WORD} = {gaps * WORD}" if gaps else "-", meta,
                     used, f"{one_more} > {NODE_BYTES}"])
    return Table(["type", "parent", "pivots", "slots", "gaps", "metadata", "bytes used",
                  "one more slot"], rows, f"a node is {NODE_BYTES} bytes (MAPLE_NODE_MASK + 1)")


def metadata_table(tree):
    """The metadata of each node: meta.end (last used slot) and meta.gap (the child with
    the largest gap; arange_64 only), and where the kernel keeps it."""
    rows = []
    for n in view_of(tree).nodes:
        if n.type == "arange_64":
            where = "its own field after gap[]"
            gap = n.gap_off
        elif n.end + 1 < MT_SLOTS[MAPLE_LEAF_64]:
            where = "the storage of slot 15 (unused)"
            gap = 0
        else:
            where = "none: all 16 slots hold data"
            gap = "-"
        rows.append([f"#{n.id}", n.type, n.end + 1, n.end, gap, where])
    return Table(["node", "type", "used slots", "meta.end", "meta.gap", "kept in"], rows)


_PTR = re.compile(r"node ([0-9a-f]+) depth (\d+) type (\d) parent ([0-9a-f]+)")


def pointer_table(tree):
    """The low byte of every node pointer in ``tree.dump()``, decoded: the root pointer and
    each node's parent pointer (mt_mk_node(), MAPLE_ROOT_NODE, MAPLE_PARENT_*)."""
    text = tree.dump()
    rows = []
    head = re.search(r"root ([0-9a-f]+)", text.splitlines()[0])
    if head:
        word = int(head.group(1), 16)
        low = word & 0xFF
        if low & 0x2:
            rows.append(["root pointer", f"{word:#x}", f"{low:#04x}",
                         f"type {(low >> 3) & 0xF} ({TYPE_NAMES[(low >> 3) & 0xF]}) << 3 "
                         "| 0x4 (MAPLE_ENODE_NULL) | 0x2 (MAPLE_ROOT_NODE)"])
    for m in _PTR.finditer(text):
        addr, depth, mtype, parent = m.groups()
        word = int(parent, 16)
        low = word & 0xFF
        if low & 0x1:
            meaning = "bit 0: the parent is the tree itself (this is the root)"
        else:
            meaning = (f"slot {low >> 3} << 3 | 0x6 (MAPLE_PARENT_RANGE64: a range_64 or "
                       "arange_64 parent)")
        rows.append([f"node {addr[-4:]} (depth {depth}, type {mtype}) parent", f"{word:#x}",
                     f"{low:#04x}", meaning])
    return Table(["pointer", "value", "low byte", "what the low bits say"], rows)


#: The "too small" and "too big" tests of v6.8, one row each: the function, what it
#: compares, the thresholds for leaf_64/range_64 and arange_64, what happens, and the line.
#: These are all the comparisons with mt_min_slots[] in v6.8's lib/maple_tree.c (lines
#: 1836, 1867, 1890/1900, 2052, 2734, 2854, 3442, 3895, 5503, 5547, 7496), plus the "too big"
#: test of mas_wr_modify(). A row whose node can only be a leaf says so in the arange_64
#: column: the write paths work on the leaf (wr_mas->type, b_node->type), and only
#: mab_calc_split(), mast_sufficient() and mt_validate() also see internal nodes.
LEAVES_ONLY = "(leaves only)"


def threshold_rows():
    leaf, arange = MT_MIN_SLOTS[MAPLE_LEAF_64], MT_MIN_SLOTS[MAPLE_ARANGE_64]
    slots = MT_SLOTS[MAPLE_LEAF_64]
    return [
        ("mas_wr_modify", "new_end >= mt_slots", f">= {slots} (17+ entries)", LEAVES_ONLY,
         "too big for the leaf: the big node takes over, which splits",
         V68["mas_wr_modify"]),
        ("mas_wr_node_store", "not root, new_end <= mt_min_slots, not bulk",
         f"<= {leaf} (7 or fewer entries)", LEAVES_ONLY,
         "refuses; the big node takes over", V68["mas_wr_node_store"]),
        ("mas_commit_b_node", "b_end < mt_min_slots, not root, height > 1",
         f"< {leaf} (6 or fewer entries)", LEAVES_ONLY,
         "mas_rebalance() with a sibling; b_end >= mt_slots splits; else one node",
         V68["mas_commit_b_node"]),
        ("mas_spanning_rebalance", "b_end <= mt_min_slots, not the whole tree (b_end "
         "counts entries here)", f"<= {leaf} (6 or fewer entries)", LEAVES_ONLY,
         "pulls in a whole neighbouring leaf before it rebuilds",
         V68["mas_spanning_rebalance"]),
        ("mast_sufficient", "b_end > mt_min_slots (b_end counts entries here)",
         f"> {leaf} (7 or more entries)", f"> {arange} (5 or more)",
         "enough data for a node of its own: stop pulling in (each level going up)",
         V68["mast_sufficient"]),
        ("mab_calc_split", "b_end - split > mt_min_slots, while the left node's range "
         "is narrower than mt_slots indices", f"> {leaf} (the right node keeps {leaf}+)",
         f"> {arange} (keeps {arange}+)",
         "moves the split right one slot at a time, keeping the right node at the minimum "
         "or more",
         V68["mab_calc_split"]),
        ("mab_calc_split", "bulk mode: split = b_end - mt_min_slots",
         f"right node gets {leaf} (7 if the split slot is NULL)", f"right node gets {arange}",
         "the left node is filled, the right one gets the minimum",
         V68["mab_calc_split, bulk"]),
        ("mab_no_null_split", "b_end - split > mt_min_slots",
         f"> {leaf} (the right node keeps {leaf}+)",
         "(no NULL slots in internal nodes)",
         "a split on a NULL slot moves right if the right node keeps enough, else left",
         V68["mab_no_null_split"]),
        ("mas_bulk_rebalance", "bulk mode, not root, end > mt_min_slots",
         f"> {leaf} (8 or more entries)", LEAVES_ONLY,
         "the leaf is big enough: mas_destroy() need not rebalance it",
         V68["mas_bulk_rebalance"]),
        ("mas_preallocate", "new_end - 1 <= mt_min_slots",
         f"<= {leaf} (8 or fewer entries)", LEAVES_ONLY,
         "a rebalance may follow: preallocate 2 x height - 1 nodes", V68["mas_preallocate"]),
        ("mas_destroy", "end + 1 < mt_min_slots - 1 (bulk mode, last leaf)",
         f"< {leaf - 1} (4 or fewer entries)", LEAVES_ONLY,
         "mas_destroy_rebalance() of the last leaf with its left sibling",
         V68["mas_destroy"]),
        ("mt_validate", "end < mt_min_slots, and max != MAX",
         f"< {leaf} (6 or fewer entries)", f"< {arange} (4 or fewer)",
         "reports 'Invalid size'; a node ending at MAX (the right-most of each level, "
         "the root too) is exempt", V68["mt_validate"]),
    ]


def thresholds_table():
    """All the v6.8 size thresholds in one table (lesson 01's "The size thresholds")."""
    rows = [[f"{fn}()", test, lf, ar, what, where]
            for fn, test, lf, ar, what, where in threshold_rows()]
    return Table(["function", "tests", "leaf_64 / range_64", "arange_64", "then",
                  "v6.8 line"], rows)


# --- how to read a diagram ---------------------------------------------------------------
def diagram_marks():
    """(mark, what it means) for every mark of the notation, in the renderer's order.
    The list is the renderer's own (``render.notation.MARKS``), so the lesson cannot
    explain a mark the diagrams do not draw, or miss one they do."""
    from ..render import MARKS
    return [(m.name, m.meaning) for m in MARKS]


def notation_key_dot(keys=None):
    """DOT text of the key to the notation (every mark, or those with the given keys),
    drawn by the renderer as the diagrams draw the marks."""
    from ..render import notation_dot
    return notation_dot(keys)


def notation_key(keys=None):
    """Display the key to the notation: each mark's sample as the diagrams draw it, its
    name and its meaning (a picture, with the same list as text for text-only views)."""
    from ..render import MARKS
    from .common import show_dot
    chosen = [m for m in MARKS if keys is None or m.key in set(keys)]
    text = "\n".join(f"{m.name}: {m.meaning}" for m in chosen)
    show_dot(notation_key_dot(keys), "key to the diagrams' notation\n" + text)


# --- exercise "full_leaf" ------------------------------------------------------------------
FULL_LEAF_ENTRIES = 8


def full_leaf_tree(ranges):
    t = MapleTree()
    for i, (first, last) in enumerate(ranges):
        t.store(first, last, i)
    return t


def check_full_leaf(answer):
    """Exercise "full_leaf": 8 ranges that, stored in order into an empty tree, make one
    leaf with all 16 slots used (no split)."""
    if unanswered(answer):
        return report(False, "", f"set answer to a list of {FULL_LEAF_ENTRIES} (first, last) "
                      "pairs.")
    try:
        pairs = [(int(a), int(b)) for a, b in answer]
    except (TypeError, ValueError):
        return report(False, "", "the answer is a list of (first, last) pairs of ints.")
    if len(pairs) != FULL_LEAF_ENTRIES:
        return report(False, "", f"use exactly {FULL_LEAF_ENTRIES} ranges.")
    bad = [p for p in pairs if not 0 <= p[0] <= p[1] <= ULONG_MAX]
    if bad:
        return report(False, "", f"{bad[0]} is not a range: 0 <= first <= last <= MAX.")
    ordered = sorted(pairs)
    if any(b[0] <= a[1] for a, b in zip(ordered, ordered[1:], strict=False)):
        return report(False, "", "two of your ranges overlap: a later store would overwrite "
                      "part of an earlier one.")
    t = full_leaf_tree(pairs)
    sizes = [n.end + 1 for n in leaves(t)]
    if len(sizes) == 1 and sizes[0] == MT_SLOTS[MAPLE_LEAF_64]:
        return report(True, "one leaf, 16 slots: 8 entries and 8 NULL ranges. A ninth "
                      "slot-pair would not fit: the leaf would split.", "")
    if len(sizes) > 1:
        return report(False, "", f"the leaf split into {sizes}: your ranges need more than 16 "
                      "slots. Count the NULL ranges too, including any before the first entry.")
    return report(False, "", f"one leaf of {sizes[0]} slots: where could another NULL range "
                  "come from? Holes between, before and after the entries each take a slot.")


def _leaf_ranges(n):
    lo = n.min
    for piv, s in zip(n.pivots, n.slots, strict=False):
        yield lo, piv, s
        lo = piv + 1


# --- solutions -------------------------------------------------------------------------------
SOLUTIONS = {
    "range_at": '''
from mapletree_edu.lessons import l01

t = l01.tree_a()
answer = next((first, last, entry) for first, last, entry in t.ranges(include_null=True)
              if first <= 27 <= last)
print(answer)
ok = l01.check_range_at(answer)
''',
    "slots_after": '''
from mapletree_edu import MapleTree
from mapletree_edu.lessons import l01
from mapletree_edu.lessons.common import ranges_table

t = MapleTree()
for first, last, entry in l01.SLOTS_AFTER_STORES:
    t.store(first, last, entry)
print(ranges_table(t))
answer = len(list(t.ranges(include_null=True)))   # one slot per range, NULL ones too
ok = l01.check_slots_after(answer)
''',
    "root_entry": '''
from mapletree_edu.lessons import l01

answer = set()
for letter in l01.ROOT_ENTRY_CHOICES:
    t = l01.choice_tree(letter)
    if t.node_count == 0 and len(t) > 0:      # an entry but no node: it is in the root pointer
        answer.add(letter)
print(sorted(answer))
ok = l01.check_root_entry(answer)
''',
    "root_gap": '''
from mapletree_edu.lessons import l01
from mapletree_edu.lessons.common import leaves, node_table

t = l01.tree_gaps()
t.erase(l01.ROOT_GAP_ERASE)
first_leaf = leaves(t)[0]
holes = [last - first + 1 for first, last, entry in t.ranges(include_null=True)
         if entry is None and first_leaf.min <= first <= first_leaf.max]
answer = max(holes)
print(hex(answer))
print(node_table(t))                  # the root's gaps column agrees
ok = l01.check_root_gap(answer)
''',
    "full_leaf": '''
from mapletree_edu.lessons import l01
from mapletree_edu.lessons.common import node_table

# 8 entries with a hole after each; starting at 0 leaves no NULL range before the
# first one: entry, NULL, entry, NULL, ..., entry, NULL up to MAX = 16 slots
answer = [(i * 0x2000, i * 0x2000 + 0xfff) for i in range(8)]
print(node_table(l01.full_leaf_tree(answer)))
ok = l01.check_full_leaf(answer)
''',
}


def solution(name):
    """The source text of a solution: ``print(l01.solution("range_at"))``."""
    return solution_text(SOLUTIONS, name)


__all__ = ["tree_a", "gap_ranges", "tree_gaps", "SLOTS_AFTER_STORES", "ROOT_ENTRY_CHOICES",
           "choice_tree", "root_entry_choices", "check_range_at", "check_slots_after",
           "check_root_entry", "check_root_gap", "ROOT_GAP_ERASE", "root_gap_tree",
           "solution", "SOLUTIONS", "NODE_BYTES", "V68",
           "node_bytes_table", "metadata_table", "pointer_table", "threshold_rows",
           "LEAVES_ONLY", "thresholds_table", "diagram_marks",
           "notation_key", "notation_key_dot", "FULL_LEAF_ENTRIES",
           "full_leaf_tree", "check_full_leaf"]
