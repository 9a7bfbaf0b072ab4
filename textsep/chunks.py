"""Chunked processing of long spans: plan overlapping chunks, run each, overlap-add with crossfades.

The Separator runs the model on spans of at most `chunk_s` seconds; consecutive chunks overlap by
`overlap_s` and are blended with linear crossfades over the overlaps, normalised by the summed weights,
so a chunked run reproduces a one-pass run up to the model's own edge effects. Both steps are plain
functions over sample counts, usable (and testable) without a model.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from textsep.edits import EditError


def plan_chunks(n: int, sr: int, chunk_s: float, overlap_s: float) -> list[tuple[int, int]]:
    """[start, stop) sample ranges covering n samples: equal-length chunks of at most chunk_s seconds that
    overlap by overlap_s seconds (no short last chunk). One chunk when the span fits in one."""
    size, ov = int(chunk_s * sr), int(overlap_s * sr)
    if n <= size:
        return [(0, n)]
    k = math.ceil((n - ov) / (size - ov))
    length = math.ceil((n + (k - 1) * ov) / k)
    step = length - ov
    return [(i * step, n if i == k - 1 else i * step + length) for i in range(k)]


def chunk_window(start: int, stop: int, n: int, overlap: int) -> np.ndarray:
    """The overlap-add weight of chunk [start, stop) of an n-sample span: 1, with a linear ramp up over the
    first `overlap` samples (unless it starts the span) and down over the last (unless it ends it).

    The ramps exclude 0 and 1, so every sample has a positive total weight and two overlapping ramps
    sum to exactly 1 sample by sample.
    """
    up = np.linspace(0, 1, overlap + 2, dtype=np.float32)[1:-1]
    w = np.ones(stop - start, dtype=np.float32)
    if start > 0:
        w[:overlap] = up
    if stop < n:
        w[-overlap:] = np.minimum(w[-overlap:], up[::-1])
    return w


def overlap_add(x: np.ndarray, process: Callable[[np.ndarray], np.ndarray], chunks: list[tuple[int, int]],
                overlap: int) -> np.ndarray:
    """process(x[:, a:b]) for each chunk, blended with chunk_window weights into an array shaped like x.

    process must return an array shaped like its input. A single chunk is returned as process made it.
    `overlap` is in samples (the one plan_chunks used).
    """
    if len(chunks) == 1:
        a, b = chunks[0]
        return process(x[:, a:b])
    n = x.shape[1]
    out = np.zeros_like(x)
    weight = np.zeros(n, dtype=np.float32)
    for a, b in chunks:
        y = process(x[:, a:b])
        w = chunk_window(a, b, n, overlap)
        y *= w
        out[:, a:b] += y
        weight[a:b] += w
    out /= weight
    return out


def region_spans(regions, sr: int, n_frames: int) -> list[tuple[int, int]]:
    """The sample span [a, b) each region covers in audio of n_frames samples at rate sr (b clipped to
    n_frames). A region covering no whole sample is an EditError: one shorter than a sample, or one that
    starts in the last half sample of the audio (`--time-windows 2.99999999 3` on a 3 s file)."""
    spans = []
    for i, r in enumerate(regions, 1):
        a, b = r.span(sr)
        b = min(b, n_frames)
        if b <= a:
            raise EditError(f"Region {i} ({r.start_s:g}-{r.end_s:g} s) covers no whole sample at {sr} Hz (it is "
                            f"shorter than a sample, or starts in the last sample of the {n_frames / sr:.6g} s "
                            "audio); make it longer or start it earlier")
        spans.append((a, b))
    return spans
