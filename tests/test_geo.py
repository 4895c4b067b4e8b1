"""GIS round trip (revopt[geo]): polygons -> instance -> solve -> verify -> GeoPackage -> read back.

The real input is the IBIS register of the 22 business-park polygons of
Rijssen-Holten (WGS84 GeoJSON, shared/data next to the repository, as in CI).
Reprojection is checked against the RD polynomial of revopt.generate.geo, which
shares no code with pyproj.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import revopt
from conftest import ROOT, solve_verified
from revopt.cli import main
from revopt.generate.geo import wgs84_to_rd
from revopt.geo import GeoInputError, GeoUnavailable, read_layer, read_polygons, solution_layers, write_gpkg

IBIS = ROOT.parent / "shared" / "data" / "ibis_rijssen_holten.geojson"
needs_ibis = pytest.mark.skipif(not IBIS.is_file(), reason="shared/data not present")
LAYERS = ["plots", "moves", "terrains", "displaced"]


def shoelace(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float, float]:
    """Area and centroid in RD New of a WGS84 ring, by the polynomial (not pyproj)."""
    x, y = wgs84_to_rd(lat, lon)
    a = x[:-1] * y[1:] - x[1:] * y[:-1]
    A = a.sum() / 2.0
    return abs(A), ((x[:-1] + x[1:]) * a).sum() / (6 * A), ((y[:-1] + y[1:]) * a).sum() / (6 * A)


# ----------------------------------------------------------------------------- import of IBIS parks


@needs_ibis
def test_ibis_parks_import_reprojected_with_areas_and_names():
    terrains, plots = read_polygons(IBIS)
    feats = json.loads(IBIS.read_text(encoding="utf-8"))["features"]
    assert len(feats) == 22
    parks: dict[str, list[dict]] = {}
    for f in feats:
        parks.setdefault(f["properties"]["RINNUMMER"], []).append(f)
    assert len(parks) == 20                             # Veeneslagen comes as three polygons
    assert list(terrains["terrain_id"]) == list(parks) == list(plots["plot_id"])
    assert list(plots["terrain_id"]) == list(plots["plot_id"])
    for rin, fs in parks.items():
        t = terrains.set_index("terrain_id").loc[rin]
        p = plots.set_index("plot_id").loc[rin]
        pr = fs[0]["properties"]
        assert (t["name"], t["region"], t["status"]) == (pr["BEDRIJVENT"], pr["KERN"], "existing")
        parts = [shoelace(*np.array(f["geometry"]["coordinates"][0]).T) for f in fs]
        area = sum(s[0] for s in parts)
        cx, cy = (sum(s[0] * s[1] for s in parts) / area, sum(s[0] * s[2] for s in parts) / area)
        assert p["area_m2"] == pytest.approx(area, rel=1e-3)
        assert math.hypot(p["x"] - cx, p["y"] - cy) < 2.0      # pyproj vs the polynomial: about a metre
        assert p["area_m2"] == pytest.approx(float(pr["OPPBRUTO"]), rel=0.02)   # IBIS gross area
        assert float(p["floor_capacity_m2"]) == pytest.approx(0.6 * float(pr["OPPNETTO"]), abs=0.05)
        assert (p["max_category"], p["werkmilieus"], p["substation_id"]) == (
            "4.2", "productie;innovatie;stedelijk", "S1")


def ibis_scenario(tmp_path: Path) -> revopt.Instance:
    """The IBIS parks imported by the CLI, then a planner's scenario: Enterstraat (4719) to housing,
    De Keizer (230936) a planned park, room to intensify Markeloseweg (130089), four firms."""
    out = tmp_path / "rh"
    assert main(["geo", "import", str(IBIS), "--out", str(out), "--quiet"]) == 0
    assert (out / "geometry.gpkg").is_file()
    inst = revopt.load_instance(out)
    assert inst.firms.empty and list(inst.substations["substation_id"]) == ["S1"]
    t = inst.terrains.copy()
    t.loc[t["terrain_id"] == "4719", "status"] = "transform"
    t.loc[t["terrain_id"] == "230936", ["status", "development_cost_eur"]] = ["planned", 2_000_000.0]
    p = inst.plots.copy()
    p.loc[p["plot_id"] == "4719", "current_werkmilieu"] = "productie"
    p.loc[p["plot_id"] == "130089", ["intensify_extra_m2", "intensify_cost_eur"]] = [30_000.0, 500_000.0]
    firms = pd.DataFrame([
        # moves off the transformed park
        dict(firm_id="F1", floor_space_m2=5000, value_added_eur=2_000_000, category="3.1", werkmilieus="productie",
             current_plot="4719", relocation_cost_eur=100_000, must_place=True),
        # stays where it is
        dict(firm_id="F2", floor_space_m2=3000, value_added_eur=1_500_000, category="3.2", werkmilieus="productie",
             current_plot="130088", relocation_cost_eur=500_000, must_place=False),
        # category 5.1 fits no plot (max 4.2): displaced
        dict(firm_id="F3", floor_space_m2=4000, value_added_eur=900_000, category="5.1", werkmilieus="productie",
             current_plot="4719", relocation_cost_eur=0, must_place=False),
        # new demand
        dict(firm_id="F4", floor_space_m2=2000, value_added_eur=800_000, category="2", werkmilieus="stedelijk",
             current_plot="", relocation_cost_eur=0, must_place=False),
    ])
    return inst.replace_tables(terrains=t, plots=p, firms=firms)


@needs_ibis
def test_ibis_round_trip_solve_verify_gpkg(tmp_path, capsys):
    inst = ibis_scenario(tmp_path)
    res = solve_verified(inst)
    assert res.status.has_solution
    assert revopt.verify(inst, res) == []
    sol = res.solution
    assert inst.source is None           # built in memory: the polygons are named explicitly
    gpkg = write_gpkg(tmp_path / "plan.gpkg", inst, res, geometry=tmp_path / "rh" / "geometry.gpkg")
    import pyogrio

    assert sorted(str(x[0]) for x in pyogrio.list_layers(gpkg)) == sorted(LAYERS)
    back = {n: gpd.read_file(gpkg, layer=n) for n in LAYERS}
    for n, g in back.items():
        assert g.crs.to_epsg() == 28992, n

    # plots: same ids, the real polygons, designation and occupants as the solution
    plots = back["plots"].set_index("plot_id")
    ip = inst.plots.set_index("plot_id")
    assert sorted(plots.index) == sorted(ip.index)
    assert (plots["shape"] == "polygon").all()
    for pid, row in plots.iterrows():
        assert row.geometry.area == pytest.approx(ip.loc[pid, "area_m2"], rel=1e-6)
        c = row.geometry.centroid
        assert math.hypot(c.x - ip.loc[pid, "x"], c.y - ip.loc[pid, "y"]) < 0.01
    desig = dict(zip(sol.plots["plot_id"], sol.plots["werkmilieu"]))
    assert {p: (w if isinstance(w, str) else "") for p, w in plots["designation"].items()} == desig
    assert plots.loc["4719", "terrain_status"] == "transform" and not plots.loc["4719", "designation"]
    placed = sol.assignments[sol.assignments["plot_id"] != ""]
    occ = placed.groupby("plot_id")["firm_id"].apply(lambda s: ";".join(sorted(s))).to_dict()
    got = {p: ";".join(sorted(o.split(";"))) for p, o in plots["occupants"].items() if isinstance(o, str) and o}
    assert got == occ
    assert plots.loc["130089", "intensified"] == bool(sol.plots.set_index("plot_id").loc["130089", "intensified"])
    space = inst.firms.set_index("firm_id")["floor_space_m2"]
    for pid, row in plots.iterrows():
        firms_here = [f for f in (row["occupants"] or "").split(";") if f]
        assert row["floor_used_m2"] == pytest.approx(sum(space[f] for f in firms_here))
        assert row["floor_capacity_m2"] == pytest.approx(ip.loc[pid, "floor_capacity_m2"])
        assert row["floor_added_m2"] == (ip.loc[pid, "intensify_extra_m2"] if row["intensified"] else 0.0)
        assert row["floor_free_m2"] == pytest.approx(row["floor_capacity_m2"] + row["floor_added_m2"]
                                                     - row["floor_used_m2"])

    # moves: F1 moved off the transformed park, F2 kept; lines from current to assigned plot
    where = dict(zip(sol.assignments["firm_id"], sol.assignments["plot_id"]))
    moves = back["moves"].set_index("firm_id")
    assert sorted(moves.index) == ["F1", "F2"]
    assert moves.loc["F1", "status"] == "moved" and where["F1"] not in ("", "4719")
    assert moves.loc["F2", "status"] == "kept" and where["F2"] == "130088"
    for f, row in moves.iterrows():
        cur, new = inst.firms.set_index("firm_id").loc[f, "current_plot"], where[f]
        assert row.geometry.geom_type == "LineString"
        (x0, y0), (x1, y1) = row.geometry.coords
        assert (x0, y0) == pytest.approx((ip.loc[cur, "x"], ip.loc[cur, "y"]), abs=1e-6)
        assert (x1, y1) == pytest.approx((ip.loc[new, "x"], ip.loc[new, "y"]), abs=1e-6)
        assert row["distance_km"] == pytest.approx(math.hypot(x1 - x0, y1 - y0) / 1000)
        assert (row["from_plot"], row["to_plot"]) == (cur, new)

    # displaced: F3 (category 5.1 fits nowhere) on its current plot
    disp = back["displaced"]
    assert list(disp["firm_id"]) == ["F3"] and where["F3"] == ""
    assert (disp.geometry.iloc[0].x, disp.geometry.iloc[0].y) == pytest.approx(
        (ip.loc["4719", "x"], ip.loc["4719", "y"]))
    assert disp["terrain_status"].iloc[0] == "transform"

    # terrains: status as the instance, developed as the solution
    ter = back["terrains"].set_index("terrain_id")
    assert sorted(ter.index) == sorted(inst.terrains["terrain_id"])
    assert ter.loc["4719", "status"] == "transform" and not ter.loc["4719", "developed"]
    dev = dict(zip(sol.terrains["terrain_id"], sol.terrains["developed"]))
    assert ter.loc["230936", "status"] == "planned" and bool(ter.loc["230936", "developed"]) == dev["230936"]
    assert ter.loc["130060", "geometry"].area == pytest.approx(ip.loc["130060", "area_m2"], rel=1e-6)
    assert (ter["shape"] == "union").all()

    # the plots layer imports again as it is: same plots, areas and capacities
    again = read_layer(gpkg, layer="plots").instance()
    ap = again.plots.set_index("plot_id")
    assert sorted(ap.index) == sorted(ip.index) and again.terrains["terrain_id"].nunique() == 20
    for pid in ip.index:
        assert ap.loc[pid, "area_m2"] == pytest.approx(ip.loc[pid, "area_m2"], rel=1e-6)
        assert ap.loc[pid, "floor_capacity_m2"] == pytest.approx(ip.loc[pid, "floor_capacity_m2"])
        assert ap.loc[pid, "max_category"] == ip.loc[pid, "max_category"]

    # the CLI writes the same layers from the solution directory
    sdir = tmp_path / "sol"
    sdir.mkdir()
    sol.summary = res.summary()
    sol.write(sdir)
    out = tmp_path / "cli.gpkg"
    # the imported directory has no firms yet: its solution would not be this one
    assert main(["geo", "export", str(tmp_path / "rh"), str(sdir), str(out)]) == 2
    assert "unknown firm(s) F1, F2, F3, F4" in capsys.readouterr().err and not out.exists()
    d = tmp_path / "rh-scenario"
    inst.write(d)
    (d / "geometry.gpkg").write_bytes((tmp_path / "rh" / "geometry.gpkg").read_bytes())
    assert main(["geo", "export", str(d), str(sdir), str(out), "--quiet"]) == 0
    for n in LAYERS:
        a, b = gpd.read_file(out, layer=n), back[n]
        pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")),
                                      pd.DataFrame(b.drop(columns="geometry")))
        assert a.geometry.geom_equals_exact(b.geometry, 1e-9).all()
    assert main(["geo", "export", str(d), str(sdir), str(out)]) == 2       # exists, no --force
    assert "--force" in capsys.readouterr().err


# ----------------------------------------------------------------------------- GeoPackage of plots


def plot_polygons() -> gpd.GeoDataFrame:
    """Six rectangular plots on two parks near Zwolle, in RD New, with a planner's attributes."""
    rows = [
        # plot_id, terrain, x0, y0, w, h, attributes
        ("K1", "HZ", 203000, 503000, 100, 80, dict(max_category=4.2, werkmilieus="productie;innovatie", quay=True)),
        ("K2", "HZ", 203120, 503000, 60, 50, dict(max_category=3.1, werkmilieus="innovatie")),
        ("K3", "HZ", 203200, 503000, 40, 40, dict(floor_capacity_m2=1500.0)),
        ("K4", "ST", 205000, 504000, 120, 120, dict(max_category=5.1,
                                                     werkmilieus="industrieel;productie")),
        ("K5", "ST", 205150, 504000, 90, 70, dict(intensify_extra_m2=800.0, intensify_cost_eur=40_000.0)),
        ("K6", "ST", 205300, 504000, 30, 200, dict(substation_id="S2")),
    ]
    recs, geoms = [], []
    for pid, tid, x0, y0, w, h, a in rows:
        recs.append({"plot_id": pid, "terrain_id": tid, "name": {"HZ": "Hessenpoort", "ST": "Stadshagen"}[tid],
                     "region": "Zwolle", "status": "planned" if tid == "ST" else "existing",
                     "development_cost_eur": 1_000_000.0 if tid == "ST" else None, **a})
        geoms.append(shapely.box(x0, y0, x0 + w, y0 + h))
    return gpd.GeoDataFrame(pd.DataFrame(recs), geometry=geoms, crs="EPSG:28992")


