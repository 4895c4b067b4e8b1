"""Sweeps on a dask LocalCluster on loopback (spec section 10): each scenario equals a separate
``revopt solve`` / ``revopt plan evaluate`` of the changed instance; a worker killed mid-sweep loses
nothing; an interrupted sweep rerun into the same directory redoes nothing that finished; 1 and 2
workers give the same results. One cluster of two worker processes serves the module."""

from __future__ import annotations

import json
import os
import signal
import time

import pandas as pd
import pytest

import revopt
from conftest import INSTANCES
from revopt.cli import main
from revopt.sweep import apply_scenario, read_sweep, run_sweep, scenarios

distributed = pytest.importorskip("distributed")

TINY = INSTANCES / "tiny"
SWEEP = """[sweep]
name = "tiny grid x years x plan"
time_limit = 20
gap = 0

[[sweep.axis]]
name = "grid"
scale = "substations.available_mw"
values = [0.5, 1.0]

[[sweep.axis]]
name = "years"
set = "objective.value_years"
values = [1, 10]

[[sweep.axis]]
name = "plan"
plan = ["none", "grow.toml"]
"""
#: a plan that adds a firm (demand growth): it changes the optimum in some futures
PLAN = '[plan]\nname = "growth"\nadd_firms = "growth.csv"\n'
GROWTH = ("firm_id,sector,floor_space_m2,value_added_eur,category,grid_mw,werkmilieus\n"
          "F5,software,1500,900000,2,2.5,innovatie;stedelijk\n")
COMPARED = ("status", "objective", "bound", "value_added_placed_eur", "firms_placed", "firms_displaced",
            "firms_moved", "grid_used_mw", "nitrogen_used_mol", "free_floor_share_Oost", "plan_works")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=":0", silence_logs=50) as c:
        yield c


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("sweepfile")
    (d / "grow.toml").write_text(PLAN, encoding="utf-8")
    (d / "growth.csv").write_text(GROWTH, encoding="utf-8")
    (d / "tiny.toml").write_text(SWEEP, encoding="utf-8")
    return d / "tiny.toml"


