# SPDX-License-Identifier: GPL-2.0-or-later
"""The project's error hierarchy.

Every error the model raises for bad input or a kernel-level failure is a
:class:`MapleTreeError`; the ones that stand for bad arguments are also
:class:`ValueError` (or :class:`TypeError`) so that ordinary Python code can
catch them the usual way.
"""


class MapleTreeError(Exception):
    """Base class of every error raised by mapletree_edu."""


class InvalidRangeError(MapleTreeError, ValueError):
    """A range or index is out of bounds or reversed (the kernel's -EINVAL)."""


class InvalidEntryError(MapleTreeError, TypeError):
    """An entry cannot be stored (None where NULL is not meant, a reserved value)."""


class InvalidArgumentError(MapleTreeError, ValueError):
    """A kernel-style -EINVAL: for example a dup into a non-empty tree."""


class OutOfMemoryError(MapleTreeError):
    """The node allocator failed (the kernel's -ENOMEM)."""


class BulkModeError(MapleTreeError):
    """An operation that is not allowed while a bulk load is active, or a bad bulk store."""


class ReplayError(MapleTreeError, ValueError):
    """A malformed or unsupported line in an op script."""

    def __init__(self, line, message):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class DumpParseError(MapleTreeError, ValueError):
    """A malformed mt_dump() text."""

    def __init__(self, line, message):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class ExportError(MapleTreeError, ValueError):
    """A tree or trace that cannot be exported."""


class EntryExistsError(MapleTreeError):
    """An insert met an entry in its range (the kernel's -EEXIST)."""


class NoSpaceError(MapleTreeError):
    """A gap search or an allocation found no free area of that size (-EBUSY)."""


class StaleCursorError(MapleTreeError):
    """A cursor (maple state) holding a node was used after the tree changed without
    being reset or paused first."""


class KernelCrash(MapleTreeError):
    """The model reached a point where Linux v6.8 would dereference a NULL node (an
    oops in the kernel); the model stops with this error instead."""


class KernelWarning(MapleTreeError):
    """The model reached one of the kernel's WARN_ON_ONCE() points."""
