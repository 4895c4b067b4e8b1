"""Routes of candidate pairs (spec section 7), computed per shortest-path tree.

A route of firm f from plot p uses one main mode m among the firm's modes
(``water`` also for a water-bound firm that does not list it) for which p has
an access row (p, n, m, access_km): a road pre-haul of access_km at the road
tariff to the access node n, then the shortest path from n to destination_f
over edges of mode m alone, at the tariff of m. Its cost in euro per tonne is

    cost = road_eur_per_tkm * access_km + tariff_m * dist_m(n, destination_f)

The pair's route is the cheapest over the plot's access rows and the firm's
modes; costs within :data:`TIE_REL` (relative) of the cheapest are ties, won by
water, then rail, then road (spec), then the smaller pre-haul, then the earlier
access row. transport_fp = 1000 * freight_kt_f * cost (euro per year). When the
access node is the destination itself the route is the pre-haul alone: its
mode is that of the access row and its edge list is empty.

Efficiency: the graphs are undirected, so one Dijkstra from each (destination,
mode) gives the distance from every node to that destination and, through the
predecessors, the path from every node towards it. Pairs are grouped by (plot,
destination, allowed modes): all firms of a group share the route; the costs
of all (group, access row) combinations are one numpy expression.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import MODE_CODE, MODE_PRIORITY, MODES
from .graph import mode_graphs

#: costs within this relative distance of the cheapest route are ties (float sums of equal routes)
TIE_REL = 1e-9
_PRIO = np.array([MODE_PRIORITY[m] for m in MODES], dtype=np.int64)


def tariffs(inst: Instance) -> np.ndarray:
    """Euro per tonne-km per mode, in the order of :data:`MODES`."""
    t = inst.params["transport"]
    return np.array([t[f"{m}_eur_per_tkm"] for m in MODES], dtype=float)


@dataclass
class Paths:
    """Routes by id (a pair refers to one by the ``route`` column of the candidate pairs).

    ``ptr``/``edges``: the edges of route i are ``edges[ptr[i]:ptr[i+1]]`` (row positions
    in corridor_edges.csv, in order from the access node to the destination). Per route:
    ``mode`` (code into MODES), ``access_row`` (row of plot_access.csv), ``node`` (access
    node) and ``dest`` (destination; positions in corridor_nodes.csv), ``access_km``,
    ``length_km`` (over the main mode) and ``cost`` (euro per tonne).
    """

    ptr: np.ndarray
    edges: np.ndarray
    mode: np.ndarray
    access_row: np.ndarray
    node: np.ndarray
    dest: np.ndarray
    access_km: np.ndarray
    length_km: np.ndarray
    cost: np.ndarray

    def __len__(self) -> int:
        return len(self.mode)

    def edges_of(self, i: int) -> np.ndarray:
        return self.edges[self.ptr[i]:self.ptr[i + 1]]

    @classmethod
    def empty(cls) -> Paths:
        z, zi = np.zeros(0), np.zeros(0, np.int64)
        return cls(np.zeros(1, np.int64), zi, zi, zi, zi, zi, z, z, z)

    def incidence(self, routes: np.ndarray, edge_used: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """For an array of route ids (one per pair, -1 none): (pair index, edge) of every edge used, by
        pair and then in route order; with ``edge_used`` (a bool per edge) only those edges. The routes
        are narrowed before they are expanded to pairs (national: 0.1 s for the capacitated edges
        instead of 1.0 s for all of them and a filter)."""
        ptr, edges = self.ptr, self.edges
        if edge_used is not None:
            on = np.asarray(edge_used, bool)[edges]
            ptr = np.concatenate([[0], np.cumsum(on)])[ptr]
            edges = edges[on]
        routes = np.asarray(routes, np.int64)
        has = np.flatnonzero(routes >= 0)
        r = routes[has]
        n = ptr[r + 1] - ptr[r]
        pair = np.repeat(has, n)
        first = np.repeat(ptr[r] - np.concatenate([[0], np.cumsum(n)[:-1]]), n)
        return pair, edges[first + np.arange(int(n.sum()))]


class RouteFinder:
    """Routes on the corridor network of one instance; shortest-path trees are cached."""

    def __init__(self, inst: Instance):
        self.inst = inst
        self.graphs = mode_graphs(inst)
        self.tariff = tariffs(inst)
        nodes = inst.corridor_nodes
        self.node_ids = np.zeros(0, object) if nodes is None else nodes["node_id"].to_numpy(object)
        npos = pd.Series(np.arange(len(self.node_ids)), index=self.node_ids)
        self._npos = {n: i for i, n in enumerate(self.node_ids)}
        ppos = pd.Series(np.arange(len(inst.plots)), index=inst.plots["plot_id"])
        acc = inst.plot_access
        if acc is None or acc.empty:
            self.acc_plot = self.acc_node = self.acc_mode = self.acc_row = np.zeros(0, np.int64)
            self.acc_km = np.zeros(0)
        else:
            plot = acc["plot_id"].map(ppos).to_numpy(np.int64)
            order = np.argsort(plot, kind="stable")
            self.acc_row = order
            self.acc_plot = plot[order]
            self.acc_node = acc["node_id"].map(npos).to_numpy(np.int64)[order]
            self.acc_mode = acc["mode"].map(MODE_CODE).to_numpy(np.int64)[order]
            self.acc_km = acc["access_km"].to_numpy(float)[order]
        self.acc_ptr = np.searchsorted(self.acc_plot, np.arange(len(inst.plots) + 1))
        f = inst.firms
        freight = f["freight_kt"].to_numpy(float)
        dest = f["destination_node"].map(npos).fillna(-1).to_numpy(np.int64)
        self.freight = freight
        #: firms with freight: freight_kt > 0 and a destination (they need a route)
        self.has_freight = (freight > 0) & (dest >= 0)
        self.dest = np.where(self.has_freight, dest, -1)
        mask = np.array([sum(1 << MODE_CODE[m] for m in ms) for ms in f["modes"]], dtype=np.int64)
        mask |= np.where(f["water_bound"].to_numpy(bool), 1 << MODE_CODE["water"], 0)
        self.mask = mask
        self._dist: dict[tuple[int, int], np.ndarray] = {}
        self._pred: dict[tuple[int, int], dict] = {}
        self._hops: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._edge_len = (np.zeros(0) if inst.corridor_edges is None
                          else inst.corridor_edges["length_km"].to_numpy(float))

    # ---- shortest-path trees ------------------------------------------------
    def _tree(self, d: int, m: int) -> np.ndarray:
        """Distance (km over mode m) from every node to node d; the predecessors are kept."""
        key = (d, m)
        if key not in self._dist:
            g = self.graphs[MODES[m]]
            pred, dist = nx.dijkstra_predecessor_and_distance(g, self.node_ids[d], weight="length")
            arr = np.full(len(self.node_ids), np.inf)
            if dist:
                idx = np.fromiter((self._npos[n] for n in dist), np.int64, len(dist))
                arr[idx] = np.fromiter(dist.values(), float, len(dist))
            self._dist[key] = arr
            self._pred[key] = pred
        return self._dist[key]

    def _access_dist(self, dest: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """dist_mode(row)(node(row), dest) for arrays of destinations and access rows."""
        out = np.full(len(rows), np.inf)
        if len(rows) == 0:
            return out
        key = dest * len(MODES) + self.acc_mode[rows]
        for k in np.unique(key):
            sel = key == k
            out[sel] = self._tree(int(k) // len(MODES), int(k) % len(MODES))[self.acc_node[rows[sel]]]
        return out

    def _expand(self, plots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(group index, access row) for every access row of each group's plot."""
        cnt = self.acc_ptr[plots + 1] - self.acc_ptr[plots]
        grp = np.repeat(np.arange(len(plots)), cnt)
        first = np.repeat(self.acc_ptr[plots] - np.concatenate([[0], np.cumsum(cnt)[:-1]]), cnt)
        return grp, first + np.arange(int(cnt.sum()))

    # ---- candidate rule -----------------------------------------------------
    def route_groups(self) -> tuple[np.ndarray, np.ndarray]:
        """Per firm a group (-1: no freight) and, per group, which plots have a route.

        Returns ``group`` (per firm, index into the rows of ``reach``; firms without
        freight point at the last row, all True) and ``reach`` (groups + 1 x plots).
        A group is a (destination, allowed modes) combination.
        """
        nP = len(self.inst.plots)
        fr = np.flatnonzero(self.has_freight)
        key = self.dest[fr] * 8 + self.mask[fr]
        uk, inv = np.unique(key, return_inverse=True)
        reach = np.ones((len(uk) + 1, nP), dtype=bool)
        reach[: len(uk)] = False
        nA = len(self.acc_plot)
        for g, k in enumerate(uk):  # one row per (destination, modes): few
            d, mask = int(k) // 8, int(k) % 8
            rows = np.arange(nA)
            ok = (mask >> self.acc_mode) & 1 == 1
            rows = rows[ok]
            fin = np.isfinite(self._access_dist(np.full(len(rows), d), rows))
            reach[g, np.unique(self.acc_plot[rows[fin]])] = True
        group = np.full(len(self.inst.firms), len(uk), dtype=np.int64)
        group[fr] = inv.ravel()
        return group, reach

    # ---- routes of pairs ----------------------------------------------------
    def routes(self, fi: np.ndarray, pj: np.ndarray) -> tuple[np.ndarray, np.ndarray, Paths]:
        """The cheapest route of each pair (firm and plot row positions).

        Returns ``cost`` (euro per tonne: 0 for a firm without freight, inf when
        a firm with freight has no route from that plot), ``route`` (id into the
        returned :class:`Paths`, -1 without freight or route) and the paths.
        """
        fi, pj = np.asarray(fi, np.int64), np.asarray(pj, np.int64)
        cost = np.zeros(len(fi))
        route = np.full(len(fi), -1, dtype=np.int64)
        sel = np.flatnonzero(self.has_freight[fi])
        if len(sel) == 0:
            return cost, route, Paths.empty()
        # groups (plot, destination, modes) in that lexicographic order, through one int64 key (a
        # destination is a node position >= 0, modes a mask below 8): national 0.07 s against 1.8 s for
        # np.unique(axis=0) of the three columns
        n_nodes = len(self.node_ids)
        gkey = (pj[sel] * n_nodes + self.dest[fi[sel]]) * 8 + self.mask[fi[sel]]
        groups, inv = np.unique(gkey, return_inverse=True)
        inv = inv.ravel()
        g_plot, g_dest, g_mask = groups // (8 * n_nodes), groups // 8 % n_nodes, groups % 8
        grp, rows = self._expand(g_plot)
        ok = ((g_mask[grp] >> self.acc_mode[rows]) & 1) == 1
        grp, rows = grp[ok], rows[ok]
        c = self.tariff[0] * self.acc_km[rows] + self.tariff[self.acc_mode[rows]] * \
            self._access_dist(g_dest[grp], rows)
        fin = np.isfinite(c)
        grp, rows, c = grp[fin], rows[fin], c[fin]
        best = np.full(len(groups), np.inf)
        np.minimum.at(best, grp, c)
        tied = c <= best[grp] + TIE_REL * np.maximum(np.abs(best[grp]), 1e-12)
        order = np.lexsort((rows, self.acc_km[rows], c, -_PRIO[self.acc_mode[rows]], ~tied, grp))
        first = order[np.r_[True, grp[order][1:] != grp[order][:-1]]] if len(order) else order
        g_cost = np.full(len(groups), np.inf)
        g_row = np.full(len(groups), -1, dtype=np.int64)
        g_cost[grp[first]] = c[first]
        g_row[grp[first]] = rows[first]
        # one path per (destination, access row) chosen
        has = np.flatnonzero(g_row >= 0)
        n_rows = max(1, len(self.acc_row))
        pk, g_path = np.unique(g_dest[has] * n_rows + g_row[has], return_inverse=True)  # by (destination, row)
        g_route = np.full(len(groups), -1, dtype=np.int64)
        g_route[has] = g_path.ravel()
        paths = self._paths(pk // n_rows, pk % n_rows)
        cost[sel] = g_cost[inv]
        route[sel] = g_route[inv]
        return cost, route, paths

    def _next_hops(self, d: int, m: int) -> tuple[np.ndarray, np.ndarray]:
        """Per node (position) the next node on its shortest path to node d over mode m and the edge to
        it (-1 at d and where d is out of reach): the predecessors of :meth:`_tree` as arrays."""
        key = (d, m)
        if key not in self._hops:
            self._tree(d, m)
            pred, g = self._pred[key], self.graphs[MODES[m]]
            nxt = np.full(len(self.node_ids), -1, np.int64)
            edge = np.full(len(self.node_ids), -1, np.int64)
            for node, before in pred.items():
                if before:
                    nxt[self._npos[node]] = self._npos[before[0]]
                    edge[self._npos[node]] = g[node][before[0]]["edge"]
            self._hops[key] = (nxt, edge)
        return self._hops[key]

    def _walk(self, dest: np.ndarray, mode: np.ndarray, node: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The edges of the shortest path from each ``node`` to its ``dest`` over its ``mode``, as
        (ptr, edges) like :class:`Paths`: the next hops of every tree needed side by side, and every
        path one step per round (national: 0.1 s, against 0.8 s for walking the predecessor lists path
        by path)."""
        n, n_nodes = len(dest), len(self.node_ids)
        keys, tree = np.unique(dest * len(MODES) + mode, return_inverse=True)
        hops = [self._next_hops(int(k) // len(MODES), int(k) % len(MODES)) for k in keys]
        nxt = np.concatenate([h[0] for h in hops]) if hops else np.zeros(0, np.int64)
        hop_edge = np.concatenate([h[1] for h in hops]) if hops else np.zeros(0, np.int64)
        base = tree.ravel() * n_nodes              # the path's tree, as an offset into nxt / hop_edge
        cur = np.asarray(node, np.int64).copy()
        steps: list[np.ndarray] = []             # per round the edge each path takes (-1: arrived)
        walking = cur != dest
        while walking.any():
            at = base[walking] + cur[walking]
            edge = np.full(n, -1, np.int64)
            edge[walking] = hop_edge[at]
            cur[walking] = nxt[at]
            if np.any(edge[walking] < 0):  # pragma: no cover - the route's access node reaches dest
                raise AssertionError("a route's access node does not reach its destination")
            steps.append(edge)
            walking &= cur != dest
        grid = np.stack(steps, axis=1) if steps else np.zeros((n, 0), np.int64)
        lens = (grid >= 0).sum(axis=1)
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lens, out=ptr[1:])
        return ptr, grid[grid >= 0]  # row-major: each path's edges in order, the paths one after another

    def _paths(self, dest: np.ndarray, rows: np.ndarray) -> Paths:
        dest = np.asarray(dest, np.int64)
        ptr, flat = self._walk(dest, self.acc_mode[rows], self.acc_node[rows])
        lens = np.diff(ptr)
        length = np.bincount(np.repeat(np.arange(len(dest)), lens), weights=self._edge_len[flat],
                             minlength=len(dest)) if len(dest) else np.zeros(0)
        mode = self.acc_mode[rows]
        cost = self.tariff[0] * self.acc_km[rows] + self.tariff[mode] * length
        return Paths(ptr, flat, mode, self.acc_row[rows], self.acc_node[rows], np.asarray(dest, np.int64),
                     self.acc_km[rows], length, cost)

    def explain(self, f: int, p: int) -> str:
        """Words for a pair of a firm with freight that has no route ("" when it has one)."""
        cost, _, _ = self.routes(np.array([f]), np.array([p]))
        if np.isfinite(cost[0]):
            return ""
        modes = "/".join(m for i, m in enumerate(MODES) if (self.mask[f] >> i) & 1)
        return (f"no route by {modes} from plot {self.inst.plots['plot_id'].iloc[p]} "
                f"to node {self.node_ids[self.dest[f]]}")


def accessibility(inst: Instance) -> pd.DataFrame:
    """Per plot, the cheapest cost (euro per tonne) to each seaport and hub per mode.

    Columns ``plot_id``, ``node_id`` (a seaport or hub), ``kind``, ``mode``,
    ``cost_eur_per_t`` (road pre-haul plus the shortest path over that mode, as a
    route of spec section 7 with that single main mode), and ``multimodal`` (the
    plot reaches some seaport or hub by at least two modes). Only reachable
    combinations have a row; a plot that reaches none has no row.
    """
    cols = ["plot_id", "node_id", "kind", "mode", "cost_eur_per_t", "multimodal"]
    if inst.corridor_nodes is None or inst.plot_access is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    rf = RouteFinder(inst)
    nodes = inst.corridor_nodes
    targets = np.flatnonzero(nodes["kind"].isin(["seaport", "hub"]).to_numpy())
    pid = inst.plots["plot_id"].to_numpy(object)
    parts = []
    nA = len(rf.acc_plot)
    for t in targets:  # a few seaports and hubs
        for m in range(len(MODES)):
            rows = np.flatnonzero(rf.acc_mode == m) if nA else np.zeros(0, np.int64)
            c = rf.tariff[0] * rf.acc_km[rows] + rf.tariff[m] * rf._access_dist(np.full(len(rows), t), rows)
            fin = np.isfinite(c)
            if not fin.any():
                continue
            best = pd.Series(c[fin]).groupby(rf.acc_plot[rows[fin]]).min()
            parts.append(pd.DataFrame({"plot": best.index.to_numpy(np.int64), "node": t, "mode": MODES[m],
                                       "cost_eur_per_t": best.to_numpy(float)}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df = pd.concat(parts, ignore_index=True).sort_values(["plot", "node", "mode"], kind="stable")
    n_modes = df.groupby("plot")["mode"].nunique()
    return pd.DataFrame({
        "plot_id": pid[df["plot"].to_numpy()],
        "node_id": rf.node_ids[df["node"].to_numpy(np.int64)],
        "kind": nodes["kind"].to_numpy(object)[df["node"].to_numpy(np.int64)],
        "mode": df["mode"].to_numpy(object),
        "cost_eur_per_t": df["cost_eur_per_t"].to_numpy(float),
        "multimodal": (df["plot"].map(n_modes) >= 2).to_numpy(bool),
    }).reset_index(drop=True)
