"""Add multimodal corridors (spec section 7) to the bundled instances demo and rijssen-holten.

    python instances/make_corridors.py                    # both instances, in place
    python instances/make_corridors.py demo OUTDIR        # OUTDIR: a copy of instances/demo
    python instances/make_corridors.py rijssen-holten OUTDIR

Writes corridor_nodes.csv, corridor_edges.csv and plot_access.csv into the
instance directory and adds (or replaces) the firm columns freight_kt,
destination_node and modes in its firms.csv; every other column of firms.csv is
kept byte for byte. Run it after make_demo.py / make_rijssen_holten.py (they
rewrite firms.csv without the freight columns), and only with a revopt that
loads the corridor files (spec section 7). Deterministic (seed ``SEED``).

- demo: a small network around the fictional region between Deventer and
  Enschede: Rotterdam (Maasvlakte) and Amsterdam as seaports, the hubs
  Apeldoorn and Oldenzaal (real positions), one waterway (a river junction
  west of Kanaalhaven and a canal with a lock past Kanaaloever to the
  Twentekanaal harbour), one rail line (Maasvlakte - Apeldoorn - three
  terminals - Oldenzaal) and a road graph; the lock is a capacity that binds.
- rijssen-holten: its real surroundings in outline (instances/rijssen-holten/
  README.md): the A1, A35 and N35 to Deventer, Apeldoorn, Hengelo, Almelo and
  Zwolle; the Deventer - Almelo railway with loading points at the Holten and
  Rijssen stations; the Twentekanaal with its Almelo branch (ports Goor,
  Hengelo CTT, Almelo, Enschede) and the IJssel, Rhine/Waal and
  Amsterdam-Rijnkanaal to Rotterdam and Amsterdam. The plots have no quay, so
  water is not used by these firms; the waterways complete the map.

The figures (detour factors, CEMT-based capacities, freight by sector) are those
of the generator (revopt.generate.corridors, docs/generator.md "Corridor
networks").
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from revopt.generate.corridor_data import RAIL_LINES, WATERWAYS
from revopt.generate.corridors import (
    ACCESS_COLUMNS,
    EDGE_COLUMNS,
    FREIGHT_COLUMNS,
    GUARD,
    NODE_COLUMNS,
    CorridorKnobs,
    _route_modes,
    assemble_edges,
    backbone_nodes,
    cheapest_routes,
    firm_freight,
    plot_access,
    rail_capacity_kt,
    water_capacity_kt,
)
from revopt.generate.geo import wgs84_to_rd

HERE = Path(__file__).resolve().parent
SEED = 7
KNOBS = CorridorKnobs()
FREE_SHARE = KNOBS.free_share             # share of a waterway's / line's capacity left for the instance
DEMO_LOCK_SHARE = 0.8                     # demo: the lock passes 80 % of the water freight that wants it now
DEMO_SINGLE_TRACK_KT = 200.0              # demo: free rail capacity of the single-track section Apeldoorn - West


def _node(node_id, x, y, kind, name, rail=False, water=False):
    return {"node_id": node_id, "x": float(x), "y": float(y), "kind": kind, "name": name, "locode": "",
            "rail_access": rail, "water_access": water, "source": "instance script"}


def _real(ids) -> pd.DataFrame:
    bb = backbone_nodes().set_index("node_id")
    return bb.loc[list(ids)].reset_index()


def _local(rows) -> pd.DataFrame:
    """rows of (node_id, lat, lon, kind, name, rail access, water access) -> RD nodes."""
    x, y = wgs84_to_rd([r[1] for r in rows], [r[2] for r in rows])
    return pd.DataFrame([_node(r[0], round(float(a), 1), round(float(b), 1), r[3], r[4], r[5], r[6])
                         for r, a, b in zip(rows, x, y)])


def _national_chains(keep: set[str]):
    """The generator's waterway chains cut to the nodes in ``keep`` (national capacities)."""
    out = []
    for name, ship, passages, chain in WATERWAYS:
        cap = water_capacity_kt(ship, passages, FREE_SHARE)
        part: list[str] = []
        for n in list(chain) + [None]:
            if n is not None and n in keep:
                part.append(n)
                continue
            if len(part) > 1:
                out.append(("water", name, cap, tuple(part)))
            part = []
    return out


