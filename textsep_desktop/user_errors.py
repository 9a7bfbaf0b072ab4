"""What the desktop shows for an exception, decided by its class (never by its class's name).

A `textsep.errors.TextSepError` carries a message meant for the user: it is shown as it is, without a
traceback. `textsep.errors.Cancelled` means the user stopped the job. textsep.errors imports nothing
heavy (never torch), so the GUI may import it eagerly.
"""
from __future__ import annotations

from textsep.errors import Cancelled, ModelError, TextSepError


def is_cancelled(exc: BaseException) -> bool:
    """The job stopped because the user cancelled it."""
    return isinstance(exc, Cancelled)


def is_user_error(exc: BaseException) -> bool:
    """The exception's message is meant for the user (a traceback would add nothing)."""
    return isinstance(exc, TextSepError)


def is_model_error(exc: BaseException) -> bool:
    """The model or its text encoder could not be loaded or used."""
    return isinstance(exc, ModelError)


def message(exc: BaseException) -> str:
    """User-facing text for an exception: a user error's own message, else its type and message."""
    msg = str(exc).strip()
    if is_user_error(exc) and msg:
        return msg
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
