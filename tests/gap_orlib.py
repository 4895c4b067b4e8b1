"""OR-Library generalized assignment problems written as revopt instances.

Jobs are firms that must be placed, agents are plots with floor capacity b;
pairs.csv carries each pair's value and floor space (the resource w). A
minimisation is solved as the maximisation of (M - c) with M larger than any
cost: every job is placed, so the optimum is n*M - min sum c.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from gap_large import write_gap_tables  # noqa: E402 - the one writer of GAP instances, after the path line

GAP_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks-external" / "gap-orlib"


def gap_dir() -> Path:
    """Where the OR-Library files are: ../shared next to the repo (as in CI)."""
    for base in (Path(__file__).resolve().parents[1].parent, Path.cwd().parent):
        d = base / "shared" / "benchmarks-external" / "gap-orlib"
        if d.is_dir():
            return d
    return GAP_DIR


def read_gap(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(c[m,n], w[m,n], b[m]) from one OR-Library problem file."""
    nums = np.array(path.read_text().split(), dtype=np.int64)
    m, n = int(nums[0]), int(nums[1])
    c = nums[2:2 + m * n].reshape(m, n)
    w = nums[2 + m * n:2 + 2 * m * n].reshape(m, n)
    b = nums[2 + 2 * m * n:2 + 2 * m * n + m]
    return c, w, b


def write_gap_instance(path: Path, out: Path, *, minimise: bool = False) -> tuple[int, int]:
    """Write one problem as an instance directory; return (M offset, jobs)."""
    c, w, b = read_gap(path)
    m, n = c.shape
    M = int(c.max()) + 1 if minimise else 0
    val = (M - c) if minimise else c
    write_gap_tables(out, f"{path.name}{'-min' if minimise else ''}",
                     "OR-Library GAP (Cattrysse et al. 1994) through pairs.csv", val, w, b)
    return M, n
