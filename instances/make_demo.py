"""Generate the bundled demo instance ``instances/demo/`` (revopt model v1).

    python instances/make_demo.py            # writes instances/demo/
    python instances/make_demo.py OUTDIR     # writes OUTDIR/ instead

A fictional region of about 60 x 50 km in RD New coordinates (between Deventer
and Enschede; only the three Natura 2000 areas are real, the business parks
and firms are synthetic). Everything is drawn from ``numpy.random.default_rng``
with a fixed seed, so the files are the same on every run. The size knobs are
the constants below (``SCALE`` scales firms and plots together, keeping the
ratio of demand to supply). ``instances/demo/README.md`` documents every
assumption and which rule each feature exercises.

Only the data files (``instance.toml`` and the CSV tables) are (re)written;
a README.md in the output directory is left alone.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from revopt.data import RANK, Instance, load_instance

# ----------------------------------------------------------------------------- knobs
SEED = 2025
SCALE = 1.0                       # scales the firm count and the plots per terrain
N_FIRMS = round(300 * SCALE)
P_SECOND_WM = 0.2                 # chance a plot also offers a secondary werkmilieu
AREA_FACTOR = 1.0                 # multiplies the median plot areas of the profiles
FLOOR_FACTOR = 0.65               # multiplies the median floor space of the firms
EXISTING_SHARE = 0.66             # firms drawn as existing (those that find a plot keep it)
CURRENT_FIT = 1.0                 # how strongly present plots match the firm's category
TRANSFORM_FILL = 0.85             # occupancy of plots on transform terrains
EXISTING_FILL = 0.92              # occupancy cap of plots on existing terrains
QUAY_MISUSE_EUR_PER_M2 = 150.0    # objective: non-water-bound floor on a quay plot
CATEGORY_MISUSE_EUR_PER_M2 = 20.0  # objective: per m2 per rank step of unused category room
VALUE_YEARS = 10.0
COMP_RATIO, COMP_RADIUS_KM = 1.0, 15.0
COMP_SLACK = 1.2                  # generator check: new space in range >= 1.2 x what is needed
# Deposition kernel: mol N on the area per kg N emitted at distance d (km).
KG_TO_MOL = 71.4                  # 1 kg N = 71.4 mol N
DEP_SHARE, DEP_LENGTH_KM, DEP_CUTOFF_KM = 0.002, 3.0, 25.0
# Grid: available MW = factor * load of the firms now connected there + spare MW.
# S3 (the logistics park) is congested: less than the firms there use today.
GRID_RULE = {"S1": (0.0, 90.0), "S2": (0.0, 100.0), "S3": (0.85, 0.0),
             "S4": (0.0, 100.0), "S5": (0.0, 30.0)}
# Nitrogen: headroom = factor * deposition of the firms on their current plots + spare mol.
HEADROOM_RULE = {"N1": (0.9, 0.0), "N2": (3.0, 0.0), "N3": (3.0, 0.0)}

# ----------------------------------------------------------------------------- terrains
# id, name, region, status, centre x, centre y, plots, development cost, national interest,
# substation, profile
TERRAINS = [
    ("T01", "Kanaalhaven", "West", "existing", 206800, 476200, 14, 0.0, True, "S1", "haven"),
    ("T02", "Stationskwartier", "West", "existing", 209800, 471200, 10, 0.0, False, "S1", "stedelijk"),
    ("T03", "Oude Havenkade", "West", "transform", 205200, 473600, 8, 0.0, False, "S1", "oud_haven"),
    ("T04", "Bedrijvenpark De Esch", "Midden", "existing", 221800, 479600, 14, 0.0, False, "S2", "productie"),
    ("T05", "Campus Reggedal", "Midden", "existing", 232600, 481200, 10, 0.0, False, "S2", "campus"),
    ("T06", "Logistiek Park Hoge Veld", "Midden", "existing", 227600, 469800, 14, 0.0, False, "S3", "logistiek"),
    ("T07", "Industriehaven Twentekanaal", "Oost", "existing", 243200, 471600, 14, 0.0, False, "S4", "haven"),
    ("T08", "Spoorzone Oost", "Oost", "transform", 247800, 478600, 6, 0.0, False, "S5", "oud_gemengd"),
    ("T09", "Businesspark Oost", "Oost", "existing", 253400, 476400, 12, 0.0, False, "S5", "innovatie"),
    ("T10", "Plan Bolkerveld", "Midden", "planned", 224800, 474200, 10, 6.5e6, False, "S2", "productie"),
    ("T11", "Plan Kanaaloever", "West", "planned", 212400, 467600, 8, 4.2e6, False, "S1", "kanaaloever"),
    ("T12", "Plan Oosterveld", "Oost", "planned", 249600, 470200, 6, 3.0e6, False, "S4", "plan_oost"),
]

# Plot profiles: max_category choices and weights, primary / secondary werkmilieus,
# quay probability, log-normal area (median m2, sigma), probability of intensification room.
PROFILES = {
    "haven": dict(cats=["4.1", "4.2", "5.1", "5.2", "5.3"], w=[.15, .25, .25, .2, .15],
                  primary="industrieel", secondary=["productie"], quay=0.30,
                  area=(24000, 0.4), intens=0.25),
    "kanaaloever": dict(cats=["4.1", "4.2", "5.1"], w=[.3, .4, .3],
                        primary="productie", secondary=["industrieel"], quay=0.40,
                        area=(24000, 0.35), intens=0.0, p2=1.0),
    "oud_haven": dict(cats=["3.2", "4.1", "4.2"], w=[.3, .4, .3],
                      primary="productie", secondary=["industrieel"], quay=0.30,
                      area=(14000, 0.4), intens=0.0, p2=0.5),
    "productie": dict(cats=["3.1", "3.2", "4.1", "4.2"], w=[.15, .35, .3, .2],
                      primary="productie", secondary=["industrieel", "innovatie"], quay=0.0,
                      area=(20000, 0.4), intens=0.30),
    "logistiek": dict(cats=["3.2", "4.1", "4.2"], w=[.3, .4, .3],
                      primary="productie", secondary=["industrieel"], quay=0.0,
                      area=(30000, 0.25), intens=0.35),
    "innovatie": dict(cats=["2", "3.1", "3.2"], w=[.3, .4, .3],
                      primary="innovatie", secondary=["productie", "stedelijk"], quay=0.0,
                      area=(13000, 0.4), intens=0.30),
    "campus": dict(cats=["2", "3.1", "3.2"], w=[.3, .4, .3],
                   primary="innovatie", secondary=["productie"], quay=0.0,
                   area=(8000, 0.3), intens=0.6),
    "stedelijk": dict(cats=["1", "2", "3.1"], w=[.2, .5, .3],
                      primary="stedelijk", secondary=["innovatie"], quay=0.0,
                      area=(9000, 0.4), intens=0.35),
    "oud_gemengd": dict(cats=["2", "3.1", "3.2"], w=[.3, .4, .3],
                        primary="stedelijk", secondary=["innovatie"], quay=0.0,
                        area=(6000, 0.4), intens=0.0, p2=0.5),
    "plan_oost": dict(cats=["2", "3.1"], w=[.5, .5],
                      primary="stedelijk", secondary=["innovatie"], quay=0.0,
                      area=(15000, 0.3), intens=0.0, p2=1.0),
}
WM_MAX = {"stedelijk": "2", "innovatie": "3.2", "productie": "4.2", "industrieel": "6"}

# ----------------------------------------------------------------------------- firms
# share, value added EUR per job per year, floor (median m2, sigma), categories and
# weights, werkmilieus, P(water-bound), grid MW per 1000 m2, P(emits N), kg N per year,
# m2 floor per job.
SECTORS = {
    "logistiek": dict(share=.16, va=(55000, 85000), floor=(7000, .5), cats=["3.2", "4.1"], cw=[.6, .4],
                      wm=["productie", "industrieel"], water=.07, mw=(.05, .15), np_=.7,
                      nkg=(150, 900), m2job=120),
    "groothandel": dict(share=.10, va=(70000, 110000), floor=(3000, .5), cats=["3.1", "3.2"], cw=[.5, .5],
                        wm=["productie", "innovatie"], water=.0, mw=(.03, .08), np_=.3,
                        nkg=(30, 200), m2job=80),
    "maakindustrie": dict(share=.16, va=(80000, 120000), floor=(4000, .5), cats=["3.2", "4.1", "4.2"],
                          cw=[.35, .35, .3], wm=["productie", "industrieel"], water=.05,
                          mw=(.08, .25), np_=.4, nkg=(50, 500), m2job=90),
    "zware_industrie": dict(share=.07, va=(150000, 250000), floor=(8000, .45),
                            cats=["4.2", "5.1", "5.2", "5.3"], cw=[.3, .3, .25, .15],
                            wm=["industrieel", "productie"], water=.55, mw=(.2, .6), np_=.9,
                            nkg=(400, 3000), m2job=120),
    "recycling": dict(share=.05, va=(60000, 90000), floor=(5000, .5), cats=["4.1", "4.2", "5.1", "5.2"],
                      cw=[.3, .3, .25, .15], wm=["industrieel", "productie"], water=.30,
                      mw=(.05, .15), np_=.7, nkg=(100, 800), m2job=150),
    "bouw": dict(share=.09, va=(65000, 90000), floor=(2000, .5), cats=["3.1", "3.2", "4.1"],
                 cw=[.3, .4, .3], wm=["productie", "industrieel"], water=.05, mw=(.03, .08),
                 np_=.5, nkg=(20, 150), m2job=60),
    "hightech": dict(share=.12, va=(110000, 160000), floor=(3000, .55), cats=["2", "3.1", "3.2"],
                     cw=[.3, .4, .3], wm=["innovatie", "productie"], water=.0, mw=(.1, .4),
                     np_=.1, nkg=(10, 60), m2job=45),
    "zakelijke_diensten": dict(share=.15, va=(70000, 100000), floor=(1200, .6), cats=["1", "2"],
                               cw=[.4, .6], wm=["stedelijk", "innovatie"], water=.0,
                               mw=(.02, .05), np_=.0, nkg=(0, 0), m2job=25),
    "datacenter": dict(share=.03, va=(250000, 400000), floor=(7000, .35), cats=["3.1", "3.2"],
                       cw=[.5, .5], wm=["productie", "innovatie"], water=.0, mw=(.6, 1.1),
                       np_=.3, nkg=(50, 200), m2job=400),
    "voedingsmiddelen": dict(share=.07, va=(80000, 110000), floor=(5000, .5), cats=["3.2", "4.1", "4.2"],
                             cw=[.3, .4, .3], wm=["productie", "industrieel"], water=.05,
                             mw=(.08, .2), np_=.6, nkg=(100, 700), m2job=80),
}

# ----------------------------------------------------------------------------- nature
# Real Natura 2000 areas: area-weighted centroids of /work/shared/data/
# natura2000_nl_sites_2013.csv converted from WGS84 to RD New (polynomial
# approximation, accurate to about a metre).
NATURE = [
    ("N1", "Sallandse Heuvelrug", 224701, 483844),
    ("N2", "Borkeld", 231128, 476652),
    ("N3", "Buurserzand & Haaksbergerveen", 250613, 462453),
]

MOVE_KM_CHOICES = [10.0, 15.0, 20.0, 25.0]

# Search profiles (pairs.csv): regions, neighbours, chance to also search a neighbour.
REGIONS, REGION_WEIGHTS = ["West", "Midden", "Oost"], [0.3, 0.4, 0.3]
NEIGHBOURS = {"West": ["Midden"], "Midden": ["West", "Oost"], "Oost": ["Midden"]}
P_NEIGHBOUR, P_NEIGHBOUR_DISPLACED = 0.25, 0.6
CLUSTER_BONUS = {("hightech", "T05"): 0.15, ("logistiek", "T06"): 0.10,
                 ("zware_industrie", "T01"): 0.10}
MUST_MIN_CANDIDATES = 3
MUST_TERRAIN = "T08"              # all light firms displaced from here must be placed
SHORTLIST = 6                     # plots a new or displaced firm lists
SHORTLIST_STAYING = 3             # plots an existing firm lists besides its current one
POOL_FLOOR_SLACK = 1.3            # firms also look at plots a little too small
SHORTLIST_FIT = 3                 # of a searching firm's list: fitting plots on existing parks
WM_MATCH_WEIGHT = 4.0
# multi-tenant buildings: small firms there need less own floor (shared facilities)
SHARED_BUILDING_TERRAINS, SHARED_FLOOR_FACTOR, SHARED_MAX_FLOOR = {"T02"}, 0.85, 2000.0


# ----------------------------------------------------------------------------- policy rules (spec section 9)
CLUSTER_TERRAIN = "T01"           # Kanaalhaven: national-interest cluster, its plots locked industrieel,
LOCK_FROM_CATEGORY = "5.1"        # ... and its firms of category 5.1 and up locked on their plot,
LOCK_FROM_VALUE = 5e6             # ... and so are its anchors (value added 5 M EUR a year or more)
MIN_CATEGORY = {"T07": "4.2"}     # Industriehaven Twentekanaal: heavy-industry room only
NOISE_FACTOR = {"T01": 0.95, "T07": 0.95}   # zoned parks: noise budget = factor x present noise use
NOISE_PER_1000M2, NOISE_FROM = 1.0, "4.1"  # noise use per 1,000 m2 at category 4.1, doubling per step
RESTRICTED = {"datacenter": ["T10"]}   # data centres only on Plan Bolkerveld (fed by S2, spare MW)
RESTRICTED_SEARCH = False         # True: a restricted firm also lists every plot of its parks
# Strategic programming (C9), per region and werkmilieu, m2 of floor capacity designated; and room for
# every life stage (C10), m2 of floor of placed firms. Values chosen against the optimum without them
# (README: which rule binds).
CLAIMS = [("West", "productie", 115_000.0, None), ("Midden", "innovatie", None, 50_000.0),
          ("Oost", "stedelijk", 20_000.0, 35_000.0)]
TARGETS = [("Midden", "startup", 42_000.0), ("Oost", "startup", 16_000.0), ("West", "scaleup", 6_000.0)]


def rank(c: str) -> int:
    return RANK[c]


def wm_ok(w: str, cat: str) -> bool:
    """Category fits the werkmilieu's maximum (spec section 2, rule 6, first part)."""
    return rank(cat) <= rank(WM_MAX[w])


