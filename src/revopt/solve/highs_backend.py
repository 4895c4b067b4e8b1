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


def solve_highs(lm: LinearModel, *, time_limit: float | None, gap: float, threads: int | None,
                verbose: bool = False, options: dict | None = None) -> RawSolve:
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
    st = h.passModel(
        lm.n_cols, lm.n_rows, lm.nnz, int(highspy.MatrixFormat.kRowwise), int(highspy.ObjSense.kMaximize), 0.0,
        lm.cost, lm.col_lower, lm.col_upper, lm.row_lower, lm.row_upper,
        lm.start, lm.index, lm.value, lm.integrality,
    )
    t1 = time.perf_counter()
    if st == highspy.HighsStatus.kError:
        return RawSolve(Status.ERROR, None, None, t1 - t0, 0.0, "HiGHS refused the model")
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
