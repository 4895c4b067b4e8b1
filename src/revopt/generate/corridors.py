"""Multimodal corridor networks for generated instances (spec section 7).

    from revopt.generate import generate, generate_corridors
    inst = generate("province", seed=1)
    cor = generate_corridors(inst, seed=1)       # CorridorData: nodes, edges, plot_access, freight
    cor.write(directory)                         # corridor_nodes.csv, corridor_edges.csv, plot_access.csv
    firms = cor.firms_with_freight(inst.firms)   # firms.csv plus freight_kt, destination_node, modes

The network is the Dutch freight backbone of :mod:`.corridor_data` (real ports,
terminals, waterways and rail lines; UN/LOCODE places) plus road junctions at
the anchor places near the instance's plots (``geo.PLACES``) and, where parks
lie farther than ``terrain_gap_km`` from every node, at the centre of those
parks. Edges:

- water: the waterway chains; capacity = average load of the largest RWS ship
  class (CEMT table) x loaded passages a year x ``free_share`` (kt a year;
  background traffic takes the rest); sea fairways unbounded;
- rail: the freight line chains; capacity = train paths a day x 365 x
  ``train_t`` x ``free_share``;
- road: a motorway-like graph over all nodes, the ``road_k`` nearest
  neighbours of each node plus a Euclidean minimum spanning tree (so it is
  connected); unbounded.

Lengths are straight distance x a detour factor per mode (:data:`DETOUR`),
rounded up to 10 m. Capacities are raised where needed so that the instance
in which every must-place or locked firm stays on its present plot (or, for
new must-place firms, takes any one of its plots) fits C8 with a margin
(:data:`GUARD`): the route of a pair is fixed (its cheapest route), so
without this a must-place firm could make the instance infeasible.

Plot access: every plot joins the road at its ``road_access_nodes`` nearest
nodes, rail at the nearest rail terminal within ``rail_access_km``, water (quay
plots only) at the nearest port within ``water_access_km``; access_km = straight
distance x the road detour. Firm freight by sector: :data:`FREIGHT`.
docs/generator.md ("Corridor networks") gives every figure and its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ..data.vocab import MODE_CODE, MODE_PRIORITY, MODES
from ..data.vocab import TARIFF_DEFAULTS as TARIFF  # the manifest's defaults: the generator writes no [transport]
from .corridor_data import NODES, RAIL_LINES, SHIP_LOAD_T, WATERWAYS
from .geo import PLACES, wgs84_to_rd

#: route length / straight distance per mode: the Dutch motorway network runs about 1.2-1.3 x the
#: straight line between towns; rail lines follow the old corridors (1.2); rivers meander (1.3)
DETOUR = {"road": 1.25, "rail": 1.2, "water": 1.3}
GUARD = 1.05          # must-place / locked freight x GUARD always fits an edge
NODE_COLUMNS = ["node_id", "x", "y", "kind"]
EDGE_COLUMNS = ["edge_id", "u", "v", "mode", "length_km", "capacity_kt"]
ACCESS_COLUMNS = ["plot_id", "node_id", "mode", "access_km"]
FREIGHT_COLUMNS = ["freight_kt", "destination_node", "modes"]
ROTTERDAM = "NLMSV"   # the container destination "Rotterdam": the Maasvlakte deep-sea terminals

# sector: P(the firm ships freight), tonnes per m2 of floor a year (median; lognormal sigma
# FREIGHT_SIGMA), mode sets (road | rail;road | water;rail;road) weights, destination weights
# (Rotterdam, nearest seaport, nearest hub). Loose calibration, docs/generator.md.
FREIGHT: dict[str, tuple] = {
    "logistiek": (0.95, 1.5, (0.55, 0.30, 0.15), (0.45, 0.15, 0.40)),
    "groothandel": (0.90, 1.0, (0.85, 0.10, 0.05), (0.25, 0.15, 0.60)),
    "maakindustrie": (0.85, 0.6, (0.75, 0.15, 0.10), (0.35, 0.20, 0.45)),
    "voedingsmiddelen": (0.90, 1.2, (0.70, 0.15, 0.15), (0.35, 0.25, 0.40)),
    "chemie": (1.00, 3.0, (0.30, 0.30, 0.40), (0.40, 0.50, 0.10)),
    "hightech_pharma": (0.60, 0.1, (1.00, 0.00, 0.00), (0.30, 0.10, 0.60)),
    "zakelijke_diensten": (0.00, 0.0, (1.00, 0.00, 0.00), (0.00, 0.00, 1.00)),
    "bouw": (0.70, 0.8, (0.85, 0.00, 0.15), (0.10, 0.30, 0.60)),
    "recycling": (0.95, 2.0, (0.40, 0.20, 0.40), (0.30, 0.50, 0.20)),
    "maritiem_bulk": (1.00, 6.0, (0.10, 0.20, 0.70), (0.30, 0.70, 0.00)),
    "datacenter": (0.00, 0.0, (1.00, 0.00, 0.00), (0.00, 0.00, 1.00)),
    "ambacht_detail": (0.30, 0.1, (1.00, 0.00, 0.00), (0.00, 0.00, 1.00)),
}
#: sector names of other instances (instances/make_demo.py) -> a row of FREIGHT; others: maakindustrie
SECTOR_ALIAS = {"zware_industrie": "chemie", "hightech": "hightech_pharma", "policy_hyperscale": "datacenter"}
FREIGHT_SIGMA = 0.5
MODE_SETS = ("road", "rail;road", "water;rail;road")


@dataclass(frozen=True)
class CorridorKnobs:
    """Knobs of :func:`corridor_network` (docs/generator.md, "Corridor networks")."""

    free_share: float = 0.10          # share of a waterway's / rail line's capacity left for this instance
    train_t: float = 1_000.0          # net load of a freight train (t)
    road_k: int = 4                   # road edges to the k nearest nodes (plus a spanning tree)
    road_access_nodes: int = 2        # road access rows per plot (its nearest nodes)
    rail_access_km: float = 10.0      # a plot reaches a rail terminal this close (straight line)
    water_access_km: float = 10.0     # a quay plot reaches a port this close (straight line)
    junction_place_km: float = 20.0   # anchor places this close to a plot become road junctions ...
    junction_gap_km: float = 4.0      # ... unless a backbone node is this close
    terrain_gap_km: float = 10.0      # parks farther than this from every node get a junction
    tight_share: float = 0.10         # used water / rail edges with less room than the present flow
    tight_factor: tuple[float, float] = (0.80, 0.95)   # ... capacity / present flow on those
    spare_factor: tuple[float, float] = (1.2, 2.0)     # otherwise at least present flow x this


@dataclass
class CorridorData:
    """The corridor tables of one instance; ``freight`` has one row per firm (``firm_id`` + the
    three firm columns of spec section 7). ``node_info`` adds name, UN/LOCODE and coordinate
    source; ``edge_info`` the waterway / line and the physical capacity behind each edge."""

    nodes: pd.DataFrame
    edges: pd.DataFrame
    plot_access: pd.DataFrame
    freight: pd.DataFrame
    node_info: pd.DataFrame
    edge_info: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)

    def firms_with_freight(self, firms: pd.DataFrame) -> pd.DataFrame:
        """``firms`` with the columns freight_kt, destination_node, modes (replaced if present)."""
        out = firms.drop(columns=[c for c in FREIGHT_COLUMNS if c in firms.columns])
        fr = self.freight.set_index("firm_id").reindex(out["firm_id"].astype(str))
        for c in FREIGHT_COLUMNS:
            out[c] = fr[c].to_numpy()
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"corridor_nodes.csv": self.nodes, "corridor_edges.csv": self.edges,
                "plot_access.csv": self.plot_access}

    def write(self, directory: str | Path) -> None:
        """Write the three corridor files (not firms.csv: see :meth:`firms_with_freight`)."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        for name, df in self.tables().items():
            df.to_csv(d / name, index=False, lineterminator="\n")


