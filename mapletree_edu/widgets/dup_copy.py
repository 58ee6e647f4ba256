# SPDX-License-Identifier: GPL-2.0-or-later
"""What the copy holds at each step of a recorded ``__mt_dup`` (the copy panel of
:meth:`SideBySide.dup <mapletree_edu.widgets.pairs.SideBySide.dup>`).

No kernel twin: read from the mas_dup_build / mas_dup_alloc steps of v6.8's
mas_dup_build(). The copy's nodes are new allocations with serials of their own; they are
built in the depth-first pre-order of the source, so the copy so far is the source's view
restricted to the visited nodes, each renamed to its copy's serial.
"""

import dataclasses


def dup_visited(steps, i):
    """{source serial: pre-order visit number} of the nodes __mt_dup copied up to step i."""
    visits = {}
    for s in steps[:i + 1]:
        d = s.details
        if s.fn == "mas_dup_build" and d.get("visit") and "src" in d:
            visits[d["src"]] = d["visit"]
    return visits


def dup_serials(steps):
    """{source serial: serial of its copy} for the nodes a recorded __mt_dup copied.

    Each copy is a new allocation with a serial of its own (mas_dup_build's ``dst``).
    A child never visited (the copy failed first) was allocated in the same bulk call as
    its siblings, which take consecutive serials: its serial follows the first child's.
    """
    out = {}
    for s in steps:
        d = s.details
        if s.fn == "mas_dup_build" and "src" in d and "dst" in d:
            out[d["src"]] = d["dst"]
    view = steps[-1].view if steps else None
    if view is not None and view.root == "node":
        for n in view.nodes:
            if not n.is_leaf and n.serial in out and n.slots and n.slots[0] in out:
                first = out[n.slots[0]]
                for k, child in enumerate(n.slots[:n.end + 1]):
                    out.setdefault(child, first + k)
    return out


def dup_allocated(steps, i):
    """{source serial: whether its copy's children were allocated} for the internal
    nodes whose mas_dup_alloc (right after the node's mas_dup_build) ran by step i."""
    out = {}
    for k in range(min(i, len(steps) - 1)):
        s, nxt = steps[k], steps[k + 1]
        if s.fn == "mas_dup_build" and "src" in s.details and nxt.fn == "mas_dup_alloc":
            out[s.details["src"]] = bool(nxt.details.get("ok"))
    return out


def copy_view(view, visits, serials=None, allocated=None):
    """What the copy holds so far: the source's nodes __mt_dup has visited, each under
    the serial of its copy (``serials``: source serial -> copy's serial; none: the
    source's own). A copied internal node whose children are allocated
    (``allocated[source serial]`` true) points at their copies; before that,
    mas_copy_node has copied its slots whole, so they still point at the source's
    children; when the allocation failed (false), its slots were cleared to NULL."""
    allocated = allocated or {}
    if view is None or view.root != "node":
        return view
    serials = serials or {}
    nodes = []
    for n in view.nodes:
        if n.serial not in visits:
            continue
        slots = n.slots
        if not n.is_leaf and allocated.get(n.serial):
            slots = tuple(serials.get(c, c) for c in n.slots)
        elif not n.is_leaf and n.serial in allocated:
            slots = (None,) * (n.end + 1) + tuple(n.slots[n.end + 1:])
        nodes.append(dataclasses.replace(
            n, serial=serials.get(n.serial, n.serial), slots=slots,
            parent=serials.get(n.parent, n.parent) if n.parent is not None else None))
    return dataclasses.replace(view, nodes=tuple(nodes))
