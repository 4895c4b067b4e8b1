"""Evaluate a plan: solve before and after, compare, explain, and say what the plan lacks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..data.instance import Instance
from ..decide.conflict import find_conflict
from ..decide.marginal import marginal_values
from ..model.candidates import candidate_pairs
from ..results.result import Result
from ..results.solution import Solution
from ..solve import solve
from ..status import Progress, Status
from . import compare
from .elastic import COLUMNS, elastic_solve
from .evaluation import PlanEvaluation
from .plan import Plan, apply_plan
from .reasons import firm_reasons


def evaluate(instance: Instance, plan: Plan, *, time_limit: float | None = None, gap: float = 1e-4,
             threads: int | None = None, backend: str = "highs", elastic: bool = True,
             progress: Callable[[Progress], None] | bool | None = None, explain: bool = True,
             marginal_top: int = 0) -> PlanEvaluation:
    """Solve ``instance`` as it is and with ``plan`` applied, both as :func:`revopt.solve` would
    (same time limit, gap, threads, backend), and build the comparison of docs/plans.md.

    With ``elastic`` (default) and firms that land in the baseline (or are added by the plan)
    but not in the plan, or a plan without solution, the elastic variant
    (:mod:`revopt.plans.elastic`) says what the plan lacks. A plan that is infeasible is a
    result (``ev.result.status``), not an exception; a plan that does not fit the instance
    raises :class:`~revopt.plans.plan.PlanError`.

    With ``explain`` (default): for a plan that does not work, the conflict that stops it
    (:func:`revopt.decide.conflict.find_conflict`, with the firms that should land forced to;
    each test at most 10 s, the search at most 60 s); for a plan that works and ``marginal_top``
    > 0 (default 0: each resource costs two more solves), the marginal values of at most that
    many resources it touches (the compensation of its transformed terrains, the floor of the plots
    it develops, the binding substations and nature areas), re-solved at gap 0 with the time
    limit (default 30 s) per solve.
    """
    planned = apply_plan(instance, plan)

    def solve_as_asked(inst: Instance, start: Solution | None = None) -> Result:
        return solve(inst, time_limit=time_limit, gap=gap, threads=threads, backend=backend, progress=progress,
                     start=start)

    # the plan's solve starts from the baseline's allocation, repaired for the plan (what still
    # fits stays, the greedy completes the rest): the two answers then differ where the plan
    # makes them differ, not where two searches happened to end (issue 12)
    baseline = solve_as_asked(instance)
    result = solve_as_asked(planned, baseline.solution if backend == "highs" else None)
    cand = candidate_pairs(planned)
    reasons = firm_reasons(planned, result, cand)
    transformed = set(plan.transform)
    added = set(planned.firms["firm_id"]) - set(instance.firms["firm_id"])
    tables = {
        "headline": compare.headline(compare.side_figures(instance, baseline), compare.side_figures(planned, result)),
        "objective": compare.objective_table(baseline, result),
        "firms": compare.firms_table(instance, baseline, planned, result, reasons, transformed,
                                     set(plan.relocate), added),
        "compensation": compare.compensation_table(planned, result, transformed),
        "schuifruimte": compare.schuifruimte_table(instance, baseline, planned, result, plan.norm),
        "substations": compare.substations_table(baseline, result, planned),
        "nature_areas": compare.nature_table(baseline, result, planned),
    }
    corridors = compare.corridors_table(baseline, result, planned)
    if corridors is not None:
        tables["corridors"] = corridors
    ev = PlanEvaluation(plan=plan, instance=instance, planned=planned, baseline=baseline, result=result,
                        tables=tables, norm=plan.norm)
    should_land = _should_land(instance, baseline, planned, added)
    lands = set() if result.solution is None else set(
        result.solution.assignments.loc[result.solution.assignments["plot_id"] != "", "firm_id"])
    missing = [f for f in should_land if f not in lands]
    if result.reasons:
        ev.notes += result.reasons
    if elastic and (not result.status.has_solution or missing):
        el = elastic_solve(planned, should_land, cand=cand, time_limit=time_limit, gap=gap, threads=threads)
        ev.elastic = el
        tables["elastic"] = el.additions
        if not el.status.has_solution:
            ev.notes.append(f"elastic variant: {el.status.value}: {el.message}")
        elif el.additions.empty and missing:
            ev.notes.append("elastic variant: every firm can land without added capacity; the plan leaves "
                            f"{len(missing)} firm(s) unplaced because placing them does not pay")
        cannot = [f for f in should_land if f not in set(el.forced)]
        if cannot:
            ev.notes.append(f"{len(cannot)} firm(s) have no candidate plot in the plan whatever capacity is "
                            "added (a rule stands in the way; see their reasons)")
    elif elastic:
        tables["elastic"] = _empty_elastic()
    ev.missing = missing
    if explain:
        _explain(ev, should_land, time_limit, threads, marginal_top)
    return ev


def _explain(ev: PlanEvaluation, should_land: list[str], time_limit: float | None, threads: int | None,
             marginal_top: int) -> None:
    """The conflict of a plan that does not work, or the marginal values of what a working plan touches."""
    limit = 30.0 if time_limit is None else time_limit
    if not ev.works and ev.baseline.status.has_solution:
        forced = ev.elastic.forced if ev.elastic is not None else should_land
        ev.conflict = find_conflict(ev.planned, force_land=forced if ev.missing else None,
                                    time_limit=min(limit, 10.0), budget=60.0, threads=threads)
    elif ev.works and marginal_top > 0:
        opened = ev.planned.plots.loc[ev.planned.plots["terrain_id"].isin(ev.plan.develop), "plot_id"]
        touched = [f"compensation:{t}" for t in ev.plan.transform] + [f"plot_floor:{p}" for p in opened] + \
            ["substation", "nature_area"]
        ev.marginal = marginal_values(ev.planned, resources=touched, top=marginal_top, gap=0.0,
                                      time_limit=limit, threads=threads)


def _empty_elastic() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS)


def _should_land(instance: Instance, baseline: Result, planned: Instance, added: set[str]) -> list[str]:
    """Firms the plan should find room for: those placed in the baseline, the firms it adds, and
    every must-place firm."""
    ids = list(planned.firms["firm_id"])
    placed = set()
    if baseline.solution is not None:
        a = baseline.solution.assignments
        placed = set(a.loc[a["plot_id"] != "", "firm_id"])
    must = set(planned.firms.loc[planned.firms["must_place"], "firm_id"])
    return [f for f in ids if f in placed or f in added or f in must]


def write_evaluation(ev: PlanEvaluation, out: Path) -> None:
    """Write DIR/baseline, DIR/plan (+ plan/instance), DIR/comparison/*.csv, the reports and the plan."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, res in (("baseline", ev.baseline), ("plan", ev.result)):
        sol = res.solution if res.solution is not None else Solution.empty()
        sol.summary = res.summary()
        (out / name).mkdir(parents=True, exist_ok=True)
        sol.write(out / name)
    ev.planned.write(out / "plan" / "instance")
    (out / "plan.toml").write_text(ev.plan.to_toml(), encoding="utf-8")
    comp = out / "comparison"
    comp.mkdir(exist_ok=True)
    for name, df in ev.tables.items():
        df.to_csv(comp / f"{name}.csv", index=False)
    if ev.conflict is not None:
        ev.conflict.table.to_csv(comp / "conflict.csv", index=False)
    if ev.marginal is not None:
        ev.marginal.table.to_csv(comp / "marginal_values.csv", index=False)
    from .report import write_report

    write_report(ev, out)


def exit_status(ev: PlanEvaluation) -> Status:
    """The status that decides the exit code (as revopt solve): the plan's, else the baseline's."""
    if ev.baseline.status not in (Status.OPTIMAL, Status.FEASIBLE):
        return ev.baseline.status
    return ev.result.status


__all__ = ["evaluate", "write_evaluation", "exit_status", "Result"]
