"""The explain report: a chart of the marginal values (inline SVG, no plotting library), the
tables, and for an infeasible instance the conflict in words."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .conflict import Conflict
from .marginal import MarginalValues

BAR_W, ROW_H, LABEL_W = 300, 22, 260


def _eur(v: float) -> str:
    return "" if v is None or not np.isfinite(v) else f"{v:,.0f}"


def _length(v: float) -> float:
    """Bar length before scaling: log10(1 + |v|), so that EUR per m2 and EUR per MW both show."""
    return float(np.log10(1.0 + abs(v)))


def marginal_chart(table: pd.DataFrame, top: int = 10) -> str:
    """Horizontal bars: EUR per unit for a step up (green) and a step down (red), per resource,
    largest first, labelled with the value and the unit; the bar length is logarithmic (units
    differ by orders of magnitude: EUR per m2, per MW, per mol)."""
    t = table.copy()
    t["size"] = np.fmax(t["per_unit_up"].abs().fillna(0), t["per_unit_down"].abs().fillna(0))
    t = t.sort_values("size", ascending=False, kind="stable").head(top)
    scale = _length(float(t["size"].max())) if len(t) and t["size"].max() > 0 else 1.0
    mid = LABEL_W + BAR_W
    height = ROW_H * 2 * len(t) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{LABEL_W + 2 * BAR_W + 150}" height="{height}" '
             'font-family="sans-serif" font-size="12">',
             f'<line x1="{mid}" y1="20" x2="{mid}" y2="{height - 10}" stroke="#444"/>',
             f'<text x="{mid}" y="14" text-anchor="middle">EUR per unit (green: a step up, red: a step down; '
             'bar length on a log scale)</text>']
    for i, r in enumerate(t.itertuples(index=False)):
        y = 24 + 2 * ROW_H * i
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + ROW_H}" text-anchor="end">'
                     f'{html.escape(f"{r.resource} {r.id}")} (per {html.escape(r.unit)})</text>')
        for j, (v, colour) in enumerate(((r.per_unit_up, "#2a9d4b"), (r.per_unit_down, "#c0392b"))):
            if not np.isfinite(v):
                continue
            w = _length(v) / scale * BAR_W
            x = mid if v >= 0 else mid - w
            yy = y + j * ROW_H + 3
            parts.append(f'<rect x="{x:.1f}" y="{yy}" width="{max(w, 0.5):.1f}" height="{ROW_H - 6}" fill="{colour}"/>')
            tx = mid + w + 4 if v >= 0 else mid - w - 4
            anchor = "start" if v >= 0 else "end"
            parts.append(f'<text x="{tx:.1f}" y="{yy + ROW_H - 9}" text-anchor="{anchor}">{_eur(v)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _table_html(df: pd.DataFrame) -> str:
    return df.to_html(index=False, na_rep="", border=0, classes="t",
                      float_format=lambda v: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.4g}")


def marginal_section(mv: MarginalValues, top: int = 10) -> str:
    """The marginal values as a report section (chart, table, what they mean)."""
    out = ["<h2>Marginal values</h2>",
           "<p>Each value is the change of the optimum (EUR) when one capacity is raised or lowered by the step "
           "and the instance is solved again, integer decisions included. <code>fixed_lp_dual</code> is the "
           "fixed-LP dual (firms and designations kept where they are): valid for this allocation only, and only "
           "where a continuous column is free (compensation credits); empty where it is 0 by construction.</p>"]
    if len(mv.table):
        out += [marginal_chart(mv.table, top), _table_html(mv.table)]
        out.append("<h3>How each number was obtained</h3>" + _table_html(mv.details))
    else:
        out.append("<p>No binding or nearly binding resource.</p>")
    out += [f"<p>{html.escape(n)}</p>" for n in mv.notes]
    return "\n".join(out)


def conflict_section(c: Conflict) -> str:
    """The conflict as a report section: the paragraph and the rows."""
    out = ["<h2>Why it fails</h2>", f"<p>{html.escape(c.paragraph)}</p>"]
    if len(c.table):
        out.append(_table_html(c.table))
    out.append(f"<p>Found by: {html.escape(c.status)}; {c.seconds:.1f} s.</p>")
    return "\n".join(out)


def page(title: str, sections: list[str]) -> str:
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
             "table.t{border-collapse:collapse;font-size:12px}table.t td,table.t th{padding:2px 8px;"
             "border-bottom:1px solid #ddd;text-align:right}table.t td:nth-child(-n+2){text-align:left}")
    return (f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1>\n" + "\n".join(sections)
            + "\n</body></html>\n")
