"""C5 grid: firms behind a substation fit its available capacity.

    sum_{(f,p) in A : substation_p = s} grid_mw_f x[f,p] <= available_mw_s

Only substations with at least one pair of positive grid demand get a row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from .block import Block, row_positions
from .layout import Layout

NAME = "C5_grid"


def add_grid(inst: Instance, lay: Layout) -> Block:
    mw = inst.firms["grid_mw"].to_numpy(float)[lay.pairs["firm"].to_numpy(np.int64)]
    spos = pd.Series(np.arange(len(inst.substations)), index=inst.substations["substation_id"])
    ps = inst.plots["substation_id"].map(spos).to_numpy(np.int64)[lay.pairs["plot"].to_numpy(np.int64)]
    nz = np.flatnonzero(mw > 0)
    if len(nz) == 0:
        return Block.empty(NAME)
    subs = np.unique(ps[nz])
    rowpos = row_positions(len(inst.substations), subs)
    keys = pd.DataFrame({"substation_id": inst.substations["substation_id"].to_numpy(object)[subs]})
    avail = inst.substations["available_mw"].to_numpy(float)[subs]
    return Block(NAME, keys, rowpos[ps[nz]], nz, mw[nz], np.full(len(subs), -np.inf), avail)