# ----------------------------------------------------------------------------- backbone
def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'s-", "s-")).strip("-")


def backbone_nodes() -> pd.DataFrame:
    """The nodes of :data:`.corridor_data.NODES` in RD New, with name, locode, access flags, source."""
    lat = np.array([n[4] for n in NODES])
    lon = np.array([n[5] for n in NODES])
    x, y = wgs84_to_rd(lat, lon)
    return pd.DataFrame({
        "node_id": [n[0] for n in NODES], "x": np.round(x, 1), "y": np.round(y, 1), "kind": [n[3] for n in NODES],
        "name": [n[1] for n in NODES], "locode": [n[2] for n in NODES],
        "rail_access": [n[6] for n in NODES], "water_access": [n[7] for n in NODES],
        "source": [n[8] for n in NODES]})


def water_capacity_kt(ship_class: str, passages: int | None, free_share: float,
                      ship_load_t: dict[str, float] | None = None) -> float:
    """Capacity of a waterway for the instance (kt a year): average load of the largest ship
    class x loaded passages a year x free share; NaN (unbounded) for sea fairways."""
    if passages is None:
        return float("nan")
    load = (SHIP_LOAD_T if ship_load_t is None else ship_load_t)[ship_class]
    return float(np.ceil(load * passages * free_share / 1000.0))


def rail_capacity_kt(paths_per_day: int, free_share: float, train_t: float) -> float:
    """Capacity of a rail line for the instance (kt a year): paths a day x 365 x train load x free share."""
    return float(np.ceil(paths_per_day * 365.0 * train_t * free_share / 1000.0))


