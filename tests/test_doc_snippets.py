"""The Python snippets of the README and of every page in docs/ run, so that the examples cannot rot.

Each ```` ```python ```` block of a page runs in order, all blocks of one page in one namespace,
in a temporary directory where ``instances/`` is the repository's (a snippet that writes
``out/...`` writes there). Where a page's snippet continues from something the page only
describes (an evaluated plan, a GeoPackage of parks), ``SETUP`` prepares it first; it is keyed
by page and block number so that a stale entry fails. A block right after the comment
``<!-- snippet: not run (reason) -->`` is shown but not run (docs/site.md). The notebooks in
docs/tutorials/ are executed by the site build (`mkdocs build --strict`, .ci/run), not here.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import ROOT

FENCE = re.compile(r"^(?:<!-- snippet: not run(?P<reason>[^>]*)-->\n)?```python\n(?P<code>.*?)^```", re.M | re.S)


def pages() -> list[str]:
    """The README and the Markdown pages of docs/ (recursively), as paths relative to the repository."""
    found = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [p.relative_to(ROOT).as_posix() for p in found]


def snippets(page: str) -> list[tuple[int, str, str | None]]:
    """(line of the code's first line, code, reason when not run) of every python block of ``page``."""
    text = (ROOT / page).read_text(encoding="utf-8")
    out = []
    for m in FENCE.finditer(text):
        first_line = text.count("\n", 0, m.start("code")) + 1
        reason = m.group("reason")
        out.append((first_line, m.group("code"), None if reason is None else reason.strip()))
    return out


@lru_cache(maxsize=1)
def kanaaloever():
    """The bundled plan that works, evaluated on the demo (shared by the pages that continue from one)."""
    import revopt
    from revopt.plans import evaluate, load_plan

    inst = revopt.load_instance(ROOT / "instances" / "demo")
    plan = load_plan(ROOT / "instances" / "demo" / "plans" / "kanaaloever-schuifruimte.toml", inst)
    return inst, plan, evaluate(inst, plan)


def _parks_gpkg() -> None:
    """parks.gpkg with a layer "kavels" of plot polygons (the rectangles of tests/test_geo.py)."""
    from test_geo import plot_polygons

    plot_polygons().to_file("parks.gpkg", layer="kavels", driver="GPKG", engine="pyogrio")


def _demo_with_geometry() -> tuple:
    """An imported-looking copy of the demo (with geometry.gpkg of its plots) and the Kanaaloever plan."""
    import revopt
    from revopt.geo import solution_layers

    demo, plan, ev = kanaaloever()
    polygons = solution_layers(demo, ev.baseline)["plots"][["plot_id", "geometry"]]
    demo.write("demo-gis")
    polygons.to_file(Path("demo-gis") / "geometry.gpkg", layer="plots", driver="GPKG", engine="pyogrio")
    return revopt.load_instance("demo-gis"), plan


#: (page, block number) -> code run before that block, in the page's namespace
SETUP: dict[tuple[str, int], str] = {
    ("docs/bounds.md", 0): "import revopt\ninst = revopt.load_instance('instances/tiny')",
    ("docs/gis.md", 0): "_parks_gpkg()",
    ("docs/gis.md", 1): "import revopt\ninst, plan = _demo_with_geometry()",
    ("docs/plans.md", 0): "inst, plan, ev = kanaaloever()",
}
HELPERS = {"kanaaloever": kanaaloever, "_parks_gpkg": _parks_gpkg, "_demo_with_geometry": _demo_with_geometry}

PAGES_WITH_SNIPPETS = [p for p in pages() if snippets(p)]


@pytest.mark.parametrize("page", PAGES_WITH_SNIPPETS)
def test_python_snippets_of_page_run(page, tmp_path, monkeypatch):
    if "revopt.geo" in (ROOT / page).read_text(encoding="utf-8") and importlib.util.find_spec("geopandas") is None:
        pytest.skip("the page uses revopt.geo: needs the geo extra")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "instances").symlink_to(ROOT / "instances", target_is_directory=True)
    namespace: dict = {"__name__": "__doc_snippet__", **HELPERS}
    for i, (line, code, reason) in enumerate(snippets(page)):
        if (page, i) in SETUP:
            exec(compile(SETUP[page, i], f"SETUP[{page!r}, {i}]", "exec"), namespace)
        if reason is None:
            # padded so that a traceback names the page's own line numbers
            exec(compile("\n" * (line - 1) + code, page, "exec"), namespace)


def test_snippets_are_found_and_setup_is_not_stale():
    """The extractor sees the blocks this test is meant to run; every SETUP entry names a real block;
    a block left unrun says why."""
    assert {"README.md", "docs/index.md", "docs/gis.md", "docs/plans.md", "docs/bounds.md",
            "docs/api/plans.md"} <= set(PAGES_WITH_SNIPPETS)
    assert len(snippets("docs/gis.md")) == 2
    for page, i in SETUP:
        assert i < len(snippets(page)), f"SETUP[{page!r}, {i}]: the page has no block {i}"
    for page in PAGES_WITH_SNIPPETS:
        for line, _, reason in snippets(page):
            assert reason is None or reason, f"{page}:{line}: say why the snippet is not run"


def test_extractor_reads_fences_and_the_not_run_marker(tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    page.write_text("text ```python inline``` text\n\n```python\nx = 1\n```\n\n"
                    "<!-- snippet: not run (needs a province's GeoPackage) -->\n```python\ny = 2\n```\n"
                    "```sh\nrevopt solve\n```\n", encoding="utf-8")
    monkeypatch.setattr("test_doc_snippets.ROOT", tmp_path)
    assert snippets("page.md") == [(4, "x = 1\n", None), (9, "y = 2\n", "(needs a province's GeoPackage)")]
