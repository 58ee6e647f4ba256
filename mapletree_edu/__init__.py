# SPDX-License-Identifier: GPL-2.0-or-later
"""mapletree_edu: a node-exact model of the Linux v6.8 maple tree, for teaching."""

from .core.constants import ULONG_MAX
from .core.entries import XA_ZERO_ENTRY
from .errors import (
    BulkModeError,
    DumpParseError,
    ExportError,
    InvalidArgumentError,
    InvalidEntryError,
    InvalidRangeError,
    MapleTreeError,
    OutOfMemoryError,
    ReplayError,
)
from .tree import MapleTree, mtree_dup

__version__ = "0.1.0"

__all__ = ["MapleTree", "mtree_dup", "ULONG_MAX", "XA_ZERO_ENTRY", "MapleTreeError",
           "InvalidRangeError", "InvalidEntryError", "InvalidArgumentError", "OutOfMemoryError",
           "BulkModeError", "ReplayError", "DumpParseError", "ExportError"]
