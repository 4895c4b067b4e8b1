"""The validated instance: one DataFrame per entity plus the manifest parameters."""

from __future__ import annotations

import copy
import csv
import math
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InstanceError, Problem
from .schema import REQUIRED_FILES, TABLE_FILES, UNSUPPORTED_FILES
from .validate import validate

_FRAME_FOR_FILE = {
    "terrains.csv": "terrains", "plots.csv": "plots", "firms.csv": "firms",
    "substations.csv": "substations", "nature_areas.csv": "nature_areas",
    "deposition.csv": "deposition", "pairs.csv": "pairs", "claims.csv": "claims",
    "lifecycle_targets.csv": "lifecycle_targets", "restrictions.csv": "restrictions",
    "corridor_nodes.csv": "corridor_nodes", "corridor_edges.csv": "corridor_edges",
    "plot_access.csv": "plot_access",
}
#: optional policy columns (spec section 9), the plan columns (docs/plans.md) and the text of their default: left out by
#: :meth:`Instance.write` when every row has the default (a noise budget of 0 is not a default)
POLICY_COLUMNS: dict[str, dict[str, str]] = {
    "terrains.csv": {"min_category": "", "noise_budget": "", "develop": ""}, "plots.csv": {"locked_werkmilieu": ""},
    "firms.csv": {"locked": "false", "noise_use": "0", "relocate": "false"},
}
#: optional freight columns of firms (spec section 7), left out by :meth:`Instance.write` like
#: POLICY_COLUMNS when no firm uses them
FREIGHT_COLUMNS: dict[str, dict[str, str]] = {
    "firms.csv": {"freight_kt": "0", "destination_node": "", "modes": "road"},
}
#: the tables of an Instance, as keyword names of :meth:`Instance.from_frames`
TABLES: tuple[str, ...] = tuple(_FRAME_FOR_FILE.values())


