"""C4 floor space, and intensification only on designated plots.

    sum_f floor_fp x[f,p] - floor_capacity_p * D_p - intensify_extra_p * u[p] <= 0
        (D_p = d[t] on planned terrain t, else the constant 1, moved to the right-hand side)
    u[p] - sum_w z[p,w] <= 0                                  (block ``C4_intensify``)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from .block import Block, coo, row_positions
from .layout import Layout, plot_terrain_arrays

NAME = "C4_floor"
NAME_U = "C4_intensify"


def add_floorspace(inst: Instance, lay: Layout) -> Block:
    if lay.n_x == 0:
        return Block.empty(NAME)
    pt, planned, _ = plot_terrain_arrays(inst)
    pj = lay.pairs["plot"].to_numpy(np.int64)
    plots = np.unique(pj)
    rowpos = row_positions(len(inst.plots), plots)
    cap = inst.plots["floor_capacity_m2"].to_numpy(float)[plots]
    extra = inst.plots["intensify_extra_m2"].to_numpy(float)[plots]
    pl = planned[plots]
    uc = lay.ucol[plots]
    has_u = uc >= 0
    r, c, v = coo((rowpos[pj], np.arange(lay.n_x), lay.pairs["floor"].to_numpy(float)),
                  (np.flatnonzero(pl), lay.dcol[pt[plots[pl]]], -cap[pl]),
                  (np.flatnonzero(has_u), uc[has_u], -extra[has_u]))
    upper = np.where(pl, 0.0, cap)
    keys = pd.DataFrame({"plot_id": inst.plots["plot_id"].to_numpy(object)[plots]})
    return Block(NAME, keys, r, c, v, np.full(len(plots), -np.inf), upper)


def add_intensify(inst: Instance, lay: Layout) -> Block:
    if lay.u.empty:
        return Block.empty(NAME_U)
    up = lay.u["plot"].to_numpy(np.int64)
    n = len(up)
    rowpos = row_positions(len(inst.plots), up)
    zsel = np.isin(lay.z["plot"].to_numpy(np.int64), up)
    zp = lay.z["plot"].to_numpy(np.int64)[zsel]
    r, c, v = coo((np.arange(n), lay.u["col"].to_numpy(), np.ones(n)),
                  (rowpos[zp], lay.z["col"].to_numpy()[zsel], -np.ones(len(zp))))
    keys = pd.DataFrame({"plot_id": inst.plots["plot_id"].to_numpy(object)[up]})
    return Block(NAME_U, keys, r, c, v, np.full(n, -np.inf), np.zeros(n))
