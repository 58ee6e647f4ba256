# SPDX-License-Identifier: GPL-2.0-or-later
"""PredictPlayer: "predict the next step" at the steps where the kernel decides.

Two decisions are asked before they are shown:

- ``mab_calc_split``: where does the split point fall? The choices are a row of
  consecutive offsets in the big node that holds the real answer at a position that
  varies from step to step (never simply the middle of the row), generated from the
  step's ``b_end`` and ``split``.
- ``mas_push_data`` (the first of a run of push attempts): will ``mas_split`` push data
  into the left sibling, the right sibling, or split the node? The answer comes from
  the run's ``side`` and ``pushed`` details.

Moving forward onto (or past) such a step stops on the step before it and shows the
question; after an answer the step is revealed with "right" or "not quite" and the
step's reason. Going back, first, and re-answering are always allowed.
"""

import html

import ipywidgets as widgets

from .player import Player

PUSH_CHOICES = ("push left", "push right", "split")


def split_choices(b_end, split, limit=7):
    """Candidate split offsets: ``limit`` consecutive offsets within 1..b_end - 1 that
    contain the real split. Where the answer sits in the row is worked out from
    (b_end, split) by a fixed scramble, so the answer is not always the middle choice
    (a row centred on it would give it away) and the same step always gets the same
    choices."""
    lo_bound, hi_bound = 1, max(b_end - 1, 1)
    split = min(max(split, lo_bound), hi_bound)
    k = min(limit, hi_bound - lo_bound + 1)
    # the answer's position in the row: 0..k-1, spread by a small multiplicative hash
    pos = (b_end * 7 + split * 5 + 3) % k
    start = split - pos
    start = max(lo_bound, min(start, hi_bound - k + 1))
    return list(range(start, start + k))


def push_run(steps, i):
    """The run of consecutive mas_push_data steps starting at i."""
    run = []
    while i < len(steps) and steps[i].fn == "mas_push_data":
        run.append(steps[i])
        i += 1
    return run


def question_for(steps, i):
    """(question, choices, answer, reason) at step i, or None when no decision is made."""
    s = steps[i]
    d = s.details
    if s.fn == "mab_calc_split" and "split" in d and "b_end" in d:
        mode = d.get("mode", "normal")
        choices = [str(c) for c in split_choices(d["b_end"], d["split"])]
        q = (f"mab_calc_split ({mode} mode): the big node holds offsets 0..{d['b_end']}. "
             f"Where does the split point fall (the last offset of the left node)?")
        return q, choices, str(d["split"]), s.why
    if s.fn == "mas_push_data" and (i == 0 or steps[i - 1].fn != "mas_push_data"):
        run = push_run(steps, i)
        done = next((r for r in run if r.details.get("pushed")), None)
        answer = f"push {done.details.get('side')}" if done else "split"
        reason = (done or run[-1]).why
        if done is None and len(run) > 1:
            reason = "; ".join(r.why for r in run if r.why)
        q = ("mas_split is about to split this node. Will the data be pushed into a "
             "sibling, or will the node split?")
        return q, list(PUSH_CHOICES), answer, reason
    return None


class PredictPlayer(Player):
    """A :class:`Player` that asks the learner to predict each decision before showing it.

    ``answers`` maps step index -> (choice, correct) for what was answered; ``score``
    is (right, asked).
    """

    def __init__(self, steps, title=None, **kwargs):
        steps = list(steps)
        self.questions = {i: q for i in range(len(steps))
                          if (q := question_for(steps, i)) is not None}
        self.answers = {}
        self.pending = None
        self.question = widgets.HTML()
        self.question.add_class("mt-question")
        self.choice_box = widgets.HBox([], layout=widgets.Layout(flex_flow="row wrap"))
        self.feedback = widgets.HTML()
        self.feedback.add_class("mt-feedback")
        kwargs.setdefault("play", False)
        super().__init__(steps, title, **kwargs)
        self.transport.guard = self._guard
        self.extra.children = [self.question, self.choice_box, self.feedback]
        self.add_class("mt-predict")

    @property
    def score(self):
        return (sum(1 for _c, ok in self.answers.values() if ok), len(self.answers))

    def _guard(self, old, new):
        """Stop before the first unanswered decision between old (exclusive) and new."""
        if new <= old:
            return new
        for i in range(old + 1, new + 1):
            if i in self.questions and i not in self.answers:
                self._ask(i)
                return i - 1
        return new

    def _ask(self, i):
        q, choices, _answer, _reason = self.questions[i]
        self.pending = i
        self.question.value = (f'<div class="mt-q" data-step="{i}"><b>Predict step {i}:'
                               f"</b> {html.escape(q)}</div>")
        buttons = []
        for c in choices:
            b = widgets.Button(description=c, layout=widgets.Layout(width="auto"))
            b.add_class("mt-choice")
            b.on_click(lambda _b, c=c: self.answer(c))
            buttons.append(b)
        self.choice_box.children = buttons
        self.feedback.value = ""

    def answer(self, choice):
        """Answer the pending question; reveal the step and say whether it was right."""
        if self.pending is None:
            return None
        i = self.pending
        _q, _choices, answer, reason = self.questions[i]
        ok = str(choice) == answer
        self.answers[i] = (str(choice), ok)
        self.pending = None
        self.choice_box.children = []
        right, asked = self.score
        verdict = "Right!" if ok else f"Not quite: the answer is <b>{html.escape(answer)}</b>."
        color = "#1b5e20" if ok else "#b71c1c"
        self.feedback.value = (f'<div class="mt-verdict" data-ok="{int(ok)}" '
                               f'style="color:{color};line-height:1.4">{verdict} '
                               f"{html.escape(reason or '')} <i>(score {right}/{asked})</i>"
                               "</div>")
        self.transport.go(i)
        return ok

    def _show(self, index):
        if self.pending is not None and index != self.pending - 1:
            self.pending = None
            self.choice_box.children = []
            self.question.value = ""
        super()._show(index)

    def state(self):
        d = super().state()
        d.update(pending=self.pending, score=self.score,
                 question=self.questions[self.pending][0] if self.pending is not None
                 else None,
                 choices=[b.description for b in self.choice_box.children],
                 feedback=self.feedback.value)
        return d
