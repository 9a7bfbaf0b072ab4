"""The one model loader, used by the CLI, batch, evaluation and the desktop app.

It turns "which model" (a checkpoint path or the shipped default, the text-agnostic baseline, or the
NMF baseline) into a ready `Separator`, and every way that can fail into a `ModelError` whose message
says what to do (InputError for options that contradict each other).
"""
from __future__ import annotations

from pathlib import Path

from textsep.errors import InputError, ModelError, TextSepError


def load_separator(model_path=None, *, method: str = "unet", baseline: bool = False, device: str | None = None,
                   encoder=None, **separator_kwargs):
    """A Separator for `method` ("unet" or "nmf"); model_path None means the shipped file.

    Imports torch (through textsep.separate): call it from a worker thread in the app.
    """
    from textsep.separate import Separator

    if method not in ("unet", "nmf"):
        raise InputError(f"unknown method {method!r} (use unet or nmf)")
    if method == "nmf" and baseline:
        raise InputError("--baseline selects the text-agnostic UNet; it does not apply to --method nmf")
    try:
        if method == "nmf":
            from textsep.nmf import NMFEstimator

            return Separator(NMFEstimator.load(model_path), **separator_kwargs)
        return Separator.from_checkpoint(Path(model_path) if model_path else None, device=device or "cpu",
                                         baseline=baseline, encoder=encoder, **separator_kwargs)
    except TextSepError:  # CheckpointError, NMFError, TextEncoderError (ModelErrors): already in words
        raise
    except (RuntimeError, ValueError) as exc:  # device unavailable, encoder/model or baseline mismatch
        raise ModelError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
