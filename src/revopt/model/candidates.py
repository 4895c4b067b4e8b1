"""Candidate pairs (spec section 2), computed vectorised.

(f, p) is a candidate when all rules hold:

1. ``transform``  p is not on a transform terrain;
2. ``category``   rank(category_f) <= rank(max_category_p);
3. ``quay``       water_bound_f implies quay_p;
4. ``floor``      floor_fp <= floor_capacity_p + intensify_extra_p;
5. ``distance``   distance(p, current_plot_f) <= max_move_km_f when both are set;
6. ``werkmilieu`` W(f, p) is not empty (see :func:`firm_masks`);
7. ``pairs``      (f, p) is listed in pairs.csv, when that file exists;

and the candidate rules of the policy (spec section 9):

8. ``min_category`` rank(category_f) >= rank(min_category_t) on terrain t of p, when set;
9. ``restriction``  a firm of a sector listed in restrictions.csv only on plots of
   the terrains listed for that sector;

and the rule of the multimodal corridors (spec section 7):

10. ``route``       a firm with freight (freight_kt > 0 and a destination node) has a
    route from p to its destination (:mod:`revopt.corridors.routes`).

and the rules of a relocation plan (docs/plans.md):

11. ``relocate``    p is not current_plot_f for a firm with relocate = true;
12. ``closed``      p is not on a planned terrain that the plan forbids to develop
    (d[t] = 0 forbids every designation there, C2: the same feasible set, fewer columns).

Each candidate pair also gets its cheapest route: ``route`` (id into
``Candidates.paths``, -1 without freight) and ``transport`` (transport_fp =
1000 * freight_kt_f * route cost, euro per year; 0 without freight).

Without pairs.csv the firms x plots grid is evaluated in chunks of firms, each a
numpy broadcast over all plots, so no Python loop runs over pairs. Per firm, the
number of plots that each rule excludes is kept (independently: one plot can
fail several rules); it explains why a firm stays unplaced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..corridors.routes import Paths, RouteFinder
from ..data.instance import Instance
from ..data.vocab import RANK, WERKMILIEUS, WM_INDEX, wm_mask

RULES: tuple[str, ...] = ("transform", "category", "quay", "floor", "distance", "werkmilieu",
                          "min_category", "restriction", "route", "relocate", "closed", "pairs")
#: elements of the firms x plots grid evaluated per chunk
CHUNK_CELLS = 4_000_000


@dataclass
class Candidates:
    """Candidate pairs with their data, and per-firm exclusion counts.

    ``pairs``: one row per candidate, sorted by firm then plot, columns
    ``firm`` / ``plot`` (row positions in ``inst.firms`` / ``inst.plots``),
    ``firm_id``, ``plot_id``, ``floor`` (floor_fp), ``value`` (value_fp) and
    ``wmask`` (bit mask of W(f, p), bit i = WERKMILIEUS[i]), ``route`` (id of the pair's
    cheapest route in ``paths``, -1 for a firm without freight) and ``transport``
    (transport_fp, euro per year).
    ``exclusions``: one row per firm: ``firm_id``, ``candidates`` and, per rule
    of :data:`RULES`, how many plots that rule excluded.
    """

    pairs: pd.DataFrame
    exclusions: pd.DataFrame
    paths: Paths | None = None

    def __len__(self) -> int:
        return len(self.pairs)


def firm_masks(inst: Instance) -> np.ndarray:
    """Per firm, the werkmilieus it may get on any plot (before the plot's own list).

    Bit w is set when w is among the firm's werkmilieus, rank(category_f) <=
    rank(werkmilieu_max_category[w]) and, with ``policy.industrial_reserved``,
    for ``industrieel`` also rank(category_f) >= rank(industrial_min_category)
    or the firm is water-bound.
    """
    f = inst.firms
    rank_f = f["category"].map(RANK).to_numpy(dtype=np.int64)
    own = np.array([wm_mask(ws) for ws in f["werkmilieus"]], dtype=np.int64)
    allowed = np.zeros(len(f), dtype=np.int64)
    for w in WERKMILIEUS:
        ok = rank_f <= RANK[inst.params["werkmilieu_max_category"][w]]
        if w == "industrieel" and inst.params["policy"]["industrial_reserved"]:
            ok &= (rank_f >= RANK[inst.params["policy"]["industrial_min_category"]]) | f["water_bound"].to_numpy(bool)
        allowed |= np.where(ok, 1 << WM_INDEX[w], 0)
    return own & allowed


def closed_plots(inst: Instance) -> np.ndarray:
    """Per plot: on a planned terrain that a relocation plan keeps closed (develop = forbidden)."""
    closed = set(inst.terrains.loc[inst.terrains["develop"].eq("forbidden"), "terrain_id"])
    return inst.plots["terrain_id"].isin(closed).to_numpy(bool)


def restriction_arrays(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Sector restrictions as arrays: per firm the row of its sector's restriction
    (the extra last row, all True, when its sector is free), and that table of
    allowed terrains (restrictions + 1 rows x terrains)."""
    nT = len(inst.terrains)
    rs = inst.restrictions
    n = 0 if rs is None else len(rs)
    allowed = np.ones((n + 1, nT), dtype=bool)
    if n == 0:
        return np.zeros(len(inst.firms), dtype=np.int64), allowed
    tpos = pd.Series(np.arange(nT), index=inst.terrains["terrain_id"])
    allowed[:n] = False
    for i, ids in enumerate(rs["terrain_ids"]):  # one row per restricted sector: few
        allowed[i, tpos.reindex(list(ids)).dropna().to_numpy(np.int64)] = True
    row = inst.firms["sector"].map(pd.Series(np.arange(n), index=rs["sector"])).fillna(n).to_numpy(np.int64)
    return row, allowed


def _plot_arrays(inst: Instance) -> dict[str, np.ndarray]:
    p = inst.plots
    t = inst.terrains
    status = p["terrain_id"].map(dict(zip(t["terrain_id"], t["status"])))
    tpos = pd.Series(np.arange(len(t)), index=t["terrain_id"])
    min_rank = t["min_category"].map(RANK).fillna(0).to_numpy(np.int64)
    pt = p["terrain_id"].map(tpos).to_numpy(np.int64)
    return {
        "terrain": pt,
        "min_rank": min_rank[pt],
        "ok_transform": status.ne("transform").to_numpy(bool),
        "rank": p["max_category"].map(RANK).to_numpy(np.int64),
        "quay": p["quay"].to_numpy(bool),
        "cap": (p["floor_capacity_m2"] + p["intensify_extra_m2"]).to_numpy(float),
        "x": p["x"].to_numpy(float),
        "y": p["y"].to_numpy(float),
        "mask": np.array([wm_mask(ws) for ws in p["werkmilieus"]], dtype=np.int64),
        "index": np.arange(len(p), dtype=np.int64),
        "open": ~closed_plots(inst),
    }


def _route_finder(inst: Instance) -> RouteFinder | None:
    """A RouteFinder when some firm ships freight on a corridor network, else None."""
    if not inst.has_corridors:
        return None
    rf = RouteFinder(inst)
    return rf if rf.has_freight.any() else None


def _route_arrays(rf: RouteFinder | None, inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Per firm a row of the reach table, and that table (rows x plots): who has a route where."""
    if rf is None:
        return np.zeros(len(inst.firms), np.int64), np.ones((1, len(inst.plots)), dtype=bool)
    return rf.route_groups()


def _firm_arrays(inst: Instance) -> dict[str, np.ndarray]:
    f = inst.firms
    pos = pd.Series(np.arange(len(inst.plots)), index=inst.plots["plot_id"])
    cur = f["current_plot"].map(pos)
    has_cur = cur.notna().to_numpy()
    cur_i = cur.fillna(0).to_numpy(np.int64)
    px, py = inst.plots["x"].to_numpy(float), inst.plots["y"].to_numpy(float)
    maxmove = f["max_move_km"].to_numpy(float)
    limited = has_cur & ~np.isnan(maxmove)
    return {
        "rank": f["category"].map(RANK).to_numpy(np.int64),
        "water": f["water_bound"].to_numpy(bool),
        "floor": f["floor_space_m2"].to_numpy(float),
        "value": f["value_added_eur"].to_numpy(float),
        "limited": limited,
        "cx": np.where(has_cur, px[cur_i], np.nan),
        "cy": np.where(has_cur, py[cur_i], np.nan),
        "maxmove": np.where(limited, maxmove, np.inf),
        "mask": firm_masks(inst),
        "restriction": restriction_arrays(inst)[0],
        # current plot of a firm that must leave it (relocation plan), -1 for every other firm
        "leave": np.where(has_cur & f["relocate"].to_numpy(bool), cur_i, -1),
    }


@dataclass
class _RuleInputs:
    """What the candidate rules read, as arrays (firm side, plot side, restriction and reach tables)."""

    F: dict[str, np.ndarray]
    P: dict[str, np.ndarray]
    allowed: np.ndarray
    rf: RouteFinder | None
    rgroup: np.ndarray
    reach: np.ndarray

    @classmethod
    def of(cls, inst: Instance) -> _RuleInputs:
        F, P = _firm_arrays(inst), _plot_arrays(inst)
        allowed = restriction_arrays(inst)[1]
        rf = _route_finder(inst)
        rgroup, reach = _route_arrays(rf, inst)
        return cls(F, P, allowed, rf, rgroup, reach)

    def rules(self, fi: np.ndarray, pj: np.ndarray | None, floor: np.ndarray) -> dict[str, np.ndarray]:
        return _rule_matrix(self.F, self.P, fi, pj, floor, self.allowed, self.rgroup, self.reach)


def _rule_matrix(F: dict, P: dict, fi: np.ndarray, pj: np.ndarray | None, floor: np.ndarray,
                 allowed: np.ndarray, rgroup: np.ndarray, reach: np.ndarray) -> dict[str, np.ndarray]:
    """Each rule's pass/fail, either on a grid (pj None: fi x all plots) or on pairs (fi, pj)."""
    if pj is None:
        def fcol(a):
            return a[fi][:, None]

        def prow(a):
            return a[None, :]
        floor_b = floor[:, None]
    else:
        def fcol(a):
            return a[fi]

        def prow(a):
            return a[pj]
        floor_b = floor
    dist_km = np.hypot(prow(P["x"]) - fcol(F["cx"]), prow(P["y"]) - fcol(F["cy"])) / 1000.0
    with np.errstate(invalid="ignore"):
        distance = ~fcol(F["limited"]) | (dist_km <= fcol(F["maxmove"]) * (1 + 1e-12))
    shape = np.broadcast_shapes(np.shape(fcol(F["rank"])), np.shape(prow(P["rank"])))
    return {
        "transform": np.broadcast_to(prow(P["ok_transform"]), shape),
        "category": fcol(F["rank"]) <= prow(P["rank"]),
        "quay": ~fcol(F["water"]) | prow(P["quay"]),
        "floor": floor_b <= prow(P["cap"]),
        "distance": np.broadcast_to(distance, shape),
        "werkmilieu": (fcol(F["mask"]) & prow(P["mask"])) != 0,
        "min_category": fcol(F["rank"]) >= prow(P["min_rank"]),
        "restriction": (np.broadcast_to(True, shape) if allowed.shape[0] == 1
                        else allowed[fcol(F["restriction"]), prow(P["terrain"])]),
        "relocate": np.broadcast_to(fcol(F["leave"]) != prow(P["index"]), shape),
        "closed": np.broadcast_to(prow(P["open"]), shape),
        "route": (np.broadcast_to(True, shape) if reach.shape[0] == 1
                  else reach[fcol(rgroup), prow(np.arange(reach.shape[1]))]),
    }


def candidate_pairs(inst: Instance) -> Candidates:
    """All candidate pairs of an instance with floor_fp, value_fp and W(f, p)."""
    ctx = _RuleInputs.of(inst)
    F, P, rf = ctx.F, ctx.P, ctx.rf
    nf, np_ = len(inst.firms), len(inst.plots)
    excl = {r: np.zeros(nf, dtype=np.int64) for r in RULES}
    if inst.pairs is None:
        fis, pjs = [], []
        step = max(1, CHUNK_CELLS // max(np_, 1))
        for start in range(0, nf, step):
            fi = np.arange(start, min(nf, start + step))
            rules = ctx.rules(fi, None, F["floor"][fi])
            ok = np.ones((len(fi), np_), dtype=bool)
            for r, m in rules.items():
                excl[r][fi] = np_ - m.sum(axis=1)
                ok &= m
            a, b = np.nonzero(ok)
            fis.append(fi[a])
            pjs.append(b)
        fi = np.concatenate(fis) if fis else np.zeros(0, np.int64)
        pj = np.concatenate(pjs) if pjs else np.zeros(0, np.int64)
        floor, value = F["floor"][fi], F["value"][fi]
    else:
        pr = inst.pairs
        fi = pr["firm_id"].map(pd.Series(np.arange(nf), index=inst.firms["firm_id"])).to_numpy(np.int64)
        pj = pr["plot_id"].map(pd.Series(np.arange(np_), index=inst.plots["plot_id"])).to_numpy(np.int64)
        ov_floor = pr["floor_space_m2"].to_numpy(float) if "floor_space_m2" in pr else np.full(len(pr), np.nan)
        ov_value = pr["value_added_eur"].to_numpy(float) if "value_added_eur" in pr else np.full(len(pr), np.nan)
        floor = np.where(np.isnan(ov_floor), F["floor"][fi], ov_floor)
        value = np.where(np.isnan(ov_value), F["value"][fi], ov_value)
        rules = ctx.rules(fi, pj, floor)
        ok = np.ones(len(pr), dtype=bool)
        for r, m in rules.items():
            excl[r] += np.bincount(fi[~m], minlength=nf)
            ok &= m
        excl["pairs"] = np_ - np.bincount(fi, minlength=nf)
        fi, pj, floor, value = fi[ok], pj[ok], floor[ok], value[ok]
    key = fi * max(np_, 1) + pj
    if len(key) > 1 and not bool(np.all(key[1:] >= key[:-1])):  # the grid gives them in order already
        order = np.argsort(key, kind="stable")
        fi, pj, floor, value = fi[order], pj[order], floor[order], value[order]
    if rf is None:
        route, transport, paths = np.full(len(fi), -1, np.int64), np.zeros(len(fi)), None
    else:
        cost, route, paths = rf.routes(fi, pj)
        if not np.all(np.isfinite(cost)):  # pragma: no cover - the route rule keeps these out
            raise AssertionError("a candidate pair of a firm with freight has no route")
        transport = 1000.0 * rf.freight[fi] * np.where(route >= 0, cost, 0.0)
    pairs = pd.DataFrame({
        "firm": fi, "plot": pj,
        "firm_id": inst.firms["firm_id"].to_numpy(object)[fi],
        "plot_id": inst.plots["plot_id"].to_numpy(object)[pj],
        "floor": floor, "value": value,
        "wmask": F["mask"][fi] & P["mask"][pj],
        "route": route, "transport": transport,
    })
    exclusions = pd.DataFrame({"firm_id": inst.firms["firm_id"].to_numpy(object),
                               "candidates": np.bincount(fi, minlength=nf), **excl})
    return Candidates(pairs=pairs, exclusions=exclusions, paths=paths)


def _listed_pairs(inst: Instance, fi: np.ndarray, pj: np.ndarray, floor: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For pairs (fi, pj): whether pairs.csv lists each (all True without the file), and floor_fp
    with pairs.csv's floor override of a listed pair."""
    if inst.pairs is None:
        return np.ones(len(fi), dtype=bool), floor
    key = pd.MultiIndex.from_arrays([inst.pairs["firm_id"], inst.pairs["plot_id"]])
    want = pd.MultiIndex.from_arrays([inst.firms["firm_id"].to_numpy(object)[fi],
                                      inst.plots["plot_id"].to_numpy(object)[pj]])
    pos = key.get_indexer(want)
    listed = pos >= 0
    ov = inst.pairs["floor_space_m2"].to_numpy(float) if "floor_space_m2" in inst.pairs else None
    if ov is not None:
        o = np.where(listed, ov[np.maximum(pos, 0)], np.nan)
        floor = np.where(np.isnan(o), floor, o)
    return listed, floor


def _listed_grid(inst: Instance, fi: np.ndarray) -> np.ndarray:
    """For the firms fi (distinct) against every plot: whether pairs.csv lists the pair (all True without it)."""
    listed = np.zeros((len(fi), len(inst.plots)), dtype=bool)
    if inst.pairs is None:
        listed[:] = True
        return listed
    fpos = pd.Series(np.arange(len(inst.firms)), index=inst.firms["firm_id"])
    ppos = pd.Series(np.arange(len(inst.plots)), index=inst.plots["plot_id"])
    pf = inst.pairs["firm_id"].map(fpos).to_numpy(np.int64)
    pp = inst.pairs["plot_id"].map(ppos).to_numpy(np.int64)
    row_of = np.full(len(inst.firms), -1, dtype=np.int64)
    row_of[fi] = np.arange(len(fi))
    sel = row_of[pf] >= 0
    listed[row_of[pf[sel]], pp[sel]] = True
    return listed


def candidate_rules(inst: Instance, firms: np.ndarray, plots: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Each candidate rule of :data:`RULES`, pass (True) or fail, for chosen firms and plots (row positions).

    - ``plots`` given: for the pairs (firms[i], plots[i]); arrays of one value per pair;
      floor_fp is pairs.csv's floor override where a listed pair has one;
    - ``plots`` None: for each of ``firms`` (distinct) against every plot; arrays of
      firms x plots; floor_fp is the firm's own floor space.

    ``pairs`` (listed in pairs.csv) is True everywhere when the instance has no pairs.csv.
    A pair is a candidate when every rule passes. Meant for a few firms (messages, reasons):
    :func:`candidate_pairs` evaluates the whole grid in chunks.
    """
    ctx = _RuleInputs.of(inst)
    fi = np.asarray(firms, np.int64)
    if plots is None:
        rules = ctx.rules(fi, None, ctx.F["floor"][fi])
        rules["pairs"] = _listed_grid(inst, fi)
        return rules
    pj = np.asarray(plots, np.int64)
    listed, floor = _listed_pairs(inst, fi, pj, ctx.F["floor"][fi].copy())
    rules = ctx.rules(fi, pj, floor)
    rules["pairs"] = listed
    return rules


def explain_pairs(inst: Instance, fi: np.ndarray, pj: np.ndarray) -> list[str]:
    """For given pairs (firm and plot row positions), why each is not a candidate, with the
    numbers ("" for a candidate). Meant for a few pairs (locked firms, messages)."""
    ctx = _RuleInputs.of(inst)
    P, rf = ctx.P, ctx.rf
    fi, pj = np.asarray(fi, np.int64), np.asarray(pj, np.int64)
    listed, floor = _listed_pairs(inst, fi, pj, ctx.F["floor"][fi].copy())
    rules = ctx.rules(fi, pj, floor)
    rules["pairs"] = listed
    f, p, t = inst.firms, inst.plots, inst.terrains
    out = []
    for i, (a, b) in enumerate(zip(fi, pj)):
        fr, pr, tr = f.iloc[a], p.iloc[b], t.iloc[P["terrain"][b]]
        why = []
        for rule in RULES:
            if rules[rule][i]:
                continue
            why.append({
                "transform": f"plot {pr.plot_id} is on transform terrain {tr.terrain_id}",
                "category": f"category {fr.category} of the firm is above max_category {pr.max_category} of the plot",
                "quay": "the firm is water-bound and the plot has no quay",
                "floor": (f"the firm needs {floor[i]:,.6g} m2, the plot holds {P['cap'][b]:,.6g} m2 "
                          "even intensified"),
                "distance": f"the plot is farther than max_move_km {fr.max_move_km:g} from the current plot",
                "werkmilieu": (f"no compatible werkmilieu (firm: {';'.join(fr.werkmilieus)}, plot: "
                               f"{';'.join(pr.werkmilieus)}, category {fr.category})"),
                "min_category": (f"category {fr.category} of the firm is below min_category {tr.min_category} "
                                 f"of terrain {tr.terrain_id}"),
                "restriction": f"sector {fr.sector!r} may not settle on terrain {tr.terrain_id} (restrictions.csv)",
                "relocate": f"the plan relocates the firm: it may not stay on its current plot {pr.plot_id}",
                "closed": f"the plan keeps planned terrain {tr.terrain_id} closed (forbid_develop)",
                "route": rf.explain(int(a), int(b)) if rf is not None else "",
                "pairs": "the pair is not listed in pairs.csv",
            }[rule])
        out.append("; ".join(why))
    return out


__all__ = ["RULES", "Candidates", "candidate_pairs", "candidate_rules", "explain_pairs", "firm_masks",
           "closed_plots", "restriction_arrays"]
