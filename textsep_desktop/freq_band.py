"""A region's frequency band in the app: between Hz and the spectrogram's (mel-spaced) rows, and as text.

A band is (low_hz, high_hz) where either may be None: None low is 0 Hz, None high is the Nyquist frequency, and
both None is the full band (a plain time region). A box drawn down to the spectrogram's bottom row or up to its
top row leaves that side open, so a box that spans the whole height is an ordinary time region.
"""
from __future__ import annotations

import math

from textsep_desktop import spectrogram as spec

EDGE_ROWS = 0.75  # a box edge this close to the bottom / top row is "open" (0 Hz / Nyquist)


def round_hz(f: float) -> float:
    """A readable band edge: 1 Hz steps below 1 kHz, 10 Hz steps up to 10 kHz, 100 Hz above."""
    step = 1.0 if f < 1000 else (10.0 if f < 10000 else 100.0)
    return float(max(step, round(f / step) * step))


def rows_to_band(row0: float, row1: float, sr: int) -> tuple[float | None, float | None]:
    """The band (rounded Hz, None for an open side) of a box from display row0 to row1 (any order)."""
    lo_row, hi_row = sorted((float(row0), float(row1)))
    low = None if lo_row <= EDGE_ROWS else round_hz(spec.hz_of_row(lo_row, sr))
    high = None if hi_row >= spec.N_ROWS - EDGE_ROWS else round_hz(spec.hz_of_row(hi_row, sr))
    if low is not None and high is not None and high <= low:
        high = round_hz(low * 1.05 + 1)  # rounding made a thin box empty: keep it a little band
    return low, high


def band_rows(low_hz: float | None, high_hz: float | None, sr: int) -> tuple[float, float]:
    """The display rows (bottom, top) of a band; open sides go to the spectrogram's edges."""
    nyq = sr / 2
    lo = 0.0 if low_hz is None else spec.row_of_hz(min(low_hz, nyq), sr)
    hi = float(spec.N_ROWS) if high_hz is None else spec.row_of_hz(min(high_hz, nyq), sr)
    return lo, max(hi, lo + 1e-3)


def format_hz(f: float | None) -> str:
    """'' for an open side; '500', '2k', '12.5k'."""
    if f is None:
        return ""
    if f >= 1000:
        return f"{f / 1000:.3g}k" if f < 100000 else f"{f / 1000:.0f}k"
    return f"{f:.4g}"


def parse_hz(text: str) -> float | None:
    """'' (or 'none', 'full') -> None; '500', '500 Hz', '2k', '2.5 kHz' -> Hz. ValueError otherwise."""
    t = text.strip().lower().replace(" ", "").replace(",", ".")
    if t in ("", "none", "full", "-", "—"):
        return None
    t = t.removesuffix("hz")
    mult = 1.0
    if t.endswith("k"):
        t, mult = t[:-1], 1000.0
    try:
        v = float(t) * mult
    except ValueError:
        raise ValueError(f"'{text}' is not a frequency: type Hz, e.g. 500 or 2k (empty = full band)") from None
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"'{text}' is not a frequency: Hz must be 0 or more")
    return v


def band_text(low_hz: float | None, high_hz: float | None) -> str:
    """'500–2k Hz', 'above 500 Hz', 'below 2k Hz', '' (full band)."""
    if low_hz is None and high_hz is None:
        return ""
    if high_hz is None:
        return f"above {format_hz(low_hz)} Hz"
    if low_hz is None or low_hz == 0:
        return f"below {format_hz(high_hz)} Hz"
    return f"{format_hz(low_hz)}–{format_hz(high_hz)} Hz"