def test_gpkg_plot_layer_round_trip(tmp_path, capsys):
    src = plot_polygons()
    f = tmp_path / "kavels.gpkg"
    src.to_crs(4326).to_file(f, layer="kavels")                # WGS84 in the file: reprojected back
    src.head(2).to_file(f, layer="other")
    assert main(["geo", "import", str(f), "--out", str(tmp_path / "x")]) == 2
    assert "2 layers" in capsys.readouterr().err and not (tmp_path / "x").exists()
    imp = read_layer(f, layer="kavels")
    assert imp.mode == "plots" and imp.crs == "EPSG:4326"
    p = imp.plots.set_index("plot_id")
    assert list(p.index) == list(src["plot_id"])
    for pid, g in zip(src["plot_id"], src.geometry):
        assert p.loc[pid, "area_m2"] == pytest.approx(g.area, rel=1e-6)
        assert (p.loc[pid, "x"], p.loc[pid, "y"]) == pytest.approx((g.centroid.x, g.centroid.y), abs=0.01)
    inst = imp.instance(name="zwolle")
    ip = inst.plots.set_index("plot_id")
    assert ip.loc["K1", "max_category"] == "4.2" and ip.loc["K1", "quay"]
    assert ip.loc["K1", "werkmilieus"] == ("productie", "innovatie")
    assert ip.loc["K4", "max_category"] == "5.1" and ip.loc["K3", "max_category"] == "4.2"   # default
    assert ip.loc["K3", "floor_capacity_m2"] == 1500.0                                    # from the attribute
    assert ip.loc["K2", "floor_capacity_m2"] == pytest.approx(0.6 * 60 * 50, abs=0.05)     # coverage default
    assert ip.loc["K5", "intensify_extra_m2"] == 800.0 and ip.loc["K6", "substation_id"] == "S2"
    t = inst.terrains.set_index("terrain_id")
    assert list(t.index) == ["HZ", "ST"]
    assert (t.loc["HZ", "name"], t.loc["ST", "status"], t.loc["ST", "development_cost_eur"]) == (
        "Hessenpoort", "planned", 1_000_000.0)
    assert sorted(inst.substations["substation_id"]) == ["S1", "S2"]

    # the CLI writes the starter instance; firms added; solved; exported with the polygons
    out = tmp_path / "zwolle"
    assert main(["geo", "import", str(f), "--layer", "kavels", "--out", str(out), "--available-mw", "20"]) == 0
    assert "6 plots on 2 terrains" in capsys.readouterr().out
    inst = revopt.load_instance(out)
    assert list(inst.substations["available_mw"]) == [20.0, 20.0]
    firms = pd.DataFrame([
        dict(firm_id="A", floor_space_m2=3000, value_added_eur=3_000_000, category="4.1",
             werkmilieus="productie", current_plot="K2", relocation_cost_eur=10_000),
        dict(firm_id="B", floor_space_m2=1000, value_added_eur=900_000, category="3.1",
             werkmilieus="innovatie", current_plot="K2", relocation_cost_eur=10_000),
    ])
    inst = inst.replace_tables(firms=firms)
    res = solve_verified(inst)
    assert res.status.has_solution
    layers = solution_layers(inst, res, geometry=out / "geometry.gpkg")
    g = layers["plots"].set_index("plot_id")
    for pid, geom in zip(src["plot_id"], src.geometry):
        assert g.loc[pid, "geometry"].area == pytest.approx(geom.area, rel=1e-6)
        assert g.loc[pid, "geometry"].symmetric_difference(geom).area < 1e-3 * geom.area
    where = dict(zip(res.assignments["firm_id"], res.assignments["plot_id"]))
    assert where["A"] not in ("", "K2")                 # 3000 m2 at category 4.1 does not fit K2 (1800 m2, 3.1)
    assert set(layers["moves"]["firm_id"]) == {f for f in "AB" if where[f]}
    ter = layers["terrains"].set_index("terrain_id")
    assert ter.loc["HZ", "geometry"].area == pytest.approx(100 * 80 + 60 * 50 + 40 * 40, rel=1e-6)


