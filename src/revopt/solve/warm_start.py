"""The warm start: the greedy baseline (with its local improvement), then neighbourhood search.

It finds a good incumbent fast on models whose LP relaxation alone takes HiGHS minutes; HiGHS
then works on the whole model for the bound (:func:`revopt.solve.highs_backend.solve_highs`
keeps the better incumbent). With a time limit the greedy gets at most
``options.greedy_share`` of it and neighbourhood search ``options.lns_share``; without one,
neighbourhood search stops after ``options.lns_default_s`` seconds or when it converges.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..data.instance import Instance
from ..heuristics import greedy
from ..model.block import LinearModel
from ..model.candidates import Candidates
from ..model.layout import Layout
from ..status import Progress
from .lns import improve
from .options import SolveOptions


@dataclass
class WarmStart:
    """A feasible column vector (None when the greedy found none), the seconds it took in all,
    and the seconds per phase (``warm_start``: greedy; ``lns``: neighbourhood search, when run)."""

    values: np.ndarray | None
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)
    #: the clock cut a phase short (only meaningful with a work limit: the answer may then differ between machines)
    clock_cut: bool = False


def heuristic_start(instance: Instance, cand: Candidates, lay: Layout, lm: LinearModel, *,
                    options: SolveOptions, time_limit: float | None, threads: int | None,
                    lns: bool | None, progress: Callable[[Progress], None] | None,
                    seed: int = 0, work_limit: int | None = None) -> WarmStart:
    """Greedy (+ local improvement), then neighbourhood search unless ``lns`` is False.

    With ``work_limit`` (reproducible mode) the greedy improves until a pass finds nothing and
    neighbourhood search runs at most ``work_limit`` sub-MIPs of ``options.work_sub_nodes``
    nodes each; ``time_limit`` stays a safety net (``clock_cut`` says whether it acted).
    """
    t0 = time.perf_counter()
    g_limit = None if time_limit is None else options.greedy_share * time_limit
    if work_limit is not None:
        g_limit = 1e9 if time_limit is None else time_limit
    g = greedy(instance, cand, improve=True, time_limit=g_limit)
    phases = {"warm_start": time.perf_counter() - t0}
    cut = work_limit is not None and g_limit is not None and phases["warm_start"] >= 0.99 * g_limit
    if g.solution is None:
        return WarmStart(None, phases["warm_start"], phases, cut)
    start = g.column_values(lay)
    if progress is not None:
        progress(Progress(phases["warm_start"], float(lm.cost @ start), None, None, True))
    if lns is not False:
        t = time.perf_counter()
        budget = options.lns_default_s if time_limit is None else options.lns_share * time_limit
        if work_limit is not None:
            budget = 1e9 if time_limit is None else max(0.0, time_limit - (t - t0))
        shift = t - t0

        def tell(elapsed: float, objective: float) -> None:
            if progress is not None:
                progress(Progress(shift + elapsed, objective, None, None, True))

        start, st = improve(instance, lay, lm, start, time_limit=budget, threads=threads, progress=tell, seed=seed,
                            rounds=work_limit, sub_nodes=None if work_limit is None else options.work_sub_nodes)
        phases["lns"] = time.perf_counter() - t
        cut = cut or st.clock_cut
    return WarmStart(start, time.perf_counter() - t0, phases, cut)


def shifted(progress: Callable[[Progress], None] | None, offset: float) -> Callable[[Progress], None] | None:
    """A progress callback whose elapsed time counts from the start of the heuristics."""
    if progress is None or offset == 0:
        return progress
    return lambda p: progress(Progress(p.elapsed + offset, p.incumbent, p.bound, p.gap, p.improved))


__all__ = ["WarmStart", "heuristic_start", "shifted"]
