"""C8 corridor capacity (spec section 7): freight on an edge stays within its capacity.

    sum_{(f,p) in A : e in route(f,p)} freight_kt_f x[f,p] <= capacity_kt_e

for every corridor edge e with a capacity (an empty capacity is unbounded). The
route of a pair is fixed before the model is built (its cheapest route,
:mod:`revopt.corridors.routes`), so the row is linear in x. Only edges that some
candidate route uses get a row; rows are named ``C8_corridor[edge_id]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from .block import Block, row_positions
from .layout import Layout

NAME = "C8_corridor"


def corridor_incidence(inst: Instance, lay: Layout) -> tuple[np.ndarray, np.ndarray]:
    """(pair, edge) for every capacitated edge on the route of a candidate pair."""
    if lay.paths is None or inst.corridor_edges is None or lay.n_x == 0:
        z = np.zeros(0, np.int64)
        return z, z
    cap = inst.corridor_edges["capacity_kt"].to_numpy(float)
    return lay.paths.incidence(lay.pairs["route"].to_numpy(np.int64), edge_used=~np.isnan(cap))


def add_corridors(inst: Instance, lay: Layout) -> Block:
    pair, edge = corridor_incidence(inst, lay)
    if len(pair) == 0:
        return Block.empty(NAME)
    kt = inst.firms["freight_kt"].to_numpy(float)[lay.pairs["firm"].to_numpy(np.int64)[pair]]
    edges = np.unique(edge)
    rowpos = row_positions(len(inst.corridor_edges), edges)
    keys = pd.DataFrame({"edge_id": inst.corridor_edges["edge_id"].to_numpy(object)[edges]})
    cap = inst.corridor_edges["capacity_kt"].to_numpy(float)[edges]
    return Block(NAME, keys, rowpos[edge], pair, kt, np.full(len(edges), -np.inf), cap)
