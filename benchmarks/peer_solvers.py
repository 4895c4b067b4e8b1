"""The four solvers of ``peers.py``, each run inside its own worker process, and the model for CP-SAT.

Every runner gets the folder that ``peers.py`` wrote (``model.mps``,
``model.npz``, ``columns.txt``, ``spec.json``), a wall-clock budget in seconds
counted from the worker's start (reading the model counts), and a
:class:`ProgressLog`. It returns a dict: ``status`` (optimal, feasible,
no_solution, infeasible, cannot_take, error), ``objective``, ``bound``,
``message``, ``solve_s``; when it has a solution, it writes the column values
to ``<peer>.x.npy`` in revopt's column order, for the driver's independent
check. The solver libraries are imported inside the runners, so a missing one
fails only its own peer.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np

INT_TOL = 1e-9
#: decimal digits tried when making a row's coefficients integer for CP-SAT (10^9 at most)
MAX_DIGITS = 9
#: CP-SAT works in int64: refuse rows whose largest activity could overflow it (with margin)
INT_ACTIVITY_LIMIT = 2.0 ** 62


class CannotTake(Exception):
    """The solver cannot take this model as it is (the message says which column or row, and why)."""


class ProgressLog:
    """Append-only JSON lines ``{"t", "objective", "bound"}``: what the driver reads if it has to kill the worker."""

    def __init__(self, path: Path, t0: float):
        self.path, self.t0 = path, t0
        self.path.write_text("")

    def __call__(self, objective: float | None, bound: float | None) -> None:
        rec = {"t": round(time.perf_counter() - self.t0, 3), "objective": _num(objective), "bound": _num(bound)}
        with self.path.open("a") as f:
            f.write(json.dumps(rec) + "\n")


def _num(v) -> float | None:
    return float(v) if v is not None and math.isfinite(v) and abs(v) < 1e300 else None


def load_arrays(work: Path) -> dict[str, np.ndarray]:
    with np.load(work / "model.npz") as z:
        return {k: z[k] for k in z.files}


def column_names(work: Path) -> list[str]:
    return (work / "columns.txt").read_text().split("\n")[:-1]


def save_x(work: Path, peer: str, x: np.ndarray) -> None:
    tmp = work / f"{peer}.x.tmp.npy"
    np.save(tmp, np.asarray(x, dtype=float))
    tmp.replace(work / f"{peer}.x.npy")


def by_name(names_in_solver: list[str], values, names: list[str]) -> np.ndarray:
    """Values in revopt's column order, matched by name (a solver may reorder or rename nothing else)."""
    pos = {n: j for j, n in enumerate(names)}
    x = np.full(len(names), np.nan)
    for n, v in zip(names_in_solver, values):
        j = pos.get(n)
        if j is None:
            raise ValueError(f"the solver has a column {n!r} that the model does not")
        x[j] = v
    if np.isnan(x).any():
        raise ValueError(f"the solver lacks {int(np.isnan(x).sum())} of the model's columns")
    return x


# ---------------------------------------------------------------- revopt


def run_revopt(work: Path, budget: float, log: ProgressLog, t0: float) -> dict:
    """``revopt.solve(instance, time_limit=budget)``: its own build included, as a user runs it."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    import revopt
    from registry import load

    inst = load(json.loads((work / "spec.json").read_text())["spec"])
    (work / "revopt.started").touch()  # its budget starts now, not with the instance's generation
    t = time.perf_counter()
    res = revopt.solve(inst, time_limit=budget, progress=lambda p: log(p.incumbent, p.bound))
    solve_s = time.perf_counter() - t
    problems = revopt.verify(inst, res) if res.status.has_solution else []
    return {"status": res.status.value, "objective": res.objective, "bound": res.bound, "solve_s": solve_s,
            "wall_from": "revopt.solve (candidates, build, heuristics, HiGHS)",
            "verify": problems[:5], "verify_count": len(problems), "message": res.message or ""}


# ---------------------------------------------------------------- HiGHS


def run_highs(work: Path, budget: float, log: ProgressLog, t0: float, threads: int = 1) -> dict:
    """Plain HiGHS on the MPS file: default options but ``threads`` and ``time_limit``."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if h.readModel(str(work / "model.mps")) == highspy.HighsStatus.kError:
        return {"status": "error", "message": "HiGHS could not read model.mps"}
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("time_limit", max(1.0, budget - (time.perf_counter() - t0)))
    names = list(h.getLp().col_names_)
    model_names = column_names(work)
    same_order = names == model_names
    last = [0.0]

    def improved(e) -> None:
        d = e.data_out
        log(d.mip_primal_bound, d.mip_dual_bound)
        x = np.asarray(d.mip_solution)
        save_x(work, "highs", x if same_order else by_name(names, x, model_names))

    def tick(e) -> None:
        t = time.perf_counter()
        if t - last[0] >= 2.0:
            last[0] = t
            log(e.data_out.mip_primal_bound, e.data_out.mip_dual_bound)

    h.cbMipImprovingSolution.subscribe(improved)
    h.cbMipInterrupt.subscribe(tick)
    t = time.perf_counter()
    h.run()
    solve_s = time.perf_counter() - t
    ms = h.getModelStatus()
    info = h.getInfo()
    has_sol = info.primal_solution_status == 2
    MS = highspy.HighsModelStatus
    if ms == MS.kOptimal:
        status = "optimal"
    elif ms in (MS.kInfeasible, MS.kUnboundedOrInfeasible):
        status = "infeasible"
    else:
        status = "feasible" if has_sol else "no_solution"
    objective = _num(info.objective_function_value) if has_sol else None
    bound = _num(info.mip_dual_bound)
    if has_sol:
        x = np.asarray(h.getSolution().col_value)
        save_x(work, "highs", x if same_order else by_name(names, x, model_names))
    return {"status": status, "objective": objective, "bound": bound, "solve_s": solve_s,
            "message": h.modelStatusToString(ms)}


