# SPDX-License-Identifier: GPL-2.0-or-later
"""Stage 3 of a frame: lay out the labels (graphviz HTML-like tables).

No kernel twin. A node is a table: a header with its type, the range [min, max] it
covers and its serial (plus notes); a row of pivots, each under the boundary between
the two cells it separates; a row of cells, one per drawn slot (DOT port ``s<offset>``,
SVG id ``n<serial>_s<offset>``) or per run of elided slots (``⋯ k``). Every cell has a
hover text: its index range and its full entry (or gap, or child). The caption, the
legend (only the marks the frame uses) and the freed ghosts make the graph label.
"""

import functools
import textwrap
from dataclasses import dataclass

from .fmt import NumberFormat, entry_text, escape, slot_text
from .metrics import drawn_cells, elided_text, header_texts, node_geometry, text_w
from .notation import (
    BY_KEY,
    COPIED,
    ENTER_BG,
    FREED,
    LEGEND_ORDER,
    MODIFIED,
    NEW,
    NULL_BG,
    PIVOT_FG,
    PLAIN,
    RANGE_BG,
    SIBLING,
    SKIP_BG,
    SLOT_BORDER,
    SPLIT_FG,
    SUMMARY,
)

COLORS = {"new": NEW, "copied": COPIED, "modified": MODIFIED, None: PLAIN}
FILLS = {"range": RANGE_BG, "read": RANGE_BG, "null": NULL_BG, "skip": SKIP_BG, "enter": ENTER_BG}
BIG_LEFT, BIG_MID, BIG_RIGHT = "#e4ddf6", "#f6f0d2", "#d6efeb"
TABLE = ('<TABLE BORDER="{b}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="{pad}" '
         'COLOR="{color}" BGCOLOR="white">')


@dataclass(frozen=True)
class Labels:
    nodes: dict          # serial -> HTML label (with the <>)
    summaries: dict      # summary name -> label
    big: str             # big node label or None
    graph: str           # graph label or None


def _font(text, pt, color=None):
    c = f' COLOR="{color}"' if color else ""
    return f'<FONT POINT-SIZE="{pt:g}"{c}>{text}</FONT>'


def _pivot_row(texts, sizes, marks=None):
    """Pivots staggered under the cell boundaries: an empty half cell, one two-column
    cell per boundary, an empty half cell."""
    if not texts:
        return ""
    marks = marks or {}
    cells = ['<TD BORDER="0" CELLPADDING="0"></TD>']
    for i, t in enumerate(texts):
        mark = marks.get(i)
        if mark:
            cells.append('<TD COLSPAN="2" BORDER="0">' + _font(
                f"<B>{escape(t)}</B><BR/>{escape(mark)}", sizes.small, SPLIT_FG) + "</TD>")
        else:
            cells.append('<TD COLSPAN="2" BORDER="0">'
                         + _font(escape(t), sizes.small, PIVOT_FG) + "</TD>")
    cells.append('<TD BORDER="0" CELLPADDING="0"></TD>')
    return "<TR>" + "".join(cells) + "</TR>"


def _cell_tip(n, c, fmt):
    rng = fmt.span(c.lo, c.hi)
    if c.elided:
        k = c.last - c.first + 1
        head = f"slots {c.first}\u2013{c.last} ({k} not drawn"
        head += f"; the gap search skipped all {k}), {rng}" if c.verdict else f"), {rng}"
        parts = [head]
        lo = c.lo
        verdicts = c.verdicts or (None,) * k
        for off, content, why in zip(range(c.first, c.last + 1), c.content, verdicts,
                                     strict=True):
            hi = n.pivots[off]
            what = entry_text(content)[1] if n.is_leaf else _child(content)
            parts.append(f"{off}: {fmt.span(lo, hi)} {what}" + (f" ({why})" if why else ""))
            lo = hi + 1
        limit = 17 if c.verdicts else 9
        return "; ".join(parts[:limit]) + ("; \u2026" if len(parts) > limit else "")
    if n.is_leaf:
        what = entry_text(c.content[0])[1]
    else:
        what = _child(c.content[0])
        if n.gaps is not None and c.first < len(n.gaps):
            what += f", largest gap {fmt.index(n.gaps[c.first])}"
            if c.first == n.gap_off:
                what += " (gap_off)"
    tip = f"slot {c.first}: {rng} \u2192 {what}"
    if c.slot:
        tip += "; the state points here"
    if c.verdict:
        tip += f"; gap search: {c.verdict}"
    return tip


