"""Moves on a :class:`~revopt.heuristics.state.State`: choose a firm's plot, bump firms to make room,
abandon a terrain that does not pay. Each move that may fail is a transaction on the state's journal."""

from __future__ import annotations

import numpy as np

from .state import State

#: at most this many firms are bumped from a plot to make room for another
MAX_BUMP = 6


def pick(st: State, f: int, js: np.ndarray, gain: np.ndarray, ok: np.ndarray, positive: bool,
         fit: bool = False) -> int:
    """Best feasible pair of firm f: highest gain (``fit``: smallest share of the plot's room, then
    gain); ties keep the current plot, then prefer plots in use and the tightest fit. -1 if none."""
    P = st.problem
    if positive:
        ok = ok & (gain > 1e-9)
    if not ok.any():
        return -1
    if not fit:
        g = np.where(ok, gain, -np.inf)
        i = int(g.argmax())
        best = g[i]
        if np.count_nonzero(g >= best - 1e-9 * max(1.0, abs(best))) == 1:
            return int(js[i])
    score = -P.pair_floor[js] / P.max_capacity[P.pair_plot[js]] if fit else gain
    g = np.where(ok, score, -np.inf)
    best = g.max()
    near = np.flatnonzero(g >= best - 1e-9 * max(1.0, abs(best)))
    if len(near) == 1:
        return int(js[near[0]])
    jj = js[near]
    plots = P.pair_plot[jj]
    is_current = plots == P.current_plot[f]
    used = st.designation[plots] >= 0
    room = (P.base_capacity[plots] + np.where(st.intensified[plots], P.intensify_extra[plots], 0.0)
            - st.load(plots) - P.pair_floor[jj])
    room = np.where(room < 0, room + P.intensify_extra[plots], room)
    o = np.lexsort((room, ~used, ~is_current, -gain[near]))
    return int(jj[o[0]])


def place_best(st: State, f: int, share: bool = False, positive: bool = True, fit: bool = False) -> bool:
    """Place firm f on its best feasible pair (``positive``: only if that gains); False if none."""
    if st.problem.candidate_count[f] == 0:
        return False
    js, gain, ok = st.options(f, share)
    j = pick(st, f, js, gain, ok, positive, fit)
    if j < 0:
        return False
    st.place(f, j)
    return True


def bump_order(st: State, p: int, per_m2: bool) -> list[int]:
    """The firms on plot p in the order to bump them: must-place firms last, the cheapest first (by
    contribution, or ``per_m2`` by contribution per m2 of floor)."""
    P = st.problem
    if per_m2:
        def key(f):
            return (P.must_place[f], P.contribution[st.pair_of_firm[f]] / P.pair_floor[st.pair_of_firm[f]])
    else:
        def key(f):
            return (P.must_place[f], P.contribution[st.pair_of_firm[f]])
    return sorted(st.firms_on.get(p, ()), key=key)


def try_insert(st: State, g: int, j: int, require_gain: bool, max_bump: int = MAX_BUMP, fit: bool = False,
               per_m2: bool = False, victims: list[int] | None = None) -> bool:
    """Put firm g on pair j, bumping firms from that plot in :func:`bump_order` (or ``victims``, that
    order computed already) and re-placing them elsewhere; kept only if every bumped must-place firm
    finds a plot, the minimums hold and (``require_gain``) the objective rises."""
    P = st.problem
    victims = list(bump_order(st, P.pair_plot[j], per_m2) if victims is None else victims)
    st.begin()
    removed: list[int] = []
    while not st.fits(j):
        if not victims or len(removed) >= max_bump:
            st.rollback()
            return False
        f = victims.pop(0)
        st.remove(f)
        removed.append(f)
    st.place(g, j)
    removed.sort(key=lambda f: (not P.must_place[f], -P.value_density[f]))
    for f in removed:
        if not place_best(st, f, positive=not P.must_place[f], fit=fit and P.must_place[f]) and P.must_place[f]:
            st.rollback()
            return False
    if (require_gain and not st.gained()) or not st.minimums_hold():
        st.rollback()
        return False
    st.commit()
    return True


def abandon_terrains(st: State) -> int:
    """Abandon developed terrains (without credits or must-place firms) that do not pay: their firms
    move to their best other plot, or stay unplaced. Returns the number abandoned."""
    P = st.problem
    dropped = 0
    for t in np.flatnonzero(st.developed & ~P.forced_open):
        plots = np.flatnonzero((P.plot_terrain == t) & (st.designation >= 0))
        if st.credit_on_plot[plots].sum() > 0:
            continue
        firms = [f for p in plots for f in st.firms_on.get(int(p), ())]
        if any(P.must_place[f] for f in firms):
            continue
        st.begin()
        for f in firms:
            st.remove(f)
        for f in sorted(firms, key=lambda f: -P.value_density[f]):
            place_best(st, f)
        if st.gained() and st.minimums_hold():
            st.commit()
            dropped += 1
        else:
            st.rollback()
    return dropped
