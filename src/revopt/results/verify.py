"""Independent feasibility and objective checker for solutions (spec sections 1-7 and 9).

This module re-reads the contract from the raw instance tables only. It is
written deliberately as plain Python over dicts and loops (no vectorised model
code, nothing imported from :mod:`revopt.model` or :mod:`revopt.solve`), so that
it can serve as a second opinion on whatever the model produces.

Public functions:

- :func:`verify` -- list of human-readable violations (empty: feasible, and the
  reported objective is the section-5 value);
- :func:`objective_value` -- the section-5 objective of a solution;
- :func:`is_candidate` -- None when (f, p) is a candidate pair (section 2, and
  the two candidate rules of section 9, numbered 8 for min_category and 9 for
  restrictions), else the name of the first rule broken;
- :func:`compatible_werkmilieus` -- W(f, p) of section 2, rule 6;
- :func:`cheapest_route_cost` -- the cheapest route cost of a pair (section 7), euro per tonne.

The corridors of section 7 are checked with a Dijkstra of its own (a heap over
dict adjacency lists; no NetworkX): the route rule of the candidate pairs
(numbered rule 10), routes.csv (one connected path over edges of its mode from
an access node of the plot to the destination, at the cheapest cost), C8 on the
reported routes, and the transport term of the objective.

Every constraint lhs <= rhs is taken to hold when
lhs <= rhs + tol * max(1, |rhs|).
"""

from __future__ import annotations

import heapq
import math
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from revopt.data.vocab import POOLED, RANK, TARIFF_DEFAULTS, WERKMILIEUS
from revopt.results.solution import Solution, SolutionFormatError

if TYPE_CHECKING:
    import pandas as pd

    from revopt.data.instance import Instance


class _Solved(Protocol):
    """Anything that carries a solution (a :class:`~revopt.results.Result`, a plan's elastic solve)."""

    @property
    def solution(self) -> Solution | None: ...


#: What :func:`verify` and :func:`objective_value` read a solution from.
SolutionLike = Solution | str | Path | _Solved

# Geometric comparisons (radius, max move) are exact up to this many km, so that
# a plot lying exactly on the boundary counts as inside whatever rounding did.
_DIST_EPS_KM = 1e-9


# --------------------------------------------------------------------------- #
# The instance as plain dicts                                                  #
# --------------------------------------------------------------------------- #


def _f(v: Any) -> float:
    return float(v)


def _is_set(v: Any) -> bool:
    """A numeric cell that is not empty (not None / NaN)."""
    if v is None:
        return False
    try:
        return not math.isnan(float(v))
    except (TypeError, ValueError):
        return str(v).strip() != ""


def _records(df: pd.DataFrame | None) -> list[dict[str, Any]]:
    if df is None:
        return []
    # pandas types the keys as Hashable; an instance's and a solution's columns are all names (str)
    return cast("list[dict[str, Any]]", df.to_dict("records"))


