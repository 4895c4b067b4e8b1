"""Every validation rule through the CLI: exit 2, a message naming file, row, column and rule, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import revopt
from revopt.cli import main
from conftest import INSTANCES


def edit_csv(d: Path, file: str, row: int | None = None, column: str | None = None, value=None,
             drop_column: str | None = None, add_rows: list[dict] | None = None):
    """Change one cell (row as in the file: header = row 1), drop a column or add rows."""
    df = pd.read_csv(d / file, dtype=str, keep_default_na=False)
    if drop_column:
        df = df.drop(columns=[drop_column])
    if row is not None:
        df.loc[row - 2, column] = value
    if add_rows:
        df = pd.concat([df, pd.DataFrame(add_rows)], ignore_index=True).fillna("")
    df.to_csv(d / file, index=False)


@pytest.fixture
def inst_dir(tmp_path):
    d = tmp_path / "inst"
    shutil.copytree(INSTANCES / "tiny", d)
    return d


def run_bad(inst_dir: Path, capsys, *expected: str):
    out = inst_dir.parent / "out"
    rc = main(["solve", str(inst_dir), "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2, err
    for e in expected:
        assert e in err, f"{e!r} not in {err!r}"
    assert not out.exists()
    assert [p.name for p in inst_dir.parent.iterdir()] == ["inst"]  # no temporary left behind
    return err


CELL_CASES = [
    # file, row, column, value, expected message fragments
    ("firms.csv", 3, "floor_space_m2", "abc", "must be a finite number"),
    ("firms.csv", 3, "floor_space_m2", "nan", "must be a finite number"),
    ("plots.csv", 2, "x", "inf", "must be a finite number"),
    ("firms.csv", 4, "floor_space_m2", "0", "must be > 0"),
    ("plots.csv", 3, "floor_capacity_m2", "-5", "must be > 0"),
    ("firms.csv", 2, "value_added_eur", "-1", "must be >= 0"),
    ("terrains.csv", 3, "development_cost_eur", "-100", "must be >= 0"),
    ("firms.csv", 2, "grid_mw", "-0.5", "must be >= 0"),
    ("plots.csv", 3, "intensify_extra_m2", "-1", "must be >= 0"),
    ("substations.csv", 2, "available_mw", "-3", "must be >= 0"),
    ("nature_areas.csv", 2, "headroom_mol", "-1", "must be >= 0"),
    ("deposition.csv", 2, "mol_per_kg", "-0.1", "must be >= 0"),
    ("firms.csv", 2, "max_move_km", "-2", "must be >= 0"),
    ("firms.csv", 2, "water_bound", "yes please", "must be true or false"),
    ("plots.csv", 2, "quay", "2", "must be true or false"),
    ("terrains.csv", 2, "national_interest", "maybe", "must be true or false"),
    ("firms.csv", 2, "must_place", "waar", "must be true or false"),
    ("firms.csv", 3, "category", "7", "must be a category code"),
    ("plots.csv", 2, "max_category", "3.3", "must be a category code"),
    ("firms.csv", 2, "werkmilieus", "industrieel;kantoor", "must be a non-empty ';'-list"),
    ("plots.csv", 3, "werkmilieus", ";", "must be a non-empty ';'-list"),
    ("plots.csv", 2, "current_werkmilieu", "haven", "must be one of industrieel"),
    ("terrains.csv", 2, "status", "closed", "must be one of existing, planned, transform"),
    ("firms.csv", 2, "lifecycle", "senior", "must be one of startup, mkb, scaleup, large"),
    ("firms.csv", 3, "firm_id", "", "required value is empty"),
    ("plots.csv", 3, "terrain_id", "T9", "refers to an unknown id in terrains.csv"),
    ("plots.csv", 2, "substation_id", "S9", "refers to an unknown id in substations.csv"),
    ("firms.csv", 3, "current_plot", "P9", "refers to an unknown id in plots.csv"),
    ("deposition.csv", 2, "area_id", "N9", "refers to an unknown id in nature_areas.csv"),
    ("deposition.csv", 3, "plot_id", "P9", "refers to an unknown id in plots.csv"),
    ("firms.csv", 3, "firm_id", "F1", "appears more than once (first at row 2)"),
    ("plots.csv", 4, "plot_id", "P1", "appears more than once"),
    ("terrains.csv", 3, "terrain_id", "T1", "appears more than once"),
    ("substations.csv", 3, "substation_id", "S1", "appears more than once"),
    ("terrains.csv", 4, "national_interest", "true", "national interest may not have status transform"),
    ("plots.csv", 5, "current_werkmilieu", "", "a plot on a transform terrain needs a current werkmilieu"),
]


@pytest.mark.parametrize("file,row,column,value,rule", CELL_CASES,
                         ids=[f"{c[0]}:{c[2]}={c[3]!r}" for c in CELL_CASES])
def test_bad_cell(inst_dir, capsys, file, row, column, value, rule):
    edit_csv(inst_dir, file, row, column, value)
    col = "deposition.csv" if file == "deposition.csv" else file
    run_bad(inst_dir, capsys, col, f"row {row}", f"column {column}", rule)


def test_missing_required_column(inst_dir, capsys):
    edit_csv(inst_dir, "firms.csv", drop_column="floor_space_m2")
    run_bad(inst_dir, capsys, "firms.csv, row 1, column floor_space_m2: required column is missing")


def test_missing_required_file(inst_dir, capsys):
    (inst_dir / "substations.csv").unlink()
    run_bad(inst_dir, capsys, "substations.csv: required file is missing")


def test_duplicate_pair_and_unknown_pair_ids(inst_dir, capsys):
    pd.DataFrame({"firm_id": ["F1", "F1", "F7"], "plot_id": ["P1", "P1", "P1"]}).to_csv(inst_dir / "pairs.csv", index=False)
    run_bad(inst_dir, capsys, "pairs.csv, row 3, column firm_id,plot_id", "appears more than once",
            "pairs.csv, row 4, column firm_id: refers to an unknown id in firms.csv")


def test_bad_pair_override(inst_dir, capsys):
    pd.DataFrame({"firm_id": ["F1"], "plot_id": ["P1"], "floor_space_m2": ["0"]}).to_csv(inst_dir / "pairs.csv", index=False)
    run_bad(inst_dir, capsys, "pairs.csv, row 2, column floor_space_m2: must be > 0")


def test_duplicate_deposition_pair(inst_dir, capsys):
    edit_csv(inst_dir, "deposition.csv", add_rows=[dict(plot_id="P1", area_id="N1", mol_per_kg="2")])
    run_bad(inst_dir, capsys, "deposition.csv, row 4", "appears more than once")


def test_duplicate_header_column(inst_dir, capsys):
    text = (inst_dir / "substations.csv").read_text().replace("available_mw", "available_mw,available_mw", 1)
    text = "\n".join(line + ",1" if i else line for i, line in enumerate(text.strip().splitlines())) + "\n"
    (inst_dir / "substations.csv").write_text(text)
    run_bad(inst_dir, capsys, "substations.csv, row 1, column available_mw: column appears more than once")


def test_not_utf8(inst_dir, capsys):
    (inst_dir / "firms.csv").write_bytes((inst_dir / "firms.csv").read_bytes().replace(b"machinebouw", b"m\xe4chinebouw"))
    run_bad(inst_dir, capsys, "firms.csv", "not UTF-8")


def test_empty_csv(inst_dir, capsys):
    (inst_dir / "nature_areas.csv").write_text("")
    run_bad(inst_dir, capsys, "nature_areas.csv, row 1", "header row is required")


def test_unsupported_corridor_file_is_refused(inst_dir, capsys):
    (inst_dir / "corridor_nodes.csv").write_text("node_id,x,y,kind\n")
    run_bad(inst_dir, capsys, "corridor_nodes.csv", "not supported")


@pytest.mark.parametrize("toml,expected", [
    ("[objective]\nvalue_year = 10\n", "instance.toml, column objective.value_year: unknown key"),
    ("[objective]\nvalue_years = \"ten\"\n", "objective.value_years: must be a finite number"),
    ("[objective]\nvalue_years = 0\n", "objective.value_years: must be > 0"),
    ("[compensation]\nratio = -1.0\n", "compensation.ratio: must be >= 0"),
    ("[compensation]\nper_werkmilieu = \"yes\"\n", "compensation.per_werkmilieu: must be true or false"),
    ("[werkmilieu_max_category]\nstedelijk = \"2.5\"\n", "werkmilieu_max_category.stedelijk: must be a category code"),
    ("[policy]\nindustrial_min_category = 7\n", "policy.industrial_min_category: must be a category code"),
    ("[zoning]\nx = 1\n", "unknown table [zoning]"),
    ("[objective\nvalue_years = 10\n", "not valid TOML"),
])
def test_bad_manifest(inst_dir, capsys, toml, expected):
    (inst_dir / "instance.toml").write_text(toml)
    run_bad(inst_dir, capsys, "instance.toml", expected)


def test_many_problems_are_all_reported(inst_dir, capsys):
    edit_csv(inst_dir, "firms.csv", 2, "category", "9")
    edit_csv(inst_dir, "plots.csv", 3, "quay", "x")
    err = run_bad(inst_dir, capsys, "2 problems")
    assert "firms.csv, row 2, column category" in err and "plots.csv, row 3, column quay" in err


def test_numeric_spellings_of_codes_are_accepted(inst_dir):
    edit_csv(inst_dir, "plots.csv", 2, "max_category", "5.10")
    edit_csv(inst_dir, "firms.csv", 2, "category", "4.2")
    edit_csv(inst_dir, "firms.csv", 3, "must_place", "0")
    edit_csv(inst_dir, "terrains.csv", 2, "national_interest", "FALSE")
    inst = revopt.load_instance(inst_dir)
    assert inst.plots.loc[0, "max_category"] == "5.1"


def test_from_frames_validates_the_same_way(tiny):
    firms = tiny.firms.copy()
    firms.loc[1, "floor_space_m2"] = float("nan")
    with pytest.raises(revopt.InstanceError) as e:
        tiny.replace_tables(firms=firms)
    assert (e.value.file, e.value.row, e.value.column) == ("firms.csv", 3, "floor_space_m2")


def test_bad_command_line_values_exit_2(inst_dir, capsys, tmp_path):
    assert main(["solve", str(inst_dir), "--out", str(tmp_path / "o"), "--gap", "-1"]) == 2
    assert main(["solve", str(inst_dir), "--out", str(tmp_path / "o"), "--threads", "0"]) == 2
    assert main(["solve", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 2
    assert not (tmp_path / "o").exists()
