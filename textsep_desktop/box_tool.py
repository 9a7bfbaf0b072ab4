"""The box tool: draw a time-frequency region on the spectrogram.

Ctrl+drag on the spectrogram (Cmd+drag on macOS) draws a box whatever tool is on; with the box tool on (its
toolbar button, X) a plain drag there does too. While dragging, a dashed rubber band shows the box; on release
the box becomes a region (an undoable "Add region") whose time edges snap like a selection's and whose band
is the box's frequency extent (a side at the spectrogram's bottom or top edge stays open: 0 Hz / Nyquist).
The new region is selected and its prompt cell opens, as after R. The box is then resizable in time and
frequency (region_boxes.RegionBox).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from textsep_desktop import spectrogram as spec
from textsep_desktop.freq_band import rows_to_band
from textsep_desktop.selection import MIN_DRAG_PX


class BoxTool(QObject):
    def __init__(self, view, snapper, region_commands, document, status, parent=None):
        super().__init__(parent)
        self.view, self.snapper, self.commands, self.document = view, snapper, region_commands, document
        self.status = status
        self.active = False
        pen = QPen(QColor(255, 255, 255, 230), 1.5, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.rubber = QGraphicsRectItem()
        self.rubber.setPen(pen)
        self.rubber.setBrush(QBrush(QColor(255, 255, 255, 36)))
        self.rubber.setZValue(60)
        self.rubber.hide()
        view.spec_plot.addItem(self.rubber, ignoreBounds=True)
        view.spec_vb.boxDragged.connect(self.dragged)

    def set_active(self, on: bool) -> None:
        """The box tool's button: a plain drag on the spectrogram draws a box while it is on."""
        self.active = bool(on)
        self.view.spec_vb.box_tool = self.active
        if self.active:
            self.view.spec_vb.setCursor(Qt.CursorShape.CrossCursor)
            self.status("Box tool: drag on the spectrogram to draw a region with a frequency band", 4000)
        else:
            self.view.spec_vb.unsetCursor()

    def _rows_per_px(self) -> float:
        vb = self.view.spec_vb
        _x, (y0, y1) = vb.viewRange()
        return (y1 - y0) / max(1.0, vb.height())

    def dragged(self, t0: float, t1: float, y0: float, y1: float, finished: bool) -> None:
        doc = self.document.doc
        if doc is None:
            self.rubber.hide()
            return
        t0, t1 = max(0.0, t0), min(doc.duration, t1)
        y0, y1 = max(0.0, y0), min(float(spec.N_ROWS), y1)
        if not finished:
            self.rubber.setRect(QRectF(t0, y0, max(t1 - t0, 0.0), max(y1 - y0, 0.0)))
            self.rubber.show()
            return
        self.rubber.hide()
        if t1 - t0 < MIN_DRAG_PX * self.view.seconds_per_px():  # a click: the cursor goes there
            self.view.set_cursor(t0)
            self.view.cursorMoved.emit(self.view.cursor_s)
            return
        if y1 - y0 < MIN_DRAG_PX * self._rows_per_px():
            self.status("No region: the box has no height (drag across frequencies too)", 5000)
            return
        a, b = self.snapper.snap_span(t0, t1, with_selection=False)
        low, high = rows_to_band(y0, y1, doc.audio.sr)
        self.commands.add(a, b, low_hz=low, high_hz=high)
