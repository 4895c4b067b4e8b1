"""The capacity ledger: every "usage of a resource within its capacity" rule, kept in one place.

C4 (floor space), C5 (grid), C6 (nitrogen), C8 (corridor capacity), C9 (regional
claims), C10 (lifecycle targets) and C11 (noise) all read

    lower_r <= sum_c a[r, c] v[c] <= upper_r

over the model's columns v. The ledger takes these rows from the model's own
blocks (:func:`revopt.model.build.build_blocks`), so a rule is written once, in
its ``model/`` module, and the greedy follows it. It stores one table
column -> (row, amount) by column (CSR) and the usage of every row, and
answers for every rule at once, vectorised: does this column still fit
(:meth:`CapacityLedger.fits_range`, :meth:`~CapacityLedger.fits`,
:meth:`~CapacityLedger.fits_column`), switch it on or off
(:meth:`~CapacityLedger.add`, :meth:`~CapacityLedger.remove`), are the minimums
met (:meth:`~CapacityLedger.below_minimum`).

How each kind of column enters (layout ``[x | z | d | u | c | e]``):

- **x** (a placement) and **z** (a designation) *use* capacity: they are the
  ledger's items. Placing pair j adds column j (its floor on C4, grid on C5,
  deposition on C6, freight on C8, floor on C10, noise on C11); designating plot
  p as werkmilieu w adds z[p, w] (its floor capacity on C9).
- **d** (development) and **u** (intensification) only ever *give* capacity
  (a negative coefficient, on C4_floor). The ledger counts them switched on:
  a plot's floor row holds floor_capacity + intensify_extra, i.e. "does the
  pair fit once the plot is developed and intensified". The greedy develops and
  intensifies when a placement needs it and pays for it
  (:meth:`revopt.heuristics.state.State.place`); the final check (``A v``
  against the row bounds, :mod:`revopt.heuristics.check`) holds the real d and u.
- **e** (a plot's nitrogen emission) is defined by its C6_emission row,
  ``sum_f kg_f x[f,p] - e[p] = 0``; substituted into C6_nitrogen it gives per
  pair and nature area the deposition kg_f * mol_per_kg[p, n]: the spec's row.
- **c** (compensation credits) appear in none of these families: C7 is a flow
  that :mod:`revopt.heuristics.compensation` routes itself.

Any other column in a capacity row raises: a new family must say how it enters.
Bounds get a relative slack of :data:`RELATIVE_SLACK` (float sums), far below any
solver tolerance. Usage is kept per row together with the number of items on it;
a row whose last item leaves is reset to exactly 0, so rounding never builds up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..model import claims, corridors, floorspace, grid, lifecycle, nitrogen, noise
from ..model.block import Block, grouped, spans
from ..model.layout import Layout
from .journal import Journal

#: relative slack on capacity comparisons (float sums), far below any solver tolerance
RELATIVE_SLACK = 1e-11

#: the families the ledger keeps, in spec order
CAPACITY_FAMILIES: tuple[str, ...] = (floorspace.NAME, grid.NAME, nitrogen.NAME, corridors.NAME,
                                      claims.NAME, lifecycle.NAME, noise.NAME)

_X, _Z, _D, _U, _C, _E = range(6)


def slack(bound: np.ndarray | float) -> np.ndarray:
    """The slack allowed on a bound: RELATIVE_SLACK * max(1, |bound|) (0 on an infinite bound)."""
    b = np.abs(np.asarray(bound, dtype=float))
    return RELATIVE_SLACK * np.maximum(1.0, np.where(np.isinf(b), 0.0, b))


def column_kinds(lay: Layout) -> np.ndarray:
    """Per column of the layout, its kind (x, z, d, u, c or e) as a small integer."""
    kind = np.full(lay.n_cols, _X, dtype=np.int8)
    for code, table in ((_Z, lay.z), (_D, lay.d), (_U, lay.u), (_C, lay.c), (_E, lay.e)):
        kind[table["col"].to_numpy(np.int64)] = code
    return kind


@dataclass
class CapacityLedger:
    """Usage and capacity of every capacity row, and the amounts each column puts on them.

    Rows are numbered family by family (``families[name] = (first, stop)``); one
    extra row, :attr:`no_row`, belongs to no family and never binds (a plot
    without a floor row points there). ``upper``/``lower`` carry the slack.
    """

    families: dict[str, tuple[int, int]]
    upper: np.ndarray
    lower: np.ndarray
    column_start: np.ndarray   # entries of column c: column_start[c] : column_start[c + 1]
    entry_row: np.ndarray
    entry_amount: np.ndarray
    entry_column: np.ndarray
    entry_limit: np.ndarray    # upper[entry_row] - entry_amount: the most the row may hold before the item
    used: np.ndarray
    count: np.ndarray          # items switched on per row

    @property
    def no_row(self) -> int:
        return len(self.upper) - 1

    def rows(self, name: str) -> slice:
        first, stop = self.families[name]
        return slice(first, stop)

    def emptied(self) -> CapacityLedger:
        """A ledger with the same rows and amounts and nothing used (the structure is shared)."""
        return replace(self, used=np.zeros_like(self.used), count=np.zeros_like(self.count))

    # ---- does it fit? ----------------------------------------------------------
    def fits_range(self, first: int, stop: int) -> np.ndarray:
        """Per column first..stop-1 (a firm's pairs): its amounts fit on every row now."""
        a, b = self.column_start[first], self.column_start[stop]
        bad = self.used[self.entry_row[a:b]] > self.entry_limit[a:b]
        ok = np.ones(stop - first, dtype=bool)
        ok[self.entry_column[a:b][bad] - first] = False
        return ok

    def fits(self, columns: np.ndarray) -> np.ndarray:
        """Per column (any order; -1 for no column, which always fits): its amounts fit now."""
        cols = np.asarray(columns, dtype=np.int64)
        has = cols >= 0
        c = np.where(has, cols, 0)
        cnt = np.where(has, self.column_start[c + 1] - self.column_start[c], 0)
        ok = np.ones(len(cols), dtype=bool)
        total = int(cnt.sum())
        if total == 0:
            return ok
        owner = np.repeat(np.arange(len(cols)), cnt)
        entry = spans(self.column_start[c], cnt)
        bad = self.used[self.entry_row[entry]] > self.entry_limit[entry]
        ok[owner[bad]] = False
        return ok

    def fits_column(self, column: int) -> bool:
        a, b = self.column_start[column], self.column_start[column + 1]
        if b - a == 1:
            return bool(self.used[self.entry_row[a]] <= self.entry_limit[a])
        return not (self.used[self.entry_row[a:b]] > self.entry_limit[a:b]).any()

    # ---- switch on / off -----------------------------------------------------------
    def add(self, column: int, journal: Journal) -> None:
        """Switch ``column`` on: its amounts are used on its rows."""
        a, b = self.column_start[column], self.column_start[column + 1]
        if b - a == 1:  # a designation (one claim row): scalar steps are cheaper
            r = self.entry_row[a]
            journal.save(self.used, r)
            journal.save(self.count, r)
            self.used[r] += self.entry_amount[a]
            self.count[r] += 1
        elif b > a:
            rows = self.entry_row[a:b]
            journal.save(self.used, rows)
            journal.save(self.count, rows)
            self.used[rows] += self.entry_amount[a:b]
            self.count[rows] += 1

    def remove(self, column: int, journal: Journal) -> None:
        """Switch ``column`` off (it must be on)."""
        a, b = self.column_start[column], self.column_start[column + 1]
        if b - a == 1:
            r = self.entry_row[a]
            journal.save(self.used, r)
            journal.save(self.count, r)
            self.count[r] -= 1
            self.used[r] = self.used[r] - self.entry_amount[a] if self.count[r] else 0.0
        elif b > a:
            rows = self.entry_row[a:b]
            journal.save(self.used, rows)
            journal.save(self.count, rows)
            self.used[rows] -= self.entry_amount[a:b]
            self.count[rows] -= 1
            self.used[rows[self.count[rows] == 0]] = 0.0

    def below_minimum(self, name: str) -> bool:
        """Some row of family ``name`` is used less than its lower bound (C9 minimums, C10 targets)."""
        r = self.rows(name)
        return bool((self.used[r] < self.lower[r]).any())

    # ---- construction ------------------------------------------------------------------
    @classmethod
    def from_blocks(cls, blocks: list[Block], lay: Layout) -> CapacityLedger:
        """The ledger of the capacity families among ``blocks`` (the model's own, for layout ``lay``)."""
        by_name = {b.name: b for b in blocks}
        if lay.n_cols >= 2**31 or sum(b.n_rows for b in blocks) >= 2**31:  # pragma: no cover - 30x national
            raise ValueError("the capacity ledger numbers rows and columns in int32")
        kind = column_kinds(lay)
        families, rows, cols, amounts, uppers, lowers, first = {}, [], [], [], [], [], 0
        for name in CAPACITY_FAMILIES:
            b = by_name.get(name, Block.empty(name))
            row, col, amount = b.row, b.col, b.val
            if name == nitrogen.NAME and len(row):
                row, col, amount = _substitute_emission(b, by_name[nitrogen.NAME_E], kind)
            use, given = _split_columns(name, row, col, amount, kind)
            uppers.append(b.upper + np.bincount(row[given], weights=-amount[given], minlength=b.n_rows))
            lowers.append(b.lower)
            rows.append((row[use] + first).astype(np.int32))   # int32: exact below 2^31 rows and
            cols.append(col[use].astype(np.int32))            # columns, and 96 MB less at national
            amounts.append(amount[use])
            families[name] = (first, first + b.n_rows)
            first += b.n_rows
        upper = np.concatenate([*uppers, [np.inf]])
        upper += slack(upper)
        lower = np.concatenate([*lowers, [-np.inf]])
        col = np.concatenate(cols)
        order, column_start = grouped(col, lay.n_cols)  # fast: each family's entries come in column order
        col = col[order]
        row = np.concatenate(rows)[order]        # (one sorted array at a time: a national instance
        amount = np.concatenate(amounts)[order]  # has some 12 million entries)
        del rows, cols, amounts, order
        return cls(families, upper, lower - slack(lower), column_start, row, amount, col, upper[row] - amount,
                   np.zeros(len(upper)), np.zeros(len(upper), dtype=np.int64))


def _split_columns(name: str, row: np.ndarray, col: np.ndarray, amount: np.ndarray,
                   kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Entries that use capacity (x, z with a positive amount) and entries that give it (d, u negative)."""
    k = kind[col]
    nonzero = amount != 0
    use = nonzero & ((k == _X) | (k == _Z))
    given = nonzero & ((k == _D) | (k == _U))
    if np.any(amount[use] < 0) or np.any(amount[given] > 0) or np.any(nonzero & ~use & ~given):
        raise AssertionError(f"{name}: a column the capacity ledger cannot read (only x and z use "
                             "capacity, only d and u give it)")
    return use, given


def _substitute_emission(area: Block, emission: Block, kind: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """C6_nitrogen rows over e[p], with each e[p] replaced by its C6_emission row (sum_f kg_f x[f,p]):
    entries (area row, pair column, kg_f * mol_per_kg[p, n]), in the order of the pair columns."""
    is_e = kind[emission.col] == _E
    if np.any(emission.val[is_e] != -1.0) or np.any(kind[area.col] != _E):  # pragma: no cover
        raise AssertionError("C6: the emission rows are not sum_f kg_f x[f,p] - e[p] = 0")
    row_of_e = np.full(len(kind), -1, dtype=np.int64)
    row_of_e[emission.col[is_e]] = emission.row[is_e]
    # the area entries of each emission row (plot), as CSR
    er = row_of_e[area.col]
    order = np.argsort(er, kind="stable")
    area_row, coef = area.row[order], area.val[order]
    start = np.searchsorted(er[order], np.arange(emission.n_rows + 1))
    # each pair's emission entry, expanded over its plot's areas
    xr, xc, kg = emission.row[~is_e], emission.col[~is_e], emission.val[~is_e]
    if np.any(np.diff(xc) < 0):  # pragma: no cover - add_nitrogen lists the pairs in order
        o = np.argsort(xc, kind="stable")
        xr, xc, kg = xr[o], xc[o], kg[o]
    cnt = start[xr + 1] - start[xr]
    entry = spans(start[xr], cnt)
    return area_row[entry], np.repeat(xc, cnt), np.repeat(kg, cnt) * coef[entry]
