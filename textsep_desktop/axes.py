"""The view's axes and its ViewBox: the time ruler (in the chosen time format), the frequency and channel
axes, and the mouse: a left drag selects, a click sets the cursor, the wheel scrolls in time, Ctrl+wheel zooms
time around the pointer, Shift+wheel over the spectrogram zooms frequency, Shift+drag or the middle button
pans; on the spectrogram Ctrl+drag (or any left drag while the box tool is on) draws a time-frequency box."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal

from textsep_desktop import spectrogram as spec
from textsep_desktop.timefmt import TimeFormat

LANE = 2.3  # vertical distance between channel lanes (each lane spans -1..1)
SCROLL_STEP = 0.1  # one wheel notch scrolls a tenth of the visible span
ZOOM_STEP = 0.8  # one Ctrl+wheel notch shows 80 % of the span


class TimeAxis(pg.AxisItem):
    """Time ticks in the shared TimeFormat (h:mm:ss.mmm, seconds or samples)."""

    def __init__(self, *a, time_format: TimeFormat | None = None, **kw):
        super().__init__(*a, **kw)
        self.time_format = time_format or TimeFormat()
        self.time_format.changed.connect(self._format_changed)

    def _format_changed(self) -> None:
        self.picture = None  # pyqtgraph's cached tick picture
        self.update()

    def tickStrings(self, values, scale, spacing):  # noqa: N802
        return [self.time_format.tick_text(v, spacing) for v in values]


class FreqAxis(pg.AxisItem):
    """Rows of the mel display axis labelled in Hz."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.sr = 44100

    def set_sr(self, sr: int) -> None:
        self.sr = sr
        ticks, minor = [], []
        for f in (100, 200, 500, 1000, 2000, 3000, 5000, 7000, 10000, 15000, 20000, 30000, 40000):
            if f < sr / 2:
                (ticks if f in (200, 500, 1000, 2000, 5000, 10000, 20000, 40000) else minor).append(
                    (spec.row_of_hz(f, sr), f"{f / 1000:g}k" if f >= 1000 else str(f)))
        self.setTicks([ticks, minor])


class ChannelAxis(pg.AxisItem):
    def set_channels(self, n: int) -> None:
        names = ["M"] if n == 1 else (["L", "R"] if n == 2 else [f"{i + 1}" for i in range(n)])
        self.setTicks([[(-i * LANE, names[i]) for i in range(n)], []])


class EditViewBox(pg.ViewBox):
    """ViewBox where a left drag makes a selection instead of panning, and the wheel scrolls in time."""

    dragged = Signal(float, float, bool)  # t0 <= t1, finished
    boxDragged = Signal(float, float, float, float, bool)  # noqa: N815 - t0 <= t1, y0 <= y1 (rows), finished
    clicked = Signal(float)
    shiftClicked = Signal(float)  # noqa: N815

    def __init__(self, *a, freq_zoom: bool = False, **kw):
        super().__init__(*a, **kw)
        self.freq_zoom = freq_zoom  # the spectrogram's box: it zooms frequency and draws boxes
        self.box_tool = False  # the box tool is on: a plain left drag draws a box too
        self._boxing = False
        self.setMouseEnabled(x=True, y=False)
        self.setMenuEnabled(False)

    def is_box_drag(self, ev) -> bool:
        """A left drag on the spectrogram with Ctrl held or the box tool on draws a time-frequency box."""
        if not self.freq_zoom or ev.button() != Qt.MouseButton.LeftButton:
            return False
        mods = ev.modifiers()
        if mods & Qt.KeyboardModifier.ControlModifier:
            return True
        return self.box_tool and not mods & Qt.KeyboardModifier.ShiftModifier

    def mouseDragEvent(self, ev, axis=None):  # noqa: N802
        if (ev.isStart() and self.is_box_drag(ev)) or (self._boxing and not ev.isStart()):
            ev.accept()
            self._boxing = not ev.isFinish()
            p0 = self.mapSceneToView(ev.buttonDownScenePos())
            p1 = self.mapSceneToView(ev.scenePos())
            self.boxDragged.emit(min(p0.x(), p1.x()), max(p0.x(), p1.x()), min(p0.y(), p1.y()),
                                 max(p0.y(), p1.y()), bool(ev.isFinish()))
            return
        self._boxing = False
        shift = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if ev.button() == Qt.MouseButton.LeftButton and not shift:
            ev.accept()
            x0 = self.mapSceneToView(ev.buttonDownScenePos()).x()
            x1 = self.mapSceneToView(ev.scenePos()).x()
            self.dragged.emit(min(x0, x1), max(x0, x1), bool(ev.isFinish()))
            return
        if ev.button() == Qt.MouseButton.LeftButton:  # Shift+drag pans like the middle button
            ev.accept()
            tr = pg.functions.invertQTransform(self.childGroup.transform())
            dx = tr.map(ev.pos() - ev.lastPos()).x() - tr.map(QPointF(0, 0)).x()
            self.translateBy(x=-dx)
            return
        super().mouseDragEvent(ev, axis)

    def mouseClickEvent(self, ev):  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            t = self.mapSceneToView(ev.scenePos()).x()
            if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.shiftClicked.emit(t)  # extends the selection (Audacity)
            else:
                self.clicked.emit(t)
        else:
            super().mouseClickEvent(ev)

    def wheelEvent(self, ev, axis=None):  # noqa: N802
        notches = ev.delta() / 120.0
        if not notches:
            return
        ev.accept()
        mods = ev.modifiers()
        at = self.mapToView(ev.pos())
        if mods & Qt.KeyboardModifier.ControlModifier:  # zoom time around the pointer (Audacity)
            self.scaleBy(x=ZOOM_STEP ** notches, center=QPointF(at.x(), 0))
        elif mods & Qt.KeyboardModifier.ShiftModifier and self.freq_zoom:  # zoom frequency around the pointer
            self.scaleBy(y=ZOOM_STEP ** notches, center=QPointF(0, at.y()))
        else:  # scroll in time: wheel down (or right) goes forward
            (x0, x1), _ = self.viewRange()
            self.translateBy(x=-notches * SCROLL_STEP * (x1 - x0))