def test_without_polygons_plots_are_squares_of_their_area(tmp_path):
    inst = revopt.load_instance(ROOT / "instances" / "tiny")
    res = solve_verified(inst)
    layers = solution_layers(inst, res)
    g = layers["plots"].set_index("plot_id")
    assert (g["shape"] == "square").all()
    for pid, row in inst.plots.set_index("plot_id").iterrows():
        sq = g.loc[pid, "geometry"]
        assert sq.area == pytest.approx(row["area_m2"], rel=1e-9)
        assert (sq.centroid.x, sq.centroid.y) == pytest.approx((row["x"], row["y"]))
    assert (layers["terrains"]["shape"].isin(["hull", ""])).all()
    moved = layers["moves"]
    assert len(moved[moved["status"] == "moved"]) == res.kpis["firms"]["moved"]
    out = write_gpkg(tmp_path / "tiny.gpkg", inst, res)
    assert len(gpd.read_file(out, layer="plots")) == len(inst.plots)
    disp = gpd.read_file(out, layer="displaced")             # nobody displaced: an empty layer, all columns
    assert len(disp) == len(layers["displaced"]) == 0 and {"firm_id", "current_plot"} <= set(disp.columns)
    assert not list(tmp_path.glob(".*tmp*"))


# ----------------------------------------------------------------------------- bad input: exit 2, nothing written


