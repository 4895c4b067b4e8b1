"""Local improvement of a constructed state (phase 4 of :mod:`revopt.heuristics.greedy`).

Repeated passes, each move a transaction kept only when the objective rises and
the policy minimums hold: abandon developed terrains that do not pay; develop a
planned terrain when moving firms there pays; move placed firms to a better
plot; insert unplaced firms on one of their best plots by bumping the cheapest
firms there. Stops when a pass finds nothing, after ``passes`` passes, or at the
deadline. Every move is deterministic, so one that failed is not tried again
until the state has changed (:class:`Failures`).
"""

from __future__ import annotations

import time

import numpy as np

from ..model.block import spans
from .moves import MAX_BUMP, abandon_terrains, bump_order, place_best, try_insert
from .problem import Problem
from .state import State


class Failures:
    """Moves that found nothing, each with the state version it was tried at: on the same version
    it would find nothing again, so it is skipped."""

    def __init__(self) -> None:
        self._version: dict[tuple[str, int], int] = {}

    def known(self, st: State, move: str, item: int) -> bool:
        return self._version.get((move, item)) == st.version

    def record(self, st: State, move: str, item: int) -> None:
        self._version[(move, item)] = st.version


def improve(st: State, deadline: float, top: int = 4, passes: int = 10) -> int:
    """Improve ``st`` in place until ``deadline`` (a ``time.perf_counter()`` value); the number of
    moves made."""
    P = st.problem
    failures = Failures()
    moves = 0
    for _ in range(passes):
        before = moves
        moves += abandon_terrains(st)
        for t in np.flatnonzero(P.planned_terrain & ~st.developed).tolist():
            if time.perf_counter() > deadline:
                return moves
            if not failures.known(st, "open", t):
                opened = try_open(st, t)
                moves += opened
                if not opened:
                    failures.record(st, "open", t)
        done, n = move_firms(st, deadline, failures)
        moves += n
        if done:
            return moves
        done, n = insert_unplaced(st, deadline, top, failures)
        moves += n
        if done or moves == before:
            break
    return moves


def move_firms(st: State, deadline: float, failures: Failures) -> tuple[bool, int]:
    """Move each placed firm to a better plot where one is free now. (deadline passed, moves)."""
    P = st.problem
    moves = 0
    for f in np.flatnonzero(st.pair_of_firm >= 0).tolist():
        if time.perf_counter() > deadline:
            return True, moves
        here = st.pair_of_firm[f]
        if P.best_contribution[f] <= P.contribution[here] + 1e-9:
            continue  # on its best pair already: a gain never exceeds the pair's contribution
        if failures.known(st, "move", f):
            continue
        js, gain, ok = st.options(f)
        ok &= P.pair_plot[js] != P.pair_plot[here]
        if not ok.any() or np.max(np.where(ok, gain, -np.inf)) <= P.contribution[here] + 1e-9:
            failures.record(st, "move", f)
            continue
        st.begin()
        st.remove(f)
        place_best(st, f, positive=not P.must_place[f])
        if st.pair_of_firm[f] >= 0 and st.gained() and st.minimums_hold():
            st.commit()
            moves += 1
        else:
            st.rollback()
            failures.record(st, "move", f)
    return False, moves


def insert_unplaced(st: State, deadline: float, top: int, failures: Failures) -> tuple[bool, int]:
    """Place unplaced firms of positive value, densest first: on a free plot, or on one of their
    ``top`` best plots by bumping the cheapest firms there (by contribution, else per m2), which move
    to their best other plot or leave when that pays. (deadline passed, firms placed)."""
    P = st.problem
    unplaced = np.flatnonzero((st.pair_of_firm < 0) & (P.best_contribution > 0))
    unplaced = unplaced[np.argsort(-P.value_density[unplaced], kind="stable")]
    found = 0
    for g in unplaced.tolist():
        if time.perf_counter() > deadline:
            return True, found
        if failures.known(st, "insert", g):
            continue
        if place_best(st, g) or _insert_on_a_best_plot(st, g, top):
            found += 1
        else:
            failures.record(st, "insert", g)
    return False, found


