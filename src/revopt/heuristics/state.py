"""The greedy's decisions so far, every change recorded in a journal so that a move can be undone.

:class:`State` holds which pair each firm is on, each plot's designation and
intensification, each terrain's development, the compensation credits, and its
own :class:`~revopt.heuristics.ledger.CapacityLedger` (the usage of every
capacity row). Its operations keep all of these consistent:

- :meth:`State.place` / :meth:`State.remove` a firm (the ledger gets +pair / -pair;
  the plot is designated, developed and intensified as the placement needs);
- :meth:`State.designate`, :meth:`State.intensify`, :meth:`State.tidy_plot`
  (drop a designation, intensification or development nothing needs any more);
- :meth:`State.options` (a firm's pairs, the gain of each and whether it fits now),
  :meth:`State.assess` (the same for pairs of any firms), :meth:`State.fits` (one pair).

Feasibility is one question asked in one place: the pair's plot must be free or
designated a werkmilieu the pair can use (C3), a fresh designation must keep
within the claim maximums (C9, the designation's z column on the ledger), and
the pair's column must fit on the ledger (every other capacity rule).
"""

from __future__ import annotations

import numpy as np

from ..model import claims, lifecycle
from .journal import Journal
from .ledger import slack
from .problem import N_WERKMILIEUS, Problem

#: every werkmilieu bit set
ALL_WERKMILIEUS = (1 << N_WERKMILIEUS) - 1
_BITS = 1 << np.arange(N_WERKMILIEUS, dtype=np.int64)
#: werkmilieus a pair may use on a plot designated w, at position w + 1 (position 0: a free plot)
_USABLE = np.concatenate([[ALL_WERKMILIEUS], _BITS])


