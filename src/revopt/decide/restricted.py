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
        self._stalled = False
        self._has_incumbent = False
        self.highs.cbMipImprovingSolution.subscribe(self._improved)
        self.highs.cbMipInterrupt.subscribe(self._check_stall)

    def _improved(self, e: Any) -> None:
        """An improving incumbent of the MIP (HiGHS's callback)."""
        self._last_improved = time.perf_counter()
        self._has_incumbent = True

    def _check_stall(self, e: Any) -> None:
        """Stop a run whose incumbent has not improved for ``stall_s`` seconds (and that has one)."""
        # HiGHS keeps the flag between runs: set it every time, not only to stop
        self._stalled = self._stall_s is not None and self._has_incumbent and \
            time.perf_counter() - self._last_improved > self._stall_s
        e.data_in.user_interrupt = self._stalled

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
        self.highs.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(coef, float))
        self.highs.changeObjectiveSense(highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize)

    def solve(self, time_limit: float | None = None, start: np.ndarray | None = None,
              stall_s: float | None = None) -> MipAnswer:
        """Solve the MIP as it stands now; ``start`` (a feasible column vector) is handed to HiGHS;
        with ``stall_s``, HiGHS is stopped once it has an incumbent that has not improved for that
        many seconds (the answer is then ``feasible``, its message says so)."""
        self.highs.setOptionValue("time_limit", float(time_limit) if time_limit is not None else INF)
        self._stall_s, self._stalled, self._last_improved = stall_s, False, time.perf_counter()
        self._has_incumbent = False
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
        if self._stalled:
            message = f"stopped: no better incumbent for {stall_s:g} s"
        return MipAnswer(status, values, bound if np.isfinite(bound) and abs(bound) < 1e300 else None, seconds,
                         message)


__all__ = ["RestrictedMip", "MipAnswer"]
