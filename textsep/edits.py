"""Regions, edit specs and time gates.

A Region says "in [start_s, end_s), keep (or remove) what the prompt describes". Its time gate is 1
inside the region with raised-cosine fades that lie inside it and exactly 0 outside, so an edit can
never touch a sample outside its region.
"""
from __future__ import annotations

import json
import math
import numbers
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from textsep import atomic
from textsep.errors import InputError

MODES = ("keep", "remove")
# Raised-cosine fades inside each region edge: long enough to be click-free, short enough that the
# unedited mix does not swell back in at the edges (70 ms cost 0.75 dB SI-SDRi on keep cases vs 20 ms).
DEFAULT_FADE_MS = 20.0
# How far an edit may turn a sound down: the time-frequency gain never falls below -depth_db. A finite
# depth is what noise-reduction tools offer too: it bounds the damage of a wrong mask (a missed target
# stays audible instead of vanishing) at little cost where the mask is right. 20 dB measured best on
# generated validation cases (checkpoints/README.md); MAX_DEPTH_DB is "as deep as the mask says".
DEFAULT_DEPTH_DB = 20.0
MAX_DEPTH_DB = 120.0
SPEC_VERSION = 1


class EditError(InputError, ValueError):
    """An edit cannot be applied as given; the message is meant for the user.

    Also a ValueError, as it always was: callers validating form input catch ValueError with it."""


@dataclass(frozen=True)
class Region:
    start_s: float
    end_s: float
    prompt: str
    mode: str = "keep"
    fade_ms: float = DEFAULT_FADE_MS
    enabled: bool = True
    depth_db: float = DEFAULT_DEPTH_DB
    # Optional frequency band (Hz): the edit applies only between low_hz and high_hz (None: from 0 / up to
    # the Nyquist frequency); both None is the full band, as before.
    low_hz: float | None = None
    high_hz: float | None = None

    def __post_init__(self):
        for name in ("low_hz", "high_hz"):
            v = getattr(self, name)
            if v is not None and (not isinstance(v, numbers.Real) or isinstance(v, (bool, np.bool_))
                                  or not math.isfinite(v)):
                raise EditError(f"{name} must be a finite number of Hz or absent, got {v!r}")
            if v is not None:
                object.__setattr__(self, name, float(v))
        if self.low_hz is not None and self.low_hz < 0:
            raise EditError(f"low_hz {self.low_hz:g} Hz is negative")
        if self.high_hz is not None and self.high_hz <= (self.low_hz or 0.0):
            raise EditError(f"Frequency band {self.low_hz or 0:g}-{self.high_hz:g} Hz is empty or inverted "
                            "(low must be < high)")
        for name in ("start_s", "end_s", "fade_ms", "depth_db"):
            v = getattr(self, name)
            if not isinstance(v, numbers.Real) or isinstance(v, (bool, np.bool_)) or not math.isfinite(v):
                raise EditError(f"{name} must be a finite number, got {v!r}")
            object.__setattr__(self, name, float(v))  # numpy scalars from the GUI/JSON become plain floats
        if not isinstance(self.enabled, (bool, np.bool_)):
            raise EditError(f"enabled must be true or false, got {self.enabled!r}")
        object.__setattr__(self, "enabled", bool(self.enabled))
        if self.start_s < 0:
            raise EditError(f"Window start {self.start_s:g} s is negative")
        if not self.start_s < self.end_s:
            raise EditError(f"Window {self.start_s:g}-{self.end_s:g} s is empty or inverted (start must be < end)")
        if not isinstance(self.prompt, str):
            raise EditError(f"The prompt must be text, got {self.prompt!r}")
        if not self.prompt.strip():
            raise EditError("The prompt is empty: describe the sound to keep or remove, e.g. 'dog bark'")
        if self.mode not in MODES:
            raise EditError(f"Unknown mode {self.mode!r}: use 'keep' or 'remove'")
        if self.fade_ms < 0:
            raise EditError(f"fade_ms must be >= 0, got {self.fade_ms:g}")
        if not 0 < self.depth_db <= MAX_DEPTH_DB:
            raise EditError(f"depth_db must be in (0, {MAX_DEPTH_DB:g}] dB, got {self.depth_db:g}")

    @property
    def floor_gain(self) -> float:
        """The smallest time-frequency gain the edit may apply (10 ** (-depth_db / 20))."""
        return 10.0 ** (-self.depth_db / 20.0)

    @property
    def duration(self) -> float:
        return self.end_s - self.start_s

    def span(self, sr: int) -> tuple[int, int]:
        """Sample indices [a, b) covered at sample rate sr."""
        return int(round(self.start_s * sr)), int(round(self.end_s * sr))

    @property
    def band(self) -> tuple[float, float | None] | None:
        """(low_hz, high_hz or None) when the region has a frequency band, else None (full band)."""
        if self.low_hz is None and self.high_hz is None:
            return None
        return (self.low_hz or 0.0, self.high_hz)

    def to_dict(self) -> dict:
        d = asdict(self)
        for name in ("low_hz", "high_hz"):  # absent = full band: edit specs without bands stay as they were
            if d[name] is None:
                del d[name]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Region:
        if not isinstance(d, dict):
            raise EditError(f"A region must be an object, got {type(d).__name__}")
        known = {"start_s", "end_s", "prompt", "mode", "fade_ms", "enabled", "depth_db", "low_hz", "high_hz"}
        unknown = set(d) - known
        if unknown:
            raise EditError(f"Unknown region field(s): {', '.join(sorted(unknown))}")
        missing = {"start_s", "end_s", "prompt"} - set(d)
        if missing:
            raise EditError(f"Region is missing: {', '.join(sorted(missing))}")
        return cls(**d)


