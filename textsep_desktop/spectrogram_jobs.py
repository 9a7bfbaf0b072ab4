"""Spectrogram images for the view, computed on their own runner (display work never waits behind the model).

"overview" covers the whole file (after opening, and after each new processed result); "detail" covers the
visible span with a margin, after the view stops moving. A newer request cancels an older one of its kind,
and a result for a document that is no longer open is dropped.
"""
from __future__ import annotations

from PySide6.QtCore import QObject

from textsep_desktop.worker import TaskRunner


class SpectrogramJobs(QObject):
    def __init__(self, document, view, parent=None, n_fft: int = 2048):
        super().__init__(parent)
        self.document, self.view = document, view
        self.n_fft = n_fft
        self.runner = TaskRunner(self, max_threads=1)
        self._tasks = {"overview": None, "detail": None}
        view.viewChanged.connect(lambda *_: self.start("detail"))

    def set_fft_size(self, n_fft: int) -> None:
        """A new FFT size: both images again."""
        self.n_fft = int(n_fft)
        self.refresh_all()

    def refresh_all(self, *_) -> None:
        self.start("overview")
        self.start("detail")

    def start(self, kind: str) -> None:
        d = self.document.doc
        if d is None:
            return
        old = self._tasks.get(kind)
        if old is not None:
            old.cancel()
        if kind == "overview":
            t0, t1, frames = 0.0, d.duration, 2400
        else:
            t0, t1 = self.view.visible_range()
            if t1 - t0 >= 0.9 * d.duration:
                self.view.set_spec_image("detail", None)
                return
            w = t1 - t0
            t0, t1 = max(0.0, t0 - 0.25 * w), min(d.duration, t1 + 0.25 * w)
            frames = min(4000, int(self.view.plot_width_px() * 1.5 * 1.5))
        gen = self.document.generation
        samples, proc, sr, n_fft = d.audio.samples, d.processed, d.audio.sr, self.n_fft

        def job(progress, cancel):
            from textsep_desktop import engine, spectrogram

            with engine.foreground():
                return spectrogram.compute(samples, sr, t0, t1, frames, proc, cancel, n_fft=n_fft)

        def done(img):
            if gen != self.document.generation:
                return
            if kind == "overview":
                self.view.spec_display.set_peak(img.peak_db)
            self.view.set_spec_image(kind, img)

        self._tasks[kind] = self.runner.start(job, f"spectrogram {kind}", on_finished=done)
