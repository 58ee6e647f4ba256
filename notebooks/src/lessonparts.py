# SPDX-License-Identifier: GPL-2.0-or-later
"""Markdown pieces the builders of lessons 05-08 share: tables written as Python tuples
(``build.table``) and cells with such tables put in after dedenting."""

import build
from build import md


def table(header, *rows):
    """A markdown table from Python tuples (``build.table`` with the rows as arguments)."""
    return build.table(header, rows)


def md_with(text, **parts):
    """A markdown cell whose ``{NAME}`` placeholders are replaced, after dedenting, by
    ``parts`` (a table's lines have no indentation of their own)."""
    cell = md(text)
    for name, value in parts.items():
        cell.source = cell.source.replace("{" + name + "}", value)
    return cell
