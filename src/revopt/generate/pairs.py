"""Candidate pairs in reach (pairs.csv) with a spatial grid, never a firms x plots matrix.

For every firm: the plots within its search radius around its search centre
(existing firms: ``max_move_km`` around the present plot; new demand: a fixed
radius around its home) that pass the cheap candidate rules of spec section 2
(not on a transform park, category, quay, floor <= capacity + intensification,
a common werkmilieu), shortened to at most ``k_max`` plots, nearest first with a
jitter (a broker's shortlist: distance x lognormal(0, 0.5)). Forced pairs (the
present plot, a must-place firm's reserved plot) are always kept.

Plots are bucketed in square cells and stored in cell order. A firm's disc is
covered by the columns of cells it touches; in each column the plots of
consecutive cells are one contiguous run of that order, so each firm costs at
most 2 * ceil(r / cell) + 1 index ranges. Ranges are expanded and filtered in
chunks of about ``chunk`` candidate cells (a firm is never split), distance
first, so memory stays bounded and most memory access is sequential.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..model.block import spans

JITTER_SIGMA = 0.5


def pairs_in_reach(rng: np.random.Generator, *, fx, fy, radius_m, frank, fwater, ffloor, fmask, forced,
                   px, py, prank, pquay, pcap, pmask, pok, k_max: int, cell_m: float,
                   chunk: int = 4_000_000) -> tuple[np.ndarray, np.ndarray]:
    """(firm index, plot index) arrays of the shortlisted pairs, sorted by firm then plot."""
    nf = len(fx)
    elig = np.flatnonzero(pok)
    if nf == 0 or len(elig) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    g = _Grid.of(elig, px, py, prank, pquay, pcap, pmask, cell_m)
    fxr, fyr = fx - g.x0, fy - g.y0
    r = np.asarray(radius_m, dtype=float)
    rep, lo, cnt = g.column_ranges(fxr, fyr, r)
    firms = _Firms(fxr, fyr, (r * (1.0 - 1e-9)) ** 2, frank, fwater, ffloor, fmask, forced)
    out_f: list[np.ndarray] = []
    out_p: list[np.ndarray] = []
    for a0, a1 in _chunks(rep, cnt, nf, chunk):
        if int(cnt[a0:a1].sum()) == 0:
            continue
        fi, pj, key = _candidates(rng, g, firms, rep[a0:a1], lo[a0:a1], cnt[a0:a1])
        if len(fi):
            _shortlist(fi, pj, key, rep[a0], rep[a1 - 1], k_max, out_f, out_p)
    return _with_forced(out_f, out_p, forced, np.int64(len(px)))


@dataclass(frozen=True)
class _Grid:
    """The eligible plots bucketed in square cells of ``cell_m`` and stored in cell order, with
    their attributes in that order; rank (4 bits), quay (1 bit), werkmilieus (4 bits) packed in ``code``."""

    x0: float
    y0: float
    nx: int
    ny: int
    cell_m: float
    plot_sorted: np.ndarray      # plot index at each position of the cell order
    starts: np.ndarray           # first position of each cell (and one past the last)
    x: np.ndarray
    y: np.ndarray
    cap: np.ndarray
    code: np.ndarray

    @classmethod
    def of(cls, elig, px, py, prank, pquay, pcap, pmask, cell_m: float) -> _Grid:
        x0, y0 = px[elig].min() - 1.0, py[elig].min() - 1.0
        nx = int((px[elig].max() - x0) // cell_m) + 1
        ny = int((py[elig].max() - y0) // cell_m) + 1
        cid = ((px[elig] - x0) // cell_m).astype(np.int64) * ny + ((py[elig] - y0) // cell_m).astype(np.int64)
        o = np.argsort(cid, kind="stable")
        plot_sorted = elig[o]
        return cls(x0=x0, y0=y0, nx=nx, ny=ny, cell_m=cell_m, plot_sorted=plot_sorted,
                   starts=np.searchsorted(cid[o], np.arange(nx * ny + 1)),
                   x=(px[plot_sorted] - x0).astype(np.float64), y=(py[plot_sorted] - y0).astype(np.float64),
                   cap=pcap[plot_sorted],
                   code=(prank[plot_sorted].astype(np.int64) | (pquay[plot_sorted].astype(np.int64) << 4)
                         | (pmask[plot_sorted].astype(np.int64) << 5)))

    def column_ranges(self, fxr, fyr, r) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per firm, one index range of the cell order per column of cells its disc touches: the
        firm of each range (sorted), its first position and its length."""
        nx, ny, cell_m = self.nx, self.ny, self.cell_m
        ix_lo = np.clip(np.floor((fxr - r) / cell_m), 0, nx - 1).astype(np.int64)
        ix_hi = np.clip(np.floor((fxr + r) / cell_m), -1, nx - 1).astype(np.int64)
        iy_lo = np.clip(np.floor((fyr - r) / cell_m), 0, ny - 1).astype(np.int64)
        iy_hi = np.clip(np.floor((fyr + r) / cell_m), -1, ny - 1).astype(np.int64)
        ncol = np.where((ix_hi >= ix_lo) & (iy_hi >= iy_lo), ix_hi - ix_lo + 1, 0)
        rep = np.repeat(np.arange(len(fxr)), ncol)
        col = spans(ix_lo, ncol)
        lo = self.starts[col * ny + iy_lo[rep]]
        hi = self.starts[col * ny + iy_hi[rep] + 1]
        return rep, lo, hi - lo


