"""Assemble a generated instance: parks -> plots -> firms -> grid, nitrogen -> pairs -> Instance."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
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
    The stages draw from ``rng`` in a fixed order: an instance is the same for the same seed.
    """
    t0 = time.perf_counter() if t0 is None else t0
    comp_cls = choose_transform(p, parks, plots, rng)
    status = parks["status"][plots["park"]]
    f = _draw_firms(p, rng, plots, status)
    _must_place(p, rng, plots, status, comp_cls, f)
    subs, plot_sub = substations(p, rng, parks, plots, f.on_plot(f.staying, f.at["grid_mw"], len(status)),
                                 f.on_plot(f.must, f.at["grid_mw"], len(status), f.must_plot))
    nitrogen = _nitrogen(p, rng, plots, f)
    # policy rules: hyperscale demand looks near Eemshaven / Hollands Kroon (before the pairs)
    prng = pol.policy_rng(seed, p)
    hyper = np.zeros(f.n, dtype=bool)
    if p.policy and p.hyperscale:
        hyper = pol.hyperscale_demand(prng, f.sector, f.stage, f.existing, f.home_x, f.home_y, f.bits)
    tp = time.perf_counter()
    none = np.zeros(0, np.int64)
    fi, pj = _pairs(p, rng, plots, status, f) if p.pairs else (none, none)
    t_pairs = time.perf_counter() - tp if p.pairs else 0.0
    policy = None
    if p.policy:
        policy = pol.apply(p, prng, parks, plots, comp_cls, {
            "existing": f.existing, "staying": f.staying, "cur": f.cur, "must": f.must, "must_plot": f.must_plot,
            "sector": f.sector, "hyper": hyper, "stage": f.stage, "floor": f.floor, "cat": f.cat,
            "plot_congested": subs["congested"][plot_sub]})
        if p.pairs:
            keep = policy["pair_ok"](fi, pj)
            fi, pj = fi[keep], pj[keep]
    frames = _frames(parks, plots, status, f, subs, plot_sub, nitrogen, policy)
    if p.pairs:
        frames["pairs"] = pd.DataFrame({"firm_id": f.ids[fi], "plot_id": plots["plot_id"][pj]})
    t1 = time.perf_counter()
    inst = Instance.from_frames(**frames, params=params, name=params["instance"]["name"])
    t2 = time.perf_counter()
    stats = _stats(p, seed, parks, plots, status, f, subs, nitrogen, frames, fi, policy)
    stats["seconds"] = {"generate": t1 - t0 - t_pairs, "pairs": t_pairs, "validate": t2 - t1, "total": t2 - t0}
    return inst, stats


@dataclass
class _Firms:
    """The generated firms, present ones first (index < n_exist), then the new demand. Arrays over
    firms; ``cur`` is the present plot (-1 for new demand), ``tmpl`` the template plot of each new
    firm, ``at`` the attributes of :func:`.firms.attributes`; must-place is set by :func:`_must_place`."""

    n_exist: int
    sector: np.ndarray
    water: np.ndarray
    cat: np.ndarray
    bits: np.ndarray
    stage: np.ndarray
    floor: np.ndarray
    cur: np.ndarray
    scale: float
    tmpl: np.ndarray
    home_x: np.ndarray
    home_y: np.ndarray
    at: dict[str, np.ndarray] = field(default_factory=dict)
    move: np.ndarray = field(default_factory=lambda: np.zeros(0))
    on_transform: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    staying: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    must: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    must_plot: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    reserved: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def n(self) -> int:
        return len(self.floor)

    @property
    def existing(self) -> np.ndarray:
        return np.arange(self.n) < self.n_exist

    @property
    def cur0(self) -> np.ndarray:
        return np.maximum(self.cur, 0)

    @property
    def ids(self) -> np.ndarray:
        return _ids("F", self.n)

    def on_plot(self, which: np.ndarray, weights: np.ndarray, n_plots: int, plot: np.ndarray | None = None):
        """The sum of ``weights`` of the firms ``which`` per plot (their present plot by default)."""
        plot = self.cur if plot is None else plot
        return np.bincount(plot[which], weights=weights[which], minlength=n_plots)


def _draw_firms(p: Preset, rng: np.random.Generator, plots: dict, status: np.ndarray) -> _Firms:
    """Present firms, drawn on their present plot (on existing and transform parks), then new demand,
    each modelled on a template plot (not on a transform park); their attributes and reach."""
    cap, extra = plots["cap"], plots["extra"]
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

    f = _Firms(n_exist=n_exist, sector=np.r_[ex_sector, nw_sector], water=np.r_[ex_water, nw_water],
               cat=np.r_[ex_cat, nw_cat], bits=np.r_[ex_bits, nw_bits], stage=np.r_[ex_stage, nw_stage],
               floor=np.r_[ex_floor, nw_floor], cur=np.r_[ex_plot, np.full(n_new, -1)], scale=scale,
               tmpl=tmpl, home_x=home_x, home_y=home_y)
    existing = f.existing
    f.at = fm.attributes(rng, f.sector, f.stage, f.floor, scale, existing)
    f.on_transform = existing & (status[f.cur0] == "transform")
    f.move = f.at["max_move_km"] * p.move_km_factor
    stay = existing & (rng.random(f.n) < p.stay_share)
    f.move[stay] = p.stay_km
    f.move[f.on_transform] = np.maximum(f.move[f.on_transform], p.move_km_transform_min)
    f.staying = existing & ~f.on_transform
    return f


