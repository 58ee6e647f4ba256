# SPDX-License-Identifier: GPL-2.0-or-later
"""The published numbers the lab starts from.

* :func:`load_benchmarks` reads the package's copy of ``fork-benchmarks.csv``:
  forks per 10 s measured with byte-unixbench ``spawn`` (modified to add VMAs,
  with CPU binding) before and after ``__mt_dup()`` came to ``dup_mmap()``: series ``v3``
  (the table of "[PATCH v3 9/9]", baseline next-20230921) and ``v4`` (the table of
  the merged commit d2406291483775ecddaee929231a39c70c08fda2, baseline
  next-20231006). ``vmas`` is the total VMA count of the forking process.
* The remaining constants are transcribed from the review thread, the merged
  commit and the series' cover letter, as printed there. The lab recomputes what
  can be recomputed from the CSV and compares.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CSV_PATH = DATA_DIR / "fork-benchmarks.csv"

#: VMAs a process of Peng's benchmark has before any are added.
BASE_VMAS = 21


@dataclass(frozen=True)
class BenchRow:
    """One column of a published table: forks per 10 s at ``vmas`` total VMAs."""

    series: str
    vmas: int
    old: int          # forks/10 s with the bulk-insert rebuild (pre-6.8)
    new: int          # forks/10 s with __mt_dup() (v6.8)

    @property
    def added(self):
        """VMAs added to the default process (the thread's "Increment of VMAs" row)."""
        return self.vmas - BASE_VMAS

    def forks(self, path):
        """Forks/10 s of ``path`` ("old" or "new")."""
        if path not in ("old", "new"):
            raise ValueError(f"path must be 'old' or 'new', not {path!r}")
        return self.old if path == "old" else self.new


def load_benchmarks(path=CSV_PATH):
    """{series: [BenchRow, ...] in VMA order} from the CSV (``#`` lines are comments)."""
    text = Path(path).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    out = {}
    for rec in csv.DictReader(lines):
        row = BenchRow(rec["series"], int(rec["vmas"]), int(rec["old"]), int(rec["new"]))
        out.setdefault(row.series, []).append(row)
    for rows in out.values():
        rows.sort(key=lambda r: r.vmas)
    return out


def gain(row):
    """new/old - 1: the throughput gain of one column (0.0219 for +2.19 %)."""
    return row.new / row.old - 1


# --- the review thread (LKML, "Re: [PATCH v3 9/9] fork: Use __mt_dup() ...") -------------

#: Peng's v3 table, as posted: increments of VMAs and the gain row (percent, 2 decimals).
V3_INCREMENTS = (0, 100, 200, 400, 800, 1600, 3200, 6400)
V3_GAIN_PERCENT = ("3.72", "13.92", "23.09", "33.11", "43.24", "46.76", "48.00", "50.96")
#: Liam's "delta" row under Peng's table: new - old forks/10 s.
V3_DELTA_FORKS = (4179, 10502, 12592, 11461, 8972, 5310, 2935, 1622)

#: Liam's normalised table ("VMAs per second"), every row exactly as printed.
LIAM_VMA_ROW = (21, 121, 221, 421, 821, 1621, 3221, 6421)
LIAM_LOG_ROW = ("1.32", "2.00", "2.30", "2.60", "2.90", "3.20", "3.36", "3.81")
LIAM_OLD_ROW = ("258349.8", "928268.7", "1215996.7", "1464383.7", "1707725.0", "1842916.5",
                "1420514.5", "2044440.9")
LIAM_NEW_ROW = ("267961.5", "1057443.3", "1496798.3", "1949184.0", "2446120.6", "2704729.5",
                "2102315.0", "3086251.5")
LIAM_DELTA_ROW = ("9611.7", "129174.6", "280801.6", "484800.3", "738395.6", "861813.0",
                  "681800.5", "1041810.6")

# --- the merged commit (v4 table) ----------------------------------------------------------

#: The gain row of the merged commit's table (percent, 2 decimals).
V4_GAIN_PERCENT = ("2.19", "8.92", "19.88", "34.64", "42.37", "44.64", "48.28", "50.17",
                   "51.68", "53.74", "52.42")

# --- bench_forking (the series' v1 cover letter) ---------------------------------------------

#: lib/test_maple_tree.c bench_forking(): 80,000 copies of a tree holding [10i, 10i+5] for
#: i = 0..134 (135 entries; the code's nr_entries is 134 and the cover letter says "134
#: entries"). Source: the v1 cover letter, "[PATCH 00/11] Introduce mt_dup() to improve the
#: performance of fork()" (2023-07-26), which says these numbers "do not include the time
#: consumed by mt_validate() and mtree_destroy()". They are not in the v3 review thread.
BENCH_FORKING_ITERATIONS = 80_000
BENCH_FORKING_ENTRIES = 135
BENCH_FORKING_ANNOUNCED = 134
BENCH_FORKING_OLD_S = 13.52       # bulk rebuild (mas_expected_entries + mas_store)
BENCH_FORKING_NEW_S = 2.60        # __mt_dup + replace pass
#: Where the v1 cover letter can be read (links found in the sources named in ORIGIN.md).
V1_COVER_LORE = "https://lore.kernel.org/lkml/20230726080916.17454-1-zhangpeng.00@bytedance.com/"
V1_COVER_ARCHIVE = "http://mail.spinics.net/lists/linux-mm/msg349758.html"


def bench_forking_per_dup():
    """Published bench_forking time per copy, seconds: (old, new)."""
    return (BENCH_FORKING_OLD_S / BENCH_FORKING_ITERATIONS,
            BENCH_FORKING_NEW_S / BENCH_FORKING_ITERATIONS)


def kernel_ratio(rows, vmas=None):
    """old/new time per fork of the kernel table (new forks / old forks) at ``vmas``
    (default: the largest column)."""
    row = rows[-1] if vmas is None else next(r for r in rows if r.vmas == vmas)
    return row.new / row.old


__all__ = ["BenchRow", "load_benchmarks", "gain", "kernel_ratio", "bench_forking_per_dup",
           "CSV_PATH", "BASE_VMAS", "V3_INCREMENTS", "V3_GAIN_PERCENT", "V3_DELTA_FORKS",
           "LIAM_VMA_ROW", "LIAM_LOG_ROW", "LIAM_OLD_ROW", "LIAM_NEW_ROW", "LIAM_DELTA_ROW",
           "V4_GAIN_PERCENT", "BENCH_FORKING_ITERATIONS", "BENCH_FORKING_ENTRIES",
           "BENCH_FORKING_ANNOUNCED", "BENCH_FORKING_OLD_S", "BENCH_FORKING_NEW_S",
           "V1_COVER_LORE", "V1_COVER_ARCHIVE", "DATA_DIR"]
