"""Presolve checks: cheap proofs that an instance is infeasible, with the numbers.

An infeasible instance is not an input error (spec section 1): ``solve`` reports
status infeasible with these reasons instead of calling the solver.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.validate import m2
from ..data.vocab import POOLED, WERKMILIEUS, WM_INDEX
from .candidates import RULES, Candidates
from .claims import active_claims
from .compensation import new_space
from .corridors import corridor_incidence
from .layout import Layout, plot_regions, plot_terrain_arrays
from .lifecycle import active_targets, target_rows
from .locks import locked_pair_columns


def exclusion_reason(row, n_plots: int) -> str:
    """Words for why a firm has no candidate plot, from its exclusion counts."""
    parts = [f"{rule} excludes {int(row[rule])} of {n_plots}" for rule in RULES if row[rule] > 0]
    return "; ".join(parts) if parts else "no plots"


def check_must_place(inst: Instance, cand: Candidates) -> list[str]:
    """A must-place firm without any candidate plot."""
    ex = cand.exclusions
    bad = inst.firms["must_place"].to_numpy(bool) & (ex["candidates"].to_numpy() == 0)
    n = len(inst.plots)
    return [f"C1: firm {ex.iloc[i]['firm_id']} must be placed but has no candidate plot "
            f"({exclusion_reason(ex.iloc[i], n)})" for i in np.flatnonzero(bad)]


def check_compensation(inst: Instance, lay: Layout) -> list[str]:
    """Lost space that all new space in range could not compensate, even unshared."""
    if lay.lost.empty:
        return []
    ratio = inst.params["compensation"]["ratio"]
    cap_planned, extra = new_space(inst)
    F = cap_planned + extra
    tid = inst.terrains["terrain_id"].to_numpy(object)
    out = []
    for t, k, lost in lay.lost.itertuples(index=False):
        sel = lay.c[(lay.c["terrain"] == t) & (lay.c["k"] == k)]
        avail = float(F[sel["plot"].to_numpy(np.int64)].sum())
        need = ratio * lost
        if avail < need * (1 - 1e-9):
            cls = WERKMILIEUS[k] if k >= 0 else POOLED
            out.append(f"C7: terrain {tid[t]} loses {lost:,.0f} m2 of class {cls}; {need:,.0f} m2 must be "
                       f"compensated within {inst.params['compensation']['radius_km']:g} km but at most "
                       f"{avail:,.0f} m2 of new space there can take that class")
    return out


def _names(ids, most: int = 5) -> str:
    ids = list(ids)
    return ", ".join(str(i) for i in ids[:most]) + (f" and {len(ids) - most} more" if len(ids) > most else "")


def check_claims(inst: Instance, lay: Layout) -> list[str]:
    """C9 with the locked designations: a maximum the locks already pass, or a minimum that the
    plots still free to take the werkmilieu cannot reach."""
    cl = active_claims(inst)
    if cl.empty:
        return []
    zp, zw = lay.z["plot"].to_numpy(np.int64), lay.z["w"].to_numpy(np.int64)
    region = plot_regions(inst)
    cap = inst.plots["floor_capacity_m2"].to_numpy(float)
    lw = inst.plots["locked_werkmilieu"].map(WM_INDEX).fillna(-1).to_numpy(np.int64)
    pid = inst.plots["plot_id"].to_numpy(object)
    out = []
    for r, w, lo, hi in cl.itertuples(index=False):
        k = WM_INDEX[w]
        mine = zp[(zw == k) & (region[zp] == r)]
        locked = mine[lw[mine] == k]
        free = mine[(lw[mine] < 0) | (lw[mine] == k)]
        fixed, room = float(cap[locked].sum()), float(cap[free].sum())
        if not np.isnan(hi) and fixed > hi * (1 + 1e-9) + 1e-9:
            out.append(f"C9: claim ({r}, {w}) allows at most {m2(hi)} m2 designated {w}, but the plots locked "
                       f"to {w} there ({_names(pid[locked])}) already hold {m2(fixed)} m2")
        if not np.isnan(lo) and room < lo * (1 - 1e-9):
            taken = mine[(lw[mine] >= 0) & (lw[mine] != k)]
            out.append(f"C9: claim ({r}, {w}) needs at least {m2(lo)} m2 designated {w}, but the plots of "
                       f"region {r} that can take {w} hold {m2(room)} m2 once the {len(taken)} plots locked "
                       f"to another werkmilieu ({m2(float(cap[taken].sum()))} m2) are left out")
    return out


def check_lifecycle(inst: Instance, cand: Candidates, lay: Layout) -> list[str]:
    """C10: a target above the floor space that all firms of that stage with a candidate plot in
    the region could bring together (each firm counted once, at its largest pair there; a locked
    firm only on its own plot), or above what the region's plots hold even intensified."""
    lt = active_targets(inst)
    if lt.empty:
        return []
    fi = cand.pairs["firm"].to_numpy(np.int64)
    pj = cand.pairs["plot"].to_numpy(np.int64)
    fl = cand.pairs["floor"].to_numpy(float)
    keep = ~inst.firms["locked"].to_numpy(bool)[fi]
    keep[locked_pair_columns(inst, lay)[1]] = True
    region = plot_regions(inst)
    row = target_rows(inst, lt, fi, pj)
    on = np.flatnonzero((row >= 0) & keep)
    # each firm counted once per target, at its largest pair there (pairs are sorted by firm)
    key = row[on] * len(inst.firms) + fi[on]
    o = np.lexsort((-fl[on], key))
    first = np.r_[True, key[o][1:] != key[o][:-1]] if len(o) else np.zeros(0, bool)
    best = o[first]
    reach = np.bincount(row[on][best], weights=fl[on][best], minlength=len(lt))
    n_firms = np.bincount(row[on][best], minlength=len(lt))
    _, _, transform = plot_terrain_arrays(inst)
    room = (inst.plots["floor_capacity_m2"] + inst.plots["intensify_extra_m2"]).to_numpy(float)
    out = []
    for i, (r, s, need) in enumerate(lt.itertuples(index=False)):
        hold = float(room[(region == r) & ~transform].sum())
        if reach[i] < need * (1 - 1e-9):
            out.append(f"C10: region {r} needs at least {m2(need)} m2 placed by {s} firms, but the {n_firms[i]} "
                       f"{s} firms with a candidate plot there need at most {m2(reach[i])} m2 together")
        elif hold < need * (1 - 1e-9):
            out.append(f"C10: region {r} needs at least {m2(need)} m2 placed by {s} firms, but its plots hold "
                       f"at most {m2(hold)} m2 even intensified")
    return out


