# SPDX-License-Identifier: GPL-2.0-or-later
"""Explorer: type a range and a value (or pick an operation), press Go, watch the trace.

Operations: store (mtree_store_range), clear (a NULL store), erase (mtree_erase of one
index), bulk load of N VMAs (mas_expected_entries ... mas_store ... mas_destroy into an
empty tree, as dup_mmap() fills a new mm) and dup (__mt_dup; the tree is unchanged and
the copy is kept as ``explorer.copy``).

Bad input never raises into the notebook: the message is shown in the widget and the
tree is left exactly as it was (the input is checked before the tree is touched, and
the model's own errors leave it unchanged too).

Go acts on exactly what is typed. ipywidgets syncs a field's value to the kernel on its
own schedule (on Enter or blur, and a busy kernel makes the page hold back the newest
value), while a button click is sent at once, so a click could overtake the last
keystrokes. The Go button is therefore a small anywidget (:class:`GoButton`): in the
page it reads the fields' current text when clicked and sends it with the click; the
kernel sets the fields to that text and runs it (Enter in a field runs nothing).
Without anywidget, Go is an ordinary button over fields that sync on every keystroke.
"""

import html

import ipywidgets as widgets
import traitlets

from ..errors import BulkModeError, ExportError, InvalidRangeError, MapleTreeError
from ..replay import format_op, ops_to_script, script_to_ops
from ..trace import record
from ..tree import MapleTree
from .parse import parse_count, parse_index, parse_range, parse_value
from .player import Player
from .text import num

OPERATIONS = (("store", "store"), ("clear (store NULL)", "clear"), ("erase one index", "erase"),
              ("bulk load of N VMAs", "bulk"), ("dup (__mt_dup)", "dup"))
VMA_SIZE = 0x1000
VMA_STRIDE = 0x2000


GO_ESM = """
function render({ model, el }) {
  const btn = document.createElement("button");
  btn.className = "jupyter-button widget-button mod-primary mt-go-button";
  btn.textContent = model.get("description");
  btn.title = "run the operation on the typed input and show its trace";
  btn.style.width = "80px";
  el.appendChild(btn);
  const box = () => el.closest(".mt-explorer");
  const field = (cls) => {
    const b = box();
    return b ? b.querySelector("." + cls + " input, ." + cls + " select") : null;
  };
  const go = () => {
    const read = (cls) => { const f = field(cls); return f ? f.value : null; };
    const op = field("mt-op");
    model.send({ event: "go", op_index: op ? op.selectedIndex : -1,
                 range: read("mt-range"), value: read("mt-value"), count: read("mt-count") });
  };
  btn.addEventListener("click", go);
  model.on("change:disabled", () => { btn.disabled = model.get("disabled"); });
}
export default { render };
"""

try:
    import anywidget
except ImportError:          # pragma: no cover - the notebooks extra installs it
    anywidget = None


if anywidget is not None:
    class GoButton(anywidget.AnyWidget):
        """The Go button: sends the fields' typed text with the click (see the module
        docstring). ``on_go(callback)``: callback(content) with op_index, range, value
        and count as typed (None for a field that is not there); ``click()`` calls it
        with no content (the kernel's field values are used)."""

        _esm = GO_ESM
        description = traitlets.Unicode("Go").tag(sync=True)
        disabled = traitlets.Bool(False).tag(sync=True)

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._callbacks = []
            self.on_msg(self._on_msg)

        def _on_msg(self, _widget, content, _buffers):
            if isinstance(content, dict) and content.get("event") == "go":
                for cb in self._callbacks:
                    cb(content)

        def on_go(self, callback):
            self._callbacks.append(callback)

        def click(self):
            for cb in self._callbacks:
                cb({})
else:                                                   # pragma: no cover
    GoButton = None


