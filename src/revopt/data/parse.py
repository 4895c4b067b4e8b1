"""Column parsing driven by the schema: text cells in, typed columns out.

Each parser takes a Series of stripped strings and returns the typed Series
plus a boolean mask of the rows that broke the column's rule, with that rule's
wording. Empty cells are handled before the parser runs (defaults, required).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .vocab import CATEGORIES, MODES, RANK, WERKMILIEUS, canonical_category

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def parse_float(s: pd.Series) -> tuple[pd.Series, pd.Series, str]:
    v = pd.to_numeric(s, errors="coerce").astype(float)
    bad = ~np.isfinite(v.to_numpy())
    return pd.Series(v, index=s.index), pd.Series(bad, index=s.index), "must be a finite number"


def parse_bool(s: pd.Series) -> tuple[pd.Series, pd.Series, str]:
    low = s.str.lower()
    # numeric spellings from spreadsheets ("1.0")
    low = low.replace({"1.0": "1", "0.0": "0"})
    val = low.isin(_TRUE)
    bad = ~(val | low.isin(_FALSE))
    return val.astype(bool), bad, "must be true or false (or 1/0)"


def parse_category(s: pd.Series) -> tuple[pd.Series, pd.Series, str]:
    uniq = {u: canonical_category(u) for u in s.unique()}
    v = s.map(uniq)
    bad = v.isna()
    return v.fillna(""), bad, "must be a category code (" + ", ".join(CATEGORIES) + ")"


def parse_werkmilieu(s: pd.Series) -> tuple[pd.Series, pd.Series, str]:
    low = s.str.lower()
    bad = ~low.isin(WERKMILIEUS)
    return low.where(~bad, ""), bad, "must be one of " + ", ".join(WERKMILIEUS)


def parse_werkmilieus(s: pd.Series) -> tuple[pd.Series, pd.Series, str]:
    def one(cell: str):
        parts = {p.strip().lower() for p in cell.split(";")} - {""}
        if not parts or not parts <= set(WERKMILIEUS):
            return None
        return tuple(w for w in WERKMILIEUS if w in parts)

    uniq = {u: one(u) for u in s.unique()}
    v = s.map(uniq)
    bad = v.isna()
    return v, bad, "must be a non-empty ';'-list of " + ", ".join(WERKMILIEUS)


def parse_idlist(s: pd.Series) -> tuple[pd.Series, pd.Series, str]:
    """A ';'-list of ids as a tuple (order kept, duplicates dropped); references are checked later."""
    def one(cell: str):
        parts = tuple(dict.fromkeys(p.strip() for p in cell.split(";") if p.strip()))
        return parts or None

    uniq = {u: one(u) for u in s.unique()}
    v = s.map(uniq)
    bad = v.isna()
    return v, bad, "must be a non-empty ';'-list of ids"


def parse_modes(s: pd.Series) -> tuple[pd.Series, pd.Series, str]:
    """A ';'-list of transport modes as a tuple in the order of :data:`MODES`."""
    def one(cell: str):
        parts = {p.strip().lower() for p in cell.split(";")} - {""}
        if not parts or not parts <= set(MODES):
            return None
        return tuple(m for m in MODES if m in parts)

    uniq = {u: one(u) for u in s.unique()}
    v = s.map(uniq)
    bad = v.isna()
    return v, bad, "must be a non-empty ';'-list of " + ", ".join(MODES)


def parse_enum(values: tuple[str, ...]):
    def parse(s: pd.Series) -> tuple[pd.Series, pd.Series, str]:
        low = s.str.lower()
        bad = ~low.isin(values)
        return low, bad, "must be one of " + ", ".join(values)

    return parse


def parse_str(s: pd.Series) -> tuple[pd.Series, pd.Series, str]:
    return s, pd.Series(False, index=s.index), ""


def parser_for(dtype: str):
    if dtype == "float":
        return parse_float
    if dtype == "bool":
        return parse_bool
    if dtype == "category":
        return parse_category
    if dtype == "werkmilieu":
        return parse_werkmilieu
    if dtype == "werkmilieus":
        return parse_werkmilieus
    if dtype.startswith("idlist:"):
        return parse_idlist
    if dtype == "modes":
        return parse_modes
    if dtype.startswith("enum:"):
        return parse_enum(tuple(dtype[5:].split("|")))
    return parse_str  # id, ref:..., str


def check_rule(v: pd.Series, rule: str) -> tuple[pd.Series, str]:
    """Rows of a parsed float column that break a range rule like '>=0' or '>0'."""
    if not rule:
        return pd.Series(False, index=v.index), ""
    a = v.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        if rule == ">=0":
            bad = ~(a >= 0)
        elif rule == ">0":
            bad = ~(a > 0)
        else:  # pragma: no cover - schema typo
            raise ValueError(f"unknown rule {rule!r} in schema.csv")
    return pd.Series(bad, index=v.index), f"must be {rule[:-1]} {rule[-1]}"


def rank_array(categories: pd.Series) -> np.ndarray:
    return categories.map(RANK).to_numpy(dtype=np.int64)
