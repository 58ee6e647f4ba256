# SPDX-License-Identifier: GPL-2.0-or-later
"""The players' diagram: one persistent view whose DOT text is swapped per step.

:class:`DiagramView` (an anywidget) sends the DOT text of the frame to the page, where
Graphviz compiled to WebAssembly lays it out and d3-graphviz animates the step: nodes are
matched by their DOT id ``n<serial>``, so a node that survives moves, a new node grows in,
a freed node fades out, and the slots whose text changed are marked during the move. The
kernel needs no ``dot`` program for it and the page fetches nothing: the JavaScript ships
in ``widgets/static/`` (built from ``js/``, see js/build.mjs), and the 800 kB Graphviz
engine is sent once per kernel by one shared :class:`GraphvizEngine` model.

:class:`HtmlDiagram` is the same interface over a ``widgets.HTML`` of server-side SVG:
used when anywidget is not installed, or with ``animate=False``.

>>> v = DiagramView()
>>> v.show("digraph { n1 }", 0)
>>> v.frame, v.dot
(0, 'digraph { n1 }')
"""

import hashlib
import os
from pathlib import Path
from urllib.parse import parse_qs

import ipywidgets as widgets
import traitlets

from .frames import short_hash

STATIC = Path(__file__).resolve().parent / "static"
VIEW_JS = STATIC / "diagram.js"
ENGINE_JS = STATIC / "graphviz-engine.js"

# transition time per speed (ms): a little over half the step interval of the speed, so a
# playing player rests on each step before the next one starts moving
DEFAULT_DURATION = 500

try:
    import anywidget
except ImportError:          # pragma: no cover - the notebooks extra installs it
    anywidget = None

#: The environment variable that starts every player of the kernel in presenter mode
#: (``python -m mapletree_edu.slides`` sets it for the lesson's kernel).
PRESENTER_ENV = "MAPLETREE_EDU_PRESENTER"
#: The slide template (``mapletree_edu.slides``): a kernel Voila starts for a page asked
#: for with ``?template=mapletree-slides`` (as on Binder) finds it in QUERY_STRING.
SLIDES_TEMPLATE = "mapletree-slides"


def presenter_default(env=None):
    """Whether players start in presenter mode: in a slide deck (the launcher's
    environment variable, or a Voila request for the slide template), else not.

    >>> presenter_default({"MAPLETREE_EDU_PRESENTER": "1"})
    True
    >>> presenter_default({"QUERY_STRING": "template=mapletree-slides"})
    True
    >>> presenter_default({})
    False
    """
    env = os.environ if env is None else env
    if env.get(PRESENTER_ENV, "") == "1":
        return True
    query = parse_qs(env.get("QUERY_STRING", ""))
    return SLIDES_TEMPLATE in query.get("template", [])


#: Whether this kernel's players are shown in a slide deck (see presenter_default()).
IN_DECK = presenter_default()

# Presenter mode, remembered for the session: a player made after the toggle was
# pressed starts in the mode last chosen (the page also keeps it in localStorage; in a
# slide deck, every player starts in it).
PRESENTER = {"on": IN_DECK}

CSS = """
.mt-diagram { outline: none; position: relative; width: 100%; }
.mt-diagram:focus-visible { box-shadow: 0 0 0 2px #1565c0; }
.mt-diagram .mt-frame { width: 100%; overflow-x: auto; overflow-y: hidden;
  contain: layout paint; }
.mt-diagram .mt-frame svg { display: block; margin: 0 auto; max-width: 100%; height: auto; }
.mt-diagram.mt-actual-size .mt-frame svg { max-width: none !important; }
.mt-diagram .mt-diagram-msg { color: #555; font-style: italic; padding: 4px 0; }
.mt-diagram .mt-diagram-error { color: #b71c1c; font-style: normal; }
.mt-diagram g.node[data-mt="entering"] {
  transform-box: fill-box; transform-origin: center;
  animation: mt-grow var(--mt-ms, 500ms) ease-out both;
}
@keyframes mt-grow { from { transform: scale(0.15); } to { transform: scale(1); } }
.mt-diagram g.node[data-mt="changed"] polygon:not([stroke="transparent"]) { stroke: #ef6c00; }
.mt-diagram text.mt-slot-changed { fill: #d84315 !important; font-weight: bold; }
.mt-presenter .mt-status, .mt-presenter .mt-kernel, .mt-presenter .mt-q,
.mt-presenter .mt-verdict, .mt-presenter .mt-frame-status,
.mt-presenter .mt-kernel code { font-size: 18px !important; }
.mt-presenter .widget-button, .mt-presenter .widget-toggle-button,
.mt-presenter .widget-dropdown select, .mt-presenter .widget-readout {
  font-size: 16px !important; }
"""


