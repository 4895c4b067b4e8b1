"""Business parks (terrains) and their plots, vectorised.

Parks: a centre near a real place (see :mod:`.geo`), a type (table
:data:`PARK_TYPES`), a lognormal net area (median 6 ha), a status (existing,
planned, transform) and, for large ports and heavy-industry parks, national
interest. Plots: each park's net area split into plots (area sums to the net
area), floor capacity = area x building coverage (50-80 %), the highest
environmental category from a simulated distance to the nearest housing and
the VNG guideline distances, quay access clustered on port parks, the
werkmilieus the plot may get, its present werkmilieu and intensification
options. docs/generator.md gives the sources.
"""

from __future__ import annotations

import numpy as np

from ..data.vocab import RANK, WERKMILIEUS
from .geo import NL_BOX, PROVINCE_PARKS, max_category_index, places
from .presets import Preset

WM = {w: i for i, w in enumerate(WERKMILIEUS)}   # industrieel 0, productie 1, innovatie 2, stedelijk 3

# type: share near an inland place, share near a waterfront place, area factor, median
# buffer to housing (m), housing is a mixed area (gemengd gebied), category cap, werkmilieus
# (primary first), quay probability per plot, name label.
PARK_TYPES: dict[str, tuple] = {
    "stedelijk": (0.15, 0.10, 0.5, 20.0, True, "3.1", ("stedelijk", "innovatie", "productie"), 0.0, "Werklocatie"),
    "campus": (0.06, 0.04, 0.8, 80.0, False, "3.2", ("innovatie", "stedelijk", "productie"), 0.0, "Campus"),
    "gemengd": (0.55, 0.48, 1.0, 50.0, False, "4.2", ("productie", "innovatie", "industrieel"), 0.02,
                "Bedrijvenpark"),
    "logistiek": (0.18, 0.12, 1.8, 150.0, False, "4.2", ("productie", "industrieel"), 0.0, "Logistiek Park"),
    "haven": (0.02, 0.20, 2.5, 250.0, False, "5.3", ("industrieel", "productie"), 0.6, "Haven"),
    "zwaar": (0.04, 0.06, 3.0, 400.0, False, "6", ("industrieel", "productie"), 0.10, "Industrieterrein"),
}
TYPE_NAMES = tuple(PARK_TYPES)
# A werkmilieu is offered on a plot only where the plot's category makes sense for it:
# rank range (inclusive) of the plot's max_category.
WM_PLOT_RANK = {"stedelijk": (1, RANK["3.2"]), "innovatie": (RANK["2"], RANK["4.2"]),
                "productie": (RANK["3.1"], 10), "industrieel": (RANK["4.1"], 10)}
