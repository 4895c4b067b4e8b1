"""A Lagrangian upper bound on the MIP: as tight as the LP relaxation or tighter, in seconds (issue 12).

The model (:func:`revopt.model.build.build_model`) is

    max c x   s.t.   lo <= A x <= hi,   l <= x <= u,   x_j integer for the binaries.

**The dual function.** Split the rows into *kept* rows K and *dualised* rows R. Take
multipliers y on R with the sign of the side they price,

    y_i >= 0 where lo_i = -inf,      y_i <= 0 where hi_i = +inf,      free where both are finite,

and write y+ = max(y, 0), y- = max(-y, 0). Every x with lo <= A x <= hi has
y_i (A x)_i <= y+_i hi_i - y-_i lo_i, so every feasible x of the MIP has

    c x <= sum_{i in R} (y+_i hi_i - y-_i lo_i) + (c - A_R' y) x
        <= L(y) := sum_{i in R} (y+_i hi_i - y-_i lo_i) + max { (c - A_R' y) x : x in X },

where X is *any* set containing the integer points that satisfy the kept rows and the column
bounds. Every L(y) is a valid upper bound, whatever y (with those signs) is: the search for
good multipliers below only makes it tighter, it is never needed for validity. Two rules the
code keeps for that reason:

- the inner maximum may be *over*-estimated, never under-estimated: a fractional knapsack (an
  LP) in place of a 0-1 knapsack is valid, an exact 0-1 knapsack tighter;
- a column that appears in dualised rows only adds max(r_j l_j, r_j u_j) for its reduced cost
  r_j = c_j - (A_R' y)_j over a box [l_j, u_j] that holds every feasible value. An infinite box
  with r_j != 0 makes L infinite, so such columns get *implied* bounds
  (:func:`implied_column_bounds`): for a row lo <= sum_k a_k x_k <= hi and a column j in it,
  a_j x_j = (A x) - sum_{k != j} a_k x_k lies in [lo - max_rest, hi - min_rest], with min_rest
  and max_rest the least and greatest activity of the other terms over their (finite) boxes;
  this holds at every point that satisfies the row and the boxes. Here: an emission
  e[p] = sum_f kg_f x[f,p] (C6_emission) lies in [0, sum_f kg_f]; a credit c[t,p,k] in
  [0, F_p * (werkmilieus of p)] by its class cap (C7_class_cap). The same bounds tighten the
  binaries: a pair whose grid demand, noise use or freight alone exceeds its row's room is 0
  in every feasible point. :func:`dual_bound` is the same formula with every row dualised: a
  valid bound from any dual vector (an LP solver's, first-order iterates, ...).

**What is kept** is everything that lives on one plot or on the plots of one planned terrain:

- C2 designation (at most one werkmilieu, on a planned terrain only when developed), C3
  compatibility (a pair only under a werkmilieu of W(f, p)), C4 floor space (capacity
  cap_p * D_p + intensify_extra_p * u_p) and C4_intensify (u_p only on a designated plot);
- the C7 class and plot caps of the plot's compensation credits;
- every row with a single nonzero on a binary (locks, plan choices): a column bound, applied
  exactly; a firm with a forced pair has its other pairs at 0 (C1). (A firm's C1 row stays
  dualised even with one pair: its multiplier is the firm's price.)

Dualised are C1 placement and all coupling rows: C5 grid, C6 nitrogen, C7 demand, C8 corridors,
C9 claims, C10 lifecycle, C11 noise and any family added later (not kept means dualised). The
emission rows C6_emission are equalities that *define* e[p]; their multiplier is not searched
but set so that e's reduced cost is 0 (y_emission[p] = sum_n y_n mol[p,n]), which is the same
as substituting e into the nitrogen rows. Dualised rows are scaled by 1 / max(|a_ij|, |rhs_i|)
before the search (L does not change; the multipliers are reported unscaled).

**The subproblem** splits by plot. An *option* of plot p is a werkmilieu w it may get and an
intensification u in {0, 1}, with floor capacity C_o = cap_p + extra_p u (less what locked
firms take). Its value is

    V_o = r_z[p,w] + u r_u[p] + (locked pairs) + K_o(r) + credit_o(r),

where K_o is the knapsack of the plot's pairs that fit w, by reduced cost, within C_o, and
credit_o the (exact) LP over the plot's credits c[t,p,k]: per class the best r_c, filled
greedily into the class caps and the plot cap. A plot takes max(0, max_o V_o) ("none" is 0,
refused when a lock forces a firm or a werkmilieu onto it); a planned terrain takes its d with
r_d + the sum of its plots when that beats 0 (respecting plan_develop). K_o is solved as a
fractional knapsack for every option of every plot at once (one sort by reduced cost per m2, a
segmented cumulative sum): an over-estimate of the 0-1 knapsack, so every L(y) is valid. With
the werkmilieu, u and d chosen integrally this subproblem is tighter than its own LP, so
min_y L(y) is at most the LP relaxation's optimum (by LP duality the LP optimum is the min over
y of the dual function whose subproblem is that LP). At the end the knapsacks that came out
fractional are solved again as 0-1 problems (branch and bound, :mod:`revopt.solve._knapsack`),
which can take the bound below the LP.

**Finding multipliers: prices.** Plain subgradient on y stalls here (thousands of firm
multipliers, each firm attractive on many plots at once). The search instead runs over a price
pi_o >= 0 per option (the price of its whole capacity, in euro) and the coupling multipliers
mu. Given (pi, mu), each firm's multiplier is its best net value
lambda_f = max(0, max over (pair j, option o) of r_j - w_j pi_o / C_o) (no 0 for a must-place
firm), and

    D(pi, mu) = rows(mu) + sum_f lambda_f + sum_p max(0, max_o V'_o + pi_o)

(V'_o the option value without the knapsack) is itself a valid bound: for a feasible solution,
each placed pair has r_j <= lambda_f + w_j pi_o / C_o for the option o of its plot, and the
floor used on a plot is at most C_o. Moreover L(lambda, mu) <= D(pi, mu) (each knapsack at
reduced costs r - lambda is at most pi_o, by weak LP duality). D depends on few variables
(options and coupling rows, not firms); it is minimised with per-coordinate adaptive steps
(Rprop: a step grows while its derivative keeps its sign and halves when it flips), first on a
smooth over-estimate D_tau (every max replaced by tau * log-sum-exp, which is >= the max, so
D_tau is still valid) with tau shrinking to 0, then on D itself. Every few steps L(lambda(pi),
mu) is evaluated (it is never above D there); the best value of L seen is the bound. Measured
in docs/bounds.md (benchmarks/bound.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ..model import compatibility, compensation, designation, floorspace, placement
from ..model.block import LinearModel
from ..model.layout import Layout
from . import _knapsack

#: the families solved exactly inside the plot subproblem (all other rows with two or more nonzeros are dualised)
KEPT = (designation.NAME, compatibility.NAME, floorspace.NAME, floorspace.NAME_U, compensation.NAME_CLASS,
        compensation.NAME_PLOT)
#: smoothing levels of the price search, relative to the mean positive pair value (0: D itself)
TAU_SCHEDULE = (1e-2, 1e-3, 1e-4, 0.0)
#: L is evaluated every this many price steps (and at the end of each smoothing level)
CHECK_EVERY = 25
#: branch-and-bound nodes per knapsack before the fractional value is kept
NODE_LIMIT = 20_000


@dataclass
class LagrangianResult:
    """The best bound found and what produced it.

    ``bound`` is a valid upper bound on the MIP optimum (-inf: the relaxation, hence the MIP, is
    infeasible). ``multipliers`` has one entry per row of the LinearModel (0 on kept rows and on
    rows used as column bounds), in the sign convention of the module docstring: the y of the
    best L. ``x_relaxed`` is the subproblem's solution at those multipliers (pairs may be
    fractional where a knapsack was), ``designation`` per plot position the chosen werkmilieu's
    z column (-1: none). ``history`` holds (seconds, bound so far) at every evaluation of L.
    ``status``: ``converged`` (within ``tolerance`` of the incumbent), ``iteration_limit``,
    ``time_limit`` or ``infeasible``.
    """

    bound: float
    multipliers: np.ndarray
    x_relaxed: np.ndarray
    designation: np.ndarray
    iterations: int
    seconds: float
    status: str
    history: list[tuple[float, float]] = field(default_factory=list)
    fractional_bound: float = np.inf    # L at the best multipliers before the 0-1 knapsacks
    prices: np.ndarray | None = None    # the search's state (option prices, then coupling multipliers)
    steps_seconds: float = 0.0          # of ``seconds``, the price steps' (before the 0-1 knapsacks)


# ----------------------------------------------------------------------------------------------
# generic helpers: entries, column bounds, a bound from any dual vector


def _entries(lm: LinearModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, col, value) of every nonzero of ``lm``."""
    return lm.row_ids(), lm.index.astype(np.int64), lm.value.astype(float)


