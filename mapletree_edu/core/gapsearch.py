# SPDX-License-Identifier: GPL-2.0-or-later
"""The gap search: ``mas_empty_area()`` and ``mas_empty_area_rev()`` of Linux v6.8.

The forward search (``mas_awalk()``) goes down with ``mas_anode_descend()``: in each
node it takes the first slot, left to right, whose subtree's gap (``arange_64`` gaps)
is at least the size asked for, and climbs back with ``mas_skip_node()`` when the
subtree it entered had no room after all. The reverse search (``mas_rev_awalk()``)
takes the last such slot, right to left, and climbs with ``mas_rewind_node()``. In a
leaf, a NULL slot's gap is its range clipped to the window.

Kernel behaviours kept on purpose (READ-FORMAT.md items 7-9):

- ``plain`` trees keep no gaps: their ``range_64`` internal nodes hold only child
  pointers, so no subtree is ever seen as having room and a tree of height >= 2
  answers -EBUSY; a single-leaf ``plain`` tree is scanned slot by slot.
- The reverse room check ``last - slot_min + 1 >= size`` is computed in 64 bits: with
  ``last == ULONG_MAX`` and a slot starting at 0 it wraps to 0, so the leftmost
  subtree is never chosen when the window reaches ULONG_MAX.
- ``mas_empty_area_rev()`` on a tree without nodes reads the root node's end before it
  checks for an empty tree: Linux v6.8 dereferences NULL there
  (:class:`~mapletree_edu.errors.KernelCrash`).

With a recorder attached each node the search looks at is a step whose ``info``
holds ``pruned``: ``(node_serial, offset, gap, verdict)`` for every slot it
considered: ``"enter"``, ``"skip"`` (its gap is too small), ``"occupied"`` (a leaf slot
holding an entry), ``"no gaps kept"`` (a ``range_64`` child) or ``"outside"`` (beyond the
window; the gap is the slot's own).

Return codes are the kernel's: 0, ``-EINVAL`` or ``-EBUSY``.
"""

from .constants import (
    MA_ERROR,
    MA_NONE,
    MA_ROOT,
    MA_START,
    MAPLE_ARANGE_64,
    MAPLE_NODE_SLOTS,
    MT_PIVOTS,
    ULONG_MAX,
)
from .node import ma_data_end
from .read import KernelCrash, read_step
from .state import mas_ascend, mas_data_end, mas_start, mte_is_root

EINVAL = -22
EBUSY = -16
EEXIST = -17

M = ULONG_MAX


class MaError:
    """MA_ERROR(err): the encoded error a state's node pointer holds in status error."""

    __slots__ = ("err",)

    def __init__(self, err):
        self.err = err

    def __repr__(self):
        return f"MA_ERROR({self.err})"


def mas_set_err(mas, err):
    """mas_set_err(): the state's node becomes the error code; status error."""
    mas.node = MaError(err)
    mas.status = MA_ERROR
    mas.err = err


def _safe_min(mas, pivots, offset):
    """mas_safe_min()."""
    return pivots[offset - 1] + 1 if offset else mas.min


def _safe_pivot(mas, pivots, offset, mtype):
    """mas_safe_pivot()."""
    return mas.max if offset >= MT_PIVOTS[mtype] else pivots[offset]


def _no_room(mtype):
    """The verdict on a slot with no gap to offer: a leaf slot that holds an entry, or a
    child of a ``range_64`` node, which keeps no gaps (a plain tree's search never enters
    one)."""
    return "occupied" if mtype < 2 else "no gaps kept"


def _gap_step(mas, fn, node, pruned, why, mn=None, mx=None):
    """A step on the node just scanned: the state is shown there, at the last slot
    the scan considered (the one entered or found, when there is one)."""
    tracer = mas.tree.tracer
    saved = (mas.node, mas.min, mas.max, mas.offset)
    mas.node = node
    if mn is not None:
        mas.min, mas.max = mn, mx
    if pruned:
        mas.offset = pruned[-1][1]
    read_step(tracer, fn, mas, why, pruned=tuple(pruned))
    mas.node, mas.min, mas.max, mas.offset = saved


# --- forward --------------------------------------------------------------------------

