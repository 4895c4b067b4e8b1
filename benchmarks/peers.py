"""revopt beside general MIP solvers: the same model, the same wall time (issue 12, item 6).

    python benchmarks/peers.py small-s1 gap-c1600x80-s0 [--time-limit 60] [--grace 15] [--repeat 1]
                               [--peers revopt highs scip cpsat] [--out benchmarks/results/peers]
    python benchmarks/peers.py instances/demo --time-limit 10

INSTANCE is an instance directory, a preset and seed (``small-s1``, generated in memory as in the
registry) or a GAP-large registry name (``gap-c1600x20-s0``, written on first use by gap_large.py).

For each instance revopt's model is built once (``revopt.model.build.build_model``) and written to
``OUT/<instance>/`` as ``model.mps`` (through highspy: ``passModel`` + ``writeModel``, with revopt's
column names) and ``model.npz`` (the same arrays). Then each solver runs in its own process with the
same wall-clock budget, counted from that process's start so that reading the model counts, as
revopt's build counts in its own limit:

- ``revopt``: ``revopt.solve(instance, time_limit=T)`` (its own build, heuristics and HiGHS);
- ``highs``: plain HiGHS on the MPS file, 1 thread, default options otherwise;
- ``scip``: SCIP (pyscipopt) on the MPS file, default settings;
- ``cpsat``: CP-SAT (OR-Tools), 2 workers, on the model built from the arrays: continuous columns
  only where they are provably integral, each row scaled by a power of ten to whole coefficients
  (see ``peer_solvers.cpsat_model``); otherwise the table says it cannot take the model, and why.

A process that has not ended T + grace seconds after its budget started is killed (a solver that
ignores its limit cannot hang the benchmark); its row then shows the last incumbent and bound it
logged. Each solution is checked against revopt's arrays: the objective recomputed as cost @ x,
row and bound violations, integrality (a wrong read of the MPS shows there); revopt's own answer is
checked by ``revopt.verify``. Gap = (bound - objective) / max(1, |objective|) (maximisation).

Writes ``OUT/peers.json`` (every record) and ``OUT/peers.md`` (the table). Needs the ``bench``
extra (``pip install -e .[bench]``: pyscipopt, ortools); a solver whose package is missing gets an
error row, the others still run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import re
import signal
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from peer_solvers import RUNNERS, ProgressLog, certify_integral
from registry import instance_dir, load, spec_name

ROOT = Path(__file__).resolve().parents[1]
PEERS = ("revopt", "highs", "scip", "cpsat")
LABELS = {"revopt": "revopt", "highs": "HiGHS (1 thread)", "scip": "SCIP", "cpsat": "CP-SAT (2 workers)"}
#: a solution passes the check when its recomputed objective, rows, bounds and integrality are within this
CHECK_TOL = 1e-6
_UNSAFE = re.compile(r"[^A-Za-z0-9_.,()]")


# ---------------------------------------------------------------- the model, once


def write_model(inst, work: Path) -> dict:
    """Build revopt's model once; write model.mps, model.npz, columns.txt. Returns sizes and times."""
    import highspy

    from revopt.model.build import build_model

    t = time.perf_counter()
    lay, lm = build_model(inst)
    build_s = time.perf_counter() - t
    names = [_UNSAFE.sub("_", n.replace("[", "(").replace("]", ")")) for n in lay.names(inst)]
    if len(set(names)) != len(names):  # ids that differ only in characters MPS cannot hold
        names = [f"col{j}" for j in range(lm.n_cols)]
    t = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    st = h.passModel(lm.n_cols, lm.n_rows, lm.nnz, int(highspy.MatrixFormat.kRowwise),
                     int(highspy.ObjSense.kMaximize), 0.0, lm.cost, lm.col_lower, lm.col_upper,
                     lm.row_lower, lm.row_upper, lm.start, lm.index, lm.value, lm.integrality)
    if st == highspy.HighsStatus.kError:
        raise RuntimeError("HiGHS refused revopt's model (passModel)")
    for j, n in enumerate(names):
        h.passColName(j, n)
    for b in lm.blocks:
        first, _ = lm.block_rows[b.name]
        for k in range(b.n_rows):
            h.passRowName(first + k, f"{b.name}_{k}")
    work.mkdir(parents=True, exist_ok=True)
    h.writeModel(str(work / "model.mps"))
    write_s = time.perf_counter() - t
    arrays = {k: getattr(lm, k) for k in ("cost", "col_lower", "col_upper", "integrality", "row_lower",
                                          "row_upper", "start", "index", "value")}
    credit_blocks = {k: v for k, v in lm.block_rows.items() if k.startswith("C7_")}
    ok, notes = certify_integral(arrays, lay.c["col"].to_numpy(np.int64), credit_blocks)
    np.savez(work / "model.npz", integral_ok=ok, **arrays)
    (work / "columns.txt").write_text("\n".join(names) + "\n")
    return {"rows": lm.n_rows, "cols": lm.n_cols, "nnz": lm.nnz, "integer_cols": int(lm.integrality.sum()),
            "build_s": round(build_s, 3), "mps_write_s": round(write_s, 3),
            "mps_mb": round((work / "model.mps").stat().st_size / 2 ** 20, 1), "cpsat_notes": notes}


