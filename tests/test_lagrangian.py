"""The Lagrangian bound (revopt.solve.lagrangian): never below an exact optimum, never above the
assignment bound, at or below the LP relaxation once converged; dual_bound valid for any duals."""

from __future__ import annotations

import itertools

import highspy
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import revopt
from conftest import INSTANCES
from gap_orlib import gap_dir, write_gap_instance
from revopt.model.build import build_model
from revopt.solve import _knapsack
from revopt.solve.highs_backend import new_highs, pass_model
from revopt.solve.lagrangian import dual_bound, implied_column_bounds, lagrangian_bound
from revopt.solve.lagrangian_repair import lagrangian_repair, repair_allocation
from strategies import tiny_instances

try:  # solve/ is being reorganised; the assignment bound may live in solve/bounds.py
    from revopt.solve.bounds import assignment_bound
except ImportError:
    from revopt.solve import assignment_bound

SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
TOL = 1e-6


def lp_relaxation(lm) -> tuple[float, np.ndarray]:
    """Optimum and row duals of the LP relaxation (HiGHS, integrality dropped)."""
    h = new_highs()
    h.setOptionValue("output_flag", False)
    pass_model(h, lm, relax=True)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value, np.array(h.getSolution().row_dual)


def exact_optimum(inst) -> float | None:
    res = revopt.solve(inst, gap=0.0)
    assert res.status in (revopt.Status.OPTIMAL, revopt.Status.INFEASIBLE), res.message
    return res.objective if res.status == revopt.Status.OPTIMAL else None


def slack(value: float) -> float:
    return TOL * max(1.0, abs(value))


@pytest.fixture(scope="module", params=["tiny", "demo"])
def bundled(request):
    inst = revopt.load_instance(INSTANCES / request.param)
    lay, lm = build_model(inst)
    return inst, lay, lm, exact_optimum(inst)


def test_bound_is_between_the_optimum_the_lp_and_the_assignment_bound(bundled):
    _inst, lay, lm, optimum = bundled
    res = lagrangian_bound(lay, lm, iterations=400)
    lp, _ = lp_relaxation(lm)
    assert optimum is not None
    assert res.bound >= optimum - slack(optimum)
    assert res.bound <= assignment_bound(lay, lm) + slack(optimum)
    # converged on these: the bound is the LP's or better (integral werkmilieus, 0-1 knapsacks)
    assert res.bound <= lp + slack(lp)
    assert res.fractional_bound >= res.bound
    assert res.history[-1][1] == res.bound
    assert len(res.multipliers) == lm.n_rows and len(res.x_relaxed) == lm.n_cols


def test_the_multipliers_reported_give_the_bound(bundled):
    """The multipliers of the result, with the plot subproblem, give the fractional bound again."""
    from revopt.solve.lagrangian import Relaxation

    _inst, lay, lm, optimum = bundled
    res = lagrangian_bound(lay, lm, iterations=200, exact=False)
    rel = Relaxation(lay, lm)
    value, _ = rel.evaluate(rel.scaled(res.multipliers))
    assert value == pytest.approx(res.bound, rel=1e-9)
    # and every dual vector is a valid bound with all rows dualised, these too
    assert dual_bound(lm, res.multipliers) >= optimum - slack(optimum)


def test_an_incumbent_at_the_optimum_stops_the_search(bundled):
    _inst, lay, lm, optimum = bundled
    res = lagrangian_bound(lay, lm, iterations=400, incumbent=optimum, tolerance=0.05)
    assert res.status == "converged"
    assert optimum - slack(optimum) <= res.bound <= optimum * 1.05 + slack(optimum)


@pytest.mark.parametrize("name", ["demo", "rijssen-holten"])
def test_dual_bound_of_the_lp_duals_is_the_lp_optimum(name):
    inst = revopt.load_instance(INSTANCES / name)
    lay, lm = build_model(inst)
    lp, duals = lp_relaxation(lm)
    assert dual_bound(lm, duals) == pytest.approx(lp, rel=1e-7)
    # the Lagrangian with the LP's multipliers on its dualised rows is at most the LP
    from revopt.solve.lagrangian import Relaxation

    rel = Relaxation(lay, lm)
    value, _ = rel.evaluate(rel.scaled(duals))
    assert value <= lp + slack(lp)


