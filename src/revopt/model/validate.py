"""Input rules that need the model's candidate rules, checked after the data layer's validation.

The data layer (:mod:`revopt.data.validate`) checks every table on its own terms; a few
rules of the instance format ask more: "a locked firm's current plot is a candidate pair"
(spec section 9) needs the candidate rules of :mod:`revopt.model.candidates`. They are
checked here and raised as the same :class:`~revopt.data.errors.InstanceError`, naming
file, row and column, by

- :func:`load_instance` (``revopt.load_instance``: read, validate, check),
- :func:`revopt.solve` (for instances built in memory), and
- :func:`revopt.plans.apply_plan` (a plan may relocate or close around a locked firm).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..data.errors import InstanceError, Problem
from ..data.instance import Instance
from ..data.instance import load_instance as load_tables
from .candidates import Candidates, explain_pairs


def _locked_pairs(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the locked firms and of their current plots."""
    fi = np.flatnonzero(inst.firms["locked"].to_numpy(bool))
    pos = pd.Series(np.arange(len(inst.plots)), index=inst.plots["plot_id"])
    pj = inst.firms["current_plot"].iloc[fi].map(pos).to_numpy().astype(np.int64)
    return fi, pj


def _among(cand: Candidates, n_plots: int, fi: np.ndarray, pj: np.ndarray) -> np.ndarray:
    """Whether each pair (fi, pj) is a candidate pair of ``cand`` (sorted by firm, then plot)."""
    key = cand.pairs["firm"].to_numpy(np.int64) * n_plots + cand.pairs["plot"].to_numpy(np.int64)
    want = fi * n_plots + pj
    at = np.minimum(np.searchsorted(key, want), max(len(key) - 1, 0))
    return (key[at] == want) if len(key) else np.zeros(len(want), dtype=bool)


def check_locked_firms(inst: Instance, cand: Candidates | None = None) -> None:
    """A locked firm's current plot must be a candidate pair (spec section 9): an input error otherwise.

    With ``cand`` (the instance's candidate pairs) the locked pairs are looked up there and
    only missing ones are explained; without, every locked pair is explained.
    """
    fi, pj = _locked_pairs(inst)
    if len(fi) == 0:
        return
    if cand is not None:
        missing = ~_among(cand, len(inst.plots), fi, pj)
        if not missing.any():
            return
        fi, pj = fi[missing], pj[missing]
    why = explain_pairs(inst, fi, pj)
    problems = [Problem("firms.csv", int(f) + 2, "locked",
                        f"firm {inst.firms['firm_id'].iloc[f]} is locked on its current plot "
                        f"{inst.firms['current_plot'].iloc[f]}, but that is not a candidate pair: {w}")
                for f, w in zip(fi, why) if w]
    if problems:
        raise InstanceError(problems)


def check_instance(inst: Instance, cand: Candidates | None = None) -> Instance:
    """Every model-level input rule (today: locked firms); returns ``inst`` for chaining."""
    check_locked_firms(inst, cand)
    return inst


def load_instance(path: str | Path) -> Instance:
    """Read and validate an instance directory (spec section 1), model-level rules included.

    ``path`` is a directory with ``instance.toml`` and the CSV files of docs/instance-format.md
    (``instances/tiny``); optional columns and files get their defaults. Returns an
    :class:`~revopt.data.instance.Instance`: ``revopt.load_instance("instances/demo").firms``
    is a DataFrame with every schema column.

    Raises :class:`~revopt.data.errors.InstanceError` naming file, row, column
    and rule for every problem found (all of them, not only the first).
    """
    return check_instance(load_tables(path))


__all__ = ["check_locked_firms", "check_instance", "load_instance"]
