"""Decision variables (spec section 3) and their column positions.

The columns:

- ``x[f,p]`` binary, one per candidate pair;
- ``z[p,w]`` binary, for w in werkmilieus_p, on plots not on a transform
  terrain (a plot that is transformed gets no designation: it leaves the stock);
- ``d[t]`` binary, for planned terrains;
- ``u[p]`` binary, for plots with intensify_extra_m2 > 0 not on a transform terrain;
- ``c[t,p,k]`` >= 0, for transform terrains t with lost[t,k] > 0, p in N(t), and
  k a class the plot can credit (k in werkmilieus_p, or the pooled class);
- ``e[p]`` >= 0, the nitrogen emission (kg N per year) of the firms on plot p,
  for plots that deposit on some nature area and have a candidate pair of an
  emitting firm. It is an auxiliary column, not a decision of the spec: C6
  is written through it (see :mod:`revopt.model.nitrogen`).

Columns are laid out as [x | z | d | u | c | e].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..corridors.routes import Paths
from ..data.instance import Instance
from ..data.vocab import POOLED, WERKMILIEUS, WM_INDEX
from .candidates import Candidates, closed_plots


@dataclass
class Layout:
    """Variable index sets and column numbers.

    ``zcol[p, w]``, ``dcol[t]``, ``ucol[p]`` hold the column of a variable or -1
    where it does not exist (p, t as row positions in the instance tables).
    """

    pairs: pd.DataFrame
    z: pd.DataFrame  # plot, w (index into WERKMILIEUS), col
    d: pd.DataFrame  # terrain, col
    u: pd.DataFrame  # plot, col
    c: pd.DataFrame  # terrain, plot, k (WERKMILIEUS index, or -1 pooled), col
    lost: pd.DataFrame  # terrain, k, lost_m2 (lost > 0 only)
    e: pd.DataFrame  # plot, col (nitrogen emission of the plot)
    zcol: np.ndarray
    dcol: np.ndarray
    ucol: np.ndarray
    n_cols: int
    paths: Paths | None = None  # routes of the pairs (column ``route``), spec section 7

    @property
    def n_x(self) -> int:
        return len(self.pairs)

    def names(self, inst: Instance) -> list[str]:
        """Column names like ``x[F1,P3]`` (for LP files and debugging)."""
        pid, tid = inst.plots["plot_id"].to_numpy(object), inst.terrains["terrain_id"].to_numpy(object)
        out = [f"x[{f},{p}]" for f, p in zip(self.pairs["firm_id"], self.pairs["plot_id"])]
        out += [f"z[{pid[p]},{WERKMILIEUS[w]}]" for p, w in zip(self.z["plot"], self.z["w"])]
        out += [f"d[{tid[t]}]" for t in self.d["terrain"]]
        out += [f"u[{pid[p]}]" for p in self.u["plot"]]
        out += [f"c[{tid[t]},{pid[p]},{WERKMILIEUS[k] if k >= 0 else POOLED}]"
                for t, p, k in zip(self.c["terrain"], self.c["plot"], self.c["k"])]
        out += [f"e[{pid[p]}]" for p in self.e["plot"]]
        return out

    def continuous_cols(self) -> np.ndarray:
        """Columns that are not binary (credits c and emissions e)."""
        return np.concatenate([self.c["col"].to_numpy(np.int64), self.e["col"].to_numpy(np.int64)])


def plot_terrain_arrays(inst: Instance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per plot: terrain position, is-planned, is-transform."""
    tpos = pd.Series(np.arange(len(inst.terrains)), index=inst.terrains["terrain_id"])
    pt = inst.plots["terrain_id"].map(tpos).to_numpy(np.int64)
    status = inst.terrains["status"].to_numpy(object)[pt]
    return pt, status == "planned", status == "transform"


