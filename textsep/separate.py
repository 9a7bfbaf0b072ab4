"""Separator: the one public entry point for GUI, CLI, batch and evaluation.

For each region (in list order) it takes the region's span plus some context, estimates a mask from
16 kHz mono audio, maps that mask onto each channel's own STFT at the source rate (full bandwidth),
resynthesises, and blends with the region's time gate:  out = x + gate * (masked - x).  Samples
outside every region are never written, so they stay bit-identical. Long spans run in chunks with
overlap-add crossfades; a progress callback and a cancel flag are checked between chunks.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import numpy as np
import torch

from textsep import audio as audio_io
from textsep.chunks import chunk_window, overlap_add, plan_chunks, region_spans
from textsep.edits import EditError, Region, clip_regions, fade_length, gate, raised_cosine_ramp
from textsep.errors import Cancelled, ModelError
from textsep.model.checkpoint import load_checkpoint
from textsep.model.unet import ModelBundle
from textsep.spectral import (
    SpecConfig,
    band_centres,
    band_filterbank,
    frame_interp,
    freq_interp_matrix,
    istft,
    native_fft_size,
    stft,
)

MODEL_SR = 16000
MIN_MODEL_SAMPLES = 1024  # one n_fft frame at 16 kHz; shorter spans are zero-padded before estimation
ProgressFn = Callable[[float, str], None]
# Cancelled (textsep.errors.Cancelled, imported above and importable from here as before) is raised when
# the cancel flag is set; nothing has been written.


@dataclass
class Mask:
    """A mask on a (frequency, time) grid of the 16 kHz mono analysis: values [F, T] in [0, 1]."""

    values: torch.Tensor
    freqs_hz: np.ndarray
    hop_s: float


class MaskEstimator(Protocol):
    """Anything that turns 16 kHz mono audio and a prompt into a keep-mask (UNet, NMF, oracle...)."""

    name: str

    def predict(self, mono16: np.ndarray, prompt: str) -> Mask: ...


def resolve_device(device: str | None) -> torch.device:
    """'cpu' (default), 'cuda', 'mps' or 'auto'; asking for an absent accelerator is an error."""
    device = (device or "cpu").lower()
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError("CUDA was requested but no CUDA device is available")
    if device == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise RuntimeError("MPS was requested but is not available on this machine")
    return torch.device(device)


class UNetEstimator:
    """The trained model plus its text encoder."""

    def __init__(self, bundle: ModelBundle, encoder=None, device: str | None = "cpu", snap_prompts: bool = True):
        self.bundle = bundle
        self.snap_prompts = snap_prompts
        self.model = bundle.model
        self.spec: SpecConfig = bundle.spec
        self.device = resolve_device(device)
        self.model.to(self.device).eval()
        self.text_agnostic = bool(self.model.cfg.text_agnostic)
        self.name = "text-agnostic" if self.text_agnostic else "textsep"
        enc_meta = bundle.meta.get("encoder", {})
        if encoder is None and not self.text_agnostic:
            from textsep.text import get_encoder

            encoder = get_encoder(enc_meta.get("name", "all-MiniLM-L6-v2"))
        if encoder is not None and not self.text_agnostic and encoder.dim != self.model.cfg.text_dim:
            raise ValueError(f"Text encoder {encoder.name} gives {encoder.dim}-d vectors but the model expects "
                             f"{self.model.cfg.text_dim}-d ({enc_meta.get('name', 'its training encoder')})")
        self.encoder = encoder
        self._fb = torch.from_numpy(band_filterbank(self.spec)).to(self.device)
        self._vocabulary = None
        self.freqs_hz = band_centres(self.spec)

    def embed(self, prompts) -> torch.Tensor | None:
        """Prompt embeddings as the model should see them.

        With class routing, a prompt is "snapped" onto the known classes: its embedding becomes the
        routing-weighted mix of the class anchors (at its own norm). The text MLP was only ever trained
        on the classes' training paraphrases, so an unseen wording ("felling a tree") otherwise reaches
        it off-distribution; snapping measured +1.2 dB SI-SDRi on unseen wordings and no change on seen
        ones (checkpoints/README.md).
        """
        if self.text_agnostic:
            return None
        emb = torch.from_numpy(self.encoder.encode(prompts)).to(self.device)
        if self.snap_prompts and getattr(self.model, "routes", False):
            with torch.inference_mode():
                emb = (self.model.route(emb) @ self.model.anchors) * emb.float().norm(dim=-1, keepdim=True)
        return emb

    @torch.inference_mode()
    def band_masks(self, mono16: np.ndarray, prompts: list[str]) -> torch.Tensor:
        """[len(prompts), F, T] masks for one clip, several prompts in one batch (prompt suggestions)."""
        x = torch.from_numpy(np.ascontiguousarray(mono16, dtype=np.float32)).to(self.device)
        mag = stft(x, self.spec.n_fft, self.spec.hop).abs()
        bands = (self._fb @ mag).unsqueeze(0).expand(len(prompts), -1, -1)
        emb = self.embed(prompts)
        return self.model(bands, emb).float().cpu()

    @property
    def vocabulary(self):
        """The known sounds (textsep.prompts.Vocabulary), routed by this model's own weights."""
        if self._vocabulary is None:
            from textsep.prompts import vocabulary_from_meta

            if self.text_agnostic or not self.bundle.meta.get("classes"):
                raise ModelError(f"{self.name} does not read prompts: it has no known sounds to report")
            route = None
            if getattr(self.model, "routes", False):
                def route(v):
                    with torch.inference_mode():
                        return self.model.route(torch.from_numpy(v).to(self.device)).float().cpu().numpy()[0]
            self._vocabulary = vocabulary_from_meta(self.bundle.meta, ParaphraseCache(self.encoder), route)
        return self._vocabulary

    def understand(self, prompt: str):
        return self.vocabulary.understand(prompt)

    def predict(self, mono16: np.ndarray, prompt: str) -> Mask:
        values = self.band_masks(mono16, [prompt])[0]
        return Mask(values, self.freqs_hz, self.spec.hop / self.spec.sr)


