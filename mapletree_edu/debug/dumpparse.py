# SPDX-License-Identifier: GPL-2.0-or-later
"""``parse_mt_dump()``: read the text of the kernel's ``mt_dump()`` back into a
dump record (FORMAT.md's layout fields: height, root, root_value, nodes,
node_count).

It reads both formats (``mt_dump_dec`` and ``mt_dump_hex``; the root node's
range tells them apart), pointer words as a kernel with ``no_hash_pointers``
prints them (16 hex digits), as the user-space test harness prints them
(``(nil)``, ``0x...``) or hashed, and lines carrying a log prefix (``<6>``,
``[   12.345678]``, ``[T123]``, ``... kernel: ``). The kernel's own
"node ... last (...) > max (...) at pivot N!" complaints are skipped.

The node lines are checked against the rules of the printer: the lines that
follow a node (its children, or its entries) are exactly the slots
``mt_dump()`` prints for it (see :func:`.dump.dump_slots`), at the right depth
and with the ranges its pivots give. A text that breaks them raises
:class:`~mapletree_edu.errors.DumpParseError` naming the line.

What a record cannot hold: a leaf slot that is not a value entry becomes a
string, ``"XA_ZERO_ENTRY"`` for the zero entry and ``"0x..."`` (the word) for
a pointer or reserved entry.
"""

import re

from ..core.constants import (
    MAPLE_ARANGE64_SLOTS,
    MAPLE_RANGE64_SLOTS,
    MT_SLOTS,
    TYPE_NAMES,
    ULONG_MAX,
)
from ..errors import DumpParseError, InvalidArgumentError
from .dump import XA_ZERO_WORD, dump_slots

PREFIX_RE = re.compile(r"^(?:<\d>)?(?:[A-Z][a-z]{2} +\d+ [\d:]+ \S+ kernel: )?"
                       r"(?:\[ *\d+\.\d+\](?:\[ *[TC]\d+\])? ?)?")
HEADER_RE = re.compile(r"^maple_tree\((?P<tree>[^)]*)\) flags (?P<flags>[0-9A-Fa-f]+), "
                       r"height (?P<height>\d+) root (?P<root>\S+)$")
NODE_RE = re.compile(r"^(?P<indent> *)(?P<range>[0-9A-Fa-f]+(?:-[0-9A-Fa-f]+)?): node "
                     r"(?P<addr>\S+) depth (?P<depth>\d+) type (?P<type>\d+) parent "
                     r"(?P<parent>\S+) contents: (?P<contents>.*)$")
ENTRY_RE = re.compile(r"^(?P<indent> *)(?P<range>[0-9A-Fa-f]+(?:-[0-9A-Fa-f]+)?): "
                      r"(?P<rest>.*)$")
VALUE_RE = re.compile(r"^value (?P<v>-?\d+) \(0x(?P<h>[0-9a-f]+)\) \[(?P<w>\S+)\]$")
ZERO_RE = re.compile(r"^zero \((?P<n>-?\d+)\)$")
UNKNOWN_RE = re.compile(r"^UNKNOWN ENTRY \((?P<w>\S+)\)$")
ARANGE_RE = re.compile(r"^(?P<gaps>(?:\S+ ){10})\| (?P<end>[0-9A-Fa-f]{2}) "
                       r"(?P<gap>[0-9A-Fa-f]{2})\| (?P<rest>.*)$")
COMPLAINT_RE = re.compile(r"^node \S+ last \(\w+\) > max \(\w+\) at pivot \d+!$")
NULL_WORDS = ("(nil)", "(null)")
DEC_MAX = str(ULONG_MAX)
HEX_MAX = f"{ULONG_MAX:x}"


class _Lines:
    """The dump's lines (1-based numbers), prefixes stripped, blank lines and the
    printer's own complaints skipped."""

    def __init__(self, text):
        self.items = []
        for n, raw in enumerate(text.splitlines(), start=1):
            line = PREFIX_RE.sub("", raw.rstrip("\r\n"), count=1)
            if not line.strip() or COMPLAINT_RE.match(line):
                continue
            self.items.append((n, line))
        self.pos = 0
        self.last_line = len(text.splitlines())

    def peek(self):
        return self.items[self.pos] if self.pos < len(self.items) else (None, None)

    def take(self, what):
        if self.pos >= len(self.items):
            raise DumpParseError(self.last_line, f"the dump ends early: expected {what}")
        item = self.items[self.pos]
        self.pos += 1
        return item


