"""Batch dialog: apply one edit to every audio file of a folder (core.batch.run_batch on a worker).

The edit is either the editor's current regions (windows in seconds), one prompt over each whole
file, or an edit-spec JSON file. Outputs go to another folder; nothing is ever overwritten (existing
outputs are skipped and listed). Per-file status fills the table; failures keep their reasons.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QRadioButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from core.edits import DEFAULT_DEPTH_DB, MAX_DEPTH_DB, MODES, EditError, EditSpec
from textsep_desktop.worker import TaskRunner

STATUS_COLOURS = {"written": QColor(64, 200, 120), "failed": QColor(235, 84, 72), "skipped": QColor(255, 190, 90),
                  "cancelled": QColor(150, 150, 160), "processing": QColor(86, 182, 255)}


def _folder_row(edit: QLineEdit, button: QPushButton) -> QWidget:
    w = QWidget()
    h = QHBoxLayout(w)
    h.setContentsMargins(0, 0, 0, 0)
    h.addWidget(edit, 1)
    h.addWidget(button)
    return w


class BatchDialog(QDialog):
    def __init__(self, model_manager, current_regions=None, default_fade_ms: float = 70.0, parent=None,
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

        self.input = QLineEdit(input_dir)
        self.output = QLineEdit()
        bi, bo = QPushButton("Browse…"), QPushButton("Browse…")
        bi.clicked.connect(lambda: self._browse(self.input, "Input folder"))
        bo.clicked.connect(lambda: self._browse(self.output, "Output folder"))
        folders = QFormLayout()
        folders.addRow("Input folder", _folder_row(self.input, bi))
        folders.addRow("Output folder", _folder_row(self.output, bo))

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
        self.depth = QDoubleSpinBox()
        self.depth.setRange(1, MAX_DEPTH_DB)
        self.depth.setDecimals(0)
        self.depth.setPrefix("depth ")
        self.depth.setSuffix(" dB")
        self.depth.setValue(default_depth_db)
        self.depth.setToolTip("How far the edit may turn sound down: the gain never falls below −depth dB")
        wh = QHBoxLayout()
        wh.addWidget(self.src_whole)
        wh.addWidget(self.prompt, 1)
        wh.addWidget(self.mode)
        wh.addWidget(self.depth)
        self.spec_path = QLineEdit()
        bs = QPushButton("Browse…")
        bs.clicked.connect(self._browse_spec)
        sh = QHBoxLayout()
        sh.addWidget(self.src_spec)
        sh.addWidget(self.spec_path, 1)
        sh.addWidget(bs)
        ev.addWidget(self.src_regions)
        ev.addLayout(wh)
        ev.addLayout(sh)

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["File", "Status", "Details"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().resizeSection(0, 220)
        self.table.horizontalHeader().resizeSection(1, 90)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.message = QLabel("Choose the folders and the edit, then Run. Existing outputs are never overwritten.")
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

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

        lay = QVBoxLayout(self)
        lay.addLayout(folders)
        lay.addWidget(edit_box)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.progress)
        lay.addWidget(self.message)
        lay.addWidget(self.summary)
        lay.addLayout(buttons)

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
        """The edit as core.batch understands it, or raise EditError with a message for the user."""
        from core.batch import WholeFile

        if self.src_regions.isChecked():
            if not self.current_regions:
                raise EditError("The editor has no enabled regions")
            return list(self.current_regions)
        if self.src_whole.isChecked():
            prompt = " ".join(self.prompt.text().split())
            if not prompt:
                raise EditError("Type a prompt for the whole-file edit, e.g. 'dog bark'")
            return WholeFile(prompt, self.mode.currentText(), self.fade_ms, self.depth.value())
        if not self.spec_path.text().strip():
            raise EditError("Choose an edit spec JSON file")
        return EditSpec.load(self.spec_path.text().strip())

    # -- running --------------------------------------------------------------------------------
    def start(self) -> None:
        from core.batch import BatchError, plan_outputs

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
        for src, _dst in pairs:
            r = self.table.rowCount()
            self.table.insertRow(r)
            self.table.setItem(r, 0, QTableWidgetItem(src.name))
            self.table.setItem(r, 1, QTableWidgetItem("pending"))
            self.table.setItem(r, 2, QTableWidgetItem(""))
            self._rows[src.name] = r
        models = self.models

        def job(progress, cancel):
            from core.batch import run_batch

            sep = models.get(progress)
            return run_batch(sep, inp, out, source, overwrite=False, progress=progress, cancel=cancel)

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
        self.progress.setValue(int(frac * 1000))
        self.message.setText(msg)
        name = msg.split(" (", 1)[0]
        row = self._rows.get(name)
        if row is not None and self.table.item(row, 1).text() == "pending":
            for r in range(self.table.rowCount()):
                if self.table.item(r, 1).text() == "processing":
                    self.table.item(r, 1).setText("…")
            self._set_status(row, "processing", "")

    def _set_status(self, row: int, status: str, detail: str) -> None:
        it = QTableWidgetItem(status)
        it.setForeground(STATUS_COLOURS.get(status, QColor(200, 200, 200)))
        self.table.setItem(row, 1, it)
        d = QTableWidgetItem(detail)
        d.setToolTip(detail)
        self.table.setItem(row, 2, d)

    def _finished(self, report) -> None:
        self.report = report
        self._set_running(False)
        for res in report.results:
            row = self._rows.get(res.input.name)
            if row is None:
                continue
            detail = res.reason or (f"→ {res.output}" if res.output else "")
            if res.warnings:
                detail += ("; " if detail else "") + "; ".join(res.warnings)
            self._set_status(row, res.status, detail)
        for name, row in self._rows.items():
            if self.table.item(row, 1).text() in ("pending", "processing", "…"):
                self._set_status(row, "not run", "cancelled" if report.cancelled else "")
        self.progress.setValue(1000 if not report.cancelled else self.progress.value())
        first = report.summary().splitlines()[0]
        self.message.setText("Cancelled." if report.cancelled else "Done.")
        colour = "#eb5448" if report.failed else "#40c878"
        fails = "".join(f"<br>• {r.input.name}: {r.reason}" for r in report.failed)
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
