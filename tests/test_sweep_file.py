"""The sweep file (spec section 10): every bad file refused through the CLI with exit 2, a message naming
the sweep file, the axis and the value, and nothing written; scenarios of product and zip; applying an
axis; the extra missing. No cluster is started here."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from conftest import INSTANCES, ROOT
from revopt.cli import main
from revopt.sweep import apply_scenario, read_sweep, scenarios

GOOD_PLAN = '[plan]\nname = "open De Kol II"\ndevelop = ["T2"]\n'


def sweep_text(*axes: str, head: str = "") -> str:
    return "[sweep]\nname = \"t\"\ntime_limit = 5\n" + head + "".join(f"\n[[sweep.axis]]\n{a}\n" for a in axes)


GRID = 'name = "grid"\nscale = "substations.available_mw"\nvalues = [0.5, 1.0]'
YEARS = 'name = "years"\nset = "objective.value_years"\nvalues = [5, 10]'

#: (sweep file text, fragments the message must hold besides the file name)
BAD = {
    "unknown table": (sweep_text('name = "g"\nscale = "substation.available_mw"\nvalues = [1.0]'),
                      ["axis 'g'", "unknown table 'substation'"]),
    "unknown column": (sweep_text('name = "g"\nscale = "substations.capacity_mw"\nvalues = [1.0]'),
                       ["axis 'g'", "no column 'capacity_mw'"]),
    "non-numeric column": (sweep_text('name = "s"\nscale = "firms.sector"\nvalues = [1.0]'),
                           ["axis 's'", "'sector' is not numeric"]),
    "negative multiplier": (sweep_text('name = "grid"\nscale = "substations.available_mw"\nvalues = [1.0, -0.5]'),
                            ["axis 'grid'", "value -0.5", "multiplier must be a number >= 0"]),
    "text multiplier": (sweep_text('name = "grid"\nscale = "substations.available_mw"\nvalues = ["x"]'),
                        ["axis 'grid'", "value 'x'"]),
    "table the instance lacks": (sweep_text('name = "c"\nscale = "corridor_edges.capacity_kt"\nvalues = [1.0]'),
                                 ["axis 'c'", "has no corridor_edges.csv"]),
    "unknown manifest key": (sweep_text('name = "y"\nset = "objective.years"\nvalues = [5]'),
                             ["axis 'y'", "unknown manifest key"]),
    "bad manifest value": (sweep_text('name = "y"\nset = "objective.value_years"\nvalues = [5, -1]'),
                           ["axis 'y'", "value -1"]),
    "unknown plan file": (sweep_text('name = "plan"\nplan = ["none", "plans/nowhere.toml"]'),
                          ["axis 'plan'", "value 'plans/nowhere.toml'", "plan file not found"]),
    "plan that does not fit": (sweep_text('name = "plan"\nplan = ["bad.toml"]'),
                               ["axis 'plan'", "value 'bad.toml'", "T99"]),
    "duplicate axis names": (sweep_text(GRID, GRID.replace("available_mw", "available_mw")),
                             ["axis 'grid'", "more than once"]),
    "duplicate values": (sweep_text('name = "grid"\nscale = "substations.available_mw"\nvalues = [1.0, 1.0]'),
                         ["axis 'grid'", "value '1.0' appears more than once"]),
    "bad axis name": (sweep_text('name = "grid x"\nscale = "substations.available_mw"\nvalues = [1.0]'),
                      ["axis 'grid x'", "letters, digits"]),
    "two kinds": (sweep_text('name = "g"\nscale = "substations.available_mw"\nset = "objective.value_years"\n'
                             'values = [1.0]'), ["axis 'g'", "exactly one of scale, set or plan"]),
    "empty values": (sweep_text('name = "g"\nscale = "substations.available_mw"\nvalues = []'),
                     ["axis 'g'", "non-empty list"]),
    "unknown axis key": (sweep_text(GRID + '\nstep = 2'), ["axis 'grid'", "unknown key 'step'"]),
    "zip of unequal axes": (sweep_text(GRID, 'name = "y"\nset = "objective.value_years"\nvalues = [5, 10, 15]',
                                       head='combine = "zip"\n'), ["sweep.combine", "grid 2, y 3"]),
    "bad combine": (sweep_text(GRID, head='combine = "cross"\n'), ["sweep.combine", "'cross'"]),
    "bad time limit": (sweep_text(GRID, head='gap = -1\n'), ["sweep.gap", "-1"]),
    "no axes": (sweep_text(), ["sweep.axis", "at least one"]),
    "unknown sweep key": (sweep_text(GRID, head='seed = 3\n'), ["sweep.seed", "unknown key"]),
    "not TOML": ("[sweep\nname = 1", ["not valid TOML"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_sweep_file_exits_2_naming_file_axis_value_and_writes_nothing(case, tmp_path, capsys):
    text, fragments = BAD[case]
    f = tmp_path / "bad-sweep.toml"
    f.write_text(text, encoding="utf-8")
    (tmp_path / "bad.toml").write_text('[plan]\nname = "x"\ntransform = ["T99"]\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["sweep", str(INSTANCES / "tiny"), str(f), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(f) in err, err
    for frag in fragments:
        assert frag in err, (frag, err)
    assert not out.exists()


def test_missing_sweep_file_and_bad_instance_exit_2(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(INSTANCES / "tiny"), str(tmp_path / "none.toml"), "--out", str(out)]) == 2
    assert "sweep file not found" in capsys.readouterr().err
    f = tmp_path / "s.toml"
    f.write_text(sweep_text(GRID), encoding="utf-8")
    assert main(["sweep", str(tmp_path / "no-instance"), str(f), "--out", str(out)]) == 2
    assert "instance directory not found" in capsys.readouterr().err
    assert not out.exists()


def test_a_non_empty_directory_that_holds_no_sweep_is_refused(tmp_path, capsys):
    f = tmp_path / "s.toml"
    f.write_text(sweep_text(GRID), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    assert main(["sweep", str(INSTANCES / "tiny"), str(f), "--out", str(out)]) == 2
    assert "holds no sweep" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_product_and_zip_scenarios(tmp_path, tiny):
    f = tmp_path / "s.toml"
    (tmp_path / "open.toml").write_text(GOOD_PLAN, encoding="utf-8")
    f.write_text(sweep_text(GRID, YEARS, 'name = "plan"\nplan = ["none", "open.toml"]'), encoding="utf-8")
    sw = read_sweep(f, tiny)
    sc = scenarios(sw, tiny)
    assert [s.id for s in sc][:3] == ["grid=0.5,years=5,plan=none", "grid=0.5,years=5,plan=open",
                                      "grid=0.5,years=10,plan=none"]
    assert len(sc) == 8 and len({s.key for s in sc}) == 8
    f.write_text(sweep_text(GRID, YEARS, head='combine = "zip"\n'), encoding="utf-8")
    sz = scenarios(read_sweep(f, tiny), tiny)
    assert [s.id for s in sz] == ["grid=0.5,years=5", "grid=1.0,years=10"]
    # the key follows the inputs: same sweep, same keys; another time limit, other keys
    assert [s.key for s in scenarios(read_sweep(f, tiny), tiny)] == [s.key for s in sz]
    f.write_text(sweep_text(GRID, YEARS, head='combine = "zip"\n').replace("time_limit = 5", "time_limit = 6"),
                 encoding="utf-8")
    assert {s.key for s in scenarios(read_sweep(f, tiny), tiny)}.isdisjoint({s.key for s in sz})


def test_apply_scales_every_row_keeps_empty_cells_and_sets_keys(tmp_path, tiny):
    f = tmp_path / "s.toml"
    f.write_text(sweep_text('name = "move"\nscale = "firms.max_move_km"\nvalues = [2.0]', YEARS), encoding="utf-8")
    sw = read_sweep(f, tiny)
    s = scenarios(sw, tiny)[1]
    inst, plan = apply_scenario(tiny, sw, s)
    assert plan is None and inst.params["objective"]["value_years"] == 10
    before, after = tiny.firms["max_move_km"].tolist(), inst.firms["max_move_km"].tolist()
    assert [math.isnan(a) for a in after] == [math.isnan(b) for b in before]
    assert [a for a in after if not math.isnan(a)] == [2 * b for b in before if not math.isnan(b)]


def test_without_the_extra_revopt_imports_and_sweep_says_how_to_install(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(sweep_text(GRID), encoding="utf-8")
    code = (
        "import sys\n"
        "sys.modules['dask'] = None; sys.modules['distributed'] = None\n"
        "import revopt\n"
        "assert callable(revopt.sweep) and revopt.sweep.read_sweep\n"
        "from revopt.cli import main\n"
        f"sys.exit(main(['sweep', {str(INSTANCES / 'tiny')!r}, {str(f)!r}, '--out', {str(tmp_path / 'o')!r}]))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
                       env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""})
    assert r.returncode == 1, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'revopt[sweep]'" in lines[0], r.stderr
    assert not (tmp_path / "o").exists()
