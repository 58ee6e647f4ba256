# SPDX-License-Identifier: GPL-2.0-or-later
"""CPU time of a piece of work: the best of several runs, as the lab and the bench
scripts measure it."""

import gc
import time


def timed(fn, repeat):
    """Best CPU time (``time.process_time``) of fn() over repeat runs, with the garbage
    collector off while timing (as ``timeit`` does); returns (seconds, last result)."""
    best = None
    result = None
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            t0 = time.process_time()
            result = fn()
            dt = time.process_time() - t0
        finally:
            gc.enable()
        best = dt if best is None else min(best, dt)
    return best, result
