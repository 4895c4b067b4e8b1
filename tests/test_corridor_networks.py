"""Corridor networks of the generator and of instances/make_corridors.py (spec section 7)."""

from __future__ import annotations

import csv
import importlib.util
import math
import os
import shutil

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from conftest import INSTANCES, ROOT
from revopt.generate import generate, generate_corridors, generate_with_corridors
from revopt.generate.corridor_data import NODES, RAIL_LINES, SHIP_LOAD_T, WATERWAYS
from revopt.generate.corridors import (
    DETOUR,
    GUARD,
    TARIFF,
    CorridorKnobs,
    _route_modes,
    build_network,
    cheapest_routes,
    rail_capacity_kt,
    water_capacity_kt,
)

SHARED = ROOT.parent / "shared" / "data"
KINDS = {"junction", "seaport", "inland_port", "rail_terminal", "hub"}
MODE_SETS = {"road", "rail;road", "water;rail;road"}


@pytest.fixture(scope="module")
def small():
    inst, cor, stats = generate_with_corridors("small", 3)
    assert cor is not None
    return inst, cor, stats


def graph(edges: pd.DataFrame, mode: str) -> nx.Graph:
    e = edges[edges["mode"] == mode]
    G = nx.Graph()
    G.add_weighted_edges_from(zip(e["u"], e["v"], e["length_km"].astype(float)))
    return G


def check_tables(nodes, edges, access, firms, plots, *, claim_connected=("road", "rail", "water")):
    """Columns exactly as spec section 7, ids, undirected simple edges, lengths, connectivity,
    routes of the freight firms; returns the per-mode graphs."""
    assert list(nodes.columns) == ["node_id", "x", "y", "kind"]
    assert list(edges.columns) == ["edge_id", "u", "v", "mode", "length_km", "capacity_kt"]
    assert list(access.columns) == ["plot_id", "node_id", "mode", "access_km"]
    assert list(firms.columns[-3:]) == ["freight_kt", "destination_node", "modes"]
    assert nodes["node_id"].is_unique and edges["edge_id"].is_unique
    assert set(nodes["kind"]) <= KINDS and set(edges["mode"]) <= {"road", "rail", "water"}
    ids = set(nodes["node_id"])
    assert set(edges["u"]) <= ids and set(edges["v"]) <= ids
    assert set(access["node_id"]) <= ids and set(access["plot_id"]) <= set(plots["plot_id"])
    assert (edges["u"] != edges["v"]).all()                               # no self-loops
    key = edges.apply(lambda r: (r["mode"],) + tuple(sorted((r["u"], r["v"]))), axis=1)
    assert key.is_unique                                                  # one undirected edge per pair
    pos = nodes.set_index("node_id")[["x", "y"]].astype(float)
    a, b = pos.loc[edges["u"]].to_numpy(), pos.loc[edges["v"]].to_numpy()
    straight = np.hypot(*(a - b).T) / 1000.0
    length = edges["length_km"].astype(float).to_numpy()
    assert (length >= straight - 1e-9).all() and (length > 0).all()
    cap = pd.to_numeric(edges["capacity_kt"], errors="coerce")
    assert (cap.dropna() >= 0).all()
    pp = plots.set_index("plot_id")[["x", "y"]].astype(float)
    d = np.hypot(*(pp.loc[access["plot_id"]].to_numpy() - pos.loc[access["node_id"]].to_numpy()).T) / 1000.0
    assert (access["access_km"].astype(float).to_numpy() >= d - 1e-9).all()
    # every plot joins the road; water only on quay plots, and only at nodes of that mode's network
    assert set(access.loc[access["mode"] == "road", "plot_id"]) == set(plots["plot_id"])
    quay = set(plots.loc[plots["quay"].astype(str).str.lower().isin(["true", "1"]), "plot_id"])
    assert set(access.loc[access["mode"] == "water", "plot_id"]) <= quay
    G = {m: graph(edges, m) for m in ("road", "rail", "water")}
    for m in ("road", "rail", "water"):
        assert set(access.loc[access["mode"] == m, "node_id"]) <= set(G[m].nodes), m
    for m in claim_connected:
        assert nx.is_connected(G[m]), f"{m} network not connected"
    # firm freight: destination exists, modes valid, and a route from the present plot
    kt = firms["freight_kt"].astype(float)
    has = kt > 0
    assert (firms.loc[has, "destination_node"].isin(ids)).all()
    assert (firms.loc[~has, "destination_node"] == "").all()
    assert set(firms["modes"]) <= MODE_SETS
    wb = firms["water_bound"].astype(str).str.lower().isin(["true", "1"])
    assert (firms.loc[wb & has, "modes"] == "water;rail;road").all()
    acc_by_plot = access.groupby("plot_id")
    cur = firms["current_plot"].fillna("").astype(str)
    checked = 0
    for fid, p, dest, modes in zip(firms["firm_id"], cur, firms["destination_node"], firms["modes"]):
        if dest == "" or p == "":
            continue
        rows = acc_by_plot.get_group(p)
        ok = any(m in modes.split(";") and n in G[m] and dest in G[m] and nx.has_path(G[m], n, dest)
                 for n, m in zip(rows["node_id"], rows["mode"]))
        assert ok, (fid, p, dest, modes)
        checked += 1
    assert checked > 0
    return G


