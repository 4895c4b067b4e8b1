"""OR-Library generalized assignment problems through revopt's pairs.csv: optima that nobody here computed."""

from __future__ import annotations

import pandas as pd
import pytest

import revopt
from conftest import solve_verified
from gap_orlib import gap_dir, write_gap_instance

DIR = gap_dir()
pytestmark = pytest.mark.skipif(not (DIR / "optima.csv").is_file(), reason="shared/benchmarks-external not found")
OPTIMA = pd.read_csv(DIR / "optima.csv") if (DIR / "optima.csv").is_file() else pd.DataFrame(
    columns=["file", "max_optimum", "min_optimum"])


@pytest.mark.parametrize("row", list(OPTIMA.itertuples()), ids=list(OPTIMA["file"]))
def test_gap_maximum(row, tmp_path):
    write_gap_instance(DIR / row.file, tmp_path / "i")
    inst = revopt.load_instance(tmp_path / "i")
    res = solve_verified(inst, gap=0.0)
    assert res.status == revopt.Status.OPTIMAL
    assert res.objective == pytest.approx(row.max_optimum, abs=1e-6)


# one problem of each of the twelve families as a minimisation (all 60 take about a minute more)
MIN_ROWS = [r for r in OPTIMA.itertuples() if str(r.file).endswith("-0")]


@pytest.mark.parametrize("row", MIN_ROWS, ids=[r.file for r in MIN_ROWS])
def test_gap_minimum(row, tmp_path):
    M, n = write_gap_instance(DIR / row.file, tmp_path / "i", minimise=True)
    inst = revopt.load_instance(tmp_path / "i")
    res = solve_verified(inst, gap=0.0)
    assert res.status == revopt.Status.OPTIMAL
    assert n * M - res.objective == pytest.approx(row.min_optimum, abs=1e-6)
