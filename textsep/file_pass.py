"""One front-to-back pass over an input file for Separator.separate_file: raw copies of untouched
audio, edited spans written in the output's sample format block by block, never a seek (lossy decoders
are not sample-exact when seeking), and the checks that keep NaN/Inf out of edits."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from textsep import audio as audio_io
from textsep.edits import Region, fade_length, raised_cosine_ramp
from textsep.errors import Cancelled


def check_cancel(cancel) -> None:
    """Raise Cancelled when the cancel flag (an Event or a callable) is set."""
    if cancel is None:
        return
    flag = cancel.is_set() if hasattr(cancel, "is_set") else cancel()
    if flag:
        raise Cancelled("Separation cancelled")


def gate_slice(region: Region, sr: int, i0: int, i1: int) -> np.ndarray:
    """gate(region, sr)[i0:i1] without building the whole gate (a region over an hour-long file would
    need a gigabyte for it). Same values, bit for bit (tests/test_separate.py checks)."""
    a, b = region.span(sr)
    n = b - a
    g = np.ones(max(0, i1 - i0), dtype=np.float64)
    f = fade_length(region, sr)
    if f > 0:
        ramp = raised_cosine_ramp(f)
        lo, hi = max(i0, 0), min(i1, f)
        if lo < hi:
            g[lo - i0: hi - i0] = ramp[lo:hi]
        lo, hi = max(i0, n - f), min(i1, n)
        if lo < hi:
            g[lo - i0: hi - i0] = ramp[::-1][lo - (n - f): hi - (n - f)]
    return g


def require_finite(x: np.ndarray, start: int, sr: int, where: str, path=None) -> None:
    """AudioError (an input error) when [C, n] samples starting at frame `start` hold NaN or infinity.

    Such samples cannot be edited: one NaN spreads through the STFT to the whole chunk on every channel.
    Refusing is the honest answer; silently writing NaN (or the silence a cast of NaN gives) is not."""
    if np.isfinite(x).all():
        return
    bad = np.flatnonzero(~np.isfinite(x).all(axis=0))
    name = f"{Path(path).name}: " if path is not None else ""
    raise audio_io.AudioError(
        f"{name}the audio has {bad.size} frame(s) with NaN or infinite samples {where}, the first at "
        f"{(start + int(bad[0])) / sr:.3f} s; they cannot be edited. Repair the file (e.g. replace them with "
        "silence) or choose regions away from them")


class FilePass:
    """One front-to-back pass from a SequentialReader to an AtomicWriter (Separator.separate_file).

    copy_to() copies the untouched audio as raw samples (the narrowest exact dtype; converted only when
    the output's subtype differs); read() gives raw samples to edit; emit_raw()/emit_float() write, in
    order. Keeps the read/process/write times."""

    def __init__(self, info: audio_io.AudioInfo, reader: audio_io.SequentialReader, writer: audio_io.AtomicWriter,
                 cancel, block: int):
        self.info, self.reader, self.writer, self.cancel, self.block = info, reader, writer, cancel, block
        self.same = writer.subtype == info.subtype
        self.io_dtype = audio_io.io_dtype(info.subtype)
        self.copy_dtype = audio_io.copy_dtype(info.subtype) if self.same else self.io_dtype
        self.pos = 0  # frames written
        self.nonfinite_copied = 0  # NaN/infinite samples copied unchanged outside the regions (float files)
        self.t_read = self.t_process = self.t_write = 0.0

    def copy_to(self, stop: int) -> None:
        while self.pos < stop:
            t0 = time.perf_counter()
            raw = self.reader.read(min(self.block, stop - self.pos), self.copy_dtype)
            if self.same and raw.dtype.kind == "f":
                self.nonfinite_copied += int(raw.size - np.count_nonzero(np.isfinite(raw)))
            self.t_write += time.perf_counter() - t0
            self.emit_raw(raw, self.pos)
            check_cancel(self.cancel)  # a long copy stays cancellable; the writer cleans up

    def read(self, m: int) -> np.ndarray:
        t0 = time.perf_counter()
        raw = self.reader.read(m, self.io_dtype)
        self.t_read += time.perf_counter() - t0
        return raw

    def emit_raw(self, raw: np.ndarray, start: int) -> None:
        if raw.shape[0] == 0:
            return
        assert start == self.pos, (start, self.pos)
        t0 = time.perf_counter()
        if self.same:
            self.writer.write_raw(raw)
        else:
            x = audio_io.raw_to_float(raw, self.info.subtype)
            require_finite(x, start, self.info.sr, f"(outside the regions: {self.writer.format} "
                                                   f"{self.writer.subtype} cannot store them)", self.info.path)
            self.writer.write_float(x)
        self.pos += raw.shape[0]
        self.t_write += time.perf_counter() - t0

    def emit_float(self, x: np.ndarray, start: int) -> None:
        if x.shape[1] == 0:
            return
        assert start == self.pos, (start, self.pos)
        t0 = time.perf_counter()
        self.writer.write_float(x)
        self.pos += x.shape[1]
        self.t_write += time.perf_counter() - t0
