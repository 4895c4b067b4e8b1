"""Solve layer: ``solve(instance)`` runs the phases and returns a :class:`~revopt.results.Result`.

Phases, each timed: candidates (spec section 2), build (variables and the
constraint blocks C1..C7 and the policy rules), hand-over (the matrix to the solver), solve, and
extract (solution tables, objective recomputed from the rounded decisions, KPIs).
"""

from __future__ import annotations

import sys
import time
from typing import Callable

import numpy as np

from ..data.instance import Instance
from ..model.build import build_model
from ..model.candidates import candidate_pairs
from ..heuristics import greedy
from ..model.checks import presolve_checks
from ..results.extract import extract_solution, round_columns
from ..results.kpis import compute_kpis
from ..results.result import Result, Status
from .highs_backend import Progress, RawSolve, solve_highs
from .pyomo_backend import solve_pyomo

BACKENDS = ("highs", "pyomo")
#: models with at least this many candidate pairs start HiGHS from the greedy solution by default
WARM_START_MIN_PAIRS = 2000


def print_progress(p: Progress) -> None:
    """Default progress printer: one line on stderr per snapshot."""
    def f(v):
        return "-" if v is None else f"{v:,.0f}"
    gap = "-" if p.gap is None else f"{100 * p.gap:.3f} %"
    mark = "*" if p.improved else " "
    print(f"{mark} {p.elapsed:8.1f} s  incumbent {f(p.incumbent)}  bound {f(p.bound)}  gap {gap}",
          file=sys.stderr, flush=True)


def solve(instance: Instance, *, time_limit: float | None = None, gap: float = 1e-4,
          threads: int | None = None, backend: str = "highs",
          extra_constraints: Callable | None = None, solver: str | None = None,
          solver_options: dict | None = None, verbose: bool = False,
          progress: Callable[[Progress], None] | bool | None = None,
          warm_start: bool | None = None) -> Result:
    """Solve an instance to (near) optimality.

    - ``time_limit`` seconds for the solver; stopped with an incumbent gives
      status ``feasible`` with the true bound and gap, without one ``no_solution``;
    - ``gap``: relative MIP gap at which the solver stops (1e-4 = 0.01 %);
    - ``backend``: ``"highs"`` (the matrix handed to highspy in bulk) or
      ``"pyomo"`` (a ConcreteModel; ``solver`` names any Pyomo solver, default
      ``appsi_highs``);
    - ``extra_constraints(model, instance)``: a hook that adds Pyomo
      constraints to the ConcreteModel before solving (Pyomo backend only);
    - ``progress``: a callable receiving :class:`Progress` (elapsed, incumbent,
      bound, gap) on every new incumbent and every few seconds, or True to
      print such lines to stderr (HiGHS backend);
    - ``warm_start``: start HiGHS from the greedy baseline's solution
      (:func:`revopt.heuristics.greedy`); None (default) does so when the model
      has at least :data:`WARM_START_MIN_PAIRS` candidate pairs. Its time is
      reported as the extra phase ``warm_start``.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if extra_constraints is not None and backend != "pyomo":
        raise ValueError("extra_constraints needs backend='pyomo' (the HiGHS backend takes no Pyomo model)")
    if not gap >= 0:
        raise ValueError(f"gap must be >= 0, not {gap!r}")
    if time_limit is not None and not time_limit > 0:
        raise ValueError(f"time_limit must be > 0 seconds, not {time_limit!r}")
    sec = {}
    t = time.perf_counter()
    cand = candidate_pairs(instance)
    sec["candidates"] = time.perf_counter() - t

    t = time.perf_counter()
    lay, lm = build_model(instance, cand)
    sec["build"] = time.perf_counter() - t
    size = {"firms": len(instance.firms), "plots": len(instance.plots), "pairs": len(cand),
            "rows": lm.n_rows, "cols": lm.n_cols, "nnz": lm.nnz}

    reasons = presolve_checks(instance, cand, lay)
    if reasons:
        sec.update(handover=0.0, solve=0.0, extract=0.0)
        return Result(instance.name, Status.INFEASIBLE, None, None, None, sec, backend, None,
                      exclusions=cand.exclusions, reasons=reasons,
                      message="infeasible before solving (presolve checks)", size=size)

    if lm.n_cols == 0:  # nothing to decide: feasible iff every (empty) row admits 0
        ok = bool(np.all(lm.row_lower <= 0) and np.all(lm.row_upper >= 0))
        raw = RawSolve(Status.OPTIMAL if ok else Status.INFEASIBLE, np.zeros(0) if ok else None,
                       0.0 if ok else None, 0.0, 0.0, "no decisions: no candidate pairs or designations")
    elif backend == "highs":
        cb = print_progress if progress is True else (progress or None)
        start = None
        if warm_start or (warm_start is None and len(cand) >= WARM_START_MIN_PAIRS):
            t = time.perf_counter()
            g = greedy(instance, cand, improve=False)
            start = g.column_values(lay) if g.solution is not None else None
            sec["warm_start"] = time.perf_counter() - t
        raw = solve_highs(lm, time_limit=time_limit, gap=gap, threads=threads, verbose=verbose,
                          options=solver_options, progress=cb, start=start)
    else:
        raw = solve_pyomo(instance, lay, lm, time_limit=time_limit, gap=gap, threads=threads,
                          extra_constraints=extra_constraints, solver=solver, verbose=verbose,
                          options=solver_options)
    sec["handover"], sec["solve"] = raw.handover_s, raw.solve_s

    t = time.perf_counter()
    sol, objective, bound, gap_v, kpis = None, None, raw.bound, None, {}
    if raw.status.has_solution and raw.values is not None:
        v = round_columns(lay, lm.integrality, raw.values)
        objective = float(lm.cost @ v)
        sol = extract_solution(instance, lay, v)
        if bound is None and raw.status == Status.OPTIMAL:
            bound = objective
        if bound is not None:  # a bound below the incumbent is solver round-off
            bound = max(bound, objective)
            gap_v = max(0.0, (bound - objective) / max(1.0, abs(objective)))
        kpis = compute_kpis(instance, sol, cand.pairs)
    else:
        bound = None
    sec["extract"] = time.perf_counter() - t
    res = Result(instance.name, raw.status, objective, bound, gap_v, sec, backend, sol, kpis=kpis,
                 exclusions=cand.exclusions, message=raw.message, size=size)
    if sol is not None:
        sol.summary = res.summary()
    return res


__all__ = ["solve", "BACKENDS", "Progress", "print_progress"]
