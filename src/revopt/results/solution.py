"""Solution tables (spec section 6): in memory, on disk, and back."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

SOLUTION_FILES = ("assignments.csv", "plots.csv", "terrains.csv", "compensation.csv", "summary.json")
#: files of an instance with corridors (spec section 7): routes.csv is part of the solution (read back
#: and verified); corridor_loads.csv and accessibility.csv are outputs for planners
CORRIDOR_FILES = ("routes.csv", "corridor_loads.csv", "accessibility.csv")
ROUTE_COLUMNS = ["firm_id", "mode", "edges", "access_node", "access_km", "length_km", "cost_eur_per_t",
                 "transport_eur_per_year"]
LOAD_COLUMNS = ["edge_id", "mode", "load_kt", "capacity_kt", "utilisation"]
COLUMNS = {
    "assignments.csv": ["firm_id", "plot_id"],
    "plots.csv": ["plot_id", "werkmilieu", "intensified"],
    "terrains.csv": ["terrain_id", "developed"],
    "compensation.csv": ["terrain_id", "plot_id", "class", "floor_m2"],
}


class SolutionFormatError(ValueError):
    """A solution directory that cannot be read (missing file or column, bad cell)."""


@dataclass
class Solution:
    """The decisions of one solution, as the files of spec section 6.

    - ``assignments``: firm_id, plot_id ("" when not placed); one row per firm
    - ``plots``: plot_id, werkmilieu ("" when not designated), intensified (bool)
    - ``terrains``: terrain_id, developed (bool); planned terrains
    - ``compensation``: terrain_id, plot_id, class, floor_m2 (credits c > 0)
    - ``summary``: status, objective, bound, gap, time_s, instance, ...
    - with corridors (spec section 7; None otherwise): ``routes`` (firm_id, mode,
      edges: edge ids ``;``-separated from the access node to the destination,
      and for planners access_node, access_km, length_km, cost_eur_per_t,
      transport_eur_per_year), one row per placed firm with freight;
      ``corridor_loads`` (edge_id, mode, load_kt, capacity_kt, utilisation) and
      ``accessibility`` (see :func:`revopt.corridors.accessibility`): outputs only.
    """

    assignments: pd.DataFrame
    plots: pd.DataFrame
    terrains: pd.DataFrame
    compensation: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)
    routes: pd.DataFrame | None = None
    corridor_loads: pd.DataFrame | None = None
    accessibility: pd.DataFrame | None = None

    @classmethod
    def empty(cls, summary: dict[str, Any] | None = None) -> Solution:
        def table(f: str) -> pd.DataFrame:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS[f]})

        return cls(table("assignments.csv"), table("plots.csv"), table("terrains.csv"), table("compensation.csv"),
                   summary=dict(summary or {}))

    def write(self, directory: str | Path) -> None:
        """Write the five files into an existing directory."""
        d = Path(directory)
        for f, df in (("assignments.csv", self.assignments), ("plots.csv", self.plots),
                      ("terrains.csv", self.terrains), ("compensation.csv", self.compensation)):
            _write_csv(df[COLUMNS[f]], d / f)
        for f, optional in (("routes.csv", self.routes), ("corridor_loads.csv", self.corridor_loads),
                            ("accessibility.csv", self.accessibility)):
            if optional is not None:
                _write_csv(optional, d / f)
        (d / "summary.json").write_text(json.dumps(jsonable(self.summary), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, directory: str | Path) -> Solution:
        """Read a solution directory; raises SolutionFormatError naming the file."""
        d = Path(directory)
        if not d.is_dir():
            raise SolutionFormatError(f"{d}: solution directory not found")
        tables = {}
        for f, cols in COLUMNS.items():
            p = d / f
            if not p.is_file():
                raise SolutionFormatError(f"{f}: file is missing")
            try:
                df = pd.read_csv(p, dtype=str, keep_default_na=False)
            except Exception as e:  # noqa: BLE001 - any parse failure is a format error
                raise SolutionFormatError(f"{f}: cannot read ({e})") from None
            missing = [c for c in cols if c not in df.columns]
            if missing:
                raise SolutionFormatError(f"{f}: missing column(s) {', '.join(missing)}")
            df = df[cols].apply(lambda s: s.str.strip())
            for c in ("intensified", "developed"):
                if c in df.columns:
                    low = df[c].str.lower()
                    bad = ~low.isin(["true", "false", "1", "0"])
                    if bad.any():
                        r = int(bad.to_numpy().nonzero()[0][0]) + 2
                        raise SolutionFormatError(f"{f}, row {r}, column {c}: must be true or false")
                    df[c] = low.isin(["true", "1"])
            if "floor_m2" in df.columns:
                v = pd.to_numeric(df["floor_m2"], errors="coerce")
                if v.isna().any():
                    r = int(v.isna().to_numpy().nonzero()[0][0]) + 2
                    raise SolutionFormatError(f"{f}, row {r}, column floor_m2: must be a number")
                df["floor_m2"] = v.astype(float)
            tables[f] = df
        try:
            summary = json.loads((d / "summary.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SolutionFormatError("summary.json: file is missing") from None
        except json.JSONDecodeError as e:
            raise SolutionFormatError(f"summary.json: not valid JSON ({e})") from None
        routes = None
        if (d / "routes.csv").is_file():
            try:
                routes = pd.read_csv(d / "routes.csv", dtype=str, keep_default_na=False)
            except Exception as e:  # noqa: BLE001 - any parse failure is a format error
                raise SolutionFormatError(f"routes.csv: cannot read ({e})") from None
            missing = [c for c in ("firm_id", "mode", "edges") if c not in routes.columns]
            if missing:
                raise SolutionFormatError(f"routes.csv: missing column(s) {', '.join(missing)}")
            routes = routes.apply(lambda s: s.str.strip())
        return cls(tables["assignments.csv"], tables["plots.csv"], tables["terrains.csv"],
                   tables["compensation.csv"], summary, routes=routes)


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """One solution table as CSV: booleans as true/false, floats to 10 significant digits."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == bool:
            out[c] = out[c].map({True: "true", False: "false"})
    out.to_csv(path, index=False, float_format="%.10g")


def jsonable(v: Any) -> Any:
    """``v`` with numpy scalars, enums and non-finite floats turned into what JSON holds."""
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            v = v.item()
        except (AttributeError, ValueError):
            pass
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "value") and not isinstance(v, (int, float, str, bool)):  # enums
        return v.value
    return v
