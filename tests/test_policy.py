"""One hand-built instance per policy rule of spec section 9, each with its optimum derived by hand,
on both backends (every solution goes through the verifier); the presolve checks of these rules; the
policy KPIs.

Defaults of tests/builders.py: one existing terrain T, plots of 100 m2 (productie, category up to 6),
firms of 100 m2 worth 100 a year (productie, category 1), value_years 1.
"""

from __future__ import annotations

import pytest

import revopt
from builders import make
from conftest import solve_verified
from test_rules import opt, placed

BACKENDS = ["highs", "pyomo"]


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def designation(res, plot: str) -> str:
    return res.designations.set_index("plot_id").loc[plot, "werkmilieu"]


def infeasible(inst, backend, *fragments):
    res = revopt.solve(inst, backend=backend)
    assert res.status == revopt.Status.INFEASIBLE, res.message
    assert res.reasons, "expected a presolve reason"
    text = " | ".join(res.reasons)
    for f in fragments:
        assert f in text, f"{f!r} not in {text!r}"
    return res


# ---- C9 regional claims ------------------------------------------------------------------------------

def _claim_case(claims, **kw):
    # two plots in region R that may be productie or innovatie; two innovatie firms worth 100 and 90
    return make([dict(firm_id="A", werkmilieus="innovatie", value_added_eur=100.0),
                 dict(firm_id="B", werkmilieus="innovatie", value_added_eur=90.0)],
                [dict(plot_id="P1", werkmilieus="productie;innovatie"),
                 dict(plot_id="P2", werkmilieus="productie;innovatie", floor_capacity_m2=120.0)],
                terrains=[dict(terrain_id="T", status="existing", region="R")], claims=claims, **kw)


def test_c9_without_claims_both_plots_go_innovatie(backend):
    res = opt(_claim_case(None), backend, 190.0)
    assert res.kpis["claims"] == {}


def test_c9_claim_minimum_reserves_a_plot_for_productie(backend):
    # 100 m2 of productie needed: one plot goes productie (empty), the better firm keeps the other
    res = opt(_claim_case([dict(region="R", werkmilieu="productie", min_floor_m2=100.0, max_floor_m2="")]),
              backend, 100.0)
    assert placed(res)["A"] and not placed(res)["B"]
    k = res.kpis["claims"]["R"]["productie"]
    assert k["met"] and k["slack_min_m2"] >= 0 and k["max_floor_m2"] is None


def test_c9_claim_minimum_takes_the_larger_plot_when_needed(backend):
    # 110 m2 of productie: only P2 (120 m2) is large enough alone
    res = opt(_claim_case([dict(region="R", werkmilieu="productie", min_floor_m2=110.0, max_floor_m2="")]),
              backend, 100.0)
    assert designation(res, "P2") == "productie" and placed(res) == {"A": "P1", "B": ""}
    assert res.kpis["claims"]["R"]["productie"]["slack_min_m2"] == pytest.approx(10.0)


def test_c9_claim_maximum_caps_a_werkmilieu(backend):
    # at most 110 m2 innovatie: P1 (100) may be innovatie, P2 (120) may not
    res = opt(_claim_case([dict(region="R", werkmilieu="innovatie", min_floor_m2="", max_floor_m2=110.0)]),
              backend, 100.0)
    assert designation(res, "P1") == "innovatie" and designation(res, "P2") == ""
    k = res.kpis["claims"]["R"]["innovatie"]
    assert k["designated_m2"] == 100.0 and k["slack_max_m2"] == pytest.approx(10.0) and k["met"]


def test_c9_claim_of_another_region_changes_nothing(backend):
    inst = make([dict(firm_id="A", werkmilieus="innovatie")],
                [dict(plot_id="P1", werkmilieus="productie;innovatie"),
                 dict(plot_id="Q1", terrain_id="U", werkmilieus="productie")],
                terrains=[dict(terrain_id="T", status="existing", region="R"),
                          dict(terrain_id="U", status="existing", region="S")],
                claims=[dict(region="S", werkmilieu="productie", min_floor_m2=100.0, max_floor_m2=100.0)])
    res = opt(inst, backend, 100.0)
    assert designation(res, "P1") == "innovatie" and designation(res, "Q1") == "productie"


