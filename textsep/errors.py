"""One hierarchy for the errors whose message is meant for the user.

Every engine error a user can cause or meet derives from `TextSepError` and belongs to one kind: bad
input (the audio, a window, a prompt, an edit spec, a dataset), a model problem (checkpoint, text
encoder), an output problem (the file to write), or a cancelled job. The CLI maps the kinds to exit codes
in one table (textsep.cli.EXIT_CODES) and the desktop shows every worker error through one handler; no
caller matches exception class names.
"""
from __future__ import annotations


class TextSepError(Exception):
    """An error with a message meant for the user (no traceback needed)."""


class InputError(TextSepError):
    """The input cannot be used: audio file, window, prompt, edit spec, dataset or cases."""


class ModelError(TextSepError):
    """The model or text encoder cannot be loaded or used."""


class OutputError(TextSepError):
    """The output cannot be written (exists, same as the input, unsupported format, disk problem)."""


class Cancelled(TextSepError):
    """The user cancelled the job; whatever was being written has been removed."""


def user_message(exc: BaseException) -> str:
    """The text to show for `exc`: its own message for TextSepError, else its type and message."""
    if isinstance(exc, TextSepError):
        return str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
