"""TextSep: edit sound with words. The engine, pure Python, no Qt.

Public API (imported lazily, so `import textsep` stays instant and the desktop decides when torch loads)::

    from textsep import Separator, Region, EditSpec
    sep = Separator.from_checkpoint()                      # the shipped model
    audio = textsep.audio.load("in.wav")
    out, report = sep.separate(audio.samples, audio.sr, [Region(2.0, 4.0, "dog bark", "keep")])

Modules: errors (the error kinds), audio (I/O), edits (regions, gates, edit specs), separate (the one
pipeline), chunks (chunked overlap-add), loading (the one model loader), atomic (atomic writes), batch,
cli (argument parsing, exit codes) and commands (the subcommands' bodies), ...
"""
from __future__ import annotations

import importlib

__all__ = ["Separator", "Region", "EditSpec", "SeparationReport", "Cancelled"]

_EXPORTS = {"Separator": "textsep.separate", "SeparationReport": "textsep.separate", "Cancelled": "textsep.errors",
            "Region": "textsep.edits", "EditSpec": "textsep.edits"}


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'textsep' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