def _single_row_bounds(lm: LinearModel, er: np.ndarray, ec: np.ndarray, ev: np.ndarray,
                       lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool, np.ndarray]:
    """Column bounds tightened by the rows with one nonzero; whether some row is violated outright;
    the mask of the one-nonzero rows."""
    lower, upper = lower.copy(), upper.copy()
    count = np.diff(lm.start)
    infeasible = bool(np.any((count == 0) & ((lm.row_lower > 1e-9) | (lm.row_upper < -1e-9))))
    single = count == 1
    sel = np.flatnonzero(single[er])
    if len(sel):
        r, c, a = er[sel], ec[sel], ev[sel]
        np.maximum.at(lower, c, np.where(a > 0, lm.row_lower[r] / a, lm.row_upper[r] / a))
        np.minimum.at(upper, c, np.where(a > 0, lm.row_upper[r] / a, lm.row_lower[r] / a))
    integer = lm.integrality.astype(bool)
    lower[integer] = np.ceil(lower[integer] - 1e-9)
    upper[integer] = np.floor(upper[integer] + 1e-9)
    return lower, upper, infeasible | bool(np.any(lower > upper + 1e-9)), single


def implied_column_bounds(lm: LinearModel, lower: np.ndarray | None = None, upper: np.ndarray | None = None,
                          passes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Column bounds that hold at every feasible point of the MIP, finite where the rows allow.

    Starts from ``lower``/``upper`` (default: the model's). For every row and every column j in
    it, a_j x_j lies in [lo - max_rest, hi - min_rest], with min_rest / max_rest the least and
    greatest activity of the row's other terms over their boxes (where those are finite). A
    continuous column keeps the bound with a relative slack of 1e-9 (round-off must not cut a
    feasible value); an integer column's bound is rounded inwards. Repeated ``passes`` times.
    """
    lo = lm.col_lower.astype(float).copy() if lower is None else np.asarray(lower, float).copy()
    up = lm.col_upper.astype(float).copy() if upper is None else np.asarray(upper, float).copy()
    integer = lm.integrality.astype(bool)
    chunks = _row_chunks(lm.start)
    for _ in range(passes):
        new_lo, new_up = lo.copy(), up.copy()
        for r0, r1 in chunks:  # whole rows at a time: the same sums, a fraction of the memory
            _implied_in_rows(lm, r0, r1, lo, up, integer, new_lo, new_up)
        if np.array_equal(new_lo, lo) and np.array_equal(new_up, up):
            break
        lo, up = new_lo, new_up
    return lo, up


#: nonzeros per chunk of rows in :func:`implied_column_bounds` (about 15 arrays of this length
#: live at once: 250 MB at 2^21, against 1.6 GB for the 14 million nonzeros of the national preset)
CHUNK_NNZ = 1 << 21


def _row_chunks(start: np.ndarray, size: int | None = None) -> list[tuple[int, int]]:
    """Consecutive row ranges [r0, r1) of about ``size`` (default :data:`CHUNK_NNZ`) nonzeros each (a
    longer row is one range)."""
    size = CHUNK_NNZ if size is None else size
    n_rows, out, r0 = len(start) - 1, [], 0
    while r0 < n_rows:
        r1 = max(r0 + 1, int(np.searchsorted(start, start[r0] + size, side="right")) - 1)
        out.append((r0, min(r1, n_rows)))
        r0 = min(r1, n_rows)
    return out


def _implied_in_rows(lm: LinearModel, r0: int, r1: int, lo: np.ndarray, up: np.ndarray, integer: np.ndarray,
                     new_lo: np.ndarray, new_up: np.ndarray) -> None:
    """One pass of :func:`implied_column_bounds` over rows [r0, r1): tighten ``new_lo``/``new_up``
    by what those rows imply at the bounds ``lo``/``up``."""
    s0, s1 = int(lm.start[r0]), int(lm.start[r1])
    n = r1 - r0
    er = np.repeat(np.arange(n), np.diff(lm.start[r0:r1 + 1]))
    ec, ev = lm.index[s0:s1], lm.value[s0:s1]
    with np.errstate(invalid="ignore"):
        lo_term = np.where(ev > 0, ev * lo[ec], ev * up[ec])   # least value of a_k x_k
        hi_term = np.where(ev > 0, ev * up[ec], ev * lo[ec])   # greatest value of a_k x_k
    lo_inf, hi_inf = ~np.isfinite(lo_term), ~np.isfinite(hi_term)
    min_act = np.bincount(er, np.where(lo_inf, 0.0, lo_term), minlength=n)
    max_act = np.bincount(er, np.where(hi_inf, 0.0, hi_term), minlength=n)
    n_lo_inf = np.bincount(er, lo_inf, minlength=n)[er] - lo_inf
    n_hi_inf = np.bincount(er, hi_inf, minlength=n)[er] - hi_inf
    rest_min = np.where(n_lo_inf == 0, min_act[er] - np.where(lo_inf, 0.0, lo_term), -np.inf)
    rest_max = np.where(n_hi_inf == 0, max_act[er] - np.where(hi_inf, 0.0, hi_term), np.inf)
    ax_hi = lm.row_upper[r0:r1][er] - rest_min          # a_j x_j <= hi - min_rest
    ax_lo = lm.row_lower[r0:r1][er] - rest_max          # a_j x_j >= lo - max_rest
    bound_up = np.where(ev > 0, ax_hi / ev, ax_lo / ev)
    bound_lo = np.where(ev > 0, ax_lo / ev, ax_hi / ev)
    slack = 1e-9 * np.maximum(1.0, np.abs(np.where(np.isfinite(bound_up), bound_up, 0.0)))
    bound_up = np.where(integer[ec], np.floor(bound_up + 1e-9), bound_up + slack)
    slack = 1e-9 * np.maximum(1.0, np.abs(np.where(np.isfinite(bound_lo), bound_lo, 0.0)))
    bound_lo = np.where(integer[ec], np.ceil(bound_lo - 1e-9), bound_lo - slack)
    np.minimum.at(new_up, ec, bound_up)
    np.maximum.at(new_lo, ec, bound_lo)


def _row_terms(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """y+ hi - y- lo per row (0 where y is 0; +inf where y prices a side that is infinite)."""
    out = np.zeros(len(y))
    pos, neg = y > 0, y < 0
    out[pos] = y[pos] * hi[pos]
    out[neg] = y[neg] * lo[neg]
    return out


def _box_max(rc: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """max over [lower, upper] of rc * x per column (0 where rc is 0, also on an infinite box)."""
    out = np.zeros(len(rc))
    pos, neg = rc > 0, rc < 0
    out[pos] = rc[pos] * upper[pos]
    out[neg] = rc[neg] * lower[neg]
    return out


def dual_bound(lm: LinearModel, y: np.ndarray, col_bounds: tuple[np.ndarray, np.ndarray] | None = None,
               clean: bool = True) -> float:
    """A valid upper bound on the MIP's ``max c x`` from any row multipliers ``y`` (every row dualised):

        L(y) = sum_i (y+_i hi_i - y-_i lo_i) + sum_j max over [l_j, u_j] of (c - A'y)_j x_j.

    ``y`` is in the sign convention of the module docstring, which is HiGHS's ``row_dual`` for a
    maximisation. ``col_bounds`` default to :func:`implied_column_bounds`, so a continuous column
    with an infinite model bound does not make the bound infinite. With ``clean``, multipliers of
    the wrong sign for their row (y > 0 on a row without an upper side, y < 0 on one without a
    lower side: inexact duals often have them) are set to 0 first: any y gives a valid bound, a
    cleaned one a finite one. Returns +inf when a term is unbounded.
    """
    y = np.asarray(y, float).copy()
    if len(y) != lm.n_rows:
        raise ValueError(f"dual_bound: y has {len(y)} entries, the model {lm.n_rows} rows")
    if clean:
        y[(y > 0) & ~np.isfinite(lm.row_upper)] = 0.0
        y[(y < 0) & ~np.isfinite(lm.row_lower)] = 0.0
    lower, upper = implied_column_bounds(lm) if col_bounds is None else col_bounds
    rc = reduced_costs(lm, y)
    total = float(np.sum(_row_terms(y, lm.row_lower, lm.row_upper))) + float(np.sum(_box_max(rc, lower, upper)))
    return total if not np.isnan(total) else np.inf


def reduced_costs(lm: LinearModel, multipliers: np.ndarray) -> np.ndarray:
    """c - A'y per column for row multipliers y (e.g. :attr:`LagrangianResult.multipliers`): what a
    column is worth at those prices (a pair with a very negative one is unlikely in a good plan)."""
    er, ec, ev = _entries(lm)
    return lm.cost - np.bincount(ec, ev * np.asarray(multipliers, float)[er], minlength=lm.n_cols)


# ----------------------------------------------------------------------------------------------
# segmented helpers


def _group_max(v: np.ndarray, group: np.ndarray, starts: np.ndarray, has: np.ndarray, zero_ok: np.ndarray,
               tau: float) -> tuple[np.ndarray, np.ndarray]:
    """Per group: the max of its entries (and of 0 where ``zero_ok``), or with ``tau`` > 0 the
    log-sum-exp over-estimate tau * log(sum exp(v / tau)) of it; and each entry's probability of
    being the choice (tau = 0: 1 on the group's first best entry, none where the 0 wins).
    ``v`` is sorted by ``group``; ``starts[g]`` is group g's first entry where ``has[g]``. A
    group with no entry and no 0 gets -inf."""
    n = len(has)
    m = np.full(n, -np.inf)
    st = starts[has]
    if len(v):
        m[has] = np.maximum.reduceat(v, st)
    m = np.where(zero_ok, np.maximum(m, 0.0), m)
    if len(v) == 0:
        return m, np.zeros(0)
    mk = m[group]
    fin = np.isfinite(mk) & np.isfinite(v)
    if tau > 0:
        e = np.zeros(len(v))
        e[fin] = np.exp((v[fin] - mk[fin]) / tau)
        summ = np.zeros(n)
        summ[has] = np.add.reduceat(e, st)
        fm = np.isfinite(m)
        z = zero_ok & fm
        summ[z] += np.exp(-m[z] / tau)
        val = m.copy()
        val[fm] = m[fm] + tau * np.log(summ[fm])
        return val, e / np.where(summ[group] > 0, summ[group], 1.0)
    hit = (v >= mk) & fin & ((v > 0) | ~zero_ok[group])
    idx = np.where(hit, np.arange(len(v)), len(v))
    first = np.full(n, len(v))
    first[has] = np.minimum.reduceat(idx, st)
    p = np.zeros(len(v))
    p[first[first < len(v)]] = 1.0
    return m, p


def _within_group_before(group: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """For entries sorted by group: the sum of ``amount`` over the earlier entries of the same group."""
    if len(group) == 0:
        return np.zeros(0)
    cum = np.cumsum(amount)
    first = np.ones(len(group), bool)
    first[1:] = group[1:] != group[:-1]
    start = np.maximum.accumulate(np.where(first, cum - amount, -np.inf))
    return cum - amount - start


class ShapeError(AssertionError):
    """A kept family no longer has the shape the Lagrangian subproblem relies on (a model change)."""


def _check(ok, what: str) -> None:
    if not bool(ok):
        raise ShapeError(f"Lagrangian subproblem: {what}")


def _block_entries(lm: LinearModel, name: str, er, ec, ev):
    """(local row, col, value, lo, hi) of the rows of block ``name`` (empty arrays when it has none)."""
    if name not in lm.block_rows:
        z = np.zeros(0, np.int64)
        return z, z, np.zeros(0), np.zeros(0), np.zeros(0)
    a, b = lm.block_rows[name]
    s, t = int(lm.start[a]), int(lm.start[b])
    return er[s:t] - a, ec[s:t], ev[s:t], lm.row_lower[a:b], lm.row_upper[a:b]


# ----------------------------------------------------------------------------------------------
# the plot subproblem


class Relaxation:
    """What the dual function needs from (lay, lm): dualised rows, plots, options, pairs, credits.

    Everything here is fixed; :meth:`evaluate` (L), :meth:`price_bound` (D) and
    :meth:`firm_prices` take the multipliers. ``y`` is always the vector of *scaled*
    multipliers of the dualised rows (``rows``), in the module docstring's sign convention.
    """

    def __init__(self, lay: Layout, lm: LinearModel):
        self.lm = lm
        n, nx = lm.n_cols, lay.n_x
        self.n_cols, self.n_x = n, nx
        er, ec, ev = _entries(lm)
        lower, upper, infeasible, single = _single_row_bounds(lm, er, ec, ev, lm.col_lower.astype(float),
                                                              lm.col_upper.astype(float))
        lower, upper = implied_column_bounds(lm, lower, upper)
        self.infeasible = infeasible or bool(np.any(lower > upper + 1e-9))
        self._dual_rows(er, ec, ev, single)
        self._plots(lay, er, ec, ev, lower, upper)
        self.lower, self.upper = lower, upper
        self._options()
        self._defining_rows()

    # ---- set-up ---------------------------------------------------------------------------------
    def _dual_rows(self, er, ec, ev, single) -> None:
        lm = self.lm
        kept = np.zeros(lm.n_rows, bool)
        for name in KEPT:
            if name in lm.block_rows:
                a, b = lm.block_rows[name]
                kept[a:b] = True
        c1 = np.zeros(lm.n_rows, bool)
        if placement.NAME in lm.block_rows:
            a, b = lm.block_rows[placement.NAME]
            c1[a:b] = True
        free_row = ~np.isfinite(lm.row_lower) & ~np.isfinite(lm.row_upper)
        # a row with one nonzero is a column bound, except a firm's row (its multiplier is the firm's
        # price) and a row on a continuous column (the subproblem uses credits' caps, not their bounds)
        on_continuous = np.zeros(lm.n_rows, bool)
        on_continuous[er[lm.integrality[ec] == 0]] = True
        dual = ~kept & (~single | c1 | on_continuous) & ~free_row & (np.diff(lm.start) > 0)
        self.rows = np.flatnonzero(dual)
        self.local = np.full(lm.n_rows, -1, np.int64)
        self.local[self.rows] = np.arange(len(self.rows))
        sel = np.flatnonzero(dual[er])
        biggest = np.zeros(lm.n_rows)
        np.maximum.at(biggest, er[sel], np.abs(ev[sel]))
        rhs = np.maximum(np.where(np.isfinite(lm.row_lower), np.abs(lm.row_lower), 0.0),
                         np.where(np.isfinite(lm.row_upper), np.abs(lm.row_upper), 0.0))
        self.scale = 1.0 / np.maximum(biggest, rhs)[self.rows]
        # int32: these index rows and columns only (at national size 7 million entries: 56 MB less)
        self.dr, self.dc = self.local[er[sel]].astype(np.int32), ec[sel].astype(np.int32)
        self.dv = ev[sel] * self.scale[self.dr]
        self.lo = lm.row_lower[self.rows] * self.scale
        self.hi = lm.row_upper[self.rows] * self.scale
        self.n_dual = len(self.rows)
        self.sign_lo = np.isfinite(self.hi) & ~np.isfinite(self.lo)   # y >= 0
        self.sign_hi = np.isfinite(self.lo) & ~np.isfinite(self.hi)   # y <= 0
        self.is_c1 = c1[self.rows]

    def _plots(self, lay: Layout, er, ec, ev, lower: np.ndarray, upper: np.ndarray) -> None:
        """Read the kept families: designations, pairs, floor capacities, credits, bounds.

        Each family is read (and its shape checked) in turn; ``lower`` and ``upper`` are tightened
        in place (credits relaxed to [0, inf), a forced firm's other pairs at 0)."""
        def block(name: str):
            return _block_entries(self.lm, name, er, ec, ev)

        role, g_of_col = self._columns(lay)
        plot_d = self._read_designation(block(designation.NAME), role, g_of_col)
        inc_item, inc_g = self._read_compatibility(block(compatibility.NAME), g_of_col)
        self._read_floor(block(floorspace.NAME), role, plot_d)
        self._check_intensify(block(floorspace.NAME_U), role, len(lay.u))
        self._read_credit_caps(block(compensation.NAME_CLASS), block(compensation.NAME_PLOT), role, g_of_col,
                               lay.c["plot"].to_numpy(np.int64), lower, upper)
        forced = self._read_firms(block(placement.NAME), lower, upper)
        self._pair_and_designation_bounds(forced, inc_item, inc_g, lower, upper)
        self._terrains(lay, plot_d, role, lower, upper)

    def _columns(self, lay: Layout) -> tuple[np.ndarray, np.ndarray]:
        """The layout's columns per role; (role per column, designation index per z column)."""
        n, nx = self.n_cols, self.n_x
        zcol = lay.z["col"].to_numpy(np.int64)
        zplot = lay.z["plot"].to_numpy(np.int64)
        item_plot = lay.pairs["plot"].to_numpy(np.int64)
        ccol = lay.c["col"].to_numpy(np.int64)
        cplot = lay.c["plot"].to_numpy(np.int64)
        ucol = lay.u["col"].to_numpy(np.int64)
        n_plots = 1 + max([int(a.max()) for a in (zplot, item_plot, lay.u["plot"].to_numpy(np.int64), cplot)
                           if len(a)] or [-1])
        self.n_plots, self.zcol, self.zplot, self.n_g, self.item_plot = n_plots, zcol, zplot, len(zcol), item_plot
        self.ccol = ccol
        g_of_col = np.full(n, -1, np.int64)
        g_of_col[zcol] = np.arange(len(zcol))
        ucol_p = np.full(n_plots, -1, np.int64)
        ucol_p[lay.u["plot"].to_numpy(np.int64)] = ucol
        self.ucol_p = ucol_p
        role = np.zeros(n, np.int8)          # 0 free, 1 pair, 2 designation, 3 intensification, 4 develop, 5 credit
        role[:nx] = 1
        role[zcol] = 2
        role[ucol] = 3
        role[ccol] = 5
        return role, g_of_col

    def _read_designation(self, entries, role: np.ndarray, g_of_col: np.ndarray) -> np.ndarray:
        """C2: the designations of one plot, on a planned terrain minus its d. Returns each plot's d
        column (-1: none) and marks the d columns in ``role``."""
        r, c, v, lo, hi = entries
        zplot = self.zplot
        isz = g_of_col[c] >= 0
        _check(np.all(v[isz] == 1.0), "C2 has a werkmilieu coefficient other than 1")
        row_plot = np.full(len(hi), -1, np.int64)
        row_plot[r[isz]] = zplot[g_of_col[c[isz]]]
        _check(np.all(row_plot[r[isz]] == zplot[g_of_col[c[isz]]]), "a C2 row spans plots")
        isd = ~isz
        _check(np.all(v[isd] == -1.0), "C2 links designations to something other than -d")
        plot_d = np.full(self.n_plots, -1, np.int64)
        plot_d[row_plot[r[isd]]] = c[isd]
        has_d = np.zeros(len(hi), bool)
        has_d[r[isd]] = True
        _check(np.all(np.where(has_d, hi, hi - 1.0) == 0.0) and np.all(~np.isfinite(lo)),
               "C2 is not 'at most one werkmilieu (when developed)'")
        _check(len(np.unique(row_plot[row_plot >= 0])) == len(np.unique(zplot)), "a designated plot has no C2 row")
        role[c[isd]] = 4
        return plot_d

    def _read_compatibility(self, entries, g_of_col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """C3: x_j - sum_{w in W(f,p)} z[p,w] <= 0 -> the (pair, designation) incidences."""
        r, c, v, lo, hi = entries
        nx = self.n_x
        isx = c < nx
        _check(np.all(v[isx] == 1.0) and np.all(hi == 0.0), "C3 is not 'x <= sum of compatible z'")
        row_item = np.full(len(hi), -1, np.int64)
        row_item[r[isx]] = c[isx]
        _check(np.all(g_of_col[c[~isx]] >= 0) and np.all(v[~isx] == -1.0), "C3 holds a column that is not a z")
        inc_item, inc_g = row_item[r[~isx]], g_of_col[c[~isx]]
        _check(np.all(self.zplot[inc_g] == self.item_plot[inc_item]), "C3 links a pair to another plot's werkmilieu")
        _check(nx == 0 or np.all(np.bincount(row_item[row_item >= 0], minlength=nx) == 1), "a pair has no C3 row")
        return inc_item, inc_g

    def _read_floor(self, entries, role: np.ndarray, plot_d: np.ndarray) -> None:
        """C4 floor: sum floor x - a_d d - a_u u <= hi -> the pairs' floor and the plots' capacities."""
        r, c, v, lo, hi = entries
        nx, n_plots, item_plot = self.n_x, self.n_plots, self.item_plot
        isx = c < nx
        weight = np.zeros(nx)
        weight[c[isx]] = v[isx]
        _check(np.all(v[isx] >= 0) and np.all(~np.isfinite(lo)), "C4 is not 'floor <= capacity'")
        row_plot = np.full(len(hi), -1, np.int64)
        row_plot[r[isx]] = item_plot[c[isx]]
        _check(np.all(row_plot[r[isx]] == item_plot[c[isx]]), "a C4 row spans plots")
        cap1 = np.zeros(n_plots)             # floor capacity when designated (d = 1) with u = 0
        capu = np.zeros(n_plots)             # extra capacity with u = 1
        cap1[row_plot[row_plot >= 0]] = hi[row_plot >= 0]
        rp, rc_, rv = row_plot[r[~isx]], c[~isx], v[~isx]
        _check(np.all(rp >= 0), "a C4 row has no pair")
        on_d, on_u = role[rc_] == 4, role[rc_] == 3
        _check(np.all(on_d | on_u), "C4 holds a column that is neither d nor u")
        _check(np.all(plot_d[rp[on_d]] == rc_[on_d]), "C4 and C2 disagree on a plot's terrain")
        _check(np.all(self.ucol_p[rp[on_u]] == rc_[on_u]), "C4 holds another plot's intensification")
        cap1[rp[on_d]] -= rv[on_d]
        capu[rp[on_u]] = -rv[on_u]
        self.weight = weight
        self.cap1, self.capu = cap1, capu

    @staticmethod
    def _check_intensify(entries, role: np.ndarray, n_u: int) -> None:
        """C4_intensify: u - sum z <= 0 (u only on a designated plot); the options encode it."""
        r, c, v, lo, hi = entries
        on_u = role[c] == 3
        _check(np.all(hi == 0.0) and np.all(v[on_u] == 1.0) and np.all(v[~on_u] == -1.0)
               and np.all(role[c[~on_u]] == 2), "C4_intensify is not 'u <= sum z'")
        _check(len(np.unique(c[on_u])) == n_u, "an intensification has no C4_intensify row")

    def _read_credit_caps(self, class_entries, plot_entries, role: np.ndarray, g_of_col: np.ndarray,
                          cplot: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """C7 caps: per credit its class row and its plot row; their capacities per designation / u."""
        ccol = self.ccol
        k_of_col = np.full(self.n_cols, -1, np.int64)
        k_of_col[ccol] = np.arange(len(ccol))
        r, c, v, lo, hi = class_entries
        isc = role[c] == 5
        _check(np.all(v[isc] == 1.0) and np.all(hi == 0.0) and np.all(role[c[~isc]] == 2) and np.all(v[~isc] <= 0),
               "C7_class_cap is not 'sum c <= F z'")
        _check(np.all(np.bincount(k_of_col[c[isc]], minlength=len(ccol)) == 1), "a credit is not in one class cap")
        self.n_class = len(hi)
        self.c_class = np.full(len(ccol), -1, np.int64)
        self.c_class[k_of_col[c[isc]]] = r[isc]
        self.kz_row, self.kz_g, self.kz_cap = r[~isc], g_of_col[c[~isc]], -v[~isc]   # class cap under designation g
        r, c, v, lo, hi = plot_entries
        isc = role[c] == 5
        _check(np.all(v[isc] == 1.0) and np.all(hi == 0.0) and np.all(v[~isc] <= 0)
               and np.all(np.isin(role[c[~isc]], (2, 3))), "C7_plot_cap is not 'sum c <= a z + b u'")
        _check(np.all(np.bincount(k_of_col[c[isc]], minlength=len(ccol)) == 1), "a credit is not in one plot cap")
        row_plot = np.full(len(hi), -1, np.int64)
        row_plot[r[isc]] = cplot[k_of_col[c[isc]]]
        self.qz = np.zeros(self.n_g)          # plot cap under designation g (u = 0)
        self.qu = np.zeros(self.n_plots)      # extra plot cap with u = 1
        self.has_plotcap = np.zeros(self.n_plots, bool)
        self.has_plotcap[row_plot[row_plot >= 0]] = True
        on_z, on_u = role[c] == 2, role[c] == 3
        self.qz[g_of_col[c[on_z]]] = -v[on_z]
        self.qu[row_plot[r[on_u]]] = -v[on_u]
        # a credit's bounds (a single-nonzero demand row, or implied ones) stay in the dualised rows;
        # the subproblem relaxes them to [0, inf) and keeps the caps
        lower[ccol], upper[ccol] = 0.0, np.inf
        _check(np.all(self.lm.col_lower[ccol] == 0.0), "a credit has a lower bound")

    def _read_firms(self, entries, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """C1: the firm rows; a firm with a forced pair has its other pairs at 0. Returns the forced pairs' mask."""
        r, c, v, lo, hi = entries
        nx = self.n_x
        _check(np.all(c < nx) and np.all(v == 1.0) and np.all(hi == 1.0), "C1 is not 'a firm's pairs sum to <= 1'")
        self.n_firms = len(hi)
        firm_of_item = np.full(nx, -1, np.int64)
        firm_of_item[c] = r
        _check(nx == 0 or np.all(firm_of_item >= 0), "a pair has no C1 row")
        self.firm_of_item = firm_of_item
        self.firm_must = lo >= 1.0
        a = self.lm.block_rows.get(placement.NAME, (0, 0))[0]
        self.firm_dual = self.local[a + np.arange(self.n_firms)]    # the firm's dualised row (-1: empty row)
        forced = lower[:nx] >= 1.0
        forced_firm = np.zeros(self.n_firms, bool)
        forced_firm[firm_of_item[forced]] = True
        upper[:nx][forced_firm[firm_of_item] & ~forced] = 0.0
        self.infeasible |= bool(np.any(np.bincount(firm_of_item[forced], minlength=self.n_firms) > 1))
        self.forced_firm = forced_firm
        return forced

    def _pair_and_designation_bounds(self, forced: np.ndarray, inc_item: np.ndarray, inc_g: np.ndarray,
                                     lower: np.ndarray, upper: np.ndarray) -> None:
        """Bounds on pairs and designations: the usable incidences, the designations a plot may get,
        the plots that must be designated, what locked firms take, whether u may be 0 or 1."""
        nx, n_plots, zcol, zplot, item_plot = self.n_x, self.n_plots, self.zcol, self.zplot, self.item_plot
        self.forced_items = fx = np.flatnonzero(forced)
        usable = upper[:nx][inc_item] >= 1.0
        self.inc_item, self.inc_g = inc_item[usable & ~forced[inc_item]], inc_g[usable & ~forced[inc_item]]
        g_allowed = upper[zcol] >= 1.0
        forced_z = lower[zcol] >= 1.0
        n_forced_z = np.bincount(zplot[forced_z], minlength=n_plots)
        self.infeasible |= bool(np.any(n_forced_z > 1))
        g_allowed &= ~((n_forced_z[zplot] > 0) & ~forced_z)        # a locked werkmilieu excludes the others
        plot_needs = np.zeros(n_plots, bool)                          # "none" refused: a locked firm or werkmilieu
        plot_needs[zplot[forced_z]] = True
        plot_needs[item_plot[fx]] = True
        # a designation must admit every forced pair of its plot
        inc_fx = forced[inc_item] & usable
        n_ok = np.bincount(inc_g[inc_fx], minlength=self.n_g)
        g_allowed &= n_ok == np.bincount(item_plot[fx], minlength=n_plots)[zplot]
        self.g_allowed, self.plot_needs = g_allowed, plot_needs
        self.forced_weight = np.bincount(item_plot[fx], self.weight[fx], minlength=n_plots)
        uc = self.ucol_p[zplot]
        has_u = uc >= 0
        self.u_can0 = ~has_u | (lower[np.where(has_u, uc, 0)] <= 0.0)
        self.u_can1 = has_u & (upper[np.where(has_u, uc, 0)] >= 1.0)

    def _terrains(self, lay: Layout, plot_d: np.ndarray, role: np.ndarray, lower: np.ndarray,
                  upper: np.ndarray) -> None:
        """Planned terrains: their d and plots; and the columns outside the plot structure."""
        dcols = np.unique(plot_d[plot_d >= 0])
        self.dcols = dcols
        self.plot_dgroup = np.full(self.n_plots, -1, np.int64)
        self.plot_dgroup[plot_d >= 0] = np.searchsorted(dcols, plot_d[plot_d >= 0])
        on = self.plot_dgroup >= 0
        self.d_can1 = upper[dcols] >= 1.0
        self.d0_ok = (lower[dcols] <= 0.0) & (np.bincount(self.plot_dgroup[on], self.plot_needs[on],
                                                           minlength=len(dcols)) == 0)
        # columns outside the plot structure (emissions; a d without plots): over their box
        self.free = np.union1d(np.flatnonzero(role == 0),
                               np.setdiff1d(lay.d["col"].to_numpy(np.int64), dcols))

    def _options(self) -> None:
        """Options (designation g, intensification u) per plot, their capacities, and the (pair, option)
        incidences sorted by firm."""
        og = np.concatenate([np.flatnonzero(self.g_allowed & self.u_can0),
                             np.flatnonzero(self.g_allowed & self.u_can1)])
        ou = np.concatenate([np.zeros(int(np.sum(self.g_allowed & self.u_can0)), np.int64),
                             np.ones(int(np.sum(self.g_allowed & self.u_can1)), np.int64)])
        op = self.zplot[og]
        cap = self.cap1[op] + ou * self.capu[op] - self.forced_weight[op]
        keep = cap >= -1e-9                       # locked firms must fit
        og, ou, op, cap = og[keep], ou[keep], op[keep], np.maximum(cap[keep], 0.0)
        order = np.lexsort((ou, og, op))
        self.opt_g, self.opt_u, self.opt_plot, self.opt_cap = og[order], ou[order], op[order], cap[order]
        self.n_opt = len(og)
        self.plot_opt_start = np.searchsorted(self.opt_plot, np.arange(self.n_plots))
        self.plot_has_opt = np.bincount(self.opt_plot, minlength=self.n_plots) > 0
        # the option of each designation with u = 0 / u = 1 (-1: none)
        self.opt_of_g = np.full((2, self.n_g), -1, np.int64)
        self.opt_of_g[self.opt_u, self.opt_g] = np.arange(self.n_opt)
        o2 = self.opt_of_g[:, self.inc_g]                    # (2, incidences)
        m2 = o2 >= 0
        ki = np.concatenate([self.inc_item[m2[0]], self.inc_item[m2[1]]])
        ko = np.concatenate([o2[0][m2[0]], o2[1][m2[1]]])
        fits = (self.opt_cap[ko] > 0) | (self.weight[ki] == 0)   # an option without room takes weightless pairs only
        ki, ko = ki[fits], ko[fits]
        order = np.argsort(self.firm_of_item[ki], kind="stable")
        self.pk_item, self.pk_opt = ki[order].astype(np.int32), ko[order].astype(np.int32)
        self.pk_firm = self.firm_of_item[self.pk_item].astype(np.int32)
        capk = self.opt_cap[self.pk_opt]
        self.pk_wfrac = np.where(capk > 0, self.weight[self.pk_item] / np.where(capk > 0, capk, 1.0), 0.0)
        self.pk_start = np.searchsorted(self.pk_firm, np.arange(self.n_firms))
        self.firm_has = np.bincount(self.pk_firm, minlength=self.n_firms) > 0
        # a must-place firm that is not locked and has no usable option: the relaxation is infeasible
        self.infeasible |= bool(np.any(self.firm_must & ~self.firm_has & ~self.forced_firm))

    def _defining_rows(self) -> None:
        """Equality rows that alone fix a continuous column outside the plot structure (C6_emission)."""
        n = self.n_cols
        eq = np.isfinite(self.lo) & (self.lo == self.hi)
        cont_free = np.zeros(n, bool)
        cont_free[self.free] = self.lm.integrality[self.free] == 0
        in_eq = eq[self.dr] & cont_free[self.dc]
        n_eq = np.bincount(self.dc[in_eq], minlength=n)
        cand = np.flatnonzero(in_eq & (n_eq[self.dc] == 1))
        def_rows, first = np.unique(self.dr[cand], return_index=True)
        pick = cand[first]
        self.def_rows, self.def_col, self.def_coef = def_rows, self.dc[pick], self.dv[pick]
        self.is_def = np.zeros(self.n_dual, bool)
        self.is_def[def_rows] = True
        def_of_col = np.full(n, -1, np.int64)
        def_of_col[self.def_col] = np.arange(len(def_rows))
        # other rows' entries on the defined columns: y_def = (c_j - sum_{k != i} y_k a_kj) / a_ij
        m = (def_of_col[self.dc] >= 0) & ~self.is_def[self.dr]
        self.dx_def, self.dx_row, self.dx_val = def_of_col[self.dc[m]], self.dr[m], self.dv[m]
        # the defining rows' other entries: the defined value e_j = (rhs - rest) / a_ij
        row_def = np.full(self.n_dual, -1, np.int64)
        row_def[def_rows] = np.arange(len(def_rows))
        m = self.is_def[self.dr] & (def_of_col[self.dc] < 0)
        self.de_def, self.de_col, self.de_val = row_def[self.dr[m]], self.dc[m], self.dv[m]
        self.def_rhs = self.hi[def_rows]
        # the coupling rows (not C1, not defining) and their entries: what the price search moves
        self.coupling = np.flatnonzero(~self.is_c1 & ~self.is_def)
        m = ~self.is_c1[self.dr]
        self.cr, self.cc, self.cv = self.dr[m], self.dc[m], self.dv[m]

    # ---- multipliers ----------------------------------------------------------------------------
    def project(self, y: np.ndarray) -> np.ndarray:
        """Signs by row side; the defining rows set so that their column's reduced cost is 0."""
        y = np.where(self.sign_lo, np.maximum(y, 0.0), np.where(self.sign_hi, np.minimum(y, 0.0), y))
        if len(self.def_rows):
            rest = np.bincount(self.dx_def, self.dx_val * y[self.dx_row], minlength=len(self.def_rows))
            y[self.def_rows] = (self.lm.cost[self.def_col] - rest) / self.def_coef
        return y

    def unscaled(self, y: np.ndarray) -> np.ndarray:
        """Scaled multipliers of the dualised rows -> one multiplier per row of the LinearModel."""
        out = np.zeros(self.lm.n_rows)
        out[self.rows] = y * self.scale
        return out

    def scaled(self, y_rows: np.ndarray) -> np.ndarray:
        """One multiplier per row of the LinearModel -> scaled multipliers of the dualised rows (projected)."""
        return self.project(np.asarray(y_rows, float)[self.rows] / self.scale)

    def _base(self, y: np.ndarray, rows_c1: bool = True):
        """Reduced costs and the terms outside the plots: row terms, free columns."""
        if rows_c1:
            rc = self.lm.cost - np.bincount(self.dc, self.dv * y[self.dr], minlength=self.n_cols)
        else:
            rc = self.lm.cost - np.bincount(self.cc, self.cv * y[self.cr], minlength=self.n_cols)
        fr = self.free
        total = float(np.sum(_row_terms(y, self.lo, self.hi))) + float(np.sum(_box_max(rc[fr], self.lower[fr],
                                                                                      self.upper[fr])))
        return rc, total

    def _option_values(self, rc: np.ndarray):
        """Per option, its value without the knapsack (designation, u, locked pairs, credits)."""
        og, ou, op = self.opt_g, self.opt_u, self.opt_plot
        ru = np.where(self.ucol_p >= 0, rc[np.maximum(self.ucol_p, 0)], 0.0)
        fx = self.forced_items
        forced_val = np.bincount(self.item_plot[fx], rc[fx], minlength=self.n_plots)
        credit0, credit1, cstate = self._credits(rc)
        return rc[self.zcol[og]] + ou * ru[op] + forced_val[op] + np.where(ou == 1, credit1[og], credit0[og]), cstate

    def evaluate(self, y: np.ndarray, *, exact: bool = False, primal: bool = False, deadline: float | None = None):
        """L(y) (module docstring) for scaled, projected multipliers ``y``.

        Knapsacks fractional, or with ``exact`` those that came out fractional solved again as 0-1
        problems until ``deadline``. Returns (L, x) with x the subproblem's solution when ``primal``, else None.
        """
        rc, total = self._base(y)
        # the knapsacks: positive pairs per designation, by reduced cost per m2
        r_inc = rc[self.inc_item]
        sel = np.flatnonzero(r_inc > 0)
        gi, it, val = self.inc_g[sel], self.inc_item[sel], r_inc[sel]
        w = self.weight[it]
        with np.errstate(divide="ignore"):
            ratio = np.where(w > 0, val / np.where(w > 0, w, 1.0), np.inf)
        order = np.lexsort((-ratio, gi))
        gi, it, val, w = gi[order], it[order], val[order], w[order]
        prev = _within_group_before(gi, w)
        kp = np.zeros(self.n_opt)
        frac = []
        for u in (0, 1):
            o = self.opt_of_g[u][gi]
            ok = o >= 0
            cap = np.where(ok, self.opt_cap[np.maximum(o, 0)], -1.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                f = np.where(w > 0, (cap - prev) / np.where(w > 0, w, 1.0), np.where(prev <= cap, 1.0, 0.0))
            f = np.where(ok, np.clip(f, 0.0, 1.0), 0.0)
            kp += np.bincount(o[ok], (f * val)[ok], minlength=self.n_opt)
            frac.append(f)
        if exact and len(gi):
            kp = self._exact_knapsacks(gi, val, w, frac, kp, deadline)
        v, cstate = self._option_values(rc)
        total_p, w_opt, rho = self._plots_and_terrains(v + kp, rc[self.dcols], 0.0)
        total += total_p
        if np.isnan(total):
            total = np.inf
        if not primal:
            return total, None
        x = np.zeros(self.n_cols)
        for u in (0, 1):
            o = self.opt_of_g[u][gi]
            on = (o >= 0) & (w_opt[np.maximum(o, 0)] > 0.5)
            x[it[on]] = frac[u][on]
        self._option_columns(x, rc, cstate, w_opt, rho)
        return total, x

    def _exact_knapsacks(self, gi, val, w, frac, kp, deadline: float | None = None):
        """Solve the options whose fractional knapsack split a pair again as 0-1 knapsacks (branch and
        bound); from ``deadline`` on (a ``time.perf_counter()`` value) the rest keep their fractional value."""
        starts = np.flatnonzero(np.r_[True, gi[1:] != gi[:-1]])
        ends = np.r_[starts[1:], len(gi)]
        knapsack01 = _knapsack.kernel()
        for u in (0, 1):
            f = frac[u]
            split = (f > 1e-12) & (f < 1.0 - 1e-12)
            if not np.any(split):
                continue
            grp = np.searchsorted(starts, np.flatnonzero(split), side="right") - 1
            for s, e in zip(starts[np.unique(grp)], ends[np.unique(grp)]):
                if deadline is not None and time.perf_counter() >= deadline:
                    return kp
                o = self.opt_of_g[u][gi[s]]
                chosen = np.zeros(e - s, np.int8)
                best = knapsack01(val[s:e], w[s:e], float(self.opt_cap[o]), NODE_LIMIT, chosen)
                if best >= 0.0:       # solved: the 0-1 optimum and its items; else keep the fractional value
                    kp[o] = best
                    f[s:e] = chosen
        return kp

    def firm_prices(self, y: np.ndarray, pi: np.ndarray) -> np.ndarray:
        """lambda(pi, y): each firm's best value over its (pair, option) at reduced costs without C1 and
        option prices ``pi`` (with 0 for a firm that need not be placed); 0 for a locked firm."""
        rc, _ = self._base(y, rows_c1=False)
        a = rc[self.pk_item] - self.pk_wfrac * pi[self.pk_opt]
        firm, _ = _group_max(a, self.pk_firm, self.pk_start, self.firm_has, ~self.firm_must, 0.0)
        return np.where(np.isfinite(firm) & ~self.forced_firm, firm, 0.0)

    def with_firm_prices(self, y: np.ndarray, pi: np.ndarray) -> np.ndarray:
        """``y`` with its C1 multipliers set to lambda(pi, y) (projected)."""
        lam = self.firm_prices(y, pi)
        y = y.copy()
        m = self.firm_dual >= 0
        y[self.firm_dual[m]] = lam[m] / self.scale[self.firm_dual[m]]
        return self.project(y)

    def price_bound(self, y: np.ndarray, pi: np.ndarray, tau: float):
        """D(pi, y) (module docstring; ``y``'s C1 entries are ignored) or, with ``tau`` > 0, its smooth
        log-sum-exp over-estimate D_tau. Returns (value, gradient in pi, gradient in the coupling
        rows' y)."""
        y = y.copy()
        y[self.is_c1] = 0.0
        rc, total = self._base(y, rows_c1=False)
        a = rc[self.pk_item] - self.pk_wfrac * pi[self.pk_opt]
        firm, s_k = _group_max(a, self.pk_firm, self.pk_start, self.firm_has, ~self.firm_must, tau)
        active = ~self.forced_firm
        total += float(np.sum(firm[active]))
        s_k = s_k * active[self.pk_firm]
        v, cstate = self._option_values(rc)
        total_p, w_opt, rho = self._plots_and_terrains(v + pi, rc[self.dcols], tau)
        total += total_p
        if np.isnan(total):
            total = np.inf
        grad_pi = w_opt - np.bincount(self.pk_opt, s_k * self.pk_wfrac, minlength=self.n_opt)
        x = np.zeros(self.n_cols)
        x[: self.n_x] = np.bincount(self.pk_item, s_k, minlength=self.n_x)
        self._option_columns(x, rc, cstate, w_opt, rho)
        ax = np.bincount(self.cr, self.cv * x[self.cc], minlength=self.n_dual)
        return total, grad_pi, self._row_gradient(y, ax)[self.coupling]

    def _row_gradient(self, y: np.ndarray, ax: np.ndarray) -> np.ndarray:
        """d/dy of y+ hi - y- lo - y (A x): the side y prices, and at y = 0 the violated side (0 when A x fits)."""
        return np.where(y > 0, self.hi - ax, np.where(y < 0, self.lo - ax, np.clip(0.0, self.lo - ax, self.hi - ax)))

    def _plots_and_terrains(self, v: np.ndarray, rc_d: np.ndarray, tau: float):
        """Sum over plots (and planned terrains) of the best option value (or its smooth over-estimate);
        the probability of each option being taken and of each terrain being developed."""
        op = self.opt_plot
        plot, q = _group_max(v, op, self.plot_opt_start, self.plot_has_opt, ~self.plot_needs, tau)
        grp = self.plot_dgroup
        total = float(np.sum(plot[grp < 0]))
        nd = len(self.dcols)
        rho_p = np.ones(self.n_plots)
        rho = np.zeros(nd)
        if nd:
            on = grp >= 0
            v1 = np.where(self.d_can1, np.bincount(grp[on], plot[on], minlength=nd) + rc_d, -np.inf)
            two = np.stack([np.where(self.d0_ok, 0.0, -np.inf), v1], axis=1).ravel()
            terr, p2 = _group_max(two, np.repeat(np.arange(nd), 2), np.arange(0, 2 * nd, 2), np.ones(nd, bool),
                                  np.zeros(nd, bool), tau)
            total += float(np.sum(terr))
            rho = p2[1::2]
            rho_p[on] = rho[grp[on]]
        return total, q * rho_p[op], rho

    def _option_columns(self, x: np.ndarray, rc: np.ndarray, cstate, w_opt: np.ndarray, rho: np.ndarray) -> None:
        """Fill the designations, u, d, credits, locked pairs and free columns of ``x`` for option weights ``w_opt``."""
        og, ou, op = self.opt_g, self.opt_u, self.opt_plot
        fx = self.forced_items
        designated = np.bincount(op, w_opt, minlength=self.n_plots)
        x[fx] = designated[self.item_plot[fx]]
        x[self.zcol] = np.bincount(og, w_opt, minlength=self.n_g)
        m1 = ou == 1
        np.add.at(x, self.ucol_p[op[m1]], w_opt[m1])
        if len(self.dcols):
            x[self.dcols] = rho
        if len(self.ccol):
            x[self.ccol] = self._credit_columns(rc, cstate, np.bincount(og[~m1], w_opt[~m1], minlength=self.n_g),
                                                np.bincount(og[m1], w_opt[m1], minlength=self.n_g))
        fr = self.free
        rcf = rc[fr]
        x[fr] = np.where(rcf > 0, self.upper[fr], np.where(rcf < 0, self.lower[fr],
                                                             np.clip(0.0, self.lower[fr], self.upper[fr])))
        if len(self.def_rows):                       # a defined column takes its defining value
            rest = np.bincount(self.de_def, self.de_val * x[self.de_col], minlength=len(self.def_rows))
            x[self.def_col] = np.clip((self.def_rhs - rest) / self.def_coef, self.lower[self.def_col],
                                      self.upper[self.def_col])

    def _credits(self, rc: np.ndarray):
        """Per designation, the credit LP's value with u = 0 and u = 1: each class of the plot at its best
        reduced cost, classes by value filled into their caps within the plot cap."""
        zero = np.zeros(self.n_g)
        if len(self.ccol) == 0:
            return zero, zero, None
        best_c = np.full(self.n_class, -np.inf)
        np.maximum.at(best_c, self.c_class, rc[self.ccol])
        dens = np.maximum(best_c[self.kz_row], 0.0)
        o = np.lexsort((-dens, self.kz_g))
        kg, kd, kc, krow = self.kz_g[o], dens[o], self.kz_cap[o], self.kz_row[o]
        prev = _within_group_before(kg, kc)
        out, amounts = [], []
        for u in (0, 1):
            q = np.where(self.has_plotcap[self.zplot], self.qz + u * self.qu[self.zplot], np.inf)
            amount = np.clip(q[kg] - prev, 0.0, kc)
            amounts.append(amount)
            out.append(np.bincount(kg, amount * kd, minlength=self.n_g))
        return out[0], out[1], (kg, kd, krow, amounts)

    def _credit_columns(self, rc: np.ndarray, state, w0: np.ndarray, w1: np.ndarray) -> np.ndarray:
        """Credit per c column when designation g is taken with weight w0[g] (u = 0) and w1[g] (u = 1):
        each class's amount on its best credit."""
        out = np.zeros(len(self.ccol))
        kg, kd, krow, (a0, a1) = state
        amount = (a0 * w0[kg] + a1 * w1[kg]) * (kd > 0)
        oc = np.lexsort((-rc[self.ccol], self.c_class))
        cls = self.c_class[oc]
        first = np.r_[True, cls[1:] != cls[:-1]] if len(oc) else np.zeros(0, bool)
        best_k = np.full(self.n_class, -1, np.int64)
        best_k[cls[first]] = oc[first]
        np.add.at(out, best_k[krow], amount)
        return out


# ----------------------------------------------------------------------------------------------
# the search


@dataclass
class _Best:
    bound: float
    y: np.ndarray
    state: np.ndarray


class _PriceSearch:
    """The Rprop search over option prices and coupling multipliers (module docstring), with the best L seen.

    ``state`` is the option prices pi followed by the coupling rows' (scaled) multipliers.
    """

    def __init__(self, rel: Relaxation, lm: LinearModel, t0: float, *, time_limit: float | None,
                 incumbent: float | None, tolerance: float, start: LagrangianResult | None):
        self.rel, self.t0 = rel, t0
        self.time_limit, self.incumbent, self.tolerance = time_limit, incumbent, tolerance
        self.n_pi = rel.n_opt
        self.coupling = rel.coupling
        value_scale = float(np.mean(np.maximum(lm.cost[: rel.n_x], 0.0))) if rel.n_x else 1.0
        self.value_scale = value_scale if value_scale > 0 else 1.0
        self.sign_lo, self.sign_hi = rel.sign_lo[self.coupling], rel.sign_hi[self.coupling]
        state = np.zeros(self.n_pi + len(self.coupling))
        if start is not None and start.prices is not None and len(start.prices) == len(state):
            state = self.clip(start.prices.astype(float).copy())
        self.state = state
        self.hist: list[tuple[float, float]] = []
        self.best = _Best(np.inf, np.zeros(rel.n_dual), state.copy())
        self.k = 0                            # price steps taken
        self.step = np.full(len(state), 0.01 * self.value_scale)
        self.last_sign = np.zeros(len(state))

    def multipliers(self, state: np.ndarray) -> np.ndarray:
        """The dualised rows' multipliers of ``state`` (C1 at 0), projected."""
        y = np.zeros(self.rel.n_dual)
        y[self.coupling] = state[self.n_pi:]
        return self.rel.project(y)

    def clip(self, state: np.ndarray) -> np.ndarray:
        """Prices >= 0 and multipliers of their rows' sign, in place."""
        n_pi = self.n_pi
        state[:n_pi] = np.maximum(state[:n_pi], 0.0)
        yc = state[n_pi:]
        yc[self.sign_lo] = np.maximum(yc[self.sign_lo], 0.0)
        yc[self.sign_hi] = np.minimum(yc[self.sign_hi], 0.0)
        return state

    def check(self) -> None:
        """Evaluate L at the current state (firms at their prices); keep it when it is the best."""
        state = self.state
        y = self.rel.with_firm_prices(self.multipliers(state), state[: self.n_pi])
        value, _ = self.rel.evaluate(y)
        if value < self.best.bound:
            self.best.bound, self.best.y, self.best.state = value, y, state.copy()
        self.hist.append((time.perf_counter() - self.t0, self.best.bound))

    def close_to_incumbent(self, bound: float) -> bool:
        inc = self.incumbent
        return inc is not None and bound - inc <= self.tolerance * max(1.0, abs(inc))

    def done(self) -> str | None:
        if self.best.bound == -np.inf:
            return "infeasible"
        if self.close_to_incumbent(self.best.bound):
            return "converged"
        if self.time_limit is not None and time.perf_counter() - self.t0 >= self.time_limit:
            return "time_limit"
        return None

    def run(self, iterations: int | None) -> str:
        """All smoothing levels, ``iterations`` steps in all (or the time limit shared); the status."""
        self.check()                     # prices 0: each firm at its best pair, the assignment bound or below
        per_level = None if iterations is None else max(1, iterations // len(TAU_SCHEDULE))
        stop = self.done()
        for level, tau_rel in enumerate(TAU_SCHEDULE):
            if stop:
                break
            stop = self._level(level, tau_rel, per_level)
        return stop or "iteration_limit"

    def _level(self, level: int, tau_rel: float, per_level: int | None) -> str | None:
        """The steps of one smoothing level; why the search stops (None: go on)."""
        tau = tau_rel * self.value_scale
        time_limit = self.time_limit
        level_end = np.inf if time_limit is None or per_level is not None else \
            self.t0 + time_limit * (level + 1) / len(TAU_SCHEDULE)
        i = 0
        stop = None
        while (per_level is None or i < per_level) and time.perf_counter() < level_end:
            self._step(tau)
            i += 1
            self.k += 1
            if i % CHECK_EVERY == 0:
                self.check()
            stop = self.done()
            if stop:
                break
        if i % CHECK_EVERY and stop != "infeasible":
            self.check()             # the end of a level
            stop = stop or self.done()
        return stop

    def _step(self, tau: float) -> None:
        """One Rprop step on D_tau: a coordinate's step grows while its derivative keeps its sign and
        halves when it flips (and then waits one step)."""
        n_pi, vs = self.n_pi, self.value_scale
        y = self.multipliers(self.state)
        _, g_pi, g_y = self.rel.price_bound(y, self.state[:n_pi], tau)
        sign = np.sign(np.concatenate([g_pi, g_y]))
        agree = sign * self.last_sign
        self.step = np.clip(np.where(agree > 0, self.step * 1.2, np.where(agree < 0, self.step * 0.5, self.step)),
                            1e-9 * vs, 1e3 * vs)
        sign = np.where(agree < 0, 0.0, sign)
        self.state = self.clip(self.state - sign * self.step)
        self.last_sign = sign

    def result(self, status: str, exact: bool, exact_share: float | None = None) -> LagrangianResult:
        """L at the best multipliers again (with the 0-1 knapsacks when ``exact``, until the time limit
        and, with ``exact_share``, for at most that share of the seconds so far, at least 1 s) and the
        subproblem's solution."""
        rel, best = self.rel, self.best
        y_best = best.y
        fractional = best.bound
        now = time.perf_counter()
        ends = [] if self.time_limit is None else [self.t0 + self.time_limit]
        if exact_share is not None:
            ends.append(now + max(1.0, exact_share * (now - self.t0)))
        value, x = rel.evaluate(y_best, exact=exact, primal=True, deadline=min(ends) if ends else None)
        if exact and self.time_limit is not None and time.perf_counter() >= self.t0 + self.time_limit:
            status = "time_limit"  # the clock may have cut the 0-1 knapsacks (conservative: not reproducible)
        bound = min(fractional, value)
        self.hist.append((time.perf_counter() - self.t0, bound))
        if bound == -np.inf:
            status = "infeasible"
        elif status != "converged" and self.close_to_incumbent(bound):
            status = "converged"
        desig = np.full(rel.n_plots, -1, np.int64)
        on = x[rel.zcol] > 0.5
        desig[rel.zplot[on]] = rel.zcol[on]
        return LagrangianResult(float(bound), rel.unscaled(y_best), x, desig, self.k, time.perf_counter() - self.t0,
                                status, self.hist, float(fractional), best.state, now - self.t0)


def lagrangian_bound(lay: Layout, lm: LinearModel, *, time_limit: float | None = None, iterations: int | None = 400,
                     incumbent: float | None = None, tolerance: float = 1e-6, exact: bool = True,
                     start: LagrangianResult | None = None, relaxation: Relaxation | None = None,
                     exact_share: float | None = None) -> LagrangianResult:
    """A valid upper bound on the MIP optimum of ``lm`` (module docstring), with the multipliers that give it.

    - ``iterations``: price steps (spread over the smoothing levels :data:`TAU_SCHEDULE`); with
      ``time_limit`` only (``iterations=None``) the levels share the time instead. The same
      model and ``iterations`` give the same answer on any machine (the time limit, when it
      binds, ends the search early; it is a safety net);
    - ``incumbent``: the objective of a known feasible solution; the search stops once the bound
      is within ``tolerance`` (relative) of it (the solution is then proven optimal);
    - ``exact``: solve the knapsacks that come out fractional at the best multipliers again as
      0-1 problems (branch and bound), which can only lower the bound; they stop at the time limit,
      and with ``exact_share`` after that share of the price steps' seconds (at least 1 s): the
      knapsacks left keep their fractional value. Without numba the 0-1 knapsacks of a pure
      assignment problem of 1,600 jobs x 80 agents took 23 s after 2.5 s of price steps, for a
      bound 0.0003 % lower (docs/bounds.md);
    - ``start``: a previous result on the same model, to go on from its prices;
    - ``relaxation``: ``Relaxation(lay, lm)`` built already (by the caller, who hands it on to
      :func:`~revopt.solve.lagrangian_repair.lagrangian_repair`: at national size it takes 5 s and
      half a gigabyte); it is only read.

    Depends on the model and numpy only (numba, when installed, compiles the 0-1 knapsack).
    """
    if iterations is None and time_limit is None:
        raise ValueError("lagrangian_bound needs iterations or a time_limit (or both)")
    t0 = time.perf_counter()
    rel = Relaxation(lay, lm) if relaxation is None else relaxation
    if rel.infeasible:
        return LagrangianResult(-np.inf, np.zeros(lm.n_rows), np.zeros(lm.n_cols), np.full(rel.n_plots, -1, np.int64),
                                0, time.perf_counter() - t0, "infeasible", [(time.perf_counter() - t0, -np.inf)],
                                -np.inf)
    search = _PriceSearch(rel, lm, t0, time_limit=time_limit, incumbent=incumbent, tolerance=tolerance, start=start)
    return search.result(search.run(iterations), exact, exact_share)
