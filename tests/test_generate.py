"""The instance generator (revopt.generate, docs/generator.md) and the Rijssen-Holten instance."""

from __future__ import annotations

import csv
import importlib.util
import os

import numpy as np
import pandas as pd
import pytest

import revopt
from conftest import INSTANCES, ROOT, solve_verified
from revopt.cli import main
from revopt.data.vocab import RANK
from revopt.generate import PRESETS, generate, generate_with_stats, wgs84_to_rd
from revopt.generate.geo import VNG_DISTANCE_M, max_category_index
from revopt.model.candidates import candidate_pairs

TABLES = ("terrains", "plots", "firms", "substations", "nature_areas", "deposition", "pairs", "claims",
          "lifecycle_targets", "restrictions")
SHARED = ROOT.parent / "shared" / "data"


def assert_same(a: revopt.Instance, b: revopt.Instance) -> None:
    assert a.params == b.params
    for t in TABLES:
        x, y = getattr(a, t), getattr(b, t)
        if x is None or y is None:
            assert x is None and y is None, t
        else:
            pd.testing.assert_frame_equal(x.reset_index(drop=True), y.reset_index(drop=True), obj=t)


@pytest.fixture(scope="module")
def small():
    return generate_with_stats("small", 0)


@pytest.fixture(scope="module")
def province():
    return generate_with_stats("province", 0)


# ----------------------------------------------------------------------------- determinism
@pytest.mark.parametrize("preset", ["tiny", "small"])
def test_same_seed_same_tables_other_seed_other_tables(preset):
    a, b, c = generate(preset, seed=7), generate(preset, seed=7), generate(preset, seed=8)
    assert_same(a, b)
    with pytest.raises(AssertionError):
        assert_same(a, c)
    assert not a.firms["floor_space_m2"].equals(c.firms["floor_space_m2"])


def test_province_is_deterministic(province):
    again = generate("province", seed=0)
    assert_same(province[0], again)


# ----------------------------------------------------------------------------- sizes and figures
def check_common(inst: revopt.Instance, st: dict) -> None:
    f, p, t = inst.firms, inst.plots, inst.terrains
    status = p["terrain_id"].map(dict(zip(t["terrain_id"], t["status"])))
    has_cur = f["current_plot"].ne("")
    assert 0.75 <= has_cur.mean() <= 0.86                                    # existing firms
    assert f.loc[has_cur, "max_move_km"].between(1, 30).all()               # every existing firm has a limit
    assert f.loc[~has_cur, "relocation_cost_eur"].eq(0).all() and f.loc[has_cur, "relocation_cost_eur"].gt(0).all()
    assert set(f["lifecycle"]) == {"startup", "mkb", "scaleup", "large"} or len(f) < 20
    assert f["must_place"].any()
    # plots: coverage 50-80 % (rounded), transform plots carry a current werkmilieu, no options there
    ratio = p["floor_capacity_m2"] / p["area_m2"]
    assert ratio.between(0.49, 0.81).all()
    assert p.loc[status.eq("transform"), "current_werkmilieu"].ne("").all()
    assert p.loc[status.ne("existing"), "intensify_extra_m2"].eq(0).all()
    extra = p.loc[p["intensify_extra_m2"] > 0]
    assert (extra["intensify_extra_m2"] / extra["floor_capacity_m2"]).between(0.09, 0.31).all()
    # planned terrains: 50-150 EUR per m2 net; transform terrains are never of national interest
    net = p.groupby("terrain_id")["area_m2"].sum()
    plan = t[t["status"].eq("planned")].set_index("terrain_id")
    assert (plan["development_cost_eur"] / net[plan.index]).between(49, 151).all()
    assert not (t["status"].eq("transform") & t["national_interest"]).any()
    # present plots are plausible: category, quay, floor, werkmilieu fit (spec section 2, rules 2-4, 6)
    cur = f[has_cur].merge(p, left_on="current_plot", right_on="plot_id", suffixes=("", "_p"))
    assert (cur["category"].map(RANK) <= cur["max_category"].map(RANK)).all()
    assert (~cur["water_bound"] | cur["quay"]).all()
    assert all(w in fw and w in pw for w, fw, pw in zip(cur["current_werkmilieu"], cur["werkmilieus"],
                                                             cur["werkmilieus_p"]))
    load = cur.groupby("plot_id")["floor_space_m2"].sum()
    assert (load <= p.set_index("plot_id")["floor_capacity_m2"][load.index]).all()
    # substations 40-150 MW ratings exist; deposition within the kernel's maximum
    assert len(inst.substations) >= 1 and inst.substations["available_mw"].ge(0).all()
    assert inst.deposition["mol_per_kg"].between(0, 71.4 * 0.3).all()
    assert (inst.nature_areas["headroom_mol"] >= 0).all()


