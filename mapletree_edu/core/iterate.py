# SPDX-License-Identifier: GPL-2.0-or-later
"""Iterating with a maple state, as Linux v6.8 lib/maple_tree.c does it.

The state machine: ``mas_find()`` / ``mas_find_range()`` and their reverse forms,
``mas_next()`` / ``mas_prev()`` and their ``_range`` forms, each through its setup
function (``mas_find_setup()``, ``mas_find_rev_setup()``, ``mas_next_setup()``,
``mas_prev_setup()``) that decides from the state's status what to do first, then
the slot moves ``mas_next_slot()`` / ``mas_prev_slot()`` which cross into the
neighbouring leaf with ``mas_next_node()`` / ``mas_prev_node()``.

Kernel behaviours kept on purpose (READ-FORMAT.md, "Behaviour worth knowing"):
``mas_find()`` turns an overflow back into ``active``; the ``_range`` forms return
NULL ranges one at a time, but their first call from ``start`` skips the NULL range
it starts in (the setup's walk returns NULL and the slot move steps past it); limits
apply to where a range starts (forwards) or ends (backwards).

Where v6.8 would dereference a NULL node (a search that continues from an
``overflow`` or ``underflow`` decided before any walk) the model raises
:class:`~mapletree_edu.errors.KernelCrash`.
"""

from .constants import (
    MA_ACTIVE,
    MA_ERROR,
    MA_NONE,
    MA_OVERFLOW,
    MA_PAUSE,
    MA_ROOT,
    MA_START,
    MA_UNDERFLOW,
    MT_PIVOTS,
    ULONG_MAX,
)
from .entries import XA_ZERO_ENTRY
from .node import ma_data_end
from .read import (
    KernelCrash,
    KernelWarning,
    mas_rewalk,
    mas_state_walk,
    mas_walk,
    need_node,
    read_step,
    state_dict,
)
from .state import MaState, mas_ascend, mte_is_root

# --- moving to the neighbouring node -----------------------------------------------


def mas_next_node(mas, node, limit):
    """mas_next_node(): the next node at the same level (the next leaf).

    Returns 1 when a node on the way is dead, else 0; sets status overflow when
    there is no next node below limit.
    """
    if mas.max >= limit:
        return _next_overflow(mas, node)
    new_min = mas.max + 1
    level = 0
    while True:
        if mte_is_root(node):
            return _next_overflow(mas, node)
        if mas_ascend(mas):
            return 1
        level += 1
        node = mas.node
        node_end = ma_data_end(node, node.type, mas.max)
        if node.parent is node:
            return 1
        if mas.offset != node_end:
            break
    mas.offset += 1
    enode = node.slots[mas.offset]
    if level > 1:
        mas.offset = 0
    while level > 1:
        level -= 1
        mas.node = enode
        node = enode
        enode = node.slots[0]
        if node.parent is node:
            return 1
    # mas_safe_pivot() of the slot just entered
    mas.max = mas.max if mas.offset >= MT_PIVOTS[node.type] else node.pivots[mas.offset]
    mas.end = ma_data_end(enode, enode.type, mas.max)
    if node.parent is node:
        return 1
    mas.node = enode
    mas.min = new_min
    tracer = mas.tree.tracer
    if tracer.enabled:
        read_step(tracer, "mas_next_node", mas,
                  f"the leaf is used up: up {level if level else 1} level(s) and down to "
                  f"the next leaf [{mas.min}, {mas.max}]")
    return 0


def _next_overflow(mas, node):
    if node.parent is node:
        return 1
    mas.status = MA_OVERFLOW
    return 0


