"""Log-magnitude spectrograms for display, on a mel-spaced frequency axis, computed off the GUI thread.

For a span [t0, t1) of a (mono) signal we compute at most `max_frames` frames: for long spans the
frames are spread out (an overview), and when the user zooms in a new, finer image of just the
visible span is computed. Values are dB re full scale. When a processed version exists, the
effective mask |processed| / |original| is computed on the same grid (1 where nothing changed), and from it
the effect overlay: what the edit removed is dimmed by its attenuation in dB (EFFECT_RANGE_DB or more: dimmed
the most), so the spectrogram under it stays readable. The FFT size is a parameter (the view's setting).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_FFT = 2048
FFT_SIZES = (512, 1024, 2048, 4096, 8192)
N_ROWS = 256
FLOOR_DB = -100.0
MIN_HZ = 20.0


def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(sr: int, n_fft: int = N_FFT, n_rows: int = N_ROWS) -> np.ndarray:
    """[n_rows, bins] triangular weights (rows mel-spaced between 0 Hz and Nyquist), each row sums to 1."""
    bins = n_fft // 2 + 1
    freqs = np.arange(bins) * sr / n_fft
    edges = mel_to_hz(np.linspace(0.0, hz_to_mel(sr / 2), n_rows + 2))
    fb = np.zeros((n_rows, bins), dtype=np.float32)
    for i in range(n_rows):
        lo, c, hi = edges[i], edges[i + 1], edges[i + 2]
        up = (freqs - lo) / max(c - lo, 1e-9)
        down = (hi - freqs) / max(hi - c, 1e-9)
        w = np.clip(np.minimum(up, down), 0, None)
        if w.sum() == 0:  # narrower than a bin: take the nearest bin
            w[np.argmin(np.abs(freqs - c))] = 1.0
        fb[i] = w / w.sum()
    return fb


_FB_CACHE: dict[tuple, np.ndarray] = {}


def _fb(sr: int, n_fft: int = N_FFT) -> np.ndarray:
    key = (sr, n_fft, N_ROWS)
    if key not in _FB_CACHE:
        _FB_CACHE[key] = mel_filterbank(sr, n_fft)
    return _FB_CACHE[key]


def row_of_hz(f: float, sr: int) -> float:
    """Row coordinate (0..N_ROWS) of frequency f on the display axis."""
    return float(hz_to_mel(f) / hz_to_mel(sr / 2) * N_ROWS)


def hz_of_row(row: float, sr: int) -> float:
    return float(mel_to_hz(row / N_ROWS * hz_to_mel(sr / 2)))


@dataclass
class SpecImage:
    """Display-ready arrays, all row-major [N_ROWS, frames] and C-contiguous, so the GUI thread only blits."""

    t0: float
    t1: float
    sr: int
    db: np.ndarray  # [N_ROWS, frames] float32 dB
    processed_db: np.ndarray | None = None
    mask: np.ndarray | None = None  # [N_ROWS, frames] effective gain |processed| / |original| in [0, 1]
    effect_rgba: np.ndarray | None = None  # [N_ROWS, frames, 4] uint8 overlay: dims what the edit removed
    peak_db: float = 0.0  # 99.7th percentile of db: the top of the display range
    n_fft: int = N_FFT


EFFECT_RGB = (6, 8, 20)  # the dimming colour: a near-black blue, so dimmed parts read as "turned down"
EFFECT_MAX_ALPHA = 0.84  # at EFFECT_RANGE_DB of attenuation or more; the structure beneath stays visible
EFFECT_RANGE_DB = 40.0


def attenuation_db(mask: np.ndarray) -> np.ndarray:
    """How far the edit turned each cell down, in dB (>= 0)."""
    return -20.0 * np.log10(np.clip(mask, 1e-6, 1.0))


def effect_alpha(att_db) -> np.ndarray:
    """Overlay opacity (0..EFFECT_MAX_ALPHA) for an attenuation in dB: linear in dB up to EFFECT_RANGE_DB."""
    return EFFECT_MAX_ALPHA * np.clip(np.asarray(att_db, dtype=np.float32) / EFFECT_RANGE_DB, 0.0, 1.0)


def effect_overlay(mask: np.ndarray) -> np.ndarray:
    rgba = np.empty(mask.shape + (4,), dtype=np.ubyte)
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = EFFECT_RGB
    rgba[..., 3] = np.round(effect_alpha(attenuation_db(mask)) * 255).astype(np.ubyte)
    return rgba


def _frame_starts(a: int, b: int, max_frames: int, n_fft: int = N_FFT) -> np.ndarray:
    span = b - a
    hop = max(n_fft // 4, int(np.ceil(span / max_frames)))
    n = max(1, span // hop)
    return a + np.arange(n) * hop + (hop - n_fft) // 2, hop


def _power_rows(x: np.ndarray, starts: np.ndarray, sr: int, cancel=None, n_fft: int = N_FFT) -> np.ndarray:
    """Mel-row power [frames, N_ROWS] of the channel average of x [C, N] (or [N]) for frames starting at
    `starts` (zero-padded at the edges). Only the frames' samples are downmixed, never the whole file."""
    x = np.atleast_2d(x)
    n = x.shape[1]
    win = np.hanning(n_fft).astype(np.float32)
    fb = _fb(sr, n_fft)
    out = np.empty((len(starts), N_ROWS), dtype=np.float32)
    norm = (win.sum() / 2) ** 2
    step = 128  # frames per batch: numpy fancy indexing holds the GIL, keep each hold short for the GUI
    for i in range(0, len(starts), step):
        if cancel is not None and cancel.is_set():
            raise InterruptedError("spectrogram cancelled")
        s = starts[i: i + step]
        idx = s[:, None] + np.arange(n_fft)[None, :]
        valid = (idx >= 0) & (idx < n)
        cidx = np.clip(idx, 0, n - 1)
        frames = x[0, cidx].astype(np.float32)
        for c in range(1, x.shape[0]):
            frames += x[c, cidx]
        frames *= np.float32(1.0 / x.shape[0])
        frames = np.where(valid, frames, np.float32(0.0)) * win
        p = np.abs(np.fft.rfft(frames, axis=1)) ** 2 / norm
        out[i: i + step] = p.astype(np.float32) @ fb.T
    return out


