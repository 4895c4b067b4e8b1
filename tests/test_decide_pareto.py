"""Trade-off fronts (revopt.decide.pareto, ``revopt pareto``): every point feasible (the independent
verifier) and non-dominated, the value end equal to revopt.solve's optimum, the relocations end
and the whole front equal to brute force on an instance small enough to enumerate; the
objectives as linear expressions equal to the KPIs computed from the tables."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import revopt
from conftest import INSTANCES
from decide_fixtures import FRONT, relocation_allocations, relocation_instance
from revopt.cli import main
from revopt.decide.objectives import OBJECTIVES, kpi_value, objective
from revopt.decide.pareto import pareto
from revopt.decide.restricted import RestrictedMip
from revopt.decide.solutions import Built


def _relocations(inst, alloc) -> float:
    current = dict(zip(inst.firms["firm_id"], inst.firms["current_plot"].fillna("")))
    return float(sum(1 for f, p in alloc.placements if current[f] and p != current[f]))


def _brute_front(inst, allocations):
    """(value, relocations) of the allocations that no other dominates."""
    pts = {(a.objective, _relocations(inst, a)) for a in allocations}
    return sorted(((v, r) for v, r in pts
                   if not any(v2 >= v and r2 <= r and (v2, r2) != (v, r) for v2, r2 in pts)), reverse=True)


def _assert_nondominated(front):
    senses = front.senses
    g = [[p.values[n] if senses[n] == "max" else -p.values[n] for n in front.objectives] for p in front.points]
    for i, a in enumerate(g):
        for j, b in enumerate(g):
            if i != j:
                assert not (all(y >= x for x, y in zip(a, b)) and any(y > x for x, y in zip(a, b))), (a, b)


def test_front_equals_brute_force():
    inst = relocation_instance()
    truth = _brute_front(inst, relocation_allocations())
    assert truth == FRONT  # the hand derivation of tests/decide_fixtures.py
    front = pareto(inst, ["value", "relocations"], points=5, gap=0.0)
    got = [(p.values["value"], p.values["relocations"]) for p in front.points]
    assert [round(v, 6) for pt in got for v in pt] == [v for pt in truth for v in pt]
    for p in front.points:
        assert p.violations == [] and revopt.verify(inst, p.result) == []
        assert p.values["value"] == pytest.approx(p.result.objective)
        assert p.values["relocations"] == kpi_value("relocations", p.result.kpis)
    _assert_nondominated(front)
    assert front.points[0].values["value"] == pytest.approx(revopt.solve(inst, gap=0.0).objective)


def test_two_points_are_the_two_ends():
    inst = relocation_instance()
    front = pareto(inst, ["relocations", "value"], points=2, gap=0.0)
    assert [(p.values["relocations"], p.values["value"]) for p in front.points] == [(0.0, 230.0), (2.0, 335.0)]
    assert list(front.table().columns) == ["point", "solution", "relocations", "value"]


def test_value_end_is_the_optimum_on_tiny(tiny):
    front = pareto(tiny, ["value", "relocations", "quay_misuse"], points=4, gap=0.0)
    assert front.points[0].values["value"] == pytest.approx(revopt.solve(tiny, gap=0.0).objective)
    assert all(p.violations == [] for p in front.points)
    _assert_nondominated(front)


def test_objectives_equal_the_kpis_on_the_demo():
    """Each objective's expression over the columns, at the demo's optimum, against the KPIs read
    from the solution tables (demo: corridors, nitrogen, quay plots, current plots)."""
    inst = revopt.load_instance(INSTANCES / "demo")
    built = Built.of(inst)
    ans = RestrictedMip(built.model, gap=1e-4).solve(60)
    v = built.rounded(ans.values)
    res = built.result(v, status=revopt.Status.FEASIBLE, bound=None, seconds=ans.seconds, message="")
    assert revopt.verify(inst, res) == []
    assert objective("value", inst, built.layout, built.model).of(v) == pytest.approx(res.objective, rel=1e-12)
    for name in OBJECTIVES:
        if name != "value":
            got = objective(name, inst, built.layout, built.model).of(v)
            assert got == pytest.approx(kpi_value(name, res.kpis), rel=1e-9, abs=1e-6), name
            assert got > 0, name  # the demo exercises each of them


def test_cli_writes_front_directories(tmp_path, capsys):
    inst_dir = tmp_path / "inst"
    relocation_instance().write(inst_dir)
    out = tmp_path / "front"
    rc = main(["pareto", str(inst_dir), "--objectives", "value,relocations", "--points", "3", "--out", str(out),
               "--gap", "0"])
    printed = capsys.readouterr().out
    assert rc == 0, printed
    table = pd.read_csv(out / "front.csv")
    assert list(table.columns) == ["point", "solution", "value", "relocations"]
    assert list(zip(table["value"], table["relocations"])) == FRONT
    for sol in table["solution"]:
        assert main(["verify", str(inst_dir), str(out / sol)]) == 0
    svg = ET.parse(out / "front.svg").getroot()   # well-formed XML, one dot per point
    assert len(list(svg.iter("{http://www.w3.org/2000/svg}circle"))) == 3
    assert json.loads((out / "summary.json").read_text())["points_found"] == 3


@pytest.mark.parametrize("args, words", [
    (["--objectives", "value,jobs"], ["--objectives", "unknown objective 'jobs'"]),
    (["--objectives", "value"], ["--objectives", "at least two"]),
    (["--objectives", "value,relocations,value"], ["--objectives", "once"]),
    (["--objectives", "value,relocations", "--points", "1"], ["--points", ">= 2"]),
    (["--objectives", "value,relocations", "--gap", "-1"], ["gap", ">= 0"]),
])
def test_bad_arguments_exit_2_and_write_nothing(tmp_path, capsys, args, words):
    out = tmp_path / "front"
    assert main(["pareto", str(INSTANCES / "tiny"), "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err
    assert not out.exists()


def test_library_rejects_bad_arguments(tiny):
    for kw, word in ((dict(objectives=["value", "nope"]), "unknown"), (dict(points=1), "points"),
                     (dict(tolerance=1.0), "tolerance"), (dict(time_limit=0.0), "time_limit")):
        with pytest.raises(ValueError, match=word):
            pareto(tiny, **kw)


def test_front_chart_of_more_objectives_says_so():
    from revopt.decide.front_chart import front_chart

    t = pd.DataFrame({"point": [1, 2], "value": [10.0, 8.0], "relocations": [3.0, 1.0], "co2": [1.0, 2.0]})
    svg = front_chart(t, ["value", "relocations", "co2"], {"value": "EUR", "relocations": "firms", "co2": "t"})
    assert "only the first two" in svg and svg.count("<circle") == 2
    assert np.isfinite(t["value"]).all()
