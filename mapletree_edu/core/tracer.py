# SPDX-License-Identifier: GPL-2.0-or-later
"""The tracer protocol the core calls.

The core never imports what records or draws. It calls ``tracer.event()`` where
Linux v6.8 fires one of its trace points (``ma_op``, ``ma_read``, ``ma_write`` in
include/trace/events/maple_tree.h) and ``tracer.step()`` at the finer steps a
learner needs (``mab_calc_split``, ``mas_push_data``, ``mas_new_root``, ...).
Both are guarded by ``tracer.enabled`` so that a tree without a recorder pays
one attribute test per call site.
"""


class Tracer:
    """No-op tracer; subclasses record."""

    enabled = False
    counts_visits = False

    def visit(self, node, mas):
        """A walk entered node (called only when counts_visits is set)."""

    def event(self, ev, fn, mas, piv=0, **info):
        """A kernel trace point: ev is "op", "read" or "write"."""

    def step(self, fn, mas, **info):
        """A finer step with no kernel trace point."""


NULL_TRACER = Tracer()
