"""What a plan lacks, in numbers: the elastic variant.

When firms stay unplaced or the plan is infeasible, the planned instance is
solved once more with every firm that should land forced to land (C1 with
``= 1``) and penalised slack on the capacities that can stop it:

    C4 floor      sum_f floor_fp x[f,p] - s_floor[p]  <= cap_p D_p + extra_p u[p]
    C5 grid       sum grid_mw_f x[f,p] - s_grid[s]    <= available_mw_s
    C6 nitrogen   sum mol e[p] - s_n[n]              <= headroom_n
    C7 demand     sum_p c[t,p,k] + s_comp[t,k]       >= ratio * lost[t,k]
    C9 claims     (both bounds), C10 lifecycle targets, C11 noise: one slack per bound

    C1 placement  sum_p x[f,p] + s_firm[f]            >= 1   for the firms that should land

and the objective

    maximise  - sum_k s_k / scale_k   (+ tie_break / |assignment bound| * section-5 objective)

where scale_k is a typical size of that resource in the instance (the median
floor capacity of a plot, the median available MW of a substation, the median
headroom of an area, the median lost floor space of a transformed terrain, ...).
The slack is thus measured in "typical units" and the smallest such addition
wins. The section-5 objective is left out by default (``tie_break = 0``): as a
tie-breaker it made HiGHS prove a tiny second objective and take far longer for the
same additions (docs/benchmarks.md#elastic-tie-break). Floor slack on plot p is reported per
region and the werkmilieu the plot gets in the elastic solution: "add 12,400 m2 of
productie space in region Oost".

Firms without any candidate plot cannot land whatever capacity is added (a rule,
not a capacity, stands in the way): they are not forced; their reasons are in
the firms table. A forced firm may still stay out through s_firm (a rule of the
plan, a lock or a designation, not a capacity, keeps it out), at the price of
100 typical units: it is then listed as resource ``firm``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..decide.elastic import add_slack
from ..model import claims, compensation, floorspace, grid, lifecycle, nitrogen, noise, placement
from ..model.block import Block, LinearModel, stack
from ..model.build import build_blocks
from ..model.candidates import Candidates, candidate_pairs
from ..model.layout import build_layout, plot_regions
from ..model.objective import cost_vector
from ..results.solution import Solution
from ..solve.bounds import assignment_bound
from ..solve.extract import extract_solution, round_columns
from ..solve.highs_backend import solve_highs
from ..solve.options import DEFAULT_OPTIONS
from ..status import Status

#: block name -> (resource, unit, which bound the slack relaxes)
ELASTIC_BLOCKS = {
    placement.NAME: ("firm", "firms", "lower"),
    floorspace.NAME: ("floor", "m2", "upper"),
    grid.NAME: ("grid", "MW", "upper"),
    nitrogen.NAME: ("nitrogen", "mol/yr", "upper"),
    compensation.NAME_DEMAND: ("compensation", "m2", "lower"),
    claims.NAME: ("claim", "m2", "both"),
    lifecycle.NAME: ("lifecycle", "m2", "lower"),
    noise.NAME: ("noise", "noise units", "upper"),
}
COLUMNS = ["resource", "id", "class", "addition", "unit", "text"]


@dataclass
class ElasticResult:
    """The elastic solve: its status, the additions (docs/plans.md, comparison/elastic.csv),
    how many of the forced firms land, and its decision tables."""

    status: Status
    additions: pd.DataFrame
    forced: list[str]
    solution: Solution | None
    message: str = ""


def _scale(values) -> float:
    v = np.asarray(values, float)
    v = v[np.isfinite(v) & (v > 0)]
    return float(np.median(v)) if len(v) else 1.0


def elastic_solve(inst: Instance, land: list[str], *, cand: Candidates | None = None,
                  time_limit: float | None = None, gap: float = 1e-4, threads: int | None = None,
                  tie_break: float = 0.0) -> ElasticResult:
    """Solve the elastic variant of ``inst`` with the firms ``land`` (ids) forced to land."""
    cand = candidate_pairs(inst) if cand is None else cand
    lay = build_layout(inst, cand)
    blocks = build_blocks(inst, lay)
    n0 = lay.n_cols
    has = set(cand.exclusions.loc[cand.exclusions["candidates"] > 0, "firm_id"])
    forced = [f for f in land if f in has]
    scales = {
        "firm": 0.01,   # a firm that cannot land weighs as 100 typical units of any capacity
        "floor": _scale(inst.plots["floor_capacity_m2"]),
        "grid": _scale(inst.substations["available_mw"]),
        "nitrogen": _scale(inst.nature_areas["headroom_mol"]) if len(inst.nature_areas) else 1.0,
        "compensation": _scale(lay.lost["lost_m2"]) if len(lay.lost) else 1.0,
        "claim": _scale(inst.plots["floor_capacity_m2"]),
        "lifecycle": _scale(inst.firms["floor_space_m2"]),
        "noise": _scale(inst.terrains["noise_budget"]) if "noise_budget" in inst.terrains else 1.0,
    }
    placed_blocks = []
    for b in blocks:
        if b.name == placement.NAME and forced:
            lower = b.lower.copy()
            lower[b.keys["firm_id"].isin(forced).to_numpy()] = 1.0
            b = Block(b.name, b.keys, b.row, b.col, b.val, lower, b.upper)
        placed_blocks.append(b)
    new_blocks, slacks, col = add_slack(placed_blocks, {name: spec[2] for name, spec in ELASTIC_BLOCKS.items()}, n0)
    slack_meta = [(name, r, *ELASTIC_BLOCKS[name][:2], bound) for name, r, bound in slacks]
    n = col
    start, index, value, row_lower, row_upper, spans = stack(new_blocks, n)
    base_cost = cost_vector(inst, lay)
    integrality = np.zeros(n, dtype=np.int32)
    integrality[:n0] = 1
    integrality[lay.continuous_cols()] = 0
    col_upper = np.ones(n)
    col_upper[lay.continuous_cols()] = np.inf
    col_upper[n0:] = np.inf
    eps = 0.0
    if tie_break > 0:   # scale the section-5 objective below one typical unit of slack
        lm0 = LinearModel(cost=base_cost, col_lower=np.zeros(n0), col_upper=col_upper[:n0],
                          integrality=integrality[:n0], row_lower=row_lower, row_upper=row_upper,
                          start=start, index=index, value=value)
        eps = tie_break / max(1.0, abs(assignment_bound(lay, lm0)))
    cost = np.concatenate([eps * base_cost, [-1.0 / scales[m[2]] for m in slack_meta]])
    lm = LinearModel(cost=cost, col_lower=np.zeros(n), col_upper=col_upper, integrality=integrality,
                     row_lower=row_lower, row_upper=row_upper, start=start, index=index, value=value,
                     blocks=new_blocks, block_rows=spans)
    raw = solve_highs(lm, time_limit=time_limit, gap=gap,
                      threads=DEFAULT_OPTIONS.default_threads if threads is None else threads)
    if not raw.status.has_solution or raw.values is None:
        return ElasticResult(raw.status, pd.DataFrame(columns=COLUMNS), forced, None,
                             message=raw.message or "the elastic variant has no solution either: a lock or "
                                                    "a forced development, not a capacity, stands in the way")
    v = round_columns(lay, integrality[:n0], raw.values[:n0])
    sol = extract_solution(inst, lay, v)
    slack = raw.values[n0:]
    return ElasticResult(raw.status, _additions(inst, blocks, slack_meta, slack, sol), forced, sol)


def _additions(inst: Instance, blocks: list[Block], meta, slack: np.ndarray, sol) -> pd.DataFrame:
    keys = {b.name: b.keys for b in blocks}
    region = pd.Series(plot_regions(inst), index=inst.plots["plot_id"])
    desig = sol.plots.set_index("plot_id")["werkmilieu"]
    areas = inst.nature_areas.set_index("area_id")["name"] if len(inst.nature_areas) else pd.Series(dtype=object)
    tnames = inst.terrains.set_index("terrain_id")["name"]
    floor: dict[tuple[str, str], list] = {}
    rows = []
    for (name, r, resource, unit, bound), s in zip(meta, slack):
        if s <= 1e-6 * max(1.0, abs(s)) or s < 1e-6:
            continue
        k = keys[name].iloc[r]
        if resource == "firm":
            rows.append(("firm", k["firm_id"], "", round(s), unit,
                         f"firm {k['firm_id']} cannot land whatever capacity is added (see its reason)"))
        elif resource == "floor":
            p = k["plot_id"]
            key = (region[p], desig.get(p, "") or "undesignated")
            floor.setdefault(key, [0.0, []])
            floor[key][0] += s
            floor[key][1].append(p)
        elif resource == "grid":
            rows.append(("grid", k["substation_id"], "", s, unit,
                         f"add {s:,.1f} MW of grid capacity at substation {k['substation_id']}"))
        elif resource == "nitrogen":
            rows.append(("nitrogen", k["area_id"], "", s, unit,
                         f"find {s:,.0f} mol N/yr of deposition room on {areas.get(k['area_id'], k['area_id'])}"))
        elif resource == "compensation":
            rows.append(("compensation", k["terrain_id"], k["class"], s, unit,
                         f"add {s:,.0f} m2 of new {k['class']} space within range of "
                         f"{tnames.get(k['terrain_id'], k['terrain_id'])} to compensate its loss"))
        elif resource == "claim":
            what = "more" if bound == "lower" else "less"
            rows.append(("claim", k["region"], k["werkmilieu"], s, unit,
                         f"the claim for {k['werkmilieu']} in region {k['region']} needs {s:,.0f} m2 {what}"))
        elif resource == "lifecycle":
            rows.append(("lifecycle", k["region"], k["lifecycle"], s, unit,
                         f"the {k['lifecycle']} target in region {k['region']} is {s:,.0f} m2 short"))
        elif resource == "noise":
            rows.append(("noise", k["terrain_id"], "", s, unit,
                         f"add {s:,.1f} noise units to the zone of {tnames.get(k['terrain_id'], k['terrain_id'])}"))
    for (reg, w), (s, plots) in sorted(floor.items()):
        rows.append(("floor", reg, w, s, "m2",
                     f"add {s:,.0f} m2 of {w} space in region {reg} (e.g. on {', '.join(sorted(plots)[:3])})"))
    order = {"firm": 7, "floor": 0, "grid": 1, "nitrogen": 2, "compensation": 3, "claim": 4, "lifecycle": 5, "noise": 6}
    df = pd.DataFrame(rows, columns=COLUMNS)
    if len(df):
        df = df.sort_values(["resource", "addition"], key=lambda c: c.map(order) if c.name == "resource" else -c,
                            kind="stable").reset_index(drop=True)
    return df
