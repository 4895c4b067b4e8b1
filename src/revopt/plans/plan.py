"""Plan files (spec section 8): read, validate against an instance, apply.

A plan changes inputs, not the model. :func:`apply_plan` turns an instance and a
plan into a new, ordinary instance (docs/plans.md): transformed terrains get
status ``transform``, the develop choices go into the terrains column
``develop`` (``forced`` / ``forbidden``), the firms to move get ``relocate`` =
true, and the extra firms are appended.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..data.errors import InstanceError, Problem
from ..data.instance import Instance, as_text, read_csv_text
from ..model.validate import check_instance

#: keys of the [plan] table
LIST_KEYS = ("transform", "develop", "forbid_develop", "relocate")
KEYS = ("name", "description", *LIST_KEYS, "add_firms", "norm")
DEFAULT_NORM = 0.05


class PlanError(InstanceError):
    """A plan file that breaks the rules (exit 2): names the file and the key."""

    def __init__(self, problems: list[Problem] | Problem):
        super().__init__(problems, what="invalid plan")


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
    norm: float = DEFAULT_NORM
    source: Path | None = field(default=None, compare=False)

    @property
    def file(self) -> str:
        return self.source.name if self.source is not None else "plan"

    def to_toml(self) -> str:
        """The plan as a TOML [plan] table (add_firms by its path)."""
        def q(s: str) -> str:
            return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
        lines = ["[plan]", f"name = {q(self.name)}", f"description = {q(self.description)}"]
        for k in LIST_KEYS:
            lines.append(f"{k} = [{', '.join(q(v) for v in getattr(self, k))}]")
        if self.add_firms_path is not None:
            lines.append(f"add_firms = {q(self.add_firms_path.name)}")
        lines.append(f"norm = {self.norm!r}")
        return "\n".join(lines) + "\n"


def read_plan(path: str | Path) -> Plan:
    """Read a plan file and check its shape (keys, types, the add_firms file); ids are checked
    against an instance by :func:`check_plan`. Raises :class:`PlanError` naming file and key."""
    p = Path(path)
    file = p.name
    if not p.is_file():
        raise PlanError(Problem(str(p), None, None, "plan file not found"))
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise PlanError(Problem(file, None, None, f"not valid TOML ({e})")) from None
    except UnicodeDecodeError as e:
        raise PlanError(Problem(file, None, None, f"not UTF-8 text ({e.reason})")) from None
    problems: list[Problem] = []
    extra = sorted(set(doc) - {"plan"})
    for k in extra:
        problems.append(Problem(file, None, k, "unknown table or key: every key sits in one [plan] table"))
    body = doc.get("plan")
    if not isinstance(body, dict):
        problems.append(Problem(file, None, "plan", "a [plan] table is required"))
        raise PlanError(problems)
    for k in sorted(set(body) - set(KEYS)):
        problems.append(Problem(file, None, f"plan.{k}", "unknown key; known: " + ", ".join(KEYS)))
    lists: dict[str, tuple[str, ...]] = {}
    for k in LIST_KEYS:
        v = body.get(k, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            problems.append(Problem(file, None, f"plan.{k}", f"must be a list of ids (text), got {v!r}"))
            lists[k] = ()
            continue
        ids = [x.strip() for x in v]
        dup = sorted({x for x in ids if ids.count(x) > 1})
        for x in dup:
            problems.append(Problem(file, None, f"plan.{k}", f"{x!r} is listed more than once"))
        if any(x == "" for x in ids):
            problems.append(Problem(file, None, f"plan.{k}", "an empty id"))
        lists[k] = tuple(dict.fromkeys(x for x in ids if x))
    for k in ("name", "description"):
        if k in body and not isinstance(body[k], str):
            problems.append(Problem(file, None, f"plan.{k}", f"must be text, got {body[k]!r}"))
    norm = body.get("norm", DEFAULT_NORM)
    if isinstance(norm, bool) or not isinstance(norm, (int, float)) or not math.isfinite(norm) \
            or not 0 <= norm < 1:
        problems.append(Problem(file, None, "plan.norm", f"must be a share in [0, 1), got {norm!r}"))
        norm = DEFAULT_NORM
    add, add_path = None, None
    if "add_firms" in body:
        v = body["add_firms"]
        if not isinstance(v, str) or not v.strip():
            problems.append(Problem(file, None, "plan.add_firms", f"must be a CSV path (text), got {v!r}"))
        else:
            add_path = (p.parent / v).resolve()
            if not add_path.is_file():
                problems.append(Problem(file, None, "plan.add_firms",
                                        f"file {v!r} not found (paths are relative to the plan file)"))
            else:
                try:
                    add = read_csv_text(add_path)
                except InstanceError as e:
                    problems += e.problems
    if problems:
        raise PlanError(problems)
    name = body.get("name") or p.stem
    return Plan(name=name, description=body.get("description", ""), transform=lists["transform"],
                develop=lists["develop"], forbid_develop=lists["forbid_develop"],
                relocate=lists["relocate"], add_firms=add, add_firms_path=add_path, norm=float(norm),
                source=p)


def check_plan(plan: Plan, inst: Instance) -> None:
    """The plan's ids against the instance: every id known, and no contradiction
    (a terrain both forced and forbidden, a national-interest terrain transformed, a locked
    firm relocated or on a transformed terrain, ...). Raises :class:`PlanError`."""
    file = plan.file
    problems: list[Problem] = []

    def bad(key: str, rule: str) -> None:
        problems.append(Problem(file, None, f"plan.{key}", rule))

    T = inst.terrains.set_index("terrain_id")
    F = inst.firms.set_index("firm_id")
    for key in ("transform", "develop", "forbid_develop"):
        for t in getattr(plan, key):
            if t not in T.index:
                bad(key, f"unknown terrain {t!r} (not in terrains.csv)")
    for t in plan.transform:
        if t not in T.index:
            continue
        row = T.loc[t]
        if row["status"] == "planned":
            bad("transform", f"terrain {t} is planned, not in use: keep it closed with forbid_develop instead")
        if bool(row["national_interest"]):
            bad("transform", f"terrain {t} is of national interest and may not be transformed (spec section 1)")
        plots = inst.plots[inst.plots["terrain_id"] == t]
        locked_w = plots.loc[plots["locked_werkmilieu"].ne(""), "plot_id"].tolist()
        if locked_w:
            bad("transform", f"terrain {t} has plots with a werkmilieu locked by policy ({', '.join(locked_w[:5])})")
        unknown_w = plots.loc[plots["current_werkmilieu"].eq("") & (plots["werkmilieus"].map(len) != 1), "plot_id"]
        if len(unknown_w):
            bad("transform", f"terrain {t}: plots without a current_werkmilieu (and more than one werkmilieu), "
                f"so the lost space has no class to compensate: {', '.join(unknown_w.tolist()[:5])}")
        locked_f = inst.firms.loc[inst.firms["locked"] & inst.firms["current_plot"].isin(set(plots["plot_id"])),
                                  "firm_id"].tolist()
        if locked_f:
            bad("transform", f"terrain {t} holds locked firms ({', '.join(locked_f[:5])}) that must stay")
    for key in ("develop", "forbid_develop"):
        for t in getattr(plan, key):
            if t in T.index and T.loc[t, "status"] != "planned":
                bad(key, f"terrain {t} has status {T.loc[t, 'status']}: only a planned terrain can be "
                    + ("developed" if key == "develop" else "kept closed"))
    for t in sorted(set(plan.develop) & set(plan.forbid_develop)):
        bad("develop", f"terrain {t} is both in develop and in forbid_develop")
    for f in plan.relocate:
        if f not in F.index:
            bad("relocate", f"unknown firm {f!r} (not in firms.csv)")
            continue
        if F.loc[f, "current_plot"] == "":
            bad("relocate", f"firm {f} has no current plot to leave")
        if bool(F.loc[f, "locked"]):
            bad("relocate", f"firm {f} is locked on its plot by policy and cannot be relocated")
    if plan.add_firms is not None:
        af = plan.add_firms
        src = plan.add_firms_path.name if plan.add_firms_path else "add_firms"
        if "firm_id" not in af.columns:
            problems.append(Problem(src, 1, "firm_id", "required column is missing"))
        else:
            for i, fid in enumerate(af["firm_id"].astype(str).str.strip()):
                if fid in F.index:
                    problems.append(Problem(src, i + 2, "firm_id",
                                            f"firm {fid} already exists in the instance's firms.csv"))
    if problems:
        raise PlanError(problems)


def apply_plan(inst: Instance, plan: Plan) -> Instance:
    """The instance with the plan applied (checked first with :func:`check_plan`).

    Plots on a transformed terrain without a current werkmilieu but with a single
    werkmilieu count their lost space in that werkmilieu. When the instance has a
    pairs.csv, the added firms are listed with every plot. Errors in the added firm
    rows are reported against the add_firms file and its rows.
    """
    check_plan(plan, inst)
    ter = inst.terrains.copy()
    tr = ter["terrain_id"].isin(plan.transform)
    ter.loc[tr, "status"] = "transform"
    ter["develop"] = ter["develop"].where(~ter["terrain_id"].isin(plan.develop), "forced")
    ter["develop"] = ter["develop"].where(~ter["terrain_id"].isin(plan.forbid_develop), "forbidden")
    plo = inst.plots.copy()
    on_tr = plo["terrain_id"].isin(plan.transform) & plo["current_werkmilieu"].eq("")
    plo.loc[on_tr, "current_werkmilieu"] = plo.loc[on_tr, "werkmilieus"].map(lambda ws: ws[0])
    fir = inst.firms.copy()
    fir["relocate"] = fir["relocate"] | fir["firm_id"].isin(plan.relocate)
    n_base = len(fir)
    if plan.add_firms is not None and len(plan.add_firms):
        base = as_text(fir)
        add = plan.add_firms.copy()
        for c in base.columns:
            if c not in add.columns:
                add[c] = ""
        fir = pd.concat([base, add[[c for c in add.columns]]], ignore_index=True).fillna("")
    tables = {"terrains": ter, "plots": plo, "firms": fir}
    if inst.pairs is not None and len(fir) > n_base:
        # an instance with pairs.csv lists candidates per firm; the plan's new firms have no
        # shortlist: every plot is listed for them (the rules of spec section 2 still apply)
        new_ids = fir["firm_id"].iloc[n_base:].astype(str).str.strip()
        extra = pd.DataFrame({"firm_id": new_ids.repeat(len(plo)).to_numpy(),
                              "plot_id": list(plo["plot_id"]) * len(new_ids)})
        tables["pairs"] = pd.concat([as_text(inst.pairs), extra], ignore_index=True).fillna("")
    try:
        out = check_instance(inst.replace_tables(**tables))
    except InstanceError as e:
        raise PlanError([_blame_added(p, plan, n_base) for p in e.problems]) from None
    out.name = inst.name
    return out


def _blame_added(p: Problem, plan: Plan, n_base: int) -> Problem:
    """A firms.csv problem in a row the plan added, named by the add_firms file and its row."""
    if p.file == "firms.csv" and p.row is not None and p.row > n_base + 1 and plan.add_firms_path is not None:
        return Problem(plan.add_firms_path.name, p.row - n_base, p.column, p.rule)
    if p.file in ("terrains.csv", "plots.csv", "firms.csv"):
        return Problem(plan.file, None, None, f"the plan makes the instance invalid: {p}")
    return p


def load_plan(path: str | Path, inst: Instance) -> Plan:
    """Read a plan file and check it against an instance (:class:`PlanError` on any problem)."""
    plan = read_plan(path)
    check_plan(plan, inst)
    return plan


def plan_from_dict(body: dict[str, Any], name: str = "plan") -> Plan:
    """A plan from Python values (the keys of the [plan] table; ``add_firms`` a DataFrame)."""
    add = body.get("add_firms")
    return Plan(name=body.get("name", name), description=body.get("description", ""),
                **{k: tuple(body.get(k, ())) for k in LIST_KEYS},
                add_firms=None if add is None else as_text(add), norm=float(body.get("norm", DEFAULT_NORM)))