def _insert_on_a_best_plot(st: State, g: int, top: int) -> bool:
    """Insert g on one of its ``top`` pairs of highest contribution by bumping firms there."""
    P = st.problem
    s, e = P.firm_start[g], P.firm_stop[g]
    for j in np.arange(s, e)[np.argsort(-P.contribution[s:e], kind="stable")[:top]]:
        if P.contribution[j] <= 0:
            break
        if _bumping_may_help(st, int(j)) and _insert_by_bumping(st, g, int(j)):
            return True
    return False


def _insert_by_bumping(st: State, g: int, j: int) -> bool:
    """Insert g on pair j bumping the cheapest firms by contribution, else per m2 (when that order
    differs: the same order would give the same outcome)."""
    p = st.problem.pair_plot[j]
    by_value = bump_order(st, p, per_m2=False)
    if try_insert(st, g, j, require_gain=True, victims=by_value):
        return True
    by_density = bump_order(st, p, per_m2=True)
    return by_density != by_value and try_insert(st, g, j, require_gain=True, victims=by_density)


def _bumping_may_help(st: State, j: int) -> bool:
    """Pair j's plot has firms, keeps a designation pair j can use (or could change it), and bumping
    at most MAX_BUMP of its firms could free the floor space pair j needs."""
    P = st.problem
    p = P.pair_plot[j]
    occupants = st.firms_on.get(int(p), ())
    if not occupants:
        return False
    des = st.designation[p]
    if des >= 0 and not (P.pair_werkmilieus[j] >> des) & 1 and (len(occupants) > MAX_BUMP
                                                                 or st.credit_on_plot[p] > 0):
        return False  # the designation would have to change
    freed = sum(sorted(P.pair_floor[st.pair_of_firm[f]] for f in occupants)[:MAX_BUMP])
    return not st.load(p) - freed + P.pair_floor[j] > st.ledger.upper[P.floor_row[p]]


def pairs_on(P: Problem, plots: np.ndarray) -> np.ndarray:
    """Indices of the candidate pairs on the given plots."""
    counts = P.plot_pairs[plots + 1] - P.plot_pairs[plots]
    return P.pairs_by_plot[spans(P.plot_pairs[plots], counts)]


def try_open(st: State, t: int) -> bool:
    """Develop planned terrain t, move firms there that gain and fill the room they leave; kept only
    if that pays."""
    P = st.problem
    js = pairs_on(P, np.flatnonzero(P.plot_terrain == t))
    if not len(js):
        return False
    firms = np.unique(P.pair_firm[js])
    firms = firms[np.argsort(-P.value_density[firms], kind="stable")]
    st.begin()
    st.journal.write(st.developed, t, True)
    st.objective -= P.development_cost[t]
    vacated = []
    for f in firms.tolist():
        if st.pair_of_firm[f] < 0:
            place_best(st, f)
            continue
        here = st.pair_of_firm[f]
        if P.best_contribution[f] <= P.contribution[here] + 1e-9:
            continue  # on its best pair already
        js_f, gain, ok = st.options(f)
        ok &= P.plot_terrain[P.pair_plot[js_f]] == t
        if ok.any() and np.max(np.where(ok, gain, -np.inf)) > P.contribution[here] + 1e-9:
            vacated.append(P.pair_plot[here])
            st.remove(f)
            place_best(st, f, positive=not P.must_place[f])
            if st.pair_of_firm[f] < 0:  # pragma: no cover - its old plot is still free
                st.rollback()
                return False
    if vacated:
        for f in np.unique(P.pair_firm[pairs_on(P, np.unique(np.array(vacated, dtype=np.int64)))]).tolist():
            if st.pair_of_firm[f] < 0 and P.best_contribution[f] > 0:
                place_best(st, f)
    if st.designated_on_terrain[t] > 0 and st.gained() and st.minimums_hold():
        st.commit()
        return True
    st.rollback()
    return False
