"""GIS import: polygons of plots or of whole business parks -> plots.csv and terrains.csv.

A layer (GeoPackage, GeoJSON, shapefile: anything GDAL reads) comes in one of two shapes:

- **plots**: one polygon per plot (kavel), with a plot id attribute (``plot_id``, or
  the one named by ``id_column``) and the park it lies on (``terrain_id``, or the one
  named by ``terrain_column``; the IBIS ``RINNUMMER`` is recognised). Terrain
  attributes (name, region, status, ...) may sit on the plot features; the plots of
  one park must then agree on them.
- **parks**: one polygon per business park (as the national IBIS register delivers
  them), with a park id (``terrain_id`` or ``RINNUMMER``, or ``id_column``) and no
  separate park attribute. Each park becomes one terrain with one plot (plot id =
  terrain id); features that share a park id are parts of one park and are merged.

The geometry is reprojected to RD New (EPSG:28992): ``x``, ``y`` are the centroid
and ``area_m2`` the polygon's area. Every other plots.csv / terrains.csv column is
read from the attribute of the same name (any case), from a known alias
(:data:`ALIASES`), or from the mapping ``columns``; missing or empty ones get the
defaults of :data:`DEFAULTS` (documented in docs/gis.md) or the schema's.
Problems name the file, the feature (1 = first) and the attribute.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..data.errors import InstanceError, Problem
from ..data.instance import Instance, cell_text
from ..data.schema import columns_of
from ._deps import geopandas
from .errors import FeatureProblem, GeoInputError

if TYPE_CHECKING:  # the optional extra: imported when a function runs, named here for the signatures
    from geopandas import GeoDataFrame

RD_NEW = "EPSG:28992"
#: RD New's area of use (EPSG:28992 projected bounds, m): a centroid outside lies outside the
#: Netherlands, almost always because the layer's CRS is wrong
RD_BOUNDS = (-7000.0, 289000.0, 300000.0, 629000.0)
#: attribute names recognised for a column besides the column's own name (case-insensitive);
#: the IBIS register of business parks (RINNUMMER, BEDRIJVENT, KERN, OPPNETTO) among them
ALIASES: dict[str, tuple[str, ...]] = {
    "terrain_id": ("RINNUMMER",),
    "name": ("BEDRIJVENT", "naam"),
    "region": ("KERN", "regio"),
    "net_area_m2": ("OPPNETTO",),
}
#: default building coverage (bebouwingspercentage): floor capacity = coverage x net area;
#: the middle of the usual 50-80 % (shared/data/README.md), on the low side for one storey
COVERAGE = 0.6
#: defaults for required columns that a GIS layer rarely has (docs/gis.md says why)
DEFAULTS: dict[str, str] = {
    "status": "existing",
    "max_category": "4.2",
    "werkmilieus": "productie;innovatie;stedelijk",
    "substation_id": "S1",
}
#: capacity (MW) of the one placeholder substation of a starter instance: the middle of a
#: HV/MV substation's 40-150 MW; replace it with the grid operator's figure
AVAILABLE_MW = 100.0
_GEOMETRY_COLUMNS = ("x", "y", "area_m2")         # always from the polygon
_PLOT_COLUMNS = [c for c in columns_of("plots.csv")["column"] if c not in ("plot_id", "terrain_id", *_GEOMETRY_COLUMNS)]
_TERRAIN_COLUMNS = [c for c in columns_of("terrains.csv")["column"] if c != "terrain_id"]


@dataclass
class GeoImport:
    """What :func:`read_layer` found.

    ``terrains`` and ``plots`` are text tables with the columns of terrains.csv and
    plots.csv (valid: :meth:`instance` builds on them); ``geometry`` holds the plot
    polygons in RD New (columns ``plot_id``, ``terrain_id``, ``geometry``);
    ``mode`` is ``"plots"`` or ``"parks"``; ``source`` names the file (and layer);
    ``features`` maps plot and terrain ids to their (first) feature number;
    ``attributes`` says which attribute filled each column (``None``: a default);
    ``notes`` lists what a planner should know (merged features, defaults used).
    """

    terrains: pd.DataFrame
    plots: pd.DataFrame
    geometry: Any
    mode: str
    source: str
    crs: str
    attributes: dict[str, str | None]
    plot_feature: dict[str, int] = field(default_factory=dict)
    terrain_feature: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def instance(self, *, name: str = "imported", available_mw: float = AVAILABLE_MW,
                 description: str = "") -> Instance:
        """A starter instance: these plots and terrains, no firms, one substation per
        substation id used (``available_mw`` each), no Natura 2000 areas."""
        subs = sorted(set(self.plots["substation_id"]))
        firms = pd.DataFrame({c: pd.Series(dtype=object) for c in columns_of("firms.csv")["column"]})
        params = {"instance": {"name": name, "description": description or
                               f"imported from {self.source} by revopt geo import"}}
        try:
            return Instance.from_frames(terrains=self.terrains, plots=self.plots, firms=firms,
                                        substations=pd.DataFrame({"substation_id": subs,
                                                                  "available_mw": [available_mw] * len(subs)}),
                                        params=params, name=name)
        except InstanceError as e:
            raise self._translate(e) from None

    def _translate(self, e: InstanceError) -> GeoInputError:
        """Problems of plots.csv / terrains.csv rows -> the feature and attribute they came from."""
        out: list[Problem] = []
        for p in e.problems:
            table = {"plots.csv": (self.plots, "plot_id", self.plot_feature),
                     "terrains.csv": (self.terrains, "terrain_id", self.terrain_feature)}.get(p.file)
            if table is None or p.row is None or p.row < 2:
                out.append(p)
                continue
            df, idc, feats = table
            rid = df[idc].iloc[p.row - 2]
            attr = self.attributes.get(f"{p.file}:{p.column}") if p.column else None
            col = attr if attr else (f"{p.column} (default)" if p.column else None)
            out.append(FeatureProblem(self.source, feats.get(rid), col, f"{p.file} column {p.column}: {p.rule}"))
        return GeoInputError(out, self.source)


def read_polygons(path: str | Path, *, layer: str | None = None, **options: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(terrains, plots)`` of an instance from a layer of polygons (see the module doc).

    Options as :func:`read_layer`. Raises :class:`~revopt.geo.errors.GeoInputError`
    (an :class:`~revopt.data.errors.InstanceError`) naming file, feature and attribute.
    """
    imp = read_layer(path, layer=layer, **options)
    return imp.terrains, imp.plots


