# SPDX-License-Identifier: GPL-2.0-or-later
"""Players for the read side: a cursor, the free-space search, an RCU reader and writer.

Each is a :class:`~mapletree_edu.widgets.Player` (same transport bar, status line,
diagram and kernel-function panel) with a panel beside the diagram:

- :class:`CursorPlayer`: ``mas_walk()``, ``mas_find()``, ``mas_next()``, ``mas_prev()``
  ... on one maple state, step by step. The panel shows the state after each step
  (``index``, ``last``, ``node``, ``offset``, ``status``), with what changed in bold.
- :class:`FreeSpacePlayer`: one simulated ``mmap()`` (:mod:`mapletree_edu.mm`): the gap
  search ``mas_empty_area_rev()`` with the subtrees it skipped or entered and why, the
  hole it found, the neighbour checks of ``unmapped_area_topdown()``, then the store of
  the new VMA and the gaps updated on the way up.
- :class:`RcuPlayer`: a reader and a writer interleaved on a tree in RCU mode. The
  reader's maple state points at a leaf; the writer replaces that leaf (a new node is
  put in the tree and the old one is marked dead); the reader's next step finds its node
  dead and walks again from the root (``mas_rewalk()``).

The steps come from the model through :func:`mapletree_edu.trace.record`; nothing here
walks a tree itself. Read steps carry ``mas`` (and ``pruned`` for the gap search) in
their details, as notebooks/src/TEMPLATE.md describes.
"""

from dataclasses import dataclass, replace
from html import escape

import ipywidgets as widgets

from ..core.constants import ULONG_MAX
from ..errors import InvalidArgumentError, MapleTreeError
from ..render.metrics import DEFAULT_WIDTH_PX
from ..trace import record
from ..trace.step import Step, TreeView
from .kernel_fns import SOURCE_FILE, describe
from .player import Player
from .text import kernel_panel_html, num

MAS_KEYS = ("index", "last", "node", "offset", "status")
LANE_COLOURS = {"reader": "#1f6feb", "writer": "#b35900"}

#: Cursor methods a scenario may call, with how many arguments each takes.
CURSOR_OPS = {"walk": 0, "find": 1, "find_range": 1, "find_rev": 1, "find_range_rev": 1,
              "next": 1, "next_range": 1, "prev": 1, "prev_range": 1, "set": 1,
              "set_range": 2, "reset": 0, "pause": 0}
#: Writes a cursor scenario may make on the tree between cursor calls.
TREE_OPS = {"store": 3, "clear": 2}
KERNEL_NAMES = {"walk": "mas_walk", "set": "mas_set", "set_range": "mas_set_range",
                "reset": "mas_reset", "pause": "mas_pause"}


def kernel_call(op, args):
    """``("next", MAX)`` -> ``"mas_next(MAX)"``; a tree write is named as the facade
    call: ``clear(30, 39)``."""
    if op in TREE_OPS:
        return f"{op}({', '.join(num(a) if isinstance(a, int) else repr(a) for a in args)})"
    name = KERNEL_NAMES.get(op, "mas_" + op)
    return f"{name}({', '.join(num(a) for a in args)})"


def _check_ops(ops):
    out = []
    for item in ops:
        if isinstance(item, str):
            item = (item,)
        ops = {**CURSOR_OPS, **TREE_OPS}
        if not isinstance(item, (tuple, list)) or not item or item[0] not in ops:
            raise InvalidArgumentError(
                f"{item!r} is not a cursor op: use one of {', '.join(ops)} as "
                "(name, *arguments)")
        name, args = item[0], tuple(item[1:])
        if len(args) != ops[name]:
            raise InvalidArgumentError(f"{name} takes {ops[name]} argument(s), "
                                       f"got {len(args)}")
        out.append((name, args))
    return out


@dataclass(frozen=True)
class CursorCall:
    """One cursor call of a scenario: the call, what it returned, the state after it and
    the index of the step that closes it in the player."""

    call: str
    entry: object
    mas: dict
    end_step: int


