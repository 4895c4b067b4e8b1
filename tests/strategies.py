"""Hypothesis strategies for tiny, valid revopt instances with every v1 rule in play.

Numbers are small integers (ratio may be 0.5) so that optima are exact.
Sizes: 1-4 firms, 1-4 plots, at most 2 planned terrains, at most one transform
terrain, each plot with 1-2 werkmilieus -- small enough for tests/oracle.py.
``tiny_instances(policy=True)`` adds the policy rules of spec section 9 (two
regions, claims, lifecycle targets, locks, min_category, a sector restriction,
noise budgets), each drawn often enough to be in play; without it the draws are
exactly those of sections 1-6.
"""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import strategies as st

from revopt.data import Instance
from revopt.data.vocab import CATEGORIES, WERKMILIEUS

NAN = math.nan

# productie first: hypothesis favours early elements, and productie admits most firms
WM = ("productie", "innovatie", "industrieel", "stedelijk")
wm_lists = st.lists(st.sampled_from(WM), min_size=1, max_size=2, unique=True)
firm_wm_lists = st.lists(st.sampled_from(WM), min_size=1, max_size=3, unique=True)
categories = st.sampled_from(CATEGORIES)
# biased so that many pairs pass rule 2 (firms light, plots permissive), all codes still drawn
firm_categories = st.one_of(st.sampled_from(["3.1", "4.2", "4.1", "2", "1", "3.2"]), categories)
plot_categories = st.one_of(st.sampled_from(["5.1", "4.2", "5.3", "6"]), categories)