def read_layer(path: str | Path, *, layer: str | None = None, id_column: str | None = None,
               terrain_column: str | None = None, columns: dict[str, str] | None = None,
               defaults: dict[str, str] | None = None, crs: str | None = None,
               coverage: float = COVERAGE) -> GeoImport:
    """Read a layer of plot or park polygons into plots and terrains tables (validated).

    - ``layer``: the layer of a multi-layer file (a GeoPackage); required when there are several;
    - ``id_column``: attribute with each feature's id (default: ``plot_id``, else ``terrain_id``,
      else ``RINNUMMER``);
    - ``terrain_column``: attribute with the park of each plot (default: ``terrain_id`` or
      ``RINNUMMER`` when that is not the id); given or found, the features are plots,
      otherwise parks;
    - ``columns``: {plots/terrains column: attribute} for attributes named otherwise;
    - ``defaults``: {column: text} replacing :data:`DEFAULTS` (or schema defaults) where
      an attribute is missing or empty;
    - ``crs``: the CRS to assume when the file has none (e.g. ``"EPSG:28992"``);
    - ``coverage``: building coverage for the default floor capacity (coverage x net area,
      net area = attribute ``net_area_m2``/``OPPNETTO`` when present, else the polygon area).
    """
    gpd = geopandas()
    path = Path(path)
    source = path.name + (f" (layer {layer})" if layer else "")
    gdf = _open(gpd, path, layer, source, crs, coverage)
    lay = _Layer(gdf, source, dict(columns or {}))
    id_attr, ter_attr = _id_attributes(lay, id_column, terrain_column)
    ids, tids = _feature_ids(lay, id_attr, ter_attr)
    lay.problems += _geometry_problems(gdf, source)
    lay.raise_problems()
    rd, crs_name = _to_rd(gdf, source)
    members = _group(ids)
    defaults = {**DEFAULTS, **(defaults or {})}
    plots_rows, geo_rows, plot_feature = _plot_rows(lay, rd, members, tids, crs_name, coverage, defaults)
    terrains_rows, terrain_feature = _terrain_rows(lay, _group(tids), defaults)
    lay.raise_problems()

    plots = pd.DataFrame(plots_rows, columns=["plot_id", "terrain_id", *_GEOMETRY_COLUMNS, *_PLOT_COLUMNS])
    plots = plots.drop(columns=[c for c in _PLOT_COLUMNS if plots[c].eq("").all()])
    terrains = pd.DataFrame(terrains_rows, columns=["terrain_id", *_TERRAIN_COLUMNS])
    terrains = terrains.drop(columns=[c for c in _TERRAIN_COLUMNS if terrains[c].eq("").all()
                                      and c not in ("name",)])
    geometry = gpd.GeoDataFrame({"plot_id": [g[0] for g in geo_rows], "terrain_id": [g[1] for g in geo_rows]},
                                geometry=[g[2] for g in geo_rows], crs=RD_NEW)
    used = lay.used
    used.update({"plots.csv:plot_id": id_attr, "plots.csv:terrain_id": ter_attr or id_attr,
                 "terrains.csv:terrain_id": ter_attr or id_attr})
    for c in _GEOMETRY_COLUMNS:
        used[f"plots.csv:{c}"] = "geometry"
    imp = GeoImport(terrains=terrains, plots=plots, geometry=geometry, mode="plots" if ter_attr else "parks",
                    source=source, crs=crs_name, attributes=used, plot_feature=plot_feature,
                    terrain_feature=terrain_feature,
                    notes=_notes(members, used, defaults, coverage, lay.find("net_area_m2")))
    imp.instance()              # validate now: problems name the feature and attribute
    return imp


