"""The objectives a trade-off front can weigh, each a linear expression over the model's columns.

Every objective is ``coef @ v + constant`` over the columns ``v`` of the
:class:`~revopt.model.block.LinearModel` (layout ``[x | z | d | u | c | e]``), with a sense:

- ``value`` (EUR, maximise): the objective of spec section 5 (with the transport term of
  section 7), the model's own cost vector;
- ``relocations`` (firms, minimise): firms with a current plot that do not stay on it, moved
  or displaced: ``#{f: current_plot_f set} - sum_f x[f, current_plot_f]`` (a firm whose current
  plot is no candidate always leaves); the KPIs' ``firms.moved + firms.displaced``;
- ``nitrogen`` (mol N per year, minimise): the total deposition of the placed firms on all nature
  areas, ``sum_(f,p) nitrogen_kg_f * sum_n mol_per_kg[p,n] * x[f,p]``; the sum of the KPIs'
  ``nitrogen[n].used_mol``;
- ``co2`` (t per year, minimise): transport CO2 of the routes of the placed firms (spec section
  7), ``1000 * freight_kt_f * (access_km * g_road + length_km * g_mode) / 1e6`` per pair with the
  factors :data:`revopt.results.kpis.CO2_G_PER_TKM`; the KPIs' ``transport.co2_t_total``
  (0 without corridors);
- ``quay_misuse`` (m2, minimise): floor space of firms that are not water-bound on quay plots,
  ``sum_(f,p): quay_p, not water_bound_f floor_fp x[f,p]``; the KPIs'
  ``quay.floor_non_water_bound_m2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import MODES
from ..model.block import LinearModel
from ..model.layout import Layout, deposition_pairs
from ..results.kpis import CO2_G_PER_TKM

#: objective name -> (unit, maximise?)
OBJECTIVES: dict[str, tuple[str, bool]] = {
    "value": ("EUR", True),
    "relocations": ("firms", False),
    "nitrogen": ("mol", False),
    "co2": ("t", False),
    "quay_misuse": ("m2", False),
}


@dataclass(frozen=True)
class Objective:
    """One objective: ``coef @ v + constant`` over the model's columns, maximised or minimised.

    ``integral`` says that the expression takes whole values on every feasible solution
    (a count of firms), so that epsilon levels can be rounded.
    """

    name: str
    unit: str
    maximise: bool
    coef: np.ndarray
    constant: float
    integral: bool = False

    def of(self, values: np.ndarray) -> float:
        """The objective's value at the column values ``values``."""
        return float(self.coef @ np.asarray(values, float)[: len(self.coef)] + self.constant)

    def gain(self, values: np.ndarray) -> float:
        """The value turned so that larger is better (minimised objectives negated)."""
        v = self.of(values)
        return v if self.maximise else -v


def check_objective_names(names: list[str]) -> None:
    """Raise ValueError unless ``names`` are at least two distinct known objectives."""
    unknown = [n for n in names if n not in OBJECTIVES]
    if unknown:
        raise ValueError(f"objectives: unknown objective {unknown[0]!r} (known: {', '.join(OBJECTIVES)})")
    if len(set(names)) != len(names):
        raise ValueError("objectives: each objective may be named once")
    if len(names) < 2:
        raise ValueError("objectives: a trade-off needs at least two objectives")


def _x_objective(name: str, lm: LinearModel, per_pair: np.ndarray, constant: float = 0.0,
                 integral: bool = False) -> Objective:
    coef = np.zeros(lm.n_cols)
    coef[: len(per_pair)] = per_pair
    unit, maximise = OBJECTIVES[name]
    return Objective(name, unit, maximise, coef, constant, integral)


def relocations(inst: Instance, lay: Layout, lm: LinearModel) -> Objective:
    """Firms with a current plot that leave it (moved or displaced)."""
    cur = inst.firms["current_plot"].fillna("").to_numpy(object)
    n_current = int((cur != "").sum())
    fi = lay.pairs["firm"].to_numpy(np.int64)
    stays = (cur[fi] != "") & (cur[fi] == lay.pairs["plot_id"].to_numpy(object))
    return _x_objective("relocations", lm, -stays.astype(float), float(n_current), integral=True)