def mas_prev_node(mas, limit):
    """mas_prev_node(): the previous node at the same level (the previous leaf).

    Returns 1 when a node on the way is dead, else 0; sets status underflow when
    there is no previous node at or above limit.
    """
    node = mas.node
    if not mas.min:
        return _prev_underflow(mas, node)
    new_max = mas.min - 1
    if new_max < limit:
        return _prev_underflow(mas, node)
    level = 0
    while True:
        if mte_is_root(node):
            return _prev_underflow(mas, node)
        if mas_ascend(mas):
            return 1
        offset = mas.offset
        level += 1
        node = mas.node
        if offset:
            break
    offset -= 1
    while level > 1:
        level -= 1
        mas.node = node.slots[offset]
        if node.parent is node:
            return 1
        node = mas.node
        offset = ma_data_end(node, node.type, new_max)
        if node.parent is node:
            return 1
    mas.node = node.slots[offset]
    pivots = node.pivots
    if node.parent is node:
        return 1
    if offset:
        mas.min = pivots[offset - 1] + 1
    mas.max = new_max
    child = mas.node
    mas.offset = ma_data_end(child, child.type, new_max)
    if child.parent is child:
        return 1
    mas.end = mas.offset
    tracer = mas.tree.tracer
    if tracer.enabled:
        read_step(tracer, "mas_prev_node", mas,
                  f"the leaf is used up: up and down to the previous leaf "
                  f"[{mas.min}, {mas.max}]")
    return 0


def _prev_underflow(mas, node):
    if node.parent is node:
        return 1
    mas.status = MA_UNDERFLOW
    return 0


# --- moving one slot -------------------------------------------------------------------

def mas_next_slot(mas, limit, empty):
    """mas_next_slot(): the entry of the next slot (NULL ranges too when empty).

    Sets status overflow when the next range would start above limit.
    """
    save_point = mas.last
    tracer = mas.tree.tracer
    while True:                                   # retry
        node = need_node(mas, "mas_next_slot")
        if node.parent is node:
            mas_rewalk(mas, save_point)
            continue
        pivots = node.pivots
        if mas.max >= limit:
            pivot = pivots[mas.offset] if mas.offset < mas.end else mas.max
            if pivot >= limit:
                return _overflow(mas, tracer, limit)
        if mas.offset < mas.end:
            mas.index = pivots[mas.offset] + 1
            _slot_forward(mas, pivots)
        else:
            if mas.last >= limit:
                return _overflow(mas, tracer, limit)
            if mas_next_node(mas, node, limit):
                mas_rewalk(mas, save_point)
                continue
            if mas.status == MA_OVERFLOW:
                raise KernelWarning("mas_next_slot(): WARN_ON_ONCE(mas_is_overflow(mas)) "
                                    "after mas_next_node()")
            mas.offset = 0
            mas.index = mas.min
            node = mas.node
            pivots = node.pivots
            mas.last = pivots[0]
        while True:                               # again
            entry = node.slots[mas.offset]
            if node.parent is node:
                break
            if tracer.enabled:
                read_step(tracer, "mas_next_slot", mas,
                          f"next slot {mas.offset}: [{mas.index}, {mas.last}] "
                          + ("holds an entry" if entry is not None else "is NULL"),
                          entry=entry)
            if entry is not None or empty:
                return entry
            if mas.last >= limit:
                return _overflow(mas, tracer, limit)
            mas.index = mas.last + 1
            _slot_forward(mas, pivots)
        mas_rewalk(mas, save_point)


def _slot_forward(mas, pivots):
    mas.offset += 1
    if mas.offset < mas.end:
        mas.last = pivots[mas.offset]
    else:
        if mas.offset > mas.end:
            raise KernelWarning("mas_next_slot() stepped past the last slot of a leaf "
                                "that ends in NULL (the tree is corrupted)")
        mas.last = mas.max


def _overflow(mas, tracer, limit):
    mas.status = MA_OVERFLOW
    if tracer.enabled:
        read_step(tracer, "mas_next_slot", mas,
                  f"the next range would start above the limit {limit}: overflow")
    return None


