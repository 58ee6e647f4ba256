# SPDX-License-Identifier: GPL-2.0-or-later
"""HTML-like labels for one maple node, a big node, a summary and a freed ghost.

A node is a table: a header with its type (leaf_64 / range_64 / arange_64), the range
[min, max] it covers and its serial; a row of pivots, each drawn under the boundary
between the two slots it separates (pivot i is the inclusive upper bound of slot i);
a row of slots, one cell (and DOT port ``s<i>``) per used slot. Leaf slots hold the
entries (NULL is an empty grey cell); internal slots point to children, and in an
arange_64 node they show the largest gap below that child (``*`` marks gap_off).
"""

from .fmt import entry_text, escape

COLORS = {
    "new": ("#b9e6b3", "#2e8b3e"),
    "copied": ("#bcd7f5", "#2f6fb5"),
    "modified": ("#ffd8a8", "#d9822b"),
    None: ("#ececec", "#4d4d4d"),
}
FREED = "#d62728"
SIBLING = "#7b3fa0"
RANGE_BG = "#fff2a8"
NULL_BG = "#d4d4d4"
PIVOT_FG = "#444444"
SPLIT_FG = "#c0392b"
BIG_LEFT = "#e4ddf6"
BIG_MID = "#f6f0d2"
BIG_RIGHT = "#d6efeb"

TABLE = ('<TABLE BORDER="{b}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="{pad}" '
         'COLOR="{color}" BGCOLOR="white">')


def _pivot_row(texts, size=9, marks=None):
    """Pivots staggered under the slot boundaries: an empty half cell, one two-column
    cell per pivot, an empty half cell."""
    if not texts:
        return ""
    marks = marks or {}
    cells = ['<TD BORDER="0" CELLPADDING="0"></TD>']
    for i, t in enumerate(texts):
        mark = marks.get(i)
        if mark:
            cells.append(f'<TD COLSPAN="2" BORDER="0"><FONT POINT-SIZE="{size}" '
                         f'COLOR="{SPLIT_FG}"><B>{escape(t)}</B><BR/>{escape(mark)}</FONT></TD>')
        else:
            cells.append(f'<TD COLSPAN="2" BORDER="0"><FONT POINT-SIZE="{size}" '
                         f'COLOR="{PIVOT_FG}">{escape(t)}</FONT></TD>')
    cells.append('<TD BORDER="0" CELLPADDING="0"></TD>')
    return "<TR>" + "".join(cells) + "</TR>"


def slot_width(pivot_texts, slot_texts):
    """One width (points) for every slot of a node, wide enough for its widest pivot
    (9 pt) and entry (10 pt), so that each pivot sits exactly under its boundary."""
    w = 20
    for t in pivot_texts:
        w = max(w, int(len(t) * 5.4) + 8)
    for t in slot_texts:
        w = max(w, int(len(t) * 6.0) + 8)
    return w


