"""Large-neighbourhood search: improve an incumbent by re-optimising one area at a time.

A neighbourhood is a compact group of plots around a seed plot (its nearest
neighbours). Everything outside it is fixed at the incumbent; inside it HiGHS
re-decides the designations, intensification and development of those plots
and which firms sit there, choosing among the firms already there and the
firms the incumbent leaves unplaced. Compensation credits stay free
everywhere (they are few and continuous). The sub-MIP is the full model with
the fixed columns moved to the right-hand side, so every solution it returns
is feasible for the whole instance, and it starts from the incumbent, so it
never returns anything worse.

This is the primal half of the solve: it finds good solutions fast on models
whose LP relaxation alone takes HiGHS minutes. The bound (and therefore the
reported gap) always comes from the full model afterwards.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np

from ..data.instance import Instance
from ..model.block import LinearModel
from ..model.layout import Layout, plot_terrain_arrays
from .highs_backend import highs_for

#: free about this many x columns in the first neighbourhood; the size then adapts to how fast sub-MIPs solve
TARGET_PAIRS = 1500
#: time limit of one sub-MIP, seconds
SUB_TIME_S = 2.0


@dataclass
class LnsStats:
    rounds: int = 0
    improved: int = 0
    gain: float = 0.0
    seconds: float = 0.0
    trace: list[tuple[float, float]] = field(default_factory=list)  # (elapsed, objective)
    #: the clock decided something (the time limit ended the search or a sub-MIP): not reproducible
    clock_cut: bool = False


class _Sub:
    """The CSR model as COO once, so that sub-models are cheap to cut out."""

    def __init__(self, lm: LinearModel):
        self.lm = lm
        self.row = np.repeat(np.arange(lm.n_rows, dtype=np.int64), np.diff(lm.start))
        self.col = lm.index.astype(np.int64)
        self.val = lm.value

    def cut(self, free: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, LinearModel]:
        """The free columns and the model over them, with the other columns fixed at ``x``
        (their activity moved to the row bounds; only rows that hold a free column are kept)."""
        lm = self.lm
        fc = free[self.col]
        act = np.bincount(self.row[~fc], weights=self.val[~fc] * x[self.col[~fc]], minlength=lm.n_rows)
        rows_used = np.zeros(lm.n_rows, dtype=bool)
        rows_used[self.row[fc]] = True
        rows = np.flatnonzero(rows_used)
        cols = np.flatnonzero(free)
        rmap = np.full(lm.n_rows, -1, dtype=np.int64)
        rmap[rows] = np.arange(len(rows))
        cmap = np.full(lm.n_cols, -1, dtype=np.int64)
        cmap[cols] = np.arange(len(cols))
        r, c, v = rmap[self.row[fc]], cmap[self.col[fc]], self.val[fc]
        start = np.zeros(len(rows) + 1, dtype=np.int32)
        np.cumsum(np.bincount(r, minlength=len(rows)), out=start[1:])
        with np.errstate(invalid="ignore"):  # inf - finite stays inf
            lo = lm.row_lower[rows] - act[rows]
            up = lm.row_upper[rows] - act[rows]
        sub = LinearModel(cost=lm.cost[cols], col_lower=lm.col_lower[cols], col_upper=lm.col_upper[cols],
                          integrality=lm.integrality[cols], row_lower=lo, row_upper=up,
                          start=start, index=c.astype(np.int32), value=v)
        return cols, sub

    def solve(self, free: np.ndarray, x: np.ndarray, time_limit: float, threads: int | None,
              nodes: int | None = None):
        """Optimise the free columns with the others fixed at ``x``: (new full vector or None, whether
        the sub-MIP was proved optimal, whether its time limit stopped it). ``nodes`` limits the
        branch-and-bound nodes (a work limit that gives the same answer on any machine)."""
        cols, sub = self.cut(free, x)
        opts = {"time_limit": float(time_limit), "mip_rel_gap": 1e-6}
        if nodes is not None:
            opts["mip_max_nodes"] = int(nodes)
        h = highs_for(sub, threads=threads, options=opts)
        sol = highspy.HighsSolution()
        sol.col_value = x[cols].astype(float)
        sol.value_valid = True
        h.setSolution(sol)
        h.run()
        status = h.getModelStatus()
        proved = status == highspy.HighsModelStatus.kOptimal
        timed_out = status in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt)
        if h.getInfo().primal_solution_status != 2:
            return None, proved, timed_out
        out = x.copy()
        out[cols] = np.asarray(h.getSolution().col_value, dtype=float)
        ints = sub.integrality.astype(bool)
        out[cols[ints]] = np.round(out[cols[ints]])
        return out, proved, timed_out


class _Areas:
    """Neighbourhoods: the plots nearest a seed plot, and the columns that re-opens."""

    def __init__(self, inst: Instance, lay: Layout, lm: LinearModel):
        self.n_plots, self.n_firms, self.n_x, self.n_cols = len(inst.plots), len(inst.firms), lay.n_x, lm.n_cols
        self.pair_firm = lay.pairs["firm"].to_numpy(np.int64)
        self.pair_plot = lay.pairs["plot"].to_numpy(np.int64)
        self.xy = inst.plots[["x", "y"]].to_numpy(float)
        self.plot_terrain, _, _ = plot_terrain_arrays(inst)
        self.pairs_per_plot = max(1.0, float(np.bincount(self.pair_plot, minlength=self.n_plots).mean()))
        self.z_plot, self.z_col = lay.z["plot"].to_numpy(np.int64), lay.z["col"].to_numpy(np.int64)
        self.u_plot, self.u_col = lay.u["plot"].to_numpy(np.int64), lay.u["col"].to_numpy(np.int64)
        self.d_terrain, self.d_col = lay.d["terrain"].to_numpy(np.int64), lay.d["col"].to_numpy(np.int64)
        self.c_col = lay.c["col"].to_numpy(np.int64)
        self.e_plot, self.e_col = lay.e["plot"].to_numpy(np.int64), lay.e["col"].to_numpy(np.int64)

    def size(self, target: float) -> int:
        """Neighbourhood size in plots: enough to free about ``target`` x columns."""
        return int(np.clip(target / self.pairs_per_plot, 2, self.n_plots))

    def free_columns(self, seed_plot: int, k: int, x: np.ndarray) -> np.ndarray:
        """The columns re-decided around ``seed_plot`` (its ``k`` nearest plots) with the rest fixed at ``x``."""
        d2 = ((self.xy - self.xy[seed_plot]) ** 2).sum(axis=1)
        near = np.argpartition(d2, k - 1)[:k] if k < self.n_plots else np.arange(self.n_plots)
        in_area = np.zeros(self.n_plots, dtype=bool)
        in_area[near] = True
        placed_at = np.full(self.n_firms, -1, dtype=np.int64)
        on = np.flatnonzero(x[: self.n_x] > 0.5)
        placed_at[self.pair_firm[on]] = self.pair_plot[on]
        movable = (placed_at < 0) | in_area[np.maximum(placed_at, 0)]
        free = np.zeros(self.n_cols, dtype=bool)
        free[: self.n_x] = in_area[self.pair_plot] & movable[self.pair_firm]
        # a movable firm that sits in the area may also stay unplaced: its pairs are free
        free[self.z_col[in_area[self.z_plot]]] = True
        free[self.u_col[in_area[self.u_plot]]] = True
        free[self.e_col[in_area[self.e_plot]]] = True
        free[self.d_col[np.isin(self.d_terrain, np.unique(self.plot_terrain[near]))]] = True
        free[self.c_col] = True
        return free


def _adapt(target: float, proved: bool, seconds: float | None, target_pairs: int) -> float:
    """Grow the neighbourhood while sub-MIPs are proved quickly, shrink it when they time out
    (``seconds`` None: by proof alone, as in the reproducible mode)."""
    if proved and (seconds is None or seconds < SUB_TIME_S / 2):
        return min(target * 1.25, 50.0 * target_pairs)
    if not proved:
        return max(target * 0.8, 200.0)
    return target


def improve(inst: Instance, lay: Layout, lm: LinearModel, x: np.ndarray, *, time_limit: float,
            threads: int | None = None, seed: int = 0, target_pairs: int = TARGET_PAIRS,
            progress=None, rounds: int | None = None, sub_nodes: int | None = None) -> tuple[np.ndarray, LnsStats]:
    """Improve the feasible column vector ``x`` by neighbourhood sub-MIPs for ``time_limit`` seconds.

    Stops early after a full sweep over all plots without improvement. ``seed`` orders the
    neighbourhoods. With ``rounds`` and ``sub_nodes`` the search is a function of its input
    alone: at most ``rounds`` sub-MIPs of at most ``sub_nodes`` nodes each, the neighbourhood
    size adapted by proof, not by seconds; the time limit is then only a safety net, and
    ``stats.clock_cut`` says whether it cut anything.
    ``progress(elapsed, objective)`` is called on each improvement. Returns
    the best vector found (``x`` itself when nothing better was found).
    """
    t0 = time.perf_counter()
    st = LnsStats()
    n_plots = len(inst.plots)
    if lay.n_x == 0 or n_plots == 0 or time_limit <= 0:
        return x, st
    sub, areas = _Sub(lm), _Areas(inst, lay, lm)
    order = np.random.default_rng(seed).permutation(n_plots)
    target = float(target_pairs)
    best = float(lm.cost @ x)
    st.trace.append((0.0, best))
    since_gain, i = 0, 0
    while True:
        k = areas.size(target)
        if since_gain > n_plots // max(1, k // 2) + 1:  # about two sweeps without a gain
            break
        left = time_limit - (time.perf_counter() - t0)
        if rounds is not None and st.rounds >= rounds:
            break
        if left < 0.2:
            st.clock_cut = True
            break
        free = areas.free_columns(order[i % n_plots], k, x)
        i += 1
        st.rounds += 1
        ts = time.perf_counter()
        new, proved, timed_out = sub.solve(free, x, left if sub_nodes is not None else min(SUB_TIME_S, left),
                                           threads, sub_nodes)
        st.clock_cut |= timed_out
        target = _adapt(target, proved, None if sub_nodes is not None else time.perf_counter() - ts, target_pairs)
        obj = -np.inf if new is None else float(lm.cost @ new)
        if obj > best + 1e-9 * max(1.0, abs(best)):
            st.improved += 1
            st.gain += obj - best
            best, x = obj, new
            since_gain = 0
            el = time.perf_counter() - t0
            st.trace.append((el, best))
            if progress is not None:
                progress(el, best)
            continue
        since_gain += 1
    st.seconds = time.perf_counter() - t0
    return x, st