def vma_ranges(n, start=VMA_SIZE, size=VMA_SIZE, stride=VMA_STRIDE):
    """N VMA-like ranges: ``size`` bytes each, ``stride`` apart (a one-page hole after
    each), starting at ``start``."""
    return [(start + k * stride, start + k * stride + size - 1) for k in range(n)]


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
            plan = self._plan(op, range_text, value, count)
        except (MapleTreeError, ValueError) as exc:
            self._say(str(exc), False)
            return False
        label, action, script_ops = plan
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
        """Check every input first: (label, action) or a MapleTreeError."""
        t = self.tree
        if op == "store":
            first, last = parse_range(range_text)
            entry = parse_value(value, None)
            if entry is None:
                entry = self._peek_auto()
            label = f"store {_r(first, last)} = {entry!r}"
            return label, lambda: self._store(first, last, entry, value), \
                [("store", (first, last, entry))]
        if op == "clear":
            first, last = parse_range(range_text)
            return f"clear {_r(first, last)}", lambda: t.clear(first, last), \
                [("store", (first, last, 0))]
        if op == "erase":
            first, last = parse_range(range_text)
            if first != last:
                raise_range(f"erase takes one index (the range holding it is erased), not "
                            f"{_r(first, last)}; use clear for a range")
            index = first
            return f"erase {index:#x}", lambda: _erased(t.erase(index)), [("erase", (index,))]
        if op == "bulk":
            n = parse_count(count if count is not None else self.count.value)
            start = parse_index(range_text, "first VMA") if str(range_text).strip() \
                else VMA_SIZE
            ranges = vma_ranges(n, start)
            if ranges[-1][1] > (1 << 64) - 1:
                raise_range(f"{n} VMAs from {start:#x} run past the largest index")
            if len(t) or t.node_count:
                raise_bulk("a bulk load fills an empty tree (as dup_mmap() fills a new "
                           "mm): press 'New empty tree' first")
            base = parse_value(value, 1)
            if not isinstance(base, int):
                raise_range("for a bulk load the value is the first entry number (an int)")
            ops = [("bulk", (n,))] + [("bstore", (a, b, base + k))
                                      for k, (a, b) in enumerate(ranges)] + [("bulk_end", ())]
            return f"bulk load of {n} VMAs", lambda: self._bulk(ranges, base), ops
        if op == "dup":
            return "dup", self._dup, [("dup", ())]
        raise_range(f"unknown operation {op!r}")

    def _peek_auto(self):
        return self._auto + 1

    def _store(self, first, last, entry, typed):
        self.tree.store(first, last, entry)
        if not str(typed).strip():
            self._next_value()

    def _bulk(self, ranges, base):
        with self.tree.bulk(len(ranges)) as b:
            for k, (first, last) in enumerate(ranges):
                b.store(first, last, base + k)

    def _dup(self):
        self.copy = self.tree.dup()
        return f"the copy has {self.copy.node_count} nodes (explorer.copy)"

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
                replay_ops(self, ops)
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


def replay_ops(explorer, ops):
    """Apply op-language ops to an explorer's tree (the explorer keeps dup copies aside)."""
    t = explorer.tree
    loader = None
    bulk_cm = None
    for op, args in ops:
        if op in ("tree", "dump", "mtdump", "rcu_on", "rcu_off"):
            if op == "rcu_on":
                t.rcu = True
            elif op == "rcu_off":
                t.rcu = False
            continue
        if op == "store":
            first, last, v = args
            if v:
                t.store(first, last, v)
            else:
                t.clear(first, last)
        elif op == "erase":
            t.erase(args[0])
        elif op == "bulk":
            bulk_cm = t.bulk(args[0])
            loader = bulk_cm.__enter__()
        elif op in ("bstore", "bstore_reset"):
            if loader is None:
                raise_bulk(f"'{op}' needs 'bulk N' first")
            first, last, v = args
            loader.store(first, last, v or None, reset=(op == "bstore_reset"))
        elif op == "bulk_end":
            if bulk_cm is None:
                raise_bulk("'bulk_end' without 'bulk N'")
            bulk_cm.__exit__(None, None, None)
            bulk_cm = loader = None
        elif op == "dup":
            explorer.copy = t.dup()
    if bulk_cm is not None:
        bulk_cm.__exit__(None, None, None)


def _r(first, last):
    return num(first) if first == last else f"{num(first)}-{num(last)}"


def _erased(old):
    return "nothing was stored there" if old is None else f"erased entry {old!r}"


def raise_range(msg):
    raise InvalidRangeError(msg)


def raise_bulk(msg):
    raise BulkModeError(msg)