def mas_anode_descend(mas, size):
    """mas_anode_descend(): in this node, the first slot with room; go down into it.

    Returns True when the search is over (a leaf slot found, the root used up, or
    an error), False to go on (a child entered, or this node had no room).
    """
    node = mas.node
    mtype = node.type
    pivots = node.pivots
    slots = node.slots
    gaps = node.gaps if mtype == MAPLE_ARANGE_64 else None
    offset = mas.offset
    data_end = ma_data_end(node, mtype, mas.max)
    # (back in a node it already scanned, offset is past the data: the kernel reads a
    # pivot past the array here and never uses it)
    mn = _safe_min(mas, pivots, offset) if offset <= data_end else 0
    tracer = mas.tree.tracer
    tracing = tracer.enabled
    pruned = [] if tracing else None
    nmin, nmax = mas.min, mas.max
    gap = 0
    found = False
    entered = False
    while offset <= data_end:
        pivot = _safe_pivot(mas, pivots, offset, mtype)
        if mas.index <= pivot:
            skip = False
            if gaps is not None:
                gap = gaps[offset]
            elif slots[offset] is None:
                gap = (min(pivot, mas.last) - max(mas.index, mn) + 1) & M
            else:
                skip = True
            if not skip and gap >= size:
                if mtype < 2:
                    if tracing:
                        pruned.append((node.serial, offset, gap, "enter"))
                    found = True
                    mas.offset = offset
                    if tracing:
                        _gap_step(mas, "mas_anode_descend", node, pruned,
                                  f"leaf slot {offset} [{mn}, {pivot}] is NULL with room "
                                  f"{gap} >= {size}: found", nmin, nmax)
                    return True
                if tracing:
                    pruned.append((node.serial, offset, gap, "enter"))
                mas.node = slots[offset]
                mas.min = mn
                mas.max = pivot
                offset = 0
                entered = True
                break
            if tracing:
                pruned.append((node.serial, offset, 0 if skip else gap,
                               _no_room(mtype) if skip else "skip"))
        mn = pivot + 1
        if mas.last <= pivot:
            mas_set_err(mas, EBUSY)
            if tracing:
                _gap_step(mas, "mas_anode_descend", node, pruned,
                          f"the window ends at {mas.last}, inside slot {offset}: no room "
                          "(-EBUSY)", nmin, nmax)
            return True
        offset += 1
    if not entered and mte_is_root(mas.node):
        found = True
    mas.offset = offset
    if tracing:
        if entered:
            why = (f"slot {pruned[-1][1]}'s subtree has a gap of {pruned[-1][2]} >= {size}: "
                   f"go down into [{mas.min}, {mas.max}]")
        else:
            why = "no slot of this node has room: " + (
                "the search is over" if found else "climb to the next subtree (mas_skip_node)")
        _gap_step(mas, "mas_anode_descend", node, pruned, why, nmin, nmax)
    return found


def mas_skip_node(mas):
    """mas_skip_node(): climb until a node has a slot after the current one; take it."""
    if mas.status == MA_ERROR:
        return False
    while True:
        if mte_is_root(mas.node):
            if mas.offset >= mas_data_end(mas):
                mas_set_err(mas, EBUSY)
                return False
        else:
            mas_ascend(mas)
        if mas.offset < mas_data_end(mas):
            break
    mas.offset += 1
    tracer = mas.tree.tracer
    if tracer.enabled:
        read_step(tracer, "mas_skip_node", mas,
                  f"that subtree had no room: go on with slot {mas.offset} of the node above")
    return True


def mas_awalk(mas, size):
    """mas_awalk(): descend, or skip a node that turned out to have no room."""
    last = None
    while mas.status != MA_ERROR and not mas_anode_descend(mas, size):
        if last is mas.node:
            mas_skip_node(mas)
        else:
            last = mas.node


def mas_sparse_area(mas, mn, mx, size, fwd):
    """mas_sparse_area(): the answer on a tree without nodes (empty or root entry)."""
    if mas.status != MA_NONE and mn == 0:
        mn += 1
        if mn > mx or mx - mn + 1 < size:
            return EBUSY
    if fwd:
        mas.index = mn
        mas.last = mn + size - 1
    else:
        mas.last = mx
        mas.index = mx - size + 1
    return 0


def _check_args(mn, mx, size):
    if mn > mx:
        return EINVAL
    if size == 0 or mx - mn < size - 1:
        return EINVAL
    return 0