# ----------------------------------------------------------------------------- generator
def test_generated_tables_follow_the_spec(small):
    inst, cor, stats = small
    firms = cor.firms_with_freight(inst.firms)
    assert sorted(firms.columns) == sorted(inst.firms.columns)          # the instance carries them already
    kt = cor.freight.set_index("firm_id")["freight_kt"].astype(float)
    assert (inst.firms.set_index("firm_id")["freight_kt"].astype(float) - kt.reindex(inst.firms["firm_id"])
            ).abs().max() < 1e-9
    assert inst.corridor_edges is not None and len(inst.corridor_edges) == len(cor.edges)
    check_tables(cor.nodes, cor.edges, cor.plot_access, firms, inst.plots)
    # realism: freight on most firms, every kind of node, all three modes used today
    assert 0.4 < stats["corridors"]["firms_with_freight"] / len(firms) < 0.95
    assert set(cor.nodes["kind"]) == KINDS
    assert set(stats["corridors"]["present_routes_by_mode"]) == {"road", "rail", "water"}
    assert cor.edges.loc[cor.edges["mode"] == "road", "capacity_kt"].isna().all()
    assert cor.edges.loc[cor.edges["mode"] == "rail", "capacity_kt"].notna().all()


def test_deterministic_per_seed_and_separate_stream(small):
    inst, cor, _ = small
    again = generate_corridors(inst, 3)
    for name, df in cor.tables().items():
        pd.testing.assert_frame_equal(df, again.tables()[name], obj=name)
    pd.testing.assert_frame_equal(cor.freight, again.freight)
    other = generate_corridors(inst, 4)
    assert not other.freight.equals(cor.freight)
    # the instance itself is the same with or without corridors
    plain = generate("small", 3)
    pd.testing.assert_frame_equal(plain.firms, inst.firms)


def test_presets_switch():
    inst, cor, stats = generate_with_corridors("tiny", 0)
    assert cor is None and "corridors" not in stats
    inst, cor, _ = generate_with_corridors("tiny", 0, corridors=True)
    assert cor is not None and len(cor.freight) == len(inst.firms)


def test_lengths_use_the_detour_factors(small):
    _, cor, _ = small
    pos = cor.nodes.set_index("node_id")[["x", "y"]]
    e = cor.edges
    straight = np.hypot(*(pos.loc[e["u"]].to_numpy() - pos.loc[e["v"]].to_numpy()).T) / 1000.0
    factor = e["mode"].map(DETOUR).to_numpy()
    assert np.allclose(e["length_km"], straight * factor, atol=0.011)


def test_capacities_follow_the_cemt_table_and_the_rail_paths():
    plots = pd.DataFrame({"plot_id": ["p"], "terrain_id": ["t"], "x": [200_000.0], "y": [470_000.0]})
    knobs = CorridorKnobs()
    _, edges = build_network(plots, knobs)
    info = {w[0]: w for w in WATERWAYS}
    for _, e in edges[edges["mode"] == "water"].iterrows():
        _, ship, passages, _ = info[e["corridor"]]
        if passages is None:
            assert math.isnan(e["capacity_kt"])
        else:
            assert e["capacity_kt"] == math.ceil(SHIP_LOAD_T[ship] * passages * knobs.free_share / 1000.0)
            assert e["physical_kt"] == math.ceil(SHIP_LOAD_T[ship] * passages / 1000.0)
    paths = {r[0]: r[1] for r in RAIL_LINES}
    for _, e in edges[edges["mode"] == "rail"].iterrows():
        assert e["capacity_kt"] == rail_capacity_kt(paths[e["corridor"]], knobs.free_share, knobs.train_t)
    # other ship loads give other capacities (the table drives them)
    heavier = {k: 2 * v for k, v in SHIP_LOAD_T.items()}
    _, edges2 = build_network(plots, knobs, ship_load_t=heavier)
    w1 = edges.loc[edges["mode"] == "water", "capacity_kt"].dropna()
    w2 = edges2.loc[edges2["mode"] == "water", "capacity_kt"].dropna()
    assert ((w2 - 2 * w1).abs() <= 1.0).all() and (w2 > w1).all()
    assert math.isnan(water_capacity_kt("M8", None, 0.1))


