"""The report of a plan evaluation, for the meeting: one self-contained HTML file and Markdown.

Both renderings are made from one list of sections (:func:`sections`), so they carry the
same text and the same tables; the HTML adds the SVG map inline and small bars for the
schuifruimte, the Markdown links the map file written next to it (``report-map.svg``).
The tables are the comparison tables of docs/plans.md, as :class:`PlanEvaluation` holds
them; this module formats them and never recomputes the model.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from ..data.atomic import write_text_atomically
from ..results.maps import network_edges, plot_map
from .evaluation import PlanEvaluation

MAP_FILE = "report-map.svg"
VERDICT_WORDS = {"ok": "works", "warn": "works, with losses", "fail": "does not work"}
MINUS = "\u2212"

# --------------------------------------------------------------------------- formatting


def _missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return v.strip() == ""
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _num(v: Any) -> float | None:
    if _missing(v):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _signed(text: str, x: float, sign: bool) -> str:
    if not sign:
        return text if x >= 0 else MINUS + text
    if abs(x) < 1e-12:
        return "±" + text
    return ("+" if x > 0 else MINUS) + text


def fmt(v: Any, unit: str, *, sign: bool = False) -> str:
    """A value for a planner: EUR in millions, m2 with thousands separators, shares as %,
    text as it is. ``sign`` writes + or − (changes)."""
    if unit in ("", "text"):
        return "" if _missing(v) else str(v)
    x = _num(v)
    if x is None:
        return "–"
    a = abs(x)
    if unit in ("EUR", "EUR/yr"):
        body = f"€ {a / 1e6:,.1f} M" + (" /yr" if unit == "EUR/yr" else "")
    elif unit == "m2":
        body = f"{a:,.0f} m²"
    elif unit == "share":
        body = f"{a * 100:.1f} " + ("pp" if sign else "%")
    elif unit == "km":
        body = f"{a:,.1f} km"
    elif unit == "MW":
        body = f"{a:,.2f} MW"
    elif unit in ("mol", "mol/yr"):
        body = f"{a:,.1f} mol/yr"
    elif unit in ("firms", "count"):
        body = f"{a:,.0f}"
    elif unit == "tkm":
        body = f"{a / 1e6:,.1f} M tkm"
    elif unit == "t/yr":
        body = f"{a:,.0f} t/yr"
    elif unit == "kt":
        body = f"{a:,.1f} kt"
    else:
        body = f"{a:,.4g} {unit}".strip()
    return _signed(body, x, sign)


METRIC_LABELS = {
    "status": "Solve status",
    "objective": "Objective (value added over the years − costs)",
    "value_added_placed": "Value added of placed firms",
    "floor_used_industrieel": "Floor space used: industrieel",
    "floor_used_productie": "Floor space used: productie",
    "floor_used_innovatie": "Floor space used: innovatie",
    "floor_used_stedelijk": "Floor space used: stedelijk",
    "firms_kept": "Firms that stay on their plot",
    "firms_moved": "Firms that move",
    "firms_displaced": "Firms displaced (not placed again)",
    "firms_new_placed": "New firms placed",
    "firms_unplaced": "Firms not placed (displaced and new)",
    "relocation_km_total": "Relocation distance, total",
    "relocation_km_median": "Relocation distance, median",
    "relocation_km_max": "Relocation distance, longest",
    "quay_misuse": "Quay floor used by firms not bound to water",
    "industrial_misuse": "Industrial floor used by lighter firms",
    "terrains_developed": "Planned terrains developed",
    "plots_intensified": "Plots intensified",
    "free_floor": "Free floor space",
    "schuifruimte": "Schuifruimte (free share of floor space)",
    "transport_cost": "Transport cost of the freight",
    "tonne_km_road": "Freight by road (incl. pre-haul)",
    "tonne_km_rail": "Freight by rail",
    "tonne_km_water": "Freight by inland water",
    "co2": "CO2 of the freight",
}
STATE_LABELS = {"kept": "stays", "moved": "moves", "displaced": "displaced", "new_placed": "placed (new)",
                "unplaced": "not placed", "": "–"}

# --------------------------------------------------------------------------- document model


@dataclass
class Cell:
    """One table cell: its text (Markdown and HTML), whether it is a number (right-aligned),
    a CSS class, and optionally richer HTML (a bar)."""

    text: str
    num: bool = False
    cls: str = ""
    html: str | None = None


@dataclass
class Table:
    key: str
    header: list[str]
    rows: list[list[Cell]]
    num_cols: set[int] = field(default_factory=set)
    caption: str = ""


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    map: bool = False
    verdict: str = ""          # "ok" | "fail" for the verdict box


def _t(ev: PlanEvaluation, name: str) -> pd.DataFrame | None:
    df = ev.tables.get(name)
    return df if df is not None and not df.empty else None


def _terrain_names(ev: PlanEvaluation, ids) -> str:
    names = ev.instance.terrains.set_index("terrain_id")["name"].to_dict()
    return ", ".join(f"{names.get(t, t)} ({t})" for t in ids)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _headline_value(ev: PlanEvaluation, metric: str) -> tuple[float | None, float | None]:
    h = _t(ev, "headline")
    if h is None:
        return None, None
    row = h[h["metric"] == metric]
    if row.empty:
        return None, None
    return _num(row["baseline"].iloc[0]), _num(row["plan"].iloc[0])


# --------------------------------------------------------------------------- the verdict


def verdict(ev: PlanEvaluation) -> tuple[str, str]:
    """("ok" | "warn" | "fail", one paragraph in plain words). "warn": the plan has a solution
    and :attr:`PlanEvaluation.works`, but firms it concerns are displaced."""
    lacks = _t(ev, "elastic")
    if not ev.result.status.has_solution:
        return "fail", _no_solution(ev, lacks)
    firms_part, n_lost = _firms_concerned(ev)
    parts = [x for x in (firms_part, *_compensation_parts(ev), _schuifruimte_part(ev)) if x]
    parts += _headline_parts(ev)
    kind = ("ok" if n_lost == 0 else "warn") if ev.works else "fail"
    head = {"ok": "The plan works", "warn": "The plan works, with losses", "fail": "The plan falls short"}[kind]
    text = head + (": " + "; ".join(parts) + "." if parts else ".")
    if lacks is not None:
        text += " What it lacks: " + "; ".join(str(t) for t in lacks["text"].head(4)) + "."
    certainty = _certainty(ev)
    if certainty:
        text += " " + certainty
    return kind, text


def _certainty(ev: PlanEvaluation) -> str | None:
    """What the two solves prove about the change of the objective (comparison/objective.csv)."""
    o = _t(ev, "objective")
    if o is None or o.empty or pd.isna(o["decided"].iloc[0]):
        return None
    r = o.iloc[0]
    span = f"between {fmt(r['change_low'], 'EUR', sign=True)} and {fmt(r['change_high'], 'EUR', sign=True)}"
    if r["change_low"] == r["change_high"]:
        return None  # both proved optimal: the change is exact and the headline says it
    if not r["decided"]:
        return (f"The solver cannot tell these apart at this time limit: the true change of the "
                f"objective lies {span}, an interval that contains 0.")
    word = "raises" if r["change_low"] > 0 else "lowers"
    return f"The plan certainly {word} the objective: the true change lies {span}."


def _no_solution(ev: PlanEvaluation, lacks: pd.DataFrame | None) -> str:
    """The verdict of a plan without a feasible solution: why, and what would make it work."""
    res = ev.result
    out = [f"The plan fails: with the plan applied there is no feasible solution (solve status "
           f"{res.status.value})."]
    if res.reasons:
        out.append("Why: " + "; ".join(r.rstrip(".") for r in res.reasons[:3])
                   + (f" (and {len(res.reasons) - 3} more)" if len(res.reasons) > 3 else "") + ".")
    if lacks is not None:
        out.append("It would work with: " + "; ".join(str(t) for t in lacks["text"].head(4)) + ".")
    return " ".join(out)


def _firms_concerned(ev: PlanEvaluation) -> tuple[str | None, int]:
    """Where the firms the plan concerns (on its transformed terrains, or named to relocate) land,
    and how many of them are displaced."""
    firms = _t(ev, "firms")
    transform = set(ev.plan.transform)
    if firms is None:
        return None, 0
    terr = ev.planned.plots.set_index("plot_id")["terrain_id"]
    on_t = firms["current_plot"].fillna("").map(lambda p: terr.get(p, "") in transform) if transform \
        else pd.Series(False, index=firms.index)
    named = firms["relocate"].fillna(False).astype(bool) if "relocate" in firms else on_t & False
    hit = firms[on_t | named]
    if not len(hit):
        return None, 0
    landed = hit[hit["plan_state"].isin(["moved", "kept"])]
    gone = hit[hit["plan_state"].isin(["displaced", "unplaced"])]
    d = pd.to_numeric(landed["distance_km"], errors="coerce").dropna()
    where = "on the transformed terrain" + ("s" if len(transform) > 1 else "") if transform else \
        "named in the plan"
    far = f" within {d.max():.1f} km (median {d.median():.1f} km)" if len(d) else ""
    if gone.empty:
        return f"all {_plural(len(hit), 'firm')} {where} land{far}", 0
    return (f"{len(landed):,} of the {_plural(len(hit), 'firm')} {where} land{far}, "
            f"{len(gone):,} {'is' if len(gone) == 1 else 'are'} displaced (reasons under Firms below)"), len(gone)


def _compensation_parts(ev: PlanEvaluation) -> list[str]:
    """Whether the space lost on each transformed terrain is replaced nearby (C7)."""
    comp = _t(ev, "compensation")
    transform = set(ev.plan.transform)
    if comp is None or not transform:
        return []
    parts = []
    for _, r in comp[comp["terrain_id"].isin(transform)].iterrows():
        k = "" if r["class"] in ("all", "") else f"{r['class']} "
        if bool(r["met"]):
            parts.append(f"{fmt(r['required_m2'], 'm2')} of {k}space is replaced nearby "
                         f"({fmt(r['provided_m2'], 'm2')} provided)")
        else:
            parts.append(f"only {fmt(r['provided_m2'], 'm2')} of the {fmt(r['required_m2'], 'm2')} of {k}space "
                         f"lost on {r['name']} is replaced")
    return parts


def _schuifruimte_part(ev: PlanEvaluation) -> str | None:
    """The regions that fall below the schuifruimte norm, else the lowest share."""
    sch = _t(ev, "schuifruimte")
    if sch is None:
        return None
    share = pd.to_numeric(sch["plan_share"], errors="coerce")
    below = sch[share < ev.norm]
    norm = fmt(ev.norm, "share")
    if len(below):
        return _join([f"region {r.region} falls below the {norm} schuifruimte norm "
                      f"({fmt(r.plan_share, 'share')})" for r in below.itertuples()])
    if share.notna().any():
        i = share.idxmin()
        return (f"every region keeps at least {norm} free floor space (lowest: "
                f"{sch.loc[i, 'region']}, {fmt(share[i], 'share')})")
    return None


def _headline_parts(ev: PlanEvaluation) -> list[str]:
    """The change in value added of placed firms, and in displaced firms in the whole region."""
    parts = []
    b, p = _headline_value(ev, "value_added_placed")
    if b is not None and p is not None:
        rel = f" ({(p - b) / b * 100:+.1f} %)".replace("-", MINUS) if b else ""
        parts.append(f"value added of placed firms changes by {fmt(p - b, 'EUR/yr', sign=True)}{rel}")
    bd, pd_ = _headline_value(ev, "firms_displaced")
    if bd is not None and pd_ is not None and pd_ != bd:
        parts.append(f"{_plural(int(pd_), 'firm')} in the region {'is' if pd_ == 1 else 'are'} displaced "
                     f"against {int(bd):,} without the plan")
    return parts


# --------------------------------------------------------------------------- sections


def _plan_bullets(ev: PlanEvaluation) -> list[str]:
    p = ev.plan
    out = []
    if p.description:
        out.append(p.description)
    if p.transform:
        out.append("To housing (transform): " + _terrain_names(ev, p.transform))
    if p.develop:
        out.append("Developed (forced): " + _terrain_names(ev, p.develop))
    if p.forbid_develop:
        out.append("Not developed (forbidden): " + _terrain_names(ev, p.forbid_develop))
    if p.relocate:
        out.append("Firms that must move: " + ", ".join(p.relocate))
    if p.add_firms is not None and len(p.add_firms):
        src = f" from {p.add_firms_path.name}" if p.add_firms_path else ""
        out.append(f"Firms added{src}: {len(p.add_firms):,}")
    out.append(f"Schuifruimte norm: {fmt(ev.norm, 'share')} free floor space per region")
    return out


def _headline_table(ev: PlanEvaluation) -> Table | None:
    h = _t(ev, "headline")
    if h is None:
        return None
    rows = []
    for r in h.itertuples(index=False):
        unit = "" if r.metric == "status" else str(r.unit)
        ch = r.change
        if unit == "share" and _num(ch) is None and _num(r.plan) is not None and _num(r.baseline) is not None:
            ch = _num(r.plan) - _num(r.baseline)
        rows.append([Cell(METRIC_LABELS.get(r.metric, str(r.metric))),
                     Cell(fmt(r.baseline, unit), True), Cell(fmt(r.plan, unit), True),
                     Cell("" if unit == "" else fmt(ch, unit, sign=True), True,
                          cls=_change_class(r.metric, _num(ch)))])
    return Table("headline", ["Figure", "Baseline", "Plan", "Change"], rows, {1, 2, 3})


_BAD_WHEN_UP = {"firms_displaced", "firms_unplaced", "relocation_km_total", "relocation_km_median",
                "relocation_km_max", "quay_misuse", "industrial_misuse", "transport_cost", "co2",
                "tonne_km_road"}
_GOOD_WHEN_UP = {"objective", "value_added_placed", "firms_kept", "firms_new_placed", "free_floor",
                 "schuifruimte"}


def _change_class(metric: str, ch: float | None) -> str:
    if ch is None or abs(ch) < 1e-9:
        return ""
    if metric in _BAD_WHEN_UP:
        return "bad" if ch > 0 else "good"
    if metric in _GOOD_WHEN_UP:
        return "good" if ch > 0 else "bad"
    return ""


def _tick(ok: Any) -> Cell:
    good = bool(ok) and not _missing(ok)
    return Cell("✓ yes" if good else "✗ no", cls="tick good" if good else "tick bad")


def _compensation_table(ev: PlanEvaluation) -> Table | None:
    c = _t(ev, "compensation")
    if c is None:
        return None
    rows = []
    for _, r in c.iterrows():
        plots = [s for s in str(r["plots"] or "").split(";") if s]
        shown = ", ".join(f"{p.split(':')[0]} ({fmt(p.split(':')[1], 'm2')})" if ":" in p else p
                          for p in plots[:4])
        if len(plots) > 4:
            shown += f" and {len(plots) - 4} more"
        rows.append([Cell(f"{r['name']} ({r['terrain_id']})"), Cell(str(r["class"])),
                     Cell(fmt(r["lost_m2"], "m2"), True), Cell(fmt(r["required_m2"], "m2"), True),
                     Cell(fmt(r["provided_m2"], "m2"), True), Cell(shown or "–", cls="small"), _tick(r["met"])])
    ratio = _num(c["ratio"].iloc[0])
    return Table("compensation", ["Terrain", "Class", "Lost", "Required", "Provided", "By plots", "Met"],
                 rows, {2, 3, 4},
                 caption=f"Required = {ratio:g} × lost; provided = new space (planned terrains, intensification) "
                         f"credited to the terrain in the plan." if ratio is not None else "")


def _bar(share: float | None, norm: float, top: float) -> str:
    if share is None:
        return ""
    w = max(0.0, min(1.0, share / top)) * 100
    n = min(1.0, norm / top) * 100
    cls = "fill" if share >= norm else "fill low"
    return (f'<span class="bar"><span class="{cls}" style="width:{w:.1f}%"></span>'
            f'<span class="norm" style="left:{n:.1f}%"></span></span>')


def _schuifruimte_table(ev: PlanEvaluation) -> Table | None:
    s = _t(ev, "schuifruimte")
    if s is None:
        return None
    shares = pd.concat([pd.to_numeric(s["baseline_share"], errors="coerce"),
                        pd.to_numeric(s["plan_share"], errors="coerce")]).dropna()
    top = max([ev.norm * 4] + list(shares)) if len(shares) else 1.0
    top = min(1.0, top)
    rows = []
    for _, r in s.iterrows():
        norm = _num(r.get("norm")) or ev.norm
        ps = _num(r["plan_share"])
        rows.append([Cell(str(r["region"])),
                     Cell(fmt(r["total_m2"], "m2"), True), Cell(fmt(r["baseline_free_m2"], "m2"), True),
                     Cell(fmt(r["baseline_share"], "share"), True),
                     Cell(fmt(r["plan_total_m2"], "m2"), True), Cell(fmt(r["plan_free_m2"], "m2"), True),
                     Cell(fmt(r["plan_share"], "share"), True, html=fmt(r["plan_share"], "share")
                          + _bar(ps, norm, top)),
                     _tick(r["plan_meets_norm"]) if ps is not None else Cell("–")])
    return Table("schuifruimte", ["Region", "Total (baseline)", "Free (baseline)", "Share", "Total (plan)",
                                  "Free (plan)", "Share (plan)", f"≥ {fmt(ev.norm, 'share')}"],
                 rows, {1, 2, 3, 4, 5, 6},
                 caption="Free floor space = floor capacity of usable plots minus the floor space of placed "
                         "firms. The bar shows the plan's share; the tick mark is the norm.")


def _used_up(left: float | None, cap: float | None) -> bool:
    return left is not None and cap is not None and left <= max(1e-6, 0.01 * cap)


def _substation_table(ev: PlanEvaluation) -> Table | None:
    s = _t(ev, "substations")
    if s is None:
        return None
    rows = []
    for _, r in s.iterrows():
        cap = _num(r["available_mw"])
        bl, pl = _num(r["baseline_headroom_mw"]), _num(r["plan_headroom_mw"])
        rows.append([Cell(str(r["substation_id"])), Cell(fmt(cap, "MW"), True),
                     Cell(fmt(r["baseline_used_mw"], "MW"), True), Cell(fmt(r["plan_used_mw"], "MW"), True),
                     Cell(fmt(bl, "MW"), True, cls="full" if _used_up(bl, cap) else ""),
                     Cell(fmt(pl, "MW"), True, cls="full" if _used_up(pl, cap) else ""),
                     Cell(fmt(r["change_mw"], "MW", sign=True), True)])
    return Table("substations", ["Substation", "Available", "Used (baseline)", "Used (plan)",
                                 "Headroom (baseline)", "Headroom (plan)", "Change in use"], rows,
                 {1, 2, 3, 4, 5, 6}, caption="Highlighted: headroom used up (less than 1 % left).")


def _nature_table(ev: PlanEvaluation) -> Table | None:
    n = _t(ev, "nature_areas")
    if n is None:
        return None
    rows = []
    for _, r in n.iterrows():
        cap = _num(r["headroom_mol"])
        bl, pl = _num(r["baseline_left_mol"]), _num(r["plan_left_mol"])
        rows.append([Cell(f"{r['name']} ({r['area_id']})"), Cell(fmt(cap, "mol"), True),
                     Cell(fmt(r["baseline_used_mol"], "mol"), True), Cell(fmt(r["plan_used_mol"], "mol"), True),
                     Cell(fmt(bl, "mol"), True, cls="full" if _used_up(bl, cap) else ""),
                     Cell(fmt(pl, "mol"), True, cls="full" if _used_up(pl, cap) else ""),
                     Cell(fmt(r["change_mol"], "mol", sign=True), True)])
    return Table("nature_areas", ["Natura 2000 area", "Headroom", "Used (baseline)", "Used (plan)",
                                  "Left (baseline)", "Left (plan)", "Change in use"], rows, {1, 2, 3, 4, 5, 6},
                 caption="Nitrogen deposition of the placed firms, mol N per year; highlighted: used up.")


def _corridor_table(ev: PlanEvaluation, top: int = 15) -> Table | None:
    c = _t(ev, "corridors")
    if c is None or not len(c):
        return None
    rows = []
    for _, r in c.head(top).iterrows():
        cap = _num(r["capacity_kt"])
        bu, pu = _num(r["baseline_utilisation"]), _num(r["plan_utilisation"])
        rows.append([Cell(f"{r['edge_id']} ({r['u']} – {r['v']})"), Cell(str(r["mode"])),
                     Cell("unbounded" if cap is None else fmt(cap, "kt"), True),
                     Cell(fmt(r["baseline_load_kt"], "kt"), True), Cell(fmt(r["plan_load_kt"], "kt"), True),
                     Cell("–" if bu is None else fmt(bu, "share"), True,
                          cls="full" if bu is not None and bu >= 0.999 else ""),
                     Cell("–" if pu is None else fmt(pu, "share"), True,
                          cls="full" if pu is not None and pu >= 0.999 else ""),
                     Cell(fmt(r["change_kt"], "kt", sign=True), True)])
    more = len(c) - min(top, len(c))
    caption = "Freight of the placed firms on each corridor edge, kt per year, busiest first; highlighted: full (C8)."
    if more:
        caption += f" {more} more edges in comparison/corridors.csv."
    return Table("corridors", ["Corridor edge", "Mode", "Capacity", "Load (baseline)", "Load (plan)",
                               "Use (baseline)", "Use (plan)", "Change"], rows, {2, 3, 4, 5, 6, 7}, caption=caption)


_STATE_ORDER = {"displaced": 0, "unplaced": 1, "moved": 2, "new_placed": 3, "kept": 4, "": 5}


def _firm_rows(df: pd.DataFrame, lost: bool) -> list[list[Cell]]:
    rows = []
    for _, r in df.iterrows():
        b, p = str(r["baseline_state"] or ""), str(r["plan_state"] or "")
        state = f"{STATE_LABELS.get(b, b)} → {STATE_LABELS.get(p, p)}" if b != p else STATE_LABELS.get(p, p)
        mark = " ★" if bool(r.get("relocate", False)) and not _missing(r.get("relocate")) else ""
        state_cell = Cell(state, cls="state bad" if p in ("displaced", "unplaced") else "state")
        row = [Cell(str(r["firm_id"]) + mark), Cell(str(r["sector"])), Cell(fmt(r["floor_space_m2"], "m2"), True),
               Cell(str(r["current_plot"] or "–")), Cell(str(r["baseline_plot"] or "–"))]
        if lost:   # no plan plot and no distance to show
            row += [state_cell, Cell(str(r["reason"] or ""), cls="small")]
        else:
            row += [Cell(str(r["plan_plot"] or "–")), state_cell,
                    Cell(fmt(r["distance_km"], "km") if _num(r["distance_km"]) is not None else "", True)]
        rows.append(row)
    return rows


def _firm_tables(ev: PlanEvaluation) -> list[Table]:
    f = _t(ev, "firms")
    if f is None:
        return []
    f = f.copy()
    f["_o"] = f["plan_state"].fillna("").map(_STATE_ORDER).fillna(9)
    f = f.sort_values(["_o", "firm_id"], kind="stable")
    lost = f["plan_state"].isin(["displaced", "unplaced"]) | (f["plan_state"].fillna("") == "")
    head = ["Firm", "Sector", "Floor", "Current plot", "Baseline plot"]
    out = [Table("firms_lost", head + ["Baseline → plan", "Reason"], _firm_rows(f[lost], True), {2},
                 caption="Firms displaced or not placed in the plan (or, when the plan has no solution, the "
                         "firms it concerns), with the reason in a planner's words. ★ named in the plan.")]
    if (~lost).any():
        out.append(Table("firms_other", head + ["Plan plot", "Baseline → plan", "Distance"],
                         _firm_rows(f[~lost], False), {2, 7},
                         caption="Other firms the plan affects: they move, stay or are placed differently "
                                 "from the baseline. Distance: straight line from the current plot."))
    return out


def _elastic_table(ev: PlanEvaluation) -> Table | None:
    e = _t(ev, "elastic")
    if e is None:
        return None
    rows = [[Cell(str(r["resource"])), Cell(str(r["id"])), Cell(str(r["class"] if not _missing(r["class"]) else "")),
             Cell(fmt(r["addition"], str(r["unit"])), True), Cell(str(r["text"]))] for _, r in e.iterrows()]
    return Table("elastic", ["Resource", "Where", "Class", "Addition", "In words"], rows, {3},
                 caption="The smallest additions with which every firm of the baseline is placed again "
                         "(elastic solve: penalised extra floor space, grid, nitrogen and compensation).")


def _decide_sections(ev: PlanEvaluation) -> list[Section]:
    """Why the plan fails (the conflict) or what the resources it touches are worth (marginal values)."""
    out = []
    c = ev.conflict
    if c is not None:
        rows = [[Cell(str(r["family"])), Cell(str(r["id"])), Cell(str(r["text"])), Cell(str(r["source"]))]
                for _, r in c.table.iterrows()]
        t = Table("conflict", ["Rule", "Where", "In words", "Found by"], rows, set(),
                  caption="The rules that together leave no solution (conflict.csv of revopt explain).")
        out.append(Section("conflict", "Why it fails", paragraphs=[c.paragraph], tables=[t] if rows else []))
    mv = ev.marginal
    if mv is not None and len(mv.table):
        rows = [[Cell(f"{r.resource} {r.id}"), Cell(fmt(r.capacity, r.unit), True), Cell(fmt(r.used, r.unit), True),
                 Cell(fmt(r.step, r.unit), True), Cell(fmt(r.delta_objective_up, "EUR", sign=True), True),
                 Cell(fmt(r.delta_objective_down, "EUR", sign=True), True)]
                for r in mv.table.itertuples(index=False)]
        t = Table("marginal", ["Resource", "Capacity", "Used", "Step", "Optimum change, step up",
                               "Optimum change, step down"], rows, {1, 2, 3, 4, 5},
                  caption="The plan's optimum re-solved with one capacity raised or lowered by the step "
                          "(integer decisions included; docs/decision-support.md).")
        out.append(Section("marginal", "Marginal values of what the plan touches", tables=[t]))
    return out


def _solve_line(name: str, r) -> str:
    gap = f", gap {r.gap * 100:.2f} %" if r.gap is not None and not math.isnan(r.gap) else ""
    obj = f", objective {fmt(r.objective, 'EUR')}" if r.objective is not None else ""
    return f"{name}: {r.status.value}{obj}{gap}, {r.time_s:.1f} s ({r.backend})."


def sections(ev: PlanEvaluation) -> list[Section]:
    """The report as data: what both renderings show, in order."""
    kind, text = verdict(ev)
    out = [Section("verdict", "Verdict", [text], verdict=kind),
           Section("plan", "What the plan changes", bullets=_plan_bullets(ev))]
    t = _headline_table(ev)
    out.append(Section("headline", "Headline figures", tables=[t] if t else [],
                       paragraphs=[] if t else ["No headline table."]))
    has = ev.result.status.has_solution
    out.append(Section("map", "Map", map=True, paragraphs=[
        "Plots coloured by their designation in the plan (dark ring: designation differs from the baseline); "
        "arrows: firms that move from their current plot (faint: the baseline makes the same move); red crosses: "
        "firms displaced from their plot; hatched: terrains that become housing; bold: terrains the plan names."
        if has else
        f"The plan has no solution ({ev.result.status.value}), so the map shows the baseline solution, with the "
        "plan's terrains marked."]))
    t = _compensation_table(ev)
    out.append(Section("compensation", "Compensation per transformed terrain", tables=[t] if t else [],
                       paragraphs=[] if t else ["No terrain is transformed."]))
    t = _schuifruimte_table(ev)
    out.append(Section("schuifruimte", "Schuifruimte per region", tables=[t] if t else []))
    ts = [t for t in (_substation_table(ev), _nature_table(ev)) if t]
    out.append(Section("capacity", "Grid and nitrogen before and after", tables=ts))
    t = _corridor_table(ev)
    if t is not None:
        out.append(Section("corridors", "Freight corridors before and after", tables=[t]))
    ft = _firm_tables(ev)
    out.append(Section("firms", "Firms displaced, not placed or affected", tables=ft,
                       paragraphs=[] if ft else ["No firm is affected."]))
    t = _elastic_table(ev)
    if t is not None:
        out.append(Section("elastic", "What the plan lacks", tables=[t]))
    elif not ev.works:
        out.append(Section("elastic", "What the plan lacks", paragraphs=[
            "No elastic solve was made, so the additions that would make the plan work are not known."]))
    out += _decide_sections(ev)
    import revopt
    notes = [_solve_line("Baseline", ev.baseline), _solve_line("Plan", ev.result)]
    notes += [f"Why the plan has no solution: {r}" for r in ev.result.reasons]
    notes += list(ev.notes)
    notes += [
        "Baseline = the instance as it is; plan = the same instance with the plan applied. Both are solved "
        "exactly as `revopt solve` would.",
        "A firm is displaced when it has a current plot and is not placed; moved when it is placed on another "
        "plot; new firms have no current plot. Distances are straight lines between plot centres.",
        f"Schuifruimte = free floor space / total floor space of usable plots per region; norm "
        f"{fmt(ev.norm, 'share')}.",
        "Compensation: the floor space lost on a transformed terrain must be replaced by new space (planned "
        "terrains, intensification) within the instance's compensation radius, per work environment.",
        f"revopt {revopt.__version__}; the comparison tables are in comparison/*.csv next to this report.",
    ]
    out.append(Section("notes", "How to read this", bullets=notes))
    return out


def _network(ev: PlanEvaluation) -> pd.DataFrame | None:
    """Corridor edges with the load of the plan (of the baseline when the plan has no solution)."""
    res = ev.result if ev.result.solution is not None else ev.baseline
    return network_edges(ev.planned, res.solution)


def report_map(ev: PlanEvaluation, **kw: Any) -> str:
    """The SVG map of the report: the plan's solution, or the baseline when the plan has none."""
    hl = tuple(ev.plan.transform) + tuple(ev.plan.develop) + tuple(ev.plan.forbid_develop)
    kw.setdefault("width", 900)
    kw.setdefault("height", 620)
    net = _network(ev)
    if net is not None:
        kw.setdefault("network", net)
    if ev.result.status.has_solution:
        return plot_map(ev.planned, ev.result.solution, baseline_solution=ev.baseline.solution,
                        highlight_terrains=hl, **kw)
    return plot_map(ev.planned, None, baseline_solution=ev.baseline.solution if ev.baseline.solution else None,
                    highlight_terrains=hl, **kw)


