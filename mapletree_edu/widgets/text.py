# SPDX-License-Identifier: GPL-2.0-or-later
"""Text for the players: the status line, the kernel-function panel and a text dump.

All of it is built from a recorded :class:`~mapletree_edu.trace.Step` alone, so it is
cheap (no graphviz) and the same in every environment.
"""

from html import escape

from ..core.constants import ULONG_MAX
from .kernel_fns import EVENT_POINTS, SOURCE_FILE, describe, ordered_details, source_link


def num(v):
    """An index as a learner reads it: decimal up to 0xffff, hex above, MAX for ULONG_MAX."""
    if v is None:
        return "-"
    if isinstance(v, bool) or not isinstance(v, int):
        return str(v)
    if v == ULONG_MAX:
        return "MAX"
    return f"{v:#x}" if v > 0xFFFF else str(v)


def value_text(v, limit=80):
    """A detail value in one short line (lists and dicts cut to ``limit`` characters)."""
    if isinstance(v, dict):
        text = ", ".join(f"{k}: {value_text(x, 40)}" for k, x in v.items())
    elif isinstance(v, (list, tuple)):
        text = "[" + ", ".join(value_text(x, 20) for x in v) + "]"
    elif v is None:
        text = "None"
    else:
        text = str(v)
    if len(text) > limit:
        text = text[:limit - 1] + "\u2026"
    return text


def status_text(step, index, total, title=None):
    """The status line as plain text: ``step 3 (steps 0–6) · mas_split — why``.

    Steps count from 0, as ``Step.n``, the slider and the diagram's caption do."""
    if step is None:
        return f"{title + ': ' if title else ''}nothing was recorded"
    head = f"step {index} (steps 0\u2013{total - 1})"
    if title:
        head = f"{title} \u00b7 {head}"
    why = f" \u2014 {step.why}" if step.why else ""
    return f"{head} \u00b7 {step.fn}{why}"


def status_html(step, index, total, title=None, extra=""):
    """The status line as HTML, with data attributes for tests and scripts."""
    text = status_text(step, index, total, title)
    fn = step.fn if step is not None else ""
    return (f'<div class="mt-status" data-step="{index}" data-fn="{escape(fn)}" '
            f'style="font-size:0.95em;line-height:1.4;padding:2px 0">'
            f"{escape(text)}{extra}</div>")


def fields_text(step):
    """The trace-point fields of a step: ``min=0 max=MAX index=10 last=15``."""
    parts = [f"min={num(step.min)}", f"max={num(step.max)}", f"index={num(step.index)}",
             f"last={num(step.last)}"]
    if step.ev == "write" or step.piv:
        parts.append(f"piv={num(step.piv)}")
    return " ".join(parts)


def kernel_panel_html(step):
    """The kernel-function panel: the function, its trace point, fields and details."""
    if step is None:
        return '<div class="mt-kernel"></div>'
    point, desc = describe(step.fn)
    if step.ev:
        ev = (f"kernel trace point <code>{EVENT_POINTS.get(step.ev, step.ev)}</code> "
              f"(ev={escape(step.ev)})")
    elif point:
        ev = f"no event here (the function fires <code>{point}</code> elsewhere)"
    else:
        ev = "no kernel trace point: a finer step of the model"
    rows = [
        ("function", f'<a href="{source_link(step.fn)}" target="_blank" rel="noopener">'
                     f"<code>{escape(step.fn)}()</code></a> in <code>{SOURCE_FILE}</code>"),
        ("what it does", escape(desc) if desc else "&mdash;"),
        ("event", ev),
        ("fields", f"<code>{escape(fields_text(step))}</code>"),
    ]
    details = ordered_details(step)
    if details:
        rows.append(("details", "<br>".join(
            f"<code>{escape(k)}</code> = {escape(value_text(v))}" for k, v in details)))
    changes = []
    for label, serials in (("new", step.new), ("changed", step.modified),
                           ("freed", step.freed)):
        if serials:
            changes.append(f"{label}: " + ", ".join(f"n{s}" for s in serials))
    if changes:
        rows.append(("nodes", escape("; ".join(changes))))
    if step.node is not None:
        rows.append(("state at", f"node n{step.node}"))
    cell = "padding:1px 8px 1px 0;vertical-align:top;line-height:1.35"
    body = "".join(f'<tr><th style="text-align:left;white-space:nowrap;{cell}">{k}</th>'
                   f'<td style="{cell}">{v}</td></tr>' for k, v in rows)
    return (f'<div class="mt-kernel" data-fn="{escape(step.fn)}" '
            f'style="font-size:0.85em;line-height:1.35;overflow-wrap:anywhere">'
            f'<table style="border-collapse:collapse">{body}</table></div>')


def kernel_panel_text(step):
    """The kernel-function panel as plain text (for reprs and tests)."""
    if step is None:
        return ""
    point, desc = describe(step.fn)
    lines = [f"{step.fn}() in {SOURCE_FILE}: {desc}" if desc else f"{step.fn}()"]
    lines.append(f"trace point: {EVENT_POINTS.get(step.ev, step.ev)}" if step.ev
                 else "trace point: none here")
    lines.append(fields_text(step))
    lines.extend(f"{k} = {value_text(v)}" for k, v in ordered_details(step))
    return "\n".join(lines)
