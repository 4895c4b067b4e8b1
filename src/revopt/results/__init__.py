"""Results layer: solution tables, KPIs, verification."""

from .result import PHASES, Result, Status
from .solution import Solution, SolutionFormatError

__all__ = ["Result", "Status", "PHASES", "Solution", "SolutionFormatError"]
