"""TextSep Desktop: a DAW-style editor that edits sound with words.

The package talks to the engine only through core's public API (core.audio, core.edits,
core.separate, core.batch, core.detect); heavy modules (torch, the model) are imported lazily in
worker threads so the window appears fast.
"""
__version__ = "0.1.0"
