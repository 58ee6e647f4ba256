# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/01-what-a-maple-tree-stores.ipynb."""

from build import check, code, exercise, kernel_functions, lesson, md, predict, with_id

#: links too long for one source line (all registered in notebooks/src/LINKS.md)
LOCK_VMA_COMMIT = ("https://www.infradead.org/git/?a=commit"
                   "&h=6f712845fed42e5dbaa586ade9f26d3cfda7892a&p=users%2Fjedix%2Flinux-maple.git")
PER_VMA_MERGE = ("https://git.zx2c4.com/wireguard-linux/commit/tools/lib/python/kdoc/"
                 "python_version.py?id=946c6b59c56dc6e7d8364a8959cb36bf6d10bc37")
STORE_ROOT_COMMIT = ("https://www.infradead.org/git/?a=commit"
                     "&h=907a8afde7f58103699bce1862b37abfde78522d&p=users%2Fjedix%2Flinux-maple.git")
WILCOX_LKML = "https://lkml.iu.edu/hypermail/linux/kernel/1903.1/06343.html"

#: The id of the cell that starts section 7 (the size thresholds). Other lessons link to
#: it as ``01-what-a-maple-tree-stores.ipynb#cell-id=size-thresholds``: JupyterLab 4 scrolls
#: to a ``#cell-id=`` fragment even in a notebook it has just opened, and nbconvert's HTML
#: (nbviewer) gives every cell the element id ``cell-id=<id>``.
THRESHOLDS_CELL = "size-thresholds"


