# SPDX-License-Identifier: GPL-2.0-or-later
"""The timing helper the bench scripts share."""

import gc
import time


def timed(fn, repeat):
    """Best CPU time of fn() over repeat runs, gc off while timing; returns (t, result)."""
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
