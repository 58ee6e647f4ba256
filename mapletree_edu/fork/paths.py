# SPDX-License-Identifier: GPL-2.0-or-later
"""The two ways fork() has copied the mm's VMA tree: a bulk rebuild (before v6.8
``dup_mmap``) and ``__mt_dup`` plus a replace pass (v6.8 ``dup_mmap``).

Both functions take the parent as a :class:`~mapletree_edu.MapleTree` whose
entries are :class:`~mapletree_edu.fork.vma.Vma` objects (or as a list of VMAs,
from which :func:`~mapletree_edu.fork.vma.build_mm_tree` builds one) and return a
:class:`ForkResult`.

Ledger: the child shares the parent's :class:`~mapletree_edu.core.alloc.Allocator`
(as every tree of one kernel shares the ``maple_node`` cache) and the result
holds the *differences* of its counters over the fork; nothing of the parent's
own history is included.

Entries that are not Vma objects (for example the integers of the kernel's
``check_forking`` tree) are accepted: they carry no flags and are "copied" as
themselves, as a value entry is.
"""

from dataclasses import dataclass

from ..core.entries import XA_ZERO_ENTRY
from ..debug.walker import walk
from ..errors import InvalidArgumentError
from ..stats import CostCounter, Costs
from ..tree import MapleTree
from .vma import DONTCOPY, WIPEONFORK, build_mm_tree, dup_entry, entry_flags, is_dontcopy

PRE68 = "pre-6.8 bulk rebuild"
V68 = "v6.8 __mt_dup"


@dataclass
class ForkResult:
    """What one simulated fork did to the child's VMA tree.

    child
        The child's MapleTree (alloc tree; RCU on after a successful fork).
    method
        ``"pre-6.8 bulk rebuild"`` or ``"v6.8 __mt_dup"``.
    costs
        A :class:`~mapletree_edu.stats.Costs` over the whole fork: ``visits`` (nodes
        entered by write walks, range walks and the dup copy), ``nodes_copied``
        (nodes copied by ``__mt_dup``), ``splits``, ``pushes``, ``rebalances``,
        ``spanning_stores``, and the ledger differences ``allocs``, ``frees``,
        ``alloc_calls`` (see the stats module for each exact definition). With
        ``events=False`` only visits, nodes_copied and the ledger are counted; with
        ``events=None`` only the ledger. The ledger is measured as differences on the
        parent's allocator, which the child shares (``allocs``/``frees``/
        ``alloc_calls``/``live`` below read them).
    parent_vmas
        Entries in the parent's tree (its ``map_count``).
    copied
        VMAs whose copy was stored in the child (bulk store or exact-fit replace).
    skipped
        VM_DONTCOPY VMAs: never stored (pre-6.8) or NULL-stored over (v6.8).
    failed_at
        0-based index (address order, every parent VMA counted) of the VMA whose
        copy was made to fail, or None.
    torn_down
        After a failure: the VMAs the ``exit_mmap()`` walk would tear down (the
        child's entries before the XA_ZERO_ENTRY marker, or all of them when no marker
        was written); None after a success.
    failed_in
        Where the simulated v6.8 fork failed (one of :data:`FAILURES`), or None.
    marker_at
        0-based index of the parent VMA whose range holds the XA_ZERO_ENTRY marker,
        or None when no marker was written.
    map_count
        v6.8 only: the child's ``mm->map_count`` (VMAs stored in the child).
    """

    child: MapleTree
    method: str
    costs: Costs
    parent_vmas: int
    copied: int
    skipped: int
    failed_at: int = None
    torn_down: int = None
    failed_in: str = None
    marker_at: int = None
    map_count: int = None

    @property
    def allocs(self):
        """Node objects handed out during the fork."""
        return self.costs.allocs

    @property
    def frees(self):
        """Node objects returned during the fork."""
        return self.costs.frees

    @property
    def alloc_calls(self):
        """Allocator calls (single or bulk) during the fork."""
        return self.costs.alloc_calls

    @property
    def live(self):
        """allocs - frees over the fork: the nodes the fork left allocated (the child's
        node count, once a bulk load's unused preallocation is freed)."""
        return self.costs.allocs - self.costs.frees

    @property
    def ledger(self):
        return {"allocs": self.allocs, "frees": self.frees, "alloc_calls": self.alloc_calls,
                "live": self.live}


def _parent_tree(parent):
    if isinstance(parent, MapleTree):
        return parent
    return build_mm_tree(parent)


def _counter(events, allocator):
    if events is None:
        return None
    return CostCounter(events=events, allocator=allocator)


def _finish(counter, allocator, base):
    if counter is not None:
        return counter.costs()
    now = allocator.counters()
    return Costs(allocs=now["allocs"] - base["allocs"], frees=now["frees"] - base["frees"],
                 alloc_calls=now["alloc_calls"] - base["alloc_calls"])


