"""The instance schema as data.

``schema.csv`` (beside this module) has one row per column of every instance
table and one per manifest parameter: file, column, dtype, unit, required,
default, rule, description. It drives validation, defaults and
``docs/instance-format.md`` (``python -m revopt.data.schema > docs/instance-format.md``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

SCHEMA_PATH = Path(__file__).with_name("schema.csv")

#: Table files in load order (a table only refers to tables before it).
TABLE_FILES: tuple[str, ...] = (
    "substations.csv",
    "terrains.csv",
    "plots.csv",
    "firms.csv",
    "nature_areas.csv",
    "deposition.csv",
    "pairs.csv",
    "claims.csv",
    "lifecycle_targets.csv",
    "restrictions.csv",
    "corridor_nodes.csv",
    "corridor_edges.csv",
    "plot_access.csv",
)
REQUIRED_FILES: tuple[str, ...] = ("instance.toml", "terrains.csv", "plots.csv", "firms.csv",
                                   "substations.csv", "nature_areas.csv")
#: Optional table files (the policy rules of spec section 9 and the corridors of section 7 among them).
OPTIONAL_FILES: tuple[str, ...] = tuple(f for f in TABLE_FILES if f not in REQUIRED_FILES)
#: The multimodal corridor files (spec section 7): corridor_edges.csv and plot_access.csv need corridor_nodes.csv.
CORRIDOR_FILES: tuple[str, ...] = ("corridor_nodes.csv", "corridor_edges.csv", "plot_access.csv")
#: Files and columns of later spec sections that this version does not implement:
#: refused with a clear message instead of being silently ignored.
#: (None at present: every section of spec v1 is implemented.)
UNSUPPORTED_FILES: dict[str, str] = {}
UNSUPPORTED_COLUMNS: dict[str, dict[str, str]] = {}
#: Tables without an ``id`` column whose rows are keyed by columns: file -> (what one row is, the
#: key columns). No two rows may share a key (a table with an ``id`` column: no two rows its id).
ROW_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "deposition.csv": ("pair", ("plot_id", "area_id")),
    "pairs.csv": ("pair", ("firm_id", "plot_id")),
    "claims.csv": ("claim", ("region", "werkmilieu")),
    "lifecycle_targets.csv": ("target", ("region", "lifecycle")),
    "restrictions.csv": ("sector", ("sector",)),
    "plot_access.csv": ("access", ("plot_id", "node_id", "mode")),
}


@lru_cache(maxsize=1)
def schema() -> pd.DataFrame:
    """The schema table (a fresh copy is cheap; do not mutate the cached one)."""
    df = pd.read_csv(SCHEMA_PATH, dtype=str, keep_default_na=False)
    df["required"] = df["required"].eq("yes")
    return df


def columns_of(file: str) -> pd.DataFrame:
    s = schema()
    return s[s["file"] == file]


def manifest_default(key: str) -> str:
    """The default of a manifest parameter as written in the schema (``"transport.road_eur_per_tkm"``)."""
    s = schema()
    row = s[(s["file"] == "instance.toml") & (s["column"] == key)]
    if len(row) != 1:
        raise KeyError(f"instance.toml has no parameter {key!r} in the schema")
    return str(row["default"].iloc[0])


def row_key(file: str) -> tuple[str, list[str]] | None:
    """What identifies a row of ``file``: (what to call the key in a message, its columns); None
    for a table without a key. An ``id`` column is its own name; a key of several columns reads
    e.g. ``pair (plot_id, area_id)``."""
    ids = columns_of(file).loc[lambda c: c["dtype"] == "id", "column"].tolist()
    if ids:
        return ids[0], ids
    if file not in ROW_KEYS:
        return None
    what, cols = ROW_KEYS[file]
    return (what if len(cols) == 1 else f"{what} ({', '.join(cols)})"), list(cols)


def references(file: str) -> list[tuple[str, str, str, bool]]:
    """The columns of ``file`` that name rows of another table (dtype ``ref:FILE.COLUMN`` or
    ``idlist:FILE.COLUMN``): (column, target file, target column, whether a list)."""
    out = []
    for r in columns_of(file).itertuples():
        kind, _, target = r.dtype.partition(":")
        if kind in ("ref", "idlist"):
            target_file, _, target_col = target.rpartition(".")
            out.append((r.column, target_file, target_col, kind == "idlist"))
    return out


def to_markdown() -> str:
    """Render the schema as the instance-format reference (docs/instance-format.md)."""
    s = schema()
    out = [
        "# Instance format (generated)",
        "",
        "Generated from `src/revopt/data/schema.csv` by `python -m revopt.data.schema`;",
        "do not edit by hand. The semantics are those of `docs/model.md`.",
        "",
        "An instance is a directory of UTF-8 CSV files with a header row and a manifest",
        "`instance.toml`. Booleans are `true`/`false` (or 1/0, yes/no); lists in a cell are",
        "separated by `;`; coordinates are metres in EPSG:28992 (RD New).",
        "A column marked optional may be left out of the file or left empty in a row:",
        "its default then applies (an empty default means 'none').",
        "Files required: " + ", ".join(f"`{f}`" for f in REQUIRED_FILES)
        + ". Optional: " + ", ".join(f"`{f}`" for f in OPTIONAL_FILES)
        + " (claims, lifecycle targets and restrictions are the policy rules of `docs/model.md`;"
        " the three corridor files are its multimodal corridors: `corridor_edges.csv` and"
        " `plot_access.csv` need `corridor_nodes.csv`).",
        "",
        "dtypes: `id` unique text; `ref:FILE.COLUMN` must name an existing row there;",
        "`category` one of 1, 2, 3.1, 3.2, 4.1, 4.2, 5.1, 5.2, 5.3, 6 (6.0 = 6);",
        "`werkmilieu` one of industrieel, productie, innovatie, stedelijk;",
        "`werkmilieus` a non-empty `;`-list of those; `idlist:FILE.COLUMN` a non-empty",
        "`;`-list of ids that must each name a row there; `modes` a non-empty `;`-list of road,",
        "rail, water; `float` a finite number.",
        "",
    ]
    for file, grp in s.groupby("file", sort=False):
        out += [f"## {file}", ""]
        if file in ROW_KEYS:
            what, cols = ROW_KEYS[file]
            out += [f"One row per {what} ({', '.join(f'`{c}`' for c in cols)}): no two rows share it.", ""]
        out += ["| column | dtype | unit | required | default | rule | description |", "|---|---|---|---|---|---|---|"]
        for r in grp.itertuples():
            req = "yes" if r.required else "optional"
            dtype = r.dtype.replace("|", "\\|")
            out.append(f"| `{r.column}` | {dtype} | {r.unit} | {req} | {r.default} | {r.rule} | {r.description} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(to_markdown())
