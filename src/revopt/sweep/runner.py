"""Run a sweep on dask.distributed: every scenario a task, results written as they arrive, resume.

Without a scheduler address a ``LocalCluster`` of worker processes is started (one thread
each; every scenario solves with one HiGHS thread, so N workers use N cores); with one
(``tcp://host:8786``) the tasks go to that cluster. Each task is keyed by the scenario's hash
(:mod:`revopt.sweep.scenario`); the scenario's directory ``runs/<scenario_id>/`` is written
atomically when its result arrives, with a ``scenario.json`` that a rerun into the same
directory reads to skip it. A worker lost while it runs a scenario is replaced and the
scenario retried (``allowed_failures`` times on a local cluster); after that it becomes a row
with status ``lost``, which a rerun tries again. dask is imported only here, inside the
functions, so that ``import revopt`` works without the ``sweep`` extra.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..data.atomic import DirectoryNotEmpty, atomic_dir, write_text_atomically
from ..data.instance import Instance
from ..model.validate import load_instance
from .report import write_report
from .scenario import Scenario, scenarios
from .sweepfile import Sweep, read_sweep
from .table import write_table
from .work import FAILED, RECORD, UNFINISHED, Outcome, lost_outcome, run_scenario

#: the copy of the sweep file in the output directory; its presence marks a sweep directory
MARKER = "sweep.toml"
RUNS = "runs"
#: how often a running sweep reports progress (seconds)
TICK_S = 0.5
#: on a local cluster: how many times a scenario may lose its worker before it is a ``lost`` row
ALLOWED_FAILURES = 2


class SweepUnavailable(ImportError):
    """dask or distributed (the ``sweep`` extra) is not installed."""


INSTALL_HINT = "revopt sweep needs dask.distributed: pip install 'revopt[sweep]'"


def require_dask() -> None:
    """Raise :class:`SweepUnavailable` (with the install line) when the extra is missing."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as e:
        raise SweepUnavailable(f"{INSTALL_HINT} ({e.name} is not installed)") from None


@dataclass(frozen=True)
class SweepProgress:
    """A snapshot of a running sweep: scenarios ``total``, ``skipped`` (finished by an earlier run),
    ``done`` (finished in this run, failed ones included), ``failed``, ``running``; ``elapsed_s``,
    ``eta_s`` (None until one has finished), the dask ``dashboard`` address (None without one),
    ``last`` the id of a scenario that finished since the previous snapshot (None when none did)."""

    total: int
    skipped: int
    done: int
    failed: int
    running: int
    elapsed_s: float
    eta_s: float | None
    dashboard: str | None = None
    last: str | None = None

    def line(self) -> str:
        def clock(s: float | None) -> str:
            if s is None:
                return "--:--"
            m, sec = divmod(int(round(s)), 60)
            return f"{m // 60}:{m % 60:02d}:{sec:02d}" if m >= 60 else f"{m:02d}:{sec:02d}"
        finished = self.skipped + self.done
        width = 24
        fill = int(width * finished / self.total) if self.total else width
        bar = "#" * fill + "-" * (width - fill)
        skipped = f", {self.skipped} from before" if self.skipped else ""
        return (f"[{bar}] {finished}/{self.total} done ({self.failed} failed{skipped}), {self.running} running, "
                f"elapsed {clock(self.elapsed_s)}, remaining {clock(self.eta_s)}")


@dataclass
class SweepRun:
    """What :func:`run_sweep` returns: the results table (one row per scenario, in the sweep's
    order), the output directory, how many scenarios ran now and how many were skipped."""

    table: pd.DataFrame
    out: Path
    ran: int
    skipped: int
    seconds: float
    workers: int | None = None
    dashboard: str | None = None
    files: list[Path] = field(default_factory=list)


def finished_row(out: Path, s: Scenario) -> dict[str, Any] | None:
    """The row of ``s`` from an earlier run into ``out`` when it finished with the same key."""
    f = out / RUNS / s.id / RECORD
    if not f.is_file():
        return None
    try:
        row = json.loads(f.read_text(encoding="utf-8"))["row"]
    except (ValueError, KeyError, OSError):
        return None
    if row.get("scenario_key") != s.key or row.get("status") in UNFINISHED:
        return None
    return dict(row)


def write_run(out: Path, s: Scenario, outcome: Outcome) -> None:
    """Write ``runs/<scenario_id>/`` atomically from the files of ``outcome``."""
    with atomic_dir(out / RUNS / s.id, force=True) as d:
        for rel, data in outcome.files.items():
            p = d / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)