def run_import(tmp_path: Path, src: Path, capsys, *extra: str) -> str:
    out = tmp_path / "out"
    assert main(["geo", "import", str(src), "--out", str(out), *extra]) == 2
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]
    return capsys.readouterr().err


def test_points_instead_of_polygons(tmp_path, capsys):
    pts = gpd.GeoDataFrame({"plot_id": ["a", "b"], "terrain_id": ["T", "T"]},
                           geometry=[shapely.Point(5.5, 52.0), shapely.box(5.5, 52.0, 5.501, 52.001)],
                           crs="EPSG:4326")
    f = tmp_path / "points.geojson"
    pts.to_file(f)
    err = run_import(tmp_path, f, capsys)
    assert "points.geojson, feature 1, attribute geometry: is a Point, not a polygon" in err
    assert "feature 2" not in err


def test_duplicate_plot_ids_name_both_features(tmp_path, capsys):
    g = plot_polygons()
    g.loc[2, "plot_id"] = "K1"
    f = tmp_path / "dup.gpkg"
    g.to_file(f)
    err = run_import(tmp_path, f, capsys)
    assert "dup.gpkg, feature 3, attribute plot_id: duplicate plot id 'K1' (also feature 1)" in err


def test_missing_crs_and_how_to_assume_one(tmp_path, capsys):
    g = plot_polygons().set_crs(None, allow_override=True)
    f = tmp_path / "nocrs.gpkg"
    with pytest.warns(UserWarning):
        g.to_file(f)
    err = run_import(tmp_path, f, capsys)
    assert "nocrs.gpkg, attribute geometry: the layer has no coordinate reference system" in err
    assert "--crs" in err
    assert main(["geo", "import", str(f), "--out", str(tmp_path / "ok"), "--crs", "EPSG:28992", "--quiet"]) == 0
    assert len(revopt.load_instance(tmp_path / "ok").plots) == 6