def nitrogen(inst: Instance, lay: Layout, lm: LinearModel) -> Objective:
    """Total deposition (mol N per year) of the placed firms on all nature areas."""
    dep = deposition_pairs(inst)
    mol_per_kg = np.bincount(dep["plot"].to_numpy(np.int64), weights=dep["coef"].to_numpy(float),
                             minlength=len(inst.plots))
    kg = inst.firms["nitrogen_kg"].to_numpy(float)[lay.pairs["firm"].to_numpy(np.int64)]
    return _x_objective("nitrogen", lm, kg * mol_per_kg[lay.pairs["plot"].to_numpy(np.int64)])


def co2(inst: Instance, lay: Layout, lm: LinearModel) -> Objective:
    """Transport CO2 (t per year) of the routes of the placed firms; 0 without corridors."""
    per_pair = np.zeros(lay.n_x)
    route = lay.pairs["route"].to_numpy(np.int64) if "route" in lay.pairs else np.full(lay.n_x, -1)
    has = np.flatnonzero(route >= 0)
    if lay.paths is not None and len(has):
        r = route[has]
        grams = np.array([CO2_G_PER_TKM[m] for m in MODES])
        tonnes = 1000.0 * inst.firms["freight_kt"].to_numpy(float)[lay.pairs["firm"].to_numpy(np.int64)[has]]
        g_per_t = lay.paths.access_km[r] * CO2_G_PER_TKM["road"] + lay.paths.length_km[r] * grams[lay.paths.mode[r]]
        per_pair[has] = tonnes * g_per_t / 1e6
    return _x_objective("co2", lm, per_pair)


def quay_misuse(inst: Instance, lay: Layout, lm: LinearModel) -> Objective:
    """Floor space (m2) of firms that are not water-bound on quay plots."""
    fi, pj = lay.pairs["firm"].to_numpy(np.int64), lay.pairs["plot"].to_numpy(np.int64)
    misuse = inst.plots["quay"].to_numpy(bool)[pj] & ~inst.firms["water_bound"].to_numpy(bool)[fi]
    return _x_objective("quay_misuse", lm, np.where(misuse, lay.pairs["floor"].to_numpy(float), 0.0))


def value(inst: Instance, lay: Layout, lm: LinearModel) -> Objective:
    """The section-5 objective (EUR), the model's cost vector."""
    return Objective("value", "EUR", True, np.asarray(lm.cost, float).copy(), 0.0)


_BUILDERS = {"value": value, "relocations": relocations, "nitrogen": nitrogen, "co2": co2,
             "quay_misuse": quay_misuse}


def objective(name: str, inst: Instance, lay: Layout, lm: LinearModel) -> Objective:
    """The objective ``name`` (a key of :data:`OBJECTIVES`) of this model."""
    if name not in _BUILDERS:
        raise ValueError(f"objectives: unknown objective {name!r} (known: {', '.join(OBJECTIVES)})")
    return _BUILDERS[name](inst, lay, lm)


def kpi_value(name: str, kpis: dict[str, Any]) -> float:
    """The same quantity read from a solution's KPIs (:func:`revopt.results.kpis.compute_kpis`),
    computed from the tables, not the columns: a check of :func:`objective`."""
    if name == "relocations":
        return float(kpis["firms"]["moved"] + kpis["firms"]["displaced"])
    if name == "nitrogen":
        return float(sum(a["used_mol"] for a in kpis["nitrogen"].values()))
    if name == "co2":
        return float(kpis.get("transport", {}).get("co2_t_total", 0.0))
    if name == "quay_misuse":
        return float(kpis["quay"]["floor_non_water_bound_m2"])
    raise ValueError(f"kpi_value: {name!r} is not read from the KPIs (value is the summary's objective)")


def objective_table(objectives: list[Objective], values: list[np.ndarray]) -> pd.DataFrame:
    """One row per column vector, one column per objective."""
    return pd.DataFrame({o.name: [o.of(v) for v in values] for o in objectives})


__all__ = ["OBJECTIVES", "Objective", "objective", "check_objective_names", "kpi_value", "objective_table"]
