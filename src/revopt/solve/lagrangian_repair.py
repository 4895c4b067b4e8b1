"""From the Lagrangian's relaxed choices to a feasible allocation (issue 12, item 2's first step).

:func:`lagrangian_repair` keeps what the bound's subproblem decided where it can and fills in
the rest greedily, checking every move against *all* rows of the LinearModel (a ledger of row
activities), so the result is feasible by construction or None:

1. fixed columns (plan choices, locked werkmilieus) are set; every plot gets the werkmilieu
   (and intensification, and its terrain's development) the subproblem chose;
2. compensation (C7): each demand row is met by pushing credit from designated plots in range;
   where that is short, plots of the row's class are (re)designated and intensified;
3. claims with a minimum (C9) (re)designate the largest plots of their region and werkmilieu;
4. firms, each once and only where every row still holds: locked firms; firms of a lifecycle
   stage until the region's minimum (C10) is met (moving them into the region if needed);
   must-place firms, on a designated plot, else opening one of theirs, else giving one of
   theirs another werkmilieu (one the firms already there may have); then every pair that
   adds value, best first by its *net value at the bound's prices*: its reduced cost at the
   coupling rows' multipliers less its floor at the price of its plot's option (the price
   search's pi_o / C_o), opening its plot when that value is positive;
5. clean-up: intensifications and developed terrains nothing uses are undone when that pays.

Moves that change a column defined by an equality row (the emission e[p] of C6_emission)
carry that column along, so the nitrogen rows see the deposition. Measured against the greedy
in docs/bounds.md.
"""

from __future__ import annotations

import numpy as np

from ..model import claims, compatibility, compensation, lifecycle, placement
from ..model.block import LinearModel, grouped
from ..model.layout import Layout
from .lagrangian import LagrangianResult, Relaxation

TOL = 1e-7
#: how far a move may take an inequality row past its bound, relative to the bound: no further than
#: the greedy's capacity ledger allows (``heuristics.ledger.RELATIVE_SLACK``), so that the greedy can
#: start from a repaired allocation and place every firm of it (with TOL, national seed 0 filled
#: three nitrogen rows 0.05-0.8 mol past what the ledger takes, three firms of the hint did not fit,
#: one of them must-place, and the greedy's hinted construction failed)
ROW_SLACK = 1e-11


