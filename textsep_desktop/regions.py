"""The region model (an ordered list of textsep.edits.Region with stable ids) and its view overlay.

RegionModel is the single source of truth; everything that changes regions goes through the undo
stack (undo.py), whose commands call RegionModel methods. RegionOverlay keeps one pyqtgraph
LinearRegionItem per region in each plot of the editor, coloured by mode, and reports user drags
back as requests (it never edits the model itself). A region with a frequency band is a box on the
spectrogram (region_boxes.RegionBox, resizable in time and frequency) and a time span on the waveform.
"""
from __future__ import annotations

from dataclasses import replace

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics

from textsep.edits import Region
from textsep_desktop.freq_band import band_rows, band_text, rows_to_band
from textsep_desktop.region_boxes import RegionBox

MODE_COLOURS = {"keep": QColor(64, 200, 120), "remove": QColor(235, 84, 72)}
DISABLED_COLOUR = QColor(140, 140, 150)
LABEL_PAD_PX = 4  # a label keeps this far from its region's edges
LABEL_ROW_PX = 22  # overlapping regions' labels stack in rows this far apart


def region_colour(region: Region) -> QColor:
    return QColor(MODE_COLOURS.get(region.mode, DISABLED_COLOUR)) if region.enabled else QColor(DISABLED_COLOUR)


class RegionModel(QObject):
    """Ordered regions with stable integer ids. Emits fine-grained signals for views to follow."""

    inserted = Signal(int, int)  # id, index
    removed = Signal(int)  # id
    changed = Signal(int)  # id
    reset = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._ids: list[int] = []
        self._regions: dict[int, Region] = {}
        self._next_id = 1

    # -- queries --------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._ids)

    def ids(self) -> list[int]:
        return list(self._ids)

    def regions(self) -> list[Region]:
        return [self._regions[i] for i in self._ids]

    def get(self, rid: int) -> Region:
        return self._regions[rid]

    def __contains__(self, rid: int) -> bool:
        return rid in self._regions

    def index_of(self, rid: int) -> int:
        return self._ids.index(rid)

    def id_at(self, index: int) -> int:
        return self._ids[index]

    def number(self, rid: int) -> int:
        """1-based position shown to the user."""
        return self._ids.index(rid) + 1

    # -- mutations (called by undo commands) ----------------------------------------------------
    def add(self, region: Region, index: int | None = None, rid: int | None = None) -> int:
        if not isinstance(region, Region):
            raise TypeError("RegionModel holds textsep.edits.Region objects")
        if rid is None:
            rid = self._next_id
        if rid in self._regions:
            raise ValueError(f"region id {rid} already present")
        self._next_id = max(self._next_id, rid + 1)
        index = len(self._ids) if index is None else max(0, min(index, len(self._ids)))
        self._ids.insert(index, rid)
        self._regions[rid] = region
        self.inserted.emit(rid, index)
        return rid

    def remove(self, rid: int) -> tuple[int, Region]:
        index = self._ids.index(rid)
        self._ids.pop(index)
        region = self._regions.pop(rid)
        self.removed.emit(rid)
        return index, region

    def update(self, rid: int, region: Region) -> None:
        if self._regions[rid] == region:
            return
        self._regions[rid] = region
        self.changed.emit(rid)

    def set_all(self, regions: list[Region]) -> None:
        self._ids = []
        self._regions = {}
        for r in regions:
            rid = self._next_id
            self._next_id += 1
            self._ids.append(rid)
            self._regions[rid] = r
        self.reset.emit()


class _RegionItem(pg.LinearRegionItem):
    """LinearRegionItem that reports clicks (for selection) and repaints its fill when the brush changes
    (pyqtgraph's setBrush only stores it: a mode change left the old colour until the next redraw)."""

    clicked = Signal(object)

    def setBrush(self, *br, **kargs):  # noqa: N802 - Qt naming
        super().setBrush(*br, **kargs)
        self.update()

    def mouseDragEvent(self, ev):  # noqa: N802 - Qt naming
        vb = self.getViewBox()
        if ev.isStart() and getattr(vb, "is_box_drag", None) and vb.is_box_drag(ev):
            ev.ignore()  # the spectrogram's box gesture draws a box, even over a region
            return
        super().mouseDragEvent(ev)

    def mouseClickEvent(self, ev):  # noqa: N802 - Qt naming
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            ev.ignore()  # Shift+click extends the time selection, over a region too
            return
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.clicked.emit(self)
        else:
            super().mouseClickEvent(ev)


