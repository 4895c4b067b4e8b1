"""The sweep report (``report.html``): one self-contained page, inline SVG charts, no scripts.

- a chart of each KPI against each axis: the axis values along x, the mean over the other
  axes as a line (one line per plan on a sweep with a plan axis), every scenario as a dot;
- for a plan axis, the regret table: in each future (a combination of the other axes' values)
  how far each plan's objective lies below the best plan's in that future, with the largest
  and the mean regret per plan (the plan with the smallest largest regret is the robust pick);
- robust choices: per plan, the share of futures in which each planned terrain is developed,
  and per plot the share of futures in which it keeps its most common designation;
- the scenarios that failed, with their status and message.
"""

from __future__ import annotations

import datetime as _dt
import math
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from ..data.atomic import write_text_atomically
from ..results.maps import axis_label
from .sweepfile import Sweep
from .table import FIXED, HEAD, TAIL

REPORT = "report.html"
SOLVED = ("optimal", "feasible")
PALETTE = ("#1f5a93", "#c2552d", "#2e8540", "#7b4fa0", "#a07a00", "#3b8a8c", "#8c3b5e", "#555555")
W, H = 300, 190
LEFT, RIGHT, TOP, BOTTOM = 58, 10, 24, 34
#: KPI columns drawn first, in this order; the rest follow as the table has them
FIRST = ("objective", "value_added_placed_eur", "firms_placed", "firms_displaced", "firms_moved")


def kpi_columns(table: pd.DataFrame, sweep: Sweep) -> list[str]:
    """The numeric result columns worth a chart (objective and the KPIs with some value)."""
    skip = {*HEAD, *TAIL, *(a.name for a in sweep.axes), "status", "bound", "gap", "seconds", "plan_works"}
    cols = [c for c in table.columns if c not in skip and pd.api.types.is_numeric_dtype(table[c])
            and table[c].notna().any()]
    return sorted(cols, key=lambda c: (FIRST.index(c) if c in FIRST else len(FIRST), cols.index(c)))


def _label(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v)) if abs(v) >= 10 else repr(v)
    return str(v)