def _open(gpd: Any, path: Path, layer: str | None, source: str, crs: str | None,
          coverage: float) -> GeoDataFrame:
    """The layer's features (numbered from 0), with a CRS; refused when it has none or no features."""
    gdf = _read(gpd, path, layer, source)
    if not (0 < coverage <= 1):
        raise GeoInputError(Problem("coverage", None, None, f"must lie in (0, 1], not {coverage}"), source)
    if gdf.crs is None:
        if crs is None:
            raise GeoInputError(FeatureProblem(source, None, "geometry", "the layer has no coordinate reference "
                                               "system (CRS): set one in QGIS (Layer > Set CRS) or pass --crs, "
                                               "e.g. --crs EPSG:28992"), source)
        gdf = gdf.set_crs(crs)
    if len(gdf) == 0:
        raise GeoInputError(FeatureProblem(source, None, None, "the layer has no features"), source)
    return gdf.reset_index(drop=True)


class _Layer:
    """A layer being read: its attributes (found by name in any case, by alias or by the user's
    mapping ``columns``), each attribute's cells as text, which attribute filled which column
    (``used``), and the problems found so far."""

    def __init__(self, gdf: Any, source: str, columns: dict[str, str]) -> None:
        self.gdf, self.source, self.columns = gdf, source, columns
        self.attrs = {str(c).lower(): str(c) for c in gdf.columns if c != gdf.geometry.name}
        self.problems: list[Problem] = []
        self.used: dict[str, str | None] = {}
        self._cells: dict[str, list[str]] = {}
        for col, a in columns.items():
            if a.lower() not in self.attrs:
                raise GeoInputError(FeatureProblem(source, None, a, f"no such attribute (named for column {col}); "
                                                   f"attributes: {self._listed()}"), source)

    def _listed(self) -> str:
        return ", ".join(sorted(self.attrs.values())) or "none"

    def find(self, col: str) -> str | None:
        """The attribute that holds column ``col``, or None."""
        if col in self.columns:
            return self.attrs[self.columns[col].lower()]
        for name in (col, *ALIASES.get(col, ())):
            if name.lower() in self.attrs:
                return self.attrs[name.lower()]
        return None

    def named(self, a: str | None, what: str) -> str | None:
        """The attribute ``a`` the user named as the ``what`` (refused when the layer lacks it)."""
        if a is None:
            return None
        if a.lower() not in self.attrs:
            raise GeoInputError(FeatureProblem(self.source, None, a, f"no such attribute (given as the {what}); "
                                               f"attributes: {self._listed()}"), self.source)
        return self.attrs[a.lower()]

    def text(self, a: str | None) -> list[str]:
        """The cells of attribute ``a`` as text, one per feature (empty ones as "")."""
        if a is None:
            return [""] * len(self.gdf)
        if a not in self._cells:
            self._cells[a] = [cell_text(v if not _missing(v) else None) for v in self.gdf[a].tolist()]
        return self._cells[a]

    def agree(self, rows: list[int], a: str | None, what: str) -> str:
        """The value of attribute ``a`` over features ``rows`` (one park or one plot): the non-empty
        values must agree."""
        if a is None:
            return ""
        vals = [(r, self.text(a)[r].strip()) for r in rows]
        vals = [(r, v) for r, v in vals if v != ""]
        for r, v in vals[1:]:
            if v != vals[0][1]:
                self.problems.append(FeatureProblem(self.source, r + 1, a, f"{what}: {v!r} here but "
                                                    f"{vals[0][1]!r} on feature {vals[0][0] + 1}"))
        return vals[0][1] if vals else ""

    def fill(self, row: dict[str, Any], file: str, cols: list[str], rows: list[int], what: str,
             defaults: dict[str, str]) -> None:
        """Set ``row[col]`` for each of ``cols`` from the attributes of features ``rows`` (the
        default where they are empty) and note the attribute used."""
        for col in cols:
            a = self.find(col)
            v = self.agree(rows, a, f"{what} {col}")
            if v == "" and col in defaults:
                v = defaults[col]
            elif v != "":
                self.used[f"{file}:{col}"] = a
            row[col] = v

    def raise_problems(self) -> None:
        if self.problems:
            raise GeoInputError(self.problems, self.source)


