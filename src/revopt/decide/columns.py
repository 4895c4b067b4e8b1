"""A solution's tables as the values of the model's columns, and the row activities they give.

The marginal values need how much of each capacity the optimum uses (a row's activity
``A v``) and the fixed-LP needs the integer decisions of the optimum; both come from the
solution tables (spec section 6), so that any solution, read from disk or just solved, works.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import POOLED, WM_INDEX
from ..model.layout import Layout
from ..results.solution import Solution


def column_values(inst: Instance, lay: Layout, sol: Solution) -> np.ndarray:
    """The solution as values of the MIP columns of ``lay`` ([x | z | d | u | c | e]).

    Raises ValueError when a decision has no column in this layout (the solution belongs to
    another instance)."""
    v = np.zeros(lay.n_cols)
    a = sol.assignments
    a = a[a["plot_id"].astype(str) != ""]
    pair_key = pd.MultiIndex.from_arrays([lay.pairs["firm_id"].to_numpy(object), lay.pairs["plot_id"].to_numpy(object)])
    at = pair_key.get_indexer(pd.MultiIndex.from_arrays([a["firm_id"].to_numpy(object), a["plot_id"].to_numpy(object)]))
    if np.any(at < 0):
        raise ValueError("a placement of the solution is not a candidate pair of this instance")
    v[at] = 1.0
    ppos = pd.Series(np.arange(len(inst.plots)), index=inst.plots["plot_id"])
    pl = sol.plots
    des = pl[pl["werkmilieu"].astype(str) != ""]
    if len(des):
        zc = lay.zcol[des["plot_id"].map(ppos).to_numpy(np.int64), des["werkmilieu"].map(WM_INDEX).to_numpy(np.int64)]
        if np.any(zc < 0):
            raise ValueError("a designation of the solution has no column in this instance")
        v[zc] = 1.0
    inten = pl.loc[pl["intensified"].astype(bool), "plot_id"].map(ppos).to_numpy(np.int64)
    if len(inten):
        v[lay.ucol[inten]] = 1.0
    tpos = pd.Series(np.arange(len(inst.terrains)), index=inst.terrains["terrain_id"])
    dev = sol.terrains.loc[sol.terrains["developed"].astype(bool), "terrain_id"].map(tpos).to_numpy(np.int64)
    if len(dev):
        v[lay.dcol[dev]] = 1.0
    comp = sol.compensation
    if len(comp) and len(lay.c):
        ck = pd.MultiIndex.from_arrays([lay.c[k].to_numpy(np.int64) for k in ("terrain", "plot", "k")])
        k = comp["class"].map(lambda c: -1 if c == POOLED else WM_INDEX[c]).to_numpy(np.int64)
        at = ck.get_indexer(pd.MultiIndex.from_arrays([comp["terrain_id"].map(tpos).to_numpy(np.int64),
                                                       comp["plot_id"].map(ppos).to_numpy(np.int64), k]))
        if np.any(at < 0):
            raise ValueError("a compensation credit of the solution has no column in this instance")
        v[lay.c["col"].to_numpy(np.int64)[at]] = comp["floor_m2"].to_numpy(float)
    if len(lay.e):   # emission of a plot: the nitrogen of the firms on it
        kg = inst.firms["nitrogen_kg"].to_numpy(float)[lay.pairs["firm"].to_numpy(np.int64)]
        emit = np.bincount(lay.pairs["plot"].to_numpy(np.int64), weights=kg * v[: lay.n_x], minlength=len(inst.plots))
        v[lay.e["col"].to_numpy(np.int64)] = emit[lay.e["plot"].to_numpy(np.int64)]
    return v


