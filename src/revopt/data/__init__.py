"""Data layer: schema, parsing, validation and the Instance."""

from .errors import InstanceError, Problem
from .instance import Instance, load_instance
from .vocab import CATEGORIES, RANK, WERKMILIEUS

__all__ = ["Instance", "InstanceError", "Problem", "load_instance", "CATEGORIES", "RANK", "WERKMILIEUS"]
