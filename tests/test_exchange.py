"""Exchange moves (:mod:`revopt.solve.exchange`): firms trade plots by shifts, swaps and ejection
chains of two; every accepted move is checked against every row, so the result verifies, never
loses value and never passes the optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import revopt
from builders import make
from matrix import matrix_violations
from revopt.heuristics import greedy
from revopt.model.build import build_model
from revopt.model.candidates import candidate_pairs
from revopt.solve.exchange import Exchange
from revopt.solve.extract import extract_solution, round_columns
from revopt.solve.lns import _Sub, improve
from strategies import tiny_instances
from test_scale import _tight_gap

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _verified(inst, lay, lm, x) -> None:
    assert matrix_violations(lm, x) == []
    sol = extract_solution(inst, lay, round_columns(lay, lm.integrality, x))
    sol.summary = {"objective": float(lm.cost @ x)}
    assert revopt.verify(inst, sol) == []


@settings(max_examples=40, **SETTINGS)
@given(tiny_instances(max_firms=6, max_plots=5))
def test_trades_are_feasible_never_worse_never_above_optimum(inst):
    cand = candidate_pairs(inst)
    lay, lm = build_model(inst, cand)
    g = greedy(inst, cand, improve=False)
    if g.solution is None:
        return
    x0 = g.column_values(lay)
    sub = _Sub(lm, x0)
    st = Exchange(lay, lm, sub).run()
    x = sub.x
    _verified(inst, lay, lm, x)
    assert float(lm.cost @ x) == pytest.approx(float(lm.cost @ x0) + st.gain, rel=1e-9, abs=1e-6)
    assert st.gain >= 0.0 and (st.moves > 0) == (st.gain > 0)
    assert np.array_equal(x[lay.n_x:], x0[lay.n_x:])  # pair columns only
    opt = revopt.solve(inst, gap=0.0)
    assert opt.status == revopt.Status.OPTIMAL
    assert lm.cost @ x <= opt.objective + 1e-6 * max(1.0, abs(opt.objective))


def _start(inst, placement: dict[str, str]):
    """The column vector with the firms on the given plots and every plot designated (the plots here
    offer one werkmilieu each), checked feasible; and the optimum's objective."""
    lay, lm = build_model(inst)
    x = np.zeros(lm.n_cols)
    pairs = lay.pairs
    x[: lay.n_x] = (pairs["firm_id"].map(placement) == pairs["plot_id"]).to_numpy(float)
    x[lay.z["col"].to_numpy(np.int64)] = 1.0
    assert matrix_violations(lm, x) == []
    opt = revopt.solve(inst, gap=0.0)
    assert opt.status == revopt.Status.OPTIMAL
    return lay, lm, x, opt.objective


def test_a_swap_that_only_both_firms_moving_at_once_can_make():
    """Two full plots: each firm is worth more on the other's plot; neither can move alone."""
    inst = make([dict(firm_id="A", must_place=True), dict(firm_id="B", must_place=True)],
                [dict(plot_id="P1"), dict(plot_id="P2")],
                pairs=[dict(firm_id="A", plot_id="P1", value_added_eur=10.0),
                       dict(firm_id="A", plot_id="P2", value_added_eur=30.0),
                       dict(firm_id="B", plot_id="P1", value_added_eur=30.0),
                       dict(firm_id="B", plot_id="P2", value_added_eur=10.0)])
    lay, lm, x0, best = _start(inst, {"A": "P1", "B": "P2"})
    assert float(lm.cost @ x0) < best
    sub = _Sub(lm, x0)
    st = Exchange(lay, lm, sub).run()
    assert st.moves == 1 and float(lm.cost @ sub.x) == pytest.approx(best)
    _verified(inst, lay, lm, sub.x)


def test_an_ejection_chain_where_no_shift_or_swap_gains():
    """A wants B's plot; B loses a little by moving on to the empty third plot and cannot take A's:
    only the chain A -> P2, B -> P3 gains."""
    inst = make([dict(firm_id="A", must_place=True), dict(firm_id="B", must_place=True)],
                [dict(plot_id="P1"), dict(plot_id="P2"), dict(plot_id="P3")],
                pairs=[dict(firm_id="A", plot_id="P1", value_added_eur=10.0),
                       dict(firm_id="A", plot_id="P2", value_added_eur=50.0),
                       dict(firm_id="B", plot_id="P2", value_added_eur=10.0),
                       dict(firm_id="B", plot_id="P3", value_added_eur=9.0)])
    lay, lm, x0, best = _start(inst, {"A": "P1", "B": "P2"})
    assert best == pytest.approx(float(lm.cost @ x0) + 39.0)
    sub = _Sub(lm, x0)
    st = Exchange(lay, lm, sub).run()
    assert st.moves == 1 and float(lm.cost @ sub.x) == pytest.approx(best)
    _verified(inst, lay, lm, sub.x)


def test_trades_gain_on_a_tight_gap_and_inside_the_search(tmp_path_factory):
    """On a type-D GAP (5 agents, 100 jobs, every job placed) the greedy's allocation leaves trades
    that gain; the search with ``exchange`` makes them and its answer verifies."""
    inst = _tight_gap(tmp_path_factory, 5, 100)
    lay, lm = build_model(inst)
    x0 = greedy(inst, model=(lay, lm)).column_values(lay)
    sub = _Sub(lm, x0)
    st = Exchange(lay, lm, sub).run()
    assert st.gain > 0 and not st.clock_cut
    _verified(inst, lay, lm, sub.x)
    x, lst = improve(inst, lay, lm, x0, time_limit=3.0, exchange=True)
    assert lst.trades > 0 and float(lm.cost @ x) >= float(lm.cost @ sub.x) - 1e-6
    _verified(inst, lay, lm, x)