class _Ledger:
    """A column vector and its row activities; moves are applied only when every row they touch holds."""

    def __init__(self, lm: LinearModel, rel: Relaxation):
        self.lm = lm
        self.start, self.row, self.val = lm.by_columns(np.int32)
        self.x = np.zeros(lm.n_cols)
        self.act = np.zeros(lm.n_rows)
        self.lo, self.hi = lm.row_lower, lm.row_upper
        # how far a move may take each row: ROW_SLACK past an inequality's bound, TOL on a defining
        # equality (C6_emission: its moves cancel up to rounding); an infinite side stays infinite
        tol = np.where(self.lo == self.hi, TOL, ROW_SLACK)
        with np.errstate(invalid="ignore"):
            self.hi_limit = self.hi + tol * np.maximum(1.0, np.abs(self.hi))
            self.lo_limit = self.lo - tol * np.maximum(1.0, np.abs(self.lo))
        self.col_lo, self.col_hi = lm.col_lower, lm.col_upper
        # defining equality rows (C6_emission): row -> (defined column, its coefficient)
        self.defines = {int(rel.rows[r]): (int(c), float(a) / rel.scale[r])
                        for r, c, a in zip(rel.def_rows, rel.def_col, rel.def_coef)}

    def column(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        s, t = self.start[j], self.start[j + 1]
        return self.row[s:t], self.val[s:t]

    def effect(self, cols: list[int], amounts: list[float]) -> tuple[np.ndarray, np.ndarray, dict[int, float]]:
        """Rows touched and their changes, with the defined columns' changes they induce."""
        rows: list[np.ndarray] = []
        deltas: list[np.ndarray] = []
        induced: dict[int, float] = {}
        for j, a in zip(cols, amounts):
            r, v = self.column(j)
            rows.append(r)
            deltas.append(v * a)
            for i, coef in zip(r, v):
                defined = self.defines.get(int(i))
                if defined is not None and defined[0] != j:
                    induced[defined[0]] = induced.get(defined[0], 0.0) - coef * a / defined[1]
        for j, a in induced.items():
            r, v = self.column(j)
            rows.append(r)
            deltas.append(v * a)
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0), induced
        uniq, inv = np.unique(np.concatenate(rows), return_inverse=True)
        return uniq, np.bincount(inv, np.concatenate(deltas), minlength=len(uniq)), induced

    def fits(self, rows: np.ndarray, delta: np.ndarray) -> bool:
        new = self.act[rows] + delta
        up = (delta > 0) & (new > self.hi_limit[rows])
        down = (delta < 0) & (new < self.lo_limit[rows])
        return not bool(np.any(up | down))

    def move(self, cols: list[int], amounts: list[float]) -> bool:
        """Add ``amounts`` to ``cols`` if every row touched (and every column bound) still holds."""
        for j, a in zip(cols, amounts):
            if not self.col_lo[j] - TOL <= self.x[j] + a <= self.col_hi[j] + TOL:
                return False
        rows, delta, induced = self.effect(cols, amounts)
        for j, a in induced.items():
            if not self.col_lo[j] - TOL <= self.x[j] + a <= self.col_hi[j] + TOL:
                return False
        if not self.fits(rows, delta):
            return False
        for j, a in zip(cols, amounts):
            self.x[j] += a
        for j, a in induced.items():
            self.x[j] += a
        self.act[rows] += delta
        return True

    def room(self, j: int) -> float:
        """How much a continuous column can grow before some row it touches (or its bound) is hit."""
        r, v = self.column(j)
        amount = self.col_hi[j] - self.x[j]
        pos, neg = v > 0, v < 0
        if np.any(pos):
            amount = min(amount, float(np.min((self.hi[r[pos]] - self.act[r[pos]]) / v[pos])))
        if np.any(neg):
            amount = min(amount, float(np.min((self.act[r[neg]] - self.lo[r[neg]]) / -v[neg])))
        return max(0.0, amount)

    def violated(self) -> np.ndarray:
        slack = TOL * np.maximum(1.0, np.abs(self.act))
        return np.flatnonzero((self.act > self.hi + slack) | (self.act < self.lo - slack))


def _rows(lm: LinearModel, name: str) -> range:
    return lm.rows_of(name) if name in lm.block_rows else range(0)


def lagrangian_repair(lay: Layout, lm: LinearModel, result: LagrangianResult, *,
                      relaxation: Relaxation | None = None) -> np.ndarray | None:
    """A feasible column vector built from ``result`` (a :func:`lagrangian_bound` on the same model),
    or None when the greedy steps cannot meet some requirement (must-place, compensation, a claim
    or lifecycle minimum). ``relaxation``: the bound's ``Relaxation(lay, lm)``, if the caller kept it."""
    x, complete = repair_allocation(lay, lm, result, relaxation=relaxation)
    return x if complete else None


def repair_allocation(lay: Layout, lm: LinearModel, result: LagrangianResult, *,
                      relaxation: Relaxation | None = None) -> tuple[np.ndarray | None, bool]:
    """:func:`lagrangian_repair`, carrying on where only must-place firms are short (no room left on
    their plots in the order the steps take them): (column vector or None, whether every must-place
    firm is placed). A vector with firms short holds every row but those firms' placement rows; it
    is a start for the greedy, whose bump chains seat them (pure assignment type E, 1,600 jobs x 40
    agents: 2 jobs short, the greedy completes it to 636.2e3 in 0.1 s where its own orders give
    187.3e3; docs/benchmarks.md#partial-repair). One run gives both the strict answer and the hint."""
    rel = Relaxation(lay, lm) if relaxation is None else relaxation
    if rel.infeasible or result.bound == -np.inf:
        return None, False
    rep = _Repair(lm, rel, result)
    rep.relaxed_designations()
    if not (rep.meet_compensation() and rep.meet_claims()):
        return None, False
    complete = rep.firms()
    rep.clean_up()
    strict = rep.solution() if complete else None  # every row holds (also a locked firm's placement)
    if strict is not None:
        return strict, True
    return rep.solution(short_rows=_rows(lm, placement.NAME)), False


