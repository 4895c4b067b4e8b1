"""C6 nitrogen: deposition of placed firms on each Natura 2000 area fits its headroom.

The spec's row for area n,

    sum_{(f,p) in A} nitrogen_kg_f * mol_per_kg[p,n] * x[f,p] <= headroom_mol_n,

is written through the emission column e[p] of each depositing plot:

    sum_f nitrogen_kg_f x[f,p] - e[p] = 0           (block ``C6_emission``, one row per plot)
    sum_p mol_per_kg[p,n] * e[p] <= headroom_mol_n  (block ``C6_nitrogen``, one row per area)

Substituting e[p] gives back the spec's row exactly (same integer and LP
feasible sets), but the matrix holds one entry per emitting pair plus one per
(plot, area) instead of one per (pair, area): at national size 7.4 million
nonzeros become about 2 million, and the LP relaxation of the small preset
solves about four times faster (measured in docs/benchmarks.md).

mol_per_kg comes from deposition.csv (a missing plot-area pair is 0). Only areas
that receive deposition from some pair get a row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from .block import Block, row_positions
from .layout import Layout, deposition_pairs

NAME = "C6_nitrogen"
NAME_E = "C6_emission"


def add_nitrogen(inst: Instance, lay: Layout) -> tuple[Block, Block]:
    if lay.e.empty:
        return Block.empty(NAME_E), Block.empty(NAME)
    ep = lay.e["plot"].to_numpy(np.int64)
    ec = lay.e["col"].to_numpy(np.int64)
    n_e = len(ep)
    erow = row_positions(len(inst.plots), ep)

    # emission rows: sum_f kg_f x[f,p] - e[p] = 0
    kg = inst.firms["nitrogen_kg"].to_numpy(float)[lay.pairs["firm"].to_numpy(np.int64)]
    pj = lay.pairs["plot"].to_numpy(np.int64)
    sel = np.flatnonzero((kg > 0) & (erow[pj] >= 0))
    emission = Block(NAME_E, pd.DataFrame({"plot_id": inst.plots["plot_id"].to_numpy(object)[ep]}),
                     np.concatenate([erow[pj[sel]], np.arange(n_e)]), np.concatenate([sel, ec]),
                     np.concatenate([kg[sel], -np.ones(n_e)]), np.zeros(n_e), np.zeros(n_e))

    # area rows: sum_p mol_per_kg[p,n] e[p] <= headroom_n
    d = deposition_pairs(inst)
    d = d[erow[d["plot"].to_numpy(np.int64)] >= 0]
    areas = np.unique(d["area"].to_numpy(np.int64))
    arow = row_positions(len(inst.nature_areas), areas)
    ecol_of_plot = np.full(len(inst.plots), -1, dtype=np.int64)
    ecol_of_plot[ep] = ec
    keys = pd.DataFrame({"area_id": inst.nature_areas["area_id"].to_numpy(object)[areas]})
    head = inst.nature_areas["headroom_mol"].to_numpy(float)[areas]
    area = Block(NAME, keys, arow[d["area"].to_numpy(np.int64)], ecol_of_plot[d["plot"].to_numpy(np.int64)],
                 d["coef"].to_numpy(float), np.full(len(areas), -np.inf), head)
    return emission, area
