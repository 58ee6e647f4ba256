# SPDX-License-Identifier: GPL-2.0-or-later
"""Sizes, node types and flags of the 64-bit Linux v6.8 maple tree."""

ULONG_MAX = (1 << 64) - 1

# enum maple_type
MAPLE_DENSE = 0
MAPLE_LEAF_64 = 1
MAPLE_RANGE_64 = 2
MAPLE_ARANGE_64 = 3

TYPE_NAMES = {
    MAPLE_DENSE: "dense",
    MAPLE_LEAF_64: "leaf_64",
    MAPLE_RANGE_64: "range_64",
    MAPLE_ARANGE_64: "arange_64",
}

MAPLE_NODE_SLOTS = 31
MAPLE_RANGE64_SLOTS = 16
MAPLE_ARANGE64_SLOTS = 10
MAPLE_ALLOC_SLOTS = 30
MAPLE_BIG_NODE_SLOTS = MAPLE_RANGE64_SLOTS * 2 + 2
MAPLE_HEIGHT_MAX = 31

# mt_slots[], mt_pivots[], mt_min_slots[] indexed by node type
MT_SLOTS = (MAPLE_NODE_SLOTS, MAPLE_RANGE64_SLOTS, MAPLE_RANGE64_SLOTS, MAPLE_ARANGE64_SLOTS)
MT_PIVOTS = (0, MAPLE_RANGE64_SLOTS - 1, MAPLE_RANGE64_SLOTS - 1, MAPLE_ARANGE64_SLOTS - 1)
MT_MIN_SLOTS = (
    MAPLE_NODE_SLOTS // 2,
    MAPLE_RANGE64_SLOTS // 2 - 2,
    MAPLE_RANGE64_SLOTS // 2 - 2,
    MAPLE_ARANGE64_SLOTS // 2 - 1,
)

# tree flags (ma_flags)
MT_FLAGS_ALLOC_RANGE = 0x01
MT_FLAGS_USE_RCU = 0x02
MT_FLAGS_HEIGHT_OFFSET = 0x02
MT_FLAGS_HEIGHT_MASK = 0x7C
MT_FLAGS_LOCK_EXTERN = 0x300

# maple state flags (file-local in lib/maple_tree.c)
MA_STATE_BULK = 1
MA_STATE_REBALANCE = 2
MA_STATE_PREALLOC = 4

# maple state status (enum maple_status)
MA_ACTIVE = "ma_active"
MA_START = "ma_start"
MA_ROOT = "ma_root"
MA_NONE = "ma_none"
MA_PAUSE = "ma_pause"
MA_OVERFLOW = "ma_overflow"
MA_UNDERFLOW = "ma_underflow"
MA_ERROR = "ma_error"


def ma_is_leaf(mtype):
    """ma_is_leaf(): a type is a leaf when it is below maple_range_64."""
    return mtype < MAPLE_RANGE_64
