"""Exact 0-1 knapsack by depth-first branch and bound (Horowitz and Sahni), for the Lagrangian bound.

The items come sorted by value per weight, best first, all with a positive value. The search
takes items greedily while they fit, bounds each node by the fractional (LP) knapsack of the
rest, and backtracks to the last item taken. With a node limit it gives up and says so (the
caller then keeps the fractional value, an over-estimate, so the bound stays valid).

numba compiles the kernel when it is installed (:func:`kernel`, :func:`available`); the same
function runs as plain Python otherwise (the problems are small: the pairs of one plot with a
positive reduced cost).
"""

from __future__ import annotations

import numpy as np


def _knapsack01(values, weights, capacity, node_limit, chosen):
    """Best value of a 0-1 knapsack, and its items in ``chosen`` (0/1); -1.0 when the limit was hit."""
    n = len(values)
    x = np.zeros(n, np.int8)
    best = 0.0
    for t in range(n):
        chosen[t] = 0
    cv = 0.0
    cw = 0.0
    i = 0
    nodes = 0
    while True:
        # fractional bound of the node: items i.. taken greedily, the first that does not fit in part
        ub = cv
        room = capacity - cw
        k = i
        while k < n and weights[k] <= room:
            room -= weights[k]
            ub += values[k]
            k += 1
        if k < n and weights[k] > 0:
            ub += values[k] * room / weights[k]
        if ub > best * (1.0 + 1e-12) + 1e-12:
            for t in range(i, k):
                x[t] = 1
                cv += values[t]
                cw += weights[t]
            if k >= n:               # a leaf: everything left fitted; record it, then undo this step
                best = cv
                for t in range(n):
                    chosen[t] = x[t]
                for t in range(i, n):
                    x[t] = 0
                    cv -= values[t]
                    cw -= weights[t]
            else:                    # item k does not fit: go on without it
                x[k] = 0
                i = k + 1
                continue
        # backtrack: drop the last item taken and try without it
        j = i - 1
        while j >= 0 and x[j] == 0:
            j -= 1
        if j < 0:
            break
        x[j] = 0
        cv -= values[j]
        cw -= weights[j]
        i = j + 1
        nodes += 1
        if nodes > node_limit:
            return -1.0
    return best


_compiled = None     # the numba-compiled kernel once made, False when numba is not installed


def kernel():
    """The fastest kernel there is: compiled by numba on first use (numba is imported only then,
    it takes half a second), else the plain function."""
    global _compiled
    if _compiled is None:
        try:
            import numba
        except ImportError:  # pragma: no cover - without numba the plain function does the same, slower
            _compiled = False
        else:
            _compiled = numba.njit(cache=True)(_knapsack01)
    return _compiled or _knapsack01


def available() -> bool:
    """Whether the compiled kernel is used."""
    return kernel() is not _knapsack01
