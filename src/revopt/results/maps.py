"""A dependency-free SVG map of a solution: plots by designation, terrains, moves, nature areas.

The map is plain SVG text, so a report that inlines it stays one self-contained file
that prints well. Coordinates are RD New metres (x east, y north); the map is fitted to
the drawing with a margin, has a scale bar in km and a north arrow, and a legend below.

What is drawn, bottom to top:

- an optional transport ``network`` (edges coloured by mode, width by load);
- terrains: the convex hull of their plots, padded, labelled with the name;
  ``transform`` terrains hatched red ("to housing"), planned terrains that are
  developed dashed green, planned terrains not developed (or ``develop`` =
  ``forbidden``) grey;
- plots as squares sized by sqrt(area) (never smaller than a few pixels), filled
  with the colour of their designation (Okabe-Ito, colour-blind safe; grey when
  undesignated); a plot whose designation differs from ``baseline_solution`` gets
  a dark ring;
- moves as thin arrows from the current plot to the new plot (faint when
  ``baseline_solution`` makes the same move, so the moves the plan causes stand out); displaced firms
  (a current plot, not placed) as a red cross at their old plot;
- Natura 2000 areas as labelled triangles at their centroid.

Large instances stay small: above ``max_plot_squares`` plots the plots are drawn as
dots, one ``<path>`` per designation, and at most ``max_moves`` arrows are drawn
(the largest firms by floor space).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd

from ..data.instance import Instance
from .solution import Solution

WERKMILIEU_COLOURS = {            # Okabe-Ito palette
    "industrieel": "#CC79A7",     # reddish purple, as industry in Dutch zoning plans
    "productie": "#0072B2",       # blue
    "innovatie": "#009E73",       # bluish green
    "stedelijk": "#E69F00",       # orange
}
UNDESIGNATED = "#BDBDBD"
TRANSFORM_RED = "#C0392B"
NEW_GREEN = "#1B7837"
NATURE_GREEN = "#2E7D32"
MODE_COLOURS = {"water": "#1F78B4", "rail": "#333333", "road": "#9E9E9E"}
FONT = "Helvetica, Arial, sans-serif"


def axis_label(v: float) -> str:
    """A chart axis label: 4 significant digits; from 10,000 up in k, M or bn."""
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.4g} bn"
    if a >= 1e6:
        return f"{v / 1e6:.4g} M"
    if a >= 1e4:
        return f"{v / 1e3:.4g}k"
    return f"{v:.4g}"


def axis_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) in [lo, hi]."""
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** np.floor(np.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = np.ceil(lo / step) * step
    return [float(v) for v in np.arange(first, hi + step * 1e-9, step)]


@dataclass(frozen=True)
class _Frame:
    """Maps RD New metres to drawing pixels (y flipped)."""

    x0: float
    y1: float
    scale: float      # px per metre
    ox: float
    oy: float

    def __call__(self, x: float, y: float) -> tuple[float, float]:
        return self.ox + (x - self.x0) * self.scale, self.oy + (self.y1 - y) * self.scale


def _fit(xs: list[float], ys: list[float], left: float, top: float, w: float, h: float) -> _Frame:
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    dx, dy = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    scale = min(w / dx, h / dy)
    ox = left + (w - dx * scale) / 2
    oy = top + (h - dy * scale) / 2
    return _Frame(x0, y1, scale, ox, oy)


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull (Andrew's monotone chain), counter-clockwise."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _nice_km(target_km: float) -> float:
    for v in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500):
        if v >= target_km:
            return v
    return 1000.0


class _LabelPlacer:
    """Puts each terrain label above its hull, else below, left or right of it, inside the map
    and clear of the labels already placed (greedy; a label that fits nowhere goes above)."""

    def __init__(self, left: float, right: float, top: float, bottom: float) -> None:
        self.box = (left, right, top, bottom)
        self.taken: list[tuple[float, float, float, float]] = []

    def place(self, text: str, hull: list[tuple[float, float]], *, bold: bool = False) -> tuple[float, float]:
        w = len(text) * (6.6 if bold else 6.0) + 4
        h = 12.0
        xs, ys = [p[0] for p in hull], [p[1] for p in hull]
        cx = (min(xs) + max(xs)) / 2
        left, right, top, bottom = self.box
        options = [(cx, min(ys) - 4), (cx, max(ys) + 13), (min(xs) - 4 - w / 2, (min(ys) + max(ys)) / 2 + 4),
                   (max(xs) + 4 + w / 2, (min(ys) + max(ys)) / 2 + 4), (cx, min(ys) - 17), (cx, max(ys) + 26)]
        first = None
        for x, y in options:
            x = min(max(x, left + w / 2), right - w / 2)
            y = min(max(y, top + h), bottom)
            r = (x - w / 2, x + w / 2, y - h + 2, y + 2)
            if first is None:
                first = (x, y, r)
            if not any(r[0] < o[1] and o[0] < r[1] and r[2] < o[3] and o[2] < r[3] for o in self.taken):
                self.taken.append(r)
                return x, y
        self.taken.append(first[2])
        return first[0], first[1]


def derive_moves(instance: Instance, solution: Solution) -> pd.DataFrame:
    """The firms of ``instance`` whose plot in ``solution`` differs from their current plot:
    firm_id, from_plot, to_plot (empty when displaced), floor_space_m2."""
    f = instance.firms[["firm_id", "current_plot", "floor_space_m2"]]
    f = f[f["current_plot"].fillna("") != ""]
    a = solution.assignments.set_index("firm_id")["plot_id"]
    to = f["firm_id"].map(a).fillna("")
    out = pd.DataFrame({"firm_id": f["firm_id"].values, "from_plot": f["current_plot"].values,
                        "to_plot": to.values, "floor_space_m2": f["floor_space_m2"].values})
    return out[out["from_plot"] != out["to_plot"]].reset_index(drop=True)


def plot_map(instance: Instance, solution: Solution | None = None, *,
             baseline_solution: Solution | None = None,
             highlight_terrains: Iterable[str] = (),
             moves: pd.DataFrame | None = None,
             network: pd.DataFrame | None = None,
             network_nodes: pd.DataFrame | None = None, fit_network: bool = False,
             title: str | None = None,
             width: int = 900, height: int = 640,
             max_plot_squares: int = 5000, max_moves: int = 400,
             max_labels: int = 60) -> str:
    """The SVG text of a map of ``instance`` with the decisions of ``solution``.

    - ``solution``: designations, developed terrains and moves come from it; None draws
      the instance alone (plots coloured by ``baseline_solution``'s designation when
      given, else by their current werkmilieu), without moves.
    - ``baseline_solution``: plots whose designation differs from it get a dark ring.
    - ``highlight_terrains``: terrain ids drawn with a thicker outline and a bold label
      (e.g. the terrains a plan transforms or develops).
    - ``moves``: firm_id, from_plot, to_plot (empty = displaced), optional
      floor_space_m2; None derives them from ``solution`` (:func:`derive_moves`); an
      empty frame draws none.
    - ``network``: edges with x1, y1, x2, y2, mode (road|rail|water), load_kt,
      capacity_kt, drawn underneath; ``network_nodes``: x, y, kind, name. The map is fitted to
      the plots and nature areas and the network clipped to it (edges to far seaports leave the
      frame), unless ``fit_network``, which fits the whole network.
    - ``width`` x ``height`` pixels, legend included; the map keeps its aspect ratio.
    """
    has_network = network is not None and not network.empty
    plots = _designated_plots(instance, solution, baseline_solution)
    cv = _canvas(instance, plots, network if has_network else None, fit_network, title, width, height)
    as_dots = len(plots) > max_plot_squares
    px = [cv.frame(x, y) for x, y in zip(plots["x"], plots["y"])]
    half = _half_sides(plots, cv.frame.scale) if not as_dots else pd.Series(1.2, index=plots.index)
    out = _svg_head(cv, title)
    if has_network:
        out += _network_layer(cv.frame, network, network_nodes)
    terrains, labels = _terrain_layer(cv, plots, px, half, _developed(solution, baseline_solution),
                                      set(highlight_terrains), max_labels)
    out += terrains
    out += _plot_layer(plots, px, half, as_dots)
    if moves is None and solution is not None:
        moves = derive_moves(instance, solution)
    n_arrows = 0
    if moves is not None and not moves.empty:
        same_as = baseline_solution if solution is not None else None
        arrows, n_arrows = _move_layers(cv.frame, plots, moves, same_as, max_moves)
        out += arrows
    out.append('<g class="labels">' + "".join(labels) + "</g>")
    out += _nature_layer(cv.frame, instance.nature_areas)
    out += _scale_and_north(cv)
    out.append(_legend(width, height - cv.legend_h, has_network))
    out.append(f"<!-- plots: {len(plots)}, arrows: {n_arrows} -->")
    out.append("</svg>")
    return "\n".join(out)


@dataclass(frozen=True)
class _Canvas:
    """The drawing's size, its bands (title above, legend below) and the map frame between."""

    width: int
    height: int
    title_h: float
    legend_h: float
    frame: _Frame
    margin: float = 28


def _designated_plots(instance: Instance, solution: Solution | None,
                      baseline_solution: Solution | None) -> pd.DataFrame:
    """The plots with their terrain's name, status (and develop), the werkmilieu to colour them by
    (``w``), whether they lie on a transform terrain and whether their designation differs from
    ``baseline_solution`` (``changed``)."""
    plots = instance.plots.merge(instance.terrains[["terrain_id", "name", "status"]
                                                   + [c for c in ("develop",) if c in instance.terrains]],
                                 on="terrain_id", how="left")
    design_src = solution if solution is not None else baseline_solution
    if design_src is not None and not design_src.plots.empty:
        des = design_src.plots.set_index("plot_id")["werkmilieu"]
        plots["w"] = plots["plot_id"].map(des).fillna("")
    else:
        plots["w"] = plots["current_werkmilieu"].fillna("")
    transform = plots["status"] == "transform"
    plots.loc[transform, "w"] = plots.loc[transform, "current_werkmilieu"].fillna("")
    changed = pd.Series(False, index=plots.index)
    if solution is not None and baseline_solution is not None and not baseline_solution.plots.empty:
        b = plots["plot_id"].map(baseline_solution.plots.set_index("plot_id")["werkmilieu"]).fillna("")
        changed = (b != plots["w"]) & ~transform
    plots["transform"] = transform
    plots["changed"] = changed
    return plots


def _developed(solution: Solution | None, baseline_solution: Solution | None) -> set[str]:
    """The terrains developed in ``solution`` (else in ``baseline_solution``)."""
    design_src = solution if solution is not None else baseline_solution
    if design_src is None or design_src.terrains.empty:
        return set()
    t = design_src.terrains
    return set(t.loc[t["developed"].astype(bool), "terrain_id"])


def _canvas(instance: Instance, plots: pd.DataFrame, network: pd.DataFrame | None, fit_network: bool,
            title: str | None, width: int, height: int) -> _Canvas:
    """Fit the plots and nature areas (and the network when asked, or when there is nothing else)
    between the title and the legend."""
    legend_h = (64 if network is None else 84) + (40 if width < 860 else 0)
    title_h = 26 if title else 0
    margin = _Canvas.margin
    xs = list(plots["x"]) + list(instance.nature_areas["x"])
    ys = list(plots["y"]) + list(instance.nature_areas["y"])
    if network is not None and (fit_network or not xs):
        xs += list(network["x1"]) + list(network["x2"])
        ys += list(network["y1"]) + list(network["y2"])
    if not xs:
        xs, ys = [0.0], [0.0]
    fr = _fit(xs, ys, margin, title_h + margin, width - 2 * margin, height - legend_h - title_h - 2 * margin)
    return _Canvas(width, height, title_h, legend_h, fr)


def _half_sides(plots: pd.DataFrame, scale: float) -> pd.Series:
    """Half the side of each plot's square in pixels: sqrt(area), exaggerated so that the median
    plot is visible, between 1.25 and 5.5."""
    side = plots["area_m2"].clip(lower=1.0).pow(0.5) * scale
    med = float(side.median()) if len(side) else 1.0
    k = max(1.0, 8.0 / med) if med > 0 else 1.0
    return (side * k).clip(lower=2.5, upper=11.0) / 2


def _svg_head(cv: _Canvas, title: str | None) -> list[str]:
    """The svg element, the shared definitions (hatch, arrow head, clip frame), the background, the title."""
    width, height, margin, title_h = cv.width, cv.height, cv.margin, cv.title_h
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" font-family="{FONT}" role="img" aria-label="{escape(title or "map")}">',
        "<defs>",
        f'<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#FBE9E7"/><line x1="0" y1="0" x2="0" y2="6" stroke="{TRANSFORM_RED}" '
        f'stroke-width="1.6"/></pattern>',
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" '
        'orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#222"/></marker>',
        f'<clipPath id="frame"><rect x="{margin / 2}" y="{title_h + margin / 2}" width="{width - margin}" '
        f'height="{height - cv.legend_h - title_h - margin}"/></clipPath>',
        "</defs>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#FFFFFF"/>',
    ]
    if title:
        out.append(f'<text x="{margin}" y="{margin - 6 + title_h / 2}" font-size="15" font-weight="bold" '
                   f'fill="#222">{escape(title)}</text>')
    return out


