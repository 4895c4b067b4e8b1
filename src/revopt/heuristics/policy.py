"""The policy rules of spec section 9 that a construction must actively meet (their capacities are
the ledger's): locked werkmilieus, claim minimums (C9) and lifecycle targets (C10).

Locked firms need nothing here: their only candidate pair is their current plot
(see :func:`revopt.heuristics.greedy.greedy`) and they count as must-place firms.
"""

from __future__ import annotations

import numpy as np

from .problem import N_WERKMILIEUS
from .state import State

_NO_PLOTS = np.zeros(0, np.int64)


def lock_designations(st: State) -> None:
    """Locked werkmilieus first; they are never undone."""
    P = st.problem
    for p in np.flatnonzero(P.locked_werkmilieu >= 0).tolist():
        st.designate(p, int(P.locked_werkmilieu[p]))
        st.pin(p)


def meet_claim_minimums(st: State) -> bool:
    """C9 minimums: designate free plots of the region, new space that may compensate a loss of
    the same werkmilieu first (it serves both), then cheapest first (no development needed,
    the plot's present werkmilieu, not new space that compensation may need for another class,
    least candidate value of other werkmilieus lost, larger plots first); pin every plot that
    counts towards a minimum so that it stays designated. False when a minimum cannot be met.

    The plots of a claim are ranked once; development cost is counted as of the start, so a
    terrain developed for an earlier plot of the list does not reorder it."""
    P, ledger = st.problem, st.ledger
    for c in np.flatnonzero(P.claim_minimum > 0).tolist():
        w, row = int(P.claim_werkmilieu[c]), P.claim_row[c]
        need = ledger.lower[row]
        if ledger.used[row] < need:
            added = []
            for p in _claim_plots_in_order(st, c, w):
                if ledger.used[row] >= need:
                    break
                if ledger.fits_column(P.designation_column[p, w]):
                    st.designate(int(p), w)
                    added.append(int(p))
            if ledger.used[row] < need:
                return False
            # give back what overshoots the minimum: plots other compensation may need first, then
            # the largest that still fit in the overshoot
            given = np.array(added, dtype=np.int64)
            for p in given[np.lexsort((-P.base_capacity[given], ~np.isin(given, P.credit_plots)))]:
                if ledger.used[row] - P.base_capacity[p] >= need:
                    st.tidy_plot(int(p))
        st.pin(np.flatnonzero((P.plot_claim[:, w] == c) & (st.designation == w)))
    return True


def _claim_plots_in_order(st: State, c: int, w: int) -> np.ndarray:
    """The free plots that would count for claim c (werkmilieu w), in the order to designate them."""
    P = st.problem
    plots = np.flatnonzero((P.plot_claim[:, w] == c) & (st.designation < 0) & ~P.closed)
    t = P.plot_terrain[plots]
    cost = np.where(P.on_planned[plots] & ~st.developed[t], P.development_cost[t], 0.0)
    value = P.werkmilieu_value[plots]
    others = np.delete(value, w, axis=1).max(axis=1) if N_WERKMILIEUS > 1 else np.zeros(len(plots))
    loss = np.maximum(others - value[:, w], 0.0)
    other_compensation = np.isin(plots, P.credit_plots) & (w not in P.lost_classes)
    serves = np.isin(plots, P.credit_plots_of.get(w, P.credit_plots_of.get(-1, _NO_PLOTS)))
    order = np.lexsort((-P.base_capacity[plots], loss, other_compensation,
                        P.current_werkmilieu[plots] != w, cost, ~serves))
    return plots[order]


def meet_lifecycle_targets(st: State) -> bool:
    """C10 minimums: place unplaced firms of the stage on plots of the region (a firm staying on
    its present plot first, then by contribution). The pairs of a target are ranked once and
    tried in that order, each checked against the state of the moment. False when a target
    cannot be met this way; afterwards no move may take a target below its minimum."""
    P, ledger = st.problem, st.ledger
    for g in range(P.n_targets):
        row = P.target_row[g]
        need = ledger.lower[row]
        if ledger.used[row] >= need:
            continue
        js = np.flatnonzero(P.pair_target == g)
        js = js[st.pair_of_firm[P.pair_firm[js]] < 0]
        gain, ok = st.assess(js)
        js, gain = js[ok], gain[ok]
        stay = P.pair_plot[js] == P.current_plot[P.pair_firm[js]]
        for j in js[np.lexsort((-gain, ~stay))]:
            if ledger.used[row] >= need:
                break
            f = int(P.pair_firm[j])
            if st.pair_of_firm[f] < 0 and st.fits(int(j)):
                st.place(f, int(j))
        if ledger.used[row] < need:
            return False
    st.enforce_targets()
    return True
