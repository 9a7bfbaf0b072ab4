"""Snapping of selection and region edges: to other region edges, the selection, the cursor and the file ends
(within a few pixels), and -- a separate toggle -- to the nearest zero crossing of the audio."""
from __future__ import annotations

import numpy as np

SNAP_PX = 8  # an edge this close (in pixels) to a target lands on it
ZERO_MIN_S, ZERO_MAX_S = 0.01, 0.05  # the zero-crossing search looks this far either side (at least / most)


def nearest_target(t: float, targets, tol: float) -> float | None:
    best, dist = None, tol
    for x in targets:
        d = abs(x - t)
        if d <= dist:
            best, dist = x, d
    return best


def nearest_zero_crossing(samples: np.ndarray, sr: int, t: float, window_s: float) -> float:
    """Time of the sample nearest `t` where the channel average changes sign (or is 0), within
    `window_s` either side; `t` itself when there is none."""
    x = np.atleast_2d(samples)
    n = x.shape[1]
    c = int(round(t * sr))
    w = max(1, int(window_s * sr))
    a, b = max(0, c - w), min(n, c + w + 1)
    if b - a < 2:
        return t
    seg = x[:, a:b].mean(axis=0)
    # a crossing between i and i+1: take whichever of the two is closer to zero
    idx = np.nonzero(((seg[:-1] <= 0) != (seg[1:] <= 0)) | (seg[:-1] == 0))[0]
    if idx.size == 0:
        return t
    pick = np.where(np.abs(seg[idx]) <= np.abs(seg[idx + 1]), idx, idx + 1) + a
    best = pick[np.argmin(np.abs(pick - c))]
    return float(best) / sr


class Snapper:
    """Snaps times for the selection and for region drags. `edges` and `zero` are the two toggles."""

    def __init__(self, regions, view, document, selection=None):
        self.regions, self.view, self.document, self.selection = regions, view, document, selection
        self.edges = True
        self.zero = False

    def set_edges(self, on: bool) -> None:
        self.edges = bool(on)

    def set_zero(self, on: bool) -> None:
        self.zero = bool(on)

    def tolerance(self) -> float:
        t0, t1 = self.view.visible_range()
        return SNAP_PX * (t1 - t0) / self.view.plot_width_px()

    def targets(self, exclude_rid: int | None = None, with_selection: bool = True,
                with_cursor: bool = True) -> list[float]:
        doc = self.document.doc
        out = [0.0, doc.duration] if doc is not None else [0.0]
        if with_cursor:
            out.append(self.view.cursor_s)
        for rid in self.regions.ids():
            if rid != exclude_rid:
                r = self.regions.get(rid)
                out += [r.start_s, r.end_s]
        if with_selection and self.selection is not None and self.selection.span is not None:
            out += list(self.selection.span)
        return out

    def snap(self, t: float, exclude_rid: int | None = None, with_selection: bool = True,
             with_cursor: bool = True) -> float:
        doc = self.document.doc
        if doc is None:
            return t
        tol = self.tolerance()
        if self.edges:
            hit = nearest_target(t, self.targets(exclude_rid, with_selection, with_cursor), tol)
            if hit is not None:
                return hit
        if self.zero:
            window = min(ZERO_MAX_S, max(ZERO_MIN_S, tol))
            return nearest_zero_crossing(doc.audio.samples, doc.audio.sr, t, window)
        return t

    def snap_span(self, t0: float, t1: float, exclude_rid: int | None = None,
                  with_selection: bool = True) -> tuple[float, float]:
        a = self.snap(t0, exclude_rid, with_selection)
        b = self.snap(t1, exclude_rid, with_selection)
        return (a, b) if b > a else (t0, t1)
