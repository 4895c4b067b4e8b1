"""Brute-force oracle: the exact optimum of a tiny instance by enumeration.

Written from the spec (sections 2-5, the policy rules of 9 and a plan's relocate /
develop / forbid_develop of 8, docs/plans.md) alone,
independently of revopt.model and revopt.solve. Only the candidate rules are
shared with the verifier (:func:`revopt.results.verify.is_candidate` and
``compatible_werkmilieus``, which include min_category and the sector
restrictions); N(t), lost[t,k], capacities, claims, targets, noise and the
objective are recomputed here on their own.

Enumeration order: developed d (planned terrains) -> per plot (designation z,
intensified u; a locked werkmilieu is the only designation its plot may get)
-> C9 claims on z -> C7 feasibility of (z, u) by max-flow -> best assignment x
by depth-first search with pruning (C1 with locked firms on their current plot,
C3, C4, C5, C6, C11) and an optimistic bound, C10 checked on each complete
assignment; memoised on the per-plot (designation, capacity) state.
"""

from __future__ import annotations

import itertools
import math
import time

import networkx as nx
import pandas as pd

from revopt.data.vocab import RANK
from revopt.results.solution import Solution
from revopt.results.verify import compatible_werkmilieus, is_candidate

EPS = 1e-9
LIMITS = {"firms": 4, "plots": 4, "planned": 2}


def _num(v) -> float:
    return float(v)


