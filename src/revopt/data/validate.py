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
from .parse import check_rule, parser_for
from .schema import UNSUPPORTED_COLUMNS, columns_of, schema
from .vocab import WERKMILIEUS, canonical_category

ROW0 = 2  # file row number of the first data row (header = row 1)
MAX_PER_COLUMN = 10  # rows listed per broken column rule before summarising


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
            cells = raw[col].astype(object).map(lambda v: "" if v is None else str(v).strip())
        empty = cells.eq("")
        if spec.required and empty.any():
            _report(problems, file, col, empty, "required value is empty")
        if spec.default != "":
            cells = cells.where(~empty, spec.default)
            empty = pd.Series(False, index=cells.index)
        parse = parser_for(dtype)
        filled = cells[~empty]
        val, bad, rule = parse(filled.astype(str))
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
        else:
            col_val = pd.Series("", index=cells.index, dtype=object)
            if dtype in ("werkmilieus", "modes") or dtype.startswith("idlist:"):
                col_val = pd.Series([()] * n, index=cells.index, dtype=object)
            col_val[~empty] = val.to_numpy(dtype=object)
        out[col] = col_val
    typed = pd.DataFrame(out, index=raw.index)
    extra = [c for c in raw.columns if c not in out and c not in UNSUPPORTED_COLUMNS.get(file, {})]
    for c in extra:  # columns not in the schema travel along as text
        typed[c] = raw[c].astype(object).map(lambda v: "" if v is None else str(v).strip())
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

    sub, ter, plo, fir = t["substations.csv"], t["terrains.csv"], t["plots.csv"], t["firms.csv"]
    nat, dep, pai = t["nature_areas.csv"], t.get("deposition.csv"), t.get("pairs.csv")
    _unique(problems, "substations.csv", sub, ["substation_id"], "substation_id")
    _unique(problems, "terrains.csv", ter, ["terrain_id"], "terrain_id")
    _unique(problems, "plots.csv", plo, ["plot_id"], "plot_id")
    _unique(problems, "firms.csv", fir, ["firm_id"], "firm_id")
    _unique(problems, "nature_areas.csv", nat, ["area_id"], "area_id")
    for name_file, idc in (("terrains.csv", "terrain_id"), ("nature_areas.csv", "area_id")):
        df = t[name_file]
        if "name" in df.columns and idc in df.columns:
            df["name"] = df["name"].where(df["name"].ne(""), df[idc])

    if "terrain_id" in plo.columns and "terrain_id" in ter.columns:
        _refs(problems, "plots.csv", plo, "terrain_id", "terrains.csv", ter["terrain_id"])
    if "substation_id" in plo.columns and "substation_id" in sub.columns:
        _refs(problems, "plots.csv", plo, "substation_id", "substations.csv", sub["substation_id"])
    if "plot_id" in plo.columns:
        _refs(problems, "firms.csv", fir, "current_plot", "plots.csv", plo["plot_id"], optional=True)
    if dep is not None:
        _unique(problems, "deposition.csv", dep, ["plot_id", "area_id"], "pair (plot_id, area_id)")
        if "plot_id" in plo.columns:
            _refs(problems, "deposition.csv", dep, "plot_id", "plots.csv", plo["plot_id"])
        if "area_id" in nat.columns:
            _refs(problems, "deposition.csv", dep, "area_id", "nature_areas.csv", nat["area_id"])
    if pai is not None:
        _unique(problems, "pairs.csv", pai, ["firm_id", "plot_id"], "pair (firm_id, plot_id)")
        if "firm_id" in fir.columns:
            _refs(problems, "pairs.csv", pai, "firm_id", "firms.csv", fir["firm_id"])
        if "plot_id" in plo.columns:
            _refs(problems, "pairs.csv", pai, "plot_id", "plots.csv", plo["plot_id"])

    if {"status", "national_interest"} <= set(ter.columns):
        bad = ter["status"].eq("transform") & ter["national_interest"]
        _report(problems, "terrains.csv", "national_interest", bad,
                "a terrain of national interest may not have status transform")
    if {"terrain_id", "status"} <= set(ter.columns) and {"terrain_id", "current_werkmilieu"} <= set(plo.columns):
        transform_ids = set(ter.loc[ter["status"].eq("transform"), "terrain_id"])
        bad = plo["terrain_id"].isin(transform_ids) & plo["current_werkmilieu"].eq("")
        _report(problems, "plots.csv", "current_werkmilieu", bad,
                "a plot on a transform terrain needs a current werkmilieu")
    _policy(problems, t)
    _corridors(problems, t)
    if problems:
        raise InstanceError(problems)
    if dep is None:
        dep = pd.DataFrame({"plot_id": pd.Series(dtype=object), "area_id": pd.Series(dtype=object),
                            "mol_per_kg": pd.Series(dtype=float)})
    return {"params": copy.deepcopy(params), "terrains": ter, "plots": plo, "firms": fir,
            "substations": sub, "nature_areas": nat, "deposition": dep, "pairs": pai,
            "claims": t.get("claims.csv"), "lifecycle_targets": t.get("lifecycle_targets.csv"),
            "restrictions": t.get("restrictions.csv"), "corridor_nodes": t.get("corridor_nodes.csv"),
            "corridor_edges": t.get("corridor_edges.csv"), "plot_access": t.get("plot_access.csv")}


