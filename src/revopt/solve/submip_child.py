"""The child process of :class:`revopt.solve.submip.SubMipWorker`: solves neighbourhood sub-MIPs
with HiGHS, one after another, until its parent closes the pipe.

Run by path (``python .../submip_child.py DOWN_FD UP_FD PARENT_PID``), never imported by the
package: it imports numpy and highspy only (0.08 s to start, against 0.8 s for the revopt
package with pandas), so that a neighbourhood search can afford to start one per worker.

Each job is ``(arrays, start, options, threads)``: the sub-MIP as the arrays of a row-wise
LinearModel, the incumbent's values of its columns (handed to HiGHS as a start), HiGHS options
and a thread count. Each answer is ``(values or None, model status as int)``, status -1 when HiGHS raised.
"""

from __future__ import annotations

import os
import sys
from multiprocessing.connection import Connection

import highspy
import numpy as np


def _die_with(parent_pid: int) -> bool:  # pragma: no cover - runs in the child process
    """Ask Linux to kill this process when the parent dies (a HiGHS stuck in a loop would otherwise
    outlive a parent that was killed); whether the parent is still there."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the parent's kill at its deadline and on close still applies
    return os.getppid() == parent_pid


def _solve(arrays: dict, start: np.ndarray, options: dict, threads: int | None,
           scheduler: list) -> tuple[np.ndarray | None, int]:  # pragma: no cover - child
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if threads is not None:
        if scheduler[0] != int(threads):  # one global scheduler per process: reset when the count changes
            highspy.Highs.resetGlobalScheduler(True)
            scheduler[0] = int(threads)
        h.setOptionValue("threads", int(threads))
    for k, v in options.items():
        h.setOptionValue(k, v)
    a = arrays
    h.passModel(len(a["cost"]), len(a["row_lower"]), len(a["value"]), int(highspy.MatrixFormat.kRowwise),
                int(highspy.ObjSense.kMaximize), 0.0, a["cost"], a["col_lower"], a["col_upper"],
                a["row_lower"], a["row_upper"], a["start"], a["index"], a["value"], a["integrality"])
    sol = highspy.HighsSolution()
    sol.col_value = start
    sol.value_valid = True
    h.setSolution(sol)
    h.run()
    status = int(h.getModelStatus())
    if h.getInfo().primal_solution_status != 2:
        return None, status
    return np.asarray(h.getSolution().col_value, dtype=float), status


def main(down_fd: int, up_fd: int, parent_pid: int) -> None:  # pragma: no cover - child
    if not _die_with(parent_pid):
        return
    down, up = Connection(down_fd, writable=False), Connection(up_fd, readable=False)
    scheduler: list = [None]
    while True:
        try:
            arrays, start, options, threads = down.recv()
        except (EOFError, OSError):
            return
        try:
            up.send(_solve(arrays, start, options, threads, scheduler))
        except Exception:  # noqa: BLE001 - the parent treats it as a sub-MIP without an answer
            up.send((None, -1))


if __name__ == "__main__":  # pragma: no cover - the child process
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
