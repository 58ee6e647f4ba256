# SPDX-License-Identifier: GPL-2.0-or-later
"""The exercise checks and solutions of lessons 03 and 04 (mapletree_edu.lessons.l03/l04).

For every exercise: the placeholder answer is "Not yet", a correct answer is "Correct",
wrong answers are "Not yet" with a hint, and the printed solution, run after only the
notebook's cells above it (as a learner would paste it), ends with "Correct". The correct
answers are worked out by hand from the v6.8 rules (the comments say how), not copied
from the model's output.
"""

import contextlib
import io
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("ipywidgets")

from conftest import assert_correct, assert_not_yet, verdict  # noqa: E402

from mapletree_edu import ULONG_MAX  # noqa: E402
from mapletree_edu.lessons import l03, l04  # noqa: E402
from mapletree_edu.mm import PAGE_SIZE, STACK_GUARD_GAP  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"



# --- lesson 03 ---------------------------------------------------------------------------------
def good_loop(tree):
    met, cur = [], tree.cursor(0)
    while (vma := cur.find(ULONG_MAX)) is not None:
        met.append(vma)
        if vma.name == "":
            cur.pause()
            tree.clear(vma.start, vma.end - 1)
    return met


def loop_without_pause(tree):
    met, cur = [], tree.cursor(0)
    while (vma := cur.find(ULONG_MAX)) is not None:
        met.append(vma)
        if vma.name == "":
            tree.clear(vma.start, vma.end - 1)
    return met


def loop_without_writes(tree):
    return [e for _f, _l, e in tree.ranges()]


def test_l03_pause_loop(capsys):
    assert_correct(capsys, l03.check_pause_loop, good_loop)
    ok, out = verdict(capsys, l03.check_pause_loop, loop_without_pause)
    assert ok is False and "paused" in out
    for wrong in (None, loop_without_writes, lambda tree: None, lambda tree: 1 / 0):
        assert_not_yet(capsys, l03.check_pause_loop, wrong)


def test_l03_statuses(capsys):
    # small(): 1 [10,19], 2 [30,39], 3 [40,49]; the cursor starts at 35.
    # next(45) -> 3, active; next(45): nothing starts <= 45 -> overflow;
    # prev(15) from overflow walks to where it stands and returns 3 -> active;
    # prev(15) -> 2, prev(15) -> 1 (ends at 19 >= 15), both active;
    # prev(15): 1 starts at 10 <= 15, nothing lower -> underflow;
    # find(100) from underflow walks to index 10 and returns 1 -> active.
    want = ["active", "overflow", "active", "active", "active", "underflow", "active"]
    assert_correct(capsys, l03.check_statuses, want)
    assert_correct(capsys, l03.check_statuses, ["ma_" + w for w in want])
    for wrong in (None, want[:-1], ["active"] * 7, want[:5] + ["overflow", "active"],
                  ["active", "overflow", "active", "active", "active", "underflow", "sleep"]):
        assert_not_yet(capsys, l03.check_statuses, wrong)


def test_l03_find_vma(capsys):
    vmas = l03.process().vmas()
    by_label = {}
    for v in vmas:
        by_label.setdefault(v.label, v)
    # 0x1000 is below every VMA: the first VMA (cat r--); heap + 5 pages is in the heap;
    # 0x6000_0000_0000 lies in the hole above the heap: the next VMA up is the anonymous
    # mapping right below libc; libc's last byte is in libc rw-; above the stack: NULL
    want = [vmas[0], l03.HEAP, l03.ANON_BELOW_LIBC, l03.LIBC_RW, None]
    assert vmas[0].label == "cat r--"
    assert_correct(capsys, l03.check_find_vma, want)
    for wrong in (None, want[:-1], [vmas[0], l03.HEAP, None, l03.LIBC_RW, None],
                  [None] * 5, [vmas[0], l03.HEAP, l03.ANON_BELOW_LIBC, l03.LIBC_RW,
                               l03.STACK]):
        assert_not_yet(capsys, l03.check_find_vma, wrong)


def test_l03_rcu_dead(capsys):
    # exact fit: one slot pointer in place -> alive; NULL store that merges two slots:
    # node store into a new leaf -> dead; a boundary moved by one page: two-slot slot
    # store, still in place in RCU mode -> alive; a write in the other leaf -> alive
    want = [False, True, False, False]
    assert_correct(capsys, l03.check_rcu_dead, want)
    for wrong in (None, [True] * 4, [False] * 4, [False, True, True, False], [0, 1, 0, 0]):
        assert_not_yet(capsys, l03.check_rcu_dead, wrong)


def test_l03_tables_come_from_the_model():
    t = l03.small()
    rows = l03.surprises_table().rows
    assert rows[2][2] == "4, index = 0"          # mt_find wraps after an entry ending at MAX
    assert rows[1][2].startswith("2 with [30, 39]")   # find_range skips the NULL range
    assert l03.find_table(t, [20]).rows[0][3] == "40"
    assert l03.load_table(t, [25]).rows[0][1] == "NULL"


# --- lesson 04 ---------------------------------------------------------------------------------
def hand_layout():
    # ranges of 10 from 0, 15 apart, except a hole of 100 after range 3 and one of 40 after
    # range 26; the last range runs to EX1_MAX. Range 26 starts at 3*15 + 110 + 22*15 = 485,
    # ends at 494, so the 40-hole is [495, 534]: a 30-index request takes [505, 534].
    ranges, first = [], 0
    for i in range(30):
        ranges.append((first, first + 9))
        first += 10 + (100 if i == 3 else 40 if i == 26 else 5)
    ranges.append((first, l04.EX1_MAX))
    return ranges


