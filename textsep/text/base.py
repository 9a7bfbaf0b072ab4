"""The text-encoder interface: prompts in, unit-norm embeddings out, cached per prompt."""
from __future__ import annotations

import threading

import numpy as np

from textsep.errors import ModelError


class TextEncoderError(ModelError):
    """The encoder cannot be used (missing package or weights); the message is meant for the user."""


class TextEncoder:
    """Subclasses set `name` and `dim` and implement `_encode(list[str]) -> np.ndarray [n, dim]`."""

    name = "base"
    dim = 0

    def __init__(self):
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    @staticmethod
    def normalise_prompt(prompt: str) -> str:
        return " ".join(str(prompt).strip().split())

    def encode(self, prompts) -> np.ndarray:
        """[n, dim] float32 unit vectors, one per prompt (computed once per distinct prompt)."""
        if isinstance(prompts, str):
            prompts = [prompts]
        keys = [self.normalise_prompt(p) for p in prompts]
        if any(not k for k in keys):
            raise TextEncoderError("Empty prompt: describe the sound, e.g. 'dog bark'")
        with self._lock:
            todo = sorted({k for k in keys if k not in self._cache})
            if todo:
                vecs = np.asarray(self._encode(todo), dtype=np.float32)
                vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
                self._cache.update(zip(todo, vecs))
            return np.stack([self._cache[k] for k in keys])

    def _encode(self, prompts: list[str]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError
