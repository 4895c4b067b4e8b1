"""Bounds and the gap: the one place where revopt combines upper bounds and measures a gap.

All solves maximise. A *bound* is a value no feasible solution exceeds; the *gap*
of an incumbent with objective ``obj`` against bound ``b`` is

    gap = max(0, (b - obj) / max(1, |obj|))

(relative, with 1 as the floor of the denominator so that an objective near 0 does not
blow it up). :func:`assignment_bound` is valid for every model revopt builds;
:func:`combine_bounds` takes the best (lowest) of the bounds at hand.
"""

from __future__ import annotations

import numpy as np

from ..model.block import LinearModel
from ..model.layout import Layout


def relative_gap(bound: float, objective: float) -> float:
    """The gap of an incumbent ``objective`` against an upper ``bound`` (0 when the bound is below it)."""
    return max(0.0, (bound - objective) / max(1.0, abs(objective)))


def lowest_within(bound: float | None, gap: float) -> float | None:
    """The lowest objective whose :func:`relative_gap` against ``bound`` is at most ``gap``, per range
    of the objective (at least 1, within (-1, 1), at most -1): where neighbourhood search stops."""
    if bound is None:
        return None
    if bound / (1 + gap) >= 1:
        return bound / (1 + gap)
    if bound - gap > -1:
        return bound - gap
    return bound / (1 - gap)


def assignment_bound(lay: Layout, lm: LinearModel) -> float:
    """A valid upper bound that needs no LP: every firm on its most valuable candidate plot.

    Each firm takes at most one plot (C1) and every other column has a cost
    <= 0 (development, intensification) or 0 (credits, emissions), so the
    optimum is at most the sum over firms of max(0, best pair cost). Weak, but
    it gives a true gap where HiGHS had no time to finish its root LP
    (national preset).
    """
    n = lay.n_x
    best = np.zeros(int(lay.pairs["firm"].max()) + 1 if n else 0)
    if n:
        np.maximum.at(best, lay.pairs["firm"].to_numpy(np.int64), lm.cost[:n])
    rest = lm.cost[n:]
    up = lm.col_upper[n:]
    pos = rest > 0
    extra = float(np.sum(rest[pos] * up[pos])) if np.any(pos) else 0.0
    return float(best.sum()) + extra


def combine_bounds(objective: float, solver: tuple[str, float | None], others: dict[str, float | None],
                   proved_optimal: bool = False) -> tuple[float, float, str]:
    """(bound, gap, source) of an incumbent: the best (lowest) of the valid bounds at hand.

    ``solver`` is (name, bound) of the solver that returned the incumbent; ``others`` more valid
    bounds by source (``{"lagrangian": ..., "assignment": ...}``; None where a source has none).
    An optimum the solver proved without reporting a bound (the Pyomo backend with some
    solvers) is its own bound (source ``"optimal"``); a bound below the incumbent is solver
    round-off and is lifted to it.
    """
    name, value = solver
    if value is None and proved_optimal:
        name, value = "optimal", objective
    known = {k: float(v) for k, v in {name: value, **others}.items() if v is not None and np.isfinite(v)}
    if not known:
        raise ValueError("combine_bounds needs at least one bound")
    source = min(known, key=lambda k: known[k])
    bound = max(known[source], objective)
    return bound, relative_gap(bound, objective), source


__all__ = ["assignment_bound", "combine_bounds", "lowest_within", "relative_gap"]
