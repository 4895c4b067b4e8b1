"""Time lost to a killed worker: run a sweep on a LocalCluster of two workers and SIGKILL one
worker that is running a scenario after --kill-at seconds (docs/sweeps.md).

    PYTHONPATH=src python benchmarks/sweep_worker_loss.py OUT [--kill-at 60] [--no-kill]

Prints the wall time of the sweep (cluster start excluded), when the kill happened and the
statuses; run it once with --no-kill into another OUT for the time without a loss.
"""

from __future__ import annotations

import argparse
import os
import signal
import time

import distributed

from revopt.sweep import run_sweep

DEMO = "instances/demo"
SWEEP = "instances/demo/sweeps/grid-nitrogen.toml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--kill-at", type=float, default=60.0, help="seconds after the start")
    ap.add_argument("--no-kill", action="store_true")
    ap.add_argument("--instance", default=DEMO)
    ap.add_argument("--sweep", default=SWEEP)
    a = ap.parse_args()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=":0", silence_logs=50) as cluster, \
            distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
        t0 = time.perf_counter()
        killed: list[tuple[float, int]] = []

        def kill(p) -> None:
            if killed or a.no_kill or time.perf_counter() - t0 < a.kill_at:
                return
            busy = [w for w, keys in client.processing().items() if keys and w in pids]
            if busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append((round(time.perf_counter() - t0, 1), p.done))

        run = run_sweep(a.instance, a.sweep, a.out, scheduler=cluster.scheduler_address, progress=kill)
        wall = time.perf_counter() - t0
    print(f"wall {wall:.1f} s (cluster start excluded); killed (at s, scenarios done): {killed or 'none'}")
    print("statuses", run.table["status"].value_counts().to_dict(), f"({len(run.table)} scenarios)")


if __name__ == "__main__":
    main()
