"""Scenario sweeps on dask.distributed (issue 14, spec section 10).

The sweep file, every scenario a task, resume by scenario hash, one results
table and a report. Running a sweep needs the optional ``sweep`` extra (dask,
distributed, pyarrow); reading and checking a sweep file does not. This layer
may use every layer below it, plans and decide included (docs/architecture.md).

    import revopt
    run = revopt.sweep("instances/demo", "instances/demo/sweeps/grid-nitrogen.toml", "out/sweep", workers=2)
    print(run.table[["scenario_id", "status", "objective"]])

``revopt.sweep`` is this package, and calling it calls :func:`sweep`.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..data.instance import Instance
from .runner import INSTALL_HINT, SweepProgress, SweepRun, SweepUnavailable, require_dask, run_sweep
from .scenario import Scenario, apply_scenario, scenarios
from .sweepfile import Axis, Sweep, SweepError, read_sweep


def sweep(instance: Instance | str | Path, sweep_file: Sweep | str | Path, out: str | Path, *,
          workers: int | None = None, scheduler: str | None = None, force: bool = False,
          progress: Callable[[SweepProgress], None] | None = None) -> SweepRun:
    """Run the sweep ``sweep_file`` on ``instance`` into ``out``: see :func:`revopt.sweep.runner.run_sweep`."""
    return run_sweep(instance, sweep_file, out, workers=workers, scheduler=scheduler, force=force,
                     progress=progress)


class _CallableModule(types.ModuleType):
    """``revopt.sweep(...)`` calls :func:`sweep`, while ``revopt.sweep`` stays the package."""

    def __call__(self, *args: Any, **kwargs: Any) -> SweepRun:
        return sweep(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

__all__ = ["sweep", "run_sweep", "read_sweep", "scenarios", "apply_scenario", "Sweep", "Axis", "Scenario",
           "SweepError", "SweepProgress", "SweepRun", "SweepUnavailable", "require_dask", "INSTALL_HINT"]
