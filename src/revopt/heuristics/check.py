"""The greedy's final check: its column vector against every row of the model, ``A v`` against the
row bounds, block by block (so a violation names its family and row).

The greedy returns nothing it has not checked here; a violation is a bug in the
greedy's bookkeeping, never a property of the instance.
"""

from __future__ import annotations

import numpy as np

from ..model.block import Block

#: relative tolerance of the check, on the larger of the bound and the row's terms
CHECK_TOLERANCE = 1e-9


def row_violations(blocks: list[Block], v: np.ndarray, tolerance: float = CHECK_TOLERANCE) -> list[str]:
    """Rows ``lower <= A v <= upper`` that ``v`` violates, as ``family[key]: activity vs bound``.

    The tolerance is relative to the larger of 1, the bound and the sum of the row's terms in
    absolute value (so a row such as C6_emission, ``sum kg x - e = 0``, is held to the rounding
    of its own sums)."""
    out = []
    for b in blocks:
        if b.n_rows == 0:
            continue
        terms = b.val * v[b.col]
        activity = np.bincount(b.row, weights=terms, minlength=b.n_rows)
        scale = np.bincount(b.row, weights=np.abs(terms), minlength=b.n_rows)
        for bound, sign in ((b.lower, -1.0), (b.upper, 1.0)):
            finite = np.isfinite(bound)
            allowed = tolerance * np.maximum(np.maximum(1.0, scale), np.abs(np.where(finite, bound, 0.0)))
            bad = np.flatnonzero(finite & (sign * (activity - bound) > allowed))
            out += [f"{b.name}[{_key(b, r)}]: {activity[r]:.12g} {'>' if sign > 0 else '<'} {bound[r]:.12g}"
                    for r in bad[:10]]
    return out


def _key(b: Block, r: int) -> str:
    if b.keys is None or b.keys.empty:
        return str(r)
    return ",".join(str(x) for x in b.keys.iloc[r].tolist())


def column_violations(continuous: np.ndarray, v: np.ndarray) -> list[str]:
    """Columns of ``v`` outside their domain: every column >= 0, all but ``continuous`` 0 or 1."""
    binary = np.ones(len(v), dtype=bool)
    binary[continuous] = False
    out = []
    if np.any(v < 0):
        out.append(f"{int(np.count_nonzero(v < 0))} negative columns")
    if np.any(binary & (v != 0) & (v != 1)):
        out.append("a binary column that is neither 0 nor 1")
    return out
