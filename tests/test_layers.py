"""The layers of docs/architecture.md hold: every import of every module, read with ast.

Imports inside functions count (a late import dodges a cycle at run time, not a
dependency); only imports under ``if TYPE_CHECKING:`` are exempt. The allowed edges
are data here and a table in docs/architecture.md; a test keeps the two equal.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT

SRC = ROOT / "src"
DOC = ROOT / "docs" / "architecture.md"

#: module prefix -> layer; the longest prefix wins; ``revopt`` names the package's __init__ only
LAYERS: dict[str, str] = {
    "revopt.data": "data",
    "revopt.status": "status",
    "revopt.corridors": "corridors",
    "revopt.model": "model",
    "revopt.results": "results",
    "revopt.heuristics": "heuristics",
    "revopt.solve.highs_backend": "solver",
    "revopt.solve.pyomo_backend": "solver",
    "revopt.solve.lns": "solver",
    "revopt.solve.exchange": "solver",
    "revopt.solve.bounds": "solver",
    "revopt.solve.export": "solver",
    "revopt.solve.highs_process": "solver",
    "revopt.solve.highs_child": "solver",
    "revopt.solve.submip": "solver",
    "revopt.solve.submip_child": "solver",
    "revopt.solve.lagrangian": "solver",
    "revopt.solve.lagrangian_repair": "solver",
    "revopt.solve._knapsack": "solver",
    "revopt.solve": "solve",
    "revopt": "api",
    "revopt.decide": "decide",
    "revopt.plans": "plans",
    "revopt.sweep": "sweep",
    "revopt.geo": "geo",
    "revopt.generate": "generate",
    "revopt.benchmark": "benchmark",
    "revopt.cli": "cli",
}
_BELOW_TOP = {"data", "status", "corridors", "model", "heuristics", "results", "solver", "solve", "api"}
#: layer -> the layers it may import (imports within a layer are always allowed)
ALLOWED: dict[str, set[str]] = {
    "data": set(),
    "status": set(),
    "corridors": {"data"},
    "model": {"data", "corridors"},
    "results": {"data", "status"},
    "heuristics": {"data", "corridors", "model", "results"},
    "solver": {"data", "status", "corridors", "model"},
    "solve": {"data", "status", "corridors", "model", "heuristics", "results", "solver"},
    "api": {"data", "status", "model", "results", "solve"},
    "decide": _BELOW_TOP,
    "plans": _BELOW_TOP | {"decide"},
    "sweep": _BELOW_TOP | {"decide", "plans"},
    "geo": _BELOW_TOP,
    "generate": _BELOW_TOP,
    "benchmark": _BELOW_TOP,
    "cli": _BELOW_TOP | {"decide", "plans", "sweep", "geo", "generate", "benchmark"},
}
#: the one module that may print and exit
CLI = "revopt.cli"
MAX_SOLVE_FUNCTION_LINES = 80


@dataclass(frozen=True)
class Import:
    module: str      # the importing module
    target: str      # the module imported (a submodule when ``from pkg import submodule``)
    names: tuple[str, ...]
    line: int
    in_function: bool


def modules(src: Path = SRC) -> dict[str, Path]:
    """Module name -> file, for every .py file of the package."""
    out = {}
    for f in sorted((src / "revopt").rglob("*.py")):
        parts = f.relative_to(src).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = f
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _is_main_guard(test: ast.expr) -> bool:
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators))


def _walk(node: ast.AST, *, skip_main: bool = False, in_function: bool = False):
    """(node, inside a function) for every node below ``node``, without the ``if TYPE_CHECKING:``
    bodies (and without ``if __name__ == "__main__":`` bodies when ``skip_main``)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and (_is_type_checking(child.test) or (skip_main and _is_main_guard(child.test))):
            for sub in child.orelse:
                yield sub, in_function
                yield from _walk(sub, skip_main=skip_main, in_function=in_function)
            continue
        inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        yield child, in_function
        yield from _walk(child, skip_main=skip_main, in_function=inner)


def imports_of(module: str, tree: ast.Module, is_package: bool, known: set[str]) -> list[Import]:
    """The revopt imports of one module, relative imports resolved."""
    package = module if is_package else module.rpartition(".")[0]
    out = []
    for node, in_fn in _walk(tree):
        if isinstance(node, ast.Import):
            out += [Import(module, a.name, (), node.lineno, in_fn) for a in node.names
                    if a.name.split(".")[0] == "revopt"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] != "revopt":
                continue
            plain = tuple(a.name for a in node.names if f"{source}.{a.name}" not in known)
            out += [Import(module, f"{source}.{a.name}", (), node.lineno, in_fn) for a in node.names
                    if f"{source}.{a.name}" in known]
            if plain:
                out.append(Import(module, source, plain, node.lineno, in_fn))
    return out


