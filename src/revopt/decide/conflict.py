"""Why an instance (or a plan) is infeasible: a conflict in named rules and ids.

Three steps, cheapest first, the first that answers ends the search:

1. **Presolve proofs** (:func:`revopt.model.checks.presolve_checks`): a must-place firm without a
   candidate plot, lost space that no new space in range can compensate, ... with the numbers.
2. **The LP relaxation's IIS**: when even fractional decisions cannot satisfy the rules, HiGHS
   computes an irreducible infeasible subset (``getIis``, strategy "irreducible"); each of its
   rows is named by its constraint family (the block name, C1..C11, the locks) and the row's key
   in a planner's terms ("substation S12", "claim Midden/industrieel minimum", "firm F0233 must
   be placed"). Irreducible for the LP: dropping any one of its rows makes the LP feasible.
3. **A deletion filter over rule groups**, when the LP relaxation is feasible and only the
   integer decisions (a whole firm on a whole plot) make the rules conflict. The soft rows are the
   capacities and requirements (C1 lower bounds, C4, C5, C6, C7 demand, C8, C9, C10, C11, the
   locks and a plan's develop choices); the definitional rows (C1 "at most one plot", C2, C3,
   the intensification and emission links, the credit caps of C7) always stay. First whole
   families, then single rows, are dropped one at a time; a drop that leaves the MIP infeasible
   is kept. Each test is a MIP (no objective) with a time limit. The rows that an elastic solve
   relaxes (:mod:`revopt.decide.elastic`, the least relative violation) are tried last: they are
   the likeliest members. The conflict is marked **minimal** only when every test was proven
   (infeasible or feasible, not stopped by the clock) and no test was skipped by the budget.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..model import (
    claims,
    compatibility,
    compensation,
    corridors,
    designation,
    floorspace,
    grid,
    lifecycle,
    locks,
    nitrogen,
    noise,
    placement,
)
from ..model.block import LinearModel, stack
from ..model.build import build_model
from ..model.candidates import candidate_pairs
from ..model.checks import presolve_checks
from ..model.layout import Layout
from ..model.validate import check_instance
from ..solve.highs_backend import highs_for, solve_highs
from ..status import Status
from .elastic import add_slack

#: the columns of conflict.csv
COLUMNS = ["rule", "family", "id", "bound", "text", "source", "minimal"]
#: soft rule groups of the deletion filter: block name -> the bounds that may give way
SOFT = {
    placement.NAME: "lower", floorspace.NAME: "upper", grid.NAME: "upper", nitrogen.NAME: "upper",
    compensation.NAME_DEMAND: "lower", corridors.NAME: "upper", claims.NAME: "both", lifecycle.NAME: "lower",
    noise.NAME: "upper", locks.NAME_FIRM: "both", locks.NAME_WM: "both", locks.NAME_DEVELOP: "both",
}
#: block name -> (family in a planner's words, rule of spec)
FAMILIES = {
    placement.NAME: ("placement", "C1"), designation.NAME: ("designation", "C2"),
    compatibility.NAME: ("compatibility", "C3"), floorspace.NAME: ("plot_floor", "C4"),
    floorspace.NAME_U: ("intensification", "C4"), grid.NAME: ("substation", "C5"),
    nitrogen.NAME_E: ("emission", "C6"), nitrogen.NAME: ("nature_area", "C6"),
    compensation.NAME_DEMAND: ("compensation", "C7"), compensation.NAME_CLASS: ("compensation_credit", "C7"),
    compensation.NAME_PLOT: ("compensation_credit", "C7"), corridors.NAME: ("corridor_edge", "C8"),
    claims.NAME: ("claim", "C9"), lifecycle.NAME: ("region_floor", "C10"), noise.NAME: ("noise", "C11"),
    locks.NAME_FIRM: ("locked_firm", "locks"), locks.NAME_WM: ("locked_werkmilieu", "locks"),
    locks.NAME_DEVELOP: ("plan_develop", "plan"),
}
#: presolve reasons start with the rule ("C7: ...", "locked: ...")
_PRESOLVE_FAMILY = {"C1": "placement", "C5": "substation", "C7": "compensation", "C8": "corridor_edge",
                    "C9": "claim", "C10": "region_floor", "C11": "noise", "locked": "locked_firm"}
#: HiGHS iis_strategy: an irreducible set (bit 2)
IIS_IRREDUCIBLE = 4
#: HiGHS's IIS bound status codes
_IIS_BOUND = {2: "lower", 3: "upper", 4: "both"}


@dataclass
class Conflict:
    """What :func:`find_conflict` returns.

    ``status``: ``presolve``, ``lp_iis`` or ``deletion_filter`` (how the conflict was found),
    ``feasible`` (no conflict: the instance has a solution) or ``unknown`` (the MIP could not be
    decided within the time limit). ``table`` has the columns of :data:`COLUMNS`; ``minimal``
    whether it is proven irreducible; ``integrality_only`` whether the LP relaxation is feasible
    (only whole firms on whole plots make the rules conflict); ``tests``/``proven`` count the
    MIPs of the deletion filter; ``paragraph`` says it in words."""

    status: str
    table: pd.DataFrame
    minimal: bool = False
    integrality_only: bool = False
    tests: int = 0
    proven: int = 0
    seconds: float = 0.0
    paragraph: str = ""
    notes: list[str] = field(default_factory=list)


def describe(lm: LinearModel, row: int, bound: str) -> tuple[str, str, str, str]:
    """(block name, family, id, words) of a row of ``lm``."""
    for b in lm.blocks:
        first, stop = lm.block_rows[b.name]
        if first <= row < stop:
            keys = b.keys.iloc[row - first]
            rid = "/".join(str(k) for k in keys.to_numpy())
            family, rule = FAMILIES.get(b.name, (b.name, b.name))
            return b.name, family, rid, _words(b.name, family, rule, rid, bound)
    raise IndexError(row)  # pragma: no cover - rows come from the model


def _words(name: str, family: str, rule: str, rid: str, bound: str) -> str:
    side = {"lower": "minimum", "upper": "maximum"}.get(bound, "")
    text = {
        placement.NAME: f"firm {rid} must be placed",
        designation.NAME: f"plot {rid} gets at most one werkmilieu, on a planned terrain only when developed",
        compatibility.NAME: f"firm/plot {rid}: only on a plot designated a werkmilieu that suits both",
        floorspace.NAME_U: f"plot {rid} is intensified only when designated",
        nitrogen.NAME_E: f"emission of plot {rid} is that of its firms",
        compensation.NAME_CLASS: f"credit from plot/class {rid} at most its new space of that class",
        compensation.NAME_PLOT: f"credit from plot {rid} at most its new space",
        floorspace.NAME: f"floor space of plot {rid}",
        grid.NAME: f"substation {rid}",
        nitrogen.NAME: f"nitrogen room of nature area {rid}",
        compensation.NAME_DEMAND: f"compensation of terrain/class {rid}",
        corridors.NAME: f"corridor edge {rid}",
        claims.NAME: f"claim {rid} {side}",
        lifecycle.NAME: f"floor for region/stage {rid}",
        noise.NAME: f"noise room of terrain {rid}",
        locks.NAME_FIRM: f"firm {rid} locked on its plot",
        locks.NAME_WM: f"plot {rid} locked to its werkmilieu",
        locks.NAME_DEVELOP: f"terrain/choice {rid} of the plan",
    }.get(name, f"{family} {rid}")
    return f"{text} ({rule})"


def _lp_iis(lm: LinearModel, lay: Layout, inst: Instance, threads: int | None) -> pd.DataFrame | None:
    """The LP relaxation's IIS as conflict rows, or None when the LP relaxation is feasible."""
    h = highs_for(lm, threads=threads, relax=True, options={"iis_strategy": IIS_IRREDUCIBLE})
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kInfeasible:
        return None
    status, iis = h.getIis()
    rows = []
    valid = status == highspy.HighsStatus.kOk and bool(iis.valid_)
    for r, code in zip(iis.row_index_, iis.row_bound_):
        name, family, rid, text = describe(lm, int(r), _IIS_BOUND.get(int(code), ""))
        rows.append([name, family, rid, _IIS_BOUND.get(int(code), ""), text, "lp_iis", valid])
    names = None
    for c, code in zip(iis.col_index_, iis.col_bound_):
        if int(code) not in (3, 4):   # free, or x >= 0: not a rule a planner can change
            continue
        names = names or lay.names(inst)
        rows.append(["column_bound", "bound", names[int(c)], "upper",
                     f"{names[int(c)]} <= 1 (a whole decision, taken at most once)", "lp_iis", valid])
    return pd.DataFrame(rows, columns=COLUMNS)


