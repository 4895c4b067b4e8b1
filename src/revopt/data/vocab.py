"""Fixed vocabularies of model v1: environmental categories and work environments."""

from __future__ import annotations

import math

#: VNG environmental categories (milieucategorieen) in rank order 1..10.
CATEGORIES: tuple[str, ...] = ("1", "2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "5.3", "6")
#: rank(c): position of category c in CATEGORIES, starting at 1.
RANK: dict[str, int] = {c: i + 1 for i, c in enumerate(CATEGORIES)}
_NUMERIC = {float(c): c for c in CATEGORIES}

#: Work environments (werkmilieus), the set W. The order fixes bit positions in masks.
WERKMILIEUS: tuple[str, ...] = ("industrieel", "productie", "innovatie", "stedelijk")
WM_INDEX: dict[str, int] = {w: i for i, w in enumerate(WERKMILIEUS)}

LIFECYCLES: tuple[str, ...] = ("startup", "mkb", "scaleup", "large")
TERRAIN_STATUSES: tuple[str, ...] = ("existing", "planned", "transform")


def canonical_category(text: object) -> str | None:
    """Return the canonical code of a category spelled as text or number, else None.

    ``"6.0"`` and ``6`` give ``"6"``, ``"3.10"`` gives ``"3.1"``; anything that is
    not one of the ten codes gives None.
    """
    s = str(text).strip()
    if s in RANK:
        return s
    try:
        v = float(s)
    except ValueError:
        return None
    if not math.isfinite(v):
        return None
    for num, code in _NUMERIC.items():
        if abs(num - v) < 1e-9:
            return code
    return None


def wm_mask(names) -> int:
    """Bit mask of a collection of werkmilieu names (bit i = WERKMILIEUS[i])."""
    m = 0
    for n in names:
        m |= 1 << WM_INDEX[n]
    return m