# --------------------------------------------------------------------------- HTML

CSS = """
:root { --ink:#1f2328; --muted:#5f6770; --rule:#d8dde3; --ok:#1b7837; --bad:#b3261e; --band:#f4f6f8; }
* { box-sizing: border-box; }
body { font: 14px/1.45 "Segoe UI", "Helvetica Neue", Helvetica, Arial, sans-serif; color: var(--ink);
       margin: 0; background: #fff; }
main { max-width: 1000px; margin: 0 auto; padding: 28px 36px 40px; }
header { border-bottom: 3px solid var(--ink); padding-bottom: 10px; margin-bottom: 18px; }
header .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 11px; color: var(--muted); }
h1 { font-size: 26px; margin: 4px 0 4px; line-height: 1.2; }
header .meta { color: var(--muted); font-size: 13px; }
h2 { font-size: 17px; margin: 26px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--rule);
     break-after: avoid; page-break-after: avoid; }
p { margin: 6px 0; }
ul { margin: 6px 0; padding-left: 20px; }
.verdict { border-left: 6px solid var(--ok); background: #eef6ef; padding: 12px 16px; font-size: 15px;
           border-radius: 2px; }
.verdict.fail { border-left-color: var(--bad); background: #fbeeed; }
.verdict strong { display: block; font-size: 12px; text-transform: uppercase; letter-spacing: .06em;
                  color: var(--ok); margin-bottom: 2px; }
.verdict.fail strong { color: var(--bad); }
.verdict.warn { border-left-color: #b26a00; background: #fdf3e3; }
.verdict.warn strong { color: #8a5300; }
td.tick, td.state { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 4px; font-size: 12.5px; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; text-align: left; }
th { font-weight: 600; color: var(--muted); font-size: 11.5px; border-bottom: 1.5px solid var(--ink);
     white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.good { color: var(--ok); } td.bad { color: var(--bad); font-weight: 600; }
td.full { background: #fde2e0 !important; color: var(--bad); font-weight: 600; }
td.small { font-size: 11.5px; color: #3d444d; }
.caption { color: var(--muted); font-size: 11.5px; margin: 2px 0 10px; }
table.headline td:first-child { width: 46%; }
table.headline { font-size: 13px; }
.bar { display: inline-block; position: relative; width: 70px; height: 9px; background: #e9ecef;
       margin-left: 8px; vertical-align: middle; border-radius: 1px; }
.bar .fill { position: absolute; left: 0; top: 0; bottom: 0; background: #4a90c2; }
.bar .fill.low { background: var(--bad); }
.bar .norm { position: absolute; top: -3px; bottom: -3px; width: 2px; background: var(--ink); }
figure { margin: 8px 0; } figure svg { width: 100%; height: auto; display: block; border: 1px solid var(--rule); }
.legend-w { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
footer { margin-top: 26px; color: var(--muted); font-size: 11.5px; border-top: 1px solid var(--rule);
         padding-top: 8px; }
section.s-notes li { font-size: 12.5px; color: #3d444d; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  main { max-width: none; padding: 0; }
  body { font-size: 11px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  table { font-size: 10px; } th { font-size: 9.5px; }
  h2 { margin-top: 16px; }
  section.s-map { break-before: page; page-break-before: always; }
  figure svg { border: none; }
}
"""


