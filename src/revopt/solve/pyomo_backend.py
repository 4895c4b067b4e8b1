"""The Pyomo backend: the same LinearModel as a ``ConcreteModel`` with named variables.

Variables are ``m.x[firm_id, plot_id]``, ``m.z[plot_id, werkmilieu]``,
``m.d[terrain_id]``, ``m.u[plot_id]`` and ``m.c[terrain_id, plot_id, class]``;
each constraint family is a Constraint component named after its block
(``m.C4_floor[plot_id]``...), so a researcher's ``extra_constraints(m, inst)``
hook can add rules in Pyomo terms, and any solver Pyomo knows can be used.
"""

from __future__ import annotations

import time

import numpy as np
import pyomo.environ as pyo
from pyomo.opt import SolverStatus, TerminationCondition

from ..data.instance import Instance
from ..data.vocab import POOLED, WERKMILIEUS
from ..model.block import LinearModel
from ..model.layout import Layout
from ..status import RawSolve, Status
from .highs_backend import highs_for

#: option names of (time limit, relative gap, threads) per Pyomo solver name
SOLVER_OPTIONS = {
    "appsi_highs": ("time_limit", "mip_rel_gap", "threads"),
    "highs": ("time_limit", "mip_rel_gap", "threads"),
    "gurobi": ("TimeLimit", "MIPGap", "Threads"),
    "gurobi_direct": ("TimeLimit", "MIPGap", "Threads"),
    "cbc": ("seconds", "ratioGap", "threads"),
    "glpk": ("tmlim", "mipgap", None),
    "cplex": ("timelimit", "mip_tolerances_mipgap", "threads"),
    "scip": ("limits/time", "limits/gap", None),
}
DEFAULT_SOLVER = "appsi_highs"


def _key(row) -> tuple:
    return tuple(row)


def build_pyomo(inst: Instance, lay: Layout, lm: LinearModel) -> pyo.ConcreteModel:
    """A ConcreteModel equal to ``lm``, with named, indexed variables and constraints."""
    m = pyo.ConcreteModel(name=inst.name)
    pid = inst.plots["plot_id"].to_numpy(object)
    tid = inst.terrains["terrain_id"].to_numpy(object)
    xi = list(zip(lay.pairs["firm_id"], lay.pairs["plot_id"]))
    zi = [(pid[p], WERKMILIEUS[w]) for p, w in zip(lay.z["plot"], lay.z["w"])]
    di = [tid[t] for t in lay.d["terrain"]]
    ui = [pid[p] for p in lay.u["plot"]]
    ci = [(tid[t], pid[p], WERKMILIEUS[k] if k >= 0 else POOLED)
          for t, p, k in zip(lay.c["terrain"], lay.c["plot"], lay.c["k"])]
    m.x = pyo.Var(xi, within=pyo.Binary, dense=False)
    m.z = pyo.Var(zi, within=pyo.Binary, dense=False)
    m.d = pyo.Var(di, within=pyo.Binary, dense=False)
    m.u = pyo.Var(ui, within=pyo.Binary, dense=False)
    m.c = pyo.Var(ci, within=pyo.NonNegativeReals, dense=False)
    ei = [pid[p] for p in lay.e["plot"]]
    m.e = pyo.Var(ei, within=pyo.NonNegativeReals, dense=False)  # nitrogen emission per plot (C6)
    cols: list = [m.x[i] for i in xi] + [m.z[i] for i in zi] + [m.d[i] for i in di] + \
        [m.u[i] for i in ui] + [m.c[i] for i in ci] + [m.e[i] for i in ei]
    if len(cols) != lm.n_cols:  # pragma: no cover - layout bug
        raise AssertionError("Pyomo variables do not match the layout")
    m._revopt_cols = cols

    for b in lm.blocks:
        if b.n_rows == 0:
            continue
        first, stop = lm.block_rows[b.name]
        keys = [_key(r) if len(r) > 1 else r[0] for r in b.keys.itertuples(index=False, name=None)]

        def rule(_m, *k, _first=first, _keys={k: i for i, k in enumerate(keys)}):  # noqa: B006, B008 - bound per block
            r = _first + _keys[k if len(k) > 1 else k[0]]
            a, z = lm.start[r], lm.start[r + 1]
            expr = sum(float(val) * cols[j] for j, val in zip(lm.index[a:z], lm.value[a:z]))
            lo = lm.row_lower[r] if np.isfinite(lm.row_lower[r]) else None
            hi = lm.row_upper[r] if np.isfinite(lm.row_upper[r]) else None
            if a == z:  # empty row: feasible or not by its bounds alone
                ok = (lo is None or lo <= 0) and (hi is None or hi >= 0)
                return pyo.Constraint.Feasible if ok else pyo.Constraint.Infeasible
            if lo is not None and hi is not None and lo == hi:
                return expr == lo
            return pyo.inequality(lo, expr, hi) if (lo is not None and hi is not None) else (
                expr >= lo if lo is not None else expr <= hi)

        setattr(m, b.name, pyo.Constraint(keys, rule=rule))
    nz = np.flatnonzero(lm.cost)
    m.objective = pyo.Objective(expr=sum(float(lm.cost[j]) * cols[j] for j in nz), sense=pyo.maximize)
    return m


