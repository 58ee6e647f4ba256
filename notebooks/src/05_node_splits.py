# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/05-node-splits.ipynb."""

from build import check, code, exercise, lesson, md, predict
from lessonparts import md_with, table

PREREQUISITES = table(
    ("Lesson", "What you need from it"),
    ("[01 What a maple tree stores](01-what-a-maple-tree-stores.ipynb)",
     "pivots, slots, the node types and their sizes"),
    ("[02 Walking and storing](02-walking-and-storing.ipynb)",
     "the write paths and the big node"),
)

VOCABULARY = table(
    ("Word", "Meaning"),
    ("big node", "`struct maple_big_node`: a temporary array of up to 34 slots that holds a "
     "node's data plus the write"),
    ("`b_end`", "the last offset used in the big node (so it holds `b_end + 1` ranges)"),
    ("split point", "the last offset that goes to the left node"),
    ("push", "sharing the data with a sibling that has room, instead of adding a node"),
    ("`mt_min_slots`", "6 for leaves, 4 for `arange_64`: a non-root node with that many "
     "entries or fewer is too small"),
    ("rebalance", "combining a too-small node with a sibling"),
    ("spanning store", "a write whose range crosses the end of a leaf"),
    ("ledger", "the node cache's counters: nodes handed out (`allocs`), given back "
     "(`frees`), allocator calls"),
)

KERNEL_FUNCTIONS = table(
    ("Function", "What it does", "Where in v6.8"),
    ("`mas_commit_b_node()`", "rewrite, split or rebalance the big node",
     "`lib/maple_tree.c:3433`"),
    ("`mas_split()`", "the upward split loop; reserves `1 + 2 * height` nodes; a new root "
     "when the root splits", "`lib/maple_tree.c:3315`"),
    ("`mas_push_data()`", "share the data with the left or right sibling instead of "
     "splitting", "`lib/maple_tree.c:3247`"),
    ("`mas_split_final_node()`", "write the level that fits into one new node",
     "`lib/maple_tree.c:3138`"),
    ("`mab_calc_split()`", "the split point: `b_end / 2`, the small-pivot rule, three ways",
     "`lib/maple_tree.c:1852`"),
    ("`mab_no_null_split()`", "move a split point off a NULL slot", "`lib/maple_tree.c:1827`"),
    ("`mab_middle_node()`", "does the big node need three nodes?", "`lib/maple_tree.c:1805`"),
    ("`mas_rebalance()`", "a too-small node combined with its sibling; reserves "
     "`2 * height - 1` nodes", "`lib/maple_tree.c:2960`"),
    ("`mas_is_span_wr()`", "does the write cross the end of the leaf?",
     "`lib/maple_tree.c:3541`"),
    ("`mas_wr_spanning_store()`", "a write across leaves; reserves `1 + 3 * height` nodes",
     "`lib/maple_tree.c:3785`"),
    ("`mas_spanning_rebalance()`", "rebuild the affected subtree level by level, passing "
     "the left node's min to `mab_calc_split()`", "`lib/maple_tree.c:2831`"),
    ("`mas_topiary_replace()`", "swap the new subtree in and free the old nodes",
     "`lib/maple_tree.c:2548`"),
)

DESCRIPTION = ("When a node overflows: push into a sibling, where mab_calc_split cuts (and "
               "v6.8's small-pivot rule), splits that ripple up, rebalance, spanning stores "
               "and the three-way split.")