def fork_pre68(parent, *, events=True):
    """The child's tree as ``dup_mmap()`` built it before v6.8: a bulk rebuild.

    1. A new empty alloc tree (``MM_MT_FLAGS``), then ``mt_clear_in_rcu``.
    2. ``vma_iter_bulk_alloc(map_count)``: ``mas_expected_entries`` with the parent's
       VMA count (bulk mode; preallocates the worst case).
    3. For every parent VMA in address order: VM_DONTCOPY ones are skipped, every other
       one is duplicated and stored with ``vma_iter_bulk_store`` (``mas_store`` over
       ``[vm_start, vm_end - 1]`` through the state that keeps its position).
    4. ``vma_iter_free`` = ``mas_destroy`` (bulk tail check, unused nodes freed), then
       ``mt_set_in_rcu``.
    """
    src = _parent_tree(parent)
    allocator = src.allocator
    base = allocator.counters()
    counter = _counter(events, allocator)
    child = MapleTree(alloc=True, rcu=True, allocator=allocator, tracer=counter)
    child.rcu = False
    vmas = list(src.ranges())
    copied = skipped = 0
    with child.bulk(len(vmas)) as b:
        for first, last, entry in vmas:
            if is_dontcopy(entry):
                skipped += 1
                continue
            b.store(first, last, dup_entry(entry))
            copied += 1
    child.rcu = True
    costs = _finish(counter, allocator, base)
    child.tracer = None
    return ForkResult(child=child, method=PRE68, costs=costs, parent_vmas=len(vmas),
                      copied=copied, skipped=skipped)


#: Where a simulated v6.8 ``dup_mmap()`` fails (``fork_v68(..., fail_in=...)``).
#: ``"dup_vma"``: before the VMA's store (``vm_area_dup``, ``vma_dup_policy``,
#: ``anon_vma_fork`` ... returning -ENOMEM, a fatal signal, or ``vma_iter_clear_gfp`` of a
#: VM_DONTCOPY VMA); ``"copy_page_range"``: after the store and ``map_count++``;
#: ``"arch_dup_mmap"``: after the loop.
FAILURES = ("dup_vma", "copy_page_range", "arch_dup_mmap")


def _check_failure(vmas, fail_at_vma, fail_in):
    if fail_in not in FAILURES:
        raise InvalidArgumentError(f"fail_in must be one of {', '.join(FAILURES)}, "
                                   f"not {fail_in!r}")
    if fail_in == "arch_dup_mmap":
        if fail_at_vma is not None:
            raise InvalidArgumentError("arch_dup_mmap() runs after the loop: give no "
                                       "fail_at_vma with fail_in='arch_dup_mmap'")
        return
    if fail_at_vma is None:
        return
    if isinstance(fail_at_vma, bool) or not isinstance(fail_at_vma, int) \
            or not 0 <= fail_at_vma < len(vmas):
        raise InvalidArgumentError(
            f"fail_at_vma must be a 0-based VMA index in [0, {len(vmas) - 1}], "
            f"not {fail_at_vma!r}")
    if fail_in == "copy_page_range":
        flags = entry_flags(vmas[fail_at_vma][2])
        if DONTCOPY in flags or WIPEONFORK in flags:
            raise InvalidArgumentError(
                f"VMA {fail_at_vma} is {'VM_DONTCOPY' if DONTCOPY in flags else 'VM_WIPEONFORK'}"
                ": dup_mmap() does not call copy_page_range() for it")