def test_tiny_sizes():
    inst, st = generate_with_stats("tiny", 0)
    assert (len(inst.firms), len(inst.plots), len(inst.terrains)) == (12, 8, 3)
    assert inst.pairs is None
    assert set(inst.terrains["region"]) == {"Deventer"}


def test_small_sizes_and_figures(small):
    inst, st = small
    assert (len(inst.firms), len(inst.plots), len(inst.terrains)) == (500, 300, 40)
    assert inst.pairs is None                     # revopt's own candidate rules are exercised
    check_common(inst, st)
    assert set(inst.terrains["status"]) == {"existing", "planned", "transform"}


def test_province_sizes_pairs_and_figures(province):
    inst, st = province
    assert (len(inst.firms), len(inst.plots), len(inst.terrains)) == (5_000, 3_000, 300)
    check_common(inst, st)
    assert 0.08 <= inst.plots["quay"].mean() <= 0.2
    assert inst.terrains["region"].nunique() == 4                       # the COROP regions of Noord-Brabant
    x, y = inst.plots["x"], inst.plots["y"]
    assert x.between(50_000, 200_000).all() and y.between(350_000, 440_000).all()
    per_firm = inst.pairs.groupby("firm_id").size().reindex(inst.firms["firm_id"], fill_value=0)
    assert 20 <= per_firm.mean() <= 80 and per_firm.max() <= PRESETS["province"].max_pairs_per_firm
    # every firm has a pair, except light firms whose plots in reach are all on cluster parks (min_category)
    none = inst.firms.set_index("firm_id").loc[per_firm.index[per_firm == 0]]
    assert len(none) <= 0.01 * len(inst.firms) and (none["category"].map(RANK) < RANK["4.1"]).all()
    # every listed pair is a candidate of revopt (the cheap rules and the distance were applied)
    cand = candidate_pairs(inst)
    assert len(cand) == len(inst.pairs)
    # existing firms (not on transform terrains) list their present plot; must-place firms have candidates
    status = inst.plots.set_index("plot_id")["terrain_id"].map(inst.terrains.set_index("terrain_id")["status"])
    f = inst.firms
    stay = f[f["current_plot"].ne("") & f["current_plot"].map(status).ne("transform")]
    # ... unless the plot's terrain now has a higher minimum category (the firm has to move)
    floor_rank = stay["current_plot"].map(inst.plots.set_index("plot_id")["terrain_id"]).map(
        inst.terrains.set_index("terrain_id")["min_category"]).map(RANK).fillna(0)
    stay = stay[stay["category"].map(RANK) >= floor_rank]
    listed = set(zip(inst.pairs["firm_id"], inst.pairs["plot_id"]))
    assert all((a, b) in listed for a, b in zip(stay["firm_id"], stay["current_plot"]))
    assert set(f.loc[f["must_place"], "firm_id"]) <= set(cand.pairs["firm_id"])


@pytest.mark.skipif(not os.environ.get("REVOPT_TEST_NATIONAL"),
                    reason="national takes ~20-30 s and ~1 GB; set REVOPT_TEST_NATIONAL=1")
