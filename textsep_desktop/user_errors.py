"""What the desktop shows for an exception, decided by its class (never by its class's name).

A `textsep.errors.TextSepError` carries a message meant for the user: it is shown as it is, without a
traceback. `textsep.errors.Cancelled` means the user stopped the job. The engine's older error classes are
being moved under those kinds (issue "Architecture"); until every one of them is, the classes below are
recognised too. They are taken from the modules that define them only when those modules are loaded -- an
instance of one means its module is loaded -- so this module imports nothing heavy (never torch).
"""
from __future__ import annotations

import sys

from textsep.errors import Cancelled, ModelError, TextSepError

# (module, class) of engine errors with user-facing messages that may not yet derive from TextSepError.
_LEGACY_USER_ERRORS = (("textsep.audio", "AudioError"), ("textsep.edits", "EditError"),
                       ("textsep.model.checkpoint", "CheckpointError"), ("textsep.detect", "DetectError"),
                       ("textsep.batch", "BatchError"), ("textsep.text.base", "TextEncoderError"))
_LEGACY_CANCELLED = (("textsep.separate", "Cancelled"),)


def _loaded_classes(pairs) -> tuple[type, ...]:
    found = []
    for module, name in pairs:
        cls = getattr(sys.modules.get(module), name, None)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            found.append(cls)
    return tuple(found)


def is_cancelled(exc: BaseException) -> bool:
    """The job stopped because the user cancelled it."""
    return isinstance(exc, Cancelled) or isinstance(exc, _loaded_classes(_LEGACY_CANCELLED))


def is_user_error(exc: BaseException) -> bool:
    """The exception's message is meant for the user (a traceback would add nothing)."""
    return isinstance(exc, TextSepError) or isinstance(exc, _loaded_classes(_LEGACY_USER_ERRORS))


def is_model_error(exc: BaseException) -> bool:
    """The model or its text encoder could not be loaded or used."""
    return isinstance(exc, ModelError)


def message(exc: BaseException) -> str:
    """User-facing text for an exception: a user error's own message, else its type and message."""
    msg = str(exc).strip()
    if is_user_error(exc) and msg:
        return msg
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
