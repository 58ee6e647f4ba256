# SPDX-License-Identifier: GPL-2.0-or-later
"""mapletree_edu: a node-exact model of the Linux v6.8 maple tree, for teaching."""

from .core.constants import ULONG_MAX
from .core.entries import XA_ZERO_ENTRY
from .cursor import Cursor
from .errors import (
    BulkModeError,
    DumpParseError,
    EntryExistsError,
    ExportError,
    InvalidArgumentError,
    InvalidEntryError,
    InvalidRangeError,
    KernelCrash,
    MapleTreeError,
    NoSpaceError,
    OutOfMemoryError,
    ReplayError,
    StaleCursorError,
)
from .tree import MapleTree, mtree_dup

__version__ = "0.1.0"

__all__ = ["MapleTree", "mtree_dup", "ULONG_MAX", "XA_ZERO_ENTRY", "MapleTreeError",
           "InvalidRangeError", "InvalidEntryError", "InvalidArgumentError", "OutOfMemoryError",
           "BulkModeError", "ReplayError", "DumpParseError", "ExportError", "Cursor",
           "EntryExistsError", "NoSpaceError", "StaleCursorError", "KernelCrash"]
