# SPDX-License-Identifier: GPL-2.0-or-later
"""Explorer: type a range and a value (or pick an operation), press Go, watch the trace.

Operations: store (mtree_store_range), clear (a NULL store), erase (mtree_erase of one
index), bulk load of N VMAs (mas_expected_entries ... mas_store ... mas_destroy into an
empty tree, as dup_mmap() fills a new mm) and dup (__mt_dup; the tree is unchanged and
the copy is kept as ``explorer.copy``).

Bad input never raises into the notebook: the message is shown in the widget and the
tree is left exactly as it was (the input is checked before the tree is touched, and
the model's own errors leave it unchanged too).

Go acts on exactly what is typed: the Go button (:mod:`.go_button`) sends the fields'
text as typed in the page with the click; the kernel sets the fields to that text and
runs it (Enter in a field runs nothing). Without anywidget, Go is an ordinary button over
fields that sync on every keystroke. What each operation does to the tree, and the op
language of the shareable script, are in :mod:`.explorer_ops`.
"""

import html

import ipywidgets as widgets

from ..errors import ExportError, MapleTreeError
from ..replay import format_op, ops_to_script, script_to_ops
from ..trace import record
from ..tree import MapleTree
from .explorer_ops import OPERATIONS, VMA_SIZE, VMA_STRIDE, plan, replay_ops, vma_ranges
from .go_button import GO_ESM, GoButton
from .player import Player


