"""One hand-built instance per rule of spec sections 2-5, each with its optimum derived by hand.

Every test runs on both backends and every solution goes through the verifier.
"""

from __future__ import annotations

import pytest

import revopt
from builders import make
from conftest import solve_verified

BACKENDS = ["highs", "pyomo"]


def opt(inst, backend, expected, **kw):
    res = solve_verified(inst, backend=backend, gap=0.0, **kw)
    assert res.status == revopt.Status.OPTIMAL, res.message
    assert res.objective == pytest.approx(expected, abs=1e-6)
    return res


def placed(res) -> dict:
    a = res.assignments
    return dict(zip(a["firm_id"], a["plot_id"]))


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


# ---- section 2: candidate rules -------------------------------------------------------------

def test_rule1_transform_plot_is_never_a_candidate(backend):
    inst = make([dict(firm_id="F")], [dict(plot_id="P", terrain_id="X", current_werkmilieu="productie")],
                terrains=[dict(terrain_id="X", status="transform")],
                params={"compensation": {"ratio": 0.0}})
    res = opt(inst, backend, 0.0)
    assert placed(res) == {"F": ""}
    assert res.exclusions.set_index("firm_id").loc["F", "transform"] == 1


@pytest.mark.parametrize("max_cat,expected", [("3.2", 0.0), ("4.1", 100.0), ("6.0", 100.0)])
def test_rule2_category(backend, max_cat, expected):
    inst = make([dict(firm_id="F", category="4.1")], [dict(plot_id="P", max_category=max_cat)],
                params={"policy": {"industrial_reserved": False}})
    opt(inst, backend, expected)


@pytest.mark.parametrize("quay,expected", [(False, 0.0), (True, 100.0)])
def test_rule3_water_bound_needs_quay(backend, quay, expected):
    inst = make([dict(firm_id="F", water_bound=True)], [dict(plot_id="P", quay=quay)])
    opt(inst, backend, expected)


@pytest.mark.parametrize("extra,expected", [(0.0, 0.0), (19.0, 0.0), (20.0, 100.0 - 7.0)])
def test_rule4_floor_fits_with_intensification(backend, extra, expected):
    # 120 m2 firm on an 100 m2 plot: only with 20 m2 intensification (cost 7)
    inst = make([dict(firm_id="F", floor_space_m2=120.0)],
                [dict(plot_id="P", intensify_extra_m2=extra, intensify_cost_eur=7.0)])
    res = opt(inst, backend, expected)
    assert bool(res.designations.set_index("plot_id").loc["P", "intensified"]) == (expected > 0)


@pytest.mark.parametrize("x,expected", [(1000.0, 100.0 - 5.0), (1000.5, 0.0)])
def test_rule5_max_move_km(backend, x, expected):
    # current plot at the origin, the other plot 1.0 (allowed) or 1.0005 km away; staying is impossible
    inst = make([dict(firm_id="F", current_plot="Here", max_move_km=1.0, relocation_cost_eur=5.0)],
                [dict(plot_id="Here", terrain_id="X", current_werkmilieu="productie"),
                 dict(plot_id="There", x=x)],
                terrains=[dict(terrain_id="T", status="existing"), dict(terrain_id="X", status="transform")],
                params={"compensation": {"ratio": 0.0}})
    opt(inst, backend, expected)


@pytest.mark.parametrize("firm_wm,plot_wm,cat,expected", [
    ("innovatie", "productie", "1", 0.0),        # no common werkmilieu
    ("stedelijk", "stedelijk", "3.1", 0.0),      # stedelijk allows up to category 2
    ("stedelijk", "stedelijk", "2", 100.0),
    ("innovatie;productie", "innovatie", "3.2", 100.0),
])
def test_rule6_compatible_werkmilieus(backend, firm_wm, plot_wm, cat, expected):
    inst = make([dict(firm_id="F", werkmilieus=firm_wm, category=cat)], [dict(plot_id="P", werkmilieus=plot_wm)])
    opt(inst, backend, expected)


@pytest.mark.parametrize("reserved,water,cat,expected", [
    (True, False, "3.1", 0.0),    # light firm kept off industrial ground
    (True, False, "4.1", 100.0),  # at industrial_min_category
    (True, True, "3.1", 100.0),   # water-bound firms may use it
    (False, False, "3.1", 100.0),
])
def test_rule6_industrial_reserved(backend, reserved, water, cat, expected):
    inst = make([dict(firm_id="F", werkmilieus="industrieel", category=cat, water_bound=water)],
                [dict(plot_id="P", werkmilieus="industrieel", quay=True)],
                params={"policy": {"industrial_reserved": reserved}})
    opt(inst, backend, expected)


def test_rule7_pairs_file_limits_and_overrides(backend):
    # F1 fits both plots but only (F1, P2) is listed, with value 300 and floor 150 (P2 holds 200)
    inst = make([dict(firm_id="F1"), dict(firm_id="F2", value_added_eur=40.0)],
                [dict(plot_id="P1"), dict(plot_id="P2", floor_capacity_m2=200.0)],
                pairs=[dict(firm_id="F1", plot_id="P2", value_added_eur=300.0, floor_space_m2=150.0),
                       dict(firm_id="F2", plot_id="P2", value_added_eur="", floor_space_m2="")])
    res = opt(inst, backend, 300.0)  # F2 (100 m2) no longer fits next to F1's 150 m2
    assert placed(res) == {"F1": "P2", "F2": ""}


