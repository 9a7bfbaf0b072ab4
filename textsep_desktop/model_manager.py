"""Loads the Separator once (on a worker thread) and reuses it while the model settings stay the same.

`get()` is called from worker threads only; core.separate (and so torch) is imported there, never on
the GUI thread's start-up path.
"""
from __future__ import annotations

import threading
from pathlib import Path

from textsep_desktop.settings import DEFAULT_ENCODER, Settings


class ModelUnavailable(Exception):
    """The model cannot be loaded; the message is meant for the user."""


class ModelManager:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.Lock()
        self._sep = None
        self._key = None

    def checkpoint_problem(self) -> str | None:
        """A user-facing reason why no model can be loaded, checked cheaply on the GUI thread."""
        path = self.settings.resolved_checkpoint()
        if not Path(path).is_file():
            if self.settings.checkpoint_path:
                return (f"The model checkpoint chosen in Settings was not found:\n{path}\n\n"
                        "Choose an existing checkpoint in Edit → Settings.")
            return (f"The shipped model checkpoint is not installed:\n{path}\n\n"
                    "Train one with `textsep train` or choose a checkpoint file in Edit → Settings.")
        return None

    @property
    def loaded(self) -> bool:
        return self._sep is not None and self._key == self.settings.model_key()

    def set_separator(self, sep, key=None) -> None:
        """Use an already constructed Separator (tests, embedding)."""
        with self._lock:
            self._sep, self._key = sep, key or self.settings.model_key()

    def get(self, progress=None):
        key = self.settings.model_key()
        with self._lock:
            if self._sep is not None and self._key == key:
                return self._sep
            problem = self.checkpoint_problem()
            if problem:
                raise ModelUnavailable(problem)
            if progress:
                progress(0.0, "Loading model…")
            from core.model.checkpoint import CheckpointError
            from core.separate import Separator
            from core.text import TextEncoderError, get_encoder

            ckpt, enc_name, device = key
            try:
                encoder = None if enc_name == DEFAULT_ENCODER else get_encoder(enc_name)
                sep = Separator.from_checkpoint(ckpt, encoder=encoder, device=device)
            except (CheckpointError, TextEncoderError) as exc:
                raise ModelUnavailable(str(exc)) from exc
            except (RuntimeError, ValueError, OSError) as exc:
                raise ModelUnavailable(f"Could not load the model from {Path(ckpt).name}: {exc}") from exc
            self._sep, self._key = sep, key
            if progress:
                progress(0.0, "Model loaded")
            return sep