# ---------------------------------------------------------------- one peer, hard-killed


def run_peer(peer: str, work: Path, time_limit: float, grace: float, opts: dict) -> dict:
    """Run one solver in a fresh process; kill its process group T + grace s after its budget started."""
    for f in work.glob(f"{peer}.*"):
        f.unlink()
    import revopt

    env = dict(os.environ)
    src = str(Path(revopt.__file__).resolve().parents[1])  # the revopt the driver uses, also in the worker
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", peer, "--work", str(work),
           "--time-limit", str(time_limit), "--highs-threads", str(opts["highs_threads"]),
           "--cpsat-workers", str(opts["cpsat_workers"])]
    t0 = time.time()
    with (work / f"{peer}.log").open("w") as log:
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        started = work / f"{peer}.started"
        killed, rusage, code = False, None, None
        while True:
            pid, status, rusage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                code = os.waitstatus_to_exitcode(status)
                break
            budget_t0 = started.stat().st_mtime if started.is_file() else t0 + 300.0  # setup cannot hang either
            if time.time() > budget_t0 + time_limit + grace:
                os.killpg(p.pid, signal.SIGKILL)
                _, status, rusage = os.wait4(p.pid, 0)
                killed, code = True, None
                break
            time.sleep(0.1)
        p.returncode = code if code is not None else -9  # reaped by wait4, not by Popen
    process_s = time.time() - t0
    rec = {"peer": peer, "process_s": round(process_s, 2), "peak_mb": round(rusage.ru_maxrss / 1024, 0)}
    out = work / f"{peer}.json"
    if killed:
        last = _last_progress(work / f"{peer}.progress.jsonl")
        logged = (f"objective and bound as last logged, at {last['t']:g} s" if last
                  else "nothing logged before the kill")
        rec.update(status="killed", objective=last.get("objective"), bound=last.get("bound"),
                   wall_s=round(process_s, 2),
                   message=f"killed {grace:g} s after its {time_limit:g} s budget (it overran its limit); {logged}")
    elif code != 0 or not out.is_file():
        tail = (work / f"{peer}.log").read_text()[-600:]
        rec.update(status="error", objective=None, bound=None, message=f"exit {code}: {tail.strip()}")
    else:
        rec.update(json.loads(out.read_text()))
    return rec


def _last_progress(path: Path) -> dict:
    if not path.is_file():
        return {}
    best = {}
    for line in path.read_text().splitlines():
        r = json.loads(line)
        if r.get("objective") is not None and (best.get("objective") is None or r["objective"] > best["objective"]):
            best["objective"] = r["objective"]
        if r.get("bound") is not None:
            best["bound"] = r["bound"] if best.get("bound") is None else min(best["bound"], r["bound"])
        best["t"] = r["t"]
    return best


def worker(peer: str, work: Path, time_limit: float, highs_threads: int, cpsat_workers: int) -> int:
    """Inside the peer's process: run it, write <peer>.json."""
    t0 = time.perf_counter()
    (work / f"{peer}.started").write_text("")
    log = ProgressLog(work / f"{peer}.progress.jsonl", t0)
    kw = {"highs": {"threads": highs_threads}, "cpsat": {"workers": cpsat_workers}}.get(peer, {})
    try:
        rec = RUNNERS[peer](work, time_limit, log, t0, **kw)
    except ImportError as e:
        rec = {"status": "error", "message": f"{e} (install the bench extra: pip install -e .[bench])"}
    rec["wall_s"] = round(rec.pop("solve_s", 0.0) if peer == "revopt" else time.perf_counter() - t0, 2)
    (work / f"{peer}.json").write_text(json.dumps(rec, indent=1, default=float) + "\n")
    return 0


# ---------------------------------------------------------------- the check