# ---- section 3: constraints ---------------------------------------------------------------

def test_c1_must_place_even_at_a_loss(backend):
    inst = make([dict(firm_id="F", value_added_eur=10.0, current_plot="Old", relocation_cost_eur=50.0,
                      must_place=True)],
                [dict(plot_id="Old", terrain_id="X", current_werkmilieu="productie"), dict(plot_id="New")],
                terrains=[dict(terrain_id="T", status="existing"), dict(terrain_id="X", status="transform")],
                params={"compensation": {"ratio": 0.0}})
    opt(inst, backend, -40.0)


def test_c1_must_place_without_candidate_is_infeasible(backend):
    inst = make([dict(firm_id="F", category="5.1", must_place=True)], [dict(plot_id="P", max_category="4.2")])
    res = revopt.solve(inst, backend=backend)
    assert res.status == revopt.Status.INFEASIBLE
    assert "F" in res.reasons[0] and "category excludes 1 of 1" in res.reasons[0]


def test_c1_each_firm_once(backend):
    inst = make([dict(firm_id="F")], [dict(plot_id="P1"), dict(plot_id="P2")])
    res = opt(inst, backend, 100.0)
    assert res.kpis["firms"]["placed"] == 1


@pytest.mark.parametrize("cost,expected", [(30.0, 70.0), (150.0, 0.0)])
def test_c2_planned_terrain_must_be_developed(backend, cost, expected):
    inst = make([dict(firm_id="F")], [dict(plot_id="P", terrain_id="N")],
                terrains=[dict(terrain_id="N", status="planned", development_cost_eur=cost)])
    res = opt(inst, backend, expected)
    assert bool(res.developed.set_index("terrain_id").loc["N", "developed"]) == (expected > 0)


def test_c2_c3_one_designation_per_plot(backend):
    # both firms fit the plot's floor together but need different werkmilieus
    inst = make([dict(firm_id="A", werkmilieus="innovatie", floor_space_m2=40.0, value_added_eur=70.0),
                 dict(firm_id="B", werkmilieus="productie", floor_space_m2=40.0, value_added_eur=60.0)],
                [dict(plot_id="P", werkmilieus="innovatie;productie")])
    res = opt(inst, backend, 70.0)
    assert res.designations.set_index("plot_id").loc["P", "werkmilieu"] == "innovatie"


@pytest.mark.parametrize("icost,expected", [(5.0, 115.0), (50.0, 100.0)])
def test_c4_floor_space_and_intensification(backend, icost, expected):
    # two 60 m2 firms (values 60 and 40... value 100 and 20) on 100 m2; +20 m2 intensification costs icost
    inst = make([dict(firm_id="A", floor_space_m2=60.0, value_added_eur=100.0),
                 dict(firm_id="B", floor_space_m2=60.0, value_added_eur=20.0)],
                [dict(plot_id="P", intensify_extra_m2=20.0, intensify_cost_eur=icost)])
    opt(inst, backend, expected)


def test_c5_grid_capacity(backend):
    inst = make([dict(firm_id="A", grid_mw=3.0, value_added_eur=50.0, floor_space_m2=10.0),
                 dict(firm_id="B", grid_mw=3.0, value_added_eur=40.0, floor_space_m2=10.0),
                 dict(firm_id="C", grid_mw=2.0, value_added_eur=30.0, floor_space_m2=10.0)],
                [dict(plot_id="P")], substations=[dict(substation_id="S", available_mw=5.0)])
    res = opt(inst, backend, 80.0)  # A + C (5 MW); A + B would need 6
    assert res.kpis["grid"]["S"]["used_mw"] == pytest.approx(5.0)


def test_c6_nitrogen_headroom(backend):
    # deposition 2 mol/kg from P1, 0.5 from P2; headroom 100 mol
    inst = make([dict(firm_id="A", nitrogen_kg=40.0, value_added_eur=90.0),
                 dict(firm_id="B", nitrogen_kg=40.0, value_added_eur=80.0)],
                [dict(plot_id="P1"), dict(plot_id="P2", werkmilieus="innovatie")],
                areas=[dict(area_id="N", headroom_mol=100.0)],
                deposition=[dict(plot_id="P1", area_id="N", mol_per_kg=2.0),
                            dict(plot_id="P2", area_id="N", mol_per_kg=0.5)])
    # only P1 fits productie firms -> one of them: 80 mol; both on P1 impossible (floor) anyway.
    res = opt(inst, backend, 90.0)
    assert res.kpis["nitrogen"]["N"]["used_mol"] == pytest.approx(80.0)
    inst2 = make([dict(firm_id="A", nitrogen_kg=60.0, value_added_eur=90.0)], [dict(plot_id="P1")],
                 areas=[dict(area_id="N", headroom_mol=100.0)],
                 deposition=[dict(plot_id="P1", area_id="N", mol_per_kg=2.0)])
    opt(inst2, backend, 0.0)  # 120 mol > 100


