"""The document: the open recording, opening files (dialog, browser, drop, the OS), recent files, sessions and
edit specs, and the question before unsaved region changes are discarded.

A file loads on a worker (through the job controller); the current document stays until the new one is ready,
then `documentChanged` tells the other parts (transport, info panel, spectrograms, actions).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from textsep.edits import EditError, EditSpec, Region
from textsep_desktop import session as session_io
from textsep_desktop.jobs import JobController
from textsep_desktop.peaks import PeakPyramid
from textsep_desktop.settings import Settings

AUDIO_FILTER = "Audio files (*.wav *.flac *.ogg *.oga *.mp3 *.aiff *.aif *.opus);;All files (*)"
SESSION_FILTER = f"TextSep sessions (*{session_io.SUFFIX} *.json);;All files (*)"
SPEC_FILTER = "Edit spec (*.json)"


class Document:
    """The open recording and what has been computed from it."""

    def __init__(self, audio, pyramid: PeakPyramid):
        self.audio = audio
        self.pyramid = pyramid
        self.processed: np.ndarray | None = None
        self.processed_pyramid: PeakPyramid | None = None
        self.processed_for: tuple[Region, ...] | None = None
        self.residual: np.ndarray | None = None  # original - processed: what the edit removed
        self.residual_pyramid: PeakPyramid | None = None

    @property
    def path(self) -> Path | None:
        return self.audio.path

    @property
    def duration(self) -> float:
        return self.audio.duration


class DocumentController(QObject):
    documentChanged = Signal(object)  # noqa: N815 - the new Document

    def __init__(self, window: QMainWindow, jobs: JobController, settings: Settings, regions, undo_stack,
                 view, overlay, browser, *, confirm_discard: bool = True):
        super().__init__(window)
        self.window, self.jobs, self.settings = window, jobs, settings
        self.regions, self.undo_stack = regions, undo_stack
        self.view, self.overlay, self.browser = view, overlay, browser
        self.confirm = confirm_discard
        self.doc: Document | None = None
        self.session_path: Path | None = None
        self.generation = 0  # counts opened documents (late display results for an older one are dropped)
        self.recent_menu: QMenu | None = None
        undo_stack.cleanChanged.connect(self.update_title)

    # ------------------------------------------------------------------ opening
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open audio", self.settings.last_dir, AUDIO_FILTER)
        if path:
            self.open(path)

    def open_requested(self, path) -> None:
        """A file the OS asked this running app to open (QFileOpenEvent): bring the window forward and open
        it, after the running job if there is one."""
        w = self.window
        if w.isMinimized():
            w.showNormal()
        w.raise_()
        w.activateWindow()
        if not self.jobs.when_idle(lambda p=str(path): self.open(p)):
            self.jobs.status(f"{Path(path).name} opens when the running job ends", 5000)

    def drop(self, files: list[str]) -> None:
        """Files dropped on the window: a folder goes to the browser, a file opens."""
        p = Path(files[0])
        if p.is_dir():
            self.browser.set_folder(p)
        else:
            self.open(p)

    def open(self, path, regions: list[Region] | None = None, view=None, session_path=None):
        """Load a file on a worker; the current document stays until the new one is ready."""
        path = Path(path)
        if path.name.endswith(".json"):
            return self.open_session(path)
        if not self.confirm_discard():
            return None

        def job(progress, cancel):
            from textsep_desktop import engine
            from textsep_desktop.loader import load_for_editing

            with engine.foreground():  # the background model load waits for this
                audio = load_for_editing(path, progress, cancel)
                progress(0.6, "Drawing…")
                pyr = PeakPyramid(audio.samples, audio.sr)
            return audio, pyr

        def done(res):
            self.install(*res, regions=regions, view=view, session_path=session_path)

        return self.jobs.start(f"Opening {path.name}", job, done, error_title="Cannot open file")

    def install(self, audio, pyr, regions=None, view=None, session_path=None) -> None:
        """Make `audio` (with its peak pyramid) the document, with `regions` and the visible span `view`."""
        self.generation += 1
        self.doc = Document(audio, pyr)
        self.session_path = Path(session_path) if session_path else None
        self.view.set_audio(pyr)
        self.overlay.set_bounds(0.0, audio.duration)
        self.overlay.set_sr(audio.sr)
        self.documentChanged.emit(self.doc)
        self.regions.set_all(list(regions or []))
        self.undo_stack.clear()
        if view:
            self.view.zoom_to(view[0], view[1], margin=0)
        if audio.path:
            self.settings.add_recent(audio.path)
            self.settings.last_dir = str(Path(audio.path).parent)
            if self.browser.folder is None:  # until a folder is chosen, browse the opened file's neighbours
                self.browser.set_folder(Path(audio.path).parent)
            self.browser.highlight(audio.path)
        self.update_title()
        self.jobs.status(f"Opened {audio.path.name if audio.path else 'audio'}", 4000)

    def update_title(self, *_) -> None:
        if not shiboken6.isValid(self.undo_stack):  # the window is being destroyed (the stack clears itself)
            return
        name = self.doc.path.name if self.doc and self.doc.path else "untitled"
        dirty = "" if self.undo_stack.isClean() else " •"
        self.window.setWindowTitle(f"{name}{dirty} — TextSep" if self.doc else "TextSep")

    def confirm_discard(self) -> bool:
        """True when the current regions may be dropped (saved, unchanged, or the user said so)."""
        if self.doc is None or self.undo_stack.isClean() or not self.confirm:
            return True
        r = QMessageBox.question(self.window, "Unsaved regions",
                                 "The regions of the current recording have changed. Save the session first?",
                                 QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                                 | QMessageBox.StandardButton.Cancel)
        if r == QMessageBox.StandardButton.Save:
            return self.save_session()
        return r == QMessageBox.StandardButton.Discard

    def attach_recent_menu(self, menu: QMenu) -> None:
        self.recent_menu = menu
        menu.aboutToShow.connect(self.fill_recent_menu)

    def fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        items = self.settings.recent_files
        for p in items:
            a = menu.addAction(p)
            a.setEnabled(Path(p).exists())
            a.triggered.connect(lambda _c=False, p=p: self.open(p))
        if not items:
            menu.addAction("(none)").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear list", self.settings.clear_recent)

    # ------------------------------------------------------------------ sessions and specs
    def open_session_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open session", self.settings.last_dir,
                                              SESSION_FILTER)
        if path:
            self.open_session(path)

    def open_session(self, path):
        try:
            s = session_io.load(path)
        except session_io.SessionError as exc:
            self.jobs.show_error("Cannot open session", str(exc))
            return None
        return self.open(s.audio_path, regions=s.regions, view=s.view, session_path=path)

    def save_session(self, ask: bool = False) -> bool:
        if self.doc is None or self.doc.path is None:
            return False
        path = self.session_path
        if ask or path is None:
            default = str(Path(self.doc.path).with_name(Path(self.doc.path).stem + session_io.SUFFIX))
            p, _ = QFileDialog.getSaveFileName(self.window, "Save session", default, SESSION_FILTER)
            if not p:
                return False
            path = Path(p)
        return self.save_session_to(path)

    def save_session_to(self, path) -> bool:
        s = session_io.Session(self.doc.path, self.regions.regions(), self.view.visible_range())
        try:
            session_io.save(s, path)
        except session_io.SessionError as exc:
            self.jobs.show_error("Cannot save session", str(exc))
            return False
        self.session_path = Path(path)
        self.undo_stack.setClean()
        self.jobs.status(f"Session saved to {Path(path).name}", 4000)
        return True

    def save_spec_dialog(self) -> None:
        p, _ = QFileDialog.getSaveFileName(self.window, "Save edit spec", self.settings.last_dir, SPEC_FILTER)
        if p:
            try:
                EditSpec(self.regions.regions()).save(p)
                self.jobs.status(f"Edit spec saved to {Path(p).name}", 4000)
            except (OSError, EditError) as exc:
                self.jobs.show_error("Cannot save edit spec", str(exc))

    def load_spec_dialog(self) -> None:
        p, _ = QFileDialog.getOpenFileName(self.window, "Load edit spec", self.settings.last_dir, SPEC_FILTER)
        if p:
            try:
                spec = EditSpec.load(p)
            except EditError as exc:
                self.jobs.show_error("Cannot load edit spec", str(exc))
                return
            from textsep_desktop.undo import ReplaceAll

            self.undo_stack.push(ReplaceAll(self.regions, spec.regions, "Load edit spec"))