def notebook():
    return lesson([
        md("""
        # Node splits

        When a write no longer fits in its leaf, the big node of lesson 02 holds more than
        one node's worth of data and `mas_split()` has to share it out. This lesson follows
        that decision step by step: first the kernel tries to push data into a sibling;
        otherwise `mab_calc_split()` picks the split point, with two v6.8 rules that move it
        (the small-pivot rule, and never ending a node on a NULL). A split can ripple up to
        the root. Then the opposite case: a node that became too small is rebalanced, a
        write that crosses leaves is a spanning store, and only a spanning store can need a
        three-way split.
        """),
        md_with("""
        ## At a glance

        *Time:* about 50 minutes.

        *Prerequisites:*

        {PREREQUISITES}

        *You will learn:*

        * how `mas_split()` tries a push into a sibling before it splits, and what both cost;
        * where `mab_calc_split()` cuts, and the two v6.8 rules that move the cut;
        * why the small-pivot rule depends on the width of the ranges, not their address;
        * how a split ripples up and a root split adds a level;
        * what a rebalance and a spanning store do, and which of them can split three ways.
        """, PREREQUISITES=PREREQUISITES),
        md_with("""
        ### Vocabulary

        {VOCABULARY}
        """, VOCABULARY=VOCABULARY),
        code("""
        from mapletree_edu.lessons import l05
        from mapletree_edu.lessons.common import (
            Table,
            fns,
            leaf_sizes,
            leaves,
            record_op,
            show,
            show_steps,
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
        room, `mab_calc_split()` chooses where to cut, and the parent gains a child. A root
        leaf has no siblings, so here it always splits, and the new root is one level up.

        Here is the full root leaf, and the big node the next store, `store(15, 15, 15)`,
        makes of it:
        """),
        code("""
        t = l05.singletons(15)
        steps, after = record_op(t, "store", 15, 15, 15, on_copy=True)
        show(t)
        """, ignore_output=True),
        code("""
        l05.big_node_table(steps)
        """),
        predict("""
        the player stops before each decision and asks you: first whether the data is
        pushed or split, then where the split point falls. `mab_calc_split()` starts from
        the middle, `b_end / 2`. Where would you cut this big node?
        """),
        code("""
        first = PredictPlayer(steps, "store(15, 15, 15) into a full root leaf")
        first
        """, ignore_output=True),
        check("""
        assert first.state()["index"] == 0 and sorted(first.questions) == [3, 5]
        """),
        md("""
        *After you have stepped through it:* the numbers of this split.
        """),
        code("""
        calc = l05.calc_steps(steps)[0]
        show_steps(f"b_end {calc.details['b_end']}: the middle is {calc.details['b_end'] // 2}, "
                   f"the split point is {calc.details['split']}",
                   f"leaves after the store: {leaf_sizes(after)}", f"why: {calc.why}")
        """, ignore_output=True),
        md("""
        The cut is not in the middle. In v6.8 `mab_calc_split(mas, bn, &mid_split, min)`
        has a **small-pivot rule**: while the pivot at the split point is less than
        `min + 15` (and the right node would keep more than `mt_min_slots` entries), it
        moves the split one to the right. `mas_split()` passes `min = 0` at the leaf level,
        so in a leaf split the rule only fires when the indices themselves are below 15.
        Section 2 shows where else it fires.
        """),
        check("""
        assert leaf_sizes(after) == [11, 6] and calc.details["split"] == 10
        """),
        md("""
        ## 2. The small-pivot rule is about width, not address

        `mas_split()` is not the only caller. A rebalance and a spanning store build their
        new nodes in `mas_spanning_rebalance()`, which passes `mast->orig_l->min`: the real
        minimum of the left node being rebuilt. There, `pivot - min < 15` holds whenever the
        ranges are narrow, at any address.

        Singletons from 1,000 up: `[1000 + i, 1000 + i] = i` for `i < 37`. Erase entries 14,
        15 and 16 (indices 1014 to 1016); the next erase, of entry 17, leaves the middle leaf
        with 6 entries, too few, so `mas_rebalance()` combines it with its next sibling:
        """),
        code("""
        before, steps, after = l05.narrow_erases(width=1)
        print("leaves before the fourth erase:", leaf_sizes(before))
        show(before)
        """, ignore_output=True),
        code("""
        l05.big_node_table(steps)
        """),
        predict("""
        the rebalance's big node above holds 21 entries, offsets `0..20`, and the left leaf
        starts at index 1014. Is any pivot near the middle below `1014 + 15`? Where does the
        split point fall?
        """),
        code("""
        narrow = PredictPlayer(steps, "erase(1017): the fourth erase")
        narrow
        """, ignore_output=True),
        check("""
        assert narrow.state()["index"] == 0 and narrow.questions
        """),
        md("""
        *After the player:* the same tree with each range 16 indices wide instead of 1 (the
        same number of entries, the same node layout) gets the cut in the middle:
        """),
        code("""
        rows = []
        for width in (1, 2, 16):
            _before, st, aft = l05.narrow_erases(width=width)
            c = l05.calc_steps(st)[0]
            rows.append([width, c.details["b_end"], c.details["split"], leaf_sizes(aft),
                         "yes" if l05.small_pivot_fired(c) else "no"])
        show_steps(Table(["range width", "b_end", "split", "leaves after",
                          "small-pivot rule fired"], rows))
        """, ignore_output=True),
        check("""
        assert rows[0][4] == "yes" and rows[1][4] == rows[2][4] == "no"
        assert rows[0][3] == [15, 13, 8] and rows[2][3] == [15, 11, 10]
        """),
        md("""
        The rule gives the left node more entries when the ranges are narrow, whatever
        their address. In a VMA tree every range (a VMA or the hole between two) is a whole
        number of pages, at least 4,096 indices wide, so `pivot - min` is never below 15
        and the rule does not fire there. Upstream removed the rule after v6.8 (see *After v6.8*).

        ## 3. Splits of VMA-like ranges

        Memory maps look like this instead: ranges spread out, with holes between them.
        `l05.appended(n)` is an allocation tree after `n` VMA-like appends
        `[10i, 10i + 5]` (a hole after each), stored in order the way `mmap()` calls at
        rising addresses add VMAs. After 8 appends the root leaf is full (a VMA and a hole
        each):
        """),
        code("""
        base = l05.appended(8)
        steps, after = record_op(base, "store", *l05.append_range(8), 8, on_copy=True)
        show(base)
        """, ignore_output=True),
        code("""
        l05.big_node_table(steps)
        """),
        predict("""
        append 8 does not fit. Where will `mab_calc_split()` cut this big node? Here the
        pivots are far above `0 + 15`.
        """),
        code("""
        first_vma = PredictPlayer(steps, "append 8: store(80, 85, 8)")
        first_vma
        """, ignore_output=True),
        code("""
        show_steps(f"leaves after append 8: {leaf_sizes(after)}")
        """, ignore_output=True),
        check("""
        assert first_vma.state()["index"] == 0 and leaf_sizes(after) == [9, 9]
        """),
        md("""
        ## 4. Pushing into a sibling: `mas_push_data`

        Before splitting, `mas_split()` looks at the node's siblings under the same parent.
        If a sibling and the big node together fit into two nodes with room to spare
        (`b_end + sibling end` below `2 * 16 - 2`, one less for a leaf, one less again for
        the rightmost node), it shares the data between the two: a left push fills the left
        node to 15 entries and leaves the rest on the right. The parent keeps its number of
        children and the split stops rippling up.

        After 12 appends the tree has two leaves, and the last one is full again:
        """),
        code("""
        base = l05.appended(12)
        steps, after, ledger, grown = l05.ledger_of(base, "store", *l05.append_range(12), 12)
        show(base)
        """, ignore_output=True),
        predict("""
        append 12 overflows the last leaf, which now has a left sibling. Will the data be
        pushed left, pushed right, or split? And how many nodes will the store take from
        the node cache?
        """),
        code("""
        push = PredictPlayer(steps, "append 12: store(120, 125, 12)")
        push
        """, ignore_output=True),
        md("""
        *After the player:* what the push did, and what it cost.
        """),
        code("""
        show_steps(f"leaves before {leaf_sizes(base)} after {leaf_sizes(after)}",
                   f"ledger of the store: {ledger} | node count change: {grown}",
                   step_table(steps_named(steps, "mas_push_data"),
                              keys=("side", "b_end", "sibling_end", "space", "split",
                                    "pushed")))
        """, ignore_output=True),
        check("""
        assert push.state()["index"] == 0
        assert ledger == {"allocs": 5, "frees": 5, "alloc_calls": 2} and grown == 0
        """),
        md("""
        A push does not write into the sibling in place. `mas_split()` first asks for
        `1 + 2 * height` nodes (5 here), then takes a new left and a new right node from
        them **before** it tries the push; the push fills those two new nodes (the
        sibling's entries and the big node's), and `mas_split_final_node()` writes a new
        parent. Three new nodes replace three old ones (the two leaves and the parent), the
        two unused nodes go back: allocs 5, frees 5, and the tree has as many nodes as
        before.

        A push to the **right** needs a node with a right sibling that has room, and no room
        on the left. A range added in the middle of the first leaf of a tree of 13 appends:
        """),
        code("""
        base = l05.appended(13)
        steps, after = record_op(base, "store", 7, 8, "new", on_copy=True)
        print("leaves before", leaf_sizes(base), "after", leaf_sizes(after))
        step_table(steps_named(steps, "mas_push_data"),
                   keys=("side", "b_end", "sibling_end", "space", "split", "pushed"))
        """),
        md("""
        ## 5. Never split on a NULL

        A leaf other than the last one must not end with a NULL range (the hole between
        two VMAs sits at the start of the next leaf). So after choosing the split point,
        `mab_no_null_split()` checks the slot there: if it is NULL, the split moves one to
        the right, or one to the left if the right node would become too small. Append 15
        overflows the last leaf of this tree, and its left sibling is too full for a push:
        """),
        code("""
        base = l05.appended(15)
        steps, after = record_op(base, "store", *l05.append_range(15), 15, on_copy=True)
        show(base)
        """, ignore_output=True),
        code("""
        l05.big_node_table(steps)
        """),
        predict("""
        find the middle offset of this big node (`b_end / 2`). Does it hold NULL? Then pick
        the split point.
        """),
        code("""
        no_null = PredictPlayer(steps, "append 15: store(150, 155, 15)")
        no_null
        """, ignore_output=True),
        code("""
        calc = l05.calc_steps(steps)[0]
        show_steps(f"b_end {calc.details['b_end']}, middle {calc.details['b_end'] // 2}, "
                   f"split {calc.details['split']} -> leaves {leaf_sizes(after)}",
                   f"why: {calc.why}")
        """, ignore_output=True),
        check("""
        assert no_null.state()["index"] == 0 and calc.details["split"] == 9
        """),
        md("""
        The whole history of 24 appends, keeping only the stores that needed the big node:
        split, push, split off a NULL, and again. The left leaves stay full because appends
        always go to the right.
        """),
        code("""
        l05.history_table(l05.append_history(24), only_changes=True)
        """),
        md("""
        ## 6. Splits ripple up

        A split adds a child to the parent. When the parent is full too, it is split in the
        same loop, one level up, with the same push-first rule; when the root splits, a new
        root is made and the tree grows by one level. An `arange_64` root holds at most 10
        children; after 79 appends the root is full and its last leaf too:
        """),
        code("""
        before = l05.appended(79)
        steps, after = record_op(before, "store", *l05.append_range(79), 79, on_copy=True)
        show(before, collapse=3, focus_index=790)
        """, ignore_output=True),
        predict("""
        how many `mab_calc_split` steps will this store have, and at which levels? What will
        the height be afterwards?
        """),
        code("""
        ripple = PredictPlayer(steps, "append 79: store(790, 795, 79)",
                               dot_opts=l05.COLLAPSED)
        ripple
        """, ignore_output=True),
        code("""
        show_steps(f"height {before.height} -> {after.height}, "
                   f"{before.node_count} -> {after.node_count} nodes",
                   step_table(steps, keys=("side", "pushed", "b_end", "split")))
        """, ignore_output=True),
        check("""
        assert ripple.state()["index"] == 0 and (before.height, after.height) == (2, 3)
        assert len(l05.calc_steps(steps)) == 2
        """),
        md("""
        ## 7. Rebalance: `mas_rebalance`

        The opposite problem: a non-root node that drops to `mt_min_slots` entries or fewer
        (lesson 02 showed the node store refusing it). `mas_rebalance()` combines the
        node's data with its **next** sibling (or its previous one, for the last child) and
        runs the same engine as a spanning store, `mas_spanning_rebalance()`: if it all fits
        in one node, the two leaves become one; otherwise it is split again. Erase entries
        32 and 33 of a tree of forty appends; the first erase is a node store:
        """),
        code("""
        t = l05.erase_base()
        print("start:", leaf_sizes(t))
        steps, t = record_op(t, "erase", l05.append_range(32)[0])
        print("erase entry 32:", fns(steps)[1:], "->", leaf_sizes(t))
        steps, after = record_op(t, "erase", l05.append_range(33)[0], on_copy=True)
        show(t, collapse=3, focus_index=l05.append_range(33)[0])
        """, ignore_output=True),
        predict("""
        erasing entry 33 leaves the fifth leaf too small. Its next sibling is the last leaf.
        Will the two end up as one leaf or two?
        """),
        code("""
        small_leaf = Player(steps, "erase(330)", dot_opts=l05.COLLAPSED)
        small_leaf
        """, ignore_output=True),
        code("""
        show_steps(f"leaves after: {leaf_sizes(after)}", step_table(steps))
        """, ignore_output=True),
        check("""
        assert small_leaf.state()["index"] == 0 and leaf_sizes(after) == [15, 16, 16, 16, 13]
        """),
        md("""
        A leaf is rebalanced when it has dropped to `mt_min_slots` (6) entries or fewer,
        and its sibling holds at most 16. So the big node of a leaf rebalance holds at most
        about 22 entries, and two nodes always take it: a rebalance never needs the
        three-way split of section 9.

        ## 8. Spanning stores

        A write whose range crosses the end of its leaf cannot be done inside one leaf.
        The walk notices it (`mas_is_span_wr()`) and `mas_wr_spanning_store()` takes over:
        it finds the leaf holding `index` and the one holding `last + 1`, builds one big
        node from the left part, the entry and the right part, and hands it to
        `mas_spanning_rebalance()`, which rebuilds the affected part of the tree bottom-up
        and swaps it in (`mas_topiary_replace()`: the new nodes are linked in and the nodes
        they replace are freed, after an RCU grace period in RCU mode).

        One NULL write is always spanning: a NULL that would end exactly at a leaf's
        maximum, because a leaf must not end with a NULL. Erase the last entry of the
        first leaf; its NULL joins the NULL range at the start of the next leaf:
        """),
        code("""
        base = l05.erase_base()
        target = leaves(base)[0].slots[-1]       # the last entry of the first leaf
        steps, after = record_op(base, "erase", l05.append_range(target)[0], on_copy=True)
        show(base, collapse=3, focus_index=l05.append_range(target)[0])
        """, ignore_output=True),
        predict("""
        after the spanning store, where does the NULL range that replaced the entry end:
        in the first leaf, or in the second? How many leaves will there be?
        """),
        code("""
        spanning = Player(steps, f"erase({l05.append_range(target)[0]})",
                          dot_opts=l05.COLLAPSED)
        spanning
        """, ignore_output=True),
        code("""
        show_steps(f"erase entry {target}: {fns(steps)}",
                   f"leaves {leaf_sizes(base)} -> {leaf_sizes(after)}")
        """, ignore_output=True),
        check("""
        assert spanning.state()["index"] == 0
        assert "mas_wr_spanning_store" in fns(steps)
        """),
        md("""
        ## 9. The three-way split

        `mab_middle_node()` asks for a third node when the big node holds at least
        `2 * 16 + 1` entries (`b_end >= 32`), or one fewer when the slot at `b_end / 2` is
        NULL. A normal write adds at most two ranges to a full leaf (17 or 18 entries), and
        a rebalance combines at most about 22. Only a **spanning store** can gather more:
        it keeps the head of one leaf, the new entry and the tail of the next leaf, so if
        both leaves are full and the store covers little of them, the big node holds 33
        entries or more. Then the first split point is `b_end / 3` and the second twice
        that, each moved off a NULL slot by `mab_no_null_split()`. Store from inside the last
        entry of one full leaf to inside the NULL range that starts the next one:
        """),
        code("""
        base = l05.erase_base()
        steps, after = record_op(base, "store", *l05.THREE_WAY_STORE, on_copy=True)
        print("store", l05.THREE_WAY_STORE, "into leaves", leaf_sizes(base))
        show(base, collapse=3, focus_index=l05.THREE_WAY_STORE[0])
        """, ignore_output=True),
        code("""
        l05.big_node_table(steps)
        """),
        predict("""
        count the big node's entries: is it past the three-way threshold? Then find the two
        split points, and check the slots there for NULL. How many entries will each of the
        three new leaves get?
        """),
        code("""
        three = PredictPlayer(steps, f"store{l05.THREE_WAY_STORE}", dot_opts=l05.COLLAPSED)
        three
        """, ignore_output=True),
        code("""
        calc = l05.calc_steps(steps)[0]
        show_steps(f"b_end {calc.details['b_end']}: split {calc.details['split']}, "
                   f"mid split {calc.details['mid_split']}", f"why: {calc.why}",
                   f"leaves {leaf_sizes(base)} -> {leaf_sizes(after)}")
        """, ignore_output=True),
        check("""
        assert three.state()["index"] == 0 and calc.details["mid_split"] > 0
        """),
        md("""
        ## Exercises
        """),
        exercise(1, "force a three-way split", """
            Find **another** store `(first, last)` of one entry into `l05.erase_base()` whose
            big node `mab_calc_split()` cuts three ways. Think about which neighbouring
            leaves are both full, and how little of them your range may cover.
            """, """
            answer = None   # (first, last)
            """, "check_three_way", "l05", "three_way"),
        exercise(2, "the small-pivot rule above 10**9", """
            Build a sequence of operations on a new plain tree that makes the small-pivot
            rule fire in a big node whose pivots are all at or above `10**9`. An operation
            is `("store", first, last)` (the entry is the operation's number) or
            `("erase", index)`. Which callers of `mab_calc_split()` pass a real minimum?
            """, """
            answer = None   # a list of operations
            """, "check_small_pivot_anywhere", "l05", "anywhere"),
        exercise(3, "does the small-pivot rule fire?", """
            Store the singletons `[i, i] = i` for `i` in `l05.FIRST_SPLIT_SINGLETONS` into a
            plain tree, in order. Predict the leaf sizes at the end before you build it.
            Think about the range before the first singleton, and about the `min` a leaf
            split passes.
            """, """
            print(l05.FIRST_SPLIT_SINGLETONS)
            answer = None   # a list of leaf sizes, left to right
            """, "check_first_split", "l05", "first_split"),
        exercise(4, "the first split without holes", """
            Append **touching** ranges instead: `l05.append_history(40, length=l05.TOUCHING)`
            stores `[10i, 10i + 9]`, with no hole between them. At which append `i` does the
            root leaf first split, and into which leaf sizes? Answer `(i, [sizes])`. Predict
            it before you print the history.
            """, """
            answer = None   # (i, [leaf sizes])
            """, "check_vma_split", "l05", "vma_split"),
        exercise(5, "when does the rebalance come?", """
            Start from `l05.erase_base()` and erase the entries `l05.ERASE_ORDER` one by one
            (entry `i` starts at `l05.append_range(i)[0]`). Which erase is the first to
            rebalance a leaf? Answer with the entry number `i`.
            """, """
            print(l05.ERASE_ORDER)
            answer = None   # an entry number
            """, "check_rebalance", "l05", "rebalance"),
        md("""
        ## Summary

        * `mas_split()` works upwards from the overflowing node. It asks for
          `1 + 2 * height` nodes, takes a new left and right node, then tries
          `mas_push_data()` into the left, then the right sibling; a push fills the new
          nodes and a new parent and stops the ripple (as many nodes as before). Otherwise
          `mab_calc_split()` cuts the big node and the parent gains a child.
        * The split point starts at `b_end / 2`. v6.8's small-pivot rule moves it right
          while `pivot - min < 15`: with `min = 0` in a leaf split, only for tiny indices;
          with the left node's real minimum in a rebalance or spanning store, for narrow
          ranges anywhere. `mab_no_null_split()` moves it off a NULL.
        * A split ripples up while parents are full; a root split adds a level.
        * A node that becomes too small is combined with a sibling (`mas_rebalance()`,
          `mas_spanning_rebalance()`): merged into one node if it fits, split if not.
        * Only a spanning store can gather enough data (33 entries) for a **three-way**
          split; a rebalance holds at most about 22.
        """),
        md_with("""
        ## Kernel functions explained

        {KERNEL_FUNCTIONS}

        ## Resources

        * `Documentation/core-api/maple_tree.rst`, rendered at
          <https://docs.kernel.org/core-api/maple_tree.html>.
        * LWN, "Introducing maple trees" (2021): <https://lwn.net/Articles/845507/>.
        * "maple_tree: simplify split calculation" (Wei Yang), the commit that removed the
          small-pivot rule:
          <https://git.kernel.dk/?a=commit&h=4f6a6bed0bfef4b966f076f33eb4f5547226056a&p=linux-2.6-block.git>.

        ## After v6.8

        * **The small-pivot rule is gone.** "maple_tree: simplify split calculation"
          (upstream `4f6a6bed0bfe`, November 2024; the loop is gone in the
          6.13.7 source) removed the `min` argument and
          the loop: its message says the rule never worked because the minimum passed for
          leaves was 0, and that it could leave a deficient right node. Since then the
          normal split is `b_end / 2` plus the NULL adjustment.
        * **The bulk branch of `mab_calc_split()`** (lesson 06) went with bulk mode in
          "maple_tree: Drop bulk insert support" (`e3852a1213ff`, v6.18-rc1).

        ## What's next

        [06 Bulk insert](06-bulk-insert.ipynb): how `fork()` before v6.8 filled a whole
        tree at once, with left-balanced splits.
        """, KERNEL_FUNCTIONS=KERNEL_FUNCTIONS),
    ], DESCRIPTION)


if __name__ == "__main__":
    import build

    build.main(["05"])
