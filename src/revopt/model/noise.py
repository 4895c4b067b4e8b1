"""C11 noise: the noise room (milieugebruiksruimte) of a zoned terrain is shared by the firms on it.

    sum_{(f,p) in A : terrain_p = t} noise_use_f x[f,p] <= noise_budget_t

for every terrain with a noise budget. Only terrains with a pair of positive
noise use get a row (otherwise the budget cannot bind).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from .block import Block, row_positions
from .layout import Layout, plot_terrain_arrays

NAME = "C11_noise"


def add_noise(inst: Instance, lay: Layout) -> Block:
    budget = inst.terrains["noise_budget"].to_numpy(float)
    if np.isnan(budget).all() or lay.n_x == 0:
        return Block.empty(NAME)
    pt = plot_terrain_arrays(inst)[0][lay.pairs["plot"].to_numpy(np.int64)]
    use = inst.firms["noise_use"].to_numpy(float)[lay.pairs["firm"].to_numpy(np.int64)]
    nz = np.flatnonzero((use > 0) & ~np.isnan(budget[pt]))
    if len(nz) == 0:
        return Block.empty(NAME)
    terr = np.unique(pt[nz])
    rowpos = row_positions(len(inst.terrains), terr)
    keys = pd.DataFrame({"terrain_id": inst.terrains["terrain_id"].to_numpy(object)[terr]})
    return Block(NAME, keys, rowpos[pt[nz]], nz, use[nz], np.full(len(terr), -np.inf), budget[terr])
