"""Batch dialog: apply one edit to every audio file of a folder (textsep.batch.run_batch on a worker).

The edit is either the editor's current regions (windows in seconds), one prompt over each whole
file, or an edit-spec JSON file. Outputs go to another folder; nothing is ever overwritten (existing
outputs are skipped and listed). Each file's row follows textsep.batch's per-file events (run_batch(on_file=)):
its status, its own progress bar, and the reason when it is skipped or fails; the failures are summed up
at the end.
"""
from __future__ import annotations

import html
import time
from pathlib import Path

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QFileDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QRadioButton, QStyledItemDelegate, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from textsep.edits import DEFAULT_DEPTH_DB, DEFAULT_FADE_MS, MODES, EditError, EditSpec
from textsep_desktop import theme
from textsep_desktop.depth import depth_spin_box
from textsep_desktop.freq_band import parse_hz
from textsep_desktop.worker import TaskRunner

C_FILE, C_STATUS, C_PROGRESS, C_DETAILS = range(4)
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 1  # a row's own progress, 0..1
PROGRESS_INTERVAL_S = 0.05  # per-chunk progress events are thinned to 20 per second; the others all pass

STATUS_COLOURS = {"written": QColor(64, 200, 120), "failed": QColor(235, 84, 72), "skipped": QColor(255, 190, 90),
                  "cancelled": QColor(150, 150, 160), "processing": QColor(86, 182, 255)}


class _FileEvents(QObject):
    """Carries textsep.batch.FileEvents from the batch's worker thread to the dialog (a queued signal)."""

    event = Signal(object)


class ProgressDelegate(QStyledItemDelegate):
    """Draws a row's PROGRESS_ROLE as a small progress bar (no widget per row, so 1000 files stay cheap)."""

    def paint(self, painter, option, index):
        frac = index.data(PROGRESS_ROLE)
        if frac is None:
            super().paint(painter, option, index)
            return
        frac = min(1.0, max(0.0, float(frac)))
        r = option.rect.adjusted(5, 6, -5, -6)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor(theme.LINE))
        painter.setBrush(QColor(theme.BG0))
        painter.drawRoundedRect(QRectF(r), 3, 3)
        if frac > 0:
            done = QRectF(r.x(), r.y(), max(3.0, r.width() * frac), r.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(35, 110, 170))
            painter.drawRoundedRect(done, 3, 3)
        painter.setPen(QColor(theme.FG))
        painter.drawText(r, Qt.AlignmentFlag.AlignCenter, f"{round(100 * frac)}%")
        painter.restore()


def _folder_row(edit: QLineEdit, button: QPushButton) -> QWidget:
    w = QWidget()
    h = QHBoxLayout(w)
    h.setContentsMargins(0, 0, 0, 0)
    h.addWidget(edit, 1)
    h.addWidget(button)
    return w