def notebook():
    return lesson([
        md("""
        # What a maple tree stores

        The maple tree maps **ranges** of indices to entries. This lesson opens it up: what
        one node holds (pivots and slots), how its 256 bytes are spent, where a node's range
        comes from when it is stored nowhere, why holes are stored as NULL ranges, the node
        types, the special case of a tree with one entry at index 0, when a node counts as
        too small, how to read the diagrams of every later lesson, and why Linux keeps every
        process's memory map (its VMAs) in a maple tree.
        """),
        md("""
        ## At a glance

        *Time:* about 50 minutes.

        *Prerequisites:*

        | you need | where |
        | --- | --- |
        | Python: lists, tuples, `for` loops | every cell is a few lines of Python |
        | search trees (node, child, leaf) | a B-tree is a search tree with wide nodes |
        | what a VMA is | one line of `/proc/self/maps` is one range |

        *You will learn:*

        * to read a node: slots, pivots, and the range a node covers without storing it;
        * how a 256-byte node makes 16 slots (10 in an allocation tree's internal nodes),
          and where the node's metadata and type bits live;
        * why holes are NULL ranges, and when a tree has no node at all;
        * every "too small" threshold of v6.8 in one table;
        * how to read the diagrams and players of this suite.
        """),
        md("""
        ### Vocabulary

        | word | meaning |
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
        | metadata | `end` (the last used slot) and `gap` (the child with the largest gap) |
        | RCU mode | readers walk without a lock; writers never leave a node half changed |
        """),
        code("""
        from mapletree_edu import ULONG_MAX, MapleTree
        from mapletree_edu.lessons import l01
        from mapletree_edu.lessons.common import (
            leaf_sizes,
            leaves,
            node_table,
            node_type_table,
            node_types,
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
        in the node says where it starts. The whole tree in one line per node (pre-order,
        children after their parent), then as a diagram (section 8 explains every mark):
        """),
        code("""
        node_table(t)
        """),
        code("""
        show(t)
        """, ignore_output=True),
        md("""
        The kernel's own debugging view of a tree is `mt_dump()`. The model prints the same
        text: a header with the flags and height, one line per node with its range and its
        raw `slot pivot` pairs, then one line per range. The addresses are made up (the
        kernel prints hashed pointers anyway). Entries here are small integers, as in the
        kernel's tests, which store them as *value entries* `(v << 1) | 1`.
        """),
        code("""
        small = l01.tree_a()
        print(small.dump())
        """),
        md("""
        ## 3. The node itself: 256 bytes

        Every node is one 256-byte block, aligned to 256 bytes (`MAPLE_NODE_MASK` is 255,
        `include/linux/maple_tree.h:41`). On a 64-bit kernel a pointer and an
        `unsigned long` are 8 bytes each, and the slot counts follow from that:

        * `struct maple_range_64` (`maple_tree.h:103`, used by leaves and plain internal
          nodes): a parent pointer (8 bytes), 15 pivots (120) and 16 slots (128) make
          exactly 256. There are 15 pivots for 16 slots because the last slot ends at the
          node's implied maximum, which is not stored.
        * `struct maple_arange_64` (`maple_tree.h:124`, the internal node of an allocation
          tree): the parent, 9 pivots, 10 slots **and 10 gaps** (8 + 72 + 80 + 80 = 240
          bytes) plus 2 bytes of metadata. An 11th slot would need a pivot, a slot and a gap
          more: 266 bytes, too many. So an allocation tree's internal nodes have 10 slots.
        """),
        code("""
        l01.node_bytes_table()
        """),
        md("""
        **The metadata.** Two bytes, `end` and `gap` (`struct maple_metadata`,
        `maple_tree.h:77`). `end` is the last used slot, so a reader knows where the data
        stops without scanning. `gap` is the slot whose child has the largest gap (the `*`
        of the diagrams). An `arange_64` node has a field for it. A `leaf_64` or
        `range_64` node has no room left, so the kernel keeps the metadata in the storage
        of slot 15 (`maple_tree.h:108-111`): it can, because a node with fewer than 16
        entries does not use slot 15. A full node has no metadata; its end is worked out
        from the pivots (`ma_data_end()`, `lib/maple_tree.c:1407`).
        """),
        code("""
        holes = l01.tree_gaps()
        l01.metadata_table(holes)
        """),
        md("""
        **Type bits in node pointers.** Because a node is 256-byte aligned, the low 8 bits of
        its address are always 0, and the kernel stores information there. A pointer to a
        child is `address | type << 3 | 0x4` (`mt_mk_node()`, `lib/maple_tree.c:334`;
        `mt_mk_node()` always sets `0x4`, `MAPLE_ENODE_NULL`): bits 3-6 hold the node type
        (1 `leaf_64`, 2 `range_64`, 3 `arange_64`), so a walk
        knows the type of a child before it reads it. The root pointer also has `0x2` set
        (`MAPLE_ROOT_NODE`). Going up, a node's parent pointer holds the parent's address,
        the slot it occupies in the parent (`slot << 3`) and `0x6` (`MAPLE_PARENT_RANGE64`,
        `lib/maple_tree.c:415`); the root's parent pointer is the tree itself with bit 0 set
        (`MA_ROOT_PARENT`, `:67`).
        The same tree, read from its `mt_dump()` text:
        """),
        code("""
        l01.pointer_table(holes)
        """),
        md("""
        ## 4. NULL ranges

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
        NULL ranges obey one more rule: **two NULL slots are never neighbours** (`mt_validate()`
        checks it, `mt_validate_nulls()`; v6.8 breaks it in one corner, see *After v6.8*).
        Clearing a range next to a hole merges them into one NULL range (lesson 02 shows the
        kernel code that does it). Clear the entry `1` at `[10, 15]` and look at the ranges
        around it:
        """),
        code("""
        with_holes.clear(10, 15)
        print(ranges_table(with_holes).text().splitlines()[2:6])
        print("leaf sizes now:", leaf_sizes(with_holes))
        """),
        md("""
        ## 5. The root entry and root expand

        An empty tree is a NULL root pointer. A tree whose only entry is at index 0, with
        the range `[0, 0]`, has **no node at all**: the entry sits in the root pointer, and
        the height is 0. Here is such a tree:
        """),
        code("""
        r = MapleTree()
        r.store(0, 0, 1)
        print("height", r.height, "| nodes", r.node_count)
        show(r)
        """, ignore_output=True),
        predict("""
        The next cell stores `2` over `[5, 9]` into this tree. A node has to be made now
        (`mas_root_expand()`). How many slots will the new root leaf use, what does each
        hold, and which of them are NULL? Write it down, then step the player.
        """),
        code("""
        steps, r = record_op(r, "store", 5, 9, 2)
        expand = Player(steps, "store(5, 9, 2) into a tree holding a root entry")
        expand
        """),
        check("""
        assert expand.value == 0 and expand.state()["fn"] == "mtree_store_range"
        assert [s.fn for s in steps] == ["mtree_store_range", "mas_root_expand"]
        """),
        md("""
        The answer, as a slot table of the new leaf. The old root entry went to slot 0 as
        the range `[0, 0]`, a NULL range fills `[1, 4]`, the new entry takes `[5, 9]`, and a
        last NULL range runs to MAX: 4 slots.
        """),
        code("""
        slot_table(r)
        """),
        check("""
        assert leaf_sizes(r) == [4]
        """),
        md("""
        ## 6. Node types, and gaps

        Linux v6.8 creates three kinds of node. A fourth, `maple_dense`, is defined
        (`enum maple_type`, `maple_tree.h:144`) but no v6.8 code path makes one. The numbers
        below come from the node sizes of section 3; `mt_min_slots` is section 7's:
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
        array. `l01.tree_gaps()` (section 3's tree) holds page-sized ranges with holes of
        different sizes; the `gaps` column of its root lists, per child, the largest hole
        below it:
        """),
        code("""
        node_table(holes)
        """),
        code("""
        show(holes)
        """, ignore_output=True),
        md("""
        When `mmap()` needs a free hole, `vm_unmapped_area()` (`mm/mmap.c:1679`) calls
        `unmapped_area()` or `unmapped_area_topdown()` (`mm/mmap.c:1576`, `:1628`), which call
        `mas_empty_area()` or `mas_empty_area_rev()` (`lib/maple_tree.c:4996`, `:5053`). Those
        walk down only into children whose gap is big enough, so they never visit a leaf
        whose largest hole is too small for the request. The callers then align the address
        and check the guard gaps of the neighbouring VMAs, and search again (`goto retry`)
        when a guard gap does not fit. A plain tree has no gaps: the same search would read
        every leaf.
        Lesson 04 follows this search step by step.
        """),
        with_id(THRESHOLDS_CELL, md("""
        ## 7. The size thresholds

        A node must not get too full (it has 16 slots) and, except at the right edge of the
        tree, not too empty either: a B-tree keeps its nodes at least about half full so that
        its height stays low. The kernel's lower bound is `mt_min_slots[]`
        (`lib/maple_tree.c:111`): `16 / 2 - 2 = 6` for `leaf_64` and `range_64`, and
        `10 / 2 - 1 = 4` for `arange_64`. Different functions compare different things with it
        (the last used slot `end`, the big node's last slot `b_end`, or a count of entries),
        with `<` or `<=`, so the same 6 gives different limits. This table lists every
        comparison with `mt_min_slots[]` in v6.8's `lib/maple_tree.c`, and the "too big" test
        of the write path, with the line it is on; the parentheses say how many entries that
        means. Most of them only ever see a leaf: the write paths work on the leaf, and only
        `mab_calc_split()`, `mast_sufficient()` and `mt_validate()` also see internal nodes.
        Later lessons link here.
        """)),
        code("""
        l01.thresholds_table()
        """),
        md("""
        Two things to take from it. A leaf with exactly 7 entries is refused by the node
        store but kept by the big node, so it is rewritten, not rebalanced (lesson 02's
        exercise 3 finds such a store). And `mt_validate()` (the checker of the kernel's
        tests) accepts a small node at the right edge of each level, the root included,
        which is why the last leaf of a tree may hold only a few entries.

        ## 8. How to read a diagram

        Every diagram in this suite is drawn by `mapletree_edu.render` from the model's
        nodes. One node is a table: a header (the node type, the range `[min, max]` it
        covers and its serial `n2`, a name the node keeps from step to step), a row of
        pivots and a row of slots. The key below is drawn by the renderer from the same list
        of marks it draws the diagrams with, each mark as it looks in a diagram; a diagram's
        own legend lists only the marks that diagram uses. The picture after the key shows
        several of them at once: the step of a store that split a full root leaf (the new
        nodes, the freed old root beside the caption, the written range and the walked
        path). Hover a slot in a player to see its exact range and entry.
        """),
        code("""
        l01.notation_key()
        """, ignore_output=True),
        code("""
        split_steps, _after = record_op(tree_of(vma_ranges(8)), "store", 100, 105, "x",
                                        on_copy=True)
        show(split_steps[-1], prev_view=split_steps[-2].view)
        """, ignore_output=True),
        md("""
        The step drawn is the last one of the split, `mas_topiary_replace()`
        (`lib/maple_tree.c:2548`): the new nodes were built beside the tree; now the new
        root is put in place of the old one with a single pointer write, the parent
        pointers of the children are set, and the old nodes (the "topiary", in the dashed
        red box) are freed. Lesson 02, section 4, meets it again in a rebalance.

        Large indices: when an index other than MAX is above 0xffff, the whole diagram is
        in hex, and a node whose pivots share their leading digits writes them once in its
        header (`pivots 0x5555…`), each pivot showing only the digits after `…`. A wide
        tree can be drawn with only some of its leaves: `collapse=1` keeps one leaf (the
        one holding `focus_index`) and draws the others as dashed boxes that say how many
        leaves they stand for:
        """),
        code("""
        high = tree_of(vma_ranges(20, stride=0x10000, length=0x4000, start=0x555555554000))
        middle = leaves(high)[1]
        show(high, collapse=1, focus_index=middle.min)
        """, ignore_output=True),
        md("""
        ## 9. Why the mm uses a maple tree

        Up to Linux 6.0 each process kept its VMAs in a red-black tree, a sorted linked
        list and a small per-thread VMA cache. Linux 6.1 replaced the three with one maple
        tree (it came with Andrew Morton's memory-management pull request for the 6.1 merge
        window; Phoronix's report is under Resources): "Maple Tree: add new data
        structure" (mainline `54a611b60590`) added the tree, later commits of the same
        series moved the mm onto it, "mm: remove the vma linked list" (`763ecb035029`)
        among them. The commit message of the first names the three
        structures it replaces and gives the first two reasons below; the last two are what
        section 6 and lesson 02 show in the v6.8 code:

        * **Wide nodes are shallow and cache-friendly.** A node is 256 bytes, four cache
          lines, with up to 16 ranges (10 children in an internal node of the mm's tree). A
          binary tree needs one node (and one likely cache miss) per level. The next cell
          compares heights.
        * **Ranges and neighbours.** A VMA is stored as `[vm_start, vm_end - 1]`, and the
          previous and next VMA are the neighbouring slots, so the linked list went away
          (and with it the cache misses of following it).
        * **Gaps.** The gap arrays of section 6 answer "where is a free hole this big?"
          without scanning every VMA.
        * **RCU readers.** Readers can walk the tree under RCU without a lock, because in
          RCU mode a writer replaces a node instead of changing what a reader might be
          reading (lesson 02 shows which writes still happen in place).

        Page faults did not become lock-free in 6.1: they still took `mmap_lock`. The
        lock-free fault path came with **per-VMA locks in 6.4** (LWN's *Stabilizing
        per-VMA locking* and the commit that added the function, both under Resources):
        `lock_vma_under_rcu()`
        (in v6.8 at `mm/memory.c:5614`) walks the tree under RCU with `mas_walk()`, then
        takes the lock of the one VMA it found. It is only safe because the mm tree is in
        RCU mode. The mm tree is *not* in RCU mode while `dup_mmap()` builds a child's tree
        (`mt_clear_in_rcu()` at `kernel/fork.c:665`; `mt_set_in_rcu()` at `:760` once the
        copy has succeeded) or while `exit_mmap()` tears a tree down
        (`mm/mmap.c:3296`).
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
        ## Exercises

        Each exercise sets `answer`, then a check cell says `Correct` or `Not yet` with a
        hint. The tables and `show()` from above are all you need.
        """),
        exercise(1, "which range holds an index?", """
            `l01.tree_a()` is the six-range tree of section 4. Which range holds index 27, and
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
        exercise(4, "predict a gap", """
            `l01.tree_gaps()` is section 3's tree; its root's gaps are in the table of
            section 6. Predict `gap[0]` of its root, the largest NULL range under the first
            child, after `t.erase(l01.ROOT_GAP_ERASE)`. Work it out from the first leaf's
            slots (`slot_table(t, 1)`) before you run the erase.
            """, """
            t = l01.tree_gaps()
            print(slot_table(t, 1), hex(l01.ROOT_GAP_ERASE))
            answer = None   # an int
            """, "check_root_gap", "l01", "root_gap"),
        exercise(5, "build a full leaf", """
            Choose **8 ranges** so that storing them in order into an empty `MapleTree()`
            gives a tree of **one leaf with all 16 slots used** (no split). Answer with a
            list of `(first, last)` pairs; the check stores them (entries 0 to 7) and looks
            at the tree. Build your tree first with `l01.full_leaf_tree(answer)` and
            `node_table()`: 8 ranges spread out at random make 17 slots, and the leaf splits.
            """, """
            answer = None   # [(first, last), ...] with 8 pairs
            """, "check_full_leaf", "l01", "full_leaf"),
        md("""
        ## Summary

        * A maple tree maps **ranges** to entries and covers every index from 0 to MAX;
          holes are **NULL ranges**, and two NULL ranges are never neighbours.
        * A node holds **slots** and **pivots**; `pivot[i]` is the last index of slot `i`.
          A node's own range is **implied** by its parent (the root covers `[0, MAX]`).
        * A node is 256 bytes: 8 + 15 x 8 + 16 x 8 for 16 slots; an `arange_64` spends 80
          bytes on gaps and keeps 10 slots. The metadata (`end`, `gap`) lives in slot 15's
          storage or, in `arange_64`, in its own field; node pointers carry the type in
          bits 3-6.
        * Leaves are `leaf_64`; internal nodes are `range_64` (plain trees) or `arange_64`
          (allocation trees, with a **gap** per child).
        * A lone entry at index 0 lives in the **root pointer**; the next store makes the
          first leaf (**root expand**).
        * "Too small" means different limits in different functions; the table of
          section 7 lists them all.
        * The mm's tree is in RCU mode (except inside `dup_mmap()` and `exit_mmap()`), which
          lets page faults find their VMA under RCU with per-VMA locks since 6.4.
        """),
        kernel_functions([
            ("`mtree_store_range()`", "the normal API store of an entry over a range",
             "`lib/maple_tree.c:6311`"),
            ("`mtree_load()`", "the entry at one index", "`lib/maple_tree.c:6269`"),
            ("`mas_store_root()`", "a store into an empty tree or a root entry",
             "`lib/maple_tree.c:3516`"),
            ("`mas_root_expand()`", "the root entry becomes the first leaf",
             "`lib/maple_tree.c:3473`"),
            ("`mt_mk_node()`", "a node address with its type bits: a child pointer",
             "`lib/maple_tree.c:334`"),
            ("`ma_data_end()`", "the last used slot, from the metadata or the pivots",
             "`lib/maple_tree.c:1407`"),
            ("`mas_leaf_max_gap()`", "the largest NULL range of a leaf (its gap in the parent)",
             "`lib/maple_tree.c:1469`"),
            ("`mas_empty_area()`, `mas_empty_area_rev()`",
             "the gap search under `vm_unmapped_area()`", "`lib/maple_tree.c:4996`, `:5053`"),
            ("`vm_unmapped_area()`", "picks `unmapped_area()` or `unmapped_area_topdown()`",
             "`mm/mmap.c:1679`"),
            ("`lock_vma_under_rcu()`", "page-fault lookup of a VMA under RCU (per-VMA locks)",
             "`mm/memory.c:5614`"),
            ("`mas_topiary_replace()`", "a rebuilt subtree put in place, the old nodes freed",
             "`lib/maple_tree.c:2548`"),
            ("`mt_validate()`", "the consistency checker, with its size rule",
             "`lib/maple_tree.c:7480`"),
            ("`mt_dump()`", "the text dump of a tree", "`lib/maple_tree.c:7183`"),
        ]),
        md("""
        ## Resources

        * *Maple Tree*, the kernel documentation (`Documentation/core-api/maple_tree.rst`):
          <https://docs.kernel.org/core-api/maple_tree.html>
        * *The Maple Tree Internals*, Oracle Linux blog: how ranges, pivots and dumps look:
          <https://blogs.oracle.com/linux/maple-tree-storing-ranges>
        * *Introducing maple trees*, LWN, February 2021: <https://lwn.net/Articles/845507/>
        * *MGLRU & Maple Tree Submitted For Linux 6.1*, Phoronix, October 2022:
          <https://www.phoronix.com/news/MGLRU-Maple-Tree-Linux-6.1-PR>
        * Matthew Wilcox on LKML (2019), why a wide tree: he compares the depth of a
          1000-entry rbtree with a maple tree's, for the design of that time (section 9
          measures v6.8's): <""" + WILCOX_LKML + """>
        * *Stabilizing per-VMA locking*, LWN (July 2023), on the per-VMA locks of 6.4; its
          summary: <https://pipedot.org/article/6CYGN>
        * "mm: introduce lock_vma_under_rcu to be used from arch-specific code" (Suren
          Baghdasaryan, part of the per-VMA lock series), as carried in the maple tree
          development tree: <""" + LOCK_VMA_COMMIT + """>
        * The merge that re-enabled `CONFIG_PER_VMA_LOCK` after the 6.4 problems
          (`946c6b59c56d`): <""" + PER_VMA_MERGE + """>
        """),
        md("""
        ## After v6.8

        * Storing NULL over any range but `[0, 0]` into an empty tree or a root-entry tree
          made a node in v6.8 (`mas_store_root()` calls `mas_root_expand()`,
          `lib/maple_tree.c:3518`); Wei Yang's "maple_tree: refine mas_store_root() on
          storing NULL" (Oct 2024) keeps the tree without a node instead and avoids NULL
          slots side by side. Source: the commit in
          the maple tree development tree,
          <""" + STORE_ROOT_COMMIT + """>
          (which release first had it was not checked).
        """),
        md("""
        ## What's next

        [Lesson 02, walking and storing](02-walking-and-storing.ipynb): how a store finds
        its leaf, and the ways the kernel can write it, from replacing one slot to building
        a whole new node.
        """),
    ], "Ranges, pivots and slots, the 256-byte node, NULL ranges, node types, the root "
       "entry, the size thresholds, how to read a diagram, and why the mm uses a maple tree.")


if __name__ == "__main__":
    import build

    build.main(["01"])