# ---------------------------------------------------------------- SCIP


def run_scip(work: Path, budget: float, log: ProgressLog, t0: float) -> dict:
    """SCIP (pyscipopt) on the MPS file: default settings but the time limit (SCIP is single-threaded)."""
    import pyscipopt

    class BestSolution(pyscipopt.Eventhdlr):
        def eventinit(self):
            self.model.catchEvent(pyscipopt.SCIP_EVENTTYPE.BESTSOLFOUND, self)

        def eventexit(self):
            self.model.dropEvent(pyscipopt.SCIP_EVENTTYPE.BESTSOLFOUND, self)

        def eventexec(self, event):
            m = self.model
            log(m.getSolObjVal(m.getBestSol()), m.getDualbound())

    m = pyscipopt.Model()
    m.hideOutput()
    m.readProblem(str(work / "model.mps"))
    m.setParam("limits/time", max(1.0, budget - (time.perf_counter() - t0)))
    m.includeEventhdlr(BestSolution(), "peers_best", "log each new incumbent")
    t = time.perf_counter()
    m.optimize()
    solve_s = time.perf_counter() - t
    st = m.getStatus()
    has_sol = m.getNSols() > 0
    status = {"optimal": "optimal", "infeasible": "infeasible", "inforunbd": "infeasible"}.get(
        st, "feasible" if has_sol else "no_solution")
    objective = _num(m.getObjVal()) if has_sol else None
    dual = m.getDualbound()
    bound = None if m.isInfinity(abs(dual)) else _num(dual)  # SCIP's infinity is 1e20: no root, no bound
    if has_sol:
        sol = m.getBestSol()
        vs = m.getVars()
        save_x(work, "scip", by_name([v.name for v in vs], [m.getSolVal(sol, v) for v in vs], column_names(work)))
    return {"status": status, "objective": objective, "bound": bound, "solve_s": solve_s, "message": st}


# ---------------------------------------------------------------- CP-SAT


