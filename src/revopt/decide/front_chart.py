"""An SVG chart of a trade-off front: the first objective (y) against the second (x), points joined
in the order of the second, each labelled with its point number. Plain SVG text, no plotting
library. With more than two objectives only the first two are drawn, and the chart says so.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from ..results.maps import FONT, axis_label, axis_ticks


def front_chart(front: pd.DataFrame, objectives: list[str], units: dict[str, str], *, title: str | None = None,
                width: int = 720, height: int = 480) -> str:
    """The SVG text of ``front`` (front.csv's table: ``point`` and one column per objective)."""
    yname, xname = objectives[0], objectives[1]
    xs, ys = front[xname].to_numpy(float), front[yname].to_numpy(float)
    left, right, top, bottom = 96, 24, 40 if title else 20, 64 + (18 if len(objectives) > 2 else 0)
    pw, ph = width - left - right, height - top - bottom
    if len(xs) == 0:
        xs, ys = np.zeros(1), np.zeros(1)
    x0, x1 = float(xs.min()), float(xs.max())
    y0, y1 = float(ys.min()), float(ys.max())
    padx, pady = max((x1 - x0) * 0.06, 0.5), max((y1 - y0) * 0.08, abs(y1) * 1e-4, 1.0)
    x0, x1, y0, y1 = x0 - padx, x1 + padx, y0 - pady, y1 + pady

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return top + (y1 - y) / (y1 - y0) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" font-family="{FONT}" font-size="11" role="img" '
           f'aria-label="{escape(title or "trade-off front")}">',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#FFFFFF"/>']
    if title:
        out.append(f'<text x="{left}" y="22" font-size="14" font-weight="bold">{escape(title)}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
    for t in axis_ticks(x0, x1):
        out.append(f'<line x1="{px(t):.1f}" y1="{top + ph}" x2="{px(t):.1f}" y2="{top + ph + 4}" stroke="#555"/>'
                   f'<text x="{px(t):.1f}" y="{top + ph + 16}" text-anchor="middle">{axis_label(t)}</text>')
    for t in axis_ticks(y0, y1):
        out.append(f'<line x1="{left - 4}" y1="{py(t):.1f}" x2="{left}" y2="{py(t):.1f}" stroke="#555"/>'
                   f'<text x="{left - 6}" y="{py(t) + 4:.1f}" text-anchor="end">{axis_label(t)}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{top + ph + 36}" text-anchor="middle">'
               f'{escape(xname)} ({escape(units.get(xname, ""))})</text>')
    out.append(f'<text x="16" y="{top + ph / 2}" text-anchor="middle" transform="rotate(-90 16 {top + ph / 2})">'
               f'{escape(yname)} ({escape(units.get(yname, ""))})</text>')
    order = np.argsort(front[xname].to_numpy(float), kind="stable")
    if len(front):
        path = " ".join(f"{'M' if i == 0 else 'L'}{px(xs[j]):.1f} {py(ys[j]):.1f}" for i, j in enumerate(order))
        out.append(f'<path d="{path}" fill="none" stroke="#0072B2" stroke-width="1.5"/>')
    for p, x, y in zip(front["point"], xs, ys):
        out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="4" fill="#0072B2"><title>point {p}: '
                   f'{escape(xname)} {x:.6g}, {escape(yname)} {y:.6g}</title></circle>'
                   f'<text x="{px(x) + 6:.1f}" y="{py(y) - 6:.1f}" fill="#333">{p}</text>')
    if len(objectives) > 2:
        out.append(f'<text x="{left}" y="{height - 8}" fill="#333">{len(objectives)} objectives: only the first two '
                   f'are drawn; front.csv has them all</text>')
    out.append("</svg>")
    return "\n".join(out)


__all__ = ["front_chart"]
