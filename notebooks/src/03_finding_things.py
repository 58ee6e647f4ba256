# SPDX-License-Identifier: GPL-2.0-or-later
"""Builder of notebooks/03-finding-things.ipynb."""

from build import check, code, exercise, kernel_functions, lesson, md, predict

L01 = "01-what-a-maple-tree-stores.ipynb"
L02 = "02-walking-and-storing.ipynb"


def notebook():
    return lesson([
        md("""
        # Finding things

        Lessons 01 and 02 wrote into the tree. This one reads it, which is what the kernel
        does far more often: every page fault looks up the VMA of the faulting address,
        and every walk over a process's memory (`/proc/<pid>/maps`, `fork()`, `munmap()`)
        iterates over its VMAs. You follow a lookup from the root to a leaf, meet the
        **maple state** as a cursor that remembers where it is, see the statuses it
        reports at the ends of the tree, and learn why a cursor must be reset or paused
        when the tree changes under it. The last section shows what RCU mode is for: a
        reader that holds a node while a writer replaces it.
        """),
        md("""
        ## At a glance

        *Time:* about 50 minutes.

        *Prerequisites:*

        | you need | where |
        | --- | --- |
        | pivots, slots, NULL ranges | [lesson 01](""" + L01 + """), sections 2 and 4 |
        | node types and the allocation tree | [lesson 01](""" + L01 + """), section 6 |
        | reading a diagram and a player | [lesson 01](""" + L01 + """), section 8 |
        | the walk down to a leaf | [lesson 02](""" + L02 + """), section 1 |
        | which writes replace a node in RCU mode | [lesson 02](""" + L02 + """), section 6 |

        *You will learn:*

        * how `mtree_load()` and `mt_find()` (the kernel's `vma_lookup()` and `find_vma()`)
          walk from the root to a leaf;
        * what the maple state holds (`index`, `last`, `node`, `offset`, `status`) and how
          `mas_walk()`, `mas_find()`, `mas_next()` and `mas_prev()` move it;
        * the statuses `start`, `active`, `pause`, `none`, `root`, `overflow` and
          `underflow`, and four places where the kernel's answer is not the one you
          would guess;
        * why a maple state must be paused or reset across a write;
        * why RCU mode replaces nodes, and how a lock-free reader notices that its node
          died.
        """),
        md("""
        ### Vocabulary

        | Word | Meaning |
        | --- | --- |
        | maple state (`struct ma_state`, "mas") | a cursor into the tree: the range it is on (`index`, `last`), the node and slot (`node`, `offset`), the node's bounds (`min`, `max`) and a `status` |
        | status | what the state's next call should do: `start` (walk from the root), `active` (go on from `node`), `pause` (walk again, past `last`), `none` (no node to stand on: an empty tree, or past the lone entry of a root-entry tree), `root` (on the lone entry at 0 that the root pointer holds), `overflow`/`underflow` (the last call hit its limit) |
        | `mas_walk()` | walk from the root to the range holding `index`; set `index`/`last` to that range |
        | `mas_find(max)` | the first entry at or after `index` on the first call, then the next one each call, up to `max` |
        | `mas_next(max)` / `mas_prev(min)` | the entry after / before the current range |
        | VMA iterator | `struct vma_iterator`, a maple state wrapped for VMAs; `for_each_vma()` calls `mas_find(ULONG_MAX)` |
        | RCU | read-copy-update: readers take no lock; writers publish new copies and free old ones only after every reader that could see them has finished |
        | dead node | a node taken out of the tree whose parent pointer points at itself (`mte_set_node_dead()`); a reader that finds it walks again |
        """),  # noqa: E501
        code("""
        from mapletree_edu import ULONG_MAX
        from mapletree_edu.lessons import l03
        from mapletree_edu.lessons.common import show
        from mapletree_edu.widgets.readers import CursorPlayer, RcuPlayer, ReadPlayer
        """),
        md("""
        ## 1. A lookup: `mtree_load()`

        `l03.process()` is a real process: the 23 VMAs of one `/usr/bin/cat`
        (`mapletree_edu/data/cat.maps`), stored in an allocation tree in RCU mode as the
        kernel stores `mm->mm_mt`. Each VMA `[vm_start, vm_end)` is stored over
        `[vm_start, vm_end - 1]`, and each entry is drawn with its file's short name and
        its permissions.
        """),
        code("""
        mm = l03.process()
        proc = mm.tree
        l03.slots_table(proc)
        """),
        md("""
        The same tree drawn, with the leaf that holds the heap open and the other leaf folded
        into a grey box:
        """),
        code("""
        show(proc, collapse=1, focus_index=l03.HEAP.start)
        """, ignore_output=True),
        md("""
        `mtree_load(tree, index)` returns the entry that covers `index`, or NULL. It sets up
        a maple state for `[index, index]`, reads the root pointer (`mas_start()`), and then
        `mtree_lookup_walk()` goes down: in every node it takes the first slot whose pivot
        is at least `index` (the last slot runs to the node's maximum), which is the rule of
        the write walk in lesson 02. It keeps no state: it does not work out the range it
        lands in (`mas_walk()` below does), never allocates and never writes, so the kernel
        runs it under `rcu_read_lock()` alone.
        `vma_lookup(mm, addr)` in `include/linux/mm.h` is exactly `mtree_load(&mm->mm_mt,
        addr)`.

        `l03.ADDRESS` is the address we look up, somewhere between the `[heap]` and libc:
        """),
        code("""
        print(hex(l03.ADDRESS))
        """),
        predict("""
        Which nodes will `proc.load(l03.ADDRESS)` pass through, and what will it
        return? Write your answer down, then step. (The players of this lesson draw the
        leaves a step is not in as a grey box, `dot_opts={"collapse": 1}`, so that the
        long addresses stay readable; "actual size" shows the diagram unscaled.)
        """),
        code("""
        load_steps = l03.record_load(proc, l03.ADDRESS)
        ReadPlayer(load_steps, "proc.load(l03.ADDRESS)", dot_opts={"collapse": 1})
        """, ignore_output=True),
        md("""
        The answer, with two more addresses (the heap's first byte and its last):
        """),
        code("""
        l03.load_table(proc, [l03.ADDRESS, l03.HEAP.start, l03.HEAP.end - 1])
        """),
        check("""
        assert proc.load(l03.ADDRESS) is None
        assert proc.load(l03.HEAP.start) == l03.HEAP
        assert [s.fn for s in load_steps][0] == "mtree_load"
        """),
        md("""
        ## 2. The first VMA at or above: `mt_find()` and `find_vma()`

        A page fault in a hole is not always a bug: the stack grows down into the hole
        below it. So besides "what covers this address" the mm asks "which is the first VMA
        that ends above this address": `find_vma(mm, addr)` in `mm/mmap.c`, which is
        `mt_find(&mm->mm_mt, &index, ULONG_MAX)` with `index = addr`.

        `mt_find(tree, &index, max)` walks to `index` like a lookup. If it lands on an
        entry, that is the answer. If it lands on a NULL range, it steps to the next slots
        (`mas_next_entry()`), moving up and down the tree at the end of a leaf, until it
        finds an entry that starts at or below `max`. On a hit it sets `index` to the entry's
        `last + 1`, so a loop can call it again to get the next entry.
        """),
        predict("""
        `proc.find(l03.ADDRESS)` is `find_vma()` at the same address. Which VMA will it
        return? Will its walk visit the same nodes as the lookup above, or more?
        """),
        code("""
        find_steps = l03.record_find(proc, l03.ADDRESS)
        ReadPlayer(find_steps, "proc.find(l03.ADDRESS)", dot_opts={"collapse": 1})
        """, ignore_output=True),
        code("""
        l03.find_table(proc, [l03.ADDRESS, l03.HEAP.start, l03.STACK.end])
        """),
        check("""
        assert proc.find(l03.ADDRESS)[2] == l03.ANON_BELOW_LIBC
        assert proc.find(l03.STACK.end) is None
        """),
        md("""
        The last row: above the stack there is nothing, so `find_vma()` returns NULL. The
        `[vsyscall]` page that `/proc/<pid>/maps` prints higher up is not a VMA of the tree
        (`mapletree_edu.procmaps` leaves it out).
        """),
        md("""
        ## 3. The maple state

        The normal API (`mtree_load()`, `mt_find()`) makes a new maple state for every
        call and throws it away. The advanced API lets you keep one, as a cursor. Its
        fields (`include/linux/maple_tree.h`): `index` and `last`, the range it is on;
        `node` and `offset`, the node and the slot in it; `min` and `max`, that node's
        bounds; and `status` (`enum maple_status`), which tells the next call how to start.

        `mas_walk()` always starts from the root, sets `index` and `last` to the whole range
        it lands in, NULL ranges included, and returns its entry. A page fault uses it:
        `lock_vma_under_rcu()` in `mm/memory.c` sets a state to the faulting address and
        calls `mas_walk()` under `rcu_read_lock()`.

        `l03.small()` is the tree of the worked example in the kernel recordings' notes:
        """),
        code("""
        small = l03.small()
        l03.ranges(small)
        """),
        predict("""
        A cursor starts at 25, inside the hole `[20, 29]`. What do `mas_walk()` and then
        three calls of `mas_find(45)` return, and what are `index`, `last` and the status
        after the third `mas_find`? Then step through the calls and watch the maple state
        beside the tree.
        """),
        code("""
        walk = CursorPlayer(small, [("walk",), ("find", 45), ("find", 45), ("find", 45)],
                            "a cursor at 25", start=25)
        walk
        """, ignore_output=True),
        code("""
        l03.calls_table(walk.calls)
        """),
        check("""
        assert walk.value == 0
        assert [c.mas["status"] for c in walk.calls] == ["active"] * 4
        assert walk.calls[3].entry is None
        """),
        md("""
        `mas_walk()` returned NULL with `[20, 29]`: a walk reports the range it stands on,
        entry or not. The first `mas_find()` then moved to `[30, 39]`. The third found
        nothing more that **starts** at or below 45, so it returned NULL; the state stayed
        on `[40, 49]` and its status stayed `active`. That is the first surprise:
        `mas_find()` does not report `overflow` when it runs out of entries (it sets
        `active` on its way out, `lib/maple_tree.c:6022`), so a loop can only stop on the
        NULL it returns.
        """),
        md("""
        ## 4. Iterating: `for_each_vma()`

        `for_each_vma(vmi, vma)` (`include/linux/mm.h`) is a loop around `vma_next()`, which
        is `mas_find(&vmi->mas, ULONG_MAX)`. Each call moves the state one slot right
        (`mas_next_slot()`), skipping NULL ranges. At the end of a leaf it climbs to the
        parent and goes down into the next leaf (`mas_next_node()`). Most calls stay in the
        same leaf, so a whole walk costs about one step per VMA, not one walk from the root
        per VMA.

        The process tree has two leaves. Start at libc's writable segment, the last VMA of
        the first leaf, and take four VMAs:
        """),
        predict("""
        At which of the four `mas_find()` calls does the state's `node` change, and what is
        its `offset` right after the change?
        """),
        code("""
        across = CursorPlayer(proc, [("find", ULONG_MAX)] * 4,
                              "four finds from libc's rw- segment",
                              start=l03.LIBC_RW.start, dot_opts={"collapse": 1})
        across
        """, ignore_output=True),
        code("""
        l03.calls_table(across.calls)
        """),
        check("""
        nodes = [c.mas["node"] for c in across.calls]
        assert len(set(nodes)) == 2 and across.value == 0
        """),
        md("""
        ## 5. At the ends: `overflow`, `underflow` and three more surprises

        `mas_next(max)` and `mas_prev(min)` step to the neighbouring entry, like
        `mas_find()`, but they do report hitting their limit: `overflow` when nothing
        starts at or below `max`, `underflow` when nothing ends at or above `min`. A state
        in `overflow` or `underflow` usually keeps its node, so the next call with a wider
        limit goes on from there.
        """),
        predict("""
        On `small`, a cursor set to 40 calls `mas_next(45)`, then `mas_next(100)`,
        `mas_prev(0)` and `mas_prev(0)` again. Which calls return NULL, and which status
        does each leave?
        """),
        code("""
        ends = CursorPlayer(small, [("next", 45), ("next", 100), ("prev", 0), ("prev", 0)],
                            "a cursor at 40", start=40)
        ends
        """, ignore_output=True),
        code("""
        l03.calls_table(ends.calls)
        """),
        md("""
        Three more behaviours that a flat list of ranges would not predict; each was
        recorded from v6.8 running in user space (the notes in
        `tests/data/kernel-golden/READ-FORMAT.md`, "Behaviour worth knowing"):

        * **Limits apply to where a range starts (or ends), not to all of it.**
          `mas_find(45)` above returned `[40, 49]`, which runs past 45.
        * **`mas_find_range()` skips the NULL range it starts in.** From `start`, it returns
          the next entry, not the hole that holds `index` (the `_range` forms do step
          through NULL ranges on later calls).
        * **`mt_find()` wraps.** After an entry that ends at `ULONG_MAX`, `index = last + 1`
          is 0, and a loop that calls `mt_find()` again starts over from the bottom. The
          kernel has `mt_find_after()` for that: it returns NULL when `index` is 0.
        """),
        code("""
        l03.surprises_table()
        """),
        md("""
        ## 6. A cursor across a write: pause or reset

        A maple state points into a node. A write may free that node, replace it, or
        move the slots inside it, and the state would not know. So the rule of the advanced
        API is: a state is not used across a change to the tree until it is **reset**
        (`mas_reset()`: status `start`, the next call walks from the root to `index`) or
        **paused** (`mas_pause()`: status `pause`, the node forgotten; the next `mas_find()`
        walks to `last + 1`, the next `mas_find_rev()` to `index - 1`). Both keep `index` and
        `last`.

        The kernel does this where a VMA walk drops the mmap lock or writes:

        * `show_smaps_rollup()` (`fs/proc/task_mmu.c`, `/proc/<pid>/smaps_rollup`) drops the
          mmap lock when a writer waits for it; before it does, it calls
          `vma_iter_invalidate()`, which is `mas_pause()`;
        * `vma_iter_store()` (`mm/internal.h`) invalidates the iterator the same way when the
          VMA it stores is not where the iterator stands.

        The player below is such a loop on a fresh `l03.small()`: two `mas_find()` calls, a
        pause, a write that removes the entry the cursor stands on (`[30, 39]`), and one
        more `mas_find()`.
        """),
        predict("""
        After the pause and the write, where does the last `mas_find()` start its walk, and
        what does it return?
        """),
        code("""
        paused = CursorPlayer(l03.small(), [("find", ULONG_MAX), ("find", ULONG_MAX), ("pause",),
                                            ("clear", 30, 39), ("find", ULONG_MAX)],
                              "a loop that pauses", start=0)
        paused
        """, ignore_output=True),
        code("""
        l03.calls_table(paused.calls)
        """),
        check("""
        assert paused.value == 0 and paused.calls[2].mas["status"] == "pause"
        assert paused.calls[3].entry == 3
        """),
        md("""
        The paused state kept `index` and `last` (`[30, 39]`) but let go of its node; the
        next `mas_find()` walked from the root to `last + 1 = 40` and returned the entry
        there. In a Python loop over `proc.cursor()`, call `cursor.pause()` before you
        change the tree; exercise 1 asks you to write that loop. (Without the pause, a
        cursor on a tree that is not in RCU mode raises `StaleCursorError` at its next
        call.)
        """),
        md("""
        ## 7. RCU readers

        Why does the mm tree run in RCU mode? Since Linux 6.4 a page fault first tries
        `lock_vma_under_rcu()` (`mm/memory.c`): it finds the VMA with `mas_walk()` under
        `rcu_read_lock()` and takes only that VMA's lock, not the whole mm's `mmap_lock`
        (with `CONFIG_PER_VMA_LOCK`, which `mm/Kconfig:1248` turns on for SMP builds of
        architectures that support it; `arch/x86/Kconfig:30` selects that support for
        x86-64). So a reader can be inside a node while a writer changes the tree. Writes
        that would move data around inside a live node (the in-place append, the three-slot
        slot store and the big node's write-back of lesson 02) are switched off in RCU
        mode. The node store builds a **new**
        node instead, links it into the tree in one pointer store (`mas_put_in_tree()`),
        marks the old node **dead** (`mte_set_node_dead()`: its parent pointer points at
        itself) and frees it only after an RCU grace period (`ma_free_rcu()`), when no
        reader can hold it any more.

        A reader that still holds the old node reads consistent, old data. After reading a
        node, every read path checks `ma_dead_node()`. If the node died, the walk starts
        again from the root: `mtree_lookup_walk()` and `mtree_range_walk()` reset the state
        and retry, and the iterators call `mas_rewalk()`, which walks to the index they
        were on.

        The player interleaves the two. The reader walks to the `[heap]` and keeps its
        leaf. The writer then unmaps the anonymous mapping just below libc, in the same
        leaf: a NULL store over its range, which merges with the hole before it. Then the
        reader asks for the next VMA.
        """),
        predict("""
        Will the reader's leaf still be in the tree after the write? Which VMA will the
        reader's `mas_next()` return, and how will it get there?
        """),
        code("""
        rcu = RcuPlayer(l03.process().tree, l03.HEAP.start, l03.RCU_WRITE, "reader and writer",
                        dot_opts={"collapse": 1})
        rcu
        """, ignore_output=True),
        code("""
        l03.rcu_table(rcu)
        """),
        check("""
        assert rcu.value == 0
        assert rcu.facts["dead"] and rcu.facts["rewalked"]
        assert rcu.facts["entry"] == l03.LIBC_FIRST
        """),
        md("""
        Some writes still change a live node in RCU mode: an exact fit replaces one slot
        pointer, and a slot store that moves one boundary changes one pointer and one
        pivot. A reader racing with them sees the old range or the new one. The page fault
        path is ready for that: once `lock_vma_under_rcu()` holds the VMA's lock, it checks
        again that the address lies inside the VMA's `vm_start`/`vm_end` and falls back to
        the `mmap_lock` path if not. Exercise 4 asks which writes leave a reader's node
        alive.
        """),
        md("""
        ## Exercises
        """),
        exercise(1, "a for_each_vma loop that unmaps as it goes", """
            Write a function `loop(tree)` that walks every VMA of `tree` in address order
            with **one** cursor (`cur = tree.cursor(0)`, then `cur.find(ULONG_MAX)` until it
            returns None) and unmaps every anonymous VMA (`vma.name == ""`) it meets with
            `tree.clear(vma.start, vma.end - 1)`. Pause the cursor before each write. Return
            the list of every VMA the loop met, in order, and set `answer = loop`. The check
            runs your function on a fresh `l03.process().tree` with RCU mode off (there a
            cursor that was not paused cannot be trusted after a write, and the model raises
            `StaleCursorError`), and compares the VMAs you met and the tree left behind with
            what they must be.
            """, """
            def loop(tree):
                met = []
                # your loop here
                return met


            answer = loop
            """, "check_pause_loop", "l03", "pause_loop"),
        exercise(2, "predict the statuses", """
            On a fresh `l03.small()`, a cursor set to `l03.STATUS_START` makes the calls in
            `l03.STATUS_CALLS`. Predict the status after each call: a list of names such as
            `"active"`, `"overflow"`, `"underflow"`. Then check it with a `CursorPlayer`.
            """, """
            print("start at", l03.STATUS_START, "calls", l03.STATUS_CALLS)
            answer = None   # a list of status names, one per call
            """, "check_statuses", "l03", "statuses"),
        exercise(3, "find_vma by hand", """
            For each address in `l03.FIND_ADDRESSES`, which VMA does `find_vma()` return on
            the process tree? Answer with a list of VMAs (`proc.load(...)` gives a VMA by an
            address inside it) or None. Work it out from `l03.slots_table(proc)` first.
            """, """
            print([hex(a) for a in l03.FIND_ADDRESSES])
            answer = None   # a list: a VMA or None for each address
            """, "check_find_vma", "l03", "find_vma"),
        exercise(4, "which writes kill the reader's leaf?", """
            A reader holds the leaf that contains `[heap]`, as in section 7. For each write
            in `l03.RCU_WRITES` (each on a fresh `l03.process().tree`), will the reader's
            leaf be dead afterwards? Answer with a list of True/False. Use lesson 02's write
            paths: which of them build a new node in RCU mode?
            """, """
            print(l03.writes_table())
            answer = None   # a list of booleans
            """, "check_rcu_dead", "l03", "rcu_dead"),
        md("""
        ## Summary

        * `mtree_load()` (`vma_lookup()`) walks down by pivots to the slot holding `index`
          and returns its entry or NULL; `mt_find()` (`find_vma()`) goes on to the next
          entry when it lands on NULL, and sets `index` past what it found.
        * The maple state is a cursor: `index`/`last` (the range), `node`/`offset` (where),
          `status` (how the next call starts). `mas_walk()` always starts at the root.
        * `mas_find()` is the iterator of `for_each_vma()`: one slot per call, up and down
          at the end of a leaf. It does not report `overflow` when it runs out;
          `mas_next()` and `mas_prev()` report `overflow` and `underflow`.
        * Limits apply to where a range starts (or ends); `mas_find_range()` skips the NULL
          range it starts in; `mt_find()` wraps `index` to 0 after an entry that ends at
          `ULONG_MAX`.
        * Pause or reset a state before the tree changes under it.
        * In RCU mode a writer replaces nodes instead of moving data inside them, marks the
          old node dead and frees it after a grace period; a reader that finds its node
          dead walks again. This is what lets `lock_vma_under_rcu()` find a VMA without the
          `mmap_lock`.
        """),
        kernel_functions([
            ("`mtree_load()`", "the entry at an index, under RCU", "`lib/maple_tree.c:6269`"),
            ("`mtree_lookup_walk()`", "the descent of `mtree_load()`; retries on a dead node",
             "`lib/maple_tree.c:3692`"),
            ("`mt_find()`, `mt_find_after()`",
             "the first entry at or after `*index`, up to `max`; `*index` moves past it",
             "`lib/maple_tree.c:6829`, `:6889`"),
            ("`mas_walk()`, `mas_state_walk()`, `mtree_range_walk()`",
             "walk a state from the root to the range holding `index`",
             "`lib/maple_tree.c:4854`, `:3669`, `:2753`"),
            ("`mas_find()`, `mas_find_range()`, `mas_find_rev()`",
             "iterate forwards / backwards up to a limit",
             "`lib/maple_tree.c:6012`, `:6039`, `:6151`"),
            ("`mas_next()`, `mas_prev()`, `mas_next_slot()`, `mas_prev_slot()`",
             "step to the neighbouring entry; report `overflow` / `underflow`",
             "`lib/maple_tree.c:5704`, `:5835`, `:4578`, `:4404`"),
            ("`mas_pause()`", "forget the node, keep `index` and `last`",
             "`lib/maple_tree.c:5906`"),
            ("`mas_reset()`, `mas_set()`", "walk from the root at the next call",
             "`include/linux/maple_tree.h:554`, `:744`"),
            ("`mas_rewalk()`, `ma_dead_node()`, `mte_set_node_dead()`",
             "a reader notices a dead node and walks again; a writer marks one",
             "`lib/maple_tree.c:4293`, `:554`, `:321`"),
            ("`mas_put_in_tree()`, `mas_replace_node()`, `ma_free_rcu()`",
             "link a new node in, mark the old one dead, free it after a grace period",
             "`lib/maple_tree.c:1707`, `:1736`, `:194`"),
            ("`find_vma()`", "`mt_find(&mm->mm_mt, &addr, ULONG_MAX)`", "`mm/mmap.c:1890`"),
            ("`vma_lookup()`, `vma_next()`, `vma_iter_invalidate()`, `for_each_vma()`",
             "the mm's wrappers: `mtree_load()`, `mas_find()`, `mas_pause()`, a loop",
             "`include/linux/mm.h:3456`, `:955`, `:1026`, `:1036`"),
            ("`lock_vma_under_rcu()`",
             "page-fault lookup with `mas_walk()` under RCU, then the VMA's own lock",
             "`mm/memory.c:5614`"),
        ]),
        md("""
        ## Resources

        * `Documentation/core-api/maple_tree.rst`, the advanced API and its locking:
          [docs.kernel.org/core-api/maple_tree.html](https://docs.kernel.org/core-api/maple_tree.html)
        * LWN, "Introducing maple trees" (2021): [lwn.net/Articles/845507](https://lwn.net/Articles/845507/)
        * LWN, "Concurrent page-fault handling with per-VMA locks" (2022):
          [lwn.net/Articles/906852](https://lwn.net/Articles/906852/)
        * The commit that added `lock_vma_under_rcu()`, "mm: introduce lock_vma_under_rcu to
          be used from arch-specific code":
          [6f712845fed4](https://www.infradead.org/git/?a=commit&h=6f712845fed42e5dbaa586ade9f26d3cfda7892a&p=users%2Fjedix%2Flinux-maple.git)
        * LWN, "Stabilizing per-VMA locking" (on the 6.4 release that brought them), as
          syndicated: [pipedot.org/article/6CYGN](https://pipedot.org/article/6CYGN)
        """),
        md("""
        ## What's next

        [Lesson 04, finding free space](04-finding-free-space.ipynb): the gaps the
        allocation tree keeps in its internal nodes, and how `mmap()` uses them to find a
        hole without looking at every VMA.
        """),  # noqa: E501
    ], "Reading the tree: mtree_load and mt_find (vma_lookup, find_vma), the maple state "
       "as a cursor and its statuses, for_each_vma, pause and reset, RCU readers.")


if __name__ == "__main__":
    import build

    build.main(["03"])
