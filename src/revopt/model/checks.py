"""Presolve checks: cheap proofs that an instance is infeasible, with the numbers.

An infeasible instance is not an input error (spec section 1): ``solve`` reports
status infeasible with these reasons instead of calling the solver.
"""

from __future__ import annotations

import numpy as np

from ..data.instance import Instance
from .candidates import RULES, Candidates
from .compensation import new_space
from .layout import Layout, POOLED
from ..data.vocab import WERKMILIEUS


def exclusion_reason(row, n_plots: int) -> str:
    """Words for why a firm has no candidate plot, from its exclusion counts."""
    parts = [f"{rule} excludes {int(row[rule])} of {n_plots}" for rule in RULES if row[rule] > 0]
    return "; ".join(parts) if parts else "no plots"


def check_must_place(inst: Instance, cand: Candidates) -> list[str]:
    """A must-place firm without any candidate plot."""
    ex = cand.exclusions
    bad = inst.firms["must_place"].to_numpy(bool) & (ex["candidates"].to_numpy() == 0)
    n = len(inst.plots)
    return [f"C1: firm {ex.iloc[i]['firm_id']} must be placed but has no candidate plot "
            f"({exclusion_reason(ex.iloc[i], n)})" for i in np.flatnonzero(bad)]


def check_compensation(inst: Instance, lay: Layout) -> list[str]:
    """Lost space that all new space in range could not compensate, even unshared."""
    if lay.lost.empty:
        return []
    ratio = inst.params["compensation"]["ratio"]
    cap_planned, extra = new_space(inst)
    F = cap_planned + extra
    tid = inst.terrains["terrain_id"].to_numpy(object)
    out = []
    for t, k, lost in lay.lost.itertuples(index=False):
        sel = lay.c[(lay.c["terrain"] == t) & (lay.c["k"] == k)]
        avail = float(F[sel["plot"].to_numpy(np.int64)].sum())
        need = ratio * lost
        if avail < need * (1 - 1e-9):
            cls = WERKMILIEUS[k] if k >= 0 else POOLED
            out.append(f"C7: terrain {tid[t]} loses {lost:,.0f} m2 of class {cls}; {need:,.0f} m2 must be "
                       f"compensated within {inst.params['compensation']['radius_km']:g} km but at most "
                       f"{avail:,.0f} m2 of new space there can take that class")
    return out


def presolve_checks(inst: Instance, cand: Candidates, lay: Layout) -> list[str]:
    return check_must_place(inst, cand) + check_compensation(inst, lay)