def mas_prev_slot(mas, limit, empty):
    """mas_prev_slot(): the entry of the previous slot (NULL ranges too when empty).

    Sets status underflow when the previous range would end below limit.
    """
    save_point = mas.index
    tracer = mas.tree.tracer
    while True:                                   # retry
        node = need_node(mas, "mas_prev_slot")
        if node.parent is node:
            mas_rewalk(mas, save_point)
            continue
        pivots = node.pivots
        if mas.min <= limit:
            pivot = pivots[mas.offset - 1] + 1 if mas.offset else mas.min
            if pivot <= limit:
                return _underflow(mas, tracer, limit)
        dead = False
        while True:                               # again
            if mas.offset:
                mas.offset -= 1
                mas.last = mas.index - 1
                mas.index = pivots[mas.offset - 1] + 1 if mas.offset else mas.min
            else:
                if mas.index <= limit:
                    return _underflow(mas, tracer, limit)
                if mas_prev_node(mas, limit):
                    dead = True
                    break
                if mas.status == MA_UNDERFLOW:
                    raise KernelWarning("mas_prev_slot(): WARN_ON_ONCE(mas_is_underflow(mas)) "
                                        "after mas_prev_node()")
                mas.last = mas.max
                node = mas.node
                pivots = node.pivots
                mas.index = pivots[mas.offset - 1] + 1
            entry = node.slots[mas.offset]
            if node.parent is node:
                dead = True
                break
            if tracer.enabled:
                read_step(tracer, "mas_prev_slot", mas,
                          f"previous slot {mas.offset}: [{mas.index}, {mas.last}] "
                          + ("holds an entry" if entry is not None else "is NULL"),
                          entry=entry)
            if entry is not None or empty:
                return entry
            if mas.index <= limit:
                return _underflow(mas, tracer, limit)
        if dead:
            mas_rewalk(mas, save_point)


def _underflow(mas, tracer, limit):
    mas.status = MA_UNDERFLOW
    if tracer.enabled:
        read_step(tracer, "mas_prev_slot", mas,
                  f"the previous range would end below the limit {limit}: underflow")
    return None


def mas_next_entry(mas, limit):
    """mas_next_entry(): the next non-NULL entry starting at or before limit."""
    if mas.last >= limit:
        mas.status = MA_OVERFLOW
        return None
    return mas_next_slot(mas, limit, False)


# --- setup: what the status asks for before the move ------------------------------------
#
# Each returns (done, entry): done means entry is the answer and no slot move follows.

def mas_next_setup(mas, limit):
    """mas_next_setup()."""
    was_none = mas.status == MA_NONE
    if mas.last >= limit:
        mas.status = MA_OVERFLOW
        _setup_step(mas, "mas_next", f"last {mas.last} already reaches the limit {limit}: "
                    "overflow before any walk")
        return True, None
    status = mas.status
    entry = None
    if status == MA_ACTIVE:
        return False, None
    if status in (MA_NONE, MA_PAUSE, MA_START):
        mas.status = MA_START
        mas_walk(mas)
    elif status == MA_OVERFLOW:
        mas.status = MA_ACTIVE
    elif status == MA_UNDERFLOW:
        mas.status = MA_ACTIVE
        entry = mas_walk(mas)
        if entry is not None:
            return True, entry
    elif status == MA_ERROR:
        return True, None
    if mas.status == MA_ACTIVE:
        return False, None
    if mas.status == MA_ROOT:
        if was_none and mas.index == 0:
            mas.index = mas.last = 0
            return True, None
        mas.index = 1
        mas.last = ULONG_MAX
        mas.status = MA_NONE
        return True, None
    if mas.status == MA_NONE:
        return True, None
    return False, None


def mas_prev_setup(mas, limit):
    """mas_prev_setup()."""
    if mas.index <= limit:
        mas.status = MA_UNDERFLOW
        _setup_step(mas, "mas_prev", f"index {mas.index} is already at the limit {limit}: "
                    "underflow before any walk")
        return True, None
    status = mas.status
    if status == MA_ACTIVE:
        return False, None
    if status in (MA_NONE, MA_PAUSE):
        mas.status = MA_START
    elif status == MA_UNDERFLOW:
        mas.status = MA_ACTIVE
    elif status == MA_OVERFLOW:
        mas.status = MA_ACTIVE
        entry = mas_walk(mas)
        if entry is not None:
            return True, entry
    elif status == MA_ERROR:
        return True, None
    if mas.status == MA_START:
        mas_walk(mas)
    if mas.status == MA_ROOT:
        if not mas.index:
            mas.status = MA_NONE
            return True, None
        mas.index = mas.last = 0
        return True, mas.tree.root
    if mas.status == MA_NONE:
        if mas.index:
            mas.index = mas.last = 0
            mas.status = MA_ROOT
            return True, mas.tree.root
        return True, None
    return False, None