def _presolve_table(reasons: list[str]) -> pd.DataFrame:
    rows = []
    for r in reasons:
        m = re.match(r"^(C\d+|locked):", r)
        rule = m.group(1) if m else ""
        where = re.search(r"\b(?:terrain|firms?|substation|claim|region|plot) \(?([^\s,;()]+)", r)
        rows.append([rule, _PRESOLVE_FAMILY.get(rule, ""), where.group(1) if where else "", "", r, "presolve", False])
    return pd.DataFrame(rows, columns=COLUMNS)


class _Tester:
    """Feasibility MIPs of ``lm`` with some soft rows dropped (their soft bounds made infinite)."""

    def __init__(self, lm: LinearModel, time_limit: float, threads: int | None, max_tests: int, deadline: float):
        self.lm, self.time_limit, self.threads, self.max_tests = lm, time_limit, threads, max_tests
        self.deadline = deadline
        self.tests = self.proven = 0

    @property
    def exhausted(self) -> bool:
        """The budget is used up: ``max_tests`` tests, or less than a second before the deadline."""
        return self.tests >= self.max_tests or time.perf_counter() > self.deadline - 1.0

    def infeasible(self, dropped: dict[int, str]) -> bool | None:
        """True / False when proven, None when the clock stopped it."""
        lo, up = self.lm.row_lower.copy(), self.lm.row_upper.copy()
        for r, side in dropped.items():
            if side in ("lower", "both"):
                lo[r] = -np.inf
            if side in ("upper", "both"):
                up[r] = np.inf
        lm = LinearModel(cost=np.zeros(self.lm.n_cols), col_lower=self.lm.col_lower, col_upper=self.lm.col_upper,
                         integrality=self.lm.integrality, row_lower=lo, row_upper=up, start=self.lm.start,
                         index=self.lm.index, value=self.lm.value)
        left = max(1.0, self.deadline - time.perf_counter())
        raw = solve_highs(lm, time_limit=min(self.time_limit, left), gap=0.0, threads=self.threads)
        self.tests += 1
        if raw.status == Status.INFEASIBLE:
            self.proven += 1
            return True
        if raw.status.has_solution:
            self.proven += 1
            return False
        return None


