"""From solver column values to the solution tables of spec section 6."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import WERKMILIEUS
from ..model.layout import POOLED, Layout
from ..corridors import MODES, Paths, accessibility
from .solution import ROUTE_COLUMNS, LOAD_COLUMNS, Solution

CREDIT_EPS = 1e-6  # credits below this many m2 are solver noise


def round_columns(lay: Layout, integrality: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Round integer columns to 0/1; clip tiny negative continuous values."""
    v = np.asarray(values, dtype=float).copy()
    ints = integrality.astype(bool)
    v[ints] = np.round(v[ints])
    v[~ints] = np.where(v[~ints] < CREDIT_EPS, 0.0, v[~ints])
    return v


def extract_solution(inst: Instance, lay: Layout, v: np.ndarray) -> Solution:
    """Decision tables from rounded column values."""
    firm_ids = inst.firms["firm_id"].to_numpy(object)
    plot_ids = inst.plots["plot_id"].to_numpy(object)
    chosen = np.full(len(firm_ids), "", dtype=object)
    on = np.flatnonzero(v[: lay.n_x] > 0.5)
    chosen[lay.pairs["firm"].to_numpy(np.int64)[on]] = lay.pairs["plot_id"].to_numpy(object)[on]
    assignments = pd.DataFrame({"firm_id": firm_ids, "plot_id": chosen})

    wm = np.full(len(plot_ids), "", dtype=object)
    zon = v[lay.z["col"].to_numpy(np.int64)] > 0.5
    wm[lay.z["plot"].to_numpy(np.int64)[zon]] = np.array(WERKMILIEUS, dtype=object)[lay.z["w"].to_numpy(np.int64)[zon]]
    inten = np.zeros(len(plot_ids), dtype=bool)
    uon = v[lay.u["col"].to_numpy(np.int64)] > 0.5
    inten[lay.u["plot"].to_numpy(np.int64)[uon]] = True
    plots = pd.DataFrame({"plot_id": plot_ids, "werkmilieu": wm, "intensified": inten})

    dt = lay.d["terrain"].to_numpy(np.int64)
    terrains = pd.DataFrame({"terrain_id": inst.terrains["terrain_id"].to_numpy(object)[dt],
                             "developed": v[lay.d["col"].to_numpy(np.int64)] > 0.5})

    c = lay.c
    cv = v[c["col"].to_numpy(np.int64)]
    pos = cv > CREDIT_EPS
    k = c["k"].to_numpy(np.int64)[pos]
    compensation = pd.DataFrame({
        "terrain_id": inst.terrains["terrain_id"].to_numpy(object)[c["terrain"].to_numpy(np.int64)[pos]],
        "plot_id": plot_ids[c["plot"].to_numpy(np.int64)[pos]],
        "class": [WERKMILIEUS[i] if i >= 0 else POOLED for i in k],
        "floor_m2": cv[pos],
    })
    sol = Solution(assignments, plots, terrains, compensation)
    if inst.has_corridors:
        sol.routes, sol.corridor_loads = route_tables(inst, lay.pairs, lay.paths, on)
        sol.accessibility = accessibility(inst)
    return sol


def route_tables(inst: Instance, pairs: pd.DataFrame, paths: Paths | None,
                 placed: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """routes.csv and corridor_loads.csv of the placed pairs (row indices of ``pairs``).

    A route row for every placed firm with freight; loads per edge over those routes
    (every edge of the network, utilisation = load / capacity, empty when unbounded).
    """
    placed = np.asarray(placed, np.int64)
    route = pairs["route"].to_numpy(np.int64)[placed] if len(placed) else np.zeros(0, np.int64)
    has = route >= 0
    sel, r = placed[has], route[has]
    e = inst.corridor_edges
    edge_ids = np.zeros(0, object) if e is None else e["edge_id"].to_numpy(object)
    fi = pairs["firm"].to_numpy(np.int64)[sel]
    kt = inst.firms["freight_kt"].to_numpy(float)[fi]
    if paths is None or len(r) == 0:
        paths = Paths.empty()
    node_ids = inst.corridor_nodes["node_id"].to_numpy(object)
    routes = pd.DataFrame({
        "firm_id": pairs["firm_id"].to_numpy(object)[sel],
        "mode": np.array(MODES, dtype=object)[paths.mode[r]] if len(r) else np.zeros(0, object),
        "edges": [";".join(edge_ids[paths.edges_of(i)]) for i in r],
        "access_node": node_ids[paths.node[r]] if len(r) else np.zeros(0, object),
        "access_km": paths.access_km[r],
        "length_km": paths.length_km[r],
        "cost_eur_per_t": paths.cost[r],
        "transport_eur_per_year": pairs["transport"].to_numpy(float)[sel],
    }, columns=ROUTE_COLUMNS)
    n_e = len(edge_ids)
    load = np.zeros(n_e)
    if len(r):
        pair, edge = paths.incidence(r)
        load = np.bincount(edge, weights=kt[pair], minlength=n_e)
    cap = np.full(n_e, np.nan) if e is None else e["capacity_kt"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(np.isnan(cap), np.nan, np.where(cap > 0, load / np.where(cap > 0, cap, 1.0),
                                                          np.where(load > 0, np.inf, 0.0)))
    loads = pd.DataFrame({"edge_id": edge_ids, "mode": np.zeros(0, object) if e is None else e["mode"].to_numpy(object),
                          "load_kt": load, "capacity_kt": cap, "utilisation": util}, columns=LOAD_COLUMNS)
    return routes, loads