def compatible(fwm, fcat, fwater, pwm) -> list[str]:
    """W(f, p) of spec section 2, rule 6, with industrieel reserved (default policy)."""
    out = []
    for w in fwm:
        if w in pwm and wm_ok(w, fcat):
            if w == "industrieel" and not (rank(fcat) >= rank("4.1") or fwater):
                continue
            out.append(w)
    return out


def lognormal(rng, median, sigma, lo, hi):
    return float(np.clip(median * math.exp(sigma * rng.standard_normal()), lo, hi))


def make_terrains_and_plots(rng):
    terrains, plots = [], []
    for tid, name, region, status, cx, cy, n, dev, nat, sub, prof in TERRAINS:
        terrains.append(dict(terrain_id=tid, name=name, region=region, status=status,
                             development_cost_eur=dev, national_interest=nat))
        pr = PROFILES[prof]
        for j in range(max(2, round(n * SCALE))):
            cat = str(rng.choice(pr["cats"], p=pr["w"]))
            area = round(lognormal(rng, pr["area"][0] * AREA_FACTOR, pr["area"][1], 2000, 40000), -1)
            cover = rng.uniform(0.5, 0.8)
            cap = round(area * cover, -1)
            wms = [pr["primary"]] + [w for w in pr["secondary"] if rng.random() < pr.get("p2", P_SECOND_WM)]
            # keep only designations that fit the plot: industrieel needs room for
            # heavy firms, stedelijk is for plots near housing (low category).
            wms = [w for w in wms if not (w == "industrieel" and rank(cat) < rank("4.1"))
                   and not (w == "stedelijk" and rank(cat) > rank("3.1"))] or [pr["primary"]]
            quay = bool(rng.random() < pr["quay"])
            extra = cost = 0.0
            if status == "existing" and rng.random() < pr["intens"]:
                extra = round(cap * rng.uniform(0.2, 0.4), -1)
                cost = round(extra * rng.uniform(400, 900), -3)
            current = ""
            if status != "planned":
                current = wms[0] if status == "existing" else str(rng.choice(wms))
            plots.append(dict(plot_id=f"{tid}-P{j + 1:02d}", terrain_id=tid,
                              x=round(cx + rng.normal(0, 450)), y=round(cy + rng.normal(0, 450)),
                              area_m2=area, floor_capacity_m2=cap, max_category=cat, quay=quay,
                              substation_id=sub, werkmilieus=wms, current_werkmilieu=current,
                              intensify_extra_m2=extra, intensify_cost_eur=cost))
    return pd.DataFrame(terrains), pd.DataFrame(plots)


