# SPDX-License-Identifier: GPL-2.0-or-later
"""mt_dump(): the model's text against the kernel's own mt_dump() samples."""

import json
import re
from pathlib import Path

import pytest

from mapletree_edu import XA_ZERO_ENTRY, InvalidArgumentError, MapleTree
from mapletree_edu.debug.dump import NODE_BASE, TREE_ADDR, mt_dump
from mapletree_edu.replay import Replayer

SAMPLES = Path(__file__).parent / "data" / "kernel-golden" / "mt_dump"
NAMES = sorted(p.stem for p in SAMPLES.glob("*.ops"))
GOLDEN = Path(__file__).parent / "data" / "kernel-golden" / "public.jsonl"

WORD = re.compile(r"\b[0-9a-f]{16}\b")
NODE_LINE = re.compile(r"^ *\S+: node (\S+) depth")


def replay(name):
    """The tree after a sample's script (the extra `mtdump` lines change nothing)."""
    lines = (SAMPLES / f"{name}.ops").read_text().splitlines()
    script = "\n".join(line for line in lines if not line.startswith("mtdump"))
    rp = Replayer()
    for _ in rp.run(script):
        pass
    return rp.tree


def mask(text):
    """Every pointer-looking word that is an address becomes 'P': node and tree
    addresses, parent words, child words and the root word. Entry words, NULLs
    and metadata words are stable and stay."""
    out = []
    for line in text.splitlines():
        m = re.match(r"^( *\S+: node )\S+( depth \d+ type (\d) parent )\S+( contents: )(.*)$",
                     line)
        if m:
            body = m.group(5)
            if m.group(3) in "23":           # internal: non-NULL words are child pointers
                gaps, bar, rest = body.rpartition("| ")
                toks = rest.split(" ")
                last = len(toks) - 1
                for i in range(0, len(toks), 2):
                    is_meta = m.group(3) == "2" and i == last and int(toks[i], 16) < 0x100
                    if int(toks[i], 16) and not is_meta:
                        toks[i] = "P"
                body = gaps + bar + " ".join(toks)
            line = m.group(1) + "P" + m.group(2) + "P" + m.group(4) + body
        elif line.startswith("maple_tree("):
            line = re.sub(r"^maple_tree\(\w+\)", "maple_tree(P)", line)
            if " height 0 " not in line:
                line = re.sub(r"root \w+$", "root P", line)
        out.append(line)
    return out


def canonical(text):
    """README approach 2: node k's address becomes N<k>, the tree's becomes T;
    the low byte of every pointer word (type, slot and flag bits) stays."""
    lines = text.splitlines()
    tree = int(re.match(r"^maple_tree\((\w+)\)", lines[0]).group(1), 16)
    names = {tree: "T"}
    for line in lines:
        m = NODE_LINE.match(line)
        if m:
            names[int(m.group(1), 16)] = f"N{len(names) - 1}"

    def rename(w):
        value = int(w.group(0), 16)
        base = names.get(value & ~0xFF)
        return w.group(0) if base is None or value < 0x10000 else f"{base}+{value & 0xFF:02x}"
    return [WORD.sub(rename, line) for line in lines]


@pytest.mark.parametrize("fmt", ["dec", "hex"])
@pytest.mark.parametrize("name", NAMES)
def test_dump_matches_kernel_sample_masked(name, fmt):
    want = (SAMPLES / f"{name}.{fmt}.txt").read_text()
    got = mt_dump(replay(name).core, fmt)
    assert got.endswith("\n") and not got.endswith("\n\n")
    assert mask(got) == mask(want)


@pytest.mark.parametrize("fmt", ["dec", "hex"])
@pytest.mark.parametrize("name", NAMES)
def test_dump_matches_kernel_sample_canonical(name, fmt):
    """Stricter: which pointer goes where, and every metadata word."""
    want = (SAMPLES / f"{name}.{fmt}.txt").read_text()
    got = mt_dump(replay(name).core, fmt)
    assert canonical(got) == canonical(want)


