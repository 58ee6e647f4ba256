# SPDX-License-Identifier: GPL-2.0-or-later
"""Address-space layouts for the fork cost lab: where the holes are.

The VMA tree stores the holes between VMAs as NULL ranges, and the ranges below the first
VMA (which is at least mmap_min_addr) and above the last one, so a process of n VMAs has
between n + 2 and 2n + 1 entries: n + 2 when every VMA touches the next, 2n + 1 when a
hole follows every VMA. ``mas_expected_entries()`` sizes its preallocation for the
second, worst case. Which case a process is in decides how much of that preallocation
the pre-6.8 fork leaves unused, so the lab runs every sweep on three layouts:

``holes``     :func:`~mapletree_edu.fork.synthetic_address_space`: a small process's 21
              VMAs plus one-page VMAs with a one-page hole after each (the worst case
              the preallocation is sized for)
``touching``  n one-page VMAs, each touching the next; their protections alternate
              (read-only, read-write) so that the kernel would not merge them
``real``      the shape of a real process (:data:`REAL_SHAPE`, a ``/proc/<pid>/maps``
              of this package's data directory) repeated until there are n VMAs:
              every VMA keeps its size and whether a hole follows it

The tree's shape depends only on the order of VMAs and holes, not on the addresses,
so the tiled real shape caps every size and hole at :data:`CAP` to stay inside a
64-bit address space.

:func:`real_process` reads the real maps files themselves (their origin is in
``mapletree_edu/data/ORIGIN.md``).
"""

from ..fork import PAGE_SIZE, Vma, synthetic_address_space
from ..procmaps import parse_maps
from .data import BASE_VMAS, DATA_DIR

LAYOUTS = ("holes", "touching", "real")
LAYOUT_NAMES = {"holes": "a hole after every VMA added",
                "touching": "touching VMAs",
                "real": "real shape (chromium, tiled)"}
#: Real processes captured as ``/proc/<pid>/maps`` (``mapletree_edu/data/NAME.maps``).
REAL_MAPS = ("cat", "python-jupyter", "chromium-renderer", "chromium-browser")
#: The real process whose shape the ``real`` layout repeats.
REAL_SHAPE = "chromium-browser"
#: Largest VMA or hole the tiled real shape keeps (64 MiB).
CAP = 64 << 20
#: Where the touching and tiled layouts start (above mmap_min_addr's usual 64 KiB).
BASE = 0x10000
_RO = ("rd", "mr", "mw", "me")
_RW = ("rd", "wr", "mr", "mw", "me", "ac")


def real_process(name):
    """The VMAs of one committed real process (``name`` from :data:`REAL_MAPS`)."""
    if name not in REAL_MAPS:
        raise ValueError(f"no real process called {name!r}; there are: "
                         f"{', '.join(REAL_MAPS)}")
    return parse_maps((DATA_DIR / f"{name}.maps").read_text(encoding="utf-8"))


def _check(n, least=1):
    if isinstance(n, bool) or not isinstance(n, int) or n < least:
        raise ValueError(f"a layout needs a whole number of VMAs >= {least}, not {n!r}")


def touching(n):
    """n one-page VMAs, each touching the next (no hole between them)."""
    _check(n)
    return [Vma(BASE + i * PAGE_SIZE, BASE + (i + 1) * PAGE_SIZE, _RO if i % 2 else _RW)
            for i in range(n)]


def shape(vmas):
    """[(size, hole after)] of VMAs in address order; the last one is followed by a
    hole (the rest of the address space)."""
    out = []
    for k, v in enumerate(vmas):
        nxt = vmas[k + 1].start if k + 1 < len(vmas) else None
        out.append((v.end - v.start, 0 if nxt is None else nxt - v.end))
    if out:
        out[-1] = (out[-1][0], PAGE_SIZE)
    return out


def tiled(pattern_vmas, n):
    """n VMAs repeating the sizes and holes of ``pattern_vmas`` (each capped at
    :data:`CAP`), from :data:`BASE` upwards."""
    _check(n)
    pattern = [(min(size, CAP), min(hole, CAP)) for size, hole in shape(pattern_vmas)]
    if not pattern:
        raise ValueError("the pattern has no VMAs")
    out = []
    addr = BASE
    for i in range(n):
        size, hole = pattern[i % len(pattern)]
        v = pattern_vmas[i % len(pattern_vmas)]
        out.append(Vma(addr, addr + size, v.flags, v.name))
        addr += size + hole
    return out


def make(layout, n):
    """The n VMAs of ``layout`` ("holes", "touching" or "real")."""
    if layout == "holes":
        _check(n, BASE_VMAS)
        return synthetic_address_space(n - BASE_VMAS)
    if layout == "touching":
        return touching(n)
    if layout == "real":
        return tiled(real_process(REAL_SHAPE), n)
    raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")


def holes_after(vmas):
    """How many VMAs have a hole right after them (the last one counts: the rest of
    the address space follows it)."""
    vmas = sorted(vmas, key=lambda v: v.start)
    inner = sum(1 for a, b in zip(vmas, vmas[1:], strict=False) if b.start > a.end)
    return inner + (1 if vmas else 0)


def entries(vmas):
    """Entries of the VMA tree: the VMAs, a NULL range for every hole between them,
    before the first (if it does not start at 0) and after the last."""
    vmas = sorted(vmas, key=lambda v: v.start)
    if not vmas:
        return 1
    return len(vmas) + holes_after(vmas) + (1 if vmas[0].start > 0 else 0)


__all__ = ["LAYOUTS", "LAYOUT_NAMES", "REAL_MAPS", "REAL_SHAPE", "CAP", "real_process",
           "touching", "shape", "tiled", "make", "holes_after", "entries"]
