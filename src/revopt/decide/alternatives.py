"""Near-optimal alternatives (modelling to generate alternatives, MGA): allocations within a share of
the optimum, each as different from the earlier ones as HiGHS can make it.

The method (docs/alternatives.md says why this one):

1. the optimum ``z*`` of the section-5 objective (HiGHS on the model, relative gap ``gap``) is
   alternative 1;
2. a budget row keeps every alternative near it: ``cost @ v >= z* - within * |z*|`` (for z* >= 0
   that is ``(1 - within) * z*``);
3. alternative k+1 maximises its total Hamming distance to alternatives 1..k over the binary
   decisions a planner sees, the placements x[f,p], the designations z[p,w] and the developed
   terrains d[t]: ``sum_s sum_j |v_j - s_j|``, which is linear in v because every s_j is 0 or 1,
   ``sum_j (#{s: s_j = 0} - #{s: s_j = 1}) v_j + const``;
4. one row per earlier alternative s, ``sum_j (1 - 2 s_j) v_j >= 1 - sum_j s_j`` (Hamming distance
   at least 1), makes every alternative distinct, so that an infeasible MIP proves that no
   further distinct allocation lies within the budget: fewer than ``count`` exist.

A solve stopped by the time limit with an incumbent gives an alternative that is within the
budget and distinct (the rows hold), only perhaps not the most different one; stopped without
one, the search ends and says that it was the clock, not a proof.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..results.result import Result
from ..results.solution import Solution, jsonable
from ..results.verify import verify
from ..status import Status
from .frequency_map import frequency_map
from .restricted import RestrictedMip
from .solutions import Built

#: seconds without a more distant incumbent after which the search for one alternative stops: on the
#: demo HiGHS finds its first alternative in seconds and then gains little (docs/alternatives.md)
STALL_S = 5.0

@dataclass
class Alternative:
    """One alternative: its Result (solution tables, objective, KPIs), distances and the verifier's verdict."""

    index: int
    result: Result
    distance_to_optimum: int
    min_distance_to_earlier: int | None
    seconds: float
    violations: list[str] = field(default_factory=list)


@dataclass
class Alternatives:
    """What :func:`alternatives` found.

    ``optimum`` is the objective of alternative 1 (None when the instance has no solution),
    ``bound`` HiGHS's bound on it, ``budget`` the least objective an alternative may have;
    ``exhausted`` is True when HiGHS proved that no further distinct allocation lies within
    the budget (then fewer than ``count`` may be found), and ``message`` says in words why the
    search ended.
    """

    instance_name: str
    within: float
    count: int
    optimum: float | None
    bound: float | None
    budget: float | None
    items: list[Alternative]
    exhausted: bool
    message: str
    seconds: float

    @property
    def found(self) -> int:
        return len(self.items)

    def frequency(self) -> pd.DataFrame:
        """Share of the alternatives in which each choice is made (see :func:`frequency_table`)."""
        return frequency_table([a.result.solution for a in self.items if a.result.solution is not None])

    def table(self) -> pd.DataFrame:
        """alternatives.csv: one row per alternative."""
        return pd.DataFrame({
            "alternative": [a.index for a in self.items],
            "solution": [f"alt-{a.index}" for a in self.items],
            "objective": [a.result.objective for a in self.items],
            "share_of_optimum": [(a.result.objective / self.optimum)
                                 if self.optimum and a.result.objective is not None else None for a in self.items],
            "distance_to_optimum": [a.distance_to_optimum for a in self.items],
            "min_distance_to_earlier": [a.min_distance_to_earlier for a in self.items],
            "seconds": [round(a.seconds, 3) for a in self.items],
            "verified": [not a.violations for a in self.items],
        })

    def summary(self) -> dict[str, Any]:
        freq = self.frequency()
        dev = freq[freq["kind"] == "development"]
        return {
            "instance": self.instance_name, "within": self.within, "count_asked": self.count,
            "count_found": self.found, "exhausted": self.exhausted, "message": self.message,
            "optimum": self.optimum, "bound": self.bound, "budget": self.budget,
            "method": "max total Hamming distance over x, z, d to the earlier alternatives; "
                      "distance >= 1 to each (docs/alternatives.md)",
            "seconds": round(self.seconds, 3),
            "terrains_developed_share": {t: float(s) for t, c, s in zip(dev["subject"], dev["choice"], dev["share"])
                                         if c == "developed"},
        }

    def write(self, directory: str | Path, instance: Instance) -> None:
        """Write ``alt-1/ ... alt-K/`` (solution directories as ``revopt solve`` writes them),
        ``alternatives.csv``, ``frequency.csv``, ``frequency_map.svg`` and ``summary.json`` into an
        existing directory."""
        d = Path(directory)
        for a in self.items:
            sub = d / f"alt-{a.index}"
            sub.mkdir()
            assert a.result.solution is not None
            a.result.solution.write(sub)
        self.table().to_csv(d / "alternatives.csv", index=False, float_format="%.15g")
        freq = self.frequency()
        freq.to_csv(d / "frequency.csv", index=False, float_format="%.6g")
        (d / "frequency_map.svg").write_text(
            frequency_map(instance, freq, self.found, title=f"{self.instance_name}: designations in {self.found} "
                                                            f"alternatives within {100 * self.within:g} %"),
            encoding="utf-8")
        (d / "summary.json").write_text(json.dumps(jsonable(self.summary()), indent=2) + "\n", encoding="utf-8")


