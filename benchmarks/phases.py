"""Time each phase of a solve (candidates, build, hand-over, solve, extract) over repeated runs.

    python benchmarks/phases.py instances/demo --repeat 5 [--backend highs] [--csv out.csv]

Prints the median and min/max seconds per phase; machines are noisy, so the
median of several runs is the figure to quote. Peak memory (ru_maxrss) is
that of the whole process.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time

import pandas as pd

import revopt
from revopt.results import PHASES


def run(instance: str, repeat: int, backend: str, gap: float, time_limit: float | None) -> pd.DataFrame:
    t = time.perf_counter()
    inst = revopt.load_instance(instance)
    load_s = time.perf_counter() - t
    rows = []
    for i in range(repeat):
        res = revopt.solve(inst, backend=backend, gap=gap, time_limit=time_limit)
        rows.append({"run": i, "load": load_s, **res.seconds, "total": res.time_s, "status": res.status.value,
                     "objective": res.objective, "gap": res.gap, **res.size})
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("instance")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--backend", default="highs", choices=["highs", "pyomo"])
    p.add_argument("--gap", type=float, default=1e-4)
    p.add_argument("--time-limit", type=float, default=None)
    p.add_argument("--csv", default=None)
    a = p.parse_args(argv)
    df = run(a.instance, a.repeat, a.backend, a.gap, a.time_limit)
    first = df.iloc[0]
    print(f"{a.instance}: {first['firms']} firms, {first['plots']} plots, {first['pairs']} pairs, "
          f"{first['rows']} rows, {first['cols']} cols, {first['nnz']} nonzeros; backend {a.backend}; "
          f"{a.repeat} runs; status {first['status']}, objective {first['objective']:,.0f}")
    print("| phase | median s | min s | max s |\n|---|---|---|---|")
    for ph in ("load",) + PHASES + ("total",):
        v = df[ph].tolist()
        print(f"| {ph} | {statistics.median(v):.4f} | {min(v):.4f} | {max(v):.4f} |")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if a.csv:
        df.to_csv(a.csv, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