def solve_pyomo(inst: Instance, lay: Layout, lm: LinearModel, *, time_limit: float | None, gap: float,
                threads: int | None, extra_constraints=None, solver: str | None = None,
                verbose: bool = False, options: dict | None = None) -> RawSolve:
    t0 = time.perf_counter()
    infeasible_empty = any(
        lm.start[r] == lm.start[r + 1] and (lm.row_lower[r] > 0 or lm.row_upper[r] < 0) for r in range(lm.n_rows)
    )
    if infeasible_empty:
        return RawSolve(Status.INFEASIBLE, None, None, time.perf_counter() - t0, 0.0,
                        "a constraint without variables cannot hold")
    if lm.nnz == 0 and extra_constraints is None and np.all(np.isfinite(lm.col_upper[lm.cost > 0])):
        # no constraint holds a variable: each column goes to its best bound. (Solvers such as
        # appsi_highs see an empty model here and answer "unknown" instead of optimal.)
        values = np.where(lm.cost > 0, lm.col_upper, lm.col_lower)
        return RawSolve(Status.OPTIMAL, values, float(lm.cost @ values), time.perf_counter() - t0, 0.0,
                        "no constraint holds a variable: every column at its best bound")
    m = build_pyomo(inst, lay, lm)
    if extra_constraints is not None:
        extra_constraints(m, inst)
    name = solver or DEFAULT_SOLVER
    opt = pyo.SolverFactory(name)
    if not opt.available(exception_flag=False):
        return RawSolve(Status.ERROR, None, None, time.perf_counter() - t0, 0.0, f"solver {name} is not available")
    tl, gp, th = SOLVER_OPTIONS.get(name, (None, None, None))
    opts = dict(options or {})
    if tl and time_limit is not None:
        opts[tl] = float(time_limit)
    if gp:
        opts[gp] = float(gap)
    if th and threads is not None:
        opts[th] = int(threads)
        if name in ("appsi_highs", "highs"):  # same process, same global HiGHS scheduler
            highs_for(threads=threads)
    t1 = time.perf_counter()
    res = opt.solve(m, load_solutions=False, tee=verbose, options=opts)
    t2 = time.perf_counter()
    tc = res.solver.termination_condition
    has_sol = len(res.solution) > 0 if hasattr(res, "solution") else False
    if tc == TerminationCondition.optimal:
        status = Status.OPTIMAL
    elif tc in (TerminationCondition.infeasible, TerminationCondition.infeasibleOrUnbounded):
        status = Status.INFEASIBLE
    elif tc == TerminationCondition.unbounded:
        status = Status.UNBOUNDED
    elif tc in (TerminationCondition.maxTimeLimit, TerminationCondition.maxIterations,
                TerminationCondition.maxEvaluations, TerminationCondition.userInterrupt):
        status = Status.FEASIBLE if has_sol else Status.NO_SOLUTION
    elif res.solver.status == SolverStatus.ok and has_sol:
        status = Status.FEASIBLE
    else:
        status = Status.ERROR
    values, bound = None, None
    if status.has_solution:
        m.solutions.load_from(res)
        values = np.array([pyo.value(v, exception=False) or 0.0 for v in m._revopt_cols], dtype=float)
        ub = res.problem.upper_bound
        try:
            bound = float(ub) if ub is not None and np.isfinite(float(ub)) else None
        except (TypeError, ValueError):
            bound = None
    return RawSolve(status, values, bound, t1 - t0, t2 - t1, str(tc))
