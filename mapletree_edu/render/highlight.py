# SPDX-License-Identifier: GPL-2.0-or-later
"""The action of a step, the input of a frame: which nodes are new, copied, modified or
freed, the walked path, the state's node and slot, the range written (or, on a read step,
looked up), the sibling of a
push or rebalance, the subtrees a gap search pruned, the big node of mab_calc_split and
the visit numbers of __mt_dup. Unknown ``info`` keys are ignored."""

from dataclasses import dataclass, field

from ..errors import ExportError
from ..trace.recorder import READ_FNS

# steps whose maple state index/last is not a range being written
NO_RANGE_FNS = frozenset({"mas_dup_build", "mas_dup_alloc", "mas_dup_free",
                          "mas_expected_entries", "mas_destroy", "mas_destroy_rebalance"})
DUP_FNS = frozenset({"mas_dup_build", "mas_dup_alloc", "mas_dup_free"})
# steps whose index/last is a range the step looks up or searches (a read), not one it
# writes; mas_insert's step checks the range it is about to write, so it is not one
LOOKUP_FNS = READ_FNS - {"mas_insert"}


@dataclass(frozen=True)
class Highlight:
    """Serial sets (tuples) of the nodes to mark, plus the state's node and range."""

    new: tuple = ()
    copied: tuple = ()
    modified: tuple = ()
    freed: tuple = ()
    path: tuple = ()
    node: int = None
    range: tuple = None          # (index, last) tinted in the leaves
    reads: bool = False          # the range is looked up or searched, not written
    sibling: int = None
    replaces: tuple = ()         # ((new serial, freed serial), ...)
    slot: tuple = None           # (node serial, offset) the state points at
    pruned: tuple = ()           # ((node serial, offset, gap, verdict), ...)
    keep: tuple = ()             # serials drawn in full but not marked (a read's way ahead)
    extra: dict = field(default_factory=dict, compare=False)

    KEYS = ("new", "copied", "modified", "freed", "path", "node", "range", "reads",
            "sibling", "replaces", "slot", "pruned", "keep")

    @classmethod
    def coerce(cls, value):
        """A Highlight from None, a Highlight or a dict with the field names as keys."""
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        if isinstance(value, dict):
            unknown = sorted(set(value) - set(cls.KEYS))
            if unknown:
                raise ExportError(f"unknown highlight key(s) {unknown}; expected some of "
                                  f"{list(cls.KEYS)}")
            kw = {}
            for k, v in value.items():
                if k in ("node", "sibling") or v is None:
                    kw[k] = v
                elif k == "reads":
                    kw[k] = bool(v)
                elif k in ("range", "slot"):
                    kw[k] = tuple(v)
                elif k == "pruned":
                    kw[k] = _pruned(v)
                elif k == "replaces":
                    kw[k] = tuple(sorted(dict(v).items()) if isinstance(v, dict)
                                  else tuple(tuple(p) for p in v))
                else:
                    kw[k] = tuple(v)
            return cls(**kw)
        raise ExportError(f"highlight must be a dict or a Highlight, not {type(value).__name__}")

    def status(self, serial):
        if serial in self.copied:
            return "copied"
        if serial in self.new:
            return "new"
        if serial in self.modified:
            return "modified"
        return None

    def core(self):
        """Serials a drawing keeps whatever its width: the path, the state's node and
        slot, the sibling and the nodes whose slots the gap search judged."""
        out = list(self.path) + [s for s in self.keep if s not in self.path]
        for s in (self.node, self.sibling, self.slot[0] if self.slot else None):
            if s is not None:
                out.append(s)
        out.extend(p[0] for p in self.pruned)
        return out

    def changed(self):
        """Serials of the changed nodes, least important first (the most recent last)."""
        return list(self.modified) + list(self.new) + list(self.copied)

    def focus(self):
        """Serials a collapsed drawing keeps when it can."""
        return self.core() + self.changed()


def _pruned(v):
    """((serial, offset, gap, verdict), ...) from what a step carries; malformed items
    are left out (a view ignores what it does not understand)."""
    out = []
    for item in v or ():
        try:
            serial, offset, gap, verdict = item
        except (TypeError, ValueError):
            continue
        if isinstance(serial, int) and isinstance(offset, int):
            out.append((serial, offset, gap, str(verdict)))
    return tuple(out)


