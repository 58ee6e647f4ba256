# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/02-walking-and-storing.ipynb."""

from build import check, code, exercise, kernel_functions, lesson, md, predict

L01 = "01-what-a-maple-tree-stores.ipynb"
#: lesson 01's thresholds section, by its cell id (JupyterLab and nbviewer jump to it)
TOO_SMALL = L01 + "#cell-id=size-thresholds"


def notebook():
    return lesson([
        md("""
        # Walking and storing

        A store walks from the root to the leaf that holds its first index, works out how
        the leaf would look afterwards, and then picks the cheapest way to get there. In
        this lesson you predict, then step through, which of the kernel's **write paths**
        a store takes: exact fit, append, slot store, node store or the big node. You also
        see how NULL ranges are merged when something is removed, what `erase` does, and
        which writes still happen in place when the tree is in RCU mode.
        """),
        md("""
        ## At a glance

        *Time:* about 50 minutes.

        *Prerequisites:*

        | you need | where |
        | --- | --- |
        | slots, pivots, NULL ranges | [lesson 01](""" + L01 + """), sections 2 and 4 |
        | the size thresholds of v6.8 | [lesson 01, section 7](""" + TOO_SMALL + """) |
        | reading a diagram and a player | [lesson 01, section 8](""" + L01 + """) |

        *You will learn:*

        * how a write walks down to its leaf (`mas_wr_walk()`), and when it spans leaves;
        * the five ways v6.8 writes a leaf, in the order it tries them, and to predict
          which one a store takes;
        * why a store that removes data can still be refused by the node store;
        * how NULL ranges are merged (`mas_wr_extend_null()`) and what `erase` does;
        * which writes are still done in place in RCU mode, and which build a new node.
        """),
        md("""
        ### Vocabulary

        | word | meaning |
        | --- | --- |
        | write path | the way a store is carried out; named after the kernel function doing it |
        | `offset`, `offset_end` | the leaf slots holding the write's first and last index |
        | `r_min`, `r_max` | the first and last index of the slot at `offset` |
        | `end_piv` | the last index of the slot at `offset_end` |
        | `new_end` | the last used slot after the write (slot count - 1) |
        | big node | a scratch node for two nodes' data (34 slots), for the slow path |
        | RCU mode | readers walk without locks; writers never leave a node half changed |
        | topiary | the old nodes a rebuild cut out of the tree, freed together at the end |
        """),
        code("""
        from mapletree_edu.lessons import l02
        from mapletree_edu.lessons.common import (
            fns,
            leaf_sizes,
            node_table,
            path_table,
            ranges_table,
            record_op,
            show,
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

        `l02.tree_b()` holds twelve VMA-like ranges `[10i, 10i + 5]`: too many for one leaf
        (24 slots with the holes, and a leaf has 16), so it has a root and two leaves.
        """),
        code("""
        tb = l02.tree_b()
        node_table(tb)
        """),
        md("""
        A store of `[index, last]` starts at the root (`mas_wr_walk()`,
        `lib/maple_tree.c:3594`). In each internal node it takes the first slot whose pivot
        is at least `index`, the last slot running to the node's maximum, and goes down into
        that child. At each level `mas_is_span_wr()` (`:3541`) checks that `last` also stays
        inside the chosen slot; if it does not, the write spans several subtrees and becomes
        a *spanning store* (lesson 05). A NULL write that ends exactly where the chosen
        subtree ends counts as spanning too (unless it ends at MAX), because a node must not
        end with a NULL slot. At the leaf, `mas_wr_end_piv()` (`:4056`) finds the
        slot that holds `last`. The walk for index 62:
        """),
        code("""
        walk_table(tb, 62)
        """),
        md("""
        ## 2. The write paths, in the order the kernel tries them

        At the leaf, `mas_wr_modify()` (`lib/maple_tree.c:4163`) tries the fast paths in a
        fixed order, cheapest first, and falls back to the slow path when none fits:

        1. **exact fit**: the write covers exactly one existing range (`r_min == index` and
           `r_max == last`), so only that slot's pointer changes. It is done inside
           `mas_wr_modify()` itself.
        2. Otherwise it computes `new_end` (`mas_wr_new_end()`, `:4071`). If `new_end` is 16
           or more (`>= mt_slots`, 16 for a leaf) the data cannot fit: straight to the big
           node, which will split.
        3. **append** (`mas_wr_append()`, `:4097`): the write starts in the node's last
           slot, and the new ranges are added after the data. The node is changed in place.
        4. **slot store** (`mas_wr_slot_store()`, `:3974`): the slot count stays the same
           (`new_end == end`). Either one boundary between two neighbouring ranges moves,
           or (outside RCU mode) a new range replaces the middle of three.
        5. **node store** (`mas_wr_node_store()`, `:3883`): the leaf is rebuilt with the new
           range in it. It refuses when a non-root leaf would end with `new_end <= 6`,
           at most 7 entries ([lesson 01, section 7](""" + TOO_SMALL + """)).
        6. **big node** (`mas_wr_bnode()`, `:4153`): everything is copied into a big node,
           and `mas_commit_b_node()` (`:3433`) writes it back as one node, splits it, or
           rebalances it with a sibling.

        `l02.tree_a()` is the six-range root leaf of lesson 01. Here it is; the questions of
        section 3 are about it.
        """),
        code("""
        ta = l02.tree_a()
        slot_table(ta)
        """),
        code("""
        show(ta)
        """, ignore_output=True),
        md("""
        ## 3. Predict, then step: one store per path

        Each player below plays one recorded store on a copy of `tree_a()`. Step 0 shows
        the tree before the write; the next step names the write path and says why. The
        answers are collected in a table at the end of the section.
        """),
        predict("""
        `store(10, 15, 'x')`: read its range against the slot table above. Which slots and
        pivots change, and which write path does it take? Then step.
        """),
        code("""
        steps, after = record_op(ta, "store", 10, 15, "x", on_copy=True)
        first_store = Player(steps, "store(10, 15, 'x') into tree_a()")
        first_store
        """),
        check("""
        assert first_store.value == 0 and fns(steps)[-1] == "mas_wr_modify"
        """),
        predict("""
        `store(100, 105, 'x')`: which slot does the write fall in? Which write path will it
        take, and how many slots will the leaf have after it?
        """),
        code("""
        steps, after = record_op(ta, "store", 100, 105, "x", on_copy=True)
        second_store = Player(steps, "store(100, 105, 'x') into tree_a()")
        second_store
        """),
        check("""
        assert second_store.value == 0 and fns(steps)[-1] == "mas_wr_append"
        assert leaf_sizes(after) == [14]
        """),
        predict("""
        `store(12, 19, 'x')`: which ranges does it touch, and does the slot count change?
        Which pivot moves, and which path is that?
        """),
        code("""
        steps, after = record_op(ta, "store", 12, 19, "x", on_copy=True)
        third_store = Player(steps, "store(12, 19, 'x') into tree_a()")
        third_store
        """),
        check("""
        assert third_store.value == 0 and fns(steps)[-1] == "mas_wr_slot_store"
        assert leaf_sizes(after) == [12]
        """),
        predict("""
        `store(12, 13, 'x')` lands inside the entry `1`. How many slots will the leaf have
        afterwards, and which path does that leave?
        """),
        code("""
        steps, after = record_op(ta, "store", 12, 13, "x", on_copy=True)
        fourth_store = Player(steps, "store(12, 13, 'x') into tree_a()")
        fourth_store
        """),
        check("""
        assert fourth_store.value == 0 and fns(steps)[-1] == "mas_wr_node_store"
        """),
        md("""
        The answers, each store run on a copy of `tree_a()`. Read each row against the slot
        table of section 2. `store(10, 15, 'x')` replaces one range exactly.
        `store(100, 105, 'x')` adds a hole and an entry after the data (14 slots).
        `store(12, 19, 'x')` moves the pivot between `1` and the NULL after it from 15 to 11:
        same count. `store(12, 22, 'x')` overwrites the end of `1`, all of `[16, 19]` and the
        start of `2`: still the same count, now across three ranges. `store(12, 13, 'x')`
        splits `1` into pieces around the new range, and the node is rebuilt.
        """),
        code("""
        path_table(ta, [(10, 15, "x"), (100, 105, "x"), (12, 19, "x"), (12, 22, "x"),
                        (12, 13, "x")])
        """),
        md("""
        ## 4. When the node store refuses: the big node

        The big node takes over in two cases. The leaf may **overflow**: `new_end` does not
        fit in 16 slots, and the big node is split (lesson 05). Or the leaf may become **too
        small**: a non-root leaf whose `new_end` would be 6 or less (7 entries or fewer) is
        refused by `mas_wr_node_store()` (`lib/maple_tree.c:3895`). `mas_commit_b_node()` then
        rebalances it with a sibling if `b_end < 6` (6 entries or fewer, `:3442`), and
        otherwise writes it back as one node. Both limits come from `mt_min_slots` = 6; see
        [the thresholds table, lesson 01 section 7](""" + TOO_SMALL + """).

        The left leaf of `tree_b()` holds 9 slots, `[0, 45]`:
        """),
        code("""
        slot_table(tb, 1)
        """),
        code("""
        show(tb)
        """, ignore_output=True),
        predict("""
        `clear(0, 30)` stores NULL over `[0, 30]`: it wipes the entries 0, 1 and 2 and the
        start of 3. Count the slots the left leaf would keep. Will the node store accept the
        write? If not, will the big node write the leaf back, or rebalance it with its
        sibling?
        """),
        code("""
        steps, after = record_op(tb, "store", 0, 30, None, on_copy=True)
        clear_player = Player(steps, "clear(0, 30) in tree_b()")
        clear_player
        """),
        check("""
        assert clear_player.value == 0 and "mas_rebalance" in fns(steps)
        """),
        md("""
        The steps, with the numbers: the leaf would keep 4 slots (NULL `[0, 30]`, the rest
        of 3, a NULL, 4): `new_end` 3 is at most 6, so the node store refuses; in the big
        node `b_end` is 3, below 6, so `mas_rebalance()` (`lib/maple_tree.c:2960`) combines
        the leaf's 4 entries with its next sibling's 15: 19 entries. (The rebalance steps
        show `b_end=19`: `mas_rebalance()` first moves `b_end` one past the last entry,
        `:2965`, and copying the sibling leaves it there; `mas_spanning_rebalance()` steps it
        back to the last entry, 18, before it works out the split, `:2871`.)
        `mas_spanning_rebalance()` (`:2831`) shares them out over two new leaves, split in
        the middle: 10 and 9.
        """),
        code("""
        step_table(steps, keys=("b_end", "split"))
        """),
        md("""
        **`mas_topiary_replace()`** (`lib/maple_tree.c:2548`) is the last step of every
        rebuild that makes new nodes for a part of the tree (rebalance, split, spanning
        store). The new nodes were built off to the side; now the new subtree's root is
        put into the tree in place of the old one with one pointer write, and the parent
        pointers of the children the new nodes took over are fixed. The old nodes cut out
        (the "topiary") are collected and freed, after an RCU grace period when the tree is
        in RCU mode, so that a reader still walking them is not disturbed.
        """),
        code("""
        leaf_sizes(after)
        """),
        md("""
        Overflow is the other side: a full root leaf, `tree_of(vma_ranges(8))` (16 slots),
        gets one more range, and the big node splits it (lesson 05 is about this):
        """),
        code("""
        path_table(tree_of(vma_ranges(8)), [(100, 105, "x")])
        """),
        md("""
        ## 5. NULL stores, coalescing and erase

        Storing NULL removes whatever was there, but it must not leave two NULL ranges
        side by side. So before writing NULL, `mas_wr_extend_null()`
        (`lib/maple_tree.c:4020`) widens the write over a NULL range that touches it on the
        left or on the right, inside the same leaf. `clear(14, 22)` cuts the end off `1`
        and the start off `2`; the NULL `[16, 19]` between them is swallowed into one NULL
        range:
        """),
        code("""
        steps, after = record_op(ta, "store", 14, 22, None, on_copy=True)
        ranges_table(after)
        """),
        md("""
        `erase(index)` is `mtree_erase()` (`lib/maple_tree.c:6494`): it finds the range
        holding `index` and stores NULL over **all** of it, so the same widening applies.
        The next question is about `tree_a()` again:
        """),
        code("""
        slot_table(ta)
        """),
        predict("""
        `erase(40)` removes the entry `4` at `[40, 45]`, which has NULL ranges on both
        sides. How many slots will the leaf lose, and which path writes it?
        """),
        code("""
        steps, after = record_op(ta, "erase", 40, on_copy=True)
        erase_player = Player(steps, "erase(40) in tree_a()")
        erase_player
        """),
        check("""
        assert erase_player.value == 0 and leaf_sizes(after) == [10]
        """),
        md("""
        The answer: the NULL ranges `[36, 39]` and `[46, 49]` join `[40, 45]` into one
        NULL range `[36, 49]`, so three slots become one and the leaf goes from 12 to 10
        slots. The slot count changed and the write is not in the last slot, so it is a
        node store:
        """),
        code("""
        print(fns(steps), "| leaf sizes", leaf_sizes(ta), "->", leaf_sizes(after))
        """),
        md("""
        ## 6. RCU mode

        In RCU mode (`MapleTree(rcu=True)`) readers walk the tree without any lock, so a
        reader may be in the middle of a leaf while it is written. The mm's tree is in RCU
        mode (`MM_MT_FLAGS` has `MT_FLAGS_USE_RCU`), except while `dup_mmap()` builds a
        child's tree (`mt_clear_in_rcu()`, `kernel/fork.c:665`) and while `exit_mmap()`
        tears one down (`mm/mmap.c:3296`). In RCU mode v6.8 allows only small changes in
        place; a larger change is made in a new node, which is then swapped in. Here is
        `tree_a()` in RCU mode, with the same slots as before:
        """),
        code("""
        show(l02.tree_a(rcu=True))
        """, ignore_output=True),
        predict("""
        Take the stores of section 3 again: `store(10, 15, 'x')`, `store(100, 105, 'x')`,
        `store(12, 19, 'x')`, `store(12, 22, 'x')` and `store(12, 13, 'x')`. Which of them
        can v6.8 still write into this leaf in place, and which need a new node? The player
        below steps one of them, `store(12, 22, 'x')`.
        """),
        code("""
        steps, after = record_op(l02.tree_a(rcu=True), "store", 12, 22, "x")
        rcu_player = Player(steps, "store(12, 22, 'x') into tree_a(rcu=True)")
        rcu_player
        """),
        check("""
        assert rcu_player.value == 0 and fns(steps)[-1] == "mas_wr_node_store"
        assert len(steps[-1].new) == 1 and len(steps[-1].freed) == 1
        """),
        md("""
        The answer is in the code: v6.8 checks `mt_in_rcu()` in each write path.

        * **exact fit**: one slot pointer is replaced (`rcu_assign_pointer()`), in place,
          in RCU mode too. A reader sees the old entry or the new one.
        * **slot store across two ranges** (`store(12, 19, 'x')`): one slot pointer and one
          pivot change, in place, in RCU mode too (`lib/maple_tree.c:3984-3994`).
        * **slot store across three ranges** (`store(12, 22, 'x')`, the player above):
          refused in RCU mode (`:3995`); the node store does it.
        * **append** (`store(100, 105, 'x')`): refused in RCU mode (`:4105`); the node store
          does it.
        * **node store**: builds a **new** node and swaps it in (`mas_replace_node()`); the
          old node is freed after an RCU grace period (`:3905-3910`, `mas_free()` at
          `:1299`).
        * **big node written back as one node**: `mas_reuse_node()` refuses in RCU mode
          (`:3414`), so a new node is made here too.

        The same five stores as in section 3, in RCU mode, with the nodes each one
        allocated and freed. Zero and zero means the leaf was changed in place: the exact
        fit and the two-range slot store. The append and the three-range slot store became
        node stores, with a new node and a freed one.
        """),
        code("""
        path_table(l02.tree_a(rcu=True), [(10, 15, "x"), (100, 105, "x"), (12, 19, "x"),
                                          (12, 22, "x"), (12, 13, "x")], nodes=True)
        """),
        md("""
        ## Exercises
        """),
        exercise(1, "which path will this store take?", """
            Predict the write path of each store in `l02.WHICH_PATH_STORES`, each applied to
            a fresh `l02.tree_a()`. Answer with a list of kernel function names
            (`"mas_wr_modify"` for an exact fit, `"mas_wr_append"`, `"mas_wr_slot_store"`,
            `"mas_wr_node_store"`, `"mas_wr_bnode"`). Decide first, then check by recording
            them.
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
            big node then simply **writes back** as one node (no rebalance, no split). The
            check records it on a copy and tells you what happened. The two limits are in
            [lesson 01, section 7](""" + TOO_SMALL + """).
            """, """
            print(slot_table(l02.tree_b(), 1))
            answer = None   # (first, last, entry)
            """, "check_refuse", "l02", "refuse"),
        exercise(4, "in place, in RCU mode", """
            Find a store `(first, last, entry)` into `l02.tree_a(rcu=True)` that is **not**
            an exact fit and still changes the leaf in place: no node allocated, none freed.
            Use a different store from the ones of this lesson. The check records it and
            counts the nodes.
            """, """
            print(slot_table(l02.tree_a(rcu=True)))
            answer = None   # (first, last, entry)
            """, "check_in_place_rcu", "l02", "in_place_rcu"),
        md("""
        ## Summary

        * A store walks down by pivots to the leaf holding `index` (`mas_wr_walk()`),
          checking at each level that `last` stays in the same subtree (`mas_is_span_wr()`).
        * At the leaf `mas_wr_modify()` tries, in order: **exact fit**, then (if `new_end`
          fits) **append**, **slot store**, **node store**; otherwise the **big node**
          (`mas_wr_bnode()`), which writes back, splits or rebalances.
        * The node store refuses a non-root leaf that would keep 7 entries or fewer; the big
          node rebalances at 6 or fewer, so a leaf of exactly 7 is written back.
        * `mas_topiary_replace()` puts a rebuilt subtree in place with one pointer write and
          frees the old nodes.
        * NULL stores widen over touching NULL ranges (`mas_wr_extend_null()`); `erase` is a
          NULL store over the whole range holding the index.
        * In RCU mode the exact fit and the two-range slot store still write in place; the
          append and the three-range slot store are refused, and the node store writes a new
          node instead.
        """),
        kernel_functions([
            ("`mas_wr_store_entry()`", "the root cases, the walk, then the leaf write",
             "`lib/maple_tree.c:4208`"),
            ("`mas_wr_walk()`, `mas_is_span_wr()`", "the walk to the leaf, and the spanning check",
             "`lib/maple_tree.c:3594`, `:3541`"),
            ("`mas_wr_end_piv()`", "the slot that holds `last`", "`lib/maple_tree.c:4056`"),
            ("`mas_wr_extend_null()`", "a NULL write widened over neighbouring NULL ranges",
             "`lib/maple_tree.c:4020`"),
            ("`mas_wr_modify()`", "the exact fit, then the fast paths in order",
             "`lib/maple_tree.c:4163`"),
            ("`mas_wr_new_end()`", "the last used slot after the write", "`lib/maple_tree.c:4071`"),
            ("`mas_wr_append()`", "in place, after the data (not in RCU mode)",
             "`lib/maple_tree.c:4097`"),
            ("`mas_wr_slot_store()`", "same slot count: a boundary moves",
             "`lib/maple_tree.c:3974`"),
            ("`mas_wr_node_store()`", "the leaf rebuilt (a new node in RCU mode)",
             "`lib/maple_tree.c:3883`"),
            ("`mas_wr_bnode()`, `mas_commit_b_node()`",
             "the big-node slow path: write back, split or rebalance",
             "`lib/maple_tree.c:4153`, `:3433`"),
            ("`mas_rebalance()`, `mas_spanning_rebalance()`",
             "a small node combined with a sibling", "`lib/maple_tree.c:2960`, `:2831`"),
            ("`mas_topiary_replace()`", "a rebuilt subtree put in place, the old nodes freed",
             "`lib/maple_tree.c:2548`"),
            ("`mtree_erase()`", "erase the range holding an index", "`lib/maple_tree.c:6494`"),
        ]),
        md("""
        ## Resources

        * *Maple Tree*, the kernel documentation (`Documentation/core-api/maple_tree.rst`),
          with the normal and the advanced API and the locking rules:
          <https://docs.kernel.org/core-api/maple_tree.html>
        * *The Maple Tree Internals*, Oracle Linux blog: how a store changes the slots and
          pivots of a node: <https://blogs.oracle.com/linux/maple-tree-storing-ranges>
        * *Introducing maple trees*, LWN, February 2021: <https://lwn.net/Articles/845507/>
        """),
        md("""
        ## After v6.8

        * Writes were later pre-classified: Sidhartha Kumar's series "[PATCH v3 01/16]
          maple_tree: introduce store_type enum" (June 2024) adds `enum store_type`
          (`wr_exact_fit`, `wr_append`, `wr_slot_store`, `wr_node_store`, `wr_split_store`,
          `wr_rebalance`, ...) to the maple state, to remember how a store was classified
          so that later steps need not walk again (the patch: "keep track of partial walks
          of the tree"). The write paths of this lesson keep their names as store types.
          Source: the patch mail (Message-ID
          `20240618204750.79512-2-sidhartha.kumar@oracle.com`).
        """),
        md("""
        ## What's next

        [Lesson 03, finding things](03-finding-things.ipynb): how `mtree_load()`,
        `mt_find()` and `mas_walk()` read the tree, the maple state as a cursor, and what
        RCU readers may see.
        """),
    ], "How a store finds its leaf and which write path it takes: exact fit, append, slot "
       "store, node store or the big node; NULL coalescing, erase, and what RCU mode changes.")


if __name__ == "__main__":
    import build

    build.main(["02"])
