"""Write the model of an instance as a named LP (or MPS) file, for reading and for other solvers."""

from __future__ import annotations

import re
from pathlib import Path

from ..data.instance import Instance
from ..solve.highs_backend import new_highs, pass_model
from .build import build_model

_UNSAFE = re.compile(r"[^A-Za-z0-9_.,()]")


def _safe(name: str) -> str:
    """LP-file-safe name: ``x[F1,P3]`` becomes ``x(F1,P3)``, other odd characters ``_``."""
    return _UNSAFE.sub("_", name.replace("[", "(").replace("]", ")"))


def row_names(lm) -> list[str]:
    """Row names like ``C4_floor[P3]`` in matrix order."""
    names = []
    for b in lm.blocks:
        for key in b.keys.itertuples(index=False, name=None):
            names.append(f"{b.name}[{','.join(str(k) for k in key)}]")
    return names


def write_model(inst: Instance, path: str | Path) -> Path:
    """Write the MIP with readable names; the format follows the suffix (.lp or .mps)."""
    lay, lm = build_model(inst)
    h = new_highs()
    h.setOptionValue("output_flag", False)
    pass_model(h, lm)
    for j, n in enumerate(lay.names(inst)):
        h.passColName(j, _safe(n))
    for i, n in enumerate(row_names(lm)):
        h.passRowName(i, _safe(n))
    p = Path(path)
    h.writeModel(str(p))
    return p


__all__ = ["write_model", "row_names"]
