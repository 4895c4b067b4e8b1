"""The instance as the greedy reads it: arrays by row position, built once and never changed.

:class:`Problem` holds the candidate pairs (sorted by firm, so a firm's pairs are
one slice), the plots, terrains and firms, the compensation demands (C7), the
policy rules that are not capacities (locks, the plots of each claim, the target
of each pair), and the :class:`~revopt.heuristics.ledger.CapacityLedger` built
from the model's blocks, which holds every capacity rule. What changes during a
run lives in :class:`~revopt.heuristics.state.State`.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import WERKMILIEUS, WM_INDEX, wm_mask
from ..model import claims, floorspace, lifecycle
from ..model.block import Block, grouped
from ..model.candidates import Candidates, closed_plots
from ..model.layout import Layout, plot_terrain_arrays
from ..model.locks import locked_pair_columns
from ..model.objective import cost_vector
from .ledger import CapacityLedger, slack

#: number of werkmilieus (bit positions of the masks)
N_WERKMILIEUS = len(WERKMILIEUS)


class Problem:
    """Arrays of the instance and the candidate pairs, by row position (see the module docstring).

    Pairs: ``pair_firm``, ``pair_plot``, ``pair_floor``, ``pair_werkmilieus`` (bit mask of
    W(f, p)), ``contribution`` (the pair's objective coefficient), ``firm_start``/``firm_stop``
    (the pairs firm f may use are ``firm_start[f]:firm_stop[f]``), ``pairs_by_plot`` with
    ``plot_pairs`` (the same by plot). A locked firm may use only the pair of its current plot
    (spec section 9): its other pairs stay in the arrays, so that pair j is column j of the
    model, but no slice, plot list or target holds them (``usable`` marks the others).
    Costs are in the objective's euro, weights applied.

    Plots: ``base_capacity`` (floor_capacity_m2) and ``base_capacity_limit`` (with the ledger's
    slack: above it a plot must be intensified), ``intensify_extra`` (0 where u cannot help: on
    a transform or closed terrain), ``max_capacity``, ``planned_space`` (what designating a plot
    of a planned terrain opens: its new space for C7), ``floor_row`` (its C4 row in the ledger),
    ``designation_column`` (z[p, w], -1 none), ``werkmilieu_value`` (candidate value each
    werkmilieu of the plot could host: the designation chosen). Terrains: ``development_cost``,
    ``forced_open``, ``planned_terrain``, ``planned_terrain_space``. Firms: ``must_place`` (locked
    firms included), ``current_plot``, ``best_contribution``, ``value_density`` (best contribution
    per m2). Policy: ``claim_row``/``claim_minimum``/``claim_werkmilieu``/``plot_claim`` (C9) and
    ``target_row``/``pair_target`` (C10), rows of the ledger.
    """

    def __init__(self, inst: Instance, cand: Candidates, lay: Layout, blocks: list[Block]):
        self.inst, self.layout, self.blocks = inst, lay, blocks
        self.n_firms, self.n_plots, self.n_terrains = len(inst.firms), len(inst.plots), len(inst.terrains)
        self.column_cost = cost_vector(inst, lay)
        self.ledger = CapacityLedger.from_blocks(blocks, lay)
        self._read_pairs(cand)
        self._read_plots_and_terrains()
        self._read_firms()
        self._read_compensation()
        self._read_policy()
        self._by_pair()

    def _read_pairs(self, cand: Candidates) -> None:
        pairs = cand.pairs
        self.pair_firm = pairs["firm"].to_numpy(np.int64)
        self.pair_plot = pairs["plot"].to_numpy(np.int64)
        self.pair_floor = pairs["floor"].to_numpy(float)
        self.pair_werkmilieus = pairs["wmask"].to_numpy(np.int64)
        self.contribution = self.column_cost[: len(pairs)]
        if np.any(np.diff(self.pair_firm) < 0):  # pragma: no cover - candidate_pairs sorts by firm
            raise ValueError("candidate pairs must be sorted by firm")
        offsets = np.searchsorted(self.pair_firm, np.arange(self.n_firms + 1))
        self.firm_start, self.firm_stop = offsets[:-1].copy(), offsets[1:].copy()
        locked, home = locked_pair_columns(self.inst, self.layout)   # pair j is column j
        is_locked = np.zeros(self.n_firms, dtype=bool)
        is_locked[locked] = True
        self.usable = ~is_locked[self.pair_firm]
        self.usable[home] = True
        self.firm_start[locked], self.firm_stop[locked] = home, home + 1
        self.candidate_count = self.firm_stop - self.firm_start
        usable = np.flatnonzero(self.usable)
        by_plot, self.plot_pairs = grouped(self.pair_plot[usable], self.n_plots)
        self.pairs_by_plot = usable[by_plot]

    def _read_plots_and_terrains(self) -> None:
        inst, plots, terrains = self.inst, self.inst.plots, self.inst.terrains
        obj = inst.params["objective"]
        self.plot_terrain, self.on_planned, self.on_transform = plot_terrain_arrays(inst)
        self.closed = closed_plots(inst)                      # on a terrain a relocation plan keeps closed
        self.base_capacity = plots["floor_capacity_m2"].to_numpy(float)
        self.base_capacity_limit = self.base_capacity + slack(self.base_capacity)
        self.intensify_extra = plots["intensify_extra_m2"].to_numpy(float).copy()
        self.intensify_extra[self.on_transform | self.closed] = 0.0
        self.max_capacity = self.base_capacity + self.intensify_extra
        self.intensify_cost = obj["intensify_weight"] * plots["intensify_cost_eur"].to_numpy(float)
        self.planned_space = np.where(self.on_planned & ~self.closed, self.base_capacity, 0.0)
        self.plot_werkmilieus = np.array([wm_mask(ws) for ws in plots["werkmilieus"]], dtype=np.int64)
        self.current_werkmilieu = plots["current_werkmilieu"].map(WM_INDEX).fillna(-1).to_numpy(np.int64)
        self.locked_werkmilieu = plots["locked_werkmilieu"].map(WM_INDEX).fillna(-1).to_numpy(np.int64)
        self.designation_column = self.layout.zcol                     # z[p, w] column, -1 none
        floor_rows = self.ledger.rows(floorspace.NAME)
        self.floor_row = np.full(self.n_plots, self.ledger.no_row, dtype=np.int64)
        floor = self.blocks_by_name(floorspace.NAME)
        on_x = floor.col < len(self.pair_plot)
        self.floor_row[self.pair_plot[floor.col[on_x]]] = floor.row[on_x] + floor_rows.start
        self.development_cost = obj["development_weight"] * terrains["development_cost_eur"].to_numpy(float)
        self.forced_open = terrains["develop"].to_numpy(object) == "forced"
        self.planned_terrain = terrains["status"].to_numpy(object) == "planned"
        self.planned_terrain_space = np.bincount(self.plot_terrain, weights=self.planned_space,
                                                 minlength=self.n_terrains)
        # designation preference: candidate value each werkmilieu of a plot can host
        self.werkmilieu_value = np.zeros((self.n_plots, N_WERKMILIEUS))
        positive = np.where(self.usable, np.maximum(self.contribution, 0.0), 0.0)
        for w in range(N_WERKMILIEUS):
            sel = ((self.pair_werkmilieus >> w) & 1).astype(bool)
            self.werkmilieu_value[:, w] = np.bincount(self.pair_plot[sel], weights=positive[sel],
                                                      minlength=self.n_plots)

    def _read_firms(self) -> None:
        firms = self.inst.firms
        self.locked = firms["locked"].to_numpy(bool)
        self.must_place = firms["must_place"].to_numpy(bool) | self.locked
        position = pd.Series(np.arange(self.n_plots), index=self.inst.plots["plot_id"])
        self.current_plot = firms["current_plot"].map(position).fillna(-1).to_numpy(np.int64)
        # value density: best contribution per m2 over a firm's pairs
        self.best_contribution = np.full(self.n_firms, -np.inf)
        self.value_density = np.full(self.n_firms, -np.inf)
        has = self.candidate_count > 0
        if len(self.contribution):
            # a segment from a firm's first usable pair to the next firm's holds only -inf past its own
            starts = self.firm_start[has]
            usable = np.where(self.usable, self.contribution, -np.inf)
            self.best_contribution[has] = np.maximum.reduceat(usable, starts)
            self.value_density[has] = np.maximum.reduceat(usable / np.maximum(self.pair_floor, 1e-9), starts)

    def _read_compensation(self) -> None:
        comp = self.inst.params["compensation"]
        self.per_werkmilieu = bool(comp["per_werkmilieu"])
        self.ratio = float(comp["ratio"])
        self.lost = self.layout.lost
        c = self.layout.c                                  # (t, p, k) that have a credit column
        t, p, k = (c[name].to_numpy(np.int64) for name in ("terrain", "plot", "k"))
        self.credit_plots = np.unique(p)
        # per (terrain, class): the plots N(t) whose new space may compensate that loss, in plot order
        order = np.lexsort((p, k, t))
        t, p, k = t[order], p[order], k[order]
        new_group = (t[1:] != t[:-1]) | (k[1:] != k[:-1])
        cut = np.flatnonzero(np.r_[True, new_group, True]) if len(t) else np.zeros(1, np.int64)
        self.credit_plots_near = {(int(t[a]), int(k[a])): p[a:b] for a, b in pairwise(cut)}
        # per plot, how many (terrain, class) demands its new space may serve
        self.demands_per_plot = np.bincount(p, minlength=self.n_plots)
        # per class k (-1 pooled): the plots whose new space may compensate a loss of k
        self.credit_plots_of = {int(kk): np.unique(p[k == kk]) for kk in np.unique(k)}
        self.lost_classes = ({int(k) for k in self.lost["k"]} if self.per_werkmilieu
                             else set(range(N_WERKMILIEUS)))

    def _read_policy(self) -> None:
        """Claims (C9) and lifecycle targets (C10): their rows are the ledger's; here the plots of each
        claim and the target of each pair, read from the same blocks."""
        ledger, lay = self.ledger, self.layout
        claim_rows = ledger.rows(claims.NAME)
        self.claim_row = np.arange(claim_rows.start, claim_rows.stop)
        self.n_claims = len(self.claim_row)
        self.claim_minimum = np.where(np.isfinite(ledger.lower[claim_rows]), ledger.lower[claim_rows], 0.0)
        self.has_claim_maximum = bool(np.isfinite(ledger.upper[claim_rows]).any())
        self.plot_claim = np.full((self.n_plots, N_WERKMILIEUS), -1, dtype=np.int64)  # claim of z[p, w]
        b = self.blocks_by_name(claims.NAME)
        z_first = len(self.pair_firm)                                  # z columns follow the x columns
        z_plot, z_werkmilieu = lay.z["plot"].to_numpy(np.int64), lay.z["w"].to_numpy(np.int64)
        self.plot_claim[z_plot[b.col - z_first], z_werkmilieu[b.col - z_first]] = b.row
        self.claim_werkmilieu = claims.active_claims(self.inst)["werkmilieu"].map(WM_INDEX).to_numpy(np.int64)
        target_rows = ledger.rows(lifecycle.NAME)
        self.target_row = np.arange(target_rows.start, target_rows.stop)
        self.n_targets = len(self.target_row)
        self.pair_target = np.full(len(self.pair_firm), -1, dtype=np.int64)      # target a pair counts for
        b = self.blocks_by_name(lifecycle.NAME)
        self.pair_target[b.col] = b.row
        self.pair_target[~self.usable] = -1

    def _by_pair(self) -> None:
        """Plot and terrain data repeated per pair, so that a firm's pairs read them as one slice."""
        plot = self.pair_plot
        self.pair_floor_row = self.floor_row[plot]
        self.pair_base_limit = self.base_capacity_limit[plot]
        self.pair_intensify_cost = self.intensify_cost[plot]
        self.pair_terrain = self.plot_terrain[plot]
        self.pair_on_planned = self.on_planned[plot]

    def blocks_by_name(self, name: str) -> Block:
        for b in self.blocks:
            if b.name == name:
                return b
        return Block.empty(name)