def _entry_text(entry):
    return "NULL" if entry is None else repr(entry)


def call_end_step(tree, cur, call, fn, entry):
    """A step that closes one cursor call: what it returned and the state after it (so a
    call that needed no step of its own, such as a mas_find() that finds nothing, still
    shows in the player)."""
    view = TreeView.of(tree.core)
    mas = cur.state()
    path = view.path_to(mas["index"]) if view.root == "node" and mas["node"] is not None \
        else ()
    returns = "" if fn in ("mas_set", "mas_set_range", "mas_reset", "mas_pause") else \
        f"returns {_entry_text(entry)}; "
    why = f"{call} {returns}the state is now {mas['status']}"
    return Step(n=0, fn=fn, ev=None, min=cur.mas.min, max=cur.mas.max, index=mas["index"],
                last=mas["last"], piv=0, why=why, info=(("mas", mas), ("returns", entry)),
                node=mas["node"], path=path, view=view, op=call)


def renumber(steps):
    """The steps with n = 0, 1, 2, ... (steps from several recordings joined)."""
    return [replace(s, n=i) for i, s in enumerate(steps)]


def record_cursor(tree, ops, start=0, label="cursor"):
    """Run cursor ``ops`` on ``tree.cursor(start)`` while recording.

    ``ops`` is a list of ``(name, *args)``: ``("find", MAX)``, ``("next", 100)``,
    ``("pause",)``, ``("set", 25)``..., and tree writes between them, ``("clear", 30, 39)``
    or ``("store", 30, 39, "x")`` (the cursor must be paused or reset before one, or the
    next call raises StaleCursorError, unless the tree is in RCU mode). Returns
    ``(steps, calls)``: the recorded steps, each call closed by a step named after it that
    says what it returned (the model's own, or :func:`call_end_step` where the model
    records none), and one :class:`CursorCall` per cursor call. Each op's steps carry the
    op as their title."""
    ops = _check_ops(ops)
    calls = []
    steps = []
    with record(tree, label) as rec:
        cur = tree.cursor(start)
        for name, args in ops:
            call = kernel_call(name, args)
            rec.op = call
            first = len(rec.steps)
            if name in TREE_OPS:
                getattr(tree, name)(*args)
                steps.extend(rec.steps[first:])
                continue
            result = getattr(cur, name)(*args)
            steps.extend(rec.steps[first:])
            fn = call.split("(")[0]
            if not steps or len(rec.steps) == first or steps[-1].fn != fn:
                steps.append(call_end_step(tree, cur, call, fn, result))
            calls.append(CursorCall(call, result, cur.state(), len(steps) - 1))
    return renumber(steps), calls


