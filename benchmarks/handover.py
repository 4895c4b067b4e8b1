"""Build + hand-over against the floor: passing a matrix of the same shape straight to highspy.

    python benchmarks/handover.py (--preset P [--seed N] | INSTANCE) [--repeat 3]

For one instance: the median seconds of revopt's candidate generation, model
build and hand-over (``passModel``), and of one ``passModel`` call with a
random CSR matrix of the same rows, columns and nonzeros built beforehand in
numpy (the fastest route into HiGHS; nothing revopt does can beat it). The
ratio (build + hand-over) / raw is the figure issue 3 targets (<= 1.5).
Peak memory is the whole process's (ru_maxrss), so run one instance per call.
"""

from __future__ import annotations

import argparse
import statistics
import time

import highspy
import numpy as np

import revopt
from revopt.benchmark import peak_mb
from revopt.generate import generate
from revopt.model.build import build_model
from revopt.model.candidates import candidate_pairs
from revopt.solve.highs_backend import highs_for


def raw_passmodel(n_rows: int, n_cols: int, nnz: int, seed: int = 0) -> float:
    """Seconds of one passModel of a random CSR matrix of this shape (arrays made before the clock starts)."""
    rng = np.random.default_rng(seed)
    per_row = np.full(n_rows, nnz // max(1, n_rows))
    per_row[: nnz - per_row.sum()] += 1
    start = np.zeros(n_rows + 1, dtype=np.int32)
    np.cumsum(per_row, out=start[1:])
    index = rng.integers(0, n_cols, size=nnz, dtype=np.int32)
    value = rng.random(nnz)
    integrality = np.ones(n_cols, dtype=np.int32)
    h = highs_for()
    t = time.perf_counter()
    h.passModel(n_cols, n_rows, nnz, int(highspy.MatrixFormat.kRowwise), int(highspy.ObjSense.kMaximize), 0.0,
                rng.random(n_cols), np.zeros(n_cols), np.ones(n_cols), np.full(n_rows, -np.inf), np.ones(n_rows),
                start, index, value, integrality)
    return time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("instance", nargs="?")
    p.add_argument("--preset")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    if a.preset:
        inst = generate(a.preset, seed=a.seed)
        label = f"{a.preset}-s{a.seed}"
    else:
        inst = revopt.load_instance(a.instance)
        label = a.instance
    cand_s, build_s, hand_s, raw_s = [], [], [], []
    for i in range(a.repeat):
        t = time.perf_counter()
        cand = candidate_pairs(inst)
        cand_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        _, lm = build_model(inst, cand)
        build_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        h = highs_for(lm)  # making the HiGHS object (65 microseconds) counts as hand-over, as in solve
        hand_s.append(time.perf_counter() - t)
        del h
        raw_s.append(raw_passmodel(lm.n_rows, lm.n_cols, lm.nnz, seed=i))
    med = statistics.median
    ours, raw = med(build_s) + med(hand_s), med(raw_s)
    print(f"{label}: {lm.n_rows:,} rows, {lm.n_cols:,} cols, {lm.nnz:,} nonzeros; median of {a.repeat}")
    print(f"  candidates {med(cand_s):.3f} s | build {med(build_s):.3f} s | hand-over {med(hand_s):.3f} s")
    print(f"  raw passModel of the same shape {raw:.3f} s")
    print(f"  (build + hand-over) / raw = {ours / raw:.2f}; with candidates {(ours + med(cand_s)) / raw:.2f}")
    print(f"  peak {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
