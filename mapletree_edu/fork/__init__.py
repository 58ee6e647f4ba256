# SPDX-License-Identifier: GPL-2.0-or-later
"""The fork cost lab: VMAs, the mm's VMA tree and the two ways fork() copies it.

>>> from mapletree_edu.fork import synthetic_address_space, build_mm_tree, fork_v68
>>> parent = build_mm_tree(synthetic_address_space(100))
>>> r = fork_v68(parent)
>>> r.copied, r.allocs == parent.node_count, r.frees
(121, True, 0)
"""

from .paths import (
    FAILURES,
    PRE68,
    V68,
    ForkResult,
    exit_mmap,
    fork_pre68,
    fork_v68,
    tree_shape,
)
from .vma import (
    DONTCOPY,
    PAGE_SIZE,
    SMALL_PROCESS,
    WIPEONFORK,
    Vma,
    as_vma,
    build_mm_tree,
    dup_entry,
    is_dontcopy,
    synthetic_address_space,
)

__all__ = ["Vma", "as_vma", "build_mm_tree", "synthetic_address_space", "ForkResult",
           "fork_pre68", "fork_v68", "exit_mmap", "tree_shape", "DONTCOPY", "WIPEONFORK",
           "PAGE_SIZE", "SMALL_PROCESS", "PRE68", "V68", "FAILURES", "dup_entry",
           "is_dontcopy"]
