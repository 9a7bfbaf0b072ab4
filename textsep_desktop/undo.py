"""Undoable region edits (QUndoStack commands): add, delete, move/resize, edit fields."""
from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from textsep.edits import Region
from textsep_desktop.regions import RegionModel


class AddRegion(QUndoCommand):
    def __init__(self, model: RegionModel, region: Region, index: int | None = None, text: str = "Add region"):
        super().__init__(text)
        self.model, self.region, self.index = model, region, index
        self.rid: int | None = None

    def redo(self) -> None:
        self.rid = self.model.add(self.region, self.index, self.rid)

    def undo(self) -> None:
        self.index, _ = self.model.remove(self.rid)


class DeleteRegion(QUndoCommand):
    def __init__(self, model: RegionModel, rid: int, text: str = "Delete region"):
        super().__init__(text)
        self.model, self.rid = model, rid
        self.index = model.index_of(rid)
        self.region = model.get(rid)

    def redo(self) -> None:
        self.index, self.region = self.model.remove(self.rid)

    def undo(self) -> None:
        self.model.add(self.region, self.index, self.rid)


class ChangeRegion(QUndoCommand):
    """Replace one region by an edited copy (move, resize, prompt, mode, fade, depth, enabled)."""

    def __init__(self, model: RegionModel, rid: int, new: Region, text: str | None = None):
        old = model.get(rid)
        super().__init__(text or describe_change(old, new))
        self.model, self.rid, self.old, self.new = model, rid, old, new

    def redo(self) -> None:
        self.model.update(self.rid, self.new)

    def undo(self) -> None:
        self.model.update(self.rid, self.old)


class ReplaceAll(QUndoCommand):
    """Replace the whole region list (e.g. applying suggestions or loading an edit spec)."""

    def __init__(self, model: RegionModel, regions: list[Region], text: str = "Replace regions"):
        super().__init__(text)
        self.model, self.new, self.old = model, list(regions), model.regions()

    def redo(self) -> None:
        self.model.set_all(self.new)

    def undo(self) -> None:
        self.model.set_all(self.old)


def describe_change(old: Region, new: Region) -> str:
    if (old.start_s, old.end_s) != (new.start_s, new.end_s):
        if (old.low_hz, old.high_hz) != (new.low_hz, new.high_hz):
            return "Move box" if abs(old.duration - new.duration) < 1e-9 else "Resize box"
        if abs(old.duration - new.duration) < 1e-9:
            return "Move region"
        return "Resize region"
    if old.prompt != new.prompt:
        return "Edit prompt"
    if old.mode != new.mode:
        return f"Set mode to {new.mode}"
    if old.fade_ms != new.fade_ms:
        return "Change fade"
    if old.depth_db != new.depth_db:
        return "Change depth"
    if (old.low_hz, old.high_hz) != (new.low_hz, new.high_hz):
        return "Change frequency band"
    if old.enabled != new.enabled:
        return "Enable region" if new.enabled else "Disable region"
    return "Edit region"
