"""routes.csv and corridor_loads.csv (spec section 7) of the placed pairs of a solution.

Shared by every producer of a solution (the MIP's extraction in :mod:`revopt.solve.extract`
and the greedy baseline). It reads the routes through the interface of
:class:`revopt.corridors.Paths` (``mode``, ``node``, ``access_km``, ``length_km``, ``cost``,
``edges_of``, ``incidence``) without importing the corridors layer: results build on the data
layer alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import MODES
from .solution import LOAD_COLUMNS, ROUTE_COLUMNS

if TYPE_CHECKING:
    from ..corridors.routes import Paths


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
    n_e = len(edge_ids)
    if paths is not None and len(r):
        node_ids = inst.corridor_nodes["node_id"].to_numpy(object)
        route_cols = {"mode": np.array(MODES, dtype=object)[paths.mode[r]],
                      "edges": [";".join(edge_ids[paths.edges_of(i)]) for i in r],
                      "access_node": node_ids[paths.node[r]], "access_km": paths.access_km[r],
                      "length_km": paths.length_km[r], "cost_eur_per_t": paths.cost[r]}
        kt = inst.firms["freight_kt"].to_numpy(float)[pairs["firm"].to_numpy(np.int64)[sel]]
        pair, edge = paths.incidence(r)
        load = np.bincount(edge, weights=kt[pair], minlength=n_e)
    else:
        route_cols = {"mode": np.zeros(0, object), "edges": [], "access_node": np.zeros(0, object),
                      "access_km": np.zeros(0), "length_km": np.zeros(0), "cost_eur_per_t": np.zeros(0)}
        load = np.zeros(n_e)
    routes = pd.DataFrame({"firm_id": pairs["firm_id"].to_numpy(object)[sel], **route_cols,
                           "transport_eur_per_year": pairs["transport"].to_numpy(float)[sel]}, columns=ROUTE_COLUMNS)
    cap = np.full(n_e, np.nan) if e is None else e["capacity_kt"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(np.isnan(cap), np.nan, np.where(cap > 0, load / np.where(cap > 0, cap, 1.0),
                                                          np.where(load > 0, np.inf, 0.0)))
    loads = pd.DataFrame({"edge_id": edge_ids, "mode": np.zeros(0, object) if e is None else e["mode"].to_numpy(object),
                          "load_kt": load, "capacity_kt": cap, "utilisation": util}, columns=LOAD_COLUMNS)
    return routes, loads


__all__ = ["route_tables"]
