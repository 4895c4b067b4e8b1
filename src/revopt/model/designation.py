"""C2 designation: a plot gets at most one work environment, on planned terrains only when developed.

    sum_w z[p,w] <= 1                    for plots on existing terrains
    sum_w z[p,w] - d[t] <= 0             for plots on planned terrain t
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from .block import Block, coo, row_positions
from .layout import Layout, plot_terrain_arrays

NAME = "C2_designation"


def add_designation(inst: Instance, lay: Layout) -> Block:
    if lay.z.empty:
        return Block.empty(NAME)
    pt, planned, _ = plot_terrain_arrays(inst)
    zp = lay.z["plot"].to_numpy(np.int64)
    plots = np.unique(zp)
    rowpos = row_positions(len(inst.plots), plots)
    pl = planned[plots]
    r, c, v = coo((rowpos[zp], lay.z["col"].to_numpy(), np.ones(len(zp))),
                  (np.flatnonzero(pl), lay.dcol[pt[plots[pl]]], -np.ones(int(pl.sum()))))
    upper = np.where(pl, 0.0, 1.0)
    keys = pd.DataFrame({"plot_id": inst.plots["plot_id"].to_numpy(object)[plots]})
    return Block(NAME, keys, r, c, v, np.full(len(plots), -np.inf), upper)
