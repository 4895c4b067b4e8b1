"""Firms: sectors, life stages, sizes and the firm sampler.

Existing firms are drawn *on* their present plot, so that every present
location is plausible: the sector is drawn from the sectors whose werkmilieus
include the plot's present werkmilieu and whose categories fit under the plot's
maximum category (quay plots attract water-bound sectors), the category from
the sector's mix truncated to what the plot allows, water-bound only on quay
plots. New demand is drawn the same way on a template plot (the kind of place
it looks for); its home is near that plot. Sizes: a present plot's occupied
floor (82-98 % of its capacity) is split among the firms on it; the life stage
follows from the size by Bayes' rule over the stage size distributions below.
Every figure is an assumption documented in docs/generator.md.
"""

from __future__ import annotations

import numpy as np

from ..data.vocab import CATEGORIES, LIFECYCLES, RANK, WERKMILIEUS
from ..data.vocab import WM_INDEX as WM

#: manifest defaults (spec section 4): highest category per werkmilieu, industrial reservation
WM_MAX_RANK = np.array([RANK["6"], RANK["4.2"], RANK["3.2"], RANK["2"]])   # in WERKMILIEUS order
IND_MIN_RANK = RANK["4.1"]
#: floor space of one establishment per life stage: (median m2, lognormal sigma)
STAGE_FLOOR = {"startup": (300.0, 0.7), "mkb": (1_500.0, 0.8), "scaleup": (4_000.0, 0.7), "large": (15_000.0, 0.8)}
#: value added multiplier per stage (startups earn less per m2 at first, scale-ups more)
STAGE_VALUE = {"startup": 0.7, "mkb": 1.0, "scaleup": 1.3, "large": 1.1}
#: one-off base relocation cost per stage (EUR), on top of the per-m2 cost
STAGE_RELOC = {"startup": 10_000.0, "mkb": 50_000.0, "scaleup": 100_000.0, "large": 300_000.0}
#: max_move_km choices and weights per stage (existing firms keep staff and customers)
STAGE_MOVE = {"startup": ((5, 10, 15), (0.4, 0.4, 0.2)), "mkb": ((5, 10, 15, 20), (0.25, 0.35, 0.25, 0.15)),
              "scaleup": ((10, 15, 20, 30), (0.2, 0.3, 0.3, 0.2)), "large": ((10, 20, 30), (0.3, 0.4, 0.3))}
NEW_STAGE_BOOST = np.array([2.0, 1.0, 1.5, 0.7])   # new demand: more startups and scale-ups
RELOC_EUR_M2 = (50.0, 150.0)       # moving + fitting out per m2 floor, times the sector factor
VALUE_SIGMA = 0.35                 # lognormal spread of value added per m2 within a sector
JOBS_SIGMA = 0.25
E_TRUCK_SHARE, E_TRUCK_FACTOR = 0.15, (3.0, 5.0)   # logistics with electric trucks: 3-10 MW
GRID_SIZE_CLIP = (0.6, 1.6)        # grid need scales with sqrt(floor / typical floor), clipped
QUAY_BOOST = 6.0                   # a quay plot attracts water-bound sectors: weight x (1 + 6 p_water)

