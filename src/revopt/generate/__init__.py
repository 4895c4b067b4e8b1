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

import time
from typing import Any

from ..data.instance import Instance
from .core import build
from .corridors import CorridorData, CorridorKnobs, corridor_network, corridor_rng
from .geo import wgs84_to_rd
from .presets import PRESETS, Preset, preset


def generate(preset: str = "small", seed: int = 0, **overrides: Any) -> Instance:
    """A validated instance of the named preset, the same tables for the same seed.

    - ``preset``: ``"tiny"`` (12 firms x 8 plots), ``"small"`` (500 x 300, Twente),
      ``"province"`` (5,000 x 3,000, Noord-Brabant, with pairs.csv) or ``"national"``
      (50,000 x 40,000, with pairs.csv);
    - ``seed``: a whole number >= 0 (raises ValueError otherwise);
    - ``overrides``: knobs of :class:`~revopt.generate.presets.Preset` by name, e.g.
      ``generate("national", seed=0, n_firms=60_000)``; an unknown knob raises.

    The result is an :class:`~revopt.data.instance.Instance` like any loaded one:
    ``inst.write("instances/small-1")`` writes it as a directory. Every assumption and its
    source is in docs/generator.md; :func:`generate_with_stats` also returns the figures
    of the run.
    """
    return generate_with_stats(preset, seed, **overrides)[0]


def generate_with_stats(preset_name: str = "small", seed: int = 0,
                        **overrides: Any) -> tuple[Instance, dict[str, Any]]:
    """Like :func:`generate`, also returning the statistics of the run."""
    return _generate(preset_name, seed, **overrides)[::2]


def _generate(preset_name: str, seed: int, **overrides: Any) -> tuple[Instance, CorridorData | None, dict[str, Any]]:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, not {seed!r}")
    p = preset(preset_name, **overrides)
    inst, stats = build(p, seed)
    if not p.corridors:
        return inst, None, stats
    t0 = time.perf_counter()
    cor = generate_corridors(inst, seed)
    inst = inst.replace_tables(firms=cor.firms_with_freight(inst.firms), corridor_nodes=cor.nodes,
                               corridor_edges=cor.edges, plot_access=cor.plot_access)
    stats["corridors"] = dict(cor.stats, seconds=round(time.perf_counter() - t0, 3))
    return inst, cor, stats


def generate_corridors(instance: Instance, seed: int = 0, **knobs: Any) -> CorridorData:
    """The multimodal corridor tables (spec section 7) for a generated or hand-made instance.

    Deterministic per seed (its own random stream); ``knobs`` replace fields of
    :class:`CorridorKnobs`. The instance itself is not changed: write ``cor.write(dir)`` and
    ``cor.firms_with_freight(instance.firms)`` next to it. docs/generator.md, "Corridor networks".
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, not {seed!r}")
    return corridor_network(instance.plots, instance.terrains, instance.firms, corridor_rng(seed),
                            pairs=instance.pairs, knobs=CorridorKnobs(**knobs))


def generate_with_corridors(preset_name: str = "small", seed: int = 0, **overrides: Any
                            ) -> tuple[Instance, CorridorData | None, dict[str, Any]]:
    """Like :func:`generate_with_stats`, also returning the corridor tables when the preset's
    ``corridors`` knob is on (None otherwise; the instance then holds them already); their
    statistics are under ``stats["corridors"]``."""
    return _generate(preset_name, seed, **overrides)


__all__ = ["generate", "generate_with_stats", "generate_corridors", "generate_with_corridors", "CorridorData",
           "CorridorKnobs", "PRESETS", "Preset", "preset", "wgs84_to_rd"]
