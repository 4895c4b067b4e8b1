"""A hint: an allocation to start the greedy from (issue 12, plan comparisons).

A plan's solve should start where the baseline ended: most firms stay where the baseline put
them, and only what the plan changes needs a new answer. :func:`hint_from_solution` maps a
solution (of this instance or of a related one, such as the baseline of a plan) onto this
instance's candidate pairs: each firm's (firm, plot) pair when it is still a candidate, and each
plot's werkmilieu when the plot still exists and may carry it. Firms, plots or pairs the
instance no longer has are dropped; nothing of the hint is trusted beyond that.

:func:`place_hinted` puts the hinted firms on their hinted plots, in order of contribution,
wherever they fit now (the capacity ledger decides, as for every other move) and, with
``positive``, only where the placement pays now. What does not fit is left to the greedy's
other phases, so a hint can only give the construction a better place to begin: the result is
feasible whatever the hint holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.vocab import WM_INDEX
from ..results.solution import Solution
from .problem import Problem
from .state import State

__all__ = ["Hint", "hint_from_solution", "place_hinted"]


@dataclass(frozen=True)
class Hint:
    """Per firm the pair to start from (-1: none), per plot the werkmilieu (index, -1: none)."""

    pair_of_firm: np.ndarray
    werkmilieu_of_plot: np.ndarray

    @property
    def n_firms(self) -> int:
        return int((self.pair_of_firm >= 0).sum())


def hint_from_solution(problem: Problem, solution: Solution) -> Hint:
    """The hint of ``solution`` on ``problem``'s instance and candidate pairs (see the module)."""
    inst, pairs = problem.inst, problem.layout.pairs
    placed = solution.assignments[solution.assignments["plot_id"].astype(str) != ""]
    key = pd.MultiIndex.from_arrays([pairs["firm_id"].astype(str), pairs["plot_id"].astype(str)])
    j = key.get_indexer(pd.MultiIndex.from_arrays([placed["firm_id"].astype(str), placed["plot_id"].astype(str)]))
    j = j[j >= 0]                     # placements that are no candidate pair here are dropped
    j = j[problem.usable[j]]          # and a locked firm anywhere but on its current plot
    pair_of_firm = np.full(problem.n_firms, -1, dtype=np.int64)
    pair_of_firm[problem.pair_firm[j]] = j
    plot_pos = pd.Series(np.arange(problem.n_plots), index=inst.plots["plot_id"].astype(str))
    werkmilieu = np.full(problem.n_plots, -1, dtype=np.int64)
    des = solution.plots[solution.plots["werkmilieu"].astype(str) != ""]
    pp = plot_pos.reindex(des["plot_id"].astype(str)).to_numpy()
    w = des["werkmilieu"].map(WM_INDEX).to_numpy(float)
    ok = ~(np.isnan(pp) | np.isnan(w))
    pp, w = pp[ok].astype(np.int64), w[ok].astype(np.int64)
    exists = problem.designation_column[pp, w] >= 0
    werkmilieu[pp[exists]] = w[exists]
    return Hint(pair_of_firm, werkmilieu)


def _designate_hinted(st: State, hint: Hint) -> None:
    """The hint's werkmilieu on every free plot that may carry it now (claim maximums, the ledger)."""
    for p in np.flatnonzero((hint.werkmilieu_of_plot >= 0) & (st.designation < 0)).tolist():
        w = int(hint.werkmilieu_of_plot[p])
        if st.designation_allows(np.array([p]), np.array([1 << w], dtype=np.int64))[0] \
                and st.ledger.fits_column(int(st.problem.designation_column[p, w])):
            st.designate(p, w)


def place_hinted(st: State, hint: Hint, *, positive: bool, designate_all: bool = False) -> int:
    """Put every unplaced hinted firm on its hinted pair where it fits now (see the module); the
    number placed. ``designate_all``: first give every free plot the hint's werkmilieu where it
    may carry it (plots without firms too: designations made for a claim minimum or
    compensation); what nothing needs in the end is tidied away by the greedy."""
    P = st.problem
    if designate_all:
        _designate_hinted(st, hint)
    firms = np.flatnonzero((hint.pair_of_firm >= 0) & (st.pair_of_firm < 0))
    if not len(firms):
        return 0
    js = hint.pair_of_firm[firms]
    order = np.argsort(-P.contribution[js], kind="stable")
    placed = 0
    for f, j in zip(firms[order].tolist(), js[order].tolist()):
        p = int(P.pair_plot[j])
        st.begin()
        w = int(hint.werkmilieu_of_plot[p])
        if st.designation[p] < 0 and w >= 0 and (int(P.pair_werkmilieus[j]) >> w) & 1 \
                and st.designation_allows(np.array([p]), np.array([1 << w], dtype=np.int64))[0]:
            st.designate(p, w)
        if not st.fits(j):
            st.rollback()
            continue
        st.place(f, j)
        if positive and not st.gained():
            st.rollback()
            continue
        st.commit()
        placed += 1
    return placed
