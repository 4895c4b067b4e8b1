"""The outcome of a solve, shared by the solver backends and the results: a leaf that imports nothing of revopt.

- :class:`Status`: how a solve ended (an enum; ``str(status)`` is its value);
- :class:`Progress`: one snapshot of a running MIP solve, for a ``progress`` callback;
- :class:`RawSolve`: what a backend returns before the solution is turned into tables.

Backends (:mod:`revopt.solve.highs_backend`, :mod:`revopt.solve.pyomo_backend`) build these;
:class:`revopt.results.Result` carries a :class:`Status`. Neither side imports the other.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np


class Status(str, enum.Enum):
    """Outcome of a solve (``result.status``; its text is ``summary.json``'s ``status``).

    ``OPTIMAL``: proven optimal within the relative gap asked for. ``FEASIBLE`` means
    stopped (time limit) with an incumbent that is not proven optimal; ``NO_SOLUTION``
    means stopped without any feasible solution. ``INFEASIBLE``: no allocation meets
    every rule (``result.reasons`` says why when a presolve check proved it).
    ``UNBOUNDED`` and ``ERROR``: the solver's own verdicts (``result.message``).
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NO_SOLUTION = "no_solution"
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        """True for ``OPTIMAL`` and ``FEASIBLE``: the result holds decision tables."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)

    def __str__(self) -> str:
        return self.value


@dataclass
class Progress:
    """A snapshot of a running MIP solve, passed to a ``progress`` callback."""

    elapsed: float
    incumbent: float | None
    bound: float | None
    gap: float | None
    improved: bool  # True when this snapshot reports a new incumbent

    def line(self) -> str:
        """The snapshot as one line of text: ``*`` marks a new incumbent."""
        def num(v: float | None) -> str:
            return "-" if v is None else f"{v:,.0f}"
        gap = "-" if self.gap is None else f"{100 * self.gap:.3f} %"
        mark = "*" if self.improved else " "
        return f"{mark} {self.elapsed:8.1f} s  incumbent {num(self.incumbent)}  bound {num(self.bound)}  gap {gap}"


@dataclass
class RawSolve:
    """What a backend returns: status, column values (None without a solution), bound."""

    status: Status
    values: np.ndarray | None
    bound: float | None
    handover_s: float
    solve_s: float
    message: str = ""


__all__ = ["Status", "Progress", "RawSolve"]
