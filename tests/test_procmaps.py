# SPDX-License-Identifier: GPL-2.0-or-later
"""Parsing /proc/<pid>/maps and smaps into VMAs."""

import os
from importlib import resources
from itertools import pairwise

import pytest

from mapletree_edu import MapleTreeError
from mapletree_edu.fork import DONTCOPY, WIPEONFORK, Vma
from mapletree_edu.procmaps import (
    MapsParseError,
    MapsUnavailableError,
    parse_maps,
    read_maps,
    read_sample,
    sample_text,
)

HAVE_PROC = os.path.exists("/proc/self/maps")

MAPS = """\
00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/dbus-daemon
00651000-00652000 r--p 00051000 08:02 173521      /usr/bin/dbus-daemon
00652000-00655000 rw-p 00052000 08:02 173521      /usr/bin/dbus-daemon
00e03000-00e24000 rw-p 00000000 00:00 0           [heap]
35b1800000-35b1820000 rw-s 00000000 00:05 1234    /dev/shm/my file (deleted)
7fff2e5d0000-7fff2e5f1000 rw-p 00000000 00:00 0   [stack]
ffffffffff600000-ffffffffff601000 r-xp 00000000 00:00 0  [vsyscall]
"""

SMAPS = """\
00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/dbus-daemon
Size:                328 kB
VmFlags: rd ex mr mw me dw
00651000-00652000 r--p 00051000 08:02 173521      /usr/bin/dbus-daemon
Size:                  4 kB
VmFlags: rd mr mw me dw ac
00652000-00655000 rw-p 00052000 08:02 173521      /usr/bin/dbus-daemon
Size:                 12 kB
VmFlags: rd wr mr mw me dw ac dc
00e03000-00e24000 rw-p 00000000 00:00 0           [heap]
Size:                132 kB
THPeligible:    0
VmFlags: rd wr mr mw me ac wf
35b1800000-35b1820000 rw-s 00000000 00:05 1234    /dev/shm/my file (deleted)
Size:                128 kB
VmFlags: rd wr sh mr mw me ms
7fff2e5d0000-7fff2e5f1000 rw-p 00000000 00:00 0   [stack]
Size:                132 kB
VmFlags: rd wr mr mw me gd ac
ffffffffff600000-ffffffffff601000 r-xp 00000000 00:00 0  [vsyscall]
Size:                  4 kB
VmFlags: rd ex
"""


def test_parse_maps_fields():
    vmas = parse_maps(MAPS)
    assert [(v.start, v.end) for v in vmas] == [
        (0x400000, 0x452000), (0x651000, 0x652000), (0x652000, 0x655000),
        (0xe03000, 0xe24000), (0x35b1800000, 0x35b1820000), (0x7fff2e5d0000, 0x7fff2e5f1000)]
    assert vmas[0].name == "/usr/bin/dbus-daemon"
    assert vmas[3].name == "[heap]"
    assert vmas[4].name == "/dev/shm/my file (deleted)"          # spaces kept
    assert all(v.name != "[vsyscall]" for v in vmas)
    # without smaps the flags come from the permissions column
    assert vmas[0].flags == {"rd", "ex"}
    assert vmas[2].flags == {"rd", "wr"}
    assert vmas[4].flags == {"rd", "wr", "ms"}


def test_parse_smaps_vmflags():
    vmas = read_maps(maps_text=MAPS, smaps_text=SMAPS)
    assert len(vmas) == 6
    assert vmas[0].flags == {"rd", "ex", "mr", "mw", "me", "dw"}
    assert vmas[2].flags == {"rd", "wr", "mr", "mw", "me", "dw", "ac", DONTCOPY}
    assert vmas[2].dontcopy and not vmas[2].wipeonfork
    assert vmas[3].flags == {"rd", "wr", "mr", "mw", "me", "ac", WIPEONFORK}
    assert vmas[3].wipeonfork
    assert "dc" not in vmas[2].flags and "wf" not in vmas[3].flags
    assert [v.dontcopy for v in vmas].count(True) == 1