class _Firms(NamedTuple):
    """The firms' search centres (grid coordinates), squared radii and candidate-rule attributes."""

    x: np.ndarray
    y: np.ndarray
    r2: np.ndarray
    rank: np.ndarray
    water: np.ndarray
    floor: np.ndarray
    mask: np.ndarray
    forced: np.ndarray


def _chunks(rep: np.ndarray, cnt: np.ndarray, nf: int, chunk: int) -> list[tuple[int, int]]:
    """Runs of ranges [a0, a1) of about ``chunk`` candidate plots each, never splitting a firm."""
    per_firm = np.bincount(rep, weights=cnt, minlength=nf)
    cum = np.cumsum(per_firm)
    cuts = np.searchsorted(cum, np.arange(chunk, cum[-1] + chunk, chunk)) if cum[-1] > 0 else np.zeros(0, int)
    bounds = np.unique(np.r_[0, np.minimum(cuts + 1, nf), nf])
    range_start = np.searchsorted(rep, bounds)            # rep is sorted by firm
    return [(range_start[b], range_start[b + 1]) for b in range(len(bounds) - 1)]


def _candidates(rng: np.random.Generator, g: _Grid, f: _Firms, fr: np.ndarray, lo: np.ndarray,
                c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ranges of one chunk expanded: the (firm, plot) pairs within the radius that pass the
    cheap candidate rules, with their shortlist key (distance x jitter; -1 for a forced pair)."""
    pos = spans(lo, c)
    dx = g.x[pos] - np.repeat(f.x[fr], c)
    dy = g.y[pos] - np.repeat(f.y[fr], c)
    d2 = dx * dx + dy * dy
    near = np.flatnonzero(d2 <= np.repeat(f.r2[fr], c))
    pos, d2 = pos[near], d2[near]
    fi = np.repeat(fr, c)[near]
    code = g.code[pos]
    ok = ((f.rank[fi] <= (code & 15)) & (~f.water[fi] | ((code >> 4) & 1).astype(bool))
          & (f.floor[fi] <= g.cap[pos]) & ((f.mask[fi] & (code >> 5)) != 0))
    fi, pos, d2 = fi[ok], pos[ok], d2[ok]
    pj = g.plot_sorted[pos]
    key = np.sqrt(d2) * np.exp(JITTER_SIGMA * rng.standard_normal(len(fi)))
    key[pj == f.forced[fi]] = -1.0
    return fi, pj, key


def _shortlist(fi: np.ndarray, pj: np.ndarray, key: np.ndarray, f_first: int, f_last: int, k_max: int,
               out_f: list, out_p: list) -> None:
    """Append the ``k_max`` pairs of smallest key per firm; only firms with more survivors need sorting."""
    many = np.bincount(fi - f_first, minlength=f_last - f_first + 1)[fi - f_first] > k_max
    out_f.append(fi[~many])
    out_p.append(pj[~many])
    fi, pj, key = fi[many], pj[many], key[many]
    if not len(fi):
        return
    norm = (key + 1.0) / (key.max() + 2.0)              # in [0, 1): firm + norm sorts by firm, key
    o2 = np.argsort(fi + norm)
    fi, pj = fi[o2], pj[o2]
    start = np.r_[True, fi[1:] != fi[:-1]]
    grp = np.maximum.accumulate(np.where(start, np.arange(len(fi)), 0))
    keep = (np.arange(len(fi)) - grp) < k_max
    out_f.append(fi[keep])
    out_p.append(pj[keep])


def _with_forced(out_f: list, out_p: list, forced: np.ndarray, n_p: np.int64) -> tuple[np.ndarray, np.ndarray]:
    """The pairs sorted by firm then plot, with the forced pairs that the rules or the radius
    missed (not expected) added."""
    code = np.sort(np.concatenate(out_f).astype(np.int64) * n_p + np.concatenate(out_p)) if out_f \
        else np.zeros(0, dtype=np.int64)
    need = np.flatnonzero(forced >= 0)
    want = need.astype(np.int64) * n_p + forced[need]
    at = np.minimum(np.searchsorted(code, want), max(len(code) - 1, 0))
    missing = want[(len(code) == 0) | (code[at] != want)] if len(want) else want
    if len(missing):
        code = np.sort(np.r_[code, missing])
    return code // n_p, code % n_p
