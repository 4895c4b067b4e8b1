"""Marginal values (issue 13): re-solves held against brute force, the fixed-LP dual against a
finite difference, the CLI's output and its refusals."""

from __future__ import annotations

import highspy
import numpy as np
import pandas as pd
import pytest

import revopt
from conftest import INSTANCES
from oracle import brute_force
from revopt.cli import main
from revopt.decide.columns import column_values
from revopt.decide.marginal import COLUMNS, fixed_lp_duals, marginal_values
from revopt.decide.resources import resource_rows, with_capacity
from revopt.model import compensation, grid
from revopt.model.block import LinearModel
from revopt.model.build import build_model
from revopt.solve.highs_backend import highs_for

NAMED = ["substation:S1", "substation:S2", "nature_area:N1", "plot_floor:P1", "plot_floor:P2", "plot_floor:P3",
         "compensation:T3"]


@pytest.fixture(scope="module")
def tight(tiny):
    """tiny with less grid and nitrogen room, so that several capacities bind."""
    subs = tiny.substations.copy()
    subs["available_mw"] = [6.0, 3.0]
    areas = tiny.nature_areas.copy()
    areas["headroom_mol"] = [1300.0]
    return tiny.replace_tables(substations=subs, nature_areas=areas)


@pytest.mark.parametrize("steps", [{"substation": 1.0, "nature_area": 300.0, "plot_floor": 1000.0},
                                   {"substation": 2.5, "nature_area": 50.0, "plot_floor": 2500.0,
                                    "compensation": 500.0}])
def test_marginal_values_equal_brute_force(tight, steps):
    mv = marginal_values(tight, resources=NAMED, top=20, steps=steps)
    assert list(mv.table.columns) == COLUMNS
    assert len(mv.table) >= 5 and mv.details["verified"].all()
    base, _ = brute_force(tight)
    assert mv.base.objective == pytest.approx(base, rel=1e-9)
    nonzero = 0
    for r in mv.table.itertuples(index=False):
        for sign, delta in ((1, r.delta_objective_up), (-1, r.delta_objective_down)):
            cap = r.capacity + sign * r.step
            if cap < 0:
                assert np.isnan(delta)
                continue
            changed = with_capacity(tight, r.resource, r.id, cap)
            opt, _ = brute_force(changed)
            if opt is None:
                assert np.isnan(delta)
                continue
            assert delta == pytest.approx(opt - base, rel=1e-9, abs=1e-6), (r.resource, r.id, sign)
            nonzero += delta != 0
        assert r.per_unit_up == pytest.approx(r.delta_objective_up / r.step, nan_ok=True)
        if r.resource in ("substation", "nature_area", "plot_floor"):   # more room never costs
            assert r.delta_objective_up >= -1e-6
    assert nonzero > 0   # some capacity is worth something: the test can fail


def test_resource_use_matches_the_solution(tight):
    res = revopt.solve(tight, gap=0)
    lay, lm = build_model(tight)
    rows = resource_rows(tight, lay, lm, column_values(tight, lay, res.solution)).set_index(["resource", "id"])
    a = res.solution.assignments.merge(tight.firms, on="firm_id").merge(tight.plots, on="plot_id")
    for s in ("S1", "S2"):
        assert rows.loc[("substation", s), "used"] == pytest.approx(a.loc[a["substation_id"] == s, "grid_mw"].sum())
    assert rows.loc[("substation", "S2"), "slack"] == pytest.approx(3.0 - rows.loc[("substation", "S2"), "used"])


def _fixed_lp_objective(lm: LinearModel, lo: np.ndarray, up: np.ndarray, row: int, bound: float) -> float | None:
    row_lower = lm.row_lower.copy()
    row_lower[row] = bound
    fixed = LinearModel(cost=lm.cost, col_lower=lo, col_upper=up, integrality=np.zeros(lm.n_cols, np.int32),
                        row_lower=row_lower, row_upper=lm.row_upper, start=lm.start, index=lm.index, value=lm.value)
    h = highs_for(fixed, options={"solver": "simplex"})
    h.run()
    return h.getInfo().objective_function_value if h.getModelStatus() == highspy.HighsModelStatus.kOptimal else None


