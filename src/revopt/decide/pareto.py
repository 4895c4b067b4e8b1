"""Trade-off fronts by the epsilon-constraint method with lexicographic steps.

The first objective named is the primary, the others secondaries (each maximised or minimised
as :data:`revopt.decide.objectives.OBJECTIVES` says). Written as gains (larger is better):

1. anchors: the primary's lexicographic optimum (the primary, then each secondary with the
   primary held at what the first step reached) is the primary end; for each secondary its own
   lexicographic optimum (that secondary first, then the primary, then the others) gives its
   best value;
2. epsilon levels for each secondary between its value at the primary end and its best value
   (whole numbers for counts; with one secondary ``points`` levels, ends included; with k
   secondaries ``max(2, floor(points ** (1/k)))`` levels each, their product);
3. per level: maximise the primary subject to ``secondary >= level``, then, the primary held at
   what it reached (less a relative ``tolerance``: lexicographic steps with exactly zero slack
   fail on round-off), each secondary in turn, so that no point is weakly dominated;
4. duplicates are merged and points that another point dominates (a solve stopped by the time
   limit can leave one) are dropped.

Every point is a full solution, extracted and verified as ``revopt solve``'s.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..results.result import Result
from ..results.solution import jsonable
from ..results.verify import verify
from ..status import Status
from .front_chart import front_chart
from .objectives import Objective, check_objective_names, objective
from .restricted import RestrictedMip
from .solutions import Built


@dataclass
class FrontPoint:
    """One point of the front: its objective values (by name), its Result and the verifier's verdict."""

    values: dict[str, float]
    result: Result
    seconds: float
    proven: bool
    violations: list[str] = field(default_factory=list)


@dataclass
class Front:
    """What :func:`pareto` found: the points, ordered from the primary objective's best down."""

    instance_name: str
    objectives: list[str]
    units: dict[str, str]
    senses: dict[str, str]
    points: list[FrontPoint]
    asked: int
    dropped_dominated: int
    message: str
    seconds: float

    def table(self) -> pd.DataFrame:
        """front.csv: ``point``, ``solution`` (directory relative to the output) and one column per objective."""
        data: dict[str, list[Any]] = {"point": list(range(1, len(self.points) + 1)),
                                      "solution": [f"point-{i}" for i in range(1, len(self.points) + 1)]}
        for name in self.objectives:
            data[name] = [p.values[name] for p in self.points]
        return pd.DataFrame(data)

    def summary(self) -> dict[str, Any]:
        return {"instance": self.instance_name, "objectives": self.objectives, "units": self.units,
                "senses": self.senses, "points_asked": self.asked, "points_found": len(self.points),
                "dropped_dominated": self.dropped_dominated, "message": self.message,
                "proven": [p.proven for p in self.points], "seconds": round(self.seconds, 3),
                "method": "epsilon-constraint on the secondaries, lexicographic steps (docs/alternatives.md)"}

    def write(self, directory: str | Path) -> None:
        """Write ``point-1/ ...`` (solution directories as ``revopt solve`` writes them), ``front.csv``,
        ``front.svg`` and ``summary.json`` into an existing directory."""
        d = Path(directory)
        for i, p in enumerate(self.points, start=1):
            sub = d / f"point-{i}"
            sub.mkdir()
            assert p.result.solution is not None
            p.result.solution.write(sub)
        table = self.table()
        table.to_csv(d / "front.csv", index=False, float_format="%.15g")
        (d / "front.svg").write_text(front_chart(table, self.objectives, self.units, title=f"{self.instance_name}: "
                                                 f"{self.objectives[0]} against {self.objectives[1]}"),
                                     encoding="utf-8")
        (d / "summary.json").write_text(json.dumps(jsonable(self.summary()), indent=2) + "\n", encoding="utf-8")