def make_firms(rng):
    names = list(SECTORS)
    shares = np.array([SECTORS[s]["share"] for s in names])
    rows = []
    for i in range(N_FIRMS):
        s = str(rng.choice(names, p=shares / shares.sum()))
        sp = SECTORS[s]
        floor = round(lognormal(rng, sp["floor"][0] * FLOOR_FACTOR, sp["floor"][1], 500, 20000), -1)
        cat = str(rng.choice(sp["cats"], p=sp["cw"]))
        water = bool(rng.random() < sp["water"])
        wm = [w for w in sp["wm"] if wm_ok(w, cat)] or ["industrieel"]
        va = round(floor / sp["m2job"] * rng.uniform(*sp["va"]), -3)
        mw = float(np.clip(floor / 1000 * rng.uniform(*sp["mw"]), 0.1, 10.0))
        if s == "logistiek" and rng.random() < 0.2:      # electric trucks
            mw = min(10.0, mw * 3)
        nkg = round(rng.uniform(*sp["nkg"])) if rng.random() < sp["np_"] else 0.0
        if floor >= 10000 or va >= 10e6:
            life = "large"
        else:
            life = str(rng.choice(["startup", "mkb", "scaleup"],
                                  p=[.35, .45, .2] if s in ("hightech", "zakelijke_diensten")
                                  else [.1, .75, .15]))
        heavy = 1.5 if s in ("zware_industrie", "recycling", "voedingsmiddelen") else 1.0
        rows.append(dict(firm_id=f"F{i + 1:03d}", sector=s, floor_space_m2=floor,
                         value_added_eur=va, jobs=max(1, round(floor / sp["m2job"])),
                         category=cat, water_bound=water, grid_mw=round(mw, 2),
                         nitrogen_kg=float(nkg), werkmilieus=wm, current_plot="",
                         relocation_cost_eur=round(heavy * (50000 + floor * rng.uniform(60, 140)), -3),
                         max_move_km=np.nan, must_place=False, lifecycle=life))
    return pd.DataFrame(rows)


