"""Sessions: the audio file's path plus the regions (and the view), saved as JSON.

The audio path is stored absolute and relative to the session file, so a folder holding both can be
moved. Loading validates everything and raises SessionError with a message meant for the user.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from textsep import atomic
from textsep.edits import EditError, Region
from textsep.errors import TextSepError

FORMAT = "textsep-session"
VERSION = 1
SUFFIX = ".textsep.json"


class SessionError(TextSepError):
    """The session cannot be saved or opened; the message is meant for the user."""


@dataclass
class Session:
    audio_path: Path
    regions: list[Region] = field(default_factory=list)
    view: tuple[float, float] | None = None

    def to_json(self, session_path: Path | None = None) -> str:
        d = {"format": FORMAT, "version": VERSION, "audio": str(Path(self.audio_path).resolve()),
             "regions": [r.to_dict() for r in self.regions]}
        if session_path is not None:
            try:
                d["audio_relative"] = os.path.relpath(Path(self.audio_path).resolve(),
                                                      Path(session_path).resolve().parent)
            except ValueError:  # different drive on Windows
                pass
        if self.view:
            d["view"] = [float(self.view[0]), float(self.view[1])]
        return json.dumps(d, indent=2)


def save(session: Session, path) -> Path:
    path = Path(path)
    try:
        atomic.write_text(path, session.to_json(path))
    except OSError as exc:
        raise SessionError(f"Cannot save session {path}: {exc.strerror or exc}") from exc
    return path


def load(path) -> Session:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SessionError(f"Cannot read session {path}: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SessionError(f"{path.name} is not a TextSep session (invalid JSON: {exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SessionError(f"{path.name} is not a TextSep session file")
    if int(data.get("version", 0)) > VERSION:
        raise SessionError(f"{path.name} was written by a newer TextSep (session version {data['version']})")
    audio = data.get("audio")
    if not isinstance(audio, str) or not audio:
        raise SessionError(f"{path.name} does not name an audio file")
    candidates = [Path(audio)]
    if isinstance(data.get("audio_relative"), str):
        candidates.append(path.resolve().parent / data["audio_relative"])
    found = next((p for p in candidates if p.is_file()), None)
    if found is None:
        raise SessionError(f"The session's audio file was not found: {audio}")
    try:
        regions = [Region.from_dict(r) for r in data.get("regions", [])]
    except (EditError, TypeError) as exc:
        raise SessionError(f"{path.name} has an invalid region: {exc}") from exc
    view = data.get("view")
    view = (float(view[0]), float(view[1])) if isinstance(view, list) and len(view) == 2 else None
    return Session(found, regions, view)
