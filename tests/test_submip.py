"""Neighbourhood sub-MIPs in a child process (revopt.solve.submip): the answers are HiGHS's, a HiGHS
that overruns its time limit is killed, and a dead child is replaced."""

from __future__ import annotations

from pathlib import Path

import highspy
import numpy as np

import revopt
from revopt.model.block import LinearModel
from revopt.model.build import build_model
from revopt.model.candidates import candidate_pairs
from revopt.solve.highs_backend import solve_highs
from revopt.solve.submip import KILLED, SubMipWorker

INSTANCES = Path(__file__).resolve().parents[1] / "instances"
OPTIMAL = int(highspy.HighsModelStatus.kOptimal)


def _tiny_model() -> LinearModel:
    inst = revopt.load_instance(INSTANCES / "tiny")
    lay, lm = build_model(inst, candidate_pairs(inst))
    return lm


def test_worker_answers_what_highs_answers_in_process():
    lm = _tiny_model()
    ref = solve_highs(lm, time_limit=None, gap=0.0, threads=1)
    with SubMipWorker() as w:
        for _ in range(2):  # the same child answers one job after another
            values, status = w.solve(lm, np.zeros(lm.n_cols), 30.0, {"mip_rel_gap": 0.0}, 1)
            assert status == OPTIMAL
            assert float(lm.cost @ values) == float(lm.cost @ ref.values)
        assert w.kills == 0


def test_a_dead_child_is_replaced():
    lm = _tiny_model()
    with SubMipWorker() as w:
        w.solve(lm, np.zeros(lm.n_cols), 30.0, {}, 1)
        w._proc.kill()
        w._proc.wait()
        values, status = w.solve(lm, np.zeros(lm.n_cols), 30.0, {}, 1)
        assert status == OPTIMAL and values is not None


def test_highs_stuck_in_presolve_is_killed_at_its_limit():
    """A real sub-MIP of the small preset on which HiGHS 1.16 never returns: about 1.3 s in, a RINS
    sub-MIP's presolve loops in HPresolve::strengthenInequalities and the 2 s time limit is never
    checked again. Run in a thread, it hung the whole solve (and the interpreter's exit). The worker
    must come back, and the next job must get a fresh child. (Should a future HiGHS stop by itself,
    the answer is its own, with a time-limit status.)"""
    data = np.load(Path(__file__).parent / "data" / "highs-stuck-submip.npz")
    stuck = LinearModel(**{k: data[k] for k in data.files if k != "incumbent"})
    with SubMipWorker(grace_s=1.0) as w:
        values, status = w.solve(stuck, data["incumbent"], 2.0, {"mip_rel_gap": 1e-6}, 1)
        assert status in (KILLED, int(highspy.HighsModelStatus.kTimeLimit))
        assert (status == KILLED) == (w.kills == 1)
        assert (values is None) == (status == KILLED)
        lm = _tiny_model()
        values, status = w.solve(lm, np.zeros(lm.n_cols), 30.0, {}, 1)
        assert status == OPTIMAL and values is not None