# --- the kernel-function panel of read steps ---------------------------------------------------
#: What the read-side functions do (in v6.8), for the kernel-function panel, where the
#: shared table has no line for them. Written for learners; not kernel text.
READ_FUNCTIONS = {
    "mtree_load": "normal API: the entry at index, or NULL; runs under rcu_read_lock()",
    "mtree_lookup_walk": "the descent of mtree_load(): in each node, the first slot whose "
                         "pivot reaches index; walks again if a node is dead",
    "mt_find": "the first entry at or after *index, starting at or before max; *index "
               "becomes its last + 1",
    "mas_walk": "walk from the root to the range holding index; index/last become that "
                "range, entry or NULL",
    "mtree_range_walk": "the descent of mas_walk(), keeping the node's bounds and the slot",
    "mas_descend": "one level down: into the child whose slot holds index",
    "mas_find": "the entry at or after index on the first call, then the next one; never "
                "reports overflow",
    "mas_find_range": "as mas_find(), but later calls stop at NULL ranges too",
    "mas_find_rev": "the entry at or before index on the first call, then the one before",
    "mas_find_range_rev": "as mas_find_rev(), but later calls stop at NULL ranges too",
    "mas_next": "the next entry after the current range, up to max (overflow past it)",
    "mas_next_range": "the next range after the current one, NULL or not",
    "mas_prev": "the entry before the current range, down to min (underflow past it)",
    "mas_prev_range": "the range before the current one, NULL or not",
    "mas_next_slot": "move the state one slot right, to the next leaf at the end of one",
    "mas_prev_slot": "move the state one slot left, to the previous leaf at the start of one",
    "mas_next_node": "the leaf is used up: climb and go down into the next leaf",
    "mas_prev_node": "at the start of the leaf: climb and go down into the previous leaf",
    "mas_pause": "let go of the node (status pause); the next search walks from the root",
    "mas_reset": "status start: the next call walks from the root to index",
    "mas_set": "index = last = the given index, status start",
    "mas_set_range": "index and last set to a range, status start",
    "mas_rewalk": "the state's node died (a writer replaced it): walk again to the index",
    "ma_dead_node": "is this node dead? Its parent pointer points at itself once a writer "
                    "has replaced it (mte_set_node_dead())",
    "mas_empty_area": "the lowest free range of a size inside [min, max] (-EBUSY if none)",
    "mas_empty_area_rev": "the highest free range of a size inside [min, max] (-EBUSY if "
                          "none)",
    "mas_rev_awalk": "scan a node right to left for a slot whose gap holds the size",
    "mas_awalk": "scan nodes left to right for a slot whose gap holds the size",
    "mas_anode_descend": "scan a node left to right; go down into the first slot with room",
    "mas_skip_node": "no room in this node: go on to the next one to the right",
    "mas_rewind_node": "no room in this node: go back up and on to the left",
    "mas_sparse_area": "the gap search on a tree with no node (empty or a root entry)",
    "mas_update_gap": "after a write: give the parent the leaf's new largest gap, and climb "
                      "while a node's largest gap changes (mas_parent_gap())",
    "vm_unmapped_area": "mm: find an address range for mmap(), top-down or bottom-up",
    "unmapped_area_topdown": "mm: the highest hole below high_limit, aligned, keeping the "
                             "stack guard gap free",
    "unmapped_area": "mm: the lowest hole above low_limit, aligned, keeping the stack "
                     "guard gap free",
    "mmap_region": "mm: set up the new VMA and store it in the tree over its range",
}
#: Functions outside lib/maple_tree.c, with their file in v6.8.
READ_FUNCTION_FILES = {"vm_unmapped_area": "mm/mmap.c", "unmapped_area_topdown": "mm/mmap.c",
                       "unmapped_area": "mm/mmap.c", "mmap_region": "mm/mmap.c"}


#: Details left out of the kernel panel: those the panel beside the diagram shows
#: already, and ``focus`` (where a search's first frame is drawn, not kernel data).
PANEL_DETAILS = frozenset({"mas", "pruned", "focus"})


def read_kernel_panel_html(step):
    """The shared kernel-function panel, with the description of a read-side function
    where the shared table has none, and the right source file for mm functions. The
    details the panel beside the diagram shows (the maple state, the gap search's
    verdicts) are left out, as is a decision step's empty range."""
    if step is None:
        return kernel_panel_html(step)
    html = kernel_panel_html(replace(step, info=tuple(
        (k, v) for k, v in step.info if k not in PANEL_DETAILS
        and not (k == "range" and v is None))))
    text = READ_FUNCTIONS.get(step.fn)
    if text and not describe(step.fn)[1]:
        html = html.replace(">&mdash;</td>", f">{escape(text)}</td>", 1)
    where = READ_FUNCTION_FILES.get(step.fn)
    if where:
        html = html.replace(f"in <code>{SOURCE_FILE}</code>", f"in <code>{where}</code>", 1)
    return html


