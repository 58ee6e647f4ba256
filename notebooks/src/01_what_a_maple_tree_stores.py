# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/01-what-a-maple-tree-stores.ipynb."""

from build import code, exercise, lesson, md, predict


def notebook():
    return lesson([
        md("""
        # What a maple tree stores

        The maple tree maps **ranges** of indices to entries. This lesson opens it up: what
        one node holds (pivots and slots), where a node's range comes from when it is not
        stored anywhere, why holes are stored as NULL ranges, the three node types, the
        special case of a tree with one entry at index 0, and why Linux keeps every
        process's memory map (its VMAs) in a maple tree.

        ## Overview

        1. Ranges, not keys
        2. Inside a node: pivots and slots
        3. NULL ranges
        4. The root entry and root expand
        5. Three node types, and gaps
        6. Why the mm uses a maple tree
        7. Exercises

        ## Prerequisites

        | Concept | Importance | Notes |
        | --- | --- | --- |
        | Python: lists, tuples, `for` loops | Necessary | every cell is a few lines of Python |
        | Search trees (node, child, leaf) | Helpful | a B-tree is a search tree with wide nodes |
        | What a VMA is (`/proc/self/maps`) | Helpful | one line of that file is one range |

        *Time to learn:* about 30 minutes.
        """),
        md("""
        ### Vocabulary

        | Word | Meaning |
        | --- | --- |
        | index | a position, an unsigned 64-bit number from 0 to `ULONG_MAX` (written MAX) |
        | range | `[first, last]`, both ends included |
        | entry | what a range maps to (in the mm: a `struct vm_area_struct *`); never `None` |
        | NULL range | a range that holds nothing: a hole |
        | slot | one place in a node: an entry (leaf) or a child (internal node) |
        | pivot | the **last** index of a slot's range |
        | implied min / max | the range a node covers; the parent knows it, the node does not |
        | leaf / internal node | a node holding entries / a node holding children |
        | root entry | a lone entry at index 0, kept in the root pointer instead of a node |
        | gap | the size of the largest NULL range below a child (allocation trees only) |
        """),
        code("""
        from mapletree_edu import ULONG_MAX, MapleTree
        from mapletree_edu.lessons import l01
        from mapletree_edu.lessons.common import (
            fns,
            leaf_sizes,
            node_table,
            node_type_table,
            node_types,
            player_state,
            ranges_table,
            record_op,
            show,
            slot_table,
            tree_of,
            vma_ranges,
        )
        from mapletree_edu.widgets import Player
        """),
        md("""
        ## 1. Ranges, not keys

        A dictionary maps keys. A maple tree maps *every* index from 0 to MAX to exactly one
        thing: an entry or nothing. You store an entry over a whole range with one call,
        the way the kernel maps a VMA over all the addresses it covers.
        """),
        code("""
        t = MapleTree()                        # the kind the mm uses (alloc=True)
        t.store(0x1000, 0x2fff, "text")
        t.store(0x3000, 0x3fff, "data")
        t.store(0x8000, 0x9fff, "stack")
        for index in (0x1000, 0x2abc, 0x3fff, 0x4000, 0x8fff, ULONG_MAX):
            print(f"load({index:#x}) -> {t.load(index)!r}")
        """),
        md("""
        One store covered thousands of indices, and nothing was stored per index. Listing
        the tree with its NULL ranges shows the whole index space, from 0 to MAX, with no
        index left out: a hole is a range too, one that holds NULL.
        """),
        code("""
        ranges_table(t)
        """),
        code("""
        print(len(t), "entries;", len(list(t.ranges(include_null=True))),
              "ranges when the NULL ones are counted")
        """),
        md("""
        ## 2. Inside a node: pivots and slots

        A node is an array of **slots** and an array of **pivots**. `pivot[i]` is the last
        index of slot `i`, so slot `i` covers `[pivot[i-1] + 1, pivot[i]]`. Slot 0 starts at
        the node's own first index, its **implied minimum**, and the last used slot ends at
        its **implied maximum**. Neither is stored in the node: a parent's pivots say where
        each child starts and ends, and the root covers `[0, MAX]`.

        Our tree is small, so it is a single node: a leaf that is also the root.
        """),
        code("""
        slot_table(t)
        """),
        md("""
        Read the table row by row: each range starts one past the previous pivot. Nothing
        in the node says where it starts, and the last pivot is the node's maximum. The
        whole tree in one line per node (pre-order, children after their parent):
        """),
        code("""
        node_table(t)
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # the diagram (SVG bytes depend on the Graphviz build); the table above has the same facts
        show(t)
        """),
        code("""
        print("leaf sizes:", leaf_sizes(t), "| height:", t.height, "| nodes:", t.node_count)
        """),
        md("""
        The kernel's own debugging view of a tree is `mt_dump()`. The model prints the same
        text: a header with the flags and height, one line per node with its range and its
        raw `slot pivot` pairs, then one line per range. (The addresses are made up; the
        kernel hashes its pointers anyway.) Entries here are small integers, as in the
        kernel's tests, which store them as *value entries* `(v << 1) | 1`.
        """),
        code("""
        small = l01.tree_a()
        print(small.dump())
        """),
        md("""
        And the same tree as a **dump record**, the JSON shape in which the recorded kernel
        data in `tests/data/kernel-golden` is written (`to_record()` also reports the node
        allocations):
        """),
        code("""
        small.to_record()
        """),
        md("""
        ## 3. NULL ranges

        `l01.tree_a()` holds six ranges with holes between them. Each hole is a NULL slot,
        so each entry costs two slots. When ranges touch, no NULL is needed between them.
        Compare the two cases:
        """),
        code("""
        with_holes = l01.tree_a()
        touching = tree_of(vma_ranges(6, stride=10, length=10))
        for name, tree in (("with holes", with_holes), ("touching", touching)):
            print(f"{name:10}: {len(tree)} entries in a leaf of {leaf_sizes(tree)[0]} slots")
        """),
        md("""
        NULL ranges obey one more rule: **two NULL slots are never neighbours**. Clearing a
        range next to a hole merges them into one NULL range (lesson 2 shows the kernel
        code that does it). Clear the entry `1` at `[10, 15]` and look at the ranges
        around it:
        """),
        code("""
        with_holes.clear(10, 15)
        print(ranges_table(with_holes).text().splitlines()[2:6])
        print("leaf sizes now:", leaf_sizes(with_holes))
        """),
        md("""
        ## 4. The root entry and root expand

        An empty tree is a NULL root pointer. A tree whose only entry is at index 0, with
        the range `[0, 0]`, has **no node at all**: the entry sits in the root pointer, and
        the height is 0. The second store then has to make a node: `mas_root_expand`
        builds the first leaf, with the old entry in slot 0.
        """),
        code("""
        r = MapleTree()
        print(node_table(r))
        r.store(0, 0, 1)
        print(node_table(r))
        print("height", r.height, "| nodes", r.node_count)
        """),
        predict("""
        the next cell stores `2` over `[5, 9]`. How many slots will the new root leaf
        use, and which of them are NULL? Write it down, then step the player to the
        `mas_root_expand` step.
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # a widget: the player (its SVG depends on the Graphviz build)
        steps, r = record_op(r, "store", 5, 9, 2)
        expand = Player(steps, "store(5, 9, 2) into a root entry", start=-1)
        expand
        """),
        code("""
        print(player_state(expand))
        print(fns(steps))
        slot_table(r)
        """),
        md("""
        The record of this tree (no node before the store, one leaf after):
        """),
        code("""
        r.to_record()
        """),
        md("""
        ## 5. Three node types, and gaps

        Linux v6.8 creates three kinds of node (a fourth, `maple_dense`, is defined but
        never made). All nodes are 256 bytes, and the numbers below are fixed by that size:
        """),
        code("""
        node_type_table()
        """),
        md("""
        Every leaf is a `leaf_64`. The internal nodes depend on the kind of tree: a
        **plain** tree uses `range_64`, an **allocation** tree (the mm's, `alloc=True`,
        the kernel's `MT_FLAGS_ALLOC_RANGE`) uses `arange_64`, which gives up six slots to
        make room for a **gap** per child: the size of the largest NULL range anywhere
        below that child. Store the same hundred VMA-like ranges in both kinds:
        """),
        code("""
        ranges = vma_ranges(100, stride=0x10000, length=0x4000)
        plain = tree_of(ranges, alloc=False)
        mm = tree_of(ranges, alloc=True)
        for name, tree in (("plain", plain), ("allocation", mm)):
            print(f"{name:10}: height {tree.height}, {tree.node_count} nodes {node_types(tree)}")
        print("same leaves:", leaf_sizes(plain) == leaf_sizes(mm))
        """),
        md("""
        The leaves are identical; only the internal nodes differ. With fewer children per
        internal node, the allocation tree may need an extra level. What it buys is the gap
        array. `l01.tree_gaps()` holds page-sized ranges with holes of different sizes; the
        `gaps` column of its root lists, per child, the largest hole below it:
        """),
        code("""
        holes = l01.tree_gaps()
        node_table(holes)
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        # the diagram (SVG bytes depend on the Graphviz build)
        show(holes)
        """),
        code("""
        root = node_table(holes).rows[0]
        print("root gaps:", root[-1])
        print("leaf sizes:", leaf_sizes(holes))
        """),
        md("""
        When `mmap()` needs a free hole of some size, `get_unmapped_area()` calls
        `mas_empty_area()` (or `mas_empty_area_rev()` to search downwards), which walks down
        only into children whose gap is big enough. It never visits a leaf that cannot
        hold the request. In a plain tree the same search would have to read every leaf.

        ## 6. Why the mm uses a maple tree

        Up to Linux 6.0 each process kept its VMAs in a red-black tree plus a sorted linked
        list. Linux 6.1 replaced both with one maple tree, for three reasons:

        * **Lookups without the lock.** Readers walk the tree under RCU: a writer never
          changes a node a reader might be using in a way the reader could see half done.
          In RCU mode it writes a new node and swaps it in (lesson 2 shows this path).
          This is what lets page faults look up their VMA without taking `mmap_lock`.
        * **Wide nodes are shallow and cache-friendly.** A node is 256 bytes, four cache
          lines, with up to 16 ranges. A binary tree needs one node (and one likely cache
          miss) per level. The next cell compares heights.
        * **Gaps.** The gap arrays of section 5 answer "where is a free hole this big?"
          without scanning every VMA, which the red-black tree needed an augmented
          subtree value for.

        Ranges also come for free: a VMA is stored as `[vm_start, vm_end - 1]`, and the
        previous and next VMA are the neighbouring slots, so the linked list went away.
        """),
        code("""
        import math

        for n in (10, 100, 1000):
            tree = tree_of(vma_ranges(n, stride=0x10000, length=0x4000))
            best = math.ceil(math.log2(n + 1))
            print(f"{n:5} VMAs: maple tree height {tree.height} ({tree.node_count} nodes); "
                  f"binary tree at least {best} levels, red-black up to {2 * best}")
        """),
        md("""
        ## 7. Exercises

        Each exercise sets `answer`, then a check cell says `Correct` or `Not yet` with a
        hint. The tables and `show()` from above are all you need.
        """),
        exercise(1, "which range holds an index?", """
            `l01.tree_a()` is the six-range tree of section 3. Which range holds index 27, and
            what is stored there? Answer with a tuple `(first, last, entry)`, using `None`
            for NULL.
            """, """
            t = l01.tree_a()
            answer = None   # (first, last, entry)
            """, "check_range_at", "l01", "range_at"),
        exercise(2, "count the slots", """
            An empty tree gets the three stores in `l01.SLOTS_AFTER_STORES`, in order. How
            many slots does its root leaf use? Work it out before you build the tree.
            """, """
            print(l01.SLOTS_AFTER_STORES)
            answer = None   # a number of slots
            """, "check_slots_after", "l01", "slots_after"),
        exercise(3, "which trees have no node?", """
            Each choice below starts from an empty tree. After its stores, which trees keep
            their only entry in the root pointer, with no node? Answer with a set of letters.
            """, """
            print(l01.root_entry_choices())
            answer = None   # e.g. {"a", "c"}
            """, "check_root_entry", "l01", "root_entry"),
        exercise(4, "read a gap", """
            In `l01.tree_gaps()`, what is `gap[0]` of the root, the largest NULL range under
            its first child? Find it from the first leaf's slots (`slot_table(t, 1)`)
            instead of reading the root's gap column.
            """, """
            t = l01.tree_gaps()
            answer = None   # an int
            """, "check_root_gap", "l01", "root_gap"),
        md("""
        ## Summary

        * A maple tree maps **ranges** to entries and covers every index from 0 to MAX;
          holes are **NULL ranges**, and two NULL ranges are never neighbours.
        * A node holds **slots** and **pivots**; `pivot[i]` is the last index of slot `i`.
          A node's own range is **implied** by its parent (the root covers `[0, MAX]`).
        * Leaves are `leaf_64`; internal nodes are `range_64` (plain trees) or `arange_64`
          (allocation trees, with a **gap** per child).
        * A lone entry at index 0 lives in the **root pointer**; the next store makes the
          first leaf (**root expand**).
        * The mm uses it for lock-free (RCU) lookups, shallow cache-friendly nodes and
          fast free-hole search.

        ## What's next

        [Lesson 2, walking and storing](02-walking-and-storing.ipynb): how a store finds
        its leaf, and the five ways the kernel can write it, from replacing one slot to
        building a whole new node.

        ## Kernel functions explained

        Names as in Linux v6.8 `lib/maple_tree.c`:

        * `mtree_store_range()`: the normal API store of an entry over a range.
        * `mtree_load()`: the entry at one index.
        * `mas_store_root()`: a store into an empty tree or a root entry.
        * `mas_root_expand()`: the root pointer becomes the first leaf.
        * `ma_data_end()`: how many slots a node uses (pivots and metadata).
        * `mas_leaf_max_gap()`: the largest NULL range of a leaf (its gap in the parent).
        * `mas_empty_area()`, `mas_empty_area_rev()`: the free-hole search of
          `get_unmapped_area()`.
        * `mt_dump()`: the text dump of a tree.
        """),
    ], "Ranges, pivots and slots, NULL ranges, node types, the root entry, and why the mm "
       "uses a maple tree.")


if __name__ == "__main__":
    import build

    build.main(["01"])