def node_label(n, m, fmt, sizes):
    """The label of NodeView ``n`` with NodeMark ``m`` (cached: a node drawn the same
    way in the next frame is laid out once)."""
    return _node_label(n, m, fmt.hex, sizes)


@functools.lru_cache(maxsize=4096)
def _node_label(n, m, use_hex, sizes):
    fmt = NumberFormat(use_hex)
    head_bg, border = COLORS[m.status]
    if m.sibling:
        border = SIBLING
    hidden = frozenset(k for c in m.cells if c.elided for k in range(c.first, c.last + 1))
    if n.is_leaf:
        texts = [entry_text(x)[0] for x in n.slots]
    else:
        texts = [slot_text(n, k, fmt)[0] for k in range(len(n.slots))]
    width, _total, two_lines = node_geometry(n, fmt, sizes, hidden, m.notes, texts)
    ncols = 2 * len(m.cells)
    out = [TABLE.format(b=3 if m.bold else 1, pad=2, color=border)]
    main, small = header_texts(n, fmt, m.notes)
    # &#160;: a space at the start of an SVG text run is dropped by the browser
    head = f"<B>{escape(n.type)}</B>&#160;{escape(main[len(n.type) + 1:])}"
    if m.visit is not None:
        head = _font(f"<B>visit {m.visit}</B>", sizes.main, COPIED[1]) + "&#160;&#160;" + head
    head += ("<BR/>" if two_lines else "&#160;&#160;") + _font(escape(small), sizes.small)
    out.append(f'<TR><TD COLSPAN="{ncols}" BGCOLOR="{head_bg}">{head}</TD></TR>')
    piv_all, _prefix = fmt.pivots(n.min, n.max, n.pivots[:-1])
    out.append(_pivot_row([piv_all[c.last] for c in m.cells[:-1]], sizes))
    cells = []
    for c in m.cells:
        tip = escape(_cell_tip(n, c, fmt))
        attrs = (f'COLSPAN="2" PORT="s{c.first}" WIDTH="{width}" ID="n{n.serial}_s{c.first}" '
                 f'TITLE="{tip}" HREF=""')
        if c.fill:
            attrs += f' BGCOLOR="{FILLS[c.fill]}"'
        if c.slot:
            attrs += f' COLOR="{SLOT_BORDER}" BORDER="3"'
        if c.elided:
            text = _font(escape(elided_text(c.first, c.last)), sizes.small, PIVOT_FG)
        elif n.is_leaf:
            text = escape(texts[c.first])
        else:
            t, bold = slot_text(n, c.first, fmt)
            text = escape(t)
            text = _font(f"<B>{text}</B>" if bold else text, sizes.small)
        cells.append(f"<TD {attrs}>{text}</TD>")
    out.append("<TR>" + "".join(cells) + "</TR>")
    out.append("</TABLE>")
    return "<" + "".join(out) + ">"


def _big_parts(big):
    pivots = list(big.get("pivots", ()))
    slots = list(big.get("slots", ()))
    n = min(len(pivots), len(slots))
    return pivots[:n], slots[:n], n


def _big_head(big, n, sizes):
    split = big.get("split")
    mid = big.get("mid_split") or 0
    parts = [f"big node: b_end={big.get('b_end', n - 1)}"]
    if split is not None:
        parts.append(f"split={split}")
        if mid:
            parts.append(f"mid_split={mid}")
    if big.get("mode"):
        parts.append(f"mode {big['mode']}")
    main = ", ".join(parts)
    sub = None
    if split is not None:
        left = f"slots 0\u2013{split} \u2192 left"
        if mid:
            rest = f"{split + 1}\u2013{mid} \u2192 middle, {mid + 1}\u2013{n - 1} \u2192 right"
        else:
            rest = f"{split + 1}\u2013{n - 1} \u2192 right"
        sub = left + ", " + rest
    width = max(text_w("mab_calc_split  " + main, sizes.main, bold=True),
                text_w(sub or "", sizes.small)) + 12
    return main, sub, width


