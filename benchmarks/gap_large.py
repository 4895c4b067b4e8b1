"""Large generalized assignment problems (GAP) as revopt instances, generated like OR-Library's hard families.

    python benchmarks/gap_large.py --type c --agents 20 --jobs 1600 --seed 0 --out DIR
    python benchmarks/gap_large.py --all [--out benchmarks/instances]     # the registry's nine

A GAP: assign every job to exactly one agent, the resource of the jobs on an
agent within its capacity, minimise the summed cost. The hard families
(Chu & Beasley 1997, after Martello & Toth and Laguna et al.; Yagiura's large
instances are generated the same way), with m agents and n jobs:

- type C: resource w ~ U{5..25}, cost c ~ U{10..50}, capacity b_i = floor(0.8 sum_j w_ij / m);
- type D: w ~ U{1..100}, c = 111 - w + U{-10..10} (cost falls as resource rises: the hard trade-off),
  same capacity;
- type E: w = 1 - floor(10 ln u) with u ~ U(0, 1], c = round(1000 / w - 10 v) with v ~ U[0, 1),
  b_i = max(floor(0.8 sum_j w_ij / m), max_j w_ij).

In revopt terms (the same mapping as tests/gap_orlib.py for the OR-Library
files): jobs are firms that must be placed, agents are plots with floor
capacity b, one werkmilieu (productie), and ``pairs.csv`` carries each pair's
floor space w and value M - c, with M = max c + 1. revopt maximises, so its
optimum is n M - (the minimum cost). Beside the instance files the directory
holds ``gap.txt`` (the problem in OR-Library's layout, for other GAP codes)
and ``gap.json`` (family, sizes, seed, M): ``cost = jobs * M - objective``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

TYPES = ("c", "d", "e")
#: the registry's GAP-large instances: (type, agents) for 1,600 jobs, the sizes of Yagiura's largest C/D/E
SIZES = tuple((t, m) for t in TYPES for m in (20, 40, 80))
JOBS = 1600
DEFAULT_DIR = Path(__file__).resolve().parent / "instances"


def generate_gap(kind: str, agents: int, jobs: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cost c[m, n], resource w[m, n], capacity b[m]) of one problem of family ``kind`` (c, d or e), all integer."""
    if kind not in TYPES:
        raise ValueError(f"GAP type must be one of {', '.join(TYPES)}, not {kind!r}")
    if agents < 1 or jobs < 1:
        raise ValueError(f"a GAP needs at least one agent and one job, not {agents} x {jobs}")
    rng = np.random.default_rng([seed, agents, jobs, TYPES.index(kind)])
    shape = (agents, jobs)
    if kind == "c":
        w = rng.integers(5, 26, shape)
        c = rng.integers(10, 51, shape)
    elif kind == "d":
        w = rng.integers(1, 101, shape)
        c = 111 - w + rng.integers(-10, 11, shape)
    else:
        u = 1.0 - rng.random(shape)  # (0, 1]
        w = 1 - np.floor(10 * np.log(u)).astype(np.int64)
        c = np.rint(1000.0 / w - 10.0 * rng.random(shape)).astype(np.int64)
    b = np.floor(0.8 * w.sum(axis=1) / agents).astype(np.int64)
    if kind == "e":
        b = np.maximum(b, w.max(axis=1))
    return c.astype(np.int64), w.astype(np.int64), b


def instance_name(kind: str, agents: int, jobs: int, seed: int) -> str:
    return f"gap-{kind}{jobs}x{agents}-s{seed}"


def write_orlib(path: Path, c: np.ndarray, w: np.ndarray, b: np.ndarray) -> None:
    """The problem in OR-Library's layout: ``m n``, then c and w agent by agent, then b."""
    m, n = c.shape
    lines = [f"{m} {n}"]
    lines += [" ".join(map(str, row)) for row in c]
    lines += [" ".join(map(str, row)) for row in w]
    lines.append(" ".join(map(str, b)))
    path.write_text("\n".join(lines) + "\n")


def write_gap_tables(out: Path, name: str, description: str, value: np.ndarray, w: np.ndarray,
                     b: np.ndarray) -> None:
    """A GAP as a revopt instance directory: jobs are firms that must be placed, agents plots of
    floor capacity ``b`` (one werkmilieu), and pairs.csv carries each pair's ``value`` and floor
    space ``w`` (both [agents, jobs]). Also used by tests/gap_orlib.py for the OR-Library files."""
    m, n = value.shape
    out.mkdir(parents=True, exist_ok=True)
    (out / "instance.toml").write_text(
        f'[instance]\nname = "{name}"\ndescription = "{description}"\n'
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
    agent, job = np.meshgrid(np.arange(m), np.arange(n), indexing="ij")
    pd.DataFrame({
        "firm_id": [f"job{j}" for j in job.ravel()], "plot_id": [f"agent{i}" for i in agent.ravel()],
        "value_added_eur": value.ravel(), "floor_space_m2": w.ravel(),
    }).to_csv(out / "pairs.csv", index=False)


def write_instance(out: Path, kind: str, agents: int, jobs: int, seed: int) -> Path:
    """Write one generated problem as a revopt instance directory (minimisation as max of M - c)."""
    c, w, b = generate_gap(kind, agents, jobs, seed)
    m, n = c.shape
    M = int(c.max()) + 1
    write_gap_tables(out, instance_name(kind, agents, jobs, seed),
                     f"GAP type {kind.upper()}, {jobs} jobs x {agents} agents, seed {seed} "
                     f"(benchmarks/gap_large.py): minimise cost as maximise {M} - cost", M - c, w, b)
    write_orlib(out / "gap.txt", c, w, b)
    (out / "gap.json").write_text(json.dumps(
        {"type": kind, "agents": m, "jobs": n, "seed": seed, "offset_M": M,
         "cost": "jobs * offset_M - objective"}, indent=2) + "\n")
    return out


def ensure(name: str, base: Path = DEFAULT_DIR) -> Path:
    """The directory of registry instance ``name`` (e.g. ``gap-c1600x20-s0``), written on first use."""
    kind, agents, jobs, seed = parse_name(name)
    d = base / name
    if not (d / "gap.json").is_file():
        write_instance(d, kind, agents, jobs, seed)
    return d


def parse_name(name: str) -> tuple[str, int, int, int]:
    """(type, agents, jobs, seed) from ``gap-<type><jobs>x<agents>-s<seed>``."""
    mt = re.fullmatch(r"gap-([cde])(\d+)x(\d+)-s(\d+)", name)
    if not mt:
        raise ValueError(f"not a GAP-large name (gap-<c|d|e><jobs>x<agents>-s<seed>): {name!r}")
    return mt[1], int(mt[3]), int(mt[2]), int(mt[4])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--type", choices=TYPES, default="c")
    p.add_argument("--agents", type=int, default=20)
    p.add_argument("--jobs", type=int, default=JOBS)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--all", action="store_true",
                   help="write the registry's nine (types C/D/E x 20/40/80 agents, seed 0)")
    p.add_argument("--out", default=None, help="instance directory (with --all: the folder for all of them)")
    a = p.parse_args(argv)
    if a.all:
        base = Path(a.out) if a.out else DEFAULT_DIR
        for kind, m in SIZES:
            print(ensure(instance_name(kind, m, JOBS, 0), base))
        return 0
    out = Path(a.out) if a.out else DEFAULT_DIR / instance_name(a.type, a.agents, a.jobs, a.seed)
    print(write_instance(out, a.type, a.agents, a.jobs, a.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
