"""Realistic PlanEvaluation objects for the report tests, built from the demo instance.

The comparison tables follow docs/plans.md column for column, but are computed here
roughly and independently of revopt.plans.compare (they only feed the report, whose
job is to show whatever tables it is given). Solves are cached per process.

- :func:`working_plan`: demo (Midden startup target 35,000 m2) with T04 "Bedrijvenpark
  De Esch" transformed to housing; optimal, every constraint verified.
- :func:`failing_plan`: demo with T02 "Stationskwartier" transformed: infeasible (no new
  stedelijk space within 15 km), so no plan solution, and an elastic table.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

import revopt
from revopt.plans.evaluation import PlanEvaluation
from revopt.plans.plan import Plan
from revopt.results import Result

DEMO = Path(__file__).resolve().parents[1] / "instances" / "demo"
W = ("industrieel", "productie", "innovatie", "stedelijk")


@cache
def _base() -> tuple[revopt.Instance, Result]:
    inst = revopt.load_instance(DEMO)
    lt = inst.lifecycle_targets.copy()
    lt.loc[lt["region"] == "Midden", "min_placed_m2"] = 35000.0
    inst = inst.replace_tables(lifecycle_targets=lt)
    res = revopt.solve(inst, time_limit=60)
    assert res.status.has_solution and revopt.verify(inst, res) == []
    return inst, res


def _transformed(inst: revopt.Instance, terrain_ids: tuple[str, ...]) -> revopt.Instance:
    t = inst.terrains.copy()
    t.loc[t["terrain_id"].isin(terrain_ids), "status"] = "transform"
    return inst.replace_tables(terrains=t)


@cache
def working_plan() -> PlanEvaluation:
    inst, base = _base()
    plan = Plan(name="De Esch to housing", description="transform Bedrijvenpark De Esch (T04) into housing",
                transform=("T04",))
    planned = _transformed(inst, plan.transform)
    res = revopt.solve(planned, time_limit=60)
    assert res.status.has_solution and revopt.verify(planned, res) == []
    return _evaluation(plan, inst, planned, base, res)


@cache
def failing_plan() -> PlanEvaluation:
    inst, base = _base()
    plan = Plan(name="Stationskwartier <wonen> & more", description="transform Stationskwartier (T02)",
                transform=("T02",))
    planned = _transformed(inst, plan.transform)
    res = revopt.solve(planned, time_limit=60)
    assert not res.status.has_solution
    ev = _evaluation(plan, inst, planned, base, res)
    ev.tables["elastic"] = pd.DataFrame([
        dict(resource="compensation", id="T02", **{"class": "stedelijk"}, addition=63950.0, unit="m2",
             text="add 63,950 m2 of new stedelijk space within 15 km of Stationskwartier"),
        dict(resource="floor", id="West", **{"class": "stedelijk"}, addition=12400.0, unit="m2",
             text="add 12,400 m2 of stedelijk space in region West"),
    ])
    ev.notes.append("The plan is infeasible; the elastic variant shows what it lacks.")
    return ev


# --------------------------------------------------------------------------- tables

def _evaluation(plan: Plan, inst, planned, base: Result, res: Result) -> PlanEvaluation:
    tables = {
        "firms": _firms(plan, inst, planned, base, res),
        "compensation": _compensation(planned, res),
        "schuifruimte": _schuifruimte(inst, planned, base, res, plan.norm),
        "substations": _substations(inst, base, res),
        "nature_areas": _nature(inst, base, res),
    }
    tables["headline"] = _headline(inst, planned, base, res, tables["firms"])
    return PlanEvaluation(plan=plan, instance=inst, planned=planned, baseline=base, result=res,
                          tables=tables, norm=plan.norm)


def _placement(inst, res: Result) -> pd.Series:
    if not res.status.has_solution:
        return pd.Series("", index=inst.firms["firm_id"])
    return res.assignments.set_index("firm_id")["plot_id"].reindex(inst.firms["firm_id"]).fillna("")


def _state(current: str, plot: str, has: bool) -> str:
    if not has:
        return ""
    if current:
        return "kept" if plot == current else ("moved" if plot else "displaced")
    return "new_placed" if plot else "unplaced"


def _dist(xy: dict, a: str, b: str) -> float:
    if not a or not b:
        return math.nan
    (xa, ya), (xb, yb) = xy[a], xy[b]
    return math.hypot(xa - xb, ya - yb) / 1000.0


def _firms(plan: Plan, inst, planned, base: Result, res: Result) -> pd.DataFrame:
    xy = {p: (x, y) for p, x, y in planned.plots[["plot_id", "x", "y"]].itertuples(index=False)}
    terr = planned.plots.set_index("plot_id")["terrain_id"]
    bp, pp = _placement(inst, base), _placement(planned, res)
    excl = res.exclusions.set_index("firm_id") if res.exclusions is not None else None
    rows = []
    for f in planned.firms.itertuples(index=False):
        cur = f.current_plot or ""
        b, p = bp.get(f.firm_id, ""), pp.get(f.firm_id, "")
        bs = _state(cur, b, base.status.has_solution)
        ps = _state(cur, p, res.status.has_solution)
        on_t = bool(cur) and terr.get(cur, "") in plan.transform
        reason = ""
        if ps in ("displaced", "unplaced") or not res.status.has_solution:
            if excl is not None and f.firm_id in excl.index and excl.loc[f.firm_id, "candidates"] == 0:
                e = excl.loc[f.firm_id].drop("candidates")
                top = e[e > 0].sort_values(ascending=False).head(2)
                reason = "no suitable plot: " + ", ".join(f"{k} excludes {int(v)}" for k, v in top.items())
            elif ps in ("displaced", "unplaced"):
                reason = "its candidate plots are taken by firms that add more value"
            elif on_t:
                reason = "plan infeasible: no plot is decided"
        affected = on_t or f.firm_id in plan.relocate or (res.status.has_solution and bs != ps)
        if not (affected or ps in ("displaced", "unplaced")):
            continue
        rows.append(dict(firm_id=f.firm_id, sector=f.sector, floor_space_m2=f.floor_space_m2,
                         current_plot=cur, baseline_plot=b, plan_plot=p, baseline_state=bs,
                         plan_state=ps, distance_km=_dist(xy, cur, p) if p and p != cur else math.nan,
                         reason=reason, relocate=f.firm_id in plan.relocate, affected=affected))
    return pd.DataFrame(rows)


def _compensation(planned, res: Result) -> pd.DataFrame:
    ratio = float(planned.params["compensation"]["ratio"])
    names = planned.terrains.set_index("terrain_id")["name"]
    lost = (planned.plots[planned.plots["terrain_id"].isin(
        planned.terrains.loc[planned.terrains["status"] == "transform", "terrain_id"])]
        .groupby(["terrain_id", "current_werkmilieu"])["floor_capacity_m2"].sum())
    comp = res.compensation if res.status.has_solution else None
    rows = []
    for (t, k), m2 in lost.items():
        got = (comp[(comp["terrain_id"] == t) & (comp["class"] == k)].sort_values("floor_m2", ascending=False)
               if comp is not None else pd.DataFrame(columns=["plot_id", "floor_m2"]))
        provided = float(got["floor_m2"].sum())
        rows.append({"terrain_id": t, "name": names[t], "class": k, "lost_m2": m2, "ratio": ratio,
                     "required_m2": ratio * m2, "provided_m2": provided,
                     "plots": ";".join(f"{p}:{v:.0f}" for p, v in got[["plot_id", "floor_m2"]].itertuples(index=False)),
                     "met": comp is not None and provided >= ratio * m2 - 1e-6})
    return pd.DataFrame(rows)


def _region_space(inst, res: Result) -> pd.DataFrame:
    plots = inst.plots.merge(inst.terrains[["terrain_id", "region", "status"]], on="terrain_id")
    sol = res.solution
    dev = set(sol.terrains.loc[sol.terrains["developed"], "terrain_id"]) if sol is not None else set()
    ints = set(sol.plots.loc[sol.plots["intensified"], "plot_id"]) if sol is not None else set()
    usable = (plots["status"] == "existing") | ((plots["status"] == "planned") & plots["terrain_id"].isin(dev))
    cap = (plots["floor_capacity_m2"].where(usable, 0.0)
           + plots["intensify_extra_m2"].where(plots["plot_id"].isin(ints), 0.0))
    total = cap.groupby(plots["region"]).sum()
    used = pd.Series(0.0, index=total.index)
    if sol is not None:
        placed = sol.assignments[sol.assignments["plot_id"] != ""]
        a = placed.merge(inst.firms[["firm_id", "floor_space_m2"]], on="firm_id")
        a = a.merge(plots[["plot_id", "region"]], on="plot_id")
        used = a.groupby("region")["floor_space_m2"].sum().reindex(total.index, fill_value=0.0)
    return pd.DataFrame({"total": total, "used": used})


def _schuifruimte(inst, planned, base: Result, res: Result, norm: float) -> pd.DataFrame:
    b, p = _region_space(inst, base), _region_space(planned, res)
    has = res.status.has_solution
    out = pd.DataFrame({"region": b.index, "total_m2": b["total"].values,
                        "baseline_used_m2": b["used"].values,
                        "baseline_free_m2": (b["total"] - b["used"]).values})
    out["baseline_share"] = out["baseline_free_m2"] / out["total_m2"]
    out["plan_total_m2"] = p["total"].reindex(b.index).values if has else np.nan
    out["plan_used_m2"] = p["used"].reindex(b.index).values if has else np.nan
    out["plan_free_m2"] = out["plan_total_m2"] - out["plan_used_m2"]
    out["plan_share"] = out["plan_free_m2"] / out["plan_total_m2"]
    out["norm"] = norm
    out["plan_meets_norm"] = out["plan_share"] >= norm
    return out


def _kpi(res: Result, key: str, id_: str, field: str) -> float:
    if not res.status.has_solution:
        return math.nan
    return float(res.kpis.get(key, {}).get(id_, {}).get(field, 0.0))


def _substations(inst, base: Result, res: Result) -> pd.DataFrame:
    s = inst.substations[["substation_id", "available_mw"]].copy()
    s["baseline_used_mw"] = [_kpi(base, "grid", i, "used_mw") for i in s["substation_id"]]
    s["plan_used_mw"] = [_kpi(res, "grid", i, "used_mw") for i in s["substation_id"]]
    s["baseline_headroom_mw"] = s["available_mw"] - s["baseline_used_mw"]
    s["plan_headroom_mw"] = s["available_mw"] - s["plan_used_mw"]
    s["change_mw"] = s["plan_used_mw"] - s["baseline_used_mw"]
    return s


def _nature(inst, base: Result, res: Result) -> pd.DataFrame:
    n = inst.nature_areas[["area_id", "name", "headroom_mol"]].copy()
    n["baseline_used_mol"] = [_kpi(base, "nitrogen", i, "used_mol") for i in n["area_id"]]
    n["plan_used_mol"] = [_kpi(res, "nitrogen", i, "used_mol") for i in n["area_id"]]
    n["baseline_left_mol"] = n["headroom_mol"] - n["baseline_used_mol"]
    n["plan_left_mol"] = n["headroom_mol"] - n["plan_used_mol"]
    n["change_mol"] = n["plan_used_mol"] - n["baseline_used_mol"]
    return n


def _side(inst, res: Result, firms_states: pd.Series, dist: pd.Series) -> dict:
    if not res.status.has_solution:
        return {"status": res.status.value}
    k = res.kpis
    st = firms_states.value_counts()
    sch = _region_space(inst, res)
    free = float((sch["total"] - sch["used"]).sum())
    return {
        "status": res.status.value, "objective": res.objective,
        "value_added_placed": k["value_added_placed_eur"],
        **{f"floor_used_{w}": k["floor_used_m2"].get(w, 0.0) for w in W},
        "firms_kept": st.get("kept", 0), "firms_moved": st.get("moved", 0),
        "firms_displaced": st.get("displaced", 0), "firms_new_placed": st.get("new_placed", 0),
        "firms_unplaced": st.get("displaced", 0) + st.get("unplaced", 0),
        "relocation_km_total": float(dist.sum()), "relocation_km_median": float(dist.median()) if len(dist) else 0.0,
        "relocation_km_max": float(dist.max()) if len(dist) else 0.0,
        "quay_misuse": k["quay"]["floor_non_water_bound_m2"], "industrial_misuse": 0.0,
        "terrains_developed": k["terrains_developed"], "plots_intensified": k["plots_intensified"],
        "free_floor": free, "schuifruimte": free / float(sch["total"].sum()),
    }


HEADLINE = [("status", ""), ("objective", "EUR"), ("value_added_placed", "EUR/yr")] + \
    [(f"floor_used_{w}", "m2") for w in W] + \
    [(m, "firms") for m in ("firms_kept", "firms_moved", "firms_displaced", "firms_new_placed", "firms_unplaced")] + \
    [("relocation_km_total", "km"), ("relocation_km_median", "km"), ("relocation_km_max", "km"),
     ("quay_misuse", "m2"), ("industrial_misuse", "m2"), ("terrains_developed", "count"),
     ("plots_intensified", "count"), ("free_floor", "m2"), ("schuifruimte", "share")]


def _headline(inst, planned, base: Result, res: Result, firms: pd.DataFrame) -> pd.DataFrame:
    xy = {p: (x, y) for p, x, y in planned.plots[["plot_id", "x", "y"]].itertuples(index=False)}
    sides = []
    for i, r in ((inst, base), (planned, res)):
        pl = _placement(i, r)
        cur = i.firms.set_index("firm_id")["current_plot"].fillna("")
        states = pd.Series([_state(cur[f], pl[f], True) for f in cur.index], index=cur.index)
        moved = states[states == "moved"].index
        dist = pd.Series([_dist(xy, cur[f], pl[f]) for f in moved], dtype=float)
        sides.append(_side(i, r, states, dist))
    rows = []
    for m, unit in HEADLINE:
        b, p = sides[0].get(m), sides[1].get(m)
        ch = None if m == "status" or b is None or p is None else p - b
        rows.append(dict(metric=m, unit=unit, baseline=b, plan=p, change=ch))
    return pd.DataFrame(rows)