def check(rec: dict, work: Path, arrays: dict) -> None:
    """Recompute the objective from the solution vector and measure its violations (in place)."""
    if rec["peer"] == "revopt":
        if rec.get("objective") is not None and "verify_count" in rec:
            n = rec["verify_count"]
            rec["check"] = "verify: ok" if n == 0 else f"verify: {n} problems: {'; '.join(rec['verify'])}"
        else:
            rec["check"] = "-"
        return
    xf = work / f"{rec['peer']}.x.npy"
    if not xf.is_file():
        rec["check"] = "-"
        return
    x = np.load(xf)
    if len(x) != len(arrays["cost"]):
        rec["check"] = f"FAILED: {len(x)} values for {len(arrays['cost'])} columns"
        return
    obj = float(arrays["cost"] @ x)
    rows = np.repeat(np.arange(len(arrays["row_lower"])), np.diff(arrays["start"]))
    act = np.bincount(rows, arrays["value"] * x[arrays["index"]], len(arrays["row_lower"]))
    lo, up = arrays["row_lower"], arrays["row_upper"]
    finite_abs = lambda b: np.where(np.isfinite(b), np.abs(b), 0)
    scale = np.maximum(1.0, np.maximum(finite_abs(lo), finite_abs(up)))
    row_v = float(np.max(np.maximum(0, np.maximum(lo - act, act - up)) / scale, initial=0.0))
    col_v = float(np.max(np.maximum(0, np.maximum(arrays["col_lower"] - x, x - arrays["col_upper"])), initial=0.0))
    integ = arrays["integrality"] == 1
    int_v = float(np.max(np.abs(x[integ] - np.rint(x[integ])), initial=0.0))
    rec.update(recomputed_objective=obj, max_row_violation=row_v, max_integrality_violation=int_v)
    problems = []
    reported = rec.get("objective")
    if reported is not None and abs(obj - reported) > CHECK_TOL * max(1.0, abs(reported)):
        problems.append(f"objective {reported:,.2f} reported, {obj:,.2f} recomputed")
    if row_v > CHECK_TOL:
        problems.append(f"row violated by {row_v:.2g} (relative)")
    if col_v > CHECK_TOL:
        problems.append(f"bound violated by {col_v:.2g}")
    if int_v > CHECK_TOL:
        problems.append(f"fractional by {int_v:.2g}")
    rec["check"] = "ok" if not problems else "FAILED: " + "; ".join(problems)
    if rec["status"] == "killed":
        rec["check"] += " (the last incumbent it saved)"


def gap_of(rec: dict) -> float | None:
    o, b = rec.get("objective"), rec.get("bound")
    if o is None or b is None:
        return None
    return max(0.0, (b - o) / max(1.0, abs(o)))


# ---------------------------------------------------------------- the table


def _f(v, fmt="{:,.0f}"):
    return "-" if v is None else fmt.format(v)