def frequency_table(solutions: list[Solution]) -> pd.DataFrame:
    """``kind, subject, choice, count, share`` over ``solutions`` (section-6 tables):

    - ``placement``: subject a firm, choice its plot ("" = not placed);
    - ``designation``: subject a plot, choice its werkmilieu ("" = not designated);
    - ``development``: subject a planned terrain, choice ``developed`` or ``not developed``.

    One row per choice made in at least one solution; ``share`` = count / number of solutions.
    """
    n = len(solutions)
    parts = []
    for kind, frames in (
            ("placement", [s.assignments.rename(columns={"firm_id": "subject", "plot_id": "choice"})
                           for s in solutions]),
            ("designation", [s.plots.rename(columns={"plot_id": "subject", "werkmilieu": "choice"})
                             for s in solutions]),
            ("development", [pd.DataFrame({"subject": s.terrains["terrain_id"],
                                           "choice": np.where(s.terrains["developed"].astype(bool), "developed",
                                                              "not developed")}) for s in solutions])):
        if not frames:
            continue
        allrows = pd.concat([f[["subject", "choice"]] for f in frames], ignore_index=True)
        allrows["choice"] = allrows["choice"].fillna("").astype(str)
        counts = allrows.groupby(["subject", "choice"], sort=True).size().reset_index(name="count")
        counts.insert(0, "kind", kind)
        parts.append(counts)
    if not parts:
        return pd.DataFrame({"kind": [], "subject": [], "choice": [], "count": [], "share": []})
    out = pd.concat(parts, ignore_index=True)
    out["share"] = out["count"] / max(n, 1)
    return out


def check_arguments(within: float, count: int, time_limit: float | None, gap: float) -> None:
    """Raise ValueError naming the argument and the rule it breaks."""
    if not (isinstance(within, (int, float)) and 0 <= within < 1):
        raise ValueError(f"within must be a number with 0 <= within < 1 (a share of the optimum), not {within!r}")
    if not isinstance(count, (int, np.integer)) or isinstance(count, bool) or count < 1:
        raise ValueError(f"count must be a whole number >= 1, not {count!r}")
    if time_limit is not None and not (time_limit > 0 and np.isfinite(time_limit)):
        raise ValueError(f"time_limit must be a finite number of seconds > 0, not {time_limit!r}")
    if not (gap >= 0 and np.isfinite(gap)):
        raise ValueError(f"gap must be a finite number >= 0, not {gap!r}")