@st.composite
def tiny_instances(draw, max_firms: int = 4, max_plots: int = 4, policy: bool = False) -> Instance:
    """A valid Instance with 1..max_firms firms and 1..max_plots plots (``policy``: with section-9 rules)."""
    # ---- terrains ---------------------------------------------------------------
    n_plots = draw(st.integers(1, max_plots))
    n_planned = draw(st.integers(0, 2))
    with_transform = n_plots >= 2 and draw(st.booleans())
    terrains = [dict(terrain_id="E", status="existing", development_cost_eur=0, national_interest=draw(st.booleans()))]
    for i in range(n_planned):
        terrains.append(dict(terrain_id=f"P{i + 1}", status="planned",
                             development_cost_eur=draw(st.integers(0, 60)), national_interest=False))
    if with_transform:
        terrains.append(dict(terrain_id="X", status="transform", development_cost_eur=0,
                             national_interest=False))
    terrain_ids = [t["terrain_id"] for t in terrains]

    # ---- substations, nature area -----------------------------------------------
    substations = [dict(substation_id="S1", available_mw=draw(st.integers(0, 4))),
                   dict(substation_id="S2", available_mw=draw(st.integers(0, 4)))]

    # ---- plots ------------------------------------------------------------------
    plots = []
    for i in range(n_plots):
        pid = f"p{i + 1}"
        if i == 0 and with_transform:
            t = "X"  # make sure the transform terrain has at least one plot
        else:
            # mostly usable terrains; a second transform plot now and then
            t = draw(st.sampled_from([x for x in terrain_ids if x != "X"] * 3 + terrain_ids))
        wms = draw(wm_lists)
        cur = "" if t == "X" else draw(st.sampled_from(("",) + WERKMILIEUS))
        extra = draw(st.sampled_from([0, 0, 10, 20]))
        plots.append(dict(
            plot_id=pid, terrain_id=t,
            x=1000 * draw(st.integers(0, 8)), y=1000 * draw(st.integers(0, 8)),
            area_m2=100,
            floor_capacity_m2=draw(st.sampled_from([10, 20] if t == "X" else [10, 20, 30, 40])),
            max_category=draw(plot_categories), quay=draw(st.booleans()),
            substation_id=draw(st.sampled_from(["S1", "S2"])), werkmilieus=wms,
            current_werkmilieu=cur, intensify_extra_m2=extra,
            intensify_cost_eur=draw(st.integers(0, 30)) if extra else 0,
        ))
    plot_ids = [p["plot_id"] for p in plots]
    # transform plots lose a werkmilieu that other plots can often offer (compensation in play)
    offered = sorted({w for p in plots if p["terrain_id"] != "X" for w in p["werkmilieus"]})
    for p in plots:
        if p["terrain_id"] == "X":
            p["current_werkmilieu"] = draw(st.sampled_from(offered or list(WERKMILIEUS))
                                           | st.sampled_from(WERKMILIEUS))

    with_area = draw(st.booleans())
    nature = []
    deposition = []
    if with_area:
        nature.append(dict(area_id="N1", name="Veluwe", x=0, y=0, headroom_mol=draw(st.integers(0, 6))))
        for p in plot_ids:
            if draw(st.booleans()):
                deposition.append(dict(plot_id=p, area_id="N1", mol_per_kg=draw(st.integers(0, 3))))

    # ---- firms ------------------------------------------------------------------
    n_firms = draw(st.integers(1, max_firms))
    firms = []
    for i in range(n_firms):
        current = draw(st.sampled_from([""] * 2 + plot_ids))
        firms.append(dict(
            firm_id=f"f{i + 1}", sector="s", floor_space_m2=draw(st.sampled_from([5, 10, 20, 30])),
            value_added_eur=draw(st.integers(0, 12)), jobs=1, category=draw(firm_categories),
            water_bound=draw(st.integers(0, 3)) == 0, grid_mw=draw(st.integers(0, 2)),
            nitrogen_kg=draw(st.integers(0, 2)), werkmilieus=draw(firm_wm_lists),
            current_plot=current,
            relocation_cost_eur=draw(st.integers(0, 40)) if current else 0,
            max_move_km=(draw(st.sampled_from([NAN, 0, 3, 8])) if current else NAN),
            must_place=draw(st.integers(0, 7)) == 0,
            lifecycle=draw(st.sampled_from(["startup", "mkb", "scaleup", "large"])),
        ))
    firm_ids = [f["firm_id"] for f in firms]

    # ---- pairs.csv (sometimes) ----------------------------------------------------
    pairs = None
    if draw(st.integers(0, 3)) == 0:
        all_pairs = [(f, p) for f in firm_ids for p in plot_ids]
        chosen = draw(st.lists(st.sampled_from(all_pairs), unique=True, max_size=len(all_pairs)))
        rows = []
        for f, p in chosen:
            rows.append(dict(firm_id=f, plot_id=p,
                             value_added_eur=draw(st.sampled_from([NAN, NAN, 0, 5, 15])),
                             floor_space_m2=draw(st.sampled_from([NAN, NAN, 5, 15, 50]))))
        pairs = pd.DataFrame(rows, columns=["firm_id", "plot_id", "value_added_eur", "floor_space_m2"])

    # ---- manifest -----------------------------------------------------------------
    params = {
        "objective": {
            "value_years": draw(st.sampled_from([1, 10])),
            "relocation_weight": draw(st.sampled_from([0.0, 1.0, 2.0])),
            "development_weight": draw(st.sampled_from([0.0, 1.0])),
            "intensify_weight": draw(st.sampled_from([0.0, 1.0])),
            "quay_misuse_eur_per_m2": draw(st.sampled_from([0.0, 0.0, 1.0])),
            "category_misuse_eur_per_m2": draw(st.sampled_from([0.0, 0.0, 1.0])),
        },
        "compensation": {
            "ratio": draw(st.sampled_from([0.0, 0.5, 0.5, 1.0, 2.0])),
            "radius_km": draw(st.sampled_from([2.0, 8.0, 15.0])),
            "per_werkmilieu": draw(st.booleans()),
        },
        "policy": {
            "industrial_reserved": draw(st.booleans()),
            "industrial_min_category": draw(st.sampled_from(["3.2", "4.1", "5.1"])),
        },
    }
    if draw(st.booleans()):
        params["werkmilieu_max_category"] = {"stedelijk": "3.1", "innovatie": "4.1"}

    inst = Instance.from_frames(
        terrains=pd.DataFrame(terrains), plots=pd.DataFrame(plots), firms=pd.DataFrame(firms),
        substations=pd.DataFrame(substations),
        nature_areas=pd.DataFrame(nature, columns=["area_id", "name", "x", "y", "headroom_mol"]),
        deposition=(pd.DataFrame(deposition, columns=["plot_id", "area_id", "mol_per_kg"])
                    if deposition else None),
        pairs=pairs, params=params, name="tiny",
    )
    return draw_policy(draw, inst) if policy else inst


