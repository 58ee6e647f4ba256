# SPDX-License-Identifier: GPL-2.0-or-later
"""Number and text formatting shared by the DOT writers.

One rule for a whole diagram: indices (min, max, pivots, gaps) are written in hex when
any finite index in the picture is above 0xffff, else in decimal; ULONG_MAX is written
``MAX``. Entries are values, not indices, so they are always decimal.
"""

from ..core.constants import ULONG_MAX

HEX_ABOVE = 0xFFFF


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
        return cls(any(v != ULONG_MAX and v > HEX_ABOVE for v in values))

    def index(self, v):
        if v is None:
            return ""
        if v == ULONG_MAX:
            return "MAX"
        return f"{v:#x}" if self.hex else str(v)

    def span(self, lo, hi):
        return f"[{self.index(lo)}, {self.index(hi)}]"

    def dash_span(self, lo, hi):
        return f"[{self.index(lo)}\u2013{self.index(hi)}]"


def entry_text(label, limit=12):
    """Text of a leaf entry label (an int, None or a repr string), cut to ``limit``."""
    if label is None:
        return ""
    if hasattr(label, "serial"):
        return f"n{label.serial}"
    text = str(label)
    if len(text) > limit:
        text = text[:limit - 1] + "\u2026"
    return text


def view_values(view):
    """Every index value a view shows (for the radix rule)."""
    for n in view.nodes:
        yield n.min
        yield n.max
        yield from n.pivots
        if n.gaps:
            yield from n.gaps
