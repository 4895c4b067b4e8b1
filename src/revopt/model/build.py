"""``build_model``: candidate pairs -> variables -> constraint blocks -> one LinearModel.

The families are called in spec order (C1..C7, C8 corridor capacity (spec section 7), then the policy rules of spec
section 9: C9 claims, C10 lifecycle targets, C11 noise, and the locks); each
returns named blocks of sparse rows. Both backends (highspy in bulk, Pyomo)
consume the same LinearModel.
"""

from __future__ import annotations

import numpy as np

from ..data.instance import Instance
from .block import Block, LinearModel, stack
from .candidates import Candidates, candidate_pairs
from .claims import add_claims
from .compatibility import add_compatibility
from .compensation import add_compensation
from .corridors import add_corridors
from .designation import add_designation
from .floorspace import add_floorspace, add_intensify
from .grid import add_grid
from .layout import Layout, build_layout
from .lifecycle import add_lifecycle
from .locks import add_locked_designations, add_locked_firms, add_plan_develop
from .nitrogen import add_nitrogen
from .noise import add_noise
from .objective import cost_vector
from .placement import add_placement


def build_blocks(inst: Instance, lay: Layout) -> list[Block]:
    """All constraint blocks, in spec order: C1..C8, then C9, C10, C11 and the locks (section 9), then a
    relocation plan's develop/forbid choices (docs/plans.md)."""
    return [
        add_placement(inst, lay),
        add_designation(inst, lay),
        add_compatibility(inst, lay),
        add_floorspace(inst, lay),
        add_intensify(inst, lay),
        add_grid(inst, lay),
        *add_nitrogen(inst, lay),
        *add_compensation(inst, lay),
        add_corridors(inst, lay),
        add_claims(inst, lay),
        add_lifecycle(inst, lay),
        add_noise(inst, lay),
        add_locked_firms(inst, lay),
        add_locked_designations(inst, lay),
        add_plan_develop(inst, lay),
    ]


def build_model(inst: Instance, cand: Candidates | None = None) -> tuple[Layout, LinearModel]:
    """Build the MIP of an instance as a :class:`LinearModel` (maximisation)."""
    if cand is None:
        cand = candidate_pairs(inst)
    lay = build_layout(inst, cand)
    blocks = build_blocks(inst, lay)
    start, index, value, row_lower, row_upper, spans = stack(blocks, lay.n_cols)
    n = lay.n_cols
    integrality = np.ones(n, dtype=np.int32)
    col_upper = np.ones(n)
    cc = lay.continuous_cols()
    integrality[cc] = 0
    col_upper[cc] = np.inf
    lm = LinearModel(cost=cost_vector(inst, lay), col_lower=np.zeros(n), col_upper=col_upper,
                     integrality=integrality, row_lower=row_lower, row_upper=row_upper,
                     start=start, index=index, value=value, blocks=blocks, block_rows=spans)
    return lay, lm
