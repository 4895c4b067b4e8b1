"""Write the model of an instance as a named LP (or MPS) file, for reading and for other solvers.

HiGHS writes the file (:func:`revopt.solve.highs_backend.highs_for`), so this sits in the
solve layer: the model layer builds the matrix and knows no solver.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..data.instance import Instance
from ..model.block import LinearModel
from ..model.build import build_model
from .highs_backend import highs_for

_UNSAFE = re.compile(r"[^A-Za-z0-9_.,()]")


def _safe(name: str) -> str:
    """LP-file-safe name: ``x[F1,P3]`` becomes ``x(F1,P3)``, other odd characters ``_``."""
    return _UNSAFE.sub("_", name.replace("[", "(").replace("]", ")"))


def row_names(lm: LinearModel) -> list[str]:
    """Row names like ``C4_floor[P3]`` in matrix order."""
    names = []
    for b in lm.blocks:
        for key in b.keys.itertuples(index=False, name=None):
            names.append(f"{b.name}[{','.join(str(k) for k in key)}]")
    return names


def write_model(inst: Instance, path: str | Path) -> Path:
    """Write the MIP with readable names; the format follows the suffix (.lp or .mps)."""
    lay, lm = build_model(inst)
    h = highs_for(lm)
    for j, n in enumerate(lay.names(inst)):
        h.passColName(j, _safe(n))
    for i, n in enumerate(row_names(lm)):
        h.passRowName(i, _safe(n))
    p = Path(path)
    h.writeModel(str(p))
    return p


__all__ = ["write_model", "row_names"]
