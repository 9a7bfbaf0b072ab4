"""Separation metrics, and window-aware helpers for region edits.

* `si_sdr_batch` -- scale-invariant SDR (Le Roux et al., "SDR - half-baked or well done?", ICASSP 2019),
  the one implementation: with zero-mean reference s and estimate y, the estimate is split into its
  projection on s, t = (<y, s> / <s, s>) s, and the rest e = y - t;  SI-SDR = 10 log10(|t|^2 / |e|^2).
  Batched along the last axis of numpy arrays or torch tensors (differentiable for tensors); training uses
  it on tensors with a small `eps` so silent examples stay finite.
* `si_sdr` -- the evaluation score built on it: [n] or [C, n] numpy audio, float64, eps 0. Scaling either
  signal by any non-zero factor leaves it unchanged. Values are clamped to +-CLAMP_DB (a perfect estimate
  gives +CLAMP_DB instead of +inf; a silent estimate -CLAMP_DB); a silent reference makes the metric
  undefined: NaN.
* `sdr` -- BSS Eval SDR from fast_bss_eval (maintained, fast re-implementation of bss_eval v4):
  the distortion filter has 512 taps, so the estimate may be a short filtered version of the reference.
  Same clamp and NaN conventions.
* `window_metrics` -- the metrics an edit of a region is judged by: inside the window, output and the
  unprocessed mix against the reference (target for keep, mix - target for remove) and their
  difference (SI-SDRi, SDRi); outside the window, the largest absolute and the L2 difference from the
  mix (the output must equal the mix there).

Multichannel signals [C, n] are scored per channel and averaged in dB.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

CLAMP_DB = 100.0
SDR_FILTER_LENGTH = 512


def _as2d(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[None]
    if x.ndim != 2:
        raise ValueError(f"expected [n] or [channels, n] audio, got shape {x.shape}")
    return x


def _pair(reference, estimate) -> tuple[np.ndarray, np.ndarray]:
    r, e = _as2d(reference), _as2d(estimate)
    if r.shape != e.shape:
        raise ValueError(f"reference {r.shape} and estimate {e.shape} must have the same shape")
    if r.shape[1] == 0:
        raise ValueError("cannot score empty signals")
    return r, e


def _is_numpy(x) -> bool:
    return isinstance(x, (np.ndarray, np.generic))


def _rows(fn, *arrays):
    """fn applied to each last-axis row of numpy arrays (1-D BLAS calls and 1-D means, so evaluation's
    figures are the same bits as they always were), results shaped like the leading axes."""
    lead = arrays[0].shape[:-1]
    flat = [a.reshape(-1, a.shape[-1]) for a in arrays]
    return np.array([fn(*row) for row in zip(*flat)], dtype=np.float64).reshape(lead)


def _dot(a, b):
    """Inner products along the last axis. numpy: row by row with np.dot; torch: an elementwise product
    summed (what training always computed)."""
    if _is_numpy(a):
        return _rows(lambda x, y: float(np.dot(x, y)), a, b)
    return (a * b).sum(-1)


def _centred(x):
    if _is_numpy(x):
        return np.stack([row - row.mean() for row in x.reshape(-1, x.shape[-1])]).reshape(x.shape)
    return x - x.mean(-1, keepdim=True)


def _log10(x):
    if _is_numpy(x):
        return np.vectorize(lambda v: math.log10(v) if v > 0 else (-math.inf if v == 0 else math.nan),
                            otypes=[np.float64])(x)
    return x.log10()


def si_sdr_batch(reference, estimate, *, eps: float = 1e-8, zero_mean: bool = True):
    """SI-SDR in dB of `estimate` against `reference` along the last axis, for every leading index.

    Works on numpy arrays and on torch tensors alike (differentiable, any device): numpy in, numpy out;
    tensor in, tensor out. `eps` regularises the projection and the ratio, 10 log10(|t|^2 / (|e|^2 + eps)
    + eps), so training's silent or perfect examples stay finite; with eps=0 it is the exact definition
    (+inf for a perfect estimate, NaN for a silent reference: `si_sdr` turns those into its conventions).
    """
    s = _centred(reference) if zero_mean else reference
    y = _centred(estimate) if zero_mean else estimate
    with np.errstate(divide="ignore", invalid="ignore"):  # eps=0 on numpy: inf/NaN are handled by callers
        a = _dot(y, s) / (_dot(s, s) + eps)
        t = a[..., None] * s
        e = y - t
        ratio = _dot(t, t) / (_dot(e, e) + eps) + eps
        return 10 * _log10(ratio)


def si_sdr(reference, estimate, *, zero_mean: bool = True, clamp_db: float = CLAMP_DB) -> float:
    """Scale-invariant SDR in dB of `estimate` against `reference` ([n] or [C, n]); see module docstring."""
    r, e = _pair(reference, estimate)
    if zero_mean:
        r, e = _centred(r), _centred(e)
    ss, yy = _dot(r, r), _dot(e, e)
    vals = si_sdr_batch(r, e, eps=0.0, zero_mean=False)
    vals = np.where(yy == 0.0, -clamp_db, vals)  # silent estimate
    vals = np.where((ss == 0.0) | ~np.isfinite(ss), math.nan, vals)  # silent reference: undefined
    return _mean([float(np.clip(v, -clamp_db, clamp_db)) for v in vals])


def sdr(reference, estimate, *, filter_length: int = SDR_FILTER_LENGTH, clamp_db: float = CLAMP_DB) -> float:
    """BSS Eval SDR in dB via fast_bss_eval (512-tap distortion filter); NaN for a silent reference."""
    import fast_bss_eval

    r, e = _pair(reference, estimate)
    vals = []
    for s, y in zip(r, e):
        if not np.any(s) or not np.all(np.isfinite(s)):
            vals.append(math.nan)
            continue
        if not np.any(y):
            vals.append(-clamp_db)
            continue
        n = len(s)
        fl = min(filter_length, max(1, n // 4))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                v = fast_bss_eval.sdr(s[None], y[None], filter_length=fl, clamp_db=clamp_db)
            vals.append(float(np.asarray(v).reshape(-1)[0]))
        except np.linalg.LinAlgError:
            # Singular system: the reference's autocorrelation is rank deficient (e.g. almost silent or a
            # pure tone). A small diagonal load makes it solvable without changing well-posed results.
            v = fast_bss_eval.sdr(s[None], y[None], filter_length=fl, clamp_db=clamp_db,
                                  load_diag=1e-10 * float(np.dot(s, s)))
            vals.append(float(np.asarray(v).reshape(-1)[0]))
    return _mean(vals)


def _mean(vals) -> float:
    vals = [v for v in vals if not math.isnan(v)]
    return float(np.mean(vals)) if vals else math.nan


def outside_diff(output, mix, a: int, b: int) -> tuple[float, float]:
    """(max |output - mix|, L2 norm of output - mix) over the samples outside [a, b)."""
    m, o = _pair(mix, output)
    d = np.concatenate([(o - m)[:, :a], (o - m)[:, b:]], axis=1)
    if d.size == 0:
        return 0.0, 0.0
    return float(np.max(np.abs(d))), float(np.sqrt(np.sum(d * d)))


def reference_in_window(mix, target, mode: str) -> np.ndarray:
    """Reference signal of an edit: target for keep, mix - target for remove (same shape as the inputs)."""
    if mode == "keep":
        return np.asarray(target, dtype=np.float64)
    if mode == "remove":
        return np.asarray(mix, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    raise ValueError(f"mode must be keep or remove, got {mode!r}")


def mix_metrics(mix, target, a: int, b: int, mode: str, *, with_sdr: bool = True) -> dict:
    """SI-SDR (and SDR) of the unprocessed mix inside window [a, b): the reference point of an edit."""
    mx, tg = _pair(mix, target)
    ref = reference_in_window(mx[:, a:b], tg[:, a:b], mode)
    res = {"si_sdr_mix": si_sdr(ref, mx[:, a:b])}
    if with_sdr:
        res["sdr_mix"] = sdr(ref, mx[:, a:b])
    return res


def window_metrics(output, mix, target, a: int, b: int, mode: str, *, with_sdr: bool = True,
                   mix_scores: dict | None = None) -> dict:
    """Metrics of an edit of window [a, b) (sample indices) in a signal.

    Returns si_sdr, si_sdr_mix, si_sdri, sdr, sdr_mix, sdri (inside the window, against the reference
    for `mode`), outside_max_abs and outside_l2 (difference from the mix outside the window).
    `mix_scores` (from `mix_metrics`) saves recomputing the mix's scores when several outputs are scored.
    """
    mx, out = _pair(mix, output)
    _, tg = _pair(mix, target)
    if not 0 <= a < b <= mx.shape[1]:
        raise ValueError(f"window [{a}, {b}) is not inside a signal of {mx.shape[1]} samples")
    ref = reference_in_window(mx[:, a:b], tg[:, a:b], mode)
    base = mix_scores if mix_scores is not None else mix_metrics(mx, tg, a, b, mode, with_sdr=with_sdr)
    res = {"si_sdr": si_sdr(ref, out[:, a:b]), "si_sdr_mix": base["si_sdr_mix"]}
    res["si_sdri"] = res["si_sdr"] - res["si_sdr_mix"]
    if with_sdr:
        res["sdr"] = sdr(ref, out[:, a:b])
        res["sdr_mix"] = base["sdr_mix"]
        res["sdri"] = res["sdr"] - res["sdr_mix"]
    res["outside_max_abs"], res["outside_l2"] = outside_diff(out, mx, a, b)
    return res