def binary_decisions(built: Built) -> np.ndarray:
    """Columns of the distance: placements x, designations z and developed terrains d."""
    lay = built.layout
    return np.concatenate([np.arange(lay.n_x), lay.z["col"].to_numpy(np.int64), lay.d["col"].to_numpy(np.int64)])


def hamming(a: np.ndarray, b: np.ndarray, cols: np.ndarray) -> int:
    return int(np.abs(np.round(a[cols]) - np.round(b[cols])).sum())


def alternatives(instance: Instance, *, within: float, count: int, time_limit: float | None = None,
                 gap: float = 1e-4, threads: int | None = None, stall: float | None = STALL_S) -> Alternatives:
    """Up to ``count`` distinct allocations each within ``within`` (a share, 0.01 = 1 %) of the optimum,
    the first the optimum itself (relative gap ``gap``), each next one as far (Hamming distance over
    placements, designations and developed terrains) from the earlier ones as HiGHS finds within
    ``time_limit`` seconds per solve (None: no limit); the search for one alternative stops once its
    best distance has not grown for ``stall`` seconds (None: only the limit or a proof stops it).

    Every alternative is verified (:func:`revopt.verify`); fewer than ``count`` come back when
    fewer exist (``exhausted``) or when a solve ends without a solution (``message`` says which).
    """
    check_arguments(within, count, time_limit, gap)
    if stall is not None and not stall > 0:
        raise ValueError(f"stall must be a number of seconds > 0 or None, not {stall!r}")
    began = time.perf_counter()
    built = Built.of(instance)
    lm = built.model
    mip = RestrictedMip(lm, gap=gap, threads=threads)
    first = mip.solve(time_limit)
    if first.values is None:
        why = "the instance is infeasible" if first.status == Status.INFEASIBLE else \
            f"no solution within the time limit ({first.message})"
        return Alternatives(instance.name, within, count, None, None, None, [], first.status == Status.INFEASIBLE,
                            f"no alternatives: {why}", time.perf_counter() - began)
    v0 = built.rounded(first.values)
    optimum = float(lm.cost @ v0)
    bound = first.bound if first.bound is not None else None
    budget = optimum - within * abs(optimum)
    status0 = Status.OPTIMAL if first.status == Status.OPTIMAL else Status.FEASIBLE
    items = [_item(built, instance, 1, v0, [], status0, bound, first.seconds, first.message)]
    mip.add_row(lm.cost, budget - 1e-9 * max(1.0, abs(budget)), np.inf)
    cols = binary_decisions(built)
    flips = OneFlip(built)
    earlier = [v0]
    exhausted, message, last_resort = False, f"{count} alternative(s) found as asked", 0
    while len(items) < count:
        s = earlier[-1][cols]
        coef = np.zeros(lm.n_cols)
        coef[cols] = 1.0 - 2.0 * s
        mip.add_row(coef, 1.0 - float(s.sum()) - 1e-6, np.inf)     # distance >= 1 to the newest
        weights = np.zeros(lm.n_cols)
        weights[cols] = sum(1.0 - 2.0 * e[cols] for e in earlier)
        mip.set_objective(weights, maximise=True)
        ans = mip.solve(time_limit, stall_s=stall)
        fallback = ans.values is None and ans.status != Status.INFEASIBLE
        if fallback:
            ans.values = flips.start(earlier, budget)
            if ans.values is not None:
                last_resort += 1
                ans.message += "; taken instead: an earlier alternative with one empty plot's designation changed"
        if ans.values is None:
            exhausted = ans.status == Status.INFEASIBLE
            message = (f"only {len(items)} of {count}: no further distinct allocation lies within "
                       f"{100 * within:g} % of the optimum (proven)" if exhausted else
                       f"only {len(items)} of {count}: the solve for alternative {len(items) + 1} ended without "
                       f"a solution ({ans.message}); more may exist")
            break
        v = built.rounded(ans.values)
        items.append(_item(built, instance, len(items) + 1, v, earlier, Status.FEASIBLE, bound, ans.seconds,
                           ans.message))
        earlier.append(v)
    if last_resort:
        message += (f"; {last_resort} of them HiGHS did not find in time, taken instead as an earlier one with one "
                    f"empty plot's designation changed (distance 1)")
    if bound is None or first.status != Status.OPTIMAL:
        message += "; the optimum was not proven, so the budget is relative to the best allocation found"
    return Alternatives(instance.name, within, count, optimum, bound, budget, items, exhausted, message,
                        time.perf_counter() - began)