@dataclass
class _Tables:
    """The instance tables as dicts keyed by id, plus derived sets (C7's N(t), lost)."""

    params: dict[str, dict[str, Any]]
    terrains: dict[str, dict[str, Any]]
    plots: dict[str, dict[str, Any]]
    firms: dict[str, dict[str, Any]]
    substations: dict[str, float]
    areas: dict[str, float]
    deposition: dict[str, dict[str, float]]  # plot -> area -> mol/kg
    pairs: dict[tuple[str, str], dict[str, Any]] | None
    neighbours: dict[str, list[str]] = field(default_factory=dict)  # N(t)
    lost: dict[tuple[str, str], float] = field(default_factory=dict)  # lost[t, k]
    claims: list[dict[str, Any]] = field(default_factory=list)        # claims.csv rows
    targets: list[dict[str, Any]] = field(default_factory=list)       # lifecycle_targets.csv rows
    restrictions: dict[str, set[str]] = field(default_factory=dict)   # sector -> allowed terrains
    # corridors (section 7)
    edges: dict[str, dict[str, Any]] = field(default_factory=dict)    # edge_id -> u, v, mode, length, cap
    adj: dict[str, dict[str, list[tuple[str, float]]]] = field(default_factory=dict)  # mode -> node -> nbrs
    access: dict[str, list[tuple[str, str, float]]] = field(default_factory=dict)     # plot -> (node, mode, km)
    tariff: dict[str, float] = field(default_factory=dict)
    _dist: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)

    # ---- corridors (section 7) -------------------------------------------
    def has_freight(self, f: str) -> bool:
        firm = self.firms[f]
        return firm["freight_kt"] > 0 and firm["destination_node"] != ""

    def firm_modes(self, f: str) -> set[str]:
        firm = self.firms[f]
        modes = set(firm["modes"])
        if firm["water_bound"]:
            modes.add("water")
        return modes

    def dist_to(self, dest: str, mode: str) -> dict[str, float]:
        """km over edges of ``mode`` from every reachable node to ``dest`` (Dijkstra from dest)."""
        key = (dest, mode)
        if key not in self._dist:
            adj = self.adj.get(mode, {})
            dist = {dest: 0.0}
            heap = [(0.0, dest)]
            done = set()
            while heap:
                d, n = heapq.heappop(heap)
                if n in done:
                    continue
                done.add(n)
                for m, length in adj.get(n, ()):
                    nd = d + length
                    if nd < dist.get(m, math.inf):
                        dist[m] = nd
                        heapq.heappush(heap, (nd, m))
            self._dist[key] = dist
        return self._dist[key]

    def cheapest(self, f: str, p: str) -> float | None:
        """Cost in euro per tonne of the cheapest route of (f, p); None without one."""
        dest = self.firms[f]["destination_node"]
        modes = self.firm_modes(f)
        best = None
        for node, mode, km in self.access.get(p, ()):
            if mode not in modes:
                continue
            d = self.dist_to(dest, mode).get(node)
            if d is None:
                continue
            c = self.tariff["road"] * km + self.tariff[mode] * d
            if best is None or c < best:
                best = c
        return best

    # ---- helpers on single rows -------------------------------------------
    def status_of_plot(self, p: str) -> str:
        return self.terrains[self.plots[p]["terrain_id"]]["status"]

    def region_of_plot(self, p: str) -> str:
        return self.terrains[self.plots[p]["terrain_id"]]["region"]

    def is_planned(self, p: str) -> bool:
        return self.status_of_plot(p) == "planned"

    def floor(self, f: str, p: str) -> float:
        """floor_fp: the pairs.csv override when given, else the firm's own."""
        if self.pairs is not None:
            row = self.pairs.get((f, p))
            if row is not None and _is_set(row.get("floor_space_m2")):
                return _f(row["floor_space_m2"])
        return _f(self.firms[f]["floor_space_m2"])

    def value(self, f: str, p: str) -> float:
        """value_fp: the pairs.csv override when given, else the firm's own."""
        if self.pairs is not None:
            row = self.pairs.get((f, p))
            if row is not None and _is_set(row.get("value_added_eur")):
                return _f(row["value_added_eur"])
        return _f(self.firms[f]["value_added_eur"])

    def distance_km(self, p: str, q: str) -> float:
        a, b = self.plots[p], self.plots[q]
        return math.hypot(_f(a["x"]) - _f(b["x"]), _f(a["y"]) - _f(b["y"])) / 1000.0

    def classes(self) -> list[str]:
        if self.params["compensation"]["per_werkmilieu"]:
            return list(WERKMILIEUS)
        return [POOLED]

    def W(self, f: str, p: str) -> set[str]:
        """W(f, p) of section 2, rule 6 (with policy.industrial_reserved)."""
        firm, plot = self.firms[f], self.plots[p]
        rf = RANK[firm["category"]]
        maxcat = self.params["werkmilieu_max_category"]
        policy = self.params["policy"]
        out = set()
        for w in firm["werkmilieus"]:
            if w not in plot["werkmilieus"]:
                continue
            if rf > RANK[maxcat[w]]:
                continue
            if w == "industrieel" and policy["industrial_reserved"]:
                heavy = rf >= RANK[policy["industrial_min_category"]]
                if not (heavy or firm["water_bound"]):
                    continue
            out.add(w)
        return out

    def broken_rule(self, f: str, p: str) -> str | None:
        """None when (f, p) in A, else the first section-2 rule it breaks."""
        firm, plot = self.firms[f], self.plots[p]
        if self.status_of_plot(p) == "transform":
            return f"rule 1 (plot {p} is on transform terrain {plot['terrain_id']})"
        if RANK[firm["category"]] > RANK[plot["max_category"]]:
            return (f"rule 2 (category {firm['category']} of firm {f} exceeds "
                    f"max_category {plot['max_category']} of plot {p})")
        if firm["water_bound"] and not plot["quay"]:
            return f"rule 3 (water-bound firm {f} on plot {p} without quay)"
        need = self.floor(f, p)
        room = _f(plot["floor_capacity_m2"]) + _f(plot["intensify_extra_m2"])
        if need > room * (1 + 1e-12):
            return f"rule 4 (floor {need:g} m2 of firm {f} exceeds {room:g} m2 of plot {p} even intensified)"
        cur = firm["current_plot"]
        if cur and _is_set(firm["max_move_km"]):
            dist = self.distance_km(p, cur)
            if dist > _f(firm["max_move_km"]) + _DIST_EPS_KM:
                return (f"rule 5 (plot {p} is {dist:.6g} km from current plot {cur}, "
                        f"max_move_km of firm {f} is {_f(firm['max_move_km']):g})")
        if not self.W(f, p):
            return f"rule 6 (W({f}, {p}) is empty: no compatible werkmilieu)"
        if self.pairs is not None and (f, p) not in self.pairs:
            return f"rule 7 (pair ({f}, {p}) is not listed in pairs.csv)"
        t = plot["terrain_id"]
        floor_cat = self.terrains[t]["min_category"]
        if floor_cat and RANK[firm["category"]] < RANK[floor_cat]:
            return (f"rule 8 (min_category: category {firm['category']} of firm {f} is below "
                    f"min_category {floor_cat} of terrain {t})")
        allowed = self.restrictions.get(firm["sector"])
        if allowed is not None and t not in allowed:
            return (f"rule 9 (restriction: firm {f} of sector {firm['sector']!r} may settle only on "
                    f"terrains {sorted(allowed)}, not on {t})")
        if self.has_freight(f) and self.cheapest(f, p) is None:
            return (f"rule 10 (route: firm {f} ships freight to node {firm['destination_node']} but has no "
                    f"route by {'/'.join(sorted(self.firm_modes(f)))} from plot {p})")
        return None


def _build_tables(instance: Instance) -> _Tables:
    params = instance.params
    terrains = {str(r["terrain_id"]): _terrain_record(r) for r in _records(instance.terrains)}
    plots = {str(r["plot_id"]): _plot_record(r) for r in _records(instance.plots)}
    firms = {str(r["firm_id"]): _firm_record(r) for r in _records(instance.firms)}
    substations = {str(r["substation_id"]): _f(r["available_mw"]) for r in _records(instance.substations)}
    areas = {str(r["area_id"]): _f(r["headroom_mol"]) for r in _records(instance.nature_areas)}
    deposition: dict[str, dict[str, float]] = {}
    for r in _records(instance.deposition):
        deposition.setdefault(str(r["plot_id"]), {})[str(r["area_id"])] = _f(r["mol_per_kg"])
    pairs = None
    if instance.pairs is not None:
        pairs = {(str(r["firm_id"]), str(r["plot_id"])): r for r in _records(instance.pairs)}
    tb = _Tables(params, terrains, plots, firms, substations, areas, deposition, pairs)
    _add_policy_tables(tb, instance)
    _add_corridors(tb, instance)
    _add_compensation_sets(tb)
    return tb