# sector: share, werkmilieus (where it fits), category mix, P(water-bound | quay plot),
# needs a quay, value added per job (EUR/yr), floor per job (m2), stage prior
# (startup, mkb, scaleup, large), grid MW of a typical firm (lo, hi), typical floor (m2),
# P(emits N), kg N per year of an emitter (lo, hi; log-uniform), relocation cost factor
SECTORS: dict[str, tuple] = {
    "logistiek": (0.16, ("productie", "industrieel"), {"3.1": .3, "3.2": .4, "4.1": .3}, 0.05, False,
                  75_000, 150, (.03, .52, .15, .30), (0.5, 2.0), 20_000, 0.7, (100, 1_500), 1.0),
    "groothandel": (0.08, ("productie", "innovatie"), {"3.1": .5, "3.2": .5}, 0.02, False,
                    90_000, 90, (.08, .62, .15, .15), (0.1, 0.5), 5_000, 0.3, (20, 200), 1.0),
    "maakindustrie": (0.14, ("productie", "industrieel"), {"3.2": .35, "4.1": .35, "4.2": .30}, 0.03, False,
                      95_000, 90, (.05, .60, .15, .20), (0.2, 2.0), 6_000, 0.4, (20, 400), 1.5),
    "voedingsmiddelen": (0.06, ("productie", "industrieel"), {"3.2": .3, "4.1": .4, "4.2": .3}, 0.05, False,
                         110_000, 100, (.05, .55, .15, .25), (0.3, 3.0), 8_000, 0.6, (100, 2_000), 2.0),
    "chemie": (0.03, ("industrieel", "productie"),
               {"4.2": .2, "5.1": .25, "5.2": .25, "5.3": .15, "6": .15}, 0.45, False,
               250_000, 200, (.02, .38, .15, .45), (1.0, 15.0), 20_000, 0.9, (1_000, 20_000), 4.0),
    "hightech_pharma": (0.08, ("innovatie", "productie"), {"2": .3, "3.1": .4, "3.2": .3}, 0.0, False,
                        160_000, 55, (.25, .40, .20, .15), (0.2, 3.0), 5_000, 0.05, (10, 100), 2.0),
    "zakelijke_diensten": (0.13, ("stedelijk", "innovatie"), {"1": .4, "2": .6}, 0.0, False,
                           95_000, 25, (.30, .55, .10, .05), (0.05, 0.4), 2_000, 0.0, (1, 1), 0.6),
    "bouw": (0.08, ("productie", "industrieel"), {"3.1": .35, "3.2": .4, "4.1": .25}, 0.03, False,
             80_000, 80, (.10, .70, .10, .10), (0.1, 0.5), 2_500, 0.5, (20, 200), 1.0),
    "recycling": (0.05, ("industrieel", "productie"), {"4.1": .3, "4.2": .3, "5.1": .25, "5.2": .15}, 0.25,
                  False, 85_000, 150, (.05, .60, .15, .20), (0.2, 2.0), 6_000, 0.7, (100, 1_500), 2.0),
    "maritiem_bulk": (0.04, ("industrieel", "productie"), {"4.2": .3, "5.1": .3, "5.2": .25, "5.3": .15}, 0.9,
                      True, 120_000, 250, (.03, .52, .15, .30), (0.3, 3.0), 10_000, 0.8, (200, 5_000), 3.0),
    "datacenter": (0.005, ("productie", "innovatie"), {"3.1": .3, "3.2": .5, "4.1": .2}, 0.0, False,
                   300_000, 300, (.10, .40, .20, .30), (5.0, 30.0), 10_000, 0.2, (20, 200), 3.0),
    "ambacht_detail": (0.145, ("stedelijk", "productie", "innovatie"), {"2": .4, "3.1": .4, "3.2": .2}, 0.0,
                       False, 60_000, 60, (.20, .65, .10, .05), (0.05, 0.3), 1_500, 0.1, (5, 50), 0.8),
}
SECTOR_NAMES = tuple(SECTORS)
_S = list(SECTORS.values())
SHARE = np.array([s[0] for s in _S])
HAS_WM = np.array([[w in s[1] for w in WERKMILIEUS] for s in _S])                  # sectors x 4
CAT_P = np.array([[s[2].get(c, 0.0) for c in CATEGORIES] for s in _S])            # sectors x 10 (rank-1)
P_WATER = np.array([s[3] for s in _S])
NEED_QUAY = np.array([s[4] for s in _S])
VA_M2 = np.array([s[5] / s[6] for s in _S])                                      # EUR per m2 floor per year
M2_JOB = np.array([s[6] for s in _S], dtype=float)
STAGE_PRIOR = np.array([s[7] for s in _S])
MW = np.array([s[8] for s in _S])
REF_FLOOR = np.array([s[9] for s in _S], dtype=float)
P_N = np.array([s[10] for s in _S])
N_KG = np.array([s[11] for s in _S], dtype=float)
RELOC_F = np.array([s[12] for s in _S])
STAGE_MED = np.array([STAGE_FLOOR[s][0] for s in LIFECYCLES])
STAGE_SIG = np.array([STAGE_FLOOR[s][1] for s in LIFECYCLES])


