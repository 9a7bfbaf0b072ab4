"""Checkpoint format: weights plus the metadata needed to use them, loaded without executing pickle code.

A checkpoint is a `torch.save`d dict of plain types and tensors only, so `torch.load(weights_only=True)`
reads it safely:

    format        "textsep-checkpoint"
    version       1
    model_config  ModelConfig.to_dict()  (widths, bands, FiLM placement, routing, text_agnostic)
    spec          SpecConfig.to_dict()   (sample rate, n_fft, hop, bands)
    state_dict    model weights (routing anchors included)
    meta          dict: encoder {name, dim}, classes [labels], prompts {label: [paraphrases]},
                  training {steps, cpu_minutes, command, ...}, metrics {...}
    train_state   optional: optimizer / scheduler / RNG state for --resume (not in shipped files)
"""
from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import torch

from textsep import atomic
from textsep.errors import ModelError
from textsep.model.unet import ModelBundle, ModelConfig, TextConditionedUNet
from textsep.spectral import SpecConfig

FORMAT = "textsep-checkpoint"
VERSION = 1


class CheckpointError(ModelError):
    """A checkpoint cannot be used; the message is meant for the user."""


def save_checkpoint(path, model: TextConditionedUNet, spec: SpecConfig, meta: dict | None = None,
                    train_state: dict | None = None) -> Path:
    path = Path(path)
    blob = {
        "format": FORMAT,
        "version": VERSION,
        "model_config": model.cfg.to_dict(),
        "spec": spec.to_dict(),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "meta": meta or {},
    }
    if train_state is not None:
        blob["train_state"] = train_state
    path.parent.mkdir(parents=True, exist_ok=True)
    # A new file gets 0o666 & ~umask (0o644 under the usual umask: readable by everyone, as a shipped
    # model must be); a replaced checkpoint keeps its mode.
    with atomic.atomic_path(path) as tmp:
        torch.save(blob, tmp)
    return path


def read_checkpoint(path) -> dict:
    """The raw checkpoint dict, validated. Never unpickles arbitrary objects.

    A file that is not a checkpoint is a CheckpointError saying so, in TextSep's words: torch's own
    message for a refused pickle advises loading it with weights_only=False, which would run whatever
    code the file carries, so it is never passed on (nor torch's warnings about pickle protocols)."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"Model checkpoint not found: {path}")
    try:
        empty = path.stat().st_size == 0
    except OSError as exc:
        raise CheckpointError(f"Cannot read {path.name}: {exc.strerror or exc}") from exc
    if empty:
        raise CheckpointError(f"{path.name} is empty: not a TextSep checkpoint")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            blob = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise CheckpointError(f"{path.name} is not a TextSep checkpoint: it is damaged, or holds Python objects or "
                              "code that a checkpoint never contains (nothing of it was run)") from exc
    except PermissionError as exc:
        raise CheckpointError(f"Cannot read {path.name}: {exc.strerror or exc}") from exc
    except Exception as exc:  # zip, EOF, unicode errors... all mean "not a checkpoint"
        raise CheckpointError(f"{path.name} is not a TextSep checkpoint (damaged, truncated or another kind of "
                              f"file: {type(exc).__name__})") from exc
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise CheckpointError(f"{path.name} is not a TextSep checkpoint (missing format marker)")
    version = blob.get("version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise CheckpointError(f"{path.name} has an invalid format version {version!r}")
    if not isinstance(blob.get("meta", {}), dict):
        raise CheckpointError(f"{path.name} is damaged: its metadata is not a mapping")
    if version > VERSION:
        raise CheckpointError(f"{path.name} was written by a newer TextSep (format version {blob['version']})")
    for key in ("model_config", "spec", "state_dict"):
        if key not in blob:
            raise CheckpointError(f"{path.name} is incomplete: no '{key}'")
    return blob


def model_from_blob(blob: dict, name: str = "checkpoint") -> ModelBundle:
    try:
        cfg = ModelConfig.from_dict(blob["model_config"])
        spec = SpecConfig(**blob["spec"])
        model = TextConditionedUNet(cfg)
        model.load_state_dict(blob["state_dict"])
    except Exception as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:300]
        raise CheckpointError(f"{name} does not match the TextSep model: {first}") from exc
    model.eval()
    return ModelBundle(model, spec, dict(blob.get("meta", {})))


def load_checkpoint(path) -> ModelBundle:
    return model_from_blob(read_checkpoint(path), Path(path).name)
