# SPDX-License-Identifier: GPL-2.0-or-later
"""Sizes of a frame: font sizes for a target on-screen text size, and width estimates.

No kernel twin. Graphviz lays a diagram out in points (1 pt = 4/3 CSS px at 100 %
zoom); a frame is drawn for a target text size in px and a width budget in px, and the
stage that chooses what to show uses these estimates to keep the drawing inside the
budget, so the browser never has to shrink it (which is what made text unreadable).
The estimates err on the wide side (Helvetica's digits are 0.556 em wide; 0.6 is used).
"""

import math
from dataclasses import dataclass

PX_PER_PT = 4 / 3
DEFAULT_TEXT_PX = 11
PRESENTER_TEXT_PX = 16
DEFAULT_WIDTH_PX = 940          # JupyterLab's output area at a 1400 px window is 968 px; 3 % margin
CHAR_EM = 0.6
BOLD_EM = 0.66
NODESEP_PT = 14


@dataclass(frozen=True)
class Sizes:
    """Font sizes (pt) and the width budget (pt) of one frame."""

    text_px: float = DEFAULT_TEXT_PX
    width_px: float = DEFAULT_WIDTH_PX

    @property
    def small(self):
        """The smallest text (pivots, notes): at least ``text_px`` on screen, with 9 %
        headroom for the browser's rounding, in half points."""
        return math.ceil(self.text_px * 1.09 / PX_PER_PT * 2) / 2

    @property
    def main(self):
        return self.small + 1

    @property
    def budget_pt(self):
        return self.width_px / PX_PER_PT

    def caption_chars(self):
        """Characters per caption line that fit the budget."""
        return max(30, int(self.budget_pt / (self.main * CHAR_EM)))


def text_w(text, pt, bold=False):
    """Estimated width in points of one line of text."""
    return len(str(text)) * pt * (BOLD_EM if bold else CHAR_EM)


def check_sizes(text_px, width_px):
    """A Sizes, or ValueError naming the bad parameter."""
    for name, v, lo in (("text_px", text_px, 6), ("width_px", width_px, 200)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < lo:
            raise ValueError(f"{name} must be a number of pixels of at least {lo}, not {v!r}")
    return Sizes(float(text_px), float(width_px))


def drawn_cells(n_slots, hidden=frozenset()):
    """The cells of a node's slot row: (first offset, last offset, elided) runs; hidden
    offsets are grouped into runs of elided slots."""
    out = []
    k = 0
    while k < n_slots:
        if k in hidden:
            j = k
            while j + 1 < n_slots and j + 1 in hidden:
                j += 1
            out.append((k, j, True))
            k = j + 1
        else:
            out.append((k, k, False))
            k += 1
    return out


def elided_text(first, last):
    return f"\u22ef {last - first + 1}"


def header_texts(n, fmt, notes=()):
    """(main, notes) texts of a node's header: ``leaf_64 [min, max]`` and the small notes
    (serial, tags, the shared hex prefix of the pivots)."""
    main = f"{n.type} {fmt.span(n.min, n.max)}"
    small = [f"n{n.serial}", *notes]
    _texts, prefix = fmt.pivots(n.min, n.max, n.pivots[:-1])
    if prefix:
        small.append(f"pivots {prefix}\u2026")
    return main, " \u00b7 ".join(small)


def slot_w(pivot_texts, slot_texts, elided, sizes):
    """One width (pt) for every cell of a node, wide enough for its widest pivot (small
    font), entry (main font) and elided-run text, so each pivot sits under its boundary."""
    w = 2.2 * sizes.main
    for t in pivot_texts:
        w = max(w, text_w(t, sizes.small) + 6)
    for t in slot_texts:
        w = max(w, text_w(t, sizes.main) + 8)
    for t in elided:
        w = max(w, text_w(t, sizes.small) + 8)
    return int(w + 0.999)


def node_geometry(n, fmt, sizes, hidden=frozenset(), notes=(), slot_texts=None):
    """(cell width, total width, header on two lines) of a node drawn with ``hidden``
    slots elided; ``slot_texts``: the texts of the slots (computed when None)."""
    from .fmt import entry_text, slot_text
    cells = drawn_cells(len(n.slots), hidden)
    piv_all, _prefix = fmt.pivots(n.min, n.max, n.pivots[:-1])
    pivots = [piv_all[b] for _a, b, _e in cells[:-1]]
    if slot_texts is None:
        slot_texts = [entry_text(c)[0] if n.is_leaf else slot_text(n, k, fmt)[0]
                      for k, c in enumerate(n.slots)]
    texts = [slot_texts[a] for a, _b, e in cells if not e]
    elided = [elided_text(a, b) for a, b, e in cells if e]
    cw = slot_w(pivots, texts, elided, sizes)
    main, small = header_texts(n, fmt, notes)
    mw = text_w(main, sizes.main, bold=True) + 10
    sw = text_w(small, sizes.small) + 10
    two_lines = mw + sw > cw * len(cells)
    head = max(mw, sw) if two_lines else mw + sw
    cw = max(cw, int(-(-head // len(cells))))
    return cw, cw * len(cells) + 6, two_lines