class Explorer(widgets.VBox):
    """An input row over a tree and an embedded :class:`Player` of the last operation.

    ``tree``: the MapleTree to work on (a new one when None, ``alloc`` choosing its
    kind). ``ops``: operations run at once, as (op, range, value[, count]) tuples, so
    that the displayed state is set in the constructor (what Voila shows). Programmatic
    use: ``explorer.run("store", "0x1000-0x1fff", "7")``.
    """

    def __init__(self, tree=None, alloc=True, *, ops=(), start_op="store", range_text="",
                 value="", count=8, **kwargs):
        self.tree = tree if tree is not None else MapleTree(alloc=alloc)
        self.copy = None
        self._auto = 0
        self.op = widgets.Dropdown(options=OPERATIONS, value=start_op, description="operation",
                                   layout=widgets.Layout(width="260px"))
        self.range_text = widgets.Text(value=range_text, description="range",
                                       placeholder="0x1000-0x1fff or 4096 8191",
                                       continuous_update=True,
                                       layout=widgets.Layout(width="280px"))
        self.value_text = widgets.Text(value=value, description="value",
                                       placeholder="an int or a word (empty: automatic)",
                                       continuous_update=True,
                                       layout=widgets.Layout(width="280px"))
        self.count = widgets.Text(value=str(count), description="VMAs", continuous_update=True,
                                  layout=widgets.Layout(width="140px"))
        if GoButton is not None:
            self.go_btn = GoButton()
            self.go_btn.on_go(self._on_go)
        else:                                           # pragma: no cover
            self.go_btn = widgets.Button(description="Go", button_style="primary",
                                         tooltip="run the operation and show its trace",
                                         layout=widgets.Layout(width="80px"))
            self.go_btn.on_click(lambda _b: self.go())
        self.reset_btn = widgets.Button(description="New empty tree", tooltip="start over",
                                        layout=widgets.Layout(width="auto"))
        for w, cls in ((self.op, "mt-op"), (self.range_text, "mt-range"),
                       (self.value_text, "mt-value"), (self.count, "mt-count"),
                       (self.go_btn, "mt-go"), (self.reset_btn, "mt-reset")):
            w.add_class(cls)
        self.history = []          # the ops run so far, as (op, args) of the op language
        self.share = widgets.Textarea(
            value="", description="script", placeholder="the ops so far, in the op language",
            layout=widgets.Layout(width="100%", height="6em"))
        self.share.add_class("mt-share")
        self.load_btn = widgets.Button(description="Load script",
                                       tooltip="start over and run the script above",
                                       layout=widgets.Layout(width="auto"))
        self.load_btn.add_class("mt-load")
        self.load_btn.on_click(lambda _b: self.load_script(self.share.value))
        self.message = widgets.HTML()
        self.message.add_class("mt-message")
        self.summary = widgets.HTML()
        self.player = Player([], title="no operation yet")
        self.reset_btn.on_click(lambda _b: self.reset())
        self.op.observe(lambda _c: self._update_inputs(), names="value")
        row1 = widgets.HBox([self.op, self.range_text, self.value_text, self.count],
                            layout=widgets.Layout(flex_flow="row wrap"))
        row2 = widgets.HBox([self.go_btn, self.reset_btn, self.load_btn])
        super().__init__([row1, row2, self.message, self.summary, self.player, self.share],
                         layout=widgets.Layout(width="100%"), **kwargs)
        self.add_class("mt-explorer")
        self._update_inputs()
        self._update_summary()
        for op in ops:
            self.run(*op)

    # --- the input row ---------------------------------------------------------------
    def _update_inputs(self):
        op = self.op.value
        self.range_text.disabled = op in ("dup",)
        self.value_text.disabled = op not in ("store", "bulk")
        self.count.layout.display = "" if op == "bulk" else "none"
        self.range_text.description = {"erase": "index", "bulk": "first VMA at"}.get(op, "range")

    def _update_summary(self):
        t = self.tree
        self.summary.value = (f'<div class="mt-summary" style="font-size:0.9em">tree: '
                              f"{'alloc' if t.alloc else 'plain'}, {len(t)} entries, "
                              f"height {t.height}, {t.node_count} nodes</div>")

    def _say(self, text, ok):
        if ok:
            self.message.value = (f'<div class="mt-msg" data-ok="1" style="color:#1b5e20">'
                                  f"{html.escape(text)}</div>")
        else:
            self.message.value = (
                '<div class="mt-msg mt-msg-error" data-ok="0" role="alert" '
                'style="color:#b71c1c;background:#fdecea;border:1px solid #f5c2c0;'
                'border-radius:3px;padding:4px 8px;margin:2px 0">'
                f"<b>Not done:</b> {html.escape(text)} <i>(the tree is unchanged)</i></div>")

    def _next_value(self):
        self._auto += 1
        return self._auto

    # --- operations -------------------------------------------------------------------
    def go(self):
        """Run the chosen operation on the inputs (what the Go button does)."""
        return self.run(self.op.value, self.range_text.value, self.value_text.value,
                        self.count.value)

    def _on_go(self, typed):
        """Go from the page: set the fields to the text typed there, then run it."""
        index = typed.get("op_index")
        if isinstance(index, int) and 0 <= index < len(OPERATIONS):
            self.op.value = OPERATIONS[index][1]
        for name, w in (("range", self.range_text), ("value", self.value_text),
                        ("count", self.count)):
            text = typed.get(name)
            if isinstance(text, str) and text != w.value:
                w.value = text
        return self.go()

    def run(self, op, range_text="", value="", count=None):
        """Run one operation; returns True when it ran, False when the input was refused."""
        try:
            planned = self._plan(op, range_text, value, count)
        except (MapleTreeError, ValueError) as exc:
            self._say(str(exc), False)
            return False
        label, action, script_ops = planned
        before = self.tree.tracer
        try:
            with record(self.tree, label) as rec:
                result = action()
        except (MapleTreeError, ValueError) as exc:
            self.tree.tracer = before
            self._say(str(exc), False)
            self._update_summary()
            return False
        self.history.extend(script_ops)
        self._update_share()
        self.player.set_steps(rec.steps, title=label)
        self._say(f"{label}: {len(rec.steps)} steps recorded" + (f"; {result}" if result
                                                                   else ""), True)
        self._update_summary()
        return True

    def _plan(self, op, range_text, value, count):
        """Check every input first: a Plan (explorer_ops.plan) or a MapleTreeError."""
        return plan(self.tree, op, range_text, value,
                    count if count is not None else self.count.value,
                    auto=self._auto + 1, used_auto=self._next_value,
                    keep_copy=self._keep_copy)

    def _keep_copy(self, copy):
        self.copy = copy

    # --- sharing -------------------------------------------------------------------------
    def script(self):
        """The ops run so far as a script in the golden data's op language (FORMAT.md), to
        paste into ``python -m mapletree_edu replay`` or :meth:`load_script`. Entries must
        be integers there (0 is NULL); a tree holding other entries cannot be shared."""
        for op, args in self.history:
            if op == "store" and not (isinstance(args[2], int) and not isinstance(args[2], bool)):
                raise ExportError(f"entry {args[2]!r} is not an integer: the op language "
                                  "stores integers only (0 is NULL)")
        return ops_to_script([("tree", (self.tree.alloc, False))] + self.history)

    def _update_share(self):
        try:
            self.share.value = self.script()
        except ExportError as exc:
            self.share.value = f"# {exc}"

    def load_script(self, text):
        """Start over and run a script (the op language); returns True when it all ran.
        A bad line is reported in the widget and nothing of the script is kept."""
        try:
            ops = script_to_ops(text)
        except MapleTreeError as exc:
            self._say(str(exc), False)
            return False
        kinds = [args[0] for op, args in ops if op == "tree"]
        saved = (self.tree, self.copy, self._auto, list(self.history))
        self.tree = MapleTree(alloc=kinds[-1] if kinds else True)
        self.copy = None
        self.history = []
        labels = []
        try:
            with record(self.tree, "script") as rec:
                replay_ops(self.tree, ops, keep_copy=self._keep_copy)
        except MapleTreeError as exc:
            self.tree, self.copy, self._auto, self.history = saved
            self.tree.tracer = None
            self._say(f"the script was not loaded: {exc}", False)
            self._update_summary()
            return False
        labels = [format_op(op, args) for op, args in ops if op != "tree"]
        last = labels[-1] if labels else "script"
        self.history = [(op, args) for op, args in ops if op not in ("tree", "dump")]
        self._update_share()
        self.player.set_steps(rec.steps, title=f"script ({len(labels)} ops, last: {last})")
        self._say(f"script loaded: {len(labels)} ops", True)
        self._update_summary()
        return True

    def reset(self):
        """Start over with a new empty tree of the same kind."""
        self.tree = MapleTree(alloc=self.tree.alloc)
        self.copy = None
        self._auto = 0
        self.history = []
        self._update_share()
        self.player.set_steps([], title="no operation yet")
        self._say("a new empty tree", True)
        self._update_summary()

    def _repr_mimebundle_(self, **kwargs):
        """The widget, plus the embedded player's current diagram as a static fallback."""
        data = super()._repr_mimebundle_(**kwargs) or {}
        svg = self.player.current_svg()
        if svg is not None:
            data["image/svg+xml"] = svg
        data["text/plain"] = f"<Explorer: {self.player.status_text()}>"
        return data

    def state(self):
        """A plain dict for tests: the message, the tree summary and the player's state."""
        return {"message": self.message.value, "ok": 'data-ok="1"' in self.message.value,
                "entries": len(self.tree), "height": self.tree.height,
                "nodes": self.tree.node_count, "player": self.player.state()}


__all__ = ["Explorer", "GoButton", "GO_ESM", "OPERATIONS", "VMA_SIZE", "VMA_STRIDE",
           "vma_ranges", "replay_ops"]
