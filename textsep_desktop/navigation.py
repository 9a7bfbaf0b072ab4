"""Navigation around the view: an overview strip of the whole file with the visible range (drag it, or click
to centre there) and its regions (a thin bar each, keep green / remove red as in the view), and a horizontal
scrollbar, both following the view's time range and moving it."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsRectItem, QScrollBar

from textsep_desktop.regions import region_colour

SCROLL_UNITS = 1_000_000  # the scrollbar's range covers the file in this many steps

OVERVIEW_WAVE = QColor(86, 182, 255, 170)
Y_LO, Y_HI = -1.02, 1.02  # the strip's vertical range
BAR_H = 0.5  # a region's bar along the strip's bottom (of the 2.04 high range: about a quarter)
TINT_ALPHA, BAR_ALPHA = 40, 230  # a faint tint over the region's whole height, a solid bar at the bottom


class OverviewBox(pg.ViewBox):
    clicked = Signal(float)

    def mouseClickEvent(self, ev):  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.clicked.emit(self.mapSceneToView(ev.scenePos()).x())

    def mouseDragEvent(self, ev, axis=None):  # noqa: N802
        ev.ignore()

    def wheelEvent(self, ev, axis=None):  # noqa: N802
        ev.ignore()


class OverviewStrip(pg.PlotWidget):
    """The whole file at a glance; the bright box is the visible range."""

    def __init__(self, parent=None):
        self.box = OverviewBox()
        super().__init__(parent, viewBox=self.box)
        self.setObjectName("overview")
        self.setFixedHeight(38)
        self.setBackground(QColor(17, 19, 24))
        p = self.getPlotItem()
        p.hideAxis("left")
        p.hideAxis("bottom")
        p.hideButtons()
        p.setMenuEnabled(False)
        p.layout.setContentsMargins(50, 2, 10, 2)  # lines up with the view's plots (their 46 px axis)
        self.box.setMouseEnabled(x=False, y=False)
        self.curve = pg.PlotCurveItem(pen=pg.mkPen(OVERVIEW_WAVE, width=1), antialias=False,
                                      skipFiniteCheck=True)
        self.addItem(self.curve)
        self.range_item = pg.LinearRegionItem((0, 1), brush=pg.mkBrush(255, 255, 255, 38),
                                              pen=pg.mkPen(255, 255, 255, 200))
        self.range_item.setZValue(10)
        self.addItem(self.range_item)
        self.duration = 0.0
        self.region_items: list[tuple[QGraphicsRectItem, QGraphicsRectItem]] = []  # (tint, bar) per region
        self.setToolTip("The whole file and its regions: drag the box to move the view, click to centre it there")

    def set_audio(self, pyramid) -> None:
        self.duration = pyramid.duration
        x, y, _raw = pyramid.envelope(0.0, pyramid.duration, 1200)
        mono = np.asarray(y).mean(axis=0) if np.ndim(y) > 1 else np.asarray(y)
        self.curve.setData(x, mono)
        self.box.setRange(xRange=(0, self.duration), yRange=(Y_LO, Y_HI), padding=0)
        self.range_item.setBounds((0, self.duration))

    def clear(self) -> None:
        self.curve.setData([], [])
        self.duration = 0.0

    def follow_regions(self, model) -> None:
        """Show `model`'s regions (a RegionModel) and follow its changes."""
        update = lambda *_: self.show_regions(model.regions())  # noqa: E731
        for sig in (model.inserted, model.removed, model.changed, model.reset):
            sig.connect(update)
        update()

    def show_regions(self, regions) -> None:
        for items in self.region_items:
            for it in items:
                self.box.removeItem(it)
        self.region_items = []
        for r in regions:
            c = region_colour(r)
            tint, bar = QColor(c), QColor(c)
            tint.setAlpha(TINT_ALPHA)
            bar.setAlpha(BAR_ALPHA)
            w = r.end_s - r.start_s
            items = (QGraphicsRectItem(QRectF(r.start_s, Y_LO, w, Y_HI - Y_LO)),
                     QGraphicsRectItem(QRectF(r.start_s, Y_LO, w, BAR_H)))
            for it, colour, z in zip(items, (tint, bar), (-1, 5)):
                it.setBrush(pg.mkBrush(colour))
                # the bar's cosmetic pen keeps a region shorter than a pixel visible; the tint has none
                it.setPen(pg.mkPen(colour) if z > 0 else pg.mkPen(None))
                it.setZValue(z)
                it.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks go on to the strip
                self.box.addItem(it, ignoreBounds=True)
            self.region_items.append(items)


class Navigator(QObject):
    """Keeps the overview's box and the scrollbar on the view's time range, and moves the view from them."""

    def __init__(self, view, overview: OverviewStrip, scrollbar: QScrollBar, parent=None):
        super().__init__(parent)
        self.view, self.overview, self.scrollbar = view, overview, scrollbar
        scrollbar.setOrientation(Qt.Orientation.Horizontal)
        scrollbar.setRange(0, 0)
        self._syncing = False
        view.wave_vb.sigXRangeChanged.connect(lambda *_: self.follow_view())
        view.wave_vb.sigResized.connect(lambda *_: self.align())
        scrollbar.valueChanged.connect(self._scrolled)
        overview.range_item.sigRegionChanged.connect(self._box_moved)
        overview.box.clicked.connect(self.centre_on)

    def set_audio(self, pyramid) -> None:
        self.overview.set_audio(pyramid)
        self.follow_view()
        self.align()

    def align(self) -> None:
        """The overview's time axis spans the view's plots' pixels (their left axis and colour bars aside)."""
        r = self.view.wave_vb.sceneBoundingRect()
        if r.width() > 0:
            right = max(0, int(round(self.view.width() - r.right())))
            self.overview.getPlotItem().layout.setContentsMargins(int(round(r.left())), 2, right, 2)

    def follow_view(self) -> None:
        d = self.view.duration
        if d <= 0 or self._syncing:
            return
        t0, t1 = self.view.visible_range()
        self._syncing = True
        try:
            page = max(1, int(round((t1 - t0) / d * SCROLL_UNITS)))
            self.scrollbar.setRange(0, max(0, SCROLL_UNITS - page))
            self.scrollbar.setPageStep(page)
            self.scrollbar.setSingleStep(max(1, page // 10))
            self.scrollbar.setValue(int(round(t0 / d * SCROLL_UNITS)))
            self.overview.range_item.setRegion((t0, t1))
        finally:
            self._syncing = False

    def _move_view(self, t0: float) -> None:
        v0, v1 = self.view.visible_range()
        w = v1 - v0
        t0 = max(0.0, min(t0, self.view.duration - w))
        self._syncing = True
        try:
            self.view.wave_plot.setXRange(t0, t0 + w, padding=0)
        finally:
            self._syncing = False
        self.follow_view()

    def _scrolled(self, value: int) -> None:
        if not self._syncing and self.view.duration > 0:
            self._move_view(value / SCROLL_UNITS * self.view.duration)

    def _box_moved(self) -> None:
        if self._syncing or self.view.duration <= 0:
            return
        lo, hi = self.overview.range_item.getRegion()
        v0, v1 = self.view.visible_range()
        if abs((hi - lo) - (v1 - v0)) > 1e-6 * self.view.duration and hi > lo:  # an edge dragged: zoom
            self._syncing = True
            try:
                self.view.wave_plot.setXRange(lo, hi, padding=0)
            finally:
                self._syncing = False
            self.follow_view()
        else:
            self._move_view(lo)

    def centre_on(self, t: float) -> None:
        v0, v1 = self.view.visible_range()
        self._move_view(t - (v1 - v0) / 2)
