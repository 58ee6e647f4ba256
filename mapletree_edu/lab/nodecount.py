# SPDX-License-Identifier: GPL-2.0-or-later
"""Node counts: Peng's (n-1)/15 argument, a dense tree, the real trees, and the bulk
preallocation.

Peng's argument in the review (and in the merged ``__mt_dup`` commit): with n entries
and 16 slots everywhere there are n/16 leaves, n/16**2 nodes above them, ..., so
n/16 + n/16**2 + ... + 1 = (n-1)/15 nodes; every step of the copy is a constant per
node, so the copy is linear in n. The VMA tree differs in two ways the argument
leaves out: its entries include the NULL ranges around the VMAs (between n + 2 and
2n + 1 for n VMAs, by the layout), and its internal nodes (``arange_64``) have 10
slots, not 16.

The bulk rebuild preallocated for the worst case (``mas_expected_entries``):
``leaves = ceil((2n+1)/14)``, ``leaves + ceil(leaves/8) + 3`` nodes for an alloc tree.
"""

from ..core.constants import MAPLE_ARANGE_64, MT_SLOTS
from ..tree import MapleTree

LEAF_SLOTS = MT_SLOTS[1]                      # 16
INTERNAL_SLOTS = MT_SLOTS[MAPLE_ARANGE_64]    # 10 (alloc tree)


def ceil_div(a, b):
    return -(-a // b)


def peng_nodes(entries):
    """(n-1)/15: the node count of a full tree with fan-out 16 at every level."""
    return (entries - 1) / 15


def peng_levels(entries, fanout=LEAF_SLOTS):
    """n/16, n/16**2, ... down to 1: the level sizes of Peng's geometric series."""
    out = []
    level = entries / fanout
    while level > 1:
        out.append(level)
        level /= fanout
    out.append(1.0)
    return out


def dense_levels(entries, leaf_slots=LEAF_SLOTS, internal_slots=INTERNAL_SLOTS):
    """Node counts per level (leaves first) of the smallest tree holding ``entries``:
    full leaves of ``leaf_slots``, full internal nodes of ``internal_slots``."""
    if entries <= 0:
        return []
    levels = [ceil_div(entries, leaf_slots)]
    while levels[-1] > 1:
        levels.append(ceil_div(levels[-1], internal_slots))
    return levels


def dense_nodes(entries, leaf_slots=LEAF_SLOTS, internal_slots=INTERNAL_SLOTS):
    """The node count of :func:`dense_levels`."""
    return sum(dense_levels(entries, leaf_slots, internal_slots))


def prealloc_nodes(nr_entries, alloc=True):
    """``mas_expected_entries(nr_entries)``'s request (pre-6.18): worst case 2n+1 entries,
    14 per leaf, one parent per 8 leaves (alloc tree; 14 in a plain tree), plus 3."""
    entries = max(nr_entries, 2 * nr_entries + 1)
    leaves = ceil_div(entries, LEAF_SLOTS - 2)
    cap = INTERNAL_SLOTS - 2 if alloc else LEAF_SLOTS - 2
    return leaves + ceil_div(leaves, cap) + 3


def bulk_usage(ranges, expected=None):
    """Bulk-load ``(first, last, entry)`` ranges into a new alloc tree and return what the
    ledger shows: ``requested`` (nodes taken at ``mas_expected_entries``), ``freed_during``
    (frees before ``mas_destroy``), ``freed_at_destroy`` (unused nodes returned by
    ``mas_destroy``), ``used`` (nodes the tree holds afterwards), ``alloc_calls``."""
    ranges = list(ranges)
    t = MapleTree(alloc=True)
    a = t.allocator
    with t.bulk(len(ranges) if expected is None else expected) as b:
        after_request = a.counters()
        for first, last, entry in ranges:
            b.store(first, last, entry)
        before_destroy = a.counters()
    end = a.counters()
    return {"requested": after_request["allocs"],
            "allocated": end["allocs"],
            "freed_during": before_destroy["frees"],
            "freed_at_destroy": end["frees"] - before_destroy["frees"],
            "used": t.node_count, "alloc_calls": end["alloc_calls"]}


def count_row(vmas, entries, parent_nodes, bulk_nodes, height=None):
    """One row of the node-count comparison for a process of ``vmas`` VMAs whose tree
    holds ``entries`` entries: Peng's formula with n = VMAs and with n = entries, the
    dense 16/10 tree, the real trees, the preallocation."""
    return {"vmas": vmas, "entries": entries,
            "peng_vmas": peng_nodes(vmas), "peng_entries": peng_nodes(entries),
            "dense": dense_nodes(entries), "parent": parent_nodes, "bulk": bulk_nodes,
            "prealloc": prealloc_nodes(vmas), "height": height}


__all__ = ["peng_nodes", "peng_levels", "dense_levels", "dense_nodes", "prealloc_nodes",
           "bulk_usage", "count_row", "ceil_div", "LEAF_SLOTS", "INTERNAL_SLOTS"]
