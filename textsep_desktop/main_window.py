"""The main window: document state, actions, and the wiring between view, regions, worker and player.

Every long operation (loading, preview, export, suggestions, spectrograms) runs on a worker; the GUI
thread only slices precomputed arrays. Region changes go through the QUndoStack. Errors are shown in
non-blocking dialogs and never replace or lose the current document.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (QApplication, QDockWidget, QFileDialog, QFormLayout, QLabel, QMainWindow,
                               QMessageBox, QProgressBar, QSizePolicy, QToolButton, QVBoxLayout, QWidget)

from textsep.edits import EditError, EditSpec, Region
from textsep_desktop import session as session_io
from textsep_desktop.icons import icon
from textsep_desktop.model_manager import ModelManager
from textsep_desktop.peaks import PeakPyramid
from textsep_desktop.region_panel import RegionPanel
from textsep_desktop.regions import RegionModel, RegionOverlay
from textsep_desktop.settings import Settings
from textsep_desktop.undo import AddRegion, ChangeRegion, DeleteRegion
from textsep_desktop.waveform_view import WaveformView, format_time
from textsep_desktop.worker import TaskRunner

PLACEHOLDER_PROMPT = "describe the sound"
AUDIO_FILTER = "Audio files (*.wav *.flac *.ogg *.oga *.mp3 *.aiff *.aif *.opus);;All files (*)"
SESSION_FILTER = f"TextSep sessions (*{session_io.SUFFIX} *.json);;All files (*)"
SUBTYPE_NAMES = {"PCM_16": "16-bit PCM", "PCM_24": "24-bit PCM", "PCM_32": "32-bit PCM", "PCM_S8": "8-bit PCM",
                 "PCM_U8": "8-bit PCM", "FLOAT": "32-bit float", "DOUBLE": "64-bit float"}


def _channels_name(c: int) -> str:
    return {1: "mono", 2: "stereo"}.get(c, f"{c} channels")


def _user_message(exc: BaseException) -> str:
    """User-facing text for an exception: the engine's errors carry their own message."""
    msg = str(exc).strip()
    known = ("AudioError", "EditError", "CheckpointError", "ModelUnavailable", "SessionError", "DetectError",
             "BatchError", "TextEncoderError", "OutputError")
    if type(exc).__name__ in known and msg:
        return msg
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


class Document:
    """The open recording and what has been computed from it."""

    def __init__(self, audio, pyramid: PeakPyramid):
        self.audio = audio
        self.pyramid = pyramid
        self.processed: np.ndarray | None = None
        self.processed_pyramid: PeakPyramid | None = None
        self.processed_for: tuple[Region, ...] | None = None

    @property
    def path(self) -> Path | None:
        return self.audio.path

    @property
    def duration(self) -> float:
        return self.audio.duration