class OneFlip:
    """The alternative of last resort, when HiGHS finds none of its own in time: an earlier one with
    the designation of one empty plot changed (undesignated, or designated where it had none), when
    that keeps every row of the model. Such a change costs nothing in the objective, so it is within
    the budget; it is distinct, but only just (distance 1), and its message says so.

    (Handed to HiGHS as a start instead, it made HiGHS stall on small improvements of it before its
    root heuristics found the far-away allocations they find without it.)
    """

    def __init__(self, built: Built, tries: int = 500) -> None:
        lm = built.model
        self.built, self.tries = built, tries
        self.col_ptr, self.col_rows, self.col_vals = lm.by_columns()
        self.cols = binary_decisions(built)

    def start(self, earlier: list[np.ndarray], budget: float) -> np.ndarray | None:
        """A column vector that keeps every row, is within ``budget`` and differs from every
        earlier alternative; None when no single change of an empty plot's designation does."""
        lm, lay = self.built.model, self.built.layout
        z_plot, z_col = lay.z["plot"].to_numpy(np.int64), lay.z["col"].to_numpy(np.int64)
        pair_plot = lay.pairs["plot"].to_numpy(np.int64)
        for base in reversed(earlier):
            occupied = np.zeros(len(self.built.instance.plots), bool)
            occupied[pair_plot[base[: lay.n_x] > 0.5]] = True
            designated = np.bincount(z_plot, weights=base[z_col], minlength=len(occupied)) > 0.5
            free = ~occupied[z_plot] & (lm.cost[z_col] == 0)
            on = z_col[free & (base[z_col] > 0.5)]
            off = z_col[free & (base[z_col] < 0.5) & ~designated[z_plot]]
            activity = lm.activity(base)
            for col in np.concatenate([on, off])[: self.tries]:
                v = self._flipped(base, int(col), activity)
                if v is not None and float(lm.cost @ v) >= budget and \
                        all(hamming(v, e, self.cols) >= 1 for e in earlier):
                    return v
        return None

    def _flipped(self, base: np.ndarray, col: int, activity: np.ndarray) -> np.ndarray | None:
        lm = self.built.model
        step = 1.0 - 2.0 * base[col]
        a, b = self.col_ptr[col], self.col_ptr[col + 1]
        rows = self.col_rows[a:b]
        new = activity[rows] + step * self.col_vals[a:b]
        lo, up = lm.row_lower[rows], lm.row_upper[rows]
        tol = 1e-7 * (1.0 + np.abs(new))
        if np.any(new < lo - tol) or np.any(new > up + tol):
            return None
        v = base.copy()
        v[col] = 1.0 - base[col]
        return v


def _item(built: Built, instance: Instance, index: int, v: np.ndarray, earlier: list[np.ndarray],
          status: Status, bound: float | None, seconds: float, message: str) -> Alternative:
    cols = binary_decisions(built)
    res = built.result(v, status=status, bound=bound, seconds=seconds, message=message)
    dists = [hamming(v, e, cols) for e in earlier]
    if res.solution is not None:
        res.solution.summary["alternative"] = {"index": index, "distance_to_optimum": dists[0] if dists else 0,
                                               "min_distance_to_earlier": min(dists) if dists else None}
    return Alternative(index, res, dists[0] if dists else 0, min(dists) if dists else None, seconds,
                       verify(instance, res))


__all__ = ["alternatives", "Alternatives", "Alternative", "frequency_table", "check_arguments"]