def fits(f, p, tstatus) -> bool:
    """Rules 1-4 and 6 of spec section 2 (capacity incl. intensification room)."""
    return (tstatus[p.terrain_id] != "transform"
            and rank(f.category) <= rank(p.max_category)
            and (p.quay or not f.water_bound)
            and f.floor_space_m2 <= p.floor_capacity_m2 + p.intensify_extra_m2
            and bool(compatible(f.werkmilieus, f.category, f.water_bound, p.werkmilieus)))


def place_current(rng, firms, plots, tstatus):
    """Give the existing firms a current plot: transform terrains first, then existing ones.

    A plot keeps one current werkmilieu; every firm on it must fit it (category,
    quay, designation), so the present situation obeys the rules of the model.
    """
    left = {p.plot_id: p.floor_capacity_m2 * (TRANSFORM_FILL if tstatus[p.terrain_id] == "transform"
                                               else EXISTING_FILL) for p in plots.itertuples()}
    existing = rng.random(len(firms)) < EXISTING_SHARE
    order = rng.permutation(len(firms))
    current = [""] * len(firms)
    for phase in ("transform", "existing"):
        pl = plots[plots.terrain_id.map(tstatus) == phase]
        for i in order:
            if not existing[i] or current[i]:
                continue
            f = firms.iloc[i]
            ok = [p.plot_id for p in pl.itertuples()
                  if left[p.plot_id] >= f.floor_space_m2
                  and rank(f.category) <= rank(p.max_category) and (p.quay or not f.water_bound)
                  and p.current_werkmilieu in compatible(f.werkmilieus, f.category, f.water_bound,
                                                         [p.current_werkmilieu])]
            if not ok:
                continue
            if phase == "transform" and rng.random() < 0.5:
                continue            # leave room for the existing terrains
            # permits follow use: prefer plots whose category is close to the
            # firm's, and quay plots only for firms that need the water
            pq = plots.set_index("plot_id").loc[ok]
            excess = pq.max_category.map(rank).to_numpy() - rank(f.category)
            weights = (np.array([left[q] for q in ok]) * np.exp(-CURRENT_FIT * excess)
                       * np.where(pq.quay.to_numpy() & (not f.water_bound), 0.2, 1.0))
            q = str(rng.choice(ok, p=weights / weights.sum()))
            current[i] = q
            left[q] -= f.floor_space_m2
    firms = firms.copy()
    firms["current_plot"] = current
    return firms


