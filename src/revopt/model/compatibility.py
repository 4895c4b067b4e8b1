"""C3 compatibility: a firm only on a plot designated a work environment that suits both.

    x[f,p] - sum_{w in W(f,p)} z[p,w] <= 0        for every candidate pair (f, p)
"""

from __future__ import annotations

import numpy as np

from ..data.instance import Instance
from ..data.vocab import WERKMILIEUS
from .block import Block, coo
from .layout import Layout

NAME = "C3_compatibility"


def add_compatibility(inst: Instance, lay: Layout) -> Block:
    n = lay.n_x
    if n == 0:
        return Block.empty(NAME)
    pj = lay.pairs["plot"].to_numpy(np.int64)
    wmask = lay.pairs["wmask"].to_numpy(np.int64)
    parts = [(np.arange(n), np.arange(n), np.ones(n))]
    for w in range(len(WERKMILIEUS)):
        sel = np.flatnonzero((wmask >> w) & 1)
        zc = lay.zcol[pj[sel], w]
        parts.append((sel, zc, -np.ones(len(sel))))
    r, c, v = coo(*parts)
    keys = lay.pairs[["firm_id", "plot_id"]].reset_index(drop=True)
    return Block(NAME, keys, r, c, v, np.full(n, -np.inf), np.zeros(n))