def fork_v68(parent, fail_at_vma=None, *, fail_in="dup_vma", events=True):
    """The child's tree as v6.8 ``dup_mmap()`` makes it: ``__mt_dup`` then a replace pass.

    1. ``__mt_dup`` of the parent's tree (``parent.dup()``), then ``mt_clear_in_rcu``.
    2. For every VMA of the copy in address order (its entries are still the parent's
       VMAs): VM_DONTCOPY -> ``vma_iter_clear_gfp`` (``clear(start, end - 1)``, a normal
       NULL store that may coalesce, rebalance or span); otherwise the duplicate is
       stored over exactly ``[start, end - 1]``: an exact-fit slot replacement, no
       allocation, no shape change, and ``map_count`` goes up by one. The store goes
       through the public API (``mtree_store_range``), which walks from the root for every
       VMA: ``visits`` therefore counts one root-to-leaf walk per VMA, where the kernel's
       VMA iterator resumes from the leaf it is on (:mod:`mapletree_edu.lab.replace` has
       that path); the ledger is the same.
    3. ``arch_dup_mmap()``, then ``mt_set_in_rcu`` on success.

    Failure (``fail_in``, see :data:`FAILURES`), as v6.8 ``dup_mmap()`` handles it:

    - ``"dup_vma"`` at VMA ``fail_at_vma=k`` (0-based, address order, DONTCOPY ones
      counted): the failure comes before VMA k is stored, so the marker goes on VMA k:
      its range is overwritten with ``XA_ZERO_ENTRY`` (``mas_store``, an exact fit).
    - ``"copy_page_range"`` at VMA k: VMA k's copy is already stored and counted in
      ``map_count``; ``dup_mmap()`` moves to the next VMA (``vma_next``) and puts the
      marker there. With no next VMA no marker is written.
    - ``"arch_dup_mmap"``: every VMA was copied; no marker is written.

    After a failure RCU mode stays off (the kernel only sets it on success) and
    :func:`exit_mmap` counts the VMAs its teardown walk would release (``torn_down``);
    it must equal ``map_count`` (``exit_mmap()``'s ``BUG_ON``). The child tree is returned
    as ``dup_mmap`` leaves it, before ``exit_mmap`` destroys it.
    """
    src = _parent_tree(parent)
    allocator = src.allocator
    vmas = list(src.ranges())
    _check_failure(vmas, fail_at_vma, fail_in)
    base = allocator.counters()
    counter = _counter(events, allocator)
    with src.tracing(counter):
        child = src.dup()
    child.rcu = False
    copied = skipped = 0
    marker_at = None
    failed = fail_in == "arch_dup_mmap"
    for k, (first, last, entry) in enumerate(vmas):
        if k == fail_at_vma and fail_in == "dup_vma":
            marker_at, failed = k, True
            break
        if is_dontcopy(entry):
            child.clear(first, last)
            skipped += 1
            continue
        child.store(first, last, dup_entry(entry))
        copied += 1
        if k == fail_at_vma:                       # copy_page_range() failed
            failed = True
            if k + 1 < len(vmas):                   # vma_next(): the next VMA in the copy
                marker_at = k + 1
            break
    if marker_at is not None:
        first, last, _entry = vmas[marker_at]
        child.store(first, last, XA_ZERO_ENTRY)
    torn_down = None
    if failed:
        torn_down = exit_mmap(child)
    else:
        child.rcu = True
    costs = _finish(counter, allocator, base)
    child.tracer = None
    return ForkResult(child=child, method=V68, costs=costs, parent_vmas=len(vmas),
                      copied=copied, skipped=skipped,
                      failed_at=fail_at_vma if failed else None, torn_down=torn_down,
                      failed_in=fail_in if failed else None, marker_at=marker_at,
                      map_count=copied)


def exit_mmap(tree, destroy=False):
    """The VMA walk of ``exit_mmap()``: count the entries up to an XA_ZERO_ENTRY.

    The walk starts at the first entry (``mas_find``, which does not hide the marker) and
    stops at the end of the tree or at the marker a failed ``dup_mmap`` left (the entries
    after it still belong to the parent and must not be released); a marker in the first
    entry means nothing is torn down (``exit_mmap()`` goes straight to destroying the
    tree). ``unmap_vmas()`` and ``free_pgtables()`` stop at the marker the same way.
    Returns the number of VMAs torn down; ``destroy=True`` then frees the tree's nodes
    (``__mt_destroy``).
    """
    count = 0
    for _first, _last, entry in tree.ranges():
        if entry is XA_ZERO_ENTRY:
            break
        count += 1
    if destroy:
        tree.destroy()
    return count


def tree_shape(tree):
    """Every node's layout in pre-order, entries included (compared with ==).

    A list of tuples (depth, type, min, max, end, pivots, gaps, gap offset, slots)
    where a leaf's slots are its entries and an internal node's slots are the
    pre-order numbers of its children: two trees with equal shapes are node-for-node
    copies. Works for any entries (a dump record needs integer ones).
    """
    root = tree.core.root
    visits = list(walk(root))
    number = {id(v.node): v.id for v in visits}
    out = []
    for v in visits:
        node = v.node
        ranges = v.ranges()
        if node.type < 2:
            slots = tuple(s for _i, _lo, _hi, s in ranges)
        else:
            slots = tuple(number[id(s)] for _i, _lo, _hi, s in ranges)
        gaps = tuple(node.gaps[:v.end + 1]) if node.type == 3 else ()
        out.append((v.depth, node.type, v.min, v.max, v.end,
                    tuple(hi for _i, _lo, hi, _s in ranges), gaps,
                    node.meta_gap if node.type == 3 else None, slots))
    return out


__all__ = ["ForkResult", "fork_pre68", "fork_v68", "exit_mmap", "tree_shape", "PRE68", "V68",
           "FAILURES"]
