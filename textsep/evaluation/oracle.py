"""The evaluation ceiling: an estimator that knows each case's answer (the oracle ideal ratio mask)."""
from __future__ import annotations

import math

import numpy as np

from textsep.separate import MODEL_SR, Mask

ORACLE_N_FFT, ORACLE_HOP = 1024, 256


class OracleIRM:
    """MaskEstimator that knows the answer: the ideal ratio mask of one case (the evaluation ceiling).

    Holds the case's mono mix and target at the case's own rate. `predict` receives what the Separator
    gives every estimator -- the 16 kHz mono version of a span of the mix -- finds which span that is
    (an exact slice for 16 kHz cases; for other rates the span whose resampling reproduces it exactly),
    takes the target over the same span the same way, and returns |T|^2 / (|T|^2 + |I|^2) with
    I = span - T, on the 16 kHz grid (n_fft 1024, hop 256, bins k * 16000 / 1024 Hz).
    """

    name = "oracle-irm"

    def __init__(self, mix: np.ndarray, target: np.ndarray, sr: int = MODEL_SR):
        from textsep.audio import resample

        self.sr = int(sr)
        self.mix = np.asarray(mix, dtype=np.float32)
        self.target = np.asarray(target, dtype=np.float32)
        if self.mix.shape != self.target.shape or self.mix.ndim != 1:
            raise ValueError("OracleIRM needs mono mix and target of the same length")
        self.mix16 = resample(self.mix, self.sr, MODEL_SR)
        self.freqs_hz = np.arange(ORACLE_N_FFT // 2 + 1) * MODEL_SR / ORACLE_N_FFT

    def _span(self, mono16: np.ndarray) -> tuple[int, int]:
        """(start, length) in the case's samples of the span the Separator resampled into mono16."""
        from textsep.audio import resample

        n, m = len(self.mix), len(mono16)
        if self.sr == MODEL_SR:
            if m <= n:
                j = int(np.argmax(np.abs(mono16)))  # the loudest sample: few places in the mix share its value
                for k in np.flatnonzero(self.mix[j: n - m + 1 + j] == mono16[j])[:5000]:
                    if np.array_equal(self.mix[k:k + m], mono16):
                        return int(k), m
            raise RuntimeError("oracle: the span given by the Separator is not part of the case's mix")
        # Other rates: coarse position by cross-correlation at 16 kHz, then the exact span nearby.
        n16 = len(self.mix16)
        if m > n16:
            raise RuntimeError("oracle: the span given by the Separator is longer than the case's mix")
        size = 1 << math.ceil(math.log2(n16 + m))
        spec = np.fft.rfft(self.mix16, size) * np.conj(np.fft.rfft(mono16, size))
        xc = np.fft.irfft(spec, size)[: n16 - m + 1]
        r = math.ceil(self.sr / MODEL_SR) + 2
        length0 = round(m * self.sr / MODEL_SR)
        best, best_err = None, math.inf
        for k16 in np.argsort(xc)[::-1][:3]:
            c0 = round(int(k16) * self.sr / MODEL_SR)
            for c in range(max(0, c0 - r), c0 + r + 1):
                for length in range(max(1, length0 - r), length0 + r + 1):
                    if c + length > n:
                        continue
                    y = resample(self.mix[c:c + length], self.sr, MODEL_SR)
                    if len(y) != m:
                        continue
                    err = float(np.max(np.abs(y - mono16)))
                    if err == 0.0:
                        return c, length
                    if err < best_err:
                        best, best_err = (c, length), err
        if best is None or best_err > 1e-5:
            raise RuntimeError("oracle: could not find the Separator's span in the case's mix "
                               f"(closest resampled span differs by {best_err:.2g})")
        return best

    def power(self, x16: np.ndarray):
        """Power of 16 kHz audio on the mask's grid: |STFT|^2 on all 513 bins. A subclass may pool it onto a
        coarser frequency grid (and set freqs_hz to match) to ask what a mask on that grid could reach."""
        import torch

        from textsep.spectral import stft

        return stft(torch.from_numpy(x16), ORACLE_N_FFT, ORACLE_HOP).abs() ** 2

    def predict(self, mono16: np.ndarray, prompt: str) -> Mask:
        import torch

        from textsep.audio import resample

        mono16 = np.asarray(mono16, dtype=np.float32)
        c, length = self._span(mono16)
        t16 = resample(self.target[c:c + length], self.sr, MODEL_SR).astype(np.float64)
        i16 = mono16.astype(np.float64) - t16
        pt, pi = self.power(t16), self.power(i16)
        den = pt + pi
        values = torch.where(den > 0, pt / den.clamp_min(1e-30), torch.full_like(den, 0.5))
        return Mask(values.float(), self.freqs_hz, ORACLE_HOP / MODEL_SR)

