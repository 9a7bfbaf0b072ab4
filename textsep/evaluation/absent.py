"""Edits whose prompt names a sound the window lacks (a batch edit over a folder meets many files without
the sound asked for): which sound to ask each case for, and how much of the window the edit touches.
Used by benchmarks/absent_prompt.py and tests/test_shipped_model.py."""
from __future__ import annotations

import numpy as np


def absent_prompts(cases, vocabulary, seed: int = 0) -> list[str]:
    """One prompt per case: the first paraphrase of a known sound outside both of the case's categories (so
    "piano" is never asked of background music, nor a voice of a voice); seeded."""
    rng = np.random.default_rng(seed)
    cat = vocabulary.categories
    out = []
    for c in cases:
        busy = {cat.get(c.label), cat.get(c.interferer_label)} - {None, ""}
        options = [k for k in vocabulary.classes
                   if k not in (c.label, c.interferer_label) and cat[k] not in busy]
        out.append(vocabulary.prompts[options[rng.integers(len(options))]][0])
    return out


def edit_levels(separator, mix: np.ndarray, sr: int, region, prompt: str) -> tuple[float, float]:
    """(remove, keep) with `prompt` over `region`'s window of mix [C, n], in dB relative to the window:
    the energy of what remove changes, and of what keep passes (lower: the edit touches less)."""
    from textsep.edits import Region

    a, b = region.span(sr)
    w = mix[:, a:b].astype(np.float64)
    levels = []
    for mode in ("remove", "keep"):
        y = separator.separate(mix, sr, [Region(region.start_s, region.end_s, prompt, mode)]).audio[:, a:b]
        part = y - w if mode == "remove" else y
        levels.append(float(10 * np.log10((np.sum(part ** 2) + 1e-12) / (np.sum(w ** 2) + 1e-12))))
    return levels[0], levels[1]
