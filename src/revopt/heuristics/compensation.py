"""Compensation (C7): open new space near every transformed terrain, scarcest demand first, then
make the cover minimal.

For each (transform terrain t, lost class k) the demand is ratio * lost[t, k] m2
of new space on plots in N(t). Space is opened as cheaply as possible, per m2
of what the demand still needs:

0. space already open and not yet credited (free);
1. designating a plot on a planned terrain (developing the terrain, its cost
   spread over the space that development opens for this demand);
2. intensifying a plot (designating and developing it as needed).

Credit is a flow, not a copy: every new m2 is credited once, over all
transformed terrains (``State.credits[(t, p, k)]``, ``State.credit_on_plot``).
Credits are not capacity rows of the ledger: their rows (C7_class_cap,
C7_plot_cap) are written against the designations and intensifications this
module makes, and the final check holds them. A fresh designation keeps within
the claim maximums (C9) through the ledger, as every designation does.
"""

from __future__ import annotations

import numpy as np

from .state import State

_NO_PLOTS = np.zeros(0, np.int64)


def compensate(st: State) -> bool:
    """Open and credit new space for every (transform terrain, class) with demand; False if some
    demand cannot be met."""
    P = st.problem
    if P.lost.empty or P.ratio <= 0:
        return True
    new_space = P.planned_space + P.intensify_extra
    tasks = []
    for t, k, lost in P.lost.itertuples(index=False):
        need = P.ratio * float(lost)
        plots = P.credit_plots_near.get((int(t), int(k)), _NO_PLOTS)
        tasks.append((float(new_space[plots].sum()) / need, int(t), int(k), need, plots))
    tasks.sort(key=lambda task: task[0])  # scarcest first
    for _, t, k, need, plots in tasks:
        got = 0.0
        tol = 1e-12 * max(1.0, need)
        while need - got > tol:
            given = _open_cheapest(st, t, k, plots, need - got, tol)
            if given is None:
                return False
            got += given
    return True


def _open_cheapest(st: State, t: int, k: int, plots: np.ndarray, rem: float, tol: float) -> float | None:
    """Open the cheapest space per m2 among the options on ``plots`` and credit up to ``rem`` m2 of it
    to (t, k); the amount credited, or None if no option is left."""
    P = st.problem
    des = st.designation[plots]
    allowed = (des < 0) | (des == k) if P.per_werkmilieu else np.ones(len(plots), bool)
    if P.has_claim_maximum:  # a fresh designation must keep within the claim maximums (C9)
        free = st.free_werkmilieus(plots)
        fresh_ok = ((free >> k) & 1).astype(bool) if P.per_werkmilieu else (free & P.plot_werkmilieus[plots]) != 0
        allowed &= (des >= 0) | fresh_ok
    planned = P.planned_space[plots]
    open_space = np.where(des >= 0, planned, 0.0) + np.where(st.intensified[plots], P.intensify_extra[plots], 0.0)
    uncredited = open_space - st.credit_on_plot[plots]
    terrain = P.plot_terrain[plots]
    undeveloped = P.on_planned[plots] & ~st.developed[terrain]
    fresh_planned = allowed & (des < 0) & P.on_planned[plots]
    opened = np.bincount(terrain[fresh_planned], weights=planned[fresh_planned], minlength=P.n_terrains)[terrain]
    n = len(plots)
    # kind 0: open, uncredited space (free)
    amount0 = np.where(allowed & (des >= 0) & (uncredited > tol), uncredited, 0.0)
    # kind 1: designate a plot on a planned terrain (develop it if needed)
    amount1 = np.where(fresh_planned, planned, 0.0)
    cost1 = np.where(undeveloped, P.development_cost[terrain] * np.minimum(planned, rem)
                     / np.maximum(np.minimum(opened, rem), 1e-9), 0.0)
    # kind 2: intensify (designating, and developing, as needed)
    can_intensify = allowed & ~st.intensified[plots] & (P.intensify_extra[plots] > 0)
    amount2 = np.where(can_intensify, P.intensify_extra[plots] + np.where(des < 0, planned, 0.0), 0.0)
    cost2 = P.intensify_cost[plots] + np.where(undeveloped & (des < 0), P.development_cost[terrain], 0.0)
    amount = np.concatenate([amount0, amount1, amount2])
    cost = np.concatenate([np.zeros(n), cost1, cost2])
    kind = np.repeat([0.0, 1.0, 2.0], n)
    idx = np.tile(np.arange(n), 3)
    valid = amount > tol
    if not valid.any():
        return None
    amount, cost, kind, idx = amount[valid], cost[valid], kind[valid], idx[valid]
    rate = cost / np.minimum(amount, rem)
    o = np.lexsort((-amount, P.demands_per_plot[plots[idx]], kind, rate))[0]
    return _credit_option(st, t, k, int(plots[idx[o]]), int(kind[o]), rem)