# --- the panel beside the diagram -----------------------------------------------------------
def _cell(v):
    if v is None:
        return "NULL"
    return num(v) if isinstance(v, int) and not isinstance(v, bool) else str(v)


def mas_rows(mas, before=None):
    """(key, text, changed) rows of a maple-state dict."""
    rows = []
    for k in MAS_KEYS:
        if k not in mas:
            continue
        v = mas[k]
        text = f"n{v}" if k == "node" and v is not None else _cell(v)
        changed = before is not None and before.get(k) != v
        rows.append((k, text, changed))
    return rows


def mas_table_html(mas, before=None, title="maple state"):
    """The maple state as a small HTML table; values that changed are bold."""
    if not mas:
        return ""
    cell = "padding:1px 6px;text-align:left;font-family:monospace"
    body = "".join(
        f'<tr><th style="{cell};font-weight:normal;color:#555">{escape(k)}</th>'
        f'<td style="{cell}" data-key="{escape(k)}">'
        f'{"<b>" if changed else ""}{escape(text)}{"</b>" if changed else ""}</td></tr>'
        for k, text, changed in mas_rows(mas, before))
    return (f'<div class="mt-mas"><div style="font-weight:bold;margin:2px 0">{escape(title)}'
            f'</div><table style="border-collapse:collapse">{body}</table></div>')


def pruned_html(pruned):
    """The gap search's subtrees: node, slot, gap and verdict, one row each."""
    if not pruned:
        return ""
    cell = "padding:1px 5px;text-align:left;font-family:monospace"
    rows = []
    for item in pruned:
        serial, offset, gap, verdict = (tuple(item) + (None,) * 4)[:4]
        colour = "#2a7d2a" if verdict == "enter" else "#a33"
        rows.append(f'<tr><td style="{cell}">n{serial}:{offset}</td>'
                    f'<td style="{cell}">{escape(_cell(gap))}</td>'
                    f'<td style="{cell};color:{colour}">{escape(str(verdict))}</td></tr>')
    return ('<div class="mt-pruned"><div style="font-weight:bold;margin:6px 0 2px">'
            'subtrees looked at</div><table style="border-collapse:collapse">'
            f'<tr><th style="{cell}">slot</th><th style="{cell}">gap</th>'
            f'<th style="{cell}">verdict</th></tr>{"".join(rows)}</table></div>')


#: Gap-search steps: their ``index`` is the window's minimum, not where the search is, so
#: their path is drawn from the root to the state's node instead.
GAP_FNS = frozenset({"mas_empty_area", "mas_empty_area_rev", "mas_rev_awalk", "mas_awalk",
                     "mas_anode_descend", "mas_skip_node", "mas_rewind_node",
                     "mas_sparse_area"})


def path_to_node(view, serial):
    """Serials from the root down to node ``serial`` in a tree view."""
    if view is None or view.root != "node":
        return ()
    by = view.by_serial()
    out = []
    while serial is not None and serial in by:
        out.append(serial)
        serial = by[serial].parent
    return tuple(reversed(out))


def gap_paths(steps):
    """The steps with gap-search steps' paths set to their node's path."""
    return [replace(s, path=path_to_node(s.view, s.node)) if s.fn in GAP_FNS else s
            for s in steps]


WRITE_PREFIXES = ("mas_wr", "mtree_store", "mtree_erase", "mas_store", "mas_split",
                  "mas_rebalance", "mas_spanning", "mas_new_root", "mas_root_expand",
                  "mtree_insert", "mtree_alloc", "mas_commit_b_node", "mab_", "mas_push",
                  "mmap_region", "mas_update_gap")


def is_write_step(step):
    """A step of a write (its index/last are the range written)."""
    return step.ev in ("write", "op") and not step.fn.startswith(("mtree_load", "mt_find")) \
        or step.fn.startswith(WRITE_PREFIXES)


def last_mas(steps, i):
    """The maple state of the last step at or before i that carries one."""
    for k in range(i, -1, -1):
        mas = steps[k].details.get("mas")
        if mas:
            return mas
    return None


