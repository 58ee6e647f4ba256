# SPDX-License-Identifier: GPL-2.0-or-later
"""Cost counting: how much work a sequence of maple-tree operations did.

:class:`CostCounter` is a tracer (see :mod:`mapletree_edu.core.tracer`) that only
increments integers: it never copies or snapshots a tree, so it can stay attached
to a tree of 100,000 entries. :class:`Costs` is the plain result, optionally
joined with the node ledger of the tree's :class:`~mapletree_edu.core.alloc.Allocator`
(the kernel's ``maple_node`` slab cache: ``allocs``, ``frees``, ``alloc_calls``).

>>> from mapletree_edu import MapleTree
>>> t = MapleTree(alloc=True)
>>> with counting(t) as c:
...     for i in range(20):
...         t.store(i * 10, i * 10 + 5, i)
>>> costs = c.costs()
>>> costs.splits, costs.pushes, costs.allocs - costs.frees == t.node_count
(3, 1, True)
"""

from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields

from .core.tracer import Tracer

LEDGER_FIELDS = ("allocs", "frees", "alloc_calls")


@dataclass
class Costs:
    """Counters of work done by maple-tree operations.

    Attributes (all plain ints, all counted from the moment counting started):

    visits
        Nodes entered by a walk: one per ``tracer.visit(node, mas)`` call. The core
        makes that call for every node a write walk descends through
        (``mas_wr_walk``/``mas_wr_walk_index``, including the walks of spanning
        stores and of ``mtree_erase``), every node ``mtree_range_walk`` enters
        (``mas_walk``, the bulk tail check of ``mas_destroy``), and every node
        ``__mt_dup`` copies (``mas_dup_build``). Lookups through ``MapleTree.load``
        (``mtree_lookup_walk``) are not counted.
    nodes_copied
        Nodes copied whole by ``__mt_dup`` (``mas_copy_node`` in ``mas_dup_build``):
        one per ``mas_dup_build`` step that names a destination node. With events
        off, one per ``visit`` call made by the dup copy (``mas`` is None there).
        A dup that copies only a root entry (no node) adds nothing.
    splits
        ``mas_split`` calls (the kernel's ``ma_op`` trace point in ``mas_split``):
        a big node did not fit in one node. A push into a sibling happens inside a
        split, so it counts here too.
    pushes
        Successful pushes to a sibling: ``mas_push_data`` steps with ``pushed=True``
        (one per level at which ``mas_push_data`` moved entries into the previous or
        next sibling instead of splitting).
    rebalances
        ``mas_rebalance`` calls (its ``ma_op`` trace point): a node below its minimum
        size was combined with a sibling. ``mas_destroy_rebalance`` (bulk tail) and
        the rebuild inside a spanning store are not counted here.
    spanning_stores
        ``mas_wr_spanning_store`` calls (its ``ma_op`` trace point): a write crossing
        a node boundary, including a NULL store ending on a leaf's last slot.
    allocs, frees, alloc_calls
        The node ledger over the same interval (differences of the allocator's
        counters; see kernel-node-allocation reference): node objects handed out,
        node objects returned, allocator calls (one per single or bulk request).
        Zero unless the costs were taken with an allocator.
    """

    visits: int = 0
    nodes_copied: int = 0
    splits: int = 0
    pushes: int = 0
    rebalances: int = 0
    spanning_stores: int = 0
    allocs: int = 0
    frees: int = 0
    alloc_calls: int = 0

    def __add__(self, other):
        if not isinstance(other, Costs):
            return NotImplemented
        return Costs(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                        for f in fields(self)})

    def __sub__(self, other):
        if not isinstance(other, Costs):
            return NotImplemented
        return Costs(**{f.name: getattr(self, f.name) - getattr(other, f.name)
                        for f in fields(self)})

    def as_dict(self):
        """The counters as a plain dict (JSON-ready)."""
        return asdict(self)

    def per(self, n):
        """Every counter divided by n (for example per VMA), as a dict of floats."""
        if not n:
            raise ValueError("per(): n must be a positive number")
        return {k: v / n for k, v in asdict(self).items()}


class CostCounter(Tracer):
    """A tracer that counts walk visits, dup copies, splits, pushes, rebalances and
    spanning stores (see :class:`Costs` for what each counter means exactly).

    ``events=True`` (the default) sets ``enabled`` so the core reports its trace
    points and steps; ``events=False`` leaves ``enabled`` off and counts only
    ``visits`` and ``nodes_copied`` (through the cheaper ``counts_visits`` hook).
    Nothing is stored but integers: no snapshot of any tree is taken.

    Pass ``allocator`` (or call :meth:`reset` with one) to have :meth:`costs`
    include the ledger difference since then.
    """

    counts_visits = True

    def __init__(self, events=True, allocator=None):
        self.enabled = bool(events)
        self.reset(allocator)

    def reset(self, allocator=None):
        """Zero every counter; remember allocator's counters as the new baseline."""
        self.visits = 0
        self.nodes_copied = 0
        self.splits = 0
        self.pushes = 0
        self.rebalances = 0
        self.spanning_stores = 0
        self._allocator = allocator
        self._base = allocator.counters() if allocator is not None else None

    # --- the tracer protocol --------------------------------------------------
    def visit(self, node, mas):
        self.visits += 1
        if mas is None and not self.enabled:
            self.nodes_copied += 1

    def event(self, ev, fn, mas, piv=0, **info):
        if fn == "mas_split":
            self.splits += 1
        elif fn == "mas_rebalance":
            self.rebalances += 1
        elif fn == "mas_wr_spanning_store":
            self.spanning_stores += 1

    def step(self, fn, mas, **info):
        if fn == "mas_push_data":
            if info.get("pushed"):
                self.pushes += 1
        elif fn == "mas_dup_build":
            if "dst" in info:
                self.nodes_copied += 1

    # --- results ---------------------------------------------------------------
    def costs(self, allocator=None):
        """A :class:`Costs` of everything counted since the last reset.

        The ledger fields are the allocator's counters minus the baseline taken at
        :meth:`reset` (an allocator given here and not at reset counts from zero).
        """
        c = Costs(visits=self.visits, nodes_copied=self.nodes_copied, splits=self.splits,
                  pushes=self.pushes, rebalances=self.rebalances,
                  spanning_stores=self.spanning_stores)
        alloc = allocator if allocator is not None else self._allocator
        if alloc is not None:
            now = alloc.counters()
            base = self._base if alloc is self._allocator and self._base else {}
            for k in LEDGER_FIELDS:
                setattr(c, k, now[k] - base.get(k, 0))
        return c


@contextmanager
def counting(tree, events=True):
    """Attach a fresh :class:`CostCounter` to a MapleTree for the block.

    The counter's ledger baseline is the tree's allocator at entry; the tree's
    previous tracer is put back at exit (trees made by ``dup()`` inside the block
    keep the counter as their tracer).
    """
    with tree.tracing(CostCounter(events=events, allocator=tree.allocator)) as counter:
        yield counter


__all__ = ["Costs", "CostCounter", "counting"]
