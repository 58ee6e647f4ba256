# SPDX-License-Identifier: GPL-2.0-or-later
"""The commonest store, written out: an append at the end of the tree.

A process's VMAs, a log, any ranges stored in address order: most stores land in
the tree's trailing NULL range, the one that runs from the last entry to
``ULONG_MAX`` in the right-most leaf. For those stores ``mtree_store_range()``
always takes the same road:

* the walk (``mas_wr_walk()``) follows the last slot of every node down the right
  spine, and ``mas_wr_end_piv()`` finds the write inside that one NULL range;
* ``mas_wr_modify()`` appends in place (``mas_wr_append()``) when the leaf has room,
  or, in RCU mode, where that is refused, ``mas_wr_node_store()`` writes a new leaf
  and frees the old one after the grace period; then ``mas_update_gap()`` carries the
  shrunk trailing gap towards the root;
* otherwise ``mas_wr_bnode()`` builds the big node and ``mas_split()`` splits the
  spine upwards: at each level it tries ``mas_push_data()`` to the left (there is
  never a right sibling on the spine), else ``mab_calc_split()``; the level that
  fits takes ``mas_split_final_node()``, and ``mas_wmb_replace()`` links the new
  nodes in, frees the old ones and updates the gaps.

:func:`store_append` is that road with everything the general code has to look up
already known: every node on the spine has max ``ULONG_MAX``, its min and data end
come from the descent, and the sibling a push may use is the one left of the spine.
It builds the same nodes (pivots, slots, gaps, metadata, parent pointers), hands
out the same node serials and makes the same allocator calls as the general path,
and the tests check exactly that, store by store, against the general path
(``tests/test_append_shortcut.py``).

It stands aside, and the general path runs, whenever something would make the road
different or visible: a tracer that records steps or counts visits, an allocator set
to fail, a tree with no root node, a NULL entry, a write reaching ``ULONG_MAX``, a
last leaf that RCU mode would rebalance (``mas_wr_node_store()`` refuses to leave a
non-root leaf at the minimum or below), or a spine that is not in its usual shape.
Set ``SHORTCUT = False`` to turn it off.
"""

from .bignode import mab_calc_split, mab_no_null_split
from .constants import (
    MAPLE_ARANGE_64,
    MAPLE_RANGE_64,
    MT_FLAGS_ALLOC_RANGE,
    MT_FLAGS_HEIGHT_MASK,
    MT_FLAGS_HEIGHT_OFFSET,
    MT_FLAGS_USE_RCU,
    MT_MIN_SLOTS,
    MT_SLOTS,
    ULONG_MAX,
)
from .gaps import ma_leaf_max_gap, ma_parent_gap
from .leafwrite import ma_wr_append, ma_wr_node_fill
from .node import BigNode, Node, ma_data_end
from .state import adopt_children

#: Turn the shortcut off (every store then takes the general path).
SHORTCUT = True

_MAX_HEIGHT = 14          # one bulk allocator call covers 2 * height nodes (at most 30)


class _Spot:
    """The ma_state fields mab_calc_split() reads: its flags and its tree (for the
    tracer); a normal store's state has no flags."""

    __slots__ = ("tree", "mas_flags")

    def __init__(self, tree):
        self.tree = tree
        self.mas_flags = 0


