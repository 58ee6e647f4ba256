# SPDX-License-Identifier: GPL-2.0-or-later
"""ipywidgets players over recorded traces: step, play, scrub, compare, explore, predict.

- :class:`Player`: one trace, one persistent diagram, a transport bar, the status line
  and the kernel-function panel.
- :class:`SideBySide`: two traces aligned by op (normal appends beside a bulk load), or
  ``SideBySide.dup(steps)``: source beside copy during __mt_dup.
- :class:`Explorer`: type a range and a value, pick an operation, press Go.
- :class:`PredictPlayer`: asks "what happens next?" at mab_calc_split and mas_push_data.

Each draws its diagram with :class:`~.diagram.DiagramView`: the page lays the step's DOT
out with Graphviz compiled to WebAssembly and animates one step into the next
(``animate=False``: server-side SVG instead). Every player has a speed choice (which
sets the transition time; "no animation"), a presenter toggle and, shown before it is
run, a picture of its first step (:meth:`Player.static_bundle`).

>>> from mapletree_edu import MapleTree
>>> from mapletree_edu.trace import record
>>> t = MapleTree()
>>> with record(t, "store 10-15") as rec:
...     t.store(10, 15, 1)
>>> p = Player(rec.steps, title="store 10-15")
>>> p.state()["fn"]
'mtree_store_range'
"""

from .diagram import DiagramView, make_view
from .explorer import Explorer
from .pairs import SideBySide
from .player import Player
from .predict import PredictPlayer

__all__ = ["Player", "SideBySide", "Explorer", "PredictPlayer", "DiagramView", "make_view"]