class BatchDialog(QDialog):
    def __init__(self, model_manager, current_regions=None, default_fade_ms: float = DEFAULT_FADE_MS, parent=None,
                 input_dir: str = "", default_depth_db: float = DEFAULT_DEPTH_DB):
        super().__init__(parent)
        self.setWindowTitle("Batch: apply an edit to a folder")
        self.setMinimumSize(760, 560)
        self.models = model_manager
        self.current_regions = [r for r in (current_regions or []) if r.enabled]
        self.fade_ms = default_fade_ms
        self.runner = TaskRunner(self, max_threads=1)
        self.task = None
        self.report = None
        self._rows: dict[str, int] = {}
        self._row_of_index: dict[int, int] = {}
        self._last_progress_event = 0.0
        self.file_events = _FileEvents(self)
        self.file_events.event.connect(self._file_event)

        folders = self._build_folders(input_dir)
        edit_box = self._build_edit_box(default_depth_db)
        self._build_results()
        buttons = self._build_buttons()
        lay = QVBoxLayout(self)
        lay.addLayout(folders)
        lay.addWidget(edit_box)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.progress)
        lay.addWidget(self.message)
        lay.addWidget(self.summary)
        lay.addLayout(buttons)

    def _build_folders(self, input_dir: str) -> QFormLayout:
        self.input = QLineEdit(input_dir)
        self.output = QLineEdit()
        bi, bo = QPushButton("Browse…"), QPushButton("Browse…")
        bi.clicked.connect(lambda: self._browse(self.input, "Input folder"))
        bo.clicked.connect(lambda: self._browse(self.output, "Output folder"))
        folders = QFormLayout()
        folders.addRow("Input folder", _folder_row(self.input, bi))
        folders.addRow("Output folder", _folder_row(self.output, bo))
        return folders

    def _build_edit_box(self, default_depth_db: float) -> QGroupBox:
        edit_box = QGroupBox("Edit")
        ev = QVBoxLayout(edit_box)
        self.src_regions = QRadioButton(f"The editor's regions ({len(self.current_regions)} enabled; "
                                        "windows in seconds, clipped to each file)")
        self.src_whole = QRadioButton("Whole file:")
        self.src_spec = QRadioButton("Edit spec file (JSON):")
        self.group = QButtonGroup(self)
        for b in (self.src_regions, self.src_whole, self.src_spec):
            self.group.addButton(b)
        self.src_regions.setEnabled(bool(self.current_regions))
        (self.src_regions if self.current_regions else self.src_whole).setChecked(True)
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText("what to keep or remove, e.g. dog bark")
        self.mode = QComboBox()
        self.mode.addItems(MODES)
        self.depth = depth_spin_box(default_depth_db, prefix="depth ")
        wh = QHBoxLayout()
        wh.addWidget(self.src_whole)
        wh.addWidget(self.prompt, 1)
        wh.addWidget(self.mode)
        wh.addWidget(self.depth)
        self.low_hz, self.high_hz = QLineEdit(), QLineEdit()
        bh = QHBoxLayout()
        bh.addSpacing(24)
        bh.addWidget(QLabel("Frequency band (optional):"))
        for edit, hint in ((self.low_hz, "low Hz"), (self.high_hz, "high Hz")):
            edit.setPlaceholderText(hint)
            edit.setMaximumWidth(90)
            edit.setToolTip("Hz, e.g. 300 or 2k; empty = no limit on this side (both empty: the full band)")
        bh.addWidget(self.low_hz)
        bh.addWidget(QLabel("–"))
        bh.addWidget(self.high_hz)
        bh.addWidget(QLabel("Hz  (empty = the full band)"))
        bh.addStretch(1)
        self.spec_path = QLineEdit()
        bs = QPushButton("Browse…")
        bs.clicked.connect(self._browse_spec)
        sh = QHBoxLayout()
        sh.addWidget(self.src_spec)
        sh.addWidget(self.spec_path, 1)
        sh.addWidget(bs)
        ev.addWidget(self.src_regions)
        ev.addLayout(wh)
        ev.addLayout(bh)
        ev.addLayout(sh)
        return edit_box

    def _build_results(self) -> None:
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["File", "Status", "Progress", "Details"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(C_DETAILS, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().resizeSection(C_FILE, 220)
        self.table.horizontalHeader().resizeSection(C_STATUS, 90)
        self.table.horizontalHeader().resizeSection(C_PROGRESS, 110)
        self.table.setItemDelegateForColumn(C_PROGRESS, ProgressDelegate(self.table))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.message = QLabel("Choose the folders and the edit, then Run. Existing outputs are never overwritten.")
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def _build_buttons(self) -> QHBoxLayout:
        self.run_btn = QPushButton("Run")
        self.run_btn.setDefault(True)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setEnabled(False)
        self.close_btn = QPushButton("Close")
        self.run_btn.clicked.connect(self.start)
        self.cancel_btn.clicked.connect(self.cancel)
        self.close_btn.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.run_btn, self.cancel_btn, self.close_btn):
            buttons.addWidget(b)
        return buttons

    # -- inputs ---------------------------------------------------------------------------------
    def _browse(self, edit: QLineEdit, title: str) -> None:
        d = QFileDialog.getExistingDirectory(self, title, edit.text() or str(Path.home()))
        if d:
            edit.setText(d)

    def _browse_spec(self) -> None:
        p, _ = QFileDialog.getOpenFileName(self, "Edit spec", self.spec_path.text() or str(Path.home()),
                                           "Edit spec (*.json);;All files (*)")
        if p:
            self.spec_path.setText(p)
            self.src_spec.setChecked(True)

    def edit_source(self):
        """The edit as textsep.batch understands it, or raise EditError with a message for the user."""
        from textsep.batch import WholeFile

        if self.src_regions.isChecked():
            if not self.current_regions:
                raise EditError("The editor has no enabled regions")
            return list(self.current_regions)
        if self.src_whole.isChecked():
            prompt = " ".join(self.prompt.text().split())
            if not prompt:
                raise EditError("Type a prompt for the whole-file edit, e.g. 'dog bark'")
            try:
                low, high = parse_hz(self.low_hz.text()), parse_hz(self.high_hz.text())
            except ValueError as exc:
                raise EditError(str(exc)) from None
            return WholeFile(prompt, self.mode.currentText(), self.fade_ms, self.depth.value(), low_hz=low,
                             high_hz=high)
        if not self.spec_path.text().strip():
            raise EditError("Choose an edit spec JSON file")
        return EditSpec.load(self.spec_path.text().strip())

    # -- running --------------------------------------------------------------------------------
    def start(self) -> None:
        from textsep.batch import BatchError, plan_outputs

        inp, out = self.input.text().strip(), self.output.text().strip()
        self.summary.setText("")
        try:
            if not inp or not out:
                raise EditError("Choose both an input folder and an output folder")
            source = self.edit_source()
            pairs = plan_outputs(inp, out)
        except (EditError, BatchError) as exc:
            self._fail(str(exc))
            return
        if not pairs:
            self._fail(f"No audio files in {inp}")
            return
        problem = self.models.checkpoint_problem()
        if problem:
            self._fail(problem)
            return
        self.table.setRowCount(0)
        self._rows = {}
        self._row_of_index = {}
        base = Path(inp)
        for i, (src, _dst) in enumerate(pairs):
            r = self.table.rowCount()
            self.table.insertRow(r)
            name = str(src.relative_to(base)) if src.is_relative_to(base) else src.name
            self.table.setItem(r, C_FILE, QTableWidgetItem(name))
            self.table.setItem(r, C_STATUS, QTableWidgetItem("pending"))
            self.table.setItem(r, C_PROGRESS, QTableWidgetItem(""))
            self.table.setItem(r, C_DETAILS, QTableWidgetItem(""))
            self._rows[str(src)] = r
            self._row_of_index[i] = r
        models = self.models
        emit = self.file_events.event.emit

        def on_file(ev) -> None:  # the batch's worker thread
            now = time.monotonic()
            if ev.status == "progress" and now - self._last_progress_event < PROGRESS_INTERVAL_S:
                return  # a flood of queued signals would itself stall the GUI thread
            self._last_progress_event = now
            emit(ev)

        def job(progress, cancel):
            from textsep.batch import run_batch

            sep = models.get(progress)
            return run_batch(sep, inp, out, source, overwrite=False, cancel=cancel, on_file=on_file)

        self.report = None
        self._set_running(True)
        self.message.setText("Starting…")
        self.task = self.runner.start(job, "batch", on_progress=self._progress, on_finished=self._finished,
                                      on_error=self._errored, on_cancelled=self._cancelled)

    def _set_running(self, running: bool) -> None:
        self.run_btn.setEnabled(not running)
        self.cancel_btn.setEnabled(running)
        self.close_btn.setEnabled(not running)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.message.setText("Cancelling after the current chunk…")

    def _progress(self, frac: float, msg: str) -> None:
        """Messages before the files start (loading the model)."""
        if msg:
            self.message.setText(msg)

    def _file_event(self, ev) -> None:
        """One textsep.batch.FileEvent, on the GUI thread."""
        row = self._row_of_index.get(ev.index)
        if row is None:
            return
        self.progress.setValue(int(ev.batch_fraction * 1000))
        name = self.table.item(row, C_FILE).text()
        if ev.final:
            res = ev.result
            self._set_status(row, ev.status, self._detail(res) if res is not None else ev.message,
                             1.0 if ev.status == "written" else None)
            if ev.status == "failed":
                self.message.setText(f"{name} failed: {ev.message}")
            return
        self._set_status(row, "processing", ev.message, ev.fraction)
        self.table.scrollToItem(self.table.item(row, C_FILE))
        self.message.setText(f"{name} ({ev.index + 1}/{ev.total})" + (f": {ev.message}" if ev.message else ""))

    @staticmethod
    def _detail(res) -> str:
        detail = res.reason or (f"→ {res.output}" if res.output and res.status == "written" else "")
        if res.warnings:
            detail += ("; " if detail else "") + "; ".join(res.warnings)
        return detail

    def _set_status(self, row: int, status: str, detail: str, fraction: float | None = None) -> None:
        it = self.table.item(row, C_STATUS)
        if it.text() != status:
            it.setText(status)
            it.setForeground(STATUS_COLOURS.get(status, QColor(200, 200, 200)))
        self.table.item(row, C_PROGRESS).setData(PROGRESS_ROLE, fraction)
        d = self.table.item(row, C_DETAILS)
        d.setText(detail)
        d.setToolTip(detail)

    def _finished(self, report) -> None:
        self.report = report
        self._set_running(False)
        for res in report.results:  # the report is the record: rows agree with it even if an event was late
            row = self._rows.get(str(res.input))
            if row is not None:
                self._set_status(row, res.status, self._detail(res), 1.0 if res.status == "written" else None)
        for row in self._rows.values():
            if self.table.item(row, C_STATUS).text() in ("pending", "processing"):
                self._set_status(row, "not run", "cancelled" if report.cancelled else "")
        self.progress.setValue(1000 if not report.cancelled else self.progress.value())
        first = report.summary().splitlines()[0]
        self.message.setText("Cancelled." if report.cancelled else "Done.")
        colour = "#eb5448" if report.failed else "#40c878"
        fails = "".join(f"<br>• {html.escape(r.input.name)}: {html.escape(r.reason)}" for r in report.failed)
        self.summary.setText(f"<b style='color:{colour}'>{first}</b>{fails}")

    def _errored(self, exc, tb) -> None:
        self._set_running(False)
        self._fail(str(exc) if str(exc) else type(exc).__name__)

    def _cancelled(self) -> None:
        self._set_running(False)
        self.message.setText("Cancelled.")

    def _fail(self, msg: str) -> None:
        self.summary.setText(f"<b style='color:#eb5448'>{msg}</b>".replace("\n", "<br>"))

    def reject(self) -> None:
        if self.task is not None and self.task.running:
            return  # cancel first; never lose track of a running batch
        super().reject()