@pytest.mark.parametrize("text,lineno", [
    ("garbage\n", 1),
    ("00400000-00452000 r-xp 00000000 08:02 173521 /bin/x\nnot a line\n", 2),
    ("00452000-00400000 r-xp 00000000 08:02 1 /bin/x\n", 1),          # reversed
    ("00400000-00452000 rwzp 00000000 08:02 1 /bin/x\n", 1),          # bad perms
    ("00400000-00452000 r-xp 00000000 08:02\n", 1),                   # no inode
    ("00400000-0045200g r-xp 00000000 08:02 1\n", 1),                 # bad hex
    ("00400000-00452000 r-xp 0 08:02 1 /a\n00401000-00453000 r-xp 0 08:02 1 /b\n", 2),
])
def test_malformed_maps_line(text, lineno):
    with pytest.raises(MapsParseError) as exc:
        parse_maps(text)
    err = exc.value
    assert isinstance(err, MapleTreeError) and isinstance(err, ValueError)
    assert err.line == lineno
    assert err.text == text.splitlines()[lineno - 1]
    assert f"line {lineno}" in str(err)


@pytest.mark.parametrize("smaps,lineno", [
    ("Size: 4 kB\n", 1),                                                # field before header
    ("00400000-00452000 r-xp 00000000 08:02 1 /x\nthis is not a field\n", 2),
    ("00400000-00452000 r-xp 00000000 08:02 1 /x\nVmFlags: rd exx\n", 2),
])
def test_malformed_smaps_line(smaps, lineno):
    with pytest.raises(MapsParseError) as exc:
        read_maps(maps_text=MAPS, smaps_text=smaps)
    assert exc.value.line == lineno and exc.value.source == "smaps"


def test_blank_lines_are_ignored():
    assert parse_maps("\n" + MAPS + "\n\n") == parse_maps(MAPS)


def test_sample_is_package_data():
    base = resources.files("mapletree_edu") / "data"
    for name in ("cat.maps", "cat.smaps", "ORIGIN.md"):
        assert (base / name).is_file()
    maps_text, smaps_text = sample_text()
    assert len(smaps_text.encode()) < 100_000
    assert maps_text.splitlines()[-1].endswith("[vsyscall]")


def test_read_sample():
    vmas = read_sample()
    maps_text, _ = sample_text()
    lines = maps_text.splitlines()
    assert len(vmas) == len(lines) - 1                        # all but [vsyscall]
    assert all(isinstance(v, Vma) for v in vmas)
    assert vmas == sorted(vmas, key=lambda v: v.start)
    first = lines[0].split()
    lo, hi = (int(x, 16) for x in first[0].split("-"))
    assert (vmas[0].start, vmas[0].end, vmas[0].name) == (lo, hi, first[5])
    stack = next(v for v in vmas if v.name == "[stack]")
    assert "gd" in stack.flags                                # VM_GROWSDOWN, from smaps
    vvar = next(v for v in vmas if v.name == "[vvar]")
    assert {"pf", "io", "dd"} <= vvar.flags
    assert not any(v.dontcopy for v in vmas)


def test_works_without_proc(monkeypatch):
    """Sample and given text never touch /proc."""
    import mapletree_edu.procmaps as pm

    def no_proc(*a, **k):
        raise FileNotFoundError("no /proc here")

    monkeypatch.setattr(pm, "open", no_proc, raising=False)
    assert len(read_sample()) > 0
    assert len(read_maps(maps_text=MAPS)) == 6
    with pytest.raises(MapsUnavailableError) as exc:
        read_maps()
    assert isinstance(exc.value, MapleTreeError) and isinstance(exc.value, FileNotFoundError)


def test_missing_process():
    with pytest.raises(MapsUnavailableError):
        read_maps(pid="no-such-process")


@pytest.mark.skipif(not HAVE_PROC, reason="no /proc on this machine")
def test_read_own_maps():
    vmas = read_maps()
    with open("/proc/self/maps") as f:
        text = f.read()
    plain = parse_maps(text)
    assert len(vmas) > 5
    assert all(a.end <= b.start for a, b in pairwise(vmas))
    assert all(v.name != "[vsyscall]" for v in vmas)
    assert any(v.name == "[stack]" for v in vmas)
    # smaps flags are a superset of what the permissions say (the process may have
    # mapped or unmapped something between the two reads: compare the common ranges)
    by_range = {(v.start, v.end): v for v in plain}
    common = [v for v in vmas if (v.start, v.end) in by_range]
    assert len(common) >= len(vmas) // 2
    assert all(by_range[(v.start, v.end)].flags - {"ms"} <= v.flags for v in common)