def summarise(records: list[dict]) -> list[dict]:
    """One row per (instance, solver): medians over its runs (objective, bound, gap, wall, peak, GAP cost)."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in records:
        groups.setdefault((r["instance"], r["peer"]), []).append(r)
    out = []
    for (inst, peer), rs in groups.items():
        row = {"instance": inst, "peer": peer, "runs": len(rs)}
        for k in ("objective", "bound", "gap", "wall_s", "peak_mb", "gap_cost", "gap_cost_bound"):
            v = [r[k] for r in rs if r.get(k) is not None]
            row[k] = float(np.median(v)) if v else None
            row[f"{k}_runs"] = len(v)
        statuses = [r["status"] for r in rs]
        row["status"] = statuses[0] if len(set(statuses)) == 1 else ", ".join(
            f"{s} x{statuses.count(s)}" for s in dict.fromkeys(statuses))
        checks = list(dict.fromkeys(r.get("check", "-") for r in rs))
        row["check"] = "; ".join(checks)
        row["messages"] = list(dict.fromkeys(r.get("message", "") for r in rs
                                             if r["status"] in ("cannot_take", "error", "killed")))
        out.append(row)
    return out


def _of_runs(r: dict, k: str, fmt: str = "{:,.0f}") -> str:
    """The median, and '(n of N runs)' when only some runs had the figure."""
    n = r[f"{k}_runs"]
    return _f(r[k], fmt) + (f" ({n} of {r['runs']} runs)" if 0 < n < r["runs"] else "")


def markdown(meta: dict, records: list[dict]) -> str:
    rows = summarise(records)
    has_gap = any(r.get("gap_cost") is not None or r.get("gap_offset") for r in records)
    many = any(r["runs"] > 1 for r in rows)
    head = ["instance", "solver", "status", "objective", "bound", "gap", "wall s", "peak MB", "check"]
    if has_gap:
        head.insert(6, "as GAP: cost [lower bound]")
    if many:
        head.insert(2, "runs")
    title = (f"Limit {meta['time_limit']:g} s per solver (hard kill at +{meta['grace']:g} s); {meta['machine']}; "
             f"{meta['versions']}." + (" Medians over the runs." if many else ""))
    lines = [title, "", "| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    notes = []
    for r in rows:
        row = [r["instance"], LABELS.get(r["peer"], r["peer"]), r["status"], _of_runs(r, "objective"),
               _of_runs(r, "bound"), _of_runs(r, "gap", "{:.2%}"), _f(r["wall_s"], "{:.1f}"), _f(r["peak_mb"]),
               r["check"]]
        if has_gap:
            c, lb = r["gap_cost"], r["gap_cost_bound"]
            row.insert(6, "-" if c is None and lb is None else f"{_f(c)} [{_f(lb)}]")
        if many:
            row.insert(2, r["runs"])
        lines.append("| " + " | ".join(str(x) for x in row) + " |")
        notes += [f"- {r['instance']}, {LABELS.get(r['peer'], r['peer'])}: {m}" for m in r["messages"]]
    models = [f"- {name}: {m['rows']:,} rows, {m['cols']:,} columns ({m['integer_cols']:,} integer), "
              f"{m['nnz']:,} nonzeros; build {m['build_s']} s, MPS {m['mps_mb']} MB. CP-SAT: "
              + ("; ".join(m["cpsat_notes"]) or "all columns integer") for name, m in meta["models"].items()]
    return "\n".join(lines + [""] + notes + ([""] if notes else []) + models) + "\n"


def versions() -> str:
    out = []
    for pkg in ("highspy", "pyscipopt", "ortools"):
        try:
            out.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            out.append(f"{pkg} missing")
    return ", ".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("instances", nargs="*", metavar="INSTANCE")
    p.add_argument("--time-limit", type=float, default=60.0, help="wall seconds per solver (default 60)")
    p.add_argument("--grace", type=float, default=15.0, help="kill a solver this long after its limit")
    p.add_argument("--peers", nargs="+", choices=PEERS, default=list(PEERS))
    p.add_argument("--repeat", type=int, default=1, help="runs per solver; the table shows medians")
    p.add_argument("--highs-threads", type=int, default=1)
    p.add_argument("--cpsat-workers", type=int, default=2)
    p.add_argument("--out", default=str(Path(__file__).parent / "results" / "peers"))
    p.add_argument("--worker", choices=PEERS, help=argparse.SUPPRESS)
    p.add_argument("--work", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        return worker(a.worker, Path(a.work), a.time_limit, a.highs_threads, a.cpsat_workers)
    if not a.instances:
        p.error("name at least one INSTANCE")
    if not a.time_limit > 0:
        p.error(f"--time-limit must be > 0, not {a.time_limit}")
    if a.repeat < 1:
        p.error(f"--repeat must be >= 1, not {a.repeat}")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    meta = {"time_limit": a.time_limit, "grace": a.grace, "versions": versions(),
            "machine": f"{os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
                       f"Python {platform.python_version()}", "models": {}}
    opts = {"highs_threads": a.highs_threads, "cpsat_workers": a.cpsat_workers}
    records = []
    for spec in a.instances:
        name = spec_name(spec)
        work = out / name
        inst = load(spec)
        meta["models"][name] = write_model(inst, work)
        del inst
        d = instance_dir(spec)
        (work / "spec.json").write_text(json.dumps({"spec": spec if d is None else str(d.resolve())}) + "\n")
        gap_info = _gap_info(spec)
        arrays = dict(np.load(work / "model.npz"))
        for run, peer in itertools.product(range(a.repeat), a.peers):  # interleaved: noise spreads evenly
            rec = run_peer(peer, work, a.time_limit, a.grace, opts)
            rec.update(instance=name, run=run)
            check(rec, work, arrays)
            rec["gap"] = gap_of(rec)
            if gap_info:
                k = gap_info["jobs"] * gap_info["offset_M"]
                rec["gap_offset"] = k
                rec["gap_cost"] = None if rec.get("objective") is None else k - rec["objective"]
                rec["gap_cost_bound"] = None if rec.get("bound") is None else k - rec["bound"]
            records.append(rec)
            print(f"{name} {peer}: {rec['status']} objective {_f(rec.get('objective'))} bound "
                  f"{_f(rec.get('bound'))} gap {_f(rec['gap'], '{:.3%}')} wall {_f(rec.get('wall_s'), '{:.1f}')} s "
                  f"check {rec.get('check')}", flush=True)
    (out / "peers.json").write_text(json.dumps({"meta": meta, "records": records}, indent=1, default=float) + "\n")
    md = markdown(meta, records)
    (out / "peers.md").write_text(md)
    print(md)
    return 0


def _gap_info(spec: str) -> dict | None:
    d = instance_dir(spec)
    f = None if d is None else d / "gap.json"
    return json.loads(f.read_text()) if f is not None and f.is_file() else None


if __name__ == "__main__":
    sys.exit(main())