@dataclass
class Instance:
    """A validated revopt instance (spec sections 1 and 4).

    Tables carry every schema column with defaults filled: ids and codes as
    text (categories canonical, e.g. ``"6"``; empty text for "none"), numbers as
    float (NaN for an empty ``max_move_km``), booleans as bool, werkmilieu lists
    as tuples in the order of :data:`revopt.data.vocab.WERKMILIEUS`.
    ``params`` is the manifest with every default filled, e.g.
    ``params["objective"]["value_years"]``. ``deposition`` is empty when the
    instance has no deposition file; ``pairs`` is None when it has no pairs file,
    and so are the policy tables ``claims``, ``lifecycle_targets`` and
    ``restrictions`` (spec section 9; ``restrictions.terrain_ids`` holds tuples),
    and the corridor tables ``corridor_nodes``, ``corridor_edges`` and
    ``plot_access`` (spec section 7; ``capacity_kt`` NaN when unbounded; the
    firm column ``modes`` holds tuples in the order road, rail, water).

    Build one with :func:`revopt.load_instance` or :meth:`Instance.from_frames`; both
    validate the same way. The one rule that needs the model's candidate rules (a
    locked firm's current plot is a candidate pair) is checked by
    :func:`revopt.load_instance` and by :func:`revopt.solve`
    (:mod:`revopt.model.validate`). Treat an instance as read-only; use
    :meth:`with_params` or build a new one to change it.
    """

    name: str
    params: dict[str, dict[str, Any]]
    terrains: pd.DataFrame
    plots: pd.DataFrame
    firms: pd.DataFrame
    substations: pd.DataFrame
    nature_areas: pd.DataFrame
    deposition: pd.DataFrame
    pairs: pd.DataFrame | None = None
    claims: pd.DataFrame | None = None
    lifecycle_targets: pd.DataFrame | None = None
    restrictions: pd.DataFrame | None = None
    corridor_nodes: pd.DataFrame | None = None
    corridor_edges: pd.DataFrame | None = None
    plot_access: pd.DataFrame | None = None
    source: Path | None = field(default=None, compare=False)

    @property
    def description(self) -> str:
        """The manifest's ``[instance] description`` (empty text when there is none)."""
        return self.params["instance"].get("description", "")

    @property
    def has_corridors(self) -> bool:
        """True when the instance has corridor nodes (spec section 7)."""
        return self.corridor_nodes is not None

    @classmethod
    def from_frames(cls, *, terrains: pd.DataFrame, plots: pd.DataFrame, firms: pd.DataFrame,
                    substations: pd.DataFrame, nature_areas: pd.DataFrame | None = None,
                    deposition: pd.DataFrame | None = None, pairs: pd.DataFrame | None = None,
                    claims: pd.DataFrame | None = None, lifecycle_targets: pd.DataFrame | None = None,
                    restrictions: pd.DataFrame | None = None,
                    corridor_nodes: pd.DataFrame | None = None, corridor_edges: pd.DataFrame | None = None,
                    plot_access: pd.DataFrame | None = None,
                    params: dict[str, Any] | None = None, name: str = "in-memory") -> Instance:
        """Build and validate an instance from DataFrames (columns as in the files).

        Cells may be typed (numbers, bools, lists of werkmilieus) or text; they
        are validated exactly as the CSV files are. Error messages name the
        table as its file (``firms.csv``) and the row as it would be in that
        file (first data row = row 2). ``params`` has the manifest's shape.
        """
        if nature_areas is None:
            nature_areas = pd.DataFrame(columns=["area_id", "name", "x", "y", "headroom_mol"])
        frames = {"terrains.csv": terrains, "plots.csv": plots, "firms.csv": firms,
                  "substations.csv": substations, "nature_areas.csv": nature_areas,
                  "deposition.csv": deposition, "pairs.csv": pairs, "claims.csv": claims,
                  "lifecycle_targets.csv": lifecycle_targets, "restrictions.csv": restrictions,
                  "corridor_nodes.csv": corridor_nodes, "corridor_edges.csv": corridor_edges,
                  "plot_access.csv": plot_access}
        raw = {f: (None if df is None else as_text(df)) for f, df in frames.items()}
        return cls._from_validated(validate(raw, params or {}, default_name=name), None)

    @classmethod
    def _from_validated(cls, v: dict[str, Any], source: Path | None) -> Instance:
        return cls(name=v["params"]["instance"]["name"], params=v["params"], terrains=v["terrains"],
                   plots=v["plots"], firms=v["firms"], substations=v["substations"],
                   nature_areas=v["nature_areas"], deposition=v["deposition"], pairs=v["pairs"],
                   claims=v["claims"], lifecycle_targets=v["lifecycle_targets"],
                   restrictions=v["restrictions"], corridor_nodes=v["corridor_nodes"],
                   corridor_edges=v["corridor_edges"], plot_access=v["plot_access"], source=source)

    def with_params(self, **sections: dict[str, Any]) -> Instance:
        """A copy with some manifest parameters replaced, re-validated.

        ``inst.with_params(objective={"value_years": 5})``.
        """
        manifest = copy.deepcopy(self.params)
        for sec, body in sections.items():
            manifest.setdefault(sec, {}).update(body)
        return Instance.from_frames(**{k: getattr(self, k) for k in TABLES}, params=manifest, name=self.name)

    def replace_tables(self, **tables: pd.DataFrame | None) -> Instance:
        """A copy with some tables replaced, re-validated (e.g. ``firms=...``)."""
        unknown = sorted(set(tables) - set(TABLES))
        if unknown:
            raise TypeError(f"unknown table(s) {', '.join(unknown)}; known: {', '.join(TABLES)}")
        kw = {k: getattr(self, k) for k in TABLES}
        kw.update(tables)
        return Instance.from_frames(**kw, params=copy.deepcopy(self.params), name=self.name)

    def write(self, directory: str | Path) -> Path:
        """Write the instance as a directory in the v1 format (defaults written out; the optional
        policy columns of spec section 9 and the freight columns of section 7 only when some row
        uses them)."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        (d / "instance.toml").write_text(_toml(self.params), encoding="utf-8")
        for file, attr in _FRAME_FOR_FILE.items():
            df = getattr(self, attr)
            if df is None or (file == "deposition.csv" and df.empty):
                continue
            text = as_text(df)
            optional = {**POLICY_COLUMNS.get(file, {}), **FREIGHT_COLUMNS.get(file, {})}
            unused = [c for c, default in optional.items() if c in text and text[c].eq(default).all()]
            text.drop(columns=unused).to_csv(d / file, index=False)
        return d


def cell_text(v: Any) -> str:
    """One cell as the text an instance file holds (booleans ``true``/``false``, NaN empty, lists ``;``-joined)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return repr(v) if not v.is_integer() or abs(v) >= 1e15 else str(int(v))
    if isinstance(v, (list, tuple, set, frozenset)):
        return ";".join(str(x) for x in v)
    try:
        import numpy as np

        if isinstance(v, np.bool_):
            return "true" if v else "false"
        if isinstance(v, np.floating):
            return cell_text(float(v))
        if isinstance(v, np.integer):
            return str(int(v))
    except ImportError:  # pragma: no cover
        pass
    return str(v)


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    """A table as text cells (:func:`cell_text`), as it would be read back from its file."""
    out = pd.DataFrame(index=range(len(df)))
    for c in df.columns:
        out[str(c)] = [cell_text(v) for v in df[c].tolist()]
    return out


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(float(v)) if isinstance(v, float) else str(v)
    s = str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{s}"'


