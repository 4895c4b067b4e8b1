"""The benchmark instances: generated presets x seeds, and the bundled instances.

Each entry is (name, argv for ``revopt bench``, default time limit in seconds).
Presets are generated in memory from their seed, so an entry is reproducible
from its name alone.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PRESETS = {
    # preset: (seeds, time limit s)
    "tiny": ((0, 1, 2), 60),
    "small": ((0, 1, 2), 60),
    "province": ((0,), 60),
    "national": ((0,), 600),
}
BUNDLED = ("tiny", "demo", "rijssen-holten")


def entries(presets=None, bundled=True) -> list[tuple[str, list[str], float]]:
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
    return out
