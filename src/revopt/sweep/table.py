"""The results table of a sweep: ``results.csv`` and ``results.parquet``, one row per scenario.

Columns (spec section 10): ``scenario_id``, one per axis, ``status``, ``objective``, ``bound``,
``gap``, ``seconds``, then the KPI columns (:func:`revopt.sweep.work.kpi_columns`; ``plan_works``
on a sweep with a plan axis), then ``message`` and ``scenario_key`` (the scenario's hash).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..data.atomic import atomic_file
from .sweepfile import Sweep

HEAD = ("scenario_id",)
FIXED = ("status", "objective", "bound", "gap", "seconds")
TAIL = ("message", "scenario_key")
CSV, PARQUET = "results.csv", "results.parquet"


def columns(sweep: Sweep, rows: list[dict[str, Any]]) -> list[str]:
    """The table's columns in order: the fixed ones, then every KPI column any row has (first seen first)."""
    lead = [*HEAD, *(a.name for a in sweep.axes), *FIXED]
    kpis: dict[str, None] = {}
    for r in rows:
        for k in r:
            if k not in lead and k not in TAIL:
                kpis[k] = None
    return [*lead, *kpis, *TAIL]


def results_frame(sweep: Sweep, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per scenario (missing cells empty), numeric columns as numbers."""
    cols = columns(sweep, rows)
    df = pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)
    text = {"scenario_id", "status", "message", "scenario_key"} | {a.name for a in sweep.axes if a.kind == "plan"}
    for c in cols:
        if c in text:
            df[c] = df[c].astype(object).where(df[c].notna(), "").astype(str)
        elif c == "plan_works":
            df[c] = df[c].astype("boolean")
        else:
            num = pd.to_numeric(df[c], errors="coerce")
            if num.notna().sum() == df[c].notna().sum():   # a column of numbers (and blanks)
                df[c] = num.astype(float)
    return df


def write_table(out: Path, sweep: Sweep, rows: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[Path]]:
    """Write results.csv and results.parquet into ``out`` (each atomically); return the table and the files."""
    df = results_frame(sweep, rows)
    with atomic_file(out / CSV) as tmp:
        df.to_csv(tmp, index=False)
    with atomic_file(out / PARQUET, suffix=".parquet") as tmp:
        df.to_parquet(tmp, index=False, engine="pyarrow")
    return df, [out / CSV, out / PARQUET]


__all__ = ["write_table", "results_frame", "columns", "CSV", "PARQUET"]
