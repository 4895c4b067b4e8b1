"""Locks of the policy (spec section 9): a firm that stays, a designation fixed by policy.

    locked_firm:        x[f, current_plot_f] = 1              for firms with locked = true
    locked_werkmilieu:  z[p, locked_werkmilieu_p] = 1         for plots with a locked werkmilieu

Validation guarantees both columns exist: a locked firm's current plot is a
candidate pair (:func:`revopt.model.validate.check_locked_firms`), a locked
werkmilieu is one of the plot's werkmilieus on a plot that is not on a
transform terrain. A locked designation on a planned terrain forces its
development (C2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import WM_INDEX
from .block import Block
from .layout import Layout
from .validate import check_locked_firms

NAME_FIRM = "locked_firm"
NAME_WM = "locked_werkmilieu"


def locked_pair_columns(inst: Instance, lay: Layout) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the locked firms and the x column of each one's current plot."""
    f = inst.firms
    fl = np.flatnonzero(f["locked"].to_numpy(bool))
    if len(fl) == 0:
        return fl, fl
    pos = pd.Series(np.arange(len(inst.plots)), index=inst.plots["plot_id"])
    cur = f["current_plot"].iloc[fl].map(pos).to_numpy(np.int64)
    key = pd.MultiIndex.from_arrays([lay.pairs["firm"].to_numpy(np.int64), lay.pairs["plot"].to_numpy(np.int64)])
    col = key.get_indexer(pd.MultiIndex.from_arrays([fl, cur])).astype(np.int64)
    if np.any(col < 0):  # an instance built in memory and not checked: the input error, named
        check_locked_firms(inst)
        raise AssertionError("a locked firm's current plot is not a candidate pair")  # pragma: no cover
    return fl, col


def add_locked_firms(inst: Instance, lay: Layout) -> Block:
    fl, col = locked_pair_columns(inst, lay)
    if len(fl) == 0:
        return Block.empty(NAME_FIRM)
    n = len(fl)
    keys = pd.DataFrame({"firm_id": inst.firms["firm_id"].to_numpy(object)[fl]})
    return Block(NAME_FIRM, keys, np.arange(n), col, np.ones(n), np.ones(n), np.ones(n))


def add_locked_designations(inst: Instance, lay: Layout) -> Block:
    lw = inst.plots["locked_werkmilieu"].to_numpy(object)
    pl = np.flatnonzero(lw != "")
    if len(pl) == 0:
        return Block.empty(NAME_WM)
    col = lay.zcol[pl, [WM_INDEX[w] for w in lw[pl]]]
    if np.any(col < 0):  # pragma: no cover - validation refuses such an instance
        raise AssertionError("a locked werkmilieu has no z column")
    n = len(pl)
    keys = pd.DataFrame({"plot_id": inst.plots["plot_id"].to_numpy(object)[pl]})
    return Block(NAME_WM, keys, np.arange(n), col, np.ones(n), np.ones(n), np.ones(n))


NAME_DEVELOP = "plan_develop"


def add_plan_develop(inst: Instance, lay: Layout) -> Block:
    """A relocation plan's choice on a planned terrain (docs/plans.md):

        plan_develop:  d[t] = 1  for develop = forced;   d[t] = 0  for develop = forbidden
    """
    dev = inst.terrains["develop"].to_numpy(object)
    tl = np.flatnonzero(dev != "")
    if len(tl) == 0:
        return Block.empty(NAME_DEVELOP)
    col = lay.dcol[tl]
    if np.any(col < 0):  # pragma: no cover - validation allows develop on planned terrains only
        raise AssertionError("develop set on a terrain without a d column")
    n = len(tl)
    bound = (dev[tl] == "forced").astype(float)
    keys = pd.DataFrame({"terrain_id": inst.terrains["terrain_id"].to_numpy(object)[tl], "develop": dev[tl]})
    return Block(NAME_DEVELOP, keys, np.arange(n), col, np.ones(n), bound, bound.copy())
