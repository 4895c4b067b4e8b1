"""One construction of the greedy (phases 1-3 of :mod:`revopt.heuristics.greedy`), in a given order.

:func:`construct` runs locks, claim minimums, compensation and the must-place
firms in the order a :class:`Config` says, then the lifecycle targets, then all
other firms by value density; :func:`revopt.heuristics.greedy.greedy` tries the
configurations and keeps the best state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..model.block import spans
from .compensation import compensate, prune_compensation
from .hint import Hint, place_hinted
from .moves import abandon_terrains, place_best, try_insert
from .policy import lock_designations, meet_claim_minimums, meet_lifecycle_targets
from .problem import Problem
from .state import State

#: above this many (pair x must-place firm) evaluations the regret order is computed once
DYNAMIC_REGRET_WORK = 20_000_000
#: a must-place firm without room tries to bump firms from this many of its best plots
REPAIR_PLOTS = 20


@dataclass(frozen=True)
class Config:
    """The order of the first phases and how development is priced.

    ``compensation_first``: compensation before the must-place firms (else after);
    ``must_by_fit``: must-place firms scored by the share of the plot's room they take
    (else by contribution); ``share_development``: development charged per m2 while the
    other firms are placed, then a clean-up abandons terrains that do not pay (else the whole
    cost on the first firm); ``claims_first``: claim minimums before compensation (else after
    compensation and the must-place firms).
    """

    compensation_first: bool = True
    must_by_fit: bool = False
    share_development: bool = False
    claims_first: bool = True
    #: with a hint: the hinted firms go on their hinted plots right after the locks and claim
    #: minimums (else after compensation, the must-place firms and the lifecycle targets)
    hint_first: bool = False

    def stats(self, with_claims: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"compensation_first": self.compensation_first, "must_by_fit": self.must_by_fit,
                               "share_development": self.share_development}
        if with_claims:
            out["claims_first"] = self.claims_first
        return out


def construct(problem: Problem, cfg: Config, hint: Hint | None = None) -> tuple[State | None, dict[str, Any]]:
    """A state built in the order of ``cfg``, or None (with the reason in the stats) when a
    must-place firm, compensation or a policy minimum could not be satisfied. A ``hint``
    (:mod:`revopt.heuristics.hint`) places its firms first where they fit (``cfg.hint_first``: right after
    the locks, with all its designations, else just before the other firms)."""
    P, st = problem, State(problem)
    stats = cfg.stats(bool(P.n_claims))
    if hint is not None:
        stats["hint_first"] = cfg.hint_first
    lock_designations(st)
    if hint is not None and cfg.hint_first:  # the hint's designations count towards the claim minimums
        stats["hinted_placed"] = place_hinted(st, hint, positive=False, designate_all=True)
    if P.n_claims and np.any(st.ledger.used[P.claim_row] > st.ledger.upper[P.claim_row]):
        stats["policy_failed"] = "claims"    # the locks alone pass a claim maximum
        return None, stats
    if cfg.claims_first and not meet_claim_minimums(st):
        stats["policy_failed"] = "claims"
        return None, stats
    if not _first_phases(st, cfg, stats):
        return None, stats
    if not cfg.claims_first and not meet_claim_minimums(st):  # after compensation took its new space
        stats["policy_failed"] = "claims"
        return None, stats
    if not meet_lifecycle_targets(st):
        stats["policy_failed"] = "lifecycle"
        return None, stats
    if hint is not None and not cfg.hint_first:
        stats["hinted_placed"] = place_hinted(st, hint, positive=False)
    rest = np.flatnonzero(~P.must_place & (P.best_contribution > 0) & (st.pair_of_firm < 0))
    rest = rest[np.argsort(-P.value_density[rest], kind="stable")]
    place_in_order(st, rest, cfg.share_development)
    stats["placed_construction"] = int((st.pair_of_firm >= 0).sum())
    if cfg.share_development:
        stats["terrains_abandoned"] = abandon_terrains(st)
        place_in_order(st, rest[st.pair_of_firm[rest] < 0], False)  # fill: full costs now
    tidy_all(st)
    stats["objective"] = st.objective
    return st, stats


def _first_phases(st: State, cfg: Config, stats: dict[str, Any]) -> bool:
    """Compensation and the must-place firms, in the order of ``cfg``."""
    must = np.flatnonzero(st.problem.must_place)
    if cfg.compensation_first:
        if not compensate(st):
            return False
        stats["compensation_closed"] = prune_compensation(st)
        return place_must(st, must, cfg.must_by_fit)
    if not place_must(st, must, cfg.must_by_fit) or not compensate(st):
        return False
    stats["compensation_closed"] = prune_compensation(st)
    return True


def place_must(st: State, must: np.ndarray, fit: bool) -> bool:
    """Must-place firms in order of regret (best minus second-best option), as in
    Martello and Toth's heuristic for the generalized assignment problem: the
    firm that loses most when its best plot goes is placed first. The score is
    the gain, or (``fit``) the share of the plot's room the firm takes. A firm
    without room bumps firms from one of its plots (:func:`repair`)."""
    P = st.problem
    must = must[st.pair_of_firm[must] < 0]  # placed already (locked, or from a hint): nothing to do
    if len(must) == 0:
        return True
    counts = P.candidate_count[must]
    all_pairs = spans(P.firm_start[must], counts)
    room_share = -P.pair_floor / np.maximum(P.max_capacity[P.pair_plot], 1e-300) if fit else None
    if len(all_pairs) * len(must) > DYNAMIC_REGRET_WORK:
        firms, best, regret = _regret_order(st, all_pairs, room_share)
        for g in firms[np.lexsort((-best, -regret))].tolist():
            if not place_best(st, g, positive=False, fit=fit) and not repair(st, g, fit):
                return False
        return True
    while True:
        js = all_pairs[st.pair_of_firm[P.pair_firm[all_pairs]] < 0]
        if not len(js):
            return True
        firms, best, regret = _regret_order(st, js, room_share)
        stuck = np.flatnonzero(best == -np.inf)
        if len(stuck):
            if not repair(st, int(firms[stuck[0]]), fit):
                return False
            continue
        i = np.lexsort((-best, -regret))[0]
        place_best(st, int(firms[i]), positive=False, fit=fit)


def _regret_order(st: State, js: np.ndarray, room_share: np.ndarray | None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per firm of the pairs ``js`` (grouped by firm, firms ascending): its best score now and its
    regret (best minus second best; infinite with one option)."""
    gain, ok = st.assess(js)
    score = np.where(ok, room_share[js] if room_share is not None else gain, -np.inf)
    firm = st.problem.pair_firm[js]
    starts = np.flatnonzero(np.r_[True, firm[1:] != firm[:-1]])
    best = np.maximum.reduceat(score, starts)
    at_best = score == np.repeat(best, np.diff(np.r_[starts, len(js)]))
    second = np.where(np.add.reduceat(at_best, starts) >= 2, best,
                      np.maximum.reduceat(np.where(at_best, -np.inf, score), starts))
    with np.errstate(invalid="ignore"):
        regret = np.where(second > -np.inf, best - second, np.inf)
    return firm[starts], best, regret