def test_must_place_and_locked_firms_fit_when_they_stay(small):
    inst, cor, _ = small
    firms = inst.firms
    kt = cor.freight.set_index("firm_id")["freight_kt"]
    transform = set(inst.terrains.loc[inst.terrains["status"] == "transform", "terrain_id"])
    open_plots = set(inst.plots.loc[~inst.plots["terrain_id"].isin(transform), "plot_id"])
    stay = (firms["must_place"] | firms.get("locked", False)) & firms["current_plot"].isin(open_plots)
    stay &= firms["firm_id"].map(kt).to_numpy() > 0
    assert stay.sum() >= 5
    r = cheapest_routes(firms.loc[stay, "firm_id"], firms.loc[stay, "current_plot"],
                        _route_modes(cor.freight, firms), cor.plot_access, cor.edges)
    r = r[r["edges"] != ""]
    load = r.assign(kt=r["firm_id"].map(kt), e=r["edges"].str.split(";")).explode("e").groupby("e")["kt"].sum()
    cap = cor.edges.set_index("edge_id")["capacity_kt"]
    assert (load <= cap.reindex(load.index).fillna(np.inf) / GUARD + 1e-6).all()


def test_cheapest_routes_match_a_brute_force(small):
    inst, cor, _ = small
    firms = cor.firms_with_freight(inst.firms)
    sel = firms[(firms["freight_kt"] > 0) & (firms["current_plot"] != "")].head(60)
    r = cheapest_routes(sel["firm_id"], sel["current_plot"], _route_modes(cor.freight, inst.firms),
                        cor.plot_access, cor.edges).set_index("firm_id")
    G = {m: graph(cor.edges, m) for m in TARIFF}
    elen = cor.edges.set_index("edge_id")["length_km"]
    for fid, p, dest, modes, wb in zip(sel["firm_id"], sel["current_plot"], sel["destination_node"], sel["modes"],
                                       sel["water_bound"]):
        allowed = set(modes.split(";")) | ({"water"} if wb else set())
        best = math.inf
        for n, m, a in cor.plot_access[cor.plot_access["plot_id"] == p][["node_id", "mode", "access_km"]].itertuples(
                index=False):
            if m in allowed and n in G[m] and dest in G[m] and nx.has_path(G[m], n, dest):
                best = min(best, a * TARIFF["road"] + nx.shortest_path_length(G[m], n, dest, weight="weight")
                           * TARIFF[m])
        assert r.loc[fid, "cost_eur_per_t"] == pytest.approx(best, rel=1e-9)
        used = r.loc[fid, "edges"]
        acc = cor.plot_access
        acc_km = acc[(acc["plot_id"] == p) & (acc["node_id"] == r.loc[fid, "node_id"])
                     & (acc["mode"] == r.loc[fid, "mode"])]["access_km"].min()
        path_km = sum(elen[e] for e in used.split(";")) if used else 0.0
        assert acc_km * TARIFF["road"] + path_km * TARIFF[r.loc[fid, "mode"]] == pytest.approx(best, rel=1e-9)


# ----------------------------------------------------------------------------- embedded data
def test_backbone_is_connected_per_mode():
    plots = pd.DataFrame({"plot_id": ["p"], "terrain_id": ["t"], "x": [155_000.0], "y": [463_000.0]})
    _, edges = build_network(plots)
    for m in ("road", "rail", "water"):
        assert nx.is_connected(graph(edges, m)), m
    ids = {n[0] for n in NODES}
    used = {n for w in WATERWAYS for n in w[3]} | {n for r in RAIL_LINES for n in r[2]}
    assert used <= ids
    assert all(w[1] in SHIP_LOAD_T for w in WATERWAYS)


