# SPDX-License-Identifier: GPL-2.0-or-later
"""Replaying an op script (FORMAT.md's op language) and keeping the steps of chosen ops.

No kernel twin: this drives :class:`mapletree_edu.replay.Replayer` with one
:class:`mapletree_edu.trace.Recorder` shared by every tree of the script.
"""

from dataclasses import dataclass

from ..errors import ReplayError
from ..replay import Replayer, parse_line
from ..trace.recorder import Recorder
from ..trace.step import TreeView


@dataclass(frozen=True)
class RecordedOp:
    """The steps of one op line; ``view`` is the tree after the op (for ops that
    record no step, such as ``dump``)."""

    line: int
    text: str
    steps: tuple
    view: TreeView


def op_lines(text):
    """Line numbers of the op lines of a script (blank lines and comments skipped)."""
    out = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if parse_line(raw, line) is not None:
            out.append(line)
    return out


def record_script(text, op_line=None, all_ops=False):
    """Replay ``text``; return the RecordedOp of line ``op_line`` (default: the last op
    line), or of every op line when ``all_ops``. Replay stops after the chosen line."""
    lines = op_lines(text)
    if not lines:
        raise ReplayError(1, "the script has no op lines")
    if op_line is None:
        op_line = lines[-1]
    elif op_line not in lines:
        raise ReplayError(op_line, "there is no op on this line "
                          f"(op lines: {_ranges(lines)})")
    rec = Recorder()
    rp = Replayer(tracer_factory=lambda: rec)
    raws = text.splitlines()
    out = []
    mark = 0
    for line, _record, _op in rp.run(text):
        steps = tuple(rec.steps[mark:])
        mark = len(rec.steps)
        if all_ops or line == op_line:
            out.append(RecordedOp(line, raws[line - 1].strip(), steps,
                                  TreeView.of(rp.tree.core)))
        if line == op_line and not all_ops:
            break
    return out


def _ranges(lines):
    if len(lines) <= 6:
        return ", ".join(map(str, lines))
    return f"{lines[0]}, {lines[1]}, ..., {lines[-1]}"