def dist_km(ax, ay, bx, by):
    return np.hypot(np.asarray(ax) - bx, np.asarray(ay) - by) / 1000.0


def candidates(f, plots, tstatus, xy):
    """Plots passing all rules of spec section 2 for firm f (no pairs file)."""
    out = []
    for p in plots.itertuples():
        if not fits(f, p, tstatus):
            continue
        if f.current_plot and not math.isnan(f.max_move_km):
            cx, cy = xy[f.current_plot]
            if dist_km(p.x, p.y, cx, cy) > f.max_move_km:
                continue
        out.append(p.plot_id)
    return out


def set_move_limits_and_must(rng, firms, plots, tstatus, on_transform):
    """max_move_km, relocation cost only for existing firms, and a first must_place."""
    firms = firms.copy()
    # Move limits: about a third of the existing firms (staff, customers) accept
    # at most 10-25 km; half of the firms on transform terrains do.
    has_cur = firms.current_plot != ""
    lim = has_cur & (rng.random(len(firms)) < np.where(on_transform, 0.5, 0.33))
    firms.loc[lim, "max_move_km"] = rng.choice(MOVE_KM_CHOICES, size=int(lim.sum()))
    firms.loc[~has_cur, "relocation_cost_eur"] = 0.0

    # Must-place firms (promised a place): the displaced firms of the relocation
    # agreement (MUST_TERRAIN) and a third of the other displaced firms, all
    # without large nitrogen or grid needs; existing heavy firms (category >= 5.1,
    # permits that are hard to get elsewhere); some large existing firms (anchors);
    # and a few new strategic high-tech investments.
    must = np.zeros(len(firms), bool)
    u = rng.random(len(firms))
    for i, f in enumerate(firms.itertuples()):
        light = f.nitrogen_kg <= 200 and f.grid_mw <= 3
        if on_transform.iloc[i]:
            must[i] = light and (f.current_plot.startswith(MUST_TERRAIN) or u[i] < 0.3)
        elif f.current_plot:
            must[i] = rank(f.category) >= rank("5.1") or (f.lifecycle == "large" and u[i] < 0.4)
        else:
            must[i] = light and f.sector == "hightech" and u[i] < 0.3
    firms["must_place"] = must
    return firms


