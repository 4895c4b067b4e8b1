"""Objective (spec section 5): maximise productive use of space, in euro.

    value_years * sum value_fp x[f,p]
    - relocation_weight * sum_{current_plot_f set, p != current_plot_f} relocation_cost_f x[f,p]
    - development_weight * sum_t development_cost_t d[t]
    - intensify_weight * sum_p intensify_cost_p u[p]
    - quay_misuse_eur_per_m2 * sum_{quay_p, not water_bound_f} floor_fp x[f,p]
    - category_misuse_eur_per_m2 * sum floor_fp * max(0, rank(max_category_p) - rank(category_f)) x[f,p]
    - value_years * transport.weight * sum transport_fp x[f,p]          (spec section 7)

transport_fp = 1000 * freight_kt_f * (cost of the pair's cheapest route, euro per tonne), from
:mod:`revopt.corridors.routes` via the candidate pairs; 0 for firms without freight.
"""

from __future__ import annotations

import numpy as np

from ..data.instance import Instance
from ..data.vocab import RANK
from .layout import Layout


def objective_terms(inst: Instance, lay: Layout) -> dict[str, np.ndarray]:
    """Per-pair euro of each x-term (sign included), for reporting and the cost vector."""
    o = inst.params["objective"]
    fi = lay.pairs["firm"].to_numpy(np.int64)
    pj = lay.pairs["plot"].to_numpy(np.int64)
    floor = lay.pairs["floor"].to_numpy(float)
    firms, plots = inst.firms, inst.plots
    cur = firms["current_plot"].to_numpy(object)[fi]
    moved = (cur != "") & (cur != plots["plot_id"].to_numpy(object)[pj])
    misuse_quay = plots["quay"].to_numpy(bool)[pj] & ~firms["water_bound"].to_numpy(bool)[fi]
    steps = np.maximum(0, plots["max_category"].map(RANK).to_numpy(np.int64)[pj]
                       - firms["category"].map(RANK).to_numpy(np.int64)[fi])
    return {
        "value": o["value_years"] * lay.pairs["value"].to_numpy(float),
        "relocation": -o["relocation_weight"] * np.where(moved, firms["relocation_cost_eur"].to_numpy(float)[fi], 0.0),
        "quay_misuse": -o["quay_misuse_eur_per_m2"] * np.where(misuse_quay, floor, 0.0),
        "category_misuse": -o["category_misuse_eur_per_m2"] * floor * steps,
        "transport": -o["value_years"] * inst.params["transport"]["weight"] * (
            lay.pairs["transport"].to_numpy(float) if "transport" in lay.pairs else np.zeros(len(fi))),
    }


def cost_vector(inst: Instance, lay: Layout) -> np.ndarray:
    o = inst.params["objective"]
    cost = np.zeros(lay.n_cols)
    if lay.n_x:
        cost[: lay.n_x] = sum(objective_terms(inst, lay).values())
    development_cost = inst.terrains["development_cost_eur"].to_numpy(float)[lay.d["terrain"].to_numpy(np.int64)]
    cost[lay.d["col"].to_numpy(np.int64)] = -o["development_weight"] * development_cost
    intensify_cost = inst.plots["intensify_cost_eur"].to_numpy(float)[lay.u["plot"].to_numpy(np.int64)]
    cost[lay.u["col"].to_numpy(np.int64)] = -o["intensify_weight"] * intensify_cost
    return cost