def mas_empty_area(mas, mn, mx, size):
    """mas_empty_area(): the lowest [index, index + size - 1] in [mn, mx] that is NULL.

    Returns 0 (the state's index/last are the area), -EINVAL or -EBUSY.
    """
    rc = _check_args(mn, mx, size)
    if rc:
        return rc
    _start_step(mas, "mas_empty_area", mn, mx, size)
    if mas.status == MA_START:
        mas_start(mas)
    elif mas.offset >= 2:
        mas.offset -= 2
    elif not mas_skip_node(mas):
        return EBUSY
    if mas.status in (MA_NONE, MA_ROOT):
        rc = mas_sparse_area(mas, mn, mx, size, True)
        _result_step(mas, "mas_sparse_area", rc, size)
        return rc
    mas.index = mn
    mas.last = mx
    mas_awalk(mas, size)
    if mas.status == MA_ERROR:
        _result_step(mas, "mas_empty_area", mas.err, size)
        return mas.err
    offset = mas.offset
    if offset == MAPLE_NODE_SLOTS:
        return EBUSY
    node = mas.node
    pivots = node.pivots
    lo = _safe_min(mas, pivots, offset)
    if mas.index < lo:
        mas.index = lo
    mas.last = mas.index + size - 1
    mas.end = ma_data_end(node, node.type, mas.max)
    _result_step(mas, "mas_empty_area", 0, size)
    return 0


# --- reverse --------------------------------------------------------------------------

def mas_rev_awalk(mas, size, bounds):
    """mas_rev_awalk(): in this node, the last slot with room, right to left.

    Returns True when a leaf slot was found (bounds becomes [gap_min, gap_max]) or
    on error, False to go on (a child entered, or this node had no room).
    """
    if mas.status == MA_ERROR:
        return True
    node = mas.node
    mtype = node.type
    pivots = node.pivots
    slots = node.slots
    gaps = node.gaps if mtype == MAPLE_ARANGE_64 else None
    offset = mas.offset
    tracer = mas.tree.tracer
    tracing = tracer.enabled
    pruned = [] if tracing else None
    nmin, nmax = mas.min, mas.max
    mn = _safe_min(mas, pivots, offset)
    while mas.last < mn:                      # skip out of bounds
        if tracing:
            if gaps is not None:
                room = gaps[offset]
            elif slots[offset] is None and mtype < 2:
                room = (_safe_pivot(mas, pivots, offset, mtype) - mn + 1) & M
            else:
                room = 0
            pruned.append((node.serial, offset, room, "outside"))
        offset -= 1
        mn = _safe_min(mas, pivots, offset)
    mx = _safe_pivot(mas, pivots, offset, mtype)
    gap = 0
    outcome = None
    while mas.index <= mx:
        gap = 0
        if gaps is not None:
            gap = gaps[offset]
        elif slots[offset] is None:
            gap = (mx - mn + 1) & M
        if gap:
            # the room check, in 64 bits: last - mn + 1 wraps to 0 for [0, ULONG_MAX]
            if size <= gap and size <= ((mas.last - mn + 1) & M):
                break
            if tracing:
                pruned.append((node.serial, offset, gap, "skip"))
            if gaps is None:
                # the slot before a NULL slot cannot be NULL: skip it
                if offset < 2:
                    outcome = "ascend"
                    break
                offset -= 2
                mx = pivots[offset]
                mn = _safe_min(mas, pivots, offset)
                continue
        elif tracing:
            pruned.append((node.serial, offset, 0,
                           "skip" if gaps is not None else _no_room(mtype)))
        if not offset:
            outcome = "ascend"
            break
        offset -= 1
        mx = mn - 1
        mn = _safe_min(mas, pivots, offset)
    if outcome is None:
        if mas.index > mx or ((size - 1) & M) > ((mx - mas.index) & M):
            outcome = "no_space"
        elif mtype < 2:
            mas.offset = offset
            bounds[0] = mn
            bounds[1] = (mn + gap - 1) & M
            if tracing:
                pruned.append((node.serial, offset, gap, "enter"))
                _gap_step(mas, "mas_rev_awalk", node, pruned,
                          f"leaf slot {offset} [{mn}, {mx}] is NULL with room for {size}: "
                          "found", nmin, nmax)
            return True
        else:
            if tracing:
                pruned.append((node.serial, offset, gap, "enter"))
            mas.node = slots[offset]
            mas.min = mn
            mas.max = mx
            mas.offset = mas_data_end(mas)
            if tracing:
                _gap_step(mas, "mas_rev_awalk", node, pruned,
                          f"slot {offset}'s subtree has a gap of {gap} >= {size}: go down "
                          f"into [{mn}, {mx}]", nmin, nmax)
            return False
    if outcome == "ascend" and not mte_is_root(mas.node):
        if tracing:
            _gap_step(mas, "mas_rev_awalk", node, pruned,
                      "no slot of this node has room: climb (mas_rewind_node)")
        return False
    mas_set_err(mas, EBUSY)
    if tracing:
        _gap_step(mas, "mas_rev_awalk", node, pruned,
                  "no room in the window (-EBUSY)", nmin, nmax)
    return False


