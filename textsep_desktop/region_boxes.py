"""A time-frequency region on the spectrogram: a box (pyqtgraph ROI) that moves and resizes in time and frequency.

It speaks the same small interface as the overlay's LinearRegionItems (getRegion/setRegion for its time span,
setBounds, setBrush/setHoverBrush, sigRegionChanged/sigRegionChangeFinished, clicked), so the overlay mirrors
it into the waveform's time span and back; `rows()` / `set_rows()` are its frequency extent in display rows.
Handles on the corners resize both ways, those on the edges one way; Ctrl+drag over it draws a new box and
Shift+drag pans and Shift+click extends the time selection, as elsewhere on the view.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor

from textsep_desktop import spectrogram as spec

# (handle position, fixed point) in the box's own 0..1 coordinates: corners, then edges
HANDLES = (((1, 1), (0, 0)), ((0, 0), (1, 1)), ((1, 0), (0, 1)), ((0, 1), (1, 0)),
           ((0.5, 1), (0.5, 0)), ((0.5, 0), (0.5, 1)), ((1, 0.5), (0, 0.5)), ((0, 0.5), (1, 0.5)))


class RegionBox(pg.ROI):
    clicked = Signal(object)

    def __init__(self, t0: float, t1: float, row0: float, row1: float):
        super().__init__((t0, row0), (max(t1 - t0, 1e-6), max(row1 - row0, 1e-3)), movable=True,
                         rotatable=False, resizable=True, removable=False, invertible=False,
                         pen=pg.mkPen(255, 255, 255), hoverPen=pg.mkPen(255, 255, 255, width=2.5),
                         handlePen=pg.mkPen(255, 255, 255, 220), handleHoverPen=pg.mkPen(255, 214, 10))
        self.handleSize = 7
        for pos, centre in HANDLES:
            self.addScaleHandle(pos, centre)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        drag = self.mouseDragHandler
        drag.scaleModifier = drag.rotateModifier = None  # Shift+drag pans the view; nothing rotates
        self.brush = pg.mkBrush(255, 255, 255, 30)
        self.hover_brush = pg.mkBrush(255, 255, 255, 60)
        self.sigClicked.connect(lambda _roi, _ev: self.clicked.emit(self))

    def mouseClickEvent(self, ev):  # noqa: N802 - Qt naming
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            ev.ignore()  # Shift+click extends the time selection, over a box too (as over a time region)
            return
        super().mouseClickEvent(ev)

    # -- the overlay's interface ----------------------------------------------------------------
    def getRegion(self) -> tuple[float, float]:  # noqa: N802 - LinearRegionItem's name
        x, w = self.state["pos"][0], self.state["size"][0]
        return (min(x, x + w), max(x, x + w))

    def setRegion(self, span) -> None:  # noqa: N802
        r0, r1 = self.rows()
        self.set_box(span[0], span[1], r0, r1)

    def rows(self) -> tuple[float, float]:
        y, h = self.state["pos"][1], self.state["size"][1]
        return (min(y, y + h), max(y, y + h))

    def set_rows(self, r0: float, r1: float) -> None:
        t0, t1 = self.getRegion()
        self.set_box(t0, t1, r0, r1)

    def set_box(self, t0: float, t1: float, r0: float, r1: float) -> None:
        self.setPos(QPointF(t0, r0), update=False, finish=False)
        self.setSize(QPointF(max(t1 - t0, 1e-6), max(r1 - r0, 1e-3)), finish=False)

    def setBounds(self, bounds) -> None:  # noqa: N802
        lo, hi = bounds
        self.maxBounds = QRectF(lo, 0.0, hi - lo, float(spec.N_ROWS))

    def setBrush(self, brush) -> None:  # noqa: N802
        self.brush = pg.mkBrush(brush)
        self.update()

    def setHoverBrush(self, brush) -> None:  # noqa: N802
        self.hover_brush = pg.mkBrush(brush)

    def set_pens(self, colour: QColor, width: float) -> None:
        self.pen = pg.mkPen(colour, width=width)
        self.currentPen = self.hoverPen if self.mouseHovering else self.pen
        for h in self.getHandles():
            h.pen = pg.mkPen(colour, width=1.5)
            h.currentPen = h.pen
            h.update()
        self.update()

    # -- mouse and painting ---------------------------------------------------------------------
    def mouseDragEvent(self, ev):  # noqa: N802
        if ev.isStart() and ev.modifiers() & Qt.KeyboardModifier.ControlModifier:
            ev.ignore()  # Ctrl+drag draws a new box, even over this one
            return
        super().mouseDragEvent(ev)

    def paint(self, p, opt, widget):
        r = QRectF(0, 0, self.state["size"][0], self.state["size"][1]).normalized()
        p.fillRect(r, self.hover_brush if self.mouseHovering else self.brush)
        super().paint(p, opt, widget)
