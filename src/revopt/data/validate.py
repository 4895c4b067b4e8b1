"""Validation of instance tables and the manifest (spec section 1 and 4).

``validate(raw_tables, manifest)`` takes every table as a DataFrame of text
cells (as read from CSV, or as converted from a user's DataFrame), parses each
column by the schema, applies the defaults and checks every rule: types,
ranges, unique ids, references between tables, category codes, werkmilieu
names, booleans, NaN/inf, the transform/national-interest rule and the current
werkmilieu on transform terrains. All problems are collected; one
:class:`InstanceError` lists them.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pandas as pd

from .errors import InstanceError, Problem
from .parse import check_rule, parse_str, parser_for
from .schema import TABLE_FILES, UNSUPPORTED_COLUMNS, columns_of, references, row_key, schema
from .vocab import WERKMILIEUS, canonical_category

ROW0 = 2  # file row number of the first data row (header = row 1)
MAX_PER_COLUMN = 10  # rows listed per broken column rule before summarising


def stripped_text(column: pd.Series) -> pd.Series:
    """The cells as stripped text (None as ""), one text object per distinct cell. A table repeats
    its ids: a national pairs.csv names 50,000 firms over 2 million rows, and one object per row
    would take some 300 MB that Python keeps after the table is gone."""
    codes, uniques = pd.factorize(column)    # no object per row, also for pandas' text dtype
    out = np.array([str(v).strip() for v in uniques] + [""], dtype=object)[codes]
    missing = np.flatnonzero(codes < 0)      # None and NaN (which reads "nan", as str() has it)
    out[missing] = ["" if v is None else str(v).strip() for v in column.iloc[missing].to_numpy(object)]
    return pd.Series(out, index=column.index, dtype=object)


def _rows(mask: pd.Series) -> list[int]:
    return [int(i) + ROW0 for i in np.flatnonzero(mask.to_numpy())]


def _report(problems: list[Problem], file: str, column: str, mask: pd.Series, rule: str,
            raw: pd.Series | None = None) -> None:
    rows = _rows(mask)
    for r in rows[:MAX_PER_COLUMN]:
        got = f" (got {raw.iloc[r - ROW0]!r})" if raw is not None else ""
        problems.append(Problem(file, r, column, rule + got))
    if len(rows) > MAX_PER_COLUMN:
        problems.append(Problem(file, rows[MAX_PER_COLUMN], column,
                                f"{rule}: {len(rows) - MAX_PER_COLUMN} more rows like this"))


def parse_table(file: str, raw: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """Parse one table by the schema; append problems; return the typed table."""
    raw = raw.reset_index(drop=True)
    raw.columns = [str(c).strip() for c in raw.columns]
    dup = raw.columns[raw.columns.duplicated()]
    for c in dup.unique():
        problems.append(Problem(file, 1, c, "column appears more than once in the header"))
    raw = raw.loc[:, ~raw.columns.duplicated()]
    for col, what in UNSUPPORTED_COLUMNS.get(file, {}).items():
        if col in raw.columns:
            problems.append(Problem(file, 1, col, f"{what} is not supported by this version of revopt"))
    out = {}
    n = len(raw)
    for spec in columns_of(file).itertuples():
        col, dtype = spec.column, spec.dtype
        if col not in raw.columns:
            if spec.required:
                problems.append(Problem(file, 1, col, "required column is missing"))
                continue
            cells = pd.Series([""] * n, dtype=object)
        else:
            cells = stripped_text(raw[col])
        empty = cells.eq("")
        if spec.required and empty.any():
            _report(problems, file, col, empty, "required value is empty")
        if spec.default != "":
            cells = cells.where(~empty, spec.default)
            empty = pd.Series(False, index=cells.index)
        parse = parser_for(dtype)
        filled = cells[~empty]
        # text columns (ids, references) keep the shared objects of stripped_text
        val, bad, rule = parse(filled if parse is parse_str else filled.astype(str))
        if bad.any():
            _report(problems, file, col, bad.reindex(cells.index, fill_value=False), rule, cells)
        if dtype == "float":
            col_val = pd.Series(np.nan, index=cells.index, dtype=float)
            col_val[~empty] = val.to_numpy(dtype=float)
            ok = (~empty) & ~bad.reindex(cells.index, fill_value=False)
            rbad, rrule = check_rule(col_val[ok], spec.rule)
            if rbad.any():
                _report(problems, file, col, rbad.reindex(cells.index, fill_value=False), rrule, cells)
        elif dtype == "bool":
            col_val = pd.Series(False, index=cells.index, dtype=bool)
            col_val[~empty] = val.to_numpy(dtype=bool)
        else:  # filled in numpy: a masked pandas assignment would copy every text object
            values = np.empty(n, dtype=object)
            values.fill(() if dtype in ("werkmilieus", "modes") or dtype.startswith("idlist:") else "")
            values[~empty.to_numpy(bool)] = val.to_numpy(dtype=object)
            col_val = pd.Series(values, index=cells.index, dtype=object)
        out[col] = col_val
    typed = pd.DataFrame(out, index=raw.index)
    extra = [c for c in raw.columns if c not in out and c not in UNSUPPORTED_COLUMNS.get(file, {})]
    for c in extra:  # columns not in the schema travel along as text
        typed[c] = stripped_text(raw[c])
    return typed


def _unique(problems: list[Problem], file: str, df: pd.DataFrame, cols: list[str], what: str) -> None:
    if not all(c in df.columns for c in cols) or df.empty:
        return
    d = df.duplicated(subset=cols, keep="first")
    if d.any():
        first = df[cols].drop_duplicates(keep="first").reset_index().set_index(cols)["index"]
        for r in _rows(d)[:MAX_PER_COLUMN]:
            key = tuple(df.iloc[r - ROW0][c] for c in cols)
            k = key if len(cols) > 1 else key[0]
            problems.append(Problem(file, r, ",".join(cols),
                                    f"{what} {k!r} appears more than once (first at row {int(first.loc[k]) + ROW0})"))


def _refs(problems: list[Problem], file: str, df: pd.DataFrame, col: str, target_file: str,
          target: pd.Series, optional: bool = False) -> None:
    if col not in df.columns:
        return
    vals = df[col]
    bad = ~vals.isin(set(target))
    if optional:
        bad &= vals.ne("")
    _report(problems, file, col, bad, f"refers to an unknown id in {target_file}", vals)


def _list_refs(problems: list[Problem], file: str, df: pd.DataFrame, col: str, target_file: str,
               target: pd.Series) -> None:
    """Each ';'-list cell of ``col`` names only rows of ``target_file`` (one problem per row)."""
    known = set(target)
    for i, ids in enumerate(df[col]):
        unknown = [x for x in (ids or ()) if x not in known]
        if unknown:
            problems.append(Problem(file, i + ROW0, col, f"refers to an unknown id in {target_file}: "
                                    + ", ".join(unknown)))


def check_keys(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """No two rows of a table share its key: the ``id`` column, or the key columns of
    :data:`~revopt.data.schema.ROW_KEYS` (schema.csv and schema.py say which)."""
    for file in TABLE_FILES:
        key = row_key(file)
        if t.get(file) is not None and key is not None:
            _unique(problems, file, t[file], key[1], key[0])


def check_references(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """Every ``ref:`` / ``idlist:`` cell of schema.csv names an existing row of its table (an
    optional column may be empty). Skipped where either side is absent: that is reported on its own."""
    for file in TABLE_FILES:
        df = t.get(file)
        if df is None:
            continue
        for col, target_file, target_col, is_list in references(file):
            target = t.get(target_file)
            if col not in df.columns or target is None or target_col not in target.columns:
                continue
            if is_list:
                _list_refs(problems, file, df, col, target_file, target[target_col])
            else:
                optional = not bool(columns_of(file).set_index("column").loc[col, "required"])
                _refs(problems, file, df, col, target_file, target[target_col], optional=optional)


MANIFEST_SECTIONS = ("instance", "objective", "compensation", "werkmilieu_max_category", "policy", "transport")


def parse_manifest(manifest: dict[str, Any], problems: list[Problem], file: str = "instance.toml") -> dict:
    """Check the manifest against the schema and fill its defaults."""
    s = schema()
    spec = s[s["file"] == "instance.toml"]
    params: dict[str, dict[str, Any]] = {sec: {} for sec in MANIFEST_SECTIONS}
    for sec, body in manifest.items():
        if sec not in MANIFEST_SECTIONS:
            problems.append(Problem(file, None, sec, f"unknown table [{sec}]; known: " + ", ".join(MANIFEST_SECTIONS)))
            continue
        if not isinstance(body, dict):
            problems.append(Problem(file, None, sec, f"[{sec}] must be a table"))
            continue
        known = set(spec["column"][spec["column"].str.startswith(sec + ".")].str.split(".").str[1])
        for key in body:
            if key not in known:
                problems.append(Problem(file, None, f"{sec}.{key}", f"unknown key; known in [{sec}]: "
                                        + ", ".join(sorted(known))))
    for r in spec.itertuples():
        sec, key = r.column.split(".", 1)
        body = manifest.get(sec) if isinstance(manifest.get(sec), dict) else {}
        present = key in body
        v = body.get(key)
        if r.dtype == "float":
            if not present:
                v = float(r.default)
            elif isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                problems.append(Problem(file, None, r.column, f"must be a finite number (got {v!r})"))
                continue
            v = float(v)
            if (r.rule == ">=0" and not v >= 0) or (r.rule == ">0" and not v > 0):
                problems.append(Problem(file, None, r.column, f"must be {r.rule[:-1]} {r.rule[-1]} (got {v!r})"))
        elif r.dtype == "bool":
            if not present:
                v = r.default == "true"
            elif not isinstance(v, bool):
                problems.append(Problem(file, None, r.column, f"must be true or false (got {v!r})"))
                continue
        elif r.dtype == "category":
            if not present:
                v = r.default
            c = canonical_category(v) if isinstance(v, (str, int, float)) and not isinstance(v, bool) else None
            if c is None:
                problems.append(Problem(file, None, r.column, f"must be a category code (got {v!r})"))
                continue
            v = c
        else:
            if present and not isinstance(v, str):
                problems.append(Problem(file, None, r.column, f"must be text (got {v!r})"))
                continue
            v = v if present else ""
        params[sec][key] = v
    return params


def validate(raw: dict[str, pd.DataFrame | None], manifest: dict[str, Any], *,
             default_name: str = "instance") -> dict[str, Any]:
    """Validate raw text tables and the manifest; return typed tables and params.

    ``raw`` maps file name to a DataFrame of text cells (None for an optional
    file that is absent). Raises :class:`InstanceError` listing every problem.
    """
    problems: list[Problem] = []
    params = parse_manifest(manifest, problems)
    if not params["instance"].get("name"):
        params["instance"]["name"] = default_name
    t: dict[str, pd.DataFrame | None] = {}
    for file, df in raw.items():
        t[file] = None if df is None else parse_table(file, df, problems)

    _default_names(t)
    for check in CHECKS:
        check(problems, t)
    if problems:
        raise InstanceError(problems)
    dep = t.get("deposition.csv")
    if dep is None:
        dep = pd.DataFrame({"plot_id": pd.Series(dtype=object), "area_id": pd.Series(dtype=object),
                            "mol_per_kg": pd.Series(dtype=float)})
    return {"params": copy.deepcopy(params), "terrains": t["terrains.csv"], "plots": t["plots.csv"],
            "firms": t["firms.csv"], "substations": t["substations.csv"], "nature_areas": t["nature_areas.csv"],
            "deposition": dep, "pairs": t.get("pairs.csv"),
            "claims": t.get("claims.csv"), "lifecycle_targets": t.get("lifecycle_targets.csv"),
            "restrictions": t.get("restrictions.csv"), "corridor_nodes": t.get("corridor_nodes.csv"),
            "corridor_edges": t.get("corridor_edges.csv"), "plot_access": t.get("plot_access.csv")}


def m2(v: float) -> str:
    """Square metres for messages: thousands separated, at most two decimals."""
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _has(df: pd.DataFrame | None, *cols: str) -> bool:
    return df is not None and set(cols) <= set(df.columns)


def _default_names(t: dict[str, pd.DataFrame | None]) -> None:
    """An empty name of a terrain or nature area is its id."""
    for name_file, idc in (("terrains.csv", "terrain_id"), ("nature_areas.csv", "area_id")):
        df = t[name_file]
        if "name" in df.columns and idc in df.columns:
            df["name"] = df["name"].where(df["name"].ne(""), df[idc])


def _core(t: dict[str, pd.DataFrame | None]) -> bool:
    """The columns the cross-table rules of terrains and plots read were parsed."""
    return _has(t["terrains.csv"], "terrain_id", "region", "status") and \
        _has(t["plots.csv"], "plot_id", "terrain_id", "werkmilieus")


def _plots_on_transform(t: dict[str, pd.DataFrame | None]) -> pd.Series:
    ter, plo = t["terrains.csv"], t["plots.csv"]
    return plo["terrain_id"].map(dict(zip(ter["terrain_id"], ter["status"]))).eq("transform")


def check_transform_terrains(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """A terrain of national interest is never transformed; a plot on a transform terrain has a
    current werkmilieu (what it loses, C7)."""
    ter, plo = t["terrains.csv"], t["plots.csv"]
    if {"status", "national_interest"} <= set(ter.columns):
        bad = ter["status"].eq("transform") & ter["national_interest"]
        _report(problems, "terrains.csv", "national_interest", bad,
                "a terrain of national interest may not have status transform")
    if {"terrain_id", "status"} <= set(ter.columns) and {"terrain_id", "current_werkmilieu"} <= set(plo.columns):
        transform_ids = set(ter.loc[ter["status"].eq("transform"), "terrain_id"])
        bad = plo["terrain_id"].isin(transform_ids) & plo["current_werkmilieu"].eq("")
        _report(problems, "plots.csv", "current_werkmilieu", bad,
                "a plot on a transform terrain needs a current werkmilieu")


def check_locked_werkmilieus(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """plots.locked_werkmilieu: one of the plot's werkmilieus, never on a transform terrain."""
    plo = t["plots.csv"]
    if not _core(t) or "locked_werkmilieu" not in plo.columns:
        return
    p_transform = _plots_on_transform(t)
    lw = plo["locked_werkmilieu"]
    locked = lw.ne("")
    own = pd.Series([bool(ws) and w in ws for w, ws in zip(lw, plo["werkmilieus"])], index=plo.index)
    _report(problems, "plots.csv", "locked_werkmilieu", locked & ~own & ~p_transform,
            "a locked werkmilieu must be one of the plot's werkmilieus", lw)
    _report(problems, "plots.csv", "locked_werkmilieu", locked & p_transform,
            "a plot on a transform terrain cannot have a locked werkmilieu (it leaves the stock)", lw)


