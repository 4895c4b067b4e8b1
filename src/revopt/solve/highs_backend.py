"""The default backend: the whole LinearModel handed to HiGHS through highspy in one call.

:func:`highs_for` is the one place that makes a HiGHS object (quiet, threads, options) and hands
it a :class:`~revopt.model.block.LinearModel`: the backend, neighbourhood search, the LP export,
the elastic variant and the benchmarks all use it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from typing import Any

import highspy
import numpy as np

from ..model.block import LinearModel
from ..status import Progress, RawSolve, Status
from .bounds import relative_gap

_MS = highspy.HighsModelStatus


def map_status(ms, has_solution: bool) -> Status:
    if ms == _MS.kOptimal:
        return Status.OPTIMAL
    if ms in (_MS.kInfeasible, _MS.kUnboundedOrInfeasible):
        return Status.INFEASIBLE
    if ms == _MS.kUnbounded:
        return Status.UNBOUNDED
    if ms in (_MS.kTimeLimit, _MS.kIterationLimit, _MS.kSolutionLimit, _MS.kInterrupt,
              _MS.kObjectiveBound, _MS.kObjectiveTarget, _MS.kUnknown, _MS.kMemoryLimit):
        return Status.FEASIBLE if has_solution else Status.NO_SOLUTION
    return Status.ERROR


class _QuietStdout:
    """Silence file descriptor 1 while HiGHS objects are created (HiGHS prints its banner from C++).

    Thread-safe: the neighbourhood search creates HiGHS objects in two threads at once. The first
    thread in saves the real descriptor and points 1 at /dev/null, the last one out restores it.
    (Each thread saving and restoring on its own lost the real stdout for good when their windows
    overlapped: the second saved /dev/null and restored it last, and everything the process
    printed afterwards, the CLI's report included, went nowhere.)"""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._saved: int | None = None

    @contextlib.contextmanager
    def __call__(self):
        with self._lock:
            if self._inside == 0:
                sys.stdout.flush()
                try:
                    saved = os.dup(1)
                except OSError:  # no real stdout (embedded use): nothing to silence
                    saved = None
                if saved is not None:
                    with open(os.devnull, "w") as null:
                        os.dup2(null.fileno(), 1)
                self._saved = saved
            self._inside += 1
        try:
            yield
        finally:
            with self._lock:
                self._inside -= 1
                if self._inside == 0 and self._saved is not None:
                    os.dup2(self._saved, 1)
                    os.close(self._saved)
                    self._saved = None


_quiet_stdout = _QuietStdout()


def new_highs(verbose: bool = False) -> highspy.Highs:
    if verbose:
        return highspy.Highs()
    with _quiet_stdout():
        return highspy.Highs()


_scheduler_threads: list[int | None] = [None]  # the thread count HiGHS's global scheduler was last given


def set_threads(h: highspy.Highs, threads: int | None) -> None:
    """Set HiGHS's ``threads`` option safely.

    HiGHS runs all instances of a process on one global task scheduler, sized
    by the first run; a later run asking for another count fails with model
    status "Not Set". So when the count changes, the scheduler is reset first.
    ``None`` leaves the option alone (HiGHS's choice, which any scheduler accepts).
    """
    if threads is None:
        return
    t = int(threads)
    if _scheduler_threads[0] != t:
        highspy.Highs.resetGlobalScheduler(True)
        _scheduler_threads[0] = t
    h.setOptionValue("threads", t)


#: relative gaps below this are rounding: a known incumbent this close to the bound is proved optimal
ROUNDING_GAP = 1e-12


def _finite(v: float) -> float | None:
    return float(v) if np.isfinite(v) and abs(v) < 1e300 else None


def _attach_callbacks(h: highspy.Highs, callback, every_s: float, known: float | None, gap: float,
                      on_solution=None) -> None:
    """Progress snapshots, and a stop as soon as HiGHS's bound is within ``gap`` of a known incumbent.

    ``callback(Progress)`` is called on each new incumbent and at most every
    ``every_s`` seconds; the incumbent it shows is the better of HiGHS's and
    ``known`` (the objective of a solution found before HiGHS ran).
    """
    last = [-1e9]

    def emit(e, improved: bool) -> None:
        d = e.data_out
        t = float(d.running_time)
        inc, bnd = _finite(d.mip_primal_bound), _finite(d.mip_dual_bound)
        if known is not None and (inc is None or known > inc):
            inc, improved = known, False
        gap_now = relative_gap(bnd, inc) if inc is not None and bnd is not None else None
        if not improved and known is not None and gap_now is not None and gap_now <= gap:
            e.data_in.user_interrupt = True  # the known incumbent is proved good enough
        if callback is None or (not improved and t - last[0] < every_s) or (inc is None and bnd is None):
            return
        last[0] = t
        callback(Progress(t, inc, bnd, gap_now, improved))

    if callback is not None:
        h.cbMipImprovingSolution.subscribe(lambda e: emit(e, True))
    if on_solution is not None:
        h.cbMipImprovingSolution.subscribe(
            lambda e: on_solution(np.asarray(e.data_out.mip_solution, dtype=float), _finite(e.data_out.mip_dual_bound)))
    if callback is not None or known is not None:
        h.cbMipInterrupt.subscribe(lambda e: emit(e, False))


def _attach_watchdog(h: highspy.Highs, deadline: float) -> None:
    """Interrupt HiGHS once the wall clock passes ``deadline``.

    HiGHS's own time_limit is not checked everywhere (docs/benchmarks.md#watchdog).
    Simplex and MIP interrupt callbacks are checked often, so they stop it within moments.
    """
    def check(e) -> None:
        if time.perf_counter() > deadline:
            e.data_in.user_interrupt = True

    h.cbSimplexInterrupt.subscribe(check)
    h.cbMipInterrupt.subscribe(check)
    h.cbIpmInterrupt.subscribe(check)


def pass_model(h: highspy.Highs, lm: LinearModel, *, relax: bool = False):
    """Hand ``lm`` to ``h`` in one bulk ``passModel`` call (CSR numpy arrays); ``relax`` drops integrality."""
    integrality = np.zeros(lm.n_cols, dtype=np.int32) if relax else lm.integrality
    return h.passModel(
        lm.n_cols, lm.n_rows, lm.nnz, int(highspy.MatrixFormat.kRowwise), int(highspy.ObjSense.kMaximize), 0.0,
        lm.cost, lm.col_lower, lm.col_upper, lm.row_lower, lm.row_upper,
        lm.start, lm.index, lm.value, integrality,
    )


class HighsRefused(RuntimeError):
    """HiGHS refused a model handed over by :func:`highs_for` (``passModel`` returned an error)."""


def highs_for(lm: LinearModel | None = None, *, verbose: bool = False, threads: int | None = None,
              options: dict[str, Any] | None = None, relax: bool = False) -> highspy.Highs:
    """A HiGHS object, configured, with ``lm`` handed over in bulk (no model when ``lm`` is None).

    Quiet unless ``verbose`` (no banner, ``output_flag`` off); ``threads`` through
    :func:`set_threads` (None: HiGHS's choice); then each of ``options`` (HiGHS option name ->
    value) in order; then ``lm`` by :func:`pass_model` (``relax`` drops integrality). Raises
    :class:`HighsRefused` when HiGHS refuses the model.
    """
    h = new_highs(verbose)
    h.setOptionValue("output_flag", bool(verbose))
    set_threads(h, threads)
    for k, v in (options or {}).items():
        h.setOptionValue(k, v)
    if lm is not None and pass_model(h, lm, relax=relax) == highspy.HighsStatus.kError:
        raise HighsRefused("HiGHS refused the model")
    return h


def solve_highs(lm: LinearModel, *, time_limit: float | None, gap: float, threads: int | None,
                verbose: bool = False, options: dict | None = None, progress=None,
                progress_every_s: float = 5.0, start: np.ndarray | None = None,
                hint_start: bool = False, on_solution=None) -> RawSolve:
    """Hand the model to HiGHS in one ``passModel`` call and solve it.

    ``start`` is a feasible column vector found before (a heuristic
    incumbent). The result is the better of it and HiGHS's own incumbent,
    with HiGHS's bound, and HiGHS stops as soon as its bound proves ``start``
    within ``gap``. Only with ``hint_start`` is it also handed to HiGHS
    (``setSolution``); that slowed HiGHS's presolve and root down on this model's
    shape (docs/benchmarks.md#start-kept-by-revopt), so it is off by default.
    ``progress`` is a callable receiving :class:`Progress` snapshots; ``on_solution(values,
    bound)`` receives each improving solution of HiGHS (the isolated run,
    :mod:`revopt.solve.highs_process`, sends them to its parent).
    """
    t0 = time.perf_counter()
    limits = {"mip_rel_gap": float(gap), **({} if time_limit is None else {"time_limit": float(time_limit)})}
    try:
        h = highs_for(lm, verbose=verbose, threads=threads, options={**limits, **(options or {})})
    except HighsRefused as e:
        return RawSolve(Status.ERROR, None, None, time.perf_counter() - t0, 0.0, str(e))
    t1 = time.perf_counter()
    known = None
    if start is not None:
        start = np.asarray(start, dtype=float)
        known = float(lm.cost @ start)
        if hint_start:
            sol = highspy.HighsSolution()
            sol.col_value = start
            sol.value_valid = True
            h.setSolution(sol)
    if progress is not None or known is not None or on_solution is not None:
        _attach_callbacks(h, progress, progress_every_s, known, float(gap), on_solution)
    if time_limit is not None:
        _attach_watchdog(h, time.perf_counter() + float(time_limit))
    h.run()
    t2 = time.perf_counter()
    ms = h.getModelStatus()
    info = h.getInfo()
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    values = np.asarray(h.getSolution().col_value, dtype=float) if has_sol else None
    bound = _finite(info.mip_dual_bound) if ms != _MS.kInfeasible else None
    message = h.modelStatusToString(ms)
    if known is not None and (values is None or known > float(lm.cost @ values)):
        values, has_sol = start, True
        message += "; incumbent from the heuristics"
    status = map_status(ms, has_sol)
    if status == Status.INFEASIBLE and known is not None:  # cannot be: start is feasible
        return RawSolve(Status.ERROR, None, None, t1 - t0, t2 - t1,
                        "HiGHS says infeasible but a feasible start is known")
    # (a rounding margin: with gap 0 the bound read after the stop can differ from the incumbent by 1e-16)
    if ms == _MS.kInterrupt and known is not None and bound is not None and values is not None and \
            relative_gap(bound, float(lm.cost @ values)) <= max(gap, ROUNDING_GAP):
        status = Status.OPTIMAL  # proved within the gap, as HiGHS would have said itself
    if not status.has_solution:
        values, bound = None, None
    return RawSolve(status, values, bound, t1 - t0, t2 - t1, message)


__all__ = ["solve_highs", "highs_for", "HighsRefused", "pass_model", "set_threads", "new_highs", "map_status",
           "Progress", "RawSolve"]
