"""Exchange moves on an incumbent: firms trade plots, one or two at a time.

Neighbourhood search re-optimises a few plots at once; on a tight assignment problem (every firm
must be placed, little room anywhere) its sub-MIPs of three or more plots take HiGHS seconds
(pure assignment type D, 1,600 jobs x 80 agents: four agents and their 80 jobs are not proved in
5 s), so it sees few plots per second and two firms far apart that would gain by trading plots
rarely share an area. The moves here look at every firm and plot at once:

- **shift**: a placed firm moves to another of its plots;
- **swap**: two placed firms trade plots;
- **chain** (an ejection chain of two): firm f moves to firm g's plot and g moves on to a third
  plot, the best g can reach with the room there.

Every move of every firm is valued at once (numpy over the pairs and the firms on each plot) from
the objective coefficients of the pairs, and screened by the floor rows (C4), the row that binds
on such problems. The moves that gain are then tried best first, each checked exactly against
every row of the model (the incumbent's ``change``/``holds`` of :mod:`revopt.solve.lns`), so an
accepted move never breaks a rule; a firm moves at most once per pass, and passes repeat until
one gains nothing. The moves change only pair columns: a move that would need another
designation, development or credit is refused by the exact check and left to the sub-MIPs.
Deterministic: the same incumbent gives the same moves on any machine.

Measured: docs/benchmarks.md#exchange-moves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..model import floorspace
from ..model.block import LinearModel, grouped, spans
from ..model.layout import Layout

#: a move must gain more than this (relative to the objective's scale of one pair) to be tried
_EPS = 1e-9


class Incumbent(Protocol):
    """What the moves need of an incumbent (:class:`revopt.solve.lns._Sub` is one): the column values,
    the row activity, the model by columns, and an exact check and acceptance of a change."""

    x: np.ndarray
    act: np.ndarray
    col_start: np.ndarray
    col_row: np.ndarray
    col_val: np.ndarray

    def change(self, cols: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...

    def holds(self, rows: np.ndarray, delta: np.ndarray, tol: float = 1e-6) -> bool: ...

    def accept(self, cols: np.ndarray, values: np.ndarray, rows: np.ndarray, delta: np.ndarray) -> None: ...


@dataclass
class ExchangeStats:
    moves: int = 0
    gain: float = 0.0
    passes: int = 0
    seconds: float = 0.0
    #: the deadline ended the moves before a pass gained nothing
    clock_cut: bool = False


@dataclass
class _Moves:
    """Candidate moves of one pass: per move its gain, the pair columns it switches off and on
    (``cols``: off, off, on, on; a shift repeats its two), and the plots whose floor changes with
    the change of each (``plots`` / ``floor``, three per move, -1 unused)."""

    gain: np.ndarray
    cols: np.ndarray
    plots: np.ndarray
    floor: np.ndarray


class Exchange:
    """Shift, swap and chain moves (module docstring) on ``inc``, an incumbent of ``lm``."""

    def __init__(self, lay: Layout, lm: LinearModel, inc: Incumbent):
        self.lm, self.inc = lm, inc
        self.n_x = lay.n_x
        self.pair_firm = lay.pairs["firm"].to_numpy(np.int64)
        self.pair_plot = lay.pairs["plot"].to_numpy(np.int64)
        self.n_plots = int(self.pair_plot.max()) + 1 if self.n_x else 0
        self.n_firms = int(self.pair_firm.max()) + 1 if self.n_x else 0
        self.value = lm.cost[: self.n_x]
        key = self.pair_firm * max(1, self.n_plots) + self.pair_plot
        self.by_key = np.argsort(key, kind="stable")
        self.key = key[self.by_key]
        self.floor, self.floor_row = self._floor_rows()

    def _floor_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Each pair's coefficient in its plot's floor row (C4), and that row per plot (-1: none)."""
        coef = np.zeros(self.n_x)
        row_of = np.full(self.n_plots, -1, np.int64)
        if floorspace.NAME not in self.lm.block_rows or not self.n_x:
            return coef, row_of
        r0, r1 = self.lm.block_rows[floorspace.NAME]
        inc = self.inc
        n = np.diff(inc.col_start[: self.n_x + 1])
        idx = spans(inc.col_start[: self.n_x], n)
        col = np.repeat(np.arange(self.n_x), n)
        row = inc.col_row[idx].astype(np.int64)
        on = (row >= r0) & (row < r1)
        coef[col[on]] = inc.col_val[idx][on]
        row_of[self.pair_plot[col[on]]] = row[on]
        return coef, row_of

    def slack(self) -> np.ndarray:
        """Room left in each plot's floor row (inf where a plot has none)."""
        out = np.full(self.n_plots, np.inf)
        has = self.floor_row >= 0
        out[has] = self.lm.row_upper[self.floor_row[has]] - self.inc.act[self.floor_row[has]]
        return out

    def pair_of(self, firm: np.ndarray, plot: np.ndarray) -> np.ndarray:
        """The pair column of each (firm, plot), -1 where there is none."""
        k = firm * max(1, self.n_plots) + plot
        pos = np.minimum(np.searchsorted(self.key, k), max(0, len(self.key) - 1))
        found = (self.key[pos] == k) if len(self.key) else np.zeros(len(k), bool)
        return np.where(found, self.by_key[pos], -1)

    #: pairs valued at once (with the firms on their plots: national, about 2 per plot; type D GAP, 20)
    CHUNK = 1 << 18

    def moves(self) -> _Moves:
        """Every shift, swap and chain of the incumbent that gains and fits the floor rows as they are."""
        x = self.inc.x[: self.n_x]
        on = np.flatnonzero(x > 0.5)
        at = np.full(self.n_firms, -1, np.int64)
        at[self.pair_firm[on]] = on
        slack = self.slack()
        pp = self.pair_plot
        order, start = grouped(pp[on], self.n_plots)
        sitting = on[order]                                   # the placed pairs, by plot
        j = np.flatnonzero((at[self.pair_firm] >= 0) & (x < 0.5))   # a placed firm's other pairs
        j0 = at[self.pair_firm[j]]
        best = self._best_relocation(j, j0, slack)
        parts = [self._shifts(j, j0, pp[j0], pp[j], slack)]
        for s in range(0, len(j), self.CHUNK):  # in chunks: national has 2 million such pairs
            jc, j0c = j[s: s + self.CHUNK], j0[s: s + self.CHUNK]
            p, q = pp[j0c], pp[jc]
            n = start[q + 1] - start[q]                        # the firms g on q beside each pair
            i = np.repeat(np.arange(len(jc)), n)
            k0 = sitting[spans(start[q], n)]
            parts.append(self._swaps(jc[i], j0c[i], k0, p[i], q[i], slack))
            parts.append(self._chains(jc[i], j0c[i], k0, p[i], q[i], best, slack))
        return _Moves(*(np.concatenate([getattr(m, f) for m in parts]) for f in ("gain", "cols", "plots", "floor")))

    def _shifts(self, j, j0, p, q, slack) -> _Moves:
        a, c = self.floor, self.value
        gain = c[j] - c[j0]
        ok = (gain > _EPS) & (a[j] <= slack[q] + 1e-9)
        j, j0, p, q = j[ok], j0[ok], p[ok], q[ok]
        return _Moves(gain[ok], np.stack([j0, j0, j, j], 1), np.stack([p, q, np.full_like(p, -1)], 1),
                      np.stack([-a[j0], a[j], np.zeros(len(j))], 1))

    def _swaps(self, j, j0, k0, p, q, slack) -> _Moves:
        a, c = self.floor, self.value
        k = self.pair_of(self.pair_firm[k0], p)
        ok = k >= 0
        j, j0, k0, p, q, k = j[ok], j0[ok], k0[ok], p[ok], q[ok], k[ok]
        gain = c[j] + c[k] - c[j0] - c[k0]
        dq, dp = a[j] - a[k0], a[k] - a[j0]
        ok = (gain > _EPS) & (dq <= slack[q] + 1e-9) & (dp <= slack[p] + 1e-9)
        return _Moves(gain[ok], np.stack([j0[ok], k0[ok], j[ok], k[ok]], 1),
                      np.stack([p[ok], q[ok], np.full(int(ok.sum()), -1)], 1),
                      np.stack([dp[ok], dq[ok], np.zeros(int(ok.sum()))], 1))

    def _best_relocation(self, j, j0, slack) -> np.ndarray:
        """Per firm its two best moves on its own (pair columns, -1: none) that fit the room as it is:
        where a firm ejected from its plot goes on to (the second when the first is the plot the
        ejecting firm leaves)."""
        a, c = self.floor, self.value
        val = c[j] - c[j0]
        fit = a[j] <= slack[self.pair_plot[j]] + 1e-9
        j, val = j[fit], val[fit]
        o = np.lexsort((-val, self.pair_firm[j]))
        j = j[o]
        f = self.pair_firm[j]
        first = np.r_[True, f[1:] != f[:-1]] if len(f) else np.zeros(0, bool)
        rank = np.arange(len(j)) - np.maximum.accumulate(np.where(first, np.arange(len(j)), 0))
        best = np.full((self.n_firms, 2), -1, np.int64)
        for r in (0, 1):
            best[f[rank == r], r] = j[rank == r]
        return best

    def _chains(self, j, j0, k0, p, q, best, slack) -> _Moves:
        a, c, pp = self.floor, self.value, self.pair_plot
        g = self.pair_firm[k0]
        b1, b2 = best[g, 0], best[g, 1]
        k = np.where((b1 >= 0) & (pp[np.maximum(b1, 0)] != p), b1, b2)
        ok = k >= 0
        j, j0, k0, p, q, k = j[ok], j0[ok], k0[ok], p[ok], q[ok], k[ok]
        r = pp[k]
        gain = c[j] - c[j0] + c[k] - c[k0]
        dq = a[j] - a[k0]
        ok = (gain > _EPS) & (dq <= slack[q] + 1e-9) & (r != p) & (r != q)
        return _Moves(gain[ok], np.stack([j0[ok], k0[ok], j[ok], k[ok]], 1),
                      np.stack([p[ok], q[ok], r[ok]], 1), np.stack([-a[j0[ok]], dq[ok], a[k[ok]]], 1))

    def one_pass(self, deadline: float | None = None) -> tuple[int, float, bool]:
        """The moves that gain, best first, each checked against every row; (moves made, gain,
        whether the deadline stopped the pass)."""
        mv = self.moves()
        slack = self.slack()
        moved = np.zeros(self.n_firms, bool)
        made, gained = 0, 0.0
        on_off = np.array([0.0, 0.0, 1.0, 1.0])
        for t, o in enumerate(np.argsort(-mv.gain, kind="stable")):
            if deadline is not None and t % 256 == 0 and time.perf_counter() > deadline:
                return made, gained, True
            cols = mv.cols[o]
            firms = self.pair_firm[cols]
            if moved[firms].any():
                continue  # its gain was valued where these firms were
            plots, dfloor = mv.plots[o], mv.floor[o]
            live = plots >= 0
            if np.any(dfloor[live] > slack[plots[live]] + 1e-9):
                continue  # an earlier move of this pass took the room
            cols, vals = (cols[1:3], on_off[1:3]) if cols[0] == cols[1] else (cols, on_off)
            rows, delta = self.inc.change(cols, vals)
            if not self.inc.holds(rows, delta):
                continue
            self.inc.accept(cols, vals, rows, delta)
            moved[firms] = True
            has = live & (self.floor_row[np.maximum(plots, 0)] >= 0)
            fr = self.floor_row[plots[has]]
            slack[plots[has]] = self.lm.row_upper[fr] - self.inc.act[fr]
            made += 1
            gained += float(mv.gain[o])
        return made, gained, False

    def run(self, passes: int = 50, deadline: float | None = None) -> ExchangeStats:
        """Passes until one gains nothing, ``passes`` are done or the deadline."""
        st = ExchangeStats()
        t0 = time.perf_counter()
        if self.n_x == 0:
            return st
        while st.passes < passes:
            made, gained, cut = self.one_pass(deadline)
            st.passes += 1
            st.moves += made
            st.gain += gained
            if cut or (deadline is not None and time.perf_counter() > deadline and made):
                st.clock_cut = True
                break
            if made == 0:
                break
        st.seconds = time.perf_counter() - t0
        return st


__all__ = ["Exchange", "ExchangeStats"]