def _credit_option(st: State, t: int, k: int, p: int, kind: int, rem: float) -> float | None:
    """Open plot p by option ``kind`` and credit what it has free (at most ``rem``) to (t, k)."""
    P = st.problem
    if kind >= 1 and st.designation[p] < 0:
        if P.per_werkmilieu:
            w = k
        else:
            w = st.choose_werkmilieu(p, P.plot_werkmilieus[p] & int(st.free_werkmilieus(np.array([p]))[0]))
        st.designate(p, w)
    if kind == 2:
        st.intensify(p)
    open_p = P.planned_space[p] + (P.intensify_extra[p] if st.intensified[p] else 0.0)
    give = min(open_p - st.credit_on_plot[p], rem)
    if give <= 0:  # pragma: no cover - options always open space
        return None
    st.credit(t, p, k, give)
    return give


def prune_compensation(st: State) -> int:
    """Move credits off plots whose credit other open space can take, then close them.

    The cover built by :func:`compensate` may open more than needed (a cheap
    small opening followed by a large one). Plots on existing terrains go
    first (their designation matters most to firms), then the dearest.
    Returns the number of plots closed.
    """
    P = st.problem
    if not st.credits:
        return 0
    credited = np.flatnonzero(st.credit_on_plot > 0)
    price = P.intensify_cost[credited] + P.development_cost[P.plot_terrain[credited]]
    closed = 0
    for p in credited[np.lexsort((-price, P.on_planned[credited]))].tolist():
        mine = [(key, a) for key, a in st.credits.items() if key[1] == p and a > 0]
        if not mine:
            continue
        moves = _reroute(st, p, mine)
        if moves is None:
            continue
        st.withdraw_credits(p, mine)
        for (t, q, k), a in moves:
            st.credit(t, q, k, a)
        st.tidy_plot(p)
        closed += 1
    return closed


def _reroute(st: State, p: int, mine: list) -> list | None:
    """Where the credits ``mine`` of plot p can go on other open space (largest room first); None if
    some of it cannot."""
    P = st.problem
    room = (np.where(st.designation >= 0, P.planned_space, 0.0)
            + np.where(st.intensified, P.intensify_extra, 0.0)) - st.credit_on_plot
    room[p] = 0.0
    moves: list[tuple[tuple[int, int, int], float]] = []
    for (t, _, k), a in mine:
        others = P.credit_plots_near.get((t, k), _NO_PLOTS)
        des = st.designation[others]
        good = (des == k) if P.per_werkmilieu else (des >= 0)
        others = others[good & (room[others] > 0)]
        left = a
        for q in others[np.argsort(-room[others], kind="stable")]:
            give = min(room[q], left)
            moves.append(((t, int(q), k), give))
            room[q] -= give
            left -= give
            if left <= 1e-12 * max(1.0, a):
                left = 0.0
                break
        if left > 0:
            return None
    return moves
