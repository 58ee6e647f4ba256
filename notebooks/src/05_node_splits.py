# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/05-node-splits.ipynb."""

from build import code, exercise, lesson, md, predict


def notebook():
    return lesson([
        md("""
        # Node splits

        When a write no longer fits in its leaf, the big node of lesson 2 holds more than
        one node's worth of data and `mas_split()` has to share it out. This lesson follows
        that decision step by step: first the kernel tries to push data into a sibling;
        otherwise `mab_calc_split()` picks the split point, with two v6.8 rules that move it
        (the small-pivot rule, and never ending a node on a NULL). A split can ripple up to
        the root, and a very full big node splits three ways. Then the opposite case: a node
        that became too small is rebalanced, and a write that crosses leaves is a spanning
        store.

        ## Overview

        1. The first split: `mas_split` and `mab_calc_split`
        2. Splits of VMA-like ranges
        3. Pushing into a sibling: `mas_push_data`
        4. Never split on a NULL
        5. Splits ripple up
        6. The three-way split
        7. Rebalance: `mas_rebalance`
        8. Spanning stores
        9. Exercises

        ## Prerequisites

        | Concept | Importance | Notes |
        | --- | --- | --- |
        | [What a maple tree stores](01-what-a-maple-tree-stores.ipynb) | Necessary | pivots |
        | [Walking and storing](02-walking-and-storing.ipynb) | Necessary | the big node |
        | B-tree splits | Helpful | a full node becomes two, the parent gains a child |

        *Time to learn:* about 45 minutes.
        """),
        md("""
        ### Vocabulary

        | Word | Meaning |
        | --- | --- |
        | `b_end` | the last offset used in the big node (so it holds `b_end + 1` ranges) |
        | split point | the last offset that goes to the left node |
        | push | moving data into a sibling that has room, instead of making a new node |
        | `mt_min_slots` | below this a non-root node is too small (lesson 1's table) |
        | spanning store | a write whose range crosses the end of a leaf |
        """),
        code("""
        from mapletree_edu.lessons import l05
        from mapletree_edu.lessons.common import (
            fns,
            leaf_sizes,
            leaves,
            node_table,
            player_state,
            record_op,
            step_table,
            steps_named,
        )
        from mapletree_edu.widgets import Player
        from mapletree_edu.widgets.predict import PredictPlayer
        """),
        md("""
        ## 1. The first split: `mas_split` and `mab_calc_split`

        Store singletons `[i, i] = i` for `i = 0, 1, 2, ...` into a plain tree. The root
        leaf fills up, then one store no longer fits: `mas_wr_bnode()` copies the leaf and
        the new entry into a big node, and `mas_commit_b_node()` calls `mas_split()`. That
        function works upwards from the leaf. At each level it first tries to push data
        into the left sibling, then into the right one (`mas_push_data()`); if neither has
        room, `mab_calc_split()` chooses where to cut, two new nodes are made, and the
        parent gains a child. A root leaf has no siblings, so here it always splits, and
        the new root is one level up.
        """),
        code("""
        t = l05.singletons(15)
        print("before:", leaf_sizes(t), "| height", t.height)
        steps, t = record_op(t, "store", 15, 15, 15)
        print("after: ", leaf_sizes(t), "| height", t.height)
        step_table(steps)
        """),
        predict("""
        the player stops before each decision and asks you: first whether the data is
        pushed or split, then where the split point falls. The big node holds the
        singletons and the NULL range up to MAX. Where would you cut it?
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player asks before each decision (its SVG depends on the Graphviz build)
        first = PredictPlayer(steps, "the first split: store(15, 15, 15)")
        first
        """),
        code("""
        print(player_state(first))
        """),
        md("""
        `mab_calc_split()` starts from the middle, `b_end / 2`. Then comes a v6.8 rule: while
        the pivot at the split point is below `min + 15` (and the right node keeps enough
        entries), move the split one to the right. At the leaf level `min` is always 0, so
        this only fires when the indices themselves are tiny, as in test trees of small
        integers. The kernel later called it a heuristic that never worked and removed it
        in v6.13. The numbers of this split:
        """),
        code("""
        calc = steps_named(steps, "mab_calc_split")[0].details
        left, right = leaf_sizes(t)
        print(f"b_end {calc['b_end']}: the middle is {calc['b_end'] // 2}, "
              f"the split point is {calc['split']}")
        print(f"so the first split of singletons 0..{calc['b_end'] - 1} is {left}/{right}, "
              "not an even one, because of the small-pivot rule")
        print("why:", steps_named(steps, "mab_calc_split")[0].why)
        """),
        md("""
        ## 2. Splits of VMA-like ranges

        Memory maps do not look like that: VMAs are spread out, with holes between them.
        `l05.append_history(n)` appends VMA-like ranges `[10i, 10i + 5]` (a hole after each)
        one at a time into an allocation tree, the way `mmap()` calls add VMAs at rising
        addresses, and records every store. Most stores are appends into the last leaf; the
        table keeps only those that needed the big node:
        """),
        code("""
        rows = l05.append_history(24)
        l05.history_table(rows, only_changes=True)
        """),
        code("""
        first_split = next(r for r in rows if r["commit"] == "split" and not r["push"])
        b_end, split, _mid = first_split["split"]
        print(f"first split at append {first_split['i']}: b_end {b_end}, middle {b_end // 2}, "
              f"split {split} -> leaves {first_split['leaves']}")
        """),
        md("""
        Here the pivots at the split point are far above `min + 15`, so the small-pivot rule
        does not fire and the first split is in the middle.
        Three more things happen in the table: sometimes the big node ends with a **push**
        instead of a new leaf; sometimes the split point is one off the middle; and the
        leaves to the left stay nearly full, because appends always go to the right. The
        next sections take these one at a time.

        ## 3. Pushing into a sibling: `mas_push_data`

        Before splitting, `mas_split()` looks at the node's siblings under the same parent.
        If the left sibling and the big node together fit into two nodes with some room to
        spare, it moves data into the left one: the left node is filled up and the rest
        stays on the right. No new leaf is needed, and the parent keeps its number of
        children. The first push in the table:
        """),
        code("""
        pushed = next(r for r in rows if r["push"] == "left")
        steps, after = record_op(l05.appended(pushed["i"]), "store",
                                 *l05.append_range(pushed["i"]), pushed["i"])
        print("leaves before", leaf_sizes(l05.appended(pushed["i"])), "after", leaf_sizes(after))
        step_table(steps_named(steps, "mas_push_data"),
                   keys=("side", "b_end", "sibling_end", "space", "split", "pushed"))
        """),
        predict("""
        the last leaf overflows again, and now it has a left sibling. Will the data be
        pushed left, pushed right, or split?
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player asks before each decision (its SVG depends on the Graphviz build)
        push = PredictPlayer(steps, f"append {pushed['i']}: push left")
        push
        """),
        code("""
        print(player_state(push))
        """),
        md("""
        A push to the **right** needs a node with a right sibling that has room, and no
        room on the left. Add a range in the middle of the first leaf of the tree above:
        """),
        code("""
        base = l05.appended(pushed["i"] + 1)
        steps, after = record_op(base, "store", 7, 8, "new", on_copy=True)
        print("leaves before", leaf_sizes(base), "after", leaf_sizes(after))
        step_table(steps_named(steps, "mas_push_data"),
                   keys=("side", "b_end", "sibling_end", "space", "split", "pushed"))
        """),
        md("""
        ## 4. Never split on a NULL

        A leaf other than the last one must not end with a NULL range (the hole between
        two VMAs sits at the start of the next leaf). So after choosing the split point,
        `mab_no_null_split()` checks the slot there: if it is NULL, the split moves one to
        the right, or one to the left if the right node would become too small.
        """),
        code("""
        moved = next(r for r in rows if r["split"] and r["split"][1] != r["split"][0] // 2)
        steps, after = record_op(l05.appended(moved["i"]), "store",
                                 *l05.append_range(moved["i"]), moved["i"])
        calc = steps_named(steps, "mab_calc_split")[0]
        print(f"append {moved['i']}: b_end {calc.details['b_end']}, "
              f"middle {calc.details['b_end'] // 2}, split {calc.details['split']}")
        print("why:", calc.why)
        print("leaves after:", leaf_sizes(after))
        """),
        predict("""
        in this big node, which offsets hold NULL? Find the middle, check whether it is
        a NULL, and pick the split point before the player shows it.
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player asks before each decision (its SVG depends on the Graphviz build)
        no_null = PredictPlayer(steps, f"append {moved['i']}: the split moves off a NULL")
        no_null
        """),
        code("""
        print(player_state(no_null))
        """),
        md("""
        ## 5. Splits ripple up

        A split adds a child to the parent. When the parent is full too, it is split in
        the same loop, one level up, with the same push-first rule; when the root splits,
        a new root is made and the tree grows by one level. Keep appending until that
        happens (an `arange_64` root holds at most 10 children):
        """),
        code("""
        grows = next(r for r in l05.append_history(100) if r["height"] == 3)
        before = l05.appended(grows["i"])
        steps, after = record_op(before, "store", *l05.append_range(grows["i"]), grows["i"],
                                 on_copy=True)
        print(f"append {grows['i']}: height {before.height} -> {after.height}, "
              f"{before.node_count} -> {after.node_count} nodes")
        step_table(steps, keys=("side", "pushed", "b_end", "split"))
        """),
        predict("""
        how many `mab_calc_split` steps will this store have, and at which levels? Step
        through it and watch the leaf split first, then the root.
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player asks before each decision (its SVG depends on the Graphviz build)
        ripple = PredictPlayer(steps, f"append {grows['i']}: the root splits",
                               dot_opts=l05.COLLAPSED)
        ripple
        """),
        code("""
        print(player_state(ripple))
        for tree, name in ((before, "before"), (after, "after")):
            root = node_table(tree).rows[0]
            print(f"{name}: root {root[2]} with {root[4]} children, leaves {leaf_sizes(tree)}")
        """),
        md("""
        ## 6. The three-way split

        An ordinary write adds at most two ranges to a full leaf, so two nodes are always
        enough. A spanning store or a rebalance combines **two** leaves, and its big node
        can hold more than two nodes can take. `mab_middle_node()` notices this and
        `mab_calc_split()` cuts the data in three: at `b_end / 3` and `2 * b_end / 3`
        (each moved off a NULL). Store from inside the last entry of one full leaf to
        inside the NULL range that starts the next one:
        """),
        code("""
        steps, before, after = l05.three_way_facts()
        calc = steps_named(steps, "mab_calc_split")[0]
        print("store", l05.THREE_WAY_STORE)
        print(f"b_end {calc.details['b_end']}: split {calc.details['split']}, "
              f"mid split {calc.details['mid_split']}")
        print("why:", calc.why)
        print("leaves", before, "->", after)
        """),
        predict("""
        where will the two split points fall? Answer the player's question with the first
        one.
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player asks before each decision (its SVG depends on the Graphviz build)
        three = PredictPlayer(steps, "a spanning store that splits three ways",
                              dot_opts=l05.COLLAPSED)
        three
        """),
        code("""
        print(player_state(three))
        """),
        md("""
        ## 7. Rebalance: `mas_rebalance`

        The opposite problem: a non-root node that drops to `mt_min_slots` entries or fewer
        (lesson 2 showed the node store refusing it). `mas_rebalance()` combines the node's
        data with its **next** sibling (or its previous one, for the last child) and runs
        the same engine as a spanning store, `mas_spanning_rebalance()`: if it all fits in
        one node, the two leaves become one; otherwise it is split again, evenly. Erase
        two entries near the end of a tree of forty appends:
        """),
        code("""
        t = l05.erase_base()
        print("start:", leaf_sizes(t))
        for i in (32, 33):
            steps, t = record_op(t, "erase", l05.append_range(i)[0])
            print(f"erase entry {i}: {fns(steps)[1:]} -> {leaf_sizes(t)}")
        """),
        predict("""
        the second erase leaves the leaf too small. Its next sibling is the last leaf.
        Will the two end up as one leaf or two? Step to the end.
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player (its SVG depends on the Graphviz build)
        rebalance = Player(steps, "erase entry 33: rebalance",
                           dot_opts=l05.COLLAPSED)
        rebalance
        """),
        code("""
        print(player_state(rebalance))
        step_table(steps)
        """),
        md("""
        ## 8. Spanning stores

        A write whose range crosses the end of its leaf cannot be done inside one leaf.
        The walk notices it (`mas_is_span_wr()`) and `mas_wr_spanning_store()` takes over:
        it finds the leaf holding `index` and the one holding `last + 1`, builds one big
        node from the left part, the entry and the right part, and hands it to
        `mas_spanning_rebalance()`, which rebuilds the affected part of the tree bottom-up
        and swaps it in (`mas_topiary_replace()`).

        One NULL write is always spanning: a NULL that would end exactly at a leaf's
        maximum, because a leaf must not end with a NULL. Erase the last entry of the
        first leaf; its NULL joins the NULL range at the start of the next leaf:
        """),
        code("""
        base = l05.erase_base()
        target = leaves(base)[0].slots[-1]       # the last entry of the first leaf
        steps, after = record_op(base, "erase", l05.append_range(target)[0], on_copy=True)
        print(f"erase entry {target}:", fns(steps))
        print("leaves", leaf_sizes(base), "->", leaf_sizes(after))
        """),
        predict("""
        after the spanning store, where does the NULL range that replaced the entry end:
        in the first leaf, or in the second?
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player (its SVG depends on the Graphviz build)
        spanning = Player(steps, f"erase entry {target}: a spanning NULL store",
                          dot_opts=l05.COLLAPSED)
        spanning
        """),
        code("""
        print(player_state(spanning))
        """),
        md("""
        ## 9. Exercises
        """),
        exercise(1, "does the small-pivot rule fire?", """
            Store the singletons `[i, i] = i` for `i` in `l05.FIRST_SPLIT_SINGLETONS` into a
            plain tree, in order. What are the leaf sizes at the end? Think about the range
            before the first singleton, and about the pivots' size.
            """, """
            print(l05.FIRST_SPLIT_SINGLETONS)
            answer = None   # a list of leaf sizes, left to right
            """, "check_first_split", "l05", "first_split"),
        exercise(2, "the first split without holes", """
            Append **touching** ranges instead: `l05.append_history(40, length=l05.TOUCHING)`
            stores `[10i, 10i + 9]`, with no hole between them. At which append `i` does the root
            leaf first split, and into which leaf sizes? Answer `(i, [sizes])`. Predict it
            before you print the history.
            """, """
            answer = None   # (i, [leaf sizes])
            """, "check_vma_split", "l05", "vma_split"),
        exercise(3, "the first push", """
            In the same touching appends, at which append `i` does `mas_push_data()` first move
            data into the left sibling?
            """, """
            answer = None   # an append number
            """, "check_push_left", "l05", "push_left"),
        exercise(4, "when does the rebalance come?", """
            Start from `l05.erase_base()` and erase the entries `l05.ERASE_ORDER` one by one
            (entry `i` starts at `l05.append_range(i)[0]`). Which erase is the first to
            rebalance a leaf? Answer with the entry number `i`.
            """, """
            print(l05.ERASE_ORDER)
            answer = None   # an entry number
            """, "check_rebalance", "l05", "rebalance"),
        md("""
        ## Summary

        * `mas_split()` works upwards from the overflowing node. At each level it first tries
          `mas_push_data()` into the left, then the right sibling; only if neither has room
          does `mab_calc_split()` cut the big node, and the parent gains a child.
        * The split point starts at `b_end / 2`. In v6.8 the small-pivot rule moves it right
          when indices are tiny; `mab_no_null_split()` moves it off a NULL, so no leaf but
          the last ends with a NULL.
        * A split ripples up while parents are full; a root split adds a level.
        * A spanning store or a rebalance can need a **three-way** split
          (`mab_middle_node()`).
        * A node that becomes too small is combined with a sibling (`mas_rebalance()`,
          `mas_spanning_rebalance()`): merged into one node if it fits, split evenly if not.

        ## What's next

        [Lesson 06, bulk insert](06-bulk-insert.ipynb): how `fork()` in v6.1 to v6.7 filled a
        whole tree at once with different, left-balanced splits.

        ## Kernel functions explained

        Names as in Linux v6.8 `lib/maple_tree.c`:

        * `mas_commit_b_node()`: rewrite, split or rebalance the big node.
        * `mas_split()`: the upward split loop, a new root when the root splits.
        * `mas_push_data()`: move data into the left or right sibling instead of splitting.
        * `mab_calc_split()`: the split point (`b_end / 2`, the small-pivot rule, three-way).
        * `mab_no_null_split()`: move a split point off a NULL slot.
        * `mab_middle_node()`: does the big node need three nodes?
        * `mas_rebalance()`: a too-small node combined with its sibling.
        * `mas_is_span_wr()`, `mas_wr_spanning_store()`: a write across leaves.
        * `mas_spanning_rebalance()`: rebuild the affected subtree level by level.
        * `mas_topiary_replace()`: swap the new subtree in and free the old nodes.
        """),
    ], "When a node overflows: push into a sibling, where mab_calc_split cuts (and v6.8's "
       "small-pivot rule), splits that ripple up, three-way splits, rebalance and spanning "
       "stores.")


if __name__ == "__main__":
    import build

    build.main(["03"])