def _read(path):
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuntimeError(f"the diagram view's JavaScript is missing ({path}); build it "
                           "with: npm --prefix js ci && npm --prefix js run build") from exc


class GraphvizEngine(widgets.Widget):
    """A model holding Graphviz compiled to WebAssembly (an ES module, the .wasm
    inlined), shared by every :class:`DiagramView` of the kernel: the page receives it
    once and instantiates it once, however many players it shows."""

    code = traitlets.Unicode("").tag(sync=True)
    key = traitlets.Unicode("").tag(sync=True)

    _shared = None

    @classmethod
    def shared(cls):
        """The kernel's engine model (made again if it was closed)."""
        eng = cls._shared
        if eng is None or getattr(eng, "comm", None) is None:
            code = _read(ENGINE_JS)
            eng = cls(code=code, key=hashlib.sha1(code.encode("utf-8")).hexdigest()[:16])
            cls._shared = eng
        return eng


def _key_actions(view, handlers):
    def on_msg(_widget, content, _buffers):
        if isinstance(content, dict) and content.get("type") == "key":
            fn = handlers.get(content.get("action"))
            if fn is not None:
                fn()
    view.on_msg(on_msg)


if anywidget is not None:
    class DiagramView(anywidget.AnyWidget):
        """The animated diagram: ``dot`` is the DOT text shown, ``frame`` its index;
        ``duration`` the transition in ms (0: none); ``presenter`` draws text >= 16 px."""

        _esm = VIEW_JS
        _css = CSS
        dot = traitlets.Unicode("").tag(sync=True)
        frame = traitlets.Int(0).tag(sync=True)
        next_dot = traitlets.Unicode("").tag(sync=True)
        duration = traitlets.Int(DEFAULT_DURATION).tag(sync=True)
        presenter = traitlets.Bool(False).tag(sync=True)
        actual_size = traitlets.Bool(False).tag(sync=True)
        engine = traitlets.Instance(widgets.Widget, allow_none=True).tag(
            sync=True, **widgets.widget_serialization)
        engine_key = traitlets.Unicode("").tag(sync=True)

        animated = True

        def __init__(self, **kwargs):
            eng = GraphvizEngine.shared()
            kwargs.setdefault("presenter", PRESENTER["on"])
            super().__init__(engine=eng, engine_key=eng.key, **kwargs)
            self.add_class("mt-view")
            self.layout.width = "100%"

        def show(self, dot, frame, frames=None, next_dot=""):
            """Show DOT text ``dot`` as frame ``frame`` (one message to the page);
            ``next_dot``, the likely next frame, is laid out ahead by the page."""
            with self.hold_sync():
                self.dot = dot
                self.frame = int(frame)
                self.next_dot = next_dot or ""

        def on_keys(self, **handlers):
            """Call handlers["forward"] (and back, first, last) on the arrow keys."""
            _key_actions(self, handlers)

        def digest(self):
            return short_hash(f"{self.frame}|{self.dot}")
else:                                               # pragma: no cover
    DiagramView = None


class HtmlDiagram(widgets.HTML):
    """The static view: the server-side SVG of each frame in a ``widgets.HTML``."""

    animated = False
    dot = traitlets.Unicode("")
    frame = traitlets.Int(0)
    duration = traitlets.Int(0)
    presenter = traitlets.Bool(False)
    actual_size = traitlets.Bool(False)

    def __init__(self, **kwargs):
        kwargs.setdefault("presenter", PRESENTER["on"])
        super().__init__(layout=widgets.Layout(width="100%"), **kwargs)
        self.add_class("mt-view")

    def show(self, dot, frame, frames=None, next_dot=""):
        self.dot, self.frame = dot, int(frame)
        self.value = frames.html(frame) if frames is not None else ""

    def on_keys(self, **handlers):
        pass

    def digest(self):
        return short_hash(self.value)


def make_view(animate=True):
    """The animated view when anywidget is installed (and ``animate``), else the static one."""
    if animate and DiagramView is not None:
        return DiagramView()
    return HtmlDiagram()
