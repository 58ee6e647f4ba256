# SPDX-License-Identifier: GPL-2.0-or-later
"""Virtual memory areas as the fork lab sees them, and the mm's VMA tree.

A :class:`Vma` stands for a ``struct vm_area_struct``: an address range
``[start, end)`` (``end`` exclusive, as ``/proc/<pid>/maps`` prints it and as
``vm_end`` is), a set of flag names and a label. The mm's tree stores each VMA
over ``[start, end - 1]`` (``vma_iter_store``), so the tree's ranges are
inclusive. :func:`build_mm_tree` builds that tree the way a process's
``mm->mm_mt`` is set up (``MM_MT_FLAGS``: an allocation-range tree in RCU mode).
"""

from dataclasses import dataclass, replace
from itertools import pairwise

from ..core.constants import ULONG_MAX
from ..errors import InvalidArgumentError, InvalidRangeError
from ..tree import MapleTree

PAGE_SIZE = 4096

#: Flag names of the kernel's VM_* bits that fork cares about (``/proc/<pid>/smaps``
#: VmFlags ``dc`` and ``wf``); every other flag is kept as its two-letter smaps name.
DONTCOPY = "DONTCOPY"
WIPEONFORK = "WIPEONFORK"


@dataclass(frozen=True, repr=False)
class Vma:
    """One VMA: ``[start, end)`` with ``end`` exclusive, flag names, a label.

    ``flags`` may be given as any iterable of names; it is stored as a frozenset.
    Two Vma objects with the same fields compare equal; :meth:`copy` makes the
    separate object that ``dup_vma()`` (``vm_area_dup``) gives the child.
    """

    start: int
    end: int
    flags: frozenset = frozenset()
    name: str = ""

    def __post_init__(self):
        for what in ("start", "end"):
            v = getattr(self, what)
            if isinstance(v, bool) or not isinstance(v, int):
                raise InvalidRangeError(f"Vma {what} must be an integer, not {v!r}")
        if not 0 <= self.start < self.end <= ULONG_MAX + 1:
            raise InvalidRangeError(
                f"Vma [{self.start:#x}, {self.end:#x}) is empty, reversed or out of range "
                "(end is exclusive)")
        flags = self.flags
        if isinstance(flags, str):
            flags = (flags,)
        object.__setattr__(self, "flags", frozenset(flags))
        if not isinstance(self.name, str):
            raise InvalidArgumentError(f"Vma name must be a string, not {self.name!r}")

    @property
    def last(self):
        """The inclusive last address: the tree range is [start, last]."""
        return self.end - 1

    @property
    def pages(self):
        return (self.end - self.start) // PAGE_SIZE

    @property
    def dontcopy(self):
        """VM_DONTCOPY (``madvise(MADV_DONTFORK)``): fork leaves it out of the child."""
        return DONTCOPY in self.flags

    @property
    def wipeonfork(self):
        """VM_WIPEONFORK: the child gets the VMA, but empty (no effect on the tree)."""
        return WIPEONFORK in self.flags

    def copy(self):
        """dup_vma()/vm_area_dup(): a new VMA object with the same fields."""
        return replace(self)

    def __repr__(self):
        fl = " ".join(sorted(self.flags))
        label = f" {self.name}" if self.name else ""
        return f"Vma({self.start:#x}-{self.end:#x}{label}{' [' + fl + ']' if fl else ''})"


def as_vma(item):
    """A Vma from a Vma or a tuple ``(start, end[, flags[, name]])``."""
    if isinstance(item, Vma):
        return item
    try:
        return Vma(*item)
    except TypeError as exc:
        raise InvalidArgumentError(
            f"{item!r} is not a VMA: give Vma(start, end, flags, name) or a tuple "
            "(start, end[, flags[, name]])") from exc


def build_mm_tree(vmas, order="address", allocator=None, tracer=None):
    """The mm's VMA tree: ``MapleTree(alloc=True, rcu=True)`` with every VMA stored
    over ``[start, end - 1]`` by the normal API (``mtree_store_range``).

    ``order``: ``"address"`` (ascending, the default), ``"reverse"`` (descending, as
    top-down mmap() places new mappings) or ``"given"`` (the sequence as passed,
    e.g. the order the mappings were created in). VMAs must not overlap.
    """
    items = [as_vma(v) for v in vmas]
    ordered = sorted(items, key=lambda v: v.start)
    for a, b in pairwise(ordered):
        if b.start < a.end:
            raise InvalidRangeError(f"VMAs overlap: {a!r} and {b!r}")
    if order == "address":
        seq = ordered
    elif order == "reverse":
        seq = ordered[::-1]
    elif order == "given":
        seq = items
    else:
        raise InvalidArgumentError(f"order must be 'address', 'reverse' or 'given', not {order!r}")
    tree = MapleTree(alloc=True, rcu=True, allocator=allocator, tracer=tracer)
    for v in seq:
        tree.store(v.start, v.end - 1, v)
    return tree