def _network_layer(fr: _Frame, network: pd.DataFrame, network_nodes: pd.DataFrame | None) -> list[str]:
    """The transport network underneath: edges coloured by mode, width by load (area ~ load), full
    edges darker; the named nodes as small circles."""
    out = ['<g class="network" stroke-linecap="round" clip-path="url(#frame)">']
    peak = max(float(pd.to_numeric(network.get("load_kt"), errors="coerce").fillna(0).max()), 1e-9)
    for e in network.itertuples(index=False):
        (a, b), (c, d) = fr(e.x1, e.y1), fr(e.x2, e.y2)
        load = float(getattr(e, "load_kt", 0) or 0)
        cap = getattr(e, "capacity_kt", None)
        full = cap is not None and not pd.isna(cap) and float(cap) > 0 and load >= 0.999 * float(cap)
        w = 0.8 + 6.0 * math.sqrt(max(load, 0.0) / peak if not math.isnan(load) else 0.0)  # area ~ load
        opacity = 0.9 if full else (0.7 if load > 0 else 0.35)
        colour = MODE_COLOURS.get(str(e.mode), "#9E9E9E")
        dash = ' stroke-dasharray="6 3"' if str(e.mode) == "rail" else ""
        out.append(f'<line class="edge" x1="{_f(a)}" y1="{_f(b)}" x2="{_f(c)}" y2="{_f(d)}" stroke="{colour}" '
                   f'stroke-width="{w:.1f}" stroke-opacity="{opacity}"{dash}>'
                   f'<title>{escape(str(e.mode))}: {load:,.0f} kt'
                   + (f" of {float(cap):,.0f} kt" if cap is not None and not pd.isna(cap) else "")
                   + "</title></line>")
    if network_nodes is not None and not network_nodes.empty:
        for n in network_nodes.itertuples(index=False):
            a, b = fr(n.x, n.y)
            out.append(f'<circle cx="{_f(a)}" cy="{_f(b)}" r="3" fill="#FFF" stroke="#333" stroke-width="1">'
                       f'<title>{escape(str(getattr(n, "name", "")))} ({escape(str(n.kind))})</title></circle>')
    out.append("</g>")
    return out


