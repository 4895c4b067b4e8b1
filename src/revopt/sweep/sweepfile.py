"""The sweep file (spec section 10): read it and check it against the instance it sweeps.

A sweep file is one ``[sweep]`` table with ``name``, ``time_limit``, ``gap``, ``combine`` and
a list of ``[[sweep.axis]]``. Each axis has a ``name`` and exactly one of

- ``scale = "table.column"``: multiply a numeric column of an instance table (the table is
  its file: ``substations.available_mw``, ``corridor_edges.capacity_kt``) by each of
  ``values`` (multipliers >= 0; an empty cell stays empty);
- ``set = "section.key"``: set a manifest parameter (spec section 4) to each of ``values``;
- ``plan = [...]``: evaluate each plan file (paths relative to the sweep file; ``"none"`` is
  the instance as it is).

Every problem is an :class:`SweepError` that names the sweep file, the axis and the value;
nothing is solved or written before the whole file passes.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data.errors import InstanceError, Problem
from ..data.instance import TABLES, Instance
from ..data.schema import TABLE_FILES, columns_of, schema
from ..plans.plan import Plan, load_plan

SWEEP_KEYS = ("name", "time_limit", "gap", "combine", "axis")
AXIS_KEYS = ("name", "scale", "set", "plan", "values")
KINDS = ("scale", "set", "plan")
COMBINE = ("product", "zip")
NO_PLAN = "none"
NAME_RE = re.compile(r"[A-Za-z0-9_-]+")
#: manifest sections a sweep may not set (the name and description are not model parameters)
FIXED_SECTIONS = ("instance",)
DEFAULT_TIME_LIMIT = 60.0
DEFAULT_GAP = 1e-4


@dataclass(frozen=True)
class SweepProblem(Problem):
    """A problem of a sweep file: ``column`` holds where in the file (``axis 'grid'``, ``sweep.gap``)."""

    def __str__(self) -> str:
        return f"{self.file}, {self.column}: {self.rule}" if self.column else f"{self.file}: {self.rule}"


class SweepError(InstanceError):
    """A sweep file that breaks the rules (exit 2): names the file, the axis and the value."""

    def __init__(self, problems: list[Problem] | Problem):
        super().__init__(problems, what="invalid sweep")


@dataclass(frozen=True)
class Axis:
    """One axis: ``kind`` is ``scale``, ``set`` or ``plan``; ``target`` the ``table.column`` or
    ``section.key`` (empty for a plan axis); ``values`` the multipliers, the parameter values or
    the plan entries as written (``"none"`` or a path relative to the sweep file)."""

    name: str
    kind: str
    target: str
    values: tuple[Any, ...]

    def label(self, value: Any) -> str:
        """How ``value`` appears in a scenario id and in the results table (a plan by its file stem)."""
        if self.kind == "plan":
            return NO_PLAN if value == NO_PLAN else Path(str(value)).stem
        if isinstance(value, bool):
            return "true" if value else "false"
        return repr(value) if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file. ``plans`` maps each plan entry of a plan axis to its :class:`Plan`
    (read and checked against the instance); ``source`` is the sweep file."""

    name: str
    time_limit: float
    gap: float
    combine: str
    axes: tuple[Axis, ...]
    plans: dict[str, Plan]
    source: Path

    @property
    def plan_axis(self) -> Axis | None:
        return next((a for a in self.axes if a.kind == "plan"), None)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def numeric_columns() -> dict[str, list[str]]:
    """Table name (file stem) -> its numeric columns (dtype float in the schema): what ``scale`` may name."""
    s = schema()
    out: dict[str, list[str]] = {}
    for f in TABLE_FILES:
        out[f.removesuffix(".csv")] = s.loc[(s["file"] == f) & (s["dtype"] == "float"), "column"].tolist()
    return out


def manifest_keys() -> list[str]:
    """The manifest parameters a sweep may set (``section.key``), from the schema."""
    keys = columns_of("instance.toml")["column"].tolist()
    return [k for k in keys if k.partition(".")[0] not in FIXED_SECTIONS]


