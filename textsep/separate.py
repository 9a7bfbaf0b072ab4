"""Separator: the one public entry point for GUI, CLI, batch and evaluation.

For each region (in list order) it takes the region's span plus some context, estimates a mask from
16 kHz mono audio, maps that mask onto each channel's own STFT at the source rate (full bandwidth),
resynthesises, and blends with the region's time gate:  out = x + gate * (masked - x).  Samples
outside every region are never written, so they stay bit-identical. Long spans run in chunks with
overlap-add crossfades; a progress callback and a cancel flag are checked between chunks.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from textsep import audio as audio_io
from textsep.chunks import chunk_window, overlap_add, plan_chunks, region_spans
from textsep.edits import EditError, Region, clip_regions, gate
from textsep.errors import Cancelled, ModelError
from textsep.estimator import UNetEstimator, resolve_device
from textsep.file_pass import FilePass, check_cancel, gate_slice, require_finite
from textsep.masking import MIN_MODEL_SAMPLES, MODEL_SR, Mask, MaskEstimator, apply_mask, band_weights
from textsep.model.checkpoint import load_checkpoint
from textsep.prompts import ParaphraseCache

# Re-exported: the engine's pieces that callers know from here (the estimator, masks, the file pass).
__all__ = ["Separator", "Separated", "SeparationReport", "Cancelled", "UNetEstimator", "resolve_device", "Mask",
           "MaskEstimator", "apply_mask", "band_weights", "MODEL_SR", "MIN_MODEL_SAMPLES", "gate_slice",
           "require_finite", "FilePass", "ParaphraseCache"]
ProgressFn = Callable[[float, str], None]
# Cancelled (textsep.errors.Cancelled, imported above and importable from here as before) is raised when
# the cancel flag is set; nothing has been written.


@dataclass
class SeparationReport:
    regions: list[Region]
    warnings: list[str] = field(default_factory=list)
    processed_seconds: float = 0.0
    # Wall-clock seconds by phase (separate_file): "read" (spans), "process", "write" (copy + edited parts).
    timings: dict = field(default_factory=dict)


class Separated(NamedTuple):
    """What Separator.separate returns: the edited audio and the report of how it was made."""
    audio: Any
    report: SeparationReport


# Audio the model hears on each side of a region. Measured on the held-out cases (model v2.8, 2 x 400 cases,
# paired per case against 0.5 s, benchmarks/inference_settings.py): 1 s +0.10 / +0.08 dB, 2 s +0.17 / +0.12,
# 3 s +0.18 / +0.15, 4 s +0.17 / +0.13. A region's cost grows by the extra 6 s it hears, not with the file.
DEFAULT_CONTEXT_S = 3.0


class Separator:
    """Edit audio by regions. Construct once (model + encoder load), call many times; thread-safe calls
    are serialised so the GUI can reuse one instance from its worker thread."""

    def __init__(self, estimator: MaskEstimator, *, chunk_s: float = 30.0, overlap_s: float = 1.0,
                 context_s: float = DEFAULT_CONTEXT_S):
        if chunk_s <= 2 * overlap_s:
            raise ValueError("chunk_s must exceed twice overlap_s")
        self.estimator = estimator
        self.chunk_s, self.overlap_s, self.context_s = chunk_s, overlap_s, context_s
        self._lock = threading.Lock()

    @classmethod
    def from_checkpoint(cls, path=None, *, encoder=None, device: str | None = "cpu", baseline: bool = False,
                        **kwargs) -> Separator:
        """Load a checkpoint (default: the shipped model) and its text encoder."""
        from textsep.paths import default_checkpoint

        path = Path(path) if path else default_checkpoint(baseline)
        bundle = load_checkpoint(path)
        if baseline and not bundle.model.cfg.text_agnostic:
            raise ValueError(f"{path.name} is a text-conditioned model, not the text-agnostic baseline")
        sep = cls(UNetEstimator(bundle, encoder=encoder, device=device), **kwargs)
        sep.checkpoint_path = path
        return sep

    # ---- the pipeline on one span -------------------------------------------------------------
    def _process(self, x: np.ndarray, sr: int, region: Region) -> np.ndarray:
        """Masked version of the whole span x [C, n] (before gating)."""
        mono16 = audio_io.resample(x.mean(axis=0), sr, MODEL_SR)
        if mono16.shape[0] < MIN_MODEL_SAMPLES:  # the 16 kHz STFT needs a full frame; pad very short spans
            mono16 = np.pad(mono16, (0, MIN_MODEL_SAMPLES - mono16.shape[0]))
        mask = self.estimator.predict(mono16, region.prompt)
        return apply_mask(x, sr, mask, region.mode, region.floor_gain, region.band)

    def _process_chunked(self, x: np.ndarray, sr: int, region: Region, tick: Callable[[], None]) -> np.ndarray:
        """The masked span in chunks of at most chunk_s, overlap-added with crossfades (textsep.chunks)."""
        def one(chunk: np.ndarray) -> np.ndarray:
            y = self._process(chunk, sr, region)
            tick()
            return y

        chunks = plan_chunks(x.shape[1], sr, self.chunk_s, self.overlap_s)
        return overlap_add(x, one, chunks, int(self.overlap_s * sr))

    def _context_span(self, region: Region, sr: int, n_total: int) -> tuple[int, int]:
        """[lo, hi): the region's samples plus context_s on each side, within audio of n_total samples."""
        a, b = region.span(sr)
        ctx = int(self.context_s * sr)
        return max(0, a - ctx), min(n_total, b + ctx)

    def _n_steps(self, region: Region, sr: int, n_total: int) -> int:
        lo, hi = self._context_span(region, sr, n_total)
        return len(plan_chunks(hi - lo, sr, self.chunk_s, self.overlap_s))

    def _apply_regions(self, span: np.ndarray, offset: int, sr: int, n_total: int, regions: list[Region],
                       tick) -> None:
        """Apply regions in order, in place, to `span` = samples [offset, offset + span.shape[1])."""
        for r in regions:
            a, b = r.span(sr)
            b = min(b, n_total)
            lo, hi = self._context_span(r, sr, n_total)
            seg = span[:, lo - offset: hi - offset]
            require_finite(seg, lo, sr, "inside a region or its context")
            y = self._process_chunked(seg, sr, r, tick)
            g = gate(r, sr)[: b - a].astype(span.dtype)
            x_in = span[:, a - offset: b - offset]
            d = y[:, a - lo: b - lo] - x_in  # x + g (y - x), in place on a temporary
            d *= g
            x_in += d

    # ---- public API ----------------------------------------------------------------------------
    def understand(self, prompt: str):
        """What the model takes `prompt` to mean (textsep.prompts.Understanding): the known sounds it maps
        to with their weights, and whether it is a sound the model knows at all."""
        if not isinstance(prompt, str) or not prompt.strip():
            raise EditError("The prompt is empty: describe the sound, e.g. 'dog bark'")
        fn = getattr(self.estimator, "understand", None)
        if fn is None:
            raise ModelError(f"{getattr(self.estimator, 'name', 'this method')} does not report what prompts mean")
        return fn(prompt)

    @property
    def vocabulary(self):
        """The known sounds of the model (textsep.prompts.Vocabulary); ModelError for methods without one."""
        voc = getattr(self.estimator, "vocabulary", None)
        if voc is None:
            raise ModelError(f"{getattr(self.estimator, 'name', 'this method')} has no list of known sounds")
        return voc

    def prepare(self, regions, duration_s: float, sr: int | None = None,
                n_frames: int | None = None) -> SeparationReport:
        """The enabled regions clipped to the audio, with the warnings that clipping gives.

        With `sr` (and `n_frames`), a region that covers no whole sample at that rate is an EditError:
        one shorter than a sample, or one starting within the last half sample of the file."""
        regions = [r for r in regions if r.enabled]
        if not regions:
            raise EditError("No enabled regions to apply")
        clipped, warnings = clip_regions(regions, duration_s)
        if sr is not None:
            region_spans(regions, sr, int(n_frames) if n_frames is not None else round(duration_s * sr))
        return SeparationReport(clipped, warnings)

    def separate(self, samples: np.ndarray, sr: int, regions, *, progress: ProgressFn | None = None,
                 cancel: threading.Event | Callable[[], bool] | None = None) -> Separated:
        """(edited copy of samples [C, N] (or [N]), its report); the input array is not modified."""
        x = np.array(samples, copy=True)
        mono_in = x.ndim == 1
        x = np.atleast_2d(x)
        if not np.issubdtype(x.dtype, np.floating):
            raise TypeError("samples must be floating point in [-1, 1]")
        if x.shape[1] == 0:
            raise EditError("The audio is empty")
        report = self.prepare(regions, x.shape[1] / sr, sr, x.shape[1])
        with self._lock:
            tick = self._ticker(report.regions, sr, x.shape[1], progress, cancel)
            t0 = time.perf_counter()
            self._apply_regions(x, 0, sr, x.shape[1], report.regions, tick)
            report.timings["process"] = time.perf_counter() - t0
            report.processed_seconds = sum(hi - lo for lo, hi in (self._context_span(r, sr, x.shape[1])
                                                                  for r in report.regions)) / sr
        return Separated(x[0] if mono_in else x, report)

    def separate_audio(self, a: audio_io.Audio, regions, **kwargs) -> Separated:
        """(edited Audio with the source's rate and format, its report)."""
        out, report = self.separate(a.samples, a.sr, regions, **kwargs)
        return Separated(audio_io.Audio(out, a.sr, a.subtype, a.format, a.path), report)

    def separate_file(self, in_path, out_path, regions, *, overwrite: bool = False,
                      progress: ProgressFn | None = None, cancel=None, block: int = 1 << 18) -> SeparationReport:
        """Stream in_path to out_path in one front-to-back pass, processing only the regions (plus context).

        The input is never seeked (lossy decoders are not sample-exact after a seek): audio outside every
        region's context is copied block by block as raw samples; a region whose context span is longer
        than one chunk is streamed chunk by chunk (`_stream_region`: only the current chunk and the
        overlap tail of the crossfade are in memory), bit-identical to `separate` in memory. Regions
        whose context spans overlap form a cluster that is read and edited in memory as one span, so
        its memory scales with that cluster's length (one region, or several short ones, cost at most
        about one chunk).

        Time scales with the file (the copy), memory with chunk_s. The output keeps the source's rate,
        channel count and (where the format allows) subtype; it is opened (validated) before any
        processing, written atomically and never over the input or an existing file unless
        overwrite=True. Samples that cannot be edited (NaN/infinite inside a region or its context) are
        an AudioError; nothing is written then.
        """
        info = audio_io.info(in_path)
        report = self.prepare(regions, info.duration, info.sr, info.frames)
        writer = audio_io.AtomicWriter(out_path, info.sr, info.channels, info.subtype, overwrite=overwrite,
                                       protect=in_path)
        note = audio_io.format_note(info.subtype, out_path, writer.subtype)
        with self._lock:
            tick = self._ticker(report.regions, info.sr, info.frames, progress, cancel)
            with writer as w, audio_io.SequentialReader(info) as reader:
                p = FilePass(info, reader, w, cancel, block)
                for lo, hi, inside in self._clusters(info, report.regions):
                    p.copy_to(lo)
                    n_chunks = len(plan_chunks(hi - lo, info.sr, self.chunk_s, self.overlap_s))
                    if len(inside) == 1 and n_chunks > 1:
                        self._stream_region(p, lo, hi, inside[0], tick)
                    else:
                        self._edit_in_memory(p, lo, hi, inside, tick)
                    report.processed_seconds += (hi - lo) / info.sr
                p.copy_to(info.frames)
                self._check_cancel(cancel)
            report.timings.update(read=p.t_read, process=p.t_process, write=p.t_write)
        if p.nonfinite_copied:
            report.warnings.append(f"the input holds {p.nonfinite_copied} NaN or infinite sample(s) outside the "
                                   "regions; they were copied unchanged (only the regions were edited)")
        if reader.padded:
            report.warnings.append(f"the decoder delivered {reader.padded} frame(s) fewer than the file announces; "
                                   "the end was padded with silence")
        if note:
            report.warnings.append(note)
        return report

    def _clusters(self, info: audio_io.AudioInfo, regions: list[Region]) -> list[tuple[int, int, list[Region]]]:
        """(lo, hi, regions) of the context-inclusive spans, merged where they overlap or touch, in file
        order; each cluster's regions keep their list order (regions apply in order)."""
        sr, n = info.sr, info.frames
        spans = sorted(self._context_span(r, sr, n) for r in regions)
        clusters: list[list[int]] = []
        for lo, hi in spans:
            if clusters and lo <= clusters[-1][1]:
                clusters[-1][1] = max(clusters[-1][1], hi)
            else:
                clusters.append([lo, hi])
        return [(lo, hi, [r for r in regions if lo <= r.span(sr)[0] < hi]) for lo, hi in clusters]

    def _edit_in_memory(self, p: FilePass, lo: int, hi: int, inside: list[Region], tick) -> None:
        """Read the cluster [lo, hi), apply its regions in order (as `separate` does), write it."""
        sr, n = p.info.sr, p.info.frames
        raw = p.read(hi - lo)
        t0 = time.perf_counter()
        span = audio_io.raw_to_float(raw, p.info.subtype)
        self._apply_regions(span, lo, sr, n, inside, tick)
        p.t_process += time.perf_counter() - t0
        a = min(r.span(sr)[0] for r in inside)
        b = min(n, max(r.span(sr)[1] for r in inside))
        p.emit_raw(raw[: a - lo], lo)
        p.emit_float(span[:, a - lo: b - lo], a)
        p.emit_raw(raw[b - lo:], b)

    def _stream_region(self, p: FilePass, lo: int, hi: int, r: Region, tick) -> None:
        """One region's context span [lo, hi), chunk by chunk: the same chunks, weights and arithmetic as
        overlap_add + _apply_regions in memory (so the same output, bit for bit), but holding only the
        raw samples of the current chunk and the weighted sums of the samples a later chunk still adds
        to. After each chunk the samples no later chunk touches are final and written: raw copies
        outside the region, x + gate * (y - x) inside it."""
        info, sr = p.info, p.info.sr
        length = hi - lo
        chunks = plan_chunks(length, sr, self.chunk_s, self.overlap_s)
        ov = int(self.overlap_s * sr)
        a, b = r.span(sr)
        b = min(b, info.frames)
        raw = p.read(0)  # raw samples of [buf0, buf0 + len(raw)), relative to lo
        buf0 = 0
        acc = weight = None  # weighted sums and weights of [acc0, acc0 + acc.shape[1])
        acc0 = 0
        for k, (s, e) in enumerate(chunks):
            assert s == acc0 == buf0, (s, acc0, buf0)
            have = buf0 + raw.shape[0]
            if e > have:
                raw = np.concatenate([raw, p.read(e - have)])
            t0 = time.perf_counter()
            x = audio_io.raw_to_float(raw[s - buf0: e - buf0], info.subtype)
            require_finite(x, lo + s, sr, "inside a region or its context", info.path)
            y = self._process(x, sr, r)
            w = chunk_window(s, e, length, ov)
            y *= w
            if acc is None:
                acc, weight, acc0 = np.zeros_like(x), np.zeros(e - s, dtype=np.float32), s
            elif e > acc0 + acc.shape[1]:
                grow = e - (acc0 + acc.shape[1])
                acc = np.concatenate([acc, np.zeros((acc.shape[0], grow), acc.dtype)], axis=1)
                weight = np.concatenate([weight, np.zeros(grow, np.float32)])
            acc[:, s - acc0: e - acc0] += y
            weight[s - acc0: e - acc0] += w
            done = chunks[k + 1][0] if k + 1 < len(chunks) else length  # no later chunk adds below this
            m = done - acc0
            y_final = acc[:, :m] / weight[:m]
            p.t_process += time.perf_counter() - t0
            # acc0 == s (what the previous chunk left is where this one starts), so x holds [acc0, done)
            self._emit_mixed(p, raw[acc0 - buf0: done - buf0], x[:, :m], y_final, lo + acc0, r, a, b)
            acc, weight = acc[:, m:].copy(), weight[m:].copy()
            raw, buf0, acc0 = raw[done - buf0:].copy(), done, done
            tick()

    @staticmethod
    def _emit_mixed(p: FilePass, raw: np.ndarray, x: np.ndarray, y: np.ndarray, start: int, r: Region,
                    a: int, b: int) -> None:
        """Write samples [start, start + len(raw)): raw outside [a, b), x + gate * (y - x) inside."""
        stop = start + raw.shape[0]
        i0, i1 = max(start, a), min(stop, b)
        if i0 >= i1:
            p.emit_raw(raw, start)
            return
        xi = x[:, i0 - start: i1 - start]
        d = y[:, i0 - start: i1 - start] - xi  # x + g (y - x), as in _apply_regions
        d *= gate_slice(r, p.info.sr, i0 - a, i1 - a).astype(x.dtype)
        xi += d
        p.emit_raw(raw[: i0 - start], start)
        p.emit_float(xi, i0)
        p.emit_raw(raw[i1 - start:], i1)

    # ---- progress / cancel ---------------------------------------------------------------------
    _check_cancel = staticmethod(check_cancel)

    def _ticker(self, regions, sr, n_total, progress, cancel):
        total = max(1, sum(self._n_steps(r, sr, n_total) for r in regions))
        done = [0]
        self._check_cancel(cancel)
        if progress:
            progress(0.0, f"Processing {len(regions)} region(s)")

        def tick():
            done[0] += 1
            if progress:
                progress(min(1.0, done[0] / total), f"Chunk {done[0]}/{total}")
            self._check_cancel(cancel)

        return tick

