"""benchmarks/peers.py and gap_large.py: the model as MPS reaches the same optimum in every peer; GAP instances.

Cheap by design (the tiny instance, a 3 x 8 GAP): the benchmark itself is run by hand (docs/benchmarks.md).
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import revopt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import gap_large  # noqa: E402 - after the sys.path line above
import peer_solvers  # noqa: E402 - after the sys.path line above
import peers  # noqa: E402 - after the sys.path line above

TINY_OPTIMUM = 43_015_000  # tests/test_tiny.py, derived by hand


def test_mps_round_trip_every_peer(tmp_path):
    """revopt's model written as MPS (and as arrays for CP-SAT): each peer, each in its own process,
    reaches revopt's optimum on tiny, and the driver's independent check passes."""
    pytest.importorskip("pyscipopt")
    pytest.importorskip("ortools")
    assert peers.main([str(ROOT / "instances" / "tiny"), "--time-limit", "5", "--out", str(tmp_path)]) == 0
    recs = {r["peer"]: r for r in json.loads((tmp_path / "peers.json").read_text())["records"]}
    assert set(recs) == set(peers.PEERS)
    for peer, r in recs.items():
        assert r["status"] == "optimal", (peer, r)
        assert r["objective"] == pytest.approx(TINY_OPTIMUM, abs=1e-6), peer
        assert r["bound"] == pytest.approx(TINY_OPTIMUM, abs=1e-3), peer
        assert r["check"] in ("ok", "verify: ok"), (peer, r["check"])
    # the objectives the check recomputed from each solver's vector, not the solver's own word
    for peer in ("highs", "scip", "cpsat"):
        assert recs[peer]["recomputed_objective"] == pytest.approx(TINY_OPTIMUM, abs=1e-6)
    assert "| tiny | CP-SAT (2 workers) | optimal |" in (tmp_path / "peers.md").read_text()


def test_check_catches_a_wrong_vector(tmp_path):
    """A vector whose cost differs from the reported objective, or that breaks a row, fails the check."""
    peers.write_model(revopt.load_instance(ROOT / "instances" / "tiny"), tmp_path)
    arrays = dict(np.load(tmp_path / "model.npz"))
    x = np.ones(len(arrays["cost"]))  # every pair taken: breaks C1 (one plot per firm)
    np.save(tmp_path / "highs.x.npy", x)
    rec = {"peer": "highs", "status": "feasible", "objective": float(arrays["cost"] @ x) + 1000.0}
    peers.check(rec, tmp_path, arrays)
    assert rec["check"].startswith("FAILED")
    assert "recomputed" in rec["check"] and "row violated" in rec["check"]


def _model(cost, integrality, rows, lo, up, col_up):
    """Arrays of a small maximisation model from dense rows."""
    a = np.asarray(rows, float)
    start = np.r_[0, np.cumsum((a != 0).sum(axis=1))]
    r, c = np.nonzero(a)
    return {"cost": np.asarray(cost, float), "col_lower": np.zeros(len(cost)), "col_upper": np.asarray(col_up, float),
            "integrality": np.asarray(integrality, np.int32), "row_lower": np.asarray(lo, float),
            "row_upper": np.asarray(up, float), "start": start, "index": c, "value": a[r, c]}


def test_cpsat_refuses_a_continuous_column_it_cannot_prove_integral():
    """y continuous in an inequality only (2y <= x + 0.5): its optimum is fractional, CP-SAT must not guess."""
    pytest.importorskip("ortools")
    arr = _model([1.0, 1.0], [1, 0], [[-1.0, 2.0]], [-np.inf], [0.5], [1.0, np.inf])
    ok, _ = peer_solvers.certify_integral(arr, np.zeros(0, np.int64), {})
    assert list(ok) == [True, False]
    with pytest.raises(peer_solvers.CannotTake, match="not provably integral"):
        peer_solvers.cpsat_model(arr, ok, ["x", "y"])


def test_cpsat_takes_an_emission_column_and_scales_fractional_rows_exactly():
    """e = 3 x1 + 2 x2 (an equality: e is integer), 0.25 e <= 1.1: x1 + x2 with 0.75 x1 + 0.5 x2 <= 1.1
    allows one of them; CP-SAT's optimum (x1 at value 5) is HiGHS's."""
    pytest.importorskip("ortools")
    from ortools.sat.python import cp_model

    arr = _model([5.0, 4.5, 0.0], [1, 1, 0], [[3.0, 2.0, -1.0], [0.0, 0.0, 0.25]], [0.0, -np.inf], [0.0, 1.1],
                 [1.0, 1.0, np.inf])
    ok, notes = peer_solvers.certify_integral(arr, np.zeros(0, np.int64), {})
    assert ok.all() and "equality" in notes[0]
    _, up = peer_solvers.column_bounds(arr, ok)
    assert up[2] == 4  # e <= 1.1 / 0.25 = 4.4 from the second row (and <= 5 from the first)
    m, xs, divisor = peer_solvers.cpsat_model(arr, ok, ["x1", "x2", "e"])
    s = cp_model.CpSolver()
    assert s.solve(m) == cp_model.OPTIMAL
    assert s.objective_value / divisor == pytest.approx(5.0)
    assert [s.value(v) for v in xs] == [1, 0, 3]


@pytest.mark.parametrize("kind,seed", [("c", 2), ("d", 2), ("e", 2), ("c", 0)])
def test_gap_large_instance_optimum_is_the_brute_force_minimum(kind, seed, tmp_path):
    """A 3-agent, 8-job GAP through revopt: objective = jobs * M - (brute-force minimum cost), or infeasible
    where no assignment fits (type C seed 0: the 0.8 capacity rule is tight at this size)."""
    c, w, b = gap_large.generate_gap(kind, 3, 8, seed)
    fits = [assign for assign in itertools.product(range(3), repeat=8)
            if all(sum(w[a, j] for j, x in enumerate(assign) if x == a) <= b[a] for a in range(3))]
    d = gap_large.write_instance(tmp_path / kind, kind, 3, 8, seed)
    inst = revopt.load_instance(d)
    res = revopt.solve(inst, gap=0.0)
    if not fits:
        assert res.status == revopt.Status.INFEASIBLE
        return
    best = min(sum(c[a, j] for j, a in enumerate(assign)) for assign in fits)
    assert res.status == revopt.Status.OPTIMAL
    assert revopt.verify(inst, res) == []
    info = json.loads((d / "gap.json").read_text())
    assert info["jobs"] * info["offset_M"] - res.objective == pytest.approx(best)


def test_gap_large_families_are_as_published():
    """Types C/D/E: the resource and cost ranges and the 0.8 capacity rule of Chu & Beasley's generators."""
    c, w, b = gap_large.generate_gap("c", 20, 1600, seed=0)
    assert w.min() >= 5 and w.max() <= 25 and c.min() >= 10 and c.max() <= 50
    assert np.array_equal(b, np.floor(0.8 * w.sum(axis=1) / 20).astype(np.int64))
    c, w, b = gap_large.generate_gap("d", 20, 1600, seed=0)
    assert w.min() >= 1 and w.max() <= 100 and np.all(np.abs(c - (111 - w)) <= 10)
    c, w, b = gap_large.generate_gap("e", 20, 1600, seed=0)
    assert w.min() >= 1 and np.all(b >= w.max(axis=1))
    assert gap_large.parse_name(gap_large.instance_name("e", 80, 1600, 3)) == ("e", 80, 1600, 3)
    with pytest.raises(ValueError, match="GAP-large name"):
        gap_large.parse_name("gap-x1600x20-s0")
