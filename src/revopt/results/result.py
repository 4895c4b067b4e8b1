"""The typed result of a solve: status, objective, bound, gap, times, tables, KPIs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..status import Status
from .solution import Solution

PHASES = ("candidates", "build", "handover", "solve", "extract")


@dataclass
class Result:
    """What :func:`revopt.solve` returns.

    ``objective`` is the section-5 value of the returned solution (recomputed
    from the rounded decisions), ``bound`` the solver's proven upper bound,
    ``gap`` = (bound - objective) / max(1, |objective|). ``seconds`` has one
    entry per phase of :data:`PHASES`. ``solution`` holds the decision tables
    (None without a solution); ``exclusions`` per firm how many plots each
    candidate rule excluded; ``reasons`` why an instance is infeasible when a
    presolve check proved it.
    """

    instance_name: str
    status: Status
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: dict[str, float]
    backend: str
    solution: Solution | None
    kpis: dict[str, Any] = field(default_factory=dict)
    exclusions: pd.DataFrame | None = None
    reasons: list[str] = field(default_factory=list)
    message: str = ""
    size: dict[str, int] = field(default_factory=dict)
    #: where the reported bound comes from ("highs", "lagrangian", "assignment", ...; None without one)
    bound_source: str | None = None
    #: with a work limit: True when no clock cut any phase short (the same input, seed and work
    #: limit give the same answer on any machine); None without a work limit
    reproducible: bool | None = None

    @property
    def time_s(self) -> float:
        """Seconds of the whole solve: the sum of :attr:`seconds` over the phases."""
        return float(sum(self.seconds.values()))

    def _table(self, name: str) -> pd.DataFrame:
        if self.solution is None:
            raise ValueError(f"no solution (status {self.status.value})")
        return getattr(self.solution, name)

    @property
    def assignments(self) -> pd.DataFrame:
        """firm_id, plot_id ("" when not placed)."""
        return self._table("assignments")

    @property
    def designations(self) -> pd.DataFrame:
        """plot_id, werkmilieu ("" when not designated), intensified."""
        return self._table("plots")

    @property
    def developed(self) -> pd.DataFrame:
        """terrain_id, developed, for planned terrains."""
        return self._table("terrains")

    @property
    def intensified(self) -> pd.DataFrame:
        """plot_id of the intensified plots."""
        p = self._table("plots")
        return p.loc[p["intensified"], ["plot_id"]].reset_index(drop=True)

    @property
    def compensation(self) -> pd.DataFrame:
        """terrain_id, plot_id, class, floor_m2: the compensation credits."""
        return self._table("compensation")

    def summary(self) -> dict[str, Any]:
        """The content of summary.json."""
        return {
            "instance": self.instance_name,
            "status": self.status.value,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "time_s": round(self.time_s, 4),
            "seconds": {k: round(v, 4) for k, v in self.seconds.items()},
            "backend": self.backend,
            "size": self.size,
            "reasons": self.reasons,
            "message": self.message,
            "bound_source": self.bound_source,
            "reproducible": self.reproducible,
            "kpis": self.kpis,
        }