def test_fixed_lp_dual_is_a_finite_difference_within_its_range(tiny):
    """The compensation demand row has continuous columns (the credits): its fixed-LP dual equals the
    change of the fixed LP's optimum per m2 inside the ranging interval, and past the interval's top
    the allocation cannot meet the requirement at all."""
    res = revopt.solve(tiny, gap=0)
    lay, lm = build_model(tiny)
    v = column_values(tiny, lay, res.solution)
    row = lm.block_rows[compensation.NAME_DEMAND][0]
    f = fixed_lp_duals(lay, lm, v, np.array([row])).iloc[0]
    assert np.isfinite(f["dual"]) and f["range_low"] <= lm.row_lower[row] <= f["range_high"]
    fixed = lm.integrality == 1
    lo, up = lm.col_lower.copy(), lm.col_upper.copy()
    lo[fixed] = up[fixed] = np.round(v[fixed])
    b = lm.row_lower[row]
    h = 0.25 * (f["range_high"] - b)
    z0, z1 = _fixed_lp_objective(lm, lo, up, row, b), _fixed_lp_objective(lm, lo, up, row, b + h)
    assert (z1 - z0) / h == pytest.approx(f["dual"], abs=1e-9)
    assert _fixed_lp_objective(lm, lo, up, row, f["range_high"] + 1.0) is None
    # rows of integer columns only: empty by construction
    grid_row = lm.block_rows[grid.NAME][0]
    assert np.isnan(fixed_lp_duals(lay, lm, v, np.array([grid_row])).iloc[0]["dual"])


def test_explain_cli_writes_the_issue_columns(tmp_path, capsys):
    out = tmp_path / "ex"
    assert main(["explain", str(INSTANCES / "tiny"), "--out", str(out), "--resources", "substation,compensation",
                 "--step", "substation=0.5", "--quiet"]) == 0
    mv = pd.read_csv(out / "marginal_values.csv")
    assert list(mv.columns) == COLUMNS and len(mv)
    assert "<svg" in (out / "report.html").read_text()
    assert revopt.verify(revopt.load_instance(INSTANCES / "tiny"), out / "solution") == []


@pytest.mark.parametrize("args, words", [
    (["--step", "substation"], "KIND=VALUE"),
    (["--step", "grid=1"], "unknown resource 'grid'"),
    (["--step", "noise=-1"], "> 0"),
    (["--resources", "grid"], "unknown resource grid"),
])
def test_explain_cli_refuses_bad_input(tmp_path, capsys, args, words):
    out = tmp_path / "ex"
    assert main(["explain", str(INSTANCES / "tiny"), "--out", str(out), *args]) == 2
    assert words in capsys.readouterr().err
    assert not out.exists()


def test_explain_cli_names_the_file_of_a_bad_instance(tmp_path, capsys):
    bad = tmp_path / "bad"
    tiny = revopt.load_instance(INSTANCES / "tiny")
    tiny.write(bad)
    text = (bad / "substations.csv").read_text().replace("S2,3", "S2,lots")
    (bad / "substations.csv").write_text(text)
    assert main(["explain", str(bad), "--out", str(tmp_path / "ex")]) == 2
    err = capsys.readouterr().err
    assert "substations.csv" in err and "available_mw" in err
    assert not (tmp_path / "ex").exists()


def test_plan_report_shows_marginal_values_of_a_working_plan(tight):
    from revopt.plans import evaluate
    from revopt.plans.plan import Plan
    from revopt.plans.report import render_html

    ev = evaluate(tight, Plan(name="open De Kol II", description="develop T2", develop=("T2",)), gap=0,
                  marginal_top=2)
    assert ev.works and ev.conflict is None and ev.marginal is not None
    assert 1 <= len(ev.marginal.table) <= 2 and ev.marginal.details["verified"].all()
    assert set(ev.marginal.table["resource"]) <= {"substation", "nature_area", "plot_floor"}
    assert "Marginal values of what the plan touches" in render_html(ev)
