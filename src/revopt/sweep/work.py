"""What a worker does for one scenario: apply it, solve it (or evaluate its plan) as
``revopt solve`` / ``revopt plan evaluate`` would, and return its results row and its files.

The files come back in memory (path -> bytes) rather than being written by the worker, so
that a worker on another machine of a cluster needs no access to the output directory: the
process that runs the sweep writes each scenario's directory atomically as it arrives.
A scenario never raises: a change that breaks an input rule, an infeasible instance or an
exception becomes a row with its status and message.
"""

from __future__ import annotations

import json
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..data.errors import InstanceError
from ..data.instance import Instance
from ..data.vocab import WERKMILIEUS
from ..plans.compare import schuifruimte_table
from ..plans.evaluate import evaluate, exit_status, write_evaluation
from ..results.result import Result
from ..results.solution import Solution, jsonable
from ..solve import solve
from .scenario import Scenario, apply_scenario
from .sweepfile import Sweep

#: HiGHS threads per scenario: one, so that N workers of one thread each use N cores
THREADS = 1
#: the record of a scenario inside its run directory (what a rerun reads to skip it)
RECORD = "scenario.json"
#: statuses that are not a result: a rerun into the same directory tries these scenarios again
UNFINISHED = ("lost",)
INPUT_ERROR, ERROR, LOST = "input_error", "error", "lost"
#: statuses counted as failed on the progress line (an infeasible scenario is a result, not a failure)
FAILED = (INPUT_ERROR, ERROR, LOST, "no_solution", "unbounded")


@dataclass
class Outcome:
    """A scenario's row of the results table and the files of its run directory."""

    row: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)


def kpi_columns(inst: Instance, res: Result) -> dict[str, Any]:
    """The KPI columns of a results row (docs/sweeps.md): value added placed, floor used per
    werkmilieu, firms placed / displaced / moved, free floor share per region, grid and nitrogen
    use (total and the fullest substation / area), transport CO2, terrains developed."""
    k = res.kpis
    if res.solution is None or not k:
        return {}
    firms = k["firms"]
    grid = k.get("grid", {})
    nit = k.get("nitrogen", {})
    out: dict[str, Any] = {
        "value_added_placed_eur": k["value_added_placed_eur"],
        **{f"floor_used_m2_{w}": k["floor_used_m2"][w] for w in WERKMILIEUS},
        "firms_placed": firms["placed"], "firms_displaced": firms["displaced"], "firms_moved": firms["moved"],
        "firms_kept": firms["kept"], "firms_new_placed": firms["new_placed"],
    }
    free = schuifruimte_table(inst, res, inst, res, 0.0)
    for region, share in zip(free["region"], free["baseline_share"]):
        out[f"free_floor_share_{region}"] = share
    out["grid_used_mw"] = sum(g["used_mw"] for g in grid.values())
    out["grid_max_use_share"] = max((g["used_mw"] / g["available_mw"] for g in grid.values()
                                     if g["available_mw"] > 0), default=None)
    out["nitrogen_used_mol"] = sum(n["used_mol"] for n in nit.values())
    out["nitrogen_max_use_share"] = max((n["used_mol"] / n["headroom_mol"] for n in nit.values()
                                         if n["headroom_mol"] > 0), default=None)
    tr = k.get("transport")
    out["transport_co2_t"] = tr["co2_t_total"] if tr else None
    out["terrains_developed"] = k["terrains_developed"]
    out["plots_intensified"] = k["plots_intensified"]
    return out


def axis_cells(sweep: Sweep, scenario: Scenario) -> dict[str, Any]:
    """The first cells of a row: the scenario id, then one per axis (the number or value as given;
    a plan by its file stem)."""
    cells: dict[str, Any] = {"scenario_id": scenario.id}
    for a, v, label in zip(sweep.axes, scenario.values, scenario.labels):
        cells[a.name] = label if a.kind == "plan" else v
    return cells


def _read_tree(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def _solve_row(inst: Instance, sweep: Sweep, d: Path) -> dict[str, Any]:
    res = solve(inst, time_limit=sweep.time_limit, gap=sweep.gap, threads=THREADS)
    sol = res.solution if res.solution is not None else Solution.empty()
    sol.summary = res.summary()
    sol.write(d)
    return {"status": res.status.value, "objective": res.objective, "bound": res.bound, "gap": res.gap,
            **kpi_columns(inst, res), "message": "" if res.status.has_solution else
            "; ".join(x for x in [*res.reasons, res.message][:3] if x)}


def _plan_row(inst: Instance, plan: Any, sweep: Sweep, d: Path) -> dict[str, Any]:
    ev = evaluate(inst, plan, time_limit=sweep.time_limit, gap=sweep.gap, threads=THREADS)
    write_evaluation(ev, d)
    res = ev.result
    return {"status": exit_status(ev).value, "objective": res.objective, "bound": res.bound, "gap": res.gap,
            **kpi_columns(ev.planned, res), "plan_works": ev.works, "message": "; ".join(ev.notes[:3])}


def run_scenario(base: Instance, sweep: Sweep, scenario: Scenario) -> Outcome:
    """Apply ``scenario`` to ``base``, solve it (or evaluate its plan) and return its row and
    files; never raises (a failure is a row with its status and message)."""
    t0 = time.perf_counter()
    head = axis_cells(sweep, scenario)
    with tempfile.TemporaryDirectory(prefix="revopt-sweep-") as tmp:
        d = Path(tmp)
        try:
            inst, plan = apply_scenario(base, sweep, scenario)
            body = _plan_row(inst, plan, sweep, d) if plan is not None else _solve_row(inst, sweep, d)
        except InstanceError as e:
            body = {"status": INPUT_ERROR, "message": str(e)}
        except Exception as e:  # noqa: BLE001 - a crash is this scenario's row, never the sweep's end
            body = {"status": ERROR, "message": f"{type(e).__name__}: {e}",
                    "traceback": traceback.format_exc(limit=8)}
        row = {**head, "status": body.pop("status"), "objective": body.pop("objective", None),
               "bound": body.pop("bound", None), "gap": body.pop("gap", None),
               "seconds": round(time.perf_counter() - t0, 3), **body, "scenario_key": scenario.key}
        tb = row.pop("traceback", None)
        record = {"row": row, "values": list(scenario.values), "traceback": tb}
        (d / RECORD).write_text(json.dumps(jsonable(record), indent=2) + "\n", encoding="utf-8")
        return Outcome(row=row, files=_read_tree(d))


def lost_outcome(sweep: Sweep, scenario: Scenario, message: str) -> Outcome:
    """The row of a scenario whose worker was lost more often than the retries allow."""
    row = {**axis_cells(sweep, scenario), "status": LOST, "objective": None, "bound": None, "gap": None,
           "seconds": None, "message": message, "scenario_key": scenario.key}
    record = {"row": row, "values": list(scenario.values), "traceback": None}
    return Outcome(row=row, files={RECORD: (json.dumps(jsonable(record), indent=2) + "\n").encode("utf-8")})


__all__ = ["Outcome", "run_scenario", "lost_outcome", "kpi_columns", "RECORD", "UNFINISHED", "THREADS"]
