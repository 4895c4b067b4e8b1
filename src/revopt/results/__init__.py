"""Results layer: solution tables, KPIs, verification."""

from ..status import Status
from .result import PHASES, Result
from .solution import Solution, SolutionFormatError

__all__ = ["Result", "Status", "PHASES", "Solution", "SolutionFormatError"]
