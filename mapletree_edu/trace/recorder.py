# SPDX-License-Identifier: GPL-2.0-or-later
"""A tracer that records every event and step with a frozen view of the tree."""

from contextlib import contextmanager

from ..core.node import Node
from ..core.tracer import Tracer
from .step import Step, TreeView, entry_label

EVENT_TEXT = {
    "mtree_store_range": "store the entry over [index, last] (the normal API)",
    "mas_store": "store through the bulk maple state, which keeps its position",
    "mtree_erase": "find the entry holding index and store NULL over its whole range",
    "mas_wr_append": "append in place: the write lands in the node's last range",
    "mas_wr_slot_store": "slot store: the slot count stays, only boundaries move",
    "mas_wr_node_store": "node store: the leaf is rebuilt with the new range",
    "mas_wr_bnode": "slow path: copy into a big node and commit it",
    "mas_split": "the data needs more than one node: split upwards (push first)",
    "mas_rebalance": "the node is too small: rebalance it with a sibling",
    "mas_is_span_wr": "the write goes past the end of this slot's subtree: spanning store",
    "mas_wr_spanning_store": "rebuild the subtree the write spans",
    "mtree_load": "look up the entry at index (a walk that keeps no state)",
    "mt_find": "find the first entry at or after index, starting at or before the limit",
}

# Functions that only read the tree: their steps reuse the previous view.
READ_FNS = frozenset({
    "mtree_load", "mt_find", "mas_walk", "mtree_range_walk", "mas_descend",
    "mtree_lookup_walk", "mas_rewalk", "mas_pause", "mas_next", "mas_prev",
    "mas_next_range", "mas_prev_range", "mas_find", "mas_find_range", "mas_find_rev",
    "mas_find_range_rev",
    "mas_next_slot", "mas_prev_slot", "mas_next_node", "mas_prev_node",
    "mas_anode_descend", "mas_skip_node", "mas_rev_awalk", "mas_rewind_node",
    "mas_empty_area", "mas_empty_area_rev", "mas_sparse_area", "mas_insert",
})


class Recorder(Tracer):
    """Records steps; :meth:`take_steps` hands back the steps of the current op."""

    enabled = True

    def __init__(self, views=True):
        self.steps = []
        self.views = views
        self._prev = None
        self._mark = 0
        self.op = ""

    # Steps of these functions never change the tree they are recorded on (a dup
    # reads its source), so the previous view is reused instead of a new snapshot.
    READ_ONLY = frozenset({"mas_dup_build", "mas_dup_alloc", "mas_dup_free"}) | READ_FNS

    def _snapshot(self, mas, fn=None):
        tree = mas.tree
        if fn in self.READ_ONLY and self._prev is not None:
            return self._prev, (), (), ()
        view = TreeView.of(tree) if self.views else None
        new = modified = freed = ()
        if view is not None:
            cur = {n.serial: n for n in view.nodes}
            prev = self._prev.by_serial() if self._prev is not None else {}
            new = tuple(s for s in cur if s not in prev)
            freed = tuple(s for s in prev if s not in cur)
            modified = tuple(s for s, n in cur.items()
                             if s in prev and prev[s].content_key() != n.content_key())
            self._prev = view
        return view, new, modified, freed

    def _add(self, fn, ev, mas, piv, why, info):
        view, new, modified, freed = self._snapshot(mas, fn)
        node = mas.node.serial if mas.node.__class__ is Node else None
        path = view.path_to(mas.index) if view is not None and view.root == "node" else ()
        # a read step's maple state comes as ma_state (the protocol's mas argument is
        # the live state) and is kept under "mas", as the players read it
        clean = tuple(("mas" if k == "ma_state" else k, entry_label(v) if k == "entry" else v)
                      for k, v in info.items())
        self.steps.append(Step(n=len(self.steps), fn=fn, ev=ev, min=mas.min, max=mas.max,
                               index=mas.index, last=mas.last, piv=piv, why=why, info=clean,
                               node=node, new=new, modified=modified, freed=freed, path=path,
                               view=view, op=self.op))

    def event(self, ev, fn, mas, piv=0, **info):
        self._add(fn, ev, mas, piv, EVENT_TEXT.get(fn, ""), info)

    def step(self, fn, mas, **info):
        why = info.pop("why", "")
        self._add(fn, None, mas, 0, why, info)

    def begin(self, op, tree):
        """Start an operation: remember the tree as it is now."""
        self.op = op
        self._mark = len(self.steps)
        self._prev = TreeView.of(tree) if self.views else None

    def take_steps(self):
        """The steps since the last call, as dicts (for ``replay --trace``)."""
        out = [s.to_dict() for s in self.steps[self._mark:]]
        self._mark = len(self.steps)
        return out


@contextmanager
def record(tree, op=""):
    """Record what happens to a MapleTree inside the block.

    >>> from mapletree_edu import MapleTree
    >>> t = MapleTree()
    >>> with record(t, "store") as rec:
    ...     t.store(10, 15, 1)
    >>> [s.fn for s in rec.steps]
    ['mtree_store_range', 'mas_root_expand']
    """
    rec = Recorder()
    rec.begin(op, tree.core)
    with tree.tracing(rec):
        yield rec
