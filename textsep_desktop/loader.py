"""Open an audio file for the editor through textsep.audio, in chunks, off the GUI thread.

For formats with exact frame counts (WAV, AIFF, FLAC) the file is read with textsep.audio.read_span in
blocks straight into one C-contiguous [C, N] array: the same samples as textsep.audio.load (same
conversion code), but without its whole-file float64 temporary, with progress and cancel between
blocks. Other formats go through textsep.audio.load.
"""
from __future__ import annotations

import numpy as np

from textsep import audio as audio_io

BLOCK = 1 << 20  # frames per read
CHUNKED_FORMATS = ("WAV", "WAVEX", "AIFF", "FLAC", "W64", "RF64", "CAF")


def load_for_editing(path, progress=None, cancel=None) -> audio_io.Audio:
    info = audio_io.info(path)
    if info.format not in CHUNKED_FORMATS:
        a = audio_io.load(path)
        a.samples = np.ascontiguousarray(a.samples)
        return a
    n = info.frames
    out = None
    pos = 0
    while pos < n:
        if cancel is not None and cancel.is_set():
            raise InterruptedError("loading cancelled")
        stop = min(n, pos + BLOCK)
        try:
            block = audio_io.read_span(path, pos, stop, info.subtype)
        except Exception as exc:  # soundfile raises several types; report like textsep.audio.load does
            raise audio_io.AudioError(f"Cannot read {info.path.name}: {exc}") from exc
        if out is None:
            out = np.empty((info.channels, n), dtype=block.dtype)
        got = block.shape[1]
        out[:, pos: pos + got] = block
        if got < stop - pos:  # the header promised more frames than the file holds
            out = out[:, : pos + got].copy()
            break
        pos = stop
        if progress:
            progress(0.6 * pos / n, f"Reading {info.path.name}…")
    if out is None or out.shape[1] == 0:
        raise audio_io.AudioError(f"{info.path.name}: the file contains no audio (zero length)")
    return audio_io.Audio(out, info.sr, info.subtype, info.format, info.path)
