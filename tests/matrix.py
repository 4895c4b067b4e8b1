"""Check a column vector against a LinearModel row by row (test helper, plain loops)."""

from __future__ import annotations

import numpy as np


def matrix_violations(lm, v: np.ndarray) -> list[str]:
    """Rows, column bounds and integrality that ``v`` violates (relative tolerance 1e-6)."""
    assert v.shape == (lm.n_cols,)
    out = []
    ax = np.zeros(lm.n_rows)
    for r in range(lm.n_rows):
        a, b = lm.start[r], lm.start[r + 1]
        ax[r] = lm.value[a:b] @ v[lm.index[a:b]]
    bad_lo = np.flatnonzero(ax < lm.row_lower - 1e-6 * np.maximum(1, np.abs(lm.row_lower)))
    bad_up = np.flatnonzero(ax > lm.row_upper + 1e-6 * np.maximum(1, np.abs(lm.row_upper)))
    names = {r: name for name, (a, b) in lm.block_rows.items() for r in range(a, b)}
    out += [f"row {names[r]}[{r}] {ax[r]} < {lm.row_lower[r]}" for r in bad_lo]
    out += [f"row {names[r]}[{r}] {ax[r]} > {lm.row_upper[r]}" for r in bad_up]
    if np.any(v < lm.col_lower - 1e-9) or np.any(v > lm.col_upper + 1e-9):
        out.append("column bounds")
    ints = lm.integrality.astype(bool)
    if np.any(np.abs(v[ints] - np.round(v[ints])) > 1e-9):
        out.append("integrality")
    return out
