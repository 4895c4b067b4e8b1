"""C10 lifecycle targets: room for every stage of a firm's life, per region.

    sum_{(f,p) in A : lifecycle_f = s, region of p = r} floor_fp x[f,p] >= min_placed_m2

for every row (r, s) of lifecycle_targets.csv with a positive minimum. The
region of a plot is the region of its terrain; floor_fp is the pair's floor
space (the pairs.csv override where given).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import LIFECYCLES
from .block import Block
from .layout import Layout, plot_regions

NAME = "C10_lifecycle"


def active_targets(inst: Instance) -> pd.DataFrame:
    """The lifecycle targets with a positive minimum (region, lifecycle, min_placed_m2)."""
    lt = inst.lifecycle_targets
    if lt is None or lt.empty:
        return pd.DataFrame({"region": [], "lifecycle": [], "min_placed_m2": []})
    return lt.loc[lt["min_placed_m2"] > 0, ["region", "lifecycle", "min_placed_m2"]].reset_index(drop=True)


def target_rows(inst: Instance, lt: pd.DataFrame, fi: np.ndarray, pj: np.ndarray) -> np.ndarray:
    """Row of ``lt`` (region, lifecycle) each pair (firm fi, plot pj) counts for; -1 for none.

    Regions are coded per plot and stages per firm first, so the pairs see integers only.
    """
    regions = pd.Index(pd.unique(lt["region"].to_numpy(object)))
    table = np.full((len(regions) + 1, len(LIFECYCLES)), -1, dtype=np.int64)   # last row: other regions
    table[regions.get_indexer(lt["region"]), pd.Index(LIFECYCLES).get_indexer(lt["lifecycle"])] = np.arange(len(lt))
    rc = regions.get_indexer(plot_regions(inst))
    rc[rc < 0] = len(regions)
    sc = pd.Index(LIFECYCLES).get_indexer(inst.firms["lifecycle"])
    return table[rc[pj], sc[fi]]


def add_lifecycle(inst: Instance, lay: Layout) -> Block:
    lt = active_targets(inst)
    if lt.empty:
        return Block.empty(NAME)
    row = target_rows(inst, lt, lay.pairs["firm"].to_numpy(np.int64), lay.pairs["plot"].to_numpy(np.int64))
    on = np.flatnonzero(row >= 0)
    keys = pd.DataFrame({"region": lt["region"].to_numpy(object), "lifecycle": lt["lifecycle"].to_numpy(object)})
    return Block(NAME, keys, row[on], on, lay.pairs["floor"].to_numpy(float)[on],
                 lt["min_placed_m2"].to_numpy(float), np.full(len(lt), np.inf))