def check_locked_firms(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """firms.locked needs a current plot (whether it is a candidate is checked on the Instance)."""
    fir = t["firms.csv"]
    if _core(t) and _has(fir, "locked", "current_plot"):
        _report(problems, "firms.csv", "locked", fir["locked"] & fir["current_plot"].eq(""),
                "a locked firm needs a current plot")


def check_develop(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """terrains.develop (a plan, docs/plans.md) on planned terrains only."""
    ter = t["terrains.csv"]
    if _core(t) and "develop" in ter.columns:
        _report(problems, "terrains.csv", "develop", ter["develop"].ne("") & ter["status"].ne("planned"),
                "only a planned terrain can be forced or forbidden to develop", ter["develop"])


def check_relocate(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """firms.relocate (a plan, docs/plans.md): a firm with a current plot, not locked."""
    fir = t["firms.csv"]
    if not (_core(t) and _has(fir, "relocate", "current_plot")):
        return
    _report(problems, "firms.csv", "relocate", fir["relocate"] & fir["current_plot"].eq(""),
            "a firm to relocate needs a current plot")
    if "locked" in fir.columns:
        _report(problems, "firms.csv", "relocate", fir["relocate"] & fir["locked"],
                "a locked firm stays on its plot: it cannot be relocated")


class _Regions:
    """The regions of the terrains and those of the terrains with plots, to check the region of a
    claim or target."""

    def __init__(self, t: dict[str, pd.DataFrame | None]) -> None:
        ter, plo = t["terrains.csv"], t["plots.csv"]
        self.of_plot = plo["terrain_id"].map(dict(zip(ter["terrain_id"], ter["region"])))
        self.with_plots = set(self.of_plot.dropna())
        self.all = set(ter["region"])

    def problem(self, region: str, what: str) -> str | None:
        """Why ``region`` cannot hold ``what`` (not a region of any terrain, or one without plots)."""
        if region in self.with_plots:
            return None
        if region in self.all:
            return f"{what}: region {region!r} has no plots"
        known = sorted(r for r in self.with_plots if r)
        return (f"{what}: region {region!r} is not the region of any terrain (regions with plots: "
                + (", ".join(known[:12]) + (", ..." if len(known) > 12 else "") if known else "none") + ")")


def check_claims(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """claims.csv (C9): a region with plots; min_floor_m2 <= max_floor_m2; a minimum no larger
    than the floor capacity of the region's plots that may get the werkmilieu (a cheap proof of
    infeasibility)."""
    cl, plo = t.get("claims.csv"), t["plots.csv"]
    if not (_core(t) and _has(cl, "region", "werkmilieu", "min_floor_m2", "max_floor_m2")):
        return
    regions, p_transform = _Regions(t), _plots_on_transform(t)
    offers: dict[str, pd.Series] = {}   # per werkmilieu: the plots that may get it
    for i, r in enumerate(cl.itertuples(index=False)):
        if r.region == "" or r.werkmilieu == "":
            continue
        name = f"claim ({r.region}, {r.werkmilieu})"
        why = regions.problem(r.region, name)
        if why:
            problems.append(Problem("claims.csv", i + ROW0, "region", why))
            continue
        lo, hi = r.min_floor_m2, r.max_floor_m2
        if not (math.isnan(lo) or math.isnan(hi)) and lo > hi:
            problems.append(Problem("claims.csv", i + ROW0, "min_floor_m2",
                                    f"{name}: min_floor_m2 {m2(lo)} is above max_floor_m2 {m2(hi)}"))
            continue
        if math.isnan(lo):
            continue
        if r.werkmilieu not in offers:
            offers[r.werkmilieu] = plo["werkmilieus"].map(lambda ws, w=r.werkmilieu: bool(ws) and w in ws)
        sel = regions.of_plot.eq(r.region) & ~p_transform & offers[r.werkmilieu]
        cap = float(plo.loc[sel, "floor_capacity_m2"].sum()) if "floor_capacity_m2" in plo else math.inf
        if lo > cap * (1 + 1e-9):
            problems.append(Problem(
                "claims.csv", i + ROW0, "min_floor_m2",
                f"{name}: min_floor_m2 {m2(lo)} is above the {m2(cap)} m2 of floor capacity of the "
                f"{int(sel.sum())} plots of region {r.region} that can be designated {r.werkmilieu}"))


def check_lifecycle_targets(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """lifecycle_targets.csv (C10): a region with plots."""
    lt = t.get("lifecycle_targets.csv")
    if not (_core(t) and _has(lt, "region", "lifecycle")):
        return
    regions = _Regions(t)
    for i, r in enumerate(lt.itertuples(index=False)):
        if r.region == "":
            continue
        why = regions.problem(r.region, f"lifecycle target ({r.region}, {r.lifecycle})")
        if why:
            problems.append(Problem("lifecycle_targets.csv", i + ROW0, "region", why))


def check_restriction_sectors(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """restrictions.csv: each sector is the sector of a firm (its terrains are checked as references)."""
    rs, fir = t.get("restrictions.csv"), t["firms.csv"]
    if not (_core(t) and _has(rs, "sector", "terrain_ids")):
        return
    sectors = set(fir["sector"]) if "sector" in fir.columns else set()
    for i, r in enumerate(rs.itertuples(index=False)):
        if r.sector and r.sector not in sectors:
            problems.append(Problem("restrictions.csv", i + ROW0, "sector",
                                    f"sector {r.sector!r} is not the sector of any firm in firms.csv"))


def check_corridor_files(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """corridor_edges.csv and plot_access.csv need corridor_nodes.csv (nodes alone are fine: a
    firm may ship to a node that plots reach directly)."""
    for file in ("corridor_edges.csv", "plot_access.csv"):
        if t.get(file) is not None and t.get("corridor_nodes.csv") is None:
            problems.append(Problem(file, None, None, f"{file} needs corridor_nodes.csv (the nodes it refers "
                                                      "to), which the instance does not have"))


def check_edge_ends(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """An edge joins two different nodes."""
    edges = t.get("corridor_edges.csv")
    if _has(edges, "u", "v"):
        _report(problems, "corridor_edges.csv", "v", edges["u"].eq(edges["v"]) & edges["u"].ne(""),
                "an edge must join two different nodes (v equals u)", edges["v"])


def check_freight(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """A firm with freight_kt > 0 needs a destination_node, and a destination needs corridor_nodes.csv."""
    fir = t["firms.csv"]
    if not _has(fir, "freight_kt", "destination_node"):
        return
    dest = fir["destination_node"]
    _report(problems, "firms.csv", "freight_kt", (fir["freight_kt"] > 0) & dest.eq(""),
            "a firm with freight_kt > 0 needs a destination_node", fir["freight_kt"].astype(str))
    if t.get("corridor_nodes.csv") is None:
        _report(problems, "firms.csv", "destination_node", dest.ne(""),
                "a destination_node needs corridor_nodes.csv, which the instance does not have", dest)


#: The checks of :func:`validate`, in the order their problems are listed; each adds the problems
#: of one rule (spec sections 1, 4, 7 and 9) for every row that breaks it.
CHECKS = (check_keys, check_references, check_transform_terrains, check_locked_werkmilieus,
          check_locked_firms, check_develop, check_relocate, check_claims, check_lifecycle_targets,
          check_restriction_sectors, check_corridor_files, check_edge_ends, check_freight)


__all__ = ["validate", "parse_table", "parse_manifest", "WERKMILIEUS"]