def _override(pairs: dict | None, f: str, p: str, col: str, default: float) -> float:
    if pairs is None or (f, p) not in pairs:
        return default
    v = pairs[(f, p)][col]
    return default if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def brute_force(instance) -> tuple[float | None, Solution | None]:
    """Exact optimum of a tiny instance: (objective, Solution), or (None, None) if infeasible."""
    start = time.perf_counter()
    prm = instance.params
    terr = {r.terrain_id: r for r in instance.terrains.itertuples(index=False)}
    plots = {r.plot_id: r for r in instance.plots.itertuples(index=False)}
    firms = {r.firm_id: r for r in instance.firms.itertuples(index=False)}
    if len(firms) > LIMITS["firms"] or len(plots) > LIMITS["plots"]:
        raise ValueError("brute_force is for tiny instances only")
    planned = [t for t, r in terr.items() if r.status == "planned"]
    if len(planned) > LIMITS["planned"]:
        raise ValueError("brute_force is for tiny instances only")
    pairs = None
    if instance.pairs is not None:
        pairs = {(r.firm_id, r.plot_id): r._asdict() for r in instance.pairs.itertuples(index=False)}
    dep: dict[tuple[str, str], float] = {}
    for r in instance.deposition.itertuples(index=False):
        dep[(r.plot_id, r.area_id)] = float(r.mol_per_kg)
    headroom = {r.area_id: float(r.headroom_mol) for r in instance.nature_areas.itertuples(index=False)}
    avail = {r.substation_id: float(r.available_mw) for r in instance.substations.itertuples(index=False)}

    ob = prm["objective"]
    years = _num(ob["value_years"])

    # ---- section 9: regions, locks, noise, claims, targets ---------------------------
    def region(p):
        return terr[plots[p].terrain_id].region

    def locked(f):
        return bool(getattr(firms[f], "locked", False))

    def must(f):
        return bool(firms[f].must_place) or locked(f)

    noise_room = {t: float(r.noise_budget) for t, r in terr.items()
                  if getattr(r, "noise_budget", None) is not None and not math.isnan(float(r.noise_budget))}
    claims = [] if getattr(instance, "claims", None) is None else [
        (r.region, r.werkmilieu, float(r.min_floor_m2), float(r.max_floor_m2))
        for r in instance.claims.itertuples(index=False)]
    targets = [] if getattr(instance, "lifecycle_targets", None) is None else [
        (r.region, r.lifecycle, float(r.min_placed_m2)) for r in instance.lifecycle_targets.itertuples(index=False)]

    def claims_hold(z: dict) -> bool:
        for r, w, lo, hi in claims:
            total = sum(float(plots[p].floor_capacity_m2) for p in plots
                        if region(p) == r and status(p) != "transform" and z[p] == w)
            if not math.isnan(lo) and total < lo - EPS:
                return False
            if not math.isnan(hi) and total > hi + EPS:
                return False
        return True

    def status(p):
        return terr[plots[p].terrain_id].status

    # ---- firm options: (plot, W, score, floor) for candidate pairs -------------------
    options: dict[str, list[tuple[str, frozenset, float, float]]] = {}
    for f, fr in firms.items():
        opts = []
        for p, pr in plots.items():
            if is_candidate(instance, f, p) is not None:
                continue
            if locked(f) and p != fr.current_plot:
                continue
            if bool(getattr(fr, "relocate", False)) and p == fr.current_plot:   # a plan's relocate
                continue
            floor = _override(pairs, f, p, "floor_space_m2", float(fr.floor_space_m2))
            value = _override(pairs, f, p, "value_added_eur", float(fr.value_added_eur))
            score = years * value
            if fr.current_plot and p != fr.current_plot:
                score -= _num(ob["relocation_weight"]) * float(fr.relocation_cost_eur)
            if pr.quay and not fr.water_bound:
                score -= _num(ob["quay_misuse_eur_per_m2"]) * floor
            steps = RANK[pr.max_category] - RANK[fr.category]
            score -= _num(ob["category_misuse_eur_per_m2"]) * floor * max(0, steps)
            opts.append((p, compatible_werkmilieus(instance, f, p), score, floor))
        options[f] = opts
    firm_ids = list(firms)
    for f in firm_ids:
        if must(f) and not options[f]:
            return None, None

    # ---- C7 data: lost[t,k], N(t) -------------------------------------------------------
    comp = prm["compensation"]
    pooled = not comp["per_werkmilieu"]
    ratio = float(comp["ratio"])
    demand: dict[tuple[str, str], float] = {}
    near: dict[str, list[str]] = {}
    for t, tr in terr.items():
        if tr.status != "transform":
            continue
        own = [p for p in plots if plots[p].terrain_id == t]
        if not own:
            continue
        cx = sum(float(plots[p].x) for p in own) / len(own)
        cy = sum(float(plots[p].y) for p in own) / len(own)
        near[t] = [q for q in plots
                   if status(q) != "transform"
                   and (status(q) == "planned" or float(plots[q].intensify_extra_m2) > 0)
                   and math.dist((cx, cy), (float(plots[q].x), float(plots[q].y))) / 1000.0
                   <= float(comp["radius_km"]) + EPS]
        for p in own:
            k = "pooled" if pooled else plots[p].current_werkmilieu
            demand[(t, k)] = demand.get((t, k), 0.0) + ratio * float(plots[p].floor_capacity_m2)

    flow_cache: dict[tuple, list | None] = {}

    def compensation(z: dict, u: dict) -> list | None:
        """Credit rows meeting C7 for designations z and intensification u, else None."""
        key = tuple((z[p], u[p]) for p in plots)
        if key in flow_cache:
            return flow_cache[key]
        total = sum(v for v in demand.values() if v > 0)
        if total <= 0:
            flow_cache[key] = []
            return []
        g = nx.DiGraph()
        for (t, k), need in demand.items():
            if need <= 0:
                continue
            g.add_edge("SRC", ("tk", t, k), capacity=need)
            for p in near[t]:
                w = z[p]
                if not w or not (pooled or w == k):
                    continue
                new = float(plots[p].floor_capacity_m2) if status(p) == "planned" else 0.0
                extra = float(plots[p].intensify_extra_m2)
                g.add_edge(("tk", t, k), ("pk", p, k))  # unbounded
                g.add_edge(("pk", p, k), ("p", p), capacity=new + extra)
                g.add_edge(("p", p), "SNK", capacity=new + extra * u[p])
        if "SNK" not in g:
            flow_cache[key] = None
            return None
        value, flow = nx.maximum_flow(g, "SRC", "SNK")
        if value < total - 1e-6 * max(1.0, total):
            flow_cache[key] = None
            return None
        rows = []
        for node, outs in flow.items():
            if isinstance(node, tuple) and node[0] == "tk":
                for nxt, amount in outs.items():
                    if amount > 0:
                        rows.append((node[1], nxt[1], node[2], float(amount)))
        flow_cache[key] = rows
        return rows

    # ---- assignment search for a fixed plot state -----------------------------------------
    order = sorted(firm_ids, key=lambda f: (not must(f), f))
    best_rest = [0.0] * (len(order) + 1)
    for i in range(len(order) - 1, -1, -1):
        top = max([s for _p, _w, s, _fl in options[order[i]]], default=0.0)
        best_rest[i] = best_rest[i + 1] + (top if must(order[i]) else max(0.0, top))

    assign_cache: dict[tuple, tuple[float, tuple] | None] = {}

    def best_assignment(z: dict, cap: dict):
        key = tuple((z[p], cap[p]) for p in plots)
        if key in assign_cache:
            return assign_cache[key]
        room = dict(cap)
        grid = dict(avail)
        nitro = dict(headroom)
        noise = dict(noise_room)
        stage_floor: dict[tuple[str, str], float] = {}
        best: list = [-math.inf, None]
        chosen: list[str] = []

        def dfs(i: int, acc: float):
            if acc + best_rest[i] <= best[0] + EPS and best[1] is not None:
                return
            if i == len(order):
                if any(stage_floor.get((r, s), 0.0) < lo - EPS for r, s, lo in targets):
                    return
                if acc > best[0] + EPS or best[1] is None:
                    best[0], best[1] = acc, tuple(chosen)
                return
            f = order[i]
            fr = firms[f]
            for p, W, score, floor in options[f]:
                if z[p] not in W or floor > room[p] + EPS:
                    continue
                s = plots[p].substation_id
                if float(fr.grid_mw) > grid[s] + EPS:
                    continue
                hit = {n: float(fr.nitrogen_kg) * dep.get((p, n), 0.0) for n in nitro}
                if any(v > nitro[n] + EPS for n, v in hit.items()):
                    continue
                t = plots[p].terrain_id
                loud = float(getattr(fr, "noise_use", 0.0))
                if t in noise and loud > noise[t] + EPS:
                    continue
                key = (region(p), fr.lifecycle)
                room[p] -= floor
                grid[s] -= float(fr.grid_mw)
                for n, v in hit.items():
                    nitro[n] -= v
                if t in noise:
                    noise[t] -= loud
                stage_floor[key] = stage_floor.get(key, 0.0) + floor
                chosen.append(p)
                dfs(i + 1, acc + score)
                chosen.pop()
                room[p] += floor
                grid[s] += float(fr.grid_mw)
                for n, v in hit.items():
                    nitro[n] += v
                if t in noise:
                    noise[t] += loud
                stage_floor[key] -= floor
            if not must(f):
                chosen.append("")
                dfs(i + 1, acc)
                chosen.pop()

        dfs(0, 0.0)
        res = None if best[1] is None else (best[0], best[1])
        assign_cache[key] = res
        return res

    # ---- outer enumeration: d, then (z, u) per plot -------------------------------------
    plot_ids = list(plots)
    best_total = -math.inf
    best_pick = None
    for dvals in itertools.product((False, True), repeat=len(planned)):
        d = dict(zip(planned, dvals))
        if any((getattr(terr[t], "develop", "") == "forced" and not d[t])
               or (getattr(terr[t], "develop", "") == "forbidden" and d[t]) for t in planned):
            continue   # a plan's develop / forbid_develop
        dev_cost = _num(ob["development_weight"]) * sum(
            float(terr[t].development_cost_eur) for t in planned if d[t])
        per_plot = []
        for p in plot_ids:
            pr = plots[p]
            st = status(p)
            fixed_w = getattr(pr, "locked_werkmilieu", "") or ""
            choices = [] if fixed_w else [("", False)]
            # a designation on a transform plot has no effect (rule 1, never in N(t)):
            # leave those plots undesignated; an undeveloped planned plot cannot be designated (C2)
            if st != "transform" and not (st == "planned" and not d[pr.terrain_id]):
                for w in pr.werkmilieus:
                    if fixed_w and w != fixed_w:
                        continue
                    choices.append((w, False))
                    if float(pr.intensify_extra_m2) > 0:
                        choices.append((w, True))
            per_plot.append(choices)
        for combo in itertools.product(*per_plot):
            z = {p: c[0] for p, c in zip(plot_ids, combo)}
            u = {p: c[1] for p, c in zip(plot_ids, combo)}
            fixed = dev_cost + _num(ob["intensify_weight"]) * sum(
                float(plots[p].intensify_cost_eur) for p in plot_ids if u[p])
            if -fixed + best_rest[0] <= best_total + EPS:
                continue
            if not claims_hold(z):
                continue
            credit = compensation(z, u)
            if credit is None:
                continue
            cap = {}
            for p in plot_ids:
                pr = plots[p]
                D = (1.0 if d[pr.terrain_id] else 0.0) if status(p) == "planned" else 1.0
                cap[p] = float(pr.floor_capacity_m2) * D + float(pr.intensify_extra_m2) * u[p]
            res = best_assignment(z, cap)
            if res is None:
                continue
            total = res[0] - fixed
            if total > best_total + EPS:
                best_total = total
                best_pick = (d, z, u, credit, res[1])

    if best_pick is None:
        return None, None
    d, z, u, credit, chosen = best_pick
    where = dict(zip(order, chosen))
    sol = Solution(
        assignments=pd.DataFrame({"firm_id": firm_ids, "plot_id": [where[f] for f in firm_ids]},
                                 columns=["firm_id", "plot_id"]),
        plots=pd.DataFrame({"plot_id": plot_ids, "werkmilieu": [z[p] for p in plot_ids],
                            "intensified": [bool(u[p]) for p in plot_ids]},
                           columns=["plot_id", "werkmilieu", "intensified"]),
        terrains=pd.DataFrame({"terrain_id": planned, "developed": [bool(d[t]) for t in planned]},
                              columns=["terrain_id", "developed"]),
        compensation=pd.DataFrame(credit, columns=["terrain_id", "plot_id", "class", "floor_m2"]),
        summary={"status": "optimal", "objective": float(best_total), "bound": float(best_total),
                 "gap": 0.0, "time_s": time.perf_counter() - start, "instance": instance.name},
    )
    return float(best_total), sol
