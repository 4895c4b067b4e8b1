"""The optional GIS stack (``pip install "revopt[geo]"``), imported only when used."""

from __future__ import annotations

from types import ModuleType

INSTALL_HINT = 'install revopt[geo] (pip install "revopt[geo]") for the GIS import and export'


class GeoUnavailable(ImportError):
    """geopandas (or one of shapely, pyogrio, pyproj) is not installed."""


def geopandas() -> ModuleType:
    """The geopandas module, or :class:`GeoUnavailable` saying how to install it."""
    try:
        import geopandas as gpd  # noqa: PLC0415 - lazy on purpose: the extra is optional
    except ImportError as e:
        raise GeoUnavailable(f"revopt.geo needs geopandas, which is not available ({e}): {INSTALL_HINT}") from None
    return gpd
