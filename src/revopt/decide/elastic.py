"""Elastic rows: a slack column for each finite bound of chosen constraint blocks.

    lower bound:  a x + s >= lower        upper bound:  a x - s <= upper        (s >= 0)

Used by the conflict search (:mod:`revopt.decide.conflict`: which rows must give way, the seed of
its deletion filter) and by the elastic variant of a relocation plan (:mod:`revopt.plans.elastic`:
what a plan lacks, in typical units).
"""

from __future__ import annotations

import numpy as np

from ..model.block import Block


def add_slack(blocks: list[Block], sides: dict[str, str], first_col: int
              ) -> tuple[list[Block], list[tuple[str, int, str]], int]:
    """The blocks with slack columns added to those named in ``sides`` (block name -> ``lower``,
    ``upper`` or ``both``: which bounds get a slack), numbered from ``first_col`` on, one per row
    with that bound finite, lower-bound slacks of a block before its upper-bound ones.

    Returns the new blocks (same order, same names and bounds), ``(block name, row in the block,
    bound)`` for each slack column in column order, and the number of columns after the slacks.
    """
    out: list[Block] = []
    meta: list[tuple[str, int, str]] = []
    col = first_col
    for b in blocks:
        side = sides.get(b.name)
        if side is None or b.n_rows == 0:
            out.append(b)
            continue
        rows, cols, vals = [b.row], [b.col], [b.val]
        for bound, sign in (("lower", 1.0), ("upper", -1.0)):   # one slack column per finite bound
            if side not in (bound, "both"):
                continue
            rs = np.flatnonzero(np.isfinite(getattr(b, bound)))
            rows.append(rs)
            cols.append(col + np.arange(len(rs)))
            vals.append(np.full(len(rs), sign))
            meta += [(b.name, int(r), bound) for r in rs]
            col += len(rs)
        out.append(Block(b.name, b.keys, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals),
                         b.lower, b.upper))
    return out, meta, col
