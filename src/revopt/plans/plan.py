"""Plan files (spec section 8): read, validate against an instance, apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Plan:
    """A relocation plan: which terrains become housing, which planned terrains are
    forced open or kept closed, which firms must move, which firms are added.

    ``add_firms`` holds the extra firm rows as text cells (firms.csv columns), or None.
    ``norm`` is the schuifruimte norm (share of free floor space), default 0.05.
    """

    name: str
    description: str = ""
    transform: tuple[str, ...] = ()
    develop: tuple[str, ...] = ()
    forbid_develop: tuple[str, ...] = ()
    relocate: tuple[str, ...] = ()
    add_firms: pd.DataFrame | None = field(default=None, compare=False)
    add_firms_path: Path | None = None
    norm: float = 0.05
    source: Path | None = field(default=None, compare=False)