def _terrain_style(status: str, developed: bool, sw: float) -> tuple[str, str]:
    """The outline style of a terrain and the tag after its name, by status."""
    if status == "transform":
        return f'fill="url(#hatch)" stroke="{TRANSFORM_RED}" stroke-width="{sw}"', " → housing"
    if status == "planned" and developed:
        return (f'fill="#E8F5E9" fill-opacity="0.6" stroke="{NEW_GREEN}" stroke-width="{sw}" '
                f'stroke-dasharray="5 3"'), " (new)"
    if status == "planned":
        return (f'fill="#EEEEEE" stroke="#9E9E9E" stroke-width="{sw}" stroke-dasharray="2 3"',
                " (not developed)")
    return f'fill="#F5F5F5" stroke="#616161" stroke-width="{sw}"', ""


def _terrain_layer(cv: _Canvas, plots: pd.DataFrame, px: list[tuple[float, float]], half: pd.Series,
                   developed: set[str], highlight: set[str], max_labels: int) -> tuple[list[str], list[str]]:
    """Each terrain as the padded hull of its plots, styled by status; and the labels (drawn later,
    above the moves), placed clear of each other: all of them up to ``max_labels`` terrains, else
    only the highlighted ones."""
    n_terrains = plots["terrain_id"].nunique()
    labels: list[str] = []
    placer = _LabelPlacer(cv.margin / 2, cv.width - cv.margin / 2, cv.title_h + 4, cv.height - cv.legend_h - 4)
    out = ['<g class="terrains">']
    for tid, g in plots.groupby("terrain_id", sort=True):
        status = g["status"].iloc[0]
        name = str(g["name"].iloc[0]) if not pd.isna(g["name"].iloc[0]) else str(tid)
        forbidden = "develop" in g and str(g["develop"].iloc[0]) == "forbidden"
        pad = 5.0
        corners = [(px[i][0] + sx * (half[i] + pad), px[i][1] + sy * (half[i] + pad))
                   for i in g.index for sx in (-1, 1) for sy in (-1, 1)]
        hull = _hull(corners)
        pts = " ".join(f"{_f(a)},{_f(b)}" for a, b in hull)
        hl = tid in highlight
        style, tag = _terrain_style(status, tid in developed and not forbidden, 2.4 if hl else 1.1)
        out.append(f'<polygon class="terrain" data-id="{escape(str(tid))}" points="{pts}" {style} '
                   f'stroke-linejoin="round"><title>{escape(name + tag)}</title></polygon>')
        if hl or n_terrains <= max_labels:
            colour = TRANSFORM_RED if status == "transform" else (NEW_GREEN if tag == " (new)" else "#333")
            lx, ly = placer.place(name + tag, hull, bold=hl)
            labels.append(f'<text x="{_f(lx)}" y="{_f(ly)}" text-anchor="middle" font-size="11" '
                          f'font-weight="{"bold" if hl else "normal"}" fill="{colour}" stroke="#FFF" '
                          f'stroke-width="3" paint-order="stroke">{escape(name + tag)}</text>')
    out.append("</g>")
    return out, labels


