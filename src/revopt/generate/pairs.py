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

import numpy as np

JITTER_SIGMA = 0.5


def pairs_in_reach(rng: np.random.Generator, *, fx, fy, radius_m, frank, fwater, ffloor, fmask, forced,
                   px, py, prank, pquay, pcap, pmask, pok, k_max: int, cell_m: float,
                   chunk: int = 4_000_000) -> tuple[np.ndarray, np.ndarray]:
    """(firm index, plot index) arrays of the shortlisted pairs, sorted by firm then plot."""
    nf = len(fx)
    elig = np.flatnonzero(pok)
    if nf == 0 or len(elig) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    x0, y0 = px[elig].min() - 1.0, py[elig].min() - 1.0
    nx = int((px[elig].max() - x0) // cell_m) + 1
    ny = int((py[elig].max() - y0) // cell_m) + 1
    cid = ((px[elig] - x0) // cell_m).astype(np.int64) * ny + ((py[elig] - y0) // cell_m).astype(np.int64)
    o = np.argsort(cid, kind="stable")
    plot_sorted = elig[o]
    starts = np.searchsorted(cid[o], np.arange(nx * ny + 1))
    # plot attributes in cell order; rank (4 bits), quay (1 bit), werkmilieus (4 bits) packed
    sx = (px[plot_sorted] - x0).astype(np.float64)
    sy = (py[plot_sorted] - y0).astype(np.float64)
    scap = pcap[plot_sorted]
    scode = (prank[plot_sorted].astype(np.int64) | (pquay[plot_sorted].astype(np.int64) << 4)
             | (pmask[plot_sorted].astype(np.int64) << 5))
    fxr, fyr = fx - x0, fy - y0

    r = np.asarray(radius_m, dtype=float)
    ix_lo = np.clip(np.floor((fxr - r) / cell_m), 0, nx - 1).astype(np.int64)
    ix_hi = np.clip(np.floor((fxr + r) / cell_m), -1, nx - 1).astype(np.int64)
    iy_lo = np.clip(np.floor((fyr - r) / cell_m), 0, ny - 1).astype(np.int64)
    iy_hi = np.clip(np.floor((fyr + r) / cell_m), -1, ny - 1).astype(np.int64)
    ncol = np.where((ix_hi >= ix_lo) & (iy_hi >= iy_lo), ix_hi - ix_lo + 1, 0)
    rep = np.repeat(np.arange(nf), ncol)
    col = ix_lo[rep] + np.arange(len(rep)) - np.repeat(np.cumsum(ncol) - ncol, ncol)
    lo = starts[col * ny + iy_lo[rep]]
    hi = starts[col * ny + iy_hi[rep] + 1]
    cnt = hi - lo
    per_firm = np.bincount(rep, weights=cnt, minlength=nf)
    cum = np.cumsum(per_firm)
    cuts = np.searchsorted(cum, np.arange(chunk, cum[-1] + chunk, chunk)) if cum[-1] > 0 else np.zeros(0, int)
    bounds = np.unique(np.r_[0, np.minimum(cuts + 1, nf), nf])
    range_start = np.searchsorted(rep, bounds)            # rep is sorted by firm
    r2 = (r * (1.0 - 1e-9)) ** 2
    out_f, out_p = [], []
    for b in range(len(bounds) - 1):
        a0, a1 = range_start[b], range_start[b + 1]
        c = cnt[a0:a1]
        tot = int(c.sum())
        if tot == 0:
            continue
        pos = np.arange(tot) - np.repeat(np.cumsum(c) - c, c) + np.repeat(lo[a0:a1], c)
        fr = rep[a0:a1]
        dx = sx[pos] - np.repeat(fxr[fr], c)
        dy = sy[pos] - np.repeat(fyr[fr], c)
        d2 = dx * dx + dy * dy
        near = np.flatnonzero(d2 <= np.repeat(r2[fr], c))
        pos, d2 = pos[near], d2[near]
        fi = np.repeat(fr, c)[near]
        code = scode[pos]
        ok = ((frank[fi] <= (code & 15)) & (~fwater[fi] | ((code >> 4) & 1).astype(bool))
              & (ffloor[fi] <= scap[pos]) & ((fmask[fi] & (code >> 5)) != 0))
        fi, pos, d2 = fi[ok], pos[ok], d2[ok]
        pj = plot_sorted[pos]
        key = np.sqrt(d2) * np.exp(JITTER_SIGMA * rng.standard_normal(len(fi)))
        key[pj == forced[fi]] = -1.0
        # the k_max smallest keys per firm; only firms with more survivors need sorting
        if len(fi):
            many = np.bincount(fi - fr[0], minlength=fr[-1] - fr[0] + 1)[fi - fr[0]] > k_max
            out_f.append(fi[~many])
            out_p.append(pj[~many])
            fi, pj, key = fi[many], pj[many], key[many]
            if len(fi):
                norm = (key + 1.0) / (key.max() + 2.0)              # in [0, 1): firm + norm sorts by firm, key
                o2 = np.argsort(fi + norm)
                fi, pj = fi[o2], pj[o2]
                start = np.r_[True, fi[1:] != fi[:-1]]
                grp = np.maximum.accumulate(np.where(start, np.arange(len(fi)), 0))
                keep = (np.arange(len(fi)) - grp) < k_max
                out_f.append(fi[keep])
                out_p.append(pj[keep])
    n_p = np.int64(len(px))
    code = np.sort(np.concatenate(out_f).astype(np.int64) * n_p + np.concatenate(out_p)) if out_f \
        else np.zeros(0, dtype=np.int64)
    # forced pairs that the rules or the radius missed (not expected) are added
    need = np.flatnonzero(forced >= 0)
    want = need.astype(np.int64) * n_p + forced[need]
    at = np.minimum(np.searchsorted(code, want), max(len(code) - 1, 0))
    missing = want[(len(code) == 0) | (code[at] != want)] if len(want) else want
    if len(missing):
        code = np.sort(np.r_[code, missing])
    return code // n_p, code % n_p