def _terrain_record(r: dict[str, Any]) -> dict[str, Any]:
    r = dict(r)
    r["region"] = _text(r.get("region"))
    r["min_category"] = _text(r.get("min_category"))
    r["noise_budget"] = _f(r["noise_budget"]) if _is_set(r.get("noise_budget")) else None
    r["develop"] = _text(r.get("develop"))
    return r


def _plot_record(r: dict[str, Any]) -> dict[str, Any]:
    r = dict(r)
    r["werkmilieus"] = tuple(r["werkmilieus"])
    r["current_werkmilieu"] = r.get("current_werkmilieu") or ""
    r["locked_werkmilieu"] = _text(r.get("locked_werkmilieu"))
    return r


def _firm_record(r: dict[str, Any]) -> dict[str, Any]:
    r = dict(r)
    r["werkmilieus"] = tuple(r["werkmilieus"])
    r["current_plot"] = r.get("current_plot") or ""
    r["water_bound"] = bool(r["water_bound"])
    r["must_place"] = bool(r["must_place"])
    r["locked"] = bool(r.get("locked", False))
    r["relocate"] = bool(r.get("relocate", False))
    r["noise_use"] = _f(r["noise_use"]) if _is_set(r.get("noise_use")) else 0.0
    r["sector"] = _text(r.get("sector"))
    r["freight_kt"] = _f(r["freight_kt"]) if _is_set(r.get("freight_kt")) else 0.0
    r["destination_node"] = _text(r.get("destination_node"))
    ms = r.get("modes")
    r["modes"] = tuple(ms) if isinstance(ms, (tuple, list)) else tuple(
        x.strip() for x in _text(ms or "road").split(";") if x.strip())
    return r


def _add_policy_tables(tb: _Tables, instance: Instance) -> None:
    """Claims (C9), lifecycle targets (C10) and sector restrictions (rule 9)."""
    for r in _records(getattr(instance, "claims", None)):
        tb.claims.append({"region": _text(r["region"]), "werkmilieu": _text(r["werkmilieu"]),
                          "min": _f(r["min_floor_m2"]) if _is_set(r.get("min_floor_m2")) else None,
                          "max": _f(r["max_floor_m2"]) if _is_set(r.get("max_floor_m2")) else None})
    for r in _records(getattr(instance, "lifecycle_targets", None)):
        tb.targets.append({"region": _text(r["region"]), "lifecycle": _text(r["lifecycle"]),
                           "min": _f(r["min_placed_m2"])})
    for r in _records(getattr(instance, "restrictions", None)):
        tb.restrictions[_text(r["sector"])] = {str(x) for x in r["terrain_ids"]}


def _add_corridors(tb: _Tables, instance: Instance) -> None:
    """Tariffs, the edges with an adjacency list per mode, and each plot's access rows (section 7)."""
    transport = tb.params.get("transport", {})
    tb.tariff = {m: _f(transport.get(f"{m}_eur_per_tkm", d)) for m, d in TARIFF_DEFAULTS.items()}
    for r in _records(getattr(instance, "corridor_edges", None)):
        e: dict[str, Any] = {"u": str(r["u"]), "v": str(r["v"]), "mode": str(r["mode"]), "length": _f(r["length_km"]),
             "cap": _f(r["capacity_kt"]) if _is_set(r.get("capacity_kt")) else None}
        tb.edges[str(r["edge_id"])] = e
        adj = tb.adj.setdefault(e["mode"], {})
        adj.setdefault(e["u"], []).append((e["v"], e["length"]))
        adj.setdefault(e["v"], []).append((e["u"], e["length"]))
    for r in _records(getattr(instance, "plot_access", None)):
        tb.access.setdefault(str(r["plot_id"]), []).append((str(r["node_id"]), str(r["mode"]), _f(r["access_km"])))


def _add_compensation_sets(tb: _Tables) -> None:
    """C7: lost[t, k] and N(t) for every transform terrain."""
    terrains, plots, params = tb.terrains, tb.plots, tb.params
    radius = _f(params["compensation"]["radius_km"])
    pooled = not params["compensation"]["per_werkmilieu"]
    for t, trow in terrains.items():
        if trow["status"] != "transform":
            continue
        own = [p for p, prow in plots.items() if prow["terrain_id"] == t]
        if not own:
            tb.neighbours[t] = []
            continue
        cx = sum(_f(plots[p]["x"]) for p in own) / len(own)
        cy = sum(_f(plots[p]["y"]) for p in own) / len(own)
        near = []
        for p, prow in plots.items():
            status = terrains[prow["terrain_id"]]["status"]
            if status == "transform":
                continue
            if not (status == "planned" or _f(prow["intensify_extra_m2"]) > 0):
                continue
            d = math.hypot(_f(prow["x"]) - cx, _f(prow["y"]) - cy) / 1000.0
            if d <= radius + _DIST_EPS_KM:
                near.append(p)
        tb.neighbours[t] = near
        for p in own:
            k = POOLED if pooled else plots[p]["current_werkmilieu"]
            if not k:
                continue
            tb.lost[(t, k)] = tb.lost.get((t, k), 0.0) + _f(plots[p]["floor_capacity_m2"])


_CACHE: dict[int, tuple[Any, _Tables]] = {}


def _tables(instance: Instance) -> _Tables:
    """Tables of an instance, cached while the instance lives (instances are read-only)."""
    key = id(instance)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is instance:
        return hit[1]
    tb = _build_tables(instance)
    try:
        ref = weakref.ref(instance, lambda _r: _CACHE.pop(key, None))
    except TypeError:  # not weak-referenceable: do not cache
        return tb
    _CACHE[key] = (ref, tb)
    return tb