def _plot_layer(plots: pd.DataFrame, px: list[tuple[float, float]], half: pd.Series, as_dots: bool) -> list[str]:
    """Plots as squares filled by designation (faded on transform terrains, ringed where the
    designation changed); above ``max_plot_squares`` as dots, one path per colour."""
    out = ['<g class="plots">']
    colour = plots["w"].map(WERKMILIEU_COLOURS).fillna(UNDESIGNATED)
    if as_dots:
        for c, g in plots.groupby(colour):
            d = "".join(f"M{_f(px[i][0])} {_f(px[i][1])}h0" for i in g.index)
            out.append(f'<path class="plots-dots" d="{d}" stroke="{c}" stroke-width="2.4" '
                       f'stroke-linecap="square" fill="none"/>')
    else:
        for i, p in enumerate(plots.itertuples(index=False)):
            x, y = px[i]
            h = half[i]
            faded = ' fill-opacity="0.35"' if p.transform else ""
            ring = ' stroke="#111" stroke-width="1.6"' if p.changed else ' stroke="#FFF" stroke-width="0.6"'
            tip = f"{p.plot_id}: {p.w or 'not designated'}, {p.floor_capacity_m2:,.0f} m2"
            out.append(f'<rect class="plot" data-id="{escape(str(p.plot_id))}" x="{_f(x - h)}" y="{_f(y - h)}" '
                       f'width="{_f(2 * h)}" height="{_f(2 * h)}" fill="{colour[i]}"{faded}{ring}>'
                       f"<title>{escape(tip)}</title></rect>")
    out.append("</g>")
    return out