def _pick(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One column index per row, with probability proportional to the row's weights."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1)


def draw_kind(rng: np.random.Generator, plot_rank: np.ndarray, wm: np.ndarray, quay: np.ndarray):
    """Sector, water-bound and category of firms that fit a plot of rank ``plot_rank``
    designated ``wm`` (index into WERKMILIEUS), with quay access ``quay``.

    Returns (sector index, water_bound, category rank, werkmilieu bit mask of the firm).
    """
    n = len(plot_rank)
    hi = np.minimum(plot_rank, WM_MAX_RANK[wm])
    ind = wm == WM["industrieel"]
    lo_nw = np.where(ind, IND_MIN_RANK, 1)
    ranks = np.arange(1, 11)
    in_nw = (ranks[None, :] >= lo_nw[:, None]) & (ranks[None, :] <= hi[:, None])       # n x 10
    in_w = ranks[None, :] <= hi[:, None]
    mass_nw = in_nw.astype(float) @ CAT_P.T                                             # n x sectors
    mass_w = in_w.astype(float) @ CAT_P.T
    ok_nw = (mass_nw > 0) & ~NEED_QUAY[None, :]
    ok_w = quay[:, None] & (P_WATER[None, :] > 0) & (mass_w > 0)
    weight = SHARE[None, :] * HAS_WM[:, wm].T * (ok_nw | ok_w)
    weight = weight * np.where(quay[:, None], 1.0 + QUAY_BOOST * P_WATER[None, :], 1.0)
    if not (weight.sum(axis=1) > 0).all():   # pragma: no cover - every plot kind has a sector
        raise RuntimeError("a plot fits no sector")
    sector = _pick(rng, weight)
    r = np.arange(n)
    can_nw, can_w = ok_nw[r, sector], ok_w[r, sector]
    water = can_w & (~can_nw | (rng.random(n) < P_WATER[sector]))
    lo = np.where(water, 1, lo_nw)
    cp = CAT_P[sector] * ((ranks[None, :] >= lo[:, None]) & (ranks[None, :] <= hi[:, None]))
    cat = _pick(rng, cp) + 1
    bits = np.zeros(n, dtype=np.int64)
    for i in range(4):
        fits = HAS_WM[sector, i] & (cat <= WM_MAX_RANK[i])
        if i == WM["industrieel"]:
            fits &= (cat >= IND_MIN_RANK) | water
        bits |= np.where(fits, 1 << i, 0)
    assert ((bits >> wm) & 1).all()
    return sector, water, cat, bits


def size_scale(floor: np.ndarray, sector: np.ndarray) -> float:
    """How many establishments' worth of floor one firm record stands for (geometric mean ratio)."""
    expected_log = STAGE_PRIOR[sector] @ np.log(STAGE_MED)
    return float(max(0.3, np.exp(np.mean(np.log(floor)) - np.mean(expected_log))))


def stage_from_size(rng: np.random.Generator, floor: np.ndarray, sector: np.ndarray, scale: float) -> np.ndarray:
    """Life stage given the floor: prior of the sector x the stage's lognormal size density."""
    z = (np.log(floor / scale)[:, None] - np.log(STAGE_MED)[None, :]) / STAGE_SIG[None, :]
    like = np.exp(-0.5 * z ** 2) / STAGE_SIG[None, :]
    return _pick(rng, STAGE_PRIOR[sector] * like + 1e-300)


def stage_for_new(rng: np.random.Generator, sector: np.ndarray) -> np.ndarray:
    return _pick(rng, STAGE_PRIOR[sector] * NEW_STAGE_BOOST[None, :])


def floor_for_stage(rng: np.random.Generator, stage: np.ndarray, scale: float) -> np.ndarray:
    return STAGE_MED[stage] * scale * np.exp(STAGE_SIG[stage] * rng.standard_normal(len(stage)))


def attributes(rng: np.random.Generator, sector: np.ndarray, stage: np.ndarray, floor: np.ndarray,
               scale: float, existing: np.ndarray) -> dict[str, np.ndarray]:
    """Value added, jobs, grid MW, nitrogen kg, relocation cost and max_move_km of firms."""
    n = len(sector)
    value = floor * VA_M2[sector] * np.array([STAGE_VALUE[s] for s in LIFECYCLES])[stage] \
        * np.exp(VALUE_SIGMA * rng.standard_normal(n))
    jobs = np.maximum(1.0, np.round(floor / M2_JOB[sector] * np.exp(JOBS_SIGMA * rng.standard_normal(n))))
    size = np.clip(np.sqrt(floor / (scale * REF_FLOOR[sector])), *GRID_SIZE_CLIP)
    mw = rng.uniform(MW[sector, 0], MW[sector, 1]) * size
    etruck = (np.asarray(SECTOR_NAMES, dtype=object)[sector] == "logistiek") & (rng.random(n) < E_TRUCK_SHARE)
    mw = np.where(etruck, mw * rng.uniform(*E_TRUCK_FACTOR, n), mw)
    emits = rng.random(n) < P_N[sector]
    lo, hi = N_KG[sector, 0], N_KG[sector, 1]
    kg = np.exp(rng.uniform(np.log(lo), np.log(hi))) * size
    nitrogen = np.where(emits, np.round(kg), 0.0)
    reloc = np.array([STAGE_RELOC[s] for s in LIFECYCLES])[stage] \
        + floor * rng.uniform(*RELOC_EUR_M2, n) * RELOC_F[sector]
    reloc = np.where(existing, np.round(reloc, -3), 0.0)
    move = np.full(n, np.nan)
    for si, s in enumerate(LIFECYCLES):
        sel = existing & (stage == si)
        choices, w = STAGE_MOVE[s]
        move[sel] = rng.choice(np.array(choices, dtype=float), size=int(sel.sum()), p=np.array(w))
    return {"value": np.round(value, -2), "jobs": jobs, "grid_mw": np.round(mw, 3),
            "nitrogen_kg": nitrogen, "relocation": reloc, "max_move_km": move}


def occupy(rng: np.random.Generator, cap: np.ndarray, candidates: np.ndarray, vacant_share: float,
           n_firms: int, occupancy: tuple[float, float]):
    """Existing firms on plots: which plot each firm is on and its floor.

    ``candidates``: plots that may host present firms. A share stays vacant; the
    others host 1 + a multinomial share of the remaining firms (more on larger
    plots); 82-98 % of a plot's floor capacity is occupied, split among its firms
    with Gamma(0.8) weights. Returns (plot index per firm, floor per firm).
    """
    cand = np.flatnonzero(candidates)
    occ = cand[rng.random(len(cand)) >= vacant_share]
    if len(occ) == 0:
        occ = cand
    if n_firms <= len(occ):
        occ = rng.choice(occ, size=n_firms, replace=False, p=cap[occ] / cap[occ].sum())
        counts = np.ones(len(occ), dtype=np.int64)
    else:
        w = cap[occ] ** 0.7
        counts = 1 + rng.multinomial(n_firms - len(occ), w / w.sum())
    plot = np.repeat(occ, counts)
    share = rng.gamma(0.8, size=len(plot)) + 1e-9
    tot = np.bincount(plot, weights=share, minlength=len(cap))
    o = rng.uniform(*occupancy, len(cap))
    floor = np.floor(o[plot] * cap[plot] * share / tot[plot])
    per_plot = np.bincount(plot, minlength=len(cap))[plot]
    floor = np.maximum(floor, np.maximum(1.0, np.minimum(20.0, np.floor(cap[plot] / per_plot))))
    # never more than the plot holds
    used = np.bincount(plot, weights=floor, minlength=len(cap))
    over = used[plot] > cap[plot]
    floor = np.where(over, np.maximum(1.0, np.floor(floor * cap[plot] / used[plot])), floor)
    return plot, floor
