"""Checkpoint loading: every kind of bad file is a CheckpointError, and pickled code never runs."""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from textsep.model.checkpoint import CheckpointError, load_checkpoint, read_checkpoint, save_checkpoint
from textsep.model.unet import ModelConfig, TextConditionedUNet
from textsep.spectral import SpecConfig


class Payload:
    """Unpickling this would create a marker file: proof that pickled code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_round_trip(tmp_path, tiny_checkpoint):
    bundle = load_checkpoint(tiny_checkpoint)
    assert bundle.meta["classes"] == ["dog", "rain", "female_speech"]
    path = save_checkpoint(tmp_path / "copy.pth", bundle.model, bundle.spec, bundle.meta)
    again = load_checkpoint(path)
    x = torch.rand(1, bundle.spec.n_bands, 40)
    e = torch.randn(1, 384)
    with torch.inference_mode():
        assert torch.equal(bundle.model(x, e), again.model(x, e))


def test_missing(tmp_path):
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "none.pth")


def test_random_bytes(tmp_path):
    p = tmp_path / "corrupt.pth"
    p.write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(CheckpointError, match="not a TextSep checkpoint"):
        load_checkpoint(p)


def test_wrong_file_type(tmp_path):
    p = tmp_path / "song.pth"
    sf.write(str(p), np.zeros(1000), 16000, format="WAV")
    with pytest.raises(CheckpointError, match="not a TextSep checkpoint"):
        load_checkpoint(p)


def test_truncated(tmp_path, tiny_checkpoint):
    data = Path(tiny_checkpoint).read_bytes()
    p = tmp_path / "truncated.pth"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="not a TextSep checkpoint"):
        load_checkpoint(p)


def test_torch_file_that_is_not_a_checkpoint(tmp_path):
    p = tmp_path / "weights.pth"
    torch.save({"weight": torch.zeros(3)}, p)
    with pytest.raises(CheckpointError, match="not a TextSep checkpoint"):
        load_checkpoint(p)
    torch.save(torch.zeros(3), p)
    with pytest.raises(CheckpointError, match="not a TextSep checkpoint"):
        load_checkpoint(p)


def test_incomplete_and_mismatched(tmp_path, tiny_checkpoint):
    blob = read_checkpoint(tiny_checkpoint)
    p = tmp_path / "x.pth"
    torch.save({k: v for k, v in blob.items() if k != "state_dict"}, p)
    with pytest.raises(CheckpointError, match="incomplete"):
        load_checkpoint(p)
    other = TextConditionedUNet(ModelConfig(n_bands=32, base=8, depth=4))
    save_checkpoint(p, other, SpecConfig(n_bands=32))
    blob2 = read_checkpoint(p)
    blob2["model_config"] = blob["model_config"]  # weights of another shape
    torch.save(blob2, p)
    with pytest.raises(CheckpointError, match="does not match"):
        load_checkpoint(p)
    blob["version"] = 99
    torch.save(blob, p)
    with pytest.raises(CheckpointError, match="newer"):
        load_checkpoint(p)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("how", ["torch-zip", "torch-zip-inside-checkpoint", "plain-pickle"])
def test_malicious_pickle_is_refused_and_never_executed(tmp_path, how):
    marker = tmp_path / "pwned"
    p = tmp_path / "evil.pth"
    if how == "torch-zip":
        torch.save(Payload(marker), p)
    elif how == "torch-zip-inside-checkpoint":
        torch.save({"format": "textsep-checkpoint", "version": 1, "model_config": {}, "spec": {},
                    "state_dict": {}, "meta": {"x": Payload(marker)}}, p)
    else:
        with open(p, "wb") as f:
            pickle.dump(Payload(marker), f)
    assert not marker.exists()
    with pytest.raises(CheckpointError):
        load_checkpoint(p)
    assert not marker.exists(), "loading a checkpoint must never run pickled code"
    # The payload really is live: plain unpickling would have run it.
    if how == "plain-pickle":
        with open(p, "rb") as f:
            pickle.load(f)
        assert marker.exists()