def test_l04_layout(capsys):
    ranges = hand_layout()
    assert ranges[26] == (485, 494)
    assert_correct(capsys, l04.check_layout, (ranges, 30, (505, 534)))
    # the same layout, but a request only the 100-hole holds: the search takes the largest
    assert_not_yet(capsys, l04.check_layout, (ranges, 60, (64, 123)))
    # wrong prediction
    assert_not_yet(capsys, l04.check_layout, (ranges, 30, (495, 524)))
    # one leaf only
    assert_not_yet(capsys, l04.check_layout, ([(0, 9), (50, 59)], 5, (95, 99)))
    # holes left at the top: the largest, highest hole is taken
    assert_not_yet(capsys, l04.check_layout, (ranges[:-1], 30, (505, 534)))
    for wrong in (None, (ranges, 30), ([(5, 1)], 3, (0, 2)), (ranges, 0, (0, 0)),
                  ([(0, 10), (5, 20)], 3, (30, 32))):
        assert_not_yet(capsys, l04.check_layout, wrong)


def test_l04_guard(capsys):
    # the hole below the grows-down VMA is [top - 0x380000, top - 0x200000 - 1], exactly
    # GUARD_EX_LEN. The first search takes it whole; its guard gap starts at
    # top - 0x200000 - 1 MiB, inside the area, so high_limit drops there and only
    # 0x80000 of the hole is left: too small. The next hole down ends below the anonymous
    # VMA at top - 0x400000, which does not grow down: the area ends there.
    top = 0x7F00_0000_0000
    assert l04.GUARD_EX_LEN == 0x18_0000 and STACK_GUARD_GAP == 0x10_0000
    start = top - 0x40_0000 - l04.GUARD_EX_LEN
    assert_correct(capsys, l04.check_guard, start)
    ok, out = verdict(capsys, l04.check_guard, top - 0x20_0000 - l04.GUARD_EX_LEN)
    assert ok is False and "first search" in out
    for wrong in (None, hex(start), start + PAGE_SIZE, True,
                  top - 0x20_0000 - STACK_GUARD_GAP - l04.GUARD_EX_LEN):
        assert_not_yet(capsys, l04.check_guard, wrong)


def test_l04_align(capsys):
    # the highest hole below mmap_base holding 5 pages + 2 MiB - 1 ends at libc's
    # anonymous neighbour, 0x7f4b0a060000; 0x7f4b0a060000 - 5 pages rounded down to 2 MiB
    want = (0x7F4B_0A06_0000 - l04.ALIGN_LEN) & ~(l04.ALIGN - 1)
    assert want == 0x7F4B_0A00_0000
    assert_correct(capsys, l04.check_align, want)
    for wrong in (None, 0x7F4B_0A06_0000 - l04.ALIGN_LEN, want - l04.ALIGN, 1.5):
        assert_not_yet(capsys, l04.check_align, wrong)


def test_l04_wrap(capsys):
    # the only hole of 30 or more is [10, 49], in the leftmost leaf (it starts at 0):
    # max = ULONG_MAX never picks it; ULONG_MAX - 1 takes its top 30 [20, 49]; max 40
    # clips it to [10, 40], top 30 = [11, 40]; min 45 leaves only [45, 49]: too small
    want = [None, (20, 49), (11, 40), None]
    assert_correct(capsys, l04.check_wrap, want)
    assert_correct(capsys, l04.check_wrap, [None, [20, 49], [11, 40], None])
    for wrong in (None, [(20, 49)] * 4, [None] * 4, [None, (20, 49), (11, 40)],
                  [None, (30, 49), (21, 40), None]):
        assert_not_yet(capsys, l04.check_wrap, wrong)


def test_l04_edge_table_from_the_model():
    rows = l04.edge_table().rows
    assert rows[0][2] == "-EBUSY" and rows[1][2] == "[30, 49]"
    assert rows[2][2] == rows[3][2] == "-EBUSY"


# --- every solution runs in the notebook as shipped ----------------------------------------------
def solution_cases():
    for nb_name, module in (("03-finding-things.ipynb", "l03"),
                            ("04-finding-free-space.ipynb", "l04")):
        path = NOTEBOOKS / nb_name
        if not path.exists():
            continue
        nb = nbformat.read(path, as_version=4)
        for i, c in enumerate(nb.cells):
            if c.cell_type == "code" and f"{module}.solution(" in c.source:
                name = c.source.split('solution("')[1].split('"')[0]
                yield pytest.param(path, i, module, name, id=f"{nb_name[:2]}-{name}")


@pytest.mark.parametrize("path, upto, module, name", list(solution_cases()))
def test_solution_runs_after_the_cells_above_it(path, upto, module, name):
    nb = nbformat.read(path, as_version=4)
    ns = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for c in nb.cells[:upto]:
            if c.cell_type == "code":
                exec(compile(c.source, f"<{path.name} cell>", "exec"), ns)
        mod = ns[module]
        text = mod.solution(name)
        out.truncate(0)
        out.seek(0)
        exec(compile(text, f"<solution {name}>", "exec"), ns)
    printed = out.getvalue()
    assert "Correct: " in printed, printed
    assert ns.get("ok") is True
