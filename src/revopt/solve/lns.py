"""Large-neighbourhood search: improve an incumbent by re-optimising one area at a time.

A neighbourhood is a group of plots around a seed plot: its nearest neighbours,
or, on large models, the plots linked to it through the firms' moves (the plots
the firms on the seed could move to, then those the firms there could move to,
...). Everything outside it is fixed at the incumbent; inside it HiGHS
re-decides the designations, intensification and development of those plots
and which firms sit there, choosing among the firms already there and the
firms the incumbent leaves unplaced. Compensation credits stay free
everywhere (they are few and continuous). The sub-MIP is the full model with
the fixed columns moved to the right-hand side, so every solution it returns
is feasible for the whole instance, and it starts from the incumbent, so it
never returns anything worse. Each sub-MIP runs in a child process that is
killed if HiGHS overruns its time limit (:mod:`revopt.solve.submip`).

This is the primal half of the solve: it finds good solutions fast on models
whose LP relaxation alone takes HiGHS minutes. The bound (and therefore the
reported gap) always comes from the full model afterwards.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import highspy
import numpy as np

from ..data.instance import Instance
from ..model.block import LinearModel, group_starts, grouped, spans
from ..model.layout import Layout, plot_terrain_arrays
from .exchange import Exchange
from .lagrangian import reduced_costs
from .submip import KILLED, SubMipWorker

#: free about this many x columns in the first neighbourhood; the size then adapts to how fast sub-MIPs solve
TARGET_PAIRS = 500
#: the first neighbourhood on models below ``SolveOptions.lns_levels_min_pairs`` (with :data:`EXACT` only)
TARGET_PAIRS_EXACT = 1500


#: the reproducible mode: a sub-MIP of ``sub_nodes`` nodes gets at most this many seconds, so that a HiGHS
#: that never returns (tests/test_submip.py) is killed instead of holding the search to its whole time
#: limit, or forever without one (a 200-node province sub-MIP takes well under 5 s; when the cap acts,
#: ``LnsStats.clock_cut`` says so)
WORK_SUB_MIP_S = 60.0


@dataclass(frozen=True)
class Level:
    """How hard one sub-MIP is worked: its time limit (seconds) and the relative gap at which it
    stops (relative to the neighbourhood's own value, not the whole objective)."""

    seconds: float
    gap: float


#: the search starts with short, loosely solved sub-MIPs (many areas per second while nearly every
#: area gains) and moves to the next level when a sweep over the plots gains nothing; it ends after a
#: sweep without gain at the last level: docs/benchmarks.md#neighbourhood-levels
LEVELS = (Level(0.5, 1e-2), Level(1.0, 1e-3), Level(2.0, 1e-6))
#: one level, sub-MIPs solved to optimality: measured better below ``SolveOptions.lns_levels_min_pairs``
EXACT = LEVELS[-1:]


@dataclass
class LnsStats:
    rounds: int = 0
    improved: int = 0
    gain: float = 0.0
    seconds: float = 0.0
    trace: list[tuple[float, float]] = field(default_factory=list)  # (elapsed, objective)
    #: the clock decided something (the time limit ended the search or a sub-MIP): not reproducible
    clock_cut: bool = False
    #: the last of :data:`LEVELS` the search reached (0: the first)
    level: int = 0
    #: sub-MIPs whose child process was killed at their time limit (HiGHS did not stop by itself)
    killed: int = 0
    #: the search ended because its time was up (not converged, not its work done)
    out_of_time: bool = False
    #: exchange moves made (firms that traded plots, :mod:`revopt.solve.exchange`)
    trades: int = 0
    #: the search ended because the incumbent reached ``stop_at`` (within reach of the bound)
    reached: bool = False


class _Sub:
    """The incumbent ``x``, its row activity ``A x``, and the model by columns, so that cutting a
    sub-model out and checking a change cost time in proportion to the area, not the province.

    The activity is kept up to date as answers are accepted (:meth:`accept`) and recomputed from
    scratch every :attr:`REFRESH` acceptances, so rounding does not pile up.
    """

    #: acceptances between two full recomputations of the row activity
    REFRESH = 64

    def __init__(self, lm: LinearModel, x: np.ndarray):
        self.lm = lm
        self.col_start, self.col_row, self.col_val = lm.by_columns(np.int32)
        self.col_len = np.diff(self.col_start)
        self.x = x.copy()
        self.act = lm.activity(self.x)
        self._since_refresh = 0
        #: acceptances so far: the same version is the same incumbent
        self.version = 0
        #: told of every acceptance (``moved``) and recomputation of the activity (``reset``)
        self.watchers: list[_Scores] = []

    def _entries(self, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The nonzeros of ``cols``: (row, value, position of the column in ``cols``)."""
        n = self.col_len[cols]
        idx = spans(self.col_start[cols], n)
        return self.col_row[idx], self.col_val[idx], np.repeat(np.arange(len(cols)), n)

    def cut(self, free: np.ndarray) -> tuple[np.ndarray, LinearModel]:
        """The free columns and the model over them, with the other columns fixed at the incumbent
        (their activity moved to the row bounds; only rows that hold a free column are kept)."""
        lm = self.lm
        cols = np.flatnonzero(free)
        row, val, pos = self._entries(cols)
        rows, r = np.unique(row, return_inverse=True)
        fixed = self.act[rows] - np.bincount(r, weights=val * self.x[cols][pos], minlength=len(rows))
        order = np.lexsort((pos, r))
        start = group_starts(r, len(rows), np.int32)
        with np.errstate(invalid="ignore"):  # inf - finite stays inf
            lo = lm.row_lower[rows] - fixed
            up = lm.row_upper[rows] - fixed
        sub = LinearModel(cost=lm.cost[cols], col_lower=lm.col_lower[cols], col_upper=lm.col_upper[cols],
                          integrality=lm.integrality[cols], row_lower=lo, row_upper=up,
                          start=start, index=pos[order].astype(np.int32), value=val[order])
        return cols, sub

    def change(self, cols: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows that setting ``cols`` to ``values`` touches and their change in activity."""
        row, val, pos = self._entries(cols)
        rows, r = np.unique(row, return_inverse=True)
        return rows, np.bincount(r, weights=val * (values - self.x[cols])[pos], minlength=len(rows))

    def holds(self, rows: np.ndarray, delta: np.ndarray, tol: float = 1e-6) -> bool:
        """Whether ``rows`` stay within their bounds (within ``tol``, relative to the bound) when
        their activity changes by ``delta``; the other rows do not change."""
        lm = self.lm
        act = self.act[rows] + delta
        lo, up = lm.row_lower[rows], lm.row_upper[rows]
        with np.errstate(invalid="ignore"):
            over = act - up > tol * np.maximum(1.0, np.abs(up))
            under = lo - act > tol * np.maximum(1.0, np.abs(lo))
        return not (over.any() or under.any())

    def accept(self, cols: np.ndarray, values: np.ndarray, rows: np.ndarray, delta: np.ndarray) -> None:
        """Make ``cols = values`` part of the incumbent (``rows``/``delta`` from :meth:`change`)."""
        old = self.x[cols]
        self.x[cols] = values
        self.act[rows] += delta
        self.version += 1
        self._since_refresh += 1
        if self._since_refresh >= self.REFRESH:
            self.act = self.lm.activity(self.x)
            self._since_refresh = 0
            for w in self.watchers:
                w.reset()
        else:
            for w in self.watchers:
                w.moved(cols, values - old, rows, delta)

    def solve(self, free: np.ndarray, worker: SubMipWorker, time_limit: float, threads: int | None,
              nodes: int | None = None, gap: float = 1e-6, options: dict | None = None):
        """Optimise the free columns with the others fixed at the incumbent, in ``worker``'s child
        process: (the free columns, their new values or None, whether the sub-MIP was proved optimal
        (within ``gap``, relative to the sub-MIP's own objective), whether its time limit stopped it
        or the child had to be killed at it). ``nodes`` limits the branch-and-bound nodes (a work
        limit that gives the same answer on any machine); ``options``: more HiGHS options."""
        cols, sub = self.cut(free)
        opts: dict = {"mip_rel_gap": float(gap), **(options or {})}
        if nodes is not None:
            opts["mip_max_nodes"] = int(nodes)
        values, status = worker.solve(sub, self.x[cols], float(time_limit), opts, threads)
        proved = status == int(highspy.HighsModelStatus.kOptimal)
        timed_out = status in (KILLED, int(highspy.HighsModelStatus.kTimeLimit),
                               int(highspy.HighsModelStatus.kInterrupt))
        if values is None:
            return cols, None, proved, timed_out
        ints = sub.integrality.astype(bool)
        values[ints] = np.round(values[ints])
        return cols, values, proved, timed_out


class _Areas:
    """Neighbourhoods: the plots nearest a seed plot, and the columns that re-opens."""

    def __init__(self, inst: Instance, lay: Layout, lm: LinearModel, relaxed: np.ndarray | None = None,
                 chains: bool = False, seed: int = 0):
        #: breaks ties between plots at the same distance (:meth:`nearest`)
        self.rng = np.random.default_rng(seed)
        self.n_plots, self.n_firms, self.n_x, self.n_cols = len(inst.plots), len(inst.firms), lay.n_x, lm.n_cols
        self.chains = chains
        self.pair_firm = lay.pairs["firm"].to_numpy(np.int64)
        self.pair_plot = lay.pairs["plot"].to_numpy(np.int64)
        self.xy = inst.plots[["x", "y"]].to_numpy(float)
        self.plot_terrain, _, _ = plot_terrain_arrays(inst)
        self.pairs_per_plot = max(1.0, float(np.bincount(self.pair_plot, minlength=self.n_plots).mean()))
        self.z_plot, self.z_col = lay.z["plot"].to_numpy(np.int64), lay.z["col"].to_numpy(np.int64)
        self.u_plot, self.u_col = lay.u["plot"].to_numpy(np.int64), lay.u["col"].to_numpy(np.int64)
        self.d_terrain, self.d_col = lay.d["terrain"].to_numpy(np.int64), lay.d["col"].to_numpy(np.int64)
        self.c_col, self.c_plot = lay.c["col"].to_numpy(np.int64), lay.c["plot"].to_numpy(np.int64)
        self.cost = lm.cost[: lay.n_x]
        self.e_plot, self.e_col = lay.e["plot"].to_numpy(np.int64), lay.e["col"].to_numpy(np.int64)
        # the x columns by plot, so that an area's columns cost time in proportion to the area
        self.plot_pairs, self.plot_pair_start = grouped(self.pair_plot, self.n_plots)
        self._placed: tuple[int, _Placed] | None = None
        if chains:
            self._index_moves(relaxed)

    def _index_moves(self, relaxed: np.ndarray | None) -> None:
        """What :meth:`linked` follows: each firm's plots (the relaxation's first, then by the pair's
        value) and per plot the firms the relaxation puts there."""
        on = np.zeros(self.n_x) if relaxed is None else np.asarray(relaxed[: self.n_x], float)
        by_firm = np.lexsort((-self.cost, -on, self.pair_firm))
        self.firm_plots = self.pair_plot[by_firm]
        self.firm_start = group_starts(self.pair_firm, self.n_firms)
        self.relaxed_on: list[list[int]] = [[] for _ in range(self.n_plots)]
        for j in np.flatnonzero(on > 0.5):
            self.relaxed_on[self.pair_plot[j]].append(int(self.pair_firm[j]))

    #: at most this many plots of each firm join a linked area
    PLOTS_PER_FIRM = 8

    def around(self, seed_plot: int, k: int, placed: _Placed | None) -> np.ndarray:
        """The area of ``k`` plots around ``seed_plot``: linked through the firms' moves
        (:meth:`linked`; ``placed``: the incumbent's firms, :meth:`placed`) when :attr:`chains`,
        else the nearest plots."""
        if self.chains:
            assert placed is not None
            return self.linked(seed_plot, k, placed)
        return self.near(seed_plot, k)

    def linked(self, seed_plot: int, k: int, placed: _Placed) -> np.ndarray:
        """``k`` plots reached from ``seed_plot`` through the firms that sit there (or that the
        relaxation puts there): the plots those firms could move to, then the plots the firms on
        those could move to, and so on, layer by layer, each firm's plots taken in turn (the
        relaxation's first, then by value). Room on a full plot is made by moving its firms, and
        their best alternatives can be kilometres away, past nearer plots that do not help.
        Filled up with the nearest plots when the chains run out."""
        in_area = np.zeros(self.n_plots, dtype=bool)
        in_area[seed_plot] = True
        n = 1
        order, first = placed.order, placed.first
        assert order is not None and first is not None  # placed() of an _Areas with chains
        seen: set[int] = set()
        layer = [seed_plot]
        while layer and n < k:
            firms: list[int] = []
            for q in layer:
                here = order[first[q]:first[q + 1]].tolist() + self.relaxed_on[q]
                for f in here:
                    if f not in seen:
                        seen.add(f)
                        firms.append(f)
            lists = [self.firm_plots[self.firm_start[f]:self.firm_start[f + 1]][: self.PLOTS_PER_FIRM] for f in firms]
            layer = []
            for turn in range(self.PLOTS_PER_FIRM):
                for plots in lists:
                    if turn < len(plots) and not in_area[plots[turn]]:
                        in_area[plots[turn]] = True
                        layer.append(int(plots[turn]))
                        n += 1
                        if n >= k:
                            return in_area
        if n < k:
            in_area[self.nearest(seed_plot, k - n, in_area)] = True
        return in_area

    def size(self, target: float) -> int:
        """Neighbourhood size in plots: enough to free about ``target`` x columns."""
        return int(np.clip(target / self.pairs_per_plot, 2, self.n_plots))

    def near(self, seed_plot: int, k: int) -> np.ndarray:
        """The ``k`` plots nearest ``seed_plot`` (itself included), as a mask over plots."""
        in_area = np.zeros(self.n_plots, dtype=bool)
        in_area[seed_plot] = True
        if k > 1:
            in_area[self.nearest(seed_plot, k - 1, in_area)] = True
        return in_area

    def nearest(self, seed_plot: int, k: int, taken: np.ndarray) -> np.ndarray:
        """The ``k`` plots nearest ``seed_plot`` outside ``taken`` (fewer where fewer are left); plots
        at the same distance are drawn at random. Where many plots share a location (an instance
        that gives one point per park, or a pure assignment problem with every plot at the origin)
        a plain partition gave every seed the same first plots by index, and the search
        re-optimised one area over and over."""
        d2 = ((self.xy - self.xy[seed_plot]) ** 2).sum(axis=1)
        d2[taken] = np.inf
        k = min(k, int((~taken).sum()))
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        cut = np.partition(d2, k - 1)[k - 1]
        closer = np.flatnonzero(d2 < cut)
        tied = np.flatnonzero(d2 == cut)
        return np.concatenate([closer, self.rng.choice(tied, k - len(closer), replace=False)])

    def placed(self, x: np.ndarray) -> _Placed:
        """Where the incumbent ``x`` puts each firm (:class:`_Placed`)."""
        at = np.full(self.n_firms, -1, dtype=np.int64)
        on = np.flatnonzero(x[: self.n_x] > 0.5)
        at[self.pair_firm[on]] = self.pair_plot[on]
        if not self.chains:
            return _Placed(at)
        order = np.argsort(at, kind="stable")
        return _Placed(at, order, np.searchsorted(at[order], np.arange(self.n_plots + 1)))

    def placed_of(self, sub: _Sub) -> _Placed:
        """:meth:`placed` of ``sub``'s incumbent, computed once per version of it (at national
        size a round asked for it four times, 1.7 s in 60 s)."""
        if self._placed is None or self._placed[0] != sub.version:
            self._placed = (sub.version, self.placed(sub.x))
        return self._placed[1]

    def pairs_on(self, in_area: np.ndarray) -> np.ndarray:
        """The x columns on the plots of ``in_area``, ascending (in time with the area, not the model)."""
        plots = np.flatnonzero(in_area)
        n = self.plot_pair_start[plots + 1] - self.plot_pair_start[plots]
        return np.sort(self.plot_pairs[spans(self.plot_pair_start[plots], n)])

    def free_in(self, in_area: np.ndarray, unplaced_here: np.ndarray, placed_at: np.ndarray,
                credits_everywhere: bool) -> np.ndarray:
        """The columns of the area ``in_area``: its plots' designations, intensification and
        emissions, its terrains' development, the pairs on its plots of the firms that sit there and
        of the unplaced firms ``unplaced_here`` lets in; compensation credits everywhere (one area
        at a time) or on its plots only (areas side by side)."""
        movable = unplaced_here | ((placed_at >= 0) & in_area[np.maximum(placed_at, 0)])
        free = np.zeros(self.n_cols, dtype=bool)
        j = self.pairs_on(in_area)
        free[j[movable[self.pair_firm[j]]]] = True
        # a movable firm that sits in the area may also stay unplaced: its pairs are free
        free[self.z_col[in_area[self.z_plot]]] = True
        free[self.u_col[in_area[self.u_plot]]] = True
        free[self.e_col[in_area[self.e_plot]]] = True
        free[self.d_col[np.isin(self.d_terrain, np.unique(self.plot_terrain[in_area]))]] = True
        free[self.c_col[in_area[self.c_plot]] if not credits_everywhere else self.c_col] = True
        return free

    def side_by_side(self, seeds: list[int], k: int, placed: _Placed,
                     in_areas: list[np.ndarray] | None = None) -> list[np.ndarray]:
        """Free columns of areas around ``seeds`` that share no plot, terrain or column (a seed
        whose area overlaps an earlier one is left out): each unplaced firm goes to the area
        where its best pair lies, the credits to the area of their plot. ``placed``: where the
        incumbent puts the firms (:meth:`placed`); ``in_areas``: the seeds' areas when known."""
        areas: list[np.ndarray] = []
        used_plots = np.zeros(self.n_plots, dtype=bool)
        used_terrains: set[int] = set()
        placed_at = placed.at
        for i, seed in enumerate(seeds):
            in_area = self.around(seed, k, placed) if in_areas is None else in_areas[i]
            terrains = set(np.unique(self.plot_terrain[in_area]).tolist())
            if (in_area & used_plots).any() or terrains & used_terrains:
                continue
            areas.append(in_area)
            used_plots |= in_area
            used_terrains |= terrains
        area_of = np.full(self.n_plots, -1, dtype=np.int64)
        for a, in_area in enumerate(areas):
            area_of[in_area] = a
        # each unplaced firm joins the area of its most valuable pair among the areas (one area only)
        j = self.pairs_on(used_plots)
        j = j[placed_at[self.pair_firm[j]] < 0]
        j = j[np.lexsort((-self.cost[j], self.pair_firm[j]))]
        first = j[np.r_[True, self.pair_firm[j][1:] != self.pair_firm[j][:-1]]] if len(j) else j
        owner = np.full(self.n_firms, -1, dtype=np.int64)
        owner[self.pair_firm[first]] = area_of[self.pair_plot[first]]
        return [self.free_in(in_area, owner == a, placed_at, credits_everywhere=False)
                for a, in_area in enumerate(areas)]


@dataclass
class _Placed:
    """Where an incumbent puts the firms: per firm its plot (-1: unplaced) and, for linked areas,
    the firms by plot (``order[first[p]:first[p + 1]]`` sit on plot p)."""

    at: np.ndarray
    order: np.ndarray | None = None
    first: np.ndarray | None = None


class Guide:
    """Where the incumbent loses most against a Lagrangian relaxation, per plot.

    At the bound's multipliers ``y`` the duality gap of an incumbent ``x`` is the sum of two
    parts: the reduced values ``(c - A'y)`` of the relaxed solution's columns minus the
    incumbent's, and the rows' priced slack ``y (b - A x)`` (the bound side of each row a
    multiplier prices). The first part lies on plots by its columns. The second lies on rows: a
    firm the relaxation values but the incumbent leaves unplaced (its placement row), a
    substation's megawatts it leaves unused; each such row's share goes to the plots where the
    relaxed solution uses the row, in proportion to that use. On province seed 0 the rows hold
    three quarters of the gap (mostly valuable unplaced firms), so a guide without them seeds
    the search where little is left to gain. The plots with the largest total are where a
    neighbourhood can gain most; the search takes its seeds from them first."""

    def __init__(self, lay: Layout, lm: LinearModel, multipliers: np.ndarray, x_relaxed: np.ndarray):
        self.rc = reduced_costs(lm, multipliers)
        n_plots = int(max(lay.pairs["plot"].max() if lay.n_x else -1, lay.z["plot"].max() if len(lay.z) else -1)) + 1
        plot = np.full(lm.n_cols, -1, dtype=np.int64)
        plot[: lay.n_x] = lay.pairs["plot"].to_numpy(np.int64)
        for table in (lay.z, lay.u, lay.e, lay.c):
            plot[table["col"].to_numpy(np.int64)] = table["plot"].to_numpy(np.int64)
        self.on = plot >= 0
        self.col_plot = plot
        self.plot = plot[self.on]
        self.n_plots = n_plots
        self.relaxed = self._per_plot(x_relaxed)
        self.x_relaxed = x_relaxed
        self.lm = lm
        y = np.asarray(multipliers, float)
        self.y = y
        # the priced rows' use by the relaxed solution, per (row, plot): the share of each row's slack
        priced = np.flatnonzero(y != 0)
        lengths = np.diff(lm.start)[priced]
        row = np.repeat(priced, lengths)
        idx = spans(lm.start[priced], lengths)
        col = lm.index[idx]
        use = np.abs(lm.value[idx]) * np.abs(x_relaxed[col])
        unused = np.bincount(row, weights=use, minlength=lm.n_rows) == 0
        use = np.where(unused[row], np.abs(lm.value[idx]), use)  # a row the relaxation leaves: all its plots
        keep = (use > 0) & (plot[col] >= 0)
        row, use, self.share_plot = row[keep], use[keep], plot[col[keep]]
        total = np.bincount(row, weights=use, minlength=lm.n_rows)
        self.share_row, self.share = row, use / total[row]
        # the shares come row by row (CSR over the rows), so a change of some rows finds its entries
        self.share_start = group_starts(row, lm.n_rows)

    def _per_plot(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self.plot, weights=(self.rc * x)[self.on], minlength=self.n_plots)

    def scores(self, x: np.ndarray, n_plots: int, activity: np.ndarray | None = None) -> np.ndarray:
        """Per plot (``n_plots`` of them) what the incumbent ``x`` loses there against the relaxation
        (``activity``: ``A x``, when the caller keeps it)."""
        lm, y = self.lm, self.y
        act = lm.activity(x) if activity is None else activity
        r = self.share_row
        slack = np.where(y[r] > 0, lm.row_upper[r] - act[r], lm.row_lower[r] - act[r])
        rows = np.bincount(self.share_plot, weights=self.share * y[r] * slack, minlength=self.n_plots)
        out = np.zeros(n_plots)
        m = min(n_plots, self.n_plots)
        out[:m] = (self.relaxed - self._per_plot(x) + rows)[:m]
        return out

    def change(self, cols: np.ndarray, dx: np.ndarray, rows: np.ndarray, delta: np.ndarray,
               n_plots: int) -> np.ndarray:
        """What :meth:`scores` changes by when columns ``cols`` change by ``dx`` and so rows ``rows``
        change their activity by ``delta`` (time in proportion to the change, not the model)."""
        p = self.col_plot[cols]
        on = p >= 0
        out = -np.bincount(p[on], weights=(self.rc[cols] * dx)[on], minlength=n_plots)
        n = self.share_start[rows + 1] - self.share_start[rows]
        e = spans(self.share_start[rows], n)
        # a row's priced slack y (b - A x) falls by y delta, shared over its plots
        out -= np.bincount(self.share_plot[e], weights=self.share[e] * self.y[self.share_row[e]] * np.repeat(delta, n),
                           minlength=n_plots)
        return out


class _Scores:
    """:meth:`Guide.scores` of a search's incumbent, kept up to date as answers are accepted (a
    full recomputation took 32 ms a round at national size, 8 % of the search's time)."""

    def __init__(self, guide: Guide, sub: _Sub, n_plots: int):
        self.guide, self.sub, self.n_plots = guide, sub, n_plots
        self.reset()
        sub.watchers.append(self)

    def reset(self) -> None:
        self.now = self.guide.scores(self.sub.x, self.n_plots, self.sub.act)

    def moved(self, cols: np.ndarray, dx: np.ndarray, rows: np.ndarray, delta: np.ndarray) -> None:
        self.now += self.guide.change(cols, dx, rows, delta, self.n_plots)


def _adapt(target: float, proved: bool, seconds: float | None, target_pairs: int, level: Level) -> float:
    """Grow the neighbourhood while sub-MIPs are proved quickly, shrink it when they time out
    (``seconds`` None: by proof alone, as in the reproducible mode)."""
    if proved and (seconds is None or seconds < level.seconds / 2):
        return min(target * 1.25, 50.0 * target_pairs)
    if not proved:
        return max(target * 0.8, 200.0)
    return target


def improve(inst: Instance, lay: Layout, lm: LinearModel, x: np.ndarray, *, time_limit: float,
            threads: int | None = None, seed: int = 0, target_pairs: int = TARGET_PAIRS,
            progress=None, rounds: int | None = None, sub_nodes: int | None = None,
            workers: int = 1, guide: Guide | None = None,
            levels: tuple[Level, ...] = LEVELS, chains: bool = False,
            stop_at: float | None = None, exchange: bool = False) -> tuple[np.ndarray, LnsStats]:
    """Improve the feasible column vector ``x`` by neighbourhood sub-MIPs for ``time_limit`` seconds.

    Sub-MIPs are worked at the first of ``levels`` (:data:`LEVELS`: short and loose) until about two
    sweeps over the plots gain nothing, then at the next; the search stops after such sweeps at the
    last level. ``seed`` orders the neighbourhoods. With ``rounds`` and ``sub_nodes`` the search is a
    function of its input alone: at most ``rounds`` sub-MIPs of at most ``sub_nodes`` nodes each, the
    size adapted by proof, not by seconds; the time limit is a safety net (``stats.clock_cut``).
    ``workers`` > 1 solves that many areas that share no column side by side (one HiGHS thread each;
    :meth:`_Areas.side_by_side`) and keeps the answers that gain in order of gain while the whole
    model's rows hold (:func:`_combine`); the answer depends on ``workers``, not on the machine. With
    a ``guide`` the seeds are the plots where the incumbent loses most against the Lagrangian
    relaxation (:class:`Guide`) not yet covered in the sweep, else a random order (``seed``); with
    ``chains`` (and a guide) an area is the plots linked to its seed through the firms' moves
    (:meth:`_Areas.linked`), else the nearest plots. The search stops once the objective reaches
    ``stop_at`` (``stats.reached``). With ``exchange`` firms also trade plots
    (:mod:`revopt.solve.exchange`) where the sub-MIPs stop gaining (:func:`_unstick`).
    ``progress(elapsed, objective)`` hears of each gain. Returns the best vector found (``x`` itself
    when nothing better was found).
    """
    t0 = time.perf_counter()
    st = LnsStats()
    n_plots = len(inst.plots)
    if lay.n_x == 0 or n_plots == 0 or time_limit <= 0:
        return x, st
    if stop_at is not None and float(lm.cost @ x) >= stop_at:
        st.reached = True
        return x, st
    sub = _Sub(lm, x)
    areas = _Areas(inst, lay, lm, None if guide is None else guide.x_relaxed, chains=chains and guide is not None,
                   seed=seed)
    rank = np.argsort(order := np.random.default_rng(seed).permutation(n_plots))
    scores = None if guide is None else _Scores(guide, sub, n_plots)
    best = float(lm.cost @ x)
    st.trace.append((0.0, best))
    trades = _Trades(lay, lm, sub, st, t0, time_limit, progress, rounds is None) if exchange else None
    since_gain, i, level, target = 0, 0, levels[0], float(target_pairs)
    covered = np.zeros(n_plots, dtype=bool)
    with _Solvers(workers) as solvers:
        while True:
            k = areas.size(target)
            left = time_limit - (time.perf_counter() - t0)
            if since_gain > n_plots // max(1, k // 2) + 1:  # about two sweeps without a gain
                go_on, best = _unstick(st, levels, trades, best)
                if not go_on:
                    break
                level, since_gain = levels[st.level], 0
            if rounds is not None and st.rounds >= rounds:
                break  # the work done
            if left < 0.2:
                st.clock_cut = st.out_of_time = True
                break
            limit = min(WORK_SUB_MIP_S if sub_nodes is not None else level.seconds, left)
            ts = time.perf_counter()
            seeds, covered, in_areas = _seeds(scores, areas, sub, covered, k, workers, order, rank, i)
            answers = solvers.round(sub, areas, seeds, k, limit, threads, sub_nodes, level.gap, in_areas)
            i += workers
            st.rounds += len(answers)
            st.clock_cut |= any(a[3] for a in answers)
            target = _adapt(target, all(a[2] for a in answers),
                            None if sub_nodes is not None else time.perf_counter() - ts, target_pairs, level)
            gains, gained = _combine(sub, answers, best)
            if not gains:
                since_gain += len(answers)
                continue
            best, since_gain = _gained(st, gains, gained, float(lm.cost @ sub.x), time.perf_counter() - t0, progress), 0
            if stop_at is not None and best >= stop_at:
                st.reached = True
                break
    st.killed = solvers.kills
    st.seconds = time.perf_counter() - t0
    if st.improved == 0:
        return x, st
    return sub.x.copy(), st


class _Trades:
    """The exchange moves (:class:`~revopt.solve.exchange.Exchange`) inside a search: on its incumbent,
    counted in its stats, within its time limit."""

    def __init__(self, lay: Layout, lm: LinearModel, sub: _Sub, st: LnsStats, t0: float, time_limit: float,
                 progress, by_rate: bool):
        self.lay, self.lm, self.sub, self.st = lay, lm, sub, st
        self.ex: Exchange | None = None  # made at the first stall: a search that never stalls pays nothing
        self.t0, self.deadline, self.progress = t0, t0 + time_limit, progress
        #: stop trading once a round of trades gained less per second than the search so far (not in
        #: the reproducible mode, where the clock must not decide)
        self.by_rate, self.on = by_rate, True

    def run(self, best: float) -> float:
        """Trades until a pass gains nothing; the objective after them."""
        if not self.on:
            return best
        start = time.perf_counter()
        search_rate = (best - self.st.trace[0][1]) / max(1e-9, start - self.t0)
        if self.ex is None:
            self.ex = Exchange(self.lay, self.lm, self.sub)
        ex = self.ex.run(deadline=self.deadline)
        self.st.clock_cut |= ex.clock_cut
        self.st.trades += ex.moves
        self.on = not self.by_rate or ex.gain >= search_rate * (time.perf_counter() - start)
        if not ex.moves:
            return best
        return _gained(self.st, 1, ex.gain, float(self.lm.cost @ self.sub.x), time.perf_counter() - self.t0,
                       self.progress)


def _unstick(st: LnsStats, levels: tuple[Level, ...], trades: _Trades | None, best: float) -> tuple[bool, float]:
    """After about two sweeps without a gain: the trades (when they gain, the search goes on at its
    level), else the next level, else the end; (whether the search goes on, the objective)."""
    if trades is not None:
        after = trades.run(best)
        if after > best:
            return True, after
    if st.level + 1 < len(levels):
        st.level += 1  # work the sub-MIPs harder
        return True, best
    return False, best


def _gained(st: LnsStats, gains: int, gained: float, best: float, elapsed: float, progress) -> float:
    """Count an accepted round in ``st`` (and tell ``progress``); returns the new objective ``best``."""
    st.improved += gains
    st.gain += gained
    st.trace.append((elapsed, best))
    if progress is not None:
        progress(elapsed, best)
    return best


def _seeds(scores: _Scores | None, areas: _Areas, sub: _Sub, covered: np.ndarray, k: int, workers: int,
           order: np.ndarray, rank: np.ndarray, i: int) -> tuple[list[int], np.ndarray, list[np.ndarray] | None]:
    """The next round's seeds: :func:`_guided_seeds` with a guide, else the next ``workers`` plots of
    the random ``order`` from position ``i`` (their areas are left to the round)."""
    if scores is None:
        return [int(order[(i + a) % len(order)]) for a in range(workers)], covered, None
    return _guided_seeds(scores, areas, sub, covered, k, workers, rank)


def _guided_seeds(scores: _Scores, areas: _Areas, sub: _Sub, covered: np.ndarray, k: int, workers: int,
                  rank: np.ndarray) -> tuple[list[int], np.ndarray, list[np.ndarray]]:
    """The ``workers`` uncovered plots where the incumbent loses most (ties by ``rank``, the place
    in a random order), the plots covered once their areas are added (all uncovered again when a
    sweep is complete), and those areas."""
    if covered.all():
        covered = np.zeros_like(covered)
    score = np.where(covered, -np.inf, scores.now)
    if workers < len(score):  # the top few without sorting every plot
        kth = np.partition(score, len(score) - workers)[len(score) - workers]
        top = np.flatnonzero(score >= kth)
    else:
        top = np.arange(len(score))
    best = top[np.lexsort((rank[top], -score[top]))][:workers]
    seeds = [int(p) for p in best if np.isfinite(score[p])]
    covered = covered.copy()
    placed = areas.placed_of(sub) if areas.chains else None
    in_areas = [areas.around(p, k, placed) for p in seeds]
    for in_area in in_areas:
        covered |= in_area
    return seeds, covered, in_areas


class _Solvers:
    """The sub-MIP solvers of one search: a child process per worker (:class:`SubMipWorker`) and, for
    more than one worker, the threads that wait on them side by side."""

    def __init__(self, workers: int):
        self.pool = ThreadPoolExecutor(workers) if workers > 1 else None
        self.children = [SubMipWorker() for _ in range(workers)]

    @property
    def kills(self) -> int:
        return sum(child.kills for child in self.children)

    def round(self, sub: _Sub, areas: _Areas, seeds: list[int], k: int, limit: float, threads: int | None,
              nodes: int | None, gap: float, in_areas: list[np.ndarray] | None = None) -> list[tuple]:
        """One round: the area around ``seeds[0]`` (one worker), or the areas around ``seeds`` that do
        not overlap, solved side by side; their answers (:meth:`_Sub.solve`). ``in_areas``: the
        seeds' areas when known."""
        placed = areas.placed_of(sub)
        if self.pool is None:
            in_area = areas.around(seeds[0], k, placed) if in_areas is None else in_areas[0]
            free = areas.free_in(in_area, placed.at < 0, placed.at, credits_everywhere=True)
            return [sub.solve(free, self.children[0], limit, threads, nodes, gap)]
        frees = areas.side_by_side(seeds, k, placed, in_areas)
        return list(self.pool.map(lambda job: sub.solve(job[0], job[1], limit, 1, nodes, gap),
                                  zip(frees, self.children)))

    def __enter__(self) -> _Solvers:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown()
        for child in self.children:
            child.close()


#: the priced neighbourhood keeps this many of each firm's pairs (the best by reduced value at the
#: bound's prices; with the incumbent's and the relaxation's): docs/benchmarks.md#priced-neighbourhood
PRICED_PER_FIRM = 3
#: HiGHS's root cut loop on it ends sooner (its own sub-MIP heuristic finds the gain after the loop;
#: gap-d1600x80: 94,944 at 9 s with these, 94,793 at 14 s without)
PRICED_OPTIONS = {"mip_lp_age_limit": 2, "mip_pool_soft_limit": 300}


def priced_columns(lay: Layout, guide: Guide, x: np.ndarray, also: np.ndarray | None = None,
                   per_firm: int = PRICED_PER_FIRM) -> np.ndarray:
    """The columns of the priced neighbourhood, as a mask: of each firm its ``per_firm`` pairs of
    largest reduced value at the guide's prices, the pair the incumbent ``x`` uses, the pairs the
    relaxation uses and those ``also`` uses (a partial repair); every column that is not a pair
    (designations, intensification, development, credits)."""
    n_x = lay.n_x
    firm = lay.pairs["firm"].to_numpy(np.int64)
    order = np.lexsort((-guide.rc[:n_x], firm))  # by firm, the best reduced value first
    starts = group_starts(firm, int(firm.max()) + 1 if n_x else 0)
    rank = np.empty(n_x, dtype=np.int64)
    rank[order] = np.arange(n_x) - np.repeat(starts[:-1], np.diff(starts))
    free = np.ones(len(x), dtype=bool)
    free[:n_x] = (rank < per_firm) | (x[:n_x] > 0.5) | (guide.x_relaxed[:n_x] > 1e-3)
    if also is not None:
        free[:n_x] |= also[:n_x] > 0.5
    return free


def priced(lm: LinearModel, x: np.ndarray, free: np.ndarray, *, time_limit: float,
           threads: int | None) -> tuple[np.ndarray, bool]:
    """One sub-MIP over every plot with the columns ``free`` (:func:`priced_columns`), from the
    feasible ``x``: where the Lagrangian repair failed and the greedy started from its own orders,
    the search's areas climb slowly (gap-d1600x80: from 10.4 % below the bound), and this brings
    the prices back in at once (with the partial repair's pairs: 94,944 in 9 s; without them
    91,140 in 14 s). Its answer is kept as the search keeps an area's (:func:`_combine`). Returns
    the better vector (``x`` when nothing better came) and whether the clock stopped the sub-MIP."""
    sub = _Sub(lm, x)
    with SubMipWorker() as worker:
        answer = sub.solve(free, worker, time_limit, threads, options=PRICED_OPTIONS)
    kept, _ = _combine(sub, [answer], float(lm.cost @ x))
    return (sub.x.copy() if kept else x), answer[3]


def _combine(sub: _Sub, answers: list[tuple], objective: float) -> tuple[int, float]:
    """Put the areas' answers that gain into the incumbent, the largest gain first, each only if
    every row it touches still holds (areas share no column, but they may share a row's room: two
    areas that each fill the last megawatt of one substation cannot both be kept); (answers kept,
    their gain). ``objective``: the incumbent's, for the relative threshold of a gain."""
    lm = sub.lm
    gains = []
    for cols, values, _, _ in answers:
        if values is None:
            continue
        delta = float(lm.cost[cols] @ (values - sub.x[cols]))
        if delta > 1e-9 * max(1.0, abs(objective)):
            gains.append((delta, cols, values))
    gains.sort(key=lambda g: -g[0])
    kept, gained = 0, 0.0
    for delta, cols, values in gains:
        rows, change = sub.change(cols, values)
        if not sub.holds(rows, change):
            continue
        sub.accept(cols, values, rows, change)
        kept += 1
        gained += delta
    return kept, gained
