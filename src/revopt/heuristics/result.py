"""The greedy's outcome: :class:`GreedyResult`, and how a final state becomes one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..data.vocab import POOLED, WERKMILIEUS
from ..model.layout import Layout
from ..results.routes import route_tables
from ..results.solution import Solution
from .state import State


@dataclass
class GreedyResult:
    """Outcome of :func:`greedy`.

    ``solution`` is a :class:`~revopt.results.Solution` (summary with status
    ``feasible`` and the objective) or None when the greedy found no feasible
    solution; ``objective`` the section-5 value (None without solution);
    ``seconds`` the wall time; ``stats`` counts per phase.
    """

    solution: Solution | None
    objective: float | None
    seconds: float
    stats: dict[str, Any] = field(default_factory=dict)
    plot_of_firm: np.ndarray | None = field(default=None, repr=False)  # plot position per firm, -1 none
    designation: np.ndarray | None = field(default=None, repr=False)   # WERKMILIEUS index per plot, -1 none
    intensified: np.ndarray | None = field(default=None, repr=False)   # bool per plot
    developed: np.ndarray | None = field(default=None, repr=False)     # bool per terrain
    credits: pd.DataFrame | None = field(default=None, repr=False)     # terrain, plot, k, floor_m2
    nitrogen_kg: np.ndarray | None = field(default=None, repr=False)   # per firm (for the e columns)

    def column_values(self, layout: Layout) -> np.ndarray:
        """The solution as values of the MIP columns of ``layout`` ([x | z | d | u | c | e]).

        ``layout`` must belong to the same instance (row positions of firms,
        plots and terrains are shared). Raises ValueError without a solution.
        """
        plot_of, designation = self.plot_of_firm, self.designation
        if self.solution is None or plot_of is None or designation is None:
            raise ValueError("greedy found no feasible solution: nothing to map onto the columns")
        assert self.developed is not None and self.intensified is not None and self.nitrogen_kg is not None
        v = np.zeros(layout.n_cols)
        pf = layout.pairs["firm"].to_numpy(np.int64)
        pp = layout.pairs["plot"].to_numpy(np.int64)
        v[: layout.n_x] = (plot_of[pf] == pp).astype(float)
        if int(v[: layout.n_x].sum()) != int(np.count_nonzero(plot_of >= 0)):
            raise ValueError("a greedy placement is not a candidate pair of this layout")
        zp, zw = layout.z["plot"].to_numpy(np.int64), layout.z["w"].to_numpy(np.int64)
        v[layout.z["col"].to_numpy(np.int64)] = (designation[zp] == zw).astype(float)
        v[layout.d["col"].to_numpy(np.int64)] = self.developed[layout.d["terrain"].to_numpy(np.int64)]
        v[layout.u["col"].to_numpy(np.int64)] = self.intensified[layout.u["plot"].to_numpy(np.int64)]
        cr = self.credits
        if cr is not None and len(cr):
            at = pd.Index(_credit_keys(layout.c, len(designation))).get_indexer(
                pd.Index(_credit_keys(cr, len(designation))))
            if np.any(at < 0):
                raise ValueError("a greedy compensation credit has no column in this layout")
            v[layout.c["col"].to_numpy(np.int64)[at]] = cr["floor_m2"].to_numpy(float)
        if len(layout.e):  # emission of each plot: the nitrogen of the firms placed on it
            placed = np.flatnonzero(plot_of >= 0)
            emit = np.bincount(plot_of[placed], weights=self.nitrogen_kg[placed], minlength=len(designation))
            v[layout.e["col"].to_numpy(np.int64)] = emit[layout.e["plot"].to_numpy(np.int64)]
        return v


def _credit_keys(table: pd.DataFrame, n_plots: int) -> np.ndarray:
    """(terrain, plot, class) of each row as one integer (class -1 is the pooled class)."""
    t, p, k = (table[c].to_numpy(np.int64) for c in ("terrain", "plot", "k"))
    return (t * n_plots + p) * (len(WERKMILIEUS) + 1) + k + 1


def state_result(st: State, stats: dict[str, Any]) -> GreedyResult:
    """The :class:`GreedyResult` of a final state; its objective and time (None, 0) are the caller's to
    fill in, after the final check."""
    P, inst = st.problem, st.problem.inst
    plot_ids = inst.plots["plot_id"].to_numpy(object)
    placed = st.pair_of_firm >= 0
    plot_of = np.where(placed, P.pair_plot[np.maximum(st.pair_of_firm, 0)] if len(P.pair_plot) else -1, -1)
    chosen = np.where(plot_of >= 0, plot_ids[np.maximum(plot_of, 0)] if len(plot_ids) else "", "")
    assignments = pd.DataFrame({"firm_id": inst.firms["firm_id"].to_numpy(object),
                                "plot_id": chosen.astype(object)})
    n_wm = len(WERKMILIEUS)
    wm = np.array(WERKMILIEUS + ("",), dtype=object)[np.where(st.designation >= 0, st.designation, n_wm)]
    plots = pd.DataFrame({"plot_id": plot_ids, "werkmilieu": wm, "intensified": st.intensified.copy()})
    tids = inst.terrains["terrain_id"].to_numpy(object)
    dt = np.flatnonzero(P.planned_terrain)
    terrains = pd.DataFrame({"terrain_id": tids[dt], "developed": st.developed[dt].copy()})
    credits = _credit_table(st)
    compensation = pd.DataFrame({
        "terrain_id": tids[credits["terrain"].to_numpy()],
        "plot_id": plot_ids[credits["plot"].to_numpy()],
        "class": [WERKMILIEUS[k] if k >= 0 else POOLED for k in credits["k"]],
        "floor_m2": credits["floor_m2"].to_numpy(float),
    })
    summary = {"status": "feasible", "objective": None, "bound": None, "gap": None,
               "time_s": 0.0, "instance": inst.name, "method": "greedy"}
    sol = Solution(assignments, plots, terrains, compensation, summary)
    if inst.has_corridors:
        sol.routes, sol.corridor_loads = route_tables(inst, P.layout.pairs, P.layout.paths,
                                                      st.pair_of_firm[placed])
    return GreedyResult(sol, None, 0.0, stats, plot_of_firm=plot_of, designation=st.designation.copy(),
                        intensified=st.intensified.copy(), developed=st.developed.copy(), credits=credits,
                        nitrogen_kg=inst.firms["nitrogen_kg"].to_numpy(float))


def _credit_table(st: State) -> pd.DataFrame:
    keys = [k for k, a in st.credits.items() if a > 0]
    return pd.DataFrame({"terrain": np.array([k[0] for k in keys], np.int64),
                         "plot": np.array([k[1] for k in keys], np.int64),
                         "k": np.array([k[2] for k in keys], np.int64),
                         "floor_m2": np.array([st.credits[k] for k in keys], float)})
