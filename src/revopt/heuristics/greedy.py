"""A planner's greedy baseline for model v1, also a starting solution for the MIP.

``greedy(instance)`` builds a feasible solution the way a planner would, in
phases (spec sections 3 and 5):

1. **Compensation first (C7).** For each transformed terrain and lost class,
   scarcest first, new space in N(t) is opened as cheaply as possible: space
   already open and not yet credited (free), then plots on planned terrains
   (developing the terrain, its cost spread over the space it opens), then
   intensification. Credit is routed like a flow: every new m2 is counted
   once, over all transformed terrains. Afterwards plots whose credit other
   open space can take over are closed again (the cover is made minimal).
2. **Must-place firms (C1)** in order of regret (best minus second-best
   option, as in Martello and Toth's heuristic for the generalized assignment
   problem), scored by contribution, or, if that fails, by the share of the
   plot's room the firm takes; a firm without room bumps firms from a plot,
   which move on. If this fails, the must-place firms go before compensation.
3. **All other firms** by decreasing value density (best contribution per m2
   of floor), each on the feasible plot with the best contribution: value over
   ``value_years`` minus relocation and misuse costs, minus the cost of
   intensifying the plot (C4) and of developing its terrain (C2) when the
   placement needs it. The first firm on a plot fixes its designation (C3),
   choosing among W(f, p) the werkmilieu that most candidate value on that plot
   can use. Ties keep a firm on its current plot, then prefer plots already in
   use and the tightest fit. Grid (C5) and nitrogen (C6) room are tracked.
   Development is priced in two ways (the whole cost on the first firm, or a
   share per m2 followed by a clean-up that abandons terrains that do not pay);
   the better run is kept.
Policy rules (spec section 9): locked firms are must-place firms with their
current plot as the only option; locked designations are made first and never
undone; a designation that would pass a claim maximum (C9) is never made; claim
minimums are met before compensation (or, when that fails, after compensation
and the must-place firms) by designating the plots that cost least
(no development, the plot's present werkmilieu, least value of other
werkmilieus lost), which then stay designated; lifecycle targets (C10) are met
after the must-place firms by placing firms of the stage in the region (firms
staying on their present plot first, then by contribution), and afterwards no
move may take a target below its minimum; noise budgets (C11) are tracked like grid capacity.
Multimodal corridors (spec section 7): the transport cost of a pair's cheapest route is part of
its contribution (through the objective terms), and the freight on each capacitated corridor
edge (C8) is tracked like grid capacity, so a firm whose route would overload an edge goes elsewhere.
min_category and sector restrictions are candidate rules, so they hold by
construction.

4. **Local improvement** (optional, time-bounded, repeated while it finds
   something): firms move to a better plot; developed terrains that do not pay
   are closed and undeveloped ones opened when that pays; an unplaced firm is
   inserted on one of its best plots by bumping the cheapest firms there
   (by contribution, or per m2) and moving those to their best other plot, or
   dropping them when that pays. Every move is a transaction on an undo log,
   kept only when the objective rises.

All work is per firm with numpy over that firm's candidate pairs (the candidate
table sorted by firm); there is no loop over pairs. Every capacity rule (C4, C5,
C6, C8, C9, C10, C11) is asked and booked in one place, the
:class:`~revopt.heuristics.ledger.CapacityLedger` built from the model's own
constraint blocks. The result is checked against every row of the model
(``A v`` against the row bounds) before it is returned, and it is never
infeasible: when must-place firms or compensation cannot be satisfied the
greedy returns no solution (``solution`` None), which does not prove the
instance infeasible.

The modules, in the order a run uses them: :mod:`~revopt.heuristics.problem`
(the instance as arrays), :mod:`~revopt.heuristics.ledger` (the capacity rules),
:mod:`~revopt.heuristics.state` with :mod:`~revopt.heuristics.journal` (the
decisions, undoable), :mod:`~revopt.heuristics.moves` (choose, bump, abandon),
:mod:`~revopt.heuristics.policy` (locks, claim minimums, lifecycle targets),
:mod:`~revopt.heuristics.compensation` (phase 1), :mod:`~revopt.heuristics.construct`
(phases 1-3 in one order), :mod:`~revopt.heuristics.improve` (phase 4),
:mod:`~revopt.heuristics.check` (the final check) and
:mod:`~revopt.heuristics.result`; this module tries the orders and keeps the best.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..data.instance import Instance
from ..model.block import LinearModel
from ..model.build import build_blocks
from ..model.candidates import Candidates, candidate_pairs
from ..model.layout import Layout, build_layout
from ..results.solution import Solution
from .check import column_violations, row_violations
from .construct import Config, construct, tidy_all
from .hint import Hint, hint_from_solution
from .improve import improve as improve_state
from .problem import Problem
from .result import GreedyResult, state_result
from .state import State

__all__ = ["GreedyResult", "greedy"]


def greedy(instance: Instance, cand: Candidates | None = None, *, improve: bool = True,
           time_limit: float | None = None, model: tuple[Layout, LinearModel] | None = None,
           start: Solution | None = None) -> GreedyResult:
    """A feasible solution by greedy construction (and local improvement), or none.

    ``cand`` reuses candidate pairs already computed for this instance, and
    ``model`` the ``build_model(instance, cand)`` already built from them (its
    blocks give the capacity ledger and the final check; without it the greedy builds its own).
    A locked firm is placed on its current plot only (:class:`~revopt.heuristics.problem.Problem`).
    ``improve`` runs the local improvement after the construction, for at most
    ``time_limit`` seconds (default: as long as the construction took, at
    least 1 s; the improvement usually stops earlier, when a pass finds
    nothing). Without a time cut the result is deterministic.
    ``start``: a solution to begin from, of this instance or a related one (the baseline of a
    plan): its placements and designations that are still candidates here are made first where
    they fit (:mod:`revopt.heuristics.hint`), before or after compensation and the must-place
    firms (the better construction is kept), and the greedy completes and improves the rest.
    ``result.solution`` is None when the greedy found no feasible solution
    (a must-place firm or a compensation demand it could not satisfy); that
    does not prove the instance infeasible.
    """
    t0 = time.perf_counter()
    if cand is None:
        cand = candidate_pairs(instance)
    if model is not None:
        lay, blocks = model[0], model[1].blocks
        if not blocks or not all(np.array_equal(lay.pairs[c].to_numpy(), cand.pairs[c].to_numpy())
                                 for c in ("firm", "plot")):
            raise ValueError("greedy: model must be build_model(instance, cand) of the same candidate pairs")
    else:
        lay = build_layout(instance, cand)
        blocks = build_blocks(instance, lay)
    problem = Problem(instance, cand, lay, blocks)
    stats: dict[str, Any] = {"pairs": int(problem.usable.sum())}
    hint = None if start is None else hint_from_solution(problem, start)
    if hint is not None:
        stats["hinted_firms"] = hint.n_firms
    best, best_config, stats["runs"] = _best_construction(problem, hint)
    if best is not None and improve:
        t_con = time.perf_counter() - t0
        budget = time_limit if time_limit is not None else max(1.0, t_con)
        ti = time.perf_counter()
        before = best.objective
        stats["improving_moves"] = improve_state(best, ti + budget)
        tidy_all(best)
        stats["improve_seconds"] = time.perf_counter() - ti
        stats["improve_gain"] = best.objective - before
    if best is None or best_config is None:
        return GreedyResult(None, None, time.perf_counter() - t0, stats)
    stats["config"] = best_config.stats(False)
    res = state_result(best, stats)
    res.objective = _checked_objective(problem, res)
    res.seconds = time.perf_counter() - t0
    assert res.solution is not None  # state_result always makes one
    res.solution.summary.update(objective=res.objective, time_s=res.seconds)
    return res


def _configurations(P: Problem) -> list[list[Config]]:
    """The construction orders to try, in groups: the first group with a feasible state ends the search.

    Claim minimums first (they keep present designations), else after compensation and the
    must-place firms (a claim maximum may leave room only for the space compensation needs);
    compensation first, else after the must-place firms; must-place firms by contribution, else
    by fit. A group holds the ways to charge development (whole, or shared per m2)."""
    shares = (False, True) if np.any(P.development_cost[P.plot_terrain[P.on_planned]] > 0) else (False,)
    fits = (False, True) if P.must_place.any() else (False,)
    claims_orders = (True, False) if P.claim_minimum.any() else (True,)
    compensation_orders = (True, False) if not P.lost.empty and P.must_place.any() else (True,)
    return [[Config(comp, fit, share, claims) for share in shares]
            for claims in claims_orders for comp in compensation_orders for fit in fits]


def _best_construction(P: Problem, hint: Hint | None = None
                       ) -> tuple[State | None, Config | None, list[dict[str, Any]]]:
    """The best state over the configurations (see :func:`_configurations`), its configuration and
    the stats of every run; with a hint, also the construction that places the hint first."""
    runs: list[dict[str, Any]] = []
    best, best_config = None, None
    if np.any(P.must_place & (P.candidate_count == 0)):
        return None, None, runs
    groups = _configurations(P)
    if hint is not None:
        groups = [[Config(hint_first=True)]] + groups
    for group in groups:
        for cfg in group:
            ts = time.perf_counter()
            st, s = construct(P, cfg, hint)
            s["seconds"] = time.perf_counter() - ts
            runs.append(s)
            if st is None:
                break  # the must-place or compensation phase failed: sharing development changes nothing
            if best is None or st.objective > best.objective:
                best, best_config = st, cfg
        if best is not None and not (hint is not None and group[0].hint_first):
            break
    return best, best_config, runs


def _checked_objective(P: Problem, res: GreedyResult) -> float:
    """The result's columns against every row of the model; their objective. Raises on a violation,
    which would be a bug in the greedy's bookkeeping."""
    v = res.column_values(P.layout)
    problems = row_violations(P.blocks, v) + column_violations(P.layout.continuous_cols(), v)
    if problems:  # pragma: no cover - a bug in the bookkeeping
        raise AssertionError(f"greedy built an infeasible solution: {problems}")
    return float(P.column_cost @ v)