def check_locks(inst: Instance, cand: Candidates, lay: Layout) -> list[str]:
    """Locked firms that cannot all stay: together above a plot's floor space even intensified (C4),
    no werkmilieu that suits all of them and the plot's locked werkmilieu (C3), above a substation's
    capacity (C5) or a terrain's noise budget (C11)."""
    fl, col = locked_pair_columns(inst, lay)
    if len(fl) == 0:
        return []
    P, F, T = inst.plots, inst.firms, inst.terrains
    pj = cand.pairs["plot"].to_numpy(np.int64)[col]
    floor = cand.pairs["floor"].to_numpy(float)[col]
    wmask = cand.pairs["wmask"].to_numpy(np.int64)[col]
    fid, pid = F["firm_id"].to_numpy(object), P["plot_id"].to_numpy(object)
    out = []
    room = (P["floor_capacity_m2"] + P["intensify_extra_m2"]).to_numpy(float)
    lw = P["locked_werkmilieu"].map(WM_INDEX).fillna(-1).to_numpy(np.int64)
    for p in np.unique(pj):
        on = pj == p
        need = float(floor[on].sum())
        if need > room[p] * (1 + 1e-9):
            out.append(f"locked: firms {_names(fid[fl[on]])} are locked on plot {pid[p]} and need {m2(need)} m2; "
                       f"it holds {m2(room[p])} m2 even intensified")
        common = np.bitwise_and.reduce(wmask[on])
        if lw[p] >= 0:
            common &= 1 << lw[p]
        if common == 0:
            extra = f" and its locked werkmilieu {WERKMILIEUS[lw[p]]}" if lw[p] >= 0 else ""
            out.append(f"locked: no werkmilieu suits all firms locked on plot {pid[p]} ({_names(fid[fl[on]])})"
                       f"{extra}")
    spos = pd.Series(np.arange(len(inst.substations)), index=inst.substations["substation_id"])
    sub = P["substation_id"].map(spos).to_numpy(np.int64)[pj]
    mw = np.bincount(sub, weights=F["grid_mw"].to_numpy(float)[fl], minlength=len(spos))
    avail = inst.substations["available_mw"].to_numpy(float)
    for s in np.flatnonzero(mw > avail * (1 + 1e-9) + 1e-12):
        out.append(f"C5: firms locked behind substation {spos.index[s]} need {mw[s]:,.6g} MW; "
                   f"{avail[s]:,.6g} MW is available")
    pt = plot_terrain_arrays(inst)[0][pj]
    use = np.bincount(pt, weights=F["noise_use"].to_numpy(float)[fl], minlength=len(T))
    budget = T["noise_budget"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        over = ~np.isnan(budget) & (use > budget * (1 + 1e-9) + 1e-12)
    for t in np.flatnonzero(over):
        out.append(f"C11: firms locked on terrain {T['terrain_id'].iloc[t]} use {use[t]:,.6g} noise units; "
                   f"its noise budget is {budget[t]:,.6g}")
    return out


def check_corridors(inst: Instance, lay: Layout) -> list[str]:
    """C8: a must-place (or locked) firm with freight whose every candidate route crosses an edge
    whose capacity is below the firm's freight alone."""
    pair, edge = corridor_incidence(inst, lay)
    if len(pair) == 0:
        return []
    fi = lay.pairs["firm"].to_numpy(np.int64)
    F = inst.firms
    kt = F["freight_kt"].to_numpy(float)
    cap = inst.corridor_edges["capacity_kt"].to_numpy(float)
    too_small = kt[fi[pair]] > cap[edge] * (1 + 1e-9) + 1e-12
    dead = np.zeros(lay.n_x, dtype=bool)
    dead[pair[too_small]] = True
    must = (F["must_place"].to_numpy(bool) | F["locked"].to_numpy(bool))
    has = np.bincount(fi, minlength=len(F)) > 0
    alive = np.bincount(fi[~dead], minlength=len(F)) > 0
    eid = inst.corridor_edges["edge_id"].to_numpy(object)
    out = []
    for f in np.flatnonzero(must & has & ~alive):
        narrow = np.unique(edge[too_small & (fi[pair] == f)])
        out.append(f"C8: firm {F['firm_id'].iloc[f]} must be placed and ships {kt[f]:,.6g} kt per year, but the "
                   f"route from each of its candidate plots crosses a corridor edge of smaller capacity "
                   f"({', '.join(f'{eid[e]}: {cap[e]:,.6g} kt' for e in narrow[:5])}"
                   f"{' ...' if len(narrow) > 5 else ''})")
    return out


def presolve_checks(inst: Instance, cand: Candidates, lay: Layout) -> list[str]:
    return (check_must_place(inst, cand) + check_compensation(inst, lay) + check_locks(inst, cand, lay)
            + check_claims(inst, lay) + check_lifecycle(inst, cand, lay) + check_corridors(inst, lay))