#: The panel's width (CSS px) and the diagram's width budget beside it: the frames are
#: drawn for the width left over, so the page never shrinks them below their text size.
#: When a frame does not fit there, and in presenter mode (16 px text), the panel goes
#: under the diagram, which gets the whole width. Traces longer than MAX_CHECKED_FRAMES
#: are not measured: their panel goes under the diagram.
PANEL_PX = 250
DIAGRAM_WIDTH_PX = DEFAULT_WIDTH_PX - PANEL_PX - 20
MAX_CHECKED_FRAMES = 400
#: Presenter mode (the player's ``mt-presenter`` class): the panel's text grows with the
#: status line's.
PANEL_CSS = ("<style>.mt-read-panel .mt-read-body{font-size:12px;line-height:1.35}"
             ".mt-presenter .mt-read-panel .mt-read-body{font-size:16px}</style>")


class ReadPlayer(Player):
    """A Player with a panel beside the diagram: the maple state of the step (its
    ``mas`` detail, or the last one before it), the gap search's verdicts, and for
    interleaved scenarios the actor of each step (``lanes``) and a note (``notes``).

    The diagram draws the state's slot (``slot``) and the gap search's verdicts
    (``pruned``) itself, for the width beside the panel (``dot_opts`` may set another
    ``width_px``)."""

    PANEL_WIDTH = f"{PANEL_PX}px"

    def __init__(self, steps, title=None, *, lanes=None, notes=None, dot_opts=None,
                 **kwargs):
        steps = gap_paths(steps)
        for name, seq in (("lanes", lanes), ("notes", notes)):
            if seq is not None and len(seq) != len(steps):
                raise InvalidArgumentError(f"{name} has {len(seq)} items for {len(steps)} "
                                           "steps")
        self.lanes = list(lanes) if lanes is not None else None
        self.notes = list(notes) if notes is not None else None
        self.panel = widgets.HTML(layout=widgets.Layout(width=self.PANEL_WIDTH,
                                                        min_width=self.PANEL_WIDTH))
        self.panel.add_class("mt-read-panel")
        self._own_width = "width_px" in (dot_opts or {})
        self.row = widgets.Box(layout=widgets.Layout(width="100%", align_items="flex-start"))
        self.row.add_class("mt-read-row")
        super().__init__(steps, title, dot_opts=dot_opts, **kwargs)
        self.view.layout = widgets.Layout(flex="1 1 auto", width="auto", min_width="0")
        self.children = tuple(self.row if c is self.view else c for c in self.children)
        self._arrange()

    @property
    def beside(self):
        """True when the panel is beside the diagram, False when it is under it."""
        return self._beside

    def _make_frames(self, steps):
        """The frames, for the width beside the panel when every frame fits there (the
        pipeline's width estimate, no ``dot`` run), else for the whole width with the
        panel under the diagram (always so in presenter mode)."""
        if self._own_width:
            self._beside = not self._presenter
            return super()._make_frames(steps)
        if not self._presenter and len(steps) <= MAX_CHECKED_FRAMES:
            self.dot_opts["width_px"] = DIAGRAM_WIDTH_PX
            frames = super()._make_frames(steps)
            if all(frames.frame(i).est_width_px <= DIAGRAM_WIDTH_PX for i in range(len(steps))):
                self._beside = True
                return frames
        self._beside = False
        self.dot_opts["width_px"] = DEFAULT_WIDTH_PX
        return super()._make_frames(steps)

    def _arrange(self):
        self.panel.layout.width = self.PANEL_WIDTH if self.beside else "100%"
        self.panel.layout.min_width = self.PANEL_WIDTH if self.beside else "0"
        self.row.layout.flex_flow = "row" if self.beside else "column"
        self.row.children = (self.view, self.panel)

    def _on_presenter(self, change):
        super()._on_presenter(change)
        self._arrange()

    def set_steps(self, steps, title=None, start=0):
        super().set_steps(gap_paths(steps), title, start)
        self._arrange()

    def panel_html(self, index):
        """What the panel shows at step ``index``."""
        if not self._steps:
            return ""
        steps = self._steps
        step = steps[index]
        parts = []
        if self.lanes is not None:
            lane = self.lanes[index]
            colour = LANE_COLOURS.get(lane, "#333")
            parts.append(f'<div class="mt-lane" data-lane="{escape(lane)}" style="font-weight:'
                         f'bold;color:{colour};margin-bottom:4px">{escape(lane)}</div>')
        mas = step.details.get("mas")
        own = mas is not None
        before = last_mas(steps, index - 1) if index > 0 and own else None
        title = "maple state"
        if mas is None and is_write_step(step):
            mas = {"index": step.index, "last": step.last, "node": step.node}
            title = "the write's maple state"
        elif mas is None:
            mas = last_mas(steps, index)
            title = "maple state (from an earlier step)"
        parts.append(mas_table_html(mas, before, title) if mas else
                     '<div class="mt-mas" style="color:#555">no maple state yet</div>')
        parts.append(pruned_html(step.details.get("pruned")))
        if self.notes is not None and self.notes[index]:
            parts.append(f'<div class="mt-note" style="margin-top:6px">'
                         f"{escape(self.notes[index])}</div>")
        return (PANEL_CSS + '<div class="mt-read-body" style="padding-left:8px;'
                'border-left:1px solid #ddd">' + "".join(parts) + "</div>")

    def _show(self, index):
        super()._show(index)
        self.kernel.value = read_kernel_panel_html(self.step)
        self.panel.value = self.panel_html(index)

    def state(self):
        d = super().state()
        step = self.step
        mas = last_mas(self._steps, self.value) if step is not None else None
        d["mas"] = dict(mas) if mas else None
        d["lane"] = self.lanes[self.value] if self.lanes and step is not None else None
        d["pruned"] = step.details.get("pruned") if step is not None else None
        return d


