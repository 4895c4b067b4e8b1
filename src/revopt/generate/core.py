"""Assemble a generated instance: parks -> plots -> firms -> grid, nitrogen -> pairs -> Instance."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import CATEGORIES, LIFECYCLES, WERKMILIEUS
from . import firms as fm
from . import policy as pol
from .infra import deposition, headroom, substations
from .pairs import pairs_in_reach
from .parks import _BITS_COUNT, _BITS_TABLE, choose_transform, make_parks, make_plots, set_statuses
from .presets import Preset

CAT_CODE = np.array([""] + list(CATEGORIES), dtype=object)                  # rank -> code
WM_NAME = np.array(WERKMILIEUS, dtype=object)
WM_LIST = np.array([";".join(w for i, w in enumerate(WERKMILIEUS) if b >> i & 1) for b in range(16)], dtype=object)
#: relative chance to be must-place per life stage (large anchors are most often promised a place)
MUST_STAGE = np.array([0.5, 1.0, 1.2, 2.0])
NEW_KEEPS_CURRENT = 0.6     # new demand modelled on an existing plot wants its present werkmilieu


def _ids(prefix: str, n: int) -> np.ndarray:
    width = max(4, len(str(n)))
    return np.array([f"{prefix}{i + 1:0{width}d}" for i in range(n)], dtype=object)


def build(p: Preset, seed: int) -> tuple[Instance, dict[str, Any]]:
    """Generate the instance of preset ``p`` for ``seed``; also return statistics."""
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    parks = make_parks(p, rng)
    set_statuses(p, parks, rng)
    plots = make_plots(p, parks, rng)
    return populate(p, rng, parks, plots, manifest(p, seed), seed=seed, t0=t0)


def populate(p: Preset, rng: np.random.Generator, parks: dict, plots: dict, params: dict, *,
             seed: int | None = None, t0: float | None = None) -> tuple[Instance, dict[str, Any]]:
    """Everything after the geography: transform parks, firms, must-place, grid, nitrogen, pairs,
    and (knob ``policy``) the policy rules of spec section 9 (:mod:`.policy`).

    ``parks`` and ``plots`` are the dicts of :func:`.parks.make_parks` / :func:`.parks.make_plots`
    (a script may build them from real park polygons, as instances/make_rijssen_holten.py does).
    """
    t0 = time.perf_counter() if t0 is None else t0
    comp_cls = choose_transform(p, parks, plots, rng)
    status = parks["status"][plots["park"]]
    n_plots = len(status)
    cap, extra = plots["cap"], plots["extra"]

    # ---- existing firms, drawn on their present plot
    n_exist = int(round(p.n_firms * p.existing_share))
    n_new = p.n_firms - n_exist
    host = (status == "existing") | (status == "transform")
    if n_exist and not host.any():
        raise ValueError("no existing or transform park to host the existing firms; raise n_parks")
    ex_plot, ex_floor = fm.occupy(rng, cap, host, p.vacant_plot_share, n_exist, p.occupancy)
    ex_sector, ex_water, ex_cat, ex_bits = fm.draw_kind(rng, plots["rank"][ex_plot], plots["current"][ex_plot],
                                                        plots["quay"][ex_plot])
    scale = fm.size_scale(ex_floor, ex_sector) if n_exist else 1.0
    ex_stage = fm.stage_from_size(rng, ex_floor, ex_sector, scale)

    # ---- new demand, modelled on a template plot (not on a transform park)
    open_ = np.flatnonzero(status != "transform")
    tmpl = rng.choice(open_, size=n_new, p=cap[open_] / cap[open_].sum())
    bits_t = plots["wm_bits"][tmpl]
    pick = np.minimum((rng.random(n_new) * _BITS_COUNT[bits_t]).astype(np.int64), 3)
    wm_new = np.where((status[tmpl] == "existing") & (rng.random(n_new) < NEW_KEEPS_CURRENT),
                      plots["current"][tmpl], _BITS_TABLE[bits_t, pick])
    nw_sector, nw_water, nw_cat, nw_bits = fm.draw_kind(rng, plots["rank"][tmpl], wm_new, plots["quay"][tmpl])
    if p.new_one_werkmilieu:
        nw_bits = np.left_shift(1, wm_new).astype(np.int64)
    nw_stage = fm.stage_for_new(rng, nw_sector)
    nw_floor = fm.floor_for_stage(rng, nw_stage, scale)
    nw_floor = np.floor(np.clip(nw_floor, 20.0, 0.9 * (cap[tmpl] + extra[tmpl])))
    nw_floor = np.maximum(nw_floor, 1.0)
    home_x = plots["x"][tmpl] + rng.normal(0.0, p.home_jitter_km * 1000.0, n_new)
    home_y = plots["y"][tmpl] + rng.normal(0.0, p.home_jitter_km * 1000.0, n_new)

    nf = n_exist + n_new
    existing = np.r_[np.ones(n_exist, bool), np.zeros(n_new, bool)]
    sector = np.r_[ex_sector, nw_sector]
    water = np.r_[ex_water, nw_water]
    cat = np.r_[ex_cat, nw_cat]
    fbits = np.r_[ex_bits, nw_bits]
    stage = np.r_[ex_stage, nw_stage]
    floor = np.r_[ex_floor, nw_floor]
    cur = np.r_[ex_plot, np.full(n_new, -1)]
    at = fm.attributes(rng, sector, stage, floor, scale, existing)
    on_transform = existing & (status[np.maximum(cur, 0)] == "transform")
    move = at["max_move_km"] * p.move_km_factor
    stay = existing & (rng.random(nf) < p.stay_share)
    move[stay] = p.stay_km
    move[on_transform] = np.maximum(move[on_transform], p.move_km_transform_min)

    # ---- must-place: present firms that keep their plot (it has room: they are on it), and
    # new firms with a reserved plot that still has room after the must-place firms on it
    must = np.zeros(nf, bool)
    staying = existing & ~on_transform
    cur0 = np.maximum(cur, 0)
    free_cls = (comp_cls[cur0] == -1) | (comp_cls[cur0] == plots["current"][cur0])
    cand = staying & free_cls
    if cand.any():
        w = MUST_STAGE[stage]
        prob = p.must_place_existing * w / w[cand].mean()
        must = cand & (rng.random(nf) < prob)
    must_plot = np.where(must, cur, -1)
    must_load = np.bincount(cur[must], weights=floor[must], minlength=n_plots)
    reserved = np.full(nf, -1)
    ti = np.flatnonzero(rng.random(n_new) < p.must_place_new)
    for j in ti:
        q = tmpl[j]
        k = plots["current"][q]
        if status[q] != "existing" or not (nw_bits[j] >> k) & 1:
            continue
        if comp_cls[q] not in (-1, k) or must_load[q] + nw_floor[j] > cap[q]:
            continue
        f = n_exist + j
        must[f], must_plot[f], reserved[f] = True, q, q
        must_load[q] += nw_floor[j]

    # ---- grid
    present = staying
    plot_mw = np.bincount(cur[present], weights=at["grid_mw"][present], minlength=n_plots)
    must_mw = np.bincount(must_plot[must], weights=at["grid_mw"][must], minlength=n_plots)
    subs, plot_sub = substations(p, rng, parks, plots, plot_mw, must_mw)

    # ---- nitrogen
    sites, dep_p, dep_s, dep_c = deposition(p, plots["x"], plots["y"])
    plot_kg = np.bincount(cur[present], weights=at["nitrogen_kg"][present], minlength=n_plots)
    must_kg = np.bincount(must_plot[must], weights=at["nitrogen_kg"][must], minlength=n_plots)
    room, dep_now = headroom(p, rng, len(sites["name"]), dep_p, dep_s, dep_c, plot_kg, must_kg)

    # ---- policy rules: hyperscale demand looks near Eemshaven / Hollands Kroon (before the pairs)
    prng = pol.policy_rng(seed, p)
    hyper = np.zeros(nf, dtype=bool)
    if p.policy and p.hyperscale:
        hyper = pol.hyperscale_demand(prng, sector, stage, existing, home_x, home_y, fbits)

    # ---- pairs in reach (province, national)
    plot_ids = plots["plot_id"]
    firm_ids = _ids("F", nf)
    pairs_df = None
    t_pairs = 0.0
    if p.pairs:
        tp = time.perf_counter()
        cx = np.where(existing, plots["x"][cur0], np.r_[np.zeros(n_exist), home_x])
        cy = np.where(existing, plots["y"][cur0], np.r_[np.zeros(n_exist), home_y])
        radius = np.where(existing, move, p.new_search_km) * 1000.0
        forced = np.where(staying, cur, reserved)
        fi, pj = pairs_in_reach(
            rng, fx=cx, fy=cy, radius_m=radius, frank=cat, fwater=water, ffloor=floor, fmask=fbits,
            forced=forced, px=plots["x"], py=plots["y"], prank=plots["rank"], pquay=plots["quay"],
            pcap=cap + extra, pmask=plots["wm_bits"], pok=status != "transform",
            k_max=p.max_pairs_per_firm, cell_m=p.grid_cell_km * 1000.0)
        t_pairs = time.perf_counter() - tp

    # ---- policy rules (spec section 9)
    policy = None
    if p.policy:
        policy = pol.apply(p, prng, parks, plots, comp_cls, {
            "existing": existing, "staying": staying, "cur": cur, "must": must, "must_plot": must_plot,
            "sector": sector, "hyper": hyper, "stage": stage, "floor": floor, "cat": cat,
            "plot_congested": subs["congested"][plot_sub]})
        if p.pairs:
            keep = policy["pair_ok"](fi, pj)
            fi, pj = fi[keep], pj[keep]
    if p.pairs:
        pairs_df = pd.DataFrame({"firm_id": firm_ids[fi], "plot_id": plot_ids[pj]})

    # ---- tables
    tid = parks["terrain_id"]
    terrains = pd.DataFrame({
        "terrain_id": tid, "name": parks["name"], "region": parks["region"], "status": parks["status"],
        "development_cost_eur": parks["dev_cost"], "national_interest": parks["national_interest"]})
    plots_df = pd.DataFrame({
        "plot_id": plot_ids, "terrain_id": tid[plots["park"]], "x": plots["x"], "y": plots["y"],
        "area_m2": plots["area"], "floor_capacity_m2": cap, "max_category": CAT_CODE[plots["rank"]],
        "quay": plots["quay"], "substation_id": subs["substation_id"][plot_sub],
        "werkmilieus": WM_LIST[plots["wm_bits"]],
        "current_werkmilieu": np.where(status == "planned", "", WM_NAME[plots["current"]]),
        "intensify_extra_m2": extra, "intensify_cost_eur": plots["icost"]})
    firms_df = pd.DataFrame({
        "firm_id": firm_ids, "sector": np.array(fm.SECTOR_NAMES, dtype=object)[sector],
        "floor_space_m2": floor, "value_added_eur": at["value"], "jobs": at["jobs"],
        "category": CAT_CODE[cat], "water_bound": water, "grid_mw": at["grid_mw"],
        "nitrogen_kg": at["nitrogen_kg"], "werkmilieus": WM_LIST[fbits],
        "current_plot": np.where(existing, plot_ids[cur0], ""), "relocation_cost_eur": at["relocation"],
        "max_move_km": move, "must_place": must, "lifecycle": np.array(LIFECYCLES, dtype=object)[stage]})
    tables = {}
    if policy is not None:
        terrains["national_interest"] = policy["national_interest"]
        terrains["min_category"] = policy["min_category"]
        terrains["noise_budget"] = policy["noise_budget"]
        plots_df["locked_werkmilieu"] = policy["locked_werkmilieu"]
        firms_df["sector"] = policy["sector"]
        firms_df["locked"] = policy["locked"]
        firms_df["noise_use"] = policy["noise_use"]
        tables = {k: policy[k] for k in ("claims", "lifecycle_targets", "restrictions")}
    subs_df = pd.DataFrame({"substation_id": subs["substation_id"], "available_mw": subs["available_mw"]})
    area_ids = _ids("N", len(sites["name"]))
    nature_df = pd.DataFrame({"area_id": area_ids, "name": sites["name"], "x": np.round(sites["x"], 1),
                              "y": np.round(sites["y"], 1), "headroom_mol": room})
    dep_df = pd.DataFrame({"plot_id": plot_ids[dep_p], "area_id": area_ids[dep_s], "mol_per_kg": dep_c})
    t1 = time.perf_counter()
    inst = Instance.from_frames(terrains=terrains, plots=plots_df, firms=firms_df, substations=subs_df,
                                nature_areas=nature_df, deposition=dep_df, pairs=pairs_df, params=params,
                                name=params["instance"]["name"], **tables)
    t2 = time.perf_counter()
    n_pairs = 0 if pairs_df is None else len(pairs_df)
    ppf = np.bincount(fi, minlength=nf) if p.pairs else np.zeros(0)
    stats = {
        "preset": p.name, "seed": seed, "firms": nf, "existing": n_exist, "new": n_new,
        "plots": n_plots, "terrains": len(tid),
        "terrains_by_status": {s: int((parks["status"] == s).sum()) for s in ("existing", "planned", "transform")},
        "national_interest": int(terrains["national_interest"].sum()),
        "net_area_ha": float(parks["net_m2"].sum() / 1e4),
        "median_park_ha": float(np.median(parks["net_m2"]) / 1e4),
        "quay_share": float(plots["quay"].mean()),
        "water_bound": int(water.sum()),
        "must_place": int(must.sum()), "must_place_new": int((must & ~existing).sum()),
        "on_transform": int(on_transform.sum()),
        "firm_scale": scale,
        "mean_floor_m2": float(floor.mean()),
        "occupancy_existing": float(floor[present].sum() / max(cap[status == "existing"].sum(), 1.0)),
        "demand_supply": float(floor.sum() / max(cap[status != "transform"].sum(), 1.0)),
        "substations": len(subs_df), "congested": int(subs["congested"].sum()),
        "nature_areas": len(nature_df), "tight_areas": int((room < dep_now).sum()),
        "deposition_rows": len(dep_df), "pairs": n_pairs,
        "pairs_per_firm": ({"mean": float(ppf.mean()), "min": int(ppf.min()), "median": float(np.median(ppf)),
                            "max": int(ppf.max())} if p.pairs else None),
        "lifecycle": {s: int((stage == i).sum()) for i, s in enumerate(LIFECYCLES)},
        "policy": None if policy is None else policy["stats"],
        "seconds": {"generate": t1 - t0 - t_pairs, "pairs": t_pairs, "validate": t2 - t1, "total": t2 - t0},
    }
    return inst, stats


def manifest(p: Preset, seed: int) -> dict[str, dict[str, Any]]:
    return {
        "instance": {"name": f"{p.name}-seed{seed}", "description": (
            f"Synthetic revopt instance, preset {p.name} ({p.description}), seed {seed}; made by "
            "revopt.generate (see docs/generator.md). Real: place anchors, Natura 2000 sites (INSPIRE 2013), "
            "VNG 2009 guideline distances" + (", the five industrial clusters and the two hyperscale data-centre "
                                              "areas of the REV (policy rules)" if p.policy else "")
            + "; everything else is synthetic.")},
        "objective": {"value_years": p.value_years, "relocation_weight": 1.0, "development_weight": 1.0,
                      "intensify_weight": 1.0, "quay_misuse_eur_per_m2": p.quay_misuse_eur_per_m2,
                      "category_misuse_eur_per_m2": p.category_misuse_eur_per_m2},
        "compensation": {"ratio": p.compensation_ratio, "radius_km": p.compensation_radius_km,
                         "per_werkmilieu": True},
        "werkmilieu_max_category": {"stedelijk": "2", "innovatie": "3.2", "productie": "4.2", "industrieel": "6"},
        "policy": {"industrial_reserved": True, "industrial_min_category": "4.1"},
    }
