"""The strategy of a solve: thresholds, shares of the time limit and HiGHS settings, in one place.

These are choices, not rules of the model: they change how fast a solution is found, never
which solutions are feasible or what they are worth. Each was measured; the measurements are in
docs/benchmarks.md ("Strategy choices of solve"), linked from each field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SolveOptions:
    """How :func:`revopt.solve` spends its time. ``SolveOptions()`` is the measured default;
    ``dataclasses.replace(SolveOptions(), lns_share=0.3)`` changes one choice."""

    #: models of at least this many candidate pairs get the heuristics first: docs/benchmarks.md#warm-start-threshold
    warm_start_min_pairs: int = 10_000
    #: with a time limit, at most this share of it goes to the greedy: docs/benchmarks.md#time-shares
    greedy_share: float = 0.10
    #: with a time limit, at most this share of it goes to neighbourhood search: docs/benchmarks.md#time-shares
    lns_share: float = 0.50
    #: share of what is left for neighbourhood search when HiGHS will not run on the whole model
    lns_share_alone: float = 0.97
    #: without a time limit, neighbourhood search stops after this many seconds: docs/benchmarks.md#time-shares
    lns_default_s: float = 120.0
    #: of neighbourhood search's time, this share goes to the greedy's moves from its result (firms its loose
    #: sub-MIPs left unplaced where room is free, bump chains): docs/benchmarks.md#polish
    polish_share: float = 0.04
    #: neighbourhood search stops once its incumbent is within this relative gap of the Lagrangian bound and
    #: leaves the rest of the time to HiGHS on the whole model, whose tree closes the last tenth of a percent
    #: and can prove it (the search cannot): docs/benchmarks.md#search-within-reach-of-the-bound
    lns_stop_gap: float = 1e-3
    #: where the Lagrangian repair failed and the start lies more than this relative gap below the bound,
    #: neighbourhood search begins with one sub-MIP over every plot and the pairs the prices favour
    #: (lns.priced): docs/benchmarks.md#priced-neighbourhood
    priced_start_gap: float = 0.02
    #: of neighbourhood search's time, at most this share goes to that sub-MIP
    priced_share: float = 0.3
    #: and it runs only with at most this many free columns (gap-d1600x80: 6,900; province seed 0: 29,561,
    #: where HiGHS is still at its root after 10 s)
    priced_max_columns: int = 20_000
    #: neighbourhood sub-MIPs solved side by side on areas that share nothing (one HiGHS thread each;
    #: a fixed number, not the machine's cores, so that the reproducible mode stays machine-independent):
    #: docs/benchmarks.md#parallel-neighbourhoods
    lns_workers: int = 2
    #: neighbourhood search also lets firms trade plots (shifts, swaps, ejection chains of two, checked
    #: against every row) wherever its sub-MIPs stop gaining: docs/benchmarks.md#exchange-moves
    lns_exchange: bool = True
    #: neighbourhood search takes its seeds where the incumbent loses most against the Lagrangian
    #: relaxation (else in a random order): docs/benchmarks.md#guided-neighbourhoods
    lns_guided: bool = True
    #: models of at least this many pairs: the greedy starts from the repaired relaxation, and neighbourhood
    #: search from short, loose sub-MIPs of 500 pairs (lns.LEVELS) on areas linked through the firms' moves
    #: (lns._Areas.linked); smaller ones: the greedy's own orders and exact sub-MIPs of 1,500 pairs
    #: (lns.EXACT) on the nearest plots: docs/benchmarks.md#neighbourhood-levels, #linked-areas
    lns_levels_min_pairs: int = 100_000
    #: HiGHS options on models of at least warm_start_min_pairs pairs: docs/benchmarks.md#probing-off
    large_model_options: tuple[tuple[str, Any], ...] = (("presolve_rule_off", 1 << 15),)
    #: HiGHS threads when the caller sets none: docs/benchmarks.md#one-thread
    default_threads: int = 1
    #: HiGHS gets at least this many seconds on the whole model (or the whole limit): docs/benchmarks.md#time-shares
    mip_min_s: float = 1.0
    #: large models under a limit: HiGHS in a child process killed at the deadline: docs/benchmarks.md#watchdog
    isolate_highs: bool = True
    #: large models: the Lagrangian bound and its repair before the greedy: docs/benchmarks.md#lagrangian
    lagrangian: bool = True
    #: price steps of the Lagrangian bound (a fixed count: the same bound on any machine): docs/bounds.md
    lagrangian_iterations: int = 400
    #: the repair failed at the bound's prices: searches with twice the steps tried this many times: docs/solving.md
    lagrangian_retries: int = 1
    #: with a time limit, at most this share of it goes to the Lagrangian bound: docs/bounds.md
    lagrangian_share: float = 0.3
    #: under a time limit, models up to this many nonzeros share the time between neighbourhood search and HiGHS
    #: on the whole model; larger ones give neighbourhood search all of it: docs/solving.md
    whole_model_max_nnz: int = 0
    #: HiGHS still gets the whole model when neighbourhood search converged with this much time left: docs/solving.md
    whole_model_min_left_s: float = 5.0
    #: reproducible mode (work_limit): branch-and-bound nodes of one neighbourhood sub-MIP: docs/solving.md
    work_sub_nodes: int = 200
    #: reproducible mode: branch-and-bound nodes of HiGHS on the whole model: docs/solving.md
    work_mip_nodes: int = 1000

    def is_large(self, n_pairs: int) -> bool:
        """Whether a model of ``n_pairs`` candidate pairs counts as large (heuristics first, large-model options)."""
        return n_pairs >= self.warm_start_min_pairs

    def runs_whole_model(self, nnz: int, time_limit: float | None) -> bool:
        """Whether HiGHS gets a fixed share of the time on the whole model after the heuristics: always
        without a time limit; with one only up to ``whole_model_max_nnz`` nonzeros (otherwise it
        gets what neighbourhood search leaves when it converges early)."""
        return time_limit is None or nnz <= self.whole_model_max_nnz

    def highs_options(self, n_pairs: int, solver_options: dict[str, Any] | None) -> dict[str, Any]:
        """The HiGHS options of a model of ``n_pairs`` pairs; the caller's ``solver_options`` win."""
        return {**(dict(self.large_model_options) if self.is_large(n_pairs) else {}), **(solver_options or {})}


DEFAULT_OPTIONS = SolveOptions()

__all__ = ["SolveOptions", "DEFAULT_OPTIONS"]