def node_label(n, fmt, *, status=None, bold=False, tags=(), written=None, visit=None,
               border=None):
    """The label of a NodeView. ``status``: "new"/"copied"/"modified"/None; ``bold``: on
    the walked path; ``tags``: short notes for the header; ``written``: (index, last)
    range to tint in a leaf; ``visit``: __mt_dup pre-order visit number; ``border``: an
    outline colour instead of the status colour."""
    head_bg, status_border = COLORS[status]
    border = border or status_border
    slots = len(n.slots)
    ncols = 2 * slots
    out = [TABLE.format(b=3 if bold else 1, pad=2, color=border)]
    span = fmt.span(n.min, n.max)
    head = f"<B>{escape(n.type)}</B> {escape(span)}"
    main_chars = len(n.type) + 1 + len(span)
    small = [f"n{n.serial}"]
    if visit is not None:
        head = f'<FONT COLOR="{COLORS["copied"][1]}"><B>visit {visit}</B></FONT>  ' + head
        main_chars += 9
    small.extend(tags)
    pivots, prefix = fmt.pivots(n.min, n.max, n.pivots[:-1])
    if prefix:
        small.append(f"pivots {prefix}\u2026")
    small = " · ".join(small)
    texts = [_slot_text(n, k, fmt) for k in range(slots)]
    width = slot_width(pivots, [t for t, _bold in texts])
    # the header must not make the slots uneven: wrap its notes, then widen the slots
    main_w = main_chars * 6.3 + 10
    if main_w + 2 + len(small) * 4.6 > width * slots:
        head += f'<BR/><FONT POINT-SIZE="8">{escape(small)}</FONT>'
        main_w = max(main_w, len(small) * 4.6 + 10)
    else:
        head += f'  <FONT POINT-SIZE="8">{escape(small)}</FONT>'
    width = max(width, -(-int(main_w) // slots))
    out.append(f'<TR><TD COLSPAN="{ncols}" BGCOLOR="{head_bg}">{head}</TD></TR>')
    out.append(_pivot_row(pivots))
    cells = []
    lo = n.min
    for k, content in enumerate(n.slots):
        hi = n.pivots[k]
        attrs = f'COLSPAN="2" PORT="s{k}" WIDTH="{width}"'
        if n.is_leaf:
            in_range = written is not None and lo <= written[1] and hi >= written[0]
            if in_range:
                attrs += f' BGCOLOR="{RANGE_BG}"'
            elif content is None:
                attrs += f' BGCOLOR="{NULL_BG}"'
            text = escape(texts[k][0])
        else:
            text, bold = texts[k]
            text = escape(text)
            if bold:
                text = f"<B>{text}</B>"
            text = f'<FONT POINT-SIZE="9">{text}</FONT>'
        cells.append(f"<TD {attrs}>{text}</TD>")
        lo = hi + 1
    out.append("<TR>" + "".join(cells) + "</TR>")
    out.append("</TABLE>")
    return "<" + "".join(out) + ">"


def _slot_text(n, k, fmt):
    """(text, bold) of slot k: the entry of a leaf, the gap of an arange_64 child (with
    ``*`` at gap_off), a bullet for a range_64 child."""
    if n.is_leaf:
        return entry_text(n.slots[k]), False
    if n.gaps is not None:
        g = n.gaps[k] if k < len(n.gaps) else None
        if k == n.gap_off:
            return fmt.index(g) + "*", True
        return fmt.index(g), False
    return "\u2022", False


def big_node_label(big, fmt):
    """The big node of mab_calc_split: every entry of the node(s) being split, in one
    wide row; the chosen split (and mid_split for a three-way split) marked."""
    pivots = list(big.get("pivots", ()))
    slots = list(big.get("slots", ()))
    n = min(len(pivots), len(slots))
    pivots, slots = pivots[:n], slots[:n]
    split = big.get("split")
    mid = big.get("mid_split") or 0
    b_end = big.get("b_end", n - 1)
    leaf = big.get("type", 1) < 2
    ncols = 2 * n
    out = [TABLE.format(b=2, pad=2, color=SPLIT_FG)]
    parts = [f"big node: b_end={b_end}"]
    if split is not None:
        parts.append(f"split={split}")
        if mid:
            parts.append(f"mid_split={mid}")
    if big.get("mode"):
        parts.append(f"mode {big['mode']}")
    head = f"<B>mab_calc_split</B>  {escape(', '.join(parts))}"
    if split is not None:
        left = f"slots 0\u2013{split} \u2192 left"
        if mid:
            rest = f"{split + 1}\u2013{mid} \u2192 middle, {mid + 1}\u2013{n - 1} \u2192 right"
        else:
            rest = f"{split + 1}\u2013{n - 1} \u2192 right"
        head += f'<BR/><FONT POINT-SIZE="9">{escape(left + ", " + rest)}</FONT>'
    out.append(f'<TR><TD COLSPAN="{ncols}" BGCOLOR="#f3f3f3">{head}</TD></TR>')
    marks = {}
    if split is not None and split < n - 1:
        marks[split] = "split"
    if mid and mid < n - 1:
        marks[mid] = "mid_split"
    ptexts = [fmt.index(p) for p in pivots[:-1]]
    stexts = ["" if leaf and c is None else entry_text(c) for c in slots]
    width = slot_width(ptexts, stexts)
    out.append(_pivot_row(ptexts, marks=marks))
    cells = []
    for k, text in enumerate(stexts):
        if split is None:
            bg = "white"
        elif k <= split:
            bg = BIG_LEFT
        elif mid and k <= mid:
            bg = BIG_MID
        else:
            bg = BIG_RIGHT
        cells.append(f'<TD COLSPAN="2" WIDTH="{width}" BGCOLOR="{bg}">{escape(text)}</TD>')
    out.append("<TR>" + "".join(cells) + "</TR>")
    out.append("</TABLE>")
    return "<" + "".join(out) + ">"


def summary_label(s, fmt):
    """A collapsed run of subtrees."""
    what = f"\u2026 {s.leaves} leaves" if s.leaves != 1 else "\u2026 1 leaf"
    if s.nodes != s.leaves:
        k = len(s.serials)
        what += f" in {k} subtree" + ("s" if k != 1 else "")
    lines = [escape(what), escape(fmt.dash_span(s.min, s.max))]
    if s.marked:
        lines.append(escape(", ".join(f"{c} {w}" for w, c in s.marked)))
    return '<<FONT POINT-SIZE="9">' + "<BR/>".join(lines) + "</FONT>>"


def freed_label(ghosts, fmt):
    """The nodes freed by this step, one row each, in a dashed red box."""
    rows = ['<TR><TD COLSPAN="3" ALIGN="LEFT"><B>freed by this step</B></TD></TR>']
    for n in ghosts:
        rows.append(f'<TR><TD ALIGN="LEFT">n{n.serial}</TD><TD ALIGN="LEFT">{escape(n.type)} '
                    f'{escape(fmt.span(n.min, n.max))}</TD>'
                    f'<TD ALIGN="RIGHT">{len(n.slots)} slots</TD></TR>')
    return (f'<TABLE BORDER="1" STYLE="dashed" COLOR="{FREED}" CELLBORDER="0" '
            f'CELLSPACING="0" CELLPADDING="2"><TR><TD><FONT POINT-SIZE="9" COLOR="{FREED}">'
            '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            + "".join(rows) + "</TABLE></FONT></TD></TR></TABLE>")
