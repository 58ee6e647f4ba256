# SPDX-License-Identifier: GPL-2.0-or-later
"""Entries the model stores: any Python object, None being NULL.

The kernel reserves a few internal values (``xa_mk_internal``); the model has
named sentinels for the ones the maple tree and fork() use.
"""


class InternalEntry:
    """A reserved internal entry, such as XA_ZERO_ENTRY (``xa_mk_internal(257)``)."""

    __slots__ = ("name", "value")

    def __init__(self, name, value):
        self.name = name
        self.value = value

    def __repr__(self):
        return self.name

    def __reduce__(self):
        return (_internal_by_name, (self.name,))

    @property
    def raw(self):
        """The machine word the kernel would store: (value << 2) | 2."""
        return (self.value << 2) | 2


XA_ZERO_ENTRY = InternalEntry("XA_ZERO_ENTRY", 257)

_INTERNALS = {XA_ZERO_ENTRY.name: XA_ZERO_ENTRY}


def _internal_by_name(name):
    return _INTERNALS[name]


def is_reserved(entry):
    """mt_is_reserved(): an internal entry below MAPLE_RESERVED_RANGE."""
    return isinstance(entry, InternalEntry)