def is_candidate(instance: Instance, firm_id: str, plot_id: str) -> str | None:
    """None when (firm_id, plot_id) is a candidate pair (spec section 2).

    Otherwise the name of the first of the ten rules it breaks (1-7 of section 2,
    8 min_category and 9 restriction of section 9), e.g.
    ``"rule 2 (category 5.1 of firm f1 exceeds max_category 4.2 of plot p1)"``;
    every such name starts with ``"rule <n>"``.
    """
    tb = _tables(instance)
    if firm_id not in tb.firms:
        return f"unknown firm {firm_id!r}"
    if plot_id not in tb.plots:
        return f"unknown plot {plot_id!r}"
    return tb.broken_rule(firm_id, plot_id)


def cheapest_route_cost(instance: Instance, firm_id: str, plot_id: str) -> float | None:
    """Cost (euro per tonne) of the cheapest route of (firm_id, plot_id), spec section 7: 0.0 for a
    firm without freight, None when a firm with freight has no route from that plot."""
    tb = _tables(instance)
    if not tb.has_freight(firm_id):
        return 0.0
    return tb.cheapest(firm_id, plot_id)


def compatible_werkmilieus(instance: Instance, firm_id: str, plot_id: str) -> frozenset[str]:
    """W(f, p) of spec section 2, rule 6 (the designations under which f may sit on p)."""
    return frozenset(_tables(instance).W(firm_id, plot_id))


# --------------------------------------------------------------------------- #
# The solution as plain dicts                                                  #
# --------------------------------------------------------------------------- #


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and math.isnan(v):
        return ""
    return str(v).strip()


def _bool(v: Any) -> bool | None:
    """Parse a boolean cell; None when it is not one."""
    if isinstance(v, bool):
        return v
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
        if isinstance(v, bool):
            return v
    if isinstance(v, (int, float)) and not (isinstance(v, float) and math.isnan(v)):
        if v in (0, 1):
            return bool(v)
        return None
    s = _text(v).lower()
    if s in ("true", "1"):
        return True
    if s in ("false", "0"):
        return False
    return None


@dataclass
class _Decisions:
    """x, z, d, u, c read from the solution tables (first row wins on duplicates)."""

    placements: list[tuple[str, str]]           # (firm, plot) per placed row, known ids only
    z: dict[str, str]                           # plot -> designation ("" none)
    u: dict[str, bool]                          # plot -> intensified
    d: dict[str, bool]                          # terrain -> developed (rows given)
    c: list[tuple[str, str, str, float]]        # (t, p, k, floor) rows with known t, p


def _read_decisions(tb: _Tables, sol: Solution, out: list[str], tol: float = 1e-6) -> _Decisions:
    """Read the decisions and report structural problems into ``out``.

    Structure (spec section 6): one assignments row per firm, one plots row
    per plot, known ids, designations and intensification allowed by the
    plot, terrain rows only deciding planned terrains, compensation rows on
    transform terrains, known plots and classes, with floor_m2 >= 0.
    """
    placements = _read_assignments(tb, sol, out)
    z, u = _read_plot_rows(tb, sol, out)
    d = _read_terrain_rows(tb, sol, out)
    c = _read_compensation(tb, sol, out, tol)
    return _Decisions(placements, z, u, d, c)


def _read_assignments(tb: _Tables, sol: Solution, out: list[str]) -> list[tuple[str, str]]:
    """assignments.csv: the (firm, plot) placements; one row per known firm."""
    seen_firms: dict[str, int] = {}
    placements = []
    for i, r in enumerate(_records(sol.assignments)):
        f, p = _text(r.get("firm_id")), _text(r.get("plot_id"))
        row = i + 2
        if f not in tb.firms:
            out.append(f"assignments.csv row {row}: unknown firm {f!r}")
            continue
        seen_firms[f] = seen_firms.get(f, 0) + 1
        if seen_firms[f] == 2:
            out.append(f"assignments.csv: duplicate rows for firm {f}")
        if p == "":
            continue
        if p not in tb.plots:
            out.append(f"assignments.csv row {row}: firm {f} on unknown plot {p!r}")
            continue
        placements.append((f, p))
    for f in tb.firms:
        if f not in seen_firms:
            out.append(f"assignments.csv: missing row for firm {f}")
    return placements


def _read_plot_rows(tb: _Tables, sol: Solution, out: list[str]) -> tuple[dict[str, str], dict[str, bool]]:
    """plots.csv: each plot's designation and intensification, allowed by the plot; one row per plot."""
    z: dict[str, str] = {}
    u: dict[str, bool] = {}
    for i, r in enumerate(_records(sol.plots)):
        p, w = _text(r.get("plot_id")), _text(r.get("werkmilieu"))
        row = i + 2
        if p not in tb.plots:
            out.append(f"plots.csv row {row}: unknown plot {p!r}")
            continue
        if p in z:
            out.append(f"plots.csv: duplicate rows for plot {p}")
            continue
        flag = _bool(r.get("intensified"))
        if flag is None:
            out.append(f"plots.csv row {row}: intensified of plot {p} is not a boolean")
            flag = False
        if w and w not in tb.plots[p]["werkmilieus"]:
            out.append(f"plots.csv row {row}: designation {w!r} of plot {p} is not one of "
                       f"its werkmilieus {list(tb.plots[p]['werkmilieus'])}")
        if flag and not _f(tb.plots[p]["intensify_extra_m2"]) > 0:
            out.append(f"plots.csv row {row}: plot {p} is intensified but has intensify_extra_m2 = 0")
        z[p] = w
        u[p] = flag
    for p in tb.plots:
        if p not in z:
            out.append(f"plots.csv: missing row for plot {p}")
            z[p] = ""
            u[p] = False
    return z, u


