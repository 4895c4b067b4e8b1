"""Scenarios of a sweep: the product or zip of its axes, each an ordinary instance (and plan).

A scenario's id joins the axis names and values (``grid=0.8,nitrogen=0.5,plan=kanaaloever``);
its key is a hash of everything its result depends on (the instance's tables and parameters,
the axis targets and values, the plan file's content, time limit and gap, revopt's version), so that a rerun
into the same directory recognises a finished scenario, and a changed input redoes it.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .. import __version__
from ..data.instance import TABLES, Instance, as_text
from ..plans.plan import Plan
from .sweepfile import NO_PLAN, Sweep


@dataclass(frozen=True)
class Scenario:
    """One point of a sweep: ``values`` holds one value per axis, in the sweep's axis order;
    ``labels`` the same as text (a plan by its file stem); ``key`` the hash of the scenario."""

    id: str
    values: tuple[Any, ...]
    labels: tuple[str, ...]
    key: str


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def instance_fingerprint(inst: Instance) -> str:
    """A hash of an instance's tables (as the text its files hold) and its manifest parameters."""
    h = hashlib.sha256()
    h.update(json.dumps(inst.params, sort_keys=True, default=str).encode("utf-8"))
    for name in TABLES:
        df = getattr(inst, name)
        h.update(f"\n#{name}\n".encode())
        if df is not None:
            h.update(as_text(df).to_csv(index=False).encode("utf-8"))
    return h.hexdigest()


def plan_fingerprint(plan: Plan) -> str:
    """A hash of a plan: its keys and its added firms."""
    extra = "" if plan.add_firms is None else as_text(plan.add_firms).to_csv(index=False)
    return _digest(plan.to_toml() + "\n" + extra)


def scenarios(sweep: Sweep, inst: Instance) -> list[Scenario]:
    """The scenarios of ``sweep`` on ``inst`` in a fixed order: the product of the axes (first
    axis slowest) or their zip."""
    value_lists = [a.values for a in sweep.axes]
    combos = list(zip(*value_lists)) if sweep.combine == "zip" else list(itertools.product(*value_lists))
    base = {"instance": instance_fingerprint(inst), "time_limit": sweep.time_limit, "gap": sweep.gap,
            "revopt": __version__}
    plans = {v: plan_fingerprint(p) for v, p in sweep.plans.items()}
    out = []
    for combo in combos:
        labels = tuple(a.label(v) for a, v in zip(sweep.axes, combo))
        what = [{"axis": a.name, "kind": a.kind, "target": a.target,
                 "value": plans.get(v, v) if a.kind == "plan" else v} for a, v in zip(sweep.axes, combo)]
        key = _digest(json.dumps({**base, "axes": what}, sort_keys=True, default=str))
        sid = ",".join(f"{a.name}={lab}" for a, lab in zip(sweep.axes, labels))
        out.append(Scenario(id=sid, values=tuple(combo), labels=labels, key=key))
    return out


def apply_scenario(inst: Instance, sweep: Sweep, scenario: Scenario) -> tuple[Instance, Plan | None]:
    """The instance of ``scenario`` (every scale and set axis applied, validated as any instance
    is: an :class:`~revopt.data.errors.InstanceError` when a change breaks a rule) and its plan
    (None without a plan axis or for ``"none"``)."""
    tables: dict[str, pd.DataFrame | None] = {k: getattr(inst, k) for k in TABLES}
    params = copy.deepcopy(inst.params)
    plan = None
    for axis, value in zip(sweep.axes, scenario.values):
        if axis.kind == "scale":
            table, _, column = axis.target.partition(".")
            df = tables[table]
            if df is None:
                raise ValueError(f"the instance has no {table}.csv")
            df = df.copy()
            df[column] = pd.to_numeric(df[column], errors="coerce").astype(float) * float(value)
            tables[table] = df
        elif axis.kind == "set":
            section, _, key = axis.target.partition(".")
            params.setdefault(section, {})[key] = value
        elif value != NO_PLAN:
            plan = sweep.plans[value]
    changed = Instance.from_frames(**tables, params=params, name=inst.name)  # type: ignore[arg-type]
    return changed, plan


__all__ = ["Scenario", "scenarios", "apply_scenario", "instance_fingerprint", "plan_fingerprint"]