def compute(samples: np.ndarray, sr: int, t0: float, t1: float, max_frames: int = 2000, processed=None,
            cancel=None, n_fft: int = N_FFT) -> SpecImage:
    """Spectrogram image of samples [C, N] (channel average) over [t0, t1); with `processed` (same shape)
    also the processed image and the effective mask."""
    n = np.atleast_2d(samples).shape[1]
    a = max(0, int(t0 * sr))
    b = min(n, int(np.ceil(t1 * sr)))
    if b - a < 2:
        a, b = 0, n
    starts, hop = _frame_starts(a, b, max_frames, n_fft)
    p = _power_rows(samples, starts, sr, cancel, n_fft)
    db = (10 * np.log10(np.maximum(p, 1e-12))).clip(FLOOR_DB, None).astype(np.float32)
    img = SpecImage(a / sr, (a + len(starts) * hop) / sr, sr, np.ascontiguousarray(db.T),
                    peak_db=float(np.percentile(db, 99.7)), n_fft=n_fft)
    if processed is not None:
        pp = _power_rows(processed, starts, sr, cancel, n_fft)
        pdb = (10 * np.log10(np.maximum(pp, 1e-12))).clip(FLOOR_DB, None).astype(np.float32)
        img.processed_db = np.ascontiguousarray(pdb.T)
        # effective amplitude gain of the edit, 1 where the signal is unchanged or silent
        gain = np.sqrt(pp / np.maximum(p, 1e-12))
        gain[p < 1e-10] = 1.0
        img.mask = np.ascontiguousarray(np.clip(gain, 0, 1).astype(np.float32).T)
        img.effect_rgba = effect_overlay(img.mask)
    return img
