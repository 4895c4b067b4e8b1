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
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import highspy

import revopt
from revopt.model.build import build_model
from revopt.solve.highs_backend import new_highs, pass_model
from revopt.solve.lagrangian import lagrangian_bound

try:  # solve/ is being reorganised; the assignment bound may live in solve/bounds.py
    from revopt.solve.bounds import assignment_bound
except ImportError:
    from revopt.solve import assignment_bound

sys.path.insert(0, str(Path(__file__).parent))
from registry import ROOT  # noqa: E402

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


def pct(value, ref) -> str:
    return "-" if value is None or ref is None else f"{100 * (value - ref) / abs(ref):+.3f} %"


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
        inst = load(name, cache)
        lay, lm = build_model(inst)
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
    table = "\n".join(lines)
    print(table)
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(table + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