@pytest.mark.parametrize("name", ["tiny", "demo"])
def test_dual_bound_is_valid_for_random_duals(name):
    inst = revopt.load_instance(INSTANCES / name)
    _lay, lm = build_model(inst)
    optimum = exact_optimum(inst)
    bounds = implied_column_bounds(lm)
    assert np.all(np.isfinite(bounds[0])) and np.all(np.isfinite(bounds[1]))
    rng = np.random.default_rng(12)
    _, duals = lp_relaxation(lm)
    scale = np.abs(lm.cost).max()
    for k in range(40):
        if k % 2:
            y = duals * rng.uniform(0.0, 2.0, lm.n_rows) + rng.normal(0, 0.01 * scale, lm.n_rows) * (k % 4 == 1)
        else:
            y = rng.normal(0, scale * 10.0 ** rng.uniform(-4, 0), lm.n_rows)
        b = dual_bound(lm, y, bounds)
        assert b >= optimum - slack(optimum)
        assert np.isfinite(b)           # cleaned duals and finite implied bounds: never a useless +inf


@pytest.mark.parametrize("name", ["tiny", "demo"])
def test_optimal_solutions_lie_within_the_implied_bounds(name):
    from revopt.solve.highs_backend import solve_highs

    inst = revopt.load_instance(INSTANCES / name)
    _lay, lm = build_model(inst)
    raw = solve_highs(lm, time_limit=None, gap=0.0, threads=1)
    x = np.asarray(raw.values)
    lower, upper = implied_column_bounds(lm)
    assert np.all(np.isfinite(lower)) and np.all(np.isfinite(upper))
    assert np.all(x >= lower - 1e-6) and np.all(x <= upper + 1e-6)
    assert lm.cost @ x == pytest.approx(exact_optimum(inst), rel=1e-9)


def test_implied_bounds_do_not_depend_on_the_row_chunks(monkeypatch):
    """Rows are worked in chunks of about CHUNK_NNZ nonzeros to bound the memory (national preset:
    1.6 GB of temporaries at once before); chunks of a few rows must give the very same bounds."""
    from revopt.solve import lagrangian

    inst = revopt.load_instance(INSTANCES / "demo")
    _lay, lm = build_model(inst)
    whole = implied_column_bounds(lm)
    assert len(lagrangian._row_chunks(lm.start)) == 1
    monkeypatch.setattr(lagrangian, "CHUNK_NNZ", 7)
    assert len(lagrangian._row_chunks(lm.start)) > 100
    chunked = implied_column_bounds(lm)
    assert np.array_equal(whole[0], chunked[0]) and np.array_equal(whole[1], chunked[1])
    chunks = lagrangian._row_chunks(lm.start, 7)
    assert chunks[0][0] == 0 and chunks[-1][1] == lm.n_rows
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in zip(chunks, chunks[1:]))


def orlib_rows():
    d = gap_dir()
    if not (d / "optima.csv").is_file():
        return []
    return list(pd.read_csv(d / "optima.csv").itertuples())


@pytest.mark.skipif(not orlib_rows(), reason="shared/benchmarks-external not found")
@pytest.mark.parametrize("row", orlib_rows(), ids=[r.file for r in orlib_rows()])
def test_orlib_gap_bounds_hold_both_ways(row, tmp_path):
    """Above every published maximum, and (as a minimisation, every job placed) below n*M - minimum."""
    write_gap_instance(gap_dir() / row.file, tmp_path / "max")
    lay, lm = build_model(revopt.load_instance(tmp_path / "max"))
    res = lagrangian_bound(lay, lm, iterations=200)
    assert res.bound >= row.max_optimum - 1e-6
    assert res.bound <= assignment_bound(lay, lm) + 1e-6
    M, n = write_gap_instance(gap_dir() / row.file, tmp_path / "min", minimise=True)
    lay, lm = build_model(revopt.load_instance(tmp_path / "min"))
    res = lagrangian_bound(lay, lm, iterations=200)
    assert res.bound >= n * M - row.min_optimum - 1e-6


@settings(max_examples=25, **SETTINGS)
@given(tiny_instances(policy=True))
def test_bound_holds_on_random_instances_with_every_rule(inst):
    lay, lm = build_model(inst)
    res = lagrangian_bound(lay, lm, iterations=120)
    optimum = exact_optimum(inst)
    if optimum is not None:
        assert res.bound >= optimum - slack(optimum)
        assert res.bound <= assignment_bound(lay, lm) + slack(optimum)
    if res.bound == -np.inf:
        assert optimum is None      # the relaxation is infeasible only when the MIP is


@settings(max_examples=25, **SETTINGS)
@given(tiny_instances())
def test_bound_holds_on_random_instances_of_sections_1_to_6(inst):
    lay, lm = build_model(inst)
    res = lagrangian_bound(lay, lm, iterations=120)
    optimum = exact_optimum(inst)
    if optimum is not None:
        assert res.bound >= optimum - slack(optimum)
    if res.bound == -np.inf:
        assert optimum is None