def mas_rewind_node(mas):
    """mas_rewind_node(): climb until a node has a slot before the current one; take it."""
    while True:
        if mte_is_root(mas.node):
            slot = mas.offset
            if not slot:
                return False
        else:
            mas_ascend(mas)
            slot = mas.offset
        if slot:
            break
    mas.offset = slot - 1
    tracer = mas.tree.tracer
    if tracer.enabled:
        read_step(tracer, "mas_rewind_node", mas,
                  f"that subtree had no room: go on with slot {mas.offset} of the node above")
    return True


def mas_empty_area_rev(mas, mn, mx, size):
    """mas_empty_area_rev(): the highest [last - size + 1, last] in [mn, mx] that is NULL.

    Returns 0 (the state's index/last are the area), -EINVAL or -EBUSY.
    """
    last = mas.node
    rc = _check_args(mn, mx, size)
    if rc:
        return rc
    _start_step(mas, "mas_empty_area_rev", mn, mx, size)
    if mas.status == MA_START:
        mas_start(mas)
        if mas.node is None or mas.status in (MA_NONE, MA_ROOT):
            raise KernelCrash(
                "mas_empty_area_rev() on a tree without nodes ("
                + ("empty" if mas.status == MA_NONE else "only a root entry at index 0")
                + "): it reads the root node's end (mas_data_end) before it checks for an "
                "empty tree, and Linux v6.8 dereferences a NULL node there")
        mas.offset = mas_data_end(mas)
    elif mas.offset >= 2:
        mas.offset -= 2
    elif not mas_rewind_node(mas):
        return EBUSY
    if mas.status in (MA_NONE, MA_ROOT):
        rc = mas_sparse_area(mas, mn, mx, size, False)
        _result_step(mas, "mas_sparse_area", rc, size)
        return rc
    mas.index = mn
    mas.last = mx
    bounds = [mn, mx]
    while not mas_rev_awalk(mas, size, bounds):
        if last is mas.node:
            if not mas_rewind_node(mas):
                return EBUSY
        else:
            last = mas.node
    if mas.status == MA_ERROR:
        _result_step(mas, "mas_empty_area_rev", mas.err, size)
        return mas.err
    if mas.offset == MAPLE_NODE_SLOTS:
        return EBUSY
    if bounds[1] < mas.last:
        mas.last = bounds[1]
    mas.index = mas.last - size + 1
    mas.end = mas_data_end(mas)
    _result_step(mas, "mas_empty_area_rev", 0, size)
    return 0


def _start_step(mas, fn, mn, mx, size):
    """The search as it is called, before it reads a node (a model step, not a kernel
    trace point): a player's step 0 shows the tree before the first decision."""
    tracer = mas.tree.tracer
    if tracer.enabled:
        rev = fn.endswith("_rev")
        side = "the highest fit, from the right" if rev else "the lowest fit, from the left"
        # focus: where the search starts reading (the window's top or bottom end)
        read_step(tracer, fn, mas, f"look for {size} free indices in [{mn}, {mx}]: {side}",
                  range=None, focus=mx if rev else mn)


def _result_step(mas, fn, rc, size):
    tracer = mas.tree.tracer
    if tracer.enabled:
        if rc == 0:
            why = f"the area [{mas.index}, {mas.last}] ({size} indices) is free"
        else:
            why = {EBUSY: "no free area of that size in the window (-EBUSY)"}.get(rc, f"rc {rc}")
        read_step(tracer, fn, mas, why, rc=rc)
