"""Column values of the model -> a :class:`~revopt.results.Result` whose solution directory is that of
``revopt solve`` (spec section 6): the tables by the solve layer's own extraction, the objective
recomputed from the rounded decisions, the KPIs, and a summary.json that ``revopt verify`` reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.instance import Instance
from ..model.block import LinearModel
from ..model.build import build_model
from ..model.candidates import Candidates, candidate_pairs
from ..model.layout import Layout
from ..model.validate import check_instance
from ..results.result import Result
from ..solve.extract import extract, round_columns
from ..status import RawSolve, Status


@dataclass
class Built:
    """An instance with its candidate pairs, layout and model (built once, solved many times)."""

    instance: Instance
    candidates: Candidates
    layout: Layout
    model: LinearModel

    @classmethod
    def of(cls, instance: Instance) -> Built:
        """Build the model of ``instance`` (the model-level input rules checked first)."""
        cand = candidate_pairs(instance)
        check_instance(instance, cand)
        lay, lm = build_model(instance, cand)
        return cls(instance, cand, lay, lm)

    def rounded(self, values: np.ndarray) -> np.ndarray:
        """Integer columns rounded to 0/1, solver noise on continuous columns cleared."""
        return round_columns(self.layout, self.model.integrality, np.asarray(values, float)[: self.model.n_cols])

    def result(self, values: np.ndarray, *, status: Status, bound: float | None, seconds: float,
               message: str) -> Result:
        """The Result of the (rounded) column values ``values``: tables, objective, ``bound`` on the
        section-5 objective (None: the assignment bound alone), gap and KPIs."""
        raw = RawSolve(status, self.rounded(values), bound, 0.0, seconds, message)
        out = extract(self.instance, self.candidates, self.layout, self.model, raw, {}, solver="highs")
        size = {"firms": len(self.instance.firms), "plots": len(self.instance.plots), "pairs": len(self.candidates),
                "rows": self.model.n_rows, "cols": self.model.n_cols, "nnz": self.model.nnz}
        res = Result(self.instance.name, status, out.objective, out.bound, out.gap, {"solve": seconds}, "highs",
                     out.solution, kpis=out.kpis, exclusions=self.candidates.exclusions, message=message, size=size,
                     bound_source=out.bound_source)
        if res.solution is not None:
            res.solution.summary = res.summary()
        return res


__all__ = ["Built"]
