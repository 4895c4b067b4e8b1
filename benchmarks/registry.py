"""The benchmark instances: generated presets x seeds, the bundled instances, and large GAPs.

Each entry is (name, argv for ``revopt bench``, default time limit in seconds).
Presets are generated in memory from their seed, so an entry is reproducible
from its name alone. The GAP-large instances (pure assignment, generated like
OR-Library's hard types C/D/E by ``gap_large.py``) are directories written on
first use under ``benchmarks/instances/``, also from their name alone; they
are listed only when asked for (``gap_large=True``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import gap_large as gap_gen

ROOT = Path(__file__).resolve().parents[1]

PRESETS = {
    # preset: (seeds, time limit s)
    "tiny": ((0, 1, 2), 60),
    "small": ((0, 1, 2), 60),
    "province": ((0,), 60),
    "national": ((0,), 600),
}
BUNDLED = ("tiny", "demo", "rijssen-holten")
#: GAP-large: (type, agents) for 1,600 jobs (gap_gen.SIZES) x these seeds, with this time limit in seconds
GAP_LARGE = ((0,), 60)


def gap_large_names() -> list[str]:
    seeds, _ = GAP_LARGE
    return [gap_gen.instance_name(t, m, gap_gen.JOBS, s) for t, m in gap_gen.SIZES for s in seeds]


def entries(presets=None, bundled=True, gap_large=False) -> list[tuple[str, list[str], float]]:
    out = []
    for p, (seeds, tl) in PRESETS.items():
        if presets is not None and p not in presets:
            continue
        for s in seeds:
            out.append((f"{p}-s{s}", ["--preset", p, "--seed", str(s)], tl))
    if bundled:
        for b in BUNDLED:
            d = ROOT / "instances" / b
            if (d / "instance.toml").is_file():
                out.append((b, [str(d)], 60))
    if gap_large:
        for name in gap_large_names():
            out.append((name, [str(gap_large_dir(name))], GAP_LARGE[1]))
    return out


def gap_large_dir(name: str) -> Path:
    """The instance directory of a GAP-large entry, written on first use."""
    return gap_gen.ensure(name)


_PRESET = re.compile(r"(tiny|small|province|national)-s(\d+)")


def instance_dir(spec: str) -> Path | None:
    """The directory behind ``spec``: itself when it holds instance.toml, a GAP-large entry's (written on
    first use); None for a preset (generated in memory)."""
    if (Path(spec) / "instance.toml").is_file():
        return Path(spec)
    if spec.startswith("gap-"):
        return gap_large_dir(spec)
    return None


def spec_name(spec: str) -> str:
    """The entry name of ``spec``: a directory's own name, otherwise the spec itself."""
    p = Path(spec)
    return p.name if (p / "instance.toml").is_file() else spec


def load(spec: str):
    """The Instance of an instance directory, ``<preset>-s<seed>`` (generated) or a GAP-large name."""
    import revopt

    mt = _PRESET.fullmatch(spec)
    if mt and not (Path(spec) / "instance.toml").is_file():
        from revopt.generate import generate

        return generate(mt[1], seed=int(mt[2]))
    try:
        d = instance_dir(spec)
    except ValueError as e:
        raise SystemExit(str(e)) from None
    if d is None:
        raise SystemExit(f"{spec!r} is neither an instance directory, <preset>-s<seed> (tiny, small, province, "
                         "national) nor a GAP-large name (gap-c1600x20-s0)")
    return revopt.load_instance(d)
