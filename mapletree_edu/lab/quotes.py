# SPDX-License-Identifier: GPL-2.0-or-later
"""Quotes from the review thread of "[PATCH v3 9/9] fork: Use __mt_dup() to duplicate
maple tree in dup_mmap()" (LKML, Sep/Oct 2023), word for word.

The thread as archived is kept in ``mapletree_edu/data/lkml-mt-dup-review-thread.txt``
(see ``ORIGIN.md`` there); ``tests/test_lab.py`` checks that every quote below appears
in it (line breaks and the ``>`` quoting marks of the mail aside), and that notebook 09
quotes each of them as given here.
"""

#: (who, text) in the order the notebook uses them.
QUOTES = {
    "peng_claim": ("Peng Zhang",
                   "The average time complexity of duplicating VMAs is reduced from "
                   "O(n * log(n)) to O(n)."),
    "liam_nlogn": ("Liam R. Howlett",
                   "I would think your new algorithm is n * log(n/16), while the previous "
                   "was n * log(n/16) * f(n).  Where f(n) would be something to do with "
                   "the decision to split/rebalance in bulk insert mode."),
    "liam_bound": ("Liam R. Howlett",
                   "At worst there is some n + n/16 * log(n) going on there."),
    "liam_constant": ("Liam R. Howlett",
                      "I would think each VMA requires the same amount of work, so a "
                      "constant."),
    "peng_other_work": ("Peng Zhang",
                        "It may not be well reflected in the benchmarking of fork() because "
                        "all the aforementioned time complexity analysis is related to the "
                        "part involving the maple tree, specifically the time complexity of "
                        "constructing a new maple tree. However, fork() also includes many "
                        "other behaviors."),
    "peng_fixed_cost": ("Peng Zhang",
                        "Please note that besides constructing a new maple tree, there are "
                        "many other operations in fork(). As the number of VMAs increases, "
                        "the number of fork() calls decreases. Therefore, the overall cost "
                        "spent on other operations becomes smaller, while the cost spent on "
                        "duplicating VMAs increases. That's why this data grows with the "
                        "increase of VMAs. I speculate that if the number of VMAs is large "
                        "enough to neglect the time spent on other operations in fork(), "
                        "this data will approach a constant value."),
    "liam_53": ("Liam R. Howlett",
                "If it were the other parts of fork() causing the non-linear growth, then "
                "I would expect 800 -> 1600 to increase to +53% instead of +46%, and if we "
                "were hitting the limit of fork affecting the data, then I would expect "
                "the delta of VMAs/second to not be so high at the upper 6421 - both "
                "algorithms have more room to get more performance at least until 6421 "
                "VMAs/fork."),
    "peng_userspace": ("Peng Zhang",
                       "If we want to achieve the expected curve, I think we should simulate "
                       "the process of constructing the maple tree in user space to avoid "
                       "the impact of other operations in fork(), just like in the current "
                       "bench_forking()."),
    "peng_spawn": ("Peng Zhang",
                   "There is a \"spawn\" in byte-unixbench[1], which can be used to test the "
                   "performance of fork(). I modified it slightly to make it work with "
                   "different number of VMAs."),
    "liam_not_full": ("Liam R. Howlett",
                      "They are not full, the right node has enough entries to have a "
                      "sufficient node, so the left node will have that many spaces for "
                      "push."),
}


def text(name):
    """The words of quote ``name``."""
    return QUOTES[name][1]


def blockquote(name):
    """Quote ``name`` as a markdown block quote with its author."""
    who, words = QUOTES[name]
    return f"> {words}\n>\n> — {who}, in the review thread"


def normalised(s):
    """``s`` with mail quoting marks and line breaks removed and runs of spaces kept
    as one space (how the archived thread and a quote are compared)."""
    lines = []
    for line in s.splitlines():
        stripped = line.lstrip()
        while stripped.startswith(">"):
            stripped = stripped[1:].lstrip()
        lines.append(stripped)
    return " ".join(" ".join(lines).split())


__all__ = ["QUOTES", "text", "blockquote", "normalised"]
