"""Prompt suggestions: ranking by kept energy, one batched forward, clear errors for unusable models."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from _fakes import LocalGate

from textsep import detect
from textsep.detect import DetectError, suggest_prompts
from textsep.edits import Region
from textsep.model.checkpoint import load_checkpoint, save_checkpoint
from textsep.separate import Separator
from textsep.spectral import SpecConfig


class ConstantMasks:
    """A stand-in UNetEstimator whose keep-mask for each prompt is a known constant."""

    text_agnostic = False
    name = "fake"

    def __init__(self, levels: dict[str, float], meta=None):
        self.levels = levels
        self.spec = SpecConfig(n_bands=16)
        labels = list(levels)
        self.bundle = SimpleNamespace(meta=meta if meta is not None else {
            "classes": labels, "prompts": {label: [f"{label} sound", "other wording"] for label in labels}})
        self.calls = []

    def band_masks(self, mono16, prompts):
        n_frames = len(mono16) // self.spec.hop + 1
        self.calls.append((len(mono16), list(prompts)))
        vals = [self.levels[p.split(" sound")[0]] for p in prompts]
        return torch.tensor(vals, dtype=torch.float32)[:, None, None].expand(-1, self.spec.n_bands, n_frames)


def noise(seconds, sr=44100, channels=2):
    return (np.random.default_rng(0).standard_normal((channels, int(seconds * sr))) * 0.1).astype(np.float32)


def test_ranking_is_by_kept_energy_in_one_batch():
    est = ConstantMasks({"dog": 0.5, "rain": 0.9, "speech": 0.2, "wind": 0.7})
    sep = Separator(est)
    rows = suggest_prompts(sep, noise(6), 44100, Region(1.0, 4.0, "?"), top_k=3)
    assert [r[0] for r in rows] == ["rain", "wind", "dog"]
    assert [r[1] for r in rows] == ["rain sound", "wind sound", "dog sound"]
    np.testing.assert_allclose([r[2] for r in rows], [0.81, 0.49, 0.25], atol=1e-4)  # energy = mask^2
    assert len(est.calls) == 1, "all classes in one forward pass"
    assert est.calls[0][1] == ["dog sound", "rain sound", "speech sound", "wind sound"]
    assert abs(est.calls[0][0] - 3 * 16000) <= 2, "only the region is analysed"


def test_tuple_region_and_mono_input():
    sep = Separator(ConstantMasks({"a": 0.1, "b": 0.3}))
    rows = suggest_prompts(sep, noise(2, 16000, 1)[0], 16000, (0.5, 1.5), top_k=10)
    assert [r[0] for r in rows] == ["b", "a"]


def test_long_region_is_bounded(monkeypatch):
    est = ConstantMasks({f"c{i}": i / 40 for i in range(40)})
    monkeypatch.setattr(detect, "MAX_BATCH_FRAMES", 4000)
    x = noise(60, 16000, 1)
    rows = suggest_prompts(Separator(est), x, 16000, Region(0, 60, "?"), top_k=2, max_seconds=1000)
    assert rows[0][0] == "c39" and rows[1][0] == "c38"
    assert len(est.calls) > 1 and max(n // 256 + 1 for n, _ in est.calls) * 40 <= 4000 + 40, \
        "prompts x frames per forward stays within the budget"
    assert sum(n for n, _ in est.calls) == 60 * 16000, "split, not truncated"
    est.calls.clear()
    suggest_prompts(Separator(est), x, 16000, Region(0, 60, "?"), max_seconds=10)
    assert 9 * 16000 <= sum(n for n, _ in est.calls) <= 10 * 16000, "long regions are judged on excerpts"


def test_real_model(tiny_separator):
    x = noise(3)
    rows = suggest_prompts(tiny_separator, x, 44100, Region(0.5, 2.5, "?"), top_k=5)
    meta = tiny_separator.estimator.bundle.meta
    assert len(rows) == 3 and {r[0] for r in rows} == set(meta["classes"])
    assert all(r[1] == meta["prompts"][r[0]][0] for r in rows)
    assert all(0 <= r[2] <= 1 for r in rows)
    assert [r[2] for r in rows] == sorted((r[2] for r in rows), reverse=True)


def test_text_agnostic_model_is_refused(tiny_agnostic_checkpoint):
    sep = Separator.from_checkpoint(tiny_agnostic_checkpoint)
    with pytest.raises(DetectError, match="text-agnostic") as e:
        suggest_prompts(sep, noise(1), 44100, Region(0, 1, "?"))
    assert e.value.kind == "model"


def test_model_without_classes_is_refused(tmp_path, tiny_checkpoint):
    b = load_checkpoint(tiny_checkpoint)
    path = save_checkpoint(tmp_path / "noclasses.pth", b.model, b.spec, {"encoder": b.meta["encoder"]})
    with pytest.raises(DetectError, match="no class list"):
        suggest_prompts(Separator.from_checkpoint(path), noise(1), 44100, Region(0, 1, "?"))
    with pytest.raises(DetectError, match="no prompt for class"):
        suggest_prompts(Separator(ConstantMasks({"a": 1.0}, meta={"classes": ["a"], "prompts": {}})),
                        noise(1), 44100, Region(0, 1, "?"))


def test_other_methods_and_bad_regions():
    with pytest.raises(DetectError, match="cannot rank"):
        suggest_prompts(Separator(LocalGate()), noise(1), 44100, Region(0, 1, "?"))
    sep = Separator(ConstantMasks({"a": 1.0, "b": 0.5}))
    with pytest.raises(DetectError, match="silent") as e:
        suggest_prompts(sep, np.zeros((2, 44100), np.float32), 44100, Region(0, 1, "?"))
    assert e.value.kind == "input"
    with pytest.raises(DetectError, match="outside"):
        suggest_prompts(sep, noise(1), 44100, Region(2, 3, "?"))
