# SPDX-License-Identifier: GPL-2.0-or-later
"""The notation of the diagrams, as data: every mark, what it looks like, what it means.

How to read a diagram:

- A **node** is a table. Its header gives the node type (``leaf_64``, ``range_64``,
  ``arange_64``), the index range ``[min, max]`` the node covers, and its **serial**
  (``n2``): a number the model gives each node when it is allocated, kept for the node's
  life, so a node can be followed from step to step (a copy gets a new serial).
- The bottom row holds the **slots**. Slot *i* covers the index range from the pivot
  before it + 1 to **pivot** *i* (inclusive); the first slot starts at the node's min,
  the last ends at its max. Pivots are written under the boundary between the two slots
  they separate. Hover a slot to see its exact range and its entry.
- A leaf slot holds an **entry**: a number, or a short name (a VMA is drawn as its
  file's base name, ``anon`` for anonymous memory; hover for the full value). A grey slot
  is NULL (a gap). An internal slot points to a child; in an ``arange_64`` node it shows
  the largest gap below that child, and ``*`` marks **gap_off**, the slot with the
  largest gap of the node.
- Indices are written in decimal, or in hex (``0x…``) when any index of the diagram is
  above 0xffff. ``MAX`` is ULONG_MAX (2**64 - 1); values just below it are written
  ``MAX-115`` (= ULONG_MAX - 115), as the last gap of an allocation tree is. When every
  index of a node shares its leading hex digits, they are written once in the header
  (``pivots 0x7f4b…``) and each pivot as ``…`` plus the digits that differ.
- **Colours** say what the step did: green new, blue copied, orange modified, a dashed
  red box lists the nodes it freed; a thick border is the walked path and a purple one
  the sibling of a push or rebalance; a yellow slot is the range being written or, on a
  read step (a walk, a find, a gap search), the range being looked up or searched; the
  legend names which.
- Parts of the tree away from the action are **collapsed**: a dashed grey box stands for
  whole subtrees (it says how many leaves and which index range), and a ``⋯ 5`` cell
  inside a node stands for five slots not drawn (hover for their ranges).

``MARKS`` lists each mark with the colours the renderer uses; the legend of a frame shows
only the marks the frame uses, and a lesson can draw its own key from this data.
"""

from dataclasses import dataclass

NEW = ("#b9e6b3", "#2e8b3e")
COPIED = ("#bcd7f5", "#2f6fb5")
MODIFIED = ("#ffd8a8", "#d9822b")
PLAIN = ("#ececec", "#4d4d4d")
FREED = "#d62728"
SIBLING = "#7b3fa0"
RANGE_BG = "#fff2a8"
NULL_BG = "#d4d4d4"
SLOT_BORDER = "#1f5fbf"
SKIP_BG = "#eeeeee"
ENTER_BG = "#d7f0d2"
PIVOT_FG = "#444444"
SPLIT_FG = "#c0392b"
SUMMARY = "#999999"


@dataclass(frozen=True)
class Mark:
    """One mark of the notation. ``look``: how the legend draws its sample ("fill",
    "border", "dashed", "text"); ``fill``/``line``: its colours; ``sample``: the text
    in the sample; ``legend``: whether a frame's legend shows it when used."""

    key: str
    name: str
    meaning: str
    look: str = "text"
    fill: str = None
    line: str = None
    sample: str = ""
    legend: bool = True


MARKS = (
    Mark("new", "new", "a node this step allocated", "fill", NEW[0], NEW[1], "new"),
    Mark("copied", "copied", "a copy of a node (same content, new serial)", "fill",
         COPIED[0], COPIED[1], "copied"),
    Mark("modified", "modified", "a node this step changed in place", "fill", MODIFIED[0],
         MODIFIED[1], "modified"),
    Mark("freed", "freed", "nodes this step freed (listed beside the caption)", "dashed",
         None, FREED, "freed"),
    Mark("path", "path", "the nodes the walk went through (thick border)", "border",
         None, PLAIN[1], "path"),
    Mark("sibling", "sibling", "the sibling a push or rebalance moves data to or from",
         "border", None, SIBLING, "sibling"),
    Mark("range", "written range", "the slots the range being written overlaps", "fill",
         RANGE_BG, PLAIN[1], "written"),
    Mark("read", "range looked up", "on a read step (a walk, a find, a gap search): the "
         "slots the range it looks up or searches overlaps", "fill", RANGE_BG, PLAIN[1],
         "read"),
    Mark("null", "NULL", "an empty slot: a gap", "fill", NULL_BG, PLAIN[1], ""),
    Mark("slot", "state's slot", "the slot the maple state points at (mas.offset)",
         "border", None, SLOT_BORDER, "mas"),
    Mark("skip", "skipped", "a subtree the gap search ruled out (hover: why)", "fill",
         SKIP_BG, PLAIN[1], "skip"),
    Mark("enter", "entered", "a subtree the gap search went into (hover: why)", "fill",
         ENTER_BG, NEW[1], "enter"),
    Mark("gap_off", "* gap_off", "in an arange_64 node: the slot with the largest gap",
         "text", sample="9*"),
    Mark("summary", "collapsed", "subtrees not drawn: leaf count and index range", "dashed",
         None, SUMMARY, "\u2026 12 leaves"),
    Mark("elided", "\u22ef slots", "slots of a node not drawn (hover: their ranges)", "text",
         sample="\u22ef 5"),
    Mark("split", "split", "mab_calc_split's split point in the big node", "text",
         line=SPLIT_FG, sample="split"),
    Mark("visit", "visit n", "__mt_dup's depth-first visit number of a copied node",
         "text", line=COPIED[1], sample="visit 3"),
    Mark("pivot", "pivot", "the inclusive upper bound of the slot to its left", "text",
         line=PIVOT_FG, sample="15", legend=False),
    Mark("serial", "n2", "the node's serial: the same node keeps it from step to step",
         "text", sample="n2", legend=False),
    Mark("max", "MAX-115", "ULONG_MAX minus 115 (MAX is 2**64 - 1)", "text",
         sample="MAX-115", legend=False),
    Mark("hex", "0x\u2026", "indices in hex when any is above 0xffff", "text",
         sample="0x7f4b\u2026", legend=False),
    Mark("state", "mas.node", "the node the maple state points at (a note in the header)",
         "text", sample="mas.node", legend=False),
)

BY_KEY = {m.key: m for m in MARKS}
LEGEND_ORDER = tuple(m.key for m in MARKS if m.legend)


def marks(keys=None):
    """The marks with these keys (all when None), in the notation's order."""
    if keys is None:
        return MARKS
    unknown = set(keys) - set(BY_KEY)
    if unknown:
        raise ValueError(f"unknown mark(s) {sorted(unknown)}; known: {sorted(BY_KEY)}")
    return tuple(m for m in MARKS if m.key in set(keys))
