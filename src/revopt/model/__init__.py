"""Model layer: candidate pairs, variables, one module per constraint family, objective, build."""

from .build import build_model
from .candidates import Candidates, candidate_pairs
from .layout import Layout

__all__ = ["build_model", "candidate_pairs", "Candidates", "Layout"]