def _arrows_to_draw(moves: pd.DataFrame, max_moves: int) -> pd.DataFrame:
    """The moves to a new plot, at most ``max_moves`` of them (the largest firms by floor space)."""
    go = moves[(moves["to_plot"] != "") & (moves["to_plot"] != moves["from_plot"])]
    if len(go) > max_moves and "floor_space_m2" in go:
        return go.sort_values("floor_space_m2", ascending=False).head(max_moves)
    if len(go) > max_moves:
        return go.head(max_moves)
    return go


def _arrow(a: float, b: float, c: float, d: float, faint: bool, tip: str) -> str | None:
    """A move from (a, b) to (c, d): it stops short of the target square and bends slightly so that
    opposite moves do not overlap; None for a move shorter than a pixel."""
    ln = math.hypot(c - a, d - b)
    if ln < 1.0:
        return None
    sh = min(6.0, ln / 3) / ln
    c2, d2 = c - (c - a) * sh, d - (d - b) * sh
    mx, my = (a + c2) / 2 + (d2 - b) * 0.12, (b + d2) / 2 - (c2 - a) * 0.12
    look = 'stroke-width="0.8" stroke-opacity="0.28"' if faint else 'stroke-width="1.1" stroke-opacity="0.75"'
    return (f'<path class="move" d="M{_f(a)} {_f(b)}Q{_f(mx)} {_f(my)} {_f(c2)} {_f(d2)}" {look} '
            f'marker-end="url(#arrow)"><title>{tip}</title></path>')


