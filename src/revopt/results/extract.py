"""From solver column values to the solution tables of spec section 6."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import WERKMILIEUS
from ..model.layout import POOLED, Layout
from .solution import Solution

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
    return Solution(assignments, plots, terrains, compensation)
