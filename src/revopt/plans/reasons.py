"""Why a firm is not placed, in a planner's words.

Two kinds of reason:

- **no candidate plot**: the candidate rules (spec section 2 and 9, and the plan's
  ``relocate`` / ``closed``) exclude every plot. The rule matrix of the firm
  against every plot tells which rule, or which pair of rules, alone stands in
  the way ("no quay plot within 10 km", "no plot allows category 4.2");
- **candidates, but none free**: every candidate plot is blocked in the solution
  by a constraint that binds there: the plot is full (C4), its substation is
  full (C5), a Natura 2000 area's nitrogen headroom is used up (C6), the plot is
  designated for a werkmilieu the firm does not fit (C3), the terrain's noise
  room is used (C11), the planned terrain stays closed. When nothing blocks, placing
  the firm does not pay (its value over the years is below the costs).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import WERKMILIEUS
from ..model.candidates import RULES, candidate_rules

_TOL = 1e-6


def _fmt(v: float) -> str:
    return f"{v:,.0f}"


def _rule_words(rules: tuple[str, ...], inst: Instance, f: int) -> str:
    """Words for 'no plot passes these rules together' for firm row f."""
    fr = inst.firms.iloc[f]
    within = (f" within {fr.max_move_km:g} km" if fr.current_plot and not np.isnan(fr.max_move_km) else "")
    rs = set(rules)
    if rs == {"quay", "distance"}:
        return f"no quay plot within {fr.max_move_km:g} km"
    if rs == {"category", "distance"}:
        return f"no plot within {fr.max_move_km:g} km allows category {fr.category}"
    if rs == {"floor", "distance"}:
        return f"no plot within {fr.max_move_km:g} km is large enough for {_fmt(fr.floor_space_m2)} m2"
    if rs == {"werkmilieu", "distance"}:
        return f"no plot within {fr.max_move_km:g} km offers {' or '.join(fr.werkmilieus)}"
    modes = " or ".join(fr.modes) if isinstance(fr.modes, tuple) else fr.modes
    parts = []
    for r in rules:
        parts.append({
            "transform": "its plots go to housing (transform)",
            "category": f"no plot{within} allows category {fr.category}",
            "quay": f"no quay plot{within}",
            "floor": f"no plot{within} is large enough for {_fmt(fr.floor_space_m2)} m2",
            "distance": f"no suitable plot within {fr.max_move_km:g} km of its current plot",
            "werkmilieu": f"no plot{within} offers {' or '.join(fr.werkmilieus)} for category {fr.category}",
            "min_category": (f"category {fr.category} is below the minimum category of the heavy-industry parks "
                             "that fit"),
            "restriction": f"sector {fr.sector} may settle only on the terrains of restrictions.csv",
            "relocate": "the plan moves it off its plot and no other plot fits",
            "closed": "the plots that fit are on a planned terrain the plan keeps closed",
            "route": f"no plot{within} has a corridor route by {modes} to {fr.destination_node}",
            "pairs": "no listed pair (pairs.csv) fits",
        }[r])
    return "; ".join(parts)


def no_candidate_reason(inst: Instance, f: int) -> str:
    """Why firm row f has no candidate plot: the single rule (or pair of rules) that, lifted,
    would give it a plot; else the rules that exclude the most plots."""
    m = candidate_rules(inst, np.array([f]))
    ok = {r: np.asarray(m[r]).reshape(-1) for r in RULES}
    if not len(inst.plots):
        return "there are no plots"
    # a plot on a transform terrain is gone for every firm, and so is a pair pairs.csv does not
    # list: never propose lifting those rules
    liftable = [r for r in RULES if r not in ("transform", "pairs")]
    base = ok["transform"] & ok["pairs"]
    for size in (1, 2):
        for combo in combinations(liftable, size):
            rest = base.copy()
            for r in liftable:
                if r not in combo:
                    rest &= ok[r]
            if rest.any():
                return _rule_words(combo, inst, f)
    fails = sorted(liftable, key=lambda r: -int((~ok[r] & base).sum()))
    return _rule_words(tuple(r for r in fails[:2] if (~ok[r] & base).any()) or ("transform",), inst, f)


def blocked_reasons(inst: Instance, solution, pairs: pd.DataFrame) -> dict[str, str]:
    """Per unplaced firm that has candidates: what blocks each of its candidate plots in the
    solution, summed up in words. ``pairs`` are the candidate pairs (firm_id, plot_id, floor,
    value, wmask)."""
    a = solution.assignments
    placed = a[a["plot_id"] != ""]
    P = inst.plots.set_index("plot_id")
    T = inst.terrains.set_index("terrain_id")
    Fm = inst.firms.set_index("firm_id")
    floor_of = pairs.set_index(["firm_id", "plot_id"])["floor"]
    pl = placed.assign(floor=floor_of.reindex(pd.MultiIndex.from_frame(placed[["firm_id", "plot_id"]])).to_numpy())
    load = pl.groupby("plot_id")["floor"].sum()
    des = solution.plots.set_index("plot_id")
    sub_used = pl.assign(s=pl["plot_id"].map(P["substation_id"]), mw=pl["firm_id"].map(Fm["grid_mw"])) \
        .groupby("s")["mw"].sum()
    sub_av = inst.substations.set_index("substation_id")["available_mw"]
    dep = inst.deposition
    area_used = pd.Series(dtype=float)
    if not dep.empty and len(pl):
        mm = pl.assign(kg=pl["firm_id"].map(Fm["nitrogen_kg"])).merge(dep, on="plot_id")
        area_used = (mm["kg"] * mm["mol_per_kg"]).groupby(mm["area_id"]).sum()
    area_h = inst.nature_areas.set_index("area_id")
    noise_used = pl.assign(t=pl["plot_id"].map(P["terrain_id"]), n=pl["firm_id"].map(Fm["noise_use"])) \
        .groupby("t")["n"].sum()
    developed = set()
    if len(solution.terrains):
        developed = set(solution.terrains.loc[solution.terrains["developed"].astype(bool), "terrain_id"])
    dep_by_plot = {p: g for p, g in dep.groupby("plot_id")} if not dep.empty else {}
    out: dict[str, str] = {}
    unplaced = set(a.loc[a["plot_id"] == "", "firm_id"])
    for fid, g in pairs[pairs["firm_id"].isin(unplaced)].groupby("firm_id"):
        fr = Fm.loc[fid]
        counts: dict[str, int] = {}
        detail: dict[str, str] = {}
        n = 0
        for p, floor, wmask in g[["plot_id", "floor", "wmask"]].itertuples(index=False):
            n += 1
            pr = P.loc[p]
            t = pr["terrain_id"]
            why = []
            cap = float(pr["floor_capacity_m2"]) + float(pr["intensify_extra_m2"])
            if T.loc[t, "status"] == "planned" and t not in developed:
                why.append(("closed", f"terrain {T.loc[t, 'name']} is not developed"))
                cap = float(pr["intensify_extra_m2"])
            if float(load.get(p, 0.0)) + floor > cap * (1 + _TOL) + _TOL:
                why.append(("full", "full"))
            w = des.loc[p, "werkmilieu"] if p in des.index else ""
            if w and not (int(wmask) >> WERKMILIEUS.index(w)) & 1:
                why.append(("designation", f"designated {w}"))
            s = pr["substation_id"]
            if float(sub_used.get(s, 0.0)) + float(fr["grid_mw"]) > float(sub_av[s]) * (1 + _TOL) + _TOL \
                    and fr["grid_mw"] > 0:
                why.append(("grid", f"substation {s} full"))
            if fr["nitrogen_kg"] > 0 and p in dep_by_plot:
                for area, mol in dep_by_plot[p][["area_id", "mol_per_kg"]].itertuples(index=False):
                    if mol > 0 and float(area_used.get(area, 0.0)) + fr["nitrogen_kg"] * mol > \
                            float(area_h.loc[area, "headroom_mol"]) * (1 + _TOL) + _TOL:
                        why.append(("nitrogen", f"nitrogen headroom of {area_h.loc[area, 'name']} used up"))
                        break
            budget = T.loc[t, "noise_budget"]
            if fr["noise_use"] > 0 and not pd.isna(budget) and \
                    float(noise_used.get(t, 0.0)) + fr["noise_use"] > budget * (1 + _TOL) + _TOL:
                why.append(("noise", f"noise room of {T.loc[t, 'name']} used up"))
            for kind, text in why:
                counts[kind] = counts.get(kind, 0) + 1
                detail.setdefault(kind + ":" + text, text)
        out[fid] = _summarise(counts, detail, n, fr)
    return out


def _summarise(counts: dict[str, int], detail: dict[str, str], n: int, fr) -> str:
    if not counts:
        return ("placing it does not pay: its value added over the years is below the relocation "
                "and opening costs, or other firms add more value per m2 where it fits")
    plots = f"{n} candidate plot{'s' if n != 1 else ''}"
    order = ("grid", "nitrogen", "noise", "full", "designation", "closed")
    everywhere = [k for k in ("grid", "nitrogen", "noise") if counts.get(k, 0) == n]
    if everywhere:   # one binding limit blocks every candidate plot: that is the reason
        order = tuple(everywhere)
    texts = []
    for kind in order:
        if kind not in counts:
            continue
        named = sorted({v for k, v in detail.items() if k.startswith(kind + ":")})
        if kind == "full":
            texts.append(f"{counts[kind]} of its {plots} are full")
        elif kind == "designation":
            texts.append(f"{counts[kind]} of its {plots} are designated for a werkmilieu it does not fit")
        else:
            texts.append(", ".join(named[:3]) + (" ..." if len(named) > 3 else ""))
    return "; ".join(texts)


def firm_reasons(inst: Instance, result, cand) -> dict[str, str]:
    """Why each firm that is not placed in ``result`` is not placed (firm_id -> words).
    ``cand`` are the instance's candidate pairs (:func:`revopt.model.candidates.candidate_pairs`)."""
    ex = cand.exclusions
    out: dict[str, str] = {}
    none = np.flatnonzero(ex["candidates"].to_numpy() == 0)
    for f in none:
        out[str(ex["firm_id"].iloc[f])] = no_candidate_reason(inst, int(f))
    if result.solution is not None:
        out.update(blocked_reasons(inst, result.solution, cand.pairs))
    return out


__all__ = ["firm_reasons", "no_candidate_reason", "blocked_reasons"]
