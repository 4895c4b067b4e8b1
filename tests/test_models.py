"""The LP files in models/ are the current formulation: read back, they solve to the known optimum."""

from __future__ import annotations

import highspy
import pytest

import revopt
from conftest import INSTANCES, ROOT
from revopt.solve.export import write_model
from revopt.solve.highs_backend import highs_for


def _solve_file(path) -> float:
    h = highs_for(options={"mip_rel_gap": 0.0})
    assert h.readModel(str(path)) != highspy.HighsStatus.kError
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h.getInfo().objective_function_value


def test_committed_tiny_lp_is_current(tmp_path):
    fresh = write_model(revopt.load_instance(INSTANCES / "tiny"), tmp_path / "tiny.lp")
    assert (ROOT / "models" / "tiny.lp").read_text() == fresh.read_text(), \
        "regenerate models/tiny.lp (models/README.md)"
    assert _solve_file(ROOT / "models" / "tiny.lp") == pytest.approx(43_015_000.0)