def test_c9_claim_counts_a_planned_plot_only_when_developed(backend):
    # the only productie room of region R is on planned terrain N (cost 30): the claim forces its development
    inst = make([dict(firm_id="A", werkmilieus="innovatie")],
                [dict(plot_id="P1", werkmilieus="innovatie"), dict(plot_id="N1", terrain_id="N")],
                terrains=[dict(terrain_id="T", status="existing", region="R"),
                          dict(terrain_id="N", status="planned", region="R", development_cost_eur=30.0)],
                claims=[dict(region="R", werkmilieu="productie", min_floor_m2=50.0, max_floor_m2="")])
    res = opt(inst, backend, 100.0 - 30.0)
    assert bool(res.developed.set_index("terrain_id").loc["N", "developed"])
    assert designation(res, "N1") == "productie"


def test_c9_claim_met_with_slack_on_both_sides(backend):
    res = opt(_claim_case([dict(region="R", werkmilieu="innovatie", min_floor_m2=50.0, max_floor_m2=500.0)]),
              backend, 190.0)
    k = res.kpis["claims"]["R"]["innovatie"]
    assert k == {"designated_m2": 220.0, "min_floor_m2": 50.0, "max_floor_m2": 500.0,
                 "slack_min_m2": 170.0, "slack_max_m2": 280.0, "met": True}


# ---- C10 lifecycle targets ---------------------------------------------------------------------------

def _lifecycle_case(targets):
    # P in region R (100 m2), Q in region S (50 m2); M (mkb, 100 m2, 100) and St (startup, 50 m2, 10)
    return make([dict(firm_id="M", lifecycle="mkb"),
                 dict(firm_id="St", lifecycle="startup", floor_space_m2=50.0, value_added_eur=10.0)],
                [dict(plot_id="P"), dict(plot_id="Q", terrain_id="U", floor_capacity_m2=50.0)],
                terrains=[dict(terrain_id="T", status="existing", region="R"),
                          dict(terrain_id="U", status="existing", region="S")],
                lifecycle_targets=targets)


def test_c10_without_target_the_startup_goes_elsewhere(backend):
    res = opt(_lifecycle_case(None), backend, 110.0)
    assert placed(res) == {"M": "P", "St": "Q"}


def test_c10_target_keeps_room_for_startups_in_the_region(backend):
    res = opt(_lifecycle_case([dict(region="R", lifecycle="startup", min_placed_m2=50.0)]), backend, 10.0)
    assert placed(res) == {"M": "", "St": "P"}
    k = res.kpis["lifecycle_targets"]["R"]["startup"]
    assert k == {"placed_m2": 50.0, "min_placed_m2": 50.0, "slack_m2": 0.0, "met": True}


def test_c10_target_met_elsewhere_costs_nothing(backend):
    res = opt(_lifecycle_case([dict(region="S", lifecycle="startup", min_placed_m2=40.0),
                               dict(region="R", lifecycle="large", min_placed_m2=0.0)]), backend, 110.0)
    assert res.kpis["lifecycle_targets"]["S"]["startup"]["slack_m2"] == pytest.approx(10.0)
    assert res.kpis["lifecycle_targets"]["R"]["large"]["met"]


def test_c10_counts_the_pair_floor_override(backend):
    # in pairs.csv the startup needs 80 m2 on P: with M there, the target of 60 m2 forces M out
    inst = make([dict(firm_id="M", lifecycle="mkb", floor_space_m2=30.0),
                 dict(firm_id="St", lifecycle="startup", floor_space_m2=50.0, value_added_eur=10.0)],
                [dict(plot_id="P")],
                terrains=[dict(terrain_id="T", status="existing", region="R")],
                pairs=[dict(firm_id="M", plot_id="P"), dict(firm_id="St", plot_id="P", floor_space_m2=80.0)],
                lifecycle_targets=[dict(region="R", lifecycle="startup", min_placed_m2=60.0)])
    res = opt(inst, backend, 10.0)
    assert res.kpis["lifecycle_targets"]["R"]["startup"]["placed_m2"] == 80.0


def test_c10_target_above_all_firms_of_the_stage_is_infeasible_before_solving(backend):
    inst = _lifecycle_case([dict(region="R", lifecycle="startup", min_placed_m2=60.0)])
    infeasible(inst, backend, "C10: region R needs at least 60 m2 placed by startup firms",
               "the 1 startup firms with a candidate plot there need at most 50 m2")


def test_c10_target_above_the_regions_plots_is_infeasible_before_solving(backend):
    inst = make([dict(firm_id=f"S{i}", lifecycle="startup") for i in range(3)], [dict(plot_id="P")],
                terrains=[dict(terrain_id="T", status="existing", region="R")],
                lifecycle_targets=[dict(region="R", lifecycle="startup", min_placed_m2=250.0)])
    infeasible(inst, backend, "its plots hold at most 100 m2 even intensified")


