# SPDX-License-Identifier: GPL-2.0-or-later
"""The lessons' exercises: checks and solutions for each notebook (``lNN``) and the
helpers the notebooks share (``common``).

Each ``lNN`` module has ``check_<exercise>(answer)`` functions that print
"Correct: ..." or "Not yet: ..." and return a bool, and ``solution(name)`` that returns
the source text of a solution (the notebooks print it).
"""