class RegionOverlay(QObject):
    """Mirrors RegionModel into LinearRegionItems in one or more plots (sharing one time axis).

    Signals:
      regionEdited(id, start_s, end_s)  the user finished dragging/resizing a region
      regionBoxEdited(id, start_s, end_s, low_hz, high_hz)  ... a region's box on the spectrogram
      regionClicked(id)                 the user clicked a region
    """

    regionEdited = Signal(int, float, float)
    regionBoxEdited = Signal(int, float, float, object, object)  # noqa: N815 - Hz or None (open side)
    regionClicked = Signal(int)

    def __init__(self, model: RegionModel, plots: list[pg.PlotItem], label_plot: pg.PlotItem | None = None,
                 parent=None, box_plot: pg.PlotItem | None = None):
        super().__init__(parent)
        self.model = model
        self.plots = plots
        self.label_plot = label_plot or plots[0]
        self.box_plot = box_plot  # the spectrogram: band regions are boxes there
        self.sr = 44100
        self.items: dict[int, list[_RegionItem]] = {}
        self.labels: dict[int, pg.TextItem] = {}
        self.label_texts: dict[int, str] = {}  # each label's full text (the shown one may be elided)
        self.selected: int | None = None
        self.bounds: tuple[float, float] | None = None
        model.inserted.connect(lambda rid, _i: self._add(rid))
        model.removed.connect(self._remove)
        model.changed.connect(self.refresh)
        model.reset.connect(self.rebuild)
        self.label_plot.vb.sigRangeChanged.connect(lambda *_: self.layout_labels())
        self.label_plot.vb.sigResized.connect(lambda *_: self.layout_labels())

    def set_bounds(self, lo: float, hi: float) -> None:
        self.bounds = (lo, hi)
        for items in self.items.values():
            for it in items:
                it.setBounds((lo, hi))

    def set_sr(self, sr: int) -> None:
        """The file's rate: where a band's edges are on the spectrogram's rows."""
        self.sr = int(sr)
        for rid in list(self.items):
            self.refresh(rid)

    def _make_item(self, plot, r: Region):
        if plot is self.box_plot and r.band is not None:
            return RegionBox(r.start_s, r.end_s, *band_rows(r.low_hz, r.high_hz, self.sr))
        return _RegionItem(values=(r.start_s, r.end_s), swapMode="block")

    def rebuild(self) -> None:
        for rid in list(self.items):
            self._remove(rid)
        for rid in self.model.ids():
            self._add(rid)
        self._relabel()

    def _add(self, rid: int) -> None:
        r = self.model.get(rid)
        items = []
        for plot in self.plots:
            it = self._make_item(plot, r)
            it.setZValue(10)
            if self.bounds:
                it.setBounds(self.bounds)
            it.sigRegionChanged.connect(lambda item, rid=rid: self._mirror(rid, item))
            it.sigRegionChangeFinished.connect(lambda item, rid=rid: self._finished(rid, item))
            it.clicked.connect(lambda _item, rid=rid: self.regionClicked.emit(rid))
            plot.addItem(it)
            items.append(it)
        self.items[rid] = items
        label = pg.TextItem("", color=(240, 240, 245), fill=pg.mkBrush(18, 20, 26, 190), anchor=(0, 0))
        label.setZValue(30)
        self.label_plot.addItem(label, ignoreBounds=True)
        self.labels[rid] = label
        self._style(rid)
        self._relabel()

    def _remove(self, rid: int) -> None:
        for plot, it in zip(self.plots, self.items.pop(rid, [])):
            plot.removeItem(it)
        label = self.labels.pop(rid, None)
        self.label_texts.pop(rid, None)
        if label is not None:
            self.label_plot.removeItem(label)
        if self.selected == rid:
            self.selected = None
        self._relabel()

    def refresh(self, rid: int) -> None:
        """Put region `rid`'s items where the model says (after a change, or after a refused drag)."""
        r = self.model.get(rid)
        if any(isinstance(it, RegionBox) != (plot is self.box_plot and r.band is not None)
               for plot, it in zip(self.plots, self.items.get(rid, []))):
            selected = self.selected  # a band added or cleared: a box instead of a span, or back
            self._remove(rid)
            self._add(rid)
            self.select(selected)
            return
        for it in self.items.get(rid, []):
            it.blockSignals(True)
            if isinstance(it, RegionBox):
                it.set_box(r.start_s, r.end_s, *band_rows(r.low_hz, r.high_hz, self.sr))
            else:
                it.setRegion((r.start_s, r.end_s))
            it.blockSignals(False)
        self._style(rid)
        self._relabel()

    def _relabel(self) -> None:
        for rid, label in self.labels.items():
            if rid not in self.model:  # a rebuild after the model replaced every region removes it next
                continue
            r = self.model.get(rid)
            sign = "+" if r.mode == "keep" else "−"
            text = f"{self.model.number(rid)}  {sign} {r.prompt}"
            if r.band is not None:
                text += f" · {band_text(r.low_hz, r.high_hz)}"
            if not r.enabled:
                text += "  (off)"
            self.label_texts[rid] = text
            tip = region_tooltip(r, self.model.number(rid))
            for it in self.items.get(rid, []):
                it.setToolTip(tip)
        self.layout_labels()

    def layout_labels(self) -> None:
        """Each label inside its region's visible part, elided to fit (hidden when not even the number fits);
        regions that overlap in time put their labels on separate rows."""
        vb = self.label_plot.vb
        (x0, x1), (_y0, y1) = vb.viewRange()
        w_px, h_px = vb.width(), vb.height()
        if w_px <= 0 or h_px <= 0 or x1 <= x0:
            return
        px_per_s = w_px / (x1 - x0)
        units_per_px = (y1 - _y0) / h_px
        rows: list[float] = []  # the end (s) of the last label placed on each row
        shown = (rid for rid in self.labels if rid in self.model)
        order = sorted(shown, key=lambda i: self.model.get(i).start_s)
        for rid in order:
            r, label = self.model.get(rid), self.labels[rid]
            a, b = max(r.start_s, x0), min(r.end_s, x1)
            margin = 2 * label.textItem.document().documentMargin() + 2
            room = (b - a) * px_per_s - 2 * LABEL_PAD_PX - margin  # for the text itself
            fm = QFontMetrics(label.textItem.font())
            text = fm.elidedText(self.label_texts.get(rid, ""), Qt.TextElideMode.ElideRight, int(room))
            if room < fm.horizontalAdvance(str(self.model.number(rid))) + 6 or not text:
                label.hide()
                continue
            row = next((i for i, end in enumerate(rows) if end <= r.start_s), len(rows))
            if row == len(rows):
                rows.append(r.end_s)
            rows[row] = r.end_s
            label.setText(text)
            label.setPos(a + LABEL_PAD_PX / px_per_s, y1 - (3 + row * LABEL_ROW_PX) * units_per_px)
            label.show()

    def _style(self, rid: int) -> None:
        r = self.model.get(rid)
        c = region_colour(r)
        sel = rid == self.selected
        fill = QColor(c)
        fill.setAlpha(70 if sel else (38 if r.enabled else 18))
        hover = QColor(c)
        hover.setAlpha(95)
        line = QColor(c)
        line.setAlpha(255 if sel else 190)
        band = r.band is not None
        span_fill = QColor(fill)
        if band:  # only part of the spectrum: a fainter span with dashed edges on the waveform
            span_fill.setAlpha(fill.alpha() * 2 // 3)
        for it in self.items.get(rid, []):
            if isinstance(it, RegionBox):
                box_fill = QColor(fill)
                box_fill.setAlpha(fill.alpha() + 12)
                it.setBrush(pg.mkBrush(box_fill))
                it.setHoverBrush(pg.mkBrush(hover))
                it.set_pens(line, 2.5 if sel else 1.5)
                continue
            it.setBrush(pg.mkBrush(span_fill))
            it.setHoverBrush(pg.mkBrush(hover))
            style = Qt.PenStyle.DashLine if band else Qt.PenStyle.SolidLine
            for ln in it.lines:
                ln.setPen(pg.mkPen(line, width=2.5 if sel else 1.2, style=style))
                ln.setHoverPen(pg.mkPen(QColor(255, 255, 255), width=2.5))

    def select(self, rid: int | None) -> None:
        old, self.selected = self.selected, rid
        for x in (old, rid):
            if x is not None and x in self.items:
                self._style(x)

    def _mirror(self, rid: int, item) -> None:
        lo, hi = item.getRegion()
        for other in self.items.get(rid, []):
            if other is not item:
                other.blockSignals(True)
                other.setRegion((lo, hi))
                other.blockSignals(False)

    def _finished(self, rid: int, item) -> None:
        if rid not in self.model:
            return
        lo, hi = item.getRegion()
        r = self.model.get(rid)
        if isinstance(item, RegionBox):
            rows = item.rows()
            old_rows = band_rows(r.low_hz, r.high_hz, self.sr)
            unchanged = all(abs(a - b) < 1e-6 for a, b in zip(rows, old_rows))
            low, high = (r.low_hz, r.high_hz) if unchanged else rows_to_band(*rows, self.sr)
            if (lo, hi, low, high) != (r.start_s, r.end_s, r.low_hz, r.high_hz):
                self.regionBoxEdited.emit(rid, float(lo), float(hi), low, high)
            return
        if (lo, hi) != (r.start_s, r.end_s):
            self.regionEdited.emit(rid, float(lo), float(hi))


def region_tooltip(r: Region, number: int) -> str:
    state = "" if r.enabled else " (off)"
    band = f" · {band_text(r.low_hz, r.high_hz)}" if r.band is not None else ""
    return (f"Region {number}{state}: {r.mode} “{r.prompt}”\n{r.start_s:.3f}–{r.end_s:.3f} s{band} · "
            f"fade {r.fade_ms:g} ms · depth {r.depth_db:g} dB")


def moved(region: Region, start_s: float, end_s: float) -> Region:
    return replace(region, start_s=float(start_s), end_s=float(end_s))