def cache_dir() -> Path | None:
    """Where TextSep keeps derived data it can always recompute: $TEXTSEP_CACHE_DIR (empty or "off":
    nowhere), else $XDG_CACHE_HOME/textsep, else ~/.cache/textsep."""
    d = os.environ.get("TEXTSEP_CACHE_DIR")
    if d is not None:
        return Path(d) if d.strip() and d.strip().lower() not in ("0", "off", "none") else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "textsep"


class ParaphraseCache:
    """The text encoder as a Vocabulary sees it, with its one big call kept on disk.

    Saying what a prompt is understood as needs the embedding of every paraphrase of every known sound
    (195 for the shipped model): about a second of MiniLM on two cores, the largest part of a CLI run
    on a short file after importing torch. Those embeddings depend only on the encoder's weights and
    the texts, so the first run stores them (cache_dir(), a .npy of float32, read back without pickle)
    and later runs read them in a millisecond. Small calls (the user's prompt) and encoders other than
    the default MiniLM go straight to the encoder. Any cache problem just means encoding again.
    """

    MIN_BATCH = 16

    def __init__(self, encoder, folder: Path | None = None):
        self._encoder = encoder
        self._folder = folder if folder is not None else cache_dir()

    def __getattr__(self, name):
        return getattr(self._encoder, name)

    def _key(self, texts: list[str]) -> str | None:
        enc = self._encoder
        try:
            from textsep.text.minilm import MiniLMEncoder, model_dir

            if not isinstance(enc, MiniLMEncoder):
                return None
            st = (Path(getattr(enc, "_path", None) or model_dir()) / "model.safetensors").stat()
        except Exception:  # noqa: BLE001 - no identity for the weights: no caching
            return None
        ident = json.dumps([enc.name, int(enc.dim), st.st_size, st.st_mtime_ns, texts])
        return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:24]

    def encode(self, texts) -> np.ndarray:
        texts = [texts] if isinstance(texts, str) else list(texts)
        key = self._key(texts) if self._folder is not None and len(texts) >= self.MIN_BATCH else None
        if key is None:
            return self._encoder.encode(texts)
        path = self._folder / f"paraphrases-{key}.npy"
        try:
            v = np.load(path, allow_pickle=False)
            if v.dtype == np.float32 and v.shape == (len(texts), int(self._encoder.dim)) and np.isfinite(v).all():
                return v
        except (OSError, ValueError, EOFError):
            pass
        v = np.asarray(self._encoder.encode(texts), dtype=np.float32)
        try:
            from textsep import atomic

            self._folder.mkdir(parents=True, exist_ok=True)
            with atomic.atomic_path(path) as tmp, open(tmp, "wb") as f:
                np.save(f, v)
        except OSError:
            pass
        return v


@dataclass
class SeparationReport:
    regions: list[Region]
    warnings: list[str] = field(default_factory=list)
    processed_seconds: float = 0.0
    # Wall-clock seconds by phase (separate_file): "read" (spans), "process", "write" (copy + edited parts).
    timings: dict = field(default_factory=dict)


BAND_EDGE = 0.2  # a band's smooth edges extend this share of its width beyond each edge


def band_weights(freqs: np.ndarray, band: tuple[float, float | None] | None) -> np.ndarray | None:
    """How much of a region's effect applies at each frequency: 1 inside [low, high], 0 well outside, with
    raised-cosine edges reaching BAND_EDGE x the band's width beyond each edge (below `low` at most half of
    `low`, so a band starting at 50 Hz does not reach down to DC). None for a full-band region."""
    if band is None:
        return None
    low, high = band
    high = float(freqs[-1]) if high is None else high
    t = BAND_EDGE * (high - low)
    w = np.ones(len(freqs), dtype=np.float64)
    for dist, width in ((low - freqs, min(t, 0.5 * low)), (freqs - high, t)):
        outside = dist > 0
        if width <= 0:
            w[outside] = 0.0
        else:
            r = np.clip(dist[outside] / width, 0.0, 1.0)
            w[outside] = np.minimum(w[outside], 0.5 + 0.5 * np.cos(np.pi * r))
    return w


