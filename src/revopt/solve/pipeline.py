"""``solve(instance)``: the phases of a solve, each timed, returning a :class:`~revopt.results.Result`.

candidates (spec section 2) -> build (variables and the constraint blocks C1..C11 and the
locks) -> presolve checks -> [warm start: greedy, neighbourhood search] -> hand-over and
solve (a backend) -> extract (tables, objective from the rounded decisions, bound, gap, KPIs).
The strategy (when the heuristics run, how the time limit is shared, HiGHS settings) is a
:class:`~revopt.solve.options.SolveOptions`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data.instance import Instance
from ..model.block import LinearModel
from ..model.build import build_model
from ..model.candidates import Candidates, candidate_pairs
from ..model.checks import presolve_checks
from ..model.layout import Layout
from ..model.validate import check_instance
from ..results.result import Result
from ..results.solution import Solution
from ..status import Progress, RawSolve, Status
from .bounds import relative_gap
from .extract import extract
from .highs_backend import solve_highs
from .highs_process import solve_highs_isolated
from .options import DEFAULT_OPTIONS, SolveOptions
from .pyomo_backend import solve_pyomo
from .warm_start import heuristic_start, hinted_start, shifted

if TYPE_CHECKING:
    from pyomo.environ import ConcreteModel

#: ``extra_constraints(model, instance)``: adds the caller's own constraints to the Pyomo model
ExtraConstraints = Callable[["ConcreteModel", Instance], object]

BACKENDS = ("highs", "pyomo")
#: ``progress=True`` sends each snapshot here (level INFO); the CLI prints them instead
LOG = logging.getLogger("revopt.solve")


@dataclass(frozen=True)
class _Request:
    """The caller's choices for one solve (the keywords of :func:`solve`)."""

    time_limit: float | None
    gap: float
    threads: int | None
    backend: str
    extra_constraints: ExtraConstraints | None
    solver: str | None
    solver_options: dict[str, Any] | None
    verbose: bool
    progress: Callable[[Progress], None] | None
    warm_start: bool | None
    lns: bool | None
    options: SolveOptions
    seed: int = 0
    work_limit: int | None = None
    start: Solution | None = None

    def check(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {self.backend!r}")
        if self.extra_constraints is not None and self.backend != "pyomo":
            raise ValueError("extra_constraints needs backend='pyomo' (the HiGHS backend takes no Pyomo model)")
        if not self.gap >= 0:
            raise ValueError(f"gap must be >= 0, not {self.gap!r}")
        if self.time_limit is not None and not self.time_limit > 0:
            raise ValueError(f"time_limit must be > 0 seconds, not {self.time_limit!r}")
        if self.work_limit is not None and not (isinstance(self.work_limit, int) and self.work_limit >= 0):
            raise ValueError(f"work_limit must be an integer >= 0, not {self.work_limit!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be an integer >= 0, not {self.seed!r}")


def _log_progress(p: Progress) -> None:
    LOG.info(p.line())


@contextmanager
def _timed(seconds: dict[str, float], phase: str) -> Iterator[None]:
    t = time.perf_counter()
    yield
    seconds[phase] = time.perf_counter() - t


def solve(instance: Instance, *, time_limit: float | None = None, gap: float = 1e-4,
          threads: int | None = None, backend: str = "highs",
          extra_constraints: ExtraConstraints | None = None, solver: str | None = None,
          solver_options: dict[str, Any] | None = None, verbose: bool = False,
          progress: Callable[[Progress], None] | bool | None = None,
          warm_start: bool | None = None, lns: bool | None = None,
          options: SolveOptions | None = None, seed: int = 0, work_limit: int | None = None,
          start: Solution | None = None) -> Result:
    """Solve an instance to (near) optimality.

    - ``time_limit`` seconds for the whole solve; stopped with an incumbent gives
      status ``feasible`` with the true bound and gap, without one ``no_solution``;
    - ``gap``: relative MIP gap at which the solver stops (1e-4 = 0.01 %);
    - ``threads``: HiGHS threads (default ``options.default_threads``); given, it also bounds the
      neighbourhood sub-MIPs solved side by side (``options.lns_workers``);
    - ``backend``: ``"highs"`` (the matrix handed to highspy in bulk) or
      ``"pyomo"`` (a ConcreteModel; ``solver`` names any Pyomo solver, default
      ``appsi_highs``); ``solver_options`` are handed to the solver as they are;
    - ``extra_constraints(model, instance)``: a hook that adds Pyomo
      constraints to the ConcreteModel before solving (Pyomo backend only);
    - ``progress``: a callable receiving :class:`~revopt.status.Progress` (elapsed,
      incumbent, bound, gap) on every new incumbent and every few seconds, or True to
      log such lines (logger ``revopt.solve``, level INFO; ``revopt solve`` prints them)
      (HiGHS backend);
    - ``warm_start``: start HiGHS from a heuristic incumbent: the greedy
      baseline with its local improvement (:func:`revopt.heuristics.greedy`),
      then, when ``lns`` is not False, neighbourhood search
      (:mod:`revopt.solve.lns`). None (default) does so when the model has at least
      ``options.warm_start_min_pairs`` candidate pairs. With a ``time_limit`` the
      heuristics take at most ``options.greedy_share`` and ``options.lns_share`` of it
      and HiGHS the rest. Their times are the extra phases ``warm_start`` and ``lns``;
      the bound and gap always come from HiGHS on the whole model;
    - ``options``: the strategy (:class:`~revopt.solve.options.SolveOptions`; default
      the measured one);
    - ``seed``: orders the neighbourhood search and seeds HiGHS (``random_seed``);
    - ``work_limit``: the reproducible mode (docs/solving.md): the heuristics count work, not
      seconds (greedy improvement to convergence, at most ``work_limit`` neighbourhood
      sub-MIPs of ``options.work_sub_nodes`` nodes, HiGHS on the whole model at most
      ``options.work_mip_nodes`` nodes), so the same input, seed and work limit give the same
      answer on any machine; the time limit stays a safety net, and ``result.reproducible``
      says whether it acted (False: the clock cut a phase short);
    - ``start``: a solution to begin from, of this instance or of a related one (a plan's
      baseline: :func:`revopt.plans.evaluate` passes it): the greedy makes its placements and
      designations that are still possible first and completes the rest
      (:mod:`revopt.heuristics.hint`); the best heuristic allocation is HiGHS's start (HiGHS
      backend). It changes where the search begins, never what is feasible or optimal.

    Raises :class:`~revopt.data.errors.InstanceError` when the instance breaks a
    model-level input rule (:mod:`revopt.model.validate`).
    """
    req = _Request(time_limit, gap, threads, backend, extra_constraints, solver, solver_options, verbose,
                   _log_progress if progress is True else (progress or None), warm_start, lns,
                   DEFAULT_OPTIONS if options is None else options, seed, work_limit, start)
    req.check()
    began = time.perf_counter()
    deadline = None if time_limit is None else began + time_limit
    sec: dict[str, float] = {}
    with _timed(sec, "candidates"):
        cand = candidate_pairs(instance)
    check_instance(instance, cand)
    with _timed(sec, "build"):
        lay, lm = build_model(instance, cand)
    size = {"firms": len(instance.firms), "plots": len(instance.plots), "pairs": len(cand),
            "rows": lm.n_rows, "cols": lm.n_cols, "nnz": lm.nnz}
    reasons = presolve_checks(instance, cand, lay)
    if reasons:
        sec.update(handover=0.0, solve=0.0, extract=0.0)
        return Result(instance.name, Status.INFEASIBLE, None, None, None, sec, backend, None,
                      exclusions=cand.exclusions, reasons=reasons,
                      message="infeasible before solving (presolve checks)", size=size)
    raw, bounds, clock_cut = _run_backend(instance, cand, lay, lm, sec, req, deadline)
    sec["handover"], sec["solve"] = raw.handover_s, raw.solve_s
    with _timed(sec, "extract"):
        out = extract(instance, cand, lay, lm, raw, bounds, solver=backend)
    res = Result(instance.name, raw.status, out.objective, out.bound, out.gap, sec, backend, out.solution,
                 kpis=out.kpis, exclusions=cand.exclusions, message=raw.message, size=size,
                 bound_source=out.bound_source, reproducible=None if work_limit is None else not clock_cut)
    if out.solution is not None:
        out.solution.summary = res.summary()
    return res


def _run_backend(instance: Instance, cand: Candidates, lay: Layout, lm: LinearModel,
                 sec: dict[str, float], req: _Request, deadline: float | None
                 ) -> tuple[RawSolve, dict[str, float | None], bool]:
    """Hand the model to the chosen backend (after the warm start, for HiGHS on large models):
    (its answer, the bounds the heuristics found, whether the clock cut a phase short).

    ``deadline`` (a ``time.perf_counter()`` instant) is where the whole solve must end: the time
    limit counts from the start of :func:`solve`, candidates and build included.
    """
    if lm.n_cols == 0:  # nothing to decide: feasible iff every (empty) row admits 0
        ok = bool(np.all(lm.row_lower <= 0) and np.all(lm.row_upper >= 0))
        return RawSolve(Status.OPTIMAL if ok else Status.INFEASIBLE, np.zeros(0) if ok else None,
                        0.0 if ok else None, 0.0, 0.0, "no decisions: no candidate pairs or designations"), {}, False
    left = None if deadline is None else max(1e-3, deadline - time.perf_counter())
    if req.backend == "pyomo":
        raw = solve_pyomo(instance, lay, lm, time_limit=left, gap=req.gap, threads=req.threads,
                          extra_constraints=req.extra_constraints, solver=req.solver, verbose=req.verbose,
                          options=req.solver_options)
        return raw, {}, raw.status in (Status.FEASIBLE, Status.NO_SOLUTION)
    opts = req.options
    if req.threads is not None and req.threads < opts.lns_workers:  # the caller's threads bound the whole solve
        opts = dataclasses.replace(opts, lns_workers=req.threads)
    threads = opts.default_threads if req.threads is None else req.threads
    start, used, cut, bounds, searched_out = None, 0.0, False, {}, False
    whole = opts.runs_whole_model(lm.nnz, req.time_limit)
    if req.warm_start or (req.warm_start is None and opts.is_large(len(cand))):
        ws = heuristic_start(instance, cand, lay, lm, options=opts, time_limit=left, threads=threads,
                             lns=req.lns, progress=req.progress, seed=req.seed, work_limit=req.work_limit,
                             lns_share=None if whole else opts.lns_share_alone, hint=req.start)
        sec.update(ws.phases)
        start, used, cut, bounds, searched_out = ws.values, ws.seconds, ws.clock_cut, ws.bounds, ws.lns_out_of_time
    elif req.start is not None and req.warm_start is None:  # small model: the hint, completed, as HiGHS's start
        start, used = hinted_start(instance, cand, lay, lm, req.start, time_limit=left)
        sec["warm_start"] = used
    lagrangian = bounds.get("lagrangian")
    proved = start is not None and lagrangian is not None and \
        relative_gap(lagrangian, float(lm.cost @ start)) <= req.gap
    left_now = None if deadline is None else deadline - time.perf_counter()
    # on large models under a limit HiGHS gets only the time of a search that converged early: after a
    # search that used its share, the 3 % left (12 s at national size) buys no root LP, only a copy
    # of the model in HiGHS's child process
    if proved or (start is not None and not whole and left_now is not None
                  and (searched_out or left_now < opts.whole_model_min_left_s)):
        why = "proved within the gap by the Lagrangian bound" if proved else \
            "no time left for HiGHS on the whole model (docs/solving.md)"
        raw = RawSolve(Status.OPTIMAL if proved else Status.FEASIBLE, start, None, 0.0, 0.0,
                       f"incumbent from the heuristics; {why}")
    else:  # HiGHS on the whole model with what is left (neighbourhood search stopped early when it converged)
        raw = _run_highs(lm, len(cand), req, deadline, threads, start, used)
    return raw, bounds, cut or _clock_stopped(raw)


#: the messages of a HiGHS run that the clock ended (HiGHS's own limit, revopt's watchdog or deadline)
_CLOCK_MESSAGES = ("time limit", "interrupted", "no time left")


def _clock_stopped(raw: RawSolve) -> bool:
    """Whether the clock, not the work limit or a proof, ended this run."""
    msg = raw.message.lower()
    return raw.status in (Status.FEASIBLE, Status.NO_SOLUTION) and any(m in msg for m in _CLOCK_MESSAGES)


def _run_highs(lm: LinearModel, n_pairs: int, req: _Request, deadline: float | None, threads: int,
               start: np.ndarray | None, used: float) -> RawSolve:
    """HiGHS on the whole model: in a child process stopped at the deadline on large models, else in
    this process; with a work limit, a node limit makes its answer the same on any machine."""
    opts = req.options
    highs_opts = {"random_seed": req.seed, **opts.highs_options(n_pairs, req.solver_options)}
    if req.work_limit is not None:
        highs_opts.setdefault("mip_max_nodes", opts.work_mip_nodes)
    progress = shifted(req.progress, used)
    if deadline is not None and opts.is_large(n_pairs) and opts.isolate_highs:
        if start is not None and deadline - time.perf_counter() < opts.mip_min_s:
            return RawSolve(Status.FEASIBLE, start, None, 0.0, 0.0,
                            "no time left for HiGHS; incumbent from the heuristics")
        floor = min(req.time_limit or 0.0, opts.mip_min_s)
        return solve_highs_isolated(lm, deadline=max(deadline, time.perf_counter() + floor), gap=req.gap,
                                    threads=threads, options=highs_opts, progress=progress, start=start)
    left = None if deadline is None else deadline - time.perf_counter()
    mip_limit = None if left is None else max(left, min(req.time_limit or left, opts.mip_min_s))
    return solve_highs(lm, time_limit=mip_limit, gap=req.gap, threads=threads, verbose=req.verbose,
                       options=highs_opts, progress=progress, start=start)


__all__ = ["solve", "BACKENDS"]