def make_pairs(rng, firms, terrains, plots, tstatus, on_transform):
    """pairs.csv: each firm's shortlist (search profile), with a few overrides.

    A firm searches its home region (that of its current plot, else a drawn
    one) and sometimes a neighbouring region, among plots that are not being
    transformed and have roughly enough floor space (up to POOL_FLOOR_SLACK
    times the plot's capacity with intensification). An existing firm lists its
    current plot (also when it is being transformed); a staying firm lists
    SHORTLIST_STAYING others, a new or displaced firm SHORTLIST plots, of which
    SHORTLIST_FIT fit it on an existing park (when there are), so a planned park
    is never its only hope. The model applies every rule of spec section 2 to
    the listed pairs: rule 1 removes the current plots on transform terrains,
    rule 4 the plots that are too small, and so on.
    """
    region_of = dict(zip(terrains.terrain_id, terrains.region))
    by_id = plots.set_index("plot_id", drop=False)
    rows = []
    for i, f in enumerate(firms.itertuples()):
        if f.current_plot:
            home = region_of[f.current_plot.split("-")[0]]
        else:
            home = str(rng.choice(REGIONS, p=REGION_WEIGHTS))
        search = {home}
        if rng.random() < (P_NEIGHBOUR_DISPLACED if on_transform.iloc[i] else P_NEIGHBOUR):
            search.add(str(rng.choice(NEIGHBOURS[home])))
        pool = [p for p in plots.itertuples()
                if region_of[p.terrain_id] in search and tstatus[p.terrain_id] != "transform"
                and p.plot_id != f.current_plot
                and f.floor_space_m2 <= POOL_FLOOR_SLACK * (p.floor_capacity_m2 + p.intensify_extra_m2)]
        staying = bool(f.current_plot) and not on_transform.iloc[i]
        k = min(SHORTLIST_STAYING if staying else SHORTLIST, len(pool))
        fit = [j for j, p in enumerate(pool)
               if tstatus[p.terrain_id] == "existing" and fits(f, p, tstatus)]
        n_fit = 0 if staying else min(SHORTLIST_FIT, len(fit), k)
        first = [int(j) for j in rng.choice(fit, size=n_fit, replace=False)] if n_fit else []
        rest = [j for j in range(len(pool)) if j not in first]
        # the other listed plots: a plot offering one of the firm's werkmilieus is
        # WM_MATCH_WEIGHT times as likely to be listed
        wt = np.array([WM_MATCH_WEIGHT if set(f.werkmilieus) & set(pool[j].werkmilieus) else 1.0
                       for j in rest])
        more = rng.choice(rest, size=k - n_fit, replace=False, p=wt / wt.sum()) if k > n_fit else []
        listed = [pool[j].plot_id for j in sorted(first + [int(j) for j in more])]
        if f.current_plot:          # a displaced firm lists it too: rule 1 removes it
            listed.insert(0, f.current_plot)
        for pid in listed:
            tid = by_id.terrain_id[pid]
            va = fl = ""
            # cluster effect: value added is higher next to firms of the same kind
            if (f.sector, tid) in CLUSTER_BONUS:
                va = round(f.value_added_eur * (1 + CLUSTER_BONUS[f.sector, tid]), -3)
            # shared multi-tenant building: less own floor space needed
            if tid in SHARED_BUILDING_TERRAINS and f.floor_space_m2 <= SHARED_MAX_FLOOR:
                fl = round(f.floor_space_m2 * SHARED_FLOOR_FACTOR, -1)
            rows.append(dict(firm_id=f.firm_id, plot_id=pid, value_added_eur=va, floor_space_m2=fl))
    return pd.DataFrame(rows)


def make_substations(firms, plots, on_transform):
    """Available MW from the load of the firms now connected (transform terrains excluded)."""
    sub_of = dict(zip(plots.plot_id, plots.substation_id))
    load = {s: 0.0 for s in GRID_RULE}
    for f in firms.itertuples():
        if f.current_plot and not on_transform.loc[f.Index]:
            load[sub_of[f.current_plot]] += f.grid_mw
    subs = pd.DataFrame([dict(substation_id=s, available_mw=round(a * load[s] + b, 1))
                         for s, (a, b) in GRID_RULE.items()])
    return subs, load


