"""A hand-built instance where value added pulls firms away from their current plots.

Three plots (A, B on an existing terrain, C on a planned one that costs 30 to develop), one firm
per plot at most (floor 100 = capacity), F1 now on A, F2 now on B (moving costs 10 each), F3 new.
Pair values (value_years 1): F1 A 100, B 110, C 160; F2 A 130, B 100, C 150; F3 A 90, B 95, C 60.

By hand: no relocation, F3 on C: 100 + 100 + 60 - 30 = 230; one relocation, F1 to C and F3 on A:
150 + 100 + 90 - 30 = 310; two, F1 to C, F2 to A, F3 on B: 150 + 120 + 95 - 30 = 335 (the optimum).
So the value-relocations front is (335, 2), (310, 1), (230, 0).
"""

from __future__ import annotations

import functools

from alloc_enum import feasible_allocations
from builders import make

VALUES = {("F1", "A"): 100, ("F1", "B"): 110, ("F1", "C"): 160,
          ("F2", "A"): 130, ("F2", "B"): 100, ("F2", "C"): 150,
          ("F3", "A"): 90, ("F3", "B"): 95, ("F3", "C"): 60}
FRONT = [(335.0, 2.0), (310.0, 1.0), (230.0, 0.0)]


def relocation_instance():
    return make(
        firms=[dict(firm_id="F1", current_plot="A", relocation_cost_eur=10.0),
               dict(firm_id="F2", current_plot="B", relocation_cost_eur=10.0),
               dict(firm_id="F3")],
        plots=[dict(plot_id="A", werkmilieus="productie;innovatie", x=0.0),
               dict(plot_id="B", x=1000.0),
               dict(plot_id="C", terrain_id="N", x=2000.0)],
        terrains=[dict(terrain_id="T", status="existing"),
                  dict(terrain_id="N", status="planned", development_cost_eur=30.0)],
        pairs=[dict(firm_id=f, plot_id=p, value_added_eur=float(v)) for (f, p), v in VALUES.items()])


@functools.cache
def relocation_allocations() -> tuple:
    """Every feasible allocation of :func:`relocation_instance` (enumerated once per session)."""
    return tuple(feasible_allocations(relocation_instance()))
