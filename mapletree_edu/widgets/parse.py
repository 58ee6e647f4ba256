# SPDX-License-Identifier: GPL-2.0-or-later
"""Reading what a learner types into the Explorer: ranges, indices and values.

Accepted ranges: ``0x1000-0x1fff``, ``4096-8191``, ``4096 8191``, ``4096,8191``,
``0x1000..0x1fff`` or one index (``4096``, ``0x1000``), in decimal or hex (``0x``), with
``_`` allowed between digits. ``MAX`` (any case) is 2**64 - 1, the kernel's ULONG_MAX.
Every error is an :class:`~mapletree_edu.errors.InvalidRangeError` or
:class:`~mapletree_edu.errors.InvalidArgumentError` with a message a learner can act on.
"""

import re

from ..core.constants import ULONG_MAX
from ..errors import InvalidArgumentError, InvalidRangeError
from .text import num

RANGE_HELP = "write first-last (e.g. 0x1000-0x1fff or 4096 8191) or one index (e.g. 4096)"
_PAIR = re.compile(r"\s*([^\s,\-]+?)\s*(?:\.\.|-|,|\s)\s*([^\s,\-]+)\s*")


def parse_index(text, what="index"):
    """One index: decimal, ``0x`` hex or ``MAX``; must lie in [0, 2**64 - 1]."""
    s = str(text).strip()
    if not s:
        raise InvalidRangeError(f"the {what} is empty: {RANGE_HELP}")
    if s.upper() == "MAX" or s.upper() == "ULONG_MAX":
        return ULONG_MAX
    if s.startswith("-"):
        raise InvalidRangeError(f"{what} {s} is negative: indices run from 0 to 2**64 - 1")
    try:
        value = int(s, 16) if s.lower().startswith("0x") else int(s, 10)
    except ValueError:
        try:
            float(s)
        except ValueError:
            raise InvalidRangeError(f"cannot read {s!r} as a number: use decimal (4096) "
                                    "or hex (0x1000)") from None
        raise InvalidRangeError(f"{what} {s} is not an integer: indices are whole "
                                "numbers") from None
    if value > ULONG_MAX:
        raise InvalidRangeError(f"{what} {s} is beyond 2**64 - 1 (0xffffffffffffffff), the "
                                "largest index")
    return value


def parse_range(text):
    """(first, last) from a range or a single index (first == last)."""
    s = str(text).strip()
    if not s:
        raise InvalidRangeError(f"no range given: {RANGE_HELP}")
    if s.startswith("-"):
        raise InvalidRangeError(f"{s!r} starts with a minus sign: indices are never "
                                "negative")
    m = _PAIR.fullmatch(s)
    if m is None:
        if re.search(r"[\s,]|\.\.|\w-", s):
            raise InvalidRangeError(f"cannot read {s!r} as a range: {RANGE_HELP}")
        first = last = parse_index(s)
    else:
        first = parse_index(m.group(1), "first")
        last = parse_index(m.group(2), "last")
    if first > last:
        raise InvalidRangeError(f"first {num(first)} is greater than last {num(last)}: a "
                                "range runs from low to high")
    return first, last


def parse_value(text, default):
    """The entry to store: an int if the text is a number, else the text itself;
    ``default`` when empty. ``None``/``NULL`` is refused (that is a clear)."""
    s = str(text).strip()
    if not s:
        return default
    if s.upper() in ("NONE", "NULL"):
        raise InvalidArgumentError("NULL cannot be stored as a value: choose the clear "
                                   "operation to remove a range")
    try:
        return int(s, 16) if s.lower().startswith("0x") else int(s, 10)
    except ValueError:
        return s


def parse_count(value, lo=1, hi=1000):
    """How many VMAs a bulk load builds: an int in [lo, hi]."""
    if isinstance(value, str):
        s = value.strip()
        if not s.isdigit():
            raise InvalidArgumentError(f"the number of VMAs must be a whole number, not "
                                       f"{value!r}")
        value = int(s)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError("the number of VMAs must be a whole number")
    if not lo <= value <= hi:
        raise InvalidArgumentError(f"the number of VMAs must be between {lo} and {hi}, not "
                                   f"{value}")
    return value