def check_arguments(objectives: list[str], points: int, time_limit: float | None, gap: float,
                    tolerance: float) -> None:
    """Raise ValueError naming the argument and the rule it breaks."""
    check_objective_names(list(objectives))
    if not isinstance(points, (int, np.integer)) or isinstance(points, bool) or points < 2:
        raise ValueError(f"points must be a whole number >= 2 (the two ends of the front), not {points!r}")
    if time_limit is not None and not (time_limit > 0 and np.isfinite(time_limit)):
        raise ValueError(f"time_limit must be a finite number of seconds > 0, not {time_limit!r}")
    if not (gap >= 0 and np.isfinite(gap)):
        raise ValueError(f"gap must be a finite number >= 0, not {gap!r}")
    if not (0 <= tolerance < 1):
        raise ValueError(f"tolerance must be a number with 0 <= tolerance < 1, not {tolerance!r}")


class _Lexicographic:
    """The restricted MIP with one row per objective, for epsilon levels and lexicographic steps."""

    def __init__(self, built: Built, objs: list[Objective], *, gap: float, threads: int | None,
                 time_limit: float | None, tolerance: float) -> None:
        self.built, self.objs, self.time_limit, self.tolerance = built, objs, time_limit, tolerance
        self.mip = RestrictedMip(built.model, gap=gap, threads=threads)
        self.rows = [self.mip.add_row(o.coef, -np.inf, np.inf) for o in objs]
        self.value_bound: float | None = None

    def _at_least(self, i: int, gain: float | None) -> None:
        """Require objective ``i``'s gain >= ``gain`` (None: free)."""
        o, row = self.objs[i], self.rows[i]
        if gain is None:
            self.mip.set_row_bounds(row, -np.inf, np.inf)
        elif o.maximise:
            self.mip.set_row_bounds(row, gain - o.constant, np.inf)
        else:
            self.mip.set_row_bounds(row, -np.inf, -gain - o.constant)

    def slack(self, o: Objective, gain: float) -> float:
        return 1e-6 if o.integral else self.tolerance * max(1.0, abs(gain))

    def solve(self, order: list[int], levels: dict[int, float]) -> tuple[np.ndarray | None, float, bool]:
        """Lexicographic optimum in ``order`` under ``gain_i >= levels[i]``: (rounded columns or None,
        seconds, every step proven)."""
        for i in range(len(self.objs)):
            self._at_least(i, levels.get(i))
        values, seconds, proven = None, 0.0, True
        for step, i in enumerate(order):
            o = self.objs[i]
            self.mip.set_objective(o.coef, o.maximise)
            ans = self.mip.solve(self.time_limit, start=values)
            seconds += ans.seconds
            if ans.values is None:
                if step == 0:
                    return None, seconds, ans.status == Status.INFEASIBLE
                break
            proven &= ans.status == Status.OPTIMAL
            values = self.built.rounded(ans.values)
            if step == 0 and o.name == "value" and not levels and ans.bound is not None:
                self.value_bound = ans.bound
            g = o.gain(values)
            self._at_least(i, max(levels.get(i, -np.inf), g - self.slack(o, g)))
        return values, seconds, proven


def _levels(worst: float, best: float, n: int, integral: bool) -> list[float]:
    if n < 2 or best <= worst:
        return [worst]
    raw = np.linspace(worst, best, n)
    if integral:
        raw = np.unique(np.ceil(raw - 1e-9))
    return [float(x) for x in raw]


