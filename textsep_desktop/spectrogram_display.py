"""The spectrogram's display in the view: its images (the whole file and the visible detail), the effect
overlay, the two colour bars (level in dB; the effect: kept ... removed) and the display settings (colour map,
dB range).

The effect is shown as attenuation on the spectrogram itself: on the original (A, and R) what the edit removed
is dimmed by its gain in dB (spectrogram.effect_overlay); the processed spectrogram (B) already shows the
attenuation, so nothing covers it. The colour bars are part of the view, so a PNG export of the view has them.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from textsep_desktop import spectrogram as spec

COLOUR_MAPS = ("inferno", "magma", "viridis", "plasma", "cividis", "grey")
DB_RANGES = (50, 70, 85, 100, 120)
DEFAULT_CMAP, DEFAULT_RANGE = "inferno", 85
BAR_WIDTH_PX = 84  # a colour bar with its name and tick labels
HEADROOM_DB = 3.0  # above the loudest 0.3 % of cells


def colour_map(name: str) -> pg.ColorMap:
    if name == "grey":
        return pg.ColorMap([0.0, 1.0], [(0, 0, 0), (255, 255, 255)])
    return pg.colormap.get(name if name in COLOUR_MAPS else DEFAULT_CMAP)


def effect_colour_map(cmap: pg.ColorMap) -> pg.ColorMap:
    """What the overlay does to a mid-bright cell, from the most removed (0) to kept (1): the effect bar."""
    base = np.array(cmap.map(0.7, mode="float")[:3]) * 255
    dark = np.array(spec.EFFECT_RGB, dtype=float)
    pos = np.linspace(0.0, 1.0, 9)
    alpha = spec.effect_alpha((1.0 - pos) * spec.EFFECT_RANGE_DB)
    colours = [tuple(int(round(c)) for c in (1 - a) * base + a * dark) for a in alpha]
    return pg.ColorMap(pos, colours)


class SpectrogramDisplay:
    """Owned by the view; `plot` is the spectrogram plot, `layout` the view's graphics layout (the bars')."""

    def __init__(self, plot: pg.PlotItem, layout, row: int):
        self.plot = plot
        self.spec_overview = pg.ImageItem(axisOrder="row-major")
        self.spec_detail = pg.ImageItem(axisOrder="row-major")
        self.effect_overview = pg.ImageItem(axisOrder="row-major")
        self.effect_detail = pg.ImageItem(axisOrder="row-major")
        items = (self.spec_overview, self.spec_detail, self.effect_overview, self.effect_detail)
        for z, it in enumerate(items):
            it.setZValue(-20 + z)
            plot.addItem(it)
        self._shown: dict[int, tuple] = {}  # id(item) -> (data id, levels, rect) last set: skip no-ops
        self.images: dict[str, spec.SpecImage | None] = {"overview": None, "detail": None}
        self.peak_db = -20.0
        self.db_range = DEFAULT_RANGE
        self.cmap_name = DEFAULT_CMAP
        self.show_effect = True
        self.ab = "A"
        self.level_bar = pg.ColorBarItem(values=self.levels, colorMap=colour_map(self.cmap_name), width=10,
                                         interactive=False, label="level (dB)", colorMapMenu=False)
        # its legend is its tick labels: kept (0 dB) at the top, removed at the bottom
        self.effect_bar = pg.ColorBarItem(values=(-spec.EFFECT_RANGE_DB, 0.0), width=10, interactive=False,
                                          colorMapMenu=False)
        for bar in (self.level_bar, self.effect_bar):
            bar.axis.setStyle(tickFont=pg.QtGui.QFont("Sans", 7))
            bar.getAxis("left").setWidth(22)  # room for the bar's name beside it
            bar.setFixedWidth(BAR_WIDTH_PX)  # the same for both, whether shown yet or not
        r = spec.EFFECT_RANGE_DB
        self.effect_bar.axis.setTicks([[(0.0, "kept"), (-r, "removed")], [(-r / 2, f"−{r / 2:g} dB")]])
        layout.addItem(self.level_bar, row=row, col=1)
        layout.addItem(self.effect_bar, row=row, col=2)
        self._apply_cmap()
        self.effect_bar.hide()

    # -- settings -------------------------------------------------------------------------------
    @property
    def levels(self) -> tuple[float, float]:
        hi = self.peak_db + HEADROOM_DB
        return (max(hi - self.db_range, spec.FLOOR_DB - 40.0), hi)

    def set_peak(self, peak_db: float) -> None:
        self.peak_db = float(peak_db)
        self._levels_changed()

    def set_db_range(self, db: float) -> None:
        self.db_range = float(db)
        self._levels_changed()

    def set_colour_map(self, name: str) -> None:
        self.cmap_name = name if name in COLOUR_MAPS else DEFAULT_CMAP
        self._apply_cmap()
        self.refresh()

    def _apply_cmap(self) -> None:
        cmap = colour_map(self.cmap_name)
        lut = cmap.getLookupTable(0.0, 1.0, 256, alpha=False)
        for it in (self.spec_overview, self.spec_detail):
            it.setLookupTable(lut)
        self.level_bar.setColorMap(cmap)
        self.effect_bar.setColorMap(effect_colour_map(cmap))
        r = spec.EFFECT_RANGE_DB
        self.effect_bar.axis.setTicks([[(0.0, "kept"), (-r, "removed")], [(-r / 2, f"−{r / 2:g} dB")]])

    def _levels_changed(self) -> None:
        self.level_bar.setLevels(self.levels)
        self.refresh()

    # -- images ---------------------------------------------------------------------------------
    def clear(self) -> None:
        for it in (self.spec_overview, self.spec_detail, self.effect_overview, self.effect_detail):
            it.clear()
        self._shown = {}
        self.images = {"overview": None, "detail": None}
        self.effect_bar.hide()

    def set_image(self, kind: str, img: spec.SpecImage | None) -> None:
        self.images[kind] = img
        self.refresh()

    def set_show_effect(self, on: bool) -> None:
        self.show_effect = bool(on)
        self.refresh()

    def set_ab(self, which: str) -> None:
        self.ab = which
        self.refresh()

    def effect_visible(self) -> bool:
        """The effect overlay is on screen: there is one, it is wanted, and the original is shown."""
        img = self.images.get("overview")
        return bool(self.show_effect and self.ab != "B" and img is not None and img.effect_rgba is not None)

    def refresh(self) -> None:
        pairs = (("overview", self.spec_overview, self.effect_overview),
                 ("detail", self.spec_detail, self.effect_detail))
        show_effect = self.show_effect and self.ab != "B"
        for kind, item, eitem in pairs:
            img = self.images.get(kind)
            if img is None:
                self._set_item(item, None)
                self._set_item(eitem, None)
                continue
            data = img.processed_db if (self.ab == "B" and img.processed_db is not None) else img.db
            rect = QRectF(img.t0, 0, max(img.t1 - img.t0, 1e-6), spec.N_ROWS)
            self._set_item(item, data, rect, self.levels)
            effect = img.effect_rgba if show_effect else None
            self._set_item(eitem, effect, rect)
        self.effect_bar.setVisible(self.effect_visible())

    def _set_item(self, item: pg.ImageItem, data, rect: QRectF | None = None, levels=None) -> None:
        key = (id(data), levels, None if rect is None else (rect.x(), rect.width()))
        if self._shown.get(id(item)) == key:
            return
        self._shown[id(item)] = key
        if data is None:
            item.clear()
            return
        if levels is None:
            item.setImage(data, autoLevels=False)
        else:
            item.setImage(data, levels=levels, autoLevels=False)
        item.setRect(rect)
