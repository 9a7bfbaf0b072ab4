"""Text encoders. `get_encoder(name)` returns a shared instance, so embeddings are cached process-wide."""
from __future__ import annotations

import threading

from textsep.text.base import TextEncoder, TextEncoderError

ENCODERS = ("all-MiniLM-L6-v2", "msclap")
_instances: dict[tuple, TextEncoder] = {}
_lock = threading.Lock()


def get_encoder(name: str = "all-MiniLM-L6-v2", **kwargs) -> TextEncoder:
    key = (name, tuple(sorted((k, str(v)) for k, v in kwargs.items())))
    with _lock:
        if key not in _instances:
            if name in ("all-MiniLM-L6-v2", "minilm"):
                from textsep.text.minilm import MiniLMEncoder

                _instances[key] = MiniLMEncoder(**kwargs)
            elif name in ("msclap", "clap"):
                from textsep.text.clap import ClapEncoder

                _instances[key] = ClapEncoder(**kwargs)
            else:
                raise TextEncoderError(f"Unknown text encoder {name!r}; choose one of {', '.join(ENCODERS)}")
        return _instances[key]


__all__ = ["ENCODERS", "TextEncoder", "TextEncoderError", "get_encoder"]
