# SPDX-License-Identifier: GPL-2.0-or-later
"""Number and text formatting shared by the DOT writers.

One rule for a whole diagram: indices (min, max, pivots) and gap sizes are written in
hex when any index in the picture other than ULONG_MAX is above 0xffff, else in
decimal. ULONG_MAX is written ``MAX`` and values just below it ``MAX-n`` (the last gap of
an alloc tree is nearly 2**64). Entries are values, not indices: always decimal.
"""

import re

from ..core.constants import ULONG_MAX

HEX_ABOVE = 0xFFFF
NEAR_MAX = 0x10000


def escape(text):
    """Escape text for a graphviz HTML-like label."""
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def quote(text):
    """A double-quoted DOT string."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class NumberFormat:
    """Writes indices in one radix for the whole diagram."""

    def __init__(self, use_hex):
        self.hex = bool(use_hex)

    @classmethod
    def for_values(cls, values, force=None):
        """Hex when ``force`` is True, decimal when False, else by the diagram rule."""
        if force is not None:
            return cls(force)
        return cls(any(HEX_ABOVE < v and ULONG_MAX - v >= NEAR_MAX for v in values))

    def index(self, v):
        if v is None:
            return ""
        if v == ULONG_MAX:
            return "MAX"
        if ULONG_MAX - v < NEAR_MAX:
            d = ULONG_MAX - v
            return f"MAX-{d:#x}" if self.hex else f"MAX-{d}"
        return f"{v:#x}" if self.hex else str(v)

    def pivots(self, lo, hi, values):
        """(texts, prefix): the values of a node covering [lo, hi]. In hex, the digits
        every value in [lo, hi] shares are written once (``prefix``, e.g. ``0x5555555``)
        and each value as ``…`` plus the digits that differ, when that saves space."""
        texts = [self.index(v) for v in values]
        if not self.hex or hi == ULONG_MAX or ULONG_MAX - hi < NEAR_MAX:
            return texts, None
        a, b = f"{lo:x}", f"{hi:x}"
        if len(a) != len(b):
            return texts, None
        k = 0
        while k < len(a) and a[k] == b[k]:
            k += 1
        if k < 3:
            return texts, None
        return ["\u2026" + f"{v:x}"[k:] for v in values], "0x" + a[:k]

    def span(self, lo, hi):
        return f"[{self.index(lo)}, {self.index(hi)}]"

    def dash_span(self, lo, hi):
        return f"[{self.index(lo)}\u2013{self.index(hi)}]"


ENTRY_CHARS = 10
_VMA = re.compile(r"^Vma\((0x[0-9a-f]+)-(0x[0-9a-f]+)(.*)\)$")
# a VMA's flags: two-letter VmFlags codes (``rd wr mr``) or flag names (``DONTCOPY``);
# not a name in brackets such as ``[heap]``
_FLAGS = re.compile(r"\s*\[(?:[a-z]{2}|[A-Z][A-Z0-9_]*)(?: (?:[a-z]{2}|[A-Z][A-Z0-9_]*))*\]$")


def entry_text(label, limit=ENTRY_CHARS):
    """(short, full) texts of a leaf entry label (an int, None or a repr string).

    The short text is what the slot shows: a number as it is (cut when longer than
    ``limit``), a VMA as its file's base name (``anon`` without a file), any other text
    cut to ``limit`` characters with ``…``. The full text is the hover text."""
    if label is None:
        return "", "NULL"
    if hasattr(label, "serial"):
        return f"n{label.serial}", f"n{label.serial}"
    full = str(label)
    m = _VMA.match(full)
    if m:
        name = _FLAGS.sub("", m.group(3)).strip()
        short = name.rsplit("/", 1)[-1] if name else "anon"
        return _cut(short, limit), full
    return _cut(full, limit), full


def _cut(text, limit):
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def view_values(view):
    """Every index a view shows (for the radix rule; gap sizes follow the indices)."""
    for n in view.nodes:
        yield n.min
        yield n.max
        yield from n.pivots


def slot_text(n, k, fmt):
    """(text, bold) of slot k of an internal node: the gap of an arange_64 child (with
    ``*`` at gap_off) or a bullet for a range_64 child."""
    if n.gaps is not None:
        g = n.gaps[k] if k < len(n.gaps) else None
        if k == n.gap_off:
            return fmt.index(g) + "*", True
        return fmt.index(g), False
    return "\u2022", False
