# SPDX-License-Identifier: GPL-2.0-or-later
"""The node ledger: a stand-in for the kernel's ``maple_node`` slab cache.

It counts what FORMAT.md counts: ``allocs`` (node objects handed out, one at a
time or in bulk), ``frees`` (node objects returned), ``live`` and ``alloc_calls``
(one per single-object or bulk allocator call). One allocator may be shared by
several trees, as the trees of one replay script share the kernel's cache.

``fail_at`` makes the allocator refuse the k-th node it is asked for from now on
(1-based); a bulk request that would include that node fails whole, as
``kmem_cache_alloc_bulk()`` does.
"""

from .constants import MAPLE_LEAF_64
from .node import Node


class Allocator:
    __slots__ = ("allocs", "frees", "alloc_calls", "fail_at", "_asked", "_serial")

    def __init__(self):
        self.allocs = 0
        self.frees = 0
        self.alloc_calls = 0
        self.fail_at = None
        self._asked = 0
        self._serial = 0

    @property
    def live(self):
        return self.allocs - self.frees

    def counters(self):
        return {"allocs": self.allocs, "frees": self.frees, "live": self.live,
                "alloc_calls": self.alloc_calls}

    def set_fail_at(self, k):
        """Fail the k-th node requested from now on (None: never fail)."""
        if k is not None and (not isinstance(k, int) or k < 1):
            raise ValueError(f"fail_at must be a positive integer or None, not {k!r}")
        self.fail_at = k
        self._asked = 0

    def _would_fail(self, n):
        if self.fail_at is None:
            return False
        return self._asked < self.fail_at <= self._asked + n

    def next_serial(self):
        """A fresh identity for a node handed out (again) by a pool."""
        self._serial += 1
        return self._serial

    def next_serials(self, n):
        """Fresh identities for n nodes, in order."""
        first = self._serial + 1
        self._serial += n
        return range(first, first + n)

    def _new(self):
        self._serial += 1
        return Node(MAPLE_LEAF_64, self._serial)

    def alloc_one(self, lazy=False):
        """mt_alloc_one(): one node, or None when the allocation fails.

        With lazy=True the node is an uninitialised shell (it has only its serial),
        for a state's pool, which initialises every field when the node is popped.
        """
        self.alloc_calls += 1
        if self._would_fail(1):
            self._asked += 1
            return None
        self._asked += 1
        self.allocs += 1
        if lazy:
            self._serial += 1
            return Node.shell(self._serial)
        return self._new()

    def alloc_bulk(self, n, lazy=False):
        """mt_alloc_bulk(): n nodes, or an empty list when the request fails.

        With lazy=True the nodes are counted but handed out as None placeholders,
        which the state's pool turns into nodes only when one is popped.
        """
        self.alloc_calls += 1
        if self._would_fail(n):
            self._asked += n
            return []
        self._asked += n
        self.allocs += n
        if lazy:
            return [None] * n
        return [self._new() for _ in range(n)]

    def free(self, count=1):
        """mt_free_one()/mt_free_bulk()/an RCU callback: count nodes returned."""
        self.frees += count