def mas_find_setup(mas, limit):
    """mas_find_setup()."""
    status = mas.status
    entry = None
    if status == MA_ACTIVE:
        return mas.last >= limit, None
    if status == MA_PAUSE:
        if mas.last >= limit:
            return True, None
        mas.last += 1
        mas.index = mas.last
        mas.status = MA_START
    elif status == MA_NONE:
        if mas.last >= limit:
            return True, None
        mas.index = mas.last
        mas.status = MA_START
    elif status == MA_UNDERFLOW:
        if mas.index >= limit:
            mas.status = MA_OVERFLOW
            return True, None
        mas.status = MA_ACTIVE
        entry = mas_walk(mas)
        if entry is not None:
            return True, entry
    elif status == MA_OVERFLOW:
        if mas.last >= limit:
            return True, None
        mas.status = MA_ACTIVE
        entry = mas_walk(mas)
        if entry is not None:
            return True, entry
    elif status == MA_ERROR:
        return True, None
    if mas.status == MA_START:
        if mas.index > limit:
            return True, None
        entry = mas_walk(mas)
        if entry is not None:
            return True, entry
    if mas.status == MA_ROOT:
        mas.status = MA_NONE
        mas.index = 1
        mas.last = ULONG_MAX
        return True, None
    if mas.status == MA_NONE:
        return True, None
    if mas.index == limit:
        return True, None
    return False, None


def mas_find_rev_setup(mas, limit):
    """mas_find_rev_setup()."""
    status = mas.status
    entry = None
    if status == MA_ACTIVE:
        return mas.index < limit, None
    if status == MA_PAUSE:
        if mas.index <= limit:
            mas.status = MA_UNDERFLOW
            return True, None
        mas.index -= 1
        mas.last = mas.index
        mas.status = MA_START
    elif status == MA_NONE:
        if mas.index <= limit:
            mas.status = MA_NONE
            return True, None
        mas.last = mas.index
        mas.status = MA_START
    elif status == MA_OVERFLOW:
        if mas.index <= limit:
            mas.status = MA_UNDERFLOW
            return True, None
        mas.status = MA_ACTIVE
    elif status == MA_UNDERFLOW:
        if mas.index <= limit:
            return True, None
        mas.status = MA_ACTIVE
    elif status == MA_ERROR:
        return True, None
    if mas.status == MA_START:
        if mas.index < limit:
            return True, None
        entry = mas_walk(mas)
        if entry is not None:
            return True, entry
    if mas.status == MA_ROOT:
        mas.status = MA_NONE
        return True, None
    if mas.status == MA_NONE:
        mas.last = mas.index = 0
        mas.status = MA_ROOT
        return True, mas.tree.root
    return mas.index < limit, None


def _setup_step(mas, fn, why):
    tracer = mas.tree.tracer
    if tracer.enabled:
        read_step(tracer, fn, mas, why)


# --- the iteration API ------------------------------------------------------------------

def _no_node(mas, fn, move, was, limit):
    """The slot move is about to read a NULL node: the kernel's oops."""
    raise KernelCrash(
        f"{fn}({limit}) from status {was[3:]} with no node (index {mas.index}, last "
        f"{mas.last}): its setup makes the state active and {move}() then reads the "
        "NULL node, which Linux v6.8 dereferences. A status decided by the limit check "
        "before any walk keeps no node; reset the state (mas_set/mas_reset) first.")


def _finish(mas, fn, entry):
    """The call's last step: what it returns and the state it leaves (mas_find's
    overflow is already turned back into active here)."""
    tracer = mas.tree.tracer
    if tracer.enabled:
        got = "NULL" if entry is None else f"the entry of [{mas.index}, {mas.last}]"
        read_step(tracer, fn, mas, f"{fn}() returns {got}; status {mas.status[3:]}",
                  entry=entry)
    return entry


def _iterate(mas, fn, limit, setup, move, empty, find=False):
    """The body every iteration call shares: its setup (which may decide the answer
    without a walk), the NULL-node check, one slot move (``empty``: stop at NULL ranges
    too), and the closing step. ``find``: mas_find() turns an overflow back into
    ``active``."""
    was = mas.status
    done, entry = setup(mas, limit)
    if not done:
        if mas.node is None:
            _no_node(mas, fn, move.__name__, was, limit)
        entry = move(mas, limit, empty)
        if find:
            mas.status = MA_ACTIVE
    return _finish(mas, fn, entry)


