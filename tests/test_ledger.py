"""The greedy's capacity ledger against the model's own rows, its undo journal, and the final check.

The ledger is read from the constraint blocks (C4, C5, C6 through the emission
columns, C8, C9, C10, C11); here its usage and its "does this column fit" are
held against ``A v`` evaluated block by block on the same columns, on a
generated instance with every family in play and on random tiny instances.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revopt.generate import generate
from revopt.heuristics import greedy
from revopt.heuristics.check import row_violations
from revopt.heuristics.journal import Journal
from revopt.heuristics.ledger import CAPACITY_FAMILIES, CapacityLedger, column_kinds
from revopt.model.block import Block
from revopt.model.build import build_blocks
from revopt.model.candidates import candidate_pairs
from revopt.model.layout import build_layout
from strategies import tiny_instances

SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
X, Z, D, U, C, E = range(6)


@pytest.fixture(scope="module")
def small():
    inst = generate("small", seed=0)
    lay = build_layout(inst, candidate_pairs(inst))
    return inst, lay, build_blocks(inst, lay)


def column_vector(inst, lay, x_on: np.ndarray, z_on: np.ndarray, give: float) -> np.ndarray:
    """x and z switched on as given, e[p] the nitrogen of the pairs on p, every d and u at ``give``."""
    v = np.zeros(lay.n_cols)
    v[x_on], v[z_on] = 1.0, 1.0
    kind = column_kinds(lay)
    v[(kind == D) | (kind == U)] = give
    kg = inst.firms["nitrogen_kg"].to_numpy(float)[lay.pairs["firm"].to_numpy(np.int64)]
    emit = np.bincount(lay.pairs["plot"].to_numpy(np.int64)[x_on], weights=kg[x_on], minlength=len(inst.plots))
    v[lay.e["col"].to_numpy(np.int64)] = emit[lay.e["plot"].to_numpy(np.int64)]
    return v


def activity(blocks, v) -> dict[str, np.ndarray]:
    return {b.name: np.bincount(b.row, weights=b.val * v[b.col], minlength=b.n_rows) for b in blocks}


def random_selection(lay, rng, share=0.3):
    x_on = np.flatnonzero(rng.random(lay.n_x) < share)
    z_cols = lay.z["col"].to_numpy(np.int64)
    return x_on, z_cols[rng.random(len(z_cols)) < share]


def ledger_with(lay, blocks, x_on, z_on) -> CapacityLedger:
    ledger = CapacityLedger.from_blocks(blocks, lay).emptied()
    for c in np.concatenate([x_on, z_on]):
        ledger.add(int(c), Journal())
    return ledger


def assert_usage_is_the_models(inst, lay, blocks, seed: int) -> None:
    """With d = u = 0 the capacity rows' activity is their usage: the ledger's, row by row."""
    x_on, z_on = random_selection(lay, np.random.default_rng(seed))
    ledger = ledger_with(lay, blocks, x_on, z_on)
    act = activity(blocks, column_vector(inst, lay, x_on, z_on, give=0.0))
    for name in CAPACITY_FAMILIES:
        np.testing.assert_allclose(ledger.used[ledger.rows(name)], act[name], rtol=1e-12, atol=1e-9, err_msg=name)


def assert_fit_is_the_models(inst, lay, blocks, seed: int, n: int = 60) -> list[bool]:
    """A pair fits on the ledger exactly when adding it (with d = u = 1: the plot opened and
    intensified) keeps every capacity row it changes within its upper bound. Plots hold about
    half a firm each, so that both answers occur; returns the answers."""
    rng = np.random.default_rng(seed)
    x_on, z_on = random_selection(lay, rng, share=min(0.15, 0.5 * len(inst.plots) / max(lay.n_x, 1)))
    ledger = ledger_with(lay, blocks, x_on, z_on)
    base = activity(blocks, column_vector(inst, lay, x_on, z_on, give=1.0))
    upper = {b.name: b.upper for b in blocks}
    off = np.setdiff1d(np.arange(lay.n_x), x_on)
    answers = []
    for j in rng.choice(off, size=min(n, len(off)), replace=False):
        after = activity(blocks, column_vector(inst, lay, np.append(x_on, j), z_on, give=1.0))
        fits = all(np.all(after[k][ch] <= upper[k][ch] + 1e-11 * np.maximum(1.0, np.abs(upper[k][ch])))
                   for k in CAPACITY_FAMILIES for ch in [after[k] != base[k]])
        assert ledger.fits_column(int(j)) == fits, j
        assert ledger.fits(np.array([j]))[0] == fits
        assert ledger.fits_range(int(j), int(j) + 1)[0] == fits
        answers.append(fits)
    return answers


def test_usage_matches_the_model_rows(small):
    inst, lay, blocks = small
    assert all(next(b for b in blocks if b.name == k).n_rows for k in CAPACITY_FAMILIES)  # every family in play
    for seed in range(3):
        assert_usage_is_the_models(inst, lay, blocks, seed)


def test_fit_matches_the_model_rows(small):
    inst, lay, blocks = small
    answers = assert_fit_is_the_models(inst, lay, blocks, seed=0, n=200)
    assert 0 < sum(answers) < len(answers)


@settings(max_examples=40, **SETTINGS)
@given(tiny_instances(max_firms=6, max_plots=5, policy=True), st.integers(0, 1000))
def test_ledger_on_random_instances(inst, seed):
    lay = build_layout(inst, candidate_pairs(inst))
    blocks = build_blocks(inst, lay)
    assert_usage_is_the_models(inst, lay, blocks, seed)
    assert_fit_is_the_models(inst, lay, blocks, seed, n=10)


def test_undo_restores_every_value_exactly(small):
    _, lay, blocks = small
    rng = np.random.default_rng(5)
    x_on, z_on = random_selection(lay, rng)
    ledger = ledger_with(lay, blocks, x_on, z_on)
    used, count = ledger.used.copy(), ledger.count.copy()
    journal = Journal()
    journal.start()
    for c in rng.choice(x_on, size=20, replace=False):
        ledger.remove(int(c), journal)
    for c in rng.choice(np.setdiff1d(np.arange(lay.n_x), x_on), size=20, replace=False):
        ledger.add(int(c), journal)
    assert not np.array_equal(ledger.used, used)
    journal.undo()
    assert np.array_equal(ledger.used, used) and np.array_equal(ledger.count, count)


def test_a_row_left_empty_is_exactly_zero(small):
    _, lay, blocks = small
    ledger = CapacityLedger.from_blocks(blocks, lay).emptied()
    for j in range(50):
        ledger.add(j, Journal())
    for j in reversed(range(50)):
        ledger.remove(j, Journal())
    assert not ledger.used.any() and not ledger.count.any()


def test_a_column_the_ledger_cannot_read_raises(small):
    _, lay, blocks = small
    credit = int(lay.c["col"].iloc[0])
    grid = Block("C5_grid", None, np.array([0]), np.array([credit]), np.array([1.0]), np.array([-np.inf]),
                 np.array([1.0]))
    with pytest.raises(AssertionError, match="C5_grid"):
        CapacityLedger.from_blocks([grid if b.name == "C5_grid" else b for b in blocks], lay)


def test_final_check_names_the_broken_rows(small):
    inst, lay, blocks = small
    res = greedy(inst)
    v = res.column_values(lay)
    assert row_violations(blocks, v) == []
    crowded = v.copy()
    crowded[: lay.n_x] = 1.0        # every firm on every one of its plots
    problems = row_violations(blocks, crowded)
    assert any(p.startswith("C1_placement[") for p in problems)
    assert any(p.startswith("C4_floor[") for p in problems)
    no_grid = [Block(b.name, b.keys, b.row, b.col, b.val, b.lower, np.zeros(b.n_rows))
               if b.name == "C5_grid" else b for b in blocks]
    assert any(p.startswith("C5_grid[") and "> 0" in p for p in row_violations(no_grid, v))
