# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/04-finding-free-space.ipynb."""

from build import check, code, exercise, kernel_functions, lesson, md, predict

L01 = "01-what-a-maple-tree-stores.ipynb"
L02 = "02-walking-and-storing.ipynb"
L03 = "03-finding-things.ipynb"


def notebook():
    return lesson([
        md("""
        # Finding free space

        Every `mmap()` that does not ask for an address needs a hole in the address space
        that is big enough. The maple tree finds it without looking at every VMA: the
        internal nodes of an allocation tree record, for each child, the largest hole
        inside it, so a search can skip whole subtrees that have no room. In this lesson you
        read those gaps, step through `mas_empty_area_rev()` as it skips and enters
        subtrees, see what `vm_unmapped_area()` in `mm/mmap.c` adds around it, and run a
        simulated `mmap()` and `munmap()` on a real process, down to the store that fills
        the hole and the gaps it updates on the way up.
        """),
        md("""
        ## At a glance

        *Time:* about 50 minutes.

        *Prerequisites:*

        | you need | where |
        | --- | --- |
        | `arange_64` nodes and their gaps | [lesson 01](""" + L01 + """), section 6 |
        | the store that fills the hole | [lesson 02](""" + L02 + """), sections 2 and 3 |
        | the sample process and `mtree_load()` | [lesson 03](""" + L03 + """), section 1 |
        | the maple state, `mas_next()`, `mas_prev()` | [lesson 03](""" + L03 + """), sections 3 and 5 |

        *You will learn:*

        * what the gaps of an `arange_64` node and its `gap_off` hold, and how a write
          updates them up to the root;
        * how `mas_empty_area_rev()` and `mas_empty_area()` use them to skip subtrees;
        * what `vm_unmapped_area()` adds: the length padded for alignment, `mmap_min_addr`,
          the exclusive high limit, the stack guard gap and its retry;
        * how a simulated `mmap()` and `munmap()` change a real process's tree;
        * two edges of v6.8: a top limit of `ULONG_MAX`, and `plain` trees.
        """),  # noqa: E501
        md("""
        ### Vocabulary

        | Word | Meaning |
        | --- | --- |
        | hole, gap | a NULL range: addresses no VMA covers. In a node, a *gap* is the size of the largest hole in a child's subtree |
        | `gap_off` | the slot of an `arange_64` node whose gap is the largest, kept in the node's metadata (`ma_meta_gap()`) |
        | `mas_empty_area_rev(mas, min, max, size)` | the highest range of `size` free indices inside `[min, max]` (`-EBUSY` if none) |
        | `vm_unmapped_area()` | `mm/mmap.c`: the address `mmap()` will use, from `struct vm_unmapped_area_info` |
        | `mmap_base` | the top of the area for top-down mappings, below the stack; set at `exec()`, randomised |
        | `mmap_min_addr` | the lowest address a mapping may use (`vm.mmap_min_addr`) |
        | stack guard gap | `stack_guard_gap`, 256 pages: kept free below a stack (`VM_GROWSDOWN`) so it can grow |
        | `align_mask` | the caller wants `addr & align_mask == align_offset & align_mask` |
        """),  # noqa: E501
        code("""
        from mapletree_edu import ULONG_MAX
        from mapletree_edu.lessons import l04
        from mapletree_edu.lessons.common import show
        from mapletree_edu.mm import PAGE_SIZE, Mm
        from mapletree_edu.widgets.readers import FreeSpacePlayer, ReadPlayer
        """),
        md("""
        ## 1. Gaps in an allocation tree

        `l04.demo_mm()` is the sample process of lesson 03 with 60 more one-page anonymous
        VMAs below libc, one free page between each two, as a program that maps many small
        areas gets. Seven of them in a row were unmapped, which left one larger hole.

        Its tree is an allocation tree (`MT_FLAGS_ALLOC_RANGE`, part of `MM_MT_FLAGS`), so
        its internal nodes are `arange_64`: ten slots, nine pivots, and ten **gaps**, one
        per child: the size of the largest NULL range anywhere in that child's subtree. The
        node's metadata also keeps `gap_off`, the slot of the largest of its gaps, so that
        the parent's gap for this node is one read away (`ma_meta_gap()`). Leaves keep no
        gaps; their largest hole is worked out from their NULL slots when needed
        (`mas_leaf_max_gap()`).
        """),
        code("""
        demo = l04.demo_mm()
        l04.gap_table(demo.tree)
        """),
        md("""
        The `*` marks `gap_off`. In the diagram the gaps are the numbers in the root's
        slots (the top leaf is drawn, the others are folded into grey boxes):
        """),
        code("""
        show(demo.tree, collapse=1, focus_index=demo.mmap_base - 1)
        """, ignore_output=True),
        md("""
        The gaps are kept up to date by every write. When a store changes the largest hole
        of a leaf, `mas_update_gap()` compares it with the parent's gap for that leaf and, if
        they differ, `mas_parent_gap()` writes the new value and climbs: at each level it
        recomputes `gap_off` if needed and stops as soon as a node's largest gap did not
        change. Section 4 shows it after an `mmap()`.
        """),
        md("""
        ## 2. The search: `mas_empty_area_rev()`

        `mas_empty_area_rev(mas, min, max, size)` returns the **highest** range of `size`
        free indices inside `[min, max]`:

        1. it returns `-EINVAL` if `min > max`, `size` is 0 or the window holds fewer than
           `size` indices, before looking at the tree;
        2. it starts in the root at its last slot, and `mas_rev_awalk()` moves left: slots
           that start above `max` are out of the window; a slot whose gap is smaller than
           `size` is skipped; the first slot whose gap is big enough, and that has `size`
           indices between its start and `max`, is entered;
        3. in a leaf the gap is the NULL slot's own length, so the first fitting NULL slot
           is the hole;
        4. if no slot of a node fits (the big hole that made the search enter lies above
           `max`, say), it goes back up and on to the left (`mas_rewind_node()`); once it
           has passed below `min`, it gives up with `-EBUSY`;
        5. the result is trimmed to the window: `last = min(max, end of the hole)` and
           `index = last - size + 1`.

        `mas_empty_area()` is the same search from the left (`mas_awalk()`,
        `mas_anode_descend()`, `mas_skip_node()`), returning the lowest fit.
        """),
        predict("""
        Search the demo tree for 5 pages between `mmap_min_addr` and `mmap_base - 1`, top
        down. Which root slots will the search enter, and which hole will it return? Then
        step: the panel beside the diagram lists every slot the search looked at, with its
        gap and verdict. (The player draws the leaves a step is not in as grey boxes,
        `dot_opts={"collapse": 1}`.)
        """),
        code("""
        search_steps, found = l04.record_empty_area(demo.tree, demo.mmap_min_addr,
                                                    demo.mmap_base - 1, l04.SEARCH_LEN)
        search = ReadPlayer(search_steps, "5 pages, top down, in demo.tree",
                            dot_opts={"collapse": 1})
        search
        """, ignore_output=True),
        code("""
        print("found", [hex(a) for a in found], (found[1] - found[0] + 1) // PAGE_SIZE, "pages")
        l04.holes_table(demo, at_least=2)
        """),
        check("""
        assert search.value == 0
        assert found is not None and found[1] - found[0] + 1 == l04.SEARCH_LEN
        entered = [p for s in search_steps for p in s.details.get("pruned", ()) if p[3] == "enter"]
        assert len(entered) >= 3
        """),
        md("""
        The holes below `mmap_base` with at least two pages are listed above, highest first.
        The last root slot's gap is huge (the hole between the loader and the stack), so
        the search went into it first, but that hole lies above `mmap_base`, outside the
        window, and the only other hole there was too small. Back in the root
        (`mas_rewind_node()`), the next slot to the left had a gap of 10 pages, and the
        search took the top of that hole. It is the highest hole that fits, not the largest
        one.
        """),
        md("""
        ## 3. What `vm_unmapped_area()` adds

        `mmap(NULL, len, ...)` reaches the tree through `get_unmapped_area()`. On x86-64 the
        usual layout calls `arch_get_unmapped_area_topdown()`
        (`arch/x86/kernel/sys_x86_64.c`), which fills a `struct vm_unmapped_area_info`:
        top-down, `length = len`, `low_limit = PAGE_SIZE`, `high_limit = mmap_base`,
        `align_mask` 0 for anonymous memory. `vm_unmapped_area()` then calls
        `unmapped_area_topdown()` (`mm/mmap.c`), which adds these steps around the tree
        search:

        | step | what | why |
        | --- | --- | --- |
        | 1 | `length = len + align_mask` | the worst case: any hole that long holds an aligned area of `len` |
        | 2 | `low_limit` raised to `mmap_min_addr` | the lowest pages stay unmapped (NULL-pointer bugs) |
        | 3 | `mas_empty_area_rev(low_limit, high_limit - 1, length)` | `high_limit` is exclusive |
        | 4 | `gap = mas.last + 1 - len`, then rounded down to the alignment | the top of the hole, aligned |
        | 5 | `mas_next()`: if the VMA after the hole grows down (or is a shadow stack) and `vm_start_gap()` reaches the hole, lower `high_limit` to it and search again | keep the stack guard gap free |
        | 6 | otherwise `mas_prev()`: if the VMA before grows up (`VM_GROWSUP`, not on x86) and its guard reaches the area, lower `high_limit` to its start and search again | the same for upward stacks |

        If it fails, `arch_get_unmapped_area_topdown()` falls back to the bottom-up
        `unmapped_area()` between `mmap_legacy_base` and the top of the usual 47-bit space
        (`arch_get_unmapped_area()` and `find_start_end()`, same file). `mapletree_edu.mm`
        models these steps (its docstring lists what it leaves out, such as VMA merging).

        `l04.guard_mm()` is a small address space whose highest hole below `mmap_base` ends
        at a VMA made with `MAP_GROWSDOWN`:
        """),  # noqa: E501
        code("""
        guard = l04.guard_mm()
        print([(hex(v.start), hex(v.end), v) for v in guard.vmas()])
        l04.holes_table(guard)
        """),
        predict("""
        `guard.mmap(16 * PAGE_SIZE)`: where will the first tree search land, and where will
        the mapping end up? How many searches will it take?
        """),
        code("""
        placed = guard.mmap(l04.GUARD_LEN)
        l04.rounds_table(guard.last_area)
        """),
        check("""
        assert len(guard.last_area.rounds) == 2
        assert placed.start == l04.expected_guard(l04.GUARD_LEN)
        """),
        md("""
        The stack guard gap is `stack_guard_gap` (`mm/mmap.c:2160`): 256 pages, which can be
        changed with the `stack_guard_gap=` boot option (`:2173`).
        """),
        md("""
        ## 4. `mmap()` and `munmap()` on a real process

        `l04.session_mm()` is the sample `cat` process of lesson 03. `Mm.from_maps()` reads
        your own process's `/proc/self/maps` instead, where there is one (next cell). Its
        `mmap_base` is not in the maps file (it is randomised at `exec()`); the model
        estimates it as the end of the highest VMA below the stack, since top-down mappings
        are placed right under `mmap_base` first.
        """),
        code("""
        try:
            live = Mm.from_maps()
            print(len(live.vmas()), "VMAs in this kernel's process; mmap_base about",
                  hex(live.mmap_base))
        except Exception as exc:
            print("no /proc/self/maps here:", exc)
        """, ignore_output=True),
        code("""
        sess = l04.session_mm()
        first = sess.mmap(3 * PAGE_SIZE, name="")
        second = sess.mmap(64 * PAGE_SIZE, name="")
        print(hex(first.start), hex(first.end), "|", hex(second.start), hex(second.end))
        l04.holes_table(sess, at_least=1, low=0x7F00_0000_0000)
        """),
        md("""
        The first mapping went to the top of the highest hole that fits (the 10-page hole
        under the small anonymous mapping below `[vvar]`), right below the VMA above it, as
        top-down allocation does; the second was too large for any hole up there and went
        into the big hole below libc, right under the anonymous mapping at its top.
        `munmap()` gives the space back: it stores NULL over the range (after splitting any
        VMA it cuts).
        """),
        code("""
        sess.munmap(first.start, 3 * PAGE_SIZE)
        l04.holes_table(sess, at_least=1, low=0x7F00_0000_0000)
        """),
        md("""
        Now the whole journey on the demo process of sections 1 and 2: `mmap()` of 12 pages,
        from the search to the store of the new VMA.
        """),
        code("""
        journey = l04.demo_mm()
        before = journey.tree.dup()
        l04.gap_table(journey.tree)
        """),
        predict("""
        Which hole will the 12-page `mmap()` use? When the new VMA is stored, which gap of
        the root will change, and to what? Step from the search to the store.
        """),
        code("""
        mmap_player = FreeSpacePlayer(journey, l04.DEMO_LEN, "mmap(12 pages)",
                                      dot_opts={"collapse": 1})
        mmap_player
        """, ignore_output=True),
        code("""
        print("the new VMA:", hex(mmap_player.vma.start), hex(mmap_player.vma.end))
        l04.gaps_changed(before, journey.tree)
        """),
        check("""
        assert mmap_player.value == 0 and mmap_player.vma is not None
        assert journey.tree.load(mmap_player.vma.start) is mmap_player.vma
        assert len(l04.gaps_changed(before, journey.tree).rows) >= 1
        assert not journey.tree.validate()
        """),
        md("""
        The leaf that held the 15-page hole now has a largest hole of 3 pages, so
        `mas_update_gap()` changed the root's gap for it. The root's own largest gap (the
        slot marked `*`) did not change, so there was nothing more to update.
        """),
        md("""
        ## 5. Two edges: `ULONG_MAX` and `plain` trees

        Two behaviours of v6.8's search are worth knowing (both recorded from v6.8 running
        in user space; `tests/data/kernel-golden/READ-FORMAT.md`, items 8 and 9):

        * **`max = ULONG_MAX` misses the leftmost subtree.** `mas_rev_awalk()` checks
          `last - min + 1 >= size` for a candidate slot. For a slot that starts at 0 with
          `last = ULONG_MAX` this is `2**64`, which wraps to 0, so such a slot is never
          chosen, at any level. `mmap()` is not affected: its `high_limit - 1` is far below
          `ULONG_MAX`.
        * **A `plain` tree of height 2 or more finds nothing.** Its internal nodes are
          `range_64`, with no gaps; a child pointer is never NULL, so no child is ever seen
          as having room. On a single leaf the search scans the NULL slots and works.
          `mtree_alloc_range()` refuses `plain` trees with `-EINVAL`.

        `l04.wrap_tree()` has one hole of 40 indices, at `[10, 49]` in its leftmost leaf,
        and only small ones elsewhere:
        """),
        code("""
        l04.edge_table()
        """),
        md("""
        ## Exercises
        """),
        exercise(1, "build a layout the search surprises you with", """
            Build a layout of ranges inside `[0, l04.EX1_MAX]` with a tree of height 2 or
            more, and a request `size`, such that `mas_empty_area_rev(0, l04.EX1_MAX, size)`
            does **not** return a part of the largest hole. Predict what it returns. Answer
            `(ranges, size, (first, last))`; the check builds the tree with
            `tree_of(ranges)` and runs the search.
            """, """
            ranges = []        # (first, last) pairs in increasing order
            size = None
            answer = None      # (ranges, size, (first, last))
            """, "check_layout", "l04", "layout"),
        exercise(2, "the guard gap", """
            On a fresh `l04.guard_mm()`, where does `mmap(l04.GUARD_EX_LEN)` place the new
            VMA? The request is exactly as long as the hole below the grows-down VMA.
            Answer with its start address. Work it out from the holes and the guard gap
            before you run it.
            """, """
            print(l04.holes_table(l04.guard_mm()), hex(l04.GUARD_EX_LEN))
            answer = None   # an address
            """, "check_guard", "l04", "guard"),
        exercise(3, "an aligned mapping", """
            On a fresh `l04.session_mm()`, where does `mmap(l04.ALIGN_LEN,
            align=l04.ALIGN)` place the new VMA? The model passes
            `align_mask = align - 1` to `vm_unmapped_area()`. Answer with the start address.
            """, """
            print(hex(l04.ALIGN_LEN), hex(l04.ALIGN))
            answer = None   # an address
            """, "check_align", "l04", "align"),
        exercise(4, "the top of the address space", """
            For each window `(min, max)` in `l04.WRAP_WINDOWS`, what does
            `mas_empty_area_rev(min, max, l04.WRAP_EX_SIZE)` return on `l04.wrap_tree()`
            (a request of 30, larger than section 5's)? Answer with a list of
            `(first, last)` pairs, or None for `-EBUSY`.
            """, """
            print(l04.WRAP_WINDOWS, l04.WRAP_EX_SIZE)
            answer = None   # a list of four results
            """, "check_wrap", "l04", "wrap"),
        md("""
        ## Summary

        * An allocation tree's `arange_64` nodes keep, per child, the largest hole in its
          subtree, and `gap_off`, the slot of the largest; writes update them upwards
          (`mas_update_gap()`, `mas_parent_gap()`) until a level does not change.
        * `mas_empty_area_rev()` walks from the top down, skipping children whose gap is too
          small, and returns the highest fit; `mas_empty_area()` returns the lowest.
        * `vm_unmapped_area()` pads the length for alignment, keeps above `mmap_min_addr`,
          treats `high_limit` as exclusive, aligns the result and searches again when a
          stack guard gap would be hit; on x86-64 the window is `[PAGE_SIZE, mmap_base)`,
          with a bottom-up fallback.
        * `mmap()` stores the new VMA over the area found, and the gaps above it change;
          `munmap()` splits the VMAs it cuts and stores NULL over the range.
        * In v6.8 a top-down search with `max = ULONG_MAX` never picks a slot starting at 0,
          and a `plain` tree of height 2 or more never finds a gap.
        """),
        kernel_functions([
            ("`mas_empty_area_rev()`, `mas_rev_awalk()`, `mas_rewind_node()`",
             "the highest free range of a size in a window",
             "`lib/maple_tree.c:5053`, `:4694`, `:4883`"),
            ("`mas_empty_area()`, `mas_awalk()`, `mas_anode_descend()`, `mas_skip_node()`",
             "the lowest one", "`lib/maple_tree.c:4996`, `:4936`, `:4781`, `:4908`"),
            ("`mas_sparse_area()`", "the same on a tree with no node", "`lib/maple_tree.c:4964`"),
            ("`mas_update_gap()`, `mas_parent_gap()`, `mas_max_gap()`, `mas_leaf_max_gap()`",
             "keep the gaps right after a write",
             "`lib/maple_tree.c:1656`, `:1605`, `:1578`, `:1469`"),
            ("`ma_meta_gap()`, `ma_set_meta_gap()`",
             "read and write `gap_off` in the node's metadata", "`lib/maple_tree.c:934`, `:945`"),
            ("`mtree_alloc_range()`, `mtree_alloc_rrange()`",
             "find a free range and store an entry there", "`lib/maple_tree.c:6408`, `:6446`"),
            ("`vm_unmapped_area()`, `unmapped_area_topdown()`, `unmapped_area()`",
             "the address for `mmap()`: padding, limits, alignment, guard-gap retries",
             "`mm/mmap.c:1679`, `:1628`, `:1576`"),
            ("`vm_start_gap()`, `vm_end_gap()`, `stack_guard_start_gap()`",
             "a VMA's start/end including its guard gap",
             "`include/linux/mm.h:3473`, `:3484`, `:3461`"),
            ("`generic_get_unmapped_area_topdown()`",
             "the window `[PAGE_SIZE, mmap_base)` top down, then the bottom-up fallback; "
             "x86-64 has its own `arch_get_unmapped_area_topdown()` that does the same "
             "(`arch/x86/kernel/sys_x86_64.c:161`)", "`mm/mmap.c:1752`"),
            ("`mmap_region()`, `do_vmi_align_munmap()`",
             "store the new VMA; split and clear for `munmap()`", "`mm/mmap.c:2722`, `:2512`"),
        ]),
        md("""
        ## Resources

        * `Documentation/core-api/maple_tree.rst`, allocation trees and
          `mas_empty_area{,_rev}()`:
          [docs.kernel.org/core-api/maple_tree.html](https://docs.kernel.org/core-api/maple_tree.html)
        * LWN, "Introducing maple trees" (2021):
          [lwn.net/Articles/845507](https://lwn.net/Articles/845507/)
        """),
        md("""
        ## After v6.8

        * In v6.8 `mas_empty_area_rev()` reads the root node's end right after
          `mas_start()`, before it checks for a tree without nodes, so on an empty tree it
          dereferences NULL; this is why `MapleTree.empty_area(top_down=True)` on an empty
          tree raises `KernelCrash`. "maple_tree: fix mas_empty_area_rev() null pointer
          dereference" (Liam R. Howlett, upstream commit
          `955a923d2809803980ff574270f81510112be9cf`, patch Message-ID
          `20240422203349.2418465-1-Liam.Howlett@oracle.com`, also taken into the stable
          kernels) moves the check first.
        * `mas_rev_awalk()` is unchanged in v6.10 (read in the copy of repository
          `qiaozhe1/linux6.10`, commit `96459d4c96d3c4d1e6f340218e3ebc34b3ac4739`,
          `lib/maple_tree.c`), so the `ULONG_MAX` behaviour of section 5 is still present
          there.
        """),
        md("""
        ## What's next

        [Lesson 05, node splits](05-node-splits.ipynb): what happens when a store does not
        fit in its leaf.
        """),  # noqa: E501
    ], "Finding free space: arange_64 gaps and gap_off, mas_empty_area{,_rev}, what "
       "vm_unmapped_area() adds, a simulated mmap()/munmap() on a real process.")


if __name__ == "__main__":
    import build

    build.main(["04"])
