# SPDX-License-Identifier: GPL-2.0-or-later
"""A small table: aligned text when printed, HTML in a notebook.

It sits below both the lessons (``lessons.common``) and the fork cost lab (``lab``), which
share it without depending on each other; it imports nothing.
"""


def _esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Table:
    """Headers, rows (any values, shown with str) and an optional title."""

    def __init__(self, headers, rows, title=None):
        self.headers = [str(h) for h in headers]
        self.rows = [[str(c) for c in r] for r in rows]
        self.title = title

    def text(self):
        widths = [len(h) for h in self.headers]
        for r in self.rows:
            widths = [max(w, len(c)) for w, c in zip(widths, r, strict=True)]
        line = "  ".join(h.ljust(w) for h, w in zip(self.headers, widths, strict=True)).rstrip()
        out = [self.title] if self.title else []
        out += [line, "  ".join("-" * w for w in widths)]
        out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                for r in self.rows]
        return "\n".join(out)

    __str__ = text

    def __repr__(self):
        return self.text()

    def _repr_html_(self):
        head = "".join(f"<th style='text-align:left'>{_esc(h)}</th>" for h in self.headers)
        body = "".join("<tr>" + "".join(f"<td style='text-align:left'><code>{_esc(c)}</code>"
                                         "</td>" for c in r) + "</tr>" for r in self.rows)
        cap = (f"<caption style='text-align:left'>{_esc(self.title)}</caption>"
               if self.title else "")
        return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


__all__ = ["Table"]
