"""The stacked CSR matrix (:func:`revopt.model.block.stack`) is exactly the blocks' nonzero entries,
each block's rows after the previous block's and each row's entries by column (ties in the
blocks' order), whatever order the families emit them in."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from revopt.model.block import Block, stack


@st.composite
def blocks(draw):
    n_cols = draw(st.integers(1, 12))
    out = []
    for b in range(draw(st.integers(1, 4))):
        n_rows = draw(st.integers(0, 6))
        n = draw(st.integers(0, 25)) if n_rows else 0
        row = np.array(draw(st.lists(st.integers(0, max(0, n_rows - 1)), min_size=n, max_size=n)), np.int64)
        col = np.array(draw(st.lists(st.integers(0, n_cols - 1), min_size=n, max_size=n)), np.int64)
        val = np.array(draw(st.lists(st.sampled_from([0.0, 1.0, -2.5, 3.0]), min_size=n, max_size=n)), float)
        if draw(st.booleans()):  # some families emit their entries already in (row, column) order
            order = np.lexsort((col, row))
            row, col, val = row[order], col[order], val[order]
        out.append(Block(f"B{b}", pd.DataFrame(), row, col, val, np.zeros(n_rows), np.ones(n_rows)))
    return out, n_cols


@settings(max_examples=60, deadline=None)
@given(blocks())
def test_stack_is_the_blocks_entries_row_by_row_in_column_order(case):
    bl, n_cols = case
    start, index, value, lower, upper, spans = stack(bl, n_cols)
    # the reference: every nonzero entry with its global row, then a stable sort by (row, column)
    offs, ref = 0, []
    for b in bl:
        ref += [(offs + r, c, v, k) for k, (r, c, v) in enumerate(zip(b.row, b.col, b.val)) if v != 0]
        assert spans[b.name] == (offs, offs + b.n_rows)
        offs += b.n_rows
    ref.sort(key=lambda e: (e[0], e[1]))  # Python's sort is stable: ties keep the block's order
    assert len(start) == offs + 1 and start[-1] == len(ref)
    got = [(i, int(index[k]), float(value[k])) for i in range(offs) for k in range(start[i], start[i + 1])]
    assert got == [(r, c, v) for r, c, v, _ in ref]
    assert len(lower) == len(upper) == offs