def _compensation_case(per_wm: bool, planned_wm: str, radius: float = 15.0):
    return make([dict(firm_id="F", value_added_eur=10.0, werkmilieus="innovatie", floor_space_m2=10.0)],
                [dict(plot_id="X1", terrain_id="X", floor_capacity_m2=50.0, current_werkmilieu="productie"),
                 dict(plot_id="N1", terrain_id="N", floor_capacity_m2=80.0, x=3000.0, werkmilieus=planned_wm)],
                terrains=[dict(terrain_id="X", status="transform"),
                          dict(terrain_id="N", status="planned", development_cost_eur=25.0)],
                params={"compensation": {"per_werkmilieu": per_wm, "radius_km": radius}})


def test_c7_compensation_forces_new_space(backend):
    # 50 m2 productie lost -> N must be developed and designated productie (cost 25); F (innovatie) is not placed
    res = opt(_compensation_case(True, "productie;innovatie"), backend, -25.0)
    comp = res.compensation
    assert list(comp["class"]) == ["productie"] and comp["floor_m2"].sum() == pytest.approx(50.0)


def test_c7_pooled_class_lets_any_designation_count(backend):
    res = opt(_compensation_case(False, "productie;innovatie"), backend, 10.0 - 25.0)
    assert list(res.compensation["class"]) == ["pooled"]


@pytest.mark.parametrize("per_wm,wm,radius", [(True, "innovatie", 15.0), (True, "productie", 2.9)])
def test_c7_no_space_of_the_class_or_in_range_is_infeasible(backend, per_wm, wm, radius):
    res = revopt.solve(_compensation_case(per_wm, wm, radius), backend=backend)
    assert res.status == revopt.Status.INFEASIBLE
    assert res.reasons and res.reasons[0].startswith("C7: terrain X")


def test_c7_credit_is_a_flow_not_a_copy(backend):
    # two terrains each lose 50 m2; one planned plot of 80 m2 cannot serve both; intensifying E adds 30
    inst = make([dict(firm_id="F", value_added_eur=1.0, floor_space_m2=1.0)],
                [dict(plot_id="A1", terrain_id="A", floor_capacity_m2=50.0, current_werkmilieu="productie"),
                 dict(plot_id="B1", terrain_id="B", floor_capacity_m2=50.0, current_werkmilieu="productie"),
                 dict(plot_id="N1", terrain_id="N", floor_capacity_m2=80.0),
                 dict(plot_id="E1", terrain_id="E", intensify_extra_m2=30.0, intensify_cost_eur=4.0)],
                terrains=[dict(terrain_id="A", status="transform"), dict(terrain_id="B", status="transform"),
                          dict(terrain_id="N", status="planned", development_cost_eur=10.0),
                          dict(terrain_id="E", status="existing")])
    res = opt(inst, backend, 1.0 - 10.0 - 4.0)
    assert res.compensation.groupby("plot_id")["floor_m2"].sum().to_dict() == pytest.approx({"N1": 80.0, "E1": 20.0})
    res2 = revopt.solve(inst.with_params(compensation={"ratio": 1.2}), backend=backend)  # needs 120 > 110
    assert res2.status == revopt.Status.INFEASIBLE


# ---- section 5: objective terms -------------------------------------------------------------

def test_objective_relocation_cost_and_staying(backend):
    # the firm sits on Old (value there 100 x 1 year); New is better only if the move pays
    inst = make([dict(firm_id="F", current_plot="Old", relocation_cost_eur=30.0)],
                [dict(plot_id="Old"), dict(plot_id="New")],
                pairs=[dict(firm_id="F", plot_id="Old"), dict(firm_id="F", plot_id="New", value_added_eur=120.0)])
    res = opt(inst, backend, 100.0)
    assert placed(res) == {"F": "Old"}
    assert res.kpis["firms"]["kept"] == 1
    res = opt(inst.with_params(objective={"value_years": 2.0}), backend, 240.0 - 30.0)
    assert placed(res) == {"F": "New"} and res.kpis["firms"]["moved"] == 1


def test_objective_quay_and_category_misuse(backend):
    # 100 m2 light firm (category 1): quay plot max 6 vs dry plot max 2
    inst = make([dict(firm_id="F")],
                [dict(plot_id="Quay", quay=True, max_category="6"), dict(plot_id="Dry", max_category="2")],
                params={"objective": {"quay_misuse_eur_per_m2": 0.1, "category_misuse_eur_per_m2": 0.05}})
    # Quay: 100 - 0.1*100 - 0.05*100*9 = 45; Dry: 100 - 0.05*100*1 = 95
    res = opt(inst, backend, 95.0)
    assert placed(res) == {"F": "Dry"}


def test_displaced_firm_loses_its_value(backend):
    inst = make([dict(firm_id="F", current_plot="P", value_added_eur=100.0),
                 dict(firm_id="G", value_added_eur=150.0)], [dict(plot_id="P")])
    res = opt(inst, backend, 150.0)
    assert res.kpis["firms"]["displaced"] == 1
