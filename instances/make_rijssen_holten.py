"""Build the real-area instance ``instances/rijssen-holten/`` (revopt model v1).

    python instances/make_rijssen_holten.py                  # writes instances/rijssen-holten/
    python instances/make_rijssen_holten.py OUTDIR [GEOJSON]  # elsewhere / another copy of the data

Real: the business parks of the municipality of Rijssen-Holten (IBIS, via
IDgis/Bedrijvenatlas-RH: names, net areas, polygons; the 22 polygons are 20
parks, Veeneslagen has three), converted from WGS84 to RD New with the
polynomial of revopt.generate.geo, and the Natura 2000 sites whose edge lies
within 25 km (INSPIRE 2013 centroids and areas). Synthetic: the plots inside
each real polygon (areas summing to the park's net area), the park types, one
planned extension, which park is transformed, the firms, substations,
deposition kernel and headroom, all from the revopt.generate sampler with a
fixed seed. instances/rijssen-holten/README.md says what is what.

Only the data files (instance.toml and the CSV tables) are (re)written; a
README.md in the output directory is left alone.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

import revopt
from revopt.generate.core import manifest, populate
from revopt.generate.geo import wgs84_to_rd
from revopt.generate.parks import TYPE_NAMES, finish_plots, split_areas
from revopt.generate.presets import preset

HERE = Path(__file__).resolve().parent
DEFAULT_GEOJSON = HERE.parents[1] / "shared" / "data" / "ibis_rijssen_holten.geojson"
SEED = 2
N_PLOTS = 110               # plots over the 20 real parks + the planned extension
N_FIRMS = 280               # a few hundred synthetic firms (85 % with a present plot)
SHORTLIST = 8               # pairs.csv: plots per firm (nearest first, jittered), present plot always
#: park type per real park (a synthetic scenario choice; see the README): old inner-town parks
#: are urban (stedelijk), the parks along the A1 near Holten and Plaagslagen logistics, the rest mixed
TYPES = {
    "Veeneslagen": "stedelijk", "Terrein Slaghekke": "stedelijk", "Verenland": "stedelijk",
    "Terrein OAD": "stedelijk", "De Kol": "stedelijk", "Markeloseweg": "gemengd", "Enterstraat": "gemengd",
    "Plaagslagen": "logistiek", "Vletgaarsmaten 1": "logistiek", "Vletgaarsmaten 2A": "logistiek",
    "Vletgaarsmaten 2B": "logistiek",
}
#: old inner-town mixed parks that may be transformed to housing (the scenario picks one)
TRANSFORM_CANDIDATES = ("Enterstraat", "Markeloseweg")
#: a fictitious planned extension south of Plaagslagen (net ha, offset from Plaagslagen's centroid in m)
PLANNED = ("Plaagslagen-Zuid (fictief, gepland)", 12.0, (0.0, -900.0))


def ring_area_centroid(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Shoelace area (m2, absolute) and centroid of a closed ring."""
    a = x[:-1] * y[1:] - x[1:] * y[:-1]
    A = a.sum() / 2.0
    cx = ((x[:-1] + x[1:]) * a).sum() / (6.0 * A)
    cy = ((y[:-1] + y[1:]) * a).sum() / (6.0 * A)
    return abs(A), cx, cy