class _Reader:
    """Collects the problems of one sweep file; every problem names the file and the axis."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = str(path)
        self.problems: list[Problem] = []

    def bad(self, where: str, rule: str) -> None:
        self.problems.append(SweepProblem(self.file, None, where, rule))

    def header(self, body: dict[str, Any]) -> tuple[str, float, float, str]:
        for k in sorted(set(body) - set(SWEEP_KEYS)):
            self.bad(f"sweep.{k}", "unknown key; known: " + ", ".join(SWEEP_KEYS))
        name = body.get("name", self.path.stem)
        if not isinstance(name, str):
            self.bad("sweep.name", f"must be text, got {name!r}")
            name = self.path.stem
        limit = body.get("time_limit", DEFAULT_TIME_LIMIT)
        if not _number(limit) or limit <= 0:
            self.bad("sweep.time_limit", f"must be a number of seconds > 0, got {limit!r}")
            limit = DEFAULT_TIME_LIMIT
        gap = body.get("gap", DEFAULT_GAP)
        if not _number(gap) or gap < 0:
            self.bad("sweep.gap", f"must be a number >= 0, got {gap!r}")
            gap = DEFAULT_GAP
        combine = body.get("combine", "product")
        if combine not in COMBINE:
            self.bad("sweep.combine", f"must be one of {', '.join(COMBINE)}, got {combine!r}")
            combine = "product"
        return name, float(limit), float(gap), combine

    def axis(self, i: int, raw: Any, inst: Instance) -> Axis | None:
        if not isinstance(raw, dict):
            self.bad(f"sweep.axis[{i + 1}]", "an axis is a [[sweep.axis]] table")
            return None
        name = raw.get("name")
        where = f"axis {name!r}" if isinstance(name, str) else f"sweep.axis[{i + 1}]"
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            self.bad(where, f"name must be letters, digits, _ or - (got {name!r})")
        for k in sorted(set(raw) - set(AXIS_KEYS)):
            self.bad(where, f"unknown key {k!r}; known: " + ", ".join(AXIS_KEYS))
        kinds = [k for k in KINDS if k in raw]
        if len(kinds) != 1:
            self.bad(where, f"needs exactly one of scale, set or plan (got {', '.join(kinds) or 'none'})")
            return None
        kind = kinds[0]
        if kind == "plan":
            if "values" in raw:
                self.bad(where, "a plan axis lists its plans in plan = [...], without values")
            values = raw["plan"]
        else:
            values = raw.get("values")
        if not isinstance(values, list) or not values:
            self.bad(where, f"{'plan' if kind == 'plan' else 'values'} must be a non-empty list, got {values!r}")
            return None
        target = "" if kind == "plan" else raw[kind]
        if kind != "plan" and not isinstance(target, str):
            self.bad(where, f"{kind} must be text, got {target!r}")
            return None
        ok = {"scale": self.scale, "set": self.set, "plan": self.plan}[kind](where, target, values, inst)
        return Axis(str(name), kind, target, tuple(values)) if ok else None

    def scale(self, where: str, target: str, values: list[Any], inst: Instance) -> bool:
        table, _, column = target.partition(".")
        numeric = numeric_columns()
        if table not in numeric:
            self.bad(where, f"scale = {target!r}: unknown table {table!r}; known: {', '.join(numeric)}")
            return False
        known = columns_of(f"{table}.csv")["column"].tolist()
        if column not in known:
            self.bad(where, f"scale = {target!r}: {table}.csv has no column {column!r}")
            return False
        if column not in numeric[table]:
            self.bad(where, f"scale = {target!r}: column {column!r} is not numeric; numeric columns of "
                            f"{table}.csv: {', '.join(numeric[table]) or 'none'}")
            return False
        if table not in TABLES or getattr(inst, table) is None:
            self.bad(where, f"scale = {target!r}: the instance has no {table}.csv")
            return False
        ok = True
        for v in values:
            if not _number(v) or v < 0:
                self.bad(where, f"value {v!r}: a multiplier must be a number >= 0")
                ok = False
        return ok

    def set(self, where: str, target: str, values: list[Any], inst: Instance) -> bool:
        keys = manifest_keys()
        if target not in keys:
            self.bad(where, f"set = {target!r}: unknown manifest key; known: {', '.join(keys)}")
            return False
        section, _, key = target.partition(".")
        ok = True
        for v in values:
            if isinstance(v, (dict, list)):
                self.bad(where, f"value {v!r}: must be a single value")
                ok = False
                continue
            try:
                inst.with_params(**{section: {key: v}})
            except InstanceError as e:
                self.bad(where, f"value {v!r}: {e.rule}")
                ok = False
        return ok

    def plan(self, where: str, target: str, values: list[Any], inst: Instance) -> bool:
        ok = True
        for v in values:
            if not isinstance(v, str) or not v.strip():
                self.bad(where, f"value {v!r}: a plan is a file path (text) or \"none\"")
                ok = False
            elif v != NO_PLAN and not (self.path.parent / v).is_file():
                self.bad(where, f"value {v!r}: plan file not found ({self.path.parent / v})")
                ok = False
        return ok


def _check_ids(r: _Reader, axes: list[Axis], combine: str) -> None:
    names = [a.name for a in axes]
    for n in sorted({n for n in names if names.count(n) > 1}):
        r.bad(f"axis {n!r}", "axis names must be unique: this name is used more than once")
    for a in axes:
        labels = [a.label(v) for v in a.values]
        for lab in sorted({x for x in labels if labels.count(x) > 1}):
            r.bad(f"axis {a.name!r}", f"value {lab!r} appears more than once (scenario ids must be unique)")
    if combine == "zip" and len({len(a.values) for a in axes}) > 1:
        r.bad("sweep.combine", "zip needs axes of equal length; got "
              + ", ".join(f"{a.name} {len(a.values)}" for a in axes))
    if sum(a.kind == "plan" for a in axes) > 1:
        r.bad("sweep.axis", "at most one plan axis")


def _load_plans(r: _Reader, axes: list[Axis], inst: Instance) -> dict[str, Plan]:
    plans: dict[str, Plan] = {}
    for a in axes:
        if a.kind != "plan":
            continue
        for v in a.values:
            if v == NO_PLAN:
                continue
            try:
                plans[v] = load_plan(r.path.parent / v, inst)
            except InstanceError as e:
                r.bad(f"axis {a.name!r}", f"value {v!r}: {e}")
    return plans


def read_sweep(path: str | Path, instance: Instance) -> Sweep:
    """Read the sweep file at ``path`` and check every axis against ``instance`` (tables,
    columns, manifest keys, plans). Raises :class:`SweepError` listing every problem."""
    p = Path(path)
    r = _Reader(p)
    if not p.is_file():
        raise SweepError(SweepProblem(str(p), None, None, "sweep file not found"))
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise SweepError(SweepProblem(str(p), None, None, f"not valid TOML ({e})")) from None
    except UnicodeDecodeError as e:
        raise SweepError(SweepProblem(str(p), None, None, f"not UTF-8 text ({e.reason})")) from None
    for k in sorted(set(doc) - {"sweep"}):
        r.bad(k, "unknown table or key: everything sits in one [sweep] table")
    body = doc.get("sweep")
    if not isinstance(body, dict):
        r.bad("sweep", "a [sweep] table is required")
        raise SweepError(r.problems)
    name, limit, gap, combine = r.header(body)
    raw_axes = body.get("axis", [])
    if not isinstance(raw_axes, list) or not raw_axes:
        r.bad("sweep.axis", "at least one [[sweep.axis]] is required")
        raw_axes = []
    axes = [a for i, raw in enumerate(raw_axes) if (a := r.axis(i, raw, instance)) is not None]
    _check_ids(r, axes, combine)
    plans = _load_plans(r, axes, instance) if not r.problems else {}
    if r.problems:
        raise SweepError(r.problems)
    return Sweep(name=name, time_limit=limit, gap=gap, combine=combine, axes=tuple(axes), plans=plans, source=p)


__all__ = ["Axis", "Sweep", "SweepError", "read_sweep", "numeric_columns", "manifest_keys", "NO_PLAN"]
