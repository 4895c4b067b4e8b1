"""C6 nitrogen: deposition of placed firms on each Natura 2000 area fits its headroom.

    sum_{(f,p) in A} nitrogen_kg_f * mol_per_kg[p,n] * x[f,p] <= headroom_mol_n

mol_per_kg comes from deposition.csv (a missing plot-area pair is 0). Only areas
that receive deposition from some pair get a row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from .block import Block, row_positions
from .layout import Layout

NAME = "C6_nitrogen"


def add_nitrogen(inst: Instance, lay: Layout) -> Block:
    dep = inst.deposition
    kg = inst.firms["nitrogen_kg"].to_numpy(float)[lay.pairs["firm"].to_numpy(np.int64)]
    emit = np.flatnonzero(kg > 0)
    if dep.empty or len(emit) == 0:
        return Block.empty(NAME)
    ppos = pd.Series(np.arange(len(inst.plots)), index=inst.plots["plot_id"])
    apos = pd.Series(np.arange(len(inst.nature_areas)), index=inst.nature_areas["area_id"])
    d = pd.DataFrame({"plot": dep["plot_id"].map(ppos).to_numpy(np.int64),
                      "area": dep["area_id"].map(apos).to_numpy(np.int64),
                      "coef": dep["mol_per_kg"].to_numpy(float)})
    d = d[d["coef"] > 0]
    pe = pd.DataFrame({"col": emit, "plot": lay.pairs["plot"].to_numpy(np.int64)[emit], "kg": kg[emit]})
    m = pe.merge(d, on="plot")
    if m.empty:
        return Block.empty(NAME)
    areas = np.unique(m["area"].to_numpy())
    rowpos = row_positions(len(inst.nature_areas), areas)
    keys = pd.DataFrame({"area_id": inst.nature_areas["area_id"].to_numpy(object)[areas]})
    head = inst.nature_areas["headroom_mol"].to_numpy(float)[areas]
    return Block(NAME, keys, rowpos[m["area"].to_numpy()], m["col"].to_numpy(np.int64),
                 (m["kg"] * m["coef"]).to_numpy(float), np.full(len(areas), -np.inf), head)