def make_nature(firms, plots, on_transform):
    """deposition.csv from the kernel; headroom from the deposition of today's firms."""
    dep = []
    for p in plots.itertuples():
        for aid, _, ax, ay in NATURE:
            d = float(dist_km(p.x, p.y, ax, ay))
            if d <= DEP_CUTOFF_KM:
                dep.append(dict(plot_id=p.plot_id, area_id=aid,
                                mol_per_kg=round(KG_TO_MOL * DEP_SHARE * math.exp(-d / DEP_LENGTH_KM), 6)))
    deposition = pd.DataFrame(dep)
    coef = {(r.plot_id, r.area_id): r.mol_per_kg for r in deposition.itertuples()}
    now = {aid: 0.0 for aid, *_ in NATURE}
    for f in firms.itertuples():
        if f.current_plot and not on_transform.loc[f.Index]:
            for aid in now:
                now[aid] += f.nitrogen_kg * coef.get((f.current_plot, aid), 0.0)
    nature = pd.DataFrame([dict(area_id=aid, name=nm, x=ax, y=ay,
                                headroom_mol=round(HEADROOM_RULE[aid][0] * now[aid]
                                                   + HEADROOM_RULE[aid][1], 1))
                           for aid, nm, ax, ay in NATURE])
    return deposition, nature, now


def check_compensation(terrains, plots, tstatus):
    """Cheap check of spec C7: new space in range, per class and in total.

    A plot gets one designation, so the total counts each plot once. Stops the
    script when there is less than COMP_SLACK times what is needed.
    """
    for tid in terrains.terrain_id[terrains.status == "transform"]:
        tp = plots[plots.terrain_id == tid]
        cx, cy = tp.x.mean(), tp.y.mean()
        lost = tp.groupby("current_werkmilieu").floor_capacity_m2.sum()
        near = [p for p in plots.itertuples() if tstatus[p.terrain_id] != "transform"
                and dist_km(p.x, p.y, cx, cy) <= COMP_RADIUS_KM]
        new = {p.plot_id: (p.floor_capacity_m2 if tstatus[p.terrain_id] == "planned" else 0.0)
               + p.intensify_extra_m2 for p in near}
        for k, need in lost.items():
            room = sum(new[p.plot_id] for p in near if k in p.werkmilieus)
            if room < COMP_SLACK * COMP_RATIO * need:
                raise SystemExit(f"{tid}: {need:.0f} m2 {k} lost, only {room:.0f} m2 new space in range")
        room = sum(new[p.plot_id] for p in near if set(p.werkmilieus) & set(lost.index))
        if room < COMP_SLACK * COMP_RATIO * lost.sum():
            raise SystemExit(f"{tid}: {lost.sum():.0f} m2 lost, only {room:.0f} m2 new space in range")


def add_policy(terrains, plots, firms, pairs):
    """The policy rules of spec section 9 (docs/model.md); README.md says which rule binds."""
    terrains, plots, firms = terrains.copy(), plots.copy(), firms.copy()
    cur_terrain = firms.current_plot.str.split("-").str[0]
    # national-interest cluster: designations fixed, heavy firms stay
    plots["locked_werkmilieu"] = np.where((plots.terrain_id == CLUSTER_TERRAIN)
                                          & plots.werkmilieus.map(lambda ws: "industrieel" in ws), "industrieel", "")
    firms["locked"] = (cur_terrain == CLUSTER_TERRAIN) & (firms.category.map(rank).ge(rank(LOCK_FROM_CATEGORY))
                                                         | firms.value_added_eur.ge(LOCK_FROM_VALUE))
    terrains["min_category"] = terrains.terrain_id.map(MIN_CATEGORY).fillna("")
    # noise: firms of category 4.1 and up, in proportion to floor, doubling per category step
    steps = firms.category.map(rank) - rank(NOISE_FROM)
    firms["noise_use"] = np.where(steps >= 0, np.round(firms.floor_space_m2 / 1000 * NOISE_PER_1000M2
                                                       * 2.0 ** steps.clip(lower=0), 2), 0.0)
    present = firms.groupby(cur_terrain).noise_use.sum()
    locked = firms[firms.locked].groupby(cur_terrain).noise_use.sum()
    terrains["noise_budget"] = [round(max(NOISE_FACTOR[t] * present.get(t, 0.0), 1.01 * locked.get(t, 0.0)), 1)
                                if t in NOISE_FACTOR else np.nan for t in terrains.terrain_id]
    if RESTRICTED_SEARCH:   # restricted sectors list every plot of their parks (they search there)
        extra = [dict(firm_id=f.firm_id, plot_id=p.plot_id, value_added_eur="", floor_space_m2="")
                 for sector, tids in RESTRICTED.items() for f in firms[firms.sector == sector].itertuples()
                 for p in plots[plots.terrain_id.isin(tids)].itertuples()]
        pairs = pd.concat([pairs, pd.DataFrame(extra)], ignore_index=True).drop_duplicates(["firm_id", "plot_id"])
        pairs = pairs.sort_values(["firm_id", "plot_id"], kind="stable").reset_index(drop=True)
    restrictions = pd.DataFrame({"sector": list(RESTRICTED), "terrain_ids": [";".join(t) for t in RESTRICTED.values()]})
    claims = pd.DataFrame(CLAIMS, columns=["region", "werkmilieu", "min_floor_m2", "max_floor_m2"])
    targets = pd.DataFrame(TARGETS, columns=["region", "lifecycle", "min_placed_m2"])
    return terrains, plots, firms, pairs, claims, targets, restrictions


