"""Synthetic but realistic revopt instances (issue 3).

    from revopt.generate import generate
    inst = generate("small", seed=1)            # a validated revopt.Instance
    inst.write("instances/small-1")
    generate("national", seed=0, n_firms=60_000)  # knobs of presets.Preset as overrides

Presets: ``tiny`` (12 firms x 8 plots), ``small`` (500 x 300, Twente),
``province`` (5,000 x 3,000, Noord-Brabant, with pairs.csv) and ``national``
(50,000 x 40,000 over ~3,800 parks, with pairs.csv). The same seed gives the
same tables. Real inputs: the Natura 2000 sites (INSPIRE 2013), the VNG 2009
guideline distances, anchor places; everything else is drawn from documented
distributions (docs/generator.md). ``generate_with_stats`` also returns the
figures of the run (sizes, shares, pairs per firm, seconds).
"""

from __future__ import annotations

from typing import Any

from ..data.instance import Instance
from .core import build
from .geo import wgs84_to_rd
from .presets import PRESETS, Preset, preset


def generate(preset: str = "small", seed: int = 0, **overrides) -> Instance:
    """A validated instance of the named preset; ``overrides`` replace :class:`Preset` knobs."""
    return generate_with_stats(preset, seed, **overrides)[0]


def generate_with_stats(preset_name: str = "small", seed: int = 0, **overrides) -> tuple[Instance, dict[str, Any]]:
    """Like :func:`generate`, also returning the statistics of the run."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, not {seed!r}")
    return build(preset(preset_name, **overrides), seed)


__all__ = ["generate", "generate_with_stats", "PRESETS", "Preset", "preset", "wgs84_to_rd"]
