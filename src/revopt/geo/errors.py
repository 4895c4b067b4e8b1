"""Input errors of a GIS layer: they name the file (and layer), the feature and the attribute."""

from __future__ import annotations

from dataclasses import dataclass

from ..data.errors import InstanceError, Problem


@dataclass(frozen=True)
class FeatureProblem(Problem):
    """One broken rule in a GIS layer.

    ``row`` is the feature number: 1 for the first feature of the layer, in the
    order the file holds them (the order of QGIS's attribute table); None for a
    problem of the whole layer. ``column`` is the attribute (``geometry`` for
    the shape itself).
    """

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"feature {self.row}")
        if self.column:
            where.append(f"attribute {self.column}")
        return f"{', '.join(where)}: {self.rule}"


class GeoInputError(InstanceError):
    """A GIS layer that cannot become an instance; nothing is written (CLI exit 2)."""

    def __init__(self, problems: list[Problem] | Problem, source: str = "GIS layer"):
        super().__init__(problems, what=f"cannot import {source}")