def test_national_sizes():
    inst, st = generate_with_stats("national", 0)      # its speed: docs/benchmarks.md, not asserted here
    assert len(inst.firms) == 50_000 and len(inst.plots) == 40_000 and len(inst.terrains) == 3_800
    assert 1_000_000 <= len(inst.pairs) <= 4_000_000
    assert inst.terrains["region"].nunique() == 12
    assert inst.plots["x"].between(10_000, 280_000).all() and inst.plots["y"].between(300_000, 620_000).all()
    assert 60_000 <= st["net_area_ha"] <= 100_000 and 4 <= st["median_park_ha"] <= 8
    # policy: the five clusters, hyperscale data centres only near Eemshaven and Hollands Kroon
    pol = st["policy"]
    assert pol["clusters"] >= 5 and pol["locked_firms"] > 0 and pol["hyperscale_firms"] > 0
    assert list(inst.restrictions["sector"]) == ["hyperscale_datacenter"]
    allowed = set(inst.restrictions["terrain_ids"].iloc[0])
    hyper = set(inst.firms.loc[inst.firms["sector"].eq("hyperscale_datacenter"), "firm_id"])
    tp = inst.pairs["plot_id"].map(inst.plots.set_index("plot_id")["terrain_id"])
    assert tp[inst.pairs["firm_id"].isin(hyper)].isin(allowed).all()
    xy = inst.plots.groupby("terrain_id")[["x", "y"]].mean().loc[sorted(allowed)]
    ex, ey = wgs84_to_rd(53.44, 6.83)
    hx, hy = wgs84_to_rd(52.80, 5.00)
    d = np.minimum(np.hypot(xy["x"] - ex, xy["y"] - ey), np.hypot(xy["x"] - hx, xy["y"] - hy)) / 1000
    assert (d < 25).all()


def test_overrides_and_bad_knobs():
    inst = generate("tiny", seed=1, n_firms=20, existing_share=0.75)
    assert len(inst.firms) == 20 and inst.firms["current_plot"].ne("").sum() == 15
    with pytest.raises(ValueError, match="unknown generator knob"):
        generate("tiny", no_such_knob=1)
    with pytest.raises(ValueError, match="unknown preset"):
        generate("galaxy")
    with pytest.raises(ValueError, match="seed"):
        generate("tiny", seed=-1)


# ----------------------------------------------------------------------------- solving
@pytest.mark.parametrize("seed", range(5))
def test_tiny_solves_to_optimality_and_verifies(seed):
    res = solve_verified(generate("tiny", seed=seed), time_limit=30)
    assert res.status == revopt.Status.OPTIMAL


def test_small_solves_and_verifies(small):
    res = solve_verified(small[0], time_limit=30)
    assert res.status.has_solution
    k = res.kpis["firms"]
    assert k["placed"] > 0.5 * k["total"]


# ----------------------------------------------------------------------------- policy rules (spec section 9)
POLICY_COLS = {"terrains": ["national_interest", "min_category", "noise_budget"], "plots": ["locked_werkmilieu"],
               "firms": ["sector", "locked", "noise_use"]}


@pytest.mark.parametrize("preset", ["tiny", "small"])
def test_policy_rules_have_their_own_random_stream(preset):
    with_rules, without = generate(preset, seed=2), generate(preset, seed=2, policy=False)
    for t in ("terrains", "plots", "firms"):
        keep = [c for c in getattr(without, t).columns if c not in POLICY_COLS[t]]
        pd.testing.assert_frame_equal(getattr(with_rules, t)[keep], getattr(without, t)[keep], obj=t)
    assert without.claims is None and without.lifecycle_targets is None and without.restrictions is None
    assert not without.firms["locked"].any() and without.terrains["noise_budget"].isna().all()


