"""Multimodal corridors (spec section 7): routes, the route rule, transport cost, C8, routes.csv, verify."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import revopt
from builders import make
from conftest import solve_verified
from revopt.cli import main
from revopt.corridors import MODE_PRIORITY, MODES, accessibility
from revopt.heuristics import greedy
from revopt.model.build import build_model
from revopt.model.candidates import candidate_pairs, explain_pairs
from revopt.results.solution import Solution
from revopt.results.verify import cheapest_route_cost, is_candidate, verify
from revopt.solve.pyomo_backend import build_pyomo

TARIFF = {"road": 0.10, "rail": 0.05, "water": 0.03}


# --------------------------------------------------------------------------- #
# Brute-force route oracle                                                     #
# --------------------------------------------------------------------------- #


def oracle_routes(inst, f: str, p: str) -> dict[str, float]:
    """Per main mode, the cheapest route cost (euro/t) of (f, p) by enumerating every simple path."""
    firm = inst.firms.set_index("firm_id").loc[f]
    modes = set(firm["modes"]) | ({"water"} if firm["water_bound"] else set())
    dest = firm["destination_node"]
    out: dict[str, float] = {}
    for m in modes:
        g = nx.MultiGraph()
        g.add_nodes_from(inst.corridor_nodes["node_id"])
        for e in inst.corridor_edges.itertuples():
            if e.mode == m:
                g.add_edge(e.u, e.v, key=e.edge_id, length=e.length_km)
        for a in inst.plot_access.itertuples():
            if a.plot_id != p or a.mode != m:
                continue
            if a.node_id == dest:
                lengths = [0.0]
            else:
                lengths = [sum(g.edges[e]["length"] for e in path)
                           for path in nx.all_simple_edge_paths(g, a.node_id, dest)]
            for length in lengths:
                c = TARIFF["road"] * a.access_km + TARIFF[m] * length
                out[m] = min(out.get(m, math.inf), c)
    return out


@st.composite
def corridor_instances(draw):
    n_nodes = draw(st.integers(2, 6))
    nodes = [dict(node_id=f"N{i}", x=0.0, y=0.0, kind="hub" if i == 0 else "junction") for i in range(n_nodes)]
    edges = []
    for k in range(draw(st.integers(0, 9))):
        u, v = draw(st.lists(st.integers(0, n_nodes - 1), min_size=2, max_size=2, unique=True))
        edges.append(dict(edge_id=f"E{k}", u=f"N{u}", v=f"N{v}", mode=draw(st.sampled_from(MODES)),
                          length_km=float(draw(st.integers(0, 20))), capacity_kt=None))
    n_plots = draw(st.integers(1, 3))
    plots = [dict(plot_id=f"P{j}") for j in range(n_plots)]
    access = []
    seen = set()
    for _ in range(draw(st.integers(0, 6))):
        key = (f"P{draw(st.integers(0, n_plots - 1))}", f"N{draw(st.integers(0, n_nodes - 1))}",
               draw(st.sampled_from(MODES)))
        if key not in seen:
            seen.add(key)
            access.append(dict(plot_id=key[0], node_id=key[1], mode=key[2], access_km=float(draw(st.integers(0, 5)))))
    firms = []
    for i in range(draw(st.integers(1, 3))):
        ms = draw(st.lists(st.sampled_from(MODES), min_size=1, max_size=3, unique=True))
        firms.append(dict(firm_id=f"F{i}", freight_kt=float(draw(st.sampled_from([0, 1, 2]))),
                          destination_node=f"N{draw(st.integers(0, n_nodes - 1))}", modes=";".join(ms),
                          water_bound=draw(st.booleans())))
    plots = [dict(pl, quay=True) for pl in plots]
    return make(firms, plots, nodes=nodes, edges=edges, access=access)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corridor_instances())
def test_routes_match_brute_force(inst):
    cand = candidate_pairs(inst)
    pairs = cand.pairs.set_index(["firm_id", "plot_id"])
    eid = inst.corridor_edges["edge_id"].to_numpy(object) if len(inst.corridor_edges) else np.zeros(0, object)
    for f, firm in inst.firms.set_index("firm_id").iterrows():
        freight = firm["freight_kt"] > 0
        for p in inst.plots["plot_id"]:
            best = oracle_routes(inst, f, p)
            if freight and not best:
                assert (f, p) not in pairs.index, "a pair without route is not a candidate"
                assert is_candidate(inst, f, p).startswith("rule 10")
                continue
            assert (f, p) in pairs.index
            row = pairs.loc[(f, p)]
            if not freight:
                assert row["route"] == -1 and row["transport"] == 0.0
                continue
            cheapest = min(best.values())
            r = int(row["route"])
            assert math.isclose(cand.paths.cost[r], cheapest, rel_tol=1e-9, abs_tol=1e-12)
            assert math.isclose(row["transport"], 1000 * firm["freight_kt"] * cheapest, rel_tol=1e-9, abs_tol=1e-9)
            assert math.isclose(cheapest_route_cost(inst, f, p), cheapest, rel_tol=1e-9, abs_tol=1e-12)
            # tie rule: the mode is the most preferred among the cheapest
            tied = [m for m, c in best.items() if c <= cheapest * (1 + 1e-9) + 1e-12]
            mode = MODES[cand.paths.mode[r]]
            assert mode == max(tied, key=MODE_PRIORITY.get)
            # the path is connected over edges of that mode, access node -> destination
            cur = inst.corridor_nodes["node_id"].iloc[cand.paths.node[r]]
            for e in cand.paths.edges_of(r):
                edge = inst.corridor_edges.iloc[e]
                assert edge["mode"] == mode
                cur = edge["v"] if cur == edge["u"] else edge["u"]
            assert cur == firm["destination_node"], (f, p, eid[cand.paths.edges_of(r)])
    # per firm, the route rule excludes exactly the plots without route
    ex = cand.exclusions.set_index("firm_id")
    for f, firm in inst.firms.set_index("firm_id").iterrows():
        no_route = sum(1 for p in inst.plots["plot_id"] if firm["freight_kt"] > 0 and not oracle_routes(inst, f, p))
        assert ex.loc[f, "route"] == no_route


# --------------------------------------------------------------------------- #
# Hand-built instances                                                         #
# --------------------------------------------------------------------------- #

NODES = [dict(node_id="A", x=0, y=0), dict(node_id="B", x=0, y=0), dict(node_id="C", x=0, y=0),
         dict(node_id="H", x=0, y=0, kind="hub")]


def two_modes(road_km: float, other: str, other_km: float, **firm):
    """One plot with road access at A and `other` access at B; road A-H and `other` B-H."""
    return make([dict(firm_id="F1", value_added_eur=1e6, freight_kt=1.0, destination_node="H",
                      modes=f"road;{other}", **firm)],
                [dict(plot_id="P1", quay=True)], nodes=NODES,
                edges=[dict(edge_id="R", u="A", v="H", mode="road", length_km=road_km),
                       dict(edge_id="X", u="B", v="H", mode=other, length_km=other_km)],
                access=[dict(plot_id="P1", node_id="A", mode="road", access_km=0.0),
                        dict(plot_id="P1", node_id="B", mode=other, access_km=0.0)])


@pytest.mark.parametrize("other,other_km,winner", [("water", 10.0, "water"), ("rail", 6.0, "rail")])
def test_tie_prefers_water_then_rail(other, other_km, winner):
    # road 3 km * 0.10 = 0.30 euro/t; water 10 km * 0.03 = 0.30; rail 6 km * 0.05 = 0.30
    inst = two_modes(3.0, other, other_km)
    cand = candidate_pairs(inst)
    assert MODES[cand.paths.mode[cand.pairs["route"].iloc[0]]] == winner
    res = solve_verified(inst)
    assert res.solution.routes["mode"].tolist() == [winner]


def test_water_allowed_for_water_bound_firm_not_listing_it():
    inst = two_modes(100.0, "water", 10.0, water_bound=True)
    inst = inst.replace_tables(firms=inst.firms.assign(modes=[("road",)]))
    cand = candidate_pairs(inst)
    assert MODES[cand.paths.mode[0]] == "water"
    dry = inst.replace_tables(firms=inst.firms.assign(water_bound=False))
    assert MODES[candidate_pairs(dry).paths.mode[0]] == "road"


def test_destination_as_access_node_is_prehaul_only():
    inst = make([dict(firm_id="F1", value_added_eur=1000.0, freight_kt=2.0, destination_node="H", modes="rail")],
                [dict(plot_id="P1")],
                nodes=NODES, edges=[], access=[dict(plot_id="P1", node_id="H", mode="rail", access_km=4.0)])
    res = solve_verified(inst.with_params(objective={"value_years": 1.0}))
    r = res.solution.routes.iloc[0]
    assert (r["mode"], r["edges"], r["length_km"]) == ("rail", "", 0.0)
    assert math.isclose(r["cost_eur_per_t"], 0.4)            # 4 km pre-haul at the road tariff
    assert math.isclose(res.objective, 1000.0 - 2000 * 0.4)   # value 1000, transport 800 per year


def test_pair_without_route_is_excluded_with_reason():
    inst = make([dict(firm_id="F1", freight_kt=1.0, destination_node="H", modes="road;water")],
                [dict(plot_id="P1"), dict(plot_id="P2")], nodes=NODES,
                edges=[dict(edge_id="R", u="A", v="H", mode="road", length_km=5.0),
                       dict(edge_id="W", u="B", v="C", mode="water", length_km=5.0)],
                access=[dict(plot_id="P1", node_id="A", mode="road", access_km=1.0),
                        dict(plot_id="P2", node_id="B", mode="water", access_km=1.0),
                        dict(plot_id="P2", node_id="A", mode="rail", access_km=1.0)])
    cand = candidate_pairs(inst)
    assert cand.pairs["plot_id"].tolist() == ["P1"]
    assert cand.exclusions["route"].tolist() == [1]
    assert explain_pairs(inst, np.array([0]), np.array([1])) == ["no route by road/water from plot P2 to node H"]
    # a firm without freight is not affected by the network
    free = inst.replace_tables(firms=inst.firms.assign(freight_kt=0.0))
    assert len(candidate_pairs(free)) == 2


def corridor_market(cap: float | None, **params):
    """Two equal firms, 10 kt each to H; two rail plots behind one rail edge, one road plot.

    Value 200,000 per year each (value_years 1). Rail route 100 km * 0.05 = 5 euro/t ->
    50,000 per year; road 100 km * 0.10 = 10 euro/t -> 100,000. Each plot holds one firm.
    """
    firms = [dict(firm_id=f, value_added_eur=200_000.0, freight_kt=10.0, destination_node="H",
                  modes="road;rail") for f in ("F1", "F2")]
    plots = [dict(plot_id=p) for p in ("PR1", "PR2", "PD")]
    edges = [dict(edge_id="RAIL", u="B", v="H", mode="rail", length_km=100.0, capacity_kt=cap),
             dict(edge_id="ROAD", u="A", v="H", mode="road", length_km=100.0)]
    access = [dict(plot_id="PR1", node_id="B", mode="rail", access_km=0.0),
              dict(plot_id="PR2", node_id="B", mode="rail", access_km=0.0),
              dict(plot_id="PD", node_id="A", mode="road", access_km=0.0)]
    return make(firms, plots, nodes=NODES, edges=edges, access=access, params=params)


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_binding_corridor_changes_the_allocation(backend):
    free = solve_verified(corridor_market(None), backend=backend)
    assert math.isclose(free.objective, 2 * (200_000 - 50_000))
    assert set(free.assignments["plot_id"]) == {"PR1", "PR2"}
    tight = solve_verified(corridor_market(10.0), backend=backend)
    assert tight.status == revopt.Status.OPTIMAL
    assert math.isclose(tight.objective, (200_000 - 50_000) + (200_000 - 100_000))
    plots = set(tight.assignments["plot_id"])
    assert "PD" in plots and len(plots & {"PR1", "PR2"}) == 1
    loads = tight.solution.corridor_loads.set_index("edge_id")
    assert loads.loc["RAIL", "load_kt"] == 10.0 and loads.loc["RAIL", "utilisation"] == 1.0
    assert loads.loc["ROAD", "load_kt"] == 10.0 and math.isnan(loads.loc["ROAD", "utilisation"])
    t = tight.kpis["transport"]
    assert math.isclose(t["tonne_km"]["rail"], 1e6) and math.isclose(t["tonne_km"]["road"], 1e6)
    assert math.isclose(t["modal_split"]["rail"], 0.5)
    assert math.isclose(t["cost_eur_per_year"], 150_000)
    assert math.isclose(t["co2_t_total"], (80 + 20) * 1e6 / 1e6)


def test_transport_weight_scales_the_term():
    res = solve_verified(corridor_market(None, transport={"weight": 0.5}, objective={"value_years": 2.0}))
    assert math.isclose(res.objective, 2 * (2 * 200_000 - 2 * 0.5 * 50_000))


def test_c8_on_the_pyomo_model():
    inst = corridor_market(10.0)
    lay, lm = build_model(inst)
    assert lm.rows_of("C8_corridor") == range(*lm.block_rows["C8_corridor"])
    m = build_pyomo(inst, lay, lm)
    con = m.C8_corridor["RAIL"]
    assert con.upper == 10.0
    assert {v.index() for v in con.body.linear_vars} == {("F1", "PR1"), ("F1", "PR2"), ("F2", "PR1"), ("F2", "PR2")}
    assert "ROAD" not in m.C8_corridor   # unbounded edge: no row


def test_greedy_respects_c8():
    inst = corridor_market(10.0)
    g = greedy(inst)
    assert verify(inst, g.solution) == []
    assert "PD" in set(g.solution.assignments["plot_id"])
    lay, lm = build_model(inst)
    v = g.column_values(lay)
    a, b = lm.block_rows["C8_corridor"]
    act = np.array([sum(lm.value[k] * v[lm.index[k]] for k in range(lm.start[r], lm.start[r + 1]))
                    for r in range(a, b)])
    assert np.all(act <= lm.row_upper[a:b] + 1e-9)


def test_presolve_check_for_too_narrow_corridor():
    inst = corridor_market(5.0)
    inst = inst.replace_tables(firms=inst.firms.assign(must_place=[True, False]),
                               plot_access=inst.plot_access[inst.plot_access["plot_id"] != "PD"])
    res = revopt.solve(inst)
    assert res.status == revopt.Status.INFEASIBLE
    assert any(r.startswith("C8: firm F1 must be placed") and "RAIL: 5 kt" in r for r in res.reasons), res.reasons


# --------------------------------------------------------------------------- #
# routes.csv and the verifier                                                  #
# --------------------------------------------------------------------------- #


def detour_instance():
    """F1 to H by road: short path A-H (10 km) or detour A-C-H (30 km); a rail edge B-H too."""
    return make([dict(firm_id="F1", value_added_eur=1e6, freight_kt=1.0, destination_node="H"),
                 dict(firm_id="F2", value_added_eur=1e6, freight_kt=1.0, destination_node="H", modes="rail")],
                [dict(plot_id="P1"), dict(plot_id="P2")], nodes=NODES,
                edges=[dict(edge_id="AH", u="A", v="H", mode="road", length_km=10.0),
                       dict(edge_id="AC", u="A", v="C", mode="road", length_km=15.0),
                       dict(edge_id="CH", u="C", v="H", mode="road", length_km=15.0),
                       dict(edge_id="BH", u="B", v="H", mode="rail", length_km=10.0, capacity_kt=1.0),
                       dict(edge_id="BH2", u="B", v="H", mode="rail", length_km=12.0)],
                access=[dict(plot_id="P1", node_id="A", mode="road", access_km=1.0),
                        dict(plot_id="P2", node_id="B", mode="rail", access_km=1.0)])


def test_parallel_edges_shortest_counts():
    inst = detour_instance()
    res = solve_verified(inst)
    r = res.solution.routes.set_index("firm_id")
    assert r.loc["F1", "edges"] == "AH" and r.loc["F2", "edges"] == "BH"


def test_routes_csv_round_trip_and_verify(tmp_path):
    inst = detour_instance()
    res = solve_verified(inst)
    sol_dir = tmp_path / "sol"
    sol_dir.mkdir()
    res.solution.write(sol_dir)
    for f in ("routes.csv", "corridor_loads.csv", "accessibility.csv"):
        assert (sol_dir / f).is_file()
    back = Solution.read(sol_dir)
    assert back.routes[["firm_id", "mode", "edges"]].values.tolist() == \
        res.solution.routes[["firm_id", "mode", "edges"]].values.tolist()
    assert verify(inst, sol_dir) == []
    inst_dir = inst.write(tmp_path / "inst")
    assert main(["verify", str(inst_dir), str(sol_dir)]) == 0
    (sol_dir / "routes.csv").write_text("firm_id,mode,edges\nF1,road,AC;CH\nF2,rail,BH\n")
    assert main(["verify", str(inst_dir), str(sol_dir)]) == 1


def _with_routes(sol: Solution, rows: list[dict]) -> Solution:
    import pandas as pd
    return Solution(sol.assignments, sol.plots, sol.terrains, sol.compensation, dict(sol.summary),
                    routes=pd.DataFrame(rows, columns=["firm_id", "mode", "edges"]))


@pytest.mark.parametrize("rows,message", [
    ([dict(firm_id="F1", mode="road", edges="AC;CH"), dict(firm_id="F2", mode="rail", edges="BH")],
     "routes: route of firm F1 from plot P1 costs"),                    # not the cheapest
    ([dict(firm_id="F1", mode="road", edges="AC"), dict(firm_id="F2", mode="rail", edges="BH")],
     "is not a connected path from a road access node of plot P1 to destination H"),
    ([dict(firm_id="F1", mode="road", edges="BH"), dict(firm_id="F2", mode="rail", edges="BH")],
     "routes: firm F1 travels by road but edge(s) BH are not road edges"),
    ([dict(firm_id="F1", mode="rail", edges="BH"), dict(firm_id="F2", mode="rail", edges="BH")],
     "routes: firm F1 uses mode rail, not one of its modes"),
    ([dict(firm_id="F2", mode="rail", edges="BH")],
     "routes: placed firm F1 ships freight but has no route in routes.csv"),
    ([dict(firm_id="F1", mode="road", edges="AH"), dict(firm_id="F2", mode="rail", edges="BH"),
      dict(firm_id="F2", mode="rail", edges="BH2")], "routes.csv row 4: firm F2 has more than one route"),
])
def test_verifier_catches_wrong_routes(rows, message):
    inst = detour_instance()
    res = solve_verified(inst)
    out = verify(inst, _with_routes(res.solution, rows))
    assert any(message in v for v in out), out


def test_verifier_catches_overloaded_edge_and_wrong_objective():
    inst = corridor_market(10.0)
    res = solve_verified(corridor_market(None))   # both firms on rail plots: 20 kt on RAIL
    out = verify(inst, res.solution)
    assert any(v.startswith("C8 corridor: edge RAIL carries 20 kt > capacity 10 kt") for v in out), out
    sol = res.solution
    sol.summary["objective"] = sol.summary["objective"] + 50_000   # as if transport were left out
    assert any(v.startswith("objective:") for v in verify(corridor_market(None), sol))


def test_verifier_catches_pair_without_route():
    inst = detour_instance()
    res = solve_verified(inst)
    a = res.solution.assignments.copy()
    a.loc[a["firm_id"] == "F2", "plot_id"] = "P1"   # F2 ships by rail only; P1 has road access only
    sol = Solution(a, res.solution.plots, res.solution.terrains, res.solution.compensation,
                   dict(res.solution.summary), routes=res.solution.routes)
    assert any("rule 10 (route" in v for v in verify(inst, sol))


# --------------------------------------------------------------------------- #
# Instance files, accessibility                                                #
# --------------------------------------------------------------------------- #


def test_instance_write_round_trip(tmp_path):
    inst = detour_instance()
    d = inst.write(tmp_path / "inst")
    back = revopt.load_instance(d)
    for t in ("corridor_nodes", "corridor_edges", "plot_access"):
        assert getattr(back, t).equals(getattr(inst, t)), t
    freight_cols = ["freight_kt", "destination_node", "modes"]
    assert back.firms[freight_cols].equals(inst.firms[freight_cols])
    assert math.isclose(solve_verified(back).objective, solve_verified(inst).objective)
    # without freight the optional firm columns are left out of firms.csv
    plain = make([dict(firm_id="F1")], [dict(plot_id="P1")])
    header = (plain.write(tmp_path / "plain") / "firms.csv").read_text().splitlines()[0]
    assert "freight_kt" not in header and "modes" not in header


def test_accessibility_and_multimodal_flag():
    inst = make([dict(firm_id="F1")], [dict(plot_id="P1"), dict(plot_id="P2")], nodes=NODES,
                edges=[dict(edge_id="R", u="A", v="H", mode="road", length_km=10.0),
                       dict(edge_id="W", u="B", v="H", mode="water", length_km=20.0)],
                access=[dict(plot_id="P1", node_id="A", mode="road", access_km=1.0),
                        dict(plot_id="P1", node_id="B", mode="water", access_km=2.0),
                        dict(plot_id="P2", node_id="A", mode="road", access_km=0.0)])
    acc = accessibility(inst)
    got = {(r.plot_id, r.node_id, r.mode): (round(r.cost_eur_per_t, 9), r.multimodal) for r in acc.itertuples()}
    assert got == {("P1", "H", "road"): (1.1, True), ("P1", "H", "water"): (0.8, True),
                   ("P2", "H", "road"): (1.0, False)}


# --------------------------------------------------------------------------- #
# Exact optimum against enumeration, C8 included                               #
# --------------------------------------------------------------------------- #


def enumerate_optimum(inst) -> float:
    """Best objective over all assignments (each plot holds one firm in these instances)."""
    firms = inst.firms["firm_id"].tolist()
    plots = inst.plots["plot_id"].tolist()
    value = dict(zip(inst.firms["firm_id"], inst.firms["value_added_eur"]))
    kt = dict(zip(inst.firms["firm_id"], inst.firms["freight_kt"]))
    cand = candidate_pairs(inst)
    route = {(r.firm_id, r.plot_id): r.route for r in cand.pairs.itertuples()}
    eid = inst.corridor_edges["edge_id"].to_numpy(object)
    cap = dict(zip(inst.corridor_edges["edge_id"], inst.corridor_edges["capacity_kt"]))
    best = 0.0
    for choice in itertools.product([None] + plots, repeat=len(firms)):
        used = [p for p in choice if p is not None]
        if len(used) != len(set(used)):
            continue
        if any(p is not None and is_candidate(inst, f, p) for f, p in zip(firms, choice)):
            continue
        load: dict[str, float] = {}
        obj = 0.0
        for f, p in zip(firms, choice):
            if p is None:
                continue
            c = cheapest_route_cost(inst, f, p)
            obj += value[f] - 1000 * kt[f] * c
            r = route[(f, p)]
            if r >= 0:
                for e in cand.paths.edges_of(r):
                    load[eid[e]] = load.get(eid[e], 0.0) + kt[f]
        if all(math.isnan(cap[e]) or v <= cap[e] + 1e-9 for e, v in load.items()):
            best = max(best, obj)
    return best


@st.composite
def capacity_markets(draw):
    n_firms, n_plots = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    edges = [dict(edge_id="RAIL", u="B", v="H", mode="rail", length_km=float(draw(st.integers(1, 50))),
                  capacity_kt=draw(st.sampled_from([None, 0.0, 1.0, 2.0, 3.0]))),
             dict(edge_id="ROAD", u="A", v="H", mode="road", length_km=float(draw(st.integers(1, 50))),
                  capacity_kt=draw(st.sampled_from([None, 1.0, 2.0]))),
             dict(edge_id="CANAL", u="C", v="H", mode="water", length_km=float(draw(st.integers(1, 80))),
                  capacity_kt=draw(st.sampled_from([None, 1.0, 2.0])))]
    access = []
    for j in range(n_plots):
        for node, mode in (("A", "road"), ("B", "rail"), ("C", "water")):
            if draw(st.booleans()):
                access.append(dict(plot_id=f"P{j}", node_id=node, mode=mode, access_km=float(draw(st.integers(0, 9)))))
    firms = [dict(firm_id=f"F{i}", value_added_eur=float(draw(st.integers(0, 12))) * 1000,
                  freight_kt=float(draw(st.sampled_from([0, 1, 2]))), destination_node="H",
                  modes=";".join(draw(st.lists(st.sampled_from(MODES), min_size=1, max_size=3, unique=True))))
             for i in range(n_firms)]
    return make(firms, [dict(plot_id=f"P{j}") for j in range(n_plots)], nodes=NODES, edges=edges, access=access)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(capacity_markets())
def test_mip_matches_enumeration_with_transport_and_c8(inst):
    res = solve_verified(inst, gap=0.0)
    assert res.status == revopt.Status.OPTIMAL
    assert math.isclose(res.objective, enumerate_optimum(inst), rel_tol=1e-9, abs_tol=1e-6)


def test_warm_start_and_neighbourhood_search_keep_c8():
    inst = corridor_market(10.0)
    res = solve_verified(inst, warm_start=True, lns=True)
    assert math.isclose(res.objective, 250_000)
    assert "warm_start" in res.seconds and "lns" in res.seconds


def test_revopt_map_draws_the_network_with_width_by_load(tmp_path):
    """`revopt map` on a solved corridor instance: one line per corridor edge, width growing with the
    load read back from routes.csv, the binding single-track rail section of the demo drawn full."""
    import xml.etree.ElementTree as ET

    demo = Path(__file__).resolve().parents[1] / "instances" / "demo"
    sol_dir, svg = tmp_path / "sol", tmp_path / "map.svg"
    assert main(["solve", str(demo), "--out", str(sol_dir), "--quiet"]) == 0
    assert main(["map", str(demo), str(sol_dir), str(svg), "--no-moves"]) == 0
    inst = revopt.load_instance(demo)
    ns = {"s": "http://www.w3.org/2000/svg"}
    lines = ET.parse(svg).getroot().findall(".//s:g[@class='network']/s:line[@class='edge']", ns)
    assert len(lines) == len(inst.corridor_edges)
    loads = pd.read_csv(sol_dir / "corridor_loads.csv").set_index("edge_id")
    by_edge = dict(zip(inst.corridor_edges["edge_id"], lines))   # drawn in the order of the table
    width = {e: float(el.get("stroke-width")) for e, el in by_edge.items()}
    busy, idle = loads["load_kt"].idxmax(), loads["load_kt"].idxmin()
    assert width[busy] > width[idle]
    assert float(by_edge["rail-002"].get("stroke-opacity")) == pytest.approx(0.9)   # full: C8 binds
    assert main(["map", str(demo), str(sol_dir), str(svg)]) == 2                     # exists, no --force
