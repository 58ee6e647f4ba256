# SPDX-License-Identifier: GPL-2.0-or-later
"""A small simulated mm: ``mmap()`` and ``munmap()`` on a process's VMA tree.

The model is the part of Linux v6.8 ``mm/mmap.c`` that talks to the maple tree when a
process maps memory without asking for an address:

- ``vm_unmapped_area()`` and its two searches, ``unmapped_area_topdown()`` (the
  usual x86-64 layout) and ``unmapped_area()`` (bottom-up): the request's length plus
  the alignment padding, the gap search ``mas_empty_area_rev()`` /
  ``mas_empty_area()`` between ``low_limit`` (raised to ``mmap_min_addr``) and
  ``high_limit - 1``, the alignment of the result, and the stack guard gap check on
  the VMA after the hole (``vm_start_gap()``) or before it (``vm_end_gap()``), which
  lowers ``high_limit`` (or raises ``low_limit``) and searches again;
- the choice of limits that x86-64's ``arch_get_unmapped_area_topdown()``
  (arch/x86/kernel/sys_x86_64.c) makes: ``[PAGE_SIZE, mmap_base)`` top-down, and when
  that fails the bottom-up fallback ``[mmap_legacy_base, TASK_SIZE)``;
- ``mmap_region()``'s store of the new VMA over ``[addr, addr + len - 1]``;
- ``do_vmi_align_munmap()``'s tree writes: a VMA cut at ``start`` is split
  (``__split_vma()`` stores the new lower part), one cut at ``end`` is split too (the
  new upper part is stored), then the whole range is cleared with one NULL store
  (``vma_iter_clear_gfp()``).

What is left out, on purpose:

- **VMA merging.** ``mmap_region()`` first tries to extend a neighbouring VMA with the
  same flags and file (``can_vma_merge_before/after()``); a top-down hole is always
  right below the VMA above it, so a real anonymous ``mmap()`` often grows that VMA
  instead of adding one. Here every ``mmap()`` adds a VMA.
- Hints and ``MAP_FIXED``, ``MAP_32BIT``/``MAP_ABOVE4G``, file alignment
  (``get_align_mask()``), huge pages, and the randomisation of ``mmap_base``.
- Everything that is not the tree: page tables, rlimits and accounting, the mmap lock
  and per-VMA locks, the detached-VMA tree ``munmap()`` builds, ``userfaultfd``.

``mmap_base`` is not in ``/proc/<pid>/maps``: it is randomised at ``exec()``. The top-down
allocator puts the first mappings (the dynamic loader's) right below it, so
:func:`estimate_mmap_base` takes the end of the highest VMA below ``[stack]``.

>>> mm = Mm.sample()
>>> vma = mm.mmap(3 * PAGE_SIZE, name="anon")
>>> vma.end - vma.start == 3 * PAGE_SIZE and mm.tree.load(vma.start) is vma
True
>>> mm.munmap(vma.start, 3 * PAGE_SIZE)
>>> mm.tree.load(vma.start) is None
True
"""

from dataclasses import dataclass, field

from .core.constants import ULONG_MAX
from .errors import InvalidArgumentError, MapleTreeError
from .fork.vma import PAGE_SIZE, Vma, as_vma, build_mm_tree
from .procmaps import read_maps, read_sample

#: mm/mmap.c: ``stack_guard_gap = 256UL << PAGE_SHIFT`` (1 MiB with 4 KiB pages).
STACK_GUARD_GAP = 256 * PAGE_SIZE
#: ``vm.mmap_min_addr``. mm/Kconfig's DEFAULT_MMAP_MIN_ADDR is 4096, and its help text
#: calls 65536 reasonable for x86; the recorded mmap cases use 65536 too.
MMAP_MIN_ADDR = 0x10000
#: x86-64 with 4-level page tables: TASK_SIZE_MAX = (1 << 47) - PAGE_SIZE.
TASK_SIZE = (1 << 47) - PAGE_SIZE
#: -ENOMEM, what vm_unmapped_area() returns when nothing fits.
ENOMEM = -12
EINVAL = -22

#: smaps VmFlags names: VM_GROWSDOWN, VM_GROWSUP, VM_SHADOW_STACK.
GROWSDOWN, GROWSUP, SHADOW_STACK = "gd", "gu", "ss"
#: VM_STARTGAP_FLAGS (mm/mmap.c): VMAs with a guard gap below their start.
STARTGAP_FLAGS = frozenset({GROWSDOWN, SHADOW_STACK})
ANON_FLAGS = ("rd", "wr", "mr", "mw", "me", "ac")


