"""The policy rules of spec section 9 for generated instances (docs/generator.md, "Policy rules").

Drawn from their own random stream (:func:`policy_rng`), after everything else,
so that switching them off (knob ``policy=False``) gives exactly the instance
of the generator without them. What is added:

- **national-interest clusters** (REV 2.3, 4.1, 5.2): parks within
  ``cluster_radius_km`` of the five energy-intensive industrial clusters
  (:data:`CLUSTERS`, real locations) that offer industrieel become of national
  interest (never a transform park); their existing plots whose present
  werkmilieu is industrieel get ``locked_werkmilieu = industrieel`` (not plots
  reserved for compensating another class);
- **minimum category** 4.1 on those cluster parks, unless a must-place firm
  there is lighter (it must keep its plot);
- **locked firms**: must-place firms of the heavy sectors (chemie, maritiem bulk)
  on their present plot in a cluster park;
- **noise budgets** (C11) on zoned industrial parks (cluster parks, and haven
  and heavy-industry parks): firms of category 4.1 and up use noise in
  proportion to their floor, doubling per category step; the budget is the
  present use times a factor around 1 (``noise_slack``), never below what the
  must-place firms there use;
- **claims** (C9) per region: keep ``claim_keep_industrieel`` of the present
  industrieel floor capacity and ``claim_keep_productie`` of the productie
  capacity (minimums; plots reserved for compensating another class do not count);
- **lifecycle targets** (C10) per region: ``lifecycle_keep`` of the floor of the
  startups and scale-ups there now that can stay on their plot (its terrain's
  minimum category allows them, its substation is not congested);
- **hyperscale data centres** (knob ``hyperscale``, national preset): new large
  data-centre demand is sector ``hyperscale_datacenter``, looks for space around
  Eemshaven or Hollands Kroon and may settle only on parks within
  ``hyperscale_radius_km`` of those two places (REV 3.2: since 1 January 2024
  the only two areas for hyperscale data centres).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.vocab import RANK, WERKMILIEUS
from .firms import SECTOR_NAMES
from .geo import wgs84_to_rd
from .parks import TYPE_NAMES
from .presets import Preset

WM = {w: i for i, w in enumerate(WERKMILIEUS)}
#: The five energy-intensive industrial clusters (REV 2.3), each by one or more real
#: locations (WGS84; UN/LOCODE where it gives coordinates, else the place table of .geo).
CLUSTERS: dict[str, tuple[tuple[float, float], ...]] = {
    "Rotterdam-Moerdijk": ((51.8833, 4.2833), (51.955, 4.030), (51.683, 4.600)),   # Botlek, Maasvlakte, Moerdijk
    "Noordzeekanaalgebied": ((52.4667, 4.600), (52.410, 4.800)),                    # IJmuiden, Westpoort
    "Zeeland/West-Brabant": ((51.450, 3.680), (51.336, 3.828), (51.500, 4.300)),    # Sloe, Terneuzen, Bergen op Zoom
    "Chemelot": ((50.990, 5.790),),                                                  # Sittard-Geleen
    "Noord-Nederland": ((53.330, 6.918), (53.440, 6.830)),                           # Delfzijl, Eemshaven
}
#: The two areas where hyperscale data centres may settle (REV 3.2): Eemshaven, and
#: Hollands Kroon (Middenmeer, UN/LOCODE NL ZBD).
HYPERSCALE: dict[str, tuple[float, float]] = {"Eemshaven": (53.440, 6.830), "Hollands Kroon": (52.800, 5.000)}
HYPERSCALE_SECTOR = "hyperscale_datacenter"
HEAVY_SECTORS = ("chemie", "maritiem_bulk")
#: noise use per 1,000 m2 floor of a firm of category 4.1; doubles per category step above
NOISE_PER_1000M2 = 1.0
NOISE_FROM = RANK["4.1"]
HOME_JITTER_M = 3000.0


def policy_rng(seed: int | None, p: Preset) -> np.random.Generator:
    """The policy rules' own random stream (the main stream is left untouched)."""
    return np.random.default_rng([0 if seed is None else seed, 9, p.n_firms])


def _points(table) -> np.ndarray:
    lat, lon = zip(*table)
    x, y = wgs84_to_rd(np.array(lat), np.array(lon))
    return np.c_[x, y]


