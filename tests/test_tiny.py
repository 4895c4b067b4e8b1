"""The hand-derived optimum of instances/tiny (see its README), on both backends."""

from __future__ import annotations

import pytest

import revopt
from conftest import solve_verified


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_tiny_optimum_by_hand(tiny, backend):
    res = solve_verified(tiny, backend=backend, gap=0.0)
    assert res.status == revopt.Status.OPTIMAL
    assert res.objective == pytest.approx(43_015_000.0, abs=1e-6)
    assert res.bound == pytest.approx(res.objective) and res.gap == pytest.approx(0.0)
    assert dict(zip(res.assignments["firm_id"], res.assignments["plot_id"])) == {
        "F1": "P1", "F2": "P3", "F3": "P2", "F4": ""}
    wm = dict(zip(res.designations["plot_id"], res.designations["werkmilieu"]))
    assert (wm["P1"], wm["P2"], wm["P3"], wm["P4"]) == ("industrieel", "innovatie", "productie", "")
    assert list(res.intensified["plot_id"]) == ["P2"]
    assert res.developed.to_dict("records") == [{"terrain_id": "T2", "developed": True}]
    c = res.compensation
    assert c[["terrain_id", "plot_id", "class"]].values.tolist() == [["T3", "P3", "productie"]]
    assert c["floor_m2"].sum() == pytest.approx(5000.0)
    k = res.kpis
    assert k["value_added_placed_eur"] == pytest.approx(4_500_000.0)
    assert k["floor_used_m2"] == {"industrieel": 8000.0, "productie": 5000.0, "innovatie": 7000.0, "stedelijk": 0.0}
    assert k["firms"] == {"total": 4, "placed": 3, "kept": 0, "moved": 1, "displaced": 0,
                          "new_placed": 2, "new_unplaced": 1}
    assert k["grid"]["S1"]["used_mw"] == pytest.approx(2.5) and k["nitrogen"]["N1"]["used_mol"] == pytest.approx(1000.0)


def test_unplaced_firm_is_explained(tiny):
    res = revopt.solve(tiny)
    ex = res.exclusions.set_index("firm_id")
    assert ex.loc["F1", "quay"] == 2 and ex.loc["F1", "transform"] == 1
    assert ex.loc["F4", "candidates"] == 3  # P1, P2, P3: the plots exist, capacity decides


def test_extra_constraints_hook_in_pyomo(tiny):
    import pyomo.environ as pyo

    def keep_f3_out(m, inst):
        m.no_f3 = pyo.Constraint(expr=sum(m.x[f, p] for (f, p) in m.x if f == "F3") == 0)

    res = revopt.solve(tiny, backend="pyomo", extra_constraints=keep_f3_out, gap=0.0)
    assert res.status == revopt.Status.OPTIMAL
    assert res.objective == pytest.approx(39_385_000.0)  # the best productie option of the README
    assert revopt.verify(tiny, res) == []
    with pytest.raises(ValueError, match="backend='pyomo'"):
        revopt.solve(tiny, extra_constraints=keep_f3_out)
