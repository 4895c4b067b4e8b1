"""The plan report (report.html, report.md) and its SVG map.

The evaluations come from tests/plan_fixtures.py: real HiGHS solves of the demo
instance, every solution checked by revopt.verify there."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from plan_fixtures import failing_plan, working_plan
from revopt.plans.report import MAP_FILE, fmt, render_html, render_markdown, report_map, write_report
from revopt.results.maps import derive_moves, plot_map
from revopt.results.solution import Solution

VOID = {"meta", "br", "img", "hr", "input", "link", "source", "wbr", "col", "area", "base"}
SECTIONS = ("verdict", "plan", "headline", "map", "compensation", "schuifruimte", "capacity", "firms", "notes")


class _Checker(HTMLParser):
    """Every tag closed, in order; collects the rows of every table by id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: set[str] = set()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "table":
            self._table = a.get("id", "")
            self.tables[self._table] = []
        if tag == "tbody":
            self._in_body = True
        if tag == "tr" and self._in_body:
            self.tables[self._table].append([])
        if tag == "td" and self._in_body:
            self._cell = []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass  # <rect .../> inside the SVG

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()
        if tag == "tbody":
            self._in_body = False
        if tag == "td" and self._cell is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _check_html(text: str) -> _Checker:
    c = _Checker()
    c.feed(text)
    c.close()
    assert c.errors == [] and c.stack == [], (c.errors[:5], c.stack)
    svg = re.search(r"<svg.*?</svg>", text, re.S)
    assert svg is not None
    ET.fromstring(svg.group(0))   # the inline map is well-formed XML
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    return c


def _md_tables(text: str) -> list[int]:
    """Body row counts of the Markdown tables, in order."""
    counts, n, in_t = [], 0, False
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            n += 1
            in_t = True
        elif in_t:
            counts.append(n - 2)   # header and rule
            n, in_t = 0, False
    return counts


@pytest.fixture(scope="module")
def ok():
    return working_plan()


@pytest.fixture(scope="module")
def fail():
    return failing_plan()


def test_html_is_well_formed_and_has_every_section(ok):
    html = render_html(ok)
    c = _check_html(html)
    assert set(SECTIONS) <= c.ids
    assert "The plan works" in html and "Bedrijvenpark De Esch" in html
    # the headline table has one row per metric of the comparison
    assert len(c.tables["t-headline"]) == len(ok.tables["headline"])


def test_every_firm_of_the_firms_table_is_shown(ok):
    c = _check_html(render_html(ok))
    shown = [r[0].rstrip(" ★") for t in ("t-firms_lost", "t-firms_other") for r in c.tables.get(t, [])]
    assert sorted(shown) == sorted(ok.tables["firms"]["firm_id"])
    lost = ok.tables["firms"]["plan_state"].isin(["displaced", "unplaced"]).sum()
    assert len(c.tables["t-firms_lost"]) == lost


def test_markdown_has_the_same_tables(ok, fail):
    for ev in (ok, fail):
        c = _check_html(render_html(ev))
        md = render_markdown(ev)
        html_counts = [len(rows) for rows in c.tables.values()]
        assert _md_tables(md) == html_counts
        for title in ("## Headline figures", "## Map", "## Compensation per transformed terrain",
                      "## Schuifruimte per region", "## Firms displaced", "## How to read this"):
            assert title in md
        assert f"]({MAP_FILE})" in md


def test_names_are_escaped(ok, fail):
    html = render_html(fail)
    assert "Stationskwartier &lt;wonen&gt; &amp; more" in html and "<wonen>" not in html
    ev = copy.copy(ok)
    ev.tables = dict(ok.tables)
    firms = ok.tables["firms"].copy()
    firms.loc[firms.index[0], "sector"] = "x<script>alert(1)</script>&"
    ev.tables["firms"] = firms
    t = ok.planned.terrains.copy()
    t.loc[t["terrain_id"] == "T05", "name"] = "Campus <b>&</b>"
    ev.planned = ok.planned.replace_tables(terrains=t)
    html = render_html(ev)
    _check_html(html)
    assert "x&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in html and "Campus &lt;b&gt;&amp;&lt;/b&gt;" in html
    md = render_markdown(ev)
    assert "<script>" not in md


def test_map_has_one_element_per_plot_and_one_arrow_per_move(ok):
    svg = report_map(ok)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    plots = [e for e in root.iter(f"{ns}rect") if e.get("class") == "plot"]
    assert sorted(e.get("data-id") for e in plots) == sorted(ok.planned.plots["plot_id"])
    moves = derive_moves(ok.planned, ok.result.solution)
    arrows = [e for e in root.iter(f"{ns}path") if e.get("class") == "move"]
    crosses = [e for e in root.iter(f"{ns}path") if e.get("class") == "displaced-firm"]
    assert len(arrows) == (moves["to_plot"] != "").sum() > 0
    assert len(crosses) == (moves["to_plot"] == "").sum() > 0
    # the moved firms are exactly those whose plot differs from the current one in the solution
    a = ok.result.assignments.set_index("firm_id")["plot_id"]
    for m in moves.itertuples():
        assert a[m.firm_id] == m.to_plot != m.from_plot
    terrains = [e for e in root.iter(f"{ns}polygon") if e.get("class") == "terrain"]
    assert len(terrains) == ok.planned.plots["terrain_id"].nunique()
    assert "De Esch → housing" in svg