class _Repair:
    """The state of :func:`lagrangian_repair`: the ledger, each plot's designation, each firm's pair.
    Its steps run in the order of the module docstring; a step that cannot meet a requirement
    returns False."""

    def __init__(self, lm: LinearModel, rel: Relaxation, result: LagrangianResult):
        self.lm, self.rel, self.result = lm, rel, result
        self.led = _Ledger(lm, rel)
        self.xr = result.x_relaxed
        self.rc = lm.cost - np.bincount(rel.cc, rel.cv * rel.scaled(result.multipliers)[rel.cr], minlength=lm.n_cols)
        self.plot_d, self.ucol_p = _plot_d(rel), rel.ucol_p
        self.designated = np.full(rel.n_plots, -1, np.int64)      # z column per plot
        self.plot_of_z = dict(zip(rel.zcol.tolist(), rel.zplot.tolist()))
        self.placed = np.zeros(rel.n_firms, bool)
        self.at = np.full(rel.n_firms, -1, np.int64)            # the pair of each placed firm
        self.firm = rel.firm_of_item
        self.c3_start, self.c3_z = _compatible_designations(lm, rel.n_x)

    def _below(self, i: int) -> bool:
        """Whether row i's activity is still below its lower side."""
        lo = self.lm.row_lower[i]
        return self.led.act[i] < lo - TOL * max(1.0, abs(lo))

    # ---- moves ------------------------------------------------------------------------------------
    def designate(self, p: int, zc: int, with_u: bool = False) -> bool:
        led, designated = self.led, self.designated
        if designated[p] >= 0:
            return designated[p] == zc
        cols = [zc]
        d = self.plot_d[p]
        if d >= 0 and led.x[d] < 0.5:
            cols.append(int(d))
        if with_u and self.ucol_p[p] >= 0:
            cols.append(int(self.ucol_p[p]))
        if led.move(cols, [1.0] * len(cols)):
            designated[p] = zc
            return True
        return with_u and self.designate(p, zc, False)

    def redesignate(self, p: int, zc: int, with_u: bool = False) -> bool:
        """Designate p as zc, also when it has another werkmilieu (no firm is placed yet)."""
        led = self.led
        old = self.designated[p]
        if old < 0 or old == zc:
            return self.designate(p, zc, with_u)
        u = self.ucol_p[p]
        cols, amounts = [int(old), zc], [-1.0, 1.0]
        if with_u and u >= 0 and led.x[u] < 0.5:
            cols.append(int(u))
            amounts.append(1.0)
        if led.move(cols, amounts) or (len(cols) == 3 and led.move(cols[:2], amounts[:2])):
            self.designated[p] = zc
            return True
        return False

    def place(self, j: int, open_plot: bool = False) -> bool:
        rel, f = self.rel, self.firm[j]
        if self.placed[f] or rel.upper[j] < 1.0:
            return False
        p = int(rel.item_plot[j])
        if self.designated[p] < 0:
            if not open_plot:
                return False
            for zc in self.c3_z[self.c3_start[j]:self.c3_start[j + 1]]:
                if self.designate(p, int(zc)):
                    break
        if self.led.move([j], [1.0]):
            self.placed[f], self.at[f] = True, j
            return True
        return False

    def place_redesignated(self, j: int) -> bool:
        """Place pair j's firm after giving its plot a werkmilieu the firm can use instead of the one
        the relaxation chose (not a forced one; the ledger refuses the change when a firm already on
        the plot cannot have it). The national preset has must-place firms with two plots, both
        designated otherwise by the relaxation."""
        rel, p = self.rel, int(self.rel.item_plot[j])
        old = int(self.designated[p])
        if self.placed[self.firm[j]] or rel.upper[j] < 1.0 or old < 0 or rel.lower[old] >= 1.0:
            return False
        for zc in self.c3_z[self.c3_start[j]:self.c3_start[j + 1]].tolist():
            if zc != old and self.redesignate(p, zc):
                if self.place(j):
                    return True
                self.redesignate(p, old)                    # as it was: the same activity, so it holds
        return False

    def relocate(self, j: int) -> bool:
        """Move pair j's firm from where it is to j (its plot must be designated compatibly)."""
        rel, f, at = self.rel, self.firm[j], self.at
        if not self.placed[f] or at[f] == j or rel.upper[j] < 1.0 or self.designated[rel.item_plot[j]] < 0:
            return False
        if self.led.move([int(at[f]), j], [-1.0, 1.0]):
            at[f] = j
            return True
        return False

    # ---- the steps --------------------------------------------------------------------------------
    def relaxed_designations(self) -> None:
        """1. fixed developments, then the relaxation's designations (locked werkmilieus are among them)."""
        rel, xr = self.rel, self.xr
        for d in rel.dcols[rel.lower[rel.dcols] >= 1.0]:
            self.led.move([int(d)], [1.0])
        forced_z = rel.zcol[rel.lower[rel.zcol] >= 1.0]
        chosen = np.flatnonzero(xr[rel.zcol] > 0.5)
        for g in np.concatenate([np.flatnonzero(np.isin(rel.zcol, forced_z)), chosen]):
            p = int(rel.zplot[g])
            u = self.ucol_p[p]
            self.designate(p, int(rel.zcol[g]), with_u=bool(u >= 0 and xr[u] > 0.5))

    def meet_compensation(self) -> bool:
        """2. compensation: push credit; designate more plots of the class where it is short."""
        led, lm = self.led, self.lm
        for i in _rows(lm, compensation.NAME_DEMAND):
            if not _fill_demand(led, lm, i):
                for col in _credit_openings(led, lm, i):
                    if col in self.plot_of_z:
                        self.redesignate(self.plot_of_z[col], col, with_u=True)
                    else:                                   # an intensification: more room for credit
                        led.move([col], [1.0])
                    if _fill_demand(led, lm, i):
                        break
            if self._below(i):
                return False
        return True

    def meet_claims(self) -> bool:
        """3. claim minimums: designate the largest plots of the row (a plot designated otherwise, and
        still empty, changes its werkmilieu when the rows allow)."""
        lm = self.lm
        for i in _rows(lm, claims.NAME):
            s, t = lm.start[i], lm.start[i + 1]
            cols, vals = lm.index[s:t], lm.value[s:t]
            for k in np.argsort(-vals, kind="stable"):
                if not self._below(i):
                    break
                zc = int(cols[k])
                self.redesignate(self.plot_of_z[zc], zc)
            if self._below(i):
                return False
        return True

    def _net_values(self) -> tuple[np.ndarray, np.ndarray]:
        """Each pair at the prices of the bound: its reduced cost less its floor at the option's price;
        and whether the pair must be placed (a must-place firm's or a locked one)."""
        rel, rc, nx, prices = self.rel, self.rc, self.rel.n_x, self.result.prices
        must = rel.firm_must[self.firm] | (rel.lower[:nx] >= 1.0)
        net = np.full(nx, -np.inf)
        if prices is not None and len(rel.pk_item):
            pi = prices[: rel.n_opt]
            np.maximum.at(net, rel.pk_item, rc[rel.pk_item] - rel.pk_wfrac * pi[rel.pk_opt])
        return np.where(np.isfinite(net), net, rc[:nx]), must

    def firms(self) -> bool:
        """4. firms: locked firms, lifecycle minimums and must-place firms first, then every pair that
        adds value, by its net value at the bound's prices; False when must-place firms are left
        unplaced (the other pairs are placed all the same)."""
        rel, lm, nx = self.rel, self.lm, self.rel.n_x
        net, must = self._net_values()
        order = np.lexsort((-net, ~must))
        for j in order[rel.lower[:nx][order] >= 1.0]:      # locked firms
            self.place(int(j), open_plot=True)
        self._lifecycle_minimums()
        for j in order[must[order]]:                        # must-place firms, on designated plots
            self.place(int(j))
        for j in order[must[order]]:                        # must-place firms left: open one of their plots
            self.place(int(j), open_plot=True)
        for j in order[must[order]]:                        # still left: another werkmilieu on one of them
            self.place_redesignated(int(j))
        complete = not np.any(rel.firm_must & ~self.placed & (np.bincount(self.firm, minlength=rel.n_firms) > 0))
        for j in order:
            if lm.cost[j] > 0:
                self.place(int(j), open_plot=net[j] > 0)
        return complete

    def _lifecycle_minimums(self) -> None:
        """Firms of the stage in the region, placed (or moved there) until each C10 row's minimum is met."""
        lm, rc, xr = self.lm, self.rc, self.xr
        for i in _rows(lm, lifecycle.NAME):
            s, t = lm.start[i], lm.start[i + 1]
            cols = lm.index[s:t]
            for j in cols[np.lexsort((-rc[cols], -xr[cols]))]:
                if not self._below(i):
                    break
                self.place(int(j), open_plot=True) or self.relocate(int(j))

    def clean_up(self) -> None:
        """5. clean-up: drop intensifications and developments that cost and that nothing needs."""
        rel, lm, led, ucol_p, designated = self.rel, self.lm, self.led, self.ucol_p, self.designated
        for u in ucol_p[ucol_p >= 0]:
            if led.x[u] > 0.5 and lm.cost[u] < 0:
                led.move([int(u)], [-1.0])
        for t, d in enumerate(rel.dcols):
            if led.x[d] < 0.5 or lm.cost[d] >= 0 or rel.lower[d] >= 1.0:
                continue
            plots = np.flatnonzero(rel.plot_dgroup == t)
            undo = [int(designated[p]) for p in plots if designated[p] >= 0]
            undo += [int(ucol_p[p]) for p in plots if ucol_p[p] >= 0 and led.x[ucol_p[p]] > 0.5]
            if led.move([*undo, int(d)], [-1.0] * (len(undo) + 1)):
                designated[plots] = -1

    def solution(self, short_rows: range = range(0)) -> np.ndarray | None:
        """The ledger's columns, integers rounded; None if some row is violated (rows in
        ``short_rows`` may stay below their lower side)."""
        bad = self.led.violated()
        if len(short_rows):
            below = self.led.act[bad] < self.lm.row_lower[bad]
            bad = bad[~(below & (bad >= short_rows.start) & (bad < short_rows.stop))]
        if len(bad):
            return None
        x = self.led.x.copy()
        integer = self.lm.integrality.astype(bool)
        x[integer] = np.round(x[integer])
        return x


