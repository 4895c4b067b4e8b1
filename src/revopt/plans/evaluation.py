"""The outcome of evaluating a plan: both solves, the plan applied, the comparison tables."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..data.instance import Instance
from ..decide.conflict import Conflict
from ..decide.marginal import MarginalValues
from ..results.result import Result
from .elastic import ElasticResult
from .plan import Plan


@dataclass
class PlanEvaluation:
    """What :func:`revopt.plans.evaluate` returns.

    ``instance`` is the instance as it is, ``planned`` the instance with the plan
    applied; ``baseline`` and ``result`` their solves (``result.status`` may be
    infeasible: a plan that cannot work is a result, not an error).
    ``tables`` holds the comparison tables of docs/plans.md by name
    (``headline``, ``firms``, ``compensation``, ``schuifruimte``, ``substations``,
    ``nature_areas`` and, when the plan lacks something, ``elastic``).
    ``elastic`` is the solve of the elastic variant (None when not needed); ``missing`` the
    firms that should land (placed in the baseline, added by the plan, or must-place) but do not;
    ``notes`` what the verdict should mention (presolve proofs, the elastic outcome);
    ``conflict`` why a plan that does not work fails, ``marginal`` what the resources it touches are worth.
    """

    plan: Plan
    instance: Instance
    planned: Instance
    baseline: Result
    result: Result
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    elastic: ElasticResult | None = None
    norm: float = 0.05
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    #: why the plan fails (:func:`revopt.decide.conflict.find_conflict`), for a plan that does not work
    conflict: Conflict | None = None
    #: marginal values of the resources the plan touches (:func:`revopt.decide.marginal.marginal_values`)
    marginal: MarginalValues | None = None

    @property
    def works(self) -> bool:
        """The plan has a solution, and every firm that should land (placed in the baseline, added by
        the plan, must-place) lands in it or, by the elastic variant, could land without any added
        capacity (the optimum leaves it out because placing it does not pay)."""
        if not self.result.status.has_solution:
            return False
        if not self.missing:
            return True
        el = self.elastic
        return el is not None and el.status.has_solution and el.additions.empty