def test_small_policy_rules(small):
    inst, st = small
    pol = st["policy"]
    assert pol["clusters"] == 0 and pol["hyperscale_firms"] == 0 and inst.restrictions is None   # Overijssel
    # claims keep 95 % of each region's present industrieel and 85 % of its productie capacity
    t = inst.terrains.set_index("terrain_id")
    p = inst.plots[inst.plots["terrain_id"].map(t["status"]).eq("existing")]
    present = p.groupby([p["terrain_id"].map(t["region"]), p["current_werkmilieu"]])["floor_capacity_m2"].sum()
    for r in inst.claims.itertuples():
        share = 0.95 if r.werkmilieu == "industrieel" else 0.85
        assert r.min_floor_m2 <= share * present[(r.region, r.werkmilieu)] + 1 and pd.isna(r.max_floor_m2)
    assert set(inst.lifecycle_targets["lifecycle"]) == {"startup", "scaleup"}
    zoned = t[t["noise_budget"].notna()]
    assert len(zoned) == pol["noise_terrains"] > 0 and (zoned["noise_budget"] > 0).all()
    loud = inst.firms["noise_use"] > 0
    assert (inst.firms.loc[loud, "category"].map(RANK) >= RANK["4.1"]).all() and loud.sum() == pol["noisy_firms"]


def test_province_has_the_rotterdam_moerdijk_and_zeeland_west_brabant_clusters(province):
    inst, st = province
    pol = st["policy"]
    assert pol["clusters"] > 0 and pol["locked_plots"] > 0 and pol["min_category_terrains"] > 0
    t = inst.terrains.set_index("terrain_id")
    moerdijk_x, moerdijk_y = wgs84_to_rd(51.683, 4.600)
    xy = inst.plots.groupby("terrain_id")[["x", "y"]].mean()
    d_km = np.hypot(xy["x"] - moerdijk_x, xy["y"] - moerdijk_y) / 1000
    near = d_km[d_km < 6].index
    assert t.loc[near, "national_interest"].any()
    locked = inst.plots[inst.plots["locked_werkmilieu"].ne("")]
    assert set(locked["locked_werkmilieu"]) == {"industrieel"}
    assert t.loc[locked["terrain_id"], "national_interest"].all()
    assert t.loc[locked["terrain_id"], "status"].eq("existing").all()
    assert (locked["current_werkmilieu"] == "industrieel").all()
    mc = t[t["min_category"].ne("")]
    assert set(mc["min_category"]) == {"4.1"} and mc["national_interest"].all()
    # the policy filters pairs.csv too: every listed pair is still a candidate
    assert len(candidate_pairs(inst)) == len(inst.pairs)


@pytest.mark.parametrize("seed", [0, 1, 3])   # seeds with a noise budget or a lifecycle target (not all have)
def test_tiny_with_policy_rules_solves_on_pyomo_and_verifies(seed):
    inst, st = generate_with_stats("tiny", seed)
    assert st["policy"]["noise_terrains"] + st["policy"]["lifecycle_targets"] > 0
    res = solve_verified(inst, time_limit=30, backend="pyomo")
    assert res.status == revopt.Status.OPTIMAL
    assert all(v["met"] for r in res.kpis["lifecycle_targets"].values() for v in r.values())


# ----------------------------------------------------------------------------- files and CLI
def test_write_and_reload(tmp_path, small, province):
    for inst, _ in (small, province):
        d = inst.write(tmp_path / inst.name)
        assert_same(revopt.load_instance(d), inst)


