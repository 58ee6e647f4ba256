# SPDX-License-Identifier: GPL-2.0-or-later
"""The model of lib/maple_tree.c (Linux v6.8): nodes, states, walks and write paths.

Nothing here imports a view library; the only link to recording is the tracer
protocol in :mod:`mapletree_edu.core.tracer`.
"""

from .alloc import Allocator
from .constants import ULONG_MAX
from .entries import XA_ZERO_ENTRY, InternalEntry
from .state import MaState, Tree
from .tracer import NULL_TRACER, Tracer

__all__ = ["Allocator", "MaState", "Tree", "Tracer", "NULL_TRACER", "ULONG_MAX",
           "XA_ZERO_ENTRY", "InternalEntry"]
