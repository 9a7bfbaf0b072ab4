"""The spectrogram's settings: colour map, dB range and FFT size (kept in Settings), as one menu -- behind a
"Spectrogram" button beside the selection bar and under View. Colour map and range only repaint; a new FFT
size computes the images again (on the spectrogram runner)."""
from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QToolButton

from textsep_desktop.spectrogram import FFT_SIZES
from textsep_desktop.spectrogram_display import COLOUR_MAPS, DB_RANGES

# (settings key, menu section title, values, how a value reads)
CHOICES = (("spec_colour_map", "Colour map", COLOUR_MAPS, str),
           ("spec_db_range", "dB range (below the loudest)", DB_RANGES, lambda v: f"{v} dB"),
           ("spec_fft_size", "FFT size (larger: finer frequency, smaller: finer time)", FFT_SIZES,
            lambda v: f"{v}"))


class SpectrogramSettings(QToolButton):
    def __init__(self, settings, display, jobs, parent=None):
        """`display`: the view's SpectrogramDisplay; `jobs`: the SpectrogramJobs."""
        super().__init__(parent)
        self.settings, self.display, self.jobs = settings, display, jobs
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_ = QMenu("&Spectrogram", self)
        self.groups: dict[str, QActionGroup] = {}
        for key, title, values, name in CHOICES:
            self.menu_.addSection(title)
            group = QActionGroup(self)
            group.setExclusive(True)
            current = getattr(settings, key)
            if current not in values:
                current = values[len(values) // 2]
            for v in values:
                a = QAction(name(v), self)
                a.setCheckable(True)
                a.setChecked(v == current)
                a.setData(v)
                group.addAction(a)
                self.menu_.addAction(a)
            group.triggered.connect(lambda a, key=key: self.choose(key, a.data()))
            self.groups[key] = group
        self.setMenu(self.menu_)
        display.set_colour_map(self.current("spec_colour_map"))
        display.set_db_range(self.current("spec_db_range"))
        jobs.n_fft = self.current("spec_fft_size")
        self._update_text()

    def current(self, key: str):
        a = self.groups[key].checkedAction()
        return a.data() if a is not None else None

    def choose(self, key: str, value) -> None:
        """Apply one setting (also what the menu does), and keep it."""
        for a in self.groups[key].actions():
            a.setChecked(a.data() == value)
        setattr(self.settings, key, value)
        if key == "spec_colour_map":
            self.display.set_colour_map(value)
        elif key == "spec_db_range":
            self.display.set_db_range(value)
        else:
            self.jobs.set_fft_size(value)
        self._update_text()

    def _update_text(self) -> None:
        self.setText("Spectrogram")
        cmap, db, fft = (self.current(k) for k in ("spec_colour_map", "spec_db_range", "spec_fft_size"))
        self.setToolTip(f"Spectrogram: {cmap}, {db} dB range, FFT {fft} (click to change)")