# ----------------------------------------------------------------------------- demo
def demo_network():
    nodes = pd.concat([
        _real(["NLMSV", "NLAMS", "NLAPE", "NLOLZ"]),
        pd.DataFrame([
            _node("P-KANAALHAVEN", 206600, 475600, "inland_port", "Kanaalhaven (river port)", water=True),
            _node("P-KANAALOEVER", 212400, 467000, "inland_port", "Kanaaloever quay", water=True),
            _node("P-TWENTEKANAAL", 243200, 471000, "inland_port", "Industriehaven Twentekanaal", water=True),
            _node("J-RIVIER", 205500, 469500, "junction", "river - canal junction"),
            _node("J-SLUIS", 226000, 468500, "junction", "canal lock"),
            _node("R-WEST", 209500, 470800, "rail_terminal", "rail terminal Stationskwartier", rail=True),
            _node("R-HOGEVELD", 227000, 470500, "rail_terminal", "rail terminal Hoge Veld", rail=True),
            _node("R-OOST", 248000, 479000, "rail_terminal", "rail terminal Spoorzone Oost", rail=True),
            _node("J-WEST", 210500, 473500, "junction", "motorway exit West"),
            _node("J-MIDDEN", 225500, 476000, "junction", "motorway exit Midden"),
            _node("J-NOORD", 232500, 480200, "junction", "road junction Reggedal"),
            _node("J-OOST", 250500, 474500, "junction", "motorway exit Oost"),
        ])], ignore_index=True)
    rhine = water_capacity_kt("BII-6L", 60_000, FREE_SHARE)
    ijssel = water_capacity_kt("M8", 20_000, FREE_SHARE)
    canal = water_capacity_kt("M8", 12_000, FREE_SHARE)          # set by the lock below
    line = rail_capacity_kt(24, FREE_SHARE, KNOBS.train_t)
    chains = [
        ("water", "river to Rotterdam", rhine, ("NLMSV", "J-RIVIER")),
        ("water", "IJssel and IJsselmeer to Amsterdam", ijssel, ("J-RIVIER", "NLAMS")),
        ("water", "river port", ijssel, ("J-RIVIER", "P-KANAALHAVEN")),
        ("water", "canal", canal, ("J-RIVIER", "P-KANAALOEVER", "J-SLUIS", "P-TWENTEKANAAL")),
        ("rail", "freight line", line, ("NLMSV", "NLAPE", "R-WEST", "R-HOGEVELD", "R-OOST", "NLOLZ")),
    ]
    return nodes, chains, 3


# ----------------------------------------------------------------------------- Rijssen-Holten
RH_REAL = ["NLMSV", "NLBOT", "NLRTM", "NLABL", "NLGOR", "NLTIE", "NLNIJ", "NLMLR", "NLARN", "NLDOE", "NLZUT",
           "NLEFE", "NLDEV", "NLZWO", "NLKAM", "NLKHV", "NLLEY", "NLAMS", "NLWBD", "NLUTC", "NLGOO", "X-wiene",
           "NLHGL", "NLENS", "NLALM", "NLAPE", "NLAME", "NLOLZ"]
# node_id, lat, lon, kind, name, rail access, water access (approximate WGS84 positions)
RH_LOCAL = [
    ("RH-HOLTEN", 52.2826, 6.4208, "rail_terminal", "Holten station (loading point, assumed)", True, False),
    ("RH-RIJSSEN", 52.3065, 6.5155, "rail_terminal", "Rijssen station (loading point, assumed)", True, False),
    ("J-A1-HOLTEN", 52.270, 6.405, "junction", "A1 exit Holten", False, False),
    ("J-A1-RIJSSEN", 52.283, 6.500, "junction", "A1 exit Rijssen", False, False),
    ("J-AZELO", 52.276, 6.723, "junction", "knooppunt Azelo (A1 / A35)", False, False),
    ("J-WIERDEN", 52.355, 6.590, "junction", "N35 Wierden", False, False),
    ("J-NIJVERDAL", 52.365, 6.460, "junction", "N35 Nijverdal", False, False),
]