# A small process's 21 VMAs, taken from the committed sample (mapletree_edu/data/cat.maps:
# /usr/bin/cat on Debian 12), less its [vvar_vclock] page (a special mapping that v6.8
# does not have) and the anonymous mapping below libc (the area the synthetic VMAs go into).
_RD = ("rd", "mr", "mw", "me")
_RX = ("rd", "ex", "mr", "mw", "me")
_RO = ("rd", "mr", "mw", "me", "ac")            # RELRO: read-only after relocation
_RW = ("rd", "wr", "mr", "mw", "me", "ac")
_EXE = "/usr/bin/cat"
_LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6"
_LD = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
SMALL_PROCESS = (
    (0x562aaa8eb000, 0x562aaa8ed000, _RD, _EXE),
    (0x562aaa8ed000, 0x562aaa8f2000, _RX, _EXE),
    (0x562aaa8f2000, 0x562aaa8f5000, _RD, _EXE),
    (0x562aaa8f5000, 0x562aaa8f6000, _RO, _EXE),
    (0x562aaa8f6000, 0x562aaa8f7000, _RW, _EXE),
    (0x562ac9104000, 0x562ac9125000, _RW, "[heap]"),
    (0x7f4b0a085000, 0x7f4b0a0ab000, _RD, _LIBC),
    (0x7f4b0a0ab000, 0x7f4b0a201000, _RX, _LIBC),
    (0x7f4b0a201000, 0x7f4b0a254000, _RD, _LIBC),
    (0x7f4b0a254000, 0x7f4b0a258000, _RO, _LIBC),
    (0x7f4b0a258000, 0x7f4b0a25a000, _RW, _LIBC),
    (0x7f4b0a25a000, 0x7f4b0a267000, _RW, ""),
    (0x7f4b0a271000, 0x7f4b0a273000, _RW, ""),
    (0x7f4b0a273000, 0x7f4b0a277000, ("rd", "mr", "pf", "io", "de", "dd"), "[vvar]"),
    (0x7f4b0a279000, 0x7f4b0a27b000, ("rd", "ex", "mr", "mw", "me", "de"), "[vdso]"),
    (0x7f4b0a27b000, 0x7f4b0a27c000, _RD, _LD),
    (0x7f4b0a27c000, 0x7f4b0a2a2000, _RX, _LD),
    (0x7f4b0a2a2000, 0x7f4b0a2ac000, _RD, _LD),
    (0x7f4b0a2ac000, 0x7f4b0a2ae000, _RO, _LD),
    (0x7f4b0a2ae000, 0x7f4b0a2b0000, _RW, _LD),
    (0x7fff1c514000, 0x7fff1c535000, ("rd", "wr", "mr", "mw", "me", "gd", "ac"), "[stack]"),
)
#: Where the synthetic one-page VMAs go: downwards from one page below libc's first
#: segment, the free area below the mmap base that top-down mmap() would use next.
SYNTHETIC_TOP = 0x7f4b0a085000 - PAGE_SIZE


def synthetic_address_space(n=0):
    """The VMAs of a small process (21) plus ``n`` one-page anonymous VMAs.

    The added VMAs are read/write private anonymous mappings of one page each,
    separated from each other (and from libc) by one-page gaps, placed downwards
    from :data:`SYNTHETIC_TOP`, as a test program mapping ``n`` extra pages with
    ``PROT_NONE`` holes between them would get. Returns ``21 + n`` Vma objects in
    address order. The merged fork benchmark used 21 + 0, 100, ..., 51200 VMAs.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise InvalidArgumentError(f"n must be a non-negative integer, not {n!r}")
    lowest_free = SMALL_PROCESS[5][1] + PAGE_SIZE      # above the heap
    if SYNTHETIC_TOP - 2 * n * PAGE_SIZE < lowest_free:
        raise InvalidArgumentError(f"{n} one-page VMAs do not fit below the mmap base")
    base = [Vma(s, e, fl, name) for s, e, fl, name in SMALL_PROCESS]
    anon = []
    for i in range(n):
        end = SYNTHETIC_TOP - 2 * i * PAGE_SIZE
        anon.append(Vma(end - PAGE_SIZE, end, _RW, ""))
    anon.reverse()
    return sorted(base + anon, key=lambda v: v.start)


def entry_flags(entry):
    """The VM_* flag names of a tree entry: a Vma's flags, none for any other entry."""
    return getattr(entry, "flags", ())


def is_dontcopy(entry):
    """Whether fork leaves this tree entry out of the child (a VM_DONTCOPY Vma)."""
    return DONTCOPY in entry_flags(entry)


def dup_entry(entry):
    """What the child's tree holds for a copied entry: a Vma's copy (``vm_area_dup``),
    any other entry as it is."""
    return entry.copy() if isinstance(entry, Vma) else entry


__all__ = ["Vma", "as_vma", "build_mm_tree", "synthetic_address_space", "PAGE_SIZE",
           "DONTCOPY", "WIPEONFORK", "SMALL_PROCESS", "SYNTHETIC_TOP", "entry_flags",
           "is_dontcopy", "dup_entry"]