def _read_terrain_rows(tb: _Tables, sol: Solution, out: list[str]) -> dict[str, bool]:
    """terrains.csv: developed, for planned terrains only."""
    d: dict[str, bool] = {}
    for i, r in enumerate(_records(sol.terrains)):
        t = _text(r.get("terrain_id"))
        row = i + 2
        if t not in tb.terrains:
            out.append(f"terrains.csv row {row}: unknown terrain {t!r}")
            continue
        if t in d:
            out.append(f"terrains.csv: duplicate rows for terrain {t}")
            continue
        flag = _bool(r.get("developed"))
        if flag is None:
            out.append(f"terrains.csv row {row}: developed of terrain {t} is not a boolean")
            flag = False
        if flag and tb.terrains[t]["status"] != "planned":
            out.append(f"terrains.csv row {row}: terrain {t} is {tb.terrains[t]['status']}, "
                       "only planned terrains can be developed")
            flag = False
        d[t] = flag
    return d


def _read_compensation(tb: _Tables, sol: Solution, out: list[str],
                       tol: float) -> list[tuple[str, str, str, float]]:
    """compensation.csv: (transform terrain, plot, class, floor_m2 >= 0) rows."""
    classes = tb.classes()
    c = []
    for i, r in enumerate(_records(sol.compensation)):
        t, p, k = _text(r.get("terrain_id")), _text(r.get("plot_id")), _text(r.get("class"))
        row = i + 2
        try:
            amount = _f(r.get("floor_m2"))
        except (TypeError, ValueError):
            out.append(f"compensation.csv row {row}: floor_m2 is not a number")
            continue
        if math.isnan(amount):
            out.append(f"compensation.csv row {row}: floor_m2 is not a number")
            continue
        problems = []
        if t not in tb.terrains:
            problems.append(f"unknown terrain {t!r}")
        elif tb.terrains[t]["status"] != "transform":
            problems.append(f"terrain {t} is not a transform terrain")
        if p not in tb.plots:
            problems.append(f"unknown plot {p!r}")
        if k not in classes:
            problems.append(f"class {k!r} is not one of {classes}")
        if amount < -tol:
            problems.append(f"floor_m2 {amount:g} < 0")
        out += [f"compensation.csv row {row}: {x}" for x in problems]
        if not problems:
            c.append((t, p, k, amount))
    return c


def _developed(tb: _Tables, dec: _Decisions, t: str) -> bool:
    return tb.terrains[t]["status"] == "planned" and dec.d.get(t, False)


def _le(lhs: float, rhs: float, tol: float) -> bool:
    return lhs <= rhs + tol * max(1.0, abs(rhs))


# --------------------------------------------------------------------------- #
# Checks                                                                       #
# --------------------------------------------------------------------------- #


def check_candidates(tb: _Tables, dec: _Decisions) -> list[str]:
    """Every placed pair is in A (section 2, rules 1-7)."""
    out = []
    for f, p in dec.placements:
        why = tb.broken_rule(f, p)
        if why is not None:
            out.append(f"candidate: firm {f} on plot {p} is not a candidate pair: {why}")
    return out


def check_c1_placement(tb: _Tables, dec: _Decisions) -> list[str]:
    """C1: sum_p x[f,p] <= 1, and = 1 when must_place_f."""
    out = []
    count: dict[str, int] = {}
    for f, _p in dec.placements:
        count[f] = count.get(f, 0) + 1
    for f, firm in tb.firms.items():
        n = count.get(f, 0)
        if n > 1:
            out.append(f"C1 placement: firm {f} is placed {n} times")
        if firm["must_place"] and n == 0:
            out.append(f"C1 placement: must-place firm {f} is not placed")
    return out


def check_c2_designation(tb: _Tables, dec: _Decisions) -> list[str]:
    """C2: at most one designation (by construction of plots.csv); a designated
    plot on a planned terrain t requires d[t] = 1."""
    out = []
    for p, w in dec.z.items():
        if not w:
            continue
        t = tb.plots[p]["terrain_id"]
        if tb.terrains[t]["status"] == "planned" and not _developed(tb, dec, t):
            out.append(f"C2 designation: plot {p} is designated {w} but its planned terrain {t} is not developed")
    return out


def check_c3_compatibility(tb: _Tables, dec: _Decisions) -> list[str]:
    """C3: x[f,p] <= sum_{w in W(f,p)} z[p,w]: the plot's designation is in W(f,p)."""
    out = []
    for f, p in dec.placements:
        w = dec.z.get(p, "")
        allowed = tb.W(f, p)
        if w not in allowed:
            out.append(f"C3 compatibility: firm {f} on plot {p} designated {w or '(none)'}; "
                       f"W({f}, {p}) = {sorted(allowed)}")
    return out


def check_c4_floor(tb: _Tables, dec: _Decisions, tol: float) -> list[str]:
    """C4: sum_f floor_fp x[f,p] <= floor_capacity_p * D_p + intensify_extra_p * u[p],
    with D_p = d[t] on planned terrains, else 1; and u[p] <= sum_w z[p,w]."""
    out = []
    used: dict[str, float] = {}
    for f, p in dec.placements:
        used[p] = used.get(p, 0.0) + tb.floor(f, p)
    for p, plot in tb.plots.items():
        t = plot["terrain_id"]
        D = 1.0
        if tb.terrains[t]["status"] == "planned":
            D = 1.0 if _developed(tb, dec, t) else 0.0
        extra = _f(plot["intensify_extra_m2"])
        u = 1.0 if (dec.u.get(p, False) and extra > 0) else 0.0
        cap = _f(plot["floor_capacity_m2"]) * D + extra * u
        if p in used and not _le(used[p], cap, tol):
            out.append(f"C4 floor: plot {p} holds {used[p]:g} m2 > capacity {cap:g} m2")
        if dec.u.get(p, False) and not dec.z.get(p, ""):
            out.append(f"C4 floor: plot {p} is intensified but not designated (u <= sum_w z)")
    return out