def rh_network():
    nodes = pd.concat([_real(RH_REAL), _local(RH_LOCAL)], ignore_index=True)
    lines = {r[0]: r[1] for r in RAIL_LINES}
    rail = lambda paths: rail_capacity_kt(paths, FREE_SHARE, KNOBS.train_t)  # noqa: E731
    nan = float("nan")
    chains = [
        # roads: the A1, A35, N35 and the local roads, and the motorways to the ports (unbounded)
        ("road", "A1", nan, ("NLAMS", "NLAME", "NLAPE", "NLDEV", "J-A1-HOLTEN", "J-A1-RIJSSEN", "J-AZELO",
                             "NLHGL", "NLOLZ")),
        ("road", "A35", nan, ("J-AZELO", "NLALM")),
        ("road", "A35 Hengelo - Enschede", nan, ("NLHGL", "NLENS")),
        ("road", "N35", nan, ("NLZWO", "J-NIJVERDAL", "J-WIERDEN", "NLALM")),
        ("road", "Holten - Rijssen - Wierden", nan, ("J-A1-HOLTEN", "RH-HOLTEN", "RH-RIJSSEN", "J-WIERDEN")),
        ("road", "N350 Rijssen - A1", nan, ("RH-RIJSSEN", "J-A1-RIJSSEN")),
        ("road", "N347 Rijssen - Goor", nan, ("J-A1-RIJSSEN", "NLGOO")),
        ("road", "Holten - Nijverdal", nan, ("RH-HOLTEN", "J-NIJVERDAL")),
        ("road", "N348 Deventer - Zutphen", nan, ("NLDEV", "NLZUT")),
        ("road", "A28", nan, ("NLAME", "NLZWO")),
        ("road", "A1 / A28 / A12 / A20 / A15 to Rotterdam", nan, ("NLAME", "NLUTC", "NLRTM", "NLBOT", "NLMSV")),
        ("road", "A2", nan, ("NLUTC", "NLAMS")),
        ("road", "A50 / A12", nan, ("NLAPE", "NLARN", "NLUTC")),
        # rail: the Deventer - Almelo line with Holten and Rijssen, and the freight lines west
        ("rail", "Deventer - Almelo (Holten, Rijssen)", rail(12), ("NLDEV", "RH-HOLTEN", "RH-RIJSSEN", "NLALM")),
        ("rail", "Almelo - Hengelo - Oldenzaal", rail(40), ("NLALM", "NLHGL", "NLOLZ")),
        ("rail", "Amersfoort - Apeldoorn - Deventer", rail(40), ("NLAME", "NLAPE", "NLDEV")),
        ("rail", "Deventer - Zwolle", rail(lines["Deventer - Zwolle"]), ("NLDEV", "NLZWO")),
        ("rail", "Amersfoort - Zwolle", rail(40), ("NLAME", "NLZWO")),
        ("rail", "Utrecht - Amersfoort", rail(40), ("NLUTC", "NLAME")),
        ("rail", "Amsterdam - Utrecht - Arnhem", rail(40), ("NLAMS", "NLUTC", "NLARN")),
        ("rail", "Rotterdam - Utrecht (Gouda)", rail(24), ("NLRTM", "NLUTC")),
        ("rail", "Havenspoorlijn", rail(160), ("NLMSV", "NLBOT", "NLRTM")),
    ]
    chains += _national_chains(set(RH_REAL))
    return nodes, chains, None


# ----------------------------------------------------------------------------- build
def _typed_firms(raw: pd.DataFrame) -> pd.DataFrame:
    f = raw.copy()
    f["floor_space_m2"] = f["floor_space_m2"].astype(float)
    for c in ("water_bound", "must_place", "locked"):
        if c in f:
            f[c] = f[c].str.lower().isin(["true", "1", "1.0"])
    f["current_plot"] = f["current_plot"].fillna("")
    return f


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".") if np.isfinite(v) else ""