def _toml(params: dict[str, dict[str, Any]]) -> str:
    lines = []
    for sec, body in params.items():
        lines.append(f"[{sec}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in body.items()]
        lines.append("")
    return "\n".join(lines)


def read_csv_text(path: Path) -> pd.DataFrame:
    """Read a CSV as text cells (no type guessing, empty cells as "")."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh), [])
        names = [h.strip() for h in header]
        dup = sorted({h for h in names if names.count(h) > 1})
        if dup:
            raise InstanceError([Problem(path.name, 1, h, "column appears more than once in the header")
                                 for h in dup])
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8",
                           skipinitialspace=True)
    except UnicodeDecodeError as e:
        raise InstanceError(Problem(path.name, None, None, f"not UTF-8 text ({e.reason})")) from None
    except pd.errors.EmptyDataError:
        raise InstanceError(Problem(path.name, 1, None, "file is empty: a header row is required")) from None
    except pd.errors.ParserError as e:
        raise InstanceError(Problem(path.name, None, None, f"not a well-formed CSV file ({e})")) from None


def load_instance(path: str | Path) -> Instance:
    """Read and validate an instance directory (spec section 1): every table and the manifest.

    Raises :class:`~revopt.data.errors.InstanceError` naming file, row, column
    and rule for every problem found. :func:`revopt.load_instance` adds the
    model-level rules (:mod:`revopt.model.validate`).
    """
    d = Path(path)
    if not d.is_dir():
        raise InstanceError(Problem(str(d), None, None, "instance directory not found"))
    problems = [Problem(f, None, None, "required file is missing") for f in REQUIRED_FILES
                if not (d / f).is_file()]
    problems += [Problem(f, None, None, f"{what} is not supported by this version of revopt")
                 for f, what in UNSUPPORTED_FILES.items() if (d / f).exists()]
    if problems:
        raise InstanceError(problems)
    try:
        manifest = tomllib.loads((d / "instance.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise InstanceError(Problem("instance.toml", getattr(e, "lineno", None), None,
                                    f"not valid TOML ({e})")) from None
    except UnicodeDecodeError as e:
        raise InstanceError(Problem("instance.toml", None, None, f"not UTF-8 text ({e.reason})")) from None
    raw = {f: (read_csv_text(d / f) if (d / f).is_file() else None) for f in TABLE_FILES}
    v = validate(raw, manifest, default_name=d.resolve().name)
    return Instance._from_validated(v, d)


__all__ = ["Instance", "load_instance", "replace", "as_text", "cell_text", "read_csv_text"]
