"""The comparison tables of a plan evaluation (docs/plans.md, ``DIR/comparison/*.csv``).

Every figure is recomputed from the instance tables and the solution tables
(assignments, designations, credits), so that the tables mean the same for the
baseline and the plan and can be checked by hand.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import MODES, POOLED, RANK, WERKMILIEUS
from ..model.layout import compensation_sets
from ..results.result import Result

STATES = ("kept", "moved", "displaced", "new_placed", "unplaced")


def _placed(inst: Instance, res: Result) -> pd.DataFrame:
    """One row per firm with its plot ("" when not placed), floor_fp, value_fp and plot data."""
    f = inst.firms[["firm_id", "sector", "floor_space_m2", "value_added_eur", "current_plot", "water_bound",
                    "category", "grid_mw", "nitrogen_kg"]].copy()
    if res.solution is None:
        f["plot_id"] = ""
    else:
        f = f.merge(res.solution.assignments, on="firm_id", how="left")
        f["plot_id"] = f["plot_id"].fillna("")
    ov = None
    if inst.pairs is not None and len(inst.pairs):
        cols = [c for c in ("floor_space_m2", "value_added_eur") if c in inst.pairs.columns]
        if cols:
            ov = inst.pairs[["firm_id", "plot_id", *cols]].rename(columns={c: c + "_ov" for c in cols})
    f["floor"] = f["floor_space_m2"]
    f["value"] = f["value_added_eur"]
    if ov is not None:
        f = f.merge(ov, on=["firm_id", "plot_id"], how="left")
        for c, out in (("floor_space_m2_ov", "floor"), ("value_added_eur_ov", "value")):
            if c in f.columns:
                f[out] = f[c].where(f[c].notna(), f[out])
    P = inst.plots.set_index("plot_id")
    on = f["plot_id"] != ""
    f["x"] = f["plot_id"].map(P["x"])
    f["y"] = f["plot_id"].map(P["y"])
    f["cx"] = f["current_plot"].map(P["x"])
    f["cy"] = f["current_plot"].map(P["y"])
    f["region"] = f["plot_id"].map(P["terrain_id"]).map(inst.terrains.set_index("terrain_id")["region"])
    f.loc[~on, "floor"] = 0.0
    f.loc[~on, "value"] = 0.0
    f["state"] = _states(f["current_plot"], f["plot_id"]) if res.solution is not None else ""
    return f


def _states(cur: pd.Series, plot: pd.Series) -> pd.Series:
    has, on = cur.ne(""), plot.ne("")
    return pd.Series(np.select([has & on & (cur == plot), has & on, has & ~on, ~has & on],
                               ["kept", "moved", "displaced", "new_placed"], "unplaced"), index=cur.index)


def corridors_table(base: Result, res: Result, inst: Instance) -> pd.DataFrame | None:
    """Per corridor edge with freight in the baseline or the plan: load, capacity, utilisation
    before and after (spec section 7); None for an instance without corridors."""
    if inst.corridor_edges is None:
        return None
    e = inst.corridor_edges[["edge_id", "mode", "u", "v", "capacity_kt"]].copy()

    def load(r: Result) -> pd.Series:
        cl = None if r.solution is None else r.solution.corridor_loads
        if cl is None or not len(cl):
            return pd.Series(dtype=float)
        return cl.set_index("edge_id")["load_kt"].astype(float)
    bl, pl = load(base), load(res)
    e["baseline_load_kt"] = e["edge_id"].map(bl).fillna(0.0)
    e["plan_load_kt"] = e["edge_id"].map(pl).fillna(0.0) if res.solution is not None else None
    cap = e["capacity_kt"].astype(float)
    e["baseline_utilisation"] = (e["baseline_load_kt"] / cap).where(cap > 0)
    e["plan_utilisation"] = (e["plan_load_kt"].astype(float) / cap).where(cap > 0)
    e["change_kt"] = e["plan_load_kt"].astype(float) - e["baseline_load_kt"]
    e = e[(e["baseline_load_kt"] > 0) | (e["plan_load_kt"].astype(float).fillna(0.0) > 0)]
    return e.sort_values(["plan_utilisation", "baseline_utilisation", "edge_id"], ascending=[False, False, True],
                         na_position="last").reset_index(drop=True)


def _distance_km(f: pd.DataFrame) -> pd.Series:
    d = np.hypot(f["x"] - f["cx"], f["y"] - f["cy"]) / 1000.0
    return d.where(f["state"] == "moved")


def usable_floor(inst: Instance, res: Result) -> pd.DataFrame:
    """Per plot: region and the floor space usable in the solution: capacity of plots not on a
    transform terrain, on planned terrains only when developed, plus intensification room taken."""
    P = inst.plots[["plot_id", "terrain_id", "floor_capacity_m2", "intensify_extra_m2"]].copy()
    T = inst.terrains.set_index("terrain_id")
    status = P["terrain_id"].map(T["status"])
    P["region"] = P["terrain_id"].map(T["region"])
    dev, inten = set(), set()
    if res.solution is not None:
        tt = res.solution.terrains
        dev = set(tt.loc[tt["developed"].astype(bool), "terrain_id"]) if len(tt) else set()
        pp = res.solution.plots
        inten = set(pp.loc[pp["intensified"].astype(bool), "plot_id"])
    ok = status.eq("existing") | (status.eq("planned") & P["terrain_id"].isin(dev))
    P["usable_m2"] = np.where(ok, P["floor_capacity_m2"], 0.0) + np.where(
        ok & P["plot_id"].isin(inten), P["intensify_extra_m2"], 0.0)
    return P


def side_figures(inst: Instance, res: Result) -> dict[str, Any]:
    """The headline figures of one side (baseline or plan)."""
    f = _placed(inst, res)
    if res.solution is None:
        return {"status": res.status.value}
    d = _distance_km(f).dropna()
    on = f["plot_id"] != ""
    desig = f["plot_id"].map(res.solution.plots.set_index("plot_id")["werkmilieu"]).fillna("")
    pol = inst.params["policy"]
    light = f["category"].map(RANK) < RANK[pol["industrial_min_category"]]
    usable = usable_floor(inst, res)
    total = float(usable["usable_m2"].sum())
    used = float(f.loc[on, "floor"].sum())
    k = res.kpis   # what compute_kpis already counted for the solve
    out: dict[str, Any] = {
        "status": res.status.value,
        "objective": res.objective,
        "value_added_placed": float(k["value_added_placed_eur"]),
        **{f"floor_used_{w}": float(k["floor_used_m2"][w]) for w in WERKMILIEUS},
        **{f"firms_{s}": int(k["firms"][s]) for s in ("kept", "moved", "displaced", "new_placed")},
        "firms_unplaced": int(k["firms"]["total"] - k["firms"]["placed"]),
        "relocation_km_total": float(d.sum()),
        "relocation_km_median": float(d.median()) if len(d) else 0.0,
        "relocation_km_max": float(d.max()) if len(d) else 0.0,
        "quay_misuse": float(k["quay"]["floor_non_water_bound_m2"]),
        "industrial_misuse": float(f.loc[on & (desig == "industrieel") & light
                                         & ~f["water_bound"].astype(bool), "floor"].sum()),
        "terrains_developed": int(k["terrains_developed"]),
        "plots_intensified": int(k["plots_intensified"]),
        "free_floor": total - used,
        "schuifruimte": (total - used) / total if total > 0 else 0.0,
    }
    tr = k.get("transport")
    if tr:   # multimodal corridors (spec section 7)
        out["transport_cost"] = float(tr.get("cost_eur_per_year", 0.0))
        for m in MODES:
            out[f"tonne_km_{m}"] = float(tr.get("tonne_km", {}).get(m, 0.0))
        out["co2"] = float(tr.get("co2_t_total", 0.0))
    return out


HEADLINE_UNITS = {
    "status": "", "objective": "EUR", "value_added_placed": "EUR/yr",
    **{f"floor_used_{w}": "m2" for w in WERKMILIEUS},
    "firms_kept": "firms", "firms_moved": "firms", "firms_displaced": "firms", "firms_new_placed": "firms",
    "firms_unplaced": "firms", "relocation_km_total": "km", "relocation_km_median": "km",
    "relocation_km_max": "km", "quay_misuse": "m2", "industrial_misuse": "m2", "terrains_developed": "terrains",
    "plots_intensified": "plots", "free_floor": "m2", "schuifruimte": "share",
    "transport_cost": "EUR/yr", "tonne_km_road": "tkm", "tonne_km_rail": "tkm", "tonne_km_water": "tkm",
    "co2": "t/yr",
}


CORRIDOR_METRICS = ("transport_cost", "tonne_km_road", "tonne_km_rail", "tonne_km_water", "co2")


def headline(base: dict[str, Any], plan: dict[str, Any]) -> pd.DataFrame:
    rows = []
    for m, unit in HEADLINE_UNITS.items():
        if m not in base and m not in plan and m in CORRIDOR_METRICS:
            continue   # an instance without corridors
        b, p = base.get(m), plan.get(m)
        change = None
        if m != "status" and isinstance(b, (int, float)) and isinstance(p, (int, float)):
            change = p - b
        rows.append({"metric": m, "unit": unit, "baseline": b, "plan": p, "change": change})
    return pd.DataFrame(rows)


def objective_table(base: Result, res: Result) -> pd.DataFrame:
    """The change of the objective with its certified interval (one row).

    Neither solve need be optimal: each has an incumbent (``objective``) and a proven upper
    bound. The true change (plan optimum minus baseline optimum) then lies in
    [plan objective - baseline bound, plan bound - baseline objective]. ``decided`` is False
    when that interval contains 0: at this time limit the solver cannot tell the plan from the
    baseline.
    """
    row: dict[str, Any] = {"baseline_objective": base.objective, "baseline_bound": base.bound,
                           "plan_objective": res.objective, "plan_bound": res.bound,
                           "change": None, "change_low": None, "change_high": None, "decided": None}
    if base.objective is not None and res.objective is not None:
        row["change"] = res.objective - base.objective
        if base.bound is not None and res.bound is not None:
            low, high = res.objective - base.bound, res.bound - base.objective
            row.update(change_low=min(low, row["change"]), change_high=max(high, row["change"]),
                       decided=bool(low > 0 or high < 0))
    return pd.DataFrame([row])


def firms_table(base_inst: Instance, base: Result, inst: Instance, res: Result, reasons: dict[str, str],
                transformed: set[str], relocate: set[str], added: set[str]) -> pd.DataFrame:
    fb = _placed(base_inst, base).set_index("firm_id")
    fp = _placed(inst, res)
    T = inst.plots.set_index("plot_id")["terrain_id"]
    out = pd.DataFrame({
        "firm_id": fp["firm_id"], "sector": fp["sector"], "floor_space_m2": fp["floor_space_m2"],
        "current_plot": fp["current_plot"],
        "baseline_plot": fp["firm_id"].map(fb["plot_id"]).fillna(""),
        "plan_plot": fp["plot_id"] if res.solution is not None else "",
        "baseline_state": fp["firm_id"].map(fb["state"]).fillna(""),
        "plan_state": fp["state"],
        "distance_km": _distance_km(fp).round(3),
    })
    if res.solution is None:
        out["plan_plot"] = ""
    out["reason"] = [reasons.get(f, "") if s in ("displaced", "unplaced", "") else ""
                     for f, s in zip(out["firm_id"], out["plan_state"])]
    if res.solution is None:
        out["reason"] = [reasons.get(f, "the plan has no feasible solution (see the verdict)") for f in out["firm_id"]]
    out["relocate"] = out["firm_id"].isin(relocate)
    on_tr = out["current_plot"].map(T).isin(transformed)
    changed = ((out["baseline_state"] != out["plan_state"]) | (out["baseline_plot"] != out["plan_plot"])) \
        & (res.solution is not None)
    out["affected"] = on_tr | out["relocate"] | out["firm_id"].isin(added) | changed
    keep = out["affected"] | out["plan_state"].isin(["displaced", "unplaced"])
    out = out[keep].copy()
    rank = {"displaced": 0, "unplaced": 1, "": 2, "moved": 3, "new_placed": 4, "kept": 5}
    out = out.sort_values(["plan_state", "firm_id"], key=lambda c: c.map(rank) if c.name == "plan_state" else c,
                          kind="stable")
    return out.reset_index(drop=True)


def compensation_table(inst: Instance, res: Result, transformed: set[str]) -> pd.DataFrame:
    lost, _ = compensation_sets(inst)
    cols = ["terrain_id", "name", "class", "lost_m2", "ratio", "required_m2", "provided_m2", "plots", "met",
            "in_plan"]
    if lost.empty:
        return pd.DataFrame(columns=cols)
    ratio = float(inst.params["compensation"]["ratio"])
    T = inst.terrains
    comp = res.solution.compensation if res.solution is not None else pd.DataFrame(
        columns=["terrain_id", "plot_id", "class", "floor_m2"])
    rows = []
    for t, k, lm2 in lost[["terrain", "k", "lost_m2"]].itertuples(index=False):
        tid = T["terrain_id"].iloc[int(t)]
        cls = WERKMILIEUS[int(k)] if k >= 0 else POOLED
        g = comp[(comp["terrain_id"] == tid) & (comp["class"] == cls)]
        g = g.groupby("plot_id")["floor_m2"].sum().sort_values(ascending=False)
        provided = float(g.sum())
        req = ratio * float(lm2)
        rows.append({"terrain_id": tid, "name": T["name"].iloc[int(t)], "class": cls, "lost_m2": float(lm2),
                     "ratio": ratio, "required_m2": req, "provided_m2": provided,
                     "plots": ";".join(f"{p}:{v:.0f}" for p, v in g.items()),
                     "met": res.solution is not None and provided >= req * (1 - 1e-6) - 1e-6,
                     "in_plan": tid in transformed})
    return pd.DataFrame(rows, columns=cols)


def schuifruimte_table(base_inst: Instance, base: Result, inst: Instance, res: Result, norm: float) -> pd.DataFrame:
    def side(i, r):
        u = usable_floor(i, r).groupby("region")["usable_m2"].sum()
        f = _placed(i, r)
        used = f[f["plot_id"] != ""].groupby("region")["floor"].sum()
        return u, used
    bu, bused = side(base_inst, base)
    pu, pused = side(inst, res)
    regions = sorted(set(base_inst.terrains["region"]) | set(inst.terrains["region"]))
    rows = []
    for r in regions:
        bt, bs = float(bu.get(r, 0.0)), float(bused.get(r, 0.0))
        pt, ps = float(pu.get(r, 0.0)), float(pused.get(r, 0.0))
        has_plan = res.solution is not None
        rows.append({
            "region": r, "total_m2": bt, "baseline_used_m2": bs, "baseline_free_m2": bt - bs,
            "baseline_share": (bt - bs) / bt if bt > 0 else None,
            "plan_total_m2": pt if has_plan else None, "plan_used_m2": ps if has_plan else None,
            "plan_free_m2": pt - ps if has_plan else None,
            "plan_share": ((pt - ps) / pt if pt > 0 else None) if has_plan else None,
            "norm": norm,
            "plan_meets_norm": bool(has_plan and pt > 0 and (pt - ps) / pt >= norm - 1e-12),
        })
    return pd.DataFrame(rows)


def substations_table(base: Result, res: Result, inst: Instance) -> pd.DataFrame:
    rows = []
    for s, av in zip(inst.substations["substation_id"], inst.substations["available_mw"]):
        b = base.kpis.get("grid", {}).get(s, {}).get("used_mw") if base.kpis else None
        p = res.kpis.get("grid", {}).get(s, {}).get("used_mw") if res.kpis else None
        rows.append({"substation_id": s, "available_mw": float(av), "baseline_used_mw": b, "plan_used_mw": p,
                     "baseline_headroom_mw": None if b is None else float(av) - b,
                     "plan_headroom_mw": None if p is None else float(av) - p,
                     "change_mw": None if b is None or p is None else p - b})
    return pd.DataFrame(rows)


def nature_table(base: Result, res: Result, inst: Instance) -> pd.DataFrame:
    rows = []
    for a, name, h in inst.nature_areas[["area_id", "name", "headroom_mol"]].itertuples(index=False):
        b = base.kpis.get("nitrogen", {}).get(a, {}).get("used_mol") if base.kpis else None
        p = res.kpis.get("nitrogen", {}).get(a, {}).get("used_mol") if res.kpis else None
        rows.append({"area_id": a, "name": name, "headroom_mol": float(h), "baseline_used_mol": b,
                     "plan_used_mol": p, "baseline_left_mol": None if b is None else float(h) - b,
                     "plan_left_mol": None if p is None else float(h) - p,
                     "change_mol": None if b is None or p is None else p - b})
    return pd.DataFrame(rows, columns=["area_id", "name", "headroom_mol", "baseline_used_mol", "plan_used_mol",
                                       "baseline_left_mol", "plan_left_mol", "change_mol"])


__all__ = ["side_figures", "headline", "firms_table", "compensation_table", "schuifruimte_table",
           "substations_table", "nature_table", "corridors_table", "usable_floor", "STATES"]