def chart(table: pd.DataFrame, sweep: Sweep, kpi: str, axis: str) -> str:
    """One SVG chart of ``kpi`` against ``axis`` (scenarios with a solution only)."""
    ax = next(a for a in sweep.axes if a.name == axis)
    plan = sweep.plan_axis
    xs = [(_label(v) if ax.kind != "plan" else ax.label(v)) for v in ax.values]
    t = table[table["status"].isin(SOLVED) & table[kpi].notna()].copy()
    t["_x"] = [(_label(v) if ax.kind != "plan" else str(v)) for v in t[axis]]
    series = [("all", t)] if plan is None or plan.name == axis else \
        [(plan.label(v), t[t[plan.name] == plan.label(v)]) for v in plan.values]
    vals = t[kpi].astype(float)
    lo, hi = (float(vals.min()), float(vals.max())) if len(vals) else (0.0, 1.0)
    if hi - lo < 1e-12 * max(1.0, abs(hi)):
        lo, hi = lo - max(1.0, abs(lo)) * 0.05, hi + max(1.0, abs(hi)) * 0.05
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def px(i: int) -> float:
        return LEFT + (pw * (i + 0.5) / len(xs))

    def py(v: float) -> float:
        return TOP + ph * (1 - (v - lo) / (hi - lo))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
           f'class="chart" data-kpi="{escape(kpi)}" data-axis="{escape(axis)}">',
           f'<text x="{LEFT}" y="14" font-size="11" font-weight="600">{escape(kpi)}</text>',
           f'<line x1="{LEFT}" y1="{TOP + ph}" x2="{W - RIGHT}" y2="{TOP + ph}" stroke="#888"/>',
           f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + ph}" stroke="#888"/>']
    for k in range(3):
        v = lo + pad + (hi - lo - 2 * pad) * k / 2
        out.append(f'<line x1="{LEFT - 3}" y1="{py(v):.1f}" x2="{W - RIGHT}" y2="{py(v):.1f}" stroke="#eee"/>'
                   f'<text x="{LEFT - 5}" y="{py(v) + 3:.1f}" font-size="9" text-anchor="end">{axis_label(v)}</text>')
    for i, x in enumerate(xs):
        out.append(f'<text x="{px(i):.1f}" y="{TOP + ph + 13}" font-size="9" text-anchor="middle">'
                   f"{escape(x[:14])}</text>")
    out.append(f'<text x="{LEFT + pw / 2:.1f}" y="{H - 4}" font-size="10" text-anchor="middle" '
               f'fill="#555">{escape(axis)}</text>')
    for k, (name, s) in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        means = s.groupby("_x")[kpi].mean()
        pts = [(px(i), py(float(means[x]))) for i, x in enumerate(xs) if x in means.index]
        if len(pts) > 1:
            path = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
        for x, v in zip(s["_x"], s[kpi]):
            if x in xs:
                out.append(f'<circle cx="{px(xs.index(x)):.1f}" cy="{py(float(v)):.1f}" r="2.6" '
                           f'fill="{colour}" fill-opacity="0.55"/>')
        if len(series) > 1:
            out.append(f'<text x="{W - RIGHT}" y="{14 + 10 * k}" font-size="9" text-anchor="end" '
                       f'fill="{colour}">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def futures(table: pd.DataFrame, sweep: Sweep) -> list[str]:
    """The columns that make a future: every axis but the plan axis."""
    plan = sweep.plan_axis
    return [a.name for a in sweep.axes if plan is None or a.name != plan.name]


def regret_table(table: pd.DataFrame, sweep: Sweep) -> pd.DataFrame | None:
    """Per future, each plan's regret: best objective in that future minus the plan's (inf
    when the plan has no solution there); None without a plan axis."""
    plan = sweep.plan_axis
    if plan is None:
        return None
    fut = futures(table, sweep)
    obj = table["objective"].where(table["status"].isin(SOLVED))
    t = table.assign(_obj=obj.astype(float), _future=table[fut].astype(str).agg(", ".join, axis=1) if fut
                     else "all")
    wide = t.pivot_table(index="_future", columns=plan.name, values="_obj", aggfunc="first", sort=False)
    wide = wide.reindex(columns=[plan.label(v) for v in plan.values])
    best = wide.max(axis=1)
    regret = (-wide).add(best, axis=0).fillna(math.inf)
    regret.index.name = "future"
    return regret


def robust_choices(out: Path, table: pd.DataFrame, sweep: Sweep) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(terrains, plots): per plan (column), the share of futures in which each planned terrain
    is developed, and per plot the share of futures in which it gets its most common designation
    (with that designation), read from the scenarios' solution files."""
    plan = sweep.plan_axis
    groups = [(plan.label(v), table[table[plan.name] == plan.label(v)]) for v in plan.values] if plan \
        else [("all", table)]
    terr: dict[str, pd.Series] = {}
    plots: dict[str, pd.Series] = {}
    modes: dict[str, pd.Series] = {}
    for name, g in groups:
        dev, desig = [], []
        for sid in g.loc[g["status"].isin(SOLVED), "scenario_id"]:
            d = out / "runs" / sid
            d = d / "plan" if (d / "plan" / "plots.csv").is_file() else d
            if not (d / "plots.csv").is_file():
                continue
            tt = pd.read_csv(d / "terrains.csv", dtype=str, keep_default_na=False)
            dev.append(tt.set_index("terrain_id")["developed"].str.lower().eq("true"))
            desig.append(pd.read_csv(d / "plots.csv", dtype=str, keep_default_na=False).set_index("plot_id")
                         ["werkmilieu"])
        if not dev:
            continue
        terr[name] = pd.concat(dev, axis=1).fillna(False).mean(axis=1)
        d_all = pd.concat(desig, axis=1).fillna("")
        mode = d_all.mode(axis=1)[0]
        modes[name] = mode.replace("", "(none)")
        plots[name] = d_all.eq(mode, axis=0).mean(axis=1)
    t_df = pd.DataFrame(terr)
    p_df = pd.DataFrame({**{f"{k} share": v for k, v in plots.items()}, **{f"{k} designation": v
                                                                           for k, v in modes.items()}})
    return t_df, p_df


CSS = """
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24; margin: 0; }
main { max-width: 1020px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 21px; margin: 4px 0; } h2 { font-size: 16px; margin: 24px 0 6px; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 13.5px; margin: 14px 0 4px; }
.meta, .caption { color: #57606a; font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 6px; }
.charts svg { border: 1px solid #e5e7ea; background: #fff; }
table { border-collapse: collapse; margin: 6px 0; font-size: 12px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #e5e7ea; text-align: left; }
th { color: #57606a; font-weight: 600; border-bottom: 1.5px solid #1b1f24; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.best { color: #2e8540; font-weight: 600; } td.bad { color: #b3261e; }
"""


def _fmt(v: Any, share: bool = False) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, float) and math.isinf(v):
        return "no solution"
    if share:
        return f"{100 * float(v):.0f} %"
    return f"{float(v):,.0f}" if isinstance(v, (int, float)) else escape(str(v))