def _sum_by(tb: _Tables, dec: _Decisions, plot_key: str, firm_value: str) -> dict[str, float]:
    """Per group of plots (the plot's ``plot_key``: its substation, its terrain), the sum of the
    placed firms' ``firm_value``."""
    total: dict[str, float] = {}
    for f, p in dec.placements:
        g = tb.plots[p][plot_key]
        total[g] = total.get(g, 0.0) + _f(tb.firms[f][firm_value])
    return total


def check_c5_grid(tb: _Tables, dec: _Decisions, tol: float) -> list[str]:
    """C5: per substation s, sum of grid_mw_f of firms placed on its plots <= available_mw_s."""
    out = []
    load = _sum_by(tb, dec, "substation_id", "grid_mw")
    for s, avail in tb.substations.items():
        if not _le(load.get(s, 0.0), avail, tol):
            out.append(f"C5 grid: substation {s} load {load[s]:g} MW > available {avail:g} MW")
    return out


def check_c6_nitrogen(tb: _Tables, dec: _Decisions, tol: float) -> list[str]:
    """C6: per nature area n, sum nitrogen_kg_f * mol_per_kg[p,n] <= headroom_mol_n
    (a missing deposition row counts 0)."""
    out = []
    dep: dict[str, float] = {}
    for f, p in dec.placements:
        kg = _f(tb.firms[f]["nitrogen_kg"])
        for n, coef in tb.deposition.get(p, {}).items():
            dep[n] = dep.get(n, 0.0) + kg * coef
    for n, head in tb.areas.items():
        if not _le(dep.get(n, 0.0), head, tol):
            out.append(f"C6 nitrogen: area {n} receives {dep[n]:g} mol > headroom {head:g} mol")
    return out


def check_c7_compensation(tb: _Tables, dec: _Decisions, tol: float) -> list[str]:
    """C7: for each transform terrain t and class k, credit from N(t) covers
    ratio * lost[t,k]; credit per plot and class, and per plot, stays within
    the new space the plot offers; no credit from plots outside N(t)."""
    out = []
    ratio = _f(tb.params["compensation"]["ratio"])
    pooled = not tb.params["compensation"]["per_werkmilieu"]
    got: dict[tuple[str, str], float] = {}
    per_pk: dict[tuple[str, str], float] = {}
    per_p: dict[str, float] = {}
    for t, p, k, amount in dec.c:
        if p not in tb.neighbours.get(t, []):
            if amount > tol:
                out.append(f"C7 compensation: credit {amount:g} m2 from plot {p} to terrain {t} "
                           f"but {p} is not in N({t})")
            continue
        got[(t, k)] = got.get((t, k), 0.0) + amount
        per_pk[(p, k)] = per_pk.get((p, k), 0.0) + amount
        per_p[p] = per_p.get(p, 0.0) + amount
    for (t, k), lost in sorted(tb.lost.items()):
        need = ratio * lost
        have = got.get((t, k), 0.0)
        if not _le(need, have, tol):
            out.append(f"C7 compensation: terrain {t} class {k} gets {have:g} m2 < "
                       f"ratio * lost = {need:g} m2")
    for (p, k), amount in sorted(per_pk.items()):
        plot = tb.plots[p]
        w = dec.z.get(p, "")
        zk = 1.0 if (w and (pooled or w == k)) else 0.0
        new = _f(plot["floor_capacity_m2"]) if tb.is_planned(p) else 0.0
        cap = (new + _f(plot["intensify_extra_m2"])) * zk
        if not _le(amount, cap, tol):
            out.append(f"C7 compensation: plot {p} class {k} credits {amount:g} m2 > "
                       f"{cap:g} m2 (designation {w or '(none)'})")
    for p, amount in sorted(per_p.items()):
        plot = tb.plots[p]
        zsum = 1.0 if dec.z.get(p, "") else 0.0
        extra = _f(plot["intensify_extra_m2"])
        u = 1.0 if (dec.u.get(p, False) and extra > 0) else 0.0
        new = _f(plot["floor_capacity_m2"]) if tb.is_planned(p) else 0.0
        cap = new * zsum + extra * u
        if not _le(amount, cap, tol):
            out.append(f"C7 compensation: plot {p} credits {amount:g} m2 in all > {cap:g} m2 of new space")
    return out


def check_c9_claims(tb: _Tables, dec: _Decisions, tol: float) -> list[str]:
    """C9: per claim (r, w), the floor_capacity of plots of region r designated w lies within
    [min, max]. Plots on transform terrains never count (they leave the stock)."""
    out = []
    for cl in tb.claims:
        r, w = cl["region"], cl["werkmilieu"]
        total = 0.0
        for p, plot in tb.plots.items():
            if tb.region_of_plot(p) == r and tb.status_of_plot(p) != "transform" and dec.z.get(p, "") == w:
                total += _f(plot["floor_capacity_m2"])
        if cl["min"] is not None and not _le(cl["min"], total, tol):
            out.append(f"C9 claim: region {r} has {total:g} m2 designated {w} < min_floor_m2 {cl['min']:g}")
        if cl["max"] is not None and not _le(total, cl["max"], tol):
            out.append(f"C9 claim: region {r} has {total:g} m2 designated {w} > max_floor_m2 {cl['max']:g}")
    return out


def check_c10_lifecycle(tb: _Tables, dec: _Decisions, tol: float) -> list[str]:
    """C10: per target (r, s), the floor_fp of placed firms of stage s on plots of region r >= min."""
    out = []
    for tg in tb.targets:
        r, s = tg["region"], tg["lifecycle"]
        total = 0.0
        for f, p in dec.placements:
            if tb.firms[f]["lifecycle"] == s and tb.region_of_plot(p) == r:
                total += tb.floor(f, p)
        if not _le(tg["min"], total, tol):
            out.append(f"C10 lifecycle: region {r} has {total:g} m2 of {s} firms placed < min_placed_m2 {tg['min']:g}")
    return out


