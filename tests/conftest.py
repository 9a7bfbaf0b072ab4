"""Shared fixtures: a small randomly initialised model saved as a real checkpoint, and its Separator.

Tests go through the real code paths (checkpoint file, MiniLM text encoder, Separator); only the
weights are untrained, so they test plumbing, not quality.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def make_tiny_checkpoint(path, text_agnostic: bool = False, seed: int = 0):
    import torch

    from textsep.model.checkpoint import save_checkpoint
    from textsep.model.unet import ModelConfig, TextConditionedUNet
    from textsep.spectral import SpecConfig

    torch.manual_seed(seed)
    labels = ["dog", "rain", "female_speech"]
    cfg = ModelConfig(n_bands=32, base=4, depth=4, n_classes=0 if text_agnostic else len(labels),
                      text_agnostic=text_agnostic)
    model = TextConditionedUNet(cfg)
    if model.routes:
        from textsep.text import get_encoder

        model.set_anchors(torch.from_numpy(get_encoder().encode(["dog bark", "rain", "female speech"])))
    meta = {"encoder": {"name": "all-MiniLM-L6-v2", "dim": 384}, "classes": labels,
            "prompts": {"dog": ["dog bark"], "rain": ["rain"], "female_speech": ["female speech"]}}
    return save_checkpoint(path, model, SpecConfig(n_bands=32), meta)


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory):
    return make_tiny_checkpoint(tmp_path_factory.mktemp("ckpt") / "tiny.pth")


@pytest.fixture(scope="session")
def tiny_agnostic_checkpoint(tmp_path_factory):
    return make_tiny_checkpoint(tmp_path_factory.mktemp("ckpt") / "tiny_agnostic.pth", text_agnostic=True)


@pytest.fixture(scope="session")
def tiny_separator(tiny_checkpoint):
    from textsep.separate import Separator

    return Separator.from_checkpoint(tiny_checkpoint)


@pytest.fixture
def noise_audio():
    """Factory: deterministic noise [C, N] float32 at rate sr."""

    def make(seconds=3.0, sr=44100, channels=2, seed=0):
        rng = np.random.default_rng(seed)
        return (rng.standard_normal((channels, int(seconds * sr))) * 0.1).astype(np.float32)

    return make


# Derived-data cache (textsep.separate.cache_dir): a private folder per test session, never ~/.cache.
import tempfile

os.environ.setdefault("TEXTSEP_CACHE_DIR", tempfile.mkdtemp(prefix="textsep-test-cache-"))