def _html_frame(df: pd.DataFrame, *, share: bool = False, best_low: bool = False, top: int | None = None) -> str:
    rows = df if top is None else df.head(top)
    out = ["<table><thead><tr><th>" + escape(str(df.index.name or "")) + "</th>"]
    out += [f"<th>{escape(str(c))}</th>" for c in df.columns]
    out.append("</tr></thead><tbody>")
    for idx, r in rows.iterrows():
        cells = [f"<td>{escape(str(idx))}</td>"]
        lowest = min((v for v in r if isinstance(v, float)), default=None) if best_low else None
        for v in r:
            if isinstance(v, str):
                cells.append(f"<td>{escape(v)}</td>")
                continue
            cls = "num best" if best_low and v == lowest else "num bad" if isinstance(v, float) and \
                math.isinf(v) else "num"
            cells.append(f'<td class="{cls}">{_fmt(v, share)}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    if top is not None and len(df) > top:
        out.append(f'<p class="caption">{len(df) - top} more rows in the results table.</p>')
    return "".join(out)


def _regret_section(regret: pd.DataFrame) -> list[str]:
    summary = pd.DataFrame({"largest regret": regret.max(axis=0), "mean regret": regret.mean(axis=0)}).T
    summary.index.name = "plan"
    pick = summary.loc["largest regret"].idxmin() if len(summary.columns) else None
    return ["<h2>Regret of each plan</h2>",
            "<p>In each future (a combination of the other axes' values) a plan's regret is how far its "
            "objective (EUR) lies below the best plan's in that future; 0 = the best plan there. The plan "
            "with the smallest largest regret is the robust choice"
            + (f": <b>{escape(str(pick))}</b>." if pick is not None else ".") + "</p>",
            _html_frame(summary, best_low=True), _html_frame(regret, best_low=True, top=40)]


def _robust_section(terr: pd.DataFrame, plots: pd.DataFrame) -> list[str]:
    out = ["<h2>Robust choices</h2>",
           "<p>Share of futures (scenarios with a solution) in which each planned terrain is developed, "
           "and in which each plot gets its most common designation; a choice made in every future is robust.</p>"]
    if len(terr):
        terr.index.name = "terrain"
        out.append(_html_frame(terr, share=True))
    if len(plots):
        shares = [c for c in plots.columns if c.endswith(" share")]
        steady = int(plots[shares].ge(1.0 - 1e-12).all(axis=1).sum())
        out.append(f'<p class="caption">{steady} of {len(plots)} plots keep one designation in every future; '
                   "the least steady plots:</p>")
        order = plots[shares].min(axis=1).sort_values(kind="stable").index
        p = plots.loc[order]
        p.index.name = "plot"
        out.append(_html_frame(p[p[shares].min(axis=1) < 1.0 - 1e-12], share=True, top=25))
    return out


def render(out: Path, sweep: Sweep, table: pd.DataFrame, *, seconds: float | None = None,
           workers: int | None = None, generated: _dt.date | None = None) -> str:
    """The report as one HTML page."""
    day = (generated or _dt.date.today()).isoformat()
    solved = int(table["status"].isin(SOLVED).sum())
    meta = f"{len(table)} scenarios, {solved} with a solution · combine {sweep.combine} · time limit " \
           f"{sweep.time_limit:g} s, gap {sweep.gap:g}"
    if seconds is not None:
        meta += f" · this run {seconds:.1f} s" + (f" on {workers} workers" if workers else "")
    html = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
            f"<title>Sweep: {escape(sweep.name)}</title><style>{CSS}</style></head><body><main>",
            f"<h1>Sweep: {escape(sweep.name)}</h1>", f'<div class="meta">{escape(meta)} · {day}</div>',
            "<p>Axes: " + "; ".join(escape(f"{a.name} ({a.kind} {a.target}: "
                                           f"{', '.join(a.label(v) for v in a.values)})".replace(" :", ":"))
                                    for a in sweep.axes) + "</p>"]
    regret = regret_table(table, sweep) if len(table) else None
    if regret is not None:
        html += _regret_section(regret)
    kpis = kpi_columns(table, sweep)
    for a in sweep.axes:
        html.append(f"<h2>KPIs against {escape(a.name)}</h2>")
        html.append('<p class="caption">Line: mean over the other axes' + (" per plan" if sweep.plan_axis and
                    sweep.plan_axis.name != a.name else "") + "; dots: scenarios.</p>")
        html.append('<div class="charts">' + "".join(chart(table, sweep, k, a.name) for k in kpis) + "</div>")
    if len(table):
        html += _robust_section(*robust_choices(out, table, sweep))
    bad = table[~table["status"].isin(SOLVED)]
    if len(bad):
        f = bad.set_index("scenario_id")[["status", "message"]]
        f.index.name = "scenario"
        html += ["<h2>Scenarios without a solution</h2>", _html_frame(f, top=50)]
    html.append(f'<p class="caption">Made with revopt sweep; the numbers are those of results.csv. {day}.</p>')
    html.append("</main></body></html>")
    return "\n".join(html) + "\n"


def write_report(out: Path, sweep: Sweep, table: pd.DataFrame, **kw: Any) -> Path:
    """Write ``out/report.html`` atomically."""
    return write_text_atomically(Path(out) / REPORT, render(Path(out), sweep, table, **kw))


__all__ = ["write_report", "render", "chart", "regret_table", "robust_choices", "kpi_columns", "FIXED"]