def _move_layers(fr: _Frame, plots: pd.DataFrame, moves: pd.DataFrame, baseline_solution: Solution | None,
                 max_moves: int) -> tuple[list[str], int]:
    """Moves as arrows (faint when ``baseline_solution`` makes the same move) and displaced firms as
    red crosses at their old plot; and the number of arrows drawn."""
    xy = {p: fr(x, y) for p, x, y in plots[["plot_id", "x", "y"]].itertuples(index=False)}
    mv = moves.copy()
    mv["to_plot"] = mv["to_plot"].fillna("")
    go = _arrows_to_draw(mv, max_moves)
    same: set[str] = set()
    if baseline_solution is not None and not baseline_solution.assignments.empty:
        ba = baseline_solution.assignments.set_index("firm_id")["plot_id"]
        same = {f for f, t in zip(go["firm_id"], go["to_plot"]) if ba.get(f, None) == t}
    out = ['<g class="moves" stroke="#222" fill="none">']
    n_arrows = 0
    for m in go.itertuples(index=False):
        if m.from_plot not in xy or m.to_plot not in xy:
            continue
        tip = f"{escape(str(m.firm_id))}: {escape(str(m.from_plot))} → {escape(str(m.to_plot))}"
        arrow = _arrow(*xy[m.from_plot], *xy[m.to_plot], m.firm_id in same, tip)
        if arrow is not None:
            out.append(arrow)
            n_arrows += 1
    out.append("</g>")
    out.append(f'<g class="displaced" stroke="{TRANSFORM_RED}" stroke-width="2" stroke-linecap="round">')
    for m in mv[mv["to_plot"] == ""].itertuples(index=False):
        if m.from_plot not in xy:
            continue
        a, b = xy[m.from_plot]
        out.append(f'<path class="displaced-firm" d="M{_f(a - 4)} {_f(b - 4)}l8 8m0 -8l-8 8">'
                   f"<title>{escape(str(m.firm_id))} displaced from {escape(str(m.from_plot))}</title></path>")
    out.append("</g>")
    return out, n_arrows


