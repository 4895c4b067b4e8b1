"""Fixed vocabularies of model v1, each defined once: categories, work environments, life stages,
terrain statuses, the compensation class ``pooled``, the transport modes with their tie priority and
their tariffs' defaults.

Every layer reads these names from here (the corridors, the model, the results, the
generator); nothing else spells them out.
"""

from __future__ import annotations

import math

from .schema import manifest_default

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

#: the class of pooled compensation (compensation.per_werkmilieu = false): one class for all werkmilieus
POOLED = "pooled"

#: Transport modes of the multimodal corridors (spec section 7). This order is the one order of
#: revopt: mode codes (route ``mode`` columns), mode lists of firms, per-mode KPIs.
MODES: tuple[str, ...] = ("road", "rail", "water")
MODE_CODE: dict[str, int] = {m: i for i, m in enumerate(MODES)}
#: the tie rule of spec section 7: among routes of equal cost, water before rail before road
MODE_PRIORITY: dict[str, int] = {"water": 2, "rail": 1, "road": 0}
#: the transport tariffs' defaults (euro per tonne-km per mode, manifest [transport]
#: ``<mode>_eur_per_tkm``), read from the schema, where they are written once
TARIFF_DEFAULTS: dict[str, float] = {m: float(manifest_default(f"transport.{m}_eur_per_tkm")) for m in MODES}


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
