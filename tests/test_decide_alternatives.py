"""Near-optimal alternatives (revopt.decide.alternatives, ``revopt alternatives``): distinct, feasible
(the independent verifier), within EPS of the optimum, and exactly as many as exist on an
instance small enough to enumerate (tests/alloc_enum.py)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

import revopt
from alloc_enum import key_of
from conftest import INSTANCES
from decide_fixtures import relocation_allocations, relocation_instance
from revopt.cli import main
from revopt.decide.alternatives import alternatives, frequency_table


def _check(inst, alts, within):
    """Every alternative verifies, lies within ``within`` of the optimum and differs from the others."""
    keys = []
    for a in alts.items:
        assert a.violations == [] and revopt.verify(inst, a.result) == []
        assert a.result.objective >= alts.optimum - within * abs(alts.optimum) - 1e-9 * abs(alts.optimum)
        keys.append(key_of(a.result.solution))
    assert len(set(keys)) == len(keys), "two alternatives are the same allocation"
    return keys


def test_all_alternatives_found_when_fewer_exist_than_asked():
    inst, within = relocation_instance(), 0.12
    optimum = revopt.solve(inst, gap=0.0).objective
    expect = {a.key for a in relocation_allocations() if a.objective >= optimum - within * abs(optimum) - 1e-9}
    assert len(expect) == 4  # 335, 310, 305, 300 (tests/decide_fixtures.py)
    alts = alternatives(inst, within=within, count=10, gap=0.0)
    assert alts.optimum == pytest.approx(optimum)
    keys = _check(inst, alts, within)
    assert set(keys) == expect
    assert alts.found == 4 and alts.exhausted
    assert "only 4 of 10" in alts.message and "proven" in alts.message
    assert alts.summary()["count_found"] == 4


def test_count_caps_the_alternatives_and_the_first_is_the_optimum():
    inst = relocation_instance()
    alts = alternatives(inst, within=0.12, count=2, gap=0.0)
    _check(inst, alts, 0.12)
    assert alts.found == 2 and not alts.exhausted
    assert alts.items[0].result.objective == pytest.approx(335.0)
    assert alts.items[1].distance_to_optimum >= 1 and alts.items[1].min_distance_to_earlier >= 1


def test_within_zero_gives_the_alternative_optima_only():
    inst = relocation_instance()
    alts = alternatives(inst, within=0.0, count=5, gap=0.0)
    expect = {a.key for a in relocation_allocations() if a.objective >= 335.0 - 1e-9}
    assert {key_of(a.result.solution) for a in alts.items} == expect
    assert alts.exhausted


def test_frequency_table_counts_each_choice():
    def sol(f1, f2, wm_a, developed):
        return revopt.Solution(pd.DataFrame({"firm_id": ["F1", "F2"], "plot_id": [f1, f2]}),
                               pd.DataFrame({"plot_id": ["A"], "werkmilieu": [wm_a], "intensified": [False]}),
                               pd.DataFrame({"terrain_id": ["N"], "developed": [developed]}),
                               pd.DataFrame({"terrain_id": [], "plot_id": [], "class": [], "floor_m2": []}))

    f = frequency_table([sol("A", "", "productie", True), sol("A", "B", "", False), sol("B", "", "productie", True)])
    share = {(k, s, c): v for k, s, c, v in zip(f["kind"], f["subject"], f["choice"], f["share"])}
    assert share[("placement", "F1", "A")] == pytest.approx(2 / 3)
    assert share[("placement", "F2", "")] == pytest.approx(2 / 3)
    assert share[("designation", "A", "productie")] == pytest.approx(2 / 3)
    assert share[("development", "N", "developed")] == pytest.approx(2 / 3)
    assert share[("development", "N", "not developed")] == pytest.approx(1 / 3)
    assert f.groupby(["kind", "subject"])["share"].sum().round(12).eq(1.0).all()


def test_cli_demo_writes_verified_alternatives(tmp_path, capsys):
    out = tmp_path / "alts"
    rc = main(["alternatives", str(INSTANCES / "demo"), "--within", "0.01", "--count", "3", "--out", str(out),
               "--stall", "1", "--time-limit", "60"])
    printed = capsys.readouterr().out
    assert rc == 0, printed
    inst = revopt.load_instance(INSTANCES / "demo")
    summary = json.loads((out / "summary.json").read_text())
    found = summary["count_found"]
    assert found >= 2 and "alternatives" in printed
    table = pd.read_csv(out / "alternatives.csv")
    assert list(table["solution"]) == [f"alt-{i}" for i in range(1, found + 1)]
    optimum = revopt.solve(inst, gap=1e-4).objective
    assert summary["optimum"] == pytest.approx(optimum, rel=2e-4)
    keys = set()
    for i in range(1, found + 1):
        d = out / f"alt-{i}"
        assert revopt.verify(inst, d) == []
        sol = revopt.Solution.read(d)
        assert sol.summary["objective"] >= summary["budget"] - 1e-9 * abs(summary["budget"])
        keys.add(key_of(sol))
    assert len(keys) == found
    freq = pd.read_csv(out / "frequency.csv", keep_default_na=False)
    assert set(freq["kind"]) == {"placement", "designation", "development"}
    assert freq["share"].between(0, 1).all()
    svg = ET.parse(out / "frequency_map.svg").getroot()   # well-formed XML
    labels = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert any(t.startswith("Plan Kanaaloever: developed in") for t in labels)
    assert len([r for r in svg.iter("{http://www.w3.org/2000/svg}rect") if r.get("stroke")]) == len(inst.plots)


def test_cli_says_when_fewer_exist(tmp_path, capsys):
    inst_dir = tmp_path / "inst"
    relocation_instance().write(inst_dir)
    out = tmp_path / "alts"
    rc = main(["alternatives", str(inst_dir), "--within", "0.12", "--count", "9", "--out", str(out), "--gap", "0"])
    printed = capsys.readouterr().out
    assert rc == 0
    assert "alternatives 4 of 9" in printed and "only 4 of 9" in printed and "proven" in printed
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["alt-1", "alt-2", "alt-3", "alt-4"]
    for i in range(1, 5):
        assert main(["verify", str(inst_dir), str(out / f"alt-{i}")]) == 0


@pytest.mark.parametrize("args, words", [
    (["--within", "1.5", "--count", "3"], ["--within", "0 <= --within < 1"]),
    (["--within", "-0.1", "--count", "3"], ["--within", "0 <= --within < 1"]),
    (["--within", "x", "--count", "3"], ["--within", "must be a number"]),
    (["--within", "0.01", "--count", "0"], ["--count", ">= 1"]),
    (["--within", "0.01", "--count", "2.5"], ["--count", "whole number"]),
    (["--within", "0.01", "--count", "2", "--time-limit", "0"], ["--time-limit", "> 0"]),
])
def test_bad_arguments_exit_2_and_write_nothing(tmp_path, capsys, args, words):
    out = tmp_path / "alts"
    assert main(["alternatives", str(INSTANCES / "tiny"), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err
    assert not out.exists()


def test_library_rejects_bad_arguments(tiny):
    for kw, word in ((dict(within=1.0, count=2), "within"), (dict(within=0.01, count=0), "count"),
                     (dict(within=0.01, count=2, time_limit=-1.0), "time_limit"),
                     (dict(within=0.01, count=2, gap=-1.0), "gap"), (dict(within=0.01, count=2, stall=0.0), "stall")):
        with pytest.raises(ValueError, match=word):
            alternatives(tiny, **kw)


def test_last_resort_changes_one_empty_plot_and_verifies():
    """When HiGHS finds no alternative in time, one empty plot's designation is changed instead:
    that must keep every rule (the verifier), the budget, and differ from the earlier ones."""
    from revopt.decide.alternatives import OneFlip, binary_decisions, hamming
    from revopt.decide.restricted import RestrictedMip
    from revopt.decide.solutions import Built

    inst = revopt.load_instance(INSTANCES / "demo")
    built = Built.of(inst)
    v0 = built.rounded(RestrictedMip(built.model, gap=1e-4).solve(60).values)
    budget = float(built.model.cost @ v0)
    flips = OneFlip(built)
    v1 = flips.start([v0], budget)
    v2 = flips.start([v0, v1], budget)
    cols = binary_decisions(built)
    assert hamming(v1, v0, cols) == 1 and hamming(v2, v0, cols) >= 1 and hamming(v2, v1, cols) >= 1
    for v in (v1, v2):
        res = built.result(v, status=revopt.Status.FEASIBLE, bound=None, seconds=0.0, message="")
        assert revopt.verify(inst, res) == [] and res.objective == pytest.approx(budget, rel=1e-12)
    # every plot of the hand-built instance holds a firm at its optimum: nothing to change
    small = Built.of(relocation_instance())
    w0 = small.rounded(RestrictedMip(small.model, gap=0.0).solve().values)
    assert OneFlip(small).start([w0], float(small.model.cost @ w0)) is None