def check_c11_noise(tb: _Tables, dec: _Decisions, tol: float) -> list[str]:
    """C11: per terrain t with a noise budget, sum of noise_use_f of firms on plots of t <= budget."""
    out = []
    used = _sum_by(tb, dec, "terrain_id", "noise_use")
    for t, terrain in tb.terrains.items():
        budget = terrain["noise_budget"]
        if budget is not None and not _le(used.get(t, 0.0), budget, tol):
            out.append(f"C11 noise: terrain {t} uses {used[t]:g} > noise_budget {budget:g}")
    return out


def check_locks(tb: _Tables, dec: _Decisions) -> list[str]:
    """Section 9 locks: a locked firm is on its current plot; a plot with a locked werkmilieu has it."""
    out = []
    placed = set(dec.placements)
    for f, firm in tb.firms.items():
        if firm["locked"] and (f, firm["current_plot"]) not in placed:
            out.append(f"locked: firm {f} is locked but not on its current plot {firm['current_plot']}")
    for p, plot in tb.plots.items():
        w = plot["locked_werkmilieu"]
        if w and dec.z.get(p, "") != w:
            out.append(f"locked: plot {p} has locked werkmilieu {w} but is designated "
                       f"{dec.z.get(p, '') or '(none)'}")
    return out


def check_plan(tb: _Tables, dec: _Decisions) -> list[str]:
    """A relocation plan's inputs (docs/plans.md): a relocated firm is not on its current plot; a
    planned terrain forced to develop is developed, one forbidden is not."""
    out = []
    for f, p in dec.placements:
        firm = tb.firms[f]
        if firm["relocate"] and p == firm["current_plot"]:
            out.append(f"plan relocate: firm {f} must leave its current plot {p} but stays")
    for t, terrain in tb.terrains.items():
        want = terrain["develop"]
        if want and _developed(tb, dec, t) != (want == "forced"):
            out.append(f"plan develop: terrain {t} is {want} to develop but developed is "
                       f"{str(_developed(tb, dec, t)).lower()}")
    return out


def check_routes(tb: _Tables, dec: _Decisions, routes: pd.DataFrame | None, tol: float) -> list[str]:
    """Section 7: every placed firm with freight has one route in routes.csv, over edges of one of
    its modes, connected from an access node of its plot for that mode to its destination, at the
    cheapest route cost of the pair (relative tolerance); no other firm has a route; C8: the
    freight of the reported routes on each edge stays within its capacity."""
    out: list[str] = []
    plot_of: dict[str, str] = {}
    for f, p in dec.placements:
        plot_of.setdefault(f, p)
    need = {f for f in plot_of if tb.has_freight(f)}
    rows: dict[str, tuple[str, list[str]]] = {}
    for i, r in enumerate(_records(routes)):
        f, mode = _text(r.get("firm_id")), _text(r.get("mode")).lower()
        edges = [e.strip() for e in _text(r.get("edges")).split(";") if e.strip()]
        where = f"routes.csv row {i + 2}"
        if f not in tb.firms:
            out.append(f"{where}: unknown firm {f!r}")
        elif f in rows:
            out.append(f"{where}: firm {f} has more than one route")
        elif f not in need:
            out.append(f"{where}: firm {f} has a route but is not a placed firm with freight")
        else:
            rows[f] = (mode, edges)
    load: dict[str, float] = {}
    for f in sorted(need):
        p = plot_of[f]
        if f not in rows:
            out.append(f"routes: placed firm {f} ships freight but has no route in routes.csv")
            continue
        mode, edges = rows[f]
        dest = tb.firms[f]["destination_node"]
        if mode not in tb.firm_modes(f):
            out.append(f"routes: firm {f} uses mode {mode or '(none)'}, not one of its modes "
                       f"{sorted(tb.firm_modes(f))}")
            continue
        unknown = [e for e in edges if e not in tb.edges]
        if unknown:
            out.append(f"routes: firm {f} uses unknown edge(s) {', '.join(unknown)}")
            continue
        wrong = [e for e in edges if tb.edges[e]["mode"] != mode]
        if wrong:
            out.append(f"routes: firm {f} travels by {mode} but edge(s) {', '.join(wrong)} are not {mode} edges")
            continue
        length = sum(tb.edges[e]["length"] for e in edges)
        cost = None
        for node, m, km in tb.access.get(p, ()):
            if m != mode:
                continue
            cur, ok = node, True
            for e in edges:
                ed = tb.edges[e]
                if cur == ed["u"]:
                    cur = ed["v"]
                elif cur == ed["v"]:
                    cur = ed["u"]
                else:
                    ok = False
                    break
            if ok and cur == dest:
                c = tb.tariff["road"] * km + tb.tariff[mode] * length
                cost = c if cost is None else min(cost, c)
        if cost is None:
            out.append(f"routes: route of firm {f} ({mode}: {';'.join(edges) or 'no edges'}) is not a connected "
                       f"path from a {mode} access node of plot {p} to destination {dest}")
            continue
        best = tb.cheapest(f, p)
        if best is None or abs(cost - best) > tol * max(abs(best), 1e-9):
            out.append(f"routes: route of firm {f} from plot {p} costs {cost:.10g} euro/t, the cheapest route "
                       f"of the pair costs {best if best is None else format(best, '.10g')} euro/t")
        for e in edges:
            load[e] = load.get(e, 0.0) + tb.firms[f]["freight_kt"]
    for e, kt in sorted(load.items()):
        cap = tb.edges[e]["cap"]
        if cap is not None and not _le(kt, cap, tol):
            out.append(f"C8 corridor: edge {e} carries {kt:g} kt > capacity {cap:g} kt")
    return out