def deposition_pairs(inst: Instance) -> pd.DataFrame:
    """deposition.csv as row positions: plot, area, coef (mol per kg; positive entries only)."""
    dep = inst.deposition
    if dep.empty:
        return pd.DataFrame({"plot": np.zeros(0, np.int64), "area": np.zeros(0, np.int64), "coef": np.zeros(0)})
    ppos = pd.Series(np.arange(len(inst.plots)), index=inst.plots["plot_id"])
    apos = pd.Series(np.arange(len(inst.nature_areas)), index=inst.nature_areas["area_id"])
    d = pd.DataFrame({"plot": dep["plot_id"].map(ppos).to_numpy(np.int64),
                      "area": dep["area_id"].map(apos).to_numpy(np.int64),
                      "coef": dep["mol_per_kg"].to_numpy(float)})
    return d[d["coef"] > 0].reset_index(drop=True)


def emission_plots(inst: Instance, cand: Candidates) -> np.ndarray:
    """Plots (positions, sorted) that get an emission column e[p]."""
    kg = inst.firms["nitrogen_kg"].to_numpy(float)[cand.pairs["firm"].to_numpy(np.int64)]
    emitting = np.unique(cand.pairs["plot"].to_numpy(np.int64)[kg > 0])
    depositing = np.unique(deposition_pairs(inst)["plot"].to_numpy(np.int64))
    return np.intersect1d(emitting, depositing)


def compensation_sets(inst: Instance) -> tuple[pd.DataFrame, pd.DataFrame]:
    """lost[t,k] and the eligible (t, p) of C7.

    Returns ``lost`` (terrain, k, lost_m2; rows with lost > 0) and ``near``
    (terrain, plot): p in N(t), i.e. within ``compensation.radius_km`` of the
    centroid of t's plots, on a planned terrain or with intensify_extra_m2 > 0,
    never on a transform terrain, nor on a planned terrain that a plan keeps closed
    (d[t] = 0: it cannot be designated, so it cannot give credit).
    """
    pt, planned, transform = plot_terrain_arrays(inst)
    plots = inst.plots
    per_wm = inst.params["compensation"]["per_werkmilieu"]
    t_idx = np.flatnonzero(inst.terrains["status"].to_numpy(object) == "transform")
    on_t = np.isin(pt, t_idx)
    cap = plots["floor_capacity_m2"].to_numpy(float)
    if per_wm:
        k = plots["current_werkmilieu"].map(WM_INDEX).fillna(-1).to_numpy(np.int64)
    else:
        k = np.full(len(plots), -1, dtype=np.int64)
    lost = (pd.DataFrame({"terrain": pt[on_t], "k": k[on_t], "lost_m2": cap[on_t]})
            .groupby(["terrain", "k"], as_index=False)["lost_m2"].sum())
    lost = lost[lost["lost_m2"] > 0].reset_index(drop=True)
    x, y = plots["x"].to_numpy(float), plots["y"].to_numpy(float)
    eligible = (planned | (plots["intensify_extra_m2"].to_numpy(float) > 0)) & ~transform & ~closed_plots(inst)
    e_idx = np.flatnonzero(eligible)
    near_t, near_p = [], []
    radius_m = inst.params["compensation"]["radius_km"] * 1000.0
    for t in np.unique(lost["terrain"]):  # few transform terrains: a loop over them is fine
        members = pt == t
        cx, cy = x[members].mean(), y[members].mean()
        dist = np.hypot(x[e_idx] - cx, y[e_idx] - cy)
        sel = e_idx[dist <= radius_m * (1 + 1e-12)]
        near_t.append(np.full(len(sel), t))
        near_p.append(sel)
    near = pd.DataFrame({"terrain": np.concatenate(near_t) if near_t else np.zeros(0, np.int64),
                         "plot": np.concatenate(near_p) if near_p else np.zeros(0, np.int64)})
    return lost, near