def test_knapsack_kernel_matches_brute_force():
    rng = np.random.default_rng(3)
    kernels = [_knapsack._knapsack01] + ([_knapsack.kernel()] if _knapsack.available() else [])
    for _ in range(400):
        n = int(rng.integers(0, 10))
        v = rng.uniform(0.1, 30.0, n)
        w = np.where(rng.random(n) < 0.1, 0.0, rng.uniform(0.5, 20.0, n))
        order = np.argsort(-np.where(w > 0, v / np.maximum(w, 1e-300), np.inf), kind="stable")
        v, w = v[order], w[order]
        cap = float(rng.uniform(0, 40))
        best = max((v[list(s)].sum() for r in range(n + 1) for s in itertools.combinations(range(n), r)
                    if w[list(s)].sum() <= cap), default=0.0)
        for kernel in kernels:
            chosen = np.zeros(n, np.int8)
            got = kernel(v, w, cap, 100_000, chosen)
            assert got == pytest.approx(best, abs=1e-9)
            assert w[chosen == 1].sum() <= cap + 1e-9 and v[chosen == 1].sum() == pytest.approx(got, abs=1e-9)


def test_knapsack_kernel_gives_up_at_its_node_limit():
    n = 30
    rng = np.random.default_rng(0)
    w = rng.uniform(10, 11, n)
    v = w * (1 + 1e-9 * rng.random(n))   # almost equal ratios: the fractional bound prunes little
    order = np.argsort(-v / w)
    assert _knapsack._knapsack01(v[order], w[order], 150.5, 10, np.zeros(n, np.int8)) == -1.0


def test_0_1_knapsacks_past_their_deadline_keep_the_fractional_value(tmp_path_factory):
    """The 0-1 knapsacks stop at a deadline (the time limit, or ``exact_share`` of the price steps'
    time): those left keep their fractional value, so the bound lies between the exact and the
    fractional one, and with a deadline already past it is the fractional one."""
    from revopt.solve.lagrangian import Relaxation
    from test_scale import _tight_gap

    inst = _tight_gap(tmp_path_factory, 5, 100)  # type D: knapsacks split jobs at any prices
    lay, lm = build_model(inst)
    rel = Relaxation(lay, lm)
    res = lagrangian_bound(lay, lm, iterations=200, relaxation=rel, exact=False)
    y = rel.scaled(res.multipliers)
    fractional, _ = rel.evaluate(y)
    exact, _ = rel.evaluate(y, exact=True)
    past, _ = rel.evaluate(y, exact=True, deadline=0.0)
    assert past == fractional and exact < fractional - 1e-9
    shared = lagrangian_bound(lay, lm, iterations=200, relaxation=rel, exact_share=1.0)
    assert exact - 1e-6 * abs(exact) <= shared.bound <= res.bound + 1e-6 * abs(res.bound)


# ---- lagrangian_repair: feasible or None, never above the optimum


def assert_feasible(inst, lay, lm, x) -> None:
    """Every row and column bound of the model holds, binaries are 0/1, and the verifier agrees."""
    from revopt.solve.extract import extract_solution

    rows = np.repeat(np.arange(lm.n_rows), np.diff(lm.start))
    act = np.bincount(rows, lm.value * x[lm.index], minlength=lm.n_rows)
    tol = 1e-6 * np.maximum(1.0, np.abs(act))
    assert np.all(act <= lm.row_upper + tol) and np.all(act >= lm.row_lower - tol)
    assert np.all(x >= lm.col_lower - 1e-9) and np.all(x <= lm.col_upper + 1e-9)
    integer = lm.integrality == 1
    assert np.all(x[integer] == np.round(x[integer]))
    sol = extract_solution(inst, lay, x)
    sol.summary = {"objective": float(lm.cost @ x)}
    assert revopt.verify(inst, sol) == []


@pytest.mark.parametrize("name", ["tiny", "demo", "rijssen-holten"])
def test_repair_gives_a_feasible_allocation(name):
    inst = revopt.load_instance(INSTANCES / name)
    lay, lm = build_model(inst)
    res = lagrangian_bound(lay, lm, iterations=400)
    x = lagrangian_repair(lay, lm, res)
    assert x is not None
    assert_feasible(inst, lay, lm, x)
    assert lm.cost @ x <= res.bound + slack(res.bound)


@settings(max_examples=25, **SETTINGS)
@given(tiny_instances(policy=True))
def test_repair_is_feasible_or_none_on_random_instances(inst):
    lay, lm = build_model(inst)
    res = lagrangian_bound(lay, lm, iterations=120)
    x = lagrangian_repair(lay, lm, res)
    if x is not None:
        assert_feasible(inst, lay, lm, x)
        optimum = exact_optimum(inst)
        assert optimum is not None and lm.cost @ x <= optimum + slack(optimum)


