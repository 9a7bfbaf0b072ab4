"""Peak (min/max) pyramid so the waveform of a one-hour file redraws in milliseconds at any zoom.

Level k stores, per channel, the min and max of blocks of BASE * FACTOR**k samples. Drawing picks
the coarsest level that still gives at least ~2 blocks per pixel; when zoomed in further it takes
min/max (or the raw samples) from the visible slice, which is then small.
Built on a worker thread (numpy reductions); queried on the GUI thread (slicing only).
"""
from __future__ import annotations

import numpy as np

BASE = 64
FACTOR = 4


class PeakPyramid:
    def __init__(self, samples: np.ndarray, sr: int):
        x = np.atleast_2d(samples)
        if not x.flags["C_CONTIGUOUS"]:
            x = np.ascontiguousarray(x)
        self.samples = x
        self.sr = int(sr)
        self.channels, self.n = x.shape
        self.levels: list[tuple[int, np.ndarray, np.ndarray]] = []  # (block, mins [C, nb], maxs [C, nb])
        nb = self.n // BASE
        tail = self.n - nb * BASE
        if nb >= 1 or tail:
            # (C, BASE, nb) view: the reduction runs over whole rows of blocks, which numpy vectorises
            # far better than many 64-sample inner loops (needs C-contiguous channel rows)
            body = x[:, : nb * BASE].reshape(self.channels, nb, BASE).transpose(0, 2, 1)
            mins, maxs = body.min(axis=1).astype(np.float32), body.max(axis=1).astype(np.float32)
            if tail:  # the last, partial block
                mins = np.concatenate([mins, x[:, nb * BASE:].min(axis=1, keepdims=True).astype(np.float32)], 1)
                maxs = np.concatenate([maxs, x[:, nb * BASE:].max(axis=1, keepdims=True).astype(np.float32)], 1)
            block = BASE
            self.levels.append((block, mins, maxs))
            while mins.shape[1] >= FACTOR * 256:
                m = -(-mins.shape[1] // FACTOR)
                pad = m * FACTOR - mins.shape[1]
                if pad:  # repeat the edge so the partial group keeps its true extremes
                    mins = np.concatenate([mins, np.repeat(mins[:, -1:], pad, 1)], 1)
                    maxs = np.concatenate([maxs, np.repeat(maxs[:, -1:], pad, 1)], 1)
                mins = mins.reshape(self.channels, m, FACTOR).min(axis=2)
                maxs = maxs.reshape(self.channels, m, FACTOR).max(axis=2)
                block *= FACTOR
                self.levels.append((block, mins, maxs))

    @staticmethod
    def mono(samples: np.ndarray) -> np.ndarray:
        """Float32 channel average for display (spectrogram)."""
        x = np.atleast_2d(samples)
        if x.shape[0] == 1:
            return np.asarray(x[0], dtype=np.float32)
        return (np.add.reduce(x, axis=0, dtype=np.float32) * np.float32(1.0 / x.shape[0])).astype(np.float32,
                                                                                                   copy=False)

    @property
    def duration(self) -> float:
        return self.n / self.sr

    def envelope(self, t0: float, t1: float, width_px: int) -> tuple[np.ndarray, np.ndarray, bool]:
        """(x seconds [K], y [C, K], is_raw) for the visible span.

        When not raw, points alternate min, max of consecutive blocks (a zig-zag that reads as a
        filled envelope); when raw, they are the samples themselves.
        """
        width_px = max(16, int(width_px))
        a = max(0, int(np.floor(t0 * self.sr)))
        b = min(self.n, int(np.ceil(t1 * self.sr)) + 1)
        if b <= a:
            return np.zeros(0), np.zeros((self.channels, 0), np.float32), True
        spp = (b - a) / width_px  # samples per pixel
        if spp <= 2:
            x = np.arange(a, b) / self.sr
            return x, np.asarray(self.samples[:, a:b], dtype=np.float32), True
        # coarsest level whose block is at most half a pixel
        level = None
        for blk, mins, maxs in self.levels:
            if blk <= spp / 2:
                level = (blk, mins, maxs)
        if level is None:
            # zoomed in: reduce the visible slice directly (it holds < width * BASE * 2 samples)
            blk = max(1, int(np.ceil(spp / 2)))
            nb = -(-(b - a) // blk)
            seg = np.asarray(self.samples[:, a:b], dtype=np.float32)
            if nb * blk > b - a:  # repeat the last sample to fill the partial block
                seg = np.concatenate([seg, np.repeat(seg[:, -1:], nb * blk - (b - a), 1)], 1)
            seg = seg.reshape(self.channels, nb, blk)
            mins, maxs, start = seg.min(axis=2), seg.max(axis=2), a
        else:
            blk, lmins, lmaxs = level
            i0, i1 = a // blk, min(lmins.shape[1], b // blk + 1)
            mins, maxs, start = lmins[:, i0:i1], lmaxs[:, i0:i1], i0 * blk
            g = max(1, int(spp / 2 // blk))  # merge groups of g blocks: about 2 blocks per pixel
            if g > 1:
                m = -(-mins.shape[1] // g)
                pad = m * g - mins.shape[1]
                if pad:
                    mins = np.concatenate([mins, np.repeat(mins[:, -1:], pad, 1)], 1)
                    maxs = np.concatenate([maxs, np.repeat(maxs[:, -1:], pad, 1)], 1)
                mins = mins.reshape(self.channels, m, g).min(axis=2)
                maxs = maxs.reshape(self.channels, m, g).max(axis=2)
                blk *= g
            nb = mins.shape[1]
        x = (start + (np.arange(nb) + 0.5) * blk) / self.sr
        xx = np.repeat(x, 2)
        yy = np.empty((self.channels, 2 * nb), dtype=np.float32)
        yy[:, 0::2] = mins
        yy[:, 1::2] = maxs
        return xx, yy, False