def big_layout(big, fmt, sizes, budget_pt=None):
    """(cells, cell width, total width) of the big node: every offset drawn, or, when
    that is wider than ``budget_pt``, the offsets around the split point(s) and both
    ends, the others elided in runs (``⋯ k``)."""
    pivots, slots, n = _big_parts(big)
    if not n:
        return [], 0, 0
    budget = sizes.budget_pt - 16 if budget_pt is None else budget_pt
    split = big.get("split")
    mid = big.get("mid_split") or 0
    leaf = big.get("type", 1) < 2
    ptexts = [fmt.index(p) for p in pivots]
    stexts = ["" if leaf and c is None else entry_text(c)[0] for c in slots]
    _main, _sub, head_w = _big_head(big, n, sizes)
    best = None
    for context in (None, 4, 3, 2, 1, 0):
        hidden = set()
        if context is not None:
            keep = {0, n - 1}
            for c in (split, mid):
                if c:
                    keep.update(range(c - context, c + context + 2))
            hidden = {k for k in range(n) if k not in keep}
            hidden = {k for k in hidden if k - 1 in hidden or k + 1 in hidden}
        cells = drawn_cells(n, frozenset(hidden))
        cw = big_cell_w([ptexts[b] for _a, b, _e in cells[:-1]],
                        [stexts[a] for a, _b, e in cells if not e],
                        sizes, [elided_text(a, b) for a, b, e in cells if e])
        width = max(cw * len(cells), head_w) + 8
        best = (cells, cw, width)
        if width <= budget:
            break
    return best


def big_node_label(big, fmt, sizes, budget_pt=None):
    """The big node of mab_calc_split: the entries of the node(s) being split, in one
    wide row; the chosen split (and mid_split for a three-way split) marked; offsets far
    from the split elided when the row is wider than the budget."""
    pivots, slots, n = _big_parts(big)
    split = big.get("split")
    mid = big.get("mid_split") or 0
    leaf = big.get("type", 1) < 2
    cells, width, _total = big_layout(big, fmt, sizes, budget_pt)
    main, sub, _w = _big_head(big, n, sizes)
    out = [TABLE.format(b=2, pad=2, color=SPLIT_FG)]
    head = f"<B>mab_calc_split</B>&#160;&#160;{escape(main)}"
    if sub:
        head += "<BR/>" + _font(escape(sub), sizes.small)
    out.append(f'<TR><TD COLSPAN="{2 * len(cells)}" BGCOLOR="#f3f3f3">{head}</TD></TR>')
    marks = {}
    for j, (_a, b, _e) in enumerate(cells[:-1]):
        if split is not None and b == split:
            marks[j] = "split"
        elif mid and b == mid:
            marks[j] = "mid_split"
    out.append(_pivot_row([fmt.index(pivots[b]) for _a, b, _e in cells[:-1]], sizes,
                          marks=marks))
    lo_of = [None] + [p + 1 for p in pivots[:-1]]
    row = []
    for a, b, elided in cells:
        if split is None:
            bg = "white"
        elif b <= split:
            bg = BIG_LEFT
        elif mid and b <= mid:
            bg = BIG_MID
        else:
            bg = BIG_RIGHT
        lo, hi = lo_of[a], pivots[b]
        rng = fmt.span(lo, hi) if lo is not None else f"up to {fmt.index(hi)}"
        if elided:
            text = _font(escape(elided_text(a, b)), sizes.small, PIVOT_FG)
            tip = f"offsets {a}\u2013{b} ({b - a + 1} not drawn): {rng}"
        else:
            c = slots[a]
            short, full = ("", "NULL") if leaf and c is None else entry_text(c)
            text = escape(short)
            tip = f"offset {a}: {rng} \u2192 {full}"
        row.append(f'<TD COLSPAN="2" WIDTH="{width}" BGCOLOR="{bg}" ID="big_s{a}" '
                   f'TITLE="{escape(tip)}" HREF="">{text}</TD>')
    out.append("<TR>" + "".join(row) + "</TR>")
    out.append("</TABLE>")
    return "<" + "".join(out) + ">"