def test_repair_changes_a_werkmilieu_the_relaxation_chose_for_a_must_place_firm():
    """A must-place firm whose plots all carry a werkmilieu it cannot use (the national preset has
    such firms with two plots): the repair gives one of them a werkmilieu the firm can use and
    places it; before, the whole repair gave up."""
    from builders import make
    from revopt.data.vocab import WM_INDEX
    from revopt.solve.lagrangian import Relaxation
    from revopt.solve.lagrangian_repair import _Repair

    inst = make([dict(firm_id="M", must_place=True, werkmilieus="industrieel", category="4.1"),
                 dict(firm_id="V", werkmilieus="productie", value_added_eur=50.0)],
                [dict(plot_id="P", werkmilieus="industrieel;productie", max_category="5.1")])
    lay, lm = build_model(inst)
    res = lagrangian_bound(lay, lm, iterations=50)
    rep = _Repair(lm, Relaxation(lay, lm), res)
    z = lay.z.set_index(["plot", "w"])["col"]
    productie, industrieel = int(z[(0, WM_INDEX["productie"])]), int(z[(0, WM_INDEX["industrieel"])])
    assert rep.designate(0, productie)                     # as a relaxation may choose
    j = int(np.flatnonzero(lay.pairs["firm_id"].to_numpy() == "M")[0])
    assert not rep.place(j)
    assert rep.place_redesignated(j)
    assert rep.designated[0] == industrieel and rep.placed[rep.firm[j]]
    x = rep.solution()
    assert x is not None and x[j] == 1.0
    assert_feasible(inst, lay, lm, x)


def test_the_repair_fills_a_row_no_further_than_the_greedy_ledger_takes():
    """A move may take an inequality row past its bound by ROW_SLACK (relative) at most, the greedy's
    capacity ledger's own slack: with 1e-7 the repair filled national nitrogen rows 0.05-0.8 mol
    past what the ledger takes, and the greedy could not start from the repaired allocation."""
    from revopt.heuristics.ledger import RELATIVE_SLACK
    from revopt.solve.lagrangian import Relaxation
    from revopt.solve.lagrangian_repair import ROW_SLACK, _Ledger

    assert ROW_SLACK <= RELATIVE_SLACK
    inst = revopt.load_instance(INSTANCES / "demo")
    lay, lm = build_model(inst)
    led = _Ledger(lm, Relaxation(lay, lm))
    i = next(r for r in range(lm.n_rows) if np.isfinite(lm.row_upper[r]) and abs(lm.row_upper[r]) > 1e3
             and lm.row_lower[r] != lm.row_upper[r])
    hi, row = lm.row_upper[i], np.array([i])
    led.act[i] = hi - 10.0
    assert led.fits(row, np.array([10.0]))                          # exactly full
    assert not led.fits(row, np.array([10.0 + 1e-8 * abs(hi)]))     # within 1e-7, past the ledger
    assert led.fits(row, np.array([-5.0]))


@pytest.mark.skipif(not (gap_dir() / "gap1-0").is_file(), reason="shared/benchmarks-external not found")
def test_partial_repair_holds_every_row_but_the_short_firms_and_the_greedy_completes_it(tmp_path):
    """A tight GAP (every job must be placed): the repair's best-first order leaves a job with no
    room, so it gives None; :func:`repair_allocation` gives the allocation without the short jobs, in
    which every row holds except their placement rows, and the greedy started from it seats them
    (the warm start's hint when the repair fails: docs/benchmarks.md#partial-repair)."""
    from revopt.heuristics import greedy
    from revopt.model import placement
    from revopt.solve.extract import extract_solution

    write_gap_instance(gap_dir() / "gap1-0", tmp_path / "g", minimise=True)
    inst = revopt.load_instance(tmp_path / "g")
    lay, lm = build_model(inst)
    res = lagrangian_bound(lay, lm, iterations=400)
    assert lagrangian_repair(lay, lm, res) is None
    x, complete = repair_allocation(lay, lm, res)
    assert x is not None and not complete
    firm = lay.pairs["firm"].to_numpy()
    short = np.setdiff1d(np.arange(len(inst.firms)), firm[x[: lay.n_x] > 0.5])
    assert len(short) > 0
    act = lm.activity(x)
    tol = 1e-9 * np.maximum(1.0, np.abs(act))
    bad = np.flatnonzero((act > lm.row_upper + tol) | (act < lm.row_lower - tol))
    c1 = lm.rows_of(placement.NAME)
    assert set(bad.tolist()) == {c1.start + int(f) for f in short}  # C1 has one row per firm, all must-place here
    g = greedy(inst, improve=True, model=(lay, lm), start=extract_solution(inst, lay, x))
    assert g.solution is not None and g.solution.assignments["firm_id"].nunique() == len(inst.firms)
    assert revopt.verify(inst, g.solution) == []
