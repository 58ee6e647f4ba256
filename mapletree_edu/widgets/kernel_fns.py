# SPDX-License-Identifier: GPL-2.0-or-later
"""The kernel functions a recorded step can name, for the players' kernel-function panel.

Each entry says in one line what the function does in Linux v6.8 lib/maple_tree.c and
whether it fires one of the kernel's trace points (``ma_op``, ``ma_read``, ``ma_write`` of
include/trace/events/maple_tree.h). The descriptions are written for learners; they are
not kernel text. The link goes to an identifier search of the v6.8 tree, which lists the
definition in lib/maple_tree.c first.
"""

SOURCE_FILE = "lib/maple_tree.c"
SOURCE_URL = "https://elixir.bootlin.com/linux/v6.8/A/ident/{fn}"

# fn -> (trace point it fires in v6.8 or None, one-line description)
KERNEL_FUNCTIONS = {
    "mtree_store_range": ("ma_write", "normal API: store an entry over [index, last]"),
    "mtree_erase": ("ma_op", "normal API: find the range holding index and store NULL over it"),
    "mas_store": ("ma_write", "advanced API: store through a maple state that keeps its "
                              "position (used by bulk loads)"),
    "mas_root_expand": (None, "the root was empty or a single entry: make it a leaf node"),
    "mas_store_root": (None, "store into an empty tree or a root-pointer tree"),
    "mas_new_root": (None, "the write covers every index: the tree gets a new root"),
    "mas_wr_modify": (None, "try the in-place fast paths at the leaf, cheapest first"),
    "mas_wr_append": ("ma_write", "fast path: the write lands after the node's last range"),
    "mas_wr_slot_store": ("ma_write", "fast path: the slot count stays, only boundaries "
                                      "move"),
    "mas_wr_node_store": ("ma_write", "fast path: rebuild the leaf with the new range"),
    "mas_wr_bnode": ("ma_write", "slow path: copy the node into a big node, then commit"),
    "mas_commit_b_node": (None, "write the big node back: one node, or a split or "
                                "rebalance"),
    "mas_split": ("ma_op", "the data needs more than one node: split upwards, trying to push "
                           "into a sibling first"),
    "mas_push_data": (None, "try to move part of the data into the left or right sibling "
                            "instead of splitting"),
    "mab_calc_split": (None, "choose where the big node's data is cut into two (or three) "
                             "nodes"),
    "mas_rebalance": ("ma_op", "the node is below its minimum: merge or share with a "
                               "sibling"),
    "mas_is_span_wr": ("ma_write", "the write goes past the end of the child it is entering"),
    "mas_wr_spanning_store": ("ma_op", "rebuild the subtree a write spans"),
    "mas_spanning_rebalance": (None, "rebuild the levels a spanning store touched"),
    "mas_topiary_replace": (None, "link the new nodes in and free the nodes they replace"),
    "mas_expected_entries": (None, "start a bulk load: preallocate the nodes for N entries"),
    "mas_destroy": (None, "end a bulk load: free unused nodes, fix a short last leaf"),
    "mas_destroy_rebalance": (None, "end of a bulk load: move entries into a too-short last "
                                    "leaf"),
    "mas_dup_build": (None, "__mt_dup: copy the tree node by node in depth-first pre-order"),
    "mas_dup_alloc": (None, "__mt_dup: allocate all children of a copied node in one call"),
    "mas_dup_free": (None, "__mt_dup failed: free the partial copy"),
}

EVENT_POINTS = {"op": "ma_op", "read": "ma_read", "write": "ma_write"}

# details worth showing per function (in this order); other keys follow
DETAIL_ORDER = {
    "mab_calc_split": ("b_end", "split", "mid_split", "mode", "big_node"),
    "mas_push_data": ("side", "b_end", "sibling_end", "space", "split", "pushed"),
    "mas_dup_build": ("visit", "src", "dst", "copied"),
    "mas_dup_alloc": ("count", "ok"),
    "mas_topiary_replace": ("replaced", "destroyed"),
}


def describe(fn):
    """(trace point or None, description) for a kernel function name."""
    return KERNEL_FUNCTIONS.get(fn, (None, ""))


def source_link(fn):
    """The URL of an identifier search for fn in Linux v6.8."""
    return SOURCE_URL.format(fn=fn)


def ordered_details(step):
    """The step's details as (key, value) pairs, the telling ones first."""
    details = step.details
    first = [k for k in DETAIL_ORDER.get(step.fn, ()) if k in details]
    rest = [k for k in details if k not in first]
    return [(k, details[k]) for k in first + rest]