def test_infeasible_plan_still_renders(fail):
    assert not fail.result.status.has_solution
    html = render_html(fail)
    c = _check_html(html)
    assert "The plan fails" in html and "no solution (infeasible)" in html
    assert "elastic" in c.ids and len(c.tables["t-elastic"]) == len(fail.tables["elastic"])
    svg = report_map(fail)
    assert 'class="move"' not in svg               # no plan solution: no moves
    assert svg.count('class="plot"') == len(fail.planned.plots)
    assert "Stationskwartier → housing" in svg
    md = render_markdown(fail)
    assert "Verdict: does not work" in md and "63,950 m²" in md


def test_write_report_writes_three_files(ok, tmp_path):
    paths = write_report(ok, tmp_path / "out")
    assert sorted(paths) == sorted(["report.html", "report.md", MAP_FILE])
    ET.parse(paths[MAP_FILE])
    assert paths["report.html"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]   # no temp files left


def _national(n_plots: int = 40_000, n_terrains: int = 2_000, n_moves: int = 30_000, seed: int = 0):
    rng = np.random.default_rng(seed)
    tid = np.array([f"T{i:04d}" for i in range(n_terrains)])
    centre = rng.uniform([10_000, 300_000], [280_000, 620_000], size=(n_terrains, 2))
    which = rng.integers(0, n_terrains, n_plots)
    xy = centre[which] + rng.normal(0, 400, size=(n_plots, 2))
    pid = np.array([f"P{i:05d}" for i in range(n_plots)])
    wm = rng.choice(["industrieel", "productie", "innovatie", "stedelijk", ""], n_plots)
    plots = pd.DataFrame({"plot_id": pid, "terrain_id": tid[which], "x": xy[:, 0], "y": xy[:, 1],
                          "area_m2": rng.uniform(500, 60_000, n_plots), "floor_capacity_m2": 1000.0,
                          "current_werkmilieu": wm})
    terrains = pd.DataFrame({"terrain_id": tid, "name": [f"Park {i}" for i in range(n_terrains)],
                             "status": rng.choice(["existing", "planned", "transform"], n_terrains, p=[.8, .15, .05])})
    firms = pd.DataFrame({"firm_id": [f"F{i:05d}" for i in range(n_moves)], "current_plot": pid[:n_moves],
                          "floor_space_m2": rng.uniform(100, 20_000, n_moves)})
    inst = SimpleNamespace(plots=plots, terrains=terrains, firms=firms,
                           nature_areas=pd.DataFrame({"area_id": ["N1"], "name": ["Veluwe"], "x": [190_000.0],
                                                      "y": [470_000.0], "headroom_mol": [1.0]}))
    to = np.where(rng.random(n_moves) < 0.1, "", rng.choice(pid, n_moves))
    sol = Solution(assignments=pd.DataFrame({"firm_id": firms["firm_id"], "plot_id": to}),
                   plots=pd.DataFrame({"plot_id": pid, "werkmilieu": wm, "intensified": False}),
                   terrains=pd.DataFrame({"terrain_id": tid[terrains["status"] == "planned"], "developed": True}),
                   compensation=pd.DataFrame(columns=["terrain_id", "plot_id", "class", "floor_m2"]))
    return inst, sol


def test_national_map_stays_small():
    inst, sol = _national()
    svg = plot_map(inst, sol, max_moves=300)
    assert len(svg.encode()) < 4_000_000
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert not [e for e in root.iter(f"{ns}rect") if e.get("class") == "plot"]       # dots, not squares
    dots = sum(e.get("d").count("M") for e in root.iter(f"{ns}path") if e.get("class") == "plots-dots")
    assert dots == len(inst.plots)
    assert sum(1 for e in root.iter(f"{ns}path") if e.get("class") == "move") == 300
    # terrain labels are left out above max_labels
    assert "Park 17</text>" not in svg and "Park 17</title>" in svg


def test_network_is_drawn_underneath_with_a_legend(ok):
    p = ok.planned.plots
    edges = pd.DataFrame({"x1": [p["x"].min(), p["x"].min()], "y1": [p["y"].min(), p["y"].max()],
                          "x2": [p["x"].max(), p["x"].max()], "y2": [p["y"].max(), p["y"].min()],
                          "mode": ["water", "rail"], "load_kt": [120.0, 40.0], "capacity_kt": [120.0, np.nan]})
    nodes = pd.DataFrame({"x": [p["x"].min()], "y": [p["y"].min()], "kind": ["inland_port"], "name": ["Haven <A>"]})
    svg = plot_map(ok.planned, ok.result.solution, network=edges, network_nodes=nodes)
    ET.fromstring(svg)
    assert svg.count('class="edge"') == 2
    assert svg.index('class="network"') < svg.index('class="plots"')
    assert "water (width: load)" in svg and "Haven &lt;A&gt;" in svg


def test_number_formatting():
    assert fmt(12400, "m2") == "12,400 m²"
    assert fmt(-46.58e6, "EUR/yr", sign=True) == "\u2212€ 46.6 M /yr"
    assert fmt(1.0245e9, "EUR") == "€ 1,024.5 M"
    assert fmt(0.0512, "share") == "5.1 %"
    assert fmt(-0.021, "share", sign=True) == "\u22122.1 pp"
    assert fmt(None, "m2") == "–" and fmt(float("nan"), "km") == "–"
    assert fmt(3, "firms", sign=True) == "+3" and fmt(0, "count", sign=True) == "±0"
    assert fmt("optimal", "") == "optimal"
