"""The default backend: the whole LinearModel handed to HiGHS through highspy in one call."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass

import highspy
import numpy as np

from ..model.block import LinearModel
from ..results.result import Status

_MS = highspy.HighsModelStatus


@dataclass
class RawSolve:
    """What a backend returns: status, column values (None without a solution), bound."""

    status: Status
    values: np.ndarray | None
    bound: float | None
    handover_s: float
    solve_s: float
    message: str = ""


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


@contextlib.contextmanager
def _quiet_stdout():
    """Silence file descriptor 1 (HiGHS prints its banner from C++ on creation)."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (embedded use): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs(verbose: bool = False) -> highspy.Highs:
    if verbose:
        return highspy.Highs()
    with _quiet_stdout():
        return highspy.Highs()


@dataclass
class Progress:
    """A snapshot of a running MIP solve, passed to a ``progress`` callback."""

    elapsed: float
    incumbent: float | None
    bound: float | None
    gap: float | None
    improved: bool  # True when this snapshot reports a new incumbent


def _finite(v: float) -> float | None:
    return float(v) if np.isfinite(v) and abs(v) < 1e300 else None


def _attach_progress(h: highspy.Highs, callback, every_s: float) -> None:
    """Call ``callback(Progress)`` on each new incumbent and at most every ``every_s`` seconds."""
    last = [-1e9]

    def emit(e, improved: bool) -> None:
        d = e.data_out
        t = float(d.running_time)
        if not improved and t - last[0] < every_s:
            return
        inc, bnd = _finite(d.mip_primal_bound), _finite(d.mip_dual_bound)
        if inc is None and bnd is None:
            return
        last[0] = t
        gap = max(0.0, (bnd - inc) / max(1.0, abs(inc))) if inc is not None and bnd is not None else None
        callback(Progress(t, inc, bnd, gap, improved))

    h.cbMipImprovingSolution.subscribe(lambda e: emit(e, True))
    h.cbMipInterrupt.subscribe(lambda e: emit(e, False))


def pass_model(h: highspy.Highs, lm: LinearModel, *, relax: bool = False):
    """Hand ``lm`` to ``h`` in one bulk ``passModel`` call (CSR numpy arrays); ``relax`` drops integrality."""
    integrality = np.zeros(lm.n_cols, dtype=np.int32) if relax else lm.integrality
    return h.passModel(
        lm.n_cols, lm.n_rows, lm.nnz, int(highspy.MatrixFormat.kRowwise), int(highspy.ObjSense.kMaximize), 0.0,
        lm.cost, lm.col_lower, lm.col_upper, lm.row_lower, lm.row_upper,
        lm.start, lm.index, lm.value, integrality,
    )


def solve_highs(lm: LinearModel, *, time_limit: float | None, gap: float, threads: int | None,
                verbose: bool = False, options: dict | None = None, progress=None,
                progress_every_s: float = 5.0, start: np.ndarray | None = None) -> RawSolve:
    """Hand the model to HiGHS in one ``passModel`` call and solve it.

    ``start`` is a feasible column vector handed to HiGHS as the first
    incumbent; ``progress`` a callable receiving :class:`Progress` snapshots.
    """
    t0 = time.perf_counter()
    h = new_highs(verbose)
    h.setOptionValue("output_flag", bool(verbose))
    h.setOptionValue("mip_rel_gap", float(gap))
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    for k, v in (options or {}).items():
        h.setOptionValue(k, v)
    st = pass_model(h, lm)
    t1 = time.perf_counter()
    if st == highspy.HighsStatus.kError:
        return RawSolve(Status.ERROR, None, None, t1 - t0, 0.0, "HiGHS refused the model")
    if start is not None:
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=float)
        sol.value_valid = True
        h.setSolution(sol)
    if progress is not None:
        _attach_progress(h, progress, progress_every_s)
    h.run()
    t2 = time.perf_counter()
    ms = h.getModelStatus()
    info = h.getInfo()
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    status = map_status(ms, has_sol)
    values = np.asarray(h.getSolution().col_value, dtype=float) if status.has_solution else None
    bound = float(info.mip_dual_bound) if status.has_solution else None
    if bound is not None and not np.isfinite(bound):
        bound = None
    return RawSolve(status, values, bound, t1 - t0, t2 - t1, h.modelStatusToString(ms))