def _length_km(ax, ay, bx, by, detour) -> np.ndarray:
    d = np.hypot(np.asarray(ax) - np.asarray(bx), np.asarray(ay) - np.asarray(by)) / 1000.0
    return np.ceil(d * detour * 100.0 - 1e-9) / 100.0


def _chain_edges(nodes: pd.DataFrame, chains) -> pd.DataFrame:
    """Edges along chains of (mode, corridor name, capacity_kt (NaN: unbounded), node ids); the
    first chain that joins two nodes by a mode wins. Length = straight x DETOUR[mode], rounded up."""
    rows, seen = [], set()
    for mode, name, cap, chain in chains:
        for a, b in zip(chain[:-1], chain[1:]):
            key = (mode, min(a, b), max(a, b))
            if a != b and key not in seen:
                seen.add(key)
                rows.append((a, b, mode, float(cap), name))
    df = pd.DataFrame(rows, columns=["u", "v", "mode", "capacity_kt", "corridor"])
    pos = nodes.set_index("node_id")[["x", "y"]]
    a, b = pos.loc[df["u"]].to_numpy(float), pos.loc[df["v"]].to_numpy(float)
    df["length_km"] = _length_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1], df["mode"].map(DETOUR).to_numpy(float))
    return df


def assemble_edges(nodes: pd.DataFrame, chains, road_k: int | None = None) -> pd.DataFrame:
    """corridor_edges with a ``corridor`` column: the chains (see :func:`_chain_edges`) plus, with
    ``road_k``, a road graph over all nodes (k nearest neighbours + spanning tree, unbounded; road
    chains given explicitly come first). Edge ids ``road-001``, ``rail-001``, ``water-001``, ..."""
    chained = _chain_edges(nodes, chains)
    parts = [chained]
    if road_k is not None:
        road = _road_edges(nodes, road_k)
        have = {(min(u, v), max(u, v)) for u, v, m in zip(chained["u"], chained["v"], chained["mode"]) if m == "road"}
        keep = [(min(u, v), max(u, v)) not in have for u, v in zip(road["u"], road["v"])]
        parts.append(road[keep])
    df = pd.concat(parts, ignore_index=True)
    df["_m"] = df["mode"].map(MODE_CODE)
    df = df.sort_values("_m", kind="stable").drop(columns="_m").reset_index(drop=True)
    df.insert(0, "edge_id", "")
    for m in MODES:
        sel = (df["mode"] == m).to_numpy()
        width = max(3, len(str(int(sel.sum()))))
        df.loc[sel, "edge_id"] = [f"{m}-{i + 1:0{width}d}" for i in range(int(sel.sum()))]
    df["capacity_kt"] = df["capacity_kt"].astype(float)
    return df


def _road_edges(nodes: pd.DataFrame, k: int) -> pd.DataFrame:
    """k nearest neighbours + Euclidean minimum spanning tree (Prim), unbounded."""
    xy = nodes[["x", "y"]].to_numpy()
    n = len(xy)
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    np.fill_diagonal(d, np.inf)
    pairs = set()
    kk = min(k, n - 1)
    if kk > 0:
        nn = np.argsort(d, axis=1, kind="stable")[:, :kk]
        for i in range(n):
            for j in nn[i]:
                pairs.add((min(i, int(j)), max(i, int(j))))
    # Prim
    if n > 1:
        inside = np.zeros(n, bool)
        inside[0] = True
        best = d[0].copy()
        parent = np.zeros(n, dtype=np.int64)
        for _ in range(n - 1):
            cand = np.where(inside, np.inf, best)
            j = int(np.argmin(cand))
            pairs.add((min(j, int(parent[j])), max(j, int(parent[j]))))
            inside[j] = True
            closer = d[j] < best
            best = np.where(closer, d[j], best)
            parent = np.where(closer, j, parent)
    pairs = sorted(pairs)
    ids = nodes["node_id"].to_numpy()
    i = np.array([p[0] for p in pairs], dtype=np.int64)
    j = np.array([p[1] for p in pairs], dtype=np.int64)
    return pd.DataFrame({"u": ids[i], "v": ids[j], "mode": "road", "capacity_kt": np.nan,
                         "corridor": "road (nearest neighbours)",
                         "length_km": _length_km(xy[i, 0], xy[i, 1], xy[j, 0], xy[j, 1], DETOUR["road"])})