def _plot_d(rel: Relaxation) -> np.ndarray:
    out = np.full(rel.n_plots, -1, np.int64)
    on = rel.plot_dgroup >= 0
    out[on] = rel.dcols[rel.plot_dgroup[on]]
    return out


def _compatible_designations(lm: LinearModel, nx: int) -> tuple[np.ndarray, np.ndarray]:
    """Per pair j, the z columns of its C3 row (the werkmilieus it may go under): zcols[start[j]:start[j+1]]."""
    start = np.zeros(nx + 1, np.int64)
    if compatibility.NAME not in lm.block_rows or nx == 0:
        return start, np.zeros(0, np.int64)
    a, b = lm.block_rows[compatibility.NAME]
    s, t = int(lm.start[a]), int(lm.start[b])
    rows = np.repeat(np.arange(b - a), np.diff(lm.start[a:b + 1]))
    cols, vals = lm.index[s:t].astype(np.int64), lm.value[s:t]
    pair_of_row = np.full(b - a, -1, np.int64)
    pair_of_row[rows[vals > 0]] = cols[vals > 0]
    order, start = grouped(pair_of_row[rows[vals < 0]], nx)
    return start, cols[vals < 0][order]


def _fill_demand(led: _Ledger, lm: LinearModel, i: int) -> bool:
    """Push credit into demand row i (continuous columns, each as far as its rows allow)."""
    s, t = lm.start[i], lm.start[i + 1]
    for j in lm.index[s:t]:
        need = lm.row_lower[i] - led.act[i]
        if need <= TOL * max(1.0, abs(lm.row_lower[i])):
            return True
        amount = min(need, led.room(int(j)))
        if amount > 0:
            led.move([int(j)], [amount])
    return led.act[i] >= lm.row_lower[i] - TOL * max(1.0, abs(lm.row_lower[i]))


def _credit_openings(led: _Ledger, lm: LinearModel, i: int) -> list[int]:
    """Binary columns at 0 that would give room to the credits of demand row i (a werkmilieu for
    a class cap, an intensification for a plot cap)."""
    out: list[int] = []
    s, t = lm.start[i], lm.start[i + 1]
    for j in lm.index[s:t]:
        rows, _ = led.column(int(j))
        for r in rows:
            rs, rt = lm.start[r], lm.start[r + 1]
            for c, v in zip(lm.index[rs:rt], lm.value[rs:rt]):
                if v < 0 and lm.integrality[c] == 1 and led.x[c] < 0.5 and int(c) not in out:
                    out.append(int(c))
    return out
