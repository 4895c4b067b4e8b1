"""The model's MIP with rows added and the objective replaced: one HiGHS object, solved many times.

Near-optimal alternatives and trade-off fronts both solve the instance's own
:class:`~revopt.model.block.LinearModel` again and again with a few extra rows (a budget on the
section-5 objective, a bound on another objective, a "differ from the earlier solutions" row)
and another objective. :class:`RestrictedMip` holds one HiGHS object (made by
:func:`~revopt.solve.highs_backend.highs_for`), adds rows to it, moves their bounds and swaps
the objective between solves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from ..model.block import LinearModel
from ..solve.highs_backend import highs_for, map_status
from ..status import Status

INF = highspy.kHighsInf
#: a run that finds no incumbent of its own stops after this many times ``stall_s``
START_GRACE = 6


@dataclass
class MipAnswer:
    """What one solve returned: status, column values (None without a solution), HiGHS's bound on
    the objective it was given (None when unknown), seconds and HiGHS's status text."""

    status: Status
    values: np.ndarray | None
    bound: float | None
    seconds: float
    message: str


class RestrictedMip:
    """``lm`` in HiGHS, plus rows of our own and an objective of our own.

    ``gap`` is HiGHS's relative MIP gap, ``threads`` its thread count (None: HiGHS's choice).
    """

    def __init__(self, lm: LinearModel, *, gap: float = 1e-4, threads: int | None = None) -> None:
        self.lm = lm
        self.highs = highs_for(lm, threads=threads, options={"mip_rel_gap": float(gap)})
        self.n_rows = lm.n_rows
        self._stall_s: float | None = None
        self._last_improved = 0.0
        self._began = 0.0
        self._stalled = False
        self._has_incumbent = False
        self._cost = np.asarray(lm.cost, float)
        self._maximise = True
        self._start_objective: float | None = None
        self.highs.cbMipImprovingSolution.subscribe(self._improved)
        self.highs.cbMipInterrupt.subscribe(self._check_stall)

    def _improved(self, e: Any) -> None:
        """An improving incumbent of the MIP (HiGHS's callback); the start handed over does not count."""
        found, known = float(e.data_out.objective_function_value), self._start_objective
        if known is None or (found > known + 1e-6 if self._maximise else found < known - 1e-6):
            self._last_improved = time.perf_counter()
            self._has_incumbent = True

    def _check_stall(self, e: Any) -> None:
        """Stop a run whose own incumbent has not improved for ``stall_s`` seconds, or that has found
        none (better than its start) in ``START_GRACE * stall_s`` seconds."""
        now = time.perf_counter()
        if self._stall_s is None:
            self._stalled = False
        elif self._has_incumbent:
            self._stalled = now - self._last_improved > self._stall_s
        else:
            self._stalled = now - self._began > START_GRACE * self._stall_s
        e.data_in.user_interrupt = self._stalled  # HiGHS keeps the flag between runs: set it every time

    def add_row(self, coef: np.ndarray, lower: float, upper: float) -> int:
        """Add ``lower <= coef @ v <= upper`` (``coef`` dense over the columns); its row number."""
        idx = np.flatnonzero(coef).astype(np.int32)
        lo = -INF if not np.isfinite(lower) else float(lower)
        up = INF if not np.isfinite(upper) else float(upper)
        self.highs.addRow(lo, up, len(idx), idx, np.asarray(coef, float)[idx])
        self.n_rows += 1
        return self.n_rows - 1

    def set_row_bounds(self, row: int, lower: float, upper: float) -> None:
        lo = -INF if not np.isfinite(lower) else float(lower)
        up = INF if not np.isfinite(upper) else float(upper)
        self.highs.changeRowBounds(row, lo, up)

    def set_objective(self, coef: np.ndarray, maximise: bool) -> None:
        """Replace the objective by ``coef @ v``, maximised or minimised."""
        n = self.lm.n_cols
        self._cost, self._maximise = np.asarray(coef, float), maximise
        self.highs.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(coef, float))
        self.highs.changeObjectiveSense(highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize)

    def solve(self, time_limit: float | None = None, start: np.ndarray | None = None,
              stall_s: float | None = None) -> MipAnswer:
        """Solve the MIP as it stands now; ``start`` (a feasible column vector) is handed to HiGHS;
        with ``stall_s``, HiGHS is stopped once an incumbent of its own (better than ``start``) has
        not improved for that many seconds, or when it has found none in ``START_GRACE * stall_s``
        seconds (the answer is then ``feasible`` with ``start``, or ``no_solution``; its message says so)."""
        self.highs.setOptionValue("time_limit", float(time_limit) if time_limit is not None else INF)
        self._stall_s, self._stalled = stall_s, False
        self._began = self._last_improved = time.perf_counter()
        self._has_incumbent = False
        self._start_objective = None if start is None else float(self._cost @ np.asarray(start, float))
        if start is not None:
            sol = highspy.HighsSolution()
            sol.col_value = np.asarray(start, float)
            sol.value_valid = True
            self.highs.setSolution(sol)
        t = time.perf_counter()
        self.highs.run()
        seconds = time.perf_counter() - t
        ms = self.highs.getModelStatus()
        has = self.highs.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
        values = np.asarray(self.highs.getSolution().col_value, float) if has else None
        status = map_status(ms, has)
        bound = float(self.highs.getInfo().mip_dual_bound)
        if not status.has_solution:
            values = None
        message = self.highs.modelStatusToString(ms)
        if self._stalled and self._has_incumbent:
            message = f"stopped: no better incumbent for {stall_s:g} s"
        elif self._stalled:
            message = f"stopped: no incumbent of its own in {START_GRACE * (stall_s or 0):g} s"
        return MipAnswer(status, values, bound if np.isfinite(bound) and abs(bound) < 1e300 else None, seconds,
                         message)


__all__ = ["RestrictedMip", "MipAnswer"]