def _must_place(p: Preset, rng: np.random.Generator, plots: dict, status: np.ndarray, comp_cls: np.ndarray,
                f: _Firms) -> None:
    """Must-place: present firms that keep their plot (it has room: they are on it), and new firms
    with a reserved plot that still has room after the must-place firms on it."""
    cap = plots["cap"]
    must = np.zeros(f.n, bool)
    cur, cur0 = f.cur, f.cur0
    free_cls = (comp_cls[cur0] == -1) | (comp_cls[cur0] == plots["current"][cur0])
    cand = f.staying & free_cls
    if cand.any():
        w = MUST_STAGE[f.stage]
        prob = p.must_place_existing * w / w[cand].mean()
        must = cand & (rng.random(f.n) < prob)
    must_plot = np.where(must, cur, -1)
    must_load = np.bincount(cur[must], weights=f.floor[must], minlength=len(status))
    reserved = np.full(f.n, -1)
    n_new = f.n - f.n_exist
    for j in np.flatnonzero(rng.random(n_new) < p.must_place_new):
        q = f.tmpl[j]
        k = plots["current"][q]
        i = f.n_exist + j
        if status[q] != "existing" or not (f.bits[i] >> k) & 1:
            continue
        if comp_cls[q] not in (-1, k) or must_load[q] + f.floor[i] > cap[q]:
            continue
        must[i], must_plot[i], reserved[i] = True, q, q
        must_load[q] += f.floor[i]
    f.must, f.must_plot, f.reserved = must, must_plot, reserved


def _nitrogen(p: Preset, rng: np.random.Generator, plots: dict, f: _Firms) -> dict[str, Any]:
    """Natura 2000 sites, the deposition of each plot on them and each site's headroom."""
    n_plots = len(plots["x"])
    sites, dep_p, dep_s, dep_c = deposition(p, plots["x"], plots["y"])
    plot_kg = f.on_plot(f.staying, f.at["nitrogen_kg"], n_plots)
    must_kg = f.on_plot(f.must, f.at["nitrogen_kg"], n_plots, f.must_plot)
    room, dep_now = headroom(p, rng, len(sites["name"]), dep_p, dep_s, dep_c, plot_kg, must_kg)
    return {"sites": sites, "dep_p": dep_p, "dep_s": dep_s, "dep_c": dep_c, "room": room, "dep_now": dep_now}


def _pairs(p: Preset, rng: np.random.Generator, plots: dict, status: np.ndarray,
           f: _Firms) -> tuple[np.ndarray, np.ndarray]:
    """The listed pairs (province, national): the plots in reach of each firm, from its present
    plot or, for new demand, from its home; a staying firm's plot and a reserved plot always."""
    existing, cur0 = f.existing, f.cur0
    n_exist = f.n_exist
    cx = np.where(existing, plots["x"][cur0], np.r_[np.zeros(n_exist), f.home_x])
    cy = np.where(existing, plots["y"][cur0], np.r_[np.zeros(n_exist), f.home_y])
    radius = np.where(existing, f.move, p.new_search_km) * 1000.0
    forced = np.where(f.staying, f.cur, f.reserved)
    return pairs_in_reach(
        rng, fx=cx, fy=cy, radius_m=radius, frank=f.cat, fwater=f.water, ffloor=f.floor, fmask=f.bits,
        forced=forced, px=plots["x"], py=plots["y"], prank=plots["rank"], pquay=plots["quay"],
        pcap=plots["cap"] + plots["extra"], pmask=plots["wm_bits"], pok=status != "transform",
        k_max=p.max_pairs_per_firm, cell_m=p.grid_cell_km * 1000.0)


