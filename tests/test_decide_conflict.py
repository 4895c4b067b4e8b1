"""Why it fails (issue 13): hand-built infeasible instances, one per family that can be made
infeasible, each conflict naming that family; integrality alone said plainly; a feasible instance
has no conflict."""

from __future__ import annotations

import pandas as pd
import pytest

import revopt
from conftest import INSTANCES, solve_verified
from revopt.cli import main
from revopt.decide.conflict import COLUMNS, find_conflict


def _with(tiny, **changes):
    tables = {}
    for table, edit in changes.items():
        df = getattr(tiny, table).copy()
        edit(df)
        tables[table] = df
    return tiny.replace_tables(**tables)


def _must(df, firm="F4"):
    df.loc[df["firm_id"] == firm, "must_place"] = True


def _grid(mw):
    def edit(df):
        df["available_mw"] = mw
    return edit


CASES = {
    # F1 (2 MW, must be placed) fits only on P1 behind S1
    "substation": (dict(substations=_grid([1.0, 3.0])), "lp_iis", {"placement", "substation"}),
    # F1 deposits 1000 mol on N1 from its only plot
    "nature_area": (dict(nature_areas=lambda df: df.__setitem__("headroom_mol", [400.0])), "lp_iis",
                    {"placement", "nature_area"}),
    # F4 (5 MW) must be placed: 4.5 MW left at S1 after F1, 3 MW at S2: fractions fit, whole firms do not
    "integrality": (dict(substations=_grid([4.5, 3.0]), firms=_must), "deletion_filter", {"placement", "substation"}),
    # a claim that needs both innovatie plots while P2 is locked to productie: proved before solving
    "claim": (dict(), "presolve", {"claim"}),
}


@pytest.mark.parametrize("case", CASES)
def test_conflict_names_the_family(tiny, case):
    changes, how, families = CASES[case]
    if case == "claim":
        plots = tiny.plots.copy()
        plots.loc[plots["plot_id"] == "P2", "locked_werkmilieu"] = "productie"
        inst = tiny.replace_tables(plots=plots, claims=pd.DataFrame({
            "region": ["Oost"], "werkmilieu": ["innovatie"], "min_floor_m2": [14000.0], "max_floor_m2": [None]}))
    else:
        inst = _with(tiny, **changes)
    assert solve_verified(inst).status == revopt.Status.INFEASIBLE
    c = find_conflict(inst, time_limit=10)
    assert c.status == how
    assert list(c.table.columns) == COLUMNS
    assert families <= set(c.table["family"]), c.table
    if how == "deletion_filter":
        assert c.integrality_only and c.minimal and "Integrality alone is the cause" in c.paragraph
        assert set(c.table["id"]) == {"F4", "S1", "S2"}
        # minimal: every proper subset of the conflict's rows, dropped one at a time, is feasible
        assert c.tests == c.proven
    if how == "lp_iis":
        assert c.minimal and not c.integrality_only


def test_a_feasible_instance_has_no_conflict(tiny):
    c = find_conflict(tiny)
    assert c.status == "feasible" and c.table.empty


def test_force_land_makes_the_conflict_of_a_plan(tiny):
    """A plan's firms that should land are forced to: then the grid stops F4."""
    inst = _with(tiny, substations=_grid([4.5, 3.0]))
    assert solve_verified(inst).status.has_solution
    c = find_conflict(inst, force_land=["F4"])
    assert c.status == "deletion_filter" and {"substation"} <= set(c.table["family"])


def test_explain_cli_on_an_infeasible_instance(tmp_path, tiny):
    src = tmp_path / "inst"
    _with(tiny, substations=_grid([4.5, 3.0]), firms=_must).write(src)
    out = tmp_path / "ex"
    assert main(["explain", str(src), "--out", str(out), "--quiet"]) == 3
    table = pd.read_csv(out / "conflict.csv")
    assert set(table["id"]) == {"F4", "S1", "S2"}
    assert "Integrality alone" in (out / "report.html").read_text()


def test_failing_demo_plan_gets_its_conflict(tmp_path):
    from revopt.plans import evaluate, load_plan

    demo = revopt.load_instance(INSTANCES / "demo")
    ev = evaluate(demo, load_plan(INSTANCES / "demo" / "plans" / "stationskwartier-wonen.toml", demo))
    assert not ev.works and ev.conflict is not None
    assert "compensation" in set(ev.conflict.table["family"])
    assert any("T02" in t for t in ev.conflict.table["text"])
    from revopt.plans.report import render_html

    html = render_html(ev)
    assert "Why it fails" in html and "T02" in html
