"""Relocation plans (spec section 8, docs/plans.md): file checks, semantics, reasons, elastic variant."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import revopt
from builders import make
from conftest import solve_verified
from oracle import brute_force
from revopt.cli import main
from revopt.model.candidates import candidate_pairs
from revopt.plans import PlanError, apply_plan, evaluate, firm_reasons, load_plan, plan_from_dict, read_plan
from strategies import tiny_instances

ROOT = Path(__file__).resolve().parents[1]


def town(**kw):
    """Two existing parks A and B and a planned park N (development 50), one region, within 15 km.

    Baseline optimum 2000: F1 on A1, F2 on B1; F3 (value 10) does not pay for opening N."""
    terrains = [dict(terrain_id="A", region="R", status="existing"),
                dict(terrain_id="B", region="R", status="existing"),
                dict(terrain_id="N", region="R", status="planned", development_cost_eur=50.0)]
    plots = [dict(plot_id="A1", terrain_id="A", x=0.0, current_werkmilieu="productie"),
             dict(plot_id="B1", terrain_id="B", x=1000.0, current_werkmilieu="productie"),
             dict(plot_id="N1", terrain_id="N", x=2000.0, floor_capacity_m2=200.0)]
    firms = [dict(firm_id="F1", value_added_eur=1000.0, current_plot="A1", relocation_cost_eur=1.0),
             dict(firm_id="F2", value_added_eur=1000.0, current_plot="B1", relocation_cost_eur=1.0),
             dict(firm_id="F3", value_added_eur=10.0)]
    return make(firms, plots, terrains=terrains, **kw)


def _plot_of(res, f):
    a = res.solution.assignments.set_index("firm_id")["plot_id"]
    return a[f]


def test_baseline_town():
    res = solve_verified(town(), gap=0)
    assert res.objective == pytest.approx(2000.0)
    assert _plot_of(res, "F3") == ""


def test_transform_makes_plots_unavailable_and_counts_lost_space():
    inst = town()
    ev = evaluate(inst, plan_from_dict({"name": "A to housing", "transform": ["A"]}), gap=0)
    assert revopt.verify(ev.planned, ev.result) == []
    # F1 leaves A1 (transformed; relocation 1), N is developed to compensate 100 m2 of productie and takes F1 and F3
    assert ev.result.objective == pytest.approx(2000.0 + 10.0 - 50.0 - 1.0)
    assert _plot_of(ev.result, "F1") == "N1"
    comp = ev.tables["compensation"].set_index("terrain_id")
    assert comp.loc["A", "lost_m2"] == pytest.approx(100.0)
    assert comp.loc["A", "required_m2"] == pytest.approx(100.0)
    assert comp.loc["A", "provided_m2"] == pytest.approx(100.0)
    assert comp.loc["A", "plots"] == "N1:100" and bool(comp.loc["A", "met"]) and bool(comp.loc["A", "in_plan"])
    firms = ev.tables["firms"].set_index("firm_id")
    assert firms.loc["F1", "baseline_state"] == "kept" and firms.loc["F1", "plan_state"] == "moved"
    assert firms.loc["F1", "distance_km"] == pytest.approx(2.0)
    assert ev.works and ev.elastic is None


def test_relocated_firm_cannot_stay():
    ev = evaluate(town(), plan_from_dict({"name": "move F2", "relocate": ["F2"]}), gap=0)
    assert revopt.verify(ev.planned, ev.result) == []
    # cheapest: F1 and F2 swap plots (relocation 1 each) rather than opening N (50)
    assert (_plot_of(ev.result, "F2"), _plot_of(ev.result, "F1")) == ("A1", "B1")
    assert ev.result.objective == pytest.approx(2000.0 - 2.0)
    assert bool(ev.tables["firms"].set_index("firm_id").loc["F2", "relocate"])


def test_develop_forced_and_forbidden_are_honoured():
    forced = evaluate(town(), plan_from_dict({"name": "open N", "develop": ["N"]}), gap=0)
    assert revopt.verify(forced.planned, forced.result) == []
    assert forced.result.developed.set_index("terrain_id").loc["N", "developed"]
    assert forced.result.objective == pytest.approx(2000.0 + 10.0 - 50.0)   # opened anyway: F3 moves in
    closed = evaluate(town(), plan_from_dict({"name": "A to housing, N closed", "transform": ["A"],
                                              "forbid_develop": ["N"]}), gap=0)
    assert closed.result.status == revopt.Status.INFEASIBLE
    assert not closed.works
    assert any("C7" in n for n in closed.notes)
    # what the plan lacks: 100 m2 of compensation for A and room for F1 (B1 is full)
    el = closed.tables["elastic"].set_index(["resource", "id"])
    assert el.loc[("compensation", "A"), "addition"] == pytest.approx(100.0)
    assert el.loc[("compensation", "A"), "class"] == "productie"
    assert el.loc[("floor", "R"), "addition"] == pytest.approx(100.0)
    assert "add 100 m2 of new productie space" in el.loc[("compensation", "A"), "text"]


def test_verifier_catches_a_broken_plan_rule():
    ev = evaluate(town(), plan_from_dict({"name": "move F2", "relocate": ["F2"]}), gap=0)
    sol = ev.result.solution
    bad = sol.assignments.copy()
    bad.loc[bad["firm_id"] == "F2", "plot_id"] = "B1"
    broken = revopt.Solution(assignments=bad, plots=sol.plots, terrains=sol.terrains,
                             compensation=sol.compensation, summary=sol.summary)
    assert any(v.startswith("plan relocate: firm F2") for v in revopt.verify(ev.planned, broken))
    forced = evaluate(town(), plan_from_dict({"name": "open N", "develop": ["N"]}), gap=0)
    s2 = forced.result.solution
    t = s2.terrains.assign(developed=False)
    broken2 = revopt.Solution(assignments=s2.assignments.assign(plot_id=lambda d: d["plot_id"].where(
        d["plot_id"] != "N1", "")), plots=s2.plots.assign(werkmilieu=lambda d: d["werkmilieu"].where(
            d["plot_id"] != "N1", "")), terrains=t, compensation=s2.compensation, summary=None)
    assert any(v.startswith("plan develop: terrain N is forced") for v in revopt.verify(forced.planned, broken2))


def test_empty_plan_changes_nothing():
    inst = town()
    ev = evaluate(inst, plan_from_dict({"name": "nothing"}), gap=0)
    assert ev.result.objective == pytest.approx(ev.baseline.objective)
    h = ev.tables["headline"].set_index("metric")
    assert h.loc["objective", "change"] == pytest.approx(0.0)
    assert ev.works and ev.tables["firms"]["affected"].sum() == 0


def test_objective_change_has_its_certified_interval():
    """plan incumbent - baseline bound <= true change <= plan bound - baseline incumbent; the
    verdict says when the interval contains 0 (cannot tell) and when it does not."""
    from revopt.plans.compare import objective_table
    from revopt.plans.report import _certainty

    def res(obj, bound):
        return revopt.Result("x", revopt.Status.FEASIBLE, obj, bound, None, {}, "highs", None)

    t = objective_table(res(100.0, 110.0), res(104.0, 112.0)).iloc[0]
    assert (t["change"], t["change_low"], t["change_high"], t["decided"]) == (4.0, -6.0, 12.0, False)
    t = objective_table(res(100.0, 101.0), res(104.0, 105.0)).iloc[0]
    assert (t["change_low"], t["change_high"], t["decided"]) == (3.0, 5.0, True)
    t = objective_table(res(100.0, None), res(104.0, 105.0)).iloc[0]
    assert t["change"] == 4.0 and t["decided"] is None
    ev = evaluate(town(), plan_from_dict({"name": "nothing"}), gap=0)
    o = ev.tables["objective"].iloc[0]
    assert o["change_low"] <= o["change"] <= o["change_high"] and o["change"] == pytest.approx(0.0)
    ev.tables["objective"] = objective_table(res(100.0, 110.0), res(104.0, 112.0))
    assert "cannot tell these apart" in _certainty(ev)
    ev.tables["objective"] = objective_table(res(100.0, 101.0), res(104.0, 105.0))
    assert "certainly raises" in _certainty(ev)


def test_added_firms_get_every_plot_when_the_instance_lists_pairs():
    inst = town(pairs=[dict(firm_id="F1", plot_id="A1"), dict(firm_id="F2", plot_id="B1"),
                       dict(firm_id="F3", plot_id="N1")])
    add = pd.DataFrame([dict(firm_id="G1", sector="x", floor_space_m2=100.0, value_added_eur=500.0,
                             category="1", werkmilieus="productie", lifecycle="mkb")])
    ev = evaluate(inst, plan_from_dict({"name": "growth", "add_firms": add}), gap=0)
    assert revopt.verify(ev.planned, ev.result) == []
    assert _plot_of(ev.result, "G1") == "N1"          # opens N: 500 + 10 - 50
    assert ev.result.objective == pytest.approx(2000.0 + 500.0 + 10.0 - 50.0)


# ---------------------------------------------------------------- reasons in a planner's words


def _reasons(inst):
    res = revopt.solve(inst, gap=0)
    assert res.status.has_solution
    return firm_reasons(inst, res, candidate_pairs(inst))


def test_reason_no_quay_plot_within_range():
    plots = [dict(plot_id="P1", x=0.0), dict(plot_id="P2", x=3000.0), dict(plot_id="Q", x=40_000.0, quay=True)]
    firms = [dict(firm_id="W", water_bound=True, current_plot="P1", max_move_km=10.0, value_added_eur=5.0)]
    inst = make(firms, plots, terrains=[dict(terrain_id="T", status="existing")])
    assert _reasons(inst)["W"] == "no quay plot within 10 km"


def test_reason_no_plot_allows_category():
    plots = [dict(plot_id="P1", max_category="3.2"), dict(plot_id="P2", max_category="4.1")]
    firms = [dict(firm_id="H", category="4.2", werkmilieus="industrieel;productie")]
    assert _reasons(make(firms, plots))["H"] == "no plot allows category 4.2"


def test_reason_substation_full():
    plots = [dict(plot_id="P1", substation_id="S12"), dict(plot_id="P2", substation_id="S12")]
    firms = [dict(firm_id="BIG", grid_mw=4.0, value_added_eur=1000.0),
             dict(firm_id="DC", grid_mw=3.0, value_added_eur=10.0)]
    inst = make(firms, plots, substations=[dict(substation_id="S12", available_mw=5.0)])
    assert _reasons(inst)["DC"] == "substation S12 full"


def test_reason_nitrogen_headroom_used_up():
    plots = [dict(plot_id="P1"), dict(plot_id="P2")]
    firms = [dict(firm_id="A", nitrogen_kg=10.0, value_added_eur=1000.0),
             dict(firm_id="B", nitrogen_kg=10.0, value_added_eur=10.0)]
    inst = make(firms, plots, areas=[dict(area_id="N2", name="Borkeld", x=0.0, y=0.0, headroom_mol=15.0)],
                deposition=[dict(plot_id="P1", area_id="N2", mol_per_kg=1.0),
                            dict(plot_id="P2", area_id="N2", mol_per_kg=1.0)])
    assert _reasons(inst)["B"] == "nitrogen headroom of Borkeld used up"


def test_reason_plots_full():
    firms = [dict(firm_id="A", value_added_eur=1000.0), dict(firm_id="B", value_added_eur=10.0)]
    assert _reasons(make(firms, [dict(plot_id="P1")]))["B"] == "1 of its 1 candidate plot are full"


# ---------------------------------------------------------------- plan files and their errors


def _write(tmp_path, text, name="plan.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("text, key, words", [
    ('[plan]\nname = "x"\ntransform = ["NOPE"]\n', "plan.transform", "unknown terrain 'NOPE'"),
    ('[plan]\ntransform = ["N"]\n', "plan.transform", "is planned"),
    ('[plan]\ndevelop = ["N"]\nforbid_develop = ["N"]\n', "plan.develop", "both in develop and in forbid_develop"),
    ('[plan]\ndevelop = ["A"]\n', "plan.develop", "only a planned terrain"),
    ('[plan]\nrelocate = ["F3"]\n', "plan.relocate", "no current plot"),
    ('[plan]\nrelocate = ["F9"]\n', "plan.relocate", "unknown firm 'F9'"),
    ('[plan]\ntransform = "A"\n', "plan.transform", "must be a list of ids"),
    ('[plan]\ntransfrom = ["A"]\n', "plan.transfrom", "unknown key"),
    ('[plan]\nrelocate = ["F1", "F1"]\n', "plan.relocate", "listed more than once"),
    ('[plan]\nadd_firms = "missing.csv"\n', "plan.add_firms", "not found"),
    ('[plan]\nnorm = 1.5\n', "plan.norm", "share"),
    ('[other]\nx = 1\n', "plan", "a [plan] table is required"),
])
def test_bad_plan_is_refused_naming_file_and_key(tmp_path, text, key, words):
    p = _write(tmp_path, text)
    with pytest.raises(PlanError) as e:
        load_plan(p, town())
    assert any(pr.file == "plan.toml" and pr.column == key and words in pr.rule for pr in e.value.problems), \
        str(e.value)


def test_national_interest_and_locked_firms_cannot_be_transformed():
    inst = make([dict(firm_id="L", current_plot="P1", locked=True)],
                [dict(plot_id="P1", current_werkmilieu="productie")],
                terrains=[dict(terrain_id="T", status="existing", national_interest=True)])
    with pytest.raises(PlanError) as e:
        apply_plan(inst, plan_from_dict({"name": "x", "transform": ["T"], "relocate": ["L"]}))
    rules = " | ".join(p.rule for p in e.value.problems)
    assert "national interest" in rules and "locked firms" in rules and "locked on its plot" in rules


def test_bad_added_firm_row_names_the_add_file_and_row(tmp_path):
    (tmp_path / "growth.csv").write_text(
        "firm_id,sector,floor_space_m2,value_added_eur,category,werkmilieus,lifecycle\n"
        "G1,x,100,10,1,productie,mkb\nG2,x,-5,10,1,productie,mkb\n", encoding="utf-8")
    p = _write(tmp_path, '[plan]\nadd_firms = "growth.csv"\n')
    with pytest.raises(PlanError) as e:
        apply_plan(town(), read_plan(p))
    pr = e.value.problems[0]
    assert (pr.file, pr.row, pr.column) == ("growth.csv", 3, "floor_space_m2")
    (tmp_path / "growth.csv").write_text("firm_id\nF1\n", encoding="utf-8")
    with pytest.raises(PlanError) as e:
        apply_plan(town(), read_plan(p))
    assert "already exists" in e.value.problems[0].rule


def test_cli_bad_plan_exits_2_and_writes_nothing(tmp_path, capsys):
    d = tmp_path / "inst"
    town().write(d)
    p = _write(tmp_path, '[plan]\ntransform = ["NOPE"]\n')
    out = tmp_path / "out"
    assert main(["plan", "evaluate", str(d), str(p), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "plan.toml" in err and "plan.transform" in err and "NOPE" in err
    assert not out.exists()
    assert not [x for x in tmp_path.iterdir() if x.name.startswith(".out")]


def test_plan_toml_round_trip(tmp_path):
    p = _write(tmp_path, '[plan]\nname = "n"\ndescription = "d"\ntransform = ["A"]\nrelocate = ["F2"]\nnorm = 0.07\n')
    plan = read_plan(p)
    q = _write(tmp_path, plan.to_toml(), "again.toml")
    again = read_plan(q)
    assert (again.name, again.transform, again.relocate, again.norm) == ("n", ("A",), ("F2",), 0.07)


# ---------------------------------------------------------------- the bundled example plans, end to end


@pytest.mark.slow
def test_demo_plans_end_to_end(tmp_path, capsys):
    """One bundled plan works (exit 0), one fails for a clear reason (exit 3, report still written);
    every solution written verifies, the comparison tables have the columns of docs/plans.md, and
    the plan result exports as a GeoPackage with the transformed terrain marked."""
    demo = ROOT / "instances" / "demo"
    expected = {
        "headline.csv": ["metric", "unit", "baseline", "plan", "change"],
        "objective.csv": ["baseline_objective", "baseline_bound", "plan_objective", "plan_bound", "change",
                          "change_low", "change_high", "decided"],
        "firms.csv": ["firm_id", "sector", "floor_space_m2", "current_plot", "baseline_plot", "plan_plot",
                      "baseline_state", "plan_state", "distance_km", "reason", "relocate", "affected"],
        "compensation.csv": ["terrain_id", "name", "class", "lost_m2", "ratio", "required_m2", "provided_m2",
                             "plots", "met", "in_plan"],
        "schuifruimte.csv": ["region", "total_m2", "baseline_used_m2", "baseline_free_m2", "baseline_share",
                             "plan_total_m2", "plan_used_m2", "plan_free_m2", "plan_share", "norm",
                             "plan_meets_norm"],
        "substations.csv": ["substation_id", "available_mw", "baseline_used_mw", "plan_used_mw",
                            "baseline_headroom_mw", "plan_headroom_mw", "change_mw"],
        "nature_areas.csv": ["area_id", "name", "headroom_mol", "baseline_used_mol", "plan_used_mol",
                             "baseline_left_mol", "plan_left_mol", "change_mol"],
        "elastic.csv": ["resource", "id", "class", "addition", "unit", "text"],
    }
    for plan, code in (("kanaaloever-schuifruimte.toml", 0), ("stationskwartier-wonen.toml", 3)):
        out = tmp_path / plan
        assert main(["plan", "evaluate", str(demo), str(demo / "plans" / plan), "--out", str(out)]) == code
        printed = capsys.readouterr().out
        for f, cols in expected.items():
            assert list(pd.read_csv(out / "comparison" / f).columns) == cols, f
        assert (out / "report.html").stat().st_size > 10_000 and (out / "report.md").is_file()
        assert revopt.verify(revopt.load_instance(demo), out / "baseline") == []
        planned = revopt.load_instance(out / "plan" / "instance")
        if code == 0:
            assert "the plan works" in printed
            assert revopt.verify(planned, out / "plan") == []
            firms = pd.read_csv(out / "comparison" / "firms.csv", keep_default_na=False)
            assert set(firms.loc[firms["relocate"], "plan_state"]) <= {"moved"}
            assert {"G01", "G02", "G03", "G04"} <= set(firms.loc[firms["plan_state"] == "new_placed", "firm_id"])
        else:
            assert "does not work" in printed
            el = pd.read_csv(out / "comparison" / "elastic.csv")
            row = el[(el["resource"] == "compensation") & (el["id"] == "T02")]
            assert len(row) == 1 and row["addition"].iloc[0] == pytest.approx(63_950.0)
            assert "stedelijk" in open(out / "report.html", encoding="utf-8").read()
    gpd = pytest.importorskip("geopandas")
    gpkg = tmp_path / "plan.gpkg"
    out = tmp_path / "kanaaloever-schuifruimte.toml"
    assert main(["geo", "export", str(out / "plan" / "instance"), str(out / "plan"), str(gpkg)]) == 0
    terrains = gpd.read_file(gpkg, layer="terrains").set_index("terrain_id")
    assert terrains.loc["T03", "status"] == "transform" and bool(terrains.loc["T11", "developed"])


# ---------------------------------------------------------------- properties on generated tiny instances


@st.composite
def tiny_plans(draw):
    """A tiny instance and a random plan of its ids (transform, develop, forbid_develop, relocate)."""
    inst = draw(tiny_instances(policy=draw(st.booleans())))
    T = inst.terrains
    existing = T.loc[(T["status"] == "existing") & ~T["national_interest"], "terrain_id"].tolist()
    planned = T.loc[T["status"] == "planned", "terrain_id"].tolist()
    movable = inst.firms.loc[inst.firms["current_plot"].ne("") & ~inst.firms["locked"], "firm_id"].tolist()
    transform = draw(st.lists(st.sampled_from(existing), unique=True, max_size=1)) if existing else []
    develop = draw(st.lists(st.sampled_from(planned), unique=True, max_size=2)) if planned else []
    forbid = [t for t in planned if t not in develop and draw(st.booleans())] if planned else []
    relocate = draw(st.lists(st.sampled_from(movable), unique=True, max_size=2)) if movable else []
    return inst, plan_from_dict({"name": "random", "transform": transform, "develop": develop,
                                 "forbid_develop": forbid, "relocate": relocate})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(tiny_plans())
def test_plan_optimum_equals_brute_force_and_never_beats_the_baseline(case):
    """A plan that transforms, relocates, forces or forbids only removes options: its optimum is
    at most the baseline's. The MIP of the planned instance equals brute force, and verifies."""
    inst, plan = case
    try:
        planned = apply_plan(inst, plan)
    except PlanError:
        return   # e.g. a transformed terrain with a locked plot: refused, tested elsewhere
    expected, sol = brute_force(planned)
    res = solve_verified(planned, gap=0.0)
    if expected is None:
        assert res.status == revopt.Status.INFEASIBLE
        return
    assert res.objective == pytest.approx(expected, abs=1e-6)
    sol.summary = {"objective": expected}
    assert revopt.verify(planned, sol) == []
    base, _ = brute_force(inst)
    assert base is not None and expected <= base + 1e-6


@pytest.mark.slow
@pytest.mark.parametrize("plan, code", [("slaghekke-wonen.toml", 0), ("de-kol-wonen.toml", 3)])
def test_rijssen_holten_plans(tmp_path, plan, code):
    """The real-area example plans: one works, one fails for lack of urban (stedelijk) space."""
    rh = ROOT / "instances" / "rijssen-holten"
    out = tmp_path / "out"
    assert main(["plan", "evaluate", str(rh), str(rh / "plans" / plan), "--out", str(out), "--quiet"]) == code
    if code == 0:
        assert revopt.verify(revopt.load_instance(out / "plan" / "instance"), out / "plan") == []
    else:
        el = pd.read_csv(out / "comparison" / "elastic.csv")
        assert el[(el["resource"] == "compensation") & (el["id"] == "RH20")]["addition"].iloc[0] == \
            pytest.approx(22_725.0)
