"""Processing: preview (run the edit and listen), export (audio, or the view as PNG), prompt suggestions and
the batch dialog. The model runs on the job controller's worker; results for a document that is no longer
open are dropped. `processedChanged` follows each new processed result."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from textsep.edits import Region
from textsep_desktop import user_errors
from textsep_desktop.info_panel import channels_name, subtype_name
from textsep_desktop.peaks import PeakPyramid
from textsep_desktop.region_commands import PLACEHOLDER_PROMPT


STALE_TEXT = "Processed audio is out of date: Preview again (P)"


def _preview_error_title(exc: BaseException) -> str:
    return "Could not load the model" if user_errors.is_model_error(exc) else "Preview failed"


def processed_result(samples, out, sr: int, regions) -> tuple:
    """(processed, its peaks, residual, its peaks, regions) for `_set_processed`, computed on the worker. The
    residual -- what the edit removed -- is original - processed: exactly 0 outside the regions."""
    residual = (samples - out).astype(samples.dtype, copy=False)
    return out, PeakPyramid(out, sr), residual, PeakPyramid(residual, sr), tuple(regions)


class Processing(QObject):
    processedChanged = Signal()  # noqa: N815

    def __init__(self, window, *, document, jobs, models, engine, regions, region_commands, panel, view,
                 transport, browser, settings):
        super().__init__(window)
        self.window, self.document, self.jobs = window, document, jobs
        self.models, self.engine = models, engine
        self.regions, self.region_commands, self.panel, self.view = regions, region_commands, panel, view
        self.transport, self.browser, self.settings = transport, browser, settings
        self.last_suggestions: list | None = None
        self.suggest_dialog = None
        self.stale_label = QLabel("")
        self.stale_label.setStyleSheet("color: #ffbe5a;")
        for sig in (regions.inserted, regions.removed, regions.changed, regions.reset):
            sig.connect(self.update_stale)
        document.documentChanged.connect(self.update_stale)  # a new file starts with nothing processed

    @property
    def processed(self) -> bool:
        d = self.document.doc
        return d is not None and d.processed is not None

    @property
    def stale(self) -> bool:
        """The processed audio was made for other regions than the enabled ones now."""
        d = self.document.doc
        if d is None or d.processed is None:
            return False
        return tuple(r for r in self.regions.regions() if r.enabled) != d.processed_for

    def update_stale(self, *_) -> None:
        self.stale_label.setText(STALE_TEXT if self.stale else "")

    # ------------------------------------------------------------------ checks before running the model
    def _check_regions(self) -> list[Region] | None:
        regions = [r for r in self.regions.regions() if r.enabled]
        if not regions:
            self.jobs.show_error("Nothing to process", "Add a region first: drag across the waveform or "
                                                       "spectrogram, then type what to keep or remove.")
            return None
        for i, r in enumerate(self.regions.regions(), 1):
            if r.enabled and r.prompt == PLACEHOLDER_PROMPT:
                self.jobs.show_error("Region needs a prompt",
                                     f"Region {i} still says '{PLACEHOLDER_PROMPT}'. "
                                     "Type what to keep or remove, e.g. 'dog bark'.")
                return None
        return regions

    def _check_model(self) -> bool:
        problem = self.models.checkpoint_problem()
        if problem and not self.models.loaded:
            self.jobs.show_error("No model available", problem)
            return False
        return True

    # ------------------------------------------------------------------ preview
    def preview(self):
        """Run the edit over the enabled regions; when it is done, listen to the result (B)."""
        doc = self.document.doc
        if doc is None or self.jobs.busy:
            return None
        regions = self._check_regions()
        if regions is None or not self._check_model():
            return None
        models = self.models
        samples, sr = doc.audio.samples, doc.audio.sr

        def job(progress, cancel):
            sep = models.get(progress)
            out, report = sep.separate(samples, sr, regions, progress=progress, cancel=cancel)
            return processed_result(samples, out, sr, regions), list(report.warnings)

        return self.jobs.start("Preview", job, lambda res, d=doc: self._preview_done(d, *res),
                               error_title=_preview_error_title)

    def _preview_done(self, doc, result, warnings) -> None:
        self.engine.model_loaded()
        if doc is not self.document.doc:
            return  # another file was opened meanwhile
        regions = result[-1]
        self._set_processed(*result)
        self.transport.show_processed()
        msg = f"Preview ready: {len(regions)} region(s) processed. {self.transport.listen_hint()}"
        if self.stale:
            msg = "Preview ready, but the regions changed while it ran: it is out of date. Preview again (P)."
        if warnings:
            msg += "  " + " ".join(warnings)
        self.jobs.status(msg, 10000)

    def _set_processed(self, out, pyr, residual, rpyr, regions) -> None:
        d = self.document.doc
        d.processed, d.processed_pyramid, d.processed_for = out, pyr, tuple(regions)
        d.residual, d.residual_pyramid = residual, rpyr
        self.view.set_processed(pyr, rpyr)
        self.transport.set_processed(out, residual)
        self.update_stale()  # regions changed while it ran: the result is already out of date
        self.processedChanged.emit()

    # ------------------------------------------------------------------ export
    def export_dialog(self) -> None:
        doc = self.document.doc
        if doc is None:
            return
        from textsep_desktop.export_dialog import ExportOptionsDialog

        a = doc.audio
        fmt = f"{a.sr:,} Hz, {channels_name(a.channels)}, {subtype_name(a.subtype)}"
        dlg = ExportOptionsDialog(fmt, a.subtype, self.window)
        if dlg.exec() != ExportOptionsDialog.DialogCode.Accepted:
            return
        ext, subtype = dlg.choice()
        stem = Path(a.path).stem if a.path else "export"
        default = str(Path(self.settings.last_dir) / f"{stem}_edited{ext}")
        filt = "WAV (*.wav)" if ext == ".wav" else "FLAC (*.flac)"
        # QFileDialog asks before replacing an existing file (its default behaviour).
        path, _ = QFileDialog.getSaveFileName(self.window, "Export audio", default, filt)
        if not path:
            return
        p = Path(path)
        if p.suffix.lower() != ext:
            p = p.with_name(p.name + ext)
            if p.exists():  # the dialog confirmed a different name: ask about this one
                r = QMessageBox.question(self.window, "Replace file?",
                                         f"{p.name} already exists. Replace it?")
                if r != QMessageBox.StandardButton.Yes:
                    return
        self.export_to(p, subtype, overwrite=p.exists())

    def export_to(self, path, subtype: str | None = None, overwrite: bool = False):
        """Write the edited audio (running the edit first if the preview is missing or out of date).

        `overwrite` is True only after the user confirmed replacing an existing file; the input file
        itself is never written (textsep.audio.save protect=)."""
        doc = self.document.doc
        if doc is None:
            return None
        path = Path(path)
        subtype = subtype or doc.audio.subtype
        current = tuple(r for r in self.regions.regions() if r.enabled)
        reuse = doc.processed is not None and doc.processed_for == current
        if current and not reuse:
            if self._check_regions() is None or not self._check_model():
                return None
        models = self.models
        samples, sr, src = doc.audio.samples, doc.audio.sr, doc.audio.path
        processed = doc.processed if reuse else None

        def job(progress, cancel):
            from textsep import audio as audio_io

            out = processed
            fresh = None
            if out is None and current:
                sep = models.get(progress)
                out = sep.separate(samples, sr, list(current), progress=lambda f, m: progress(0.9 * f, m),
                                   cancel=cancel).audio
                fresh = processed_result(samples, out, sr, current)
            elif out is None:
                out = samples  # no regions: an exact copy in the chosen format
            progress(0.95, f"Writing {path.name}…")
            audio_io.save(out, path, sr, subtype, overwrite=overwrite, protect=src)
            return fresh

        def done(fresh):
            if fresh is not None and doc is self.document.doc:
                self._set_processed(*fresh)
            self.jobs.status(f"Exported {path}", 8000)

        return self.jobs.start("Export", job, done, error_title="Export failed")

    def export_png_dialog(self) -> None:
        doc = self.document.doc
        if doc is None:
            return
        stem = Path(doc.path).stem if doc.path else "view"
        default = str(Path(self.settings.last_dir) / f"{stem}_view.png")
        p, _ = QFileDialog.getSaveFileName(self.window, "Export view as PNG", default, "PNG (*.png)")
        if p:
            self.export_png(p if p.lower().endswith(".png") else p + ".png")

    def export_png(self, path) -> bool:
        pm = self.view.grab()
        if pm.isNull() or not pm.save(str(path), "PNG"):
            self.jobs.show_error("Cannot export image", f"Could not write {path}")
            return False
        self.jobs.status(f"View saved to {Path(path).name}", 5000)
        return True

    # ------------------------------------------------------------------ suggestions, batch
    def suggest_prompts(self):
        """Ask the model what it hears in the selected region; the chosen suggestion becomes its prompt."""
        rid = self.panel.selected_id()
        doc = self.document.doc
        if doc is None or rid is None or self.jobs.busy:
            return None
        if not self._check_model():
            return None
        region = self.regions.get(rid)
        samples, sr, models = doc.audio.samples, doc.audio.sr, self.models

        def job(progress, cancel):
            from textsep.detect import suggest_prompts

            sep = models.get(progress)
            progress(0.5, "Listening to the region…")
            return suggest_prompts(sep, samples, sr, region, top_k=5)

        return self.jobs.start("Suggest prompts", job, lambda s: self._show_suggestions(rid, region, s),
                               error_title="No suggestions")

    def _show_suggestions(self, rid: int, region: Region, suggestions) -> None:
        self.last_suggestions = suggestions
        if rid not in self.regions:
            return
        from textsep_desktop.suggest_dialog import SuggestionsDialog

        n = self.regions.number(rid)
        what = f"region {n} ({region.start_s:.2f}–{region.end_s:.2f} s)"
        dlg = SuggestionsDialog(what, suggestions, self.window)
        dlg.chosen.connect(lambda prompt: rid in self.regions and self.region_commands.edit(
            rid, replace(self.regions.get(rid), prompt=prompt)))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.suggest_dialog = dlg
        dlg.open()

    def batch_dialog(self):
        from textsep_desktop.batch_dialog import BatchDialog

        indir = str(self.browser.folder) if self.browser.folder else ""
        dlg = BatchDialog(self.models, self.regions.regions(), self.settings.default_fade_ms, self.window,
                          input_dir=indir, default_depth_db=self.settings.default_depth_db)
        dlg.open()
        return dlg
