"""HiGHS on the whole model in a child process that is stopped at the deadline, whatever it is doing.

HiGHS checks its time limit and its interrupt callbacks only in some phases: on the province
preset its MIP presolve and root ran for minutes past a 30 s limit without calling any callback
(docs/benchmarks.md#watchdog). A time limit that must hold therefore cannot rely on HiGHS
stopping itself. Here HiGHS runs :func:`~revopt.solve.highs_backend.solve_highs` in a child
process (``python -m revopt.solve.highs_child``, started with :mod:`subprocess` so that the
caller's own script is never imported again, as multiprocessing's spawn would do); the child
sends every progress snapshot (incumbent, bound) and every improving solution to the parent
through a pipe, and the parent kills the child when the deadline (plus
a small grace for HiGHS to stop by itself and send its answer) has passed. What the parent
returns is then built from the last messages: the best solution HiGHS sent (or the heuristic
start, whichever is better) and the last dual bound HiGHS reported, which is valid at any
moment of a branch-and-bound.

A spawned child costs about a second (it imports numpy, pandas and highspy) and a copy of the
model's arrays, so :mod:`revopt.solve.pipeline` uses it only for large models under a time
limit; small models keep the in-process run with its callback watchdog.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from ..model.block import LinearModel
from ..status import Progress, RawSolve, Status
from .bounds import relative_gap

#: seconds HiGHS gets after the deadline to stop by itself and send its final answer before it is killed
GRACE_S = 1.0


def _arrays(lm: LinearModel) -> dict[str, Any]:
    """The LinearModel without its blocks (the child needs only the matrix)."""
    return {k: getattr(lm, k) for k in ("cost", "col_lower", "col_upper", "integrality", "row_lower",
                                        "row_upper", "start", "index", "value")}


def run_child(down_fd: int, up_fd: int) -> None:  # pragma: no cover - runs in the child process
    """The child's side: read the model and the settings from ``down_fd``, answer on ``up_fd``."""
    down = Connection(down_fd, writable=False)
    arrays, kwargs = pickle.loads(down.recv_bytes())
    down.close()
    _child(Connection(up_fd, readable=False), arrays, kwargs)


def _child(conn: Connection, arrays: dict[str, Any], kwargs: dict[str, Any]) -> None:  # pragma: no cover - child
    from .highs_backend import solve_highs

    lm = LinearModel(**arrays)
    try:
        raw = solve_highs(lm, progress=lambda p: conn.send(("progress", p)),
                          on_solution=lambda v, b: conn.send(("solution", v, b)), **kwargs)
        conn.send(("done", raw))
    except Exception as e:  # noqa: BLE001 - reported to the parent as an error result
        conn.send(("error", f"{type(e).__name__}: {e}"))
    finally:
        conn.close()


def _start_child() -> tuple[subprocess.Popen, Connection, Connection]:
    """Start ``python -m revopt.solve.highs_process`` with two pipes: (process, to child, from child)."""
    down_r, down_w = os.pipe()
    up_r, up_w = os.pipe()
    env = dict(os.environ)
    here = str(Path(__file__).resolve().parents[2])  # the directory that holds the revopt package
    env["PYTHONPATH"] = here + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    proc = subprocess.Popen([sys.executable, "-m", "revopt.solve.highs_child", str(down_r), str(up_w)],
                            pass_fds=(down_r, up_w), env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL)
    os.close(down_r)
    os.close(up_w)
    return proc, Connection(down_w, readable=False), Connection(up_r, writable=False)


class _Collector:
    """What the parent has heard from the child so far."""

    def __init__(self, lm: LinearModel, start: np.ndarray | None, progress: Callable[[Progress], None] | None):
        self.lm, self.progress = lm, progress
        self.values = None if start is None else np.asarray(start, dtype=float)
        self.objective = None if start is None else float(lm.cost @ self.values)
        self.from_start = start is not None
        self.bound: float | None = None
        self.final: RawSolve | None = None
        self.error: str | None = None

    def take(self, msg: tuple) -> bool:
        """Record one message; True when the child has finished."""
        kind = msg[0]
        if kind == "progress":
            p = msg[1]
            if p.bound is not None:
                self.bound = p.bound if self.bound is None else min(self.bound, p.bound)
            if self.progress is not None:
                self.progress(p)
        elif kind == "solution":
            v = msg[1]
            obj = float(self.lm.cost @ v)
            if self.objective is None or obj > self.objective:
                self.values, self.objective, self.from_start = v, obj, False
        elif kind == "done":
            self.final = msg[1]
            return True
        else:
            self.error = msg[1]
            return True
        return False

    def stopped(self, handover_s: float, solve_s: float, gap: float) -> RawSolve:
        """The result of a child that was killed at the deadline (or died)."""
        if self.values is None:
            return RawSolve(Status.NO_SOLUTION, None, None, handover_s, solve_s,
                            "stopped at the time limit without a feasible solution")
        status = Status.FEASIBLE
        if self.bound is not None and relative_gap(self.bound, self.objective) <= gap:
            status = Status.OPTIMAL
        msg = "stopped at the time limit (HiGHS ended by revopt)"
        if self.from_start:
            msg += "; incumbent from the heuristics"
        return RawSolve(status, self.values, self.bound, handover_s, solve_s, msg)


def solve_highs_isolated(lm: LinearModel, *, deadline: float, gap: float, threads: int | None,
                         options: dict | None = None, progress: Callable[[Progress], None] | None = None,
                         start: np.ndarray | None = None, grace_s: float = GRACE_S) -> RawSolve:
    """:func:`~revopt.solve.highs_backend.solve_highs` in a child process that is killed at
    ``deadline`` (a ``time.perf_counter()`` instant) + ``grace_s``.

    ``start`` is a feasible column vector known before; the result is never worse than it.
    HiGHS's own time limit is set to the time left, so in the phases where HiGHS checks it, it
    stops itself and the child's full answer is used.
    """
    t0 = time.perf_counter()
    left = max(0.05, deadline - t0)
    kwargs = dict(time_limit=left, gap=gap, threads=threads, options=options, start=start)
    proc, down, recv = _start_child()
    try:
        down.send_bytes(pickle.dumps((_arrays(lm), kwargs), protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass  # the child died at once: handled below as a child without a word
    finally:
        down.close()
    got = _Collector(lm, start, progress)
    finished = False
    while not finished:
        wait = deadline + grace_s - time.perf_counter()
        if wait <= 0:
            break
        try:
            if recv.poll(min(wait, 0.25)):
                finished = got.take(recv.recv())
            elif proc.poll() is not None and not recv.poll():
                break
        except (EOFError, OSError):  # the child died without a word
            break
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    recv.close()
    elapsed = time.perf_counter() - t0
    if got.final is not None:
        raw = got.final
        return RawSolve(raw.status, raw.values, raw.bound, raw.handover_s, elapsed - raw.handover_s, raw.message)
    if got.error is not None:
        return RawSolve(Status.ERROR, None, None, 0.0, elapsed, got.error)
    return got.stopped(0.0, elapsed, gap)


__all__ = ["solve_highs_isolated", "run_child", "GRACE_S"]

