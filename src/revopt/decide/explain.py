"""``revopt.explain(instance)``: the marginal values of a feasible instance, the conflict of an
infeasible one, and the directory that ``revopt explain`` writes."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..data.instance import Instance
from ..results.result import Result
from ..results.solution import Solution
from ..solve import solve
from ..status import Status
from .conflict import Conflict, find_conflict
from .marginal import MarginalValues, marginal_values
from .report import conflict_section, marginal_section, page


@dataclass
class Explanation:
    """What :func:`explain` returns: the base solve, the marginal values (when it has a solution)
    or the conflict (when it is infeasible), and the seconds of each part."""

    instance_name: str
    base: Result
    marginal: MarginalValues | None = None
    conflict: Conflict | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def explain(instance: Instance, *, resources: list[str] | None = None, top: int = 10,
            steps: dict[str, float] | None = None, gap: float = 0.0, time_limit: float | None = None,
            threads: int | None = None, test_time_limit: float = 10.0, max_tests: int = 60,
            on_row: Callable[[str], None] | None = None) -> Explanation:
    """Solve ``instance``; with a solution, the marginal values of its binding resources
    (:func:`revopt.decide.marginal.marginal_values`: ``resources``, ``top``, ``steps``, and
    ``gap``/``time_limit``/``threads`` for every solve); when infeasible, why
    (:func:`revopt.decide.conflict.find_conflict`, each MIP test at most ``test_time_limit`` s,
    at most ``max_tests`` tests)."""
    t0 = time.perf_counter()
    base = solve(instance, gap=gap, time_limit=time_limit, threads=threads)
    ex = Explanation(instance.name, base, seconds={"solve": time.perf_counter() - t0})
    if base.solution is not None and base.objective is not None:
        t1 = time.perf_counter()
        ex.marginal = marginal_values(instance, resources=resources, top=top, steps=steps, gap=gap,
                                      time_limit=time_limit, threads=threads, base=base, on_row=on_row)
        ex.seconds["marginal_values"] = time.perf_counter() - t1
    elif base.status == Status.INFEASIBLE:
        t1 = time.perf_counter()
        ex.conflict = find_conflict(instance, time_limit=test_time_limit, max_tests=max_tests, threads=threads)
        ex.seconds["conflict"] = time.perf_counter() - t1
    else:
        ex.notes.append(f"the solve ended {base.status.value} without a solution: neither marginal values nor a "
                        "conflict (raise the time limit)")
    return ex


def write_explanation(ex: Explanation, out: Path, top: int = 10) -> None:
    """Write ``solution/`` (the base solve, spec section 6), ``marginal_values.csv`` and
    ``marginal_details.csv`` or ``conflict.csv``, and ``report.html`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sol = ex.base.solution if ex.base.solution is not None else Solution.empty()
    sol.summary = ex.base.summary()
    (out / "solution").mkdir(exist_ok=True)
    sol.write(out / "solution")
    sections = [f"<p>Base solve: {ex.base.status.value}, objective "
                f"{'-' if ex.base.objective is None else f'{ex.base.objective:,.0f}'} EUR.</p>"]
    if ex.marginal is not None:
        ex.marginal.table.to_csv(out / "marginal_values.csv", index=False)
        ex.marginal.details.to_csv(out / "marginal_details.csv", index=False)
        sections.append(marginal_section(ex.marginal, top))
    if ex.conflict is not None:
        ex.conflict.table.to_csv(out / "conflict.csv", index=False)
        sections.append(conflict_section(ex.conflict))
    sections += [f"<p>{n}</p>" for n in ex.notes]
    sections.append("<p>Seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in ex.seconds.items()) + "</p>")
    (out / "report.html").write_text(page(f"revopt explain: {ex.instance_name}", sections), encoding="utf-8")