def certify_integral(arrays: dict, credit_cols: np.ndarray, credit_blocks: dict[str, tuple[int, int]]
                     ) -> tuple[np.ndarray, list[str]]:
    """Which continuous columns may be taken integer without changing the optimum or the bound.

    CP-SAT has integer variables only. revopt's model has two continuous kinds:

    - a column defined by an equality row ``+-1 * col + (integer coefficients on integer columns) = integer``
      is integer in every feasible solution (the plot emissions e[p] of C6);
    - the compensation credits c[t,p,k] (C7, ``credit_cols``), when their rows have integer data: fixed the
      binaries, the credits form a transportation problem (each credit in one demand row, at most one
      class-capacity row and one plot-capacity row, each class row inside one plot row: two laminar row
      families, so the matrix is totally unimodular) with integer right-hand sides, whose vertices are
      integer; credits have no cost, so an integer flow exists whenever a fractional one does.

    ``credit_blocks`` maps ``C7_demand``, ``C7_class_cap``, ``C7_plot_cap`` to their row spans. Returns
    (ok per column: True for integer columns and certified continuous ones, notes on what was certified
    or why not).
    """
    integ = arrays["integrality"] == 1
    ok = integ.copy()
    start, index, value = arrays["start"], arrays["index"], arrays["value"]
    lo, up = arrays["row_lower"], arrays["row_upper"]
    n_rows = len(lo)
    rows = np.repeat(np.arange(n_rows), np.diff(start))
    notes: list[str] = []

    def whole(v):
        return np.abs(v - np.rint(v)) <= INT_TOL * np.maximum(1.0, np.abs(v))

    # integer data per row: every coefficient on an integer column integer, finite bounds integer
    coef_int = integ[index] & whole(value)
    bounds_int = (~np.isfinite(lo) | whole(np.where(np.isfinite(lo), lo, 0))) & \
                 (~np.isfinite(up) | whole(np.where(np.isfinite(up), up, 0)))

    # (1) implied by an equality row with +-1 on the column and integer data elsewhere
    cont_entry = ~integ[index]
    n_cont_in_row = np.bincount(rows, weights=cont_entry, minlength=n_rows)
    eq = (lo == up) & np.isfinite(lo) & bounds_int
    sel = cont_entry & eq[rows] & (n_cont_in_row[rows] == 1) & (np.abs(np.abs(value) - 1) <= INT_TOL)
    # the row's other entries must be integer columns with integer coefficients: count the bad ones
    bad_other = np.bincount(rows, weights=~coef_int & ~cont_entry, minlength=n_rows)
    sel &= bad_other[rows] == 0
    implied = np.unique(index[sel])
    ok[implied] = True
    if len(implied):
        notes.append(f"{len(implied)} continuous columns are defined by an integer equality row (plot "
                     "emissions e of C6): taken integer")

    # (2) compensation credits
    credit_cols = np.asarray(credit_cols, dtype=np.int64)
    if len(credit_cols):
        why = _credit_structure(arrays, credit_cols, credit_blocks, rows, coef_int, bounds_int)
        if why is None:
            ok[credit_cols] = True
            notes.append(f"{len(credit_cols)} compensation credits c (C7) have integer data and a totally "
                         "unimodular structure: taken integer (no change to optimum or bound)")
        else:
            notes.append(f"compensation credits c cannot be taken integer: {why}")
    left = np.flatnonzero(~ok)
    if len(left):
        notes.append(f"{len(left)} continuous columns are not provably integral")
    return ok, notes


def _credit_structure(arrays, credit_cols, blocks, rows, coef_int, bounds_int) -> str | None:
    """None when the credits have the structure of :func:`certify_integral`, else why not."""
    index, value = arrays["index"], arrays["value"]
    is_credit = np.zeros(len(arrays["cost"]), bool)
    is_credit[credit_cols] = True
    if np.any(arrays["cost"][credit_cols] != 0):
        return "a credit has a cost"
    ent = is_credit[index]
    span = {k: blocks.get(k, (0, 0)) for k in ("C7_demand", "C7_class_cap", "C7_plot_cap")}

    def in_block(r, name):
        a, b = span[name]
        return (r >= a) & (r < b)

    r = rows[ent]
    c = index[ent]
    kind = np.where(in_block(r, "C7_demand"), 0, np.where(in_block(r, "C7_class_cap"), 1,
                    np.where(in_block(r, "C7_plot_cap"), 2, -1)))
    if np.any(kind < 0):
        return "a credit appears outside the C7 rows"
    if np.any(np.abs(value[ent] - 1) > INT_TOL):
        return "a credit has a coefficient other than 1"
    c7 = np.unique(r)
    n_rows = len(arrays["row_lower"])
    # other entries of the C7 rows: integer columns with integer coefficients
    in_c7 = np.zeros(n_rows, bool)
    in_c7[c7] = True
    other = in_c7[rows] & ~ent
    if np.any(~coef_int[other]):
        return "a C7 row has a fractional coefficient or another continuous column"
    if np.any(~bounds_int[c7]):
        return "a C7 row has a fractional bound (e.g. ratio * lost not whole)"
    n = len(arrays["cost"])
    count = np.zeros((3, n), np.int64)
    np.add.at(count, (kind, c), 1)
    if np.any(count[0, credit_cols] != 1) or np.any(count[1:, credit_cols] > 1):
        return "a credit is not in exactly one demand row and at most one row of each capacity kind"
    # laminar: the credits of one class row all lie in the same plot row
    plot_row = np.full(n, -1)
    plot_row[c[kind == 2]] = r[kind == 2]
    cls_r, cls_c = r[kind == 1], c[kind == 1]
    if len(cls_r):
        order = np.argsort(cls_r, kind="stable")
        pr = plot_row[cls_c[order]]
        rr = cls_r[order]
        first = np.r_[True, rr[1:] != rr[:-1]]
        head = pr[np.flatnonzero(first)[np.cumsum(first) - 1]]
        if np.any(pr != head):
            return "the credits of one class-capacity row lie in different plot-capacity rows"
    return None