def _objective(tb: _Tables, dec: _Decisions) -> float:
    """Section 5 (and the transport term of section 7), over the decisions read from the files."""
    obj = tb.params["objective"]
    years = _f(obj["value_years"])
    value = reloc = quay = cat = transport = 0.0
    for f, p in dec.placements:
        if f in tb.firms and tb.has_freight(f):
            c = tb.cheapest(f, p)
            if c is not None:  # a pair without route is reported by the candidate check
                transport += 1000.0 * tb.firms[f]["freight_kt"] * c
        firm, plot = tb.firms[f], tb.plots[p]
        fl = tb.floor(f, p)
        value += tb.value(f, p)
        if firm["current_plot"] and p != firm["current_plot"]:
            reloc += _f(firm["relocation_cost_eur"])
        if plot["quay"] and not firm["water_bound"]:
            quay += fl
        steps = RANK[plot["max_category"]] - RANK[firm["category"]]
        if steps > 0:
            cat += fl * steps
    dev = sum(_f(tb.terrains[t]["development_cost_eur"])
              for t in tb.terrains if _developed(tb, dec, t))
    inten = sum(_f(tb.plots[p]["intensify_cost_eur"]) for p, flag in dec.u.items()
                if flag and _f(tb.plots[p]["intensify_extra_m2"]) > 0)
    return (years * value
            - _f(obj["relocation_weight"]) * reloc
            - _f(obj["development_weight"]) * dev
            - _f(obj["intensify_weight"]) * inten
            - _f(obj["quay_misuse_eur_per_m2"]) * quay
            - _f(obj["category_misuse_eur_per_m2"]) * cat
            - years * _f(tb.params.get("transport", {}).get("weight", 1.0)) * transport)


def check_objective(tb: _Tables, dec: _Decisions, summary: dict[str, Any], tol: float) -> list[str]:
    """summary.json objective equals the section-5 value (relative tolerance)."""
    if "objective" not in summary:
        return ["summary.json: no objective given"]
    try:
        reported = float(summary["objective"])
    except (TypeError, ValueError):
        return [f"summary.json: objective {summary['objective']!r} is not a number"]
    expect = _objective(tb, dec)
    if math.isnan(reported) or abs(reported - expect) > tol * max(1.0, abs(expect)):
        return [f"objective: summary.json reports {reported:.10g}, section 5 gives {expect:.10g}"]
    return []


# --------------------------------------------------------------------------- #
# Entry points                                                                 #
# --------------------------------------------------------------------------- #


def _as_solution(solution: SolutionLike) -> Solution | str:
    """A Solution, or a one-line reason why there is none to check."""
    if isinstance(solution, Solution):
        return solution
    if isinstance(solution, (str, Path)):
        try:
            return Solution.read(solution)
        except SolutionFormatError as e:
            return f"solution format: {e}"
    if hasattr(solution, "solution"):
        inner = solution.solution
        if isinstance(inner, Solution):
            return inner
        if inner is None:
            status = getattr(solution, "status", None)
            status = getattr(status, "value", status)
            return f"summary.json: no solution (status {status})"
    raise TypeError(f"verify: cannot read a solution from {type(solution).__name__}")


def objective_value(instance: Instance, solution: SolutionLike) -> float:
    """The section-5 objective of ``solution`` (Solution, directory, or Result).

    Rows with unknown ids are ignored; nothing is checked for feasibility.
    """
    sol = _as_solution(solution)
    if isinstance(sol, str):
        raise ValueError(sol)
    tb = _build_tables(instance)
    return _objective(tb, _read_decisions(tb, sol, []))


def verify(instance: Instance, solution: SolutionLike, *, tol: float = 1e-6) -> list[str]:
    """Check a solution against the contract (spec sections 2, 3, 5, 6 and the policy rules of 9).

    ``solution`` is a :class:`Solution`, a path to a solution directory, or an
    object whose ``.solution`` is a Solution (a solve result). Returns the
    violations as readable lines, each starting with what is broken
    (``"C4 floor: ..."``, ``"C9 claim: ..."``, ``"locked: ..."``, ``"candidate: ... rule 2 (...)"``,
    ``"objective: ..."``,
    or the file name for structure); an empty list means feasible with the
    right objective. A summary whose objective is null gives the single line
    ``"summary.json: no solution (status ...)"``.
    """
    sol = _as_solution(solution)
    if isinstance(sol, str):
        return [sol]
    summary = sol.summary or {}
    if "objective" in summary and summary["objective"] is None:
        return [f"summary.json: no solution (status {summary.get('status')})"]
    tb = _build_tables(instance)  # fresh: never trust a cache for the final word
    out: list[str] = []
    dec = _read_decisions(tb, sol, out, tol)
    out += check_candidates(tb, dec)
    out += check_c1_placement(tb, dec)
    out += check_c2_designation(tb, dec)
    out += check_c3_compatibility(tb, dec)
    out += check_c4_floor(tb, dec, tol)
    out += check_c5_grid(tb, dec, tol)
    out += check_c6_nitrogen(tb, dec, tol)
    out += check_c7_compensation(tb, dec, tol)
    out += check_c9_claims(tb, dec, tol)
    out += check_c10_lifecycle(tb, dec, tol)
    out += check_c11_noise(tb, dec, tol)
    out += check_locks(tb, dec)
    out += check_plan(tb, dec)
    if tb.edges or tb.access or sol.routes is not None or any(tb.has_freight(f) for f in tb.firms):
        out += check_routes(tb, dec, sol.routes, tol)
    out += check_objective(tb, dec, summary, tol)
    return out


__all__ = ["verify", "objective_value", "is_candidate", "compatible_werkmilieus", "cheapest_route_cost", "POOLED"]