def test_c10_infeasible_without_presolve_proof_is_found_by_the_solver(backend):
    # two startups of 60 m2 and plots of 100 m2 and 50 m2: each firm fits one plot (reach 120 >= 110,
    # plots 150 >= 110), but both cannot be placed together in R (only P holds 60 m2)
    inst = make([dict(firm_id="A", lifecycle="startup", floor_space_m2=60.0),
                 dict(firm_id="B", lifecycle="startup", floor_space_m2=60.0)],
                [dict(plot_id="P"), dict(plot_id="Q", floor_capacity_m2=50.0, intensify_extra_m2=10.0)],
                terrains=[dict(terrain_id="T", status="existing", region="R")],
                lifecycle_targets=[dict(region="R", lifecycle="startup", min_placed_m2=110.0)])
    res = solve_verified(inst, backend=backend)
    assert res.objective is not None or res.status == revopt.Status.INFEASIBLE
    # Q can be intensified to 60 m2, so both fit: optimum 200 - 0 (intensify cost 0)
    assert res.status == revopt.Status.OPTIMAL and res.objective == pytest.approx(200.0)
    tight = make([dict(firm_id="A", lifecycle="startup", floor_space_m2=60.0),
                  dict(firm_id="B", lifecycle="startup", floor_space_m2=60.0)],
                 [dict(plot_id="P"), dict(plot_id="Q", floor_capacity_m2=50.0, intensify_extra_m2=5.0)],
                 terrains=[dict(terrain_id="T", status="existing", region="R")],
                 lifecycle_targets=[dict(region="R", lifecycle="startup", min_placed_m2=110.0)])
    res = revopt.solve(tight, backend=backend)
    assert res.status == revopt.Status.INFEASIBLE and res.reasons == []


# ---- locked firms ------------------------------------------------------------------------------------

def _locked_case(locked: bool):
    # F sits on P (worth 10); G (worth 100) wants the same plot, the only one
    return make([dict(firm_id="F", value_added_eur=10.0, current_plot="P", locked=locked),
                 dict(firm_id="G")], [dict(plot_id="P")])


def test_locked_firm_stays_even_when_another_is_worth_more(backend):
    assert placed(opt(_locked_case(False), backend, 100.0)) == {"F": "", "G": "P"}
    res = opt(_locked_case(True), backend, 10.0)
    assert placed(res) == {"F": "P", "G": ""} and res.kpis["firms"]["kept"] == 1


def test_locked_firm_does_not_move_to_a_better_plot(backend):
    inst = make([dict(firm_id="F", current_plot="P", locked=True, relocation_cost_eur=1.0)],
                [dict(plot_id="P"), dict(plot_id="Q")],
                pairs=[dict(firm_id="F", plot_id="P"), dict(firm_id="F", plot_id="Q", value_added_eur=500.0)])
    res = opt(inst, backend, 100.0)
    assert placed(res) == {"F": "P"}


def test_locked_firms_that_overfill_their_plot_are_infeasible_before_solving(backend):
    inst = make([dict(firm_id="F1", current_plot="P", locked=True, floor_space_m2=60.0),
                 dict(firm_id="F2", current_plot="P", locked=True, floor_space_m2=60.0)],
                [dict(plot_id="P", intensify_extra_m2=10.0)])
    infeasible(inst, backend, "locked: firms F1, F2 are locked on plot P and need 120 m2; it holds 110 m2")


def test_locked_firms_without_a_common_werkmilieu_are_infeasible_before_solving(backend):
    inst = make([dict(firm_id="F1", current_plot="P", locked=True, floor_space_m2=50.0, werkmilieus="innovatie"),
                 dict(firm_id="F2", current_plot="P", locked=True, floor_space_m2=50.0)],
                [dict(plot_id="P", werkmilieus="productie;innovatie")])
    infeasible(inst, backend, "locked: no werkmilieu suits all firms locked on plot P (F1, F2)")
    inst2 = make([dict(firm_id="F1", current_plot="P", locked=True, werkmilieus="innovatie")],
                 [dict(plot_id="P", werkmilieus="productie;innovatie", locked_werkmilieu="productie")])
    infeasible(inst2, backend, "and its locked werkmilieu productie")