def column_bounds(arrays: dict, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Finite integer bounds for every column: the given ones, an infinite upper one derived from the rows.

    One pass of activity bounds: for a row ``a x <= U`` and a column j with a_j > 0,
    x_j <= (U - min activity of the others) / a_j (and the mirror for ``>= L``, a_j < 0).
    """
    lo, up = arrays["col_lower"].astype(float).copy(), arrays["col_upper"].astype(float).copy()
    start, index, value = arrays["start"], arrays["index"], arrays["value"]
    rlo, rup = arrays["row_lower"], arrays["row_upper"]
    n_rows = len(rlo)
    rows = np.repeat(np.arange(n_rows), np.diff(start))
    need = ~np.isfinite(up[index])
    if np.any(need):
        a = value
        lo_e, up_e = lo[index], up[index]
        with np.errstate(invalid="ignore"):
            cmin = np.where(a > 0, a * lo_e, a * up_e)  # this entry's least contribution
            cmax = np.where(a > 0, a * up_e, a * lo_e)
        cmin = np.where(np.isnan(cmin), 0.0, cmin)
        cmax = np.where(np.isnan(cmax), 0.0, cmax)
        inf_min, inf_max = ~np.isfinite(cmin), ~np.isfinite(cmax)
        sum_min = np.bincount(rows, np.where(inf_min, 0, cmin), n_rows)
        sum_max = np.bincount(rows, np.where(inf_max, 0, cmax), n_rows)
        n_inf_min = np.bincount(rows, inf_min, n_rows)
        n_inf_max = np.bincount(rows, inf_max, n_rows)
        others_min = np.where(n_inf_min[rows] - inf_min == 0, sum_min[rows] - np.where(inf_min, 0, cmin), -np.inf)
        others_max = np.where(n_inf_max[rows] - inf_max == 0, sum_max[rows] - np.where(inf_max, 0, cmax), np.inf)
        with np.errstate(invalid="ignore", divide="ignore"):
            cap = np.where(a > 0, (rup[rows] - others_min) / a, (others_max - rlo[rows]) / -a)
        cap = np.where(need & np.isfinite(cap), cap, np.inf)
        best = np.full(len(up), np.inf)
        np.minimum.at(best, index, cap)
        up = np.minimum(up, best)
    lo_i = np.ceil(lo - 1e-9)
    up_i = np.floor(up + 1e-9)
    return lo_i, up_i


def _row_digits(values: np.ndarray, rows: np.ndarray, n_rows: int) -> np.ndarray:
    """Least d <= MAX_DIGITS per row with every value * 10^d whole; -1 where none."""
    digits = np.full(n_rows, -1)
    for d in range(MAX_DIGITS + 1):
        s = values * 10.0 ** d
        bad = np.bincount(rows, np.abs(s - np.rint(s)) > INT_TOL * np.maximum(1.0, np.abs(s)), n_rows) > 0
        digits[(digits < 0) & ~bad] = d
        if np.all(digits >= 0):
            break
    return digits


def cpsat_model(arrays: dict, ok: np.ndarray, names: list[str]):
    """The model as CP-SAT integers, exactly: (CpModel, variables, objective divisor), or CannotTake.

    Continuous columns must be certified integral (:func:`certify_integral`); every column needs finite
    bounds (:func:`column_bounds`); each row and the objective are multiplied by the least power of ten
    (at most 10^9) that makes them whole, so no coefficient is rounded; a row whose activity could
    overflow int64 is refused.
    """
    from ortools.sat.python import cp_model

    if not np.all(ok):
        j = int(np.flatnonzero(~ok)[0])
        raise CannotTake(f"{int((~ok).sum())} continuous columns (first: {names[j]}) are not provably "
                         "integral, and CP-SAT has integer variables only")
    lo, up = column_bounds(arrays, ok)
    if not np.all(np.isfinite(up)) or not np.all(np.isfinite(lo)):
        j = int(np.flatnonzero(~np.isfinite(up) | ~np.isfinite(lo))[0])
        raise CannotTake(f"column {names[j]} has no finite bound, and CP-SAT needs one")
    start, index, value = arrays["start"], arrays["index"], arrays["value"]
    rlo, rup = arrays["row_lower"], arrays["row_upper"]
    n_rows = len(rlo)
    rows = np.repeat(np.arange(n_rows), np.diff(start))
    # digits of coefficients and finite bounds together
    fin_lo, fin_up = np.isfinite(rlo), np.isfinite(rup)
    all_vals = np.concatenate([value, rlo[fin_lo], rup[fin_up]])
    all_rows = np.concatenate([rows, np.flatnonzero(fin_lo), np.flatnonzero(fin_up)])
    digits = _row_digits(all_vals, all_rows, n_rows)
    if np.any(digits < 0):
        i = int(np.flatnonzero(digits < 0)[0])
        raise CannotTake(f"row {i} has coefficients that no power of ten up to 10^{MAX_DIGITS} makes whole")
    scale = 10.0 ** digits
    coef = np.rint(value * scale[rows]).astype(np.int64)
    big = np.maximum(np.abs(lo), np.abs(up))[index]
    act = np.bincount(rows, np.abs(coef) * big, n_rows)
    if np.any(act >= INT_ACTIVITY_LIMIT):
        i = int(np.argmax(act))
        raise CannotTake(f"row {i}: its activity could reach {act[i]:.3g} after scaling, beyond CP-SAT's int64")
    cost = arrays["cost"]
    od = int(_row_digits(cost, np.zeros(len(cost), np.int64), 1)[0])
    if od < 0:
        raise CannotTake(f"objective coefficients that no power of ten up to 10^{MAX_DIGITS} makes whole")
    ocoef = np.rint(cost * 10.0 ** od).astype(np.int64)
    if float(np.sum(np.abs(ocoef) * np.maximum(np.abs(lo), np.abs(up)))) >= INT_ACTIVITY_LIMIT:
        raise CannotTake("the objective could overflow CP-SAT's int64 after scaling")

    m = cp_model.CpModel()
    xs = [m.new_bool_var("") if (a == 0 and b == 1) else m.new_int_var(int(a), int(b), "")
          for a, b in zip(lo, up)]
    lo_s = np.where(fin_lo, np.rint(np.where(fin_lo, rlo, 0) * scale), 0)  # whole: the digits cover the bounds
    up_s = np.where(fin_up, np.rint(np.where(fin_up, rup, 0) * scale), 0)
    idx, cf = index.tolist(), coef.tolist()
    for i in range(n_rows):
        a, b = int(start[i]), int(start[i + 1])
        expr = cp_model.LinearExpr.weighted_sum([xs[j] for j in idx[a:b]], cf[a:b])
        if fin_lo[i] and fin_up[i]:
            m.add_linear_constraint(expr, int(lo_s[i]), int(up_s[i]))
        elif fin_up[i]:
            m.add(expr <= int(up_s[i]))
        elif fin_lo[i]:
            m.add(expr >= int(lo_s[i]))
    nz = np.flatnonzero(ocoef)
    m.maximize(cp_model.LinearExpr.weighted_sum([xs[j] for j in nz], ocoef[nz].tolist()))
    return m, xs, 10.0 ** od


def run_cpsat(work: Path, budget: float, log: ProgressLog, t0: float, workers: int = 2) -> dict:
    """CP-SAT (OR-Tools) on the model built from the arrays, exactly (see :func:`cpsat_model`)."""
    from ortools.sat.python import cp_model

    arrays = load_arrays(work)
    names = column_names(work)
    ok = arrays["integral_ok"].astype(bool)
    try:
        m, xs, divisor = cpsat_model(arrays, ok, names)
    except CannotTake as e:
        return {"status": "cannot_take", "message": str(e)}
    build_s = time.perf_counter() - t0

    class Incumbents(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self):
            log(self.objective_value / divisor, self.best_objective_bound / divisor)

    s = cp_model.CpSolver()
    s.parameters.num_workers = int(workers)
    s.parameters.max_time_in_seconds = max(1.0, budget - (time.perf_counter() - t0))
    t = time.perf_counter()
    st = s.solve(m, Incumbents())
    solve_s = time.perf_counter() - t
    status = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible", cp_model.INFEASIBLE: "infeasible",
              cp_model.UNKNOWN: "no_solution", cp_model.MODEL_INVALID: "error"}[st]
    has_sol = st in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    if has_sol:
        save_x(work, "cpsat", np.array(s.response_proto.solution, dtype=float)[:len(xs)])
    return {"status": status, "objective": s.objective_value / divisor if has_sol else None,
            # without a solution CP-SAT reports 0 as its bound when it has none (UNKNOWN): not a bound
            "bound": _num(s.best_objective_bound / divisor) if has_sol else None,
            "solve_s": solve_s, "build_s": build_s, "message": s.status_name(st)}


RUNNERS = {"revopt": run_revopt, "highs": run_highs, "scip": run_scip, "cpsat": run_cpsat}
