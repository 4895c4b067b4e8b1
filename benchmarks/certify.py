"""Certified answers under a time limit: objective, bound, its source, gap, wall and peak memory.

    python benchmarks/certify.py --presets small province --seeds 0 1 2 --limits 60
    python benchmarks/certify.py --presets province --seeds 0 --limits 10 30 60
    python benchmarks/certify.py --dirs /tmp/gapc80 --limits 60

Each run is a fresh process (``revopt.solve(inst, time_limit=L)``), so its wall time includes
candidates and build (the limit counts from the start of ``solve``) and its peak memory
(ru_maxrss, children included: HiGHS may run in a child process) is its own. Prints a Markdown
table and, with ``--json FILE``, writes the records.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ONE_RUN = r"""
import json, resource, sys, time
import revopt
spec, limit = sys.argv[1], float(sys.argv[2])
if spec.startswith("preset:"):
    from revopt.generate import generate
    _, name, seed = spec.split(":")
    inst = generate(name, int(seed))
else:
    inst = revopt.load_instance(spec)
t = time.perf_counter()
res = revopt.solve(inst, time_limit=limit)
wall = time.perf_counter() - t
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"status": res.status.value, "objective": res.objective, "bound": res.bound,
                  "bound_source": res.bound_source, "gap": res.gap, "wall_s": wall, "peak_mb": peak / 1024,
                  "pairs": res.size.get("pairs"), "seconds": res.seconds}))
"""


def run(spec: str, limit: float) -> dict:
    out = subprocess.run([sys.executable, "-c", ONE_RUN, spec, str(limit)], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        return {"status": "error", "message": out.stderr.strip().splitlines()[-1:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def fmt(v, pct: bool = False) -> str:
    if v is None:
        return "-"
    return f"{100 * v:.2f} %" if pct else f"{v:,.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", nargs="*", default=[])
    ap.add_argument("--seeds", nargs="*", type=int, default=[0])
    ap.add_argument("--dirs", nargs="*", default=[], help="instance directories")
    ap.add_argument("--limits", nargs="+", type=float, default=[60.0])
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    specs = [(f"{p}-s{s}", f"preset:{p}:{s}") for p in a.presets for s in a.seeds]
    specs += [(Path(d).name, d) for d in a.dirs]
    rows = []
    print("| instance | limit s | pairs | status | objective | bound | bound source | gap | wall s | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, spec in specs:
        for limit in a.limits:
            r = run(spec, limit) | {"instance": label, "limit_s": limit}
            rows.append(r)
            print(f"| {label} | {limit:g} | {fmt(r.get('pairs'))} | {r['status']} | {fmt(r.get('objective'))} | "
                  f"{fmt(r.get('bound'))} | {r.get('bound_source') or '-'} | {fmt(r.get('gap'), pct=True)} | "
                  f"{r.get('wall_s', 0):.1f} | {r.get('peak_mb', 0):,.0f} |", flush=True)
    if a.json:
        a.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