def store_append(tree, index, last, entry):
    """mtree_store_range() of a non-NULL entry inside the trailing NULL range.

    Returns True when the store was done, False (nothing changed) when the general
    path must do it.
    """
    flags = tree.flags
    if entry is None or last == ULONG_MAX:
        return False
    node = tree.root
    if node.__class__ is not Node:
        return False
    # mas_wr_walk() down the right spine: index lies past every pivot of each node
    while True:
        pivots = node.pivots
        mtype = node.type
        # ma_data_end() with max ULONG_MAX
        if mtype == MAPLE_ARANGE_64:
            end = node.meta_end
        else:
            p14 = pivots[14]
            end = node.meta_end if not p14 else (14 if p14 == ULONG_MAX else 15)
        if not end or index <= pivots[end - 1]:
            return False
        if mtype < 2:
            break
        node = node.slots[end]
    slots = node.slots
    if slots[end] is not None:
        return False
    # mas_wr_end_piv(): offset_end = end, end_piv = ULONG_MAX; mas_wr_new_end()
    r_min = pivots[end - 1] + 1
    new_end = end + 2 if r_min < index else end + 1
    if new_end < 16:
        if flags & MT_FLAGS_USE_RCU:
            # mas_wr_append() refuses in RCU mode; mas_wr_node_store() writes a new leaf
            # unless a non-root leaf would stay below the minimum (then the big node
            # and mas_rebalance() follow: the general path's business)
            if (new_end <= MT_MIN_SLOTS[node.type] and node.parent.__class__ is Node) or \
                    tree.allocator.fail_at is not None:
                return False
            node = _rcu_node_store(tree, node, end, new_end, r_min, index, last, entry)
        else:
            # mas_wr_append(), mas->offset == mas->end
            ma_wr_append(node, end, new_end, index, last, ULONG_MAX, entry, None)
        # mas_update_gap(): the leaf's trailing gap shrank
        if flags & MT_FLAGS_ALLOC_RANGE:
            # mas_leaf_max_gap() returns the trailing gap at once when it exceeds
            # the span of the rest of the leaf, which is at most last; otherwise it
            # needs the leaf's min (only above 2**63)
            max_gap = ULONG_MAX - last
            if max_gap <= last:
                max_gap = ma_leaf_max_gap(node, _right_spine(tree.root)[-1][1], ULONG_MAX)
            _spine_update_gap(node, max_gap, last)
        return True
    if (end < 15 and pivots[end] != ULONG_MAX) or tree.allocator.fail_at is not None or \
            (flags & MT_FLAGS_HEIGHT_MASK) >> MT_FLAGS_HEIGHT_OFFSET > _MAX_HEIGHT:
        return False
    # the descent above keeps no path (an append that fits needs none); a split walks
    # the spine again for its nodes and mins
    _split_spine(tree, _right_spine(tree.root), end, r_min, index, last, entry)
    return True


def _rcu_node_store(tree, old, end, new_end, r_min, index, last, entry):
    """mas_wr_node_store() in RCU mode: a new leaf from the pool (one allocator call)
    with the write in place of the trailing NULL range, linked where the old leaf was
    (mas_replace_node()); the old leaf is freed after the grace period."""
    allocator = tree.allocator
    allocator.alloc_one(lazy=True)                # mas_node_count(mas, 1)
    node = Node(old.type, allocator.next_serial())
    node.parent = parent = old.parent
    node.parent_slot = old.parent_slot
    ma_wr_node_fill(node, old, end, end, end, new_end, r_min, index, last, ULONG_MAX, entry,
                    None)
    if parent.__class__ is Node:                 # mas_put_in_tree()
        parent.slots[node.parent_slot] = node
    else:
        tree.root = node
    old.parent = old
    allocator.free(1)
    return node


def _spine_update_gap(node, new, last):
    """mas_update_gap() for a node on the right spine whose largest gap is now new.

    Every other gap a spine node records belongs to a range that ends below the
    write, so it is at most ``last`` (a gap never exceeds its range, as
    ``validate()`` checks). While ``new`` is above ``last`` and the spine slot held
    the larger, old, gap and its gap offset, mas_parent_gap() finds ``new`` to be
    the largest gap again and leaves the gap offset where it is: only the spine slot
    changes, level after level. Anything else is left to mas_parent_gap().
    """
    parent = node.parent
    if parent.__class__ is not Node:            # mte_is_root()
        return
    slot = node.parent_slot
    pgaps = parent.gaps
    if pgaps[slot] == new:
        return
    if new > last:
        while parent.meta_gap == slot and pgaps[slot] > new:
            pgaps[slot] = new
            node = parent
            parent = node.parent
            if parent.__class__ is not Node:
                return
            slot = node.parent_slot
            pgaps = parent.gaps
    ma_parent_gap(parent, slot, new)


def _right_spine(node):
    """(node, min) of every node from node down its last slots to the leaf."""
    path = []
    mn = 0
    while True:
        path.append((node, mn))
        if node.type < 2:
            return path
        end = ma_data_end(node, node.type, ULONG_MAX)
        mn = node.pivots[end - 1] + 1
        node = node.slots[end]


