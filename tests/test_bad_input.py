"""Every validation rule through the CLI: exit 2, a message naming file, row, column and rule, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import revopt
from conftest import INSTANCES
from revopt.cli import main


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
    pairs = pd.DataFrame({"firm_id": ["F1", "F1", "F7"], "plot_id": ["P1", "P1", "P1"]})
    pairs.to_csv(inst_dir / "pairs.csv", index=False)
    run_bad(inst_dir, capsys, "pairs.csv, row 3, column firm_id,plot_id", "appears more than once",
            "pairs.csv, row 4, column firm_id: refers to an unknown id in firms.csv")


def test_bad_pair_override(inst_dir, capsys):
    pairs = pd.DataFrame({"firm_id": ["F1"], "plot_id": ["P1"], "floor_space_m2": ["0"]})
    pairs.to_csv(inst_dir / "pairs.csv", index=False)
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
    firms = inst_dir / "firms.csv"
    firms.write_bytes(firms.read_bytes().replace(b"machinebouw", b"m\xe4chinebouw"))
    run_bad(inst_dir, capsys, "firms.csv", "not UTF-8")


def test_empty_csv(inst_dir, capsys):
    (inst_dir / "nature_areas.csv").write_text("")
    run_bad(inst_dir, capsys, "nature_areas.csv, row 1", "header row is required")


def write_corridors(d: Path, nodes: str | None = "node_id,x,y,kind\nA,0,0,junction\nH,1000,0,hub\n",
                    edges: str | None = "edge_id,u,v,mode,length_km,capacity_kt\nE1,A,H,road,10,\n",
                    access: str | None = "plot_id,node_id,mode,access_km\nP1,A,road,1\n"):
    """A small valid corridor network on the tiny instance (None leaves a file out)."""
    for name, text in (("corridor_nodes.csv", nodes), ("corridor_edges.csv", edges), ("plot_access.csv", access)):
        if text is not None:
            (d / name).write_text(text)


CORRIDOR_CASES = [
    # (nodes, edges, access) overrides, expected message fragments
    (dict(edges="edge_id,u,v,mode,length_km\nE1,A,X,road,10\n"),
     ("corridor_edges.csv, row 2, column v: refers to an unknown id in corridor_nodes.csv",)),
    (dict(edges="edge_id,u,v,mode,length_km\nE1,A,H,boat,10\n"),
     ("corridor_edges.csv, row 2, column mode: must be one of road, rail, water",)),
    (dict(edges="edge_id,u,v,mode,length_km\nE1,A,H,road,-1\n"),
     ("corridor_edges.csv, row 2, column length_km: must be >= 0",)),
    (dict(edges="edge_id,u,v,mode,length_km,capacity_kt\nE1,A,H,road,1,-5\n"),
     ("corridor_edges.csv, row 2, column capacity_kt: must be >= 0",)),
    (dict(edges="edge_id,u,v,mode,length_km\nE1,A,A,road,10\n"),
     ("corridor_edges.csv, row 2, column v: an edge must join two different nodes",)),
    (dict(edges="edge_id,u,v,mode,length_km\nE1,A,H,road,1\nE1,H,A,rail,2\n"),
     ("corridor_edges.csv, row 3, column edge_id", "appears more than once")),
    (dict(nodes="node_id,x,y,kind\nA,0,0,junction\nH,1,0,airport\n"),
     ("corridor_nodes.csv, row 3, column kind: must be one of junction",)),
    (dict(access="plot_id,node_id,mode,access_km\nP99,A,road,1\n"),
     ("plot_access.csv, row 2, column plot_id: refers to an unknown id in plots.csv",)),
    (dict(access="plot_id,node_id,mode,access_km\nP1,Z,road,1\n"),
     ("plot_access.csv, row 2, column node_id: refers to an unknown id in corridor_nodes.csv",)),
    (dict(access="plot_id,node_id,mode,access_km\nP1,A,road,-2\n"),
     ("plot_access.csv, row 2, column access_km: must be >= 0",)),
    (dict(access="plot_id,node_id,mode,access_km\nP1,A,tram,2\n"),
     ("plot_access.csv, row 2, column mode: must be one of road, rail, water",)),
    (dict(access="plot_id,node_id,mode,access_km\nP1,A,road,2\nP1,A,road,3\n"),
     ("plot_access.csv, row 3, column plot_id,node_id,mode", "appears more than once")),
    (dict(nodes=None), ("corridor_edges.csv: corridor_edges.csv needs corridor_nodes.csv",
                        "plot_access.csv: plot_access.csv needs corridor_nodes.csv")),
]


@pytest.mark.parametrize("files,expected", CORRIDOR_CASES, ids=[str(i) for i in range(len(CORRIDOR_CASES))])
def test_bad_corridor_files(inst_dir, capsys, files, expected):
    write_corridors(inst_dir, **files)
    run_bad(inst_dir, capsys, *expected)


FREIGHT_CASES = [
    # firms.csv cells (row 2), expected message
    (dict(freight_kt="5", destination_node=""), "firms.csv, row 2, column freight_kt: a firm with freight_kt > 0 "
                                                "needs a destination_node"),
    (dict(freight_kt="-1", destination_node="H"), "firms.csv, row 2, column freight_kt: must be >= 0"),
    (dict(freight_kt="5", destination_node="Q"), "firms.csv, row 2, column destination_node: refers to an unknown "
                                                 "id in corridor_nodes.csv"),
    (dict(freight_kt="5", destination_node="H", modes="road;plane"), "firms.csv, row 2, column modes: must be a "
                                                                     "non-empty ';'-list of road, rail, water"),
]


@pytest.mark.parametrize("cells,expected", FREIGHT_CASES, ids=[str(i) for i in range(len(FREIGHT_CASES))])
def test_bad_freight_columns(inst_dir, capsys, cells, expected):
    write_corridors(inst_dir)
    for col, v in cells.items():
        edit_csv(inst_dir, "firms.csv", 2, col, v)
    run_bad(inst_dir, capsys, expected)


def test_destination_without_corridor_files(inst_dir, capsys):
    edit_csv(inst_dir, "firms.csv", 2, "freight_kt", "5")
    edit_csv(inst_dir, "firms.csv", 2, "destination_node", "H")
    run_bad(inst_dir, capsys, "firms.csv, row 2, column destination_node: a destination_node needs "
                              "corridor_nodes.csv")


def test_unknown_transport_key(inst_dir, capsys):
    with open(inst_dir / "instance.toml", "a") as fh:
        fh.write("\n[transport]\nroad_eur_per_tkm = -0.1\ntruck_eur = 1\n")
    run_bad(inst_dir, capsys, "instance.toml, column transport.truck_eur: unknown key",
            "instance.toml, column transport.road_eur_per_tkm: must be >= 0")


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


# ---- policy rules (spec section 9) ---------------------------------------------------------------------

def write_csv(d: Path, file: str, rows: list[dict], columns: list[str]) -> None:
    pd.DataFrame(rows, columns=columns).to_csv(d / file, index=False)


CLAIM_COLS = ["region", "werkmilieu", "min_floor_m2", "max_floor_m2"]
TARGET_COLS = ["region", "lifecycle", "min_placed_m2"]
RESTRICTION_COLS = ["sector", "terrain_ids"]

POLICY_CELL_CASES = [
    ("firms.csv", 2, "locked", "sometimes", "must be true or false"),
    ("firms.csv", 3, "noise_use", "-1", "must be >= 0"),
    ("firms.csv", 3, "noise_use", "loud", "must be a finite number"),
    ("terrains.csv", 2, "noise_budget", "-5", "must be >= 0"),
    ("terrains.csv", 2, "min_category", "4.3", "must be a category code"),
    ("plots.csv", 2, "locked_werkmilieu", "haven", "must be one of industrieel"),
    ("plots.csv", 3, "locked_werkmilieu", "industrieel", "a locked werkmilieu must be one of the plot's werkmilieus"),
    ("plots.csv", 5, "locked_werkmilieu", "productie", "a plot on a transform terrain cannot have a locked werkmilieu"),
    ("firms.csv", 3, "locked", "true", "a locked firm needs a current plot"),
    ("firms.csv", 2, "locked", "true",  # F1 sits on P4, on transform terrain T3
     "firm F1 is locked on its current plot P4, but that is not a candidate pair: plot P4 is on transform terrain T3"),
]


@pytest.mark.parametrize("file,row,column,value,rule", POLICY_CELL_CASES,
                         ids=[f"{c[0]}:{c[2]}={c[3]!r}" for c in POLICY_CELL_CASES])
def test_bad_policy_cell(inst_dir, capsys, file, row, column, value, rule):
    edit_csv(inst_dir, file, row, column, value)
    run_bad(inst_dir, capsys, f"{file}, row {row}, column {column}", rule)


def test_locked_firm_excluded_by_min_category_names_the_numbers(inst_dir, capsys):
    edit_csv(inst_dir, "firms.csv", 3, "current_plot", "P2")
    edit_csv(inst_dir, "firms.csv", 3, "locked", "true")
    edit_csv(inst_dir, "terrains.csv", 2, "min_category", "4.1")
    run_bad(inst_dir, capsys, "firms.csv, row 3, column locked: firm F2 is locked on its current plot P2",
            "category 3.1 of the firm is below min_category 4.1 of terrain T1")


def test_locked_firm_outside_pairs_file(inst_dir, capsys):
    edit_csv(inst_dir, "firms.csv", 3, "current_plot", "P2")
    edit_csv(inst_dir, "firms.csv", 3, "locked", "true")
    pd.DataFrame({"firm_id": ["F2"], "plot_id": ["P3"]}).to_csv(inst_dir / "pairs.csv", index=False)
    run_bad(inst_dir, capsys, "firm F2 is locked", "the pair is not listed in pairs.csv")


CLAIM_CASES = [
    # rows of claims.csv, expected fragments (tiny: every terrain is in region Oost; productie may go on
    # P1 10,000 + P2 6,000 + P3 8,000 m2; P4 is on a transform terrain)
    ([dict(region="West", werkmilieu="productie", min_floor_m2="1", max_floor_m2="")],
     ["claims.csv, row 2, column region", "claim (West, productie): region 'West' is not the region of any terrain",
      "regions with plots: Oost"]),
    ([dict(region="Oost", werkmilieu="haven", min_floor_m2="1", max_floor_m2="")],
     ["claims.csv, row 2, column werkmilieu: must be one of industrieel"]),
    ([dict(region="", werkmilieu="productie", min_floor_m2="1", max_floor_m2="")],
     ["claims.csv, row 2, column region: required value is empty"]),
    ([dict(region="Oost", werkmilieu="productie", min_floor_m2="500", max_floor_m2="100")],
     ["claims.csv, row 2, column min_floor_m2: claim (Oost, productie): min_floor_m2 500 is above max_floor_m2 100"]),
    ([dict(region="Oost", werkmilieu="productie", min_floor_m2="30000", max_floor_m2="")],
     ["claims.csv, row 2, column min_floor_m2: claim (Oost, productie): min_floor_m2 30,000 is above the 24,000 m2 "
      "of floor capacity of the 3 plots of region Oost that can be designated productie"]),
    ([dict(region="Oost", werkmilieu="stedelijk", min_floor_m2="1", max_floor_m2="")],
     ["is above the 0 m2 of floor capacity of the 0 plots of region Oost that can be designated stedelijk"]),
    ([dict(region="Oost", werkmilieu="productie", min_floor_m2="-1", max_floor_m2="x")],
     ["claims.csv, row 2, column min_floor_m2: must be >= 0", "column max_floor_m2: must be a finite number"]),
    ([dict(region="Oost", werkmilieu="productie", min_floor_m2="1", max_floor_m2=""),
      dict(region="Oost", werkmilieu="productie", min_floor_m2="", max_floor_m2="9")],
     ["claims.csv, row 3, column region,werkmilieu", "appears more than once (first at row 2)"]),
]


@pytest.mark.parametrize("rows,expected", CLAIM_CASES, ids=[str(i) for i in range(len(CLAIM_CASES))])
def test_bad_claims(inst_dir, capsys, rows, expected):
    write_csv(inst_dir, "claims.csv", rows, CLAIM_COLS)
    run_bad(inst_dir, capsys, *expected)


def test_claim_region_without_plots(inst_dir, capsys):
    edit_csv(inst_dir, "terrains.csv", add_rows=[dict(terrain_id="T9", name="Leeg", region="Noord", status="planned",
                                                      development_cost_eur="0", national_interest="false")])
    write_csv(inst_dir, "claims.csv", [dict(region="Noord", werkmilieu="productie", min_floor_m2="", max_floor_m2="5")],
              CLAIM_COLS)
    run_bad(inst_dir, capsys, "claims.csv, row 2, column region: claim (Noord, productie): region 'Noord' has no plots")


def test_claim_minimum_counts_no_transform_plots(inst_dir, capsys):
    # productie may go on 24,000 m2 outside the transform terrain; with P4 it would be 29,000
    write_csv(inst_dir, "claims.csv", [dict(region="Oost", werkmilieu="productie", min_floor_m2="25000",
                                            max_floor_m2="")], CLAIM_COLS)
    run_bad(inst_dir, capsys, "above the 24,000 m2")


TARGET_CASES = [
    ([dict(region="Oost", lifecycle="senior", min_placed_m2="1")],
     ["lifecycle_targets.csv, row 2, column lifecycle: must be one of startup, mkb, scaleup, large"]),
    ([dict(region="Zuid", lifecycle="startup", min_placed_m2="1")],
     ["lifecycle_targets.csv, row 2, column region: lifecycle target (Zuid, startup): region 'Zuid' is not the "
      "region of any terrain"]),
    ([dict(region="Oost", lifecycle="startup", min_placed_m2="")],
     ["lifecycle_targets.csv, row 2, column min_placed_m2: required value is empty"]),
    ([dict(region="Oost", lifecycle="startup", min_placed_m2="-3")],
     ["lifecycle_targets.csv, row 2, column min_placed_m2: must be >= 0"]),
    ([dict(region="Oost", lifecycle="mkb", min_placed_m2="1"), dict(region="Oost", lifecycle="MKB", min_placed_m2="2")],
     ["lifecycle_targets.csv, row 3, column region,lifecycle", "appears more than once"]),
]


@pytest.mark.parametrize("rows,expected", TARGET_CASES, ids=[str(i) for i in range(len(TARGET_CASES))])
def test_bad_lifecycle_targets(inst_dir, capsys, rows, expected):
    write_csv(inst_dir, "lifecycle_targets.csv", rows, TARGET_COLS)
    run_bad(inst_dir, capsys, *expected)


RESTRICTION_CASES = [
    ([dict(sector="datacentre", terrain_ids="T1")],
     ["restrictions.csv, row 2, column sector: sector 'datacentre' is not the sector of any firm in firms.csv"]),
    ([dict(sector="datacentrum", terrain_ids="T1;T7;T8")],
     ["restrictions.csv, row 2, column terrain_ids: refers to an unknown id in terrains.csv: T7, T8"]),
    ([dict(sector="datacentrum", terrain_ids=" ; ")],
     ["restrictions.csv, row 2, column terrain_ids: must be a non-empty ';'-list of ids"]),
    ([dict(sector="datacentrum", terrain_ids="")],
     ["restrictions.csv, row 2, column terrain_ids: required value is empty"]),
    ([dict(sector="datacentrum", terrain_ids="T1"), dict(sector="datacentrum", terrain_ids="T2")],
     ["restrictions.csv, row 3, column sector: sector 'datacentrum' appears more than once"]),
]


@pytest.mark.parametrize("rows,expected", RESTRICTION_CASES, ids=[str(i) for i in range(len(RESTRICTION_CASES))])
def test_bad_restrictions(inst_dir, capsys, rows, expected):
    write_csv(inst_dir, "restrictions.csv", rows, RESTRICTION_COLS)
    run_bad(inst_dir, capsys, *expected)


def test_policy_file_missing_a_required_column(inst_dir, capsys):
    pd.DataFrame({"region": ["Oost"], "min_placed_m2": ["5"]}).to_csv(inst_dir / "lifecycle_targets.csv", index=False)
    run_bad(inst_dir, capsys, "lifecycle_targets.csv, row 1, column lifecycle: required column is missing")


def test_valid_policy_files_load(inst_dir):
    write_csv(inst_dir, "claims.csv", [dict(region="Oost", werkmilieu="productie", min_floor_m2="", max_floor_m2="")],
              CLAIM_COLS)
    write_csv(inst_dir, "lifecycle_targets.csv", [dict(region="Oost", lifecycle="StartUp", min_placed_m2="0")],
              TARGET_COLS)
    write_csv(inst_dir, "restrictions.csv", [dict(sector="datacentrum", terrain_ids="T1; T2 ;T1")], RESTRICTION_COLS)
    inst = revopt.load_instance(inst_dir)
    assert inst.restrictions.loc[0, "terrain_ids"] == ("T1", "T2")
    assert inst.lifecycle_targets.loc[0, "lifecycle"] == "startup"
    assert inst.claims["min_floor_m2"].isna().all()
    back = inst.write(inst_dir.parent / "again")
    again = revopt.load_instance(back)
    pd.testing.assert_frame_equal(again.restrictions, inst.restrictions)
    pd.testing.assert_frame_equal(again.claims, inst.claims)


def test_write_keeps_a_zero_noise_budget_and_drops_unused_policy_columns(tiny, tmp_path):
    t = tiny.terrains.copy()
    t["noise_budget"] = 0.0
    inst = tiny.replace_tables(terrains=t)
    d = inst.write(tmp_path / "zero")
    header = (d / "terrains.csv").read_text().splitlines()[0]
    assert "noise_budget" in header and "min_category" not in header
    assert "locked" not in (d / "firms.csv").read_text().splitlines()[0]
    assert (revopt.load_instance(d).terrains["noise_budget"] == 0.0).all()
