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
from .lns import improve
from .pyomo_backend import solve_pyomo

BACKENDS = ("highs", "pyomo")
#: models with at least this many candidate pairs get the heuristics first by default (greedy,
#: neighbourhood search). Below it HiGHS alone is faster: rijssen-holten (2,234 pairs) is optimal in
#: about 1 s by HiGHS, but took 29 s of neighbourhood search + 8 s of HiGHS with the heuristics.
WARM_START_MIN_PAIRS = 10_000
#: with a time limit: at most these shares of it go to the greedy and to neighbourhood search
GREEDY_SHARE, LNS_SHARE = 0.10, 0.50
#: without a time limit, neighbourhood search stops after this many seconds (or earlier, when it converges)
LNS_DEFAULT_S = 120.0
#: HiGHS options on models with at least WARM_START_MIN_PAIRS pairs (``solver_options`` override them):
#: MIP presolve probing (bit 15 of presolve_rule_off) ignores the time limit on this model's shape
#: (small preset: 191 s of presolve under a 20 s limit; 9.5 s without probing, limit kept).
LARGE_MODEL_OPTIONS = {"presolve_rule_off": 1 << 15}
#: HiGHS threads when the caller sets none. Measured on the 2-core machine with other work running
#: (small preset, 30 s limit): 2 threads stalled in presolve and root for 63-297 s and ignored the
#: limit; 1 thread kept it (30.0 s) twice and had the root bound by then.
DEFAULT_THREADS = 1
#: HiGHS gets at least this many seconds on the whole model (for its bound), or the whole limit when shorter
MIP_MIN_S = 1.0


def assignment_bound(lay, lm) -> float:
    """A valid upper bound that needs no LP: every firm on its most valuable candidate plot.

    Each firm takes at most one plot (C1) and every other column has a cost
    <= 0 (development, intensification) or 0 (credits, emissions), so the
    optimum is at most the sum over firms of max(0, best pair cost). Weak, but
    it gives a true gap where HiGHS had no time to finish its root LP
    (national preset).
    """
    n = lay.n_x
    best = np.zeros(int(lay.pairs["firm"].max()) + 1 if n else 0)
    if n:
        np.maximum.at(best, lay.pairs["firm"].to_numpy(np.int64), lm.cost[:n])
    rest = lm.cost[n:]
    up = lm.col_upper[n:]
    pos = rest > 0
    extra = float(np.sum(rest[pos] * up[pos])) if np.any(pos) else 0.0
    return float(best.sum()) + extra


def _shifted(cb, offset: float):
    """A progress callback whose elapsed time counts from the start of the heuristics."""
    if cb is None or offset == 0:
        return cb
    return lambda p: cb(Progress(p.elapsed + offset, p.incumbent, p.bound, p.gap, p.improved))


def _heuristic_start(instance, cand, lay, lm, sec, *, time_limit, threads, lns, progress):
    """Greedy (+ local improvement), then neighbourhood search: a feasible column vector or None."""
    t0 = time.perf_counter()
    g_limit = None if time_limit is None else GREEDY_SHARE * time_limit
    g = greedy(instance, cand, improve=True, time_limit=g_limit)
    sec["warm_start"] = time.perf_counter() - t0
    if g.solution is None:
        return None, sec["warm_start"]
    start = g.column_values(lay)
    if progress is not None:
        progress(Progress(sec["warm_start"], float(lm.cost @ start), None, None, True))
    if lns is not False:
        t = time.perf_counter()
        budget = LNS_DEFAULT_S if time_limit is None else LNS_SHARE * time_limit
        shift = t - t0

        def tell(el, obj):
            if progress is not None:
                progress(Progress(shift + el, obj, None, None, True))

        start, _ = improve(instance, lay, lm, start, time_limit=budget, threads=threads, progress=tell)
        sec["lns"] = time.perf_counter() - t
    return start, time.perf_counter() - t0


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
          warm_start: bool | None = None, lns: bool | None = None) -> Result:
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
    - ``warm_start``: start HiGHS from a heuristic incumbent: the greedy
      baseline with its local improvement (:func:`revopt.heuristics.greedy`),
      then, when ``lns`` is not False, neighbourhood search
      (:mod:`revopt.solve.lns`: sub-MIPs over compact groups of plots). None
      (default) does so when the model has at least
      :data:`WARM_START_MIN_PAIRS` candidate pairs. With a ``time_limit`` the
      heuristics take at most :data:`GREEDY_SHARE` and :data:`LNS_SHARE` of it
      and HiGHS the rest, so the whole solve keeps to the limit. Their times
      are reported as the extra phases ``warm_start`` and ``lns``; the bound
      and gap always come from HiGHS on the whole model.
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
        threads = DEFAULT_THREADS if threads is None else threads
        cb = print_progress if progress is True else (progress or None)
        start, used = None, 0.0
        if warm_start or (warm_start is None and len(cand) >= WARM_START_MIN_PAIRS):
            start, used = _heuristic_start(instance, cand, lay, lm, sec, time_limit=time_limit,
                                           threads=threads, lns=lns, progress=cb)
        mip_limit = None if time_limit is None else max(time_limit - used, min(time_limit, MIP_MIN_S))
        opts = {**(LARGE_MODEL_OPTIONS if len(cand) >= WARM_START_MIN_PAIRS else {}), **(solver_options or {})}
        raw = solve_highs(lm, time_limit=mip_limit, gap=gap, threads=threads, verbose=verbose,
                          options=opts, progress=_shifted(cb, used), start=start)
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
        simple = assignment_bound(lay, lm)  # always valid; what remains when HiGHS had no time for its root
        bound = simple if bound is None else min(bound, simple)
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