def _soft_units(lm: LinearModel) -> dict[int, str]:
    """Soft row -> the bound(s) that may give way (C1 only where a firm must be placed)."""
    units = {}
    for b in lm.blocks:
        side = SOFT.get(b.name)
        if side is None or b.n_rows == 0:
            continue
        first = lm.block_rows[b.name][0]
        for i in range(b.n_rows):
            if np.isfinite(b.lower[i]) and (b.name != placement.NAME or b.lower[i] > 0) or \
                    (np.isfinite(b.upper[i]) and b.name != placement.NAME):
                units[first + i] = side
    return units


def _elastic_seed(lm: LinearModel, units: dict[int, str], time_limit: float, threads: int | None) -> set[int]:
    """Rows an elastic solve relaxes (least violation relative to each bound): the likeliest
    members of a conflict."""
    blocks = lm.blocks
    soft_blocks = {b.name: SOFT[b.name] for b in blocks if b.name in SOFT}
    new_blocks, meta, n = add_slack(blocks, soft_blocks, lm.n_cols)
    start, index, value, row_lower, row_upper, spans = stack(new_blocks, n)
    bounds = {b.name: b for b in blocks}
    weight = [1.0 / max(1.0, abs(float(getattr(bounds[name], bound)[r]))) for name, r, bound in meta]
    cost = np.concatenate([np.zeros(lm.n_cols), -np.asarray(weight)])
    integrality = np.concatenate([lm.integrality, np.zeros(n - lm.n_cols, np.int32)])
    elastic = LinearModel(cost=cost, col_lower=np.zeros(n), col_upper=np.concatenate([lm.col_upper,
                                                                                      np.full(n - lm.n_cols, np.inf)]),
                          integrality=integrality, row_lower=row_lower, row_upper=row_upper, start=start,
                          index=index, value=value)
    raw = solve_highs(elastic, time_limit=time_limit, gap=1e-4, threads=threads)
    if raw.values is None:
        return set()
    slack = raw.values[lm.n_cols:]
    return {lm.block_rows[name][0] + r for (name, r, _), s in zip(meta, slack) if s > 1e-6} & set(units)


