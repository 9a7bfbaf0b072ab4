"""Region commands: every change to the regions, made as an undoable QUndoStack command.

Regions come from the selection (R: "Add region from selection"), the box tool (a time-frequency box on the
spectrogram), the table (its edit requests), dragging a region's items or box (snapped like the selection) and
the selected-region actions (delete, toggle mode, enabled).
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, QTimer

from textsep.edits import EditError, Region
from textsep_desktop.undo import AddRegion, ChangeRegion, DeleteRegion

PLACEHOLDER_PROMPT = "describe the sound"


class RegionCommands(QObject):
    def __init__(self, document, regions, undo_stack, panel, overlay, view, settings, status, parent=None, *,
                 selection=None, snapper=None):
        super().__init__(parent)
        self.document, self.regions, self.undo_stack = document, regions, undo_stack
        self.panel, self.overlay, self.view, self.settings = panel, overlay, view, settings
        self.status = status  # status(msg, ms): the status bar
        self.selection, self.snapper = selection, snapper

    def add(self, t0: float, t1: float, prompt: str | None = None, mode: str = "keep", *,
            low_hz: float | None = None, high_hz: float | None = None) -> int | None:
        """Add a region (clipped to the file; with a frequency band when low_hz / high_hz are given) and select
        it; without a prompt, its prompt cell opens."""
        doc = self.document.doc
        if doc is None:
            return None
        t0, t1 = max(0.0, float(t0)), min(doc.duration, float(t1))
        try:
            r = Region(t0, t1, prompt or PLACEHOLDER_PROMPT, mode, self.settings.default_fade_ms,
                       depth_db=self.settings.default_depth_db, low_hz=low_hz, high_hz=high_hz)
        except EditError as exc:
            self.status(f"Region not added: {exc}", 5000)
            return None
        cmd = AddRegion(self.regions, r)
        self.undo_stack.push(cmd)
        self.panel.select(cmd.rid)
        if prompt is None:
            QTimer.singleShot(0, lambda rid=cmd.rid: rid in self.regions and self.panel.edit_prompt(rid))
        return cmd.rid

    def add_from_selection(self) -> int | None:
        """R: the selection becomes a region (its prompt cell opens); without one, the middle of the view."""
        if self.document.doc is None:
            return None
        if self.selection is None or self.selection.span is None:
            self.add_at_view()
            return None
        t0, t1 = self.selection.span
        rid = self.add(t0, t1)
        if rid is not None:
            self.selection.clear()
        return rid

    def add_at_view(self) -> None:
        """Add a region over the middle fifth of the visible span."""
        if self.document.doc is None:
            return
        t0, t1 = self.view.visible_range()
        w = t1 - t0
        self.add(t0 + 0.4 * w, t0 + 0.6 * w)

    def edit(self, rid: int, new: Region) -> None:
        if rid in self.regions and self.regions.get(rid) != new:
            self.undo_stack.push(ChangeRegion(self.regions, rid, new))

    def dragged(self, rid: int, lo: float, hi: float) -> None:
        """The user finished dragging region `rid` to lo..hi on the view."""
        lo, hi = self._snapped(rid, lo, hi)
        try:
            end = min(self.document.doc.duration, hi)
            new = replace(self.regions.get(rid), start_s=max(0.0, lo), end_s=end)
        except EditError as exc:
            self.overlay.refresh(rid)  # put the item back where the model says
            self.status(f"Not applied: {exc}", 5000)
            return
        self.edit(rid, new)

    def box_edited(self, rid: int, lo: float, hi: float, low_hz, high_hz) -> None:
        """The user finished moving or resizing region `rid`'s box on the spectrogram."""
        lo, hi = self._snapped(rid, lo, hi)
        try:
            end = min(self.document.doc.duration, hi)
            new = replace(self.regions.get(rid), start_s=max(0.0, lo), end_s=end, low_hz=low_hz, high_hz=high_hz)
        except EditError as exc:
            self.overlay.refresh(rid)
            self.status(f"Not applied: {exc}", 5000)
            return
        if new == self.regions.get(rid):
            self.overlay.refresh(rid)  # snapped back to where it was
        self.edit(rid, new)

    def _snapped(self, rid: int, lo: float, hi: float) -> tuple[float, float]:
        """A dragged edge snaps; a moved region snaps whichever of its edges is nearer a target, keeping its
        length."""
        if self.snapper is None or rid not in self.regions:
            return lo, hi
        r = self.regions.get(rid)
        moved_lo, moved_hi = abs(lo - r.start_s) > 1e-12, abs(hi - r.end_s) > 1e-12
        snap = self.snapper.snap
        if moved_lo and moved_hi:  # the whole region moved
            a, b = snap(lo, rid), snap(hi, rid)
            da, db = a - lo, b - hi
            shift = da if (da and (not db or abs(da) <= abs(db))) else db
            return lo + shift, hi + shift
        if moved_lo:
            lo = snap(lo, rid)
        if moved_hi:
            hi = snap(hi, rid)
        return (lo, hi) if hi > lo else (min(lo, hi), max(lo, hi))

    def delete_selected(self) -> None:
        rid = self.panel.selected_id()
        if rid is not None:
            self.undo_stack.push(DeleteRegion(self.regions, rid))

    def toggle_selected_mode(self) -> None:
        rid = self.panel.selected_id()
        if rid is not None:
            r = self.regions.get(rid)
            self.edit(rid, replace(r, mode="remove" if r.mode == "keep" else "keep"))

    def toggle_selected_enabled(self) -> None:
        rid = self.panel.selected_id()
        if rid is not None:
            r = self.regions.get(rid)
            self.edit(rid, replace(r, enabled=not r.enabled))

    def zoom_to_selection(self) -> None:
        rid = self.panel.selected_id()
        if rid is not None:
            r = self.regions.get(rid)
            self.view.zoom_to(r.start_s, r.end_s)

    def selected_span(self) -> tuple[float, float] | None:
        """The selected region's start and end (for looping), or None."""
        rid = self.panel.selected_id()
        if rid is None:
            return None
        r = self.regions.get(rid)
        return (r.start_s, r.end_s)
