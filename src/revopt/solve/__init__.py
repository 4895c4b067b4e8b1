"""Solve layer: ``solve(instance)`` runs the phases and returns a :class:`~revopt.results.Result`.

- :mod:`.pipeline`: :func:`solve`, the phases in order, each timed;
- :mod:`.options`: :class:`SolveOptions`, the strategy (thresholds, time shares, HiGHS settings);
- :mod:`.warm_start`: the greedy baseline and neighbourhood search (:mod:`.lns`) before HiGHS;
- :mod:`.highs_backend`, :mod:`.pyomo_backend`: the backends; :func:`~.highs_backend.highs_for`
  makes every HiGHS object revopt uses;
- :mod:`.bounds`: the assignment bound, combining bounds, the gap;
- :mod:`.extract`: solver columns -> the solution tables, objective, bound, gap, KPIs;
- :mod:`.export`: the model as a named LP or MPS file.
"""

from ..status import Progress
from .bounds import assignment_bound
from .options import SolveOptions
from .pipeline import BACKENDS, solve

__all__ = ["solve", "BACKENDS", "Progress", "SolveOptions", "assignment_bound"]
