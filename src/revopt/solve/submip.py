"""Neighbourhood sub-MIPs in a child process that is killed when HiGHS runs past its time limit.

HiGHS does not check its time limit everywhere. On the small preset about one sub-MIP in a
hundred of the neighbourhood search (areas linked through the firms' moves) stayed for good in
``HPresolve::strengthenInequalities``, inside the presolve of a RINS sub-MIP of HiGHS 1.16,
with a 2 s limit (docs/benchmarks.md#sub-mip-watchdog); the same model alone hangs again every
time. A thread cannot be stopped, and a stuck HiGHS thread also blocks the interpreter's exit.
So each worker of the search owns one child process (:mod:`revopt.solve.submip_child`, which
imports numpy and highspy only and starts in about 0.1 s) that solves the sub-MIPs handed to
it one after another; when an answer has not come by the sub-MIP's time limit plus
:data:`GRACE_S`, the child is killed, the sub-MIP counts as timed out without an answer, and
the next sub-MIP starts a fresh child.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from ..model.block import LinearModel

#: seconds past a sub-MIP's own time limit before its child is killed (HiGHS stops itself well
#: within this wherever it checks the limit; starting a fresh child costs about 0.1 s)
GRACE_S = 2.0
_CHILD = Path(__file__).with_name("submip_child.py")
_ARRAYS = ("cost", "col_lower", "col_upper", "integrality", "row_lower", "row_upper", "start", "index", "value")
#: the answer of a sub-MIP whose child was killed (or died): no values, no HiGHS status
KILLED = -2


class SubMipWorker:
    """One child process that solves sub-MIPs in turn; use as a context manager (or :meth:`close`)."""

    def __init__(self, grace_s: float = GRACE_S) -> None:
        self.grace_s = grace_s
        self.kills = 0
        self._proc: subprocess.Popen | None = None
        self._down: Connection | None = None
        self._up: Connection | None = None

    def _start(self) -> None:
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        self._proc = subprocess.Popen([sys.executable, str(_CHILD), str(down_r), str(up_w), str(os.getpid())],
                                      pass_fds=(down_r, up_w), stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL)
        os.close(down_r)
        os.close(up_w)
        self._down, self._up = Connection(down_w, readable=False), Connection(up_r, writable=False)

    def solve(self, sub: LinearModel, start: np.ndarray, time_limit: float, options: dict,
              threads: int | None) -> tuple[np.ndarray | None, int]:
        """HiGHS on ``sub`` from ``start`` with ``options`` (``time_limit`` among them): (values or
        None, HiGHS model status as int, :data:`KILLED` when the child had to be killed or died)."""
        if self._proc is None or self._proc.poll() is not None:
            self._stop()
            self._start()
        assert self._down is not None and self._up is not None
        job = ({k: getattr(sub, k) for k in _ARRAYS}, np.asarray(start, dtype=float),
               {**options, "time_limit": float(time_limit)}, threads)
        deadline = time.perf_counter() + time_limit + self.grace_s
        try:
            self._down.send(job)
            while not self._up.poll(max(0.0, min(0.5, deadline - time.perf_counter()))):
                if time.perf_counter() >= deadline or self._proc.poll() is not None:
                    raise TimeoutError
            values, status = self._up.recv()
            return values, int(status)
        except (TimeoutError, EOFError, OSError):
            self.kills += 1
            self._stop()
            return None, KILLED

    def _stop(self) -> None:
        for conn in (self._down, self._up):
            if conn is not None:
                conn.close()
        self._down = self._up = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()
            self._proc = None

    def close(self) -> None:
        """Stop the child (it also leaves by itself when the pipe closes)."""
        self._stop()

    def __enter__(self) -> SubMipWorker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["SubMipWorker", "GRACE_S", "KILLED"]