def build(name: str, directory: str | Path) -> dict:
    """Write the corridor files of instance ``name`` (demo | rijssen-holten) into ``directory``,
    which holds that instance's tables; return a few figures."""
    d = Path(directory)
    read = lambda f: pd.read_csv(d / f, dtype=str, keep_default_na=False)  # noqa: E731
    plots, terrains, firms_raw = read("plots.csv"), read("terrains.csv"), read("firms.csv")
    pairs = read("pairs.csv") if (d / "pairs.csv").is_file() else None
    plots_t = plots.assign(x=plots["x"].astype(float), y=plots["y"].astype(float),
                           quay=plots["quay"].str.lower().isin(["true", "1", "1.0"]))
    firms = _typed_firms(firms_raw)
    nodes, chains, road_k = {"demo": demo_network, "rijssen-holten": rh_network}[name]()
    edges = assemble_edges(nodes, chains, road_k=road_k)
    acc = plot_access(plots_t, nodes, edges, KNOBS)
    rng = np.random.default_rng(SEED)
    freight = firm_freight(firms, plots_t, nodes, rng, edges)
    fr_route = _route_modes(freight, firms)
    kt = freight.set_index("firm_id")["freight_kt"]

    # present routes (firms with freight on their plot) and the must-place / locked guard
    transform = set(terrains.loc[terrains["status"] == "transform", "terrain_id"])
    open_plot = set(plots.loc[~plots["terrain_id"].isin(transform), "plot_id"])
    has = freight["freight_kt"].to_numpy() > 0
    cur = firms["current_plot"]
    present = has & cur.isin(set(plots["plot_id"])).to_numpy()
    rp = cheapest_routes(firms.loc[present, "firm_id"], cur[present], fr_route, acc, edges)
    locked = firms["locked"].to_numpy() if "locked" in firms else np.zeros(len(firms), bool)
    stay = has & (firms["must_place"].to_numpy() | locked) & cur.isin(open_plot).to_numpy()
    moving = has & firms["must_place"].to_numpy() & ~stay
    guard = _load(rp[rp["firm_id"].isin(set(firms.loc[stay, "firm_id"]))], kt)
    if moving.any() and pairs is not None:
        mp = pairs[pairs["firm_id"].isin(set(firms.loc[moving, "firm_id"]))]
        r = cheapest_routes(mp["firm_id"], mp["plot_id"], fr_route, acc, edges)
        e = r[r["edges"].astype(bool)].assign(edge=lambda t: t["edges"].str.split(";")).explode("edge")
        e = e[["firm_id", "edge"]].drop_duplicates()
        guard = guard.add(e.assign(kt=e["firm_id"].map(kt)).groupby("edge")["kt"].sum(), fill_value=0.0)
    now = _load(rp, kt)
    if name == "demo":           # the lock: 80 % of the water freight through it today
        lock = edges.index[((edges["u"] == "J-SLUIS") | (edges["v"] == "J-SLUIS")) & (edges["mode"] == "water")]
        through = now.reindex(edges.loc[lock, "edge_id"]).fillna(0.0).max()
        edges.loc[lock, "capacity_kt"] = np.floor(DEMO_LOCK_SHARE * through * 10.0) / 10.0
        # the single-track section Apeldoorn - Kanaalhaven west: few free train paths; it binds at the
        # optimum (240.8 kt would use it without the limit; the optimum drops by 8.0 M EUR)
        single = edges.index[(edges["mode"] == "rail") & edges[["u", "v"]].isin(["NLAPE"]).any(axis=1)
                             & edges[["u", "v"]].isin(["R-WEST"]).any(axis=1)]
        edges.loc[single, "capacity_kt"] = DEMO_SINGLE_TRACK_KT
    g = guard.reindex(edges["edge_id"]).fillna(0.0).to_numpy() * GUARD
    capv = edges["capacity_kt"].to_numpy(float)
    edges["capacity_kt"] = np.where(np.isfinite(capv), np.ceil(np.maximum(capv, g) * 10.0) / 10.0, np.nan)

    # ---- write
    nodes[NODE_COLUMNS].to_csv(d / "corridor_nodes.csv", index=False, lineterminator="\n")
    e_out = edges[EDGE_COLUMNS].copy()
    e_out["length_km"] = e_out["length_km"].map(lambda v: f"{v:.2f}")
    e_out["capacity_kt"] = e_out["capacity_kt"].map(_fmt)
    e_out.to_csv(d / "corridor_edges.csv", index=False, lineterminator="\n")
    a_out = acc[ACCESS_COLUMNS].copy()
    a_out["access_km"] = a_out["access_km"].map(lambda v: f"{v:.2f}")
    a_out.to_csv(d / "plot_access.csv", index=False, lineterminator="\n")
    out = firms_raw.drop(columns=[c for c in FREIGHT_COLUMNS if c in firms_raw.columns])
    fr = freight.set_index("firm_id").loc[out["firm_id"]]
    out["freight_kt"] = fr["freight_kt"].map(_fmt).to_numpy()
    out["destination_node"] = fr["destination_node"].to_numpy()
    out["modes"] = fr["modes"].to_numpy()
    out.to_csv(d / "firms.csv", index=False, lineterminator="\n")
    capn = edges.set_index("edge_id")["capacity_kt"]
    over = now.reindex(capn.index).fillna(0.0) > capn
    return {"nodes": len(nodes), "edges": edges["mode"].value_counts().to_dict(),
            "access": acc["mode"].value_counts().to_dict(), "freight_firms": int(has.sum()),
            "freight_kt": round(float(kt.sum()), 1), "present_modes": rp["mode"].value_counts().to_dict(),
            "edges_over_capacity_if_all_stay": sorted(capn.index[over.to_numpy()])}


def _load(routes: pd.DataFrame, kt: pd.Series) -> pd.Series:
    r = routes[routes["edges"].astype(bool)]
    if r.empty:
        return pd.Series(dtype=float)
    e = r.assign(kt=r["firm_id"].map(kt).to_numpy(float), edge=r["edges"].str.split(";")).explode("edge")
    return e.groupby("edge")["kt"].sum()


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        if len(argv) != 2 or argv[0] not in ("demo", "rijssen-holten"):
            raise SystemExit("usage: make_corridors.py [demo|rijssen-holten OUTDIR]")
        todo = [(argv[0], Path(argv[1]))]
    else:
        todo = [("demo", HERE / "demo"), ("rijssen-holten", HERE / "rijssen-holten")]
    for name, d in todo:
        print(name, build(name, d))


if __name__ == "__main__":
    main()
