"""From solver column values to the solution tables of spec section 6 (the solve layer's last phase).

The columns are the model's (:class:`revopt.model.layout.Layout`); the tables are the
results layer's (:class:`revopt.results.Solution`): turning one into the other needs both,
so it sits above them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..corridors import accessibility
from ..data.instance import Instance
from ..data.vocab import POOLED, WERKMILIEUS
from ..model.block import LinearModel
from ..model.candidates import Candidates
from ..model.layout import Layout
from ..results.kpis import compute_kpis
from ..results.routes import route_tables
from ..results.solution import Solution
from ..status import RawSolve, Status
from .bounds import assignment_bound, combine_bounds

CREDIT_EPS = 1e-6  # credits below this many m2 are solver noise


def round_columns(lay: Layout, integrality: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Round integer columns to 0/1; clip tiny negative continuous values."""
    v = np.asarray(values, dtype=float).copy()
    ints = integrality.astype(bool)
    v[ints] = np.round(v[ints])
    v[~ints] = np.where(v[~ints] < CREDIT_EPS, 0.0, v[~ints])
    return v


def extract_solution(inst: Instance, lay: Layout, v: np.ndarray) -> Solution:
    """Decision tables from rounded column values."""
    firm_ids = inst.firms["firm_id"].to_numpy(object)
    plot_ids = inst.plots["plot_id"].to_numpy(object)
    chosen = np.full(len(firm_ids), "", dtype=object)
    on = np.flatnonzero(v[: lay.n_x] > 0.5)
    chosen[lay.pairs["firm"].to_numpy(np.int64)[on]] = lay.pairs["plot_id"].to_numpy(object)[on]
    assignments = pd.DataFrame({"firm_id": firm_ids, "plot_id": chosen})

    wm = np.full(len(plot_ids), "", dtype=object)
    zon = v[lay.z["col"].to_numpy(np.int64)] > 0.5
    wm[lay.z["plot"].to_numpy(np.int64)[zon]] = np.array(WERKMILIEUS, dtype=object)[lay.z["w"].to_numpy(np.int64)[zon]]
    inten = np.zeros(len(plot_ids), dtype=bool)
    uon = v[lay.u["col"].to_numpy(np.int64)] > 0.5
    inten[lay.u["plot"].to_numpy(np.int64)[uon]] = True
    plots = pd.DataFrame({"plot_id": plot_ids, "werkmilieu": wm, "intensified": inten})

    dt = lay.d["terrain"].to_numpy(np.int64)
    terrains = pd.DataFrame({"terrain_id": inst.terrains["terrain_id"].to_numpy(object)[dt],
                             "developed": v[lay.d["col"].to_numpy(np.int64)] > 0.5})

    c = lay.c
    cv = v[c["col"].to_numpy(np.int64)]
    pos = cv > CREDIT_EPS
    k = c["k"].to_numpy(np.int64)[pos]
    compensation = pd.DataFrame({
        "terrain_id": inst.terrains["terrain_id"].to_numpy(object)[c["terrain"].to_numpy(np.int64)[pos]],
        "plot_id": plot_ids[c["plot"].to_numpy(np.int64)[pos]],
        "class": [WERKMILIEUS[i] if i >= 0 else POOLED for i in k],
        "floor_m2": cv[pos],
    })
    sol = Solution(assignments, plots, terrains, compensation)
    if inst.has_corridors:
        sol.routes, sol.corridor_loads = route_tables(inst, lay.pairs, lay.paths, on)
        sol.accessibility = accessibility(inst)
    return sol


@dataclass
class Extracted:
    """The solution of a solve as tables, with its objective, bound, gap and KPIs (all empty without one)."""

    solution: Solution | None = None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    kpis: dict[str, Any] = field(default_factory=dict)
    bound_source: str | None = None


def extract(inst: Instance, cand: Candidates, lay: Layout, lm: LinearModel, raw: RawSolve,
            bounds: dict[str, float | None] | None = None, solver: str = "solver") -> Extracted:
    """Tables, objective (recomputed from the rounded decisions), bound, gap and KPIs of a backend's answer.

    The bound is the best of the solver's, the assignment bound and any other valid ``bounds``
    found before (the Lagrangian bound; :mod:`revopt.solve.bounds`), so the gap is a true one even
    when the solver had no time for its own.
    """
    if not raw.status.has_solution or raw.values is None:
        return Extracted()
    v = round_columns(lay, lm.integrality, raw.values)
    objective = float(lm.cost @ v)
    sol = extract_solution(inst, lay, v)
    others = {**(bounds or {}), "assignment": assignment_bound(lay, lm)}
    bound, gap, source = combine_bounds(objective, (solver, raw.bound), others, raw.status == Status.OPTIMAL)
    return Extracted(sol, objective, bound, gap, compute_kpis(inst, sol, cand.pairs), source)


__all__ = ["extract", "Extracted", "extract_solution", "round_columns", "CREDIT_EPS"]
