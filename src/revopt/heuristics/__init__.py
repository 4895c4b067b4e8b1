"""Heuristics: a planner's greedy baseline, also used as a MIP starting solution."""

from .greedy import GreedyResult, greedy

__all__ = ["GreedyResult", "greedy"]
