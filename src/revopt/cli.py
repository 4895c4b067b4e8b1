"""Command line: ``revopt solve``, ``revopt verify``, ``revopt bench``, ``revopt generate``,
``revopt plan evaluate``, ``revopt geo import|export`` (with the extra ``revopt[geo]``),
``revopt sweep`` (with the extra ``revopt[sweep]``), ``revopt alternatives``, ``revopt pareto``.

Exit codes: 0 solved (optimal, or feasible at the time limit); 1 anything else
(solver error, a solution that does not verify); 2 bad input (nothing
written); 3 infeasible (summary.json still written); 4 stopped at the time
limit without any feasible solution (summary.json written).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from . import __version__, load_instance
from .data import InstanceError
from .data.atomic import DirectoryNotEmpty, atomic_dir, write_text_atomically
from .results import Result, Solution
from .results.verify import verify
from .solve import BACKENDS, Progress, solve
from .status import Status

EXIT_OK, EXIT_ERROR, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_NO_SOLUTION = 0, 1, 2, 3, 4
EXIT_FOR_STATUS = {
    Status.OPTIMAL: EXIT_OK, Status.FEASIBLE: EXIT_OK, Status.INFEASIBLE: EXIT_INFEASIBLE,
    Status.NO_SOLUTION: EXIT_NO_SOLUTION, Status.UNBOUNDED: EXIT_ERROR, Status.ERROR: EXIT_ERROR,
}


class UsageError(Exception):
    """A bad command line value or input file (exit 2, nothing written); the message is all the user sees."""


def _number(name: str, positive: bool):
    def conv(s: str) -> float:
        try:
            v = float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, not {s!r}") from None
        if not (v > 0 if positive else v >= 0) or v == float("inf"):
            raise argparse.ArgumentTypeError(f"{name} must be a finite number {'>' if positive else '>='} 0, not {s!r}")
        return v
    return conv


def _whole(name: str, minimum: int):
    def conv(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number, not {s!r}") from None
        if v < minimum:
            raise argparse.ArgumentTypeError(f"{name} must be >= {minimum}, not {s!r}")
        return v
    return conv


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="revopt", description="Right firm, right plot: solve and verify revopt instances.")
    p.add_argument("--version", action="version", version=f"revopt {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_solve, _add_bench, _add_generate, _add_plan, _add_verify, _add_map, _add_geo, _add_explain,
                _add_alternatives, _add_pareto, _add_sweep):
        add(sub)
    return p


def _add_solve(sub) -> None:
    s = sub.add_parser("solve", help="solve an instance and write the solution directory",
                       description="Solve INSTANCE and write the solution files (assignments.csv, plots.csv, "
                                   "terrains.csv, compensation.csv, summary.json) into --out.")
    s.add_argument("instance", metavar="INSTANCE", help="instance directory")
    s.add_argument("--out", required=True, metavar="DIR", help="solution directory to write")
    s.add_argument("--gap", type=_number("gap", positive=False), default=1e-4, help="relative MIP gap (default 1e-4)")
    s.add_argument("--time-limit", type=_number("time limit", positive=True), default=None, metavar="S",
                   help="solver time limit in seconds")
    s.add_argument("--threads", type=_whole("threads", 1), default=None, metavar="N", help="solver threads")
    s.add_argument("--backend", choices=BACKENDS, default="highs", help="highs (default) or pyomo")
    s.add_argument("--seed", type=_whole("seed", 0), default=0, metavar="N",
                   help="seed of the neighbourhood search and of HiGHS (default 0)")
    s.add_argument("--work-limit", type=_whole("work limit", 0), default=None, metavar="N",
                   help="reproducible mode: the heuristics count work (at most N neighbourhood sub-MIPs), not "
                        "seconds, so the same input, seed and N give the same answer on any machine; "
                        "--time-limit stays a safety net (docs/solving.md)")
    s.add_argument("--start", default=None, metavar="SOLUTION",
                   help="a solution directory to start from (of this instance or a related one, e.g. before a "
                        "change): what still fits is kept and the rest completed (docs/solving.md)")
    s.add_argument("--force", action="store_true", help="replace a non-empty --out")
    s.add_argument("--quiet", action="store_true", help="print nothing on success (implies --no-progress)")
    s.add_argument("--no-progress", action="store_true",
                   help="do not show incumbent, bound and gap on stderr while solving")


def _add_bench(sub) -> None:
    b = sub.add_parser("bench", help="time each phase of one instance and compare with the greedy baseline",
                       description="Print pairs, rows, cols, nonzeros, the phase seconds, peak MB, status, "
                                   "objective, bound, gap and the greedy baseline's objective.")
    b.add_argument("instance", metavar="INSTANCE", nargs="?", help="instance directory (or use --preset)")
    b.add_argument("--preset", choices=("tiny", "small", "province", "national"), help="generate this preset")
    b.add_argument("--seed", type=int, default=0, help="generator seed (with --preset)")
    b.add_argument("--time-limit", type=_number("time limit", positive=True), default=None, metavar="S")
    b.add_argument("--gap", type=_number("gap", positive=False), default=1e-4)
    b.add_argument("--no-solve", action="store_true", help="only candidates, build and hand-over")
    b.add_argument("--no-greedy", action="store_true", help="skip the greedy baseline")
    b.add_argument("--lp", action="store_true", help="also solve the LP relaxation (root gap)")
    b.add_argument("--json", metavar="FILE", help="write the record as JSON")
    b.add_argument("--no-progress", action="store_true")


def _add_generate(sub) -> None:
    g = sub.add_parser("generate", help="write a generated instance (preset, seed) as a directory",
                       description="Generate a synthetic but realistic instance (docs/generator.md) and write it "
                                   "into OUT atomically (a temporary sibling directory, then a rename).")
    g.add_argument("out", metavar="OUT", help="instance directory to write")
    g.add_argument("--preset", choices=("tiny", "small", "province", "national"), default="small",
                   help="size and region (default small)")
    g.add_argument("--seed", type=_whole("seed", 0), default=0, metavar="N",
                   help="random seed, a whole number >= 0 (default 0)")
    g.add_argument("--force", action="store_true", help="replace a non-empty OUT")
    g.add_argument("--quiet", action="store_true", help="print nothing on success")


def _add_plan(sub) -> None:
    pl = sub.add_parser("plan", help="relocation plans: evaluate a plan against the instance as it is",
                        description="Relocation plans (schuifruimte, docs/plans.md).")
    plsub = pl.add_subparsers(dest="plan_command", required=True, metavar="PLAN_COMMAND")
    pe = plsub.add_parser("evaluate", help="solve before and after a plan and write the comparison and report",
                          description="Solve INSTANCE as it is (baseline) and with PLAN applied, both as revopt "
                                      "solve would, and write DIR/baseline/, DIR/plan/, DIR/comparison/*.csv, "
                                      "DIR/report.html and DIR/report.md. Exit codes as revopt solve: 3 when the "
                                      "plan is infeasible (the report is still written).")
    pe.add_argument("instance", metavar="INSTANCE", help="instance directory")
    pe.add_argument("plan", metavar="PLAN", help="plan file (TOML, spec section 8)")
    pe.add_argument("--out", required=True, metavar="DIR", help="output directory to write")
    pe.add_argument("--gap", type=_number("gap", positive=False), default=1e-4, help="relative MIP gap (default 1e-4)")
    pe.add_argument("--time-limit", type=_number("time limit", positive=True), default=None, metavar="S",
                    help="solver time limit in seconds, for each of the solves")
    pe.add_argument("--threads", type=_whole("threads", 1), default=None, metavar="N", help="solver threads")
    pe.add_argument("--backend", choices=BACKENDS, default="highs", help="highs (default) or pyomo")
    pe.add_argument("--norm", type=_number("norm", positive=False), default=None,
                    help="schuifruimte norm, share of free floor space (default: the plan's, else 0.05)")
    pe.add_argument("--no-elastic", action="store_true", help="do not solve the elastic variant")
    pe.add_argument("--marginal-values", type=_whole("marginal values", 0), default=0, metavar="K",
                    help="for a plan that works: the marginal values of at most K resources it touches, two "
                         "re-solves at gap 0 each (default 0: none; docs/decision-support.md)")
    pe.add_argument("--force", action="store_true", help="replace a non-empty --out")
    pe.add_argument("--quiet", action="store_true", help="print nothing on success")


def _add_verify(sub) -> None:
    v = sub.add_parser("verify", help="check a solution against an instance",
                       description="Recompute every rule and the objective from the raw tables; "
                                   "exit 0 when the solution is feasible and its objective right, 1 otherwise.")
    v.add_argument("instance", metavar="INSTANCE")
    v.add_argument("solution", metavar="SOLUTION_DIR")


def _add_map(sub) -> None:
    mp = sub.add_parser("map", help="draw a solution as an SVG map (with the corridor network and its loads)",
                        description="Draw SOLUTION_DIR on a map: plots coloured by designation, moves as arrows, "
                                    "displaced firms, Natura 2000 areas and, for an instance with corridors, the "
                                    "network underneath with line width by freight load (full edges darker).")
    mp.add_argument("instance", metavar="INSTANCE")
    mp.add_argument("solution", metavar="SOLUTION_DIR")
    mp.add_argument("out", metavar="OUT.svg", help="SVG file to write")
    mp.add_argument("--fit-network", action="store_true",
                    help="fit the whole network (seaports far away) instead of the plots")
    mp.add_argument("--title", default=None, help="title above the map")
    mp.add_argument("--no-moves", action="store_true", help="leave out the arrows of moved firms")
    mp.add_argument("--force", action="store_true", help="replace an existing OUT.svg")


def _add_geo(sub) -> None:
    geo = sub.add_parser("geo", help="GIS round trip: import plot/park polygons, export a solution as a GeoPackage",
                         description="Needs the extra revopt[geo] (geopandas). docs/gis.md describes both steps.")
    gsub = geo.add_subparsers(dest="geo_command", required=True, metavar="STEP")
    _add_geo_import(gsub)
    _add_geo_export(gsub)


def _add_geo_import(gsub) -> None:
    gi = gsub.add_parser("import", help="polygons of plots or parks -> a starter instance directory",
                         description="Read a GeoPackage / GeoJSON layer of plot or park polygons, reproject it to "
                                     "RD New (EPSG:28992) and write plots.csv, terrains.csv, a placeholder "
                                     "substations.csv, empty firms.csv and nature_areas.csv, instance.toml and the "
                                     "polygons (geometry.gpkg) into --out, atomically.")
    gi.add_argument("src", metavar="SRC", help="GeoPackage, GeoJSON or any file GDAL reads")
    gi.add_argument("--out", required=True, metavar="DIR", help="instance directory to write")
    gi.add_argument("--layer", metavar="L", help="layer of a multi-layer file")
    gi.add_argument("--id-column", metavar="ATTR", help="attribute with each feature's id "
                    "(default plot_id, else terrain_id, else RINNUMMER)")
    gi.add_argument("--terrain-column", metavar="ATTR", help="attribute with each plot's park; "
                    "without one the features are whole parks (default terrain_id or RINNUMMER when not the id)")
    gi.add_argument("--map", action="append", default=[], metavar="COLUMN=ATTR",
                    help="read plots/terrains COLUMN from attribute ATTR (repeatable)")
    gi.add_argument("--default", action="append", default=[], metavar="COLUMN=VALUE",
                    help="value of COLUMN where the attribute is missing or empty (repeatable)")
    gi.add_argument("--crs", metavar="CRS", help="CRS to assume when the file has none, e.g. EPSG:28992")
    gi.add_argument("--coverage", type=_number("coverage", positive=True), default=None, metavar="F",
                    help="building coverage for the default floor capacity (default 0.6)")
    gi.add_argument("--available-mw", type=_number("available MW", positive=False), default=None, metavar="MW",
                    help="capacity of each placeholder substation (default 100)")
    gi.add_argument("--name", help="instance name (default: the --out directory name)")
    gi.add_argument("--force", action="store_true", help="replace a non-empty --out")
    gi.add_argument("--quiet", action="store_true", help="print nothing on success")


def _add_geo_export(gsub) -> None:
    ge = gsub.add_parser("export", help="a solution directory -> a GeoPackage for QGIS",
                         description="Write OUT.gpkg (EPSG:28992) with the layers plots, moves, terrains and "
                                     "displaced, atomically.")
    ge.add_argument("instance", metavar="INSTANCE", help="instance directory")
    ge.add_argument("solution", metavar="SOLUTION_DIR", help="solution directory (as revopt solve writes it)")
    ge.add_argument("out", metavar="OUT.gpkg", help="GeoPackage to write")
    ge.add_argument("--geometry", metavar="FILE", help="plot polygons (layer plots with plot_id; default "
                    "INSTANCE/geometry.gpkg, else squares of the plot's area)")
    ge.add_argument("--force", action="store_true", help="replace an existing OUT.gpkg")
    ge.add_argument("--quiet", action="store_true", help="print nothing on success")


def _add_explain(sub) -> None:
    ex = sub.add_parser("explain", help="marginal values of scarce resources, or why an instance is infeasible",
                        description="Solve INSTANCE; when it has a solution, re-solve it with each binding or nearly "
                                    "binding capacity raised and lowered by a step and write DIR/marginal_values.csv; "
                                    "when it is infeasible, find the conflict and write DIR/conflict.csv; both with "
                                    "DIR/report.html and DIR/solution/ (docs/decision-support.md). Exit 3 when "
                                    "infeasible.")
    ex.add_argument("instance", metavar="INSTANCE", help="instance directory")
    ex.add_argument("--out", required=True, metavar="DIR", help="output directory to write")
    ex.add_argument("--resources", default=None, metavar="LIST",
                    help="comma-separated resource kinds (substation, nature_area, plot_floor, region_floor, "
                         "corridor_edge, noise, claim, compensation) or KIND:ID (default: all kinds)")
    ex.add_argument("--top", type=_whole("top", 1), default=10, metavar="K",
                    help="re-solve at most K resources (default 10)")
    ex.add_argument("--step", action="append", default=[], metavar="KIND=VALUE",
                    help="step of a resource kind in its unit (repeat or comma-separate; defaults in the docs)")
    ex.add_argument("--gap", type=_number("gap", positive=False), default=0.0,
                    help="relative MIP gap of every solve (default 0: deltas of optima need exact optima)")
    ex.add_argument("--time-limit", type=_number("time limit", positive=True), default=None, metavar="S",
                    help="time limit in seconds of every solve (and of each conflict test, default 10)")
    ex.add_argument("--threads", type=_whole("threads", 1), default=None, metavar="N", help="solver threads")
    ex.add_argument("--force", action="store_true", help="replace a non-empty --out")
    ex.add_argument("--quiet", action="store_true", help="print nothing on success")


def _add_sweep(sub) -> None:
    sw = sub.add_parser("sweep", help="solve an instance under many scenarios (a sweep file) on dask.distributed",
                        description="Run every scenario of SWEEP.toml (spec section 10, docs/sweeps.md) on INSTANCE "
                                    "as a dask task and write DIR/results.csv, DIR/results.parquet, "
                                    "DIR/runs/<scenario_id>/ and DIR/report.html. A rerun into the same DIR "
                                    "skips the scenarios that finished. Needs the extra revopt[sweep].")
    sw.add_argument("instance", metavar="INSTANCE", help="instance directory")
    sw.add_argument("sweep", metavar="SWEEP.toml", help="sweep file")
    sw.add_argument("--out", required=True, metavar="DIR", help="output directory (new, empty, or an earlier run's)")
    sw.add_argument("--workers", type=_whole("workers", 1), default=None, metavar="N",
                    help="worker processes of the local cluster (default: the cores)")
    sw.add_argument("--scheduler", metavar="ADDRESS", default=None,
                    help="run on an existing dask cluster, e.g. tcp://host:8786 (--workers is then ignored)")
    sw.add_argument("--force", action="store_true",
                    help="redo every scenario, and write into a non-empty DIR that is not a sweep's")
    sw.add_argument("--quiet", action="store_true", help="print nothing on success")


def _share(name: str):
    """A share 0 <= v < 1 (``--within``)."""
    def conv(s: str) -> float:
        try:
            v = float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, not {s!r}") from None
        if not 0 <= v < 1:
            raise argparse.ArgumentTypeError(f"{name} must be a share with 0 <= {name} < 1 (0.01 = 1 %), not {s!r}")
        return v
    return conv


def _objective_list(s: str) -> list[str]:
    """``--objectives value,relocations,...``: known names, each once, at least two."""
    from .decide.objectives import check_objective_names

    names = [n.strip() for n in s.split(",") if n.strip()]
    try:
        check_objective_names(names)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e).removeprefix("objectives: ")) from None
    return names


def _add_alternatives(sub) -> None:
    al = sub.add_parser("alternatives", help="near-optimal alternatives: allocations within EPS of the optimum, "
                                             "as different as possible",
                        description="Write alt-1/ (the optimum) ... alt-K/ (solution directories, each verified), "
                                    "alternatives.csv, frequency.csv (the share of alternatives making each "
                                    "placement, designation and development), frequency_map.svg and "
                                    "summary.json into --out (docs/alternatives.md).")
    al.add_argument("instance", metavar="INSTANCE", help="instance directory")
    al.add_argument("--within", required=True, type=_share("--within"), metavar="EPS",
                    help="each alternative's objective is at least the optimum minus EPS times |optimum| "
                         "(0.01 = 1 %%)")
    al.add_argument("--count", required=True, type=_whole("--count", 1), metavar="K",
                    help="number of alternatives, the optimum included (fewer when fewer exist)")
    al.add_argument("--out", required=True, metavar="DIR", help="output directory to write")
    al.add_argument("--time-limit", type=_number("--time-limit", positive=True), default=None, metavar="S",
                    help="seconds per MIP solve (the optimum and each alternative)")
    al.add_argument("--stall", type=_number("--stall", positive=True), default=None, metavar="S",
                    help="stop the search for one alternative after S seconds without a more distant one "
                         "(default 5)")
    al.add_argument("--gap", type=_number("--gap", positive=False), default=1e-4,
                    help="relative MIP gap of the optimum (default 1e-4)")
    al.add_argument("--threads", type=_whole("--threads", 1), default=None, metavar="N", help="solver threads")
    al.add_argument("--force", action="store_true", help="replace a non-empty --out")


def _add_pareto(sub) -> None:
    pa = sub.add_parser("pareto", help="a trade-off front between objectives (epsilon-constraint, lexicographic)",
                        description="Write point-1/ ... (solution directories, each verified), front.csv (point, "
                                    "solution, one column per objective), front.svg and summary.json into --out "
                                    "(docs/alternatives.md).")
    pa.add_argument("instance", metavar="INSTANCE", help="instance directory")
    pa.add_argument("--objectives", required=True, type=_objective_list, metavar="LIST",
                    help="comma-separated, the first the primary: value, relocations, nitrogen, co2, quay_misuse")
    pa.add_argument("--points", type=_whole("--points", 2), default=5, metavar="N",
                    help="points on the front, both ends included (default 5)")
    pa.add_argument("--out", required=True, metavar="DIR", help="output directory to write")
    pa.add_argument("--time-limit", type=_number("--time-limit", positive=True), default=None, metavar="S",
                    help="seconds per MIP solve")
    pa.add_argument("--gap", type=_number("--gap", positive=False), default=1e-4,
                    help="relative MIP gap of each solve (default 1e-4)")
    pa.add_argument("--threads", type=_whole("--threads", 1), default=None, metavar="N", help="solver threads")
    pa.add_argument("--force", action="store_true", help="replace a non-empty --out")


def _err(msg: str) -> None:
    print(f"revopt: error: {msg}", file=sys.stderr)


def run_command(cmd: Callable[[argparse.Namespace], int], a: argparse.Namespace) -> int:
    """Run one ``cmd_*`` and turn what it raises into a message on stderr and an exit code (as
    Calliope's ``format_exceptions``), so that each command holds only its own logic: a bad
    command line value or input (:class:`UsageError`, :class:`InstanceError`, an output
    directory that is not empty) exits 2; an interrupt or anything unexpected exits 1."""
    try:
        return cmd(a)
    except (UsageError, InstanceError) as e:
        _err(str(e))
        return EXIT_INPUT
    except DirectoryNotEmpty as e:   # filled while we solved: checked before solving too
        _err(f"{e.path} is not empty (use --force to replace it)")
        return EXIT_INPUT
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_ERROR
    except Exception as e:  # noqa: BLE001 - the last line of defence: a message, exit 1
        _err(f"unexpected {type(e).__name__}: {e}")
        return EXIT_ERROR


@contextmanager
def _blame(source: str, *errors: type[Exception]) -> Iterator[None]:
    """Inside, ``errors`` (default: :class:`InstanceError`) become a :class:`UsageError` whose
    message starts with ``source``, the file or directory the user gave."""
    caught = errors or (InstanceError,)
    try:
        yield
    except caught as e:
        text = str(e)  # a message that names the source already is not prefixed twice
        raise UsageError(text if text.startswith(f"{source}:") else f"{source}: {text}") from e


def _fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "-"
    return f"{100 * x:.4f} %" if pct else f"{x:,.0f}"


def print_summary(res: Result, out: Path) -> None:
    print(f"instance   {res.instance_name}  ({res.size.get('firms', 0)} firms, {res.size.get('plots', 0)} plots, "
          f"{res.size.get('pairs', 0)} candidate pairs)")
    print(f"status     {res.status.value}")
    source = f" ({res.bound_source})" if res.bound_source else ""
    print(f"objective  {_fmt(res.objective)} EUR   bound {_fmt(res.bound)}{source}   gap {_fmt(res.gap, pct=True)}")
    if res.reproducible is not None:
        print("work limit " + ("reproducible: no phase was cut by the clock" if res.reproducible else
                               "NOT reproducible: the time limit cut a phase short (raise it or lower --work-limit)"))
    k = res.kpis
    if k:
        f = k["firms"]
        print(f"firms      placed {f['placed']} of {f['total']}: kept {f['kept']}, moved {f['moved']}, "
              f"new {f['new_placed']}; displaced {f['displaced']}, new unplaced {f['new_unplaced']}")
        print(f"value      {_fmt(k['value_added_placed_eur'])} EUR/year added placed; "
              f"{k['terrains_developed']} terrains developed, {k['plots_intensified']} plots intensified")
        claims = [c for r in k.get("claims", {}).values() for c in r.values()]
        targets = [t for r in k.get("lifecycle_targets", {}).values() for t in r.values()]
        if claims or targets:
            print(f"policy     claims met {sum(c['met'] for c in claims)} of {len(claims)}, lifecycle targets "
                  f"met {sum(t['met'] for t in targets)} of {len(targets)} (slack per region in summary.json)")
    for r in res.reasons:
        print(f"reason     {r}")
    print("seconds    " + ", ".join(f"{p} {s:.3f}" for p, s in res.seconds.items()) + f"  (total {res.time_s:.3f})")
    print(f"written    {out}")


def _check_out_dir(out: Path, force: bool, flag: str = "") -> None:
    """Refuse (before any work) an ``out`` that cannot take an output directory: a file, or a
    directory that is not empty without --force."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{flag}{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise UsageError(f"{flag}{out} is not empty (use --force to replace it)")


def _check_out_file(out: Path, force: bool, suffix: str, wrong_suffix: str) -> None:
    """Refuse an output file with the wrong suffix, or one that exists without --force."""
    if out.suffix.lower() != suffix:
        raise UsageError(f"{out}: {wrong_suffix}")
    if out.exists() and not force:
        raise UsageError(f"{out} exists (use --force to replace it)")


def print_progress(p: Progress) -> None:
    """The progress of a solve: one line on stderr per snapshot."""
    print(p.line(), file=sys.stderr, flush=True)


def _load(path: str):
    """The validated instance at ``path`` (an input error names ``path``)."""
    with _blame(path):
        return load_instance(path)


def _read_solution(a: argparse.Namespace):
    """The instance ``a.instance`` and the solution directory ``a.solution`` (a solution that
    cannot be read names ``a.solution``)."""
    from .results.solution import SolutionFormatError

    inst = _load(a.instance)
    with _blame(a.solution, SolutionFormatError, ValueError, OSError):
        return inst, Solution.read(a.solution)


def cmd_solve(a: argparse.Namespace) -> int:
    out = Path(a.out)
    _check_out_dir(out, a.force, "--out ")
    inst = _load(a.instance)
    start = None
    if a.start is not None:
        from .results.solution import SolutionFormatError

        with _blame(a.start, SolutionFormatError, ValueError, OSError):
            start = Solution.read(a.start)
    show = not (a.quiet or a.no_progress) and a.backend == "highs"
    res = solve(inst, time_limit=a.time_limit, gap=a.gap, threads=a.threads, backend=a.backend,
                progress=print_progress if show else None, seed=a.seed, work_limit=a.work_limit, start=start)
    sol = res.solution if res.solution is not None else Solution.empty()
    sol.summary = res.summary()
    with atomic_dir(out, force=a.force) as d:
        sol.write(d)
    if not a.quiet:
        print_summary(res, out)
    return EXIT_FOR_STATUS[res.status]


def cmd_verify(a: argparse.Namespace) -> int:
    inst = _load(a.instance)
    violations = verify(inst, Path(a.solution))
    if violations:
        print(f"{a.solution}: {len(violations)} violation(s)")
        for v in violations:
            print(f"  - {v}")
        return EXIT_ERROR
    summ = Solution.read(a.solution).summary
    print(f"{a.solution}: feasible; objective {summ.get('objective')} verified")
    return EXIT_OK


def cmd_map(a: argparse.Namespace) -> int:
    from .results.maps import solution_map

    out = Path(a.out)
    _check_out_file(out, a.force, ".svg", "the map is written as SVG (.svg)")
    inst, sol = _read_solution(a)
    unknown = set(sol.assignments["firm_id"]) - set(inst.firms["firm_id"])
    if unknown:
        raise UsageError(f"{a.solution}: assignments.csv names firms that {a.instance} does not have "
                         f"({', '.join(sorted(unknown)[:5])})")
    svg = solution_map(inst, sol, fit_network=a.fit_network, title=a.title, show_moves=not a.no_moves)
    write_text_atomically(out, svg)
    print(f"wrote {out} ({len(svg) / 1024:,.0f} KB)")
    return EXIT_OK


def cmd_plan(a: argparse.Namespace) -> int:
    from dataclasses import replace as dc_replace

    from .plans import evaluate, exit_status, load_plan, write_evaluation

    out = Path(a.out)
    _check_out_dir(out, a.force, "--out ")
    inst = _load(a.instance)
    with _blame(a.plan):
        plan = load_plan(a.plan, inst)
        if a.norm is not None:
            if not a.norm < 1:
                raise UsageError(f"--norm must be a share below 1, not {a.norm!r}")
            plan = dc_replace(plan, norm=a.norm)
        ev = evaluate(inst, plan, time_limit=a.time_limit, gap=a.gap, threads=a.threads, backend=a.backend,
                      elastic=not a.no_elastic, marginal_top=a.marginal_values)
    with atomic_dir(out, force=a.force) as d:
        write_evaluation(ev, d)
    if not a.quiet:
        print_plan_summary(ev, out)
    return EXIT_FOR_STATUS[exit_status(ev)]


def print_plan_summary(ev, out: Path) -> None:
    h = ev.tables["headline"].set_index("metric")
    print(f"plan       {ev.plan.name}  on {ev.instance.name}")
    print(f"status     baseline {ev.baseline.status.value}, plan {ev.result.status.value}"
          + ("  -> the plan works" if ev.works else "  -> the plan does not work"))
    for m in ("objective", "value_added_placed", "firms_kept", "firms_moved", "firms_displaced",
              "firms_unplaced", "schuifruimte"):
        b, p = h.loc[m, "baseline"], h.loc[m, "plan"]
        def f(v, m=m):
            if v is None or (isinstance(v, float) and v != v):
                return "-"
            return f"{100 * v:.1f} %" if m == "schuifruimte" else f"{v:,.0f}"
        print(f"{m:<19}{f(b):>18} -> {f(p):>18}")
    el = ev.tables.get("elastic")
    if el is not None and len(el):
        print("the plan lacks:")
        for t in el["text"].head(8):
            print(f"  - {t}")
    for n in ev.notes:
        print(f"note       {n}")
    print(f"written    {out} (report.html, report.md, comparison/, baseline/, plan/)")


def _explain_steps(items: list[str]) -> dict[str, float]:
    from .decide.marginal import parse_steps

    steps = {}
    for part in (p for item in items for p in item.split(",") if p.strip()):
        kind, eq, value = part.partition("=")
        try:
            steps[kind.strip()] = float(value)
        except ValueError:
            raise UsageError(f"--step {part!r}: expected KIND=VALUE with a number") from None
        if not eq:
            raise UsageError(f"--step {part!r}: expected KIND=VALUE")
    with _blame("--step", ValueError):
        parse_steps(steps)
    return steps


def cmd_explain(a: argparse.Namespace) -> int:
    from .decide.explain import explain, write_explanation
    from .decide.resources import KINDS

    out = Path(a.out)
    _check_out_dir(out, a.force, "--out ")
    resources = [r.strip() for r in a.resources.split(",") if r.strip()] if a.resources else None
    unknown = sorted({r.split(":", 1)[0] for r in resources or []} - set(KINDS))
    if unknown:
        raise UsageError(f"--resources: unknown resource {', '.join(unknown)}; known: {', '.join(KINDS)}")
    steps = _explain_steps(a.step)
    inst = _load(a.instance)
    ex = explain(inst, resources=resources, top=a.top, steps=steps, gap=a.gap, time_limit=a.time_limit,
                 threads=a.threads, test_time_limit=a.time_limit or 10.0,
                 on_row=None if a.quiet else (lambda line: print(f"re-solved  {line}", file=sys.stderr, flush=True)))
    with atomic_dir(out, force=a.force) as d:
        write_explanation(ex, d, top=a.top)
    if not a.quiet:
        print(f"instance   {inst.name}: {ex.base.status.value}, objective {_fmt(ex.base.objective)} EUR")
        if ex.marginal is not None:
            for n in ex.marginal.notes:
                print(f"note       {n}")
            for r in ex.marginal.table.head(a.top).itertuples(index=False):
                print(f"marginal   {r.resource} {r.id}: +{r.step:g} {r.unit} -> {_fmt(r.delta_objective_up)} EUR, "
                      f"-{r.step:g} {r.unit} -> {_fmt(r.delta_objective_down)} EUR")
        if ex.conflict is not None:
            print(f"conflict   {ex.conflict.paragraph}")
        for n in ex.notes:
            print(f"note       {n}")
        print("seconds    " + ", ".join(f"{k} {v:.1f}" for k, v in ex.seconds.items()))
        print(f"written    {out}")
    return EXIT_FOR_STATUS[ex.base.status]


def cmd_bench(a: argparse.Namespace) -> int:
    import json

    from .benchmark import bench_instance
    from .results.solution import jsonable

    if (a.instance is None) == (a.preset is None):
        raise UsageError("bench needs an INSTANCE directory or --preset (not both)")
    with _blame(a.instance or f"--preset {a.preset}"):
        if a.preset:
            from .generate import generate

            inst, label = generate(a.preset, seed=a.seed), f"{a.preset}-s{a.seed}"
        else:
            inst, label = load_instance(a.instance), Path(a.instance).name
    rec = bench_instance(inst, label=label, time_limit=a.time_limit, gap=a.gap, solve=not a.no_solve,
                         greedy=not a.no_greedy, lp=a.lp, progress=None if a.no_progress else print_progress)
    for k in ("instance", "pairs", "rows", "cols", "nnz"):
        print(f"{k:<17}{rec[k]}")
    for k, v in rec["seconds"].items():
        print(f"{k + ' s':<17}{v:.4f}")
    for k in ("peak_mb", "status", "objective", "bound", "gap", "greedy_objective", "ratio_vs_greedy",
              "lp_bound", "root_gap"):
        if k in rec:
            print(f"{k:<17}{rec[k]}")
    if a.json:
        write_text_atomically(a.json, json.dumps(jsonable(rec), indent=2) + "\n")
    return EXIT_OK


def cmd_generate(a: argparse.Namespace) -> int:
    import time

    from .generate import generate_with_stats

    out = Path(a.out)
    _check_out_dir(out, a.force)
    t = time.perf_counter()
    inst, st = generate_with_stats(a.preset, seed=a.seed)
    with atomic_dir(out, force=a.force) as d:
        inst.write(d)
    if not a.quiet:
        tb = st["terrains_by_status"]
        print(f"wrote {out}: preset {a.preset}, seed {a.seed}: {st['firms']} firms ({st['existing']} with a "
              f"current plot, {st['must_place']} must-place), {st['plots']} plots, {st['terrains']} terrains "
              f"({tb['planned']} planned, {tb['transform']} to transform), {st['substations']} substations, "
              f"{st['nature_areas']} Natura 2000 areas, {st['pairs'] or 'no'} pairs "
              f"({time.perf_counter() - t:.1f} s)")
    return EXIT_OK


def _pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for it in items:
        k, sep, v = it.partition("=")
        if not sep or not k.strip():
            raise UsageError(f"--{what} takes COLUMN=VALUE, not {it!r}")
        out[k.strip()] = v.strip()
    return out


def cmd_geo(a: argparse.Namespace) -> int:
    from .geo import GeoUnavailable, geopandas

    try:                       # the extra is optional: without it, say how to install it (exit 2)
        geopandas()
        return cmd_geo_import(a) if a.geo_command == "import" else cmd_geo_export(a)
    except GeoUnavailable as e:
        raise UsageError(str(e)) from None


def cmd_geo_import(a: argparse.Namespace) -> int:
    from .geo import AVAILABLE_MW, COVERAGE, read_layer
    from .geo.export import GEOMETRY_FILE

    out = Path(a.out)
    _check_out_dir(out, a.force, "--out ")
    columns, defaults = _pairs(a.map, "map"), _pairs(a.default, "default")
    if a.coverage is not None and a.coverage > 1:
        raise UsageError(f"--coverage must lie in (0, 1], not {a.coverage}")
    imp = read_layer(a.src, layer=a.layer, id_column=a.id_column, terrain_column=a.terrain_column,
                     columns=columns, defaults=defaults, crs=a.crs,
                     coverage=a.coverage if a.coverage is not None else COVERAGE)
    mw = a.available_mw if a.available_mw is not None else AVAILABLE_MW
    inst = imp.instance(name=a.name or out.resolve().name, available_mw=mw,
                        description=f"imported from {imp.source} (CRS {imp.crs}) by revopt geo import; "
                                    f"substations are placeholders of {mw:g} MW, no firms yet")
    with atomic_dir(out, force=a.force) as d:
        inst.write(d)
        imp.geometry.to_file(d / GEOMETRY_FILE, layer="plots", driver="GPKG", engine="pyogrio",
                             geometry_type="MultiPolygon", promote_to_multi=True)
    if not a.quiet:
        print(f"wrote {out}: {len(inst.plots)} plots on {len(inst.terrains)} terrains from {imp.source} "
              f"({imp.mode}; CRS {imp.crs} -> EPSG:28992)")
        for n in imp.notes:
            print(f"note       {n}")
        print("next       add firms.csv (and substations, nature areas) before solving; see docs/gis.md")
    return EXIT_OK


def cmd_geo_export(a: argparse.Namespace) -> int:
    from .geo import write_gpkg
    from .results.solution import SolutionFormatError

    out = Path(a.out)
    _check_out_file(out, a.force, ".gpkg", "the output must be a GeoPackage (.gpkg)")
    inst, sol = _read_solution(a)
    with _blame(a.solution, SolutionFormatError, ValueError, OSError):
        write_gpkg(out, inst, sol, geometry=a.geometry)
    if not a.quiet:
        print(f"wrote {out}: layers plots, moves, terrains, displaced (EPSG:28992)")
    return EXIT_OK


def cmd_sweep(a: argparse.Namespace) -> int:
    from .sweep import SweepUnavailable, read_sweep, require_dask, run_sweep
    from .sweep.runner import MARKER

    try:
        require_dask()
    except SweepUnavailable as e:
        _err(str(e))
        return EXIT_ERROR
    out = Path(a.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file() and not a.force:
        raise UsageError(f"--out {out} is not empty and holds no sweep (use --force to write into it)")
    inst = _load(a.instance)
    sw = read_sweep(a.sweep, inst)        # a SweepError names the sweep file, the axis and the value
    tty = sys.stderr.isatty()
    shown = {"dashboard": False, "width": 0}

    def show(p) -> None:
        if a.quiet:
            return
        if p.dashboard and not shown["dashboard"]:
            print(f"dashboard  {p.dashboard}", file=sys.stderr, flush=True)
            shown["dashboard"] = True
        line = p.line()
        if tty:
            print("\r" + line.ljust(shown["width"]), end="", file=sys.stderr, flush=True)
            shown["width"] = len(line)
        elif p.last is not None or not shown["width"]:   # not a terminal: one line per result
            print(line, file=sys.stderr, flush=True)
            shown["width"] = 1
    run = run_sweep(inst, sw, out, workers=a.workers, scheduler=a.scheduler, force=a.force, progress=show)
    if tty and not a.quiet and shown["width"]:
        print(file=sys.stderr)
    if not a.quiet:
        counts = run.table["status"].value_counts()
        print(f"sweep      {sw.name}: {len(run.table)} scenarios ({run.ran} run now, {run.skipped} from before)")
        print("status     " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        print(f"seconds    {run.seconds:.1f}" + (f" on {run.workers} workers" if run.workers else ""))
        print(f"written    {out} (results.csv, results.parquet, report.html, runs/)")
    crashed = run.table["status"].isin(("error", "lost"))   # other statuses are results (docs/sweeps.md)
    return EXIT_ERROR if crashed.any() else EXIT_OK


def cmd_alternatives(a: argparse.Namespace) -> int:
    from .decide.alternatives import STALL_S, alternatives

    out = Path(a.out)
    _check_out_dir(out, a.force, "--out ")
    inst = _load(a.instance)
    alts = alternatives(inst, within=a.within, count=a.count, time_limit=a.time_limit, gap=a.gap,
                        threads=a.threads, stall=STALL_S if a.stall is None else a.stall)
    if not alts.items:
        _err(alts.message)
        return EXIT_INFEASIBLE if alts.exhausted else EXIT_NO_SOLUTION
    with atomic_dir(out, force=a.force) as d:
        alts.write(d, inst)
    print(f"alternatives {alts.found} of {alts.count} within {100 * a.within:g} % of {_fmt(alts.optimum)} EUR "
          f"({alts.seconds:.1f} s)")
    if alts.message != f"{alts.count} alternative(s) found as asked":   # fewer, a last resort, an unproven optimum
        print(f"note         {alts.message}")
    for row in alts.table().itertuples(index=False):
        print(f"  alt-{row.alternative:<3} {_fmt(row.objective)} EUR ({100 * row.share_of_optimum:.2f} %), "
              f"distance to the optimum {row.distance_to_optimum}, {row.seconds:.1f} s")
    freq = alts.frequency()
    for t, c, s in freq[freq["kind"] == "development"][["subject", "choice", "share"]].itertuples(index=False):
        if c == "developed":
            print(f"  terrain {t} developed in {100 * s:.0f} % of the alternatives")
    print(f"written      {out}")
    return _verified_exit([(f"alt-{x.index}", x.violations) for x in alts.items])


def _verified_exit(checked: list[tuple[str, list[str]]]) -> int:
    """Exit 0 when every written solution verifies; else name each one that does not (exit 1)."""
    bad = [(name, v) for name, v in checked if v]
    for name, v in bad:
        _err(f"{name} does not verify: {v[0]}")
    return EXIT_ERROR if bad else EXIT_OK


def cmd_pareto(a: argparse.Namespace) -> int:
    from .decide.pareto import pareto

    out = Path(a.out)
    _check_out_dir(out, a.force, "--out ")
    inst = _load(a.instance)
    front = pareto(inst, a.objectives, points=a.points, time_limit=a.time_limit, gap=a.gap, threads=a.threads)
    if not front.points:
        _err(front.message)
        return EXIT_INFEASIBLE if "infeasible" in front.message else EXIT_NO_SOLUTION
    with atomic_dir(out, force=a.force) as d:
        front.write(d)
    print(f"front        {front.message} ({front.seconds:.1f} s)")
    table = front.table()
    print("  " + "  ".join(f"{c:>16}" for c in table.columns))
    for row in table.itertuples(index=False):
        print("  " + "  ".join(f"{v:>16,.0f}" if isinstance(v, float) and abs(v) >= 1000 else
                               f"{v:>16.6g}" if isinstance(v, float) else f"{v!s:>16}" for v in row))
    print(f"written      {out}")
    return _verified_exit([(f"point-{i}", p.violations) for i, p in enumerate(front.points, start=1)])


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "solve": cmd_solve, "verify": cmd_verify, "bench": cmd_bench, "plan": cmd_plan, "map": cmd_map,
    "generate": cmd_generate, "geo": cmd_geo, "explain": cmd_explain, "alternatives": cmd_alternatives,
    "pareto": cmd_pareto, "sweep": cmd_sweep}


def main(argv: list[str] | None = None) -> int:
    try:
        a = parser().parse_args(argv)
    except SystemExit as e:  # argparse: --help/--version exit 0, usage errors exit 2
        return int(e.code or 0)
    return run_command(COMMANDS[a.command], a)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
