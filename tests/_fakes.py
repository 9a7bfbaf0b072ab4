"""Test doubles shared by several test files (imported as a plain module: tests/ is on sys.path)."""
from __future__ import annotations

import numpy as np
import torch

from core.separate import Mask
from core.spectral import stft

SR16 = 16000


class LocalGate:
    """A deterministic, content-dependent estimator that only looks at each frame (a spectral gate).

    Its mask differs per bin and frame, so misplaced chunks or wrong crossfade weights show up, yet a
    chunked run must agree with an unchunked one away from STFT edge effects.
    """

    name = "local-gate"

    def __init__(self):
        self.calls: list[int] = []

    def predict(self, mono16, prompt):
        self.calls.append(len(mono16))
        mag = stft(torch.from_numpy(np.asarray(mono16, dtype=np.float32)), 1024, 256).abs()
        p = mag.pow(2)
        values = p / (p + 1e-3)
        if "invert" in prompt:
            values = 1 - values
        return Mask(values, np.linspace(0, SR16 / 2, 513), 256 / SR16)