def _nearest_dist(ax, ay, bx, by, chunk: int = 4_000_000) -> tuple[np.ndarray, np.ndarray]:
    """(index of the nearest b, distance in m) for every a."""
    idx = np.empty(len(ax), dtype=np.int64)
    dist = np.empty(len(ax))
    step = max(1, chunk // max(len(bx), 1))
    for s in range(0, len(ax), step):
        d = np.hypot(ax[s:s + step, None] - bx[None, :], ay[s:s + step, None] - by[None, :])
        idx[s:s + step] = d.argmin(axis=1)
        dist[s:s + step] = d[np.arange(len(d)), idx[s:s + step]]
    return idx, dist


def _junctions(nodes: pd.DataFrame, plots: pd.DataFrame, knobs: CorridorKnobs) -> pd.DataFrame:
    """Road junctions: anchor places near the plots, then the centres of far-away parks (grid cells)."""
    px, py = plots["x"].to_numpy(float), plots["y"].to_numpy(float)
    lat = np.array([p[1] for p in PLACES])
    lon = np.array([p[2] for p in PLACES])
    qx, qy = wgs84_to_rd(lat, lon)
    _, to_plot = _nearest_dist(qx, qy, px, py)
    _, to_node = _nearest_dist(qx, qy, nodes["x"].to_numpy(), nodes["y"].to_numpy())
    keep = (to_plot <= knobs.junction_place_km * 1000.0) & (to_node > knobs.junction_gap_km * 1000.0)
    names = np.array([p[0] for p in PLACES], dtype=object)[keep]
    jn = pd.DataFrame({"node_id": ["J-" + _slug(s) for s in names], "x": np.round(qx[keep], 1),
                       "y": np.round(qy[keep], 1), "kind": "junction", "name": names, "locode": "",
                       "rail_access": False, "water_access": False, "source": "geo.PLACES"})
    allx = np.r_[nodes["x"].to_numpy(), jn["x"].to_numpy()]
    ally = np.r_[nodes["y"].to_numpy(), jn["y"].to_numpy()]
    # parks (mean plot position per terrain) still far from every node
    centre = plots.groupby("terrain_id", sort=True)[["x", "y"]].mean()
    cx, cy = centre["x"].to_numpy(float), centre["y"].to_numpy(float)
    _, dc = _nearest_dist(cx, cy, allx, ally)
    far = dc > knobs.terrain_gap_km * 1000.0
    if far.any():
        cell = knobs.terrain_gap_km * 1000.0
        g = pd.DataFrame({"gx": np.floor(cx[far] / cell).astype(int), "gy": np.floor(cy[far] / cell).astype(int),
                          "x": cx[far], "y": cy[far]}).groupby(["gx", "gy"], sort=True).mean().reset_index()
        cj = pd.DataFrame({"node_id": [f"J-{int(a // 1000)}-{int(b // 1000)}" for a, b in zip(g["x"], g["y"])],
                           "x": np.round(g["x"].to_numpy(), 1), "y": np.round(g["y"].to_numpy(), 1),
                           "kind": "junction", "name": "park cluster", "locode": "", "rail_access": False,
                           "water_access": False, "source": "park centres"})
        cj = cj[~cj["node_id"].duplicated()]
        jn = pd.concat([jn, cj], ignore_index=True)
    return jn


def build_network(plots: pd.DataFrame, knobs: CorridorKnobs = CorridorKnobs(),
                  ship_load_t: dict[str, float] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(nodes with info columns, edges with info columns) for the plots of an instance."""
    bb = backbone_nodes()
    nodes = pd.concat([bb, _junctions(bb, plots, knobs)], ignore_index=True)
    chains = [("water", w[0], water_capacity_kt(w[1], w[2], knobs.free_share, ship_load_t), w[3])
              for w in WATERWAYS]
    chains += [("rail", r[0], rail_capacity_kt(r[1], knobs.free_share, knobs.train_t), r[2]) for r in RAIL_LINES]
    edges = assemble_edges(nodes, chains, road_k=knobs.road_k)
    phys = {w[0]: water_capacity_kt(w[1], w[2], 1.0, ship_load_t) for w in WATERWAYS}
    phys.update({r[0]: rail_capacity_kt(r[1], 1.0, knobs.train_t) for r in RAIL_LINES})
    edges["physical_kt"] = edges["corridor"].map(phys).astype(float)
    return nodes, edges


# ----------------------------------------------------------------------------- plot access
def plot_access(plots: pd.DataFrame, nodes: pd.DataFrame, edges: pd.DataFrame,
                knobs: CorridorKnobs = CorridorKnobs()) -> pd.DataFrame:
    """Where each plot joins each mode's network (spec section 7 plot_access.csv)."""
    px, py = plots["x"].to_numpy(float), plots["y"].to_numpy(float)
    pid = plots["plot_id"].astype(str).to_numpy()
    out = []
    on = {m: set(edges.loc[edges["mode"] == m, "u"]) | set(edges.loc[edges["mode"] == m, "v"]) for m in MODES}
    # road: the k nearest nodes of the road network
    road_nodes = nodes[nodes["node_id"].isin(on["road"])]
    nx_, ny_ = road_nodes["x"].to_numpy(float), road_nodes["y"].to_numpy(float)
    k = min(knobs.road_access_nodes, len(road_nodes))
    step = max(1, 4_000_000 // len(road_nodes))
    for s in range(0, len(px), step):
        d = np.hypot(px[s:s + step, None] - nx_[None, :], py[s:s + step, None] - ny_[None, :])
        nn = np.argsort(d, axis=1, kind="stable")[:, :k]
        dd = np.take_along_axis(d, nn, axis=1)
        access_km = np.ceil(dd.ravel() / 1000.0 * DETOUR["road"] * 100.0 - 1e-9) / 100.0
        out.append(pd.DataFrame({"plot_id": np.repeat(pid[s:s + step], k),
                                 "node_id": road_nodes["node_id"].to_numpy()[nn.ravel()],
                                 "mode": "road", "access_km": access_km}))
    quay = plots["quay"].astype(bool).to_numpy() if "quay" in plots else np.zeros(len(plots), bool)
    for mode, flag, limit, mask in (("rail", "rail_access", knobs.rail_access_km, np.ones(len(plots), bool)),
                                    ("water", "water_access", knobs.water_access_km, quay)):
        sel = nodes[nodes[flag].astype(bool) & nodes["node_id"].isin(on[mode])]
        if sel.empty or not mask.any():
            continue
        i, d = _nearest_dist(px[mask], py[mask], sel["x"].to_numpy(), sel["y"].to_numpy())
        ok = d <= limit * 1000.0
        out.append(pd.DataFrame({"plot_id": pid[mask][ok], "node_id": sel["node_id"].to_numpy()[i[ok]],
                                 "mode": mode,
                                 "access_km": np.ceil(d[ok] / 1000.0 * DETOUR["road"] * 100.0 - 1e-9) / 100.0}))
    acc = pd.concat(out, ignore_index=True)
    order = {p: i for i, p in enumerate(pid)}
    acc["_o"] = acc["plot_id"].map(order)
    acc["_m"] = acc["mode"].map({"road": 0, "rail": 1, "water": 2})
    acc = acc.sort_values(["_o", "_m"], kind="stable").drop(columns=["_o", "_m"]).reset_index(drop=True)
    return acc[ACCESS_COLUMNS]


# ----------------------------------------------------------------------------- firm freight
def firm_freight(firms: pd.DataFrame, plots: pd.DataFrame, nodes: pd.DataFrame, rng: np.random.Generator,
                 edges: pd.DataFrame | None = None, rotterdam: str = ROTTERDAM) -> pd.DataFrame:
    """freight_kt, destination_node and modes per firm, by sector (:data:`FREIGHT`).

    Destinations: Rotterdam (:data:`ROTTERDAM`), the seaport nearest to the firm, or the
    hub nearest to it (the firm's present plot; new demand: the centre of the instance's
    plots). Water-bound firms always list water;rail;road. A destination is always a node
    on the road network, so every firm with freight has a road route from every plot.
    """
    n = len(firms)
    sector = firms["sector"].astype(str).map(lambda s: SECTOR_ALIAS.get(s, s))
    sector = sector.where(sector.isin(list(FREIGHT)), "maakindustrie").to_numpy()
    row = np.array([FREIGHT[s] for s in sector], dtype=object)
    p_f = np.array([r[0] for r in row], dtype=float)
    t_m2 = np.array([r[1] for r in row], dtype=float)
    mode_w = np.array([r[2] for r in row], dtype=float)
    dest_w = np.array([r[3] for r in row], dtype=float)
    u_f, z, u_m, u_d = rng.random(n), rng.standard_normal(n), rng.random(n), rng.random(n)
    floor = firms["floor_space_m2"].to_numpy(float)
    has = (u_f < p_f) & (t_m2 > 0)
    kt = np.where(has, np.maximum(0.1, np.round(floor * t_m2 * np.exp(FREIGHT_SIGMA * z) / 1e3, 1)), 0.0)
    has = kt > 0
    mset = np.minimum((u_m[:, None] >= np.cumsum(mode_w, axis=1) / mode_w.sum(axis=1, keepdims=True)).sum(axis=1), 2)
    water = firms["water_bound"].astype(bool).to_numpy() if "water_bound" in firms else np.zeros(n, bool)
    mset = np.where(water, 2, mset)
    # the firm's location: its present plot, else the centre of the instance
    pos = plots.set_index(plots["plot_id"].astype(str))[["x", "y"]]
    cur = firms["current_plot"].fillna("").astype(str) if "current_plot" in firms else pd.Series([""] * n)
    known = cur.isin(pos.index).to_numpy()
    fx = np.full(n, plots["x"].astype(float).mean())
    fy = np.full(n, plots["y"].astype(float).mean())
    if known.any():
        xy = pos.loc[cur[known]].to_numpy(float)
        fx[known], fy[known] = xy[:, 0], xy[:, 1]
    ok = nodes
    if edges is not None:
        on_road = set(edges.loc[edges["mode"] == "road", "u"]) | set(edges.loc[edges["mode"] == "road", "v"])
        ok = nodes[nodes["node_id"].isin(on_road)]
    sea = ok[ok["kind"] == "seaport"]
    hub = ok[ok["kind"] == "hub"]
    if sea.empty:
        raise ValueError("the corridor network has no seaport on the road network")
    if hub.empty:                                      # no hub: the nearest seaport instead
        hub = sea
    i_sea, _ = _nearest_dist(fx, fy, sea["x"].to_numpy(), sea["y"].to_numpy())
    i_hub, _ = _nearest_dist(fx, fy, hub["x"].to_numpy(), hub["y"].to_numpy())
    choice = np.minimum((u_d[:, None] >= np.cumsum(dest_w, axis=1) / dest_w.sum(axis=1, keepdims=True)).sum(axis=1), 2)
    if rotterdam not in set(ok["node_id"]):            # no Rotterdam node: the nearest seaport
        choice = np.maximum(choice, 1)
    dest = np.where(choice == 0, rotterdam,
                    np.where(choice == 1, sea["node_id"].to_numpy()[i_sea], hub["node_id"].to_numpy()[i_hub]))
    return pd.DataFrame({"firm_id": firms["firm_id"].astype(str).to_numpy(), "freight_kt": kt,
                         "destination_node": np.where(has, dest, ""),
                         "modes": np.where(has, np.array(MODE_SETS, dtype=object)[mset], "road")})


# ----------------------------------------------------------------------------- routes (spec section 7)
def _graphs(edges: pd.DataFrame) -> dict[str, nx.Graph]:
    g = {}
    for m in MODES:
        e = edges[edges["mode"] == m]
        G = nx.Graph()
        G.add_edges_from((u, v, {"length": float(w), "edge_id": i})
                         for u, v, w, i in zip(e["u"], e["v"], e["length_km"], e["edge_id"]))
        g[m] = G
    return g


def cheapest_routes(firm_ids, plot_ids, freight: pd.DataFrame, access: pd.DataFrame, edges: pd.DataFrame,
                    tariff: dict[str, float] | None = None, with_edges: bool = True) -> pd.DataFrame:
    """The route of each (firm, plot) pair as spec section 7 defines it: the cheapest main mode of
    the firm's modes (water also for water-bound firms: pass them with ``water`` in ``modes``) for
    which the plot has an access row, a road pre-haul of access_km, then the shortest path of that
    mode to the destination; ties water, rail, road. Returns firm_id, plot_id, mode, node_id,
    cost_eur_per_t (NaN: no route) and, with ``with_edges``, the edge ids along the path.
    An independent reading of the spec for the generator's checks and tests (shares no code with
    revopt.model)."""
    tariff = TARIFF if tariff is None else tariff
    fr = freight.set_index("firm_id")
    q = pd.DataFrame({"firm_id": np.asarray(firm_ids, dtype=object), "plot_id": np.asarray(plot_ids, dtype=object)})
    q["_q"] = np.arange(len(q))
    q["dest"] = fr.loc[q["firm_id"], "destination_node"].to_numpy()
    q["modes"] = fr.loc[q["firm_id"], "modes"].to_numpy()
    graphs = _graphs(edges)
    rows = q.merge(access, on="plot_id", how="inner")
    allowed = np.array([m in set(ms.split(";")) for m, ms in zip(rows["mode"], rows["modes"])], dtype=bool)
    rows = rows[allowed & (rows["dest"] != "")]
    # shortest distances from every destination, per mode
    dist, paths = {}, {}
    for m in MODES:
        G = graphs[m]
        for dnode in rows.loc[rows["mode"] == m, "dest"].unique():
            if dnode in G:
                dd, pp = nx.single_source_dijkstra(G, dnode, weight="length")
                dist[(m, dnode)], paths[(m, dnode)] = dd, pp
    net = np.array([dist.get((m, d), {}).get(v, np.nan)
                    for m, d, v in zip(rows["mode"], rows["dest"], rows["node_id"])], dtype=float)
    rows = rows.assign(cost=rows["access_km"].to_numpy(float) * tariff["road"]
                       + net * rows["mode"].map(tariff).to_numpy(float),
                       _rank=-rows["mode"].map(MODE_PRIORITY).to_numpy())
    rows = rows[np.isfinite(rows["cost"])]
    # cheapest per query: cost (relative 1e-9 ties), then mode order water, rail, road
    rows = rows.assign(_c=np.round(rows["cost"].to_numpy(), 9))
    best = rows.sort_values(["_q", "_c", "_rank"], kind="stable").drop_duplicates("_q")
    out = q[["_q", "firm_id", "plot_id"]].merge(best[["_q", "mode", "node_id", "dest", "cost"]], on="_q", how="left")
    out = out.rename(columns={"cost": "cost_eur_per_t"})
    if with_edges:
        eid = {}
        for u, v, m, i in zip(edges["u"], edges["v"], edges["mode"], edges["edge_id"]):
            eid[(m, u, v)] = eid[(m, v, u)] = i
        cache: dict[tuple, str] = {}
        col = []
        for m, d, v in zip(out["mode"], out["dest"], out["node_id"]):
            if not isinstance(m, str):
                col.append("")
                continue
            key = (m, d, v)
            if key not in cache:
                p = paths[(m, d)][v]
                cache[key] = ";".join(eid[(m, a, b)] for a, b in zip(p[:-1], p[1:]))
            col.append(cache[key])
        out["edges"] = col
    return out.drop(columns=["_q", "dest"])


def _route_modes(freight: pd.DataFrame, firms: pd.DataFrame) -> pd.DataFrame:
    """freight with water added to the modes of water-bound firms (spec: water is allowed for them)."""
    fr = freight.copy()
    if "water_bound" in firms:
        wb = firms.set_index(firms["firm_id"].astype(str))["water_bound"].astype(bool)
        w = fr["firm_id"].map(wb).fillna(False).to_numpy(bool)
        add = w & ~fr["modes"].str.contains("water").to_numpy(bool)
        fr.loc[add, "modes"] = "water;" + fr.loc[add, "modes"]
    return fr


def _edge_load(routes: pd.DataFrame, kt: pd.Series) -> pd.Series:
    """kt a year on each edge when every (firm, plot) route of ``routes`` carries its firm's freight."""
    r = routes[routes["edges"].astype(bool)]
    if r.empty:
        return pd.Series(dtype=float)
    e = r.assign(kt=r["firm_id"].map(kt).to_numpy(float), edge=r["edges"].str.split(";")).explode("edge")
    return e.groupby("edge")["kt"].sum()


# ----------------------------------------------------------------------------- main entry
def corridor_network(plots: pd.DataFrame, terrains: pd.DataFrame, firms: pd.DataFrame, rng: np.random.Generator,
                     *, pairs: pd.DataFrame | None = None, knobs: CorridorKnobs = CorridorKnobs(),
                     ship_load_t: dict[str, float] | None = None) -> CorridorData:
    """The corridor tables for an instance's plots, terrains and firms (spec section 7).

    ``pairs`` (pairs.csv, optional) narrows where a new must-place firm may go when the
    capacities are guarded. ``ship_load_t`` replaces the CEMT average loads (tests).
    """
    plots = plots.copy()
    plots["plot_id"] = plots["plot_id"].astype(str)
    nodes_i, edges_i = build_network(plots, knobs, ship_load_t)
    acc = plot_access(plots, nodes_i, edges_i, knobs)
    freight = firm_freight(firms, plots, nodes_i, rng, edges_i)
    fr_route = _route_modes(freight, firms)
    kt = freight.set_index("firm_id")["freight_kt"]

    # present flows: existing firms with freight on their present plot
    fid = firms["firm_id"].astype(str).reset_index(drop=True)
    cur = (firms["current_plot"].fillna("").astype(str) if "current_plot" in firms
           else pd.Series([""] * len(firms))).reset_index(drop=True)
    has = freight["freight_kt"].to_numpy() > 0
    present = has & cur.isin(set(plots["plot_id"])).to_numpy()
    rp = cheapest_routes(list(fid[present]), list(cur[present]), fr_route, acc, edges_i)
    present_load = _edge_load(rp, kt)
    load = _guard_load(plots, terrains, firms, pairs, fid, cur, has, rp, fr_route, acc, edges_i, kt)
    caps = _capacities(rng, edges_i, present_load, load, knobs)

    stats: dict[str, Any] = {
        "nodes": len(nodes_i), "nodes_by_kind": nodes_i["kind"].value_counts().sort_index().to_dict(),
        "edges_by_mode": edges_i["mode"].value_counts().sort_index().to_dict(),
        "plot_access_by_mode": acc["mode"].value_counts().sort_index().to_dict(),
        "firms_with_freight": int(has.sum()), "freight_kt": round(float(freight["freight_kt"].sum()), 1),
        "modes": freight.loc[has, "modes"].value_counts().sort_index().to_dict(),
        "destinations": int(freight.loc[has, "destination_node"].nunique()),
        "present_routes_by_mode": rp["mode"].value_counts().sort_index().to_dict(),
        "present_kt_by_mode": rp.assign(kt=rp["firm_id"].map(kt)).groupby("mode")["kt"].sum().round(1).to_dict(),
        **caps,
    }
    return CorridorData(
        nodes=nodes_i[NODE_COLUMNS].reset_index(drop=True),
        edges=edges_i[EDGE_COLUMNS].reset_index(drop=True),
        plot_access=acc, freight=freight,
        node_info=nodes_i.reset_index(drop=True),
        edge_info=edges_i[["edge_id", "mode", "corridor", "physical_kt", "capacity_kt"]].reset_index(drop=True),
        stats=stats)


def _guard_load(plots: pd.DataFrame, terrains: pd.DataFrame | None, firms: pd.DataFrame,
                pairs: pd.DataFrame | None, fid: pd.Series, cur: pd.Series, has: np.ndarray,
                rp: pd.DataFrame, fr_route: pd.DataFrame, acc: pd.DataFrame, edges_i: pd.DataFrame,
                kt: pd.Series) -> pd.Series:
    """kt a year per edge that the capacities must carry: the present routes of must-place and
    locked firms that stay, and for a must-place firm that moves (or is new) every edge of any
    route to any of its plots (its pairs, else every plot not on a transform park)."""
    on_transform: set[str] = set()
    if terrains is not None and "status" in terrains:
        tr = set(terrains.loc[terrains["status"] == "transform", "terrain_id"].astype(str))
        on_transform = set(plots.loc[plots["terrain_id"].astype(str).isin(tr), "plot_id"])
    must = firms["must_place"].astype(bool).to_numpy() if "must_place" in firms else np.zeros(len(firms), bool)
    locked = firms["locked"].astype(bool).to_numpy() if "locked" in firms else np.zeros(len(firms), bool)
    stays = (must | locked) & has & cur.isin(set(plots["plot_id"]) - on_transform).to_numpy()
    moves = must & has & ~stays
    load = _edge_load(rp[rp["firm_id"].isin(set(fid[stays]))], kt)
    if not moves.any():
        return load
    mf = set(fid[moves])
    if pairs is not None:
        pp = pairs[pairs["firm_id"].astype(str).isin(mf)]
        mq_f, mq_p = pp["firm_id"].astype(str).to_numpy(), pp["plot_id"].astype(str).to_numpy()
    else:
        open_plots = plots.loc[~plots["plot_id"].isin(on_transform), "plot_id"].to_numpy()
        mfl = np.array(sorted(mf), dtype=object)
        mq_f, mq_p = np.repeat(mfl, len(open_plots)), np.tile(open_plots, len(mfl))
    if not len(mq_f):
        return load
    r = cheapest_routes(mq_f, mq_p, fr_route, acc, edges_i)
    r = r[r["edges"].astype(bool)]
    e = r.assign(edge=r["edges"].str.split(";")).explode("edge")[["firm_id", "edge"]].drop_duplicates()
    e["kt"] = e["firm_id"].map(kt).to_numpy(float)
    return load.add(e.groupby("edge")["kt"].sum(), fill_value=0.0)


def _capacities(rng: np.random.Generator, edges_i: pd.DataFrame, present_load: pd.Series, load: pd.Series,
                knobs: CorridorKnobs) -> dict[str, int]:
    """Set ``edges_i["capacity_kt"]``: the free share of the physical capacity, at least the present
    flow x spare; a congested share of the used edges gets less than the present flow; never below
    the guard. Returns the counts of congested, raised and over-capacity edges."""
    ids = edges_i["edge_id"]
    base = edges_i["capacity_kt"].to_numpy(float)
    bounded = np.isfinite(base)
    pl = present_load.reindex(ids).fillna(0.0).to_numpy()
    ne = len(ids)
    spare = rng.uniform(*knobs.spare_factor, ne)
    tight_f = rng.uniform(*knobs.tight_factor, ne)
    tight = bounded & (pl > 0) & (rng.random(ne) < knobs.tight_share)
    capv = np.where(tight, pl * tight_f, np.maximum(base, pl * spare))
    guard = load.reindex(ids).fillna(0.0).to_numpy() * GUARD
    raised = bounded & (guard > capv)
    capv = np.ceil(np.maximum(capv, guard) * 10.0) / 10.0
    edges_i["capacity_kt"] = np.where(bounded, capv, np.nan)
    return {"congested_edges": int((tight & ~raised).sum()),
            "capacity_raised_for_must_place": int(raised.sum()),
            "edges_over_capacity_if_all_stay": int((bounded & (pl > edges_i["capacity_kt"].to_numpy(float))).sum())}


def corridor_rng(seed: int | None) -> np.random.Generator:
    """The corridors' own random stream (the instance's stream is left untouched)."""
    return np.random.default_rng([0 if seed is None else seed, 7])