def big_cell_w(ptexts, stexts, sizes, elided=()):
    w = 2.2 * sizes.main
    for t in ptexts:
        w = max(w, text_w(t, sizes.small) + 6)
    for t in stexts:
        w = max(w, text_w(t, sizes.main) + 8)
    for t in elided:
        w = max(w, text_w(t, sizes.small) + 8)
    return int(w + 0.999)


def big_node_w(big, fmt, sizes):
    """Estimated width (pt) of the big node as :func:`big_node_label` draws it."""
    return big_layout(big, fmt, sizes)[2]


def summary_label(lines, sizes):
    return "<" + _font("<BR/>".join(escape(x) for x in lines), sizes.small) + ">"


def freed_label(ghosts, fmt, sizes):
    """The nodes freed by this step, one row each, in a dashed red box."""
    rows = ['<TR><TD COLSPAN="3" ALIGN="LEFT"><B>freed by this step</B></TD></TR>']
    for n in ghosts:
        rows.append(f'<TR><TD ALIGN="LEFT">n{n.serial}</TD><TD ALIGN="LEFT">{escape(n.type)} '
                    f'{escape(fmt.span(n.min, n.max))}</TD>'
                    f'<TD ALIGN="RIGHT">{len(n.slots)} slots</TD></TR>')
    return (f'<TABLE BORDER="1" STYLE="dashed" COLOR="{FREED}" CELLBORDER="0" '
            f'CELLSPACING="0" CELLPADDING="2"><TR><TD>'
            + _font('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
                    + "".join(rows) + "</TABLE>", sizes.small, FREED)
            + "</TD></TR></TABLE>")


def _child(serial):
    """What an internal slot points at, for its tooltip (NULL: a copy whose children
    could not be allocated)."""
    return "NULL (no child)" if serial is None else f"child n{serial}"


def freed_w(ghosts, fmt, sizes):
    if not ghosts:
        return 0
    return max(text_w(f"n{n.serial}  {n.type} {fmt.span(n.min, n.max)}  16 slots", sizes.small)
               for n in ghosts) + 30


def _legend_cell(key, sizes):
    m = BY_KEY[key]
    name = escape(m.name)
    if m.look == "fill":
        return f'<TD BGCOLOR="{m.fill}" COLOR="{m.line}" BORDER="1">{name}</TD>'
    if m.look == "border":
        width = 3 if key in ("path", "slot") else 2
        return f'<TD COLOR="{m.line}" BORDER="{width}">{name}</TD>'
    if m.look == "dashed":
        return (f'<TD COLOR="{m.line or SUMMARY}" BORDER="1" STYLE="dashed">'
                f'<FONT COLOR="{m.line or SUMMARY}">{name}</FONT></TD>')
    if m.line:
        return f'<TD BORDER="0"><FONT COLOR="{m.line}">{name}</FONT></TD>'
    return f'<TD BORDER="0">{name}</TD>'


def legend_keys(used):
    """The legend's marks for the set of used keys, in the notation's order."""
    return [k for k in LEGEND_ORDER if k in used]


def legend(used, sizes, width_pt):
    """The legend: one sample per used mark, wrapped into rows that fit ``width_pt``."""
    keys = legend_keys(used)
    if not keys:
        return None
    rows, row, w = [], [], 0
    for k in keys:
        cw = text_w(BY_KEY[k].name, sizes.small) + 14
        if row and w + cw > width_pt:
            rows.append(row)
            row, w = [], 0
        row.append(_legend_cell(k, sizes))
        w += cw
    rows.append(row)
    body = "".join("<TR>" + "".join(r).replace("<TD", '<TD ALIGN="CENTER"') + "</TR>"
                   for r in rows)
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2">'
            + body + "</TABLE>")


