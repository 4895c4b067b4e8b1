"""The corridor network as one NetworkX graph per mode (spec section 7).

Each mode (road, rail, water) is a layer of its own: a route uses one main
mode, so there is no transfer between layers inside a route. Every graph holds
every corridor node (a node without edges of that mode is isolated, but can
still be the access node and the destination of a route of length 0).

Edges are undirected. Parallel edges of one mode between the same two nodes
are merged: the shortest counts (a shortest path never takes a longer parallel
edge), ties by the smaller edge id (text order). Each graph edge keeps
``length`` (km), ``edge_id`` and ``edge`` (row position in corridor_edges.csv).

The modes, their codes and their tie priority are the data layer's vocabulary
(:mod:`revopt.data.vocab`), re-exported here.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from ..data.instance import Instance
from ..data.vocab import MODE_CODE, MODE_PRIORITY, MODES

__all__ = ["MODES", "MODE_CODE", "MODE_PRIORITY", "mode_graphs"]


def mode_graphs(inst: Instance) -> dict[str, nx.Graph]:
    """One undirected graph per mode over all corridor nodes (empty graphs without corridors)."""
    graphs = {m: nx.Graph(mode=m) for m in MODES}
    if inst.corridor_nodes is None:
        return graphs
    nodes = inst.corridor_nodes["node_id"].tolist()
    for g in graphs.values():
        g.add_nodes_from(nodes)
    e = inst.corridor_edges
    if e is None or e.empty:
        return graphs
    # shortest first, then edge id: the first edge seen between two nodes is the one that counts
    order = np.lexsort((e["edge_id"].to_numpy(object).astype(str), e["length_km"].to_numpy(float)))
    ids, us, vs = e["edge_id"].to_numpy(object), e["u"].to_numpy(object), e["v"].to_numpy(object)
    modes, lengths = e["mode"].to_numpy(object), e["length_km"].to_numpy(float)
    for i in order:
        g = graphs[modes[i]]
        if not g.has_edge(us[i], vs[i]):
            g.add_edge(us[i], vs[i], length=float(lengths[i]), edge_id=ids[i], edge=int(i))
    return graphs