# --- the three players -------------------------------------------------------------------------
class CursorPlayer(ReadPlayer):
    """Cursor calls on one maple state, step by step.

    >>> from mapletree_edu import MapleTree
    >>> t = MapleTree()
    >>> for i in range(3):
    ...     t.store(10 * i, 10 * i + 5, i)
    >>> p = CursorPlayer(t, [("find", 100), ("next", 100)], start=3)
    >>> p.value, [c.call for c in p.calls]
    (0, ['mas_find(100)', 'mas_next(100)'])
    """

    def __init__(self, tree, ops, title=None, *, start=0, **kwargs):
        steps, self.calls = record_cursor(tree, ops, start, title or "cursor")
        super().__init__(steps, title, **kwargs)


def marker_step(tree, fn, why, op, prev=None, index=None, last=None):
    """A step that explains a decision between recorded steps (no tree change): the tree
    as it is, no maple state of its own; it keeps the node and path of ``prev`` (the step
    before it) in view, or the root when it comes first. ``index``/``last``: the range a
    write step is about; without them the step is about no range (``range`` None in its
    info: none is drawn)."""
    view = TreeView.of(tree.core)
    node = prev.node if prev is not None else None
    path = prev.path if prev is not None else ()
    if prev is None and view.root == "node":      # before any walk: the root, where it starts
        root = next(n.serial for n in view.nodes if n.parent is None)
        node, path = root, (root,)
    info = () if index is not None else (("range", None),)
    return Step(n=0, fn=fn, ev=None, min=0, max=ULONG_MAX, index=index or 0,
                last=last if last is not None else (index or 0), piv=0, why=why, info=info,
                node=node, path=path, view=view, op=op)