def _split_spine(tree, path, end, r_min, index, last, entry):
    """mas_wr_bnode() and mas_split() for a full right-most leaf.

    ``path`` holds (node, min) from the root down to the leaf; every max is ULONG_MAX.
    The big node of each level is kept as three exact-length lists (pivots, slots,
    gaps): the kernel's copies in and out of it (mas_mab_cp(), mab_mas_cp()) stop
    at the first zero pivot past offset 0 or at the node max, and neither occurs
    inside the data of a node, so on the spine they are whole-list slices.
    """
    flags = tree.flags
    alloc_range = flags & MT_FLAGS_ALLOC_RANGE
    allocator = tree.allocator
    depth = (flags & MT_FLAGS_HEIGHT_MASK) >> MT_FLAGS_HEIGHT_OFFSET   # mt_height()

    # mas_store_b_node(): the leaf's entries before the trailing NULL range, the NULL
    # left of the write, the write, and the NULL after it (a leaf's gaps are unused)
    leaf = path[-1][0]
    if r_min < index:
        piv = leaf.pivots[:end] + [index - 1, last, ULONG_MAX]
        slot = leaf.slots[:end] + [None, entry, None]
    else:
        piv = leaf.pivots[:end] + [last, ULONG_MAX]
        slot = leaf.slots[:end] + [entry, None]
    gap = None
    btype = leaf.type

    # mas_split(): mas_node_count(mas, 1 + height * 2) from the empty pool of a new
    # state is one single-node call and one bulk call
    allocator.alloc_one(lazy=True)
    allocator.alloc_bulk(2 * depth, lazy=True)
    popped = 0
    old_nodes = []            # what mas_topiary_replace() disposes of
    adopters = []             # the new internal nodes below the top one, with their max

    level = len(path) - 1     # path index of the node being split (mas->node)
    prev_min = 0              # mast->orig_l->min
    left = right = None       # the new nodes of the level below
    l_off = 0                 # mast->l->offset: where they go in the parent
    height = 0
    while True:
        height += 1
        node, mn = path[level]
        slot_count = MT_SLOTS[btype]
        b_end = len(slot) - 1
        if slot_count > b_end:
            break
        orig_l = left
        orig_r = right
        orig_off = l_off
        left = Node(btype, allocator.next_serial())
        right = Node(btype, allocator.next_serial())
        popped += 2
        pushed = False
        if level:
            # mas_push_data(left); mas->max is ULONG_MAX on the spine
            parent, pmin = path[level - 1]
            p_slot = node.parent_slot
            if p_slot:
                ppiv = parent.pivots
                sib = parent.slots[p_slot - 1]
                smax = ppiv[p_slot - 1]
                sib_end = ma_data_end(sib, btype, smax)
                slot_total = b_end + sib_end
                if slot_total < 2 * slot_count - 3 - (btype < 2):
                    # mab_shift_right() and mas_mab_cp() of the sibling in front (a
                    # sibling that fits is never full, so its pivots cover its data)
                    pushed = True
                    piv = sib.pivots[:sib_end + 1] + piv
                    slot = sib.slots[:sib_end + 1] + slot
                    if gap is not None:
                        gap = sib.gaps[:sib_end + 1] + gap
                    b_end = slot_total + 1
                    split = mab_no_null_split(_big(piv, slot, b_end, btype), slot_count - 2,
                                              slot_count)
                    orig_off += sib_end + 1
                    l_min = ppiv[p_slot - 2] + 1 if p_slot > 1 else pmin
                    l_off = p_slot - 1
                    old_nodes.append(sib)
        if not pushed:
            # mas_push_data(right) finds no next sibling on the spine: mab_calc_split()
            split = mab_calc_split(_Spot(tree), _big(piv, slot, b_end, btype), prev_min)[0]
            l_min = mn
            l_off = node.parent_slot if level else 0
        old_nodes.append(node)
        # mast_split_data()
        split += 1
        l_max = piv[split - 1]
        if gap is None:
            _fill(left, piv[:split], slot[:split], None)
            _fill(right, piv[split:], slot[split:], None)
        else:
            _fill(left, piv[:split], slot[:split], gap[:split])
            _fill(right, piv[split:], slot[split:], gap[split:])
        if btype >= 2:
            adopters.append((left, l_max))
            adopters.append((right, ULONG_MAX))
            # mas_set_split_parent() for the level below's two nodes: they are the
            # last two entries, and every split leaves them to the right node
            orig_l.parent = right
            orig_l.parent_slot = orig_off - split
            orig_r.parent = right
            orig_r.parent_slot = orig_off - split + 1
        # mast_fill_bnode(): the parent's entries left of the split node and the two
        # new nodes; nothing lies right of them on the spine. At the root the state
        # stays where it is, and the next level is a new root.
        if level:
            level -= 1
            parent = path[level][0]
        else:
            parent = node
        piv = parent.pivots[:l_off] + [l_max, ULONG_MAX]
        slot = parent.slots[:l_off] + [left, right]
        if alloc_range:
            if btype < 2:
                l_gap = ma_leaf_max_gap(left, l_min, l_max)
                r_gap = ma_leaf_max_gap(right, l_max + 1, ULONG_MAX)
            else:
                l_gap = left.gaps[left.meta_gap]
                r_gap = right.gaps[right.meta_gap]
            gap = (parent.gaps[:l_off] if l_off else []) + [l_gap, r_gap]
        btype = parent.type
        prev_min = l_min
        if pushed:
            # mas_push_data() ends with mas_split_final_node() at the parent
            height += 1
            node = parent
            break

    # mas_split_final_node(): node is the old node at this level, or the old root
    # when the root itself was split (the new top node is then a new root)
    at_root = node.parent.__class__ is not Node
    if at_root:
        btype = MAPLE_ARANGE_64 if alloc_range else MAPLE_RANGE_64
    ancestor = Node(btype, allocator.next_serial())
    popped += 1
    left.parent = ancestor
    left.parent_slot = l_off
    right.parent = ancestor
    right.parent_slot = l_off + 1
    ancestor.parent = node.parent
    ancestor.parent_slot = node.parent_slot
    _fill(ancestor, piv, slot, gap if btype == MAPLE_ARANGE_64 else None)

    # mas_wmb_replace() -> mas_topiary_replace(): mas_put_in_tree()
    if at_root:
        tree.root = ancestor
        tree.flags = (tree.flags & ~MT_FLAGS_HEIGHT_MASK) | (height << MT_FLAGS_HEIGHT_OFFSET)
    else:
        ancestor.parent.slots[ancestor.parent_slot] = ancestor
    if node is not old_nodes[-1]:
        old_nodes.append(node)
    # the new internal nodes adopt their children (mas_adopt_children())
    adopt_children(ancestor, ULONG_MAX)
    for parent, mx in adopters:
        adopt_children(parent, mx)
    # the replaced nodes are marked dead and pushed back into the pool
    for old in old_nodes:
        old.parent = old
    # mas_update_gap() from the new top node
    if alloc_range:
        _spine_update_gap(ancestor, ancestor.gaps[ancestor.meta_gap], last)
    # mas_destroy(): the pool's unused nodes and the disposed ones are freed
    allocator.free(1 + 2 * depth - popped + len(old_nodes))


def _big(piv, slot, b_end, btype):
    """A big node over the level's entry lists, for mab_calc_split() and
    mab_no_null_split() (which read only pivots, slots, b_end and type)."""
    big = BigNode.__new__(BigNode)
    big.pivot = piv
    big.slot = slot
    big.b_end = b_end
    big.type = btype
    return big


def _fill(node, piv, slot, gap):
    """mab_mas_cp() of whole entries into a new node; gap is None unless the node
    is an arange_64 node (the highest offset of the largest gap wins, offset 0 when
    there is no gap). No spine node takes more entries than it has slots."""
    count = len(slot)
    pivots = node.pivots
    npiv = len(pivots)
    pivots[:count if count < npiv else npiv] = piv[:npiv]
    node.slots[:count] = slot
    end = count - 1
    if gap is not None:
        node.gaps[:count] = gap
        max_gap = max(gap)
        if max_gap:
            node.meta_gap = end - gap[::-1].index(max_gap)
        node.meta_end = end
    elif end < npiv:
        # mas_leaf_set_meta() on a zeroed node
        node.meta_end = end
