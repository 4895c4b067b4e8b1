"""OR-Library generalized assignment problems written as revopt instances.

Jobs are firms that must be placed, agents are plots with floor capacity b;
pairs.csv carries each pair's value and floor space (the resource w). A
minimisation is solved as the maximisation of (M - c) with M larger than any
cost: every job is placed, so the optimum is n*M - min sum c.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

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
    out.mkdir(parents=True, exist_ok=True)
    (out / "instance.toml").write_text(
        f'[instance]\nname = "{path.name}{"-min" if minimise else ""}"\n'
        'description = "OR-Library GAP (Cattrysse et al. 1994) through pairs.csv"\n'
        "[objective]\nvalue_years = 1\n[policy]\nindustrial_reserved = false\n")
    pd.DataFrame({"terrain_id": ["T"], "status": ["existing"]}).to_csv(out / "terrains.csv", index=False)
    pd.DataFrame({"substation_id": ["S"], "available_mw": [0]}).to_csv(out / "substations.csv", index=False)
    pd.DataFrame({"area_id": [], "headroom_mol": []}).to_csv(out / "nature_areas.csv", index=False)
    pd.DataFrame({
        "plot_id": [f"agent{i}" for i in range(m)], "terrain_id": "T", "x": 0, "y": 0,
        "area_m2": b, "floor_capacity_m2": b, "max_category": "6", "substation_id": "S",
        "werkmilieus": "productie",
    }).to_csv(out / "plots.csv", index=False)
    pd.DataFrame({
        "firm_id": [f"job{j}" for j in range(n)], "floor_space_m2": 1, "value_added_eur": 0,
        "category": "1", "werkmilieus": "productie", "must_place": True,
    }).to_csv(out / "firms.csv", index=False)
    ii, jj = np.meshgrid(np.arange(m), np.arange(n), indexing="ij")
    pd.DataFrame({
        "firm_id": [f"job{j}" for j in jj.ravel()], "plot_id": [f"agent{i}" for i in ii.ravel()],
        "value_added_eur": val.ravel(), "floor_space_m2": w.ravel(),
    }).to_csv(out / "pairs.csv", index=False)
    return M, n
