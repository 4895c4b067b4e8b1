"""The large-model path of solve(): neighbourhood search, the heuristic incumbent merged with
HiGHS's, stopping once HiGHS's bound proves it, and the auxiliary nitrogen columns."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

import revopt
from conftest import INSTANCES, solve_verified
from matrix import matrix_violations
from revopt.heuristics import greedy
from revopt.model.build import build_model
from revopt.model.candidates import candidate_pairs
from revopt.solve.extract import extract_solution, round_columns
from revopt.solve.highs_backend import solve_highs
from revopt.solve.lns import improve
from strategies import tiny_instances

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(max_examples=40, **SETTINGS)
@given(tiny_instances(max_firms=6, max_plots=5), hs.sampled_from([1, 2, 3]))
def test_lns_is_feasible_never_worse_never_above_optimum(inst, workers):
    """Also with areas solved side by side (``workers`` > 1): the rows they share split their room,
    so every combination of the answers is feasible."""
    cand = candidate_pairs(inst)
    lay, lm = build_model(inst, cand)
    g = greedy(inst, cand)
    if g.solution is None:
        return
    x0 = g.column_values(lay)
    # neighbourhoods of one or two plots, so the search really fixes most of the model
    x, st = improve(inst, lay, lm, x0, time_limit=5.0, target_pairs=2, workers=workers)
    assert matrix_violations(lm, x) == []
    assert lm.cost @ x >= lm.cost @ x0 - 1e-6
    sol = extract_solution(inst, lay, round_columns(lay, lm.integrality, x))
    sol.summary = {"objective": float(lm.cost @ x)}
    assert revopt.verify(inst, sol) == []
    opt = revopt.solve(inst, gap=0.0)
    assert opt.status == revopt.Status.OPTIMAL, (opt.status, opt.message, opt.reasons)
    assert lm.cost @ x <= opt.objective + 1e-6 * max(1.0, abs(opt.objective))
    assert (st.rounds >= 1 or lay.n_x == 0) and st.gain == pytest.approx(lm.cost @ x - lm.cost @ x0, rel=1e-9, abs=1e-6)


def test_lns_improves_the_greedy_on_rijssen_holten():
    inst = revopt.load_instance(INSTANCES / "rijssen-holten")
    cand = candidate_pairs(inst)
    lay, lm = build_model(inst, cand)
    g = greedy(inst, cand)
    x0 = g.column_values(lay)
    # counted, not timed: on a loaded machine 30 s of search once found nothing
    x, st = improve(inst, lay, lm, x0, time_limit=300.0, seed=1, rounds=8, sub_nodes=500)
    assert matrix_violations(lm, x) == []
    assert st.improved >= 1 and lm.cost @ x > lm.cost @ x0
    opt = revopt.solve(inst)
    assert lm.cost @ x <= opt.bound + 1e-6 * abs(opt.bound)


def test_lns_stops_once_it_reaches_stop_at():
    """Within reach of the bound the search leaves the rest to HiGHS: it stops at the first
    incumbent at or above ``stop_at`` (counted search: the same path up to there), and at once
    when the start is there already."""
    inst = revopt.load_instance(INSTANCES / "rijssen-holten")
    cand = candidate_pairs(inst)
    lay, lm = build_model(inst, cand)
    x0 = greedy(inst, cand).column_values(lay)
    work = dict(time_limit=300.0, seed=1, rounds=8, sub_nodes=500)
    _, full = improve(inst, lay, lm, x0, **work)
    assert len(full.trace) >= 2 and not full.reached
    first = full.trace[1][1]
    x, st = improve(inst, lay, lm, x0, stop_at=first, **work)
    assert st.reached and lm.cost @ x == pytest.approx(first, rel=1e-12) and len(st.trace) == 2
    assert st.rounds <= full.rounds
    y, st = improve(inst, lay, lm, x0, stop_at=float(lm.cost @ x0), **work)
    assert st.reached and st.rounds == 0 and (y == x0).all()


def test_pipeline_on_rijssen_holten_reaches_the_optimum():
    inst = revopt.load_instance(INSTANCES / "rijssen-holten")
    plain = solve_verified(inst, warm_start=False)
    piped = solve_verified(inst, warm_start=True, time_limit=120)
    assert {"warm_start", "lns"} <= set(piped.seconds)
    assert piped.status == revopt.Status.OPTIMAL
    assert piped.objective == pytest.approx(plain.objective, rel=2e-4)
    assert piped.gap <= 1e-4


def _optimal_vector(inst):
    cand = candidate_pairs(inst)
    lay, lm = build_model(inst, cand)
    raw = solve_highs(lm, time_limit=None, gap=0.0, threads=1)
    return lm, round_columns(lay, lm.integrality, raw.values)


def test_known_optimal_start_is_proved_and_returned(tiny):
    lm, v = _optimal_vector(tiny)
    raw = solve_highs(lm, time_limit=None, gap=1e-4, threads=1, start=v)
    assert raw.status == revopt.Status.OPTIMAL
    assert lm.cost @ raw.values == pytest.approx(43_015_000)
    assert raw.bound >= 43_015_000 - 1e-6


def test_start_kept_when_highs_has_no_time(tmp_path):
    """Stopped before HiGHS found anything: the heuristic incumbent is the answer, status feasible."""
    from gap_orlib import gap_dir, write_gap_instance

    src = gap_dir() / "gap12-4"
    if not src.is_file():
        pytest.skip("shared/benchmarks-external not found")
    write_gap_instance(src, tmp_path / "gap")
    inst = revopt.load_instance(tmp_path / "gap")
    cand = candidate_pairs(inst)
    lay, lm = build_model(inst, cand)
    lm_opt, v = _optimal_vector(inst)
    raw = solve_highs(lm, time_limit=1e-9, gap=1e-4, threads=1, start=v)
    assert raw.status in (revopt.Status.FEASIBLE, revopt.Status.OPTIMAL)
    assert lm.cost @ raw.values == pytest.approx(lm.cost @ v)
    assert "heuristics" in raw.message or raw.status == revopt.Status.OPTIMAL


def test_emission_columns_carry_the_plot_emission(tiny):
    """e[p] is the nitrogen of the firms on p in every optimal solution, and C6 binds through it."""
    cand = candidate_pairs(tiny)
    lay, lm = build_model(tiny, cand)
    assert len(lay.e) > 0 and lm.block_rows["C6_emission"][1] > lm.block_rows["C6_emission"][0]
    _, v = _optimal_vector(tiny)
    kg = tiny.firms["nitrogen_kg"].to_numpy(float)[lay.pairs["firm"].to_numpy()]
    emit = np.bincount(lay.pairs["plot"].to_numpy(), weights=kg * v[: lay.n_x], minlength=len(tiny.plots))
    e = v[lay.e["col"].to_numpy()]
    np.testing.assert_allclose(e, emit[lay.e["plot"].to_numpy()], rtol=1e-9, atol=1e-6)


@settings(max_examples=40, **SETTINGS)
@given(tiny_instances(max_firms=6, max_plots=5))
def test_assignment_bound_is_a_bound(inst):
    from revopt.solve import assignment_bound

    lay, lm = build_model(inst)
    opt = revopt.solve(inst, gap=0.0)
    if opt.status == revopt.Status.OPTIMAL:
        assert assignment_bound(lay, lm) >= opt.objective - 1e-6 * max(1.0, abs(opt.objective))
        assert opt.bound <= assignment_bound(lay, lm) + 1e-6 * max(1.0, abs(opt.objective))


def test_areas_side_by_side_never_overfill_a_row_they_share():
    """Two clusters of plots 100 km apart on one 1 MW substation, a 1 MW firm for each cluster:
    each area alone can seat its firm, both together would need 2 MW. Solved side by side, only
    the better answer is kept (the whole model's rows decide), for every order of the areas."""
    from builders import make

    plots = [dict(plot_id=f"{c}{i}", terrain_id=f"T{c}", x=100_000.0 * (c == "B"), y=float(i), werkmilieus=w)
             for c, w in (("A", "productie"), ("B", "innovatie")) for i in range(2)]
    firms = [dict(firm_id="FA", grid_mw=1.0, werkmilieus="productie", value_added_eur=100.0),
             dict(firm_id="FB", grid_mw=1.0, werkmilieus="innovatie", value_added_eur=90.0)]
    inst = make(firms, plots, substations=[dict(substation_id="S", available_mw=1.0)],
                terrains=[dict(terrain_id="TA", status="existing"), dict(terrain_id="TB", status="existing")])
    lay, lm = build_model(inst)
    x0 = np.zeros(lm.n_cols)
    assert matrix_violations(lm, x0) == []
    from revopt.solve.lns import _Areas

    areas = _Areas(inst, lay, lm)
    assert len(areas.side_by_side([0, 2], 2, areas.placed(x0))) == 2  # the two clusters share nothing
    for seed in range(6):
        x, _ = improve(inst, lay, lm, x0, time_limit=10.0, seed=seed, target_pairs=1, workers=2)
        assert matrix_violations(lm, x) == []
        assert lm.cost @ x == pytest.approx(100.0)  # FA placed: the optimum


@settings(max_examples=25, **SETTINGS)
@given(tiny_instances(max_firms=6, max_plots=5), hs.integers(0, 2**31 - 1))
def test_sub_model_cut_and_kept_activity_match_the_whole_model(inst, seed):
    """The neighbourhood search keeps ``A x`` up to date as answers are accepted and cuts sub-models
    by columns: after random accepted changes the kept activity is the recomputed one, a cut's row
    bounds are the whole rows' bounds minus the fixed columns' activity, and ``holds`` agrees with
    the whole model's rows."""
    from revopt.solve.lns import _Sub

    lay, lm = build_model(inst)
    if lm.n_cols == 0:
        return
    rng = np.random.default_rng(seed)
    x0 = np.where(lm.integrality > 0, rng.integers(0, 2, lm.n_cols), rng.random(lm.n_cols))
    x0 = np.clip(x0, lm.col_lower, np.minimum(lm.col_upper, 1e3))
    sub = _Sub(lm, x0)
    dense = np.zeros((lm.n_rows, lm.n_cols))
    for r in range(lm.n_rows):
        for k in range(lm.start[r], lm.start[r + 1]):
            dense[r, lm.index[k]] += lm.value[k]
    for _ in range(5):
        cols = np.flatnonzero(rng.random(lm.n_cols) < 0.4)
        values = np.clip(rng.integers(0, 2, len(cols)).astype(float), lm.col_lower[cols], lm.col_upper[cols])
        rows, change = sub.change(cols, values)
        x1 = sub.x.copy()
        x1[cols] = values
        act1 = dense[rows] @ x1
        lo, up = lm.row_lower[rows], lm.row_upper[rows]
        with np.errstate(invalid="ignore"):
            ok = bool(np.all(act1 - up <= 1e-6 * np.maximum(1.0, np.abs(up)))
                      and np.all(lo - act1 <= 1e-6 * np.maximum(1.0, np.abs(lo))))
        assert sub.holds(rows, change) == ok
        untouched = np.setdiff1d(np.arange(lm.n_rows), rows)
        assert np.allclose(dense[untouched] @ x1, dense[untouched] @ sub.x)
        sub.accept(cols, values, rows, change)
        assert np.allclose(sub.act, dense @ sub.x, atol=1e-6)
        free = rng.random(lm.n_cols) < 0.5
        if not free.any():
            continue
        cut_cols, m = sub.cut(free)
        fixed = dense[:, ~free] @ sub.x[~free]
        used = np.flatnonzero(np.abs(dense[:, free]).sum(axis=1) > 0)
        assert np.array_equal(cut_cols, np.flatnonzero(free))
        with np.errstate(invalid="ignore"):
            assert np.allclose(m.row_upper, lm.row_upper[used] - fixed[used], equal_nan=True)
            assert np.allclose(m.row_lower, lm.row_lower[used] - fixed[used], equal_nan=True)
        sub_dense = np.zeros((m.n_rows, m.n_cols))
        for r in range(m.n_rows):
            for k in range(m.start[r], m.start[r + 1]):
                sub_dense[r, m.index[k]] += m.value[k]
        assert np.allclose(sub_dense, dense[np.ix_(used, np.flatnonzero(free))])


@pytest.fixture(scope="module")
def guided():
    """rijssen-holten: its model, a Lagrangian bound of 100 steps, the greedy's allocation and the
    guide of that bound."""
    from revopt.solve.lagrangian import lagrangian_bound
    from revopt.solve.lns import Guide

    inst = revopt.load_instance(INSTANCES / "rijssen-holten")
    cand = candidate_pairs(inst)
    lay, lm = build_model(inst, cand)
    lag = lagrangian_bound(lay, lm, iterations=100)
    x = greedy(inst, cand).column_values(lay)
    return inst, lm, lag, x, Guide(lay, lm, lag.multipliers, lag.x_relaxed)


def test_guide_splits_the_whole_duality_gap_over_the_plots(guided):
    """At the bound's multipliers y, L(y) - c x = rc (x_relaxed - x) + sum_r y_r (b_r - a_r x).
    The guide's per-plot scores hold all of it except the reduced value of columns on no plot
    (development) and rows with no column on a plot."""
    from revopt.solve.lagrangian import _row_terms

    inst, lm, lag, x, guide = guided
    y, rc = lag.multipliers, guide.rc
    act = np.zeros(lm.n_rows)  # A x by hand, not by the code under test
    np.add.at(act, np.repeat(np.arange(lm.n_rows), np.diff(lm.start)), lm.value * x[lm.index])
    side = np.where(y > 0, lm.row_upper, lm.row_lower)
    with np.errstate(invalid="ignore"):  # y = 0 on rows with an infinite side
        slack_value = np.where(y != 0, y * (side - act), 0.0)
    l_y = float(rc @ lag.x_relaxed + _row_terms(y, lm.row_lower, lm.row_upper).sum())
    gap = l_y - float(lm.cost @ x)
    assert gap == pytest.approx(float(rc @ (lag.x_relaxed - x) + slack_value.sum()), rel=1e-9)
    off_plot = ~guide.on
    row_of = np.repeat(np.arange(lm.n_rows), np.diff(lm.start))
    on_plot_rows = np.zeros(lm.n_rows, dtype=bool)
    on_plot_rows[row_of[guide.on[lm.index]]] = True
    rest = float(rc[off_plot] @ (lag.x_relaxed - x)[off_plot]) + float(slack_value[~on_plot_rows].sum())
    scores = guide.scores(x, len(inst.plots))
    assert scores.sum() + rest == pytest.approx(gap, rel=1e-9, abs=1e-3)
    assert np.allclose(scores, guide.scores(x, len(inst.plots), act))


def test_the_tracked_scores_follow_the_incumbent(guided):
    """The search keeps the guide's scores up to date from each accepted change (:class:`lns._Scores`);
    after a series of changes they equal the scores computed from scratch."""
    from revopt.solve.lns import _Scores, _Sub

    inst, lm, _, x, guide = guided
    sub = _Sub(lm, x)
    tracked = _Scores(guide, sub, len(inst.plots))
    rng = np.random.default_rng(0)
    for _ in range(20):  # any change of any columns (feasibility is not the point here)
        cols = np.sort(rng.choice(lm.n_cols, size=7, replace=False))
        values = rng.integers(0, 2, size=7).astype(float)
        rows, delta = sub.change(cols, values)
        sub.accept(cols, values, rows, delta)
    assert np.allclose(tracked.now, guide.scores(sub.x, len(inst.plots)), rtol=1e-9, atol=1e-3)
    assert not np.allclose(tracked.now, guide.scores(x, len(inst.plots)), rtol=1e-9, atol=1e-3)


def test_stdout_survives_highs_created_in_threads_at_once():
    """HiGHS objects are created with file descriptor 1 silenced; the neighbourhood search creates
    them in two threads at once. However their windows overlap, stdout is the real one after."""
    import os
    import threading

    from revopt.solve.highs_backend import new_highs

    before = os.fstat(1)
    barrier = threading.Barrier(4)

    def make() -> None:
        for _ in range(25):
            barrier.wait()
            new_highs()

    threads = [threading.Thread(target=make) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = os.fstat(1)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)


@settings(max_examples=25, **SETTINGS)
@given(tiny_instances(max_firms=6, max_plots=5), hs.sampled_from([1, 2]))
def test_linked_areas_search_is_feasible_and_never_worse(inst, workers):
    """Areas linked through the firms' moves (the large-model areas) with the guide of a Lagrangian
    bound: every answer keeps the whole model's rows and the bound stays above it."""
    from revopt.solve.lagrangian import ShapeError, lagrangian_bound
    from revopt.solve.lns import Guide

    cand = candidate_pairs(inst)
    lay, lm = build_model(inst, cand)
    g = greedy(inst, cand)
    if g.solution is None or lay.n_x == 0:
        return
    try:
        lag = lagrangian_bound(lay, lm, iterations=50)
    except ShapeError:
        return
    if not np.isfinite(lag.bound):
        return
    x0 = g.column_values(lay)
    guide = Guide(lay, lm, lag.multipliers, lag.x_relaxed)
    x, st = improve(inst, lay, lm, x0, time_limit=5.0, target_pairs=2, workers=workers, guide=guide, chains=True)
    assert matrix_violations(lm, x) == []
    assert lm.cost @ x >= lm.cost @ x0 - 1e-6
    assert lm.cost @ x <= lag.bound + 1e-6 * max(1.0, abs(lag.bound))


@settings(max_examples=40, **SETTINGS)
@given(tiny_instances(max_firms=8, max_plots=6), hs.integers(0, 5), hs.integers(1, 6))
def test_a_linked_area_holds_the_plots_the_seeds_firms_could_move_to(inst, seed_plot, k):
    """k plots, the seed among them; when k leaves room, every plot the firms on the seed could move
    to (their first :attr:`_Areas.PLOTS_PER_FIRM`) comes before any plot that is merely near."""
    from revopt.solve.lns import _Areas

    cand = candidate_pairs(inst)
    lay, lm = build_model(inst, cand)
    n_plots = len(inst.plots)
    g = greedy(inst, cand)
    if g.solution is None or lay.n_x == 0:
        return
    seed_plot, k = seed_plot % n_plots, min(k, n_plots)
    x = g.column_values(lay)
    areas = _Areas(inst, lay, lm, relaxed=np.zeros(lm.n_cols), chains=True)
    placed = areas.placed(x)
    area = areas.around(seed_plot, k, placed)
    assert area.sum() == k and area[seed_plot]
    firm, plot = lay.pairs["firm"].to_numpy(), lay.pairs["plot"].to_numpy()
    on_seed = np.flatnonzero(placed.at == seed_plot)
    reach = set()
    for f in on_seed:  # each firm's plots by the value of its pair there, as the area takes them
        j = np.flatnonzero(firm == f)
        reach |= set(plot[j[np.argsort(-lm.cost[j], kind="stable")]][: _Areas.PLOTS_PER_FIRM].tolist())
    reach.discard(seed_plot)
    if 1 + len(reach) <= k:
        assert all(area[p] for p in reach)


def test_a_linked_area_reaches_past_near_plots_that_do_not_help():
    """The firm on the seed fits only on a plot 3 km away; the plots next to the seed take another
    werkmilieu. A linked area of two plots is the seed and that far plot; the nearest two are the
    seed and its neighbour, where the firm cannot go."""
    from builders import make
    from revopt.solve.lns import _Areas

    plots = [dict(plot_id="S", x=0.0, current_werkmilieu="productie"),
             dict(plot_id="N1", x=10.0, werkmilieus="innovatie"), dict(plot_id="N2", x=20.0, werkmilieus="innovatie"),
             dict(plot_id="F", x=3000.0)]
    firms = [dict(firm_id="A", current_plot="S", max_move_km=5.0), dict(firm_id="B", werkmilieus="innovatie")]
    inst = make(firms, plots)
    lay, lm = build_model(inst)
    x = np.zeros(lm.n_cols)
    pairs = lay.pairs
    x[int(np.flatnonzero((pairs["firm"] == 0) & (pairs["plot"] == 0))[0])] = 1.0  # A on S
    plot_ids = inst.plots["plot_id"].tolist()
    linked = _Areas(inst, lay, lm, relaxed=np.zeros(lm.n_cols), chains=True)
    near = _Areas(inst, lay, lm)
    placed = linked.placed(x)
    assert [plot_ids[p] for p in np.flatnonzero(linked.around(0, 2, placed))] == ["S", "F"]
    assert [plot_ids[p] for p in np.flatnonzero(near.around(0, 2, placed))] == ["S", "N1"]


@pytest.mark.parametrize("name", ["demo", "rijssen-holten"])
def test_the_polish_keeps_the_better_allocation_and_it_verifies(name):
    """The greedy from neighbourhood search's result (warm_start._polish): from a weak allocation
    (the greedy's construction without its moves) it gains and the gain verifies; from the optimum
    it hands the optimum back unchanged."""
    import importlib

    ws = importlib.import_module("revopt.solve.warm_start")
    inst = revopt.load_instance(INSTANCES / name)
    cand = candidate_pairs(inst)
    lay, lm = build_model(inst, cand)
    weak = greedy(inst, cand, improve=False).column_values(lay)
    x, polished = ws._polish(inst, cand, lay, lm, weak, 30.0)
    assert polished and lm.cost @ x > lm.cost @ weak
    assert matrix_violations(lm, x) == []
    sol = extract_solution(inst, lay, x)
    sol.summary = {"objective": float(lm.cost @ x)}
    assert revopt.verify(inst, sol) == []
    opt = round_columns(lay, lm.integrality, solve_highs(lm, time_limit=None, gap=0.0, threads=1).values)
    same, polished = ws._polish(inst, cand, lay, lm, opt, 30.0)
    assert not polished and same is opt


def test_areas_on_plots_at_one_location_differ_by_seed_and_hold_it():
    """Plots that share a location (a pure assignment problem puts every agent at the origin; an
    instance can give one point per park): each area holds its seed plot and the others are
    drawn among the tied plots, so the areas differ. A plain partition gave every seed the same
    first plots by index, and the search re-optimised one area over and over (GAP d1600x40:
    0.94 % -> 0.25 % at 60 s once fixed; docs/benchmarks.md)."""
    from builders import make
    from revopt.solve.lns import _Areas

    plots = [dict(plot_id=f"P{i}", terrain_id="T", x=0.0, y=0.0, werkmilieus="productie") for i in range(12)]
    firms = [dict(firm_id=f"F{i}", werkmilieus="productie", value_added_eur=10.0 + i) for i in range(4)]
    inst = make(firms, plots, terrains=[dict(terrain_id="T", status="existing")])
    lay, lm = build_model(inst)
    for chains in (False, True):
        areas = _Areas(inst, lay, lm, relaxed=np.zeros(lm.n_cols), chains=chains, seed=3)
        placed = areas.placed(np.zeros(lm.n_cols))
        seen = set()
        for seed_plot in range(12):
            in_area = areas.around(seed_plot, 3, placed)
            assert in_area[seed_plot] and int(in_area.sum()) == 3
            seen.add(tuple(np.flatnonzero(in_area)))
        assert len(seen) > 6  # the tie-break varies the areas, not only the seed


def _tight_gap(tmp_path_factory, agents: int, jobs: int):
    """A tight GAP of OR-Library type D (every job must be placed), seed 0."""
    import sys

    import gap_orlib  # noqa: F401 - puts benchmarks/ on the path and imports gap_large from there

    write_instance = sys.modules["gap_large"].write_instance
    return revopt.load_instance(write_instance(tmp_path_factory.mktemp("gap"), "d", agents, jobs, 0))


def test_the_priced_neighbourhood_changes_only_its_columns_and_gains_on_a_tight_gap(tmp_path_factory):
    """:func:`revopt.solve.lns.priced` re-optimises every plot over the pairs the prices favour (and
    the incumbent's, the relaxation's, the partial repair's): its answer verifies, differs from the
    start only on those columns, and gains on a GAP of 5 agents and 100 jobs where the greedy's own
    orders start 10 % below the bound (docs/benchmarks.md#priced-neighbourhood)."""
    from revopt.solve.lagrangian import lagrangian_bound
    from revopt.solve.lagrangian_repair import repair_allocation
    from revopt.solve.lns import Guide, priced, priced_columns

    inst = _tight_gap(tmp_path_factory, 5, 100)
    lay, lm = build_model(inst)
    res = lagrangian_bound(lay, lm, iterations=400)
    partial, complete = repair_allocation(lay, lm, res)
    assert partial is not None and not complete
    x = greedy(inst, model=(lay, lm)).column_values(lay)
    guide = Guide(lay, lm, res.multipliers, res.x_relaxed)
    free = priced_columns(lay, guide, x, partial)
    assert free[: lay.n_x].sum() < lay.n_x  # a restriction, not the whole model
    y, _ = priced(lm, x, free, time_limit=3.0, threads=1)
    assert float(lm.cost @ y) > float(lm.cost @ x)
    assert not np.any((y != x) & ~free)
    sol = extract_solution(inst, lay, y)
    sol.summary = {"objective": float(lm.cost @ y)}
    assert revopt.verify(inst, sol) == []


def test_the_warm_start_runs_the_priced_neighbourhood_only_where_the_repair_failed_far_below(tmp_path_factory):
    """The phase ``priced`` runs where the repair failed (type D, 10 x 200) and the start lies more
    than ``priced_start_gap`` below the bound; not where the start is closer (the same instance at
    the default 2 %: the greedy from the partial repair starts 1.2 % below), nor where its sub-MIP
    would have more than ``priced_max_columns`` free columns, nor where the repair succeeds (the
    demo): every preset's path is unchanged."""
    import dataclasses

    from revopt.solve.options import SolveOptions

    inst = _tight_gap(tmp_path_factory, 10, 200)
    always = dataclasses.replace(SolveOptions(), priced_start_gap=0.0)
    r = revopt.solve(inst, time_limit=6, warm_start=True, options=always)
    assert "priced" in r.summary()["seconds"]
    assert revopt.verify(inst, r.solution) == []
    assert "priced" not in revopt.solve(inst, time_limit=4, warm_start=True).summary()["seconds"]
    capped = dataclasses.replace(always, priced_max_columns=100)  # a sub-MIP too large for its share
    assert "priced" not in revopt.solve(inst, time_limit=2, warm_start=True, options=capped).summary()["seconds"]
    demo = revopt.solve(revopt.load_instance(INSTANCES / "demo"), time_limit=4, warm_start=True, options=always)
    assert "priced" not in demo.summary()["seconds"]