def test_locked_firms_above_grid_or_noise_are_infeasible_before_solving(backend):
    inst = make([dict(firm_id="F1", current_plot="P", locked=True, floor_space_m2=50.0, grid_mw=3.0, noise_use=2.0),
                 dict(firm_id="F2", current_plot="Q", locked=True, floor_space_m2=50.0, grid_mw=3.0, noise_use=2.0)],
                [dict(plot_id="P"), dict(plot_id="Q")],
                terrains=[dict(terrain_id="T", status="existing", noise_budget=3.0)],
                substations=[dict(substation_id="S", available_mw=5.0)])
    infeasible(inst, backend, "C5: firms locked behind substation S need 6 MW; 5 MW is available",
               "C11: firms locked on terrain T use 4 noise units; its noise budget is 3")


# ---- locked designations -----------------------------------------------------------------------------

def test_locked_werkmilieu_is_kept_even_when_another_pays(backend):
    firms = [dict(firm_id="A", werkmilieus="innovatie"), dict(firm_id="B", value_added_eur=50.0)]
    free = make(firms, [dict(plot_id="P", werkmilieus="productie;innovatie")])
    assert designation(opt(free, backend, 100.0), "P") == "innovatie"
    locked = make(firms, [dict(plot_id="P", werkmilieus="productie;innovatie", locked_werkmilieu="productie")])
    res = opt(locked, backend, 50.0)
    assert designation(res, "P") == "productie" and placed(res) == {"A": "", "B": "P"}


def test_locked_werkmilieu_on_a_planned_terrain_forces_development(backend):
    inst = make([dict(firm_id="A", value_added_eur=10.0)],
                [dict(plot_id="P"), dict(plot_id="N1", terrain_id="N", locked_werkmilieu="productie")],
                terrains=[dict(terrain_id="T", status="existing"),
                          dict(terrain_id="N", status="planned", development_cost_eur=30.0)])
    res = opt(inst, backend, 10.0 - 30.0)
    assert designation(res, "N1") == "productie"


def test_locked_werkmilieu_and_claim_maximum_clash_before_solving(backend):
    inst = make([dict(firm_id="A")], [dict(plot_id="P1", locked_werkmilieu="productie"),
                                      dict(plot_id="P2", locked_werkmilieu="productie")],
                terrains=[dict(terrain_id="T", status="existing", region="R")],
                claims=[dict(region="R", werkmilieu="productie", min_floor_m2="", max_floor_m2=150.0)])
    infeasible(inst, backend, "C9: claim (R, productie) allows at most 150 m2 designated productie",
               "(P1, P2) already hold 200 m2")


def test_claim_minimum_out_of_reach_once_plots_are_locked_elsewhere(backend):
    inst = make([dict(firm_id="A")],
                [dict(plot_id="P1", werkmilieus="productie;innovatie", locked_werkmilieu="innovatie"),
                 dict(plot_id="P2", werkmilieus="productie;innovatie")],
                terrains=[dict(terrain_id="T", status="existing", region="R")],
                claims=[dict(region="R", werkmilieu="productie", min_floor_m2=150.0, max_floor_m2="")])
    infeasible(inst, backend, "C9: claim (R, productie) needs at least 150 m2 designated productie",
               "hold 100 m2 once the 1 plots locked to another werkmilieu (100 m2) are left out")


# ---- min_category ----------------------------------------------------------------------------------

@pytest.mark.parametrize("min_cat,expected", [("", 100.0), ("4.1", 60.0), ("4.2", 0.0)])
def test_min_category_keeps_light_firms_off_heavy_terrain(backend, min_cat, expected):
    inst = make([dict(firm_id="Light", category="2"),
                 dict(firm_id="Heavy", category="4.1", value_added_eur=60.0)], [dict(plot_id="P")],
                terrains=[dict(terrain_id="T", status="existing", min_category=min_cat)])
    res = opt(inst, backend, expected)
    ex = res.exclusions.set_index("firm_id")["min_category"].to_dict()
    assert ex == {"Light": int(min_cat != ""), "Heavy": int(min_cat == "4.2")}


# ---- sector restrictions -----------------------------------------------------------------------------

@pytest.mark.parametrize("allowed,expected", [(None, 100.0), ("E", 30.0), ("E;T", 100.0)])
def test_restricted_sector_only_on_listed_terrains(backend, allowed, expected):
    # D (hyperscale, 100 m2) fits only P on terrain T; E's plot is too small for it
    inst = make([dict(firm_id="D", sector="hyperscale"), dict(firm_id="G", sector="logistiek", value_added_eur=30.0)],
                [dict(plot_id="P"), dict(plot_id="Q", terrain_id="E", floor_capacity_m2=50.0)],
                terrains=[dict(terrain_id="T", status="existing"), dict(terrain_id="E", status="existing")],
                restrictions=None if allowed is None else [dict(sector="hyperscale", terrain_ids=allowed)])
    res = opt(inst, backend, expected)
    ex = res.exclusions.set_index("firm_id")["restriction"].to_dict()
    assert ex == {"D": 1 if allowed == "E" else 0, "G": 0}