@pytest.mark.parametrize("case, expect", [
    ("empty id", "feature 2, attribute plot_id: the id is empty"),
    ("bad category", "feature 4, attribute max_category: plots.csv column max_category"),
    ("bad default", "feature 1, attribute werkmilieus (default): plots.csv column werkmilieus"),
    ("wrong crs", "feature 1, attribute geometry: lies outside the Netherlands after reprojection from EPSG:4326"),
    ("parts disagree", "feature 2, attribute name: the features of park HZ disagree on name"),
    ("no id", "no id attribute"),
    ("invalid", "feature 1, attribute geometry: invalid polygon (Self-intersection"),
    ("unknown map", "attribute KAVEL: no such attribute (named for column plot_id)"),
])
def test_bad_layers_name_file_feature_and_attribute(tmp_path, capsys, case, expect):
    g = plot_polygons()
    extra: list[str] = []
    if case == "empty id":
        g.loc[1, "plot_id"] = None
    elif case == "bad category":
        g.loc[3, "max_category"] = 7.0
    elif case == "bad default":
        g = g.drop(columns="werkmilieus")
        extra = ["--default", "werkmilieus=kantoor"]
    elif case == "wrong crs":
        g = g.set_crs("EPSG:4326", allow_override=True)         # RD metres labelled as degrees
    elif case == "parts disagree":
        g.loc[1, "name"] = "Hessenpoort-Noord"
    elif case == "no id":
        g = g.rename(columns={"plot_id": "nr", "terrain_id": "park"})
    elif case == "invalid":
        g.loc[0, "geometry"] = shapely.Polygon([(203000, 503000), (203100, 503100), (203100, 503000),
                                                (203000, 503100)])
    elif case == "unknown map":
        extra = ["--map", "plot_id=KAVEL"]
    f = tmp_path / "kavels.gpkg"
    g.to_file(f)
    err = run_import(tmp_path, f, capsys, *extra)
    assert "kavels.gpkg" in err and expect in err, err
    with pytest.raises(GeoInputError):
        read_layer(f, columns=dict(p.split("=") for p in extra[1::2]) if case == "unknown map" else None,
                   defaults={"werkmilieus": "kantoor"} if case == "bad default" else None)


