# SPDX-License-Identifier: GPL-2.0-or-later
"""Exercise checks and solutions of lessons 06 (bulk insert), 07 (__mt_dup and fork) and
08 (a real process), and the structure of their notebook builders.

Every check is tried with a correct answer (it must print "Correct" and return True)
and with a wrong one (it must print "Not yet" and return False). The correct answers
come from the kernel reference (kernel-maple-v6.8.md: §3 bulk mode, §8 C/D/E), not from
the code under test.
"""

import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

from mapletree_edu.fork import build_mm_tree
from mapletree_edu.lessons import l06, l07, l08
from mapletree_edu.procmaps import read_sample

SRC = Path(__file__).resolve().parent.parent / "notebooks" / "src"
BUILDERS = {"06": "06_bulk_insert.py", "07": "07_mt_dup_and_fork.py",
            "08": "08_a_real_process.py"}
IGNORE = "# NBVAL_IGNORE_OUTPUT"


def _internal(tree):
    return l07.internal_count(tree)


# (module, check name, a correct answer, a wrong answer)
CASES = [
    # §3.1: 100 entries preallocate 20 nodes (alloc tree); with a hole after every VMA the
    # load builds 16 of them (4 freed), touching VMAs build 8 (12 freed).
    (l06, "check_least_waste", [(i * 0x10000, i * 0x10000 + 0x3fff) for i in range(100)],
     [(i * 0x10000, i * 0x10000 + 0xffff) for i in range(100)]),
    (l06, "check_least_waste", [(i * 0x10000, i * 0x10000 + 0x3fff) for i in range(100)],
     [(5, 3)] * 100),
    # Gap VMAs from 0x10000: NULL, then VMA/NULL pairs; the 8th store (i=7) makes 17 entries,
    # b_end 16, split 16 - 6 = 10 is NULL -> 9: leaves 10 / 7 (from 0 it is 11 / 7, §3).
    (l06, "check_first_split", [10, 7], [11, 7]),
    (l06, "check_first_split", [10, 7], ...),
    # The first left push of that load cuts at mt_slots - 2 = 14, a NULL slot, so
    # mab_no_null_split() moves it to 15: leaves 16 / 11 (from 0: 15 / 13).
    (l06, "check_push_left", [16, 11], [15, 13]),
    (l06, "check_push_left", (16, 11), 16),
    # Internal bulk split = b_end - mt_min_slots: a range_64 node of 17 keeps 11 on the left.
    (l06, "check_internal_split", 11, 10),
    (l06, "check_internal_split", 11, (7, 11)),
    # §3.3: an in-order bulk split leaves at least mt_min_slots (6) entries on the right and
    # later stores only add to it, so the smallest flagged last leaf is 6, never <= 4.
    (l06, "check_destroy_min", 6, 4),
    # forking_source(800), height 4; l06.internal_sizes in pre-order: root 2; first level-2
    # node 6, its level-3 nodes 9 9 9 9 9 9 leaves; second level-2 node 6, its level-3 nodes
    # 9 9 9 9 6 5 leaves. Visits: 1, 2, 3, 3+10=13, ..., 53, then 63 (after 53's 9 leaves),
    # 64, 74, 84, 94, 104, 104+7=111.
    (l07, "check_visit_numbers", [1, 2, 3, 13, 23, 33, 43, 53, 63, 64, 74, 84, 94, 104, 111],
     [1, 2, 12]),
    (l07, "check_visit_numbers", [1, 2, 3, 13, 23, 33, 43, 53, 63, 64, 74, 84, 94, 104, 111],
     None),
    # §4.2: one call for the root, one bulk call per internal node, none without a node.
    (l07, "check_dup_alloc_calls", lambda t: 1 + _internal(t) if t.node_count else 0,
     lambda t: 1 + _internal(t)),
    (l07, "check_dup_alloc_calls", lambda t: 1 + _internal(t) if t.node_count else 0, 4),
    # §4.3 with the §8 D tree: allocation groups 1, 2, 9, 8 in build order.
    (l07, "check_nodes_freed", lambda k: next((sum((1, 2, 9, 8)[:i]) for i in range(4)
                                               if k <= sum((1, 2, 9, 8)[:i + 1])), 0),
     lambda k: k - 1),
    # VMA 71 ([710, 715]) ends on the first internal node's max: clearing it alone moves the
    # boundary up to 725; clearing 71 and 72 makes the spanning rebuild cut at 705.
    (l07, "check_boundary_down", {71, 72}, {71}),
    (l07, "check_boundary_down", [70, 71, 72, 73], set(range(60, 135))),
    # §4.4 / §8 E: clearing every third VMA keeps height 3 (20 nodes); clearing VMAs 60..134
    # empties whole leaves and leaves 9 nodes under one root: height 2.
    (l07, "check_height_change", set(range(60, 135)), {2, 5, 8}),
    (l07, "check_height_change", list(range(60, 135)), [135]),
    # v6.8 dup_mmap(): copy_page_range() fails after VMA 17's store and map_count++: the
    # marker goes on VMA 18 (vma_next()); VMAs 3 and 4 are VM_DONTCOPY, cleared and not
    # counted, so exit_mmap() releases 18 - 2 = 16 VMAs.
    (l07, "check_marker", (18, 16), (17, 16)),
    (l07, "check_marker", (18, 16), (18, 18)),
    # fs/proc/task_mmu.c show_smap_vma_flags(): VM_DONTCOPY "dc", VM_WIPEONFORK "wf".
    (l08, "check_flag_codes", ("dc", "wf"), ("dc", "wr")),
    (l08, "check_flag_codes", ["dc", "wf"], ...),
    # The sample has 23 VMAs (procmaps doctest); EXERCISE_FLAGS marks 3 of them DONTCOPY and
    # 2 WIPEONFORK: 20 in the child.
    (l08, "check_child_vmas", 20, 18),
    # The sample's first leaf ends with VMA 11 (libc's data, [0x7f4b0a258000, 0x7f4b0a25a000)):
    # its NULL store ends on the leaf's max, a spanning store; VMA 3 sits inside a leaf.
    (l08, "check_spanning_dontcopy", {11}, {3}),
    (l08, "check_spanning_dontcopy", [11, 3], [99]),
    # synthetic_address_space(10): 31 VMAs -> 63 entries -> 5 leaves + 1 = 6, + 3 = 9
    # preallocated; the child keeps 5 nodes (4 leaves and a root): 4 freed.
    (l08, "check_bulk_frees", 4, 9),
]


