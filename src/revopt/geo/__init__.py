"""GIS round trip (the optional extra ``revopt[geo]``: geopandas, shapely, pyogrio, pyproj).

- :func:`read_polygons` / :func:`read_layer`: plots and terrains of an instance from a
  GeoPackage / GeoJSON of plot or park polygons (reprojected to RD New, EPSG:28992);
- :func:`write_gpkg`: any solution (or plan result) as a GeoPackage with the layers
  ``plots``, ``moves``, ``terrains`` and ``displaced`` for QGIS.

geopandas is imported only when one of these is called; without it they raise
:class:`GeoUnavailable` (an ImportError) saying to install ``revopt[geo]``.
docs/gis.md describes the column mapping, the defaults and the layers.
"""

from ._deps import GeoUnavailable, geopandas
from .errors import FeatureProblem, GeoInputError
from .export import solution_layers, write_gpkg
from .importer import AVAILABLE_MW, COVERAGE, DEFAULTS, GeoImport, read_layer, read_polygons

__all__ = ["AVAILABLE_MW", "COVERAGE", "DEFAULTS", "FeatureProblem", "GeoImport", "GeoInputError",
           "GeoUnavailable", "geopandas", "read_layer", "read_polygons", "solution_layers", "write_gpkg"]
