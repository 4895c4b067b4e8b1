"""The warm start: the greedy baseline (with its local improvement), then neighbourhood search.

It finds a good incumbent fast on models whose LP relaxation alone takes HiGHS minutes; HiGHS
then works on the whole model for the bound (:func:`revopt.solve.highs_backend.solve_highs`
keeps the better incumbent). With a time limit the greedy gets at most
``options.greedy_share`` of it and neighbourhood search ``options.lns_share``; without one,
neighbourhood search stops after ``options.lns_default_s`` seconds or when it converges. The
last ``options.polish_share`` of neighbourhood search's time goes to the greedy started from its
result (:func:`_polish`). Where the Lagrangian repair fails only because some must-place firms found
no room (tight pure assignment problems), the greedy starts from the repair without them and seats
them (:func:`_lagrangian`; docs/benchmarks.md#partial-repair). Where the repair failed and the start
lies far below the bound, the search begins with one sub-MIP over every plot and the pairs the
prices favour (:func:`_priced_start`; docs/benchmarks.md#priced-neighbourhood).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..data.instance import Instance
from ..heuristics import GreedyResult, greedy
from ..model.block import LinearModel
from ..model.candidates import Candidates
from ..model.layout import Layout
from ..results.solution import Solution
from ..status import Progress
from .bounds import lowest_within, relative_gap
from .extract import extract_solution
from .lagrangian import LagrangianResult, Relaxation, ShapeError, lagrangian_bound
from .lagrangian_repair import repair_allocation
from .lns import EXACT, LEVELS, TARGET_PAIRS, TARGET_PAIRS_EXACT, Guide, improve, priced, priced_columns
from .options import SolveOptions


@dataclass
class WarmStart:
    """A feasible column vector (None when no heuristic found one), the seconds it took in all,
    the seconds per phase (``bound``: the Lagrangian bound and its repair; ``warm_start``:
    greedy; ``lns``: neighbourhood search, when run), and the valid bounds found on the way
    (``{"lagrangian": ...}``)."""

    values: np.ndarray | None
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)
    #: the clock cut a phase short (only meaningful with a work limit: the answer may then differ between machines)
    clock_cut: bool = False
    bounds: dict[str, float | None] = field(default_factory=dict)
    #: neighbourhood search ran until its time was up (it had not converged)
    lns_out_of_time: bool = False


def _budget(share: float, time_limit: float | None, work_limit: int | None,
            default: float | None = None) -> float | None:
    """Seconds for one phase: a share of the limit; with a work limit the whole limit (a safety net)."""
    if work_limit is not None:
        return 1e9 if time_limit is None else time_limit
    return default if time_limit is None else share * time_limit


def _lagrangian(lay: Layout, lm: LinearModel, options: SolveOptions, time_limit: float | None,
                work_limit: int | None) -> tuple[LagrangianResult | None, np.ndarray | None, np.ndarray | None, bool]:
    """The Lagrangian bound (a fixed number of steps, the time limit a safety net) and the allocation
    its repair makes of it: (result or None when the model has a shape it does not know, repaired
    column vector or None, the repair without the must-place firms it could not seat when it
    failed only on those (a hint for the greedy) or None, whether the clock cut the search)."""
    budget = _budget(options.lagrangian_share, time_limit, work_limit)
    deadline = None if budget is None else time.perf_counter() + budget
    lag, repaired, short = None, None, None
    try:
        rel = Relaxation(lay, lm)  # built once for every attempt and the repair (national: 5 s, 0.5 GB)
        for attempt in range(1 + options.lagrangian_retries):
            left = None if deadline is None else deadline - time.perf_counter()
            if left is not None and (left <= 0 or (attempt and work_limit is None and left < 2 * lag.steps_seconds)):
                break  # the retry's twice the steps would be cut by the clock: its time is the search's
            before = None if lag is None else lag.bound
            # a fresh search with twice the steps (continuing from the converged prices changes nothing)
            lag = lagrangian_bound(lay, lm, iterations=options.lagrangian_iterations << attempt, time_limit=left,
                                   relaxation=rel, exact_share=None if work_limit is not None else 1.0)
            if before is not None and before < lag.bound:  # every bound found is valid: keep the lowest
                lag = dataclasses.replace(lag, bound=before)
            x, complete = repair_allocation(lay, lm, lag, relaxation=rel) if np.isfinite(lag.bound) else (None, False)
            repaired, short = (x, None) if complete else (None, x)
            # the repair can fail (a must-place firm, compensation or a minimum it cannot meet
            # greedily) at one set of prices and succeed at better ones (province seed 1: None after
            # 400 steps, 460.7e9 after 800, where the greedy gives 423.0e9)
            if repaired is not None or not np.isfinite(lag.bound):
                break
    except ShapeError:  # a family the bound does not know: no bound from it, nothing wrong
        return None, None, None, False
    return lag, repaired, short, lag is not None and lag.status == "time_limit"


def heuristic_start(instance: Instance, cand: Candidates, lay: Layout, lm: LinearModel, *,
                    options: SolveOptions, time_limit: float | None, threads: int | None,
                    lns: bool | None, progress: Callable[[Progress], None] | None,
                    seed: int = 0, work_limit: int | None = None, lns_share: float | None = None,
                    hint: Solution | None = None) -> WarmStart:
    """The Lagrangian bound and its repair, the greedy (+ local improvement) started from the
    repaired allocation, then neighbourhood search from the better of the two unless ``lns`` is
    False.

    ``lns_share`` overrides ``options.lns_share`` (the pipeline gives neighbourhood search all the
    time when HiGHS will not run on the whole model). With ``work_limit`` (reproducible mode) the
    greedy improves until a pass finds nothing and neighbourhood search runs at most
    ``work_limit`` sub-MIPs of ``options.work_sub_nodes`` nodes each; ``time_limit`` stays a
    safety net (``clock_cut`` says whether it acted). ``hint``: a solution the greedy starts
    from (:mod:`revopt.heuristics.hint`; a plan's baseline) instead of the repaired relaxation.
    On models of at least ``options.lns_levels_min_pairs`` pairs the greedy starts from the
    repaired allocation (it keeps the better of that and its own orders: +0.3-0.4 % over the
    repair on the province preset, in half the time of the greedy alone) and neighbourhood search
    begins with short, loose sub-MIPs (:data:`~revopt.solve.lns.LEVELS`); on smaller ones both
    cost more than they gave (small seed 2: 1.56 % against 1.05 % at 60 s; docs/benchmarks.md).
    """
    t0 = time.perf_counter()
    phases: dict[str, float] = {}
    bounds: dict[str, float | None] = {}
    starts: list[np.ndarray] = []
    cut, guide, out_of_time, short, repaired = False, None, False, None, None
    if options.lagrangian:
        lag, repaired, short, cut = _lagrangian(lay, lm, options, time_limit, work_limit)
        if options.lns_guided and lag is not None and np.isfinite(lag.bound):
            guide = Guide(lay, lm, lag.multipliers, lag.x_relaxed)
        phases["bound"] = time.perf_counter() - t0
        if lag is not None and np.isfinite(lag.bound):
            bounds["lagrangian"] = lag.bound
        if repaired is not None:
            starts.append(repaired)
    t = time.perf_counter()
    g_limit = _budget(options.greedy_share, time_limit, work_limit)
    levels = len(cand) >= options.lns_levels_min_pairs
    x_hint = starts[0] if starts and levels else short  # the repair on large models; one short of must-place firms
    if hint is None and x_hint is not None:
        hint = extract_solution(instance, lay, x_hint)
    g = greedy(instance, cand, improve=True, time_limit=g_limit, model=(lay, lm), start=hint)
    phases["warm_start"] = time.perf_counter() - t
    cut = cut or (work_limit is not None and g_limit is not None and phases["warm_start"] >= 0.99 * g_limit)
    if g.solution is not None:
        starts.append(g.column_values(lay))
    if not starts:
        return WarmStart(None, time.perf_counter() - t0, phases, cut, bounds)
    start = max(starts, key=lambda v: float(lm.cost @ v))
    _report(progress, time.perf_counter() - t0, float(lm.cost @ start), bounds)
    if lns is not False:
        t = time.perf_counter()
        share = options.lns_share if lns_share is None else lns_share
        budget = _budget(share, None if time_limit is None else time_limit - (t - t0), work_limit,
                         options.lns_default_s)
        if guide is not None and repaired is None and work_limit is None and budget:  # the greedy's own orders
            start, budget = _priced_start(lay, lm, guide, (start, short), bounds, options, budget, threads, phases,
                                          lambda obj: _report(progress, time.perf_counter() - t0, obj, bounds))
        shift = time.perf_counter() - t0

        def tell(elapsed: float, objective: float) -> None:
            _report(progress, shift + elapsed, objective, bounds)

        def search(x: np.ndarray, seconds: float, offset: float, seed: int):
            return improve(instance, lay, lm, x, time_limit=seconds, threads=threads,
                           progress=lambda el, obj: tell(offset + el, obj), seed=seed, rounds=work_limit,
                           sub_nodes=None if work_limit is None else options.work_sub_nodes,
                           workers=options.lns_workers, guide=guide,
                           levels=LEVELS if levels else EXACT, chains=levels,
                           target_pairs=TARGET_PAIRS if levels else TARGET_PAIRS_EXACT,
                           stop_at=lowest_within(bounds.get("lagrangian"), options.lns_stop_gap),
                           exchange=options.lns_exchange)

        # the reproducible mode keeps to sub-MIPs (the greedy's moves stop on the clock)
        polish = 0.0 if work_limit is not None or budget is None else options.polish_share * budget
        start, clock_cut, out_of_time = _search_and_polish(
            lm, search, lambda x, s: _polish(instance, cand, lay, lm, x, s - _construction_s(g)), start,
            budget or 0.0, polish, seed, phases, tell)
        cut = cut or clock_cut
    return WarmStart(start, time.perf_counter() - t0, phases, cut, bounds, out_of_time)


def _report(progress: Callable[[Progress], None] | None, elapsed: float, objective: float,
            bounds: dict[str, float | None]) -> None:
    """Tell ``progress`` (when given) of an incumbent of the heuristics."""
    if progress is not None:
        progress(Progress(elapsed, objective, bounds.get("lagrangian"), None, True))


def _priced_start(lay: Layout, lm: LinearModel, guide: Guide, starts: tuple[np.ndarray, np.ndarray | None],
                  bounds: dict[str, float | None], options: SolveOptions, budget: float, threads: int | None,
                  phases: dict[str, float], tell: Callable[[float], None]) -> tuple[np.ndarray, float]:
    """The priced neighbourhood (:func:`~revopt.solve.lns.priced`) for at most ``options.priced_share``
    of the search's ``budget`` when the start lies more than ``options.priced_start_gap`` below the
    Lagrangian bound (the repair failed, and the greedy started from its own orders) and the
    sub-MIP has at most ``options.priced_max_columns`` free columns. ``starts``:
    the start and the partial repair (or None), whose pairs the neighbourhood keeps. Returns the
    better allocation and the budget left; ``tell(objective)`` hears of a gain."""
    bound = bounds.get("lagrangian")
    start, short = starts
    objective = float(lm.cost @ start)
    if bound is None or relative_gap(bound, objective) <= options.priced_start_gap:
        return start, budget
    free = priced_columns(lay, guide, start, short)
    if int(free.sum()) > options.priced_max_columns:  # province seed 0: 29,561, HiGHS still at its root after 10 s
        return start, budget
    t = time.perf_counter()
    start, _ = priced(lm, start, free, time_limit=options.priced_share * budget, threads=threads)
    phases["priced"] = time.perf_counter() - t
    if float(lm.cost @ start) > objective:
        tell(float(lm.cost @ start))
    return start, budget - phases["priced"]


def _search_and_polish(lm: LinearModel, search: Callable, polish_fn: Callable, start: np.ndarray, budget: float,
                       polish: float, seed: int, phases: dict[str, float], tell: Callable[[float, float], None]
                       ) -> tuple[np.ndarray, bool, bool]:
    """Neighbourhood search for ``budget - polish`` seconds (``search(x, seconds, offset, seed)``),
    then the polish (``polish_fn(x, seconds)``, :func:`_polish`) and, when the search had not
    converged, the search again for what the polish left; (allocation, whether the clock cut a
    search, whether the last search ran out of time). Times go to ``phases`` (lns, polish)."""
    t = time.perf_counter()
    start, st = search(start, budget - polish, 0.0, seed)
    phases["lns"] = time.perf_counter() - t
    cut = st.clock_cut
    if st.improved and polish > 0 and not st.reached:  # within reach of the bound: HiGHS gets the time
        tp = time.perf_counter()
        start, polished = polish_fn(start, polish)
        phases["polish"] = time.perf_counter() - tp
        if polished:
            tell(time.perf_counter() - t, float(lm.cost @ start))
        left = budget - (time.perf_counter() - t)
        if st.out_of_time and left > 1.0:  # the greedy left time over, and the search had not converged
            tr = time.perf_counter()
            start, st = search(start, left, tr - t, seed + 1)
            phases["lns"] += time.perf_counter() - tr
            cut = cut or st.clock_cut
    return start, cut, st.out_of_time


def _construction_s(g: GreedyResult) -> float:
    """The seconds a greedy run spent before its local improvement (what a second run from a hint
    costs before its moves begin, about)."""
    return g.seconds - float(g.stats.get("improve_seconds", 0.0))


def _polish(instance: Instance, cand: Candidates, lay: Layout, lm: LinearModel, x: np.ndarray,
            moves_s: float) -> tuple[np.ndarray, bool]:
    """The greedy from neighbourhood search's result: the allocation again (every placement fits
    where it is), then firms placed where room is free and the greedy's moves for ``moves_s``
    seconds. Loose sub-MIPs stop within 1 % of their area's
    value and leave such gains (national seed 0 after 150 s of search: +9.9e9 in 16.7 s, where the
    search gained 5.3e9 in the same time). Returns the better vector and whether it is the greedy's."""
    if moves_s <= 0:
        return x, False
    v = _greedy_from(instance, cand, lay, lm, extract_solution(instance, lay, x), moves_s)
    if v is None or float(lm.cost @ v) <= float(lm.cost @ x) + 1e-9 * max(1.0, abs(float(lm.cost @ x))):
        return x, False
    return v, True


