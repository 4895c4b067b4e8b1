"""GIS export: a solution (or the result of a plan) as a GeoPackage for QGIS, in RD New.

Layers (docs/gis.md lists every attribute):

- ``plots``: each plot's polygon (from the import's ``geometry.gpkg`` or a given layer;
  otherwise a square of ``area_m2`` centred on (x, y), ``shape`` = ``square``), its
  designation, intensification, occupants, floor used and capacity;
- ``moves``: a line from each placed firm's current plot to its assigned plot (centroid
  to centroid; ``status`` ``moved``, or ``kept`` for a line of length 0);
- ``terrains``: the union of the park's plot polygons (the convex hull when some plot is
  only a square), status existing / planned / transform and ``developed``;
- ``displaced``: a point on the current plot of each firm that had a plot and has none.

Moves are relative to the firms' current plots, so the result of a plan is written with
the planned instance (``write_gpkg(path, evaluation.planned, evaluation.result)``): its
transformed terrains show ``status`` ``transform`` and their firms as moved or displaced.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..data.atomic import atomic_file
from ..data.instance import Instance
from ..results.solution import Solution
from ._deps import geopandas
from .importer import RD_NEW

if TYPE_CHECKING:  # the optional extra: imported when a function runs, named here for the signatures
    from geopandas import GeoDataFrame, GeoSeries

GEOMETRY_FILE = "geometry.gpkg"
LAYERS = ("plots", "moves", "terrains", "displaced")


def as_solution(result: Any) -> Solution:
    """A :class:`Solution` from a Solution, a Result (or anything with ``.solution``), an
    object with ``.result`` (a plan evaluation) or a solution directory."""
    if isinstance(result, Solution):
        return result
    if isinstance(result, (str, Path)):
        return Solution.read(result)
    if hasattr(result, "solution"):
        sol = result.solution
        if sol is None:
            status = getattr(result, "status", "unknown")
            raise ValueError(f"the result has no solution to map (status {getattr(status, 'value', status)})")
        return sol
    if hasattr(result, "result"):
        return as_solution(result.result)
    raise TypeError(f"expected a Solution, a Result or a solution directory, not {type(result).__name__}")


def plot_polygons(instance: Instance, geometry: GeoDataFrame | str | Path | None = None) -> GeoSeries | None:
    """The plot polygons to draw: ``geometry`` (a GeoDataFrame with ``plot_id``, or the path of
    a file with such a layer ``plots``), else ``geometry.gpkg`` beside the instance's files,
    else None. Returned as a GeoSeries indexed by plot_id, in RD New."""
    gpd = geopandas()
    if geometry is None and instance.source is not None and (Path(instance.source) / GEOMETRY_FILE).is_file():
        geometry = Path(instance.source) / GEOMETRY_FILE
    if geometry is None:
        return None
    if isinstance(geometry, (str, Path)):
        import pyogrio  # noqa: PLC0415

        try:
            layers = [str(x[0]) for x in pyogrio.list_layers(geometry)]
            frame = gpd.read_file(geometry, layer="plots" if "plots" in layers else layers[0])
        except Exception as e:  # noqa: BLE001 - GDAL's errors come in several types
            raise ValueError(f"{geometry}: cannot read the plot polygons ({e})") from None
    else:
        frame = geometry
    if "plot_id" not in frame.columns:
        raise ValueError("the plot geometry needs a plot_id column")
    if frame.crs is None:
        raise ValueError("the plot geometry has no CRS")
    g = frame.to_crs(RD_NEW)
    g = g[~g.geometry.isna() & ~g.geometry.is_empty].drop_duplicates("plot_id")
    return gpd.GeoSeries(g.geometry.to_numpy(), index=g["plot_id"].astype(str).to_numpy(), crs=RD_NEW)


def solution_layers(instance: Instance, result: Any, *,
                    geometry: GeoDataFrame | str | Path | None = None) -> dict[str, GeoDataFrame]:
    """The four layers of :func:`write_gpkg` as GeoDataFrames (RD New), by name.

    ``{"plots": ..., "moves": ..., "terrains": ..., "displaced": ...}``, with the columns
    docs/gis.md lists; ``result`` and ``geometry`` as for :func:`write_gpkg`. For a report or
    a notebook that draws its own map; needs the ``revopt[geo]`` extra.
    """
    gpd = geopandas()
    sol = as_solution(result)
    ix = _Index.of(instance, sol)
    shapes, kinds = _plot_shapes(instance, ix, geometry)
    plot_layer = _plot_layer(gpd, instance, sol, ix, shapes, kinds)
    move_layer, disp_layer = _move_layers(gpd, ix)
    return {"plots": plot_layer, "moves": move_layer,
            "terrains": _terrain_layer(gpd, instance, sol, ix, plot_layer, shapes, kinds),
            "displaced": disp_layer}


@dataclass(frozen=True)
class _Index:
    """The instance's plots and firms by id, and the solution's plot of each firm."""

    pid: list[str]                             # plot ids in the order of plots.csv
    xy: dict[str, tuple[float, float]]
    t_of: dict[str, str]                       # plot -> terrain
    status_of: dict[str, str]                  # terrain -> status
    fid: list[str]                             # firm ids in the order of firms.csv
    firm: dict[str, dict[Hashable, Any]]       # firm -> its row of firms.csv by column
    assigned: dict[str, str]                   # firm -> plot ("" unplaced)

    @classmethod
    def of(cls, instance: Instance, sol: Solution) -> _Index:
        """Refused (ValueError) when the solution names plots or firms the instance does not have."""
        plots, firms, terrains = instance.plots, instance.firms, instance.terrains
        pid = plots["plot_id"].astype(str).tolist()
        fid = firms["firm_id"].astype(str).tolist()
        ix = cls(pid=pid, xy=dict(zip(pid, zip(plots["x"].astype(float), plots["y"].astype(float)))),
                 t_of=dict(zip(pid, plots["terrain_id"].astype(str))),
                 status_of=dict(zip(terrains["terrain_id"].astype(str), terrains["status"].astype(str))),
                 fid=fid, firm={f: r for f, r in zip(fid, firms.to_dict("records"))},
                 assigned={str(f): str(p) for f, p in zip(sol.assignments["firm_id"], sol.assignments["plot_id"])})
        unknown = sorted({p for p in ix.assigned.values() if p and p not in ix.xy})
        unknown_f = sorted(f for f in ix.assigned if f not in ix.firm)
        if unknown or unknown_f:
            raise ValueError("the solution does not belong to this instance: "
                             + "; ".join(x for x in (f"unknown plot(s) {', '.join(unknown[:5])}" if unknown else "",
                                                     f"unknown firm(s) {', '.join(unknown_f[:5])}" if unknown_f
                                                     else "") if x))
        return ix


def _floor_use(instance: Instance, ix: _Index) -> tuple[dict[str, list[str]], dict[str, float]]:
    """The firms on each plot and the floor space they use (a pair's own floor_space_m2 first)."""
    override: dict[tuple[str, str], float] = {}
    if instance.pairs is not None and "floor_space_m2" in instance.pairs.columns:
        for f, p, v in zip(instance.pairs["firm_id"], instance.pairs["plot_id"], instance.pairs["floor_space_m2"]):
            if v is not None and not (isinstance(v, float) and math.isnan(v)):
                override[(str(f), str(p))] = float(v)
    occupants: dict[str, list[str]] = {p: [] for p in ix.pid}
    used: dict[str, float] = dict.fromkeys(ix.pid, 0.0)
    for f in ix.fid:
        p = ix.assigned.get(f, "")
        if p:
            occupants[p].append(f)
            used[p] += override.get((f, p), float(ix.firm[f]["floor_space_m2"]))
    return occupants, used


def _plot_shapes(instance: Instance, ix: _Index,
                 geometry: GeoDataFrame | str | Path | None) -> tuple[list[Any], list[str]]:
    """Each plot's polygon (``polygon``), else a square of its area around (x, y) (``square``)."""
    import shapely  # noqa: PLC0415 - the optional extra

    polys = plot_polygons(instance, geometry)
    shapes, kinds = [], []
    for p, a in zip(ix.pid, instance.plots["area_m2"].astype(float)):
        if polys is not None and p in polys.index:
            shapes.append(polys.loc[p])
            kinds.append("polygon")
        else:
            h = math.sqrt(a) / 2.0
            x, y = ix.xy[p]
            shapes.append(shapely.box(x - h, y - h, x + h, y + h))
            kinds.append("square")
    return shapes, kinds


def _plot_layer(gpd: Any, instance: Instance, sol: Solution, ix: _Index, shapes: list[Any],
                kinds: list[str]) -> GeoDataFrame:
    """Layer ``plots``: designation, intensification, occupants, floor used, capacity and free."""
    plots, pid = instance.plots, ix.pid
    occupants, used = _floor_use(instance, ix)
    desig = dict(zip(sol.plots["plot_id"].astype(str), sol.plots["werkmilieu"].astype(str)))
    inten = dict(zip(sol.plots["plot_id"].astype(str), sol.plots["intensified"].astype(bool)))
    cap = plots["floor_capacity_m2"].astype(float).to_numpy()
    extra = plots["intensify_extra_m2"].astype(float).to_numpy()
    is_int = [inten.get(p, False) for p in pid]
    added = [e if i else 0.0 for e, i in zip(extra, is_int)]
    return gpd.GeoDataFrame({
        "plot_id": pid,
        "terrain_id": [ix.t_of[p] for p in pid],
        "terrain_status": [ix.status_of.get(ix.t_of[p], "") for p in pid],
        "designation": [desig.get(p, "") for p in pid],
        "intensified": is_int,
        "occupants": [";".join(occupants[p]) for p in pid],
        "firms": [len(occupants[p]) for p in pid],
        "floor_used_m2": [used[p] for p in pid],
        "floor_capacity_m2": cap,
        "floor_added_m2": added,
        "floor_free_m2": [c + a - used[p] for c, a, p in zip(cap, added, pid)],
        "area_m2": plots["area_m2"].astype(float).to_numpy(),
        "max_category": plots["max_category"].astype(str).to_numpy(),
        "quay": plots["quay"].astype(bool).to_numpy(),
        "current_werkmilieu": plots["current_werkmilieu"].astype(str).to_numpy(),
        "shape": kinds,
    }, geometry=shapes, crs=RD_NEW)


_MOVE_COLUMNS = ["firm_id", "sector", "floor_space_m2", "from_plot", "to_plot", "from_terrain", "to_terrain",
                 "distance_km", "status"]
_DISPLACED_COLUMNS = ["firm_id", "sector", "floor_space_m2", "current_plot", "terrain_id", "terrain_status",
                      "must_place"]


def _move_layers(gpd: Any, ix: _Index) -> tuple[GeoDataFrame, GeoDataFrame]:
    """Layers ``moves`` (a line from each placed firm's current plot to its plot) and ``displaced``
    (a point on the current plot of each firm that has none now)."""
    import shapely  # noqa: PLC0415 - the optional extra

    moves, displaced = [], []
    for f in ix.fid:
        firm = ix.firm[f]
        cur = str(firm.get("current_plot") or "")
        if not cur:
            continue
        p = ix.assigned.get(f, "")
        row = {"firm_id": f, "sector": str(firm.get("sector") or ""), "floor_space_m2": float(firm["floor_space_m2"])}
        if p:
            (x0, y0), (x1, y1) = ix.xy[cur], ix.xy[p]
            moves.append({**row, "from_plot": cur, "to_plot": p, "from_terrain": ix.t_of[cur],
                          "to_terrain": ix.t_of[p], "distance_km": math.hypot(x1 - x0, y1 - y0) / 1000.0,
                          "status": "kept" if p == cur else "moved",
                          "geometry": shapely.LineString([(x0, y0), (x1, y1)])})
        else:
            displaced.append({**row, "current_plot": cur, "terrain_id": ix.t_of[cur],
                              "terrain_status": ix.status_of.get(ix.t_of[cur], ""),
                              "must_place": bool(firm.get("must_place", False)),
                              "geometry": shapely.Point(*ix.xy[cur])})
    return _frame(gpd, moves, _MOVE_COLUMNS), _frame(gpd, displaced, _DISPLACED_COLUMNS)


_TERRAIN_COLUMNS = ["terrain_id", "name", "region", "status", "developed", "plots", "firms", "floor_used_m2",
                    "floor_capacity_m2", "floor_added_m2", "shape"]


def _terrain_layer(gpd: Any, instance: Instance, sol: Solution, ix: _Index, plot_layer: GeoDataFrame,
                   shapes: list[Any], kinds: list[str]) -> GeoDataFrame:
    """Layer ``terrains``: the union of each park's plot polygons (the convex hull when some plot
    is only a square), its status, whether it is developed, and its plots' totals."""
    import shapely  # noqa: PLC0415 - the optional extra

    developed = dict(zip(sol.terrains["terrain_id"].astype(str), sol.terrains["developed"].astype(bool)))
    by_t: dict[str, list[int]] = {}
    for i, p in enumerate(ix.pid):
        by_t.setdefault(ix.t_of[p], []).append(i)
    trows = []
    for r in instance.terrains.to_dict("records"):
        t, st = str(r["terrain_id"]), str(r["status"])
        idx = by_t.get(t, [])
        geoms = [shapes[i] for i in idx]
        if not geoms:
            g, kind = None, ""
        elif all(kinds[i] == "polygon" for i in idx):
            g, kind = shapely.union_all(geoms), "union"
        else:
            g, kind = shapely.union_all(geoms).convex_hull, "hull"
        trows.append({
            "terrain_id": t, "name": str(r.get("name") or t), "region": str(r.get("region") or ""), "status": st,
            "developed": developed.get(t, False) if st == "planned" else st == "existing",
            "plots": len(idx), "firms": sum(plot_layer["firms"].iloc[i] for i in idx),
            "floor_used_m2": float(sum(plot_layer["floor_used_m2"].iloc[i] for i in idx)),
            "floor_capacity_m2": float(sum(plot_layer["floor_capacity_m2"].iloc[i] for i in idx)),
            "floor_added_m2": float(sum(plot_layer["floor_added_m2"].iloc[i] for i in idx)),
            "shape": kind, "geometry": g})
    return _frame(gpd, trows, _TERRAIN_COLUMNS)


def _frame(gpd: Any, rows: list[dict[str, Any]], cols: list[str]) -> GeoDataFrame:
    df = pd.DataFrame(rows, columns=[*cols, "geometry"])
    return gpd.GeoDataFrame(df[cols], geometry=gpd.GeoSeries(df["geometry"].tolist(), crs=RD_NEW), crs=RD_NEW)


_GEOMETRY_TYPE = {"plots": "MultiPolygon", "moves": "LineString", "terrains": "MultiPolygon", "displaced": "Point"}


def write_gpkg(path: str | Path, instance: Instance, result: Any, *,
               geometry: GeoDataFrame | str | Path | None = None) -> Path:
    """Write a solution as a GeoPackage (EPSG:28992) with the layers plots, moves, terrains
    and displaced (module doc); atomically: a temporary file beside ``path``, then a rename
    (an existing file is replaced).

    ``result``: a :class:`~revopt.results.Result`, a :class:`~revopt.results.Solution`, a
    plan evaluation (its ``.result``; pass the planned instance) or a solution directory.
    ``geometry``: plot polygons (GeoDataFrame with ``plot_id``, or a file with a layer
    ``plots``); default ``geometry.gpkg`` in the instance directory, else squares.
    """
    layers = solution_layers(instance, result, geometry=geometry)
    path = Path(path)
    with atomic_file(path, suffix=".gpkg") as tmp:
        for name in LAYERS:
            layers[name].to_file(tmp, layer=name, driver="GPKG", engine="pyogrio",
                                 geometry_type=_GEOMETRY_TYPE[name], promote_to_multi=name in ("plots", "terrains"))
    return path