def inside(px: np.ndarray, py: np.ndarray, rings: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Points inside any of the rings (even-odd ray casting, vectorised over points and edges)."""
    hit = np.zeros(len(px), dtype=bool)
    for x, y in rings:
        x1, y1, x2, y2 = x[:-1], y[:-1], x[1:], y[1:]
        cross = ((y1[None, :] > py[:, None]) != (y2[None, :] > py[:, None]))
        with np.errstate(divide="ignore", invalid="ignore"):
            xs = x1[None, :] + (py[:, None] - y1[None, :]) * (x2 - x1)[None, :] / (y2 - y1)[None, :]
        hit |= (cross & (px[:, None] < xs)).sum(axis=1) % 2 == 1
    return hit


def edge_distance(px: np.ndarray, py: np.ndarray, rings) -> np.ndarray:
    """Distance (m) from each point to the nearest polygon edge."""
    best = np.full(len(px), np.inf)
    for x, y in rings:
        x1, y1, dx, dy = x[:-1], y[:-1], np.diff(x), np.diff(y)
        L2 = np.maximum(dx * dx + dy * dy, 1e-9)
        t = np.clip(((px[:, None] - x1) * dx + (py[:, None] - y1) * dy) / L2, 0.0, 1.0)
        d = np.hypot(px[:, None] - (x1 + t * dx), py[:, None] - (y1 + t * dy))
        best = np.minimum(best, d.min(axis=1))
    return best


def read_parks(path: Path) -> list[dict]:
    """The real parks: features grouped by RINNUMMER, polygons in RD New."""
    data = json.loads(path.read_text(encoding="utf-8"))
    parks: dict[str, dict] = {}
    for f in data["features"]:
        pr, geom = f["properties"], f["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        rings = []
        for poly in polys:
            lon, lat = np.array(poly[0]).T                    # exterior rings (no holes in this file)
            x, y = wgs84_to_rd(lat, lon)
            rings.append((np.asarray(x), np.asarray(y)))
        key = pr["RINNUMMER"]
        if key not in parks:
            parks[key] = {"rin": key, "name": pr["BEDRIJVENT"], "kern": pr["KERN"],
                          "net_m2": float(pr["OPPNETTO"]), "gross_m2": float(pr["OPPBRUTO"]), "rings": []}
        parks[key]["rings"] += rings
    out = list(parks.values())
    for p in out:
        stats = [ring_area_centroid(x, y) for x, y in p["rings"]]
        A = sum(s[0] for s in stats)
        p["poly_m2"] = A
        p["x"] = sum(s[0] * s[1] for s in stats) / A
        p["y"] = sum(s[0] * s[2] for s in stats) / A
    return out


#: generator knobs of this instance (revopt.generate.presets.Preset fields), on top of preset "small"
KNOBS = dict(n_firms=N_FIRMS, n_plots=N_PLOTS, pairs=True, max_pairs_per_firm=SHORTLIST, new_search_km=10.0,
             existing_share=0.85, min_transform=1, transform_share=0.05, must_place_existing=0.08,
             must_place_new=0.05, occupancy=(0.45, 0.7), policy=False)


def main(out: Path, geojson: Path = DEFAULT_GEOJSON, seed: int = SEED, **knobs) -> revopt.Instance:
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    real = read_parks(geojson)
    plag = next(p for p in real if p["name"] == "Plaagslagen")
    name, ha, (ox, oy) = PLANNED
    n = len(real) + 1
    p = preset("small", **{**KNOBS, "n_parks": n, **knobs})
    parks = {
        "terrain_id": np.array([f"RH{i + 1:02d}" for i in range(n)], dtype=object),
        "name": np.array([r["name"] for r in real] + [name], dtype=object),
        "region": np.array([r["kern"] for r in real] + ["Rijssen"], dtype=object),
        "place": np.array([r["kern"] for r in real] + ["Rijssen"], dtype=object),
        "x": np.array([r["x"] for r in real] + [plag["x"] + ox]),
        "y": np.array([r["y"] for r in real] + [plag["y"] + oy]),
        "type": np.array([TYPE_NAMES.index(TYPES.get(r["name"], "gemengd")) for r in real]
                         + [TYPE_NAMES.index("gemengd")]),
        "net_m2": np.array([r["net_m2"] for r in real] + [ha * 10_000.0]),
        "status": np.array(["existing"] * len(real) + ["planned"], dtype=object),
        "national_interest": np.zeros(n, dtype=bool),
        "dev_cost": np.zeros(n),
        "transform_candidate": np.array([r["name"] in TRANSFORM_CANDIDATES for r in real] + [False]),
    }
    parks["dev_cost"][-1] = round(parks["net_m2"][-1] * rng.uniform(*p.dev_cost_eur_m2), -3)
    # plots: areas summing to each park's net area, positions inside the real polygon
    park, area = split_areas(p, parks["net_m2"], p.n_plots, rng)
    x, y, edge = np.empty(len(park)), np.empty(len(park)), np.empty(len(park))
    for i, r in enumerate(real + [None]):
        idx = np.flatnonzero(park == i)
        if r is None:                                    # the planned extension: a disc
            R = np.sqrt(parks["net_m2"][i] / p.net_gross / np.pi)
            rr, th = R * np.sqrt(rng.random(len(idx))), rng.uniform(0, 2 * np.pi, len(idx))
            x[idx], y[idx] = parks["x"][i] + rr * np.cos(th), parks["y"][i] + rr * np.sin(th)
            edge[idx] = R - rr
            continue
        allx = np.concatenate([rx for rx, _ in r["rings"]])
        ally = np.concatenate([ry for _, ry in r["rings"]])
        got_x, got_y = [], []
        while sum(len(g) for g in got_x) < len(idx):
            cx = rng.uniform(allx.min(), allx.max(), 4 * len(idx) + 16)
            cy = rng.uniform(ally.min(), ally.max(), 4 * len(idx) + 16)
            ok = inside(cx, cy, r["rings"])
            got_x.append(cx[ok])
            got_y.append(cy[ok])
        x[idx] = np.concatenate(got_x)[:len(idx)]
        y[idx] = np.concatenate(got_y)[:len(idx)]
        edge[idx] = edge_distance(x[idx], y[idx], r["rings"])
    plots = finish_plots(p, parks, park, area, x, y, edge, rng)
    plots["quay"][:] = False            # no navigable water at these parks: no quay, so no water-bound firm
    params = manifest(p, seed)
    params["instance"] = {"name": "rijssen-holten", "description": (
        "Rijssen-Holten (Overijssel): the 20 real business parks of IBIS (names, net areas, polygons; "
        "IBIS open data via IDgis/Bedrijvenatlas-RH) and the real Natura 2000 sites within 25 km "
        "(INSPIRE 2013); plots, firms, one planned extension and everything else synthetic "
        f"(revopt.generate sampler, seed {seed}). Made by instances/make_rijssen_holten.py; see README.md.")}
    inst, stats = populate(p, rng, parks, plots, params, seed=seed)
    out.mkdir(parents=True, exist_ok=True)
    for f in ("instance.toml", "terrains.csv", "plots.csv", "firms.csv", "substations.csv",
              "nature_areas.csv", "deposition.csv", "pairs.csv"):
        (out / f).unlink(missing_ok=True)
    inst.write(out)
    inst = revopt.load_instance(out)
    print(f"wrote {out} in {time.perf_counter() - t0:.1f} s: {stats['terrains']} terrains "
          f"{stats['terrains_by_status']}, {stats['plots']} plots, {stats['firms']} firms "
          f"({stats['existing']} existing, {stats['must_place']} must-place), {stats['substations']} substations "
          f"({stats['congested']} congested), {stats['nature_areas']} Natura 2000 areas, "
          f"{stats['deposition_rows']} deposition rows, {stats['pairs']} pairs")
    for r in real:
        print(f"  {r['name']:<22} net {r['net_m2'] / 1e4:6.2f} ha  polygon {r['poly_m2'] / 1e4:6.2f} ha  "
              f"RD ({r['x']:.0f}, {r['y']:.0f})")
    return inst


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "rijssen-holten",
         Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_GEOJSON)
