# SPDX-License-Identifier: GPL-2.0-or-later
"""``mt_dump()``: the kernel's text dump of a tree (Linux v6.8, CONFIG_DEBUG_MAPLE_TREE).

Models ``mt_dump()``, ``mt_dump_node()``, ``mt_dump_range64()``,
``mt_dump_arange64()``, ``mt_dump_range()`` and ``mt_dump_entry()``. The text is
line for line what the kernel prints for the same tree, with two differences
that cannot be avoided, both about pointer words:

* Addresses are made up, deterministically. The tree sits at
  ``TREE_ADDR`` (0xffff888000000000) and node ``serial`` at
  ``NODE_BASE + serial * 0x100``, 256-byte aligned as the kernel's nodes are
  (two nodes with the same serial get fresh slots past the largest serial).
  They are encoded as the kernel encodes them: a child pointer is
  ``addr | type << 3 | 0x4``, the root pointer also has ``0x2``, a parent
  pointer is ``parent addr | slot << 3 | 0x6`` and the root's parent is
  ``tree addr | 0x1``.
* An entry that is neither an integer, None nor a reserved internal entry (a
  string, say) is a pointer to the kernel: it prints as a made-up address,
  ``OBJ_BASE + k * 0x40`` for the k-th distinct object met in the dump.

Integer entries ``V`` are the kernel's ``xa_mk_value(V)``, the word ``2V + 1``;
``XA_ZERO_ENTRY`` is the word 0x406 and prints ``zero (257)``.

``pointers="kernel"`` prints pointer words as a kernel booted with
``no_hash_pointers`` does (16 lowercase hex digits, like the golden samples);
``pointers="userspace"`` prints them as the kernel's user-space test harness does
(``(nil)`` and ``0x...``).

Everything else is the node as stored: unused slots, stale pivots past the end
and the metadata word that shares the last slot of leaf_64/range_64 nodes.
"""

from ..core.constants import (
    MAPLE_ARANGE64_SLOTS,
    MAPLE_ARANGE_64,
    MAPLE_RANGE64_SLOTS,
    ULONG_MAX,
)
from ..core.entries import InternalEntry
from ..core.node import Node, ma_data_end
from ..errors import InvalidArgumentError

TREE_ADDR = 0xFFFF888000000000
NODE_BASE = 0xFFFF888000001000
OBJ_BASE = 0xFFFF888400000000

XA_ZERO_WORD = (257 << 2) | 2
MAPLE_RESERVED_WORD = (4096 << 2) | 2       # xa_mk_internal(MAPLE_RESERVED_RANGE)
INDENT = " " * 32                           # mt_dump_range() indents from 32 spaces


class Words:
    """The pointer words of one dump: made-up addresses, entry words, formatting."""

    def __init__(self, tree, pointers):
        if pointers not in ("kernel", "userspace"):
            raise InvalidArgumentError(f"pointers must be 'kernel' or 'userspace', "
                                       f"not {pointers!r}")
        self.tree = tree
        self.pointers = pointers
        self._nodes = {}
        self._used = set()
        self._next_spare = None
        self._objects = {}

    def ptr(self, word):
        """%p of a word."""
        if self.pointers == "userspace":
            return "(nil)" if not word else f"0x{word:x}"
        return f"{word:016x}"

    def node_addr(self, node):
        key = id(node)
        addr = self._nodes.get(key)
        if addr is None:
            addr = NODE_BASE + node.serial * 0x100
            if node.serial < 0 or addr in self._used:
                if self._next_spare is None:
                    self._next_spare = max(self._used, default=NODE_BASE) + 0x100000
                addr = self._next_spare
                self._next_spare += 0x100
            self._nodes[key] = addr
            self._used.add(addr)
        return addr

    def object_addr(self, obj):
        key = id(obj)
        if key not in self._objects:
            self._objects[key] = (OBJ_BASE + len(self._objects) * 0x40, obj)
        return self._objects[key][0]

    def enode(self, node):
        """mt_mk_node(): the encoded pointer to a node."""
        return self.node_addr(node) | (node.type << 3) | 0x4

    def entry(self, entry):
        """The machine word stored for an entry."""
        if entry is None:
            return 0
        if entry.__class__ is Node:
            return self.enode(entry)
        if isinstance(entry, int) and not isinstance(entry, bool):
            return ((entry << 1) | 1) & ULONG_MAX
        if isinstance(entry, InternalEntry):
            return entry.raw & ULONG_MAX
        return self.object_addr(entry)

    def parent(self, node):
        """The raw parent pointer of a node."""
        parent = node.parent
        if parent is None:
            return 0
        if parent is node:                          # mte_set_node_dead()
            return self.node_addr(node)
        if parent.__class__ is Node:
            return self.node_addr(parent) | (node.parent_slot << 3) | 0x6
        if parent is self.tree:
            return TREE_ADDR | 0x1
        return self.object_addr(parent) | 0x1


def _num(value, fmt, upper=False):
    if fmt == "dec":
        return str(value)
    return f"{value:X}" if upper else f"{value:x}"


def dump_range(lo, hi, depth, fmt):
    """mt_dump_range(): indentation and 'min-max: ' (or 'min: ')."""
    pad = INDENT[:depth * 2]
    if lo == hi:
        return f"{pad}{_num(lo, fmt)}: "
    return f"{pad}{_num(lo, fmt)}-{_num(hi, fmt)}: "


