# SPDX-License-Identifier: GPL-2.0-or-later
"""The fork cost lab: "O(n) or O(n log n)?" settled with measurements.

The review of "fork: Use __mt_dup() to duplicate maple tree in dup_mmap()" (LKML,
Oct 2023) argued about the complexity of the two ways ``dup_mmap()`` has copied a
process's VMA tree: the pre-6.8 bulk rebuild (``mas_expected_entries`` + one
``mas_store`` per VMA + ``mas_destroy``) and v6.8's ``__mt_dup`` + a replace pass.
This package holds the lab's measurement code; notebook 09 only calls it.

Modules, one idea each:

``data``       the published tables (forks per 10 s, the thread's normalised table,
               the bench_forking figures) and the package's copy of the CSV
``normalise``  forks/10 s -> VMAs/s with a multiplier; which multiplier Liam used
``fit``        least squares T(n) = a + b*n and what it says about VMAs/s
``replace``    v6.8's replace pass as the kernel iterates it (stores at the leaf)
``layouts``    where the holes are: a hole after every VMA, touching VMAs, real shapes
``sweep``      the model's sweep of both fork paths, per layout, with counters per VMA
``fill``       leaf and internal-node fill histograms; bulk split sizes
``nodecount``  Peng's (n-1)/15 argument vs real node counts; bulk preallocation
``benchfork``  the kernel's user-space bench_forking re-enacted in the model
``golden``     ledger deltas and layouts of golden op scripts (replay and fork paths)
``report``     tables and sentences computed from the published data
``verdicts``   the same for the model's sweep, layouts, node counts, fill, bench_forking
``summary``    the lab's conclusions, computed
``timing``     best-of-runs CPU time (also used by the scripts in bench/)
``table``      the small text/HTML table the lab prints
``plots``      matplotlib figures (imported lazily; the rest needs no matplotlib)

``lab`` does not import ``mapletree_edu.lessons``.

Nothing here needs numpy or matplotlib except ``plots``.
"""
