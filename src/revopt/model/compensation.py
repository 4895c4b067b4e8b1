"""C7 compensation: floor space lost to transformation is replaced by new space nearby.

For transform terrain t and class k (a werkmilieu, or one pooled class when
``compensation.per_werkmilieu`` is false), lost[t,k] is the floor capacity of
t's plots whose current werkmilieu is k. N(t) are the plots within
``compensation.radius_km`` of t's centroid that are on a planned terrain or
can be intensified. New space on p is F_p = floor_capacity_p if p is planned
(else 0) plus intensify_extra_p.

    C7_demand:     sum_{p in N(t)} c[t,p,k] >= ratio * lost[t,k]
    C7_class_cap:  sum_t c[t,p,k] - F_p z[p,k] <= 0      (pooled: F_p sum_w z[p,w])
    C7_plot_cap:   sum_{t,k} c[t,p,k] - cap_p^planned sum_w z[p,w] - intensify_extra_p u[p] <= 0

Credit is a flow, not a copy: the same new m2 serves one transformed terrain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import POOLED, WERKMILIEUS
from .block import Block, coo, row_positions
from .candidates import closed_plots
from .layout import Layout, plot_terrain_arrays

NAME_DEMAND = "C7_demand"
NAME_CLASS = "C7_class_cap"
NAME_PLOT = "C7_plot_cap"


def _k_name(k: np.ndarray) -> list[str]:
    return [WERKMILIEUS[i] if i >= 0 else POOLED for i in k]


def new_space(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Per plot: planned capacity (0 off planned terrains) and intensify_extra (both 0 on a planned
    terrain that a relocation plan keeps closed)."""
    _, planned, _ = plot_terrain_arrays(inst)
    closed = closed_plots(inst)
    cap = np.where(planned & ~closed, inst.plots["floor_capacity_m2"].to_numpy(float), 0.0)
    return cap, np.where(closed, 0.0, inst.plots["intensify_extra_m2"].to_numpy(float))


def add_compensation(inst: Instance, lay: Layout) -> list[Block]:
    if lay.lost.empty:
        return [Block.empty(NAME_DEMAND), Block.empty(NAME_CLASS), Block.empty(NAME_PLOT)]
    ratio = inst.params["compensation"]["ratio"]
    tid = inst.terrains["terrain_id"].to_numpy(object)
    pid = inst.plots["plot_id"].to_numpy(object)
    c = lay.c
    ct, cp, ck, ccol = (c[k].to_numpy(np.int64) for k in ("terrain", "plot", "k", "col"))

    # demand rows: one per (t, k) with lost > 0 (an empty row makes the model infeasible)
    lost = lay.lost
    dem_key = pd.Series(np.arange(len(lost)), index=pd.MultiIndex.from_frame(lost[["terrain", "k"]]))
    drow = dem_key.reindex(pd.MultiIndex.from_arrays([ct, ck])).to_numpy(np.int64)
    demand = Block(NAME_DEMAND,
                   pd.DataFrame({"terrain_id": tid[lost["terrain"].to_numpy()],
                                 "class": _k_name(lost["k"].to_numpy())}),
                   drow, ccol, np.ones(len(ccol)),
                   ratio * lost["lost_m2"].to_numpy(float), np.full(len(lost), np.inf))

    cap_planned, extra = new_space(inst)
    F = cap_planned + extra
    # class caps: one row per (p, k) that carries credit
    pk = c[["plot", "k"]].drop_duplicates().sort_values(["plot", "k"]).reset_index(drop=True)
    pk_key = pd.Series(np.arange(len(pk)), index=pd.MultiIndex.from_frame(pk))
    crow = pk_key.reindex(pd.MultiIndex.from_arrays([cp, ck])).to_numpy(np.int64)
    pkp, pkk = pk["plot"].to_numpy(np.int64), pk["k"].to_numpy(np.int64)
    parts = [(crow, ccol, np.ones(len(ccol)))]
    pooled = pkk < 0
    zr = np.flatnonzero(~pooled)
    parts.append((zr, lay.zcol[pkp[zr], pkk[zr]], -F[pkp[zr]]))
    if pooled.any():
        zp_all, zc_all = lay.z["plot"].to_numpy(np.int64), lay.z["col"].to_numpy(np.int64)
        rowpos = np.full(len(inst.plots), -1, dtype=np.int64)
        rowpos[pkp[pooled]] = np.flatnonzero(pooled)
        sel = rowpos[zp_all] >= 0
        parts.append((rowpos[zp_all[sel]], zc_all[sel], -F[zp_all[sel]]))
    r, cc, v = coo(*parts)
    classcap = Block(NAME_CLASS, pd.DataFrame({"plot_id": pid[pkp], "class": _k_name(pkk)}),
                     r, cc, v, np.full(len(pk), -np.inf), np.zeros(len(pk)))

    # plot caps: one row per plot that carries credit
    plots = np.unique(cp)
    rowpos = row_positions(len(inst.plots), plots)
    zp_all, zc_all = lay.z["plot"].to_numpy(np.int64), lay.z["col"].to_numpy(np.int64)
    sel = rowpos[zp_all] >= 0
    uc = lay.ucol[plots]
    has_u = uc >= 0
    r, cc, v = coo((rowpos[cp], ccol, np.ones(len(ccol))),
                   (rowpos[zp_all[sel]], zc_all[sel], -cap_planned[zp_all[sel]]),
                   (np.flatnonzero(has_u), uc[has_u], -extra[plots[has_u]]))
    plotcap = Block(NAME_PLOT, pd.DataFrame({"plot_id": pid[plots]}), r, cc, v,
                    np.full(len(plots), -np.inf), np.zeros(len(plots)))
    return [demand, classcap, plotcap]
