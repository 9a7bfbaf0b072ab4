"""The main window: it creates the parts, wires them together and handles closing -- nothing else.

The parts, one module each:
  actions.ActionTable            every action as data; menus, toolbar and enabled state built from it
  jobs.JobController             the one long job at a time: progress, cancel, busy state, every error dialog
  document.DocumentController    the open recording: open, recent files, sessions, edit specs, unsaved changes
  region_commands.RegionCommands undoable region edits
  processing.Processing          preview, export, suggestions, batch
  transport.Transport            Player <-> view: play, cursor, loop, A/B/residual, time display
  selection.SelectionController  the time selection (drag, snapping via snapping.Snapper, selection_bar)
  editor_area, navigation        the central area: overview strip, view, scrollbar, selection bar
  spectrogram_jobs, engine_status, info_panel, app_dialogs
Every long operation (loading, preview, export, suggestions, spectrograms) runs on a worker; the GUI
thread only slices precomputed arrays. Region changes go through the QUndoStack. Errors are shown in
non-blocking dialogs and never replace or lose the current document.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QMessageBox, QWidget

from textsep_desktop.actions import ActionTable, UiState
from textsep_desktop.app_dialogs import AppDialogs
from textsep_desktop.box_tool import BoxTool
from textsep_desktop.document import DocumentController
from textsep_desktop.editor_area import EditorArea
from textsep_desktop.engine_status import EngineStatus
from textsep_desktop.info_panel import InfoPanel
from textsep_desktop.jobs import JobController
from textsep_desktop.model_manager import ModelManager
from textsep_desktop.navigation import Navigator
from textsep_desktop.processing import Processing
from textsep_desktop.prompt_feedback import PromptFeedback
from textsep_desktop.region_commands import RegionCommands
from textsep_desktop.region_panel import RegionPanel
from textsep_desktop.regions import RegionModel, RegionOverlay
from textsep_desktop.selection import Selection, SelectionController
from textsep_desktop.selection_bar import SelectionBar
from textsep_desktop.settings import Settings
from textsep_desktop.snapping import Snapper
from textsep_desktop.spectrogram_jobs import SpectrogramJobs
from textsep_desktop.spectrogram_settings import SpectrogramSettings
from textsep_desktop.timefmt import TimeFormat
from textsep_desktop.transport import Transport
from textsep_desktop.waveform_view import WaveformView


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, *, confirm_discard: bool = True,
                 prefetch_engine: bool = True):
        super().__init__()
        self.settings = settings or Settings()
        self.models = ModelManager(self.settings)
        self.setWindowTitle("TextSep")
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)

        self._create_parts(confirm_discard)
        self.action_table.bind(self)
        self._build_central()
        docks = self._build_docks()
        extra = {"docks": [d.toggleViewAction() for d in docks],
                 "spectrogram": [self.spec_settings.menu_.menuAction()]}
        self.action_table.build_menus(self.menuBar(), extra)
        self.document.attach_recent_menu(self.action_table.submenus["recent"])
        self.action_table.build_toolbar({"time": self.transport.time_label})
        self._build_status()
        self._connect()
        self.refresh()
        geo, state = self.settings.window_state()
        if isinstance(geo, QByteArray):
            self.restoreGeometry(geo)
        else:
            self.resize(1440, 900)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        QTimer.singleShot(0, self.transport.probe_device)
        app = QApplication.instance()
        if hasattr(app, "set_file_handler"):  # files the OS hands to the running app (macOS Finder/Dock)
            app.set_file_handler(self.document.open_requested)
        if prefetch_engine:
            # The engine loads in the background from the start (engine.py says what stalls and why): torch's
            # native library before this window can be shown -- that one load holds the GIL for ~0.4 s,
            # unseen while nothing is on screen -- then the model and text encoder on a worker, with the
            # garbage collector paused, so that no preview ever waits for (or stalls on) a load.
            from textsep_desktop import engine

            engine.start_import()  # a no-op when main() started it already, or torch is in
            QTimer.singleShot(0, self.engine.warm)
            engine.wait_native()

    def showEvent(self, ev):  # noqa: N802 - Qt naming
        super().showEvent(ev)
        from textsep_desktop import engine

        engine.resume_import()  # on screen: the engine import goes on (it paused after torch's native lib)

    # ------------------------------------------------------------------ the parts
    def _create_parts(self, confirm_discard: bool) -> None:
        from textsep_desktop.browser import BrowserPanel
        from textsep_desktop.player import Player

        self.regions = RegionModel(self)
        self.undo_stack = QUndoStack(self)
        self.time_format = TimeFormat(self.settings.time_format, self)
        self.time_format.changed.connect(lambda: setattr(self.settings, "time_format", self.time_format.fmt))
        self.view = WaveformView(self.time_format)
        self.selection = Selection(self)
        self.overlay = RegionOverlay(self.regions, [self.view.wave_plot, self.view.spec_plot],
                                     label_plot=self.view.wave_plot, box_plot=self.view.spec_plot)
        self.panel = RegionPanel(self.regions, self.time_format)
        self.player = Player(self)
        self.browser = BrowserPanel()
        self.info = InfoPanel()
        self.action_table = ActionTable(self, self.undo_stack)
        self.jobs = JobController(self, self.action_table["cancel"])
        status = self.jobs.status
        self.engine = EngineStatus(self.models, self)
        self.feedback = PromptFeedback(self.models, self)  # what each prompt is understood as, off this thread
        self.panel.set_feedback(self.feedback)
        self.document = DocumentController(self, self.jobs, self.settings, self.regions, self.undo_stack,
                                           self.view, self.overlay, self.browser,
                                           confirm_discard=confirm_discard)
        self.snapper = Snapper(self.regions, self.view, self.document, self.selection)
        self.selection_ctrl = SelectionController(self.selection, self.view, self.snapper, self.panel,
                                                  self.regions, self.document, self)
        self.region_commands = RegionCommands(self.document, self.regions, self.undo_stack, self.panel,
                                              self.overlay, self.view, self.settings, status, self,
                                              selection=self.selection, snapper=self.snapper)
        self.box_tool = BoxTool(self.view, self.snapper, self.region_commands, self.document, status, self)
        self.transport = Transport(self.player, self.view, self.action_table, self.document,
                                   self.selection_ctrl.current_span, status, self)
        self.spectrograms = SpectrogramJobs(self.document, self.view, self)
        self.processing = Processing(self, document=self.document, jobs=self.jobs, models=self.models,
                                     engine=self.engine, regions=self.regions,
                                     region_commands=self.region_commands, panel=self.panel, view=self.view,
                                     transport=self.transport, browser=self.browser, settings=self.settings)
        self.app_dialogs = AppDialogs(self, self.settings, self.engine, status)

    def _build_central(self) -> None:
        self.editor = EditorArea(self.view)
        self.navigator = Navigator(self.view, self.editor.overview, self.editor.scrollbar, self)
        self.editor.overview.follow_regions(self.regions)
        self.selection_bar = SelectionBar(self.selection_ctrl, self.time_format, self.view, self.action_table,
                                          self.jobs.status)
        self.spec_settings = SpectrogramSettings(self.settings, self.view.spec_display, self.spectrograms)
        self.editor.add_bar(self.selection_bar, self.spec_settings)
        self.setCentralWidget(self.editor)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> list[QDockWidget]:
        left, bottom = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        self.browser_dock = self._dock("Browser", "browserDock", self.browser, left)
        self.info_dock = self._dock("File info", "infoDock", self.info, left)
        for action_id in ("add", "delete", "suggest"):
            self.panel.add_button(self.action_table[action_id])
        self.regions_dock = self._dock("Regions", "regionsDock", self.panel, bottom)
        self.resizeDocks([self.browser_dock], [270], Qt.Orientation.Horizontal)
        self.resizeDocks([self.regions_dock], [210], Qt.Orientation.Vertical)
        if self.settings.browser_dir and Path(self.settings.browser_dir).is_dir():
            self.browser.set_folder(self.settings.browser_dir)
        return [self.browser_dock, self.info_dock, self.regions_dock]

    def _build_status(self) -> None:
        sb = self.statusBar()
        for w in (self.engine.label, self.processing.stale_label, self.jobs.progress, self.jobs.cancel_button,
                  self.transport.playback_label, self.info.format_label):
            sb.addPermanentWidget(w)

    def _connect(self) -> None:
        rc = self.region_commands
        self.overlay.regionEdited.connect(rc.dragged)
        self.overlay.regionBoxEdited.connect(rc.box_edited)
        self.overlay.regionClicked.connect(self.panel.select)
        self.panel.selection_changed.connect(self.overlay.select)
        self.panel.selection_changed.connect(self.refresh)
        self.panel.model.edit_requested.connect(rc.edit)
        self.panel.model.edit_failed.connect(lambda msg: self.jobs.status(f"Not applied: {msg}", 6000))
        self.browser.fileActivated.connect(self.document.open)
        self.browser.folderChanged.connect(lambda d: setattr(self.settings, "browser_dir", d))
        for sig in (self.regions.inserted, self.regions.removed, self.regions.changed, self.regions.reset):
            sig.connect(self.refresh)
        self.document.documentChanged.connect(lambda d: self.time_format.set_rate(d.audio.sr))
        self.document.documentChanged.connect(lambda d: self.navigator.set_audio(d.pyramid))
        self.selection.changed.connect(self.refresh)
        self.document.documentChanged.connect(self.transport.load)
        self.document.documentChanged.connect(self.info.show_document)
        self.document.documentChanged.connect(lambda _doc: self.spectrograms.start("overview"))
        self.document.documentChanged.connect(self.refresh)
        self.processing.processedChanged.connect(self.spectrograms.refresh_all)
        self.processing.processedChanged.connect(self.refresh)
        self.jobs.busyChanged.connect(self.refresh)
        self.engine.stateChanged.connect(self.feedback.poll)  # the model is ready: fill in the prompts
        self.jobs.busyChanged.connect(self.feedback.poll)  # (or a job loaded it)
        self.transport.availabilityChanged.connect(self.refresh)

    # ------------------------------------------------------------------ state
    def ui_state(self) -> UiState:
        doc = self.document.doc
        has = doc is not None
        return UiState(has_doc=has, busy=self.jobs.busy, selected=self.panel.selected_id() is not None,
                       can_play=has and self.transport.can_play, regions=len(self.regions),
                       processed=has and doc.processed is not None,
                       span=has and self.selection_ctrl.current_span() is not None)

    def refresh(self, *_) -> None:
        """Apply every action's enable rule (and the empty-window hint) to the current state."""
        self.action_table.refresh(self.ui_state())
        self.editor.set_empty(self.document.doc is None)

    # ------------------------------------------------------------------ drag and drop
    def dragEnterEvent(self, ev):  # noqa: N802
        if ev.mimeData().hasUrls() and any(u.isLocalFile() for u in ev.mimeData().urls()):
            ev.acceptProposedAction()

    def dropEvent(self, ev):  # noqa: N802
        files = [u.toLocalFile() for u in ev.mimeData().urls() if u.isLocalFile()]
        if files:
            ev.acceptProposedAction()
            self.document.drop(files)

    # ------------------------------------------------------------------ closing
    def closeEvent(self, ev):  # noqa: N802
        if self.jobs.running("Export"):
            r = QMessageBox.question(self, "Export running",
                                     "An export is still being written. Cancel it and quit?")
            if r != QMessageBox.StandardButton.Yes:
                ev.ignore()
                return
        if not self.document.confirm_discard():
            ev.ignore()
            return
        app = QApplication.instance()
        if hasattr(app, "clear_file_handler"):
            app.clear_file_handler(self.document.open_requested)
        self.player.stop()
        self.jobs.shutdown(5000)
        self.spectrograms.runner.shutdown(2000)
        self.engine.runner.shutdown(5000)
        self.feedback.runner.shutdown(2000)
        self.settings.save_window_state(self.saveGeometry(), self.saveState())
        self.settings.sync()
        super().closeEvent(ev)

    def idle(self) -> bool:
        """No job of any kind is running (the busy job, spectrograms, the model load)."""
        return (not self.jobs.busy and not self.jobs.runner.active() and not self.spectrograms.runner.active()
                and not self.engine.runner.active() and not self.feedback.runner.active())

    def wait_idle(self, timeout_ms: int = 30000) -> bool:
        """Process events until no job is running (scripts, screenshots, benchmarks)."""
        import time

        end = time.monotonic() + timeout_ms / 1000
        app = QApplication.instance()
        while time.monotonic() < end:
            app.processEvents()
            if self.idle():
                app.processEvents()
                return True
            time.sleep(0.005)
        return False