def test_embedded_tables_match_the_data_files():
    uf, cf = SHARED / "unlocode_nl.csv", SHARED / "rws_cemt_shiptypes_dtv.csv"
    if not (uf.is_file() and cf.is_file()):
        pytest.skip("shared/data not present")
    rows = {r["locode"]: r for r in csv.DictReader(uf.open(encoding="utf-8"))}
    for node_id, _name, locode, _kind, lat, lon, _rail, _water, source in NODES:
        if locode:
            assert locode in rows, locode
            assert node_id == locode.replace(" ", "")
        if source == "unlocode":
            r = rows[locode]
            assert (float(r["lat"]), float(r["lon"])) == (lat, lon), node_id
        assert 50.7 < lat < 53.6 and 3.3 < lon < 7.3, node_id
    ships = {r["RWS-class"]: r["Load Weight average [ton]"] for r in csv.DictReader(cf.open(encoding="utf-8"))}
    assert SHIP_LOAD_T == {k: float(v) for k, v in ships.items() if v}


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("REVOPT_TEST_NATIONAL"),
                    reason="national takes ~35 s and ~1.5 GB; set REVOPT_TEST_NATIONAL=1")
def test_national_corridors():
    """The national network: roads connected, most firms ship freight, every freight firm routed.
    (Its speed is measured in docs/benchmarks.md, not asserted here.)"""
    inst, cor, stats = generate_with_corridors("national", 0)
    assert nx.is_connected(graph(cor.edges, "road"))
    assert cor.stats["firms_with_freight"] > 20_000
    assert inst.corridor_edges is not None and len(inst.corridor_edges) == len(cor.edges)


# ----------------------------------------------------------------------------- bundled instances
def _run_script(name, tmp_path):
    spec = importlib.util.spec_from_file_location("make_corridors", INSTANCES / "make_corridors.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    d = tmp_path / name
    shutil.copytree(INSTANCES / name, d)
    figures = mod.build(name, d)
    read = lambda f: pd.read_csv(d / f, dtype=str, keep_default_na=False)  # noqa: E731
    return d, figures, read


@pytest.mark.parametrize("name", ["demo", "rijssen-holten"])
def test_make_corridors_writes_valid_tables(name, tmp_path):
    d, figures, read = _run_script(name, tmp_path)
    nodes, edges, access = read("corridor_nodes.csv"), read("corridor_edges.csv"), read("plot_access.csv")
    firms, plots = read("firms.csv"), read("plots.csv")
    # the bundled instance is what the script writes: every file byte for byte (the other firm
    # columns untouched, the freight columns and corridor files up to date)
    for f in ("firms.csv", "corridor_nodes.csv", "corridor_edges.csv", "plot_access.csv"):
        assert (d / f).read_bytes() == (INSTANCES / name / f).read_bytes(), f
    edges_n = edges.assign(length_km=edges["length_km"].astype(float))
    G = check_tables(nodes.assign(x=nodes["x"].astype(float), y=nodes["y"].astype(float)), edges_n, access,
                     firms, plots.assign(x=plots["x"].astype(float), y=plots["y"].astype(float)))
    assert (firms["freight_kt"].astype(float) > 0).mean() > 0.4
    assert set(edges["mode"]) == {"road", "rail", "water"}
    if name == "demo":
        assert figures["edges_over_capacity_if_all_stay"]          # the lock binds if every firm stays
        assert {"NLMSV", "NLAMS"} <= set(G["water"].nodes) and len(access[access["mode"] == "water"]) > 0
    else:
        assert {"RH-HOLTEN", "RH-RIJSSEN"} <= set(G["rail"].nodes)
        assert nx.has_path(G["rail"], "RH-RIJSSEN", "NLMSV") and nx.has_path(G["water"], "NLALM", "NLMSV")
        assert (access["mode"] != "water").all()                     # no quay plots here
    # rerunning replaces the freight columns and gives the same files
    before = {f: (d / f).read_bytes() for f in ("firms.csv", "corridor_edges.csv", "plot_access.csv")}
    spec = importlib.util.spec_from_file_location("make_corridors2", INSTANCES / "make_corridors.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.build(name, d)
    assert before == {f: (d / f).read_bytes() for f in before}