class MainWindow(QMainWindow):
    engineStateChanged = Signal(str)  # engine_state after a change

    def __init__(self, settings: Settings | None = None, *, confirm_discard: bool = True,
                 prefetch_engine: bool = True):
        super().__init__()
        self.settings = settings or Settings()
        self.confirm_discard = confirm_discard
        self.models = ModelManager(self.settings)
        self.runner = TaskRunner(self, max_threads=1)  # load / preview / export / suggest: one at a time
        self.spec_runner = TaskRunner(self, max_threads=1)  # display work never waits behind the model
        self.engine_runner = TaskRunner(self, max_threads=1)  # the start-up model load; opening never waits for it
        self.engine_state = "idle"  # "loading", "ready", "no model", "failed"
        self.doc: Document | None = None
        self.session_path: Path | None = None
        self.busy_task = None
        self._spec_tasks = {"overview": None, "detail": None}
        self._doc_generation = 0
        self._dialogs: list = []
        self.last_error: tuple[str, str] | None = None
        self.last_suggestions: list | None = None

        self.setWindowTitle("TextSep")
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)

        self.regions = RegionModel(self)
        self.undo_stack = QUndoStack(self)
        self.view = WaveformView()
        self.overlay = RegionOverlay(self.regions, [self.view.wave_plot, self.view.spec_plot],
                                     label_plot=self.view.wave_plot)
        self.panel = RegionPanel(self.regions)
        from textsep_desktop.player import Player

        self.player = Player(self)

        self._build_central()
        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_docks()
        self._build_status()
        self._connect()
        self._update_actions()
        geo, state = self.settings.window_state()
        if isinstance(geo, QByteArray):
            self.restoreGeometry(geo)
        else:
            self.resize(1440, 900)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        QTimer.singleShot(0, self._probe_audio_device)
        self._pending_opens: list[str] = []
        app = QApplication.instance()
        if hasattr(app, "set_file_handler"):  # files the OS hands to the running app (macOS Finder/Dock)
            app.set_file_handler(self.open_requested)
        if prefetch_engine:
            # The engine loads in the background from the start (engine.py says what stalls and why): torch's
            # native library before this window can be shown -- that one load holds the GIL for ~0.4 s,
            # unseen while nothing is on screen -- then the model and text encoder on a worker, with the
            # garbage collector paused, so that no preview ever waits for (or stalls on) a load.
            from textsep_desktop import engine

            engine.start_import()  # a no-op when main() started it already, or torch is in
            QTimer.singleShot(0, self._warm_engine)
            engine.wait_native()

    def showEvent(self, ev):  # noqa: N802 - Qt naming
        super().showEvent(ev)
        from textsep_desktop import engine

        engine.resume_import()  # on screen: the engine import may go on (it waited after torch's native library)

    # ------------------------------------------------------------------ construction
    def _build_central(self) -> None:
        self.empty_label = QLabel("Open a recording (Ctrl+O), drop a file here, or double-click one in the browser.")
        self.empty_label.setObjectName("hint")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.empty_label)
        self.setCentralWidget(central)

    def _act(self, text, slot, shortcut=None, icon_name=None, tip=None, checkable=False) -> QAction:
        a = QAction(text, self)
        if icon_name:
            a.setIcon(icon(icon_name))
        if shortcut:
            a.setShortcuts([QKeySequence(s) for s in shortcut] if isinstance(shortcut, (list, tuple))
                           else [QKeySequence(shortcut)])
        sc = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        a.setToolTip(f"{tip or text.replace('&', '').replace('…', '')}" + (f"  ({sc})" if sc else ""))
        a.setCheckable(checkable)
        if slot is not None:
            a.triggered.connect(slot)
        self.addAction(a)  # shortcuts work whatever has focus inside the window
        return a

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.a_open = self._act("&Open audio…", self.open_dialog, K.Open, "open", "Open an audio file")
        self.a_open_session = self._act("Open &session…", self.open_session_dialog, "Ctrl+Shift+O")
        self.a_save_session = self._act("&Save session", self.save_session, K.Save, "save",
                                        "Save the regions and audio path as a session")
        self.a_save_session_as = self._act("Save session &as…", lambda: self.save_session(ask=True), "Ctrl+Shift+S")
        self.a_export = self._act("&Export audio…", self.export_dialog, "Ctrl+E", "export",
                                  "Export the edited audio (WAV or FLAC)")
        self.a_export_png = self._act("Export view as &PNG…", self.export_png_dialog, "Ctrl+Shift+E", "png",
                                      "Save the waveform, spectrogram and mask view as an image")
        self.a_save_spec = self._act("Save edit spec (JSON)…", self.save_spec_dialog)
        self.a_load_spec = self._act("Load edit spec (JSON)…", self.load_spec_dialog)
        self.a_batch = self._act("&Batch process folder…", self.batch_dialog, "Ctrl+B", "batch",
                                 "Apply the edit to every file in a folder")
        self.a_quit = self._act("&Quit", self.close, K.Quit)
        self.a_undo = self.undo_stack.createUndoAction(self, "&Undo")
        self.a_undo.setShortcut(K.Undo)
        self.a_undo.setIcon(icon("undo"))
        self.a_redo = self.undo_stack.createRedoAction(self, "&Redo")
        self.a_redo.setShortcuts([QKeySequence(K.Redo), QKeySequence("Ctrl+Y")])
        self.a_redo.setIcon(icon("redo"))
        self.addAction(self.a_undo)
        self.addAction(self.a_redo)
        self.a_add = self._act("&Add region", self.add_region_at_view, "Ctrl+R", "add_region",
                               "Add a region (the visible span's middle, or drag on the view)")
        self.a_delete = self._act("&Delete region", self.delete_selected, [QKeySequence.StandardKey.Delete,
                                                                            "Backspace"], "delete")
        self.a_toggle_mode = self._act("Toggle keep/remove", self.toggle_selected_mode, "M")
        self.a_toggle_enabled = self._act("Enable/disable region", self.toggle_selected_enabled, "E")
        self.a_suggest = self._act("Suggest &prompts", self.suggest_prompts, "Ctrl+I", "suggest",
                                   "Ask the model what it hears in the selected region")
        self.a_settings = self._act("Se&ttings…", self.settings_dialog, "Ctrl+,", "settings")
        self.a_play = self._act("Play / Pause", self.toggle_play, "Space", "play")
        self.a_stop = self._act("Stop", self.stop_playback, "Shift+Space", "stop")
        self.a_to_start = self._act("Go to start", self.go_to_start, "Home", "to_start")
        self.a_loop = self._act("Loop selected region", self._loop_toggled, "L", "loop", checkable=True)
        self.a_ab = self._act("A/B: hear processed", self._ab_toggled, "B", "ab",
                              "Flip between original (A) and processed (B)", checkable=True)
        self.a_mask = self._act("Show mask on spectrogram", self._mask_toggled, "K", "mask",
                                "Overlay what the edit removed on the spectrogram", checkable=True)
        self.a_mask.setChecked(True)
        self.a_zoom_in = self._act("Zoom in", lambda: self.view.zoom_by(0.5), ["Ctrl+=", "Ctrl++", "="], "zoom_in")
        self.a_zoom_out = self._act("Zoom out", lambda: self.view.zoom_by(2.0), ["Ctrl+-", "-"], "zoom_out")
        self.a_zoom_fit = self._act("Zoom to fit", self.view.zoom_fit, ["Ctrl+0", "F"], "zoom_fit")
        self.a_zoom_sel = self._act("Zoom to selection", self.zoom_to_selection, "Z", "zoom_sel")
        self.a_preview = self._act("&Preview", self.preview, ["Ctrl+Return", "P"], "preview",
                                   "Run the edit on the regions and listen to the result")
        self.a_cancel = self._act("Cancel", self.cancel_busy, "Esc", "cancel", "Cancel the running job")
        self.a_shortcuts = self._act("Keyboard shortcuts", self.show_shortcuts, "F1")
        self.a_about = self._act("About TextSep", self.show_about)

    def _build_menus_and_toolbar(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addActions([self.a_open, self.a_open_session])
        self.recent_menu = m.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        m.addSeparator()
        m.addActions([self.a_save_session, self.a_save_session_as])
        m.addSeparator()
        m.addActions([self.a_export, self.a_export_png, self.a_save_spec, self.a_load_spec])
        m.addSeparator()
        m.addAction(self.a_batch)
        m.addSeparator()
        m.addAction(self.a_quit)
        m = mb.addMenu("&Edit")
        m.addActions([self.a_undo, self.a_redo])
        m.addSeparator()
        m.addActions([self.a_add, self.a_delete, self.a_toggle_mode, self.a_toggle_enabled, self.a_suggest])
        m.addSeparator()
        m.addAction(self.a_settings)
        self.view_menu = mb.addMenu("&View")
        self.view_menu.addActions([self.a_zoom_in, self.a_zoom_out, self.a_zoom_fit, self.a_zoom_sel])
        self.view_menu.addSeparator()
        self.view_menu.addActions([self.a_ab, self.a_mask])
        self.view_menu.addSeparator()
        m = mb.addMenu("&Transport")
        m.addActions([self.a_play, self.a_stop, self.a_to_start, self.a_loop])
        m = mb.addMenu("&Process")
        m.addActions([self.a_preview, self.a_cancel, self.a_suggest, self.a_batch])
        m = mb.addMenu("&Help")
        m.addActions([self.a_shortcuts, self.a_about])

        tb = self.addToolBar("Main")
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setIconSize(tb.iconSize().scaled(22, 22, Qt.AspectRatioMode.IgnoreAspectRatio))
        tb.addActions([self.a_open, self.a_save_session, self.a_export])
        tb.addSeparator()
        tb.addActions([self.a_undo, self.a_redo])
        tb.addSeparator()
        tb.addActions([self.a_to_start, self.a_play, self.a_stop, self.a_loop])
        self.time_label = QLabel("0:00.000")
        self.time_label.setObjectName("timeDisplay")
        self.time_label.setMinimumWidth(120)
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.time_label.setToolTip("Playhead / cursor position")
        tb.addWidget(self.time_label)
        tb.addSeparator()
        tb.addActions([self.a_zoom_in, self.a_zoom_out, self.a_zoom_fit, self.a_zoom_sel])
        tb.addSeparator()
        tb.addAction(self.a_preview)
        pb = tb.widgetForAction(self.a_preview)
        if isinstance(pb, QToolButton):
            pb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.addActions([self.a_cancel, self.a_ab, self.a_mask])
        tb.addSeparator()
        tb.addActions([self.a_suggest, self.a_batch])
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        tb.addWidget(spacer)
        tb.addAction(self.a_settings)
        self.toolbar = tb

    def _build_docks(self) -> None:
        from textsep_desktop.browser import BrowserPanel

        self.browser = BrowserPanel()
        self.browser_dock = QDockWidget("Browser", self)
        self.browser_dock.setObjectName("browserDock")
        self.browser_dock.setWidget(self.browser)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.browser_dock)

        self.info = QWidget()
        form = QFormLayout(self.info)
        form.setContentsMargins(10, 8, 10, 8)
        self.info_labels = {}
        for key in ("Name", "Duration", "Sample rate", "Channels", "Format"):
            k = QLabel(key)
            k.setObjectName("infoKey")
            v = QLabel("—")
            v.setObjectName("infoValue")
            v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(k, v)
            self.info_labels[key] = v
        self.info_dock = QDockWidget("File info", self)
        self.info_dock.setObjectName("infoDock")
        self.info_dock.setWidget(self.info)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.info_dock)

        for a in (self.a_add, self.a_delete, self.a_suggest):
            self.panel.add_button(a)
        self.regions_dock = QDockWidget("Regions", self)
        self.regions_dock.setObjectName("regionsDock")
        self.regions_dock.setWidget(self.panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.regions_dock)
        self.resizeDocks([self.browser_dock], [270], Qt.Orientation.Horizontal)
        self.resizeDocks([self.regions_dock], [210], Qt.Orientation.Vertical)
        for d in (self.browser_dock, self.info_dock, self.regions_dock):
            self.view_menu.addAction(d.toggleViewAction())
        if self.settings.browser_dir and Path(self.settings.browser_dir).is_dir():
            self.browser.set_folder(self.settings.browser_dir)

    def _build_status(self) -> None:
        sb = self.statusBar()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(200)
        self.progress.hide()
        self.cancel_btn = QToolButton()
        self.cancel_btn.setDefaultAction(self.a_cancel)
        self.cancel_btn.hide()
        self.playback_label = QLabel("")
        self.stale_label = QLabel("")
        self.stale_label.setStyleSheet("color: #ffbe5a;")
        self.format_label = QLabel("")
        self.engine_label = QLabel("")
        self.engine_label.setObjectName("hint")
        self.engine_label.hide()
        sb.addPermanentWidget(self.engine_label)
        sb.addPermanentWidget(self.stale_label)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_btn)
        sb.addPermanentWidget(self.playback_label)
        sb.addPermanentWidget(self.format_label)

    def _connect(self) -> None:
        self.view.regionDrawn.connect(self.add_region)
        self.view.cursorMoved.connect(self._cursor_moved)
        self.view.viewChanged.connect(self._view_changed)
        self.overlay.regionEdited.connect(self._region_dragged)
        self.overlay.regionClicked.connect(self.panel.select)
        self.panel.selection_changed.connect(self._selection_changed)
        self.panel.model.edit_requested.connect(self.edit_region)
        self.panel.model.edit_failed.connect(lambda msg: self.status(f"Not applied: {msg}", 6000))
        self.browser.fileActivated.connect(self.open_file)
        self.browser.folderChanged.connect(lambda d: setattr(self.settings, "browser_dir", d))
        self.player.positionChanged.connect(self._play_position)
        self.player.stateChanged.connect(self._play_state)
        self.player.error.connect(lambda msg: self.status(msg, 8000))
        self.undo_stack.cleanChanged.connect(self._update_title)
        for sig in (self.regions.inserted, self.regions.removed, self.regions.changed, self.regions.reset):
            sig.connect(self._regions_changed)

    # ------------------------------------------------------------------ helpers
    def status(self, msg: str, ms: int = 5000) -> None:
        self.statusBar().showMessage(msg, ms)

    def show_error(self, title: str, message: str, details: str | None = None) -> QMessageBox:
        """A non-blocking error dialog (tests and scripts never hang on it); the message is kept."""
        self.last_error = (title, message)
        box = QMessageBox(QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Ok, self)
        if details:
            box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda *_: self._dialogs.remove(box) if box in self._dialogs else None)
        self._dialogs.append(box)
        box.open()
        self.status(f"{title}: {message.splitlines()[0]}", 10000)
        return box

    def _update_title(self, *_) -> None:
        name = self.doc.path.name if self.doc and self.doc.path else "untitled"
        dirty = "" if self.undo_stack.isClean() else " •"
        self.setWindowTitle(f"{name}{dirty} — TextSep" if self.doc else "TextSep")

    def _update_actions(self) -> None:
        has = self.doc is not None
        busy = self.busy_task is not None
        sel = self.panel.selected_id() is not None
        can_play = has and bool(self.player.available is not False)
        for a in (self.a_save_session, self.a_save_session_as, self.a_export, self.a_export_png, self.a_add,
                  self.a_zoom_in, self.a_zoom_out, self.a_zoom_fit, self.a_save_spec, self.a_load_spec):
            a.setEnabled(has)
        for a in (self.a_play, self.a_stop, self.a_to_start, self.a_loop):
            a.setEnabled(can_play)
        self.a_preview.setEnabled(has and not busy and len(self.regions) > 0)
        self.a_export.setEnabled(has and not busy)
        self.a_cancel.setEnabled(busy)
        for a in (self.a_delete, self.a_toggle_mode, self.a_toggle_enabled, self.a_zoom_sel):
            a.setEnabled(has and sel)
        self.a_suggest.setEnabled(has and sel and not busy)
        self.a_ab.setEnabled(has and self.doc.processed is not None)
        self.a_mask.setEnabled(has and self.doc.processed is not None)
        self.empty_label.setVisible(not has)

    def _probe_audio_device(self) -> None:
        if not self.player.check():
            self.playback_label.setText(self.player.reason.split(" (")[0])
            self.playback_label.setToolTip(self.player.reason)
            self.status(self.player.reason, 15000)
        else:
            self.playback_label.setText("")
            self.playback_label.setToolTip(self.player.reason)
        self._update_actions()

    def _warm_engine(self) -> None:
        """Load the model and text encoder on a worker (engine.warm_up) unless they are loaded already."""
        if self.models.loaded:
            self._set_engine_state("ready")
            return
        from textsep_desktop import engine

        models = self.models
        self._set_engine_state("loading")
        self.engine_runner.start(lambda progress, cancel: engine.warm_up(models, None, cancel), "warm up engine",
                                 on_finished=self._set_engine_state,
                                 on_error=lambda e, tb: self._set_engine_state("failed", _user_message(e)),
                                 on_cancelled=lambda: self._set_engine_state("idle"))

    def _set_engine_state(self, state: str, detail: str = "") -> None:
        self.engine_state = state
        self.engine_label.setText({"loading": "Loading model…", "failed": "Model not loaded"}.get(state, ""))
        self.engine_label.setToolTip(detail or {"loading": "The model and text encoder are loading in the "
                                                           "background; a preview started now waits for them"
                                                }.get(state, ""))
        self.engine_label.setVisible(state in ("loading", "failed"))
        self.engineStateChanged.emit(state)

    # ------------------------------------------------------------------ busy jobs
    def _start_busy(self, name: str, fn, on_finished, on_error=None, on_cancelled=None):
        if self.busy_task is not None:
            self.status("Another job is running; cancel it first (Esc)", 4000)
            return None
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_btn.show()
        self.status(f"{name}…", 0)

        def done_ok(result):
            self._end_busy()
            on_finished(result)

        def done_err(exc, tb):
            self._end_busy()
            (on_error or (lambda e, t: self.show_error(f"{name} failed", _user_message(e), t)))(exc, tb)

        def done_cancel():
            self._end_busy()
            self.status(f"{name} cancelled; nothing changed", 5000)
            if on_cancelled:
                on_cancelled()

        self.busy_task = self.runner.start(fn, name, on_progress=self._busy_progress, on_finished=done_ok,
                                           on_error=done_err, on_cancelled=done_cancel)
        self._update_actions()
        return self.busy_task

    def _busy_progress(self, frac: float, msg: str) -> None:
        self.progress.setValue(int(frac * 1000))
        if msg:
            self.statusBar().showMessage(msg)

    def _end_busy(self) -> None:
        self.busy_task = None
        self.progress.hide()
        self.cancel_btn.hide()
        self.statusBar().clearMessage()
        self._update_actions()
        if self._pending_opens:
            QTimer.singleShot(0, self._open_pending)

    def cancel_busy(self) -> None:
        if self.busy_task is not None:
            self.busy_task.cancel()
            self.status("Cancelling…", 0)

    # ------------------------------------------------------------------ opening
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open audio", self.settings.last_dir, AUDIO_FILTER)
        if path:
            self.open_file(path)

    def open_requested(self, path) -> None:
        """A file the OS asked this running app to open (QFileOpenEvent): bring the window forward and open
        it, after the running job if there is one."""
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        self._pending_opens.append(str(path))
        if self.busy_task is None:
            self._open_pending()
        else:
            self.status(f"{Path(path).name} opens when the running job ends", 5000)

    def _open_pending(self) -> None:
        if self.busy_task is None and self._pending_opens:
            self.open_file(self._pending_opens.pop(0))

    def open_file(self, path, regions: list[Region] | None = None, view=None, session_path=None):
        """Load a file on a worker; the current document stays until the new one is ready."""
        path = Path(path)
        if path.name.endswith(".json"):
            return self.open_session(path)
        if not self._confirm_discard():
            return None

        def job(progress, cancel):
            from textsep_desktop import engine
            from textsep_desktop.loader import load_for_editing

            with engine.foreground():  # the background model load waits for this
                audio = load_for_editing(path, progress, cancel)
                progress(0.6, "Drawing…")
                pyr = PeakPyramid(audio.samples, audio.sr)
            return audio, pyr

        def failed(exc, tb):
            self.show_error("Cannot open file", _user_message(exc), tb if type(exc).__name__ != "AudioError" else None)

        return self._start_busy(f"Opening {path.name}", job,
                                lambda res: self._install(*res, regions=regions, view=view, session_path=session_path),
                                on_error=failed)

    def _install(self, audio, pyr, regions=None, view=None, session_path=None) -> None:
        self.player.stop()
        self._doc_generation += 1
        self.doc = Document(audio, pyr)
        self.session_path = Path(session_path) if session_path else None
        self.view.set_audio(pyr)
        self.overlay.set_bounds(0.0, audio.duration)
        self.view.set_ab("A")
        self.a_ab.setChecked(False)
        self.regions.set_all(list(regions or []))
        self.undo_stack.clear()
        self.player.set_audio(audio.samples, audio.sr)
        self.player.set_processed(None)
        if view:
            self.view.zoom_to(view[0], view[1], margin=0)
        self._fill_info()
        self._start_spec("overview")
        if audio.path:
            self.settings.add_recent(audio.path)
            self.settings.last_dir = str(Path(audio.path).parent)
            if self.browser.folder is None:  # until a folder is chosen, browse the opened file's neighbours
                self.browser.set_folder(Path(audio.path).parent)
            self.browser.highlight(audio.path)
        self._update_title()
        self._update_actions()
        self._set_time(0.0)
        self.status(f"Opened {audio.path.name if audio.path else 'audio'}", 4000)

    def _fill_info(self) -> None:
        a = self.doc.audio
        L = self.info_labels
        L["Name"].setText(a.path.name if a.path else "(generated)")
        L["Name"].setToolTip(str(a.path or ""))
        L["Duration"].setText(f"{format_time(a.duration)}  ({a.frames:,} samples)")
        L["Sample rate"].setText(f"{a.sr:,} Hz")
        L["Channels"].setText(f"{a.channels} ({_channels_name(a.channels)})")
        L["Format"].setText(f"{a.format} · {SUBTYPE_NAMES.get(a.subtype, a.subtype)}")
        self.format_label.setText(f"{a.sr / 1000:g} kHz · {_channels_name(a.channels)} · "
                                  f"{SUBTYPE_NAMES.get(a.subtype, a.subtype)} · {format_time(a.duration)}")

    def _confirm_discard(self) -> bool:
        if self.doc is None or self.undo_stack.isClean() or not self.confirm_discard:
            return True
        r = QMessageBox.question(self, "Unsaved regions",
                                 "The regions of the current recording have changed. Save the session first?",
                                 QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                                 | QMessageBox.StandardButton.Cancel)
        if r == QMessageBox.StandardButton.Save:
            return self.save_session()
        return r == QMessageBox.StandardButton.Discard

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        items = self.settings.recent_files
        for p in items:
            a = self.recent_menu.addAction(p)
            a.setEnabled(Path(p).exists())
            a.triggered.connect(lambda _c=False, p=p: self.open_file(p))
        if not items:
            self.recent_menu.addAction("(none)").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear list", self.settings.clear_recent)

    # drag and drop
    def dragEnterEvent(self, ev):  # noqa: N802
        if ev.mimeData().hasUrls() and any(u.isLocalFile() for u in ev.mimeData().urls()):
            ev.acceptProposedAction()

    def dropEvent(self, ev):  # noqa: N802
        files = [u.toLocalFile() for u in ev.mimeData().urls() if u.isLocalFile()]
        if files:
            ev.acceptProposedAction()
            p = Path(files[0])
            if p.is_dir():
                self.browser.set_folder(p)
            else:
                self.open_file(p)

    # ------------------------------------------------------------------ sessions and specs
    def open_session_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open session", self.settings.last_dir, SESSION_FILTER)
        if path:
            self.open_session(path)

    def open_session(self, path):
        try:
            s = session_io.load(path)
        except session_io.SessionError as exc:
            self.show_error("Cannot open session", str(exc))
            return None
        return self.open_file(s.audio_path, regions=s.regions, view=s.view, session_path=path)

    def save_session(self, ask: bool = False) -> bool:
        if self.doc is None or self.doc.path is None:
            return False
        path = self.session_path
        if ask or path is None:
            default = str(Path(self.doc.path).with_name(Path(self.doc.path).stem + session_io.SUFFIX))
            p, _ = QFileDialog.getSaveFileName(self, "Save session", default, SESSION_FILTER)
            if not p:
                return False
            path = Path(p)
        return self.save_session_to(path)

    def save_session_to(self, path) -> bool:
        s = session_io.Session(self.doc.path, self.regions.regions(), self.view.visible_range())
        try:
            session_io.save(s, path)
        except session_io.SessionError as exc:
            self.show_error("Cannot save session", str(exc))
            return False
        self.session_path = Path(path)
        self.undo_stack.setClean()
        self.status(f"Session saved to {Path(path).name}", 4000)
        return True

    def save_spec_dialog(self) -> None:
        p, _ = QFileDialog.getSaveFileName(self, "Save edit spec", self.settings.last_dir, "Edit spec (*.json)")
        if p:
            try:
                EditSpec(self.regions.regions()).save(p)
                self.status(f"Edit spec saved to {Path(p).name}", 4000)
            except (OSError, EditError) as exc:
                self.show_error("Cannot save edit spec", str(exc))

    def load_spec_dialog(self) -> None:
        p, _ = QFileDialog.getOpenFileName(self, "Load edit spec", self.settings.last_dir, "Edit spec (*.json)")
        if p:
            try:
                spec = EditSpec.load(p)
            except EditError as exc:
                self.show_error("Cannot load edit spec", str(exc))
                return
            from textsep_desktop.undo import ReplaceAll

            self.undo_stack.push(ReplaceAll(self.regions, spec.regions, "Load edit spec"))

    # ------------------------------------------------------------------ regions
    def add_region(self, t0: float, t1: float, prompt: str | None = None, mode: str = "keep") -> int | None:
        if self.doc is None:
            return None
        t0, t1 = max(0.0, float(t0)), min(self.doc.duration, float(t1))
        try:
            r = Region(t0, t1, prompt or PLACEHOLDER_PROMPT, mode, self.settings.default_fade_ms,
                       depth_db=self.settings.default_depth_db)
        except EditError as exc:
            self.status(f"Region not added: {exc}", 5000)
            return None
        cmd = AddRegion(self.regions, r)
        self.undo_stack.push(cmd)
        self.panel.select(cmd.rid)
        if prompt is None:
            QTimer.singleShot(0, lambda rid=cmd.rid: rid in self.regions and self.panel.edit_prompt(rid))
        return cmd.rid

    def add_region_at_view(self) -> None:
        if self.doc is None:
            return
        t0, t1 = self.view.visible_range()
        w = t1 - t0
        self.add_region(t0 + 0.4 * w, t0 + 0.6 * w)

    def edit_region(self, rid: int, new: Region) -> None:
        if rid in self.regions and self.regions.get(rid) != new:
            self.undo_stack.push(ChangeRegion(self.regions, rid, new))

    def _region_dragged(self, rid: int, lo: float, hi: float) -> None:
        try:
            new = replace(self.regions.get(rid), start_s=max(0.0, lo), end_s=min(self.doc.duration, hi))
        except EditError as exc:
            self.overlay._update(rid)  # put the item back where the model says
            self.status(f"Not applied: {exc}", 5000)
            return
        self.edit_region(rid, new)

    def delete_selected(self) -> None:
        rid = self.panel.selected_id()
        if rid is not None:
            self.undo_stack.push(DeleteRegion(self.regions, rid))

    def toggle_selected_mode(self) -> None:
        rid = self.panel.selected_id()
        if rid is not None:
            r = self.regions.get(rid)
            self.edit_region(rid, replace(r, mode="remove" if r.mode == "keep" else "keep"))

    def toggle_selected_enabled(self) -> None:
        rid = self.panel.selected_id()
        if rid is not None:
            r = self.regions.get(rid)
            self.edit_region(rid, replace(r, enabled=not r.enabled))

    def _selection_changed(self, rid) -> None:
        self.overlay.select(rid)
        self._update_actions()

    def _regions_changed(self, *_) -> None:
        self._update_actions()
        d = self.doc
        if d is not None and d.processed is not None:
            current = tuple(r for r in self.regions.regions() if r.enabled)
            stale = current != d.processed_for
            self.stale_label.setText("Processed audio is out of date: Preview again (P)" if stale else "")

    def zoom_to_selection(self) -> None:
        rid = self.panel.selected_id()
        if rid is not None:
            r = self.regions.get(rid)
            self.view.zoom_to(r.start_s, r.end_s)

    # ------------------------------------------------------------------ preview
    def _check_regions(self) -> list[Region] | None:
        regions = [r for r in self.regions.regions() if r.enabled]
        if not regions:
            self.show_error("Nothing to process", "Add a region first: drag across the waveform or spectrogram, "
                                                  "then type what to keep or remove.")
            return None
        for i, r in enumerate(self.regions.regions(), 1):
            if r.enabled and r.prompt == PLACEHOLDER_PROMPT:
                self.show_error("Region needs a prompt", f"Region {i} still says '{PLACEHOLDER_PROMPT}'. "
                                                         "Type what to keep or remove, e.g. 'dog bark'.")
                return None
        return regions

    def _check_model(self) -> bool:
        problem = self.models.checkpoint_problem()
        if problem and not self.models.loaded:
            self.show_error("No model available", problem)
            return False
        return True

    def preview(self):
        if self.doc is None or self.busy_task is not None:
            return None
        regions = self._check_regions()
        if regions is None or not self._check_model():
            return None
        doc, models = self.doc, self.models
        samples, sr = doc.audio.samples, doc.audio.sr

        def job(progress, cancel):
            sep = models.get(progress)
            out, report = sep.separate(samples, sr, regions, progress=progress, cancel=cancel)
            warnings = list(report.warnings)
            pyr = PeakPyramid(out, sr)
            return out, pyr, tuple(regions), warnings

        return self._start_busy("Preview", job, lambda res, d=doc: self._preview_done(d, *res),
                                on_error=lambda e, tb: self.show_error(
                                    "Preview failed" if type(e).__name__ != "ModelUnavailable"
                                    else "Could not load the model", _user_message(e),
                                    None if type(e).__name__ in ("ModelUnavailable", "EditError") else tb))

    def _preview_done(self, doc, out, pyr, regions, warnings) -> None:
        if self.engine_state == "failed" and self.models.loaded:
            self._set_engine_state("ready")  # the start-up load failed, but a model has loaded since
        if doc is not self.doc:
            return  # another file was opened meanwhile
        self._set_processed(out, pyr, regions)
        self.a_ab.setChecked(True)
        self._ab_toggled(True)
        msg = f"Preview ready: {len(regions)} region(s) processed. Press B to flip A/B, Space to listen."
        if warnings:
            msg += "  " + " ".join(warnings)
        self.status(msg, 10000)

    def _set_processed(self, out, pyr, regions) -> None:
        d = self.doc
        d.processed, d.processed_pyramid, d.processed_for = out, pyr, tuple(regions)
        self.view.set_processed(pyr)
        self.player.set_processed(out)
        self.stale_label.setText("")
        self._start_spec("overview")
        self._start_spec("detail")
        self._update_actions()

    # ------------------------------------------------------------------ export
    def export_dialog(self) -> None:
        if self.doc is None:
            return
        from textsep_desktop.export_dialog import ExportOptionsDialog

        a = self.doc.audio
        dlg = ExportOptionsDialog(f"{a.sr:,} Hz, {_channels_name(a.channels)}, "
                                  f"{SUBTYPE_NAMES.get(a.subtype, a.subtype)}", a.subtype, self)
        if dlg.exec() != ExportOptionsDialog.DialogCode.Accepted:
            return
        ext, subtype = dlg.choice()
        stem = Path(a.path).stem if a.path else "export"
        default = str(Path(self.settings.last_dir) / f"{stem}_edited{ext}")
        filt = "WAV (*.wav)" if ext == ".wav" else "FLAC (*.flac)"
        # QFileDialog asks before replacing an existing file (its default behaviour).
        path, _ = QFileDialog.getSaveFileName(self, "Export audio", default, filt)
        if not path:
            return
        p = Path(path)
        if p.suffix.lower() != ext:
            p = p.with_name(p.name + ext)
            if p.exists():  # the dialog confirmed a different name: ask about this one
                r = QMessageBox.question(self, "Replace file?", f"{p.name} already exists. Replace it?")
                if r != QMessageBox.StandardButton.Yes:
                    return
        self.export_to(p, subtype, overwrite=p.exists())

    def export_to(self, path, subtype: str | None = None, overwrite: bool = False):
        """Write the edited audio (running the edit first if the preview is missing or out of date).

        `overwrite` is True only after the user confirmed replacing an existing file; the input file
        itself is never written (textsep.audio.save protect=)."""
        if self.doc is None:
            return None
        doc = self.doc
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
                fresh = (out, PeakPyramid(out, sr), current)
            elif out is None:
                out = samples  # no regions: an exact copy in the chosen format
            progress(0.95, f"Writing {path.name}…")
            audio_io.save(out, path, sr, subtype, overwrite=overwrite, protect=src)
            return fresh

        def done(fresh):
            if fresh is not None and doc is self.doc:
                self._set_processed(*fresh)
            self.last_export = path
            self.status(f"Exported {path}", 8000)

        return self._start_busy("Export", job, done, on_error=lambda e, tb: self.show_error(
            "Export failed", _user_message(e), None if type(e).__name__ in ("AudioError", "OutputError",
                                                                             "ModelUnavailable") else tb))

    def export_png_dialog(self) -> None:
        if self.doc is None:
            return
        stem = Path(self.doc.path).stem if self.doc.path else "view"
        p, _ = QFileDialog.getSaveFileName(self, "Export view as PNG",
                                           str(Path(self.settings.last_dir) / f"{stem}_view.png"), "PNG (*.png)")
        if p:
            self.export_png(p if p.lower().endswith(".png") else p + ".png")

    def export_png(self, path) -> bool:
        pm = self.view.grab()
        if pm.isNull() or not pm.save(str(path), "PNG"):
            self.show_error("Cannot export image", f"Could not write {path}")
            return False
        self.status(f"View saved to {Path(path).name}", 5000)
        return True

    # ------------------------------------------------------------------ suggestions
    def suggest_prompts(self):
        rid = self.panel.selected_id()
        if self.doc is None or rid is None or self.busy_task is not None:
            return None
        if not self._check_model():
            return None
        region = self.regions.get(rid)
        samples, sr, models = self.doc.audio.samples, self.doc.audio.sr, self.models

        def job(progress, cancel):
            from textsep.detect import suggest_prompts

            sep = models.get(progress)
            progress(0.5, "Listening to the region…")
            return suggest_prompts(sep, samples, sr, region, top_k=5)

        def done(suggestions):
            self.last_suggestions = suggestions
            if rid not in self.regions:
                return
            from textsep_desktop.suggest_dialog import SuggestionsDialog

            n = self.regions.number(rid)
            dlg = SuggestionsDialog(f"region {n} ({region.start_s:.2f}–{region.end_s:.2f} s)", suggestions, self)
            dlg.chosen.connect(lambda prompt: rid in self.regions and self.edit_region(
                rid, replace(self.regions.get(rid), prompt=prompt)))
            dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.suggest_dialog = dlg
            dlg.open()

        return self._start_busy("Suggest prompts", job, done, on_error=lambda e, tb: self.show_error(
            "No suggestions", _user_message(e), None if type(e).__name__ in ("DetectError", "ModelUnavailable")
            else tb))

    # ------------------------------------------------------------------ batch, settings, help
    def batch_dialog(self):
        from textsep_desktop.batch_dialog import BatchDialog

        indir = str(self.browser.folder) if self.browser.folder else ""
        dlg = BatchDialog(self.models, self.regions.regions(), self.settings.default_fade_ms, self, input_dir=indir,
                          default_depth_db=self.settings.default_depth_db)
        self.batch = dlg
        dlg.open()
        return dlg

    def settings_dialog(self) -> None:
        from textsep_desktop.settings_dialog import SettingsDialog

        dlg = SettingsDialog(self.settings, self)
        if dlg.exec() == SettingsDialog.DialogCode.Accepted:
            dlg.apply()
            self.status("Settings saved", 5000)
            if not self.models.loaded and not self.engine_runner.active():
                self._warm_engine()  # the newly chosen model loads in the background now

    def show_shortcuts(self) -> None:
        rows = []
        for a in self.actions():
            sc = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if sc and a.text():
                rows.append(f"<tr><td><b>{sc}</b></td><td>&nbsp;&nbsp;{a.text().replace('&', '')}</td></tr>")
        rows.append("<tr><td><b>Drag</b></td><td>&nbsp;&nbsp;on empty view: new region; on a region: move; "
                    "on an edge: resize</td></tr>")
        rows.append("<tr><td><b>Wheel</b></td><td>&nbsp;&nbsp;zoom time · Shift/middle-drag: pan</td></tr>")
        QMessageBox.information(self, "Keyboard shortcuts", "<table>" + "".join(rows) + "</table>")

    def show_about(self) -> None:
        from textsep_desktop import __version__

        QMessageBox.about(self, "About TextSep",
                          f"<h3>TextSep {__version__}</h3><p>Edit sound with words: mark a region, say what to keep "
                          "or remove, and everything outside the regions stays untouched, sample for sample.</p>")

    # ------------------------------------------------------------------ playback
    def toggle_play(self) -> None:
        if self.doc is None:
            return
        if self.player.available is False:
            self.status(self.player.reason, 6000)
            return
        if self.player.state == "playing":
            self.player.pause()
            return
        loop = self._loop_span() if self.a_loop.isChecked() else None
        start = None if self.player.state == "paused" else self.view.cursor_s
        self.player.play(start, loop)

    def _loop_span(self):
        rid = self.panel.selected_id()
        if rid is None:
            return None
        r = self.regions.get(rid)
        return (r.start_s, r.end_s)

    def _loop_toggled(self, on: bool) -> None:
        if self.player.state == "playing":
            pos = self.player.position
            self.player.play(pos, self._loop_span() if on else None)

    def stop_playback(self) -> None:
        self.player.stop()
        self.view.set_playhead(None)
        self._set_time(self.view.cursor_s)

    def go_to_start(self) -> None:
        self.view.set_cursor(0.0)
        self._cursor_moved(0.0)

    def _cursor_moved(self, t: float) -> None:
        if self.player.state == "playing":
            self.player.seek(t)
        elif self.player.state == "paused":
            self.player.stop()
            self.view.set_playhead(None)
        self._set_time(t)

    def _play_position(self, t: float) -> None:
        if self.player.state == "stopped":
            return
        self.view.set_playhead(t)
        self.view.scroll_to_show(t)
        self._set_time(t)

    def _play_state(self, state: str) -> None:
        self.a_play.setIcon(icon("pause" if state == "playing" else "play"))
        if state == "stopped":
            self.view.set_playhead(None)
            self._set_time(self.view.cursor_s)
        which = "processed (B)" if self.a_ab.isChecked() else "original (A)"
        self.playback_label.setText({"playing": f"▶ playing {which}", "paused": "❚❚ paused"}.get(state, ""))

    def _set_time(self, t: float) -> None:
        self.time_label.setText(format_time(t))

    def _ab_toggled(self, on: bool) -> None:
        which = "B" if on and self.doc is not None and self.doc.processed is not None else "A"
        self.view.set_ab(which)
        self.player.select(which)
        if self.player.state == "playing":
            self._play_state("playing")
        self.status("B: processed" if which == "B" else "A: original", 2000)

    def _mask_toggled(self, on: bool) -> None:
        self.view.set_show_mask(on)

    # ------------------------------------------------------------------ spectrogram
    def _view_changed(self, t0: float, t1: float, width: int) -> None:
        self._start_spec("detail")

    def _start_spec(self, kind: str) -> None:
        d = self.doc
        if d is None:
            return
        old = self._spec_tasks.get(kind)
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
        gen = self._doc_generation
        samples, proc, sr = d.audio.samples, d.processed, d.audio.sr

        def job(progress, cancel):
            from textsep_desktop import engine, spectrogram

            with engine.foreground():
                return spectrogram.compute(samples, sr, t0, t1, frames, proc, cancel)

        def done(img):
            if gen != self._doc_generation:
                return
            if kind == "overview":
                hi = img.peak_db
                self.view.set_levels(max(hi - 85.0, -140.0), hi + 3.0)
            self.view.set_spec_image(kind, img)

        self._spec_tasks[kind] = self.spec_runner.start(job, f"spectrogram {kind}", on_finished=done)

    # ------------------------------------------------------------------ closing
    def closeEvent(self, ev):  # noqa: N802
        if self.busy_task is not None and self.busy_task.name == "Export":
            r = QMessageBox.question(self, "Export running", "An export is still being written. Cancel it and quit?")
            if r != QMessageBox.StandardButton.Yes:
                ev.ignore()
                return
        if not self._confirm_discard():
            ev.ignore()
            return
        app = QApplication.instance()
        if hasattr(app, "clear_file_handler"):
            app.clear_file_handler(self.open_requested)
        self.player.stop()
        self.runner.shutdown(5000)
        self.spec_runner.shutdown(2000)
        self.engine_runner.shutdown(5000)
        self.settings.save_window_state(self.saveGeometry(), self.saveState())
        self.settings.sync()
        super().closeEvent(ev)

    def wait_idle(self, timeout_ms: int = 30000) -> bool:
        """Process events until no job is running (scripts, screenshots, benchmarks)."""
        import time

        end = time.monotonic() + timeout_ms / 1000
        app = QApplication.instance()
        while time.monotonic() < end:
            app.processEvents()
            if (self.busy_task is None and not self.runner.active() and not self.spec_runner.active()
                    and not self.engine_runner.active()):
                app.processEvents()
                return True
            time.sleep(0.005)
        return False