def repair(st: State, g: int, fit: bool) -> bool:
    """Place must-place firm g by bumping firms from one of its best plots (they move on)."""
    P = st.problem
    s, e = P.firm_start[g], P.firm_stop[g]
    key = -P.pair_floor[s:e] / P.max_capacity[P.pair_plot[s:e]] if fit else P.contribution[s:e]
    js = np.arange(s, e)[np.argsort(-key, kind="stable")]
    return any(try_insert(st, g, int(j), require_gain=False, fit=fit) for j in js[:REPAIR_PLOTS])


def place_in_order(st: State, firms: np.ndarray, share: bool, block: int = 512) -> None:
    """Place firms one by one, each on its best plot if that pays.

    Placing only ever removes room, so a firm with no feasible plot at the
    start of a block has none later in the block either: each block is screened
    in one vectorised call and only firms with some feasible plot are evaluated
    one by one (once supply runs out, most firms are skipped cheaply)."""
    P = st.problem
    for i in range(0, len(firms), block):
        chunk = firms[i:i + block]
        counts = P.candidate_count[chunk]
        js = spans(P.firm_start[chunk], counts)
        _, ok = st.assess(js, share)
        live = np.bincount(np.repeat(np.arange(len(chunk)), counts), weights=ok, minlength=len(chunk)) > 0
        for f in chunk[live]:
            place_best(st, int(f), share=share)


def tidy_all(st: State) -> None:
    """Drop every designation, intensification and development nothing needs any more."""
    for p in np.flatnonzero(st.designation >= 0):
        st.tidy_plot(int(p))
