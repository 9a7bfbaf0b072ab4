"""TextSep Desktop: a DAW-style editor that edits sound with words.

The package talks to the engine only through the engine's public API (textsep.audio, textsep.edits,
textsep.separate, textsep.batch, textsep.detect); heavy modules (torch, the model) are imported lazily in
worker threads so the window appears fast.
"""
__version__ = "0.1.0"