@pytest.mark.parametrize("module, name, good, bad", CASES,
                         ids=[f"{m.__name__.rsplit('.', 1)[-1]}.{n}-{i}"
                              for i, (m, n, _g, _b) in enumerate(CASES)])
def test_check_right_and_wrong(module, name, good, bad, capsys):
    check = getattr(module, name)
    assert check(good) is True
    out = capsys.readouterr().out
    assert out.startswith("Correct: "), out
    assert check(bad) is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: "), out


@pytest.mark.parametrize("module, name, what", [
    (l07, "check_dup_alloc_calls", "your function raised ZeroDivisionError"),
    (l07, "check_nodes_freed", "nodes_freed(1) raised ZeroDivisionError"),
])
def test_check_reports_a_function_that_raises(module, name, what, capsys):
    """A learner's function that raises gets a "Not yet" naming the call and the error."""
    assert getattr(module, name)(lambda *args: 1 // 0) is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and what in out and "modulo by zero" in out, out


def test_every_check_is_tested():
    tested = {(m.__name__, n) for m, n, _g, _b in CASES}
    for module in (l06, l07, l08):
        for name in dir(module):
            if name.startswith("check_"):
                assert (module.__name__, name) in tested, f"{module.__name__}.{name} untested"


SOLUTION_NAMES = [(m, n) for m in (l06, l07, l08) for n in m.SOLUTIONS]


@pytest.mark.parametrize("module, name", SOLUTION_NAMES,
                         ids=[f"{m.__name__.rsplit('.', 1)[-1]}.{n}" for m, n in SOLUTION_NAMES])
def test_solution_runs_and_passes(module, name, capsys):
    text = module.solution(name)
    assert isinstance(text, str) and "check_" in text
    # a solution imports what it uses: it runs in an empty namespace
    exec(compile(text, f"<solution {name}>", "exec"), {})
    out = capsys.readouterr().out
    assert "Correct: " in out and "Not yet" not in out, out


@pytest.mark.parametrize("module", [l06, l07, l08])
def test_unknown_solution_names_the_exercises(module):
    with pytest.raises(KeyError) as err:
        module.solution("no such exercise")
    assert sorted(module.SOLUTIONS)[0] in str(err.value)


def test_each_lesson_has_three_or_more_exercises():
    for module in (l06, l07, l08):
        checks = [n for n in dir(module) if n.startswith("check_")]
        assert len(checks) >= 3
        assert {c[len("check_"):] for c in checks} == set(module.SOLUTIONS)


# --- helpers the notebooks rely on ------------------------------------------------------------

def test_bulk_watch_rows_follow_the_reference():
    # §8 C (gaps): i=8 -> 11 7 with REBALANCE set; i=13 -> 15 13, flag cleared.
    _t, rows = l06.bulk_load(l06.vmas(16), watch=True)
    by_store = {r[0]: r for r in rows}
    assert by_store[8][1:] == ([11, 7], "BULK|PREALLOC|REBALANCE")
    assert by_store[13][1:] == ([15, 13], "BULK|PREALLOC")
    assert rows[-1][0] == "destroy"


def test_destroy_sweep_never_rebalances():
    rows = l06.destroy_sweep(range(1, 60))
    assert len(rows) == 118
    assert any(r[2] for r in rows)            # the flag is often still set ...
    assert not any(r[4] for r in rows)        # ... but mas_destroy_rebalance never runs


def test_dontcopy_pass_matches_reference_e():
    src = l07.forking_source()
    copy = src.dup()
    events = l07.dontcopy_pass(copy, lambda e: e % 3 == 2)
    # §8 E: leaf sizes, 20 nodes, height 3, boundary 715 -> 735, first leaf contents.
    assert l06.leaf_sizes(copy) == [11, 10, 14, 8, 10, 14, 8, 10, 14, 8, 10, 14, 8, 10, 14,
                                    8, 9]
    assert (copy.node_count, copy.height) == (20, 3)
    assert [b[1] for b in l07.internal_bounds(src)][0] == 715
    assert [b[1] for b in l07.internal_bounds(copy)][0] == 735
    assert l07.leaf_text(copy, 0) == ("c0@5 -@9 c1@15 -@29 c3@35 -@39 c4@45 -@59 c6@65 -@69 "
                                      "c7@75")
    assert [e for e, _r, what, _s in events if "parent pivot moved" in what] == [71]


def test_failed_dup_frees_everything_and_keeps_the_source():
    src = l07.forking_source()
    r = l07.failed_dup(src, 5)
    assert r["error"] and "-ENOMEM" in r["error"]
    assert r["freed"] == 3 and r["ledger"]["allocs"] == r["ledger"]["frees"] == 3
    assert r["source unchanged"]
    assert src.allocator.fail_at is None


def test_tree_checks_and_fork_table_on_the_sample():
    sample = read_sample()
    tree = build_mm_tree(sample)
    assert l08.tree_checks(tree, sample) == {"ranges == VMA list": True,
                                             "entries are the VMAs": True, "validate()": []}
    pre, v68 = l08.fork_both(build_mm_tree(l08.with_flags(sample)))
    assert l08.child_vmas(pre) == l08.child_vmas(v68)
    assert len(l08.child_vmas(v68)) == len(sample) - 1
    text = l08.fork_table(tree, (pre, v68)).text()
    assert "pre-6.8" in text and "__mt_dup" in text


def test_node_reads_count_the_kernels_iterator_path():
    from mapletree_edu.lab.replace import fork_v68_iter, iterator_moves
    parent = build_mm_tree(l08.synthetic_address_space(100))
    pre, v68 = l08.fork_both(parent)
    child, costs, _s = fork_v68_iter(parent)
    assert l08.node_reads(parent, v68) == costs.visits + iterator_moves(child)
    # one leaf per exact-fit store and every node copied once, not a walk from the root
    assert l08.node_reads(parent, v68) < v68.costs.visits + iterator_moves(child)
    assert l08.node_reads(parent, pre) == pre.costs.visits + iterator_moves(parent)
    # a VM_DONTCOPY VMA is cleared through the iterator's state and counted the same way
    marked = build_mm_tree(l08.with_flags(read_sample()))
    counts = {}
    _child, costs, _s = fork_v68_iter(marked, counts=counts)
    marked_v68 = l08.fork_both(marked)[1]
    assert counts["cleared"] == 1
    assert l08.node_reads(marked, marked_v68) == costs.visits + counts["iter_reads"]
    assert l08.node_reads(marked, marked_v68) < marked_v68.costs.visits + \
        iterator_moves(marked_v68.child)
    assert "-" not in l08.fork_table(marked, l08.fork_both(marked)).rows[1]


def test_usable_holes_are_inside_mmap_min_addr_and_task_size():
    tree = build_mm_tree(read_sample())
    first, last = l08.largest_usable_hole(tree)
    assert l08.MMAP_MIN_ADDR_DEFAULT <= first <= last < l08.TASK_SIZE_X86_64
    # the tree's largest gap is the range above the stack, running to ULONG_MAX
    holes = [(f, la) for f, la, e in tree.ranges(include_null=True) if e is None]
    biggest = max(holes, key=lambda h: h[1] - h[0])
    assert biggest[1] == (1 << 64) - 1 and biggest != (first, last)
    assert "mmap() may use" in l08.holes_table(tree).text()


def test_failure_table_rows():
    rows = l07.failure_table(l07.failing_parent()).rows
    assert [r[3] for r in rows] == ["10", "11", "none", "none"]
    assert [r[2] for r in rows] == [r[4] for r in rows]     # map_count == torn down


def test_show_steps_keeps_the_answer_closed():
    from mapletree_edu.lessons.common import Table, show_steps
    box = show_steps(Table(["split"], [[10]]), "leaves [11, 6]", label="Show the steps")
    assert box.selected_index is None                      # closed until opened
    html = box.children[0].value
    assert "<table>" in html and "leaves [11, 6]" in html
    plain = box._repr_mimebundle_()["text/plain"]
    assert "Show the steps" in plain and "11" not in plain  # nothing of the answer


# --- the notebook builders --------------------------------------------------------------------

def _notebook(number):
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    path = SRC / BUILDERS[number]
    spec = importlib.util.spec_from_file_location(f"test_nb_src_{number}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    nb = module.notebook()
    nbformat.validate(nb)
    return nb


@pytest.mark.parametrize("number", sorted(BUILDERS))
def test_builder_makes_a_lesson(number):
    nb = _notebook(number)
    text = "\n".join(c.source for c in nb.cells)
    for heading in ("## At a glance", "*Time:*", "### Vocabulary", "## Summary",
                    "## Kernel functions explained", "## Resources", "## What's next"):
        assert heading in text, heading
    assert nb.cells[0].source.startswith("# ")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") for c in code)
    assert sum(f"l{number}.check_" in c.source for c in code) >= 3
    assert sum(f'l{number}.solution("' in c.source for c in code) >= 3
    # nothing for the tests in view: no nbval comments, no player_state, no assert, no
    # hidden cell (the builder's checks are kept out of the cells)
    for c in code:
        assert IGNORE not in c.source and "player_state" not in c.source
        assert "jupyter" not in c.metadata and "nbval-check" not in c.metadata.get("tags", [])
        assert not any(line.lstrip().startswith("assert ")
                       for line in c.source.splitlines()), c.source
    # every player comes with a "predict, then step" question before it, starts at step
    # 0, and the answer (a step table or a printed result) comes after it
    players = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
               and any(t in c.source for t in ("Player(", "SideBySide(", "SideBySide.dup("))]
    assert players
    for i in players:
        before = [c.source for c in nb.cells[:i] if c.cell_type == "markdown"]
        assert before and "**Predict, then step.**" in before[-1]
        prompt = max(k for k in range(i) if nb.cells[k].cell_type == "markdown"
                     and "**Predict, then step.**" in nb.cells[k].source)
        between = [c.source for c in nb.cells[prompt + 1:i] if c.cell_type == "code"]
        assert not any("step_table" in s or "print(" in s for s in between), between
        assert "start=" not in nb.cells[i].source or "start=0" in nb.cells[i].source
    # the allocator-call question is asked in lesson 07 only
    asks_calls = any("dup_calls" in c.source for c in code)
    assert asks_calls == (number == "07")
