"""Grid substations and Natura 2000 nitrogen: deposition kernel and headroom.

Substations: about one per ``parks_per_substation`` parks (more where the
present load asks for it), sited by a few rounds of area-weighted k-means on
the park centres; every plot of a park hangs on the park's substation. A rating
of 40-150 MW (data README); available = min(rating, spare x present load +
10 % of the rating), and for a congested share (netcongestie) less than the
present load. Natura 2000: the real sites (see :mod:`.natura2000`) with a plot
within 25 km of their edge; deposition from the kernel of :func:`deposition`;
headroom relative to the present deposition of the instance's firms, tight for
a share of the areas. Must-place firms always keep room (grid and nitrogen), so
the instance stays feasible.
"""

from __future__ import annotations

import numpy as np

from .geo import natura2000
from .presets import Preset

KG_TO_MOL = 71.4          # 1 kg N = 71.4 mol N (data README)
RATING_SPARE = 0.10       # share of a substation's rating free for growth on top of the present load
NEW_AREA_HEADROOM = (100.0, 1_000.0)   # mol/yr for areas without present deposition from the firms
GUARD = 1.02              # must-place needs x GUARD always fit


def _nearest(ax, ay, bx, by, chunk: int = 2_000_000) -> np.ndarray:
    """Index of the nearest b for every a (chunked broadcast)."""
    out = np.empty(len(ax), dtype=np.int64)
    step = max(1, chunk // max(len(bx), 1))
    for s in range(0, len(ax), step):
        d = (ax[s:s + step, None] - bx[None, :]) ** 2 + (ay[s:s + step, None] - by[None, :]) ** 2
        out[s:s + step] = d.argmin(axis=1)
    return out


def substations(p: Preset, rng: np.random.Generator, parks: dict, plots: dict, plot_load: np.ndarray,
                plot_must: np.ndarray) -> tuple[dict, np.ndarray]:
    """Substation table and the substation index of every plot.

    ``plot_load``: grid MW of the present firms on each plot (firms on transform
    parks left out: they have to go); ``plot_must``: MW of must-place firms on it.
    """
    n_parks = len(parks["terrain_id"])
    park_load = np.bincount(plots["park"], weights=plot_load, minlength=n_parks)
    mean_rating = 0.5 * (p.substation_mw[0] + p.substation_mw[1])
    n_sub = max(1, round(n_parks / p.parks_per_substation),
                int(np.ceil(park_load.sum() / (p.substation_load_share * mean_rating))))
    n_sub = min(n_sub, n_parks)
    w = parks["net_m2"]
    seeds = rng.choice(n_parks, size=n_sub, replace=False, p=w / w.sum())
    cx, cy = parks["x"][seeds].copy(), parks["y"][seeds].copy()
    for _ in range(4):                                 # area-weighted k-means, a few rounds
        a = _nearest(parks["x"], parks["y"], cx, cy)
        ws = np.bincount(a, weights=w, minlength=n_sub)
        has = ws > 0
        cx[has] = np.bincount(a, weights=w * parks["x"], minlength=n_sub)[has] / ws[has]
        cy[has] = np.bincount(a, weights=w * parks["y"], minlength=n_sub)[has] / ws[has]
    a = _nearest(parks["x"], parks["y"], cx, cy)
    used = np.unique(a)                               # drop substations that feed no park
    remap = np.full(n_sub, -1)
    remap[used] = np.arange(len(used))
    park_sub = remap[a]
    n_sub = len(used)
    plot_sub = park_sub[plots["park"]]
    load = np.bincount(plot_sub, weights=plot_load, minlength=n_sub)
    must = np.bincount(plot_sub, weights=plot_must, minlength=n_sub)
    rating = np.round(rng.uniform(*p.substation_mw, n_sub))
    congested = rng.random(n_sub) < p.congested_share
    normal = np.minimum(rating, load * rng.uniform(*p.spare_factor, n_sub) + RATING_SPARE * rating)
    tight = load * rng.uniform(*p.congested_factor, n_sub)
    avail = np.where(congested, tight, normal)
    avail = np.maximum(avail, must * GUARD)
    avail = np.ceil(avail * 100.0) / 100.0
    table = {"substation_id": np.array([f"S{i + 1:03d}" for i in range(n_sub)], dtype=object),
             "available_mw": avail, "rating_mw": rating, "load_mw": load, "congested": avail < load}
    return table, plot_sub


def deposition(p: Preset, px: np.ndarray, py: np.ndarray):
    """Natura 2000 sites in reach and the sparse deposition table of the plots.

    Kernel (illustrative, not AERIUS): the emitted N that is deposited nearby is
    spread over the plane with density share * exp(-d/L) / (2 pi L d) per km2
    (which integrates to ``deposition_share``); a site of area A km2 at effective
    distance d_eff = max(d - r/2, 0.5 km) (d: plot to site centroid, r: radius of a
    disc of area A) receives A times that density, at most the whole share. Zero
    when the site's edge (d - r) is more than ``deposition_cutoff_km`` away.
    mol_per_kg = 71.4 x that fraction. Returns (sites dict, plot index, site index, mol_per_kg).
    """
    sites = natura2000()
    A = sites["area_ha"] / 100.0
    r = np.sqrt(A / np.pi)
    L, share, cut = p.deposition_length_km, p.deposition_share, p.deposition_cutoff_km
    pi_, si_, coef = [], [], []
    step = max(1, 2_000_000 // len(A))
    for s in range(0, len(px), step):
        d = np.hypot(px[s:s + step, None] - sites["x"][None, :], py[s:s + step, None] - sites["y"][None, :]) / 1000.0
        ok = (d - r[None, :]) <= cut
        i, j = np.nonzero(ok)
        dd = d[i, j]
        deff = np.maximum(dd - 0.5 * r[j], 0.5)
        frac = np.minimum(share, share * A[j] * np.exp(-deff / L) / (2 * np.pi * L * deff))
        pi_.append(i + s)
        si_.append(j)
        coef.append(np.round(KG_TO_MOL * frac, 6))
    pi_, si_, coef = np.concatenate(pi_), np.concatenate(si_), np.concatenate(coef)
    keep = coef > 0
    pi_, si_, coef = pi_[keep], si_[keep], coef[keep]
    used = np.unique(si_)
    remap = np.full(len(A), -1)
    remap[used] = np.arange(len(used))
    sites = {k: v[used] for k, v in sites.items()}
    return sites, pi_, remap[si_], coef


def headroom(p: Preset, rng: np.random.Generator, n_sites: int, dep_plot: np.ndarray, dep_site: np.ndarray,
             coef: np.ndarray, plot_kg: np.ndarray, plot_must_kg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Headroom per site: tight (0.5-0.95 x the present deposition of the firms) for a share
    of the sites, else 1.2-2 x; never below what the must-place firms deposit. Returns
    (headroom mol, present deposition mol)."""
    present = np.bincount(dep_site, weights=coef * plot_kg[dep_plot], minlength=n_sites)
    must = np.bincount(dep_site, weights=coef * plot_must_kg[dep_plot], minlength=n_sites)
    tight = rng.random(n_sites) < p.tight_share
    f = np.where(tight, rng.uniform(*p.tight_factor, n_sites), rng.uniform(*p.loose_factor, n_sites))
    room = np.where(present > 0, f * present, rng.uniform(*NEW_AREA_HEADROOM, n_sites))
    room = np.maximum(room, must * GUARD)
    return np.ceil(room * 10.0) / 10.0, present