def _slot(v):
    try:
        serial, offset = v
    except (TypeError, ValueError):
        return None
    if isinstance(serial, int) and isinstance(offset, int):
        return (serial, offset)
    return None


def _neighbour(view, serial, side):
    by = view.by_serial()
    n = by.get(serial)
    if n is None or n.parent is None:
        return None
    sib = by[n.parent].slots
    k = n.slot_in_parent + (-1 if side in ("left", "prev") else 1)
    return sib[k] if 0 <= k < len(sib) else None


def dup_visits(view, visit):
    """Pre-order visit numbers of the nodes __mt_dup has copied after ``visit`` visits
    (the copy is built in the walker's pre-order, so visit k is the node with id k-1)."""
    return {n.serial: n.id + 1 for n in view.nodes if n.id + 1 <= visit}


def step_highlight(step, prev_view=None, visit_numbers=None):
    """(Highlight, visit numbers) for a recorded step."""
    view = step.view
    d = step.details
    new, copied = list(step.new), []
    replaces = []
    if prev_view is not None and step.freed:
        prev = prev_view.by_serial()
        cur = view.by_serial()
        freed = [prev[s] for s in step.freed if s in prev]
        for s in step.new:
            n = cur.get(s)
            if n is None:
                continue
            for f in freed:
                if f.content_key() == n.content_key() and f.depth == n.depth:
                    copied.append(s)
                    replaces.append((s, f.serial))
                    break
                if (f.type, f.min, f.max, f.depth) == (n.type, n.min, n.max, n.depth):
                    replaces.append((s, f.serial))
                    break
        new = [s for s in new if s not in copied]
    if step.fn in DUP_FNS:
        if visit_numbers is None and "visit" in d:
            visit_numbers = dup_visits(view, d["visit"])
            if d.get("src") is not None and d["visit"]:
                visit_numbers[d["src"]] = d["visit"]
        copied = sorted(visit_numbers or {}, key=lambda s: visit_numbers[s])
    nodes = view.by_serial() if view is not None and view.root == "node" else None
    sibling = None
    side = d.get("side") if step.fn == "mas_push_data" else d.get("sibling") \
        if step.fn == "mas_rebalance" else None
    if side and step.node is not None and nodes is not None:
        depth = nodes[step.node].depth if step.node in nodes else None
        target = next((s for s in step.path if nodes[s].depth == depth), step.node) \
            if depth is not None else None
        sibling = _neighbour(view, target, side) if target is not None else None
    rng = None
    # a gap-search step (it carries ``pruned``) has the search window as index/last, not
    # a range it reads or writes: its marks are the verdicts and the state's slot; a step
    # with ``range`` None in its info is about no range (a decision between steps)
    if step.fn not in NO_RANGE_FNS and nodes is not None and "pruned" not in d \
            and d.get("range", ()) is not None:
        rng = (step.index, step.last)
    path, keep = tuple(step.path), ()
    if step.fn in READ_FNS:
        # a read has walked only as far as its state: the path down to the state's node
        # (none before the first node is read), and the range it looks up is marked once
        # the walk is in the leaf, not before (a step 0 would show where the walk ends)
        walked = path[:path.index(step.node) + 1] if step.node in path else ()
        path, keep = walked, path[len(walked):]   # the rest is drawn, unmarked
        if d.get("range", ()) is None:            # a step about no range (a search's
            focus = d.get("focus")                # start): its "focus" index, if any
            keep = tuple(view.path_to(focus)) if focus is not None and nodes else ()
        if rng is not None and not getattr(nodes.get(step.node), "is_leaf", False):
            rng = None
    hl = Highlight(new=tuple(new), copied=tuple(copied), modified=tuple(step.modified),
                   freed=tuple(step.freed), path=path, keep=keep, node=step.node,
                   range=rng, reads=rng is not None and step.fn in LOOKUP_FNS,
                   sibling=sibling, replaces=tuple(replaces),
                   slot=_slot(d.get("slot")), pruned=_pruned(d.get("pruned")))
    return hl, visit_numbers


def big_node_of(step):
    """The big node of a mab_calc_split step, with its split points, or None."""
    if step.fn != "mab_calc_split":
        return None
    d = step.details
    big = dict(d.get("big_node") or {})
    if not big:
        return None
    for k in ("split", "mid_split", "mode", "b_end"):
        if k in d:
            big[k] = d[k]
    return big
