"""Every feasible allocation of a tiny instance, by enumeration, judged by the independent verifier.

For instances without intensification and without transform terrains (so no u and no
compensation credits c): each firm on no plot or one of its candidate plots, each plot with no
designation or one of its werkmilieus, each planned terrain developed or not. An allocation is
kept when :func:`revopt.verify` finds nothing wrong with it (its summary carries the section-5
objective computed by :func:`revopt.results.verify.objective_value`). Nothing of revopt.model,
revopt.solve or revopt.decide is used.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pandas as pd

import revopt
from revopt.results.verify import is_candidate, objective_value

LIMIT = 20_000


@dataclass(frozen=True)
class Allocation:
    """Placements, designations and developed terrains (the binary decisions a planner sees)."""

    placements: tuple[tuple[str, str], ...]
    designations: tuple[tuple[str, str], ...]
    developed: tuple[tuple[str, bool], ...]
    objective: float

    @property
    def key(self) -> tuple:
        return self.placements, self.designations, self.developed


def key_of(solution: revopt.Solution) -> tuple:
    """The same key for a solution's tables."""
    a = tuple(sorted(zip(solution.assignments["firm_id"], solution.assignments["plot_id"].fillna(""))))
    d = tuple(sorted(zip(solution.plots["plot_id"], solution.plots["werkmilieu"].fillna(""))))
    t = tuple(sorted(zip(solution.terrains["terrain_id"], [bool(x) for x in solution.terrains["developed"]])))
    return a, d, t


def feasible_allocations(inst: revopt.Instance) -> list[Allocation]:
    firms = list(inst.firms["firm_id"])
    plots = list(inst.plots["plot_id"])
    if (inst.plots["intensify_extra_m2"] > 0).any() or (inst.terrains["status"] == "transform").any():
        raise ValueError("alloc_enum: no intensification and no transform terrains")
    options = [[""] + [p for p in plots if is_candidate(inst, f, p) is None] for f in firms]
    plot_wm = [[""] + list(ws) for ws in inst.plots["werkmilieus"]]
    planned = list(inst.terrains.loc[inst.terrains["status"] == "planned", "terrain_id"])
    total = 1
    for o in options + plot_wm:
        total *= len(o)
    if total * 2 ** len(planned) > LIMIT:
        raise ValueError("alloc_enum: too many allocations to enumerate")
    out = []
    for xs in itertools.product(*options):
        used = [p for p in xs if p]
        for zs in itertools.product(*plot_wm):
            if any(not zs[plots.index(p)] for p in used):
                continue  # C3: a placed firm needs a designation (the verifier would say so, slower)
            for ds in itertools.product([False, True], repeat=len(planned)):
                sol = revopt.Solution(pd.DataFrame({"firm_id": firms, "plot_id": list(xs)}),
                                      pd.DataFrame({"plot_id": plots, "werkmilieu": list(zs),
                                                    "intensified": [False] * len(plots)}),
                                      pd.DataFrame({"terrain_id": planned, "developed": list(ds)}),
                                      pd.DataFrame({"terrain_id": [], "plot_id": [], "class": [], "floor_m2": []}))
                sol.summary = {"objective": objective_value(inst, sol)}
                if not revopt.verify(inst, sol):
                    a = key_of(sol)
                    out.append(Allocation(a[0], a[1], a[2], sol.summary["objective"]))
    return out
