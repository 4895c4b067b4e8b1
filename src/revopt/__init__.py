"""revopt: the right firm on the right plot.

Dutch spatial-economic policy (Ruimtelijk Economische Visie, 2025) as a
mixed-integer programme solved with HiGHS::

    import revopt
    inst = revopt.load_instance("instances/demo")
    res = revopt.solve(inst)
    print(res.status, res.objective, res.assignments.head())
    assert revopt.verify(inst, res) == []
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .data import Instance, InstanceError
from .model.validate import load_instance
from .results import Result, Solution
from .results.verify import verify
from .solve import solve
from .status import Status

try:
    __version__ = version("revopt")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["Instance", "InstanceError", "load_instance", "solve", "Result", "Status", "Solution",
           "verify", "explain", "alternatives", "pareto", "sweep", "__version__"]

#: entry points of the layers above this one, loaded on first use by name (docs/architecture.md,
#: "Entry points of the top layers"): name -> (module, attribute; None: the module itself)
ENTRY_POINTS: dict[str, tuple[str, str | None]] = {
    "explain": ("revopt.decide", "explain"),
    "alternatives": ("revopt.decide.alternatives", "alternatives"),
    "pareto": ("revopt.decide.pareto", "pareto"),
    # the sweep package, callable as revopt.sweep(instance, sweep_file, out); its dask is an
    # optional extra that ``import revopt`` must not need
    "sweep": ("revopt.sweep", None),
}


def __getattr__(name: str) -> Any:
    """``revopt.explain``, ``revopt.sweep``, ...: the entry points of :data:`ENTRY_POINTS`, loaded on
    first use (by name, not by an import statement: they sit above this layer)."""
    if name in ENTRY_POINTS:
        module, attribute = ENTRY_POINTS[name]
        loaded = import_module(module)
        return loaded if attribute is None else getattr(loaded, attribute)
    raise AttributeError(f"module 'revopt' has no attribute {name!r}")
