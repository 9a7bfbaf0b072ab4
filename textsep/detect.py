"""Prompt suggestions: which of the model's known classes is in a region?

Every class prompt the checkpoint was trained on is run through the model against the region in one
batch; a class scores the fraction of the region's energy its keep-mask would keep. That ranks the
classes by how much of the region the model attributes to each -- an answer to "what could I ask for
here?", not a calibrated classifier.
"""
from __future__ import annotations

import numpy as np

from textsep.errors import InputError, ModelError, TextSepError


class DetectError(TextSepError, ValueError):
    """Suggestions are unavailable for this model or region; the message is meant for the user.

    Raised as one of its two kinds; `kind` names it: "model" (the model cannot rank prompts) or
    "input" (the region is empty or silent)."""

    kind = ""


class DetectModelError(DetectError, ModelError):
    """The model cannot rank prompts (another method, the text-agnostic model, no class metadata)."""

    kind = "model"


class DetectInputError(DetectError, InputError):
    """The region is empty, outside the audio, or silent."""

    kind = "input"


# Items x frames per forward pass: bounds peak memory (a base-16, 128-band model needs about 85 KB a
# frame: 4000 frames ~ 340 MB).
MAX_BATCH_FRAMES = 4000


def known_prompts(separator) -> list[tuple[str, str]]:
    """(label, canonical prompt) of every class in the checkpoint's metadata, or DetectModelError."""
    est = separator.estimator
    if not hasattr(est, "band_masks") or not hasattr(est, "bundle"):
        raise DetectModelError(f"Prompt suggestions need the TextSep model; the {getattr(est, 'name', '?')} "
                               "method cannot rank prompts")
    if getattr(est, "text_agnostic", False):
        raise DetectModelError("This is the text-agnostic model: it ignores prompts, so it cannot suggest any")
    meta = est.bundle.meta or {}
    classes, prompts = meta.get("classes"), meta.get("prompts")
    if not classes or not isinstance(prompts, dict):
        raise DetectModelError("This checkpoint has no class list (meta['classes'] and meta['prompts']); "
                               "prompt suggestions need a model trained with class metadata")
    out = []
    for label in classes:
        p = prompts.get(label)
        if not p:
            raise DetectModelError(f"The checkpoint's metadata has no prompt for class {label!r}")
        out.append((label, p[0]))
    return out


def _region_bounds(region, sr: int, n: int) -> tuple[int, int]:
    if hasattr(region, "span"):
        a, b = region.span(sr)
    else:
        start_s, end_s = region
        a, b = round(start_s * sr), round(end_s * sr)
    a, b = max(0, a), min(n, b)
    if b <= a:
        raise DetectInputError("The region lies outside the audio or is empty")
    return a, b


def suggest_prompts(separator, samples: np.ndarray, sr: int, region, top_k: int = 5, *,
                    max_seconds: float = 6.0) -> list[tuple[str, str, float]]:
    """Rank the model's classes for `region` of `samples` ([C, N] or [N] at rate sr).

    region: a Region or (start_s, end_s). Returns up to top_k (label, prompt, score), best first; score is
    the fraction (0..1) of the region's energy that the class's keep-mask keeps. Regions longer than
    max_seconds are judged on max_seconds of evenly spaced excerpts.
    """
    import torch

    from textsep.audio import resample
    from textsep.separate import MIN_MODEL_SAMPLES, MODEL_SR
    from textsep.spectral import band_centres, freq_interp_matrix, stft

    pairs = known_prompts(separator)
    est = separator.estimator
    x = np.atleast_2d(np.asarray(samples))
    a, b = _region_bounds(region, sr, x.shape[1])
    if not np.isfinite(x[:, a:b]).all():
        raise DetectInputError("The region holds NaN or infinite samples; repair the file (e.g. replace them "
                               "with silence) before asking what it contains")
    mono16 = resample(x[:, a:b].mean(axis=0), sr, MODEL_SR)
    limit = int(max_seconds * MODEL_SR)
    if mono16.shape[0] > limit:  # evenly spaced excerpts: the whole region, sampled
        n_pieces = int(np.ceil(mono16.shape[0] / limit * 4))
        piece = limit // n_pieces
        starts = np.linspace(0, mono16.shape[0] - piece, n_pieces).astype(int)
        pieces = [mono16[s: s + piece] for s in starts]
    else:
        pieces = [mono16]

    spec = est.spec
    bins = np.arange(spec.n_fft // 2 + 1) * spec.sr / spec.n_fft
    W = torch.from_numpy(freq_interp_matrix(band_centres(spec), bins))  # band mask -> STFT bins
    prompts = [p for _, p in pairs]
    kept = np.zeros(len(prompts))
    total = 0.0
    for piece in pieces:
        if piece.shape[0] < MIN_MODEL_SAMPLES:
            piece = np.pad(piece, (0, MIN_MODEL_SAMPLES - piece.shape[0]))
        # Split long pieces so that (prompts x frames) per forward pass stays bounded.
        frames_per_item = max(16, MAX_BATCH_FRAMES // len(prompts))
        step = frames_per_item * spec.hop
        for s in range(0, piece.shape[0], step):
            seg = piece[s: s + step]
            if seg.shape[0] < MIN_MODEL_SAMPLES:
                if s > 0:
                    continue  # a sliver at the end: already covered by the previous segment's frames
                seg = np.pad(seg, (0, MIN_MODEL_SAMPLES - seg.shape[0]))
            power = stft(torch.from_numpy(np.ascontiguousarray(seg, dtype=np.float32)), spec.n_fft,
                         spec.hop).abs().pow(2)  # [bins, T]
            masks = est.band_masks(seg, prompts)  # [K, bands, T]
            m = torch.einsum("fb,kbt->kft", W, masks).clamp(0, 1)
            kept += (m.pow(2) * power).sum(dim=(1, 2)).double().numpy()
            total += float(power.sum())
    if total <= 1e-12:
        raise DetectInputError("The region is silent; there is nothing to identify")
    scores = kept / total
    if not np.all(np.isfinite(scores)):  # never print `nan` as if it were a score
        raise DetectModelError("The model gave no usable scores for this region (non-finite output)")
    order = np.argsort(-scores, kind="stable")[: max(0, int(top_k))]
    return [(pairs[i][0], pairs[i][1], float(scores[i])) for i in order]
