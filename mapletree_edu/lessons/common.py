# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers the lesson notebooks share: small example trees, readable tables, checks.

No kernel twin: these only build trees through the public API, record operations with
:func:`mapletree_edu.trace.record` and print what the model did. The notebooks call
them so that no algorithm code lives in a notebook.
"""

from ..core.constants import (
    MAPLE_ARANGE_64,
    MAPLE_LEAF_64,
    MAPLE_RANGE_64,
    MT_MIN_SLOTS,
    MT_PIVOTS,
    MT_SLOTS,
    TYPE_NAMES,
    ULONG_MAX,
)
from ..core.dup import mtree_dup
from ..texttable import Table
from ..trace import TreeView, record
from ..tree import MapleTree

HEX_ABOVE = 0xFFFF
TYPE_CODES = {name: code for code, name in TYPE_NAMES.items()}

#: The first step of each way a write can end up being done, in the order the kernel
#: tries them (see :func:`write_path`).
WRITE_PATHS = (
    "mas_store_root",         # empty tree or root entry: store in the root pointer
    "mas_root_expand",        # root pointer -> first leaf
    "mas_new_root",           # the write covers [0, MAX]
    "mas_wr_spanning_store",  # the write crosses the end of a leaf
    "mas_wr_modify",          # exact fit: one slot replaced
    "mas_wr_append",          # in place, in the node's last slot
    "mas_wr_slot_store",      # same slot count, boundaries move
    "mas_wr_node_store",      # the leaf is rebuilt
    "mas_wr_bnode",           # big node: rewrite, split or rebalance
)

#: What :func:`write_path` reports for mas_wr_modify (the exact-fit case).
EXACT_FIT = "mas_wr_modify"


# --- numbers ------------------------------------------------------------------------
def num(v, use_hex=None):
    """An index as the diagrams write it: MAX for ULONG_MAX, hex above 0xffff."""
    if v is None:
        return "-"
    if v == ULONG_MAX:
        return "MAX"
    if use_hex is None:
        use_hex = v > HEX_ABOVE
    return f"{v:#x}" if use_hex else str(v)


def span(first, last, use_hex=None):
    if first == last:
        return f"[{num(first, use_hex)}]"
    return f"[{num(first, use_hex)}, {num(last, use_hex)}]"


def entry_text(entry):
    """NULL for None, else the entry (strings without quotes)."""
    if entry is None:
        return "NULL"
    return entry if isinstance(entry, str) else repr(entry)


def call_text(first, last, entry):
    """The call that makes a store: ``store(10, 15, 'x')`` or ``clear(10, 15)``."""
    if entry is None:
        return f"clear({num(first)}, {num(last)})"
    return f"store({num(first)}, {num(last)}, {entry!r})"


# --- tables: texttable.Table, shared with the lab ----------------------------------


# --- building trees ---------------------------------------------------------------------
def vma_ranges(n, stride=10, length=6, start=0):
    """``n`` ranges ``[start + i*stride, start + i*stride + length - 1]``, like VMAs with
    holes between them (``length == stride`` gives touching ranges)."""
    return [(start + i * stride, start + i * stride + length - 1) for i in range(n)]


def tree_of(ranges, entries=None, alloc=True, rcu=False):
    """A MapleTree with ``ranges`` stored in order; entry i is ``entries[i]`` (default i)."""
    t = MapleTree(alloc=alloc, rcu=rcu)
    for i, (first, last) in enumerate(ranges):
        t.store(first, last, i if entries is None else entries[i])
    return t


def copy_tree(tree):
    """A node-for-node copy (``__mt_dup``) with its own allocator and no tracer."""
    new = MapleTree(alloc=tree.alloc, rcu=tree.rcu)
    mtree_dup(tree.core, new.core)
    return new


def view_of(obj):
    """A TreeView of a MapleTree, a Step or a TreeView."""
    if isinstance(obj, TreeView):
        return obj
    if isinstance(obj, MapleTree):
        return TreeView.of(obj.core)
    view = getattr(obj, "view", None)
    if isinstance(view, TreeView):
        return view
    raise TypeError(f"cannot make a tree view of {type(obj).__name__}")


def leaves(obj):
    """The leaf NodeViews, left to right."""
    return [n for n in view_of(obj).nodes if n.is_leaf]


def leaf_sizes(obj):
    """Entry counts (used slots, NULL ranges included) of the leaves, left to right."""
    return [n.end + 1 for n in leaves(obj)]


def node_types(obj):
    """Node type -> how many nodes of that type."""
    out = {}
    for n in view_of(obj).nodes:
        out[n.type] = out.get(n.type, 0) + 1
    return out


def store(tree, first, last, entry):
    """tree.store(), or tree.clear() when entry is None (a NULL store)."""
    if entry is None:
        tree.clear(first, last)
    else:
        tree.store(first, last, entry)


# --- recording -------------------------------------------------------------------------
def record_op(tree, op, first, last=None, entry=None, label=None, on_copy=False):
    """Record one operation and return ``(steps, tree)``.

    ``op`` is "store" (``entry`` None means a NULL store) or "erase" (``first`` is the
    index). With ``on_copy`` the operation runs on :func:`copy_tree` of ``tree`` and
    ``tree`` itself is left unchanged.
    """
    target = copy_tree(tree) if on_copy else tree
    if op == "erase":
        label = label or f"erase({num(first)})"
        with record(target, label) as rec:
            target.erase(first)
    elif op == "store":
        label = label or call_text(first, last, entry)
        with record(target, label) as rec:
            store(target, first, last, entry)
    else:
        raise ValueError(f"unknown op {op!r}: use 'store' or 'erase'")
    return rec.steps, target


def record_store(tree, first, last, entry, on_copy=False):
    """The steps of one store (see :func:`record_op`)."""
    return record_op(tree, "store", first, last, entry, on_copy=on_copy)[0]


def fns(steps):
    """The kernel function of each step."""
    return [s.fn for s in steps]


def write_path(steps):
    """The write path a recorded store took: the first step naming one of WRITE_PATHS."""
    for s in steps:
        if s.fn in WRITE_PATHS:
            return s.fn
    return None


def commit_kind(steps):
    """What the big node did, if the store got that far: rewrite, split or rebalance."""
    names = fns(steps)
    if "mas_split" in names:
        return "split"
    if "mas_rebalance" in names:
        return "rebalance"
    if "mas_spanning_rebalance" in names:
        return "spanning rebalance"
    if "mas_commit_b_node" in names:
        return "rewrite"
    return ""


def steps_named(steps, fn):
    """The steps whose kernel function is ``fn``."""
    return [s for s in steps if s.fn == fn]


def step_index(steps, fn, nth=0):
    """Index of the nth step named ``fn`` (for a player's ``start``)."""
    hits = [i for i, s in enumerate(steps) if s.fn == fn]
    return hits[nth]


def path_table(tree, stores, title=None, nodes=False):
    """For each ``(first, last, entry)`` (entry None = NULL store), run the store on a
    copy of ``tree`` and report the write path, what the big node did, and the leaf
    sizes before and after. ``nodes=True`` adds how many nodes the store allocated and
    freed (0 and 0: the leaf was changed in place)."""
    before = leaf_sizes(tree)
    rows = []
    for first, last, entry in stores:
        steps, after = record_op(tree, "store", first, last, entry, on_copy=True)
        row = [call_text(first, last, entry), write_path(steps), commit_kind(steps), before,
               leaf_sizes(after)]
        if nodes:
            row += [sum(len(s.new) for s in steps), sum(len(s.freed) for s in steps)]
        rows.append(row)
    headers = ["store", "write path", "big node", "leaves before", "leaves after"]
    if nodes:
        headers += ["new nodes", "freed nodes"]
    return Table(headers, rows, title)


def step_table(steps, keys=()):
    """One row per step: n, kernel function, the reason, and chosen details."""
    rows = []
    for s in steps:
        d = s.details
        extra = ", ".join(f"{k}={d[k]}" for k in keys if k in d and d[k] is not None)
        rows.append([s.n, s.fn, s.why, extra] if keys else [s.n, s.fn, s.why])
    headers = ["n", "kernel function", "why"] + (["details"] if keys else [])
    return Table(headers, rows)


# --- looking at nodes --------------------------------------------------------------------
def _uses_hex(view):
    return any(v != ULONG_MAX and v > HEX_ABOVE
               for n in view.nodes for v in (n.min, n.max, *n.pivots))


def node_table(obj):
    """One row per node in pre-order: id, depth, type, implied [min, max], used slots,
    pivots, slots (entries, or child ids) and gaps (arange_64 only)."""
    view = view_of(obj)
    use_hex = _uses_hex(view)
    ids = {n.serial: n.id for n in view.nodes}
    rows = []
    for n in view.nodes:
        slots = [entry_text(s) for s in n.slots] if n.is_leaf \
            else [f"#{ids.get(s, s)}" for s in n.slots]
        gaps = " ".join(num(g, use_hex or None) for g in n.gaps) if n.gaps is not None \
            else ""
        rows.append([f"#{n.id}", n.depth, n.type, span(n.min, n.max, use_hex), n.end + 1,
                     " ".join(num(p, use_hex) for p in n.pivots), " ".join(slots), gaps])
    title = {"empty": "empty tree (root pointer is NULL)",
             "entry": f"root entry {entry_text(view.root_value)} at index 0, no node"}.get(
        view.root, f"height {view.height}, {len(view.nodes)} node(s)")
    return Table(["node", "depth", "type", "[min, max]", "used", "pivots", "slots", "gaps"],
                 rows, title)


def slot_table(obj, node=0):
    """The slots of one node (by pre-order id): offset, pivot, the range it implies and
    what the slot holds."""
    view = view_of(obj)
    n = next(x for x in view.nodes if x.id == node)
    use_hex = _uses_hex(view)
    ids = {x.serial: x.id for x in view.nodes}
    npivots = MT_PIVOTS[TYPE_CODES[n.type]]
    rows = []
    lo = n.min
    for i, (piv, s) in enumerate(zip(n.pivots, n.slots, strict=False)):
        what = entry_text(s) if n.is_leaf else f"child #{ids.get(s, s)}"
        stored = num(piv, use_hex) if i < npivots else "none: ends at the node max"
        rows.append([i, stored, span(lo, piv, use_hex), what])
        lo = piv + 1
    return Table(["slot", "pivot", "range", "holds"], rows,
                 f"node #{n.id} ({n.type}), implied range {span(n.min, n.max, use_hex)}")


def walk_table(obj, index):
    """The nodes a walk to ``index`` passes, root to leaf, with the slot taken in each:
    the first slot whose pivot is at least ``index`` (the last slot ends at the max)."""
    view = view_of(obj)
    use_hex = _uses_hex(view) or index > HEX_ABOVE
    ids = {x.serial: x.id for x in view.nodes}
    by_serial = view.by_serial()
    rows = []
    for serial in view.path_to(index):
        n = by_serial[serial]
        lo = n.min
        for i, (piv, s) in enumerate(zip(n.pivots, n.slots, strict=False)):
            if index <= piv:
                what = entry_text(s) if n.is_leaf else f"child #{ids.get(s, s)}"
                rows.append([f"#{n.id}", n.type, span(n.min, n.max, use_hex), i,
                             span(lo, piv, use_hex), what])
                break
            lo = piv + 1
    return Table(["node", "type", "node range", "slot", "slot range", "holds"], rows,
                 f"walk to index {num(index, use_hex)}")


def ranges_table(tree, include_null=True):
    """Every range of the tree with its entry, NULL ranges included by default."""
    rows = [[span(f, la), entry_text(e)] for f, la, e in tree.ranges(include_null)]
    return Table(["range", "entry"], rows)


def node_type_table():
    """The three node types of the 64-bit kernel with their sizes (mt_slots[],
    mt_pivots[], mt_min_slots[])."""
    use = {MAPLE_LEAF_64: "every leaf, in both kinds of tree",
           MAPLE_RANGE_64: "internal nodes of a plain tree",
           MAPLE_ARANGE_64: "internal nodes of an allocation tree (the mm's)"}
    rows = [[TYPE_NAMES[t], t, use[t], MT_SLOTS[t], MT_PIVOTS[t], MT_MIN_SLOTS[t],
             MT_SLOTS[t] if t == MAPLE_ARANGE_64 else "-"]
            for t in (MAPLE_LEAF_64, MAPLE_RANGE_64, MAPLE_ARANGE_64)]
    return Table(["type", "enum", "used for", "slots", "pivots", "mt_min_slots", "gaps"], rows)


def player_state(player, keys=("index", "n_steps", "fn", "status")):
    """The deterministic part of a player's state (for a compared notebook cell)."""
    st = player.state()
    lines = [f"{k}: {st[k]}" for k in keys if k in st]
    questions = getattr(player, "questions", None)
    if questions:
        lines.append("asks before steps: " + ", ".join(str(i + 1) for i in sorted(questions)))
    return "\n".join(lines)


# --- diagrams -----------------------------------------------------------------------------
def render_available():
    """True when mapletree_edu.render can draw (the package and Graphviz's dot)."""
    try:
        from ..render import have_dot
    except ImportError:
        return False
    return have_dot()


def diagram_dot(obj, **opts):
    """The DOT text of the diagram of a tree, a step or a view."""
    from ..render import step_to_dot, view_to_dot
    target = view_of(obj) if isinstance(obj, MapleTree) else obj
    if isinstance(target, TreeView):
        return view_to_dot(target, **opts)
    return step_to_dot(target, **opts)


def diagram(obj, **opts):
    """The diagram of a tree, a step or a view: SVG text, or (without Graphviz) an HTML
    block with the install hint and a text dump."""
    from ..render import svg_or_text, text_dump
    return svg_or_text(diagram_dot(obj, **opts), text_dump(obj))


def describe(obj):
    """One deterministic line about what a diagram shows (its text/plain alternative)."""
    view = view_of(obj)
    head = getattr(obj, "fn", None)
    what = {"empty": "an empty tree", "entry": "a root entry, no node"}.get(
        view.root, f"height {view.height}, {len(view.nodes)} node(s), leaves "
                   f"{leaf_sizes(view)}")
    return f"diagram of step {obj.n} ({head}): {what}" if head else f"diagram: {what}"


def show(obj, **opts):
    """Display the diagram of a tree, a step or a view.

    With Graphviz's ``dot``: the picture as ``image/svg+xml`` (trusted front ends) and
    ``image/png`` (untrusted notebooks, which may not show SVG), and a one-line
    description as ``text/plain``. No ``text/html``: an untrusted notebook prefers HTML
    and sanitizes the inline SVG out of it, leaving its labels as garbled text.
    Without ``dot`` the page draws the DOT text itself (the players' in-browser
    Graphviz); without anywidget, the install hint and a text dump are shown.
    """
    show_dot(diagram_dot(obj, **opts), describe(obj),
             fallback=lambda: (_text_dump(obj), diagram(obj, **opts)))


def _text_dump(obj):
    from ..render import text_dump
    return text_dump(obj)


def show_dot(dot, text, fallback=None):
    """Display DOT text as a picture: ``image/svg+xml`` and ``image/png`` with ``text``
    as ``text/plain`` (see :func:`show`). Without ``dot`` the page draws it with the
    in-browser Graphviz; without anywidget, the install hint and ``fallback()``'s
    (text, html) pair (or ``text``) are shown."""
    import base64
    import html as _html

    from IPython.display import display

    from ..render import DotMissing, dot_to_png, dot_to_svg
    bundle = {"text/plain": text}
    try:
        bundle["image/svg+xml"] = dot_to_svg(dot)
        bundle["image/png"] = base64.b64encode(dot_to_png(dot)).decode("ascii")
    except DotMissing as exc:
        from ..widgets import diagram as wdiagram
        if wdiagram.anywidget is not None:
            view = wdiagram.make_view(True)
            view.show(dot, 0)
            display(view)
            return
        plain, html_text = fallback() if fallback else (
            text, f"<pre>{_html.escape(str(exc))}\n\n{_html.escape(text)}</pre>")
        bundle = {"text/plain": f"{exc}\n\n{plain}", "text/html": html_text}
    display(bundle, raw=True)


# --- checks --------------------------------------------------------------------------------
def report(ok, correct, hint):
    """Print the verdict of a check and return it."""
    print(f"Correct: {correct}" if ok else f"Not yet: {hint}")
    return bool(ok)


def call_answer(answer, *args):
    """Call the learner's function: (result, None), or (None, "raised Type: message")
    when it raises (the learner's code may raise anything)."""
    try:
        return answer(*args), None
    except Exception as exc:
        return None, f"raised {type(exc).__name__}: {exc}"


def unanswered(answer):
    """True for the placeholder answers the notebooks start with (None or ...)."""
    return answer is None or answer is Ellipsis


def solution_text(solutions, name):
    """A solution's source text, for ``print(lNN.solution(name))``."""
    try:
        return solutions[name].strip("\n") + "\n"
    except KeyError:
        raise KeyError(f"no solution called {name!r}; there are: "
                       f"{', '.join(sorted(solutions))}") from None


__all__ = [
    "WRITE_PATHS", "EXACT_FIT", "Table", "num", "span", "entry_text", "vma_ranges", "tree_of",
    "call_text", "copy_tree", "view_of", "leaves", "leaf_sizes", "node_types", "store", "record_op",
    "record_store", "fns", "write_path", "commit_kind", "steps_named", "step_index",
    "path_table", "step_table", "node_table", "slot_table", "walk_table", "ranges_table",
    "node_type_table", "player_state", "render_available", "diagram", "describe", "show",
    "show_dot",
    "report", "call_answer", "unanswered", "solution_text", "show_steps",
]


# --- answers kept out of view (added for lessons 05-08) -------------------------------------
def show_steps(*items, label="Show the answer"):
    """A closed box that shows ``items`` (tables, text) only when the learner opens it:
    for answers to a question that is still open above (the steps of a player, its
    numbers). Where widgets do not run (a static view), only a line saying so shows."""
    import html as _html

    import ipywidgets as widgets

    parts = []
    for it in items:
        as_html = getattr(it, "_repr_html_", None)
        parts.append(as_html() if as_html else f"<pre>{_html.escape(str(it))}</pre>")
    box = widgets.Accordion(children=[widgets.HTML("".join(parts))])
    box.set_title(0, label)
    box.selected_index = None
    box.add_class("mt-show-steps")
    plain = f"({label}: hidden until opened in a running notebook)"
    widget_bundle = box._repr_mimebundle_

    def bundle(**kwargs):
        data = widget_bundle(**kwargs) or {}
        data["text/plain"] = plain
        return data

    box._repr_mimebundle_ = bundle
    return box