def test_existing_out_needs_force(tmp_path, capsys):
    f = tmp_path / "k.gpkg"
    plot_polygons().to_file(f)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["geo", "import", str(f), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and (out / "keep.txt").read_text() == "mine"
    assert main(["geo", "import", str(f), "--out", str(out), "--force", "--quiet"]) == 0
    assert not (out / "keep.txt").exists() and (out / "plots.csv").is_file()


def test_export_of_a_solution_of_another_instance_is_an_input_error(tmp_path, capsys):
    tiny = ROOT / "instances" / "tiny"
    sol = tmp_path / "sol"
    assert main(["solve", str(tiny), "--out", str(sol), "--quiet"]) == 0
    f = tmp_path / "k.gpkg"
    plot_polygons().to_file(f)
    other = tmp_path / "zwolle"
    assert main(["geo", "import", str(f), "--out", str(other), "--quiet"]) == 0
    assert main(["geo", "export", str(other), str(sol), str(tmp_path / "x.gpkg")]) == 2
    assert "does not belong to this instance" in capsys.readouterr().err
    assert not (tmp_path / "x.gpkg").exists()
    assert main(["geo", "export", str(tiny), str(tmp_path / "nosuch"), str(tmp_path / "x.gpkg")]) == 2
    assert main(["geo", "export", str(tiny), str(sol), str(tmp_path / "tiny.gpkg"), "--quiet"]) == 0


def test_without_geopandas_a_clear_message_and_exit_2(tmp_path, capsys, monkeypatch):
    for mod in [m for m in sys.modules if m == "geopandas" or m.startswith("geopandas.")]:
        monkeypatch.setitem(sys.modules, mod, None)
    f = tmp_path / "k.geojson"
    f.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(GeoUnavailable, match=r"install revopt\[geo\]"):
        read_polygons(f)
    assert issubclass(GeoUnavailable, ImportError)
    assert main(["geo", "import", str(f), "--out", str(tmp_path / "out")]) == 2
    assert "install revopt[geo]" in capsys.readouterr().err and not (tmp_path / "out").exists()
    assert main(["geo", "export", str(ROOT / "instances" / "tiny"), str(tmp_path), str(tmp_path / "x.gpkg")]) == 2
    assert "install revopt[geo]" in capsys.readouterr().err