def _id_attributes(lay: _Layer, id_column: str | None, terrain_column: str | None) -> tuple[str, str | None]:
    """The id attribute and the park attribute (None: the features are whole parks)."""
    source = lay.source
    id_attr = lay.named(id_column, "id column") or lay.find("plot_id") or lay.find("terrain_id")
    if id_attr is None:
        raise GeoInputError(FeatureProblem(source, None, None, "no id attribute: expected plot_id (a layer of "
                                           "plots, with terrain_id) or terrain_id / RINNUMMER (a layer of parks); "
                                           "name another with --id-column"), source)
    ter_attr = lay.named(terrain_column, "terrain column") or lay.find("terrain_id")
    if ter_attr == id_attr:
        ter_attr = None
    if ter_attr is None and lay.find("plot_id") is not None and id_attr == lay.find("plot_id"):
        raise GeoInputError(FeatureProblem(source, None, "terrain_id", "a layer of plots needs the park of each "
                                           "plot: add a terrain_id attribute or name it with --terrain-column"),
                            source)
    return id_attr, ter_attr


def _feature_ids(lay: _Layer, id_attr: str, ter_attr: str | None) -> tuple[list[str], list[str]]:
    """Each feature's id and park (its own id in a layer of parks); empty ones, and a plot id used
    twice, are problems."""
    source = lay.source
    ids = [s.strip() for s in lay.text(id_attr)]
    for i, v in enumerate(ids):
        if v == "":
            lay.problems.append(FeatureProblem(source, i + 1, id_attr, "the id is empty"))
    if not ter_attr:
        return ids, ids
    tids = [s.strip() for s in lay.text(ter_attr)]
    lay.problems += [FeatureProblem(source, i + 1, ter_attr, "the park (terrain id) is empty")
                     for i, v in enumerate(tids) if v == ""]
    first: dict[str, int] = {}
    for i, v in enumerate(ids):
        if v and v in first:
            lay.problems.append(FeatureProblem(source, i + 1, id_attr, f"duplicate plot id {v!r} "
                                               f"(also feature {first[v] + 1})"))
        first.setdefault(v, i)
    return ids, tids


