"""Upper bounds side by side: the Lagrangian bound, the assignment bound, the LP relaxation, an incumbent.

    python benchmarks/bound.py [--instances tiny demo rijssen-holten small-s0 small-s1 small-s2 province-s0]
                               [--iterations 400] [--repeat 3] [--lp-time-limit 120] [--solve-time-limit 60]
                               [--cache /tmp/revopt-bound-cache] [--out benchmarks/results/bound.md]

Per instance: the Lagrangian bound (:func:`revopt.solve.lagrangian.lagrangian_bound`, median
seconds of ``--repeat`` runs in this process; the bound itself is deterministic), the bound
before the 0-1 knapsacks, the assignment bound, the LP relaxation (HiGHS simplex, one thread,
``--lp-time-limit``; "-" when it did not finish) and the objective of ``revopt.solve`` with
``--solve-time-limit`` (the incumbent). Generated presets, LP values and incumbents are cached
in ``--cache`` (keyed by instance and limit), since they take minutes; delete it to recompute.
Gaps are relative to the incumbent: (bound - incumbent) / incumbent.

A second table holds allocations: :func:`revopt.solve.lagrangian_repair.lagrangian_repair` from
the bound's result beside the greedy (:func:`revopt.heuristics.greedy`, without and with its
local improvement), objective and median seconds, and the gap each leaves to the Lagrangian bound.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import highspy

import revopt
from revopt.heuristics import greedy
from revopt.model.build import build_model
from revopt.model.candidates import candidate_pairs
from revopt.solve.highs_backend import new_highs, pass_model
from revopt.solve.lagrangian import lagrangian_bound
from revopt.solve.lagrangian_repair import lagrangian_repair

try:  # solve/ is being reorganised; the assignment bound may live in solve/bounds.py
    from revopt.solve.bounds import assignment_bound
except ImportError:
    from revopt.solve import assignment_bound

ROOT = Path(__file__).resolve().parents[1]

DEFAULT = ("tiny", "demo", "rijssen-holten", "small-s0", "small-s1", "small-s2", "province-s0")


def load(name: str, cache: Path) -> revopt.Instance:
    """A bundled instance by name, or a preset as ``<preset>-s<seed>`` (generated once, then cached)."""
    bundled = ROOT / "instances" / name
    if (bundled / "instance.toml").is_file():
        return revopt.load_instance(bundled)
    preset, seed = name.rsplit("-s", 1)
    d = cache / "instances" / name
    if not (d / "instance.toml").is_file():
        from revopt.generate import generate

        generate(preset, int(seed)).write(d)
    return revopt.load_instance(d)


def lp_relaxation(lm, time_limit: float) -> dict:
    h = new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("time_limit", float(time_limit))
    pass_model(h, lm, relax=True)
    t = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t
    ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return {"lp": h.getInfo().objective_function_value if ok else None, "lp_s": seconds}


def cached(cache: Path, key: str, compute) -> dict:
    f = cache / "results.json"
    data = json.loads(f.read_text()) if f.is_file() else {}
    if key not in data:
        data[key] = compute()
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(data, indent=1))
    return data[key]


def allocations(inst, cand, lay, lm, res, repeat: int) -> dict:
    """Objective and median seconds of the repair and of the greedy (without / with improvement)."""
    out = {}

    def timed(run):
        values, secs = None, []
        for _ in range(repeat):
            t = time.perf_counter()
            values = run()
            secs.append(time.perf_counter() - t)
        return values, statistics.median(secs)

    x, out["repair_s"] = timed(lambda: lagrangian_repair(lay, lm, res))
    out["repair"] = None if x is None else float(lm.cost @ x)
    for key, improve in (("greedy", False), ("greedy_improve", True)):
        g, out[f"{key}_s"] = timed(lambda improve=improve: greedy(inst, cand, improve=improve))
        out[key] = None if g.solution is None else float(lm.cost @ g.column_values(lay))
    return out


def pct(value, ref) -> str:
    return "-" if value is None or ref is None else f"{100 * (value - ref) / abs(ref):+.3f} %"


def measure(name: str, a: argparse.Namespace, cache: Path) -> dict:
    """One row of both tables."""
    inst = load(name, cache)
    cand = candidate_pairs(inst)
    lay, lm = build_model(inst, cand)
    lp = cached(cache, f"{name}/lp/{a.lp_time_limit:g}", lambda: lp_relaxation(lm, a.lp_time_limit))

    def incumbent():
        res = revopt.solve(inst, time_limit=a.solve_time_limit)
        return {"objective": res.objective, "solver_bound": res.bound}
    inc = cached(cache, f"{name}/solve/{a.solve_time_limit:g}", incumbent)
    runs = [lagrangian_bound(lay, lm, iterations=a.iterations) for _ in range(a.repeat)]
    res = runs[0]
    row = {"instance": name, "pairs": lay.n_x, "bound": res.bound, "fractional": res.fractional_bound,
           "seconds": statistics.median(r.seconds for r in runs), "assignment": assignment_bound(lay, lm),
           "lp": lp["lp"], "lp_s": lp["lp_s"], "incumbent": inc["objective"], "solver_bound": inc["solver_bound"]}
    row.update(allocations(inst, cand, lay, lm, res, a.repeat))
    return row


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--instances", nargs="*", default=list(DEFAULT))
    p.add_argument("--iterations", type=int, default=400)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--lp-time-limit", type=float, default=120.0)
    p.add_argument("--solve-time-limit", type=float, default=60.0)
    p.add_argument("--cache", default="/tmp/revopt-bound-cache")
    p.add_argument("--out", default=None, help="also write the table (markdown) here")
    a = p.parse_args(argv)
    cache = Path(a.cache)
    rows = []
    for name in a.instances:
        row = measure(name, a, cache)
        rows.append(row)
        print(json.dumps(row), flush=True)
    head = ("| instance | pairs | Lagrangian bound | s | before 0-1 knapsacks | vs assignment | vs LP | LP s "
            "| incumbent (solve 60 s) | bound - incumbent | revopt's own gap |")
    lines = [head, "|---" * 11 + "|"]
    for r in rows:
        own = pct(r["solver_bound"], r["incumbent"])
        lp_s = f"{r['lp_s']:.1f}" if r["lp"] is not None else f"> {a.lp_time_limit:g}"
        lines.append(f"| {r['instance']} | {r['pairs']:,} | {r['bound']:,.0f} | {r['seconds']:.2f} | "
                     f"{pct(r['fractional'], r['bound'])} | {pct(r['bound'], r['assignment'])} | "
                     f"{pct(r['bound'], r['lp'])} | {lp_s} | "
                     f"{'-' if r['incumbent'] is None else format(r['incumbent'], ',.0f')} | "
                     f"{pct(r['bound'], r['incumbent'])} | {own} |")
    lines += ["", ("| instance | repair | s | greedy | s | greedy + improve | s | Lagrangian bound - repair "
                   "| - greedy + improve |"), "|---" * 9 + "|"]
    for r in rows:
        def obj(v):
            return "-" if v is None else f"{v:,.0f}"
        lines.append(f"| {r['instance']} | {obj(r['repair'])} | {r['repair_s']:.2f} | {obj(r['greedy'])} | "
                     f"{r['greedy_s']:.2f} | {obj(r['greedy_improve'])} | {r['greedy_improve_s']:.2f} | "
                     f"{pct(r['bound'], r['repair'])} | {pct(r['bound'], r['greedy_improve'])} |")
    table = "\n".join(lines)
    print(table)
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(table + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
