from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import revopt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ROOT / "instances"


def solve_verified(inst, **kw) -> revopt.Result:
    """Solve and re-check the solution with the independent verifier."""
    res = revopt.solve(inst, **kw)
    if res.status.has_solution:
        violations = revopt.verify(inst, res)
        assert violations == [], violations
    return res


@pytest.fixture(scope="session")
def tiny():
    return revopt.load_instance(INSTANCES / "tiny")