def _prepare_out(out: Path, sweep: Sweep, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file() and not force:
        raise DirectoryNotEmpty(out)
    (out / RUNS).mkdir(parents=True, exist_ok=True)
    write_text_atomically(out / MARKER, sweep.source.read_text(encoding="utf-8"))


@contextmanager
# dask's calls are untyped where dask is installed and unknown (Any) where it is not (CI's lint venv has
# only the lint extra): the ignores say both, so mypy passes in either environment.
def _client(workers: int | None, scheduler: str | None, todo: int) -> Iterator[tuple[Any, int | None, str | None]]:
    """A dask client: to ``scheduler``, or to a new LocalCluster of ``workers`` processes of one thread."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler, timeout="20s") as client:  # type: ignore[no-untyped-call, unused-ignore]
            info = client.scheduler_info()
            port = info.get("services", {}).get("dashboard")
            host = scheduler.split("://")[-1].rsplit(":", 1)[0]
            yield client, len(info.get("workers", {})), (f"http://{host}:{port}/status" if port else None)
        return
    n = max(1, min(workers or os.cpu_count() or 1, todo))
    try:
        import bokeh  # noqa: F401  (the dashboard needs it; without, the scheduler's HTTP server still runs)
        has_dashboard = True
    except ImportError:
        has_dashboard = False
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,  # type: ignore[no-untyped-call, unused-ignore]
                               host="127.0.0.1", dashboard_address=":0", silence_logs=40)
        with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call, unused-ignore]
            yield client, n, (cluster.dashboard_link if has_dashboard else None)


def _failure(sweep: Sweep, s: Scenario, exc: BaseException) -> Outcome:
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        return lost_outcome(sweep, s, f"worker lost {ALLOWED_FAILURES + 1} times while running this scenario "
                                      "(rerun the sweep into the same directory to try it again)")
    return lost_outcome(sweep, s, f"{type(exc).__name__}: {exc}")


def _drive(client: Any, base: Instance, sweep: Sweep, todo: list[Scenario], out: Path,
           rows: dict[str, dict[str, Any]], tick: Callable[[int, int, str | None, int], None]) -> None:
    """Submit ``todo``, write each result as it arrives (into ``rows`` and ``out``), call ``tick``."""
    from distributed import wait

    base_future = client.scatter(base, broadcast=True, hash=False)
    by_key = {}
    for s in todo:
        f = client.submit(run_scenario, base_future, sweep, s, key=f"revopt-scenario-{s.key}", pure=False)
        by_key[f.key] = (f, s)
    pending = {f for f, _ in by_key.values()}
    done_n = failed_n = 0
    try:
        while pending:
            try:
                finished, pending = wait(  # type: ignore[no-untyped-call, unused-ignore]
                    pending, timeout=TICK_S, return_when="FIRST_COMPLETED")
            except TimeoutError:
                finished = set()
            last = None
            for f in finished:
                s = by_key[f.key][1]
                outcome = f.result() if f.status == "finished" else _failure(sweep, s, f.exception())
                write_run(out, s, outcome)
                rows[s.id] = outcome.row
                done_n += 1
                failed_n += outcome.row["status"] in FAILED
                last = s.id
                f.release()
            busy = client.processing()   # tasks handed to a worker: at most one per thread runs
            threads = client.nthreads()
            running = sum(min(threads.get(w, 1), sum(k in by_key for k in ks)) for w, ks in busy.items())
            tick(done_n, failed_n, last, running)
    finally:
        for f in pending:
            f.cancel()


def run_sweep(instance: Instance | str | Path, sweep: Sweep | str | Path, out: str | Path, *,
              workers: int | None = None, scheduler: str | None = None, force: bool = False,
              progress: Callable[[SweepProgress], None] | None = None) -> SweepRun:
    """Run every scenario of ``sweep`` on ``instance`` and write ``out`` (spec section 10).

    ``instance`` is an :class:`~revopt.data.instance.Instance` or its directory; ``sweep`` a
    :class:`~revopt.sweep.sweepfile.Sweep` or its file. ``workers`` processes of a new
    LocalCluster (default: the cores, at most one per scenario), or an existing cluster at
    ``scheduler``. A scenario already finished in ``out`` with the same inputs is not run
    again unless ``force``; ``out`` may be empty, new, or an earlier sweep's directory
    (any other non-empty directory needs ``force``). ``progress`` receives a
    :class:`SweepProgress` about twice a second. Returns the results table.
    """
    require_dask()
    t0 = time.perf_counter()
    base = instance if isinstance(instance, Instance) else load_instance(instance)
    sw = sweep if isinstance(sweep, Sweep) else read_sweep(sweep, base)
    out = Path(out)
    all_s = scenarios(sw, base)
    rows: dict[str, dict[str, Any]] = {}
    if not force:
        for s in all_s:
            row = finished_row(out, s) if out.is_dir() else None
            if row is not None:
                rows[s.id] = row
    skipped = len(rows)
    todo = [s for s in all_s if s.id not in rows]
    _prepare_out(out, sw, force)
    n_workers, dashboard = None, None
    try:
        if todo:
            with _client(workers, scheduler, len(todo)) as (client, n_workers, dashboard):
                def tick(done: int, failed: int, last: str | None, running: int) -> None:
                    if progress is None:
                        return
                    el = time.perf_counter() - t0
                    eta = el / done * (len(todo) - done) if done else None
                    progress(SweepProgress(len(all_s), skipped, done, failed, running, el, eta, dashboard, last))
                tick(0, 0, None, 0)
                _drive(client, base, sw, todo, out, rows, tick)
    finally:
        table, files = write_table(out, sw, [rows[s.id] for s in all_s if s.id in rows])
    files.append(write_report(out, sw, table, seconds=time.perf_counter() - t0, workers=n_workers))
    return SweepRun(table=table, out=out, ran=len(todo), skipped=skipped,
                    seconds=time.perf_counter() - t0, workers=n_workers, dashboard=dashboard, files=files)


__all__ = ["run_sweep", "SweepProgress", "SweepRun", "SweepUnavailable", "require_dask", "INSTALL_HINT",
           "MARKER", "finished_row"]
