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
    @property
    def checkpoint_path(self) -> str:
        """Empty string means the shipped checkpoint (textsep.paths.default_checkpoint())."""
        return self._get("model/checkpoint", "", str)

    @checkpoint_path.setter
    def checkpoint_path(self, v: str) -> None:
        self.q.setValue("model/checkpoint", str(v or ""))

    @property
    def encoder(self) -> str:
        return self._get("model/encoder", DEFAULT_ENCODER, str)

    @encoder.setter
    def encoder(self, v: str) -> None:
        self.q.setValue("model/encoder", v)

    @property
    def device(self) -> str:
        v = self._get("model/device", "cpu", str)
        return v if v in DEVICES else "cpu"

    @device.setter
    def device(self, v: str) -> None:
        self.q.setValue("model/device", v)

    def resolved_checkpoint(self) -> Path:
        if self.checkpoint_path:
            return Path(self.checkpoint_path)
        from textsep.paths import default_checkpoint

        return default_checkpoint()

    def model_key(self) -> tuple:
        return (str(self.resolved_checkpoint()), self.encoder, self.device)

    # -- editing --------------------------------------------------------------------------------
    @property
    def default_fade_ms(self) -> float:
        from textsep.edits import DEFAULT_FADE_MS

        v = self._get("edit/default_fade_ms", DEFAULT_FADE_MS, float)
        return v if v >= 0 else DEFAULT_FADE_MS

    @default_fade_ms.setter
    def default_fade_ms(self, v: float) -> None:
        self.q.setValue("edit/default_fade_ms", float(v))

    @property
    def default_depth_db(self) -> float:
        """How far new regions may turn sound down (textsep.edits.Region.depth_db), in (0, MAX_DEPTH_DB]."""
        from textsep.edits import DEFAULT_DEPTH_DB, MAX_DEPTH_DB

        v = self._get("edit/default_depth_db", DEFAULT_DEPTH_DB, float)
        return v if 0 < v <= MAX_DEPTH_DB else DEFAULT_DEPTH_DB

    @default_depth_db.setter
    def default_depth_db(self, v: float) -> None:
        self.q.setValue("edit/default_depth_db", float(v))

    # -- view -----------------------------------------------------------------------------------
    @property
    def time_format(self) -> str:
        """"hms", "seconds" or "samples" (textsep_desktop.timefmt.FORMATS)."""
        return self._get("view/time_format", "hms", str)

    @time_format.setter
    def time_format(self, v: str) -> None:
        self.q.setValue("view/time_format", str(v))

    @property
    def spec_colour_map(self) -> str:
        return self._get("view/spec_colour_map", "inferno", str)

    @spec_colour_map.setter
    def spec_colour_map(self, v: str) -> None:
        self.q.setValue("view/spec_colour_map", str(v))

    @property
    def spec_db_range(self) -> int:
        return self._get("view/spec_db_range", 85, int)

    @spec_db_range.setter
    def spec_db_range(self, v: int) -> None:
        self.q.setValue("view/spec_db_range", int(v))

    @property
    def spec_fft_size(self) -> int:
        return self._get("view/spec_fft_size", 2048, int)

    @spec_fft_size.setter
    def spec_fft_size(self, v: int) -> None:
        self.q.setValue("view/spec_fft_size", int(v))

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

    @property
    def last_dir(self) -> str:
        return self._get("files/last_dir", str(Path.home()), str)

    @last_dir.setter
    def last_dir(self, v: str) -> None:
        self.q.setValue("files/last_dir", str(v))

    @property
    def browser_dir(self) -> str:
        return self._get("files/browser_dir", "", str)

    @browser_dir.setter
    def browser_dir(self, v: str) -> None:
        self.q.setValue("files/browser_dir", str(v))

    # -- window ---------------------------------------------------------------------------------
    def window_state(self):
        return self.q.value("window/geometry"), self.q.value("window/state")

    def save_window_state(self, geometry, state) -> None:
        self.q.setValue("window/geometry", geometry)
        self.q.setValue("window/state", state)