def manifest(terrains, firms):
    n_tr = int((terrains.status == "transform").sum())
    n_pl = int((terrains.status == "planned").sum())
    return {
        "instance": {"name": "demo", "description": (
            f"Fictional region between Deventer and Enschede (RD New): {len(terrains)} business "
            f"parks ({n_tr} to be transformed to housing, {n_pl} planned), {len(firms)} synthetic "
            f"firms, {len(NATURE)} real Natura 2000 areas. Made by instances/make_demo.py "
            f"(seed {SEED}); see README.md.")},
        "objective": {"value_years": VALUE_YEARS, "relocation_weight": 1.0,
                      "development_weight": 1.0, "intensify_weight": 1.0,
                      "quay_misuse_eur_per_m2": QUAY_MISUSE_EUR_PER_M2,
                      "category_misuse_eur_per_m2": CATEGORY_MISUSE_EUR_PER_M2},
        "compensation": {"ratio": COMP_RATIO, "radius_km": COMP_RADIUS_KM, "per_werkmilieu": True},
        "werkmilieu_max_category": dict(WM_MAX),
        "policy": {"industrial_reserved": True, "industrial_min_category": "4.1"},
    }


def main(out: Path) -> Instance:
    rng = np.random.default_rng(SEED)
    terrains, plots = make_terrains_and_plots(rng)
    tstatus = dict(zip(terrains.terrain_id, terrains.status))
    firms = place_current(rng, make_firms(rng), plots, tstatus)
    on_transform = firms.current_plot.map(lambda q: bool(q) and tstatus[q.split("-")[0]] == "transform")
    firms = set_move_limits_and_must(rng, firms, plots, tstatus, on_transform)
    pairs = make_pairs(rng, firms, terrains, plots, tstatus, on_transform)

    # A must-place firm that searches needs MUST_MIN_CANDIDATES candidate plots on
    # its list (all rules of spec section 2); one that stays has its current plot.
    xy = {p.plot_id: (p.x, p.y) for p in plots.itertuples()}
    listed = pairs.groupby("firm_id").plot_id.apply(set).to_dict()
    for i, f in enumerate(firms.itertuples()):
        if f.must_place and (not f.current_plot or on_transform.iloc[i]):
            n = len(set(candidates(f, plots, tstatus, xy)) & listed.get(f.firm_id, set()))
            if n < MUST_MIN_CANDIDATES:
                firms.loc[f.Index, "must_place"] = False

    substations, load = make_substations(firms, plots, on_transform)
    deposition, nature, now = make_nature(firms, plots, on_transform)
    check_compensation(terrains, plots, tstatus)
    terrains, plots, firms, pairs, claims, targets, restrictions = add_policy(terrains, plots, firms, pairs)

    inst = Instance.from_frames(terrains=terrains, plots=plots, firms=firms,
                                substations=substations, nature_areas=nature,
                                deposition=deposition, pairs=pairs, claims=claims,
                                lifecycle_targets=targets, restrictions=restrictions,
                                params=manifest(terrains, firms), name="demo")
    out.mkdir(parents=True, exist_ok=True)
    for name in ("instance.toml", "terrains.csv", "plots.csv", "firms.csv", "substations.csv",
                 "nature_areas.csv", "deposition.csv", "pairs.csv", "claims.csv", "lifecycle_targets.csv",
                 "restrictions.csv"):
        (out / name).unlink(missing_ok=True)
    inst.write(out)
    inst = load_instance(out)

    supply = plots.floor_capacity_m2[plots.terrain_id.map(tstatus) != "transform"].sum()
    print(f"wrote {out}: {len(terrains)} terrains, {len(plots)} plots, {len(firms)} firms, "
          f"{len(pairs)} listed pairs, {len(deposition)} deposition rows")
    print(f"  floor demand / supply {firms.floor_space_m2.sum() / supply:.2f} "
          f"(supply {supply:,.0f} m2 without intensification, "
          f"+{plots.intensify_extra_m2.sum():,.0f} m2 intensifiable)")
    print(f"  existing firms {int((firms.current_plot != '').sum())} "
          f"({int(on_transform.sum())} on transform terrains), "
          f"must_place {int(firms.must_place.sum())}, max_move_km {int(firms.max_move_km.notna().sum())}, "
          f"water_bound {int(firms.water_bound.sum())}, quay plots {int(plots.quay.sum())}")
    print("  available MW", dict(zip(substations.substation_id, substations.available_mw)),
          "load now", {s: round(v, 1) for s, v in load.items()})
    print("  headroom mol", dict(zip(nature.area_id, nature.headroom_mol)),
          "deposition now", {a: round(v, 1) for a, v in now.items()})
    return inst


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "demo")
