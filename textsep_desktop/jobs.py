"""The job controller: one long job at a time (open, preview, export, suggest), its progress, cancel, errors.

It owns the status bar's progress bar and cancel button, knows whether the window is busy, keeps work that
must wait for the running job (a file the OS asked to open), and shows every failure -- a worker's exception
or a refused request -- through `show_error` (a non-blocking dialog; the message is kept in `last_error`).
What an exception says is decided by its class (user_errors): a user error shows its own message and no
traceback, anything else its type and the traceback under "Show Details".
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox, QProgressBar, QToolButton

from textsep_desktop import user_errors
from textsep_desktop.worker import Task, TaskRunner

ErrorTitle = str | Callable[[BaseException], str]


class JobController(QObject):
    busyChanged = Signal(bool)  # noqa: N815 - Qt naming

    def __init__(self, window: QMainWindow, cancel_action):
        super().__init__(window)
        self.window = window
        self.runner = TaskRunner(self, max_threads=1)  # load / preview / export / suggest: one at a time
        self.busy_task: Task | None = None
        self.last_error: tuple[str, str] | None = None
        self._dialogs: list[QMessageBox] = []
        self._deferred: list[Callable[[], object]] = []
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(200)
        self.progress.hide()
        self.cancel_button = QToolButton()
        self.cancel_button.setDefaultAction(cancel_action)
        self.cancel_button.hide()

    # ------------------------------------------------------------------ messages
    def status(self, msg: str, ms: int = 5000) -> None:
        self.window.statusBar().showMessage(msg, ms)

    def show_error(self, title: str, message: str, details: str | None = None) -> QMessageBox:
        """A non-blocking error dialog (tests and scripts never hang on it); the message is kept."""
        self.last_error = (title, message)
        ok = QMessageBox.StandardButton.Ok
        box = QMessageBox(QMessageBox.Icon.Critical, title, message, ok, self.window)
        if details:
            box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda *_: self._dialogs.remove(box) if box in self._dialogs else None)
        self._dialogs.append(box)
        box.open()
        self.status(f"{title}: {message.splitlines()[0]}", 10000)
        return box

    def report(self, title: ErrorTitle, exc: BaseException, tb: str | None = None) -> QMessageBox:
        """Show a job's exception: the one place that turns worker errors into dialogs."""
        text = title(exc) if callable(title) else title
        details = None if user_errors.is_user_error(exc) else tb
        return self.show_error(text, user_errors.message(exc), details)

    # ------------------------------------------------------------------ the busy job
    @property
    def busy(self) -> bool:
        return self.busy_task is not None

    def running(self, name: str) -> bool:
        return self.busy_task is not None and self.busy_task.name == name

    def start(self, name: str, fn, on_finished, *, error_title: ErrorTitle | None = None,
              on_cancelled=None) -> Task | None:
        """Run `fn(progress, cancel)` as the busy job; None (and a status message) if one is running."""
        if self.busy_task is not None:
            self.status("Another job is running; cancel it first (Esc)", 4000)
            return None
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.status(f"{name}…", 0)
        title = error_title or f"{name} failed"

        def done_ok(result):
            self._end()
            on_finished(result)

        def done_err(exc, tb):
            self._end()
            self.report(title, exc, tb)

        def done_cancel():
            self._end()
            self.status(f"{name} cancelled; nothing changed", 5000)
            if on_cancelled:
                on_cancelled()

        self.busy_task = self.runner.start(fn, name, on_progress=self._progress, on_finished=done_ok,
                                           on_error=done_err, on_cancelled=done_cancel)
        self.busyChanged.emit(True)
        return self.busy_task

    def _progress(self, frac: float, msg: str) -> None:
        self.progress.setValue(int(frac * 1000))
        if msg:
            self.window.statusBar().showMessage(msg)

    def _end(self) -> None:
        self.busy_task = None
        self.progress.hide()
        self.cancel_button.hide()
        self.window.statusBar().clearMessage()
        self.busyChanged.emit(False)
        if self._deferred:
            QTimer.singleShot(0, self._run_deferred)

    def cancel(self) -> None:
        if self.busy_task is not None:
            self.busy_task.cancel()
            self.status("Cancelling…", 0)

    # ------------------------------------------------------------------ work that waits for the job
    def when_idle(self, fn: Callable[[], object]) -> bool:
        """Run `fn` now if no job is running (True), else after the running job (and those queued before)."""
        self._deferred.append(fn)
        if self.busy_task is None:
            self._run_deferred()
            return True
        return False

    def _run_deferred(self) -> None:
        if self.busy_task is None and self._deferred:
            self._deferred.pop(0)()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        return self.runner.shutdown(timeout_ms)