def _nature_layer(fr: _Frame, nature_areas: pd.DataFrame) -> list[str]:
    """Natura 2000 areas as labelled triangles at their centroid."""
    out = ['<g class="nature">']
    for n in nature_areas.itertuples(index=False):
        a, b = fr(n.x, n.y)
        out.append(f'<path d="M{_f(a)} {_f(b - 7)}l6.5 11h-13z" fill="{NATURE_GREEN}" fill-opacity="0.85" '
                   f'stroke="#FFF" stroke-width="1"><title>Natura 2000: {escape(str(n.name))}</title></path>')
        out.append(f'<text x="{_f(a)}" y="{_f(b + 16)}" text-anchor="middle" font-size="10" font-style="italic" '
                   f'fill="{NATURE_GREEN}" stroke="#FFF" stroke-width="3" paint-order="stroke">'
                   f"{escape(str(n.name))}</text>")
    out.append("</g>")
    return out


def _scale_and_north(cv: _Canvas) -> list[str]:
    """A scale bar of a round number of km (about a fifth of the width) and a north arrow."""
    margin, fr = cv.margin, cv.frame
    map_bottom = cv.height - cv.legend_h - 8
    km = _nice_km((cv.width - 2 * margin) / 5 / fr.scale / 1000.0)
    bar = km * 1000.0 * fr.scale
    sx, sy = margin, map_bottom - 6
    nx, ny = cv.width - margin - 8, cv.title_h + margin + 4
    return [f'<g class="scale" font-size="10" fill="#333"><rect x="{_f(sx)}" y="{_f(sy - 4)}" width="{_f(bar / 2)}" '
            f'height="4" fill="#333"/><rect x="{_f(sx + bar / 2)}" y="{_f(sy - 4)}" width="{_f(bar / 2)}" height="4" '
            f'fill="#FFF" stroke="#333" stroke-width="0.8"/><text x="{_f(sx)}" y="{_f(sy - 8)}">0</text>'
            f'<text x="{_f(sx + bar)}" y="{_f(sy - 8)}" text-anchor="middle">{_f(km)} km</text></g>',
            f'<g class="north"><path d="M{_f(nx)} {_f(ny)}l7 20l-7 -5l-7 5z" fill="#333"/>'
            f'<text x="{_f(nx)}" y="{_f(ny + 33)}" text-anchor="middle" font-size="11" font-weight="bold" '
            f'fill="#333">N</text></g>']


def network_edges(instance: Instance, solution: Solution | None) -> pd.DataFrame | None:
    """The corridor edges of ``instance`` with their end points and the freight load of
    ``solution`` (0 without one): x1, y1, x2, y2, mode, load_kt, capacity_kt, for the network
    layer of :func:`plot_map`; None for an instance without corridors."""
    if instance.corridor_edges is None or instance.corridor_nodes is None:
        return None
    n = instance.corridor_nodes.set_index("node_id")
    e = instance.corridor_edges
    loads = None if solution is None else solution.corridor_loads
    if loads is not None and len(loads):
        load = loads.set_index("edge_id")["load_kt"].astype(float)
    elif solution is not None and solution.routes is not None and len(solution.routes):
        # a solution read from a directory: the loads from its routes (freight of each firm per edge)
        kt = instance.firms.set_index("firm_id")["freight_kt"].astype(float)
        r = solution.routes.assign(edge=solution.routes["edges"].str.split(";")).explode("edge")
        r = r[r["edge"].fillna("").str.strip() != ""]
        load = r["firm_id"].map(kt).groupby(r["edge"].str.strip()).sum()
    else:
        load = pd.Series(dtype=float)
    return pd.DataFrame({"x1": e["u"].map(n["x"]).to_numpy(float), "y1": e["u"].map(n["y"]).to_numpy(float),
                         "x2": e["v"].map(n["x"]).to_numpy(float), "y2": e["v"].map(n["y"]).to_numpy(float),
                         "mode": e["mode"].to_numpy(object),
                         "load_kt": e["edge_id"].map(load).fillna(0.0).to_numpy(float),
                         "capacity_kt": e["capacity_kt"].to_numpy(float)})