def hinted_start(instance: Instance, cand: Candidates, lay: Layout, lm: LinearModel, hint: Solution, *,
                 time_limit: float | None) -> tuple[np.ndarray | None, float]:
    """The greedy from ``hint`` (completed and improved, at most a tenth of the time limit): the
    start a small model hands HiGHS when the caller gave one; (column vector or None, seconds)."""
    t = time.perf_counter()
    v = _greedy_from(instance, cand, lay, lm, hint, None if time_limit is None else 0.1 * time_limit)
    return v, time.perf_counter() - t


def _greedy_from(instance: Instance, cand: Candidates, lay: Layout, lm: LinearModel, start: Solution,
                 seconds: float | None) -> np.ndarray | None:
    """The greedy started from ``start``, completed and improved for at most ``seconds``: its column
    vector, or None when it found no feasible allocation (the polish and a caller's start share it)."""
    g = greedy(instance, cand, improve=True, time_limit=seconds, model=(lay, lm), start=start)
    return None if g.solution is None else g.column_values(lay)


def shifted(progress: Callable[[Progress], None] | None, offset: float) -> Callable[[Progress], None] | None:
    """A progress callback whose elapsed time counts from the start of the heuristics."""
    if progress is None or offset == 0:
        return progress
    return lambda p: progress(Progress(p.elapsed + offset, p.incumbent, p.bound, p.gap, p.improved))


__all__ = ["WarmStart", "heuristic_start", "hinted_start", "shifted"]
