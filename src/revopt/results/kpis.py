"""Key figures of a solution, for planners: value, space, firms, quay, grid, nitrogen, transport."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import MODES, WERKMILIEUS
from .solution import Solution

#: CO2 per tonne-km by mode (grams, well-to-wheel), indicative Dutch averages rounded from the ranges in
#: CE Delft, "STREAM Freight Transport 2020" (tractor-semitrailer, electric freight train, inland ship
#: CEMT class IV-Va at average load); see docs/model.md. Module constants: change them for a study.
CO2_G_PER_TKM: dict[str, float] = {"road": 80.0, "rail": 20.0, "water": 30.0}


def transport_kpis(routes: pd.DataFrame | None, inst: Instance) -> dict[str, Any]:
    """Freight KPIs from the routes of placed firms (spec section 7); {} without corridors.

    ``tonne_km`` per mode (the road pre-haul counts as road), ``modal_split`` (share of
    tonne-km per mode), ``co2_t`` per mode and ``co2_t_total`` (tonnes per year, factors
    :data:`CO2_G_PER_TKM`), ``cost_eur_per_year`` (sum of transport_fp of the placed
    pairs), ``freight_kt`` shipped and ``firms_with_route``.
    """
    if routes is None:
        return {}
    tkm = dict.fromkeys(MODES, 0.0)
    cost = 0.0
    freight = 0.0
    if len(routes):
        kt = routes["firm_id"].map(dict(zip(inst.firms["firm_id"], inst.firms["freight_kt"]))).astype(float)
        t = 1000.0 * kt.to_numpy(float)
        acc = pd.to_numeric(routes["access_km"], errors="coerce").fillna(0.0).to_numpy(float)
        length = pd.to_numeric(routes["length_km"], errors="coerce").fillna(0.0).to_numpy(float)
        tkm["road"] += float((t * acc).sum())
        for m in MODES:
            tkm[m] += float((t * length)[routes["mode"].to_numpy(object) == m].sum())
        cost = float(pd.to_numeric(routes["transport_eur_per_year"], errors="coerce").fillna(0.0).sum())
        freight = float(kt.sum())
    total = sum(tkm.values())
    co2 = {m: tkm[m] * CO2_G_PER_TKM[m] / 1e6 for m in MODES}
    return {"transport": {
        "tonne_km": tkm,
        "modal_split": {m: (tkm[m] / total if total > 0 else 0.0) for m in MODES},
        "co2_t": co2, "co2_t_total": float(sum(co2.values())),
        "cost_eur_per_year": cost, "freight_kt": freight, "firms_with_route": int(len(routes)),
    }}


def compute_kpis(inst: Instance, sol: Solution, pairs: pd.DataFrame) -> dict[str, Any]:
    """KPIs of a solution; ``pairs`` gives floor_fp and value_fp (firm_id, plot_id, floor, value).

    - ``value_added_placed_eur``: value added per year of the placed firms;
    - ``floor_used_m2``: floor space of placed firms per werkmilieu of their plot;
    - ``firms``: total, placed, kept (on their current plot), moved, displaced
      (had a plot, placed nowhere), new_placed, new_unplaced;
    - ``quay``: floor on quay plots, the part used by firms that are not
      water-bound, and that share;
    - ``grid``: per substation MW used and available; ``nitrogen``: per area
      mol used and headroom; ``terrains_developed``, ``plots_intensified``,
      ``compensation_m2``;
    - the policy rules (spec section 9), see :func:`policy_kpis`: ``claims``,
      ``lifecycle_targets`` and ``noise``;
    - with corridors (spec section 7), ``transport``: see :func:`transport_kpis`.
    """
    a = sol.assignments.merge(inst.firms[["firm_id", "current_plot", "water_bound", "grid_mw", "nitrogen_kg"]],
                              on="firm_id", how="left")
    placed = a[a["plot_id"] != ""].merge(pairs[["firm_id", "plot_id", "floor", "value"]],
                                         on=["firm_id", "plot_id"], how="left")
    placed = placed.merge(inst.plots[["plot_id", "quay", "substation_id"]], on="plot_id", how="left")
    placed = placed.merge(sol.plots[["plot_id", "werkmilieu"]], on="plot_id", how="left")
    has_cur = a["current_plot"] != ""
    is_placed = a["plot_id"] != ""
    firms = {
        "total": int(len(a)),
        "placed": int(is_placed.sum()),
        "kept": int((is_placed & has_cur & (a["plot_id"] == a["current_plot"])).sum()),
        "moved": int((is_placed & has_cur & (a["plot_id"] != a["current_plot"])).sum()),
        "displaced": int((~is_placed & has_cur).sum()),
        "new_placed": int((is_placed & ~has_cur).sum()),
        "new_unplaced": int((~is_placed & ~has_cur).sum()),
    }
    floor_wm = {w: float(placed.loc[placed["werkmilieu"] == w, "floor"].sum()) for w in WERKMILIEUS}
    q = placed[placed["quay"]]
    q_total = float(q["floor"].sum())
    q_misuse = float(q.loc[~q["water_bound"].astype(bool), "floor"].sum())
    grid_used = placed.groupby("substation_id")["grid_mw"].sum()
    grid = {s: {"used_mw": float(grid_used.get(s, 0.0)), "available_mw": float(av)}
            for s, av in zip(inst.substations["substation_id"], inst.substations["available_mw"])}
    dep = inst.deposition
    nit_used = pd.Series(dtype=float)
    if not dep.empty and len(placed):
        m = placed[["plot_id", "nitrogen_kg"]].merge(dep, on="plot_id")
        nit_used = (m["nitrogen_kg"] * m["mol_per_kg"]).groupby(m["area_id"]).sum()
    nitrogen = {n: {"used_mol": float(nit_used.get(n, 0.0)), "headroom_mol": float(h)}
                for n, h in zip(inst.nature_areas["area_id"], inst.nature_areas["headroom_mol"])}
    return {
        "value_added_placed_eur": float(placed["value"].sum()),
        "floor_used_m2": floor_wm,
        "firms": firms,
        "quay": {"floor_used_m2": q_total, "floor_non_water_bound_m2": q_misuse,
                 "share_non_water_bound": (q_misuse / q_total) if q_total > 0 else 0.0},
        "grid": grid,
        "nitrogen": nitrogen,
        "terrains_developed": int(sol.terrains["developed"].astype(bool).sum()) if len(sol.terrains) else 0,
        "plots_intensified": int(sol.plots["intensified"].astype(bool).sum()) if len(sol.plots) else 0,
        "compensation_m2": (float(np.asarray(sol.compensation["floor_m2"], float).sum())
                            if len(sol.compensation) else 0.0),
        **policy_kpis(inst, sol, placed),
        **transport_kpis(sol.routes, inst),
    }


def _num(v: float) -> float | None:
    return None if v is None or np.isnan(v) else float(v)


def policy_kpis(inst: Instance, sol: Solution, placed: pd.DataFrame) -> dict[str, Any]:
    """Claims and lifecycle targets met, with slack, per region; noise used per terrain with a budget.

    - ``claims[region][werkmilieu]``: ``designated_m2`` (floor capacity of the
      region's plots designated w), ``min_floor_m2`` / ``max_floor_m2`` (None
      when not set), ``slack_min_m2`` = designated - min, ``slack_max_m2`` =
      max - designated (None without that bound), ``met``;
    - ``lifecycle_targets[region][lifecycle]``: ``placed_m2`` (floor of placed
      firms of the stage on the region's plots), ``min_placed_m2``,
      ``slack_m2`` = placed - min, ``met``;
    - ``noise[terrain_id]``: ``used`` and ``budget`` (noise units).

    ``placed`` has one row per placed firm with ``plot_id`` and ``floor``.
    A negative slack means the rule is not met (only a solution read from elsewhere can show one).
    """
    t = inst.terrains
    region_of_t = dict(zip(t["terrain_id"], t["region"]))
    transform = set(t.loc[t["status"] == "transform", "terrain_id"])
    plots = inst.plots[["plot_id", "terrain_id", "floor_capacity_m2"]].merge(
        sol.plots[["plot_id", "werkmilieu"]], on="plot_id", how="left")
    plots = plots[~plots["terrain_id"].isin(transform)]
    plots_region = plots["terrain_id"].map(region_of_t)
    designated = plots.groupby([plots_region, plots["werkmilieu"].fillna("")])["floor_capacity_m2"].sum()
    tol = 1e-6
    claims: dict[str, dict[str, Any]] = {}
    if inst.claims is not None:
        claim_rows = inst.claims[["region", "werkmilieu", "min_floor_m2", "max_floor_m2"]]
        for r, w, lo, hi in claim_rows.itertuples(index=False):
            have = float(designated.get((r, w), 0.0))
            lo, hi = _num(lo), _num(hi)
            s_lo = None if lo is None else have - lo
            s_hi = None if hi is None else hi - have
            claims.setdefault(r, {})[w] = {
                "designated_m2": have, "min_floor_m2": lo, "max_floor_m2": hi,
                "slack_min_m2": s_lo, "slack_max_m2": s_hi,
                "met": all(s is None or s >= -tol * max(1.0, abs(b)) for s, b in ((s_lo, lo), (s_hi, hi)))}
    targets: dict[str, dict[str, Any]] = {}
    if inst.lifecycle_targets is not None:
        pl = placed.merge(inst.firms[["firm_id", "lifecycle"]], on="firm_id", how="left")
        pl_region = pl["plot_id"].map(dict(zip(inst.plots["plot_id"], inst.plots["terrain_id"]))).map(region_of_t)
        have_all = pl.groupby([pl_region, pl["lifecycle"]])["floor"].sum()
        for r, s, lo in inst.lifecycle_targets[["region", "lifecycle", "min_placed_m2"]].itertuples(index=False):
            have = float(have_all.get((r, s), 0.0))
            targets.setdefault(r, {})[s] = {"placed_m2": have, "min_placed_m2": float(lo), "slack_m2": have - lo,
                                           "met": have - lo >= -tol * max(1.0, abs(lo))}
    noise: dict[str, dict[str, float]] = {}
    budget = t.set_index("terrain_id")["noise_budget"].dropna()
    if len(budget):
        pl = placed.merge(inst.firms[["firm_id", "noise_use"]], on="firm_id", how="left")
        terrain_of_plot = dict(zip(inst.plots["plot_id"], inst.plots["terrain_id"]))
        used = pl.groupby(pl["plot_id"].map(terrain_of_plot))["noise_use"].sum()
        noise = {tid: {"used": float(used.get(tid, 0.0)), "budget": float(b)} for tid, b in budget.items()}
    return {"claims": claims, "lifecycle_targets": targets, "noise": noise}