def test_masking_is_not_blind():
    want = (SAMPLES / "append_alloc_17.dec.txt").read_text()
    broken = want.replace("| 02 02|", "| 02 01|").replace(" 75 ", " 76 ", 1)
    assert mask(broken) != mask(want)
    assert canonical(broken) != canonical(want)


def test_addresses_are_deterministic_and_encoded():
    tree = replay("append_alloc_17")
    a = mt_dump(tree.core)
    assert a == mt_dump(tree.core)
    header = a.splitlines()[0]
    assert header.startswith(f"maple_tree({TREE_ADDR:016x}) flags 9, height 2 root ")
    root = a.splitlines()[1]
    addr = int(re.search(r"node (\w+)", root).group(1), 16)
    assert addr & 0xFF == 0 and addr >= NODE_BASE
    assert header.endswith(f"{addr | 3 << 3 | 0x4 | 0x2:016x}")
    assert f"parent {TREE_ADDR | 1:016x}" in root
    child = a.splitlines()[2]
    assert f"parent {addr | 0 << 3 | 0x6:016x}" in child


def test_userspace_pointer_style():
    tree = replay("one_leaf")
    kernel = mt_dump(tree.core, "hex")
    user = mt_dump(tree.core, "hex", pointers="userspace")
    assert "(nil)" in user and "0x3]" in user
    padded = re.sub(r"0x([0-9a-f]+)\b(?!\))", lambda m: f"{int(m.group(1), 16):016x}",
                    user.replace("(nil)", "0" * 16))
    # the value line keeps its '(0x..)' part in both styles
    assert padded.splitlines()[2:] == kernel.splitlines()[2:]


def test_entries_that_are_not_integers():
    t = MapleTree()
    s1, s2 = "vma a", "vma b"
    t.store(0, 9, s1)
    t.store(20, 29, s2)
    t.store(40, 49, XA_ZERO_ENTRY)
    t.store(60, 69, s1)
    text = t.dump()
    assert text == t.dump()
    lines = text.splitlines()
    words = {}
    for line in lines[2:]:
        rng, _, rest = line.strip().partition(": ")
        words[rng] = rest
    assert words["40-49"] == "zero (257)"
    assert "0000000000000406" in lines[1]    # XA_ZERO_ENTRY's word in the contents
    assert words["0-9"] == words["60-69"] != words["20-29"]
    w = int(words["0-9"], 16)
    assert w & 3 == 0 and w > 0xFFFF


def test_quirk_stale_entry_shows_only_in_contents():
    case = next(json.loads(line) for line in GOLDEN.read_text().splitlines()
                if "quirk_spanning" in line)
    rp = Replayer()
    for _ in rp.run("\n".join(case["ops"])):
        pass
    text = mt_dump(rp.tree.core)
    node = next(line for line in text.splitlines() if line.startswith("    316-475: node "))
    assert "000000000000000f 475 0000000000000061 475 " in node   # 7, then stale 48
    assert node.endswith(" 000000000000000d")                      # metadata: end 13
    assert "value 48 " not in text
    assert "      375-475: value 7 (0x7) [000000000000000f]" in text.splitlines()


def test_root_entry_and_empty():
    t = MapleTree(alloc=False)
    null = "0" * 16
    assert t.dump() == f"maple_tree({TREE_ADDR:016x}) flags 0, height 0 root {null}\n0: {null}\n"
    t.store(0, 0, 3)
    assert t.dump("hex").splitlines()[1] == "0: value 3 (0x3) [0000000000000007]"


def test_bad_format_is_rejected():
    t = MapleTree()
    with pytest.raises(InvalidArgumentError):
        t.dump("oct")
    with pytest.raises(InvalidArgumentError):
        mt_dump(t.core, "dec", pointers="hashed")