class MmapError(MapleTreeError):
    """mmap() or munmap() failed; ``errno`` is the kernel's negative error code."""

    def __init__(self, errno, message):
        super().__init__(message)
        self.errno = errno


def page_align(n):
    """PAGE_ALIGN(): round up to a multiple of PAGE_SIZE."""
    return (n + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)


def stack_guard_start_gap(vma, guard=STACK_GUARD_GAP):
    """stack_guard_start_gap() (include/linux/mm.h): the guard below a VMA's start."""
    if GROWSDOWN in vma.flags:
        return guard
    if SHADOW_STACK in vma.flags:
        return PAGE_SIZE
    return 0


def vm_start_gap(vma, guard=STACK_GUARD_GAP):
    """vm_start_gap(): the VMA's start less its guard gap (0 if that would wrap)."""
    start = vma.start - stack_guard_start_gap(vma, guard)
    return 0 if start < 0 else start


def vm_end_gap(vma, guard=STACK_GUARD_GAP):
    """vm_end_gap(): the VMA's end plus the guard of an upward-growing stack
    (VM_GROWSUP, which x86 does not have)."""
    end = vma.end
    if GROWSUP in vma.flags:
        end += guard
        if end > ULONG_MAX:
            end = ULONG_MAX + 1 - PAGE_SIZE
    return end


@dataclass(frozen=True)
class UnmappedAreaInfo:
    """struct vm_unmapped_area_info: what the caller asks vm_unmapped_area() for.
    ``topdown`` is VM_UNMAPPED_AREA_TOPDOWN; ``high_limit`` is exclusive."""

    length: int
    low_limit: int
    high_limit: int
    align_mask: int = 0
    align_offset: int = 0
    topdown: bool = True


@dataclass(frozen=True)
class SearchRound:
    """One pass of unmapped_area{,_topdown}() (a ``goto retry`` starts the next).

    ``window`` is what the gap search was given, ``(min, max, size)``; ``found`` the
    hole it returned ``(mas.index, mas.last)``, or None; ``addr`` the aligned start;
    ``neighbour`` the VMA the guard check looked at; ``retry`` why another pass was
    needed ("" when this pass gave the answer)."""

    window: tuple
    found: tuple = None
    addr: int = None
    neighbour: Vma = None
    retry: str = ""


@dataclass(frozen=True)
class UnmappedArea:
    """The result of vm_unmapped_area(): ``addr`` (None for -ENOMEM) and every pass."""

    info: UnmappedAreaInfo
    addr: int = None
    rounds: tuple = field(default=())
    error: str = ""

    @property
    def ok(self):
        return self.addr is not None


class MmVma(Vma):
    """A Vma that prints short (``libc r-x``, ``[heap] rw-``, ``anon rw-``), so that a
    diagram of the mm's tree stays readable. Otherwise the same as :class:`Vma`."""

    @property
    def label(self):
        base = self.name.rsplit("/", 1)[-1] if self.name else "anon"
        if not base.startswith("["):
            base = base.split(".", 1)[0]
            if base.startswith("ld-linux"):
                base = "ld.so"
        perms = "".join(c if f in self.flags else "-"
                        for c, f in (("r", "rd"), ("w", "wr"), ("x", "ex")))
        return f"{base} {perms}"

    def __repr__(self):
        return self.label

    @classmethod
    def of(cls, vma):
        return vma if isinstance(vma, cls) else cls(vma.start, vma.end, vma.flags, vma.name)


def estimate_mmap_base(vmas, task_size=TASK_SIZE):
    """The end of the highest VMA below ``[stack]`` (see the module docstring), or
    ``task_size`` when there is no stack VMA or nothing below it."""
    stack = next((v for v in vmas if v.name == "[stack]"), None)
    if stack is None:
        return task_size
    below = [v.end for v in vmas if v.end <= stack.start]
    return max(below) if below else task_size


def _with_stack_flag(vmas):
    """maps text has no VmFlags: give ``[stack]`` its VM_GROWSDOWN ("gd")."""
    out = []
    for v in vmas:
        v = MmVma.of(as_vma(v))
        if v.name == "[stack]" and GROWSDOWN not in v.flags:
            v = MmVma(v.start, v.end, v.flags | {GROWSDOWN}, v.name)
        out.append(v)
    return out