def graph_label(title, caption, used, fmt, sizes, ghosts=(), show_legend=True):
    """The graph label: title, caption lines (wrapped to the budget beside the ghosts),
    legend, and the freed nodes beside them."""
    rows = []
    gw = freed_w(ghosts, fmt, sizes)
    chars = max(30, int((sizes.budget_pt - gw) / (sizes.main * 0.6)))
    if title:
        for part in textwrap.wrap(str(title), chars) or [""]:
            rows.append(f'<TR><TD ALIGN="LEFT"><B>{escape(part)}</B></TD></TR>')
    for i, line in enumerate(caption or ()):
        size = sizes.main if i == 0 else sizes.small
        for part in textwrap.wrap(line, int(chars * sizes.main / size)) or [""]:
            rows.append(f'<TR><TD ALIGN="LEFT">{_font(escape(part), size)}</TD></TR>')
    height = len(rows) * sizes.main * 1.45
    if show_legend:
        lg = legend(used, sizes, sizes.budget_pt - gw - 20)
        if lg:
            rows.append(f'<TR><TD ALIGN="LEFT">{_font(lg, sizes.small)}</TD></TR>')
            height += lg.count("<TR>") * (sizes.small * 1.45 + 10)
    if not rows and not ghosts:
        return None
    text = ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            + "".join(rows) + "</TABLE>")
    if ghosts:
        # the freed nodes sit beside the caption, out of the tree's layout; an empty
        # cell under them takes the caption's extra height (else their rows spread out)
        filler = max(1, int(height - (len(ghosts) + 1) * (sizes.small * 1.45 + 4) - 8))
        text = ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
                f'<TD VALIGN="TOP" ROWSPAN="2">{text}</TD><TD WIDTH="12" ROWSPAN="2"></TD>'
                f'<TD VALIGN="TOP">{freed_label(ghosts, fmt, sizes)}</TD></TR>'
                f'<TR><TD HEIGHT="{filler}"></TD></TR></TABLE>')
    return "<" + text + ">"


# --- the caption ---------------------------------------------------------------------------
CAPTION_SKIP = frozenset({"big_node", "mas", "slot", "pruned", "focus"})


def _serials(v):
    return " ".join(f"n{x}" for x in v)


def _empty(v):
    return v is None or v == "" or (isinstance(v, (list, tuple, dict, set)) and not v)


def step_caption(step, fmt, hl, headline=True):
    """Caption lines of a step: the kernel function and why (``headline``: a player's
    status line already says it), the details that have a value, what changed."""
    lines = []
    if headline:
        lines.append(f"step {step.n}: {step.fn}" + (f" \u2014 {step.why}" if step.why else ""))
    details = []
    for k, v in step.info:
        if k in CAPTION_SKIP or (_empty(v) and k != "entry") or (k == "mid_split" and not v):
            continue
        if k in ("replaced", "destroyed", "src", "dst"):
            v = _serials(v) if isinstance(v, (list, tuple)) else f"n{v}"
            details.append(f"{k} {v}")
        elif k == "entry":
            details.append("entry NULL" if v is None else f"entry {entry_text(v)[0]}")
        else:
            details.append(f"{k}={v}")
    if step.ev:
        details.append(f"index {fmt.index(step.index)}, last {fmt.index(step.last)}")
    if details:
        lines.append(", ".join(details))
    changes = []
    dup = step.fn in ("mas_dup_build", "mas_dup_alloc", "mas_dup_free")
    for what in ("new", "copied", "modified", "freed"):
        v = getattr(hl, what)
        if v and not (what == "copied" and dup):
            changes.append(f"{what}: {_serials(v)}")
    if dup and hl.copied:
        changes.append(f"copied so far: {len(hl.copied)} of {len(step.view.nodes)} nodes")
    if hl.sibling is not None:
        changes.append(f"sibling: n{hl.sibling}")
    if changes:
        lines.append("; ".join(changes))
    return lines


def key_label(keys, sizes):
    """A key to the notation: one row per mark (sample, name, meaning), for a lesson's
    "how to read a diagram" figure."""
    from .notation import marks
    rows = []
    for m in marks(keys):
        if m.look == "text":
            color = f' COLOR="{m.line}"' if m.line else ""
            sample = f'<TD BORDER="0"><FONT{color}>{escape(m.sample or m.name)}</FONT></TD>'
        else:
            sample = _legend_cell(m.key, sizes)
        rows.append(f"<TR>{sample}<TD ALIGN=\"LEFT\" BORDER=\"0\"><B>{escape(m.name)}</B></TD>"
                    f'<TD ALIGN="LEFT" BORDER="0">{escape(m.meaning)}</TD></TR>')
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="3">'
            + "".join(rows) + "</TABLE>>")