@pytest.fixture(scope="module")
def trees() -> dict[str, tuple[ast.Module, bool]]:
    return {m: (ast.parse(f.read_text(encoding="utf-8"), str(f)), f.name == "__init__.py")
            for m, f in modules().items()}


@pytest.fixture(scope="module")
def all_imports(trees) -> list[Import]:
    known = set(trees)
    return [i for m, (t, pkg) in trees.items() for i in imports_of(m, t, pkg, known)]


def layer_of(module: str) -> str | None:
    best = None
    for prefix, layer in LAYERS.items():
        if module == prefix or (prefix != "revopt" and module.startswith(prefix + ".")):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, layer)
    return None if best is None else best[1]


def _package(module: str, is_package: bool) -> str:
    return module if is_package else module.rpartition(".")[0]


# ---- the table of docs/architecture.md is this file's table -------------------------------------------

def doc_table() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(layer -> module prefixes, layer -> may import) as docs/architecture.md writes them."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    i = next(k for k, line in enumerate(lines) if "layers-table" in line)
    mods: dict[str, set[str]] = {}
    allowed: dict[str, set[str]] = {}
    for line in lines[i + 3:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 4, f"a row of the layers table needs 4 cells: {line}"
        layer = re.fullmatch(r"`([a-z_]+)`", cells[0])
        assert layer, f"the first cell names a layer in backticks: {line}"
        mods[layer.group(1)] = set(re.findall(r"`([^`]+)`", cells[1]))
        allowed[layer.group(1)] = set(re.findall(r"`([^`]+)`", cells[3]))
    return mods, allowed


def test_architecture_doc_has_the_tests_table():
    mods, allowed = doc_table()
    want_mods: dict[str, set[str]] = {}
    for prefix, layer in LAYERS.items():
        want_mods.setdefault(layer, set()).add(prefix)
    assert mods == want_mods, "docs/architecture.md and tests/test_layers.py LAYERS differ"
    assert allowed == ALLOWED, "docs/architecture.md and tests/test_layers.py ALLOWED differ"


def test_every_module_has_a_layer(trees):
    assert [m for m in trees if layer_of(m) is None] == [], "add the module to LAYERS and docs/architecture.md"


# ---- edges, cycles --------------------------------------------------------------------------------------

def test_no_import_crosses_the_layers_the_wrong_way(all_imports):
    bad = []
    for i in all_imports:
        a, b = layer_of(i.module), layer_of(i.target)
        if b is None or a == b or b in ALLOWED.get(a, set()):
            continue
        where = "inside a function" if i.in_function else "at module level"
        bad.append(f"{i.module} (line {i.line}, {where}) imports {i.target}: layer {a} may not import {b}")
    assert bad == [], "\n".join(bad)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_between_files(all_imports):
    edges: dict[str, set[str]] = {}
    for i in all_imports:
        if i.target != i.module:
            edges.setdefault(i.module, set()).add(i.target)
    assert cycles(edges) == []


# ---- below the CLI: no printing, no exits, no private names of other packages ----------------------------

def _exits_or_prints(tree: ast.Module) -> list[tuple[int, str]]:
    out = []
    for node, _ in _walk(tree, skip_main=True):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in ("print", "exit", "quit"):
                out.append((node.lineno, f"{f.id}("))
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and \
                    (f.value.id, f.attr) in (("sys", "exit"), ("os", "_exit")):
                out.append((node.lineno, f"{f.value.id}.{f.attr}("))
        elif isinstance(node, ast.Raise) and node.exc is not None:
            e = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(e, ast.Name) and e.id == "SystemExit":
                out.append((node.lineno, "raise SystemExit"))
    return out


def test_nothing_below_the_cli_prints_or_exits(trees):
    bad = [f"{m} line {line}: {what}" for m, (t, _) in trees.items() if m != CLI for line, what in _exits_or_prints(t)]
    assert bad == [], "\n".join(bad)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_no_private_name_is_imported_across_packages(trees, all_imports):
    is_pkg = {m: pkg for m, (_, pkg) in trees.items()}
    bad = []
    for i in all_imports:
        here = _package(i.module, is_pkg[i.module])
        parts = i.target.split(".")
        for k, part in enumerate(parts):   # a private module: private to the package that holds it
            owner = ".".join(parts[:k])
            if _private(part) and here != owner and not here.startswith(owner + "."):
                bad.append(f"{i.module} (line {i.line}) imports the private module {i.target}")
        home = _package(i.target, is_pkg.get(i.target, False))
        if home != here:
            bad += [f"{i.module} (line {i.line}) imports {n} from {i.target}, private to {home}"
                    for n in i.names if _private(n)]
    assert bad == [], "\n".join(bad)


# ---- constraint families by their NAME constants ----------------------------------------------------------

def family_names(trees) -> set[str]:
    """The block names of the constraint families: ``NAME*`` constants of revopt.model like ``C4_floor``."""
    out = set()
    for m, (t, _) in trees.items():
        if layer_of(m) != "model":
            continue
        for node in t.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and \
                    isinstance(node.value.value, str) and re.fullmatch(r"C\d+_\w+", node.value.value) and \
                    any(isinstance(x, ast.Name) and x.id.startswith("NAME") for x in node.targets):
                out.add(node.value.value)
    return out


def test_constraint_families_are_named_by_their_constants(trees):
    names = family_names(trees)
    assert {"C1_placement", "C4_floor", "C7_demand", "C11_noise"} <= names
    bad = [f"{m} line {node.lineno}: {node.value!r}; use the family's NAME constant"
           for m, (t, _) in trees.items() if layer_of(m) != "model"
           for node, _ in _walk(t) if isinstance(node, ast.Constant) and node.value in names]
    assert bad == [], "\n".join(bad)


# ---- a thin solve --------------------------------------------------------------------------------------

def test_solve_reads_as_its_phases(trees):
    long = []
    for m, (t, _) in trees.items():
        if layer_of(m) not in ("solve", "solver"):
            continue
        for node, _ in _walk(t):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_SOLVE_FUNCTION_LINES:
                    long.append(f"{m}.{node.name}: {n} lines")
    assert long == [], "\n".join(long)
    solve = next(n for n in ast.walk(trees["revopt.solve.pipeline"][0])
                 if isinstance(n, ast.FunctionDef) and n.name == "solve")
    body = solve.body[1:] if isinstance(solve.body[0], ast.Expr) else solve.body  # without the docstring
    assert body[-1].end_lineno - body[0].lineno + 1 <= 40, "solve() should read as its phases"


# ---- the scanner itself ----------------------------------------------------------------------------------

def test_the_scanner_sees_late_relative_imports_and_skips_type_checking():
    src = '''
from typing import TYPE_CHECKING
from ..data.instance import Instance
from . import lns
if TYPE_CHECKING:
    from ..results.result import Result
def f():
    from ..model.candidates import _rule_matrix
    import revopt.cli
'''
    known = {"revopt.solve.lns", "revopt.data.instance", "revopt.model.candidates", "revopt.cli"}
    got = imports_of("revopt.solve.pipeline", ast.parse(src), False, known)
    assert [(i.target, i.names, i.in_function) for i in got] == [
        ("revopt.data.instance", ("Instance",), False),
        ("revopt.solve.lns", (), False),
        ("revopt.model.candidates", ("_rule_matrix",), True),
        ("revopt.cli", (), True),
    ]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _exits_or_prints(ast.parse('print("x")\nif __name__ == "__main__":\n    print("ok")\n')) == [(1, "print(")]


# ---- one vocabulary ------------------------------------------------------------------------------------

#: the shared vocabulary: defined (assigned at module level) in revopt.data.vocab only
VOCABULARY = ("CATEGORIES", "RANK", "WERKMILIEUS", "WM_INDEX", "LIFECYCLES", "TERRAIN_STATUSES", "POOLED",
              "MODES", "MODE_CODE", "MODE_PRIORITY", "TARIFF_DEFAULTS")
VOCAB_MODULE = "revopt.data.vocab"


def test_the_vocabulary_is_defined_once(trees):
    vocab = trees[VOCAB_MODULE][0]
    sets = {}
    for node in vocab.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Tuple):
            name = (node.targets[0] if isinstance(node, ast.Assign) else node.target).id
            sets[name] = {e.value for e in node.value.elts}
    bad = []
    for m, (t, _) in trees.items():
        if m == VOCAB_MODULE:
            continue
        for node in t.body:   # a module-level name of the vocabulary, assigned again
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
                if isinstance(node, ast.AnnAssign) else []
            bad += [f"{m} line {node.lineno}: {x.id} is defined in {VOCAB_MODULE}"
                    for x in targets if isinstance(x, ast.Name) and x.id in VOCABULARY]
        for node, _ in _walk(t):   # a literal list of all modes, werkmilieus or life stages
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and node.elts and \
                    all(isinstance(e, ast.Constant) for e in node.elts):
                values = {e.value for e in node.elts}
                bad += [f"{m} line {node.lineno}: spells out {name}" for name in ("MODES", "WERKMILIEUS", "LIFECYCLES")
                        if values == sets[name] and len(node.elts) == len(sets[name])]
    assert bad == [], "\n".join(bad)
