# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/02-walking-and-storing.ipynb."""

from build import code, exercise, lesson, md, predict


def notebook():
    return lesson([
        md("""
        # Walking and storing

        A store walks from the root to the leaf that holds its first index, works out how
        the leaf would look afterwards, and then picks the cheapest way to get there. In
        this lesson you record stores and read, from the steps the model records, which
        of the kernel's **write paths** each one took: exact fit, append, slot store, node
        store or the big node. You also see how NULL ranges are merged when something is
        removed, what `erase` does, and what changes in RCU mode.

        ## Overview

        1. The walk down to a leaf
        2. Which path will this store take?
        3. Stepping through each path
        4. When the node store refuses: the big node
        5. NULL stores, coalescing and erase
        6. RCU mode
        7. Exercises

        ## Prerequisites

        | Concept | Importance | Notes |
        | --- | --- | --- |
        | [What a maple tree stores](01-what-a-maple-tree-stores.ipynb) | Necessary | pivots |
        | NULL ranges, node types (lesson 1 too) | Necessary | a hole is a NULL range |
        | A player's status line | Helpful | each step names its kernel function and why |

        *Time to learn:* about 40 minutes.
        """),
        md("""
        ### Vocabulary

        | Word | Meaning |
        | --- | --- |
        | write path | the way a store is carried out; named after the kernel function doing it |
        | `offset`, `offset_end` | the leaf slots holding the write's first and last index |
        | `new_end` | the slot count the leaf would have after the write, minus one |
        | big node | a scratch node with room for two nodes' data, used by the slow path |
        | RCU mode | readers walk without locks, so nodes are replaced instead of edited |
        """),
        code("""
        from mapletree_edu.lessons import l02
        from mapletree_edu.lessons.common import (
            fns,
            leaf_sizes,
            node_table,
            path_table,
            player_state,
            ranges_table,
            record_op,
            slot_table,
            step_table,
            tree_of,
            vma_ranges,
            walk_table,
        )
        from mapletree_edu.widgets import Player
        """),
        md("""
        ## 1. The walk down to a leaf

        `l02.tree_b()` holds twelve VMA-like ranges `[10i, 10i + 5]`: too many for one leaf,
        so it has a root and two leaves.
        """),
        code("""
        tb = l02.tree_b()
        node_table(tb)
        """),
        md("""
        A store of `[index, last]` starts at the root (`mas_wr_walk()`). In each internal
        node it takes the first slot whose pivot is at least `index`, the last slot running
        to the node's maximum, and goes down into that child. At each level
        `mas_is_span_wr()` checks that `last` also stays inside the chosen slot; if it does
        not, the write spans several subtrees and becomes a *spanning store* (lesson 05).
        At the leaf, `mas_wr_end_piv()` finds the slot that holds `last`. The walk for
        index 62:
        """),
        code("""
        walk_table(tb, 62)
        """),
        md("""
        ## 2. Which path will this store take?

        At the leaf, `mas_wr_modify()` tries the fast paths in a fixed order, cheapest
        first, and falls back to the slow path when none fits:

        1. **exact fit**: the write covers exactly one existing range, so only that slot
           changes (recorded as a `mas_wr_modify` step);
        2. **append** (`mas_wr_append`): the write lands in the node's last slot and the
           new ranges fit after it. The node is changed in place;
        3. **slot store** (`mas_wr_slot_store`): the slot count stays the same, only a
           boundary moves (or, outside RCU mode, one slot between two moved boundaries is
           replaced);
        4. **node store** (`mas_wr_node_store`): the leaf is rebuilt with the new range in
           it. It refuses if a non-root leaf would end up too small;
        5. **big node** (`mas_wr_bnode`): everything is copied into a big node, which is then
           rewritten into one node, split, or rebalanced with a sibling.

        The table below was made by running each store on a copy of `l02.tree_a()`, the
        six-range root leaf of lesson 1, recording it, and reading the first write-path step:
        """),
        code("""
        ta = l02.tree_a()
        print(ranges_table(ta))
        path_table(ta, [(10, 15, "x"), (100, 105, "x"), (12, 19, "x"), (12, 22, "x"),
                        (12, 13, "x")])
        """),
        md("""
        Read each row against the ranges above. `store(10, 15, 'x')` replaces one range
        exactly. `store(100, 105, 'x')` falls in the last range, the NULL running to MAX,
        and adds a hole and an entry after it. `store(12, 19, 'x')` cuts the entry `1`
        short and fills the NULL after it, so the slot count does not change. `store(12,
        13, 'x')` puts a new range inside the entry `1`: `1` becomes two pieces, and the
        node must be rebuilt.

        ## 3. Stepping through each path

        Each player below plays one recorded store. The status line names the kernel
        function of each step and says why it happens; in the diagram, changed nodes and
        new nodes are coloured (the legend is in the picture).
        """),
        predict("""
        `store(10, 15, 'x')` covers exactly the range of the entry `1`. Which slots and
        pivots change? Then step.
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player (its SVG depends on the Graphviz build)
        steps, after = record_op(ta, "store", 10, 15, "x", on_copy=True)
        exact = Player(steps, "exact fit: store(10, 15, 'x')")
        exact
        """),
        code("""
        print(player_state(exact))
        print(fns(steps), steps[-1].details)
        """),
        predict("""
        `store(100, 105, 'x')` into `tree_a()`: the leaf is not full, and the write falls in
        its last slot. Which write path will it take, and how many slots will the leaf
        have after it? Then step to the end.
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player (its SVG depends on the Graphviz build)
        steps, after = record_op(ta, "store", 100, 105, "x", on_copy=True)
        append = Player(steps, "append: store(100, 105, 'x')")
        append
        """),
        code("""
        print(player_state(append))
        print(fns(steps), "-> leaf sizes", leaf_sizes(after))
        """),
        predict("""
        `store(12, 19, 'x')` moves the boundary between the entry `1` and the NULL after
        it. Which pivot changes, and does the slot count change?
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player (its SVG depends on the Graphviz build)
        steps, after = record_op(ta, "store", 12, 19, "x", on_copy=True)
        slot_store = Player(steps, "slot store: store(12, 19, 'x')")
        slot_store
        """),
        code("""
        print(player_state(slot_store))
        print("leaf sizes before", leaf_sizes(ta), "after", leaf_sizes(after))
        slot_table(after)
        """),
        predict("""
        `store(12, 13, 'x')` splits the entry `1` at `[10, 15]` into three pieces. The
        write is not in the last slot, and the slot count changes. Which path is left?
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player (its SVG depends on the Graphviz build)
        steps, after = record_op(ta, "store", 12, 13, "x", on_copy=True)
        node_store = Player(steps, "node store: store(12, 13, 'x')")
        node_store
        """),
        code("""
        print(player_state(node_store))
        slot_table(after)
        """),
        md("""
        ## 4. When the node store refuses: the big node

        The big node takes over in two cases. The leaf may **overflow**: `new_end` does not
        fit in 16 slots, and the big node is split (lesson 05). Or the leaf may become **too
        small**: a non-root leaf that would end with no more entries than `mt_min_slots`
        plus one is refused by `mas_wr_node_store()` (the table in lesson 1 lists
        `mt_min_slots`). The big node then either rewrites the node, if it is still big
        enough, or rebalances it with a sibling (`mas_commit_b_node()`).

        A full root leaf, `tree_of(vma_ranges(8))`, overflows when one more range is
        appended, and `tree_b()` has a left leaf that a large NULL store empties:
        """),
        code("""
        full = tree_of(vma_ranges(8))
        print(path_table(full, [(100, 105, "x")]))
        path_table(tb, [(0, 30, None)])
        """),
        predict("""
        `clear(0, 30)` empties most of the left leaf of `tree_b()`. Will the node store
        accept it? If not, will the big node rewrite the leaf or rebalance it?
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player (its SVG depends on the Graphviz build)
        steps, after = record_op(tb, "store", 0, 30, None, on_copy=True)
        rebalance = Player(steps, "big node: clear(0, 30)")
        rebalance
        """),
        code("""
        print(player_state(rebalance))
        step_table(steps)
        """),
        md("""
        The left leaf became too small, so `mas_rebalance()` combined it with its sibling
        and shared the entries out again. Lesson 05 looks inside that step, and inside
        `mas_split()`.

        ## 5. NULL stores, coalescing and erase

        Storing NULL removes whatever was there, but it must not leave two NULL ranges
        side by side. So before writing NULL, `mas_wr_extend_null()` widens the write over
        a NULL range that touches it on the left or on the right, inside the same leaf.
        `clear(14, 22)` cuts the end off `1` and the start off `2`; the NULL `[16, 19]`
        between them is swallowed into one NULL range:
        """),
        code("""
        steps, after = record_op(ta, "store", 14, 22, None, on_copy=True)
        print(fns(steps))
        ranges_table(after)
        """),
        md("""
        `erase(index)` is `mtree_erase()`: it finds the range holding `index` and stores NULL
        over **all** of it, so the same widening applies.
        """),
        predict("""
        `erase(40)` removes the entry `4` at `[40, 45]`, which has NULL ranges on both
        sides. How many slots will the leaf lose?
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player (its SVG depends on the Graphviz build)
        steps, after = record_op(ta, "erase", 40, on_copy=True)
        erase = Player(steps, "erase(40)")
        erase
        """),
        code("""
        print(player_state(erase))
        print(fns(steps))
        print("leaf sizes before", leaf_sizes(ta), "after", leaf_sizes(after))
        """),
        md("""
        ## 6. RCU mode

        In RCU mode (`MapleTree(rcu=True)`; the mm tree always is) lookups run without any
        lock, so a reader may be in the middle of a leaf while it is written. Paths that
        would change a node in a way a reader could see half done are switched off: the
        in-place **append** and the three-slot **slot store**. What they would have done,
        the node store does instead, into a **new** node that replaces the old one. Only
        the node identity changes; the shape is the same. The same five stores as in
        section 2, in RCU mode:
        """),
        code("""
        path_table(l02.tree_a(rcu=True), [(10, 15, "x"), (100, 105, "x"), (12, 19, "x"),
                                          (12, 22, "x"), (12, 13, "x")])
        """),
        predict("""
        in RCU mode, `store(12, 22, 'x')` cannot be a slot store. Which node will the
        diagram show as new, and which as freed?
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player (its SVG depends on the Graphviz build)
        steps, after = record_op(l02.tree_a(rcu=True), "store", 12, 22, "x")
        rcu = Player(steps, "RCU mode: store(12, 22, 'x')")
        rcu
        """),
        code("""
        print(player_state(rcu))
        print(f"{len(steps[-1].new)} new node, {len(steps[-1].freed)} freed node; "
              f"leaf sizes {leaf_sizes(after)}")
        """),
        md("""
        ## 7. Exercises
        """),
        exercise(1, "which path will this store take?", """
            Predict the write path of each store in `l02.WHICH_PATH_STORES`, each applied to
            a fresh `l02.tree_a()`. Answer with a list of kernel function names
            (`"mas_wr_modify"` for an exact fit, `"mas_wr_append"`, `"mas_wr_slot_store"`,
            `"mas_wr_node_store"`, `"mas_wr_bnode"`). Decide first, then check by recording
            them with `record_op(..., on_copy=True)`.
            """, """
            print(l02.WHICH_PATH_STORES)
            answer = None   # a list of four names
            """, "check_which_path", "l02", "which_path"),
        exercise(2, "where does the hole end?", """
            After `t.erase(l02.COALESCE_ERASE)` on a fresh `l02.tree_a()`, which NULL range
            holds that index? Answer `(first, last)`.
            """, """
            print("erase", l02.COALESCE_ERASE)
            answer = None   # (first, last)
            """, "check_coalesce", "l02", "coalesce"),
        exercise(3, "make the node store refuse", """
            Find a store `(first, last, entry)` into the **left** leaf of `l02.tree_b()`
            (entry `None` for a NULL store) that `mas_wr_node_store()` refuses, and that the
            big node then simply **rewrites** (no rebalance, no split). The check records it
            on a copy and tells you what happened.
            """, """
            print(slot_table(l02.tree_b(), 1))
            answer = None   # (first, last, entry)
            """, "check_refuse", "l02", "refuse"),
        exercise(4, "append in RCU mode", """
            Which write path does `store(60, 65, 'x')` take in `l02.tree_a(rcu=True)`?
            Answer with the kernel function name.
            """, """
            answer = None   # a kernel function name
            """, "check_rcu_append", "l02", "rcu_append"),
        md("""
        ## Summary

        * A store walks down by pivots to the leaf holding `index` (`mas_wr_walk()`),
          checking at each level that `last` stays in the same subtree (`mas_is_span_wr()`).
        * At the leaf `mas_wr_modify()` tries, in order: **exact fit**, **append**, **slot
          store**, **node store**; otherwise the **big node** (`mas_wr_bnode()`), which
          rewrites, splits or rebalances.
        * The node store refuses a non-root leaf that would become too small, so such
          writes take the big-node path.
        * NULL stores widen over touching NULL ranges (`mas_wr_extend_null()`); `erase` is a
          NULL store over the whole range holding the index.
        * In RCU mode the in-place append and the three-slot slot store are switched off;
          the node store writes a new node instead.

        ## What's next

        [Lesson 05, node splits](05-node-splits.ipynb): what the big node does when the data
        no longer fits, where the split point falls, when data is pushed into a sibling
        instead, and how small nodes are rebalanced.

        ## Kernel functions explained

        Names as in Linux v6.8 `lib/maple_tree.c`:

        * `mas_wr_store_entry()`: the root cases, the walk, then the leaf write.
        * `mas_wr_walk()`, `mas_is_span_wr()`: the walk to the leaf, and the spanning check.
        * `mas_wr_end_piv()`: the slot that holds `last`.
        * `mas_wr_extend_null()`: a NULL write widened over neighbouring NULL ranges.
        * `mas_wr_modify()`: the fast paths in order (the exact fit is done here).
        * `mas_wr_append()`, `mas_wr_slot_store()`, `mas_wr_node_store()`: the three other
          fast paths.
        * `mas_wr_bnode()`, `mas_store_b_node()`, `mas_commit_b_node()`: the big-node slow
          path and its rewrite / split / rebalance choice.
        * `mtree_erase()`: erase the range holding an index.
        """),
    ], "How a store finds its leaf and which write path it takes: exact fit, append, slot "
       "store, node store or the big node; NULL coalescing, erase and RCU mode.")


if __name__ == "__main__":
    import build

    build.main(["02"])