def _geometry_problems(gdf: Any, source: str) -> list[Problem]:
    """Polygons only, valid and non-empty."""
    import shapely  # noqa: PLC0415 - the optional extra

    out: list[Problem] = []
    for i, g in enumerate(gdf.geometry):
        if g is None or g.is_empty:
            out.append(FeatureProblem(source, i + 1, "geometry", "the feature has no geometry"))
        elif g.geom_type not in ("Polygon", "MultiPolygon"):
            out.append(FeatureProblem(source, i + 1, "geometry", f"is a {g.geom_type}, not a polygon: "
                                      "revopt imports areas (plots or parks), not points or lines"))
        elif not g.is_valid:
            out.append(FeatureProblem(source, i + 1, "geometry", f"invalid polygon "
                                      f"({shapely.is_valid_reason(g)}); repair it, e.g. with "
                                      "QGIS's Fix geometries"))
    return out


def _to_rd(gdf: Any, source: str) -> tuple[Any, str]:
    """The geometries in RD New, and the name of the CRS they came in."""
    try:
        rd = gdf.geometry.to_crs(RD_NEW)
    except Exception as e:  # noqa: BLE001 - pyproj raises several types
        raise GeoInputError(FeatureProblem(source, None, "geometry", f"cannot reproject from {gdf.crs} to "
                                           f"RD New ({e})"), source) from None
    return rd, gdf.crs.to_string()


def _group(keys: list[str]) -> dict[str, list[int]]:
    """The features of each key (a plot, or the parts of one park), keys in order of first appearance."""
    members: dict[str, list[int]] = {}
    for i, v in enumerate(keys):
        members.setdefault(v, []).append(i)
    return members


def _plot_rows(lay: _Layer, rd: Any, members: dict[str, list[int]], tids: list[str], crs_name: str,
               coverage: float, defaults: dict[str, str],
               ) -> tuple[list[dict[str, Any]], list[tuple[str, str, Any]], dict[str, int]]:
    """One plots.csv row per plot (the parts of one id merged): centroid and area from the polygon,
    the other columns from the attributes; the (plot, terrain, polygon) rows of the geometry; and
    each plot's first feature."""
    import shapely  # noqa: PLC0415 - the optional extra

    source = lay.source
    plots_rows, geo_rows, plot_feature = [], [], {}
    for pid, rows in members.items():
        shape = shapely.union_all([rd.iloc[r] for r in rows]) if len(rows) > 1 else rd.iloc[rows[0]]
        area = float(shape.area)
        c = shape.centroid
        tid = tids[rows[0]]
        plot_feature[pid] = rows[0] + 1
        cx, cy = (c.x, c.y) if not c.is_empty else (math.nan, math.nan)
        if not (RD_BOUNDS[0] <= cx <= RD_BOUNDS[2] and RD_BOUNDS[1] <= cy <= RD_BOUNDS[3]):
            lay.problems.append(FeatureProblem(source, rows[0] + 1, "geometry", f"lies outside the Netherlands "
                                               f"after reprojection from {crs_name} (RD x = {cx:.0f}, "
                                               f"y = {cy:.0f}): is the layer's CRS right?"))
            continue
        if not (math.isfinite(area) and area > 0):
            lay.problems.append(FeatureProblem(source, rows[0] + 1, "geometry", "the polygon has no area"))
            continue
        row = {"plot_id": pid, "terrain_id": tid, "x": round(c.x, 3), "y": round(c.y, 3), "area_m2": area}
        lay.fill(row, "plots.csv", _PLOT_COLUMNS, rows, f"the parts of {pid} disagree on", defaults)
        if row["floor_capacity_m2"] == "" and not _default_floor(lay, row, rows, area, coverage):
            continue
        plots_rows.append(row)
        geo_rows.append((pid, tid, shape))
    return plots_rows, geo_rows, plot_feature


