"""Benchmark one instance: sizes, phase seconds, peak memory, status, optimum and the greedy baseline.

Used by ``revopt bench`` and by ``benchmarks/run.py`` (which repeats runs in
fresh processes and reports medians). Peak memory is the process's maximum
resident set size, so one instance per process gives a clean figure.
"""

from __future__ import annotations

import resource
import sys
import time
from typing import Any

from .data.instance import Instance
from .model.build import build_model
from .model.candidates import candidate_pairs
from .results.result import PHASES


def peak_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports KiB, macOS bytes)."""
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / (1024 * 1024) if sys.platform == "darwin" else r / 1024


def lp_bound(inst: Instance, lm=None) -> float | None:
    """Optimum of the LP relaxation (all integrality dropped): the root bound before cuts."""
    import highspy

    from .solve.highs_backend import highs_for

    if lm is None:
        _, lm = build_model(inst)
    h = highs_for(lm, relax=True)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(h.getInfo().objective_function_value)


def bench_instance(inst: Instance, *, label: str | None = None, time_limit: float | None = None,
                   gap: float = 1e-4, solve: bool = True, greedy: bool = True, lp: bool = False,
                   threads: int | None = None, progress=None, warm_start: bool | None = None) -> dict[str, Any]:
    """One benchmark record (the keys of ``revopt bench --json``)."""
    from .solve import solve as run_solve

    rec: dict[str, Any] = {"instance": label or inst.name, "firms": len(inst.firms), "plots": len(inst.plots)}
    if solve:
        res = run_solve(inst, time_limit=time_limit, gap=gap, threads=threads, progress=progress,
                        warm_start=warm_start)
        rec.update({"pairs": res.size.get("pairs"), "rows": res.size.get("rows"), "cols": res.size.get("cols"),
                    "nnz": res.size.get("nnz"), "seconds": {p: res.seconds.get(p, 0.0) for p in PHASES},
                    "status": res.status.value, "objective": res.objective, "bound": res.bound, "gap": res.gap,
                    "bound_source": res.bound_source, "wall_s": res.time_s})
        for extra in ("bound", "warm_start", "lns", "polish"):  # heuristic phases, when solve() ran them
            if extra in res.seconds:
                rec["seconds"][extra] = res.seconds[extra]
    else:  # build only: time candidates, build and the hand-over, no solve
        from .solve.highs_backend import highs_for

        t = time.perf_counter()
        cand = candidate_pairs(inst)
        t_c = time.perf_counter() - t
        t = time.perf_counter()
        _, lm = build_model(inst, cand)
        t_b = time.perf_counter() - t
        t = time.perf_counter()
        highs_for(lm)  # as in solve: making the HiGHS object (65 microseconds) counts as hand-over
        t_h = time.perf_counter() - t
        rec.update({"pairs": len(cand), "rows": lm.n_rows, "cols": lm.n_cols, "nnz": lm.nnz,
                    "seconds": {"candidates": t_c, "build": t_b, "handover": t_h, "solve": 0.0, "extract": 0.0},
                    "status": "not_solved", "objective": None, "bound": None, "gap": None})
    rec["greedy_objective"] = None
    if greedy:
        from .heuristics import greedy as run_greedy

        g = run_greedy(inst)
        rec["greedy_objective"] = g.objective
        rec["seconds"]["greedy"] = g.seconds
    if rec.get("objective") is not None and rec["greedy_objective"]:
        rec["ratio_vs_greedy"] = rec["objective"] / rec["greedy_objective"]
    if lp:
        b = lp_bound(inst)
        rec["lp_bound"] = b
        if b is not None and rec.get("objective"):
            rec["root_gap"] = (b - rec["objective"]) / max(1.0, abs(rec["objective"]))
    rec["peak_mb"] = peak_mb()
    return rec