# ---- C11 noise ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("budget,expected", [("", 210.0), (5.0, 120.0), (2.0, 20.0), (0.0, 0.0)])
def test_c11_noise_budget_shared_on_a_terrain(backend, budget, expected):
    inst = make([dict(firm_id="A", noise_use=3.0, floor_space_m2=10.0),
                 dict(firm_id="B", noise_use=3.0, floor_space_m2=10.0, value_added_eur=90.0),
                 dict(firm_id="C", noise_use=2.0, floor_space_m2=10.0, value_added_eur=20.0)],
                [dict(plot_id="P")], terrains=[dict(terrain_id="T", status="existing", noise_budget=budget)])
    res = opt(inst, backend, expected)
    if budget != "":
        assert res.kpis["noise"]["T"]["budget"] == budget
        assert res.kpis["noise"]["T"]["used"] <= budget
    else:
        assert res.kpis["noise"] == {}


def test_c11_budget_of_one_terrain_does_not_touch_another(backend):
    inst = make([dict(firm_id="A", noise_use=3.0), dict(firm_id="B", noise_use=3.0, value_added_eur=90.0)],
                [dict(plot_id="P"), dict(plot_id="Q", terrain_id="U")],
                terrains=[dict(terrain_id="T", status="existing", noise_budget=3.0),
                          dict(terrain_id="U", status="existing")])
    res = opt(inst, backend, 190.0)
    assert res.kpis["noise"] == {"T": {"used": 3.0, "budget": 3.0}}


# ---- all rules at once: the model names the rows ---------------------------------------------------

def test_every_policy_family_is_a_named_block_in_both_backends():
    from revopt.model.build import build_model
    from revopt.solve.pyomo_backend import build_pyomo

    inst = make([dict(firm_id="A", lifecycle="startup", noise_use=1.0, category="4.1", sector="dc"),
                 dict(firm_id="B", current_plot="P1", locked=True)],
                [dict(plot_id="P1", werkmilieus="productie;innovatie", locked_werkmilieu="productie"),
                 dict(plot_id="P2", terrain_id="U")],
                terrains=[dict(terrain_id="T", status="existing", region="R"),
                          dict(terrain_id="U", status="existing", region="R", min_category="2", noise_budget=4)],
                claims=[dict(region="R", werkmilieu="productie", min_floor_m2=100, max_floor_m2="")],
                lifecycle_targets=[dict(region="R", lifecycle="startup", min_placed_m2=50)],
                restrictions=[dict(sector="dc", terrain_ids="U")],
                params={"policy": {"industrial_reserved": False}})
    lay, lm = build_model(inst)
    names = {"C9_claim": 1, "C10_lifecycle": 1, "C11_noise": 1, "locked_firm": 1, "locked_werkmilieu": 1}
    assert {n: len(lm.rows_of(n)) for n in names} == names
    m = build_pyomo(inst, lay, lm)
    assert ("R", "productie") in m.C9_claim and ("R", "startup") in m.C10_lifecycle
    assert "U" in m.C11_noise and "B" in m.locked_firm and "P1" in m.locked_werkmilieu
    for backend in BACKENDS:
        res = opt(inst, backend, 200.0)
        assert placed(res) == {"A": "P2", "B": "P1"}


# ---- through the command line ------------------------------------------------------------------------

def test_cli_presolve_infeasible_lifecycle_target_exits_3_with_numbers(tmp_path, capsys):
    import json
    import shutil

    from conftest import INSTANCES
    from revopt.cli import main

    d = tmp_path / "inst"
    shutil.copytree(INSTANCES / "tiny", d)
    (d / "lifecycle_targets.csv").write_text("region,lifecycle,min_placed_m2\nOost,scaleup,9000\n")
    rc = main(["solve", str(d), "--out", str(tmp_path / "out"), "--quiet"])
    assert rc == 3
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "infeasible"
    assert summary["reasons"] == ["C10: region Oost needs at least 9,000 m2 placed by scaleup firms, but the 1 "
                                  "scaleup firms with a candidate plot there need at most 7,000 m2 together"]