def _default_floor(lay: _Layer, row: dict[str, Any], rows: list[int], area: float, coverage: float) -> bool:
    """Set the floor capacity to ``coverage`` x the net area (else the polygon's area); False after
    noting a net area that is not a number."""
    net_attr = lay.find("net_area_m2")
    net = lay.agree(rows, net_attr, f"the parts of {row['plot_id']} disagree on the net area") if net_attr else ""
    try:
        base = float(net) if net != "" else area
    except ValueError:
        lay.problems.append(FeatureProblem(lay.source, rows[0] + 1, net_attr, f"net area must be a number "
                                           f"(got {net!r})"))
        return False
    if not (math.isfinite(base) and base > 0):
        base = area
    row["floor_capacity_m2"] = cell_text(round(coverage * base, 1))
    return True


def _terrain_rows(lay: _Layer, t_members: dict[str, list[int]],
                  defaults: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One terrains.csv row per park, from the first feature of the park; its features must agree on
    the park's attributes; and each park's first feature."""
    terrains_rows, terrain_feature = [], {}
    for tid, rows in t_members.items():
        terrain_feature[tid] = rows[0] + 1
        row = {"terrain_id": tid}
        lay.fill(row, "terrains.csv", _TERRAIN_COLUMNS, rows, f"the features of park {tid} disagree on", defaults)
        terrains_rows.append(row)
    return terrains_rows, terrain_feature


def _notes(members: dict[str, list[int]], used: dict[str, str | None], defaults: dict[str, str],
           coverage: float, net_attr: str | None) -> list[str]:
    """What a planner should know: merged features, defaults used, how the floor capacity was set."""
    notes = []
    merged = {g: m for g, m in members.items() if len(m) > 1}
    if merged:
        notes.append("merged into one park: " + "; ".join(f"{g} (features {', '.join(str(r + 1) for r in m)})"
                                                          for g, m in merged.items()))
    missing = [c for c in ("max_category", "werkmilieus", "substation_id", "status")
               if f"plots.csv:{c}" not in used and f"terrains.csv:{c}" not in used]
    if missing:
        notes.append("defaults used for " + ", ".join(f"{c} = {defaults[c]}" for c in missing))
    if "plots.csv:floor_capacity_m2" not in used:
        notes.append(f"floor_capacity_m2 = {coverage:g} x " + (f"net area ({net_attr})" if net_attr else "area"))
    return notes


def _missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _read(gpd: Any, path: Path, layer: str | None, source: str) -> GeoDataFrame:
    if not path.exists():
        raise GeoInputError(FeatureProblem(source, None, None, "file not found"), source)
    try:
        import pyogrio  # noqa: PLC0415

        layers = [str(x[0]) for x in pyogrio.list_layers(path)]
    except Exception as e:  # noqa: BLE001 - GDAL's errors come in several types
        raise GeoInputError(FeatureProblem(source, None, None, f"not a GIS file GDAL can read ({e})"), source) from None
    if layer is None and len(layers) > 1:
        raise GeoInputError(FeatureProblem(source, None, None, f"the file has {len(layers)} layers "
                                           f"({', '.join(layers)}): choose one with --layer"), source)
    if layer is not None and layer not in layers:
        raise GeoInputError(FeatureProblem(source, None, None, f"no layer {layer!r}; layers: "
                                           f"{', '.join(layers)}"), source)
    try:
        gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as e:  # noqa: BLE001
        raise GeoInputError(FeatureProblem(source, None, None, f"cannot read the layer ({e})"), source) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        raise GeoInputError(FeatureProblem(source, None, "geometry", "the layer has no geometry"), source)
    return gdf