class _Parser:
    def __init__(self, text, fmt):
        if fmt not in (None, "dec", "hex"):
            raise InvalidArgumentError(f"fmt must be 'dec', 'hex' or None, not {fmt!r}")
        self.lines = _Lines(text)
        self.fmt = fmt
        self.nodes = []
        self.addrs = []             # the address on every node line, by id
        self.raw = True             # pointer words are real (not hashed)
        self.flags = 0

    # --- numbers and words -------------------------------------------------
    def number(self, tok, n, what, base=None):
        base = base or (16 if self.fmt == "hex" else 10)
        ok = re.fullmatch(r"[0-9]+" if base == 10 else r"[0-9A-Fa-f]+", tok)
        if not ok:
            kind = "decimal" if base == 10 else "hex"
            raise DumpParseError(n, f"bad number {tok!r} for {what} (expected {kind})")
        value = int(tok, base)
        if value > ULONG_MAX:
            raise DumpParseError(n, f"{what} {tok!r} does not fit in 64 bits")
        return value

    def word(self, tok, n, what):
        """A %p word: 16 hex digits, (nil)/(null), or 0x... ."""
        if tok in NULL_WORDS:
            return 0
        if re.fullmatch(r"[0-9a-f]{16}", tok):
            return int(tok, 16)
        if re.fullmatch(r"0x[0-9a-f]+", tok) and len(tok) <= 18:
            return int(tok, 16)
        raise DumpParseError(n, f"bad pointer word {tok!r} for {what}")

    def span(self, text, n, what):
        lo, _, hi = text.partition("-")
        lo = self.number(lo, n, f"the start of {what}")
        hi = self.number(hi, n, f"the end of {what}") if hi else lo
        return lo, hi

    # --- lines ---------------------------------------------------------------
    def header(self):
        n, line = self.lines.take("the 'maple_tree(...)' header line")
        m = HEADER_RE.match(line)
        if not m:
            raise DumpParseError(n, "expected the header 'maple_tree(<tree>) flags <F>, "
                                 f"height <H> root <R>', found {line[:60]!r}")
        flags = self.number(m["flags"], n, "the flags", 16)
        height = int(m["height"])
        if (flags >> 2) & 0x1F != height:
            raise DumpParseError(n, f"the header says height {height} but flags {m['flags']} "
                                 f"encode height {(flags >> 2) & 0x1F}")
        self.flags = flags
        root = self.word(m["root"], n, "the root pointer")
        tree = self.word(m["tree"], n, "the tree address")
        if 0 < tree < 1 << 32:
            self.raw = False        # a hashed %p: 00000000 and 8 hex digits
        return n, height, root

    def detect_fmt(self, line, n):
        m = NODE_RE.match(line)
        top = m["range"].partition("-")[2] if m else ""
        found = "dec" if top == DEC_MAX else "hex" if top.lower() == HEX_MAX else None
        if found is None:
            raise DumpParseError(n, "the root node must cover 0-18446744073709551615 "
                                 "(or 0-ffffffffffffffff in hex)")
        if self.fmt is not None and self.fmt != found:
            raise DumpParseError(n, f"this dump is in {found} format, not {self.fmt}")
        self.fmt = found

    def check_indent(self, m, n, depth, what):
        want = min(2 * depth, 32)
        got = len(m["indent"])
        if got != want:
            raise DumpParseError(n, f"wrong indentation: {got} spaces, but {what} at depth "
                                 f"{depth} is indented by {want}")

    def entry(self, lo, hi, depth):
        """One entry line: (the word it shows, the record value)."""
        n, line = self.lines.take(f"an entry line for {self.show(lo, hi)} at depth {depth}")
        m = ENTRY_RE.match(line)
        if not m or ": node " in line:
            raise DumpParseError(n, f"expected an entry line for {self.show(lo, hi)}, found "
                                 f"{line.strip()[:60]!r}")
        self.check_indent(m, n, depth, "an entry line")
        if self.span(m["range"], n, "the entry range") != (lo, hi):
            raise DumpParseError(n, f"entry range {m['range']!r}, but the node's pivots "
                                 f"give {self.show(lo, hi)}")
        rest = m["rest"]
        v = VALUE_RE.match(rest)
        if v:
            value = int(v["v"])
            if value < 0 or value != int(v["h"], 16):
                raise DumpParseError(n, f"value {v['v']} and (0x{v['h']}) disagree")
            word = self.word(v["w"], n, "the entry word")
            if self.raw and word != (value << 1 | 1):
                raise DumpParseError(n, f"value {value} is stored as the word "
                                     f"{value << 1 | 1:#x}, not {word:#x}")
            return n, word, value
        if ZERO_RE.match(rest):
            return n, XA_ZERO_WORD, "XA_ZERO_ENTRY"
        u = UNKNOWN_RE.match(rest)
        word = self.word(u["w"] if u else rest, n, "the entry")
        return n, word, (None if not word else f"0x{word:x}")

    def show(self, lo, hi):
        f = (lambda x: f"{x:x}") if self.fmt == "hex" else str
        return f(lo) if lo == hi else f"{f(lo)}-{f(hi)}"

    def contents(self, text, n, mtype):
        """(pivots, slot words, gaps, meta end, meta gap) of a node line."""
        gaps = None
        meta_end = meta_gap = None
        name = TYPE_NAMES[mtype]
        if mtype == 3:
            m = ARANGE_RE.match(text + " ")
            if not m:
                raise DumpParseError(n, "an arange_64 node line needs 10 gaps, then "
                                     "'| EE GG| ', then 9 slot/pivot pairs and a slot")
            gaps = [self.number(g, n, f"gap {i}") for i, g in enumerate(m["gaps"].split())]
            meta_end = int(m["end"], 16)
            meta_gap = int(m["gap"], 16)
            text = m["rest"]
        toks = text.split()
        nslots = MT_SLOTS[mtype]
        if len(toks) != 2 * nslots - 1:
            raise DumpParseError(n, f"a {name} node line has {2 * nslots - 1} slot and pivot "
                                 f"words after 'contents:', found {len(toks)} (truncated line?)")
        slots = [self.word(toks[2 * i], n, f"slot {i}") for i in range(nslots)]
        pivots = [self.number(toks[2 * i + 1], n, f"pivot {i}") for i in range(nslots - 1)]
        return pivots, slots, gaps, meta_end, meta_gap

    def node(self, lo, hi, depth):
        n, line = self.lines.take(f"a node line for {self.show(lo, hi)} at depth {depth}")
        m = NODE_RE.match(line)
        if not m:
            what = "truncated or malformed node line" if ": node " in line else \
                "expected a node line"
            raise DumpParseError(n, f"{what} for {self.show(lo, hi)} at depth {depth}: "
                                 f"{line.strip()[:60]!r}")
        if depth == 0 and not self.nodes:
            self.detect_fmt(line, n)
        self.check_indent(m, n, depth, "a node line")
        if int(m["depth"]) != depth:
            raise DumpParseError(n, f"the line says depth {m['depth']}, but it is a child at "
                                 f"depth {depth}")
        if self.span(m["range"], n, "the node range") != (lo, hi):
            raise DumpParseError(n, f"node range {m['range']!r}, but its parent's pivots give "
                                 f"{self.show(lo, hi)}")
        mtype = int(m["type"])
        if mtype == 0:
            raise DumpParseError(n, "dense nodes (type 0) are not supported")
        if mtype not in (1, 2, 3):
            raise DumpParseError(n, f"unknown node type {mtype} (1 leaf_64, 2 range_64, "
                                 "3 arange_64)")
        addr = self.word(m["addr"], n, "the node address")
        self.word(m["parent"], n, "the parent pointer")
        if addr & 0xFF:
            self.raw = False
        pivots, words, gaps, meta_end, meta_gap = self.contents(m["contents"], n, mtype)
        rec = {"id": len(self.nodes), "depth": depth, "type": TYPE_NAMES[mtype],
               "min": lo, "max": hi}
        self.nodes.append(rec)
        self.addrs.append(addr)
        shown = dump_slots(mtype, pivots, words, lo, hi)
        found = {}
        for i, first, last, _bad in shown:
            if mtype == 1:
                found[i] = self.entry(first, last, depth + 1)
            elif words[i]:
                child = self.node(first, last, depth + 1)
                found[i] = (words[i], child)
        end = self.data_end(n, mtype, pivots, words, meta_end, hi, shown)
        rec["end"] = end
        rec["pivots"] = pivots[:end] + [hi]
        if mtype == 1:
            rec["slots"] = [self.leaf_slot(words[i], found.get(i)) for i in range(end + 1)]
        else:
            rec["slots"] = [self.child_slot(n, i, words[i], found.get(i))
                            for i in range(end + 1)]
        if gaps is not None:
            rec["gaps"] = gaps[:end + 1]
            rec["gap_off"] = meta_gap
        return rec["id"]

    def data_end(self, n, mtype, pivots, words, meta_end, mx, shown):
        """ma_data_end(): arange from its metadata; leaf/range from pivot 14 and,
        when that is 0, the metadata word in the last slot."""
        if mtype == 3:
            if meta_end >= MAPLE_ARANGE64_SLOTS:
                raise DumpParseError(n, f"metadata end {meta_end:02X} is past the node's "
                                     f"{MAPLE_ARANGE64_SLOTS} slots")
            return meta_end
        p14 = pivots[MAPLE_RANGE64_SLOTS - 2]
        if p14:
            return MAPLE_RANGE64_SLOTS - 2 if p14 == mx else MAPLE_RANGE64_SLOTS - 1
        meta = words[MAPLE_RANGE64_SLOTS - 1]
        if meta >> 16 == 0 and (meta & 0xFF) < MAPLE_RANGE64_SLOTS - 1:
            return meta & 0xFF
        return len(shown) - 1           # hashed metadata: count the printed slots

    def leaf_slot(self, word, found):
        if found is not None:
            n, line_word, value = found
            if self.raw and line_word != word:
                raise DumpParseError(n, f"the entry line shows the word {line_word:#x}, but "
                                     f"the node's contents hold {word:#x} for that slot")
            return value
        if not word:
            return None
        if self.raw and word & 1:
            return word >> 1
        return "XA_ZERO_ENTRY" if word == XA_ZERO_WORD else f"0x{word:x}"

    def child_slot(self, n, i, word, found):
        if found is None:
            return None
        _word, child = found
        if self.raw and (word & ~0xFF) != self.addrs[child] and not self.addrs[child] & 0xFF:
            raise DumpParseError(n, f"slot {i} points to {word:#x}, but the child printed "
                                 f"for it is at {self.addrs[child]:#x}")
        return child

    # --- the whole dump --------------------------------------------------------
    def parse(self):
        n, height, root_word = self.header()
        rec = {"height": height}
        nn, line = self.lines.peek()
        if line is not None and NODE_RE.match(line):
            self.node(0, ULONG_MAX, 0)
            rec.update(root="node", nodes=self.nodes, node_count=len(self.nodes))
            if self.raw and root_word & ~0xFF != self.addrs[0] and root_word:
                raise DumpParseError(n, f"the root pointer {root_word:#x} is not the root "
                                     f"node's address {self.addrs[0]:#x}")
        else:
            nn, line = self.lines.take("the root entry line '0: ...'")
            m = ENTRY_RE.match(line)
            if not m or m["indent"] or m["range"] != "0":
                raise DumpParseError(nn, f"expected the root entry line '0: ...', found "
                                     f"{line.strip()[:60]!r}")
            self.lines.pos -= 1
            _n, _word, value = self.entry(0, 0, 0)
            if value is None:
                rec.update(root="empty", nodes=[], node_count=0)
            else:
                rec.update(root="entry", root_value=value, nodes=[], node_count=0)
        extra, line = self.lines.peek()
        if line is not None:
            what = "a second dump starts here" if HEADER_RE.match(line) else \
                "unexpected line after the end of the dump"
            raise DumpParseError(extra, f"{what}: {line.strip()[:60]!r}")
        return rec


def parse_mt_dump(text, fmt=None, header=False):
    """Parse one mt_dump() text (fmt "dec", "hex" or None to detect it) into a
    dump record's layout fields: height, root, root_value (a root entry only),
    nodes and node_count.

    ``header=True`` adds what only the header line tells: ``flags`` (the tree's
    flag word), ``kind`` ("alloc" or "plain") and ``rcu``.
    """
    parser = _Parser(text, fmt)
    rec = parser.parse()
    if header:
        rec.update(flags=parser.flags, kind="alloc" if parser.flags & 1 else "plain",
                   rcu=bool(parser.flags & 2))
    return rec


__all__ = ["parse_mt_dump"]