class Mm:
    """A process's address space as the maple tree sees it: ``mm->mm_mt`` (an
    allocation tree in RCU mode, VMAs stored over ``[start, end - 1]``) plus the few
    numbers the unmapped-area search needs."""

    def __init__(self, vmas=(), *, mmap_base=None, mmap_min_addr=MMAP_MIN_ADDR,
                 stack_guard_gap=STACK_GUARD_GAP, task_size=TASK_SIZE, tracer=None):
        vmas = _with_stack_flag(vmas)
        for name, v in (("mmap_min_addr", mmap_min_addr), ("stack_guard_gap", stack_guard_gap),
                        ("task_size", task_size)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise InvalidArgumentError(f"{name} must be a non-negative int, not {v!r}")
        self.tree = build_mm_tree(vmas, tracer=tracer)
        self.mmap_min_addr = mmap_min_addr
        self.stack_guard_gap = stack_guard_gap
        self.task_size = task_size
        self.mmap_base = estimate_mmap_base(vmas, task_size) if mmap_base is None \
            else mmap_base
        #: __TASK_UNMAPPED_BASE(task_size): where bottom-up searches start (no rnd).
        self.mmap_legacy_base = page_align(task_size // 3)
        self.last_area = None
        #: Called as ``observer(fn, text, **where)`` at each decision of the search and
        #: before mmap()'s store (``where`` then holds the range: ``index``, ``last``); the
        #: players turn these calls into steps. None by default.
        self.observer = None

    def _note(self, fn, text, **where):
        if self.observer is not None:
            self.observer(fn, text, **where)

    @classmethod
    def from_maps(cls, pid="self", maps_text=None, smaps_text=None, **kw):
        """An Mm of ``/proc/<pid>/maps`` (or of the given text)."""
        return cls(read_maps(pid, maps_text=maps_text, smaps_text=smaps_text), **kw)

    @classmethod
    def sample(cls, **kw):
        """An Mm of the committed sample process (mapletree_edu/data/cat.maps)."""
        return cls(read_sample(), **kw)

    # --- looking at it ----------------------------------------------------------------
    def vmas(self):
        """The VMAs in address order."""
        return [e for _f, _l, e in self.tree.ranges()]

    def holes(self, low=0, high=None):
        """The unmapped ranges ``(start, end)`` (end exclusive) inside ``[low, high)``."""
        high = self.task_size if high is None else high
        out, cur = [], low
        for v in self.vmas():
            if v.end <= low:
                continue
            if v.start >= high:
                break
            if v.start > cur:
                out.append((cur, v.start))
            cur = max(cur, v.end)
        if cur < high:
            out.append((cur, high))
        return out

    def _next_vma(self, last):
        """The VMA after the hole holding ``last``: ``mas_next(&mas, ULONG_MAX)``.
        Returns it with the cursor, for the ``mas_prev(&mas, 0)`` that may follow. The
        kernel's state is still in the hole after the gap search; the model's cursor
        starts at ``last`` and walks there first."""
        cur = self.tree.cursor(last)
        return cur.next(ULONG_MAX), cur

    def _search(self, lo, hi, size, topdown):
        """mas_empty_area{,_rev}(lo, hi, size): (index, last), or None for -EBUSY and
        for the -EINVAL argument checks (both make vm_unmapped_area() fail)."""
        if hi < lo or size == 0 or hi - lo < size - 1:
            return None
        return self.tree.empty_area(lo, hi, size, top_down=topdown)

    # --- mm/mmap.c ----------------------------------------------------------------------
    def unmapped_area_topdown(self, info):
        """unmapped_area_topdown(): the highest fitting hole below ``high_limit``."""
        length = info.length + info.align_mask
        if length > ULONG_MAX:
            return UnmappedArea(info, None, (), "length + align_mask overflows")
        low = max(info.low_limit, self.mmap_min_addr)
        high = info.high_limit
        rounds = []
        while True:
            window = (low, high - 1, length)
            self._note("unmapped_area_topdown", f"mas_empty_area_rev({low:#x}, {high - 1:#x}, "
                       f"{length:#x}): the highest hole of {length:#x} bytes below "
                       f"high_limit {high:#x}")
            found = self._search(low, high - 1, length, True) if high > 0 else None
            if found is None:
                rounds.append(SearchRound(window))
                return UnmappedArea(info, None, tuple(rounds),
                                    "no hole of that length between the limits")
            gap = found[1] + 1 - info.length
            gap -= (gap - info.align_offset) & info.align_mask
            gap_end = found[1]
            self._note("unmapped_area_topdown", f"the hole ends at {gap_end:#x}: the area is "
                       f"[{gap:#x}, {gap + info.length - 1:#x}]; now mas_next() for the VMA "
                       "above it")
            nxt, cur = self._next_vma(gap_end)
            if nxt is not None and nxt.flags & STARTGAP_FLAGS:
                start_gap = vm_start_gap(nxt, self.stack_guard_gap)
                if start_gap <= gap_end:
                    rounds.append(SearchRound(window, found, gap, nxt,
                                              f"the hole reaches into the guard gap below "
                                              f"{nxt.name or 'the next VMA'}: high_limit = "
                                              f"vm_start_gap() = {start_gap:#x}"))
                    high = start_gap
                    self._note("unmapped_area_topdown", rounds[-1].retry + "; search again")
                    continue
                rounds.append(SearchRound(window, found, gap, nxt))
                self._note("unmapped_area_topdown", f"{nxt!r} grows down, but its guard gap "
                           f"starts at {start_gap:#x}, above the area: done")
            else:
                self._note("unmapped_area_topdown", f"the VMA above, {nxt!r}, does not grow "
                           "down; now mas_prev() for the VMA below the hole")
                prv = cur.prev(0)
                if prv is not None and vm_end_gap(prv, self.stack_guard_gap) > gap:
                    rounds.append(SearchRound(window, found, gap, prv,
                                              "the previous VMA's guard gap (VM_GROWSUP) "
                                              f"reaches the area: high_limit = {prv.start:#x}"))
                    high = prv.start
                    self._note("unmapped_area_topdown", rounds[-1].retry + "; search again")
                    continue
                rounds.append(SearchRound(window, found, gap, prv))
                self._note("unmapped_area_topdown", f"the VMA below, {prv!r}, does not grow "
                           f"up: vm_unmapped_area() returns {gap:#x}")
            return UnmappedArea(info, gap, tuple(rounds))

    def unmapped_area(self, info):
        """unmapped_area(): the lowest fitting hole above ``low_limit``."""
        length = info.length + info.align_mask
        if length > ULONG_MAX:
            return UnmappedArea(info, None, (), "length + align_mask overflows")
        low = max(info.low_limit, self.mmap_min_addr)
        high = info.high_limit
        rounds = []
        while True:
            window = (low, high - 1, length)
            found = self._search(low, high - 1, length, False) if high > 0 else None
            if found is None:
                rounds.append(SearchRound(window))
                return UnmappedArea(info, None, tuple(rounds),
                                    "no hole of that length between the limits")
            gap = found[0]
            gap += (info.align_offset - gap) & info.align_mask
            nxt, cur = self._next_vma(found[1])
            if nxt is not None and nxt.flags & STARTGAP_FLAGS:
                if vm_start_gap(nxt, self.stack_guard_gap) < gap + length - 1:
                    rounds.append(SearchRound(window, found, gap, nxt,
                                              "the area reaches into the guard gap below "
                                              f"{nxt.name or 'the next VMA'}: low_limit = "
                                              f"{nxt.end:#x}"))
                    low = nxt.end
                    continue
                rounds.append(SearchRound(window, found, gap, nxt))
            else:
                prv = cur.prev(0)
                if prv is not None and vm_end_gap(prv, self.stack_guard_gap) > gap:
                    end_gap = vm_end_gap(prv, self.stack_guard_gap)
                    rounds.append(SearchRound(window, found, gap, prv,
                                              "the previous VMA's guard gap reaches the "
                                              f"area: low_limit = {end_gap:#x}"))
                    low = end_gap
                    continue
                rounds.append(SearchRound(window, found, gap, prv))
            return UnmappedArea(info, gap, tuple(rounds))

    def vm_unmapped_area(self, info):
        """vm_unmapped_area(): top-down or bottom-up as ``info.topdown`` says."""
        if not isinstance(info, UnmappedAreaInfo):
            raise InvalidArgumentError("vm_unmapped_area() takes an UnmappedAreaInfo")
        for name in ("length", "low_limit", "high_limit", "align_mask", "align_offset"):
            v = getattr(info, name)
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= ULONG_MAX + 1:
                raise InvalidArgumentError(f"{name} must be an int in [0, 2**64], not {v!r}")
        if info.align_mask & (info.align_mask + 1):
            raise InvalidArgumentError(f"align_mask {info.align_mask:#x} is not 2**k - 1")
        area = self.unmapped_area_topdown(info) if info.topdown else self.unmapped_area(info)
        self.last_area = area
        return area

    def get_unmapped_area(self, length, align=0):
        """x86-64 ``arch_get_unmapped_area_topdown()`` without a hint: top-down in
        ``[PAGE_SIZE, mmap_base)``, else bottom-up in ``[mmap_legacy_base, TASK_SIZE)``.
        ``align`` (a power of two, 0 for none) sets ``align_mask = align - 1``, as
        callers that want aligned areas do. Returns the address; raises MmapError."""
        if length > self.task_size:
            raise MmapError(ENOMEM, f"length {length:#x} is larger than TASK_SIZE (-ENOMEM)")
        if isinstance(align, bool) or not isinstance(align, int) or align < 0 \
                or (align and align & (align - 1)) or (align and align < PAGE_SIZE):
            raise InvalidArgumentError(f"align must be 0 or a power of two >= PAGE_SIZE, "
                                       f"not {align!r}")
        mask = align - 1 if align else 0
        info = UnmappedAreaInfo(length, PAGE_SIZE, self.mmap_base, mask, 0, True)
        area = self.vm_unmapped_area(info)
        if not area.ok:
            first = area
            info = UnmappedAreaInfo(length, self.mmap_legacy_base, self.task_size, mask, 0,
                                    False)
            area = self.vm_unmapped_area(info)
            area = UnmappedArea(area.info, area.addr, first.rounds + area.rounds, area.error)
            self.last_area = area
        if not area.ok:
            raise MmapError(ENOMEM, f"mmap of {length:#x} bytes: -ENOMEM, {area.error}")
        return area.addr

    def mmap(self, length, name="", flags=ANON_FLAGS, align=0):
        """mmap(NULL, length, ...): find an area (get_unmapped_area) and store a new VMA
        over it (mmap_region()). Returns the Vma; raises MmapError for -EINVAL/-ENOMEM."""
        if isinstance(length, bool) or not isinstance(length, int) or length <= 0:
            raise MmapError(EINVAL, f"mmap length must be a positive int, not {length!r}")
        length = page_align(length)
        addr = self.get_unmapped_area(length, align)
        vma = MmVma(addr, addr + length, frozenset(flags), name)
        self._note("mmap_region", f"store the new VMA over [{vma.start:#x}, {vma.last:#x}] "
                   "(vma_iter_store()); the gaps above it are updated",
                   index=vma.start, last=vma.last)
        self.tree.store(vma.start, vma.last, vma)
        return vma

    def munmap(self, start, length):
        """munmap(start, length): split the VMAs cut by the range, then clear it.
        ``start`` must be page aligned (else -EINVAL); nothing mapped is fine."""
        if isinstance(start, bool) or not isinstance(start, int) or start < 0 \
                or start % PAGE_SIZE:
            raise MmapError(EINVAL, f"munmap start {start!r} is not a page-aligned address")
        if isinstance(length, bool) or not isinstance(length, int) or length <= 0:
            raise MmapError(EINVAL, f"munmap length must be a positive int, not {length!r}")
        length = page_align(length)
        end = start + length
        if end > self.task_size:
            raise MmapError(EINVAL, f"munmap [{start:#x}, {end:#x}) goes past TASK_SIZE")
        hit = [v for v in self.vmas() if v.start < end and v.end > start]
        if not hit:
            return
        first, last = hit[0], hit[-1]
        if first.start < start:          # __split_vma(vmi, vma, start, 1): new lower part
            low = MmVma(first.start, start, first.flags, first.name)
            self.tree.store(low.start, low.last, low)
        if last.end > end:               # __split_vma(vmi, next, end, 0): new upper part
            up = MmVma(end, last.end, last.flags, last.name)
            self.tree.store(up.start, up.last, up)
        self.tree.clear(start, end - 1)  # vma_iter_clear_gfp(vmi, start, end)


__all__ = ["Mm", "MmVma", "MmapError", "UnmappedAreaInfo", "UnmappedArea", "SearchRound",
           "estimate_mmap_base", "vm_start_gap", "vm_end_gap", "stack_guard_start_gap",
           "page_align", "PAGE_SIZE", "STACK_GUARD_GAP", "MMAP_MIN_ADDR", "TASK_SIZE",
           "ENOMEM", "EINVAL"]