def _frames(parks: dict, plots: dict, status: np.ndarray, f: _Firms, subs: dict, plot_sub: np.ndarray,
            nitrogen: dict[str, Any], policy: dict | None) -> dict[str, pd.DataFrame]:
    """The instance's tables, by the names of :meth:`Instance.from_frames`."""
    tid, plot_ids = parks["terrain_id"], plots["plot_id"]
    terrains = pd.DataFrame({
        "terrain_id": tid, "name": parks["name"], "region": parks["region"], "status": parks["status"],
        "development_cost_eur": parks["dev_cost"], "national_interest": parks["national_interest"]})
    plots_df = pd.DataFrame({
        "plot_id": plot_ids, "terrain_id": tid[plots["park"]], "x": plots["x"], "y": plots["y"],
        "area_m2": plots["area"], "floor_capacity_m2": plots["cap"], "max_category": CAT_CODE[plots["rank"]],
        "quay": plots["quay"], "substation_id": subs["substation_id"][plot_sub],
        "werkmilieus": WM_LIST[plots["wm_bits"]],
        "current_werkmilieu": np.where(status == "planned", "", WM_NAME[plots["current"]]),
        "intensify_extra_m2": plots["extra"], "intensify_cost_eur": plots["icost"]})
    at = f.at
    firms_df = pd.DataFrame({
        "firm_id": f.ids, "sector": np.array(fm.SECTOR_NAMES, dtype=object)[f.sector],
        "floor_space_m2": f.floor, "value_added_eur": at["value"], "jobs": at["jobs"],
        "category": CAT_CODE[f.cat], "water_bound": f.water, "grid_mw": at["grid_mw"],
        "nitrogen_kg": at["nitrogen_kg"], "werkmilieus": WM_LIST[f.bits],
        "current_plot": np.where(f.existing, plot_ids[f.cur0], ""), "relocation_cost_eur": at["relocation"],
        "max_move_km": f.move, "must_place": f.must, "lifecycle": np.array(LIFECYCLES, dtype=object)[f.stage]})
    tables: dict[str, pd.DataFrame] = {}
    if policy is not None:
        terrains["national_interest"] = policy["national_interest"]
        terrains["min_category"] = policy["min_category"]
        terrains["noise_budget"] = policy["noise_budget"]
        plots_df["locked_werkmilieu"] = policy["locked_werkmilieu"]
        firms_df["sector"] = policy["sector"]
        firms_df["locked"] = policy["locked"]
        firms_df["noise_use"] = policy["noise_use"]
        tables = {k: policy[k] for k in ("claims", "lifecycle_targets", "restrictions")}
    sites = nitrogen["sites"]
    area_ids = _ids("N", len(sites["name"]))
    return {"terrains": terrains, "plots": plots_df, "firms": firms_df,
            "substations": pd.DataFrame({"substation_id": subs["substation_id"],
                                         "available_mw": subs["available_mw"]}),
            "nature_areas": pd.DataFrame({"area_id": area_ids, "name": sites["name"], "x": np.round(sites["x"], 1),
                                          "y": np.round(sites["y"], 1), "headroom_mol": nitrogen["room"]}),
            "deposition": pd.DataFrame({"plot_id": plot_ids[nitrogen["dep_p"]], "area_id": area_ids[nitrogen["dep_s"]],
                                        "mol_per_kg": nitrogen["dep_c"]}),
            "pairs": None, **tables}


def _stats(p: Preset, seed: int | None, parks: dict, plots: dict, status: np.ndarray, f: _Firms, subs: dict,
           nitrogen: dict[str, Any], frames: dict[str, Any], fi: np.ndarray,
           policy: dict | None) -> dict[str, Any]:
    """What the generator made, for ``revopt generate`` and docs/generator.md."""
    cap, existing, floor = plots["cap"], f.existing, f.floor
    pairs_df = frames["pairs"]
    ppf = np.bincount(fi, minlength=f.n) if p.pairs else np.zeros(0)
    room = nitrogen["room"]
    return {
        "preset": p.name, "seed": seed, "firms": f.n, "existing": f.n_exist, "new": f.n - f.n_exist,
        "plots": len(status), "terrains": len(parks["terrain_id"]),
        "terrains_by_status": {s: int((parks["status"] == s).sum()) for s in ("existing", "planned", "transform")},
        "national_interest": int(frames["terrains"]["national_interest"].sum()),
        "net_area_ha": float(parks["net_m2"].sum() / 1e4),
        "median_park_ha": float(np.median(parks["net_m2"]) / 1e4),
        "quay_share": float(plots["quay"].mean()),
        "water_bound": int(f.water.sum()),
        "must_place": int(f.must.sum()), "must_place_new": int((f.must & ~existing).sum()),
        "on_transform": int(f.on_transform.sum()),
        "firm_scale": f.scale,
        "mean_floor_m2": float(floor.mean()),
        "occupancy_existing": float(floor[f.staying].sum() / max(cap[status == "existing"].sum(), 1.0)),
        "demand_supply": float(floor.sum() / max(cap[status != "transform"].sum(), 1.0)),
        "substations": len(frames["substations"]), "congested": int(subs["congested"].sum()),
        "nature_areas": len(frames["nature_areas"]), "tight_areas": int((room < nitrogen["dep_now"]).sum()),
        "deposition_rows": len(frames["deposition"]), "pairs": 0 if pairs_df is None else len(pairs_df),
        "pairs_per_firm": ({"mean": float(ppf.mean()), "min": int(ppf.min()), "median": float(np.median(ppf)),
                            "max": int(ppf.max())} if p.pairs else None),
        "lifecycle": {s: int((f.stage == i).sum()) for i, s in enumerate(LIFECYCLES)},
        "policy": None if policy is None else policy["stats"],
    }


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
