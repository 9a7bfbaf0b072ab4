"""The editor view: a peak-downsampled waveform above a mel spectrogram, sharing one time axis (s).

Mouse (axes.EditViewBox): a drag on empty space makes the time selection, drag a region to move it or its
edges to resize, a click sets the play cursor, the wheel scrolls in time, Ctrl+wheel zooms around the pointer.
The processed audio and what the edit removed (the residual) are second layers; `set_ab('B')` or `('R')`
brings one to the front and the effective mask |processed|/|original| can be shown on the spectrogram.
Nothing heavy runs here: peak pyramids and spectrogram images arrive ready-made from workers.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont

from textsep_desktop import spectrogram as spec
from textsep_desktop.axes import LANE, ChannelAxis, EditViewBox, FreqAxis, TimeAxis
from textsep_desktop.peaks import PeakPyramid
from textsep_desktop.spectrogram_display import SpectrogramDisplay
from textsep_desktop.timefmt import TimeFormat

WAVE_A = QColor(86, 182, 255)
WAVE_B = QColor(255, 176, 64)
WAVE_R = QColor(224, 120, 255)  # what the edit removed
BG = QColor(22, 24, 29)
AXIS = QColor(150, 155, 168)
GRID_ALPHA = 0.12
SELECTION_BRUSH = (255, 255, 255, 46)
SELECTION_PEN = (255, 255, 255, 190)
EDGE_GRAB_PX = 4  # a selection edge can be grabbed this many pixels either side (plus its pen)


class WaveformView(pg.GraphicsLayoutWidget):
    selectionDragged = Signal(float, float, bool)  # a drag on empty space: t0 <= t1, finished
    selectionEdgeDragged = Signal(int, float, bool)  # noqa: N815 - edge (0 start, 1 end), its time, finished
    shiftClicked = Signal(float)  # noqa: N815 - Shift+click: extend the selection to this time
    cursorMoved = Signal(float)  # the user clicked to place the play cursor
    cursorChanged = Signal(float)  # the cursor moved, for any reason
    viewChanged = Signal(float, float, int)  # visible t0, t1, width in pixels (debounced)

    def __init__(self, time_format: TimeFormat | None = None, parent=None):
        super().__init__(parent)
        self.time_format = time_format or TimeFormat()
        self.setBackground(BG)
        self.ci.layout.setContentsMargins(4, 6, 10, 4)
        self.ci.layout.setVerticalSpacing(2)
        self.pyramid: PeakPyramid | None = None
        self.processed: PeakPyramid | None = None
        self.residual: PeakPyramid | None = None
        self.sr = 44100
        self.duration = 0.0
        self.ab = "A"

        self.wave_vb = EditViewBox()
        self.spec_vb = EditViewBox(freq_zoom=True)
        self.chan_axis = ChannelAxis("left")
        self.freq_axis = FreqAxis("left")
        self.wave_plot = self.addPlot(row=0, col=0, viewBox=self.wave_vb,
                                      axisItems={"left": self.chan_axis,
                                                 "bottom": TimeAxis("bottom", time_format=self.time_format)})
        self.spec_plot = self.addPlot(row=1, col=0, viewBox=self.spec_vb,
                                      axisItems={"left": self.freq_axis,
                                                 "bottom": TimeAxis("bottom", time_format=self.time_format)})
        self.ci.layout.setRowStretchFactor(0, 2)
        self.ci.layout.setRowStretchFactor(1, 3)
        self.spec_plot.setXLink(self.wave_plot)
        for p in (self.wave_plot, self.spec_plot):
            p.hideButtons()
            p.getAxis("left").setWidth(46)
            for name in ("left", "bottom"):
                ax = p.getAxis(name)
                ax.setPen(pg.mkPen(AXIS))
                ax.setTextPen(pg.mkPen(AXIS))
                ax.setStyle(tickFont=QFont("Sans", 8))
            p.showGrid(x=True, y=False, alpha=GRID_ALPHA)
        self.wave_plot.getAxis("bottom").setStyle(showValues=False)
        self.wave_plot.getAxis("bottom").setHeight(4)

        self.curves_a: list[pg.PlotCurveItem] = []
        self.curves_b: list[pg.PlotCurveItem] = []
        self.centre_lines: list[pg.InfiniteLine] = []

        # row-major, C-contiguous arrays from the worker: pyqtgraph then renders without copying
        self.spec_display = SpectrogramDisplay(self.spec_plot, self.ci, row=1)

        self.playheads = [pg.InfiniteLine(0, pen=pg.mkPen(QColor(255, 255, 255), width=1.5)) for _ in range(2)]
        self.cursors = [pg.InfiniteLine(0, pen=pg.mkPen(QColor(255, 214, 10), width=1, style=Qt.PenStyle.DashLine))
                        for _ in range(2)]
        for plot, ph, cu in zip((self.wave_plot, self.spec_plot), self.playheads, self.cursors):
            ph.setZValue(50)
            cu.setZValue(49)
            plot.addItem(ph, ignoreBounds=True)
            plot.addItem(cu, ignoreBounds=True)
            ph.hide()
        self.selection_items = [pg.LinearRegionItem((0, 0), movable=False, brush=pg.mkBrush(*SELECTION_BRUSH),
                                                     pen=pg.mkPen(*SELECTION_PEN)) for _ in range(2)]
        for plot, it in zip((self.wave_plot, self.spec_plot), self.selection_items):
            it.setZValue(40)
            it.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # drags and clicks go through to the view
            plot.addItem(it, ignoreBounds=True)
            it.hide()
            for edge, ln in enumerate(it.lines):  # ... but its edges can be dragged (above region edges)
                ln.setMovable(True)
                ln.setCursor(Qt.CursorShape.SizeHorCursor)
                ln.setHoverPen(pg.mkPen(255, 255, 255, 255, width=2.5))
                ln._maxMarkerSize = EDGE_GRAB_PX  # widens the line's hit area (pyqtgraph sizes it by markers)
                ln.sigDragged.connect(lambda line, edge=edge: self._edge_dragged(edge, line, False))
                ln.sigPositionChangeFinished.connect(lambda line, edge=edge: self._edge_dragged(edge, line, True))

        for vb in (self.wave_vb, self.spec_vb):
            vb.dragged.connect(self._on_drag)
            vb.clicked.connect(self._on_click)
            vb.shiftClicked.connect(self._on_shift_click)
        self.wave_vb.sigXRangeChanged.connect(lambda *_: self._schedule_redraw())
        self._redraw_timer = QTimer(self, singleShot=True, interval=0)
        self._redraw_timer.timeout.connect(self.redraw_waveform)
        self._view_timer = QTimer(self, singleShot=True, interval=120)
        self._view_timer.timeout.connect(self._emit_view)
        self.cursor_s = 0.0
        self.spec_plot.setYRange(0, spec.N_ROWS, padding=0)
        self.spec_vb.setLimits(yMin=0, yMax=spec.N_ROWS)

    # -- data -----------------------------------------------------------------------------------
    def clear_audio(self) -> None:
        for c in self.curves_a + self.curves_b + self.centre_lines:
            self.wave_plot.removeItem(c)
        self.curves_a, self.curves_b, self.centre_lines = [], [], []
        self.pyramid = self.processed = self.residual = None
        self.spec_display.clear()

    def set_audio(self, pyramid: PeakPyramid) -> None:
        self.clear_audio()
        self.pyramid = pyramid
        self.sr = pyramid.sr
        self.duration = pyramid.duration
        C = pyramid.channels
        self.chan_axis.set_channels(C)
        self.freq_axis.set_sr(self.sr)
        for i in range(C):
            off = -i * LANE
            line = pg.InfiniteLine(off, angle=0, pen=pg.mkPen(70, 76, 90, 200))
            self.wave_plot.addItem(line, ignoreBounds=True)
            self.centre_lines.append(line)
            # No fillLevel: pyqtgraph 0.14's fill-path code crashed the interpreter (refcount error) on
            # repeated repaints here; at ~2 min/max pairs per pixel the zig-zag line is a solid envelope.
            a = pg.PlotCurveItem(pen=pg.mkPen(WAVE_A, width=1), antialias=False, skipFiniteCheck=True)
            b = pg.PlotCurveItem(pen=pg.mkPen(WAVE_B, width=1), antialias=False, skipFiniteCheck=True)
            b.hide()
            self.wave_plot.addItem(a)
            self.wave_plot.addItem(b)
            self.curves_a.append(a)
            self.curves_b.append(b)
        self.wave_plot.setYRange(-(C - 1) * LANE - 1.05, 1.05, padding=0)
        self.wave_vb.setLimits(yMin=-(C - 1) * LANE - 1.2, yMax=1.2)
        minx = max(20.0 / self.sr, 1e-4)
        for vb in (self.wave_vb, self.spec_vb):
            vb.setLimits(xMin=0, xMax=self.duration, minXRange=minx)
        self.set_cursor(0.0)
        self.zoom_fit()
        self._apply_ab()
        self.redraw_waveform()

    def set_processed(self, pyramid: PeakPyramid | None, residual: PeakPyramid | None = None) -> None:
        self.processed, self.residual = pyramid, residual
        self._apply_ab()
        self.redraw_waveform()

    def set_ab(self, which: str) -> None:
        self.ab = which
        self._apply_ab()
        self.redraw_waveform()
        self.spec_display.set_ab(which)

    def second_layer(self) -> PeakPyramid | None:
        """The pyramid the second curves show: the residual when listening to it, else the processed audio."""
        return self.residual if self.ab == "R" and self.residual is not None else self.processed

    def _apply_ab(self) -> None:
        front_b = self.ab in ("B", "R") and self.second_layer() is not None
        colour = WAVE_R if self.ab == "R" and self.residual is not None else WAVE_B
        for a, b in zip(self.curves_a, self.curves_b):
            b.setVisible(self.processed is not None)
            if front_b:  # processed (or residual) in front, original as a dim ghost behind it
                a.setPen(pg.mkPen(QColor(86, 182, 255, 70), width=1))
                b.setPen(pg.mkPen(colour, width=1))
            else:  # original in front, processed as a thin outline
                a.setPen(pg.mkPen(WAVE_A, width=1))
                b.setPen(pg.mkPen(QColor(255, 176, 64, 110), width=1))
            a.setZValue(2 if not front_b else 1)
            b.setZValue(1 if not front_b else 2)

    def visible_range(self) -> tuple[float, float]:
        (x0, x1), _ = self.wave_vb.viewRange()
        return float(x0), float(x1)

    def plot_width_px(self) -> int:
        return max(16, int(self.wave_vb.width()))

    def _schedule_redraw(self) -> None:
        if not hasattr(self, "_view_timer"):  # resize during construction
            return
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()
        self._view_timer.start()

    def redraw_waveform(self) -> None:
        if self.pyramid is None:
            return
        t0, t1 = self.visible_range()
        w = self.plot_width_px()
        x, y, raw = self.pyramid.envelope(t0, t1, w)
        for i, c in enumerate(self.curves_a):
            c.setData(x, y[i] - i * LANE)
        layer = self.second_layer()
        if layer is not None:
            xb, yb, _raw = layer.envelope(t0, t1, w)
            for i, c in enumerate(self.curves_b):
                c.setData(xb, yb[i] - i * LANE)

    def _emit_view(self) -> None:
        if self.pyramid is not None:
            t0, t1 = self.visible_range()
            self.viewChanged.emit(t0, t1, self.plot_width_px())

    def resizeEvent(self, ev):  # noqa: N802
        super().resizeEvent(ev)
        self._schedule_redraw()

    # -- spectrogram ----------------------------------------------------------------------------
    @property
    def images(self) -> dict:
        return self.spec_display.images

    @property
    def show_mask(self) -> bool:
        return self.spec_display.show_effect

    def set_spec_image(self, kind: str, img: spec.SpecImage | None) -> None:
        """kind is 'overview' (whole file) or 'detail' (the visible span at finer resolution)."""
        self.spec_display.set_image(kind, img)

    def set_show_mask(self, on: bool) -> None:
        """Show the effect (what the edit removed, dimmed by its attenuation) on the spectrogram."""
        self.spec_display.set_show_effect(on)

    # -- navigation -----------------------------------------------------------------------------
    def zoom_fit(self) -> None:
        """The whole file, all frequencies."""
        if self.duration > 0:
            self.wave_plot.setXRange(0, self.duration, padding=0)
        self.spec_plot.setYRange(0, spec.N_ROWS, padding=0)

    def zoom_to(self, t0: float, t1: float, margin: float = 0.08) -> None:
        if t1 > t0:
            pad = (t1 - t0) * margin
            self.wave_plot.setXRange(max(0.0, t0 - pad), min(self.duration, t1 + pad), padding=0)

    def zoom_by(self, factor: float, centre: float | None = None) -> None:
        t0, t1 = self.visible_range()
        c = (t0 + t1) / 2 if centre is None else centre
        self.wave_vb.scaleBy(x=factor, center=QPointF(c, 0))

    def scroll_to_show(self, t: float) -> None:
        t0, t1 = self.visible_range()
        if t < t0 or t > t1:
            w = t1 - t0
            nt0 = max(0.0, min(t - 0.05 * w, self.duration - w))
            self.wave_plot.setXRange(nt0, nt0 + w, padding=0)

    # -- cursor, playhead, drawing --------------------------------------------------------------
    def set_cursor(self, t: float) -> None:
        self.cursor_s = max(0.0, min(float(t), self.duration))
        for c in self.cursors:
            c.setValue(self.cursor_s)
        self.cursorChanged.emit(self.cursor_s)

    def set_playhead(self, t: float | None) -> None:
        for p in self.playheads:
            if t is None:
                p.hide()
            else:
                p.setValue(t)
                p.show()

    def _on_click(self, t: float) -> None:
        if self.pyramid is None:
            return
        self.set_cursor(t)
        self.cursorMoved.emit(self.cursor_s)

    def _on_shift_click(self, t: float) -> None:
        if self.pyramid is not None:
            self.shiftClicked.emit(max(0.0, min(t, self.duration)))

    def set_selection(self, span: tuple[float, float] | None) -> None:
        for it in self.selection_items:
            if span is None:
                it.hide()
            else:
                it.setRegion(span)  # moves the edges without their sigDragged: no echo to the controller
                it.show()

    def _edge_dragged(self, edge: int, line, finished: bool) -> None:
        if self.pyramid is not None:
            self.selectionEdgeDragged.emit(edge, max(0.0, min(float(line.value()), self.duration)), finished)

    def seconds_per_px(self) -> float:
        t0, t1 = self.visible_range()
        return (t1 - t0) / self.plot_width_px()

    def _on_drag(self, t0: float, t1: float, finished: bool) -> None:
        if self.pyramid is not None:
            self.selectionDragged.emit(max(0.0, t0), min(self.duration, t1), finished)