def apply_mask(x: np.ndarray, sr: int, mask: Mask, mode: str, floor: float = 0.0, band=None) -> np.ndarray:
    """Apply a 16 kHz-grid keep-mask to [C, n] audio at its own rate; `remove` uses 1 - mask.

    `floor` is the smallest gain (Region.floor_gain): the applied gain is floor + (1 - floor) * mask.
    `band` (low_hz, high_hz) limits the effect to a frequency band: the gain is 1 - B(f) (1 - gain), with
    B the band's weights (band_weights), so outside the band the audio passes through the STFT unchanged.
    """
    n = x.shape[1]
    n_fft = native_fft_size(sr)
    hop = n_fft // 4
    pad = max(0, n_fft - n)  # very short spans: zero-pad so the STFT has a full frame
    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    if pad:
        xt = torch.nn.functional.pad(xt, (0, pad))
    X = stft(xt, n_fft, hop)  # [C, bins, frames]
    freqs = np.arange(X.shape[-2]) * sr / n_fft
    W = torch.from_numpy(freq_interp_matrix(mask.freqs_hz, freqs))
    # Both maps are linear, so resample the (small) mask in time first, then spread it over the bins.
    values = mask.values.float()
    lo, hi, w = frame_interp(X.shape[-1], hop / sr, values.shape[-1], mask.hop_s)
    M = (W @ (values[:, lo] * (1 - w) + values[:, hi] * w)).clamp_(0, 1)  # [bins, frames]
    if mode == "remove":
        M = M.neg_().add_(1)
    if floor > 0:
        M = M.mul_(1 - floor).add_(floor)
    B = band_weights(freqs, band)
    if B is not None:
        M = 1 - torch.from_numpy(B.astype(np.float32))[:, None] * (1 - M)
    y = istft(X.mul_(M), n_fft, hop, xt.shape[-1])  # in place: X is large and used once
    return y[:, :n].numpy().astype(x.dtype, copy=False)


class Separated(NamedTuple):
    """What Separator.separate returns: the edited audio and the report of how it was made."""
    audio: Any
    report: SeparationReport


class Separator:
    """Edit audio by regions. Construct once (model + encoder load), call many times; thread-safe calls
    are serialised so the GUI can reuse one instance from its worker thread."""

    def __init__(self, estimator: MaskEstimator, *, chunk_s: float = 30.0, overlap_s: float = 1.0,
                 context_s: float = 0.5):
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

    def _n_steps(self, region: Region, sr: int, n_total: int) -> int:
        a, b = region.span(sr)
        ctx = int(self.context_s * sr)
        return len(plan_chunks(min(n_total, b + ctx) - max(0, a - ctx), sr, self.chunk_s, self.overlap_s))

    def _apply_regions(self, span: np.ndarray, offset: int, sr: int, n_total: int, regions: list[Region],
                       tick) -> None:
        """Apply regions in order, in place, to `span` = samples [offset, offset + span.shape[1])."""
        ctx = int(self.context_s * sr)
        for r in regions:
            a, b = r.span(sr)
            b = min(b, n_total)
            lo, hi = max(0, a - ctx), min(n_total, b + ctx)
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
            report.processed_seconds = sum(min(x.shape[1], b + int(self.context_s * sr)) -
                                           max(0, a - int(self.context_s * sr))
                                           for a, b in (r.span(sr) for r in report.regions)) / sr
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
                p = _FilePass(info, reader, w, cancel, block)
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
        ctx = int(self.context_s * sr)
        spans = sorted((max(0, r.span(sr)[0] - ctx), min(n, r.span(sr)[1] + ctx)) for r in regions)
        clusters: list[list[int]] = []
        for lo, hi in spans:
            if clusters and lo <= clusters[-1][1]:
                clusters[-1][1] = max(clusters[-1][1], hi)
            else:
                clusters.append([lo, hi])
        return [(lo, hi, [r for r in regions if lo <= r.span(sr)[0] < hi]) for lo, hi in clusters]

    def _edit_in_memory(self, p: _FilePass, lo: int, hi: int, inside: list[Region], tick) -> None:
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

    def _stream_region(self, p: _FilePass, lo: int, hi: int, r: Region, tick) -> None:
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
    def _emit_mixed(p: _FilePass, raw: np.ndarray, x: np.ndarray, y: np.ndarray, start: int, r: Region,
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
    @staticmethod
    def _check_cancel(cancel) -> None:
        if cancel is None:
            return
        flag = cancel.is_set() if hasattr(cancel, "is_set") else cancel()
        if flag:
            raise Cancelled("Separation cancelled")

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


class _FilePass:
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
            Separator._check_cancel(self.cancel)  # a long copy stays cancellable; the writer cleans up

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
