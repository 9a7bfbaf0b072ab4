"""Test doubles shared by several test files (imported as a plain module: tests/ is on sys.path)."""
from __future__ import annotations

import csv

import numpy as np
import soundfile as sf
import torch

from textsep.separate import Mask
from textsep.spectral import stft

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


# ---- a tiny labelled corpus (evaluation and training tests) ----------------------------------------

# label -> (prompts, number of train clips, number of val clips)
FAKE_CLASSES = {
    "dog": ("dog bark|a dog barking|barking dog", 2, 2),
    "rain": ("rain|rain falling|heavy rain", 2, 2),
    "female_speech": ("female speech|a woman speaking|woman talking", 2, 2),
    "male_speech": ("male speech|a man speaking|man talking", 2, 2),
    "wind": ("wind|wind blowing|howling wind", 2, 0),  # no val clips: must never appear in cases
}


def _synth(label: str, seconds: float, rng) -> np.ndarray:
    t = np.arange(int(seconds * SR16)) / SR16
    if label in ("female_speech", "male_speech"):
        f0 = 220.0 if label == "female_speech" else 110.0
        f0 = f0 * (1 + 0.05 * np.sin(2 * np.pi * 3 * t))
        phase = 2 * np.pi * np.cumsum(f0) / SR16
        x = sum(np.sin(k * phase) / k for k in range(1, 12)) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t) ** 2)
    elif label == "dog":
        x = np.sin(2 * np.pi * 600 * t) * (np.sin(2 * np.pi * 2 * t) > 0.3)
    else:
        x = rng.standard_normal(len(t)) * (0.3 if label == "rain" else 0.1)
    return (0.5 * x / np.max(np.abs(x))).astype(np.float32)


def make_fake_corpus(root):
    """A tiny TextSep corpus (manifest.csv, classes.csv, audio/<label>/*.flac at 16 kHz)."""
    rng = np.random.default_rng(0)
    rows = []
    for label, (prompts, n_train, n_val) in FAKE_CLASSES.items():
        (root / "audio" / label).mkdir(parents=True)
        for i in range(n_train + n_val):
            split = "train" if i < n_train else "val"
            seconds = 1.0 + 0.7 * i
            rel = f"audio/{label}/{label}_{i}.flac"
            sf.write(root / rel, _synth(label, seconds, rng), SR16, subtype="PCM_16")
            rows.append([rel, label, f"{label}-g{i}", "synthetic", "CC0", seconds, SR16, split, 8000])
    with open(root / "manifest.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["path", "label", "group", "source", "license", "duration_s", "orig_sr", "split",
                    "bandwidth_hz"])
        w.writerows(rows)
    with open(root / "classes.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["label", "category", "prompts"])
        for label, (prompts, _, _) in FAKE_CLASSES.items():
            w.writerow([label, "test", prompts])
    return root


