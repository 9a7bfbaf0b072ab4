"""Loads the Separator once (on a worker thread) and reuses it while the model settings stay the same.

`get()` is called from worker threads only; textsep.separate (and so torch) is imported there or on the
engine's start-up thread (engine.py), never on the GUI thread. A load pauses the cyclic garbage collector
(engine.gc_paused): full collections over the objects a model and its text encoder bring in measured up to
250 ms each, and each one would hold the GIL -- and the GUI -- that long.
"""
from __future__ import annotations

import threading
from pathlib import Path

from textsep.errors import ModelError
from textsep_desktop.settings import DEFAULT_ENCODER, Settings
from textsep_desktop.user_errors import is_user_error


class ModelUnavailable(ModelError):
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
        if not self._lock.acquire(blocking=False):  # another thread (the start-up warm-up) is loading it
            if progress:
                progress(0.0, "Loading model…")
            self._lock.acquire()
        try:
            return self._get(key, progress)
        finally:
            self._lock.release()

    @staticmethod
    def _load(ckpt: str, enc_name: str, device: str):
        from textsep.loading import load_separator
        from textsep.text import get_encoder

        name = Path(ckpt).name
        try:
            encoder = None if enc_name == DEFAULT_ENCODER else get_encoder(enc_name)
            sep = load_separator(ckpt, encoder=encoder, device=device)
            enc = getattr(sep.estimator, "encoder", None)
            if enc is not None:  # a text encoder loads on first use: load it here, with the collector paused
                enc.encode(["dog bark"])
        except Exception as exc:  # noqa: BLE001 - what the user can act on becomes ModelUnavailable
            if is_user_error(exc):
                msg = str(exc)
                if isinstance(exc.__cause__, (RuntimeError, ValueError)) and name not in msg:
                    msg = f"Could not load the model from {name}: {msg}"  # load_separator's wrapped error
                raise ModelUnavailable(msg) from exc
            if isinstance(exc, (RuntimeError, ValueError, OSError)):
                raise ModelUnavailable(f"Could not load the model from {name}: {exc}") from exc
            raise
        return sep

    def _get(self, key, progress):
        from textsep_desktop import engine

        if self._sep is not None and self._key == key:
            return self._sep
        problem = self.checkpoint_problem()
        if problem:
            raise ModelUnavailable(problem)
        if progress:
            progress(0.0, "Loading model…")
        with engine.gc_paused():
            sep = self._load(*key)
        self._sep, self._key = sep, key
        if progress:
            progress(0.0, "Model loaded")
        return sep
