"""Hypothesis strategies for tiny, valid revopt instances with every v1 rule in play.

Numbers are small integers (ratio may be 0.5) so that optima are exact.
Sizes: 1-4 firms, 1-4 plots, at most 2 planned terrains, at most one transform
terrain, each plot with 1-2 werkmilieus -- small enough for tests/oracle.py.
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
def tiny_instances(draw, max_firms: int = 4, max_plots: int = 4) -> Instance:
    """A valid Instance with 1..max_firms firms and 1..max_plots plots."""
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

    return Instance.from_frames(
        terrains=pd.DataFrame(terrains), plots=pd.DataFrame(plots), firms=pd.DataFrame(firms),
        substations=pd.DataFrame(substations),
        nature_areas=pd.DataFrame(nature, columns=["area_id", "name", "x", "y", "headroom_mol"]),
        deposition=(pd.DataFrame(deposition, columns=["plot_id", "area_id", "mol_per_kg"])
                    if deposition else None),
        pairs=pairs, params=params, name="tiny",
    )