def mas_next(mas, limit):
    """mas_next(): the next entry after the current one, starting at or before limit."""
    return _iterate(mas, "mas_next", limit, mas_next_setup, mas_next_slot, False)


def mas_next_range(mas, limit):
    """mas_next_range(): the next range, NULL or not, starting at or before limit."""
    return _iterate(mas, "mas_next_range", limit, mas_next_setup, mas_next_slot, True)


def mas_prev(mas, limit):
    """mas_prev(): the previous entry, ending at or after limit."""
    return _iterate(mas, "mas_prev", limit, mas_prev_setup, mas_prev_slot, False)


def mas_prev_range(mas, limit):
    """mas_prev_range(): the previous range, NULL or not, ending at or after limit."""
    return _iterate(mas, "mas_prev_range", limit, mas_prev_setup, mas_prev_slot, True)


def mas_find(mas, limit):
    """mas_find(): the entry at or after index on the first call, then the next one;
    an overflow is turned back into ``active``."""
    return _iterate(mas, "mas_find", limit, mas_find_setup, mas_next_slot, False, find=True)


def mas_find_range(mas, limit):
    """mas_find_range(): as mas_find(), but later calls stop at NULL ranges too."""
    return _iterate(mas, "mas_find_range", limit, mas_find_setup, mas_next_slot, True)


def mas_find_rev(mas, limit):
    """mas_find_rev(): the entry at or before index on the first call, then the
    previous one, ending at or after limit."""
    return _iterate(mas, "mas_find_rev", limit, mas_find_rev_setup, mas_prev_slot, False)


def mas_find_range_rev(mas, limit):
    """mas_find_range_rev(): as mas_find_rev(), but later calls stop at NULL ranges."""
    return _iterate(mas, "mas_find_range_rev", limit, mas_find_rev_setup, mas_prev_slot,
                    True)


# --- the one-shot search -------------------------------------------------------------

def mt_find(tree, index, limit):
    """mt_find(tree, &index, limit): the first entry whose range ends at or after
    index and starts at or before limit.

    Returns ``(entry, new_index, first, last)``: new_index is the found range's
    last + 1 (0 after an entry ending at ULONG_MAX), or index unchanged on a miss;
    first/last are the state's range after the search.
    """
    mas = MaState(tree, index, index)
    tracer = tree.tracer
    if tracer.enabled:
        tracer.event("read", "mt_find", mas, ma_state=state_dict(mas))
    if index > limit:
        if tracer.enabled:
            read_step(tracer, "mt_find", mas,
                      f"index {index} is above the limit {limit}: nothing to find")
        return None, index, None, None
    while True:
        entry = mas_state_walk(mas)
        if mas.status != MA_START:
            break
    if entry is XA_ZERO_ENTRY:
        entry = None
    if entry is None:
        while mas.status == MA_ACTIVE and mas.last < limit:
            entry = mas_next_entry(mas, limit)
            if entry is not None and entry is not XA_ZERO_ENTRY:
                break
        if entry is XA_ZERO_ENTRY:
            entry = None
    if entry is not None:
        new_index = (mas.last + 1) & ULONG_MAX
        if tracer.enabled:
            read_step(tracer, "mt_find", mas,
                      f"found [{mas.index}, {mas.last}]; index becomes last + 1 = {new_index}"
                      + (" (it wrapped to 0)" if not new_index else ""), entry=entry)
        return entry, new_index, mas.index, mas.last
    if tracer.enabled:
        read_step(tracer, "mt_find", mas, f"no entry starts at or before {limit}: "
                  "index is unchanged")
    return None, index, None, None


__all__ = ["mt_find", "mas_next", "mas_next_range", "mas_prev", "mas_prev_range", "mas_find",
           "mas_find_range", "mas_find_rev", "mas_find_range_rev", "mas_next_entry",
           "mas_next_slot", "mas_prev_slot", "mas_next_node", "mas_prev_node",
           "mas_next_setup", "mas_prev_setup", "mas_find_setup", "mas_find_rev_setup"]