def m2(v: float) -> str:
    """Square metres for messages: thousands separated, at most two decimals."""
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _has(df: pd.DataFrame | None, *cols: str) -> bool:
    return df is not None and set(cols) <= set(df.columns)


def _policy(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """Cross-table rules of the policy files and columns (spec section 9)."""
    ter, plo, fir = t["terrains.csv"], t["plots.csv"], t["firms.csv"]
    if not (_has(ter, "terrain_id", "region", "status") and _has(plo, "plot_id", "terrain_id", "werkmilieus")):
        return
    region_of = dict(zip(ter["terrain_id"], ter["region"]))
    status_of = dict(zip(ter["terrain_id"], ter["status"]))
    p_region = plo["terrain_id"].map(region_of)
    p_transform = plo["terrain_id"].map(status_of).eq("transform")
    with_plots = set(p_region.dropna())
    regions = set(ter["region"])

    def region_rule(region: str, what: str) -> str | None:
        if region in with_plots:
            return None
        if region in regions:
            return f"{what}: region {region!r} has no plots"
        known = sorted(r for r in with_plots if r)
        return (f"{what}: region {region!r} is not the region of any terrain (regions with plots: "
                + (", ".join(known[:12]) + (", ..." if len(known) > 12 else "") if known else "none") + ")")

    # ---- plots.locked_werkmilieu: one of the plot's werkmilieus, never on a transform terrain
    if "locked_werkmilieu" in plo.columns:
        lw = plo["locked_werkmilieu"]
        locked = lw.ne("")
        own = pd.Series([bool(ws) and w in ws for w, ws in zip(lw, plo["werkmilieus"])], index=plo.index)
        _report(problems, "plots.csv", "locked_werkmilieu", locked & ~own & ~p_transform,
                "a locked werkmilieu must be one of the plot's werkmilieus", lw)
        _report(problems, "plots.csv", "locked_werkmilieu", locked & p_transform,
                "a plot on a transform terrain cannot have a locked werkmilieu (it leaves the stock)", lw)

    # ---- firms.locked: needs a current plot (whether it is a candidate is checked on the Instance)
    if _has(fir, "locked", "current_plot"):
        _report(problems, "firms.csv", "locked", fir["locked"] & fir["current_plot"].eq(""),
                "a locked firm needs a current plot")

    # ---- plan columns (docs/plans.md): terrains.develop on planned terrains only; firms.relocate
    if "develop" in ter.columns:
        _report(problems, "terrains.csv", "develop", ter["develop"].ne("") & ter["status"].ne("planned"),
                "only a planned terrain can be forced or forbidden to develop", ter["develop"])
    if _has(fir, "relocate", "current_plot"):
        _report(problems, "firms.csv", "relocate", fir["relocate"] & fir["current_plot"].eq(""),
                "a firm to relocate needs a current plot")
        if "locked" in fir.columns:
            _report(problems, "firms.csv", "relocate", fir["relocate"] & fir["locked"],
                    "a locked firm stays on its plot: it cannot be relocated")

    # ---- claims.csv (C9)
    cl = t.get("claims.csv")
    if _has(cl, "region", "werkmilieu", "min_floor_m2", "max_floor_m2"):
        _unique(problems, "claims.csv", cl, ["region", "werkmilieu"], "claim (region, werkmilieu)")
        offers: dict[str, pd.Series] = {}   # per werkmilieu: the plots that may get it
        for i, r in enumerate(cl.itertuples(index=False)):
            if r.region == "" or r.werkmilieu == "":
                continue
            name = f"claim ({r.region}, {r.werkmilieu})"
            why = region_rule(r.region, name)
            if why:
                problems.append(Problem("claims.csv", i + ROW0, "region", why))
                continue
            lo, hi = r.min_floor_m2, r.max_floor_m2
            if not (math.isnan(lo) or math.isnan(hi)) and lo > hi:
                problems.append(Problem("claims.csv", i + ROW0, "min_floor_m2",
                                        f"{name}: min_floor_m2 {m2(lo)} is above max_floor_m2 {m2(hi)}"))
                continue
            if not math.isnan(lo):
                if r.werkmilieu not in offers:
                    offers[r.werkmilieu] = plo["werkmilieus"].map(lambda ws, w=r.werkmilieu: bool(ws) and w in ws)
                sel = p_region.eq(r.region) & ~p_transform & offers[r.werkmilieu]
                cap = float(plo.loc[sel, "floor_capacity_m2"].sum()) if "floor_capacity_m2" in plo else math.inf
                if lo > cap * (1 + 1e-9):
                    problems.append(Problem(
                        "claims.csv", i + ROW0, "min_floor_m2",
                        f"{name}: min_floor_m2 {m2(lo)} is above the {m2(cap)} m2 of floor capacity of the "
                        f"{int(sel.sum())} plots of region {r.region} that can be designated {r.werkmilieu}"))

    # ---- lifecycle_targets.csv (C10)
    lt = t.get("lifecycle_targets.csv")
    if _has(lt, "region", "lifecycle"):
        _unique(problems, "lifecycle_targets.csv", lt, ["region", "lifecycle"], "target (region, lifecycle)")
        for i, r in enumerate(lt.itertuples(index=False)):
            if r.region == "":
                continue
            why = region_rule(r.region, f"lifecycle target ({r.region}, {r.lifecycle})")
            if why:
                problems.append(Problem("lifecycle_targets.csv", i + ROW0, "region", why))

    # ---- restrictions.csv: one row per sector, a sector of firms.csv, listed terrains exist
    rs = t.get("restrictions.csv")
    if _has(rs, "sector", "terrain_ids"):
        _unique(problems, "restrictions.csv", rs, ["sector"], "sector")
        sectors = set(fir["sector"]) if "sector" in fir.columns else set()
        tids = set(ter["terrain_id"])
        for i, r in enumerate(rs.itertuples(index=False)):
            if r.sector and r.sector not in sectors:
                problems.append(Problem("restrictions.csv", i + ROW0, "sector",
                                        f"sector {r.sector!r} is not the sector of any firm in firms.csv"))
            unknown = [x for x in (r.terrain_ids or ()) if x not in tids]
            if unknown:
                problems.append(Problem("restrictions.csv", i + ROW0, "terrain_ids",
                                        "refers to an unknown id in terrains.csv: " + ", ".join(unknown)))


def _corridors(problems: list[Problem], t: dict[str, pd.DataFrame | None]) -> None:
    """Cross-table rules of the multimodal corridors (spec section 7).

    corridor_edges.csv and plot_access.csv need corridor_nodes.csv (nodes alone are fine: a firm
    may ship to a node that plots reach directly); ids unique; edges join two different known
    nodes; an access row names a known plot and node, once per (plot, node, mode); a firm with
    freight_kt > 0 needs a destination_node, and a destination needs corridor_nodes.csv.
    """
    nodes, edges, acc = t.get("corridor_nodes.csv"), t.get("corridor_edges.csv"), t.get("plot_access.csv")
    fir, plo = t["firms.csv"], t["plots.csv"]
    for file, df in (("corridor_edges.csv", edges), ("plot_access.csv", acc)):
        if df is not None and nodes is None:
            problems.append(Problem(file, None, None, f"{file} needs corridor_nodes.csv (the nodes it refers "
                                                      "to), which the instance does not have"))
    if nodes is not None:
        _unique(problems, "corridor_nodes.csv", nodes, ["node_id"], "node_id")
    node_ids = nodes["node_id"] if _has(nodes, "node_id") else pd.Series([], dtype=object)
    if edges is not None:
        _unique(problems, "corridor_edges.csv", edges, ["edge_id"], "edge_id")
        if nodes is not None:
            for c in ("u", "v"):
                _refs(problems, "corridor_edges.csv", edges, c, "corridor_nodes.csv", node_ids)
        if _has(edges, "u", "v"):
            _report(problems, "corridor_edges.csv", "v", edges["u"].eq(edges["v"]) & edges["u"].ne(""),
                    "an edge must join two different nodes (v equals u)", edges["v"])
    if acc is not None:
        _unique(problems, "plot_access.csv", acc, ["plot_id", "node_id", "mode"], "access (plot_id, node_id, mode)")
        if "plot_id" in plo.columns:
            _refs(problems, "plot_access.csv", acc, "plot_id", "plots.csv", plo["plot_id"])
        if nodes is not None:
            _refs(problems, "plot_access.csv", acc, "node_id", "corridor_nodes.csv", node_ids)
    if _has(fir, "freight_kt", "destination_node"):
        dest = fir["destination_node"]
        _report(problems, "firms.csv", "freight_kt", (fir["freight_kt"] > 0) & dest.eq(""),
                "a firm with freight_kt > 0 needs a destination_node", fir["freight_kt"].astype(str))
        if nodes is None:
            _report(problems, "firms.csv", "destination_node", dest.ne(""),
                    "a destination_node needs corridor_nodes.csv, which the instance does not have", dest)
        else:
            _refs(problems, "firms.csv", fir, "destination_node", "corridor_nodes.csv", node_ids, optional=True)


__all__ = ["validate", "parse_table", "parse_manifest", "WERKMILIEUS"]
