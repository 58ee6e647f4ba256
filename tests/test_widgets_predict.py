# SPDX-License-Identifier: GPL-2.0-or-later
"""PredictPlayer: questions at mab_calc_split and mas_push_data, asked before the step
is revealed, answered through the choice buttons."""

import pytest

pytest.importorskip("ipywidgets")

from mapletree_edu import MapleTree  # noqa: E402
from mapletree_edu.trace import record  # noqa: E402
from mapletree_edu.widgets import PredictPlayer  # noqa: E402
from mapletree_edu.widgets.predict import question_for, split_choices  # noqa: E402


def split_steps():
    t = MapleTree()
    for i in range(15):
        t.store(i * 10 + 10, i * 10 + 15, i + 1)
    with record(t, "store 160-165") as rec:
        t.store(160, 165, 99)
    return rec.steps


def pushed_steps():
    """Fill two leaves, then grow the left one until mas_split pushes into a sibling."""
    t = MapleTree()
    for i in range(40):
        t.store(i * 10 + 10, i * 10 + 15, i + 1)
    for k in range(200):
        with record(t, "store") as rec:
            t.store(1000 + k * 3, 1000 + k * 3 + 1, k)
        if any(s.fn == "mas_push_data" and s.details.get("pushed") for s in rec.steps):
            return rec.steps
    pytest.fail("no push happened")


def decision_indices(steps):
    out = []
    for i, s in enumerate(steps):
        if s.fn == "mab_calc_split":
            out.append(i)
        elif s.fn == "mas_push_data" and (i == 0 or steps[i - 1].fn != "mas_push_data"):
            out.append(i)
    return out


def click(p, label):
    b = next(b for b in p.choice_box.children if b.description == label)
    b.click()


def test_questions_sit_at_the_decisions():
    steps = split_steps()
    p = PredictPlayer(steps)
    assert sorted(p.questions) == decision_indices(steps) and p.questions
    for i, (_q, choices, answer, reason) in p.questions.items():
        assert answer in choices and reason
        if steps[i].fn == "mab_calc_split":
            assert reason == steps[i].why
            assert answer == str(steps[i].details["split"])
            assert all(0 < int(c) < steps[i].details["b_end"] for c in choices)
        else:
            assert choices == ["push left", "push right", "split"]


def test_forward_stops_before_the_decision_and_reveals_after_an_answer():
    steps = split_steps()
    p = PredictPlayer(steps)
    first_q = min(p.questions)
    for _ in range(first_q + 3):
        p.transport.fwd_btn.click()
    st = p.state()
    assert st["index"] == first_q - 1 and st["pending"] == first_q
    assert st["choices"] and st["question"]
    _q, _choices, answer, _reason = p.questions[first_q]
    click(p, answer)
    st = p.state()
    assert st["index"] == first_q and st["pending"] is None
    assert 'data-ok="1"' in st["feedback"] and "Right" in st["feedback"]
    assert st["score"] == (1, 1)


def test_a_wrong_answer_is_told_with_the_reason():
    steps = split_steps()
    p = PredictPlayer(steps)
    k = next(i for i in p.questions if steps[i].fn == "mab_calc_split")
    p.transport.last_btn.click()                 # stops at the first open question
    while p.pending != k:
        q = p.questions[p.pending]
        click(p, q[2])
        p.transport.last_btn.click()
    _q, choices, answer, reason = p.questions[k]
    wrong = next(c for c in choices if c != answer)
    click(p, wrong)
    st = p.state()
    assert st["index"] == k and 'data-ok="0"' in st["feedback"]
    assert f"<b>{answer}</b>" in st["feedback"] and reason.split(",")[0] in st["feedback"]
    right, asked = st["score"]
    assert asked == right + 1


def test_slider_jump_past_a_decision_is_held_back_and_going_back_is_free():
    steps = split_steps()
    p = PredictPlayer(steps)
    first_q = min(p.questions)
    p.transport.slider.value = len(steps) - 1    # try to jump to the end
    assert p.value == first_q - 1 and p.pending == first_q
    p.transport.first_btn.click()
    assert p.value == 0 and p.pending is None and p.choice_box.children == ()
    p.transport.slider.value = first_q - 1        # the step before the question
    assert p.value == first_q - 1 and p.pending is None


def test_push_question_answer_matches_the_recorded_push():
    steps = pushed_steps()
    i = next(i for i in decision_indices(steps) if steps[i].fn == "mas_push_data")
    _q, _choices, answer, reason = question_for(steps, i)
    run = []
    j = i
    while j < len(steps) and steps[j].fn == "mas_push_data":
        run.append(steps[j])
        j += 1
    pushed = [s for s in run if s.details.get("pushed")]
    assert pushed and answer == f"push {pushed[0].details['side']}"
    assert reason == pushed[0].why


@pytest.mark.parametrize("b_end,split", [(16, 9), (16, 15), (9, 4), (31, 10), (2, 1)])
def test_split_choices_contain_the_answer_and_stay_inside(b_end, split):
    c = split_choices(b_end, split)
    assert split in c and len(c) == len(set(c)) and len(c) <= 7
    assert all(1 <= v <= max(b_end - 1, 1) for v in c)
    assert c == sorted(c) and len(c) >= min(3, b_end - 1)


def test_split_choices_do_not_centre_on_the_answer():
    """The answer's place in the row varies: a row always centred on it gives it away."""
    places = {}
    centred = total = 0
    for b_end in range(8, 34):
        for split in range(1, b_end):
            c = split_choices(b_end, split)
            assert split in c and c == list(range(c[0], c[0] + len(c)))
            i = c.index(split)
            places.setdefault(len(c), set()).add(i)
            total += 1
            centred += i == (len(c) - 1) // 2 or i == len(c) // 2
    assert places[7] == set(range(7)), places
    assert centred < total / 3, f"{centred} of {total} rows centred on the answer"
    # the median of the choices is not a reliable guess for the usual b_end/2 splits
    at_median = sum(split_choices(b, b // 2)[3] == b // 2 for b in range(8, 34))
    assert at_median < 26 / 2