def entry_text(words, entry):
    """mt_dump_entry() after the range: value, zero, reserved or a raw pointer."""
    word = words.entry(entry)
    if word & 1:
        value = word >> 1       # xa_to_value(): below 2**63, so %ld prints it as is
        return f"value {value} (0x{value:x}) [{words.ptr(word)}]"
    if word == XA_ZERO_WORD:
        return "zero (257)"
    if word & 3 == 2 and word < MAPLE_RESERVED_WORD:
        return f"UNKNOWN ENTRY ({words.ptr(word)})"
    return words.ptr(word)


def last_slot_word(words, node, mx):
    """The word in the last slot of a leaf_64/range_64 node.

    It is slot 15 when the node uses it (data end 15) or when something was
    stored there after the metadata; otherwise it is the metadata that overlays
    it: ``end`` in the low byte, ``gap`` in the next one.
    """
    last = node.slots[MAPLE_RANGE64_SLOTS - 1]
    if last is not None or ma_data_end(node, node.type, mx) == MAPLE_RANGE64_SLOTS - 1:
        return words.entry(last)
    return (node.meta_gap & 0xFF) << 8 | (node.meta_end & 0xFF)


def contents(words, node, mx, fmt):
    """The ' contents: ...' part of a node line; also returns the slot words."""
    if node.type == MAPLE_ARANGE_64:
        nslots = MAPLE_ARANGE64_SLOTS
        gaps = " ".join(_num(g, fmt) for g in node.gaps)
        head = f" contents: {gaps} | {node.meta_end & 0xFF:02X} {node.meta_gap & 0xFF:02X}| "
        slot_words = [words.entry(s) for s in node.slots]
    else:
        nslots = MAPLE_RANGE64_SLOTS
        head = " contents: "
        slot_words = [words.entry(s) for s in node.slots[:nslots - 1]]
        slot_words.append(last_slot_word(words, node, mx))
    pairs = [f"{words.ptr(slot_words[i])} {_num(node.pivots[i], fmt, upper=True)}"
             for i in range(nslots - 1)]
    return head + " ".join(pairs) + f" {words.ptr(slot_words[-1])}", slot_words


def dump_slots(mtype, pivots, slot_words, lo, mx):
    """The slots mt_dump_range64()/mt_dump_arange64() print, in order:
    (offset, first, last, complaint or None).

    The loop stops after the slot that reaches max, at a 0 pivot after slot 0,
    and at a NULL last slot (for leaf/range nodes only below the top of the index
    space). A pivot above max draws the kernel's "last > max" complaint; arange
    nodes stop there. The parser of dumps uses the same rule.
    """
    arange = mtype == MAPLE_ARANGE_64
    nslots = MAPLE_ARANGE64_SLOTS if arange else MAPLE_RANGE64_SLOTS
    out = []
    first = lo
    for i in range(nslots):
        last = mx
        if i < nslots - 1:
            last = pivots[i]
        elif not slot_words[i] and (arange or mx != ULONG_MAX):
            break
        if last == 0 and i > 0:
            break
        if last == mx:
            out.append((i, first, last, None))
            break
        out.append((i, first, last, (last, mx, i) if last > mx else None))
        if last > mx and arange:
            break
        first = (last + 1) & ULONG_MAX
    return out


def _dump_node(words, node, lo, hi, depth, fmt, lines):
    """mt_dump_node(): the node line, then its entries or its children."""
    addr = words.node_addr(node)
    text, slot_words = contents(words, node, hi, fmt)
    lines.append(f"{dump_range(lo, hi, depth, fmt)}node {words.ptr(addr)} depth {depth} "
                 f"type {node.type} parent {words.ptr(words.parent(node))}{text}")
    leaf = node.type < 2
    for i, first, last, bad in dump_slots(node.type, node.pivots, slot_words, lo, hi):
        content = node.slots[i]
        if leaf:
            lines.append(dump_range(first, last, depth + 1, fmt) + entry_text(words, content))
        elif content.__class__ is Node:
            _dump_node(words, content, first, last, depth + 1, fmt, lines)
        if bad is not None:
            big, top, piv = bad
            form = fmt if node.type != MAPLE_ARANGE_64 else "dec"
            lines.append(f"node {words.ptr(addr)} last ({_num(big, form)}) > max "
                         f"({_num(top, form)}) at pivot {piv}!")


def mt_dump(core_tree, fmt="dec", pointers="kernel"):
    """mt_dump(tree, mt_dump_dec / mt_dump_hex): the dump as one string, each line
    ending in a newline. ``core_tree`` is the core Tree; a MapleTree works too."""
    if fmt not in ("dec", "hex"):
        raise InvalidArgumentError(f"fmt must be 'dec' or 'hex', not {fmt!r}")
    tree = getattr(core_tree, "core", core_tree)
    words = Words(tree, pointers)
    root = tree.root
    root_word = words.entry(root)
    if root.__class__ is Node:
        root_word |= 0x2
    lines = [f"maple_tree({words.ptr(TREE_ADDR)}) flags {tree.flags:X}, height {tree.height} "
             f"root {words.ptr(root_word)}"]
    if root.__class__ is not Node:
        lines.append(dump_range(0, 0, 0, fmt) + entry_text(words, root))
    else:
        _dump_node(words, root, 0, ULONG_MAX, 0, fmt, lines)
    return "\n".join(lines) + "\n"


__all__ = ["mt_dump", "dump_slots", "TREE_ADDR", "NODE_BASE", "OBJ_BASE"]