def arange_gaps(view):
    """{(depth, first, last): gap} of every child slot of every arange_64 node."""
    out = {}
    if view is None or view.root != "node":
        return out
    for n in view.nodes:
        if n.gaps is None:
            continue
        lo = n.min
        for k, piv in enumerate(n.pivots):
            out[(n.depth, lo, piv)] = n.gaps[k]
            lo = piv + 1
    return out


def gap_changes(before, after):
    """The arange_64 slots whose gap differs between two tree views, top down:
    ``[(depth, first, last, gap_before, gap_after), ...]``."""
    b, a = arange_gaps(before), arange_gaps(after)
    return [(*key, b.get(key), a.get(key)) for key in sorted(set(b) | set(a))
            if b.get(key) != a.get(key)]


def gap_update_text(changes):
    """What mas_update_gap() changed, in one line."""
    if not changes:
        return ("mas_update_gap(): the leaf's largest hole is what its parent already had, "
                "so no gap above it changed")
    parts = [f"depth {d} slot [{num(lo)}, {num(hi)}]: {g0 or 0:#x} -> {g1 or 0:#x}"
             for d, lo, hi, g0, g1 in changes]
    return "the gaps on the way up changed: " + "; ".join(parts)


def record_mmap(mm, length, name="", align=0):
    """Record one simulated ``mmap()`` on ``mm`` (it changes ``mm``). Returns
    ``(steps, vma)``: the model's steps, with a step of ``unmapped_area_topdown()`` or
    ``mmap_region()`` at each decision between them; ``vma`` is None when it failed."""
    label = f"mmap({num(length)})"
    before = []
    with record(mm.tree, label) as rec:
        def observe(fn, text, index=None, last=None):
            rec.op = f"{label}: {fn}()"
            rec.steps.append(marker_step(mm.tree, fn, text, rec.op,
                                         rec.steps[-1] if rec.steps else None, index, last))
            if fn == "mmap_region":
                before.append(rec.steps[-1].view)
        mm.observer = observe
        try:
            vma = mm.mmap(length, name=name, align=align)
            if before:
                changes = gap_changes(before[0], TreeView.of(mm.tree.core))
                rec.steps.append(marker_step(mm.tree, "mas_update_gap",
                                             gap_update_text(changes), rec.op, rec.steps[-1],
                                             vma.start, vma.last))
        except MapleTreeError as exc:
            rec.steps.append(marker_step(mm.tree, "vm_unmapped_area", str(exc), label,
                                         rec.steps[-1] if rec.steps else None))
            vma = None
        finally:
            mm.observer = None
    return renumber(rec.steps), vma


class FreeSpacePlayer(ReadPlayer):
    """One ``mmap()`` of ``length`` bytes on an :class:`~mapletree_edu.mm.Mm`, from the
    gap search to the store that fills the hole. ``mm`` is changed; ``vma`` is the new
    VMA and ``area`` the :class:`~mapletree_edu.mm.UnmappedArea` with every pass."""

    def __init__(self, mm, length, title=None, *, name="", align=0, **kwargs):
        steps, self.vma = record_mmap(mm, length, name, align)
        self.area = mm.last_area
        super().__init__(steps, title, **kwargs)


def _node_by_serial(tree, serial):
    """The core Node object with this serial, found by the shared debug walker."""
    from ..debug.walker import walk

    root = tree.core.root
    for v in walk(root) if root is not None and hasattr(root, "serial") else ():
        if v.node.serial == serial:
            return v.node
    return None