def _deletion_filter(lm: LinearModel, units: dict[int, str], seed: set[int], tester: _Tester) -> tuple[list[int], bool]:
    """The kept soft rows (a conflict with the hard rows) and whether every test was proven."""
    kept = set(units)
    complete = True

    def try_drop(rows: set[int]) -> None:
        nonlocal kept, complete
        if not rows:
            return
        if tester.exhausted:
            complete = False
            return
        trial = kept - rows
        answer = tester.infeasible({r: units[r] for r in units if r not in trial})
        if answer is True:
            kept = trial
        elif answer is None:
            complete = False

    by_block: dict[str, set[int]] = {}
    for r in units:
        name = next(b.name for b in lm.blocks if lm.block_rows[b.name][0] <= r < lm.block_rows[b.name][1])
        by_block.setdefault(name, set()).add(r)
    order = sorted(by_block, key=lambda n: (len(by_block[n] & seed) > 0, n))   # unseeded families first
    for name in order:
        try_drop(by_block[name])
    for name in order:
        mine = by_block[name] & kept
        if len(mine) > 1 and seed & mine and mine - seed:
            try_drop(mine - seed)   # the rows the elastic solve left alone, in one test
        for r in sorted(by_block[name] & kept, key=lambda r: (r in seed, r)):
            if len(by_block[name] & kept) > 0 and len(kept) > 1:
                try_drop({r})
    return sorted(kept), complete


def find_conflict(inst: Instance, *, force_land: list[str] | None = None, time_limit: float = 10.0,
                  max_tests: int = 60, budget: float = 300.0, threads: int | None = None) -> Conflict:
    """Why ``inst`` is infeasible (module docstring). ``force_land``: firm ids that must be placed
    (a plan's firms that should land); ``time_limit``: seconds for each MIP test; ``max_tests``
    and ``budget`` (seconds for the whole search): when the deletion filter must stop (its
    conflict is then not marked minimal)."""
    began = time.perf_counter()
    if force_land:
        firms = inst.firms.copy()
        firms.loc[firms["firm_id"].isin(force_land), "must_place"] = True
        inst = inst.replace_tables(firms=firms)
    cand = candidate_pairs(inst)
    check_instance(inst, cand)
    lay, lm = build_model(inst, cand)

    def done(c: Conflict) -> Conflict:
        c.seconds = time.perf_counter() - began
        c.paragraph = paragraph(c)
        return c

    reasons = presolve_checks(inst, cand, lay)
    if reasons:
        return done(Conflict("presolve", _presolve_table(reasons)))
    iis = _lp_iis(lm, lay, inst, threads)
    if iis is not None:
        return done(Conflict("lp_iis", iis, minimal=bool(iis["minimal"].all()) and len(iis) > 0))
    tester = _Tester(lm, time_limit, threads, max_tests, began + budget)
    units = _soft_units(lm)
    whole = tester.infeasible({})
    empty = pd.DataFrame(columns=COLUMNS)
    if whole is not True:
        return done(Conflict("feasible" if whole is False else "unknown", empty, tests=tester.tests,
                             proven=tester.proven))
    seed = _elastic_seed(lm, units, min(time_limit, max(1.0, began + budget - time.perf_counter())), threads)
    kept, complete = _deletion_filter(lm, units, seed, tester)
    minimal = complete and tester.proven == tester.tests
    rows = []
    for r in kept:
        name, family, rid, text = describe(lm, r, units[r] if units[r] != "both" else "")
        rows.append([name, family, rid, units[r], text, "deletion_filter", minimal])
    return done(Conflict("deletion_filter", pd.DataFrame(rows, columns=COLUMNS), minimal=minimal,
                         integrality_only=True, tests=tester.tests, proven=tester.proven))


def paragraph(c: Conflict) -> str:
    """The conflict in a few sentences for a report."""
    if c.status == "feasible":
        return "The instance has a solution: there is no conflict."
    if c.status == "unknown":
        return "The solver could not decide within the time limit whether the instance has a solution."
    items = "; ".join(c.table["text"].head(12)) + (f"; and {len(c.table) - 12} more" if len(c.table) > 12 else "")
    if c.status == "presolve":
        return (f"The instance is infeasible, proven before solving by {len(c.table)} check(s): {items}.")
    if c.status == "lp_iis":
        what = "an irreducible" if c.minimal else "a (not proven irreducible)"
        return (f"Even with fractional decisions these rules cannot all hold ({what} infeasible subset of the "
                f"LP relaxation, {len(c.table)} rows): {items}. Drop or relax any one of them and the "
                "relaxation becomes feasible.")
    head = ("Integrality alone is the cause: the LP relaxation is feasible (fractional firms and plots would "
            "satisfy every rule); only whole firms on whole plots make these rules conflict")
    tail = (f"Minimal: dropping any one of them makes the instance feasible ({c.tests} MIP tests, all proven)."
            if c.minimal else f"Not proven minimal ({c.proven} of {c.tests} MIP tests proven"
                              f"{', budget of tests used up' if c.tests and not c.minimal else ''}).")
    return f"{head}: {items}. {tail}"