def pareto(instance: Instance, objectives: list[str] | tuple[str, ...] = ("value", "relocations"), *,
           points: int = 5, time_limit: float | None = None, gap: float = 1e-4, threads: int | None = None,
           tolerance: float = 1e-6) -> Front:
    """A front of ``objectives`` (the first is the primary; names of
    :data:`~revopt.decide.objectives.OBJECTIVES`) with about ``points`` points: epsilon levels on the
    secondaries, lexicographic steps with relative ``tolerance``; ``time_limit`` seconds and
    relative gap ``gap`` per MIP solve. Every point is verified (:func:`revopt.verify`)."""
    names = list(objectives)
    check_arguments(names, points, time_limit, gap, tolerance)
    began = time.perf_counter()
    built = Built.of(instance)
    objs = [objective(n, instance, built.layout, built.model) for n in names]
    lex = _Lexicographic(built, objs, gap=gap, threads=threads, time_limit=time_limit, tolerance=tolerance)
    k = len(objs) - 1
    found: list[tuple[np.ndarray, float, bool]] = []
    primary_end = lex.solve(list(range(len(objs))), {})
    if primary_end[0] is None:
        why = "the instance is infeasible" if primary_end[2] else "no solution within the time limit"
        return Front(instance.name, names, {o.name: o.unit for o in objs}, _senses(objs), [], points, 0,
                     f"no front: {why}", time.perf_counter() - began)
    found.append(primary_end)  # type: ignore[arg-type]
    best = {}
    for j in range(1, len(objs)):
        end = lex.solve([j, 0] + [i for i in range(1, len(objs)) if i != j], {})
        if end[0] is not None:
            found.append(end)  # type: ignore[arg-type]
            best[j] = objs[j].gain(end[0])
    per_axis = points if k == 1 else max(2, math.floor(points ** (1.0 / k) + 1e-9))
    axes = [_levels(objs[j].gain(primary_end[0]), best.get(j, objs[j].gain(primary_end[0])), per_axis,
                    objs[j].integral) for j in range(1, len(objs))]
    order = list(range(len(objs)))
    for combo in itertools.product(*axes):
        levels = {j: lv for j, lv in zip(range(1, len(objs)), combo)}
        if k == 1 and (combo[0] <= axes[0][0] or combo[0] >= axes[0][-1]):
            continue  # the two ends are the anchors
        v, s, proven = lex.solve(order, levels)
        if v is not None:
            found.append((v, s, proven))
    kept, dropped = _nondominated(objs, found)
    pts = [_point(built, instance, objs, v, s, proven, lex.value_bound) for v, s, proven in kept]
    pts.sort(key=lambda p: tuple(-_gain(o, p.values[o.name]) for o in objs))
    message = f"{len(pts)} point(s) on the front" + (f" ({dropped} dominated or repeated solution(s) dropped)"
                                                     if dropped else "")
    if k > 1:
        message += f"; {len(objs)} objectives: a grid of {per_axis} level(s) per secondary, the chart shows " \
                   f"{names[0]} against {names[1]} only"
    return Front(instance.name, names, {o.name: o.unit for o in objs}, _senses(objs), pts, points, dropped, message,
                 time.perf_counter() - began)


def _gain(o: Objective, value: float) -> float:
    return value if o.maximise else -value


def _senses(objs: list[Objective]) -> dict[str, str]:
    return {o.name: "max" if o.maximise else "min" for o in objs}


def _nondominated(objs: list[Objective], found: list[tuple[np.ndarray, float, bool]]
                  ) -> tuple[list[tuple[np.ndarray, float, bool]], int]:
    """The found solutions that no other weakly dominates (gains compared with a relative tolerance
    of 1e-9), one per objective vector."""
    gains = [np.array([o.gain(v) for o in objs]) for v, _, _ in found]

    def tol(a: float, b: float) -> float:
        return 1e-9 * max(1.0, abs(a), abs(b))

    kept: list[int] = []
    for i, gi in enumerate(gains):
        dominated = False
        for j, gj in enumerate(gains):
            if i == j:
                continue
            ge = all(gj[m] >= gi[m] - tol(gi[m], gj[m]) for m in range(len(objs)))
            gt = any(gj[m] > gi[m] + tol(gi[m], gj[m]) for m in range(len(objs)))
            same = ge and not gt
            if (ge and gt) or (same and j < i):
                dominated = True
                break
        if not dominated:
            kept.append(i)
    return [found[i] for i in kept], len(found) - len(kept)


def _point(built: Built, instance: Instance, objs: list[Objective], v: np.ndarray, seconds: float, proven: bool,
           value_bound: float | None) -> FrontPoint:
    note = "" if proven else " (a step stopped by the time limit)"
    res = built.result(v, status=Status.FEASIBLE, bound=value_bound, seconds=seconds,
                       message="a point of a trade-off front" + note)
    values = {o.name: (float(res.objective) if o.name == "value" and res.objective is not None else o.of(v))
              for o in objs}
    if res.solution is not None:
        res.solution.summary["pareto"] = {"objectives": values, "proven": proven}
    return FrontPoint(values, res, seconds, proven, verify(instance, res))


__all__ = ["pareto", "Front", "FrontPoint", "check_arguments"]