def record_rcu(tree, index, write, reader_op=("next", ULONG_MAX)):
    """A reader and a writer interleaved on ``tree`` (which must be in RCU mode).

    1. The reader's maple state walks to ``index`` (``mas_walk()``) and keeps its leaf.
    2. The writer stores ``write = (first, last, entry)`` (``entry`` None clears). In RCU
       mode the leaf is replaced, not changed in place: the old leaf is marked dead
       (``mte_set_node_dead()``: its parent pointer points at itself) and RCU-freed later.
    3. The reader goes on with ``reader_op`` (default ``mas_next(MAX)``). It finds its node
       dead (``ma_dead_node()``) and walks again from the root (``mas_rewalk()``).

    Returns ``(steps, lanes, notes, facts)``: ``facts`` says which node the reader held,
    whether the writer made it dead, and what the reader got."""
    if not tree.rcu:
        raise InvalidArgumentError("the tree is not in RCU mode: MapleTree(rcu=True), or "
                                   "set tree.rcu = True")
    first, last, entry = write
    name, args = _check_ops([reader_op])[0]
    with record(tree, "reader") as rec:
        cur = tree.cursor(index)
        rec.op = f"reader: {kernel_call('walk', ())}"
        got_walk = cur.walk()
        rec.steps.append(call_end_step(tree, cur, rec.op, "mas_walk", got_walk))
        held_serial = cur.node
        held = _node_by_serial(tree, held_serial)
        n_reader1 = len(rec.steps)
        rec.op = (f"writer: store({num(first)}, {num(last)}, {entry!r})" if entry is not None
                  else f"writer: clear({num(first)}, {num(last)})")
        if entry is None:
            tree.clear(first, last)
        else:
            tree.store(first, last, entry)
        n_writer = len(rec.steps)
        dead = held is not None and held.dead
        reader_op = f"reader: {kernel_call(name, args)}"
        if dead:
            rec.steps.append(marker_step(
                tree, "ma_dead_node", f"the reader looks at n{held_serial} again: its parent "
                "pointer points at itself, so it is dead; mas_rewalk() walks from the root to "
                "the index the reader was on", reader_op, rec.steps[n_reader1 - 1]))
        rec.op = reader_op
        first = len(rec.steps)
        got = getattr(cur, name)(*args)
        fn = KERNEL_NAMES.get(name, "mas_" + name)
        if len(rec.steps) == first or rec.steps[-1].fn != fn:
            rec.steps.append(call_end_step(tree, cur, reader_op, fn, got))
        n_marker = n_writer + 1 if dead else n_writer
        rewalk = [s for s in rec.steps[n_marker:]
                  if s.fn in ("mas_rewalk", "mas_descend", "mtree_range_walk")]
        steps = renumber(rec.steps)
    lanes = ["reader"] * n_reader1 + ["writer"] * (n_writer - n_reader1) + \
        ["reader"] * (len(steps) - n_writer)
    notes = []
    for i in range(len(steps)):
        if i < n_reader1:
            notes.append(f"the reader holds n{held_serial}")
        elif i < n_writer:
            notes.append(f"the reader still holds n{held_serial}: it has not looked again")
        else:
            notes.append(f"n{held_serial} is {'dead' if dead else 'alive'}; the reader "
                         "walks from the root" if dead else
                         f"n{held_serial} is alive; the reader goes on from it")
    facts = {"held": held_serial, "dead": dead, "walk": got_walk, "entry": got,
             "rewalked": dead and bool(rewalk),
             "writer_steps": (n_reader1, n_writer)}
    return steps, lanes, notes, facts


class RcuPlayer(ReadPlayer):
    """A reader holding a leaf while a writer in RCU mode replaces it (see
    :func:`record_rcu`); the panel names the actor of each step."""

    def __init__(self, tree, index, write, title=None, *, reader_op=("next", ULONG_MAX),
                 **kwargs):
        steps, lanes, notes, self.facts = record_rcu(tree, index, write, reader_op)
        super().__init__(steps, title, lanes=lanes, notes=notes, **kwargs)


__all__ = ["ReadPlayer", "CursorPlayer", "FreeSpacePlayer", "RcuPlayer", "record_cursor",
           "record_mmap", "record_rcu", "mas_table_html", "pruned_html", "kernel_call",
           "CursorCall", "CURSOR_OPS", "TREE_OPS",
           "gap_changes", "READ_FUNCTIONS", "read_kernel_panel_html"]
