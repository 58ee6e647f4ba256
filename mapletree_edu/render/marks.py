# SPDX-License-Identifier: GPL-2.0-or-later
"""Stage 2 of a frame: mark the drawn nodes and their cells.

No kernel twin. For every node the Plan draws: its status colour (new, copied,
modified), a thick border on the walked path, a purple one for the sibling, the header
notes (``mas.node``, ``replaces n7``, ``sibling``, the __mt_dup visit number); for every
cell of its slot row: the offsets it stands for, its index range, its content and its
marks (NULL, the range written or looked up, the state's slot, a gap search's verdict). The set of
marks used goes to the legend, which shows nothing else.
"""

from dataclasses import dataclass, field

from .metrics import drawn_cells


@dataclass(frozen=True)
class Cell:
    """One cell of a node's slot row: slots ``first..last`` covering [lo, hi]."""

    first: int
    last: int
    lo: int
    hi: int
    elided: bool = False
    content: tuple = ()          # the slots' contents (entries or child serials)
    fill: str = None             # "null", "range", "read", "skip", "enter" or None
    slot: bool = False           # the state's slot
    verdict: str = None          # "gap 12: skip" for a judged subtree
    verdicts: tuple = ()         # an elided run: each slot's verdict (None: not judged)


@dataclass(frozen=True)
class NodeMark:
    status: str = None           # "new", "copied", "modified" or None
    bold: bool = False           # on the walked path
    sibling: bool = False
    notes: tuple = ()            # header notes after the serial
    visit: int = None
    cells: tuple = ()


@dataclass(frozen=True)
class Marks:
    nodes: dict                  # serial -> NodeMark
    path_edges: frozenset        # (parent serial, child serial)
    used: frozenset = field(default_factory=frozenset)


def header_notes(hl):
    """{serial: notes} for the header of each node the step names."""
    notes = {}
    replaced_by = dict(hl.replaces)
    for s, note in ([(hl.node, "mas.node")] + [(k, f"replaces n{v}")
                                               for k, v in replaced_by.items()]
                    + [(hl.sibling, "sibling")]):
        if s is not None:
            notes.setdefault(s, []).append(note)
    return {k: tuple(v) for k, v in notes.items()}


def _cells(n, hidden, hl, pruned):
    out = []
    lo_of = [n.min] + [p + 1 for p in n.pivots[:-1]]
    for first, last, elided in drawn_cells(len(n.slots), hidden):
        lo, hi = lo_of[first], n.pivots[last]
        content = tuple(n.slots[first:last + 1])
        fill = None
        in_range = hl.range is not None and lo <= hl.range[1] and hi >= hl.range[0]
        if n.is_leaf and in_range and not elided:
            fill = "read" if hl.reads else "range"
        elif n.is_leaf and not elided and content == (None,):
            fill = "null"
        verdict = None
        verdicts = ()
        if not elided and first in pruned:
            gap, why = pruned[first]
            fill = "enter" if why == "enter" else "skip"
            verdict = f"gap {gap}: {why}"
        elif elided and any(k in pruned for k in range(first, last + 1)):
            verdicts = tuple(f"gap {pruned[k][0]}: {pruned[k][1]}" if k in pruned else None
                             for k in range(first, last + 1))
            if all(k in pruned and pruned[k][1] != "enter" for k in range(first, last + 1)):
                # a run the gap search skipped, slot by slot: drawn as skipped
                fill = "skip"
                verdict = f"{last - first + 1} skipped"
        slot = bool(hl.slot and hl.slot[0] == n.serial and first <= hl.slot[1] <= last)
        out.append(Cell(first, last, lo, hi, elided, content, fill, slot, verdict,
                        verdicts))
    return tuple(out)


def mark(view, plan, hl, visits=None):
    """Marks of every drawn node of ``view`` under ``plan`` for the Highlight ``hl``;
    ``visits``: {serial: __mt_dup visit number}."""
    visits = visits or {}
    notes = header_notes(hl)
    nodes = {}
    used = set()
    pruned_at = {}
    for serial, offset, gap, verdict in hl.pruned:
        pruned_at.setdefault(serial, {})[offset] = (gap, verdict)
    for n in view.nodes:
        if n.serial not in plan.visible:
            continue
        status = hl.status(n.serial)
        cells = _cells(n, plan.hidden.get(n.serial, frozenset()), hl,
                       pruned_at.get(n.serial, {}))
        m = NodeMark(status=status, bold=n.serial in hl.path, sibling=n.serial == hl.sibling,
                     notes=notes.get(n.serial, ()), visit=visits.get(n.serial), cells=cells)
        nodes[n.serial] = m
        if status:
            used.add(status)
        if m.bold:
            used.add("path")
        if m.sibling:
            used.add("sibling")
        if m.visit is not None:
            used.add("visit")
        for c in cells:
            if c.fill:
                used.add(c.fill)
            if c.slot:
                used.add("slot")
            if c.elided:
                used.add("elided")
        if n.gaps is not None and n.gap_off is not None and any(
                c.first <= n.gap_off <= c.last and not c.elided for c in cells):
            used.add("gap_off")
    if plan.summaries:
        used.add("summary")
        for s in plan.summaries:
            used.update(w for w, _c in s.marked)
    path = set(hl.path)
    edges = frozenset((n.parent, n.serial) for n in view.nodes
                      if n.serial in path and n.parent in path)
    if hl.freed:
        used.add("freed")
    return Marks(nodes, edges, frozenset(used))