def _nearest_km(x: np.ndarray, y: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return np.min(np.hypot(x[:, None] - pts[None, :, 0], y[:, None] - pts[None, :, 1]), axis=1) / 1000.0


def hyperscale_demand(rng: np.random.Generator, sector: np.ndarray, stage: np.ndarray, existing: np.ndarray,
                      home_x: np.ndarray, home_y: np.ndarray, fbits: np.ndarray) -> np.ndarray:
    """Mark new large data-centre demand as hyperscale: home near Eemshaven or Hollands Kroon,
    werkmilieu productie. ``home_x``/``home_y`` (new firms only) and ``fbits`` are changed in place.
    Returns the mask over all firms."""
    hyper = ~existing & (sector == SECTOR_NAMES.index("datacenter")) & (stage == 3)
    idx = np.flatnonzero(hyper)
    if len(idx):
        pts = _points(HYPERSCALE.values())
        k = rng.integers(len(pts), size=len(idx))
        j = idx - int((existing).sum())          # position among the new firms
        home_x[j] = pts[k, 0] + rng.normal(0.0, HOME_JITTER_M, len(idx))
        home_y[j] = pts[k, 1] + rng.normal(0.0, HOME_JITTER_M, len(idx))
        fbits[idx] = 1 << WM["productie"]
    return hyper


def apply(p: Preset, rng: np.random.Generator, parks: dict, plots: dict, comp_cls: np.ndarray,
          F: dict[str, np.ndarray]) -> dict:
    """The policy columns and tables of one generated instance.

    ``F`` holds per firm: existing, staying (existing, not on a transform park),
    cur (present plot, -1 none), must, must_plot, sector (index), hyper, stage,
    floor, cat (rank); ``F["plot_congested"]`` per plot whether its substation
    has less capacity than its present load. Returns the new columns (terrains ``national_interest``,
    ``min_category``, ``noise_budget``; plots ``locked_werkmilieu``; firms
    ``locked``, ``noise_use``, ``sector``), the tables ``claims``,
    ``lifecycle_targets``, ``restrictions`` (None when empty), a function
    ``pair_ok(fi, pj)`` for pairs.csv and statistics.
    """
    park = plots["park"]
    cluster, national, lock_plot = _clusters(p, parks, plots, comp_cls)
    min_rank = _min_rank(parks, plots, F, cluster)
    sector_name = np.array(SECTOR_NAMES, dtype=object)[F["sector"]]
    locked = (F["must"] & F["staying"] & cluster[park[np.maximum(F["cur"], 0)]]
              & np.isin(sector_name, HEAVY_SECTORS) & (F["must_plot"] == F["cur"]))
    noise_use, zoned, noise_budget = _noise(p, rng, parks, plots, F, national)
    claims = _claims(p, parks, plots, comp_cls)
    targets = _lifecycle_targets(p, parks, plots, F, min_rank)
    hyper = F["hyper"]
    allowed, restrictions = _hyperscale_parks(p, parks) if hyper.any() else (np.ones(len(national), bool), None)
    sector_out = sector_name.copy()
    sector_out[hyper] = HYPERSCALE_SECTOR

    def pair_ok(fi: np.ndarray, pj: np.ndarray) -> np.ndarray:
        t = park[pj]
        return (F["cat"][fi] >= min_rank[t]) & (~hyper[fi] | allowed[t])

    stats = {"clusters": int(cluster.sum()), "national_interest": int(national.sum()),
             "locked_plots": int(lock_plot.sum()), "locked_firms": int(locked.sum()),
             "min_category_terrains": int((min_rank > 0).sum()), "noise_terrains": int(zoned.sum()),
             "noisy_firms": int((noise_use > 0).sum()), "claims": 0 if claims is None else len(claims),
             "lifecycle_targets": 0 if targets is None else len(targets),
             "hyperscale_firms": int(hyper.sum()), "hyperscale_terrains": int(allowed.sum()) if hyper.any() else 0}
    return {"national_interest": national, "min_category": np.where(min_rank > 0, "4.1", "").astype(object),
            "noise_budget": noise_budget,
            "locked_werkmilieu": np.where(lock_plot, WERKMILIEUS[WM["industrieel"]], "").astype(object),
            "locked": locked, "noise_use": noise_use, "sector": sector_out,
            "claims": claims, "lifecycle_targets": targets, "restrictions": restrictions,
            "pair_ok": pair_ok, "stats": stats}


def _clusters(p: Preset, parks: dict, plots: dict, comp_cls: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per park: in a cluster of national interest (near a cluster, offers industrieel, not
    transformed), of national interest at all; per plot: industrieel locked (an existing
    industrieel plot of a cluster park, not reserved for compensating another class)."""
    park, pstatus = plots["park"], parks["status"]
    n_parks, ind = len(parks["terrain_id"]), WM["industrieel"]
    near = _nearest_km(parks["x"], parks["y"], _points([q for c in CLUSTERS.values() for q in c]))
    offers_ind = np.bincount(park, weights=(plots["wm_bits"] >> ind) & 1, minlength=n_parks) > 0
    cluster = (near <= p.cluster_radius_km) & (pstatus != "transform") & offers_ind
    national = parks["national_interest"] | cluster
    lock_plot = (cluster[park] & (pstatus[park] == "existing") & (plots["current"] == ind)
                 & (((plots["wm_bits"] >> ind) & 1) == 1) & np.isin(comp_cls, [-1, ind]))
    return cluster, national, lock_plot


def _min_rank(parks: dict, plots: dict, F: dict[str, np.ndarray], cluster: np.ndarray) -> np.ndarray:
    """Per park: the minimum category's rank (4.1 on cluster parks without a lighter must-place
    firm, which must keep its plot), 0 for none."""
    park, n_parks = plots["park"], len(parks["terrain_id"])
    light = F["must"] & (F["cat"] < NOISE_FROM)
    light_on = np.bincount(park[F["must_plot"][light]], minlength=n_parks) > 0
    return np.where(cluster & ~light_on, RANK["4.1"], 0)


def _noise(p: Preset, rng: np.random.Generator, parks: dict, plots: dict, F: dict[str, np.ndarray],
           national: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Noise use per firm (category 4.1 and up, by floor, doubling per step), the zoned parks and
    their budgets (present use times a factor around 1, never below the must-place firms' use)."""
    park, pstatus, n_parks = plots["park"], parks["status"], len(parks["terrain_id"])
    cur0, must, stay = np.maximum(F["cur"], 0), F["must"], F["staying"]
    tname = np.array(TYPE_NAMES, dtype=object)[parks["type"]]
    loud = F["cat"] >= NOISE_FROM
    noise_use = np.where(loud, np.round(F["floor"] / 1000.0 * NOISE_PER_1000M2 * 2.0 ** (F["cat"] - NOISE_FROM), 2),
                         0.0)
    zoned = (pstatus != "transform") & (national | np.isin(tname, ["haven", "zwaar"]))
    present = np.bincount(park[cur0[stay]], weights=noise_use[stay], minlength=n_parks)
    must_use = np.bincount(park[F["must_plot"][must]], weights=noise_use[must], minlength=n_parks)
    cap_t = np.bincount(park, weights=plots["cap"], minlength=n_parks)
    room = np.where(present > 0, present * rng.uniform(*p.noise_slack, n_parks), cap_t / 1000.0 * NOISE_PER_1000M2)
    room = np.ceil(np.maximum(room, must_use * 1.01) * 10.0) / 10.0
    return noise_use, zoned, np.where(zoned, room, np.nan)


def _claims(p: Preset, parks: dict, plots: dict, comp_cls: np.ndarray) -> pd.DataFrame | None:
    """Claims (C9): keep a share of the present industrieel and productie stock of each region."""
    park = plots["park"]
    status, region = parks["status"][park], parks["region"][park]
    rows = []
    for w, keep in (("industrieel", p.claim_keep_industrieel), ("productie", p.claim_keep_productie)):
        k = WM[w]
        own = (status == "existing") & (plots["current"] == k) & np.isin(comp_cls, [-1, k])
        cap = pd.Series(plots["cap"][own]).groupby(region[own]).sum()
        for r, c in cap.items():
            if c > 0 and keep > 0:
                rows.append({"region": r, "werkmilieu": w, "min_floor_m2": float(np.floor(keep * c)),
                             "max_floor_m2": np.nan})
    return pd.DataFrame(rows, columns=["region", "werkmilieu", "min_floor_m2", "max_floor_m2"]) if rows else None


def _lifecycle_targets(p: Preset, parks: dict, plots: dict, F: dict[str, np.ndarray],
                       min_rank: np.ndarray) -> pd.DataFrame | None:
    """Lifecycle targets (C10): room for a share of the startups and scale-ups where they are now
    (and may stay: the minimum category allows them, their substation is not congested)."""
    park, cur0 = plots["park"], np.maximum(F["cur"], 0)
    region = parks["region"][park]
    can_stay = F["staying"] & (F["cat"] >= min_rank[park[cur0]]) & ~F["hyper"] & ~F["plot_congested"][cur0]
    rows = []
    for s, si in (("startup", 0), ("scaleup", 2)):
        sel = can_stay & (F["stage"] == si)
        fl = pd.Series(F["floor"][sel]).groupby(region[cur0[sel]]).sum()
        for r, v in fl.items():
            if v > 0 and p.lifecycle_keep > 0:
                rows.append({"region": r, "lifecycle": s, "min_placed_m2": float(np.floor(p.lifecycle_keep * v))})
    return pd.DataFrame(rows, columns=["region", "lifecycle", "min_placed_m2"]) if rows else None


def _hyperscale_parks(p: Preset, parks: dict) -> tuple[np.ndarray, pd.DataFrame]:
    """The parks within ``hyperscale_radius_km`` of Eemshaven and Hollands Kroon (the nearest park
    stands for an area with none in range), and the restriction of the hyperscale sector to them."""
    n_parks = len(parks["terrain_id"])
    ok = parks["status"] != "transform"
    allowed = np.zeros(n_parks, dtype=bool)
    for pt in _points(HYPERSCALE.values()):
        d = np.hypot(parks["x"] - pt[0], parks["y"] - pt[1]) / 1000.0
        hit = ok & (d <= p.hyperscale_radius_km)
        if not hit.any():
            hit = np.zeros(n_parks, dtype=bool)
            hit[np.flatnonzero(ok)[np.argmin(d[ok])]] = True
        allowed |= hit
    return allowed, pd.DataFrame({"sector": [HYPERSCALE_SECTOR],
                                  "terrain_ids": [";".join(parks["terrain_id"][allowed])]})
