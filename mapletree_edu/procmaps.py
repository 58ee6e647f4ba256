# SPDX-License-Identifier: GPL-2.0-or-later
"""Read a process's VMAs from ``/proc/<pid>/maps`` and ``/proc/<pid>/smaps``.

``maps`` gives one line per VMA (``show_map_vma`` in fs/proc/task_mmu.c)::

    start-end perms offset dev inode [path]

with ``end`` exclusive. ``smaps`` repeats that line for every VMA followed by
``Key: value`` lines, among them ``VmFlags:``, the VMA's ``vm_flags`` as two-letter
names. The parser keeps those names as the :class:`~mapletree_edu.fork.Vma` flags,
with ``dc`` (VM_DONTCOPY) and ``wf`` (VM_WIPEONFORK) spelled ``DONTCOPY`` and
``WIPEONFORK``. Without smaps text the flags come from the permission column
(``r`` -> ``rd``, ``w`` -> ``wr``, ``x`` -> ``ex``, ``s`` -> ``ms``).

``[vsyscall]`` is left out: it is a fixed page of the kernel's own page tables
(``gate_vma``), not a VMA of the mm's tree.

A sample pair is committed with the package (:func:`read_sample`), so everything
here also works where there is no ``/proc``.

>>> vmas = read_sample()
>>> len(vmas), vmas[0].name, vmas[-1].name
(23, '/usr/bin/cat', '[stack]')
"""

import re
from importlib import resources

from .errors import MapleTreeError
from .fork.vma import DONTCOPY, WIPEONFORK, Vma

#: smaps VmFlags names that the fork lab spells out.
FLAG_NAMES = {"dc": DONTCOPY, "wf": WIPEONFORK}
PERM_FLAGS = {"r": "rd", "w": "wr", "x": "ex"}
SKIPPED = ("[vsyscall]",)
SAMPLE_MAPS = "cat.maps"
SAMPLE_SMAPS = "cat.smaps"

_HEADER = re.compile(
    r"^(?P<start>[0-9a-fA-F]+)-(?P<end>[0-9a-fA-F]+)\s+(?P<perms>[-r][-w][-x][sp])\s+"
    r"(?P<offset>[0-9a-fA-F]+)\s+(?P<dev>[0-9a-fA-F]+:[0-9a-fA-F]+)\s+(?P<inode>\d+)"
    r"(?:\s+(?P<path>.*?))?\s*$")
_ADDR_ONLY = re.compile(r"^[0-9a-fA-F]+-[0-9a-fA-F]+\s")
_FIELD = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?P<value>.*)$")


class MapsParseError(MapleTreeError, ValueError):
    """A line of maps or smaps text that the parser does not understand."""

    def __init__(self, line, text, message, source="maps"):
        super().__init__(f"{source} line {line}: {message}: {text!r}")
        self.line = line
        self.text = text
        self.message = message
        self.source = source


class MapsUnavailableError(MapleTreeError, FileNotFoundError):
    """There is no ``/proc/<pid>/maps`` to read (no /proc, or no such process)."""


def _parse_header(lineno, text, source):
    m = _HEADER.match(text)
    if m is None:
        raise MapsParseError(lineno, text, "expected 'start-end perms offset dev inode [path]'",
                             source)
    start = int(m["start"], 16)
    end = int(m["end"], 16)
    if start >= end:
        raise MapsParseError(lineno, text, "the range is empty or reversed", source)
    return start, end, m["perms"], (m["path"] or "")


def _perm_flags(perms):
    flags = {PERM_FLAGS[c] for c in perms[:3] if c in PERM_FLAGS}
    if perms[3] == "s":
        flags.add("ms")
    return flags


def parse_smaps_flags(smaps_text):
    """{(start, end): frozenset of flag names} from the VmFlags lines of smaps text."""
    out = {}
    current = None
    for lineno, raw in enumerate(smaps_text.splitlines(), 1):
        text = raw.rstrip("\n")
        if not text.strip():
            continue
        if _ADDR_ONLY.match(text):
            start, end, _perms, _path = _parse_header(lineno, text, "smaps")
            current = (start, end)
            continue
        m = _FIELD.match(text)
        if m is None:
            raise MapsParseError(lineno, text, "expected a VMA header or 'Key: value'", "smaps")
        if current is None:
            raise MapsParseError(lineno, text, "a field before the first VMA header", "smaps")
        if m["key"] == "VmFlags":
            names = m["value"].split()
            for name in names:
                if not re.fullmatch(r"[a-z0-9]{2}", name):
                    raise MapsParseError(lineno, text, f"{name!r} is not a two-letter flag",
                                         "smaps")
            out[current] = frozenset(FLAG_NAMES.get(n, n) for n in names)
    return out


def parse_maps(maps_text, smaps_text=None):
    """A list of Vma (address order) from maps text, flags from smaps text if given."""
    flags = parse_smaps_flags(smaps_text) if smaps_text is not None else {}
    vmas = []
    prev_end = 0
    for lineno, raw in enumerate(maps_text.splitlines(), 1):
        text = raw.rstrip("\n")
        if not text.strip():
            continue
        start, end, perms, path = _parse_header(lineno, text, "maps")
        if start < prev_end:
            raise MapsParseError(lineno, text, "overlaps or precedes the previous VMA")
        prev_end = end
        if path in SKIPPED:
            continue
        fl = flags.get((start, end))
        if fl is None:
            fl = _perm_flags(perms)
        vmas.append(Vma(start, end, fl, path))
    return vmas


def read_maps(pid="self", maps_text=None, smaps_text=None):
    """The VMAs of process ``pid`` (default: this process), as Vma objects.

    With ``maps_text`` (and optionally ``smaps_text``) given, that text is parsed
    instead of reading /proc. Reading /proc takes smaps too when it is readable.
    Raises :class:`MapsParseError` for a malformed line and
    :class:`MapsUnavailableError` when /proc/<pid>/maps cannot be read.
    """
    if maps_text is None:
        path = f"/proc/{pid}/maps"
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                maps_text = f.read()
        except OSError as exc:
            raise MapsUnavailableError(f"cannot read {path}: {exc.strerror or exc}") from exc
        if smaps_text is None:
            try:
                with open(f"/proc/{pid}/smaps", encoding="utf-8", errors="replace") as f:
                    smaps_text = f.read()
            except OSError:
                smaps_text = None
    return parse_maps(maps_text, smaps_text)


def sample_text():
    """(maps text, smaps text) of the committed sample (see data/ORIGIN.md)."""
    base = resources.files("mapletree_edu") / "data"
    return ((base / SAMPLE_MAPS).read_text(encoding="utf-8"),
            (base / SAMPLE_SMAPS).read_text(encoding="utf-8"))


def read_sample():
    """The VMAs of the committed sample: ``/usr/bin/cat`` on Debian 12 (23 VMAs)."""
    maps_text, smaps_text = sample_text()
    return parse_maps(maps_text, smaps_text)


__all__ = ["read_maps", "read_sample", "parse_maps", "parse_smaps_flags", "sample_text",
           "MapsParseError", "MapsUnavailableError"]