def draw_policy(draw, inst: Instance) -> Instance:
    """Add the policy rules of spec section 9 to a valid instance, keeping it valid."""
    from revopt.results.verify import is_candidate

    ter, plo, fir = inst.terrains.copy(), inst.plots.copy(), inst.firms.copy()
    # two regions; each terrain may carry a minimum category and a noise budget
    ter["region"] = [draw(st.sampled_from(["R1", "R1", "R2"])) for _ in range(len(ter))]
    ter["min_category"] = [draw(st.sampled_from(["", "", "", "3.1", "4.1"])) for _ in range(len(ter))]
    ter["noise_budget"] = [draw(st.sampled_from([NAN, NAN, 0, 2, 3])) for _ in range(len(ter))]
    status = dict(zip(ter["terrain_id"], ter["status"]))
    region = dict(zip(ter["terrain_id"], ter["region"]))
    # locked designations: one of the plot's werkmilieus, never on a transform terrain
    plo["locked_werkmilieu"] = [
        draw(st.sampled_from(list(ws))) if status[t] != "transform" and draw(st.integers(0, 4)) == 0 else ""
        for t, ws in zip(plo["terrain_id"], plo["werkmilieus"])]
    fir["noise_use"] = [draw(st.sampled_from([0, 0, 1, 2])) for _ in range(len(fir))]
    # fewer instances made infeasible by sections 1-6 alone, so that the policy rules decide more often
    if draw(st.booleans()):
        fir["must_place"] = False
    if draw(st.booleans()):
        inst = inst.with_params(compensation={"ratio": 0.0})
    fir["sector"] = [draw(st.sampled_from(["s", "s", "dc"])) for _ in range(len(fir))]
    restrictions = None
    if "dc" in set(fir["sector"]) and draw(st.booleans()):
        allowed = draw(st.sampled_from(list(ter["terrain_id"])))
        restrictions = pd.DataFrame({"sector": ["dc"], "terrain_ids": [allowed]})
    base = inst.replace_tables(terrains=ter, plots=plo, firms=fir, restrictions=restrictions)

    # locked firms: only where the current plot is a candidate under all the rules above
    fir = base.firms.copy()
    can_lock = [bool(c) and is_candidate(base, f, c) is None for f, c in zip(fir["firm_id"], fir["current_plot"])]
    fir["locked"] = [ok and draw(st.booleans()) for ok in can_lock]
    # candidate pairs under the rules above, to aim claims and targets where firms compete
    cands = [(f, p) for f in fir["firm_id"] for p in plo["plot_id"] if is_candidate(base, f, p) is None]
    stage = dict(zip(fir["firm_id"], fir["lifecycle"]))
    floor = dict(zip(fir["firm_id"], fir["floor_space_m2"]))
    p_region = {p: region[t] for p, t in zip(plo["plot_id"], plo["terrain_id"])}
    wanted = sorted({w for ws in fir["werkmilieus"] for w in ws}) or list(WM)

    # claims: at most two, each within what the region's plots can take
    claims = []
    for _ in range(draw(st.integers(0, 2))):
        r = draw(st.sampled_from(sorted(set(p_region.values()))))
        w = draw(st.sampled_from(wanted + list(WM)))
        cap = sum(c for t, ws, c in zip(plo["terrain_id"], plo["werkmilieus"], plo["floor_capacity_m2"])
                  if region[t] == r and status[t] != "transform" and w in ws)
        lo = draw(st.sampled_from([NAN, NAN, min(10, cap), cap]))
        hi = draw(st.sampled_from([NAN, 0, 10, 20, 40]))
        if not (lo > hi) and (r, w) not in {(c["region"], c["werkmilieu"]) for c in claims}:
            claims.append(dict(region=r, werkmilieu=w, min_floor_m2=lo, max_floor_m2=hi))
    # lifecycle targets: the stage of a firm that has a candidate plot in the region, at most its floor
    targets = []
    for _ in range(draw(st.integers(0, 2)) if cands else 0):
        f, p = draw(st.sampled_from(cands))
        r, s = p_region[p], stage[f]
        if (r, s) not in {(c["region"], c["lifecycle"]) for c in targets}:
            lo = draw(st.sampled_from([0, floor[f] / 2, floor[f], floor[f] + 5]))
            targets.append(dict(region=r, lifecycle=s, min_placed_m2=lo))
    return base.replace_tables(
        firms=fir,
        claims=(pd.DataFrame(claims, columns=["region", "werkmilieu", "min_floor_m2", "max_floor_m2"])
                if claims else None),
        lifecycle_targets=pd.DataFrame(targets, columns=["region", "lifecycle", "min_placed_m2"]) if targets else None)