def solution_map(instance: Instance, solution: Solution, *, fit_network: bool = False,
                 title: str | None = None, show_moves: bool = True, **kw) -> str:
    """A solution on the map: plots by designation, moves, displaced firms and, with corridors,
    the network underneath with line width by load (``revopt map``)."""
    nodes = None
    if instance.corridor_nodes is not None:
        nodes = instance.corridor_nodes.rename(columns={"node_id": "name"})
        nodes = nodes[nodes["kind"] != "junction"]
    if not show_moves:
        kw["moves"] = pd.DataFrame(columns=["firm_id", "from_plot", "to_plot", "floor_space_m2"])
    return plot_map(instance, solution, network=network_edges(instance, solution), network_nodes=nodes,
                    fit_network=fit_network, title=title, **kw)

def _legend(width: int, top: float, with_network: bool) -> str:
    out = [f'<g class="legend" font-size="11" fill="#333"><line x1="12" y1="{_f(top)}" x2="{width - 12}" '
           f'y2="{_f(top)}" stroke="#DDD"/>']
    x, y = 16.0, top + 20

    def item(sym: str, text: str, w: float) -> None:
        nonlocal x, y
        if x + w > width - 12:     # wrap a narrow map's legend
            x, y = 16.0, y + 20
        out.append(f'<g transform="translate({_f(x)},{_f(y)})">{sym}<text x="20" y="4">{escape(text)}</text></g>')
        x += w

    for w_, c in WERKMILIEU_COLOURS.items():
        item(f'<rect x="0" y="-6" width="12" height="12" fill="{c}"/>', w_, 96)
    item(f'<rect x="0" y="-6" width="12" height="12" fill="{UNDESIGNATED}"/>', "not designated", 120)
    item('<rect x="0" y="-6" width="12" height="12" fill="#FFF" stroke="#111" stroke-width="1.6"/>',
         "designation changed", 140)
    x, y = 16.0, y + 22
    item(f'<rect x="0" y="-6" width="14" height="12" fill="url(#hatch)" stroke="{TRANSFORM_RED}"/>',
         "to housing (transform)", 160)
    item(f'<rect x="0" y="-6" width="14" height="12" fill="#E8F5E9" stroke="{NEW_GREEN}" stroke-dasharray="4 2"/>',
         "new terrain", 106)
    item('<rect x="0" y="-6" width="14" height="12" fill="#EEE" stroke="#9E9E9E" stroke-dasharray="2 2"/>',
         "not developed", 114)
    item('<path d="M0 0L14 0" stroke="#222" stroke-opacity="0.8" marker-end="url(#arrow)"/>', "move", 62)
    item('<path d="M0 0L14 0" stroke="#222" stroke-opacity="0.28" marker-end="url(#arrow)"/>',
         "same move in baseline", 158)
    item(f'<path d="M2 -4l8 8m0 -8l-8 8" stroke="{TRANSFORM_RED}" stroke-width="2"/>', "displaced", 90)
    item(f'<path d="M7 -6l6.5 11h-13z" fill="{NATURE_GREEN}"/>', "Natura 2000", 100)
    if with_network:
        x, y = 16.0, y + 20
        for mode, c in MODE_COLOURS.items():
            item(f'<path d="M0 0L14 0" stroke="{c}" stroke-width="3"/>', f"{mode} (width: load)", 130)
    out.append("</g>")
    return "".join(out)
