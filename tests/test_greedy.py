"""The greedy baseline: feasible (independent verifier), exact objective, never above the MIP
optimum, and a feasible starting point for the MIP columns."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

import revopt
from matrix import matrix_violations
from revopt.heuristics import GreedyResult, greedy
from revopt.model.build import build_model
from revopt.results.verify import objective_value
from strategies import tiny_instances

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def mip_violations(inst, res: GreedyResult) -> list[str]:
    """Check res.column_values against the MIP matrix: rows, bounds, integrality, objective."""
    lay, lm = build_model(inst)
    v = res.column_values(lay)
    out = matrix_violations(lm, v)
    if lm.cost @ v != pytest.approx(res.objective, rel=1e-9, abs=1e-6):
        out.append(f"cost @ v = {lm.cost @ v} != {res.objective}")
    return out


def check(inst) -> tuple[GreedyResult, float | None]:
    res = greedy(inst)
    opt = revopt.solve(inst, gap=0.0)
    assert opt.status in (revopt.Status.OPTIMAL, revopt.Status.INFEASIBLE), opt.message
    if res.solution is None:
        assert res.objective is None
        with pytest.raises(ValueError):
            res.column_values(build_model(inst)[0])
        return res, opt.objective
    assert opt.status == revopt.Status.OPTIMAL, "greedy found a solution of an infeasible instance"
    res.solution.summary = {"objective": res.objective}
    assert revopt.verify(inst, res.solution) == []
    assert res.objective == pytest.approx(objective_value(inst, res.solution), rel=1e-9, abs=1e-6)
    assert res.objective <= opt.objective + 1e-6 * max(1.0, abs(opt.objective))
    assert mip_violations(inst, res) == []
    return res, opt.objective


def test_tiny(tiny):
    res, opt = check(tiny)
    assert res.solution is not None
    assert res.objective == pytest.approx(43_015_000)  # the hand-derived optimum
    assert res.seconds >= 0


def test_tiny_without_improvement(tiny):
    res = greedy(tiny, improve=False)
    res.solution.summary = {"objective": res.objective}
    assert revopt.verify(tiny, res.solution) == []
    assert res.objective <= 43_015_000


@settings(max_examples=60, **SETTINGS)
@given(tiny_instances())
def test_generated(inst):
    check(inst)


@settings(max_examples=25, **SETTINGS)
@given(tiny_instances(max_firms=6, max_plots=5))
def test_generated_larger(inst):
    check(inst)


@settings(max_examples=60, **SETTINGS)
@given(tiny_instances(policy=True))
def test_generated_with_the_policy_rules(inst):
    check(inst)


@settings(max_examples=25, **SETTINGS)
@given(tiny_instances(max_firms=6, max_plots=5, policy=True))
def test_generated_larger_with_the_policy_rules(inst):
    check(inst)


def test_policy_rules_by_hand():
    """Each rule of spec section 9 on an instance where the greedy must respect it to be feasible."""
    from builders import make

    inst = make([dict(firm_id="A", werkmilieus="innovatie", lifecycle="startup", noise_use=2.0),
                 dict(firm_id="B", werkmilieus="innovatie", value_added_eur=90.0, noise_use=2.0),
                 dict(firm_id="L", current_plot="P3", locked=True, value_added_eur=1.0),
                 dict(firm_id="D", sector="dc", value_added_eur=500.0, category="4.1")],
                [dict(plot_id="P1", werkmilieus="productie;innovatie"),
                 dict(plot_id="P2", werkmilieus="productie;innovatie"),
                 dict(plot_id="P3", werkmilieus="productie;innovatie", locked_werkmilieu="productie"),
                 dict(plot_id="Q1", terrain_id="U")],
                terrains=[dict(terrain_id="T", status="existing", region="R", noise_budget=3.0),
                          dict(terrain_id="U", status="existing", region="S", min_category="4.1")],
                claims=[dict(region="R", werkmilieu="innovatie", min_floor_m2="", max_floor_m2=100.0)],
                lifecycle_targets=[dict(region="R", lifecycle="startup", min_placed_m2=100.0)],
                restrictions=[dict(sector="dc", terrain_ids="T")],
                params={"policy": {"industrial_reserved": False}})
    res, opt = check(inst)
    assert res.solution is not None
    # A (startup) on the one innovatie plot; B shut out by the claim and the noise budget; L stays;
    # D only on T (restriction), on the productie plot left
    where = dict(zip(res.solution.assignments["firm_id"], res.solution.assignments["plot_id"]))
    assert where["A"] in ("P1", "P2") and where["B"] == "" and where["L"] == "P3" and where["D"] in ("P1", "P2")
    assert res.objective == pytest.approx(opt) == pytest.approx(100.0 + 1.0 + 500.0)


def test_must_place_without_candidate_gives_none():
    from builders import make

    inst = make([dict(firm_id="F1", must_place=True, category="6")], [dict(plot_id="P1", max_category="1")])
    res = greedy(inst)
    assert res.solution is None and res.objective is None


def test_gap_orlib(tmp_path):
    """OR-Library GAPs (every job must be placed, capacities tight): the greedy finds a
    feasible assignment or says honestly that it found none; never above the optimum."""
    import pandas as pd

    from gap_orlib import gap_dir, write_gap_instance

    d = gap_dir()
    if not (d / "optima.csv").is_file():
        pytest.skip("shared/benchmarks-external not found")
    optima = pd.read_csv(d / "optima.csv").set_index("file")["max_optimum"]
    files = [f for f in optima.index if f.endswith("-0")][:6]
    found = 0
    for f in files:
        write_gap_instance(d / f, tmp_path / f)
        inst = revopt.load_instance(tmp_path / f)
        res = greedy(inst)
        if res.solution is None:  # honest: the greedy may fail where a solution exists
            continue
        found += 1
        res.solution.summary = {"objective": res.objective}
        assert revopt.verify(inst, res.solution) == []
        assert res.objective <= optima[f] + 1e-6
        assert mip_violations(inst, res) == []
    assert found >= 1


def test_a_model_built_already_gives_the_same_result():
    """greedy(..., model=build_model(inst, cand)) reads the caller's blocks instead of building its own:
    the same decisions, also with a locked firm (which has other candidate plots the greedy must not use)."""
    from revopt.generate import generate
    from revopt.model.candidates import candidate_pairs

    inst = generate("small", seed=0)
    cand = candidate_pairs(inst)
    alone, given = greedy(inst, cand, time_limit=60), greedy(inst, cand, time_limit=60, model=build_model(inst, cand))
    assert given.objective == alone.objective
    assert given.solution.assignments.equals(alone.solution.assignments)
    has_plot = inst.firms["current_plot"].ne("")
    locked = inst.replace_tables(firms=inst.firms.assign(locked=has_plot & (inst.firms.index == has_plot.idxmax())))
    cand = candidate_pairs(locked)
    firm = locked.firms[locked.firms["locked"]].iloc[0]
    assert (cand.pairs["firm_id"] == firm["firm_id"]).sum() > 1
    res = greedy(locked, cand, time_limit=60, model=build_model(locked, cand))
    assert res.objective == greedy(locked, cand, time_limit=60).objective
    where = res.solution.assignments.set_index("firm_id")["plot_id"]
    assert where[firm["firm_id"]] == firm["current_plot"]
    assert revopt.verify(locked, res.solution) == []
    other = generate("small", seed=1)
    with pytest.raises(ValueError, match="same candidate pairs"):
        greedy(inst, candidate_pairs(inst), model=build_model(other))
