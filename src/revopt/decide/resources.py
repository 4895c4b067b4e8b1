"""The scarce resources of the model: which row holds each capacity, how much of it the optimum
uses, and the instance with one capacity changed.

A resource is a capacity a planner can ask for more (or less) of, written once in the input
tables, so that "capacity + step" is an ordinary instance that :func:`revopt.solve` solves and
:func:`revopt.verify` checks:

| resource | rule | table column changed | unit |
|---|---|---|---|
| ``substation`` | C5 | substations.csv ``available_mw`` | MW |
| ``nature_area`` | C6 | nature_areas.csv ``headroom_mol`` | mol |
| ``plot_floor`` | C4 | plots.csv ``floor_capacity_m2`` (also counted by C7 and C9, as the spec says) | m2 |
| ``region_floor`` | C10 | lifecycle_targets.csv ``min_placed_m2`` (floor space a region must give a life stage) | m2 |
| ``corridor_edge`` | C8 | corridor_edges.csv ``capacity_kt`` | kt |
| ``noise`` | C11 | terrains.csv ``noise_budget`` | noise units |
| ``claim`` | C9 | claims.csv ``min_floor_m2`` or ``max_floor_m2``, the one that binds (``West/productie/min``) | m2 |
| ``compensation`` | C7 | ratio x lost of a transformed terrain and class (its largest plot's floor capacity) | m2 |

For ``region_floor``, ``claim`` minima and ``compensation`` the capacity is a requirement: raising
it tightens the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import WM_INDEX
from ..model import claims, compensation, corridors, floorspace, grid, lifecycle, nitrogen, noise
from ..model.block import LinearModel
from ..model.layout import Layout, plot_terrain_arrays


@dataclass(frozen=True)
class ResourceKind:
    """One kind of resource: its rule (block name), unit, default step and which row bound it is."""

    name: str
    block: str
    unit: str
    step: float
    side: str   # "upper" (a capacity) or "lower" (a requirement); claims: the binding one


KINDS: dict[str, ResourceKind] = {k.name: k for k in (
    ResourceKind("substation", grid.NAME, "MW", 1.0, "upper"),
    ResourceKind("nature_area", nitrogen.NAME, "mol", 10.0, "upper"),
    ResourceKind("plot_floor", floorspace.NAME, "m2", 1000.0, "upper"),
    ResourceKind("region_floor", lifecycle.NAME, "m2", 1000.0, "lower"),
    ResourceKind("corridor_edge", corridors.NAME, "kt", 10.0, "upper"),
    ResourceKind("noise", noise.NAME, "noise units", 10.0, "upper"),
    ResourceKind("claim", claims.NAME, "m2", 1000.0, "both"),
    ResourceKind("compensation", compensation.NAME_DEMAND, "m2", 1000.0, "lower"),
)}
TOLERANCE = 1e-6


def _ids(kind: str, keys: pd.DataFrame) -> list[str]:
    if kind == "region_floor":
        return [f"{r}/{s}" for r, s in zip(keys["region"], keys["lifecycle"])]
    if kind == "claim":
        return [f"{r}/{w}" for r, w in zip(keys["region"], keys["werkmilieu"])]
    if kind == "compensation":
        return [f"{t}/{k}" for t, k in zip(keys["terrain_id"], keys["class"])]
    return [str(x) for x in keys.iloc[:, 0]]


def _capacity(inst: Instance, kind: str, ids: list[str], lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    if kind == "plot_floor":   # the row's right-hand side is 0 on planned terrains: read the table
        return inst.plots.set_index("plot_id")["floor_capacity_m2"].reindex(ids).to_numpy(float)
    return upper if KINDS[kind].side == "upper" else lower


def resource_rows(inst: Instance, lay: Layout, lm: LinearModel, v: np.ndarray) -> pd.DataFrame:
    """Every resource with a row: ``resource``, ``id``, ``unit``, ``capacity``, ``used``, ``slack``
    (room left before the row binds, in the unit), ``bound`` (``upper``/``lower``) and ``row`` (its
    row in ``lm``), for the solution ``v`` (column values)."""
    act = lm.activity(v)
    not_du = np.ones(lm.n_cols, dtype=bool)   # use without the development and intensification terms
    not_du[lay.d["col"].to_numpy(np.int64)] = False
    not_du[lay.u["col"].to_numpy(np.int64)] = False
    used = lm.activity(v, not_du)
    blocks = {b.name: b for b in lm.blocks}
    out = []
    for kind in KINDS.values():
        b = blocks.get(kind.block)
        if b is None or b.n_rows == 0:
            continue
        first = lm.block_rows[kind.block][0]
        rows = first + np.arange(b.n_rows)
        ids = _ids(kind.name, b.keys)
        lo, up = lm.row_lower[rows], lm.row_upper[rows]
        slack_up, slack_lo = up - act[rows], act[rows] - lo
        if kind.side == "both":   # claims: the bound nearer to binding, the maximum on a tie
            use_up = np.isfinite(up) & (~np.isfinite(lo) | (slack_up <= slack_lo))
            bound = np.where(use_up, "upper", "lower")
            ids = [f"{i}/{'max' if u else 'min'}" for i, u in zip(ids, use_up)]
            cap, slack = np.where(use_up, up, lo), np.where(use_up, slack_up, slack_lo)
        else:
            bound = np.full(len(rows), kind.side)
            cap = _capacity(inst, kind.name, ids, lo, up)
            slack = slack_up if kind.side == "upper" else slack_lo
        out.append(pd.DataFrame({"resource": kind.name, "id": ids, "unit": kind.unit, "capacity": cap,
                                 "used": used[rows], "slack": np.maximum(slack, 0.0), "bound": bound, "row": rows}))
    cols = ["resource", "id", "unit", "capacity", "used", "slack", "bound", "row"]
    df = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=cols)
    if len(df):   # a plot with nothing on it binds only in name (an undeveloped planned plot)
        df = df[~((df["resource"] == "plot_floor") & (df["used"] <= TOLERANCE))].reset_index(drop=True)
    return df


def with_capacity(inst: Instance, resource: str, rid: str, capacity: float) -> Instance:
    """``inst`` with the capacity of one resource set to ``capacity`` (a new, validated instance;
    :class:`~revopt.data.errors.InstanceError` when the tables refuse it, e.g. a claim's minimum
    above its maximum)."""
    if resource == "substation":
        return inst.replace_tables(substations=_set(inst.substations, "substation_id", rid, "available_mw", capacity))
    if resource == "nature_area":
        return inst.replace_tables(nature_areas=_set(inst.nature_areas, "area_id", rid, "headroom_mol", capacity))
    if resource == "plot_floor":
        return inst.replace_tables(plots=_set(inst.plots, "plot_id", rid, "floor_capacity_m2", capacity))
    if resource == "corridor_edge":
        assert inst.corridor_edges is not None
        return inst.replace_tables(corridor_edges=_set(inst.corridor_edges, "edge_id", rid, "capacity_kt", capacity))
    if resource == "noise":
        return inst.replace_tables(terrains=_set(inst.terrains, "terrain_id", rid, "noise_budget", capacity))
    if resource == "region_floor":
        region, stage = rid.split("/")
        lt = inst.lifecycle_targets.copy()
        lt.loc[(lt["region"] == region) & (lt["lifecycle"] == stage), "min_placed_m2"] = capacity
        return inst.replace_tables(lifecycle_targets=lt)
    if resource == "claim":
        region, w, side = rid.split("/")
        cl = inst.claims.copy()
        cl.loc[(cl["region"] == region) & (cl["werkmilieu"] == w), f"{side}_floor_m2"] = capacity
        return inst.replace_tables(claims=cl)
    if resource == "compensation":
        return _with_requirement(inst, rid, capacity)
    raise ValueError(f"unknown resource {resource!r}; known: {', '.join(KINDS)}")


def _set(df: pd.DataFrame, key: str, rid: str, column: str, value: float) -> pd.DataFrame:
    out = df.copy()
    hit = out[key].astype(str) == rid
    if not hit.any():
        raise ValueError(f"no {key} {rid!r}")
    out.loc[hit, column] = value
    return out


def _with_requirement(inst: Instance, rid: str, required: float) -> Instance:
    """The compensation requirement ratio x lost[t,k] set to ``required``: lost[t,k] is the floor
    capacity of t's plots of class k, so the largest of them takes the change."""
    terrain, cls = rid.split("/")
    pt = plot_terrain_arrays(inst)[0]
    on_t = inst.terrains["terrain_id"].to_numpy(object)[pt] == terrain
    per_wm = inst.params["compensation"]["per_werkmilieu"]
    k = inst.plots["current_werkmilieu"].map(WM_INDEX).fillna(-1).to_numpy(np.int64) if per_wm else \
        np.full(len(inst.plots), -1, dtype=np.int64)
    mine = np.flatnonzero(on_t & (k == WM_INDEX.get(cls, -1)))
    cap = inst.plots["floor_capacity_m2"].to_numpy(float)
    ratio = inst.params["compensation"]["ratio"]
    change = required / ratio - float(cap[mine].sum())
    big = mine[np.argmax(cap[mine])]
    plots = inst.plots.copy()
    plots.loc[plots.index[big], "floor_capacity_m2"] = max(0.0, cap[big] + change)
    return inst.replace_tables(plots=plots)
