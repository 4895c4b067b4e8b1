"""Marginal values: what one more (or one less) unit of a scarce resource is worth, by re-solving.

For each binding or nearly binding resource (:mod:`revopt.decide.resources`) the instance is
solved again with the capacity raised and lowered by a step, each time as :func:`revopt.solve`
would and each solution checked by :func:`revopt.verify`:

    delta_objective_up   = optimum(capacity + step) - optimum(capacity)
    delta_objective_down = optimum(capacity - step) - optimum(capacity)

This is right for integer decisions: a firm of 5 MW lands only when 5 MW are free, so the
value of one more MW can be 0 for four steps and large at the fifth. At a gap above 0 or a time
limit each delta is only known to lie in [new incumbent - old bound, new bound - old incumbent];
``details`` holds that interval.
The old optimum is the start of each re-solve: :func:`revopt.solve` takes no start from its
caller, so the verifier checks the old optimum against the changed instance, and when it is
feasible there and better than the re-solve's incumbent it is kept (with the re-solve's bound), as
``solve`` keeps a heuristic start that HiGHS does not beat. A relaxing step thus never shows a loss.

Beside it, the fixed-LP dual (``fixed_lp_dual``): the integer columns fixed at the optimum, the
LP solved by simplex, the row's dual with its ranging interval. It is the value of the resource
*for this allocation only* (the firms and designations stay where they are). It exists only for
rows with a continuous column that the integers do not pin: in this model the compensation
credits (C7). For every other resource it is 0 by construction (every column in the row is
fixed, or pinned by an equality to fixed columns, as the nitrogen emissions are) and left empty.

Which resources are re-solved: the binding or nearly binding ones (slack below the step, or
below ``near`` times the capacity), ranked by the LP relaxation's dual times the step (an
estimate, used for the order only), then by relative slack; the first ``top``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import highspy
import numpy as np
import pandas as pd

from ..data.errors import InstanceError
from ..data.instance import Instance
from ..model.block import LinearModel
from ..model.build import build_model
from ..model.layout import Layout
from ..results.result import Result
from ..results.verify import verify
from ..solve import solve
from ..solve.bounds import relative_gap
from ..solve.highs_backend import highs_for
from ..status import Status
from .columns import column_values
from .resources import KINDS, resource_rows, with_capacity

#: the columns of marginal_values.csv (issue 13)
COLUMNS = ["resource", "id", "unit", "capacity", "used", "step", "delta_objective_up", "delta_objective_down",
           "per_unit_up", "per_unit_down", "fixed_lp_dual"]
#: the columns of marginal_details.csv: how each number was obtained
DETAIL_COLUMNS = ["resource", "id", "status_up", "status_down", "delta_up_low", "delta_up_high", "delta_down_low",
                  "delta_down_high", "verified", "lp_estimate", "fixed_lp_range_low", "fixed_lp_range_high",
                  "seconds"]


@dataclass
class MarginalValues:
    """What :func:`marginal_values` returns: the table of ``COLUMNS`` (``table``), how each row was
    obtained (``details``), the base solve and the candidates that were not re-solved."""

    table: pd.DataFrame
    details: pd.DataFrame
    base: Result
    candidates: pd.DataFrame
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def parse_steps(steps: dict[str, float] | None) -> dict[str, float]:
    """The step of each resource kind: the defaults of :data:`KINDS`, overridden by ``steps``."""
    out = {k: v.step for k, v in KINDS.items()}
    for k, s in (steps or {}).items():
        if k not in KINDS:
            raise ValueError(f"unknown resource {k!r} in steps; known: {', '.join(KINDS)}")
        if not (s > 0 and np.isfinite(s)):
            raise ValueError(f"the step of {k} must be a finite number > 0, not {s!r}")
        out[k] = float(s)
    return out


def select(rows: pd.DataFrame, steps: dict[str, float], *, resources: list[str] | None, top: int,
           near: float, estimate: np.ndarray | None) -> pd.DataFrame:
    """The resources to re-solve: of the kinds in ``resources`` (default all) the binding or nearly
    binding ones, and every ``kind:id`` named there; ranked by ``estimate`` (per row of the model)
    times the step, then by relative slack; the first ``top``."""
    df = rows.copy()
    df["step"] = df["resource"].map(steps)
    by_id = np.zeros(len(df), dtype=bool)
    if resources:
        kinds = {r for r in resources if ":" not in r}
        named = {tuple(r.split(":", 1)) for r in resources if ":" in r}
        unknown = sorted({r.split(":", 1)[0] for r in resources} - set(KINDS))
        if unknown:
            raise ValueError(f"unknown resource {', '.join(unknown)}; known: {', '.join(KINDS)}")
        by_id = np.array([(r, i) in named or (r, i.rsplit("/", 1)[0]) in named
                          for r, i in zip(df["resource"], df["id"])], dtype=bool)
        keep = df["resource"].isin(kinds).to_numpy() | by_id
        df, by_id = df[keep], by_id[keep]
    rel = df["slack"] / np.maximum(np.abs(df["capacity"]), 1e-9)
    binding = ((df["slack"] < df["step"]) | (rel <= near)).to_numpy()
    df = df[binding | by_id].copy()   # named ids are re-solved whether they bind or not, first
    df["named"] = by_id[binding | by_id]
    df["lp_estimate"] = 0.0 if estimate is None else np.abs(estimate[df["row"].to_numpy(np.int64)]) * df["step"]
    df["relative_slack"] = rel.reindex(df.index)
    df = df.sort_values(["named", "lp_estimate", "relative_slack", "resource", "id"],
                        ascending=[False, False, True, True, True], kind="stable")
    return df.head(top).reset_index(drop=True)


def lp_duals(lm: LinearModel, threads: int | None = None) -> np.ndarray | None:
    """Row duals of the LP relaxation (None when it has none): an estimate for ranking only."""
    h = highs_for(lm, threads=threads, relax=True)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal or not h.getSolution().dual_valid:
        return None
    return np.asarray(h.getSolution().row_dual, dtype=float)


def fixed_lp_duals(lay: Layout, lm: LinearModel, v: np.ndarray, rows: np.ndarray,
                   threads: int | None = None) -> pd.DataFrame:
    """The fixed-LP dual of ``rows`` (integer columns fixed at ``v``, the LP solved by simplex) with
    its ranging interval (the row bound's range over which the dual holds), NaN where the dual is 0
    by construction: rows without a compensation credit column (the only continuous columns the
    integers do not pin)."""
    out = pd.DataFrame({"row": rows, "dual": np.nan, "range_low": np.nan, "range_high": np.nan})
    free = np.zeros(lm.n_cols, dtype=bool)
    free[lay.c["col"].to_numpy(np.int64)] = True
    has_free = np.array([free[lm.index[lm.start[r]:lm.start[r + 1]]].any() for r in rows], dtype=bool)
    if not has_free.any():
        return out
    fixed = lm.integrality == 1
    lo, up = lm.col_lower.copy(), lm.col_upper.copy()
    lo[fixed] = up[fixed] = np.round(v[fixed])
    fixed_lm = LinearModel(cost=lm.cost, col_lower=lo, col_upper=up, integrality=np.zeros(lm.n_cols, np.int32),
                           row_lower=lm.row_lower, row_upper=lm.row_upper, start=lm.start, index=lm.index,
                           value=lm.value)
    h = highs_for(fixed_lm, threads=threads, options={"solver": "simplex"})
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return out
    dual = np.asarray(h.getSolution().row_dual, dtype=float)
    status, rng = h.getRanging()
    for i in np.flatnonzero(has_free):
        r = int(rows[i])
        out.loc[i, "dual"] = dual[r]
        if status == highspy.HighsStatus.kOk:
            lo_v, up_v = rng.row_bound_dn.value_[r], rng.row_bound_up.value_[r]
            out.loc[i, "range_low"], out.loc[i, "range_high"] = lo_v, up_v
    return out


def _solve_changed(inst: Instance, resource: str, rid: str, capacity: float, solve_kw: dict[str, Any],
                   base: Result) -> tuple[str, Result | None, bool]:
    """(status, result, verified) of the instance with one capacity changed.

    The re-solve starts from the old optimum (``solve(start=)``: what still fits is kept, the
    greedy completes the rest). And when the verifier finds the old optimum feasible in the changed instance and
    the re-solve's incumbent is worse (a time limit), the old optimum is the answer, with the
    re-solve's bound. So a step that relaxes a capacity never shows a loss."""
    if capacity < 0:
        return "below zero", None, False
    try:
        changed = with_capacity(inst, resource, rid, capacity)
    except InstanceError as e:
        return f"refused: {e}", None, False
    res = solve(changed, **solve_kw, start=base.solution)
    if base.solution is not None and base.objective is not None and \
            (res.objective is None or res.objective < base.objective) and verify(changed, base.solution) == []:
        bound = res.bound if res.bound is not None else base.objective
        gap = relative_gap(bound, base.objective)
        status = Status.OPTIMAL if gap <= solve_kw["gap"] else Status.FEASIBLE
        res = replace(res, status=status, objective=base.objective, bound=max(bound, base.objective), gap=gap,
                      solution=base.solution, message=res.message + "; the old optimum kept (feasible and better)")
    ok = res.solution is None or verify(changed, res) == []
    return res.status.value, res, ok


def _interval(new: Result | None, base: Result) -> tuple[float, float, float]:
    """(delta, low, high): the change of the optimum and the interval it certainly lies in."""
    if new is None or new.objective is None or base.objective is None:
        return np.nan, np.nan, np.nan
    nb = new.bound if new.bound is not None else new.objective
    bb = base.bound if base.bound is not None else base.objective
    d = new.objective - base.objective
    return d, min(d, new.objective - bb), max(d, nb - base.objective)


def marginal_values(inst: Instance, *, resources: list[str] | None = None, top: int = 10,
                    steps: dict[str, float] | None = None, gap: float = 0.0, time_limit: float | None = None,
                    threads: int | None = None, near: float = 0.05, base: Result | None = None,
                    on_row: Callable[[str], None] | None = None) -> MarginalValues:
    """Marginal values of the binding or nearly binding resources of ``inst`` (module docstring).

    ``resources``: kinds (``substation``, ...) or ``kind:id`` to consider (default all);
    ``top``: how many to re-solve; ``steps``: step per kind in its unit (defaults in
    :data:`revopt.decide.resources.KINDS`); ``gap``, ``time_limit``, ``threads``: of every solve
    (default gap 0: the deltas are differences of optima, so they need exact optima);
    ``base``: the solve of ``inst`` at the same settings when already known; ``on_row`` is
    called with a line per resource done. The base must have a solution (else ValueError).
    """
    began = time.perf_counter()
    step_of = parse_steps(steps)
    solve_kw: dict[str, Any] = {"gap": gap, "time_limit": time_limit, "threads": threads}
    if base is None:
        base = solve(inst, **solve_kw)
    if base.solution is None or base.objective is None:
        raise ValueError(f"the instance has no solution ({base.status.value}): nothing to take marginal values of")
    lay, lm = build_model(inst)
    v = column_values(inst, lay, base.solution)
    rows = resource_rows(inst, lay, lm, v)
    chosen = select(rows, step_of, resources=resources, top=top, near=near, estimate=lp_duals(lm, threads))
    fixed = fixed_lp_duals(lay, lm, v, chosen["row"].to_numpy(np.int64), threads)
    table, details = [], []
    for i, (_, r) in enumerate(chosen.iterrows()):
        t0 = time.perf_counter()
        step = float(r["step"])
        su, up, ok_up = _solve_changed(inst, r["resource"], r["id"], r["capacity"] + step, solve_kw, base)
        sd, down, ok_down = _solve_changed(inst, r["resource"], r["id"], r["capacity"] - step, solve_kw, base)
        du, du_lo, du_hi = _interval(up, base)
        dd, dd_lo, dd_hi = _interval(down, base)
        f = fixed.iloc[i]
        table.append([r["resource"], r["id"], r["unit"], r["capacity"], r["used"], step, du, dd,
                      du / step, dd / step, f["dual"]])
        details.append([r["resource"], r["id"], su, sd, du_lo, du_hi, dd_lo, dd_hi, ok_up and ok_down,
                        r["lp_estimate"], f["range_low"], f["range_high"], time.perf_counter() - t0])
        if on_row is not None:
            on_row(f"{r['resource']} {r['id']}: up {du:,.0f} EUR ({su}), down {dd:,.0f} EUR ({sd})")
    out = MarginalValues(pd.DataFrame(table, columns=COLUMNS), pd.DataFrame(details, columns=DETAIL_COLUMNS),
                         base, rows, time.perf_counter() - began)
    stopped = out.details[["status_up", "status_down"]].isin([Status.FEASIBLE.value, Status.NO_SOLUTION.value])
    if base.status != Status.OPTIMAL or gap > 0 or bool(stopped.to_numpy().any()):
        out.notes.append(f"not every solve was proved optimal (base {base.status.value}, gap {gap:g}): each delta is "
                         "only known to lie in the interval of marginal_details.csv")
    if len(out.details) and not out.details["verified"].all():
        out.notes.append("some re-solved solutions did NOT pass the verifier (marginal_details.csv, verified)")
    return out