def check_starts(regions, duration_s: float) -> None:
    """EditError unless every region starts before the end of audio lasting duration_s seconds."""
    for i, r in enumerate(regions, 1):
        if r.start_s >= duration_s:
            raise EditError(f"Region {i} ({r.start_s:g}-{r.end_s:g} s) starts after the end of the audio "
                            f"({duration_s:.3f} s)")


def clip_regions(regions, duration_s: float) -> tuple[list[Region], list[str]]:
    """Clip regions to [0, duration_s]. A region lying wholly past the end is an error."""
    regions = list(regions)
    check_starts(regions, duration_s)
    out, warnings = [], []
    for i, r in enumerate(regions, 1):
        if r.end_s > duration_s:
            warnings.append(f"Region {i} ({r.start_s:g}-{r.end_s:g} s) runs past the end of the audio; "
                            f"clipped to {duration_s:.3f} s")
            r = replace(r, end_s=duration_s)
        out.append(r)
    return out, warnings


def fade_length(region: Region, sr: int) -> int:
    a, b = region.span(sr)
    return max(0, min(int(round(region.fade_ms * sr / 1000.0)), (b - a) // 2))


def raised_cosine_ramp(n: int) -> np.ndarray:
    """The n-sample raised-cosine fade-in (float64, strictly between 0 and 1) used by every fade here."""
    return 0.5 - 0.5 * np.cos(np.pi * np.arange(1, n + 1) / (n + 1))


def gate(region: Region, sr: int) -> np.ndarray:
    """The region's time gate over its own span [a, b): raised-cosine up, 1, raised-cosine down.

    Every value lies in (0, 1]; outside the span the gate is 0 by construction.
    """
    a, b = region.span(sr)
    n = b - a
    g = np.ones(n, dtype=np.float64)
    f = fade_length(region, sr)
    if f > 0:
        ramp = raised_cosine_ramp(f)
        g[:f] = ramp
        g[n - f:] = ramp[::-1]
    return g


def full_gate(region: Region, sr: int, n_frames: int) -> np.ndarray:
    """The gate over a whole signal of n_frames samples (tests and plots; the engine uses spans)."""
    g = np.zeros(n_frames, dtype=np.float64)
    a, b = region.span(sr)
    b = min(b, n_frames)
    if a < b:
        g[a:b] = gate(region, sr)[: b - a]
    return g


@dataclass
class EditSpec:
    """An ordered list of regions; they apply in order, so overlapping regions compose."""

    regions: list[Region] = field(default_factory=list)

    def active(self) -> list[Region]:
        return [r for r in self.regions if r.enabled]

    def to_json(self) -> str:
        return json.dumps({"version": SPEC_VERSION, "regions": [r.to_dict() for r in self.regions]}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> EditSpec:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EditError(f"Edit spec is not valid JSON: {exc}") from exc
        if isinstance(data, list):
            data = {"regions": data}
        if not isinstance(data, dict) or not isinstance(data.get("regions"), list):
            raise EditError('Edit spec must be {"regions": [...]} or a list of regions')
        version = data.get("version", SPEC_VERSION)
        if not isinstance(version, int) or isinstance(version, bool):
            raise EditError(f"Edit spec version must be an integer, got {version!r}")
        if version > SPEC_VERSION:
            raise EditError(f"Edit spec version {data['version']} is newer than this TextSep understands")
        return cls([Region.from_dict(r) for r in data["regions"]])

    def save(self, path: str | os.PathLike) -> None:
        """Write the spec as JSON, atomically (an interrupted save leaves the old file and no debris)."""
        atomic.write_text(path, self.to_json())

    @classmethod
    def load(cls, path: str | os.PathLike) -> EditSpec:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise EditError(f"Cannot read edit spec {path}: it is not UTF-8 text (byte {exc.start}); save it as "
                            "UTF-8 JSON") from exc
        except OSError as exc:
            raise EditError(f"Cannot read edit spec {path}: {exc.strerror or exc}") from exc
        return cls.from_json(text)


def regions_from_windows(prompt: str, mode: str, windows, fade_ms: float = DEFAULT_FADE_MS,
                         depth_db: float = DEFAULT_DEPTH_DB, band=None) -> list[Region]:
    """Regions from the CLI's flat window list [s0, e0, s1, e1, ...] (all with one prompt, mode and
    optional frequency band (low_hz, high_hz))."""
    windows = list(windows)
    if len(windows) % 2:
        raise EditError(f"--time-windows needs pairs of start and end seconds; got {len(windows)} numbers")
    try:
        values = [float(w) for w in windows]
    except (TypeError, ValueError) as exc:
        raise EditError(f"--time-windows must be numbers of seconds: {exc}") from exc
    low, high = band if band is not None else (None, None)
    return [Region(s, e, prompt, mode, fade_ms, depth_db=depth_db, low_hz=low, high_hz=high)
            for s, e in zip(values[::2], values[1::2])]


@dataclass(frozen=True)
class WholeFile:
    """An edit covering each file from start to end, whatever its length."""

    prompt: str
    mode: str = "keep"
    fade_ms: float = DEFAULT_FADE_MS
    depth_db: float = DEFAULT_DEPTH_DB
    low_hz: float | None = None
    high_hz: float | None = None

    def __post_init__(self):
        self.regions(1.0)  # same validation as any region

    def regions(self, duration_s: float) -> list[Region]:
        return [Region(0.0, duration_s, self.prompt, self.mode, self.fade_ms, depth_db=self.depth_db,
                       low_hz=self.low_hz, high_hz=self.high_hz)]


# What an edit can be given as: regions, an edit spec, the whole file, or a callable(AudioInfo) -> regions.
EditSource = list | tuple | EditSpec | WholeFile | Callable


def regions_for(source: EditSource, info) -> list[Region]:
    """The enabled regions `source` asks for in the file that `info` (an AudioInfo) describes.

    The one place an edit source becomes regions (CLI and batch). Raises EditError when no region is
    enabled or one starts after the end of the file; regions running past the end are returned as given
    (the Separator clips them and says so in its report).
    """
    if isinstance(source, WholeFile):
        regions = source.regions(info.duration)
    elif isinstance(source, EditSpec):
        regions = source.active()
    elif isinstance(source, (list, tuple)):
        regions = [r for r in source if r.enabled]
    elif callable(source):
        regions = [r for r in source(info) if r.enabled]
    else:
        raise TypeError(f"Unsupported edit source {type(source).__name__}")
    if not regions:
        raise EditError("No enabled regions to apply")
    check_starts(regions, info.duration)
    return regions