def _html_table(t: Table) -> str:
    cls = f' class="{t.key}"'
    out = [f'<table id="t-{escape(t.key)}"{cls}><thead><tr>']
    for i, h in enumerate(t.header):
        out.append(f'<th class="num">{escape(h)}</th>' if i in t.num_cols else f"<th>{escape(h)}</th>")
    out.append("</tr></thead><tbody>")
    for row in t.rows:
        out.append("<tr>")
        for i, c in enumerate(row):
            classes = " ".join(x for x in ("num" if (c.num or i in t.num_cols) else "", c.cls) if x)
            attr = f' class="{classes}"' if classes else ""
            out.append(f"<td{attr}>{c.html if c.html is not None else escape(c.text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    if t.caption:
        out.append(f'<p class="caption">{escape(t.caption)}</p>')
    return "".join(out)


def _title(ev: PlanEvaluation) -> str:
    return f"Relocation plan: {ev.plan.name}"


def render_html(ev: PlanEvaluation, *, generated: _dt.date | None = None, map_svg: str | None = None) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG, no scripts), A4 print-friendly.

    ``map_svg`` reuses a map already drawn (:func:`report_map`)."""
    day = (generated or _dt.date.today()).isoformat()
    svg = map_svg if map_svg is not None else report_map(ev)
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{escape(_title(ev))}</title>", f"<style>{CSS}</style>", "</head>", "<body>", "<main>",
           "<header>", '<div class="kicker">revopt · plan evaluation</div>',
           f"<h1>{escape(_title(ev))}</h1>",
           f'<div class="meta">Instance <b>{escape(ev.instance.name)}</b> · {escape(day)} · plan status '
           f"<b>{escape(ev.result.status.value)}</b></div>", "</header>"]
    for s in sections(ev):
        out.append(f'<section class="s-{s.key}" id="{s.key}">')
        if s.key == "verdict":
            word = VERDICT_WORDS[s.verdict]
            out.append(f'<div class="verdict {s.verdict}"><strong>Verdict: {word}</strong>'
                       f"{escape(s.paragraphs[0])}</div>")
            out.append("</section>")
            continue
        out.append(f"<h2>{escape(s.title)}</h2>")
        for p in s.paragraphs:
            out.append(f"<p>{escape(p)}</p>")
        if s.map:
            out.append(f"<figure>{svg}</figure>")
        if s.bullets:
            out.append("<ul>" + "".join(f"<li>{escape(b)}</li>" for b in s.bullets) + "</ul>")
        for t in s.tables:
            out.append(_html_table(t))
        out.append("</section>")
    out += [f"<footer>Made with revopt from the comparison tables of docs/plans.md. {escape(day)}.</footer>",
            "</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- Markdown


def _md(text: str) -> str:
    return escape(str(text), quote=False).replace("|", "\\|").replace("\n", " ")


def _md_table(t: Table) -> str:
    lines = ["| " + " | ".join(_md(h) for h in t.header) + " |",
             "|" + "|".join("---:" if i in t.num_cols else "---" for i in range(len(t.header))) + "|"]
    for row in t.rows:
        lines.append("| " + " | ".join(_md(c.text) for c in row) + " |")
    if t.caption:
        lines += ["", f"*{_md(t.caption)}*"]
    return "\n".join(lines)


def render_markdown(ev: PlanEvaluation, *, generated: _dt.date | None = None,
                    map_href: str | None = MAP_FILE) -> str:
    """The report as Markdown: the same sections and tables as :func:`render_html`; the map
    as an image link to ``map_href`` (the SVG that :func:`write_report` writes next to it),
    or a pointer to report.html when ``map_href`` is None."""
    day = (generated or _dt.date.today()).isoformat()
    out = [f"# {_md(_title(ev))}", "",
           f"Instance **{_md(ev.instance.name)}** · {day} · plan status **{ev.result.status.value}**", ""]
    for s in sections(ev):
        if s.key == "verdict":
            out += [f"> **Verdict: {VERDICT_WORDS[s.verdict]}.** {_md(s.paragraphs[0])}", ""]
            continue
        out += [f"## {_md(s.title)}", ""]
        for p in s.paragraphs:
            out += [_md(p), ""]
        if s.map:
            out += [f"![Map of the plan]({map_href})" if map_href else "The map is in report.html.", ""]
        for b in s.bullets:
            out.append(f"- {_md(b)}")
        if s.bullets:
            out.append("")
        for t in s.tables:
            out += [_md_table(t), ""]
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- files


def write_report(ev: PlanEvaluation, directory: str | Path, *, generated: _dt.date | None = None) -> dict[str, Path]:
    """Write report.html, report.md and the map (report-map.svg) into ``directory``, each atomically;
    everything is rendered before the first file is written."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    svg = report_map(ev)
    texts = {"report.html": render_html(ev, generated=generated, map_svg=svg),
             "report.md": render_markdown(ev, generated=generated),
             MAP_FILE: '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"}
    paths = {}
    for name, text in texts.items():
        paths[name] = write_text_atomically(d / name, text)
    return paths


__all__ = ["render_html", "render_markdown", "write_report", "report_map", "sections", "verdict", "fmt"]