class State:
    """Mutable decisions of one greedy run (see the module docstring)."""

    def __init__(self, problem: Problem):
        P = self.problem = problem
        self.ledger = P.ledger.emptied()
        self.journal = Journal()
        self.pair_of_firm = np.full(P.n_firms, -1, dtype=np.int64)
        self.firms_on: dict[int, set[int]] = {}
        self.designation = np.full(P.n_plots, -1, dtype=np.int64)     # werkmilieu index, -1 none
        self.intensified = np.zeros(P.n_plots, dtype=bool)
        self.developed = P.forced_open.copy()
        self.designated_on_terrain = np.zeros(P.n_terrains, dtype=np.int64)
        self.credit_on_plot = np.zeros(P.n_plots)
        self.credits: dict[tuple[int, int, int], float] = {}          # (terrain, plot, class) -> m2
        self.pinned = np.zeros(P.n_plots, dtype=bool)   # designations that stay (locked, or for a claim minimum)
        self.targets_enforced = False                    # lifecycle targets reached: moves may not undo them
        self.objective = -float(P.development_cost[P.forced_open].sum())   # terrains the plan forces open
        self._objective_at_start = 0.0

    # ---- transactions ------------------------------------------------------------
    def begin(self) -> None:
        self.journal.start()
        self._objective_at_start = self.objective

    def commit(self) -> None:
        self.journal.stop()

    def rollback(self) -> None:
        self.journal.undo()
        self.objective = self._objective_at_start

    def gained(self) -> bool:
        """The objective rose since :meth:`begin` (by more than rounding)."""
        start = self._objective_at_start
        return self.objective > start + 1e-9 * max(1.0, abs(start))

    # ---- reading the ledger -----------------------------------------------------------
    def load(self, plots: np.ndarray | int) -> np.ndarray:
        """Floor space in use on the plots (their C4 row of the ledger)."""
        return self.ledger.used[self.problem.floor_row[plots]]

    def free_werkmilieus(self, plots: np.ndarray) -> np.ndarray:
        """Per plot, the bit mask of werkmilieus a fresh designation may take without passing a claim
        maximum (C9): those whose z column fits on the ledger."""
        if not self.problem.has_claim_maximum:
            return np.full(len(plots), ALL_WERKMILIEUS, dtype=np.int64)
        columns = self.problem.designation_column[plots]
        ok = self.ledger.fits(columns.ravel()).reshape(columns.shape)
        return ok.astype(np.int64) @ _BITS

    def minimums_hold(self) -> bool:
        """Claim minimums (C9) and, once reached, lifecycle targets (C10) still hold."""
        P = self.problem
        if P.n_claims and self.ledger.below_minimum(claims.NAME):
            return False
        return not (self.targets_enforced and P.n_targets and self.ledger.below_minimum(lifecycle.NAME))

    # ---- plots and terrains ---------------------------------------------------------------
    def choose_werkmilieu(self, p: int, mask: int) -> int:
        """The werkmilieu of ``mask`` for which plot p has most candidate value (-1 if mask is empty)."""
        best, choice = -1.0, -1
        for w in range(N_WERKMILIEUS):
            if (mask >> w) & 1 and self.problem.werkmilieu_value[p, w] > best:
                best, choice = self.problem.werkmilieu_value[p, w], w
        return choice

    def designate(self, p: int, w: int) -> None:
        """Designate plot p werkmilieu w, developing its terrain if it is planned and closed."""
        P, J = self.problem, self.journal
        t = P.plot_terrain[p]
        if P.on_planned[p] and not self.developed[t]:
            J.write(self.developed, t, True)
            self.objective -= P.development_cost[t]
        column = P.designation_column[p, w] if w >= 0 else -1
        if column < 0:  # pragma: no cover - callers check that some werkmilieu fits
            raise AssertionError(f"no werkmilieu to designate plot {p}")
        J.write(self.designation, p, w)
        J.write(self.designated_on_terrain, t, self.designated_on_terrain[t] + 1)
        self.ledger.add(column, J)

    def intensify(self, p: int) -> None:
        if not self.intensified[p]:
            self.journal.write(self.intensified, p, True)
            self.objective -= self.problem.intensify_cost[p]

    def tidy_plot(self, p: int) -> None:
        """Drop designation, intensification and development no longer needed."""
        P, J = self.problem, self.journal
        w = self.designation[p]
        if not self.firms_on.get(p) and self.credit_on_plot[p] <= 0 and w >= 0 and not self.pinned[p]:
            if self.intensified[p]:
                J.write(self.intensified, p, False)
                self.objective += P.intensify_cost[p]
            self.ledger.remove(P.designation_column[p, w], J)
            J.write(self.designation, p, -1)
            t = P.plot_terrain[p]
            J.write(self.designated_on_terrain, t, self.designated_on_terrain[t] - 1)
            if self.designated_on_terrain[t] == 0 and self.developed[t] and not P.forced_open[t]:
                J.write(self.developed, t, False)
                self.objective += P.development_cost[t]
        elif self.intensified[p]:
            planned = P.planned_space[p]
            need_extra = (self.load(p) > P.base_capacity_limit[p]
                          or self.credit_on_plot[p] > planned + slack(planned))
            if not need_extra:
                J.write(self.intensified, p, False)
                self.objective += P.intensify_cost[p]

    # ---- firms -------------------------------------------------------------------------------
    def place(self, f: int, j: int) -> None:
        """Put firm f on pair j (which must fit): designate, develop and intensify as needed."""
        P, J = self.problem, self.journal
        p = P.pair_plot[j]
        if self.designation[p] < 0:
            mask = P.pair_werkmilieus[j]
            if P.has_claim_maximum:
                mask &= int(self.free_werkmilieus(np.array([p]))[0])
            self.designate(p, self.choose_werkmilieu(p, mask))
        if self.load(p) + P.pair_floor[j] > P.base_capacity_limit[p]:
            self.intensify(p)
        self.ledger.add(j, J)
        J.add_to_set(self.firms_on, p, f)
        J.write(self.pair_of_firm, f, j)
        self.objective += P.contribution[j]

    def remove(self, f: int) -> None:
        """Take firm f off its plot, and tidy the plot."""
        P, J = self.problem, self.journal
        j = self.pair_of_firm[f]
        p = P.pair_plot[j]
        self.ledger.remove(j, J)
        J.discard_from_set(self.firms_on, p, f)
        J.write(self.pair_of_firm, f, -1)
        self.objective -= P.contribution[j]
        self.tidy_plot(p)

    @property
    def version(self) -> int:
        """Changes kept so far: the same version means the same state (see :class:`Journal`)."""
        return self.journal.version

    def credit(self, t: int, p: int, k: int, amount: float) -> None:
        """Count ``amount`` m2 of new space on plot p towards the loss of class k on terrain t (C7)."""
        self.journal.touch()
        key = (t, p, k)
        self.credits[key] = self.credits.get(key, 0.0) + amount
        self.credit_on_plot[p] += amount

    def withdraw_credits(self, p: int, credits: list[tuple[tuple[int, int, int], float]]) -> None:
        """Take the given credits of plot p back (all of its credits)."""
        self.journal.touch()
        for key, amount in credits:
            del self.credits[key]
            self.credit_on_plot[p] -= amount
        self.credit_on_plot[p] = 0.0

    def pin(self, plots: np.ndarray | int) -> None:
        """Keep the designations of ``plots`` for good (locked, or counting towards a claim minimum)."""
        self.journal.touch()
        self.pinned[plots] = True

    def enforce_targets(self) -> None:
        """From now on no move may take a lifecycle target below its minimum."""
        self.journal.touch()
        self.targets_enforced = True

    # ---- feasibility and gain ------------------------------------------------------------------
    def designation_allows(self, plots: np.ndarray, werkmilieus: np.ndarray) -> np.ndarray:
        """Per pair (plot, bit mask W(f, p)): the plot is designated one of the pair's werkmilieus, or
        is free and some werkmilieu of the pair keeps within the claim maximums (C3, C9)."""
        des = self.designation[plots]
        ok = (werkmilieus & _USABLE[des + 1]) != 0
        if self.problem.has_claim_maximum:
            free = des < 0
            if free.any():
                ok[free] = (werkmilieus[free] & self.free_werkmilieus(plots[free])) != 0
        return ok

    def options(self, f: int, share: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Firm f's pairs, the gain of placing f on each now, and whether it fits now."""
        P = self.problem
        s, e = P.firm_start[f], P.firm_stop[f]
        plots = P.pair_plot[s:e]
        ok = self.designation_allows(plots, P.pair_werkmilieus[s:e]) & self.ledger.fits_range(s, e)
        return np.arange(s, e), self._gain(slice(s, e), plots, share), ok

    def assess(self, js: np.ndarray, share: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Gain and feasibility of placing each pair's firm on its plot now (pairs of any firms)."""
        P = self.problem
        plots = P.pair_plot[js]
        ok = self.designation_allows(plots, P.pair_werkmilieus[js]) & self.ledger.fits(js)
        return self._gain(js, plots, share), ok

    def fits(self, j: int) -> bool:
        """Can pair j's firm go on pair j now (the scalar :meth:`assess`)?"""
        P = self.problem
        p = P.pair_plot[j]
        des = self.designation[p]
        if des >= 0:
            if not (P.pair_werkmilieus[j] >> des) & 1:
                return False
        elif P.has_claim_maximum and not P.pair_werkmilieus[j] & int(self.free_werkmilieus(np.array([p]))[0]):
            return False
        return self.ledger.fits_column(j)

    def _gain(self, js: np.ndarray | slice, plots: np.ndarray, share: bool) -> np.ndarray:
        """Contribution of the pairs minus the intensification and development they would need now
        (``share``: development charged by the share of the terrain's planned space the pair takes)."""
        P = self.problem
        floor = P.pair_floor[js]
        over = self.ledger.used[P.pair_floor_row[js]] + floor > P.pair_base_limit[js]
        over &= ~self.intensified[plots]
        gain = P.contribution[js] - np.where(over, P.pair_intensify_cost[js], 0.0)
        planned = P.pair_on_planned[js]
        if planned.any():
            t = P.pair_terrain[js]
            need_development = planned & ~self.developed[t]
            charge = P.development_cost[t]
            if share:
                charge = charge * np.minimum(1.0, floor / np.maximum(P.planned_terrain_space[t], 1e-9))
            gain -= np.where(need_development, charge, 0.0)
        return gain
