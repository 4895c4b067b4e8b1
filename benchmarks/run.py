"""Run the benchmark registry: each instance several times, each run in a fresh process.

    python benchmarks/run.py [--presets tiny small province] [--repeat 3] [--no-bundled]
                             [--gap-large] [--time-limit S] [--out benchmarks/results]

Writes ``OUT/runs.csv`` (every run), ``OUT/summary.csv`` and ``OUT/summary.md``
(medians per instance). Medians of several runs, because machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from registry import entries  # noqa: E402

PHASES = ("candidates", "build", "handover", "warm_start", "lns", "solve", "extract")


def run_once(argv: list[str], time_limit: float, lp: bool) -> dict:
    with tempfile.TemporaryDirectory() as t:
        out = Path(t) / "rec.json"
        cmd = [sys.executable, "-m", "revopt.cli", "bench", *argv, "--time-limit", str(time_limit),
               "--json", str(out), "--no-progress"] + (["--lp"] if lp else [])
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0 or not out.is_file():
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{p.stdout}\n{p.stderr}")
        return json.loads(out.read_text())


def flatten(rec: dict) -> dict:
    row = {k: v for k, v in rec.items() if k != "seconds"}
    for k, v in rec.get("seconds", {}).items():
        row[f"{k}_s"] = v
    return row


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--presets", nargs="*", default=None)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--no-bundled", action="store_true")
    p.add_argument("--gap-large", action="store_true", help="also the GAP-large instances (benchmarks/gap_large.py)")
    p.add_argument("--time-limit", type=float, default=None, help="override the registry's limits")
    p.add_argument("--lp", action="store_true", help="also solve the LP relaxation (root gap)")
    p.add_argument("--out", default=str(Path(__file__).parent / "results"))
    a = p.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, args, tl in entries(a.presets, bundled=not a.no_bundled, gap_large=a.gap_large):
        for r in range(a.repeat):
            rec = flatten(run_once(args, a.time_limit or tl, a.lp))
            rec.update(name=name, run=r)
            rows.append(rec)
            print(f"{name} run {r}: {rec['status']} obj {rec['objective']} gap {rec['gap']} "
                  f"solve {rec.get('solve_s', 0):.2f}s peak {rec['peak_mb']:.0f} MB", flush=True)
    df = pd.DataFrame(rows)
    df.to_csv(out / "runs.csv", index=False)
    num = [c for c in df.columns if c.endswith("_s") or c in ("peak_mb", "objective", "bound", "gap",
                                                                 "greedy_objective", "ratio_vs_greedy",
                                                                 "root_gap", "lp_bound")]
    first = ["pairs", "rows", "cols", "nnz", "status"]
    summ = df.groupby("name", sort=False).agg({**{c: "median" for c in num}, **{c: "first" for c in first}})
    summ.to_csv(out / "summary.csv")
    lines = ["| instance | pairs | rows | cols | nnz | " + " | ".join(f"{ph} s" for ph in PHASES if f"{ph}_s" in summ)
             + " | peak MB | status | objective | gap | greedy | revopt/greedy |",
             "|---" * (11 + sum(f"{ph}_s" in summ for ph in PHASES)) + "|"]
    for name, r in summ.iterrows():
        ph = " | ".join(f"{r[f'{x}_s']:.3f}" for x in PHASES if f"{x}_s" in summ)
        obj = "-" if pd.isna(r["objective"]) else f"{r['objective']:,.0f}"
        gap = "-" if pd.isna(r["gap"]) else f"{100 * r['gap']:.3f} %"
        gr = "-" if pd.isna(r.get("greedy_objective")) else f"{r['greedy_objective']:,.0f}"
        ratio = "-" if pd.isna(r.get("ratio_vs_greedy", float("nan"))) else f"{r['ratio_vs_greedy']:.3f}"
        lines.append(f"| {name} | {r['pairs']} | {r['rows']} | {r['cols']} | {r['nnz']} | {ph} | "
                     f"{r['peak_mb']:.0f} | {r['status']} | {obj} | {gap} | {gr} | {ratio} |")
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
