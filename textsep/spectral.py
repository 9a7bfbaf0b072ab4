"""STFT front end of the model and the mapping of its band mask onto any STFT grid.

The model sees 16 kHz audio as mel-spaced band magnitudes (cheap to learn from) and predicts one mask
value per band and frame. A band mask is a function of (time in s, frequency in Hz): we interpolate it
in mel frequency and linear time onto the grid of whatever STFT we synthesise with -- the model's own
513 bins for training, or each source channel's STFT at its native rate for the product, so that the
output keeps the source's full bandwidth.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class SpecConfig:
    sr: int = 16000
    n_fft: int = 1024
    hop: int = 256
    n_bands: int = 128

    @property
    def n_bins(self) -> int:
        return self.n_fft // 2 + 1

    def to_dict(self) -> dict:
        return asdict(self)


def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def band_centres(cfg: SpecConfig) -> np.ndarray:
    """Centre frequency (Hz) of each model band; band edges are its neighbours' centres."""
    mels = np.linspace(hz_to_mel(0.0), hz_to_mel(cfg.sr / 2), cfg.n_bands + 2)
    return mel_to_hz(mels)[1:-1]


def band_filterbank(cfg: SpecConfig) -> np.ndarray:
    """[n_bands, n_bins] triangular mel filters, each normalised to sum to 1 (band = weighted mean)."""
    mels = np.linspace(hz_to_mel(0.0), hz_to_mel(cfg.sr / 2), cfg.n_bands + 2)
    edges = mel_to_hz(mels)
    freqs = np.linspace(0, cfg.sr / 2, cfg.n_bins)
    fb = np.zeros((cfg.n_bands, cfg.n_bins))
    for b in range(cfg.n_bands):
        lo, c, hi = edges[b], edges[b + 1], edges[b + 2]
        up = (freqs - lo) / max(c - lo, 1e-9)
        down = (hi - freqs) / max(hi - c, 1e-9)
        fb[b] = np.clip(np.minimum(up, down), 0, None)
        if fb[b].sum() == 0:  # narrower than a bin: take the nearest bin
            fb[b, np.argmin(np.abs(freqs - c))] = 1.0
    return (fb / fb.sum(axis=1, keepdims=True)).astype(np.float32)


def band_to_freq_matrix(cfg: SpecConfig, freqs_hz: np.ndarray) -> np.ndarray:
    """[len(freqs), n_bands] weights that interpolate a band mask at arbitrary frequencies."""
    return freq_interp_matrix(band_centres(cfg), freqs_hz)


def freq_interp_matrix(src_hz: np.ndarray, dst_hz: np.ndarray) -> np.ndarray:
    """[len(dst), len(src)] weights interpolating values given at src_hz onto dst_hz.

    Linear in mel between source points; constant beyond the first and last, so content above the
    model's 8 kHz takes the mask of the top band.
    """
    freqs_hz = np.asarray(dst_hz, dtype=np.float64)
    centres = hz_to_mel(np.asarray(src_hz, dtype=np.float64))
    m = hz_to_mel(np.clip(freqs_hz, 0, None))
    pos = np.interp(m, centres, np.arange(len(centres)))
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(centres) - 1)
    w_hi = pos - lo
    W = np.zeros((len(freqs_hz), len(centres)), dtype=np.float32)
    rows = np.arange(len(freqs_hz))
    np.add.at(W, (rows, lo), 1.0 - w_hi)
    np.add.at(W, (rows, hi), w_hi)
    return W


def frame_interp(n_src_frames: int, src_hop_s: float, n_model_frames: int, model_hop_s: float):
    """Indices and weights that resample a frame sequence from the model's hop onto a source hop."""
    t = np.arange(n_src_frames) * src_hop_s / model_hop_s
    t = np.clip(t, 0, n_model_frames - 1)
    lo = np.floor(t).astype(np.int64)
    hi = np.minimum(lo + 1, n_model_frames - 1)
    w = (t - lo).astype(np.float32)
    return torch.from_numpy(lo), torch.from_numpy(hi), torch.from_numpy(w)


def native_fft_size(sr: int, cfg: SpecConfig = SpecConfig()) -> int:
    """A power-of-two FFT whose window lasts about as long as the model's (64 ms)."""
    return int(2 ** round(math.log2(cfg.n_fft * sr / cfg.sr)))


_WINDOWS: dict[tuple[int, str], torch.Tensor] = {}


def _window(n_fft: int, dtype=torch.float32) -> torch.Tensor:
    key = (n_fft, str(dtype))
    if key not in _WINDOWS:
        # A normal tensor even when first asked for under inference_mode (separation), so that training's
        # backward pass can use the cached window later in the same process.
        with torch.inference_mode(False):
            _WINDOWS[key] = torch.hann_window(n_fft, dtype=dtype)
    return _WINDOWS[key]


def stft(x: torch.Tensor, n_fft: int, hop: int) -> torch.Tensor:
    """[..., N] real -> [..., n_fft//2+1, frames] complex (centred, Hann)."""
    shape = x.shape
    X = torch.stft(x.reshape(-1, shape[-1]), n_fft, hop, window=_window(n_fft, x.dtype), center=True,
                   return_complex=True)
    return X.reshape(*shape[:-1], *X.shape[-2:])


def istft(X: torch.Tensor, n_fft: int, hop: int, length: int) -> torch.Tensor:
    shape = X.shape
    real_dtype = torch.float64 if X.dtype == torch.complex128 else torch.float32
    x = torch.istft(X.reshape(-1, *shape[-2:]), n_fft, hop, window=_window(n_fft, real_dtype), center=True,
                    length=length)
    return x.reshape(*shape[:-2], length)