@pytest.fixture(scope="module")
def first_run(cluster, sweep_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "out"
    return run_sweep(TINY, sweep_file, out, scheduler=cluster.scheduler_address)


def test_sweep_scenarios_equal_separate_solves(first_run, sweep_file, tiny, tmp_path):
    t, out = first_run.table, first_run.out
    assert first_run.ran == 8 and first_run.skipped == 0
    assert list(t.columns[:9]) == ["scenario_id", "grid", "years", "plan", "status", "objective", "bound", "gap",
                                   "seconds"]
    assert set(t["status"]) == {"optimal"} and t["scenario_id"].is_unique
    assert t["objective"].nunique() >= 3          # the axes change the answer
    pq = pd.read_parquet(out / "results.parquet")
    pd.testing.assert_frame_equal(pq, t, check_dtype=False)
    sw = read_sweep(sweep_file, tiny)
    for s in scenarios(sw, tiny):
        inst, plan = apply_scenario(tiny, sw, s)
        row = t.set_index("scenario_id").loc[s.id]
        d = tmp_path / s.id
        inst.write(d / "instance")
        if plan is None:
            assert main(["solve", str(d / "instance"), "--out", str(d / "sol"), "--gap", "0", "--threads", "1",
                         "--quiet"]) == 0
            sol = d / "sol"
            run_sol = out / "runs" / s.id
        else:
            plan_file = sweep_file.parent / "grow.toml"
            assert main(["plan", "evaluate", str(d / "instance"), str(plan_file), "--out", str(d / "ev"), "--gap",
                         "0", "--threads", "1", "--quiet"]) == 0
            sol = d / "ev" / "plan"
            run_sol = out / "runs" / s.id / "plan"
            assert (out / "runs" / s.id / "report.html").is_file()
        summary = json.loads((sol / "summary.json").read_text())
        assert summary["objective"] == pytest.approx(row["objective"], rel=1e-9)
        assert (run_sol / "assignments.csv").read_text() == (sol / "assignments.csv").read_text()
        assert (run_sol / "plots.csv").read_text() == (sol / "plots.csv").read_text()
        assert revopt.verify(inst if plan is None else revopt.plans.apply_plan(inst, plan), run_sol) == []


def test_report_has_a_chart_per_kpi_and_axis_and_the_regret_table(first_run):
    html = (first_run.out / "report.html").read_text(encoding="utf-8")
    charts = html.count('<svg xmlns="http://www.w3.org/2000/svg"')
    kpis = {c.split('data-kpi="')[1].split('"')[0] for c in html.split("<svg")[1:]}
    assert {"objective", "value_added_placed_eur", "firms_placed", "grid_used_mw"} <= kpis
    assert charts == 3 * len(kpis)
    assert "Regret of each plan" in html and "Robust choices" in html
    t = first_run.table
    # regret: the plan with one more firm never does worse than none (the firm may stay out)
    for (_, _), g in t.groupby(["grid", "years"]):
        obj = g.set_index("plan")["objective"]
        assert obj["grow"] >= obj["none"] - 1e-6


def test_a_worker_killed_mid_sweep_loses_nothing(cluster, sweep_file, first_run, tmp_path):
    with distributed.Client(cluster) as c:
        pids = c.run(os.getpid)
        killed: list[int] = []

        def kill_one(p):
            if killed or p.running == 0 or p.done >= p.total - 2:
                return
            busy = [w for w, ks in c.processing().items() if ks and w in pids]
            if busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(p.done)
        run = run_sweep(TINY, sweep_file, tmp_path / "out", scheduler=cluster.scheduler_address, progress=kill_one)
    assert killed, "no worker was killed while a scenario ran"
    assert len(run.table) == 8 and set(run.table["status"]) == {"optimal"}
    a, b = run.table.set_index("scenario_id"), first_run.table.set_index("scenario_id")
    pd.testing.assert_frame_equal(a[list(COMPARED)], b.loc[a.index, list(COMPARED)])
    deadline = time.monotonic() + 30                 # the nanny brings the worker back for the next tests
    while len(cluster.scheduler_info["workers"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)


class Stop(Exception):
    pass


def test_an_interrupted_sweep_rerun_redoes_nothing_that_finished(cluster, sweep_file, first_run, tmp_path):
    out = tmp_path / "out"

    def stop_after_three(p):
        if p.done >= 3:
            raise Stop

    with pytest.raises(Stop):
        run_sweep(TINY, sweep_file, out, scheduler=cluster.scheduler_address, progress=stop_after_three)
    records = {d.name: (d / "scenario.json").stat().st_mtime_ns for d in (out / "runs").iterdir()
               if (d / "scenario.json").is_file()}
    assert 3 <= len(records) < 8
    assert not [p for p in (out / "runs").iterdir() if p.name.startswith(".")], "a half-written run directory"
    partial = pd.read_csv(out / "results.csv")
    assert set(partial["scenario_id"]) == set(records)
    run = run_sweep(TINY, sweep_file, out, scheduler=cluster.scheduler_address)
    assert run.skipped == len(records) and run.ran == 8 - len(records)
    for name, mtime in records.items():
        assert (out / "runs" / name / "scenario.json").stat().st_mtime_ns == mtime, f"{name} was redone"
    t = pd.read_csv(out / "results.csv")
    assert len(t) == 8 and t["scenario_id"].is_unique
    assert list(t["scenario_id"]) == list(first_run.table["scenario_id"])
    again = run_sweep(TINY, sweep_file, out, scheduler=cluster.scheduler_address)
    assert again.ran == 0 and again.skipped == 8


def test_one_and_two_workers_give_the_same_results(first_run, sweep_file, tmp_path):
    # no scheduler: run_sweep starts its own LocalCluster of one worker process
    one = run_sweep(TINY, sweep_file, tmp_path / "one", workers=1)
    assert one.workers == 1
    pd.testing.assert_frame_equal(one.table[["scenario_id", *COMPARED]],
                                  first_run.table[["scenario_id", *COMPARED]])
    for sid in one.table["scenario_id"]:
        for f in ("assignments.csv", "plots.csv", "terrains.csv"):
            sub = "plan/" if sid.endswith("plan=grow") else ""
            a = (tmp_path / "one" / "runs" / sid / sub / f).read_text()
            assert a == (first_run.out / "runs" / sid / sub / f).read_text(), (sid, f)
