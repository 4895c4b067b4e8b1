"""An SVG map of how often each plot gets each designation across near-optimal alternatives.

Plain SVG text, no plotting library. Each plot is a square at its RD New coordinates, split
into one horizontal band per werkmilieu it gets in some alternative, the band as tall as the
share of alternatives that give the plot that werkmilieu (colours of
:data:`revopt.results.maps.WERKMILIEU_COLOURS`); the rest of the square is grey (not designated).
A plot that gets the same designation in every alternative is a robust choice: a full square
with a dark outline. Planned terrains are labelled with the share of alternatives that
develop them.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import numpy as np
import pandas as pd

from ..data.instance import Instance
from ..data.vocab import WERKMILIEUS
from ..results.maps import FONT, UNDESIGNATED, WERKMILIEU_COLOURS

#: RD New metres -> drawing pixels
Pixels = Callable[[float, float], tuple[float, float]]


def frequency_map(instance: Instance, frequency: pd.DataFrame, n_solutions: int, *, title: str | None = None,
                  width: int = 900, height: int = 640) -> str:
    """The SVG text; ``frequency`` is :func:`revopt.decide.alternatives.frequency_table`'s table."""
    plots = instance.plots[["plot_id", "terrain_id", "x", "y"]].reset_index(drop=True)
    des = frequency[frequency["kind"] == "designation"]
    share = {(p, w): float(s) for p, w, s in zip(des["subject"], des["choice"], des["share"])}
    legend_h, title_h, margin = 60, 26 if title else 0, 30
    xs, ys = plots["x"].to_numpy(float), plots["y"].to_numpy(float)
    if len(xs) == 0:
        xs, ys = np.zeros(1), np.zeros(1)
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    w_px, h_px = width - 2 * margin, height - legend_h - title_h - 2 * margin
    scale = min(w_px / max(x1 - x0, 1.0), h_px / max(y1 - y0, 1.0))
    ox = margin + (w_px - (x1 - x0) * scale) / 2
    oy = title_h + margin + (h_px - (y1 - y0) * scale) / 2

    def px(x: float, y: float) -> tuple[float, float]:
        return ox + (x - x0) * scale, oy + (y1 - y) * scale

    side = 10.0 if len(plots) < 400 else 5.0
    label = escape(title or "designation frequency")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" font-family="{FONT}" role="img" aria-label="{label}">',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#FFFFFF"/>']
    if title:
        out.append(f'<text x="{margin}" y="{margin - 6 + title_h / 2}" font-size="15" font-weight="bold">'
                   f"{escape(title)}</text>")
    out += _plot_squares(plots, share, px, side)
    out += _terrain_labels(instance, plots, frequency, px, side)
    out.append(_legend(width, height - legend_h + 12, n_solutions))
    out.append("</svg>")
    return "\n".join(out)


def _plot_squares(plots: pd.DataFrame, share: dict[tuple[str, str], float], px: Pixels, side: float) -> list[str]:
    out = ['<g class="plots">']
    for pid, x, y in zip(plots["plot_id"], plots["x"], plots["y"]):
        cx, cy = px(float(x), float(y))
        left, top = cx - side / 2, cy - side / 2
        out.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{side}" height="{side}" fill="{UNDESIGNATED}"/>')
        shares = [(w, share.get((pid, w), 0.0)) for w in WERKMILIEUS]
        y_at = top
        for w, s in shares:
            if s <= 0:
                continue
            h = side * s
            out.append(f'<rect x="{left:.1f}" y="{y_at:.2f}" width="{side}" height="{h:.2f}" '
                       f'fill="{WERKMILIEU_COLOURS[w]}"><title>{escape(str(pid))}: {escape(w)} in '
                       f'{100 * s:.0f} %</title></rect>')
            y_at += h
        robust = any(s >= 1.0 - 1e-9 for _, s in shares)
        stroke = "#111" if robust else "#777"
        out.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{side}" height="{side}" fill="none" '
                   f'stroke="{stroke}" stroke-width="{1.4 if robust else 0.5}"/>')
    out.append("</g>")
    return out


def _terrain_labels(instance: Instance, plots: pd.DataFrame, frequency: pd.DataFrame, px: Pixels,
                    side: float) -> list[str]:
    dev = frequency[(frequency["kind"] == "development") & (frequency["choice"] == "developed")]
    developed = dict(zip(dev["subject"], dev["share"]))
    planned = instance.terrains[instance.terrains["status"] == "planned"]
    out = ['<g class="labels" font-size="11">']
    for tid, name in zip(planned["terrain_id"], planned["name"]):
        on = plots[plots["terrain_id"] == tid]
        if on.empty:
            continue
        cx, cy = px(float(on["x"].mean()), float(on["y"].max()))
        text = f"{name}: developed in {100 * float(developed.get(tid, 0.0)):.0f} %"
        out.append(f'<text x="{cx:.1f}" y="{cy - side:.1f}" text-anchor="middle" fill="#1B7837" '
                   f'font-weight="bold">{escape(text)}</text>')
    out.append("</g>")
    return out


def _legend(width: int, top: float, n_solutions: int) -> str:
    items, x = [], 30.0
    for w in WERKMILIEUS:
        items.append(f'<rect x="{x}" y="{top}" width="10" height="10" fill="{WERKMILIEU_COLOURS[w]}"/>'
                     f'<text x="{x + 14}" y="{top + 9}" font-size="11">{w}</text>')
        x += 110
    items.append(f'<rect x="{x}" y="{top}" width="10" height="10" fill="{UNDESIGNATED}"/>'
                 f'<text x="{x + 14}" y="{top + 9}" font-size="11">not designated</text>')
    note = (f"band height = share of the {n_solutions} alternatives giving the plot that werkmilieu; "
            "dark outline = the same designation in all (robust)")
    items.append(f'<text x="30" y="{top + 30}" font-size="11" fill="#333">{escape(note)}</text>')
    return '<g class="legend">' + "".join(items) + "</g>"


__all__ = ["frequency_map"]
