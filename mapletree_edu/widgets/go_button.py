# SPDX-License-Identifier: GPL-2.0-or-later
"""The Explorer's Go button, which sends the fields' typed text with the click.

ipywidgets syncs a field's value to the kernel on its own schedule (on Enter or blur, and
a busy kernel makes the page hold back the newest value), while a button click is sent at
once, so a click could overtake the last keystrokes. :class:`GoButton` is therefore a
small anywidget: in the page it reads the current text of the fields of its
``.mt-explorer`` box (``.mt-op``, ``.mt-range``, ``.mt-value``, ``.mt-count``) when
clicked and sends it with the click. ``GoButton`` is None without anywidget.
"""

import traitlets

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
