"""Time formats shared by the ruler, the selection bar, the regions table and the time display.

Three formats, as in Audacity's selection toolbar: "hms" (h:mm:ss.mmm, hours only when needed), "seconds"
(12.345) and "samples" (at the document's rate). `TimeFormat` holds the current choice (kept in Settings) and
tells every part that shows times when it changes.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QObject, Signal

FORMATS = {"hms": "hh:mm:ss.mmm", "seconds": "seconds", "samples": "samples"}


def format_clock(t: float, precision: int = 3) -> str:
    """m:ss.mmm, or h:mm:ss.mmm from an hour on."""
    sign = "-" if t < 0 else ""
    t = abs(t)
    m, s = divmod(t, 60.0)
    if round(s, precision) >= 60:  # 59.9996 must not print as 60.000
        m, s = m + 1, 0.0
    width = 2 if precision == 0 else 3 + precision
    if m >= 60:
        h, m = divmod(m, 60)
        return f"{sign}{int(h)}:{int(m):02d}:{s:0{width}.{precision}f}"
    return f"{sign}{int(m)}:{s:0{width}.{precision}f}"


def format_time(t: float, fmt: str = "hms", sr: int = 44100, precision: int = 3) -> str:
    if fmt == "seconds":
        return f"{t:.{precision}f}"
    if fmt == "samples":
        return f"{int(round(t * sr)):,}".replace(",", " ")
    return format_clock(t, precision)


_CLOCK = re.compile(r"^\s*(-)?(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d*)?|\.\d+)\s*$")


def parse_time(text: str, fmt: str = "hms", sr: int = 44100) -> float:
    """Seconds from what the user typed in `fmt`; a bare number counts in the format's unit (seconds for hms).
    Raises ValueError with a short reason."""
    s = text.strip().replace("\u202f", "").replace(" ", "").replace(",", "")
    if not s:
        raise ValueError("empty time")
    if fmt == "samples" and ":" not in s:
        try:
            return int(float(s)) / sr
        except ValueError:
            raise ValueError(f"not a sample count: {text!r}") from None
    m = _CLOCK.match(s)
    if not m:
        raise ValueError(f"not a time: {text!r} (e.g. 1:02.500 or 62.5)")
    neg, a, b, sec = m.groups()
    parts = [p for p in (a, b) if p is not None]
    value = float(sec)
    for k, p in enumerate(reversed(parts)):
        value += int(p) * 60 ** (k + 1)
    return -value if neg else value


class TimeFormat(QObject):
    """The chosen format and the document's sample rate; `changed` when either changes."""

    changed = Signal()

    def __init__(self, fmt: str = "hms", parent=None):
        super().__init__(parent)
        self.fmt = fmt if fmt in FORMATS else "hms"
        self.sr = 44100

    def set_format(self, fmt: str) -> None:
        if fmt in FORMATS and fmt != self.fmt:
            self.fmt = fmt
            self.changed.emit()

    def set_rate(self, sr: int) -> None:
        if sr != self.sr:
            self.sr = int(sr)
            self.changed.emit()

    def text(self, t: float, precision: int = 3) -> str:
        return format_time(t, self.fmt, self.sr, precision)

    def parse(self, text: str) -> float:
        return parse_time(text, self.fmt, self.sr)

    def tick_text(self, t: float, spacing: float) -> str:
        """A ruler label: as many decimals as the tick spacing needs."""
        if self.fmt == "samples":
            return format_time(t, "samples", self.sr)
        prec = 0 if spacing >= 1 else (1 if spacing >= 0.1 else (2 if spacing >= 0.01 else 3))
        return format_time(t, self.fmt, self.sr, prec)