BUFFER_SIGMA = 0.6         # lognormal spread of a park's buffer to housing
ONE_SIDED_SHARE = 0.5      # parks with housing on one side (else all around)
SECONDARY_WM_KEEP = 0.6    # chance that a plot also offers a secondary werkmilieu
CURRENT_PRIMARY = 0.75     # chance that a plot's present werkmilieu is its primary one
# bit mask -> number of set bits, and the k-th set bit (padded with the last one)
_BITS_COUNT = np.array([bin(b).count("1") for b in range(16)])
_BITS_TABLE = np.array([(([i for i in range(4) if b >> i & 1] or [0]) * 4)[:4] for b in range(16)])


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers >= 0 summing to total, proportional to weights."""
    if total <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    q = total * weights / weights.sum()
    n = np.floor(q).astype(np.int64)
    rest = total - n.sum()
    if rest > 0:
        n[np.argsort(-(q - n), kind="stable")[:rest]] += 1
    return n


def make_parks(p: Preset, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Park centres, types, net areas and names (statuses are set by :func:`set_statuses`)."""
    pl = places(*p.place_filter) if p.place_filter else places()
    n = p.n_parks
    if p.by_province:
        provs = np.array(sorted(PROVINCE_PARKS), dtype=object)
        per_prov = _largest_remainder(n, np.array([PROVINCE_PARKS[q] for q in provs], dtype=float))
        place = np.empty(n, dtype=np.int64)
        k = 0
        for prov, m in zip(provs, per_prov):
            idx = np.flatnonzero(pl["province"] == prov)
            place[k:k + m] = rng.choice(idx, size=m, p=pl["weight"][idx] / pl["weight"][idx].sum())
            k += m
        place = place[rng.permutation(n)]
    else:
        place = rng.choice(len(pl["name"]), size=n, p=pl["weight"] / pl["weight"].sum())
    water = pl["waterfront"][place]
    shares = np.array([[t[0], t[1]] for t in PARK_TYPES.values()])        # types x 2
    probs = np.where(water[:, None], shares[:, 1][None, :], shares[:, 0][None, :])
    ptype = (rng.random(n)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
    ptype = np.minimum(ptype, len(TYPE_NAMES) - 1)
    factor = np.array([t[2] for t in PARK_TYPES.values()])[ptype]
    net_ha = np.minimum(p.park_median_ha * factor * np.exp(p.park_sigma * rng.standard_normal(n)), p.park_max_ha)
    net_ha = np.maximum(net_ha, 0.5)
    x = pl["x"][place] + rng.normal(0.0, p.spread_km * 1000.0, n)
    y = pl["y"][place] + rng.normal(0.0, p.spread_km * 1000.0, n)
    x = np.clip(x, NL_BOX[0], NL_BOX[1])
    y = np.clip(y, NL_BOX[2], NL_BOX[3])
    label_col = {"name": "name", "region": "region", "province": "province"}[p.region_label]
    region = pl[label_col][place]
    # names: "<place> <type label> <n>" numbered per place and type
    labels = np.array([PARK_TYPES[TYPE_NAMES[t]][8] for t in ptype], dtype=object)
    base = pl["name"][place] + " " + labels
    order = np.lexsort((np.arange(n), base))
    rank_in = np.empty(n, dtype=np.int64)
    sb = base[order]
    first = np.r_[True, sb[1:] != sb[:-1]]
    grp_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    rank_in[order] = np.arange(n) - grp_start + 1
    names = np.array([f"{b} {r}" for b, r in zip(base, rank_in)], dtype=object)
    return {
        "terrain_id": np.array([f"T{i + 1:04d}" for i in range(n)], dtype=object),
        "name": names, "region": region, "place": pl["name"][place], "x": x, "y": y,
        "type": ptype, "net_m2": np.round(net_ha * 10_000.0),
        "status": np.full(n, "existing", dtype=object),
        "national_interest": np.zeros(n, dtype=bool), "dev_cost": np.zeros(n),
    }


def set_statuses(p: Preset, parks: dict, rng: np.random.Generator) -> None:
    """National interest (large ports / heavy industry) and planned parks.

    Parks to transform are chosen later, by :func:`choose_transform`, once the
    plots exist: only where new space in range can compensate them.
    """
    n = len(parks["terrain_id"])
    tname = np.array(TYPE_NAMES, dtype=object)[parks["type"]]
    heavy = np.isin(tname, ["haven", "zwaar"])
    parks["national_interest"] = heavy & (parks["net_m2"] >= p.national_interest_min_ha * 10_000.0)
    free = ~parks["national_interest"]
    n_plan = min(max(p.min_planned, round(p.planned_share * n)), int(free.sum()) - 1)   # keep one existing
    n_plan = max(n_plan, 0)
    if n_plan:
        w = free * np.where(tname == "stedelijk", 0.2, 1.0)
        plan = rng.choice(n, size=n_plan, replace=False, p=w / w.sum())
        parks["status"][plan] = "planned"
    planned = parks["status"] == "planned"
    parks["dev_cost"] = np.where(planned, np.round(parks["net_m2"] * rng.uniform(*p.dev_cost_eur_m2, n), -3), 0.0)


def split_areas(p: Preset, net_m2: np.ndarray, n_plots: int, rng: np.random.Generator):
    """Plots per park (1 + a share of the rest ~ net area ** exponent) and plot areas that sum
    exactly to each park's net area (lognormal weights). Returns (park index per plot, area)."""
    n_parks = len(net_m2)
    counts = 1 + _largest_remainder(n_plots - n_parks, net_m2 ** p.plots_area_exponent)
    park = np.repeat(np.arange(n_parks), counts)
    m = len(park)
    w = np.exp(p.plot_area_sigma * rng.standard_normal(m))
    wsum = np.bincount(park, weights=w, minlength=n_parks)
    area = net_m2[park] * w / wsum[park]
    # whole m2, each park's sum equal to its net area (its last plot absorbs the rounding)
    area = np.maximum(np.round(area), 1.0)
    diff = net_m2 - np.bincount(park, weights=area, minlength=n_parks)
    last = np.cumsum(counts) - 1
    area[last] = np.maximum(area[last] + diff, 1.0)
    return park, area


def make_plots(p: Preset, parks: dict, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Split every park into plots placed in a disc of the park's gross area; the distance to
    housing is a buffer around the park plus the plot's distance to the park edge (all round,
    or on one side for half of the parks). Attributes follow from :func:`finish_plots`."""
    n_parks = len(parks["terrain_id"])
    park, area = split_areas(p, parks["net_m2"], p.n_plots, rng)
    m = len(park)
    R = np.sqrt(parks["net_m2"] / p.net_gross / np.pi)[park]
    r = R * np.sqrt(rng.random(m))
    theta = rng.uniform(0.0, 2 * np.pi, m)
    x = parks["x"][park] + r * np.cos(theta)
    y = parks["y"][park] + r * np.sin(theta)
    one_sided = rng.random(n_parks) < ONE_SIDED_SHARE
    edge = np.where(one_sided[park], R + r * np.cos(theta), R - r)   # housing beyond x = -R, or all round
    return finish_plots(p, parks, park, area, x, y, edge, rng)


def finish_plots(p: Preset, parks: dict, park: np.ndarray, area: np.ndarray, x: np.ndarray, y: np.ndarray,
                 edge_m: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Plot attributes from park, area, position and distance to the park edge (m).

    floor capacity = area x coverage; distance to housing = the park's buffer
    (lognormal around the type's median) + ``edge_m``; max_category = the
    heaviest VNG category whose guideline distance fits (capped by the park
    type); quay by the type's probability; werkmilieus, present werkmilieu and
    intensification options as documented in docs/generator.md.
    """
    n_parks = len(parks["terrain_id"])
    m = len(park)
    cover = rng.uniform(*p.coverage, m)
    cap = np.maximum(np.round(area * cover), 1.0)
    ttype = parks["type"][park]
    tab = list(PARK_TYPES.values())
    buffer = np.array([t[3] for t in tab])[parks["type"]] * np.exp(BUFFER_SIGMA * rng.standard_normal(n_parks))
    dist = buffer[park] + edge_m
    mixed = np.array([t[4] for t in tab])[ttype]
    cat_i = max_category_index(dist, mixed)
    cap_rank = np.array([RANK[t[5]] for t in tab])[ttype]
    big = parks["national_interest"][park]
    cap_rank = np.where(big & np.isin(ttype, [TYPE_NAMES.index("haven"), TYPE_NAMES.index("zwaar")]),
                        RANK["6"], cap_rank)
    rank = np.minimum(cat_i + 1, cap_rank)
    quay = rng.random(m) < np.array([t[7] for t in tab])[ttype]

    # werkmilieus the plot may get: the type's list (primary first) where the category fits
    wm_bits = np.zeros(m, dtype=np.int64)
    primary = np.full(m, -1, dtype=np.int64)
    for ti, t in enumerate(tab):
        sel = ttype == ti
        for w_name in t[6]:
            lo, hi = WM_PLOT_RANK[w_name]
            ok = sel & (rank >= lo) & (rank <= hi)
            first = ok & (primary < 0)
            keep = first | (ok & (rng.random(m) < SECONDARY_WM_KEEP))
            wm_bits |= np.where(keep, 1 << WM[w_name], 0)
            primary = np.where(first, WM[w_name], primary)
    fallback = np.where(rank >= RANK["4.1"], WM["industrieel"],
                        np.where(rank >= RANK["3.1"], WM["productie"],
                                 np.where(rank >= RANK["2"], WM["innovatie"], WM["stedelijk"])))
    none = primary < 0
    primary = np.where(none, fallback, primary)
    wm_bits = np.where(none, 1 << fallback, wm_bits)
    # present werkmilieu: the primary one, else one of the others offered
    n_wm = _BITS_COUNT[wm_bits]
    pick = np.minimum((rng.random(m) * n_wm).astype(np.int64), 3)
    other = _BITS_TABLE[wm_bits, pick]
    current = np.where(rng.random(m) < CURRENT_PRIMARY, primary, other)

    status = parks["status"][park]
    existing = status == "existing"
    intens = existing & (rng.random(m) < p.intensify_share)
    extra = np.where(intens, np.round(cap * rng.uniform(*p.intensify_extra, m)), 0.0)
    icost = np.where(intens, np.round(extra * rng.uniform(*p.intensify_eur_m2, m), -2), 0.0)
    width = max(5, len(str(m)))
    return {
        "plot_id": np.array([f"P{i + 1:0{width}d}" for i in range(m)], dtype=object),
        "park": park, "x": np.round(x, 1), "y": np.round(y, 1), "area": area, "cap": cap,
        "rank": rank, "quay": quay, "wm_bits": wm_bits, "current": current,
        "extra": extra, "icost": icost, "dist_housing": dist,
    }


def choose_transform(p: Preset, parks: dict, plots: dict, rng: np.random.Generator) -> np.ndarray:
    """Pick the parks to transform to housing, only where the loss can be compensated (spec C7).

    Candidates: existing parks not of national interest (and, when ``parks`` has a
    ``transform_candidate`` mask, only those it marks), urban / mixed / campus
    types first, small parks more likely (weight 1 / sqrt(area)); they are tried
    in random order until ``transform_share`` of the parks (at least
    ``min_transform``) are found or the tries run out. A candidate is kept when a
    greedy cover exists: per lost class (its plots' present werkmilieu), whole
    plots of new space within ``compensation_radius_km`` of its centroid that
    offer the class (planned plots: floor capacity; intensifiable plots: the
    extra floor) are reserved for that class until ``ratio`` x lost (+5 %) is
    covered; credit is shared between transformed parks of one class up to the
    plot's size. Its own plots lose their intensification option. Returns, per
    plot, the class reserved on it (-1 = none): must-place firms are kept off
    plots reserved for another class than their plot's present werkmilieu.
    """
    n = len(parks["terrain_id"])
    tname = np.array(TYPE_NAMES, dtype=object)[parks["type"]]
    status = parks["status"][plots["park"]]
    cls = np.full(len(status), -1, dtype=np.int64)
    cand = (parks["status"] == "existing") & ~parks["national_interest"] & parks.get("transform_candidate", True)
    n_tr = min(max(p.min_transform, round(p.transform_share * n)), int(cand.sum()) - (1 if n > 2 else 0))
    if n_tr <= 0:
        return cls
    pref = np.isin(tname, ["stedelijk", "gemengd", "campus"])
    w = cand * np.where(pref, 1.0, 0.1) / np.sqrt(parks["net_m2"])
    c = np.flatnonzero(w > 0)
    order = c[np.argsort(-np.log(rng.random(len(c))) / w[c], kind="stable")]   # weighted random order
    planned = status == "planned"
    space = np.where(planned, plots["cap"], 0.0) + np.where(status == "existing", plots["extra"], 0.0)
    left = space.copy()
    radius = p.compensation_radius_km * 1000.0
    plots_of = np.split(np.argsort(plots["park"], kind="stable"), np.cumsum(np.bincount(plots["park"],
                                                                                         minlength=n))[:-1])
    found = 0
    for t in order[:max(20, 5 * n_tr)]:
        if found >= n_tr:
            break
        on = plots_of[t]
        if (cls[on] != -1).any():
            continue                      # its extra floor already compensates another park
        src = np.flatnonzero((left > 0) & (plots["park"] != t))
        cx, cy = plots["x"][on].mean(), plots["y"][on].mean()
        near = src[np.hypot(plots["x"][src] - cx, plots["y"][src] - cy) <= radius * (1 - 1e-9)]
        lost = np.bincount(plots["current"][on], weights=plots["cap"][on], minlength=4)
        trial_left, trial_cls, ok = left.copy(), cls.copy(), True
        for k in np.argsort(-lost):
            need = p.compensation_ratio * lost[k] * 1.05
            if need <= 0:
                continue
            usable = near[((plots["wm_bits"][near] >> k) & 1).astype(bool)
                          & ((trial_cls[near] == -1) | (trial_cls[near] == k)) & (trial_left[near] > 0)]
            usable = usable[np.argsort(-trial_left[usable], kind="stable")]
            got = np.cumsum(trial_left[usable])
            if len(got) == 0 or got[-1] < need:
                ok = False
                break
            j = int(np.searchsorted(got, need)) + 1
            use = usable[:j]
            take = np.minimum(trial_left[use], need - np.r_[0.0, got[:j - 1]])
            trial_left[use] -= take
            trial_cls[use] = k
        if ok:
            left, cls = trial_left, trial_cls
            left[on] = 0.0
            parks["status"][t] = "transform"
            plots["extra"][on] = 0.0
            plots["icost"][on] = 0.0
            found += 1
    return cls
