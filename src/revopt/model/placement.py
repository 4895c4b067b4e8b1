"""C1 placement: each firm on at most one plot, exactly one when it must be placed.

    sum_p x[f,p] <= 1            for every firm f with a candidate pair
    sum_p x[f,p] == 1            when must_place_f

A must-place firm without any candidate gets an empty row with lower bound 1:
the model is then infeasible, as the spec says (the presolve check in
:mod:`revopt.model.checks` reports it with reasons before solving).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from .block import Block, row_positions
from .layout import Layout

NAME = "C1_placement"


def add_placement(inst: Instance, lay: Layout) -> Block:
    nf = len(inst.firms)
    fi = lay.pairs["firm"].to_numpy(np.int64)
    must = inst.firms["must_place"].to_numpy(bool)
    has = np.bincount(fi, minlength=nf) > 0
    rows_f = np.flatnonzero(has | must)
    if len(rows_f) == 0:
        return Block.empty(NAME)
    rowpos = row_positions(nf, rows_f)
    keys = pd.DataFrame({"firm_id": inst.firms["firm_id"].to_numpy(object)[rows_f]})
    lower = np.where(must[rows_f], 1.0, -np.inf)  # x >= 0 already; no ranged rows
    return Block(NAME, keys, rowpos[fi], np.arange(len(fi)), np.ones(len(fi)), lower, np.ones(len(rows_f)))
