"""Masks and how they are applied: a 16 kHz-grid keep-mask mapped onto each channel's own STFT at the
source rate (full bandwidth), with the region's depth floor and optional frequency band."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from textsep.spectral import frame_interp, freq_interp_matrix, istft, native_fft_size, stft

MODEL_SR = 16000
MIN_MODEL_SAMPLES = 1024  # one n_fft frame at 16 kHz; shorter spans are zero-padded before estimation


@dataclass
class Mask:
    """A mask on a (frequency, time) grid of the 16 kHz mono analysis: values [F, T] in [0, 1]."""

    values: torch.Tensor
    freqs_hz: np.ndarray
    hop_s: float


class MaskEstimator(Protocol):
    """Anything that turns 16 kHz mono audio and a prompt into a keep-mask (UNet, NMF, oracle...)."""

    name: str

    def predict(self, mono16: np.ndarray, prompt: str) -> Mask: ...


BAND_EDGE = 0.2  # a band's smooth edges extend this share of its width beyond each edge


def band_weights(freqs: np.ndarray, band: tuple[float, float | None] | None) -> np.ndarray | None:
    """How much of a region's effect applies at each frequency: 1 inside [low, high], 0 well outside, with
    raised-cosine edges reaching BAND_EDGE x the band's width beyond each edge (below `low` at most half of
    `low`, so a band starting at 50 Hz does not reach down to DC). None for a full-band region."""
    if band is None:
        return None
    low, high = band
    high = float(freqs[-1]) if high is None else high
    t = BAND_EDGE * (high - low)
    w = np.ones(len(freqs), dtype=np.float64)
    for dist, width in ((low - freqs, min(t, 0.5 * low)), (freqs - high, t)):
        outside = dist > 0
        if width <= 0:
            w[outside] = 0.0
        else:
            r = np.clip(dist[outside] / width, 0.0, 1.0)
            w[outside] = np.minimum(w[outside], 0.5 + 0.5 * np.cos(np.pi * r))
    return w


def apply_mask(x: np.ndarray, sr: int, mask: Mask, mode: str, floor: float = 0.0, band=None) -> np.ndarray:
    """Apply a 16 kHz-grid keep-mask to [C, n] audio at its own rate; `remove` uses 1 - mask.

    `floor` is the smallest gain (Region.floor_gain): the applied gain is floor + (1 - floor) * mask.
    `band` (low_hz, high_hz) limits the effect to a frequency band: the gain is 1 - B(f) (1 - gain), with
    B the band's weights (band_weights), so outside the band the audio passes through the STFT unchanged.
    """
    n = x.shape[1]
    n_fft = native_fft_size(sr)
    hop = n_fft // 4
    pad = max(0, n_fft - n)  # very short spans: zero-pad so the STFT has a full frame
    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    if pad:
        xt = torch.nn.functional.pad(xt, (0, pad))
    X = stft(xt, n_fft, hop)  # [C, bins, frames]
    freqs = np.arange(X.shape[-2]) * sr / n_fft
    W = torch.from_numpy(freq_interp_matrix(mask.freqs_hz, freqs))
    # Both maps are linear, so resample the (small) mask in time first, then spread it over the bins.
    values = mask.values.float()
    lo, hi, w = frame_interp(X.shape[-1], hop / sr, values.shape[-1], mask.hop_s)
    M = (W @ (values[:, lo] * (1 - w) + values[:, hi] * w)).clamp_(0, 1)  # [bins, frames]
    if mode == "remove":
        M = M.neg_().add_(1)
    if floor > 0:
        M = M.mul_(1 - floor).add_(floor)
    B = band_weights(freqs, band)
    if B is not None:
        M = 1 - torch.from_numpy(B.astype(np.float32))[:, None] * (1 - M)
    y = istft(X.mul_(M), n_fft, hop, xt.shape[-1])  # in place: X is large and used once
    return y[:, :n].numpy().astype(x.dtype, copy=False)
