"""Properties on many generated tiny instances: the MIP equals brute force, solutions verify,
more capacity never lowers the optimum, removing an optional firm never raises it, backends agree."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import revopt
from conftest import solve_verified
from oracle import brute_force
from strategies import tiny_instances

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def optimum(inst, **kw) -> float | None:
    res = solve_verified(inst, gap=0.0, **kw)
    assert res.status in (revopt.Status.OPTIMAL, revopt.Status.INFEASIBLE), res.message
    return res.objective if res.status == revopt.Status.OPTIMAL else None


@settings(max_examples=120, **SETTINGS)
@given(tiny_instances())
def test_mip_equals_brute_force(inst):
    expected, sol = brute_force(inst)
    got = optimum(inst)
    if expected is None:
        assert got is None
    else:
        assert got is not None and got == pytest.approx(expected, abs=1e-6)
        sol.summary = {"objective": expected}
        assert revopt.verify(inst, sol) == []


@settings(max_examples=120, **SETTINGS)
@given(tiny_instances(policy=True))
def test_mip_equals_brute_force_with_the_policy_rules(inst):
    """The same with claims, lifecycle targets, locks, min_category, restrictions and noise budgets on."""
    test_mip_equals_brute_force.hypothesis.inner_test(inst)


@settings(max_examples=40, **SETTINGS)
@given(tiny_instances())
def test_backends_agree(inst):
    a, b = optimum(inst, backend="highs"), optimum(inst, backend="pyomo")
    assert (a is None) == (b is None)
    if a is not None:
        assert a == pytest.approx(b, abs=1e-6)


@settings(max_examples=25, **SETTINGS)
@given(tiny_instances(policy=True))
def test_backends_agree_with_the_policy_rules(inst):
    test_backends_agree.hypothesis.inner_test(inst)


def _grow(inst, what: str, plot_i: int, amount: float):
    if what == "grid":
        s = inst.substations.copy()
        s["available_mw"] = s["available_mw"] + amount
        return inst.replace_tables(substations=s)
    if what == "nitrogen":
        n = inst.nature_areas.copy()
        n["headroom_mol"] = n["headroom_mol"] + amount
        return inst.replace_tables(nature_areas=n)
    p = inst.plots.copy()
    transform = set(inst.terrains.loc[inst.terrains["status"] == "transform", "terrain_id"])
    i = plot_i % len(p)
    if p.loc[i, "terrain_id"] in transform:  # more capacity there would be more space lost
        return None
    col = "floor_capacity_m2" if what == "floor" else "intensify_extra_m2"
    p.loc[i, col] = p.loc[i, col] + amount
    return inst.replace_tables(plots=p)


@settings(max_examples=60, **SETTINGS)
@given(tiny_instances(), st.sampled_from(["grid", "nitrogen", "floor", "extra"]), st.integers(0, 3),
       st.sampled_from([1.0, 5.0, 20.0]))
def test_more_capacity_never_lowers_the_optimum(inst, what, plot_i, amount):
    bigger = _grow(inst, what, plot_i, amount)
    if bigger is None:
        return
    before, after = optimum(inst), optimum(bigger)
    if before is not None:
        assert after is not None and after >= before - 1e-6


@settings(max_examples=60, **SETTINGS)
@given(tiny_instances(), st.integers(0, 3))
def test_removing_an_optional_firm_never_raises_the_optimum(inst, k):
    firms = inst.firms
    optional = firms.index[~firms["must_place"]]
    if len(optional) == 0 or len(firms) < 2:
        return
    drop = firms.loc[optional[k % len(optional)], "firm_id"]
    pairs = None if inst.pairs is None else inst.pairs[inst.pairs["firm_id"] != drop]
    smaller = inst.replace_tables(firms=firms[firms["firm_id"] != drop].reset_index(drop=True), pairs=pairs)
    before, after = optimum(inst), optimum(smaller)
    if after is not None:
        assert before is not None and before >= after - 1e-6