def test_cli_generate_writes_loadable_instance_and_refuses_non_empty(tmp_path, capsys):
    out = tmp_path / "gen"
    assert main(["generate", "--preset", "tiny", "--seed", "3", str(out)]) == 0
    assert "12 firms" in capsys.readouterr().out
    assert_same(revopt.load_instance(out), generate("tiny", seed=3))
    before = {f.name: f.read_bytes() for f in out.iterdir()}
    assert main(["generate", "--preset", "tiny", "--seed", "4", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert {f.name: f.read_bytes() for f in out.iterdir()} == before
    assert main(["generate", "--preset", "tiny", "--seed", "4", str(out), "--force", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    assert_same(revopt.load_instance(out), generate("tiny", seed=4))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen"]        # no temporary leftovers
    (tmp_path / "file").write_text("x")
    assert main(["generate", "--preset", "tiny", str(tmp_path / "file")]) == 2
    assert main(["generate", "--preset", "tiny", "--seed", "x", str(tmp_path / "g2")]) == 2
    assert not (tmp_path / "g2").exists()


# ----------------------------------------------------------------------------- real data pieces
def test_rd_conversion():
    x, y = wgs84_to_rd(52.15517440, 5.38720621)                      # the RD origin, Amersfoort
    assert (float(x), float(y)) == pytest.approx((155_000, 463_000), abs=0.01)
    x, y = wgs84_to_rd(52.3731, 4.8926)                              # Dam, Amsterdam: about (121400, 487400)
    assert float(x) == pytest.approx(121_400, abs=300) and float(y) == pytest.approx(487_400, abs=300)


def test_vng_distances_match_the_data_file():
    assert list(VNG_DISTANCE_M) == list(RANK)
    f = SHARED / "vng2009_milieucategorie_richtafstanden.csv"
    if f.is_file():
        rows = list(csv.DictReader(f.open(encoding="utf-8")))
        assert {r["milieucategorie"]: (float(r["richtafstand_rustige_woonwijk_m"]),
                                       float(r["richtafstand_gemengd_gebied_m"])) for r in rows} == VNG_DISTANCE_M
    idx = max_category_index(np.array([5, 30, 99, 100, 1499, 1500]), np.zeros(6, bool))
    assert list(idx) == [0, 1, 2, 3, 8, 9]


def test_embedded_natura2000_matches_the_data_file():
    from revopt.generate.natura2000 import SITES

    assert len(SITES) == 165
    f = SHARED / "natura2000_nl_sites_2013.csv"
    if not f.is_file():
        pytest.skip("shared/data not present")
    rows = list(csv.DictReader(f.open(encoding="utf-8")))
    assert [(r["site_name"], float(r["centroid_lat"]), float(r["centroid_lon"]), float(r["area_ha"]))
            for r in rows] == list(SITES)


# ----------------------------------------------------------------------------- Rijssen-Holten
def test_rijssen_holten_is_real_and_solves_to_optimality():
    d = INSTANCES / "rijssen-holten"
    inst = revopt.load_instance(d)
    assert (d / "README.md").is_file()
    assert len(inst.terrains) == 21 and 200 <= len(inst.firms) <= 400 and inst.pairs is not None
    assert {"Plaagslagen", "Noord Deel Oost", "De Haar I", "Vletgaarsmaten 2B"} <= set(inst.terrains["name"])
    assert {"Sallandse Heuvelrug", "Borkeld", "Wierdense Veld"} <= set(inst.nature_areas["name"])
    net = inst.plots.groupby("terrain_id")["area_m2"].sum()
    name = inst.terrains.set_index("terrain_id")["name"]
    assert net[name[name == "Plaagslagen"].index[0]] == 373_184                  # OPPNETTO, m2
    res = solve_verified(inst, time_limit=60)
    assert res.status == revopt.Status.OPTIMAL and res.gap <= 1e-4


def test_rijssen_holten_script_reproduces_the_instance(tmp_path):
    geo = SHARED / "ibis_rijssen_holten.geojson"
    if not geo.is_file():
        pytest.skip("shared/data not present")
    spec = importlib.util.spec_from_file_location("make_rh", INSTANCES / "make_rijssen_holten.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main(tmp_path / "rh", geo)
    spec = importlib.util.spec_from_file_location("make_corridors_rh", INSTANCES / "make_corridors.py")
    cor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cor)
    cor.build("rijssen-holten", tmp_path / "rh")          # the corridors are added in a second step
    for f in (INSTANCES / "rijssen-holten").glob("*.csv"):
        assert (tmp_path / "rh" / f.name).read_bytes() == f.read_bytes(), f.name
