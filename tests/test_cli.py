"""The command line end to end: exit codes, files written, summary, verify."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import revopt
from conftest import INSTANCES
from gap_orlib import gap_dir, write_gap_instance
from revopt.cli import main

SOLUTION_FILES = {"assignments.csv", "plots.csv", "terrains.csv", "compensation.csv", "summary.json"}


def test_version_and_help(capsys):
    assert main(["--version"]) == 0
    assert revopt.__version__ in capsys.readouterr().out
    assert main(["--help"]) == 0
    assert "solve" in capsys.readouterr().out
    assert main(["solve", "--help"]) == 0
    assert "--time-limit" in capsys.readouterr().out


def test_console_script_solves_and_verifies_tiny(tmp_path):
    exe = Path(sys.executable).with_name("revopt")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "revopt.cli"]
    out = tmp_path / "sol"
    p = subprocess.run(cmd + ["solve", str(INSTANCES / "tiny"), "--out", str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "optimal" in p.stdout and "43,015,000" in p.stdout
    assert {f.name for f in out.iterdir()} == SOLUTION_FILES
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["objective"] == pytest.approx(43_015_000)
    assert summary["instance"] == "tiny" and summary["time_s"] > 0
    assert {"candidates", "build", "handover", "solve", "extract"} <= set(summary["seconds"])
    assert summary["kpis"]["firms"]["moved"] == 1
    a = pd.read_csv(out / "assignments.csv", keep_default_na=False)
    assert list(a.columns) == ["firm_id", "plot_id"] and len(a) == 4
    p = subprocess.run(cmd + ["verify", str(INSTANCES / "tiny"), str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.parametrize("backend", ["highs", "pyomo"])
def test_solve_then_verify_every_bundled_instance(tmp_path, capsys, backend):
    for inst in sorted(p for p in INSTANCES.iterdir() if (p / "instance.toml").is_file()):
        out = tmp_path / f"{inst.name}-{backend}"
        assert main(["solve", str(inst), "--out", str(out), "--backend", backend, "--quiet"]) == 0
        assert main(["verify", str(inst), str(out)]) == 0, capsys.readouterr().out


def test_verify_rejects_a_tampered_solution(tmp_path, capsys):
    out = tmp_path / "sol"
    assert main(["solve", str(INSTANCES / "tiny"), "--out", str(out), "--quiet"]) == 0
    a = pd.read_csv(out / "assignments.csv", keep_default_na=False, dtype=str)
    a.loc[a["firm_id"] == "F4", "plot_id"] = "P3"  # 5 MW on a 3 MW substation, werkmilieu productie ok
    a.to_csv(out / "assignments.csv", index=False)
    assert main(["verify", str(INSTANCES / "tiny"), str(out)]) == 1
    text = capsys.readouterr().out
    assert "violation" in text and "S2" in text


def test_verify_reports_a_wrong_objective(tmp_path, capsys):
    out = tmp_path / "sol"
    main(["solve", str(INSTANCES / "tiny"), "--out", str(out), "--quiet"])
    s = json.loads((out / "summary.json").read_text())
    s["objective"] += 1000
    (out / "summary.json").write_text(json.dumps(s))
    assert main(["verify", str(INSTANCES / "tiny"), str(out)]) == 1
    assert "objective" in capsys.readouterr().out


def test_verify_missing_file(tmp_path, capsys):
    out = tmp_path / "sol"
    main(["solve", str(INSTANCES / "tiny"), "--out", str(out), "--quiet"])
    (out / "plots.csv").unlink()
    assert main(["verify", str(INSTANCES / "tiny"), str(out)]) == 1
    assert "plots.csv" in capsys.readouterr().out


def test_infeasible_instance_exits_3_with_summary(tmp_path, capsys):
    d = tmp_path / "inst"
    shutil.copytree(INSTANCES / "tiny", d)
    s = pd.read_csv(d / "substations.csv")
    s.loc[s["substation_id"] == "S1", "available_mw"] = 1.0  # F1 (must place, 2 MW) only fits behind S1
    s.to_csv(d / "substations.csv", index=False)
    out = tmp_path / "out"
    assert main(["solve", str(d), "--out", str(out)]) == 3
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "infeasible" and summary["objective"] is None
    assert "infeasible" in capsys.readouterr().out
    assert main(["verify", str(d), str(out)]) == 1


def test_presolve_infeasible_reports_reasons(tmp_path, capsys):
    d = tmp_path / "inst"
    shutil.copytree(INSTANCES / "tiny", d)
    f = pd.read_csv(d / "firms.csv", dtype=str, keep_default_na=False)
    f.loc[f["firm_id"] == "F1", "category"] = "6"  # no plot allows category 6
    f.to_csv(d / "firms.csv", index=False)
    assert main(["solve", str(d), "--out", str(tmp_path / "out")]) == 3
    out = capsys.readouterr().out
    assert "F1 must be placed but has no candidate plot" in out and "category excludes 4 of 4" in out


def test_time_limit_without_solution_exits_4(tmp_path):
    src = gap_dir() / "gap12-4"
    if not src.is_file():
        pytest.skip("shared/benchmarks-external not found")
    write_gap_instance(src, tmp_path / "gap")
    out = tmp_path / "out"
    assert main(["solve", str(tmp_path / "gap"), "--out", str(out), "--time-limit", "1e-9", "--quiet"]) == 4
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "no_solution" and summary["objective"] is None


def test_time_limit_with_incumbent_is_feasible_with_true_gap(tmp_path):
    src = gap_dir() / "gap12-4"
    if not src.is_file():
        pytest.skip("shared/benchmarks-external not found")
    write_gap_instance(src, tmp_path / "gap")
    inst = revopt.load_instance(tmp_path / "gap")
    res = revopt.solve(inst, time_limit=0.3)
    if res.status == revopt.Status.FEASIBLE:
        assert res.bound >= res.objective and res.gap == pytest.approx((res.bound - res.objective) / res.objective)
        assert revopt.verify(inst, res) == []
    else:  # a fast machine may prove optimality within the limit
        assert res.status in (revopt.Status.OPTIMAL, revopt.Status.NO_SOLUTION)


def test_out_must_be_empty_unless_forced(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["solve", str(INSTANCES / "tiny"), "--out", str(out), "--quiet"]) == 2
    assert (out / "keep.txt").read_text() == "mine"
    assert main(["solve", str(INSTANCES / "tiny"), "--out", str(out), "--quiet", "--force"]) == 0
    assert {f.name for f in out.iterdir()} == SOLUTION_FILES
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_crash_while_writing_leaves_nothing_behind(tmp_path, monkeypatch):
    from revopt.results import solution

    def boom(self, d):
        (Path(d) / "assignments.csv").write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(solution.Solution, "write", boom)
    out = tmp_path / "out"
    assert main(["solve", str(INSTANCES / "tiny"), "--out", str(out), "--quiet"]) == 1
    assert list(tmp_path.iterdir()) == []


def test_progress_lines_while_solving(tmp_path, capsys):
    src = gap_dir() / "gap12-4"
    if not src.is_file():
        pytest.skip("shared/benchmarks-external not found")
    write_gap_instance(src, tmp_path / "gap")
    assert main(["solve", str(tmp_path / "gap"), "--out", str(tmp_path / "o"), "--time-limit", "2"]) == 0
    err = capsys.readouterr().err
    assert "incumbent" in err and "bound" in err
    assert main(["solve", str(tmp_path / "gap"), "--out", str(tmp_path / "o2"), "--time-limit", "2",
                 "--no-progress"]) == 0
    assert "incumbent" not in capsys.readouterr().err


def test_bench_json_record(tmp_path, capsys):
    out = tmp_path / "rec.json"
    assert main(["bench", str(INSTANCES / "tiny"), "--json", str(out), "--lp", "--no-progress"]) == 0
    rec = json.loads(out.read_text())
    for k in ("instance", "pairs", "rows", "cols", "nnz", "seconds", "peak_mb", "status", "objective", "bound",
              "gap", "greedy_objective"):
        assert k in rec
    assert {"candidates", "build", "handover", "solve", "extract"} <= set(rec["seconds"])
    assert rec["status"] == "optimal" and rec["objective"] == pytest.approx(43_015_000)
    assert rec["greedy_objective"] <= rec["objective"] + 1e-6
    assert rec["lp_bound"] >= rec["objective"] - 1e-6
    assert main(["bench", "--no-progress"]) == 2  # neither an instance nor a preset
    capsys.readouterr()