def build_layout(inst: Instance, cand: Candidates) -> Layout:
    nP, nT = len(inst.plots), len(inst.terrains)
    pt, planned, transform = plot_terrain_arrays(inst)
    col = len(cand.pairs)

    # z[p, w]
    wm = inst.plots["werkmilieus"].to_numpy(object)
    zp = np.repeat(np.arange(nP), [len(ws) for ws in wm])
    zw = np.array([WM_INDEX[w] for ws in wm for w in ws], dtype=np.int64)
    keep = ~transform[zp]
    zp, zw = zp[keep], zw[keep]
    zcol = np.full((nP, len(WERKMILIEUS)), -1, dtype=np.int64)
    zc = col + np.arange(len(zp))
    zcol[zp, zw] = zc
    col += len(zp)

    # d[t]
    dt = np.flatnonzero(inst.terrains["status"].to_numpy(object) == "planned")
    dcol = np.full(nT, -1, dtype=np.int64)
    dcol[dt] = col + np.arange(len(dt))
    col += len(dt)

    # u[p]
    up = np.flatnonzero((inst.plots["intensify_extra_m2"].to_numpy(float) > 0) & ~transform)
    ucol = np.full(nP, -1, dtype=np.int64)
    ucol[up] = col + np.arange(len(up))
    col += len(up)

    # c[t, p, k]
    lost, near = compensation_sets(inst)
    per_wm = inst.params["compensation"]["per_werkmilieu"]
    if per_wm:
        # one credit variable per class k that t lost and p may be designated
        cand_c = near.merge(lost[["terrain", "k"]], on="terrain")
        if len(cand_c):
            cand_c = cand_c[zcol[cand_c["plot"].to_numpy(), cand_c["k"].to_numpy()] >= 0]
    else:
        cand_c = near.assign(k=-1)
    cand_c = cand_c.sort_values(["terrain", "plot", "k"]).reset_index(drop=True)
    cand_c["col"] = col + np.arange(len(cand_c))
    col += len(cand_c)

    # e[p]
    ep = emission_plots(inst, cand)
    ecol = col + np.arange(len(ep))
    col += len(ep)

    return Layout(
        pairs=cand.pairs,
        z=pd.DataFrame({"plot": zp, "w": zw, "col": zc}),
        d=pd.DataFrame({"terrain": dt, "col": dcol[dt]}),
        u=pd.DataFrame({"plot": up, "col": ucol[up]}),
        c=cand_c[["terrain", "plot", "k", "col"]],
        lost=lost, e=pd.DataFrame({"plot": ep, "col": ecol}), zcol=zcol, dcol=dcol, ucol=ucol, n_cols=col,
        paths=cand.paths,
    )


def plot_regions(inst: Instance) -> np.ndarray:
    """Per plot, the region of its terrain (text; the regions of the policy rules)."""
    return inst.plots["terrain_id"].map(dict(zip(inst.terrains["terrain_id"], inst.terrains["region"]))) \
        .to_numpy(object)


def match_keys(left: list[np.ndarray], right: list[np.ndarray]) -> np.ndarray:
    """Row of ``right`` whose key columns equal those of each ``left`` row; -1 where none.

    Keys are tuples of equal-length arrays (e.g. region and werkmilieu); ``right`` has unique keys
    and is short (the rows of a policy table), ``left`` may be long (every candidate pair): each
    column is coded by the values of ``right`` and the codes are combined into one integer.
    """
    n = len(left[0])
    out = np.full(n, -1, dtype=np.int64)
    if len(right[0]) == 0 or n == 0:
        return out
    code = np.zeros(n, dtype=np.int64)
    rcode = np.zeros(len(right[0]), dtype=np.int64)
    ok = np.ones(n, dtype=bool)
    for lcol, rcol in zip(left, right):
        values, rc = np.unique(np.asarray(rcol), return_inverse=True)
        lc = pd.Index(values).get_indexer(np.asarray(lcol))   # -1: a value no row of right has
        ok &= lc >= 0
        code = code * len(values) + np.maximum(lc, 0)
        rcode = rcode * len(values) + rc.ravel()
    table = np.full(int(rcode.max()) + 1 if len(rcode) else 1, -1, dtype=np.int64)
    table[rcode] = np.arange(len(rcode))
    hit = ok & (code < len(table))
    out[hit] = table[code[hit]]
    return out
