"""C9 regional claims: per region and werkmilieu, the floor capacity designated lies within [min, max].

    min_floor_m2 <= sum_{p in region r, w in werkmilieus_p} floor_capacity_p z[p,w] <= max_floor_m2

for every row (r, w) of claims.csv with a minimum or a maximum (an empty one is
no bound). The region of a plot is the region of its terrain. Plots on planned
terrains count only when designated, which needs their terrain developed (C2);
plots on transform terrains have no z and never count. Intensification does not
count: a claim is about the programmed stock (floor_capacity_m2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import WM_INDEX
from .block import Block
from .layout import Layout, match_keys, plot_regions

NAME = "C9_claim"


def active_claims(inst: Instance) -> pd.DataFrame:
    """The claims with a minimum or a maximum (region, werkmilieu, min_floor_m2, max_floor_m2)."""
    cl = inst.claims
    if cl is None or cl.empty:
        return pd.DataFrame({"region": [], "werkmilieu": [], "min_floor_m2": [], "max_floor_m2": []})
    keep = cl["min_floor_m2"].notna() | cl["max_floor_m2"].notna()
    return cl.loc[keep, ["region", "werkmilieu", "min_floor_m2", "max_floor_m2"]].reset_index(drop=True)


def add_claims(inst: Instance, lay: Layout) -> Block:
    cl = active_claims(inst)
    if cl.empty:
        return Block.empty(NAME)
    zp = lay.z["plot"].to_numpy(np.int64)
    zw = lay.z["w"].to_numpy(np.int64)
    region = plot_regions(inst)
    row = match_keys([region[zp], zw],
                     [cl["region"].to_numpy(object), cl["werkmilieu"].map(WM_INDEX).to_numpy(np.int64)])
    on = row >= 0
    cap = inst.plots["floor_capacity_m2"].to_numpy(float)
    lower = cl["min_floor_m2"].fillna(-np.inf).to_numpy(float)
    upper = cl["max_floor_m2"].fillna(np.inf).to_numpy(float)
    keys = pd.DataFrame({"region": cl["region"].to_numpy(object),
                         "werkmilieu": cl["werkmilieu"].to_numpy(object)})
    return Block(NAME, keys, row[on], lay.z["col"].to_numpy(np.int64)[on], cap[zp[on]], lower, upper)
