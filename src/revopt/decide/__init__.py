"""Decision support on a solved instance (issue 13).

What each scarce resource is worth (marginal values by re-solving), why an
instance or a plan is infeasible (a conflict in named rules), near-optimal
alternatives and trade-off fronts. This layer may use every layer up to the
public API; ``revopt.plans`` and ``revopt.sweep`` may use it
(docs/architecture.md).
"""

from .conflict import Conflict, find_conflict
from .explain import Explanation, explain, write_explanation
from .marginal import MarginalValues, marginal_values

__all__ = ["explain", "write_explanation", "Explanation", "marginal_values", "MarginalValues", "find_conflict",
           "Conflict"]
