"""User settings kept in QSettings: model checkpoint, text encoder, device, default fade and depth, recent files."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

ORG, APP = "TextSep", "TextSep Desktop"
ENV_SETTINGS = "TEXTSEP_DESKTOP_SETTINGS"  # path of an INI file to use instead of the user's settings
DEFAULT_ENCODER = "all-MiniLM-L6-v2"
DEVICES = ("cpu", "auto", "cuda", "mps")
MAX_RECENT = 10


def _fade_default() -> float:
    from textsep.edits import DEFAULT_FADE_MS  # lazily: the engine stays off the settings' import

    return DEFAULT_FADE_MS


def _depth_default() -> float:
    from textsep.edits import DEFAULT_DEPTH_DB

    return DEFAULT_DEPTH_DB


def _depth_ok(v: float) -> bool:
    from textsep.edits import MAX_DEPTH_DB

    return 0 < v <= MAX_DEPTH_DB


class _Setting:
    """One typed QSettings entry of Settings: its key, default (a value, or a function that gives it), type,
    and an optional validity check -- a stored value that fails it reads as the default."""

    def __init__(self, key: str, default, typ=str, valid=None):
        self.key, self.default, self.typ, self.valid = key, default, typ, valid

    def _default(self):
        return self.default() if callable(self.default) else self.default

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        default = self._default()
        v = obj._get(self.key, default, self.typ)
        return v if self.valid is None or self.valid(v) else default

    def __set__(self, obj, v) -> None:
        obj.q.setValue(self.key, self.typ(self._default() if v is None else v))


class Settings:
    """Typed access to the application's QSettings. Pass an INI path for an isolated store (tests)."""

    def __init__(self, ini_path: str | os.PathLike | None = None):
        ini_path = ini_path or os.environ.get(ENV_SETTINGS)
        if ini_path:
            self.q = QSettings(str(ini_path), QSettings.Format.IniFormat)
        else:
            self.q = QSettings(ORG, APP)

    # -- generic --------------------------------------------------------------------------------
    def _get(self, key: str, default, typ):
        v = self.q.value(key, default)
        if v is None:
            return default
        try:
            if typ is bool:
                return v if isinstance(v, bool) else str(v).lower() in ("1", "true", "yes")
            return typ(v)
        except (TypeError, ValueError):
            return default

    def sync(self) -> None:
        self.q.sync()

    # -- model ----------------------------------------------------------------------------------
    checkpoint_path = _Setting("model/checkpoint", "")  # "": the shipped one (textsep.paths.default_checkpoint)
    encoder = _Setting("model/encoder", DEFAULT_ENCODER)
    device = _Setting("model/device", "cpu", valid=lambda v: v in DEVICES)

    def resolved_checkpoint(self) -> Path:
        if self.checkpoint_path:
            return Path(self.checkpoint_path)
        from textsep.paths import default_checkpoint

        return default_checkpoint()

    def model_key(self) -> tuple:
        return (str(self.resolved_checkpoint()), self.encoder, self.device)

    # -- editing --------------------------------------------------------------------------------
    default_fade_ms = _Setting("edit/default_fade_ms", _fade_default, float, valid=lambda v: v >= 0)
    # how far new regions may turn sound down (textsep.edits.Region.depth_db), in (0, MAX_DEPTH_DB]
    default_depth_db = _Setting("edit/default_depth_db", _depth_default, float, valid=_depth_ok)

    # -- view -----------------------------------------------------------------------------------
    time_format = _Setting("view/time_format", "hms")  # "hms", "seconds" or "samples" (timefmt.FORMATS)
    spec_colour_map = _Setting("view/spec_colour_map", "inferno")
    spec_db_range = _Setting("view/spec_db_range", 85, int)
    spec_fft_size = _Setting("view/spec_fft_size", 2048, int)

    # -- files ----------------------------------------------------------------------------------
    @property
    def recent_files(self) -> list[str]:
        v = self.q.value("files/recent", [])
        if isinstance(v, str):
            v = [v] if v else []
        return [str(x) for x in (v or [])]

    def add_recent(self, path: str | os.PathLike) -> None:
        p = str(Path(path).resolve())
        items = [x for x in self.recent_files if x != p]
        self.q.setValue("files/recent", [p] + items[: MAX_RECENT - 1])

    def clear_recent(self) -> None:
        self.q.setValue("files/recent", [])

    last_dir = _Setting("files/last_dir", lambda: str(Path.home()))
    browser_dir = _Setting("files/browser_dir", "")

    # -- window ---------------------------------------------------------------------------------
    def window_state(self):
        return self.q.value("window/geometry"), self.q.value("window/state")

    def save_window_state(self, geometry, state) -> None:
        self.q.setValue("window/geometry", geometry)
        self.q.setValue("window/state", state)
