# SPDX-License-Identifier: GPL-2.0-or-later
"""The fork cost lab's conclusions, computed from the published tables and the model's
counters (the model's CPU time never enters them)."""

from . import report, verdicts


def conclusions(bench, by_layout, reals, vmas=51221, lo=121):
    """The lab's conclusions as a list of sentences, each computed from the data."""
    return [
        report.bend_sentence(bench),
        report.fixed_cost_sentence(bench),
        report.dip_sentence(bench),
        verdicts.touch_sentence(by_layout, vmas),
        verdicts.linearity_sentence(by_layout, lo, vmas),
        verdicts.waste_sentence(by_layout, vmas, reals),
    ]


__all__ = ["conclusions"]
