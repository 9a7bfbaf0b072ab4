"""Background tasks: run a function on Qt's thread pool and report back through signals.

A task function has the signature ``fn(progress, cancel) -> result`` where ``progress(frac, msg)``
may be called from the worker thread and ``cancel`` is a ``threading.Event`` the function checks
cooperatively (the engine raises ``textsep.errors.Cancelled`` when it is set). Signals are emitted from the
worker thread and delivered queued to receivers living in the GUI thread.
"""
from __future__ import annotations

import threading
import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from textsep_desktop.user_errors import is_cancelled


class Task(QObject):
    """One background job. Keep a reference until `done` fires (TaskRunner does this for you)."""

    progress = Signal(float, str)
    finished = Signal(object)
    errored = Signal(object, str)  # exception, formatted traceback
    cancelled = Signal()
    done = Signal()  # always last, after finished / errored / cancelled

    def __init__(self, fn: Callable[..., Any], name: str = "task", min_interval_s: float = 0.05, parent=None):
        # With a parent, Qt owns the object: a worker thread dropping the last Python reference can then
        # never destroy it off its thread (that crashed); the runner deleteLater()s it on the GUI thread.
        super().__init__(parent)
        self.fn = fn
        self.name = name
        self.cancel_event = threading.Event()
        self.min_interval_s = min_interval_s
        self._last_emit = 0.0
        self.running = False
        self.result = None
        self.error: BaseException | None = None

    def cancel(self) -> None:
        self.cancel_event.set()

    def _progress(self, frac: float, msg: str = "") -> None:
        now = time.monotonic()
        # Throttle: a flood of queued signals would itself stall the GUI thread.
        if frac >= 1.0 or now - self._last_emit >= self.min_interval_s:
            self._last_emit = now
            self.progress.emit(float(frac), str(msg))

    def run(self) -> None:
        self.running = True
        try:
            self.result = self.fn(self._progress, self.cancel_event)
        except BaseException as exc:  # noqa: BLE001 - everything is reported to the GUI
            self.error = exc
            if is_cancelled(exc) or (self.cancel_event.is_set() and isinstance(exc, InterruptedError)):
                self.cancelled.emit()
            else:
                self.errored.emit(exc, traceback.format_exc())
        else:  # a normal return is a result even if cancel was requested late (e.g. a partial batch report)
            self.finished.emit(self.result)
        finally:
            self.running = False
            self.done.emit()


class _Runnable(QRunnable):
    def __init__(self, task: Task):
        super().__init__()
        self.task = task
        self.setAutoDelete(True)

    def run(self) -> None:
        self.task.run()


class TaskRunner(QObject):
    """Starts tasks on a private thread pool and keeps them alive until they are done."""

    def __init__(self, parent=None, max_threads: int = 2):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._tasks: set[Task] = set()
        self.closed = False

    def start(self, fn: Callable[..., Any], name: str = "task", *, on_finished=None, on_error=None,
              on_cancelled=None, on_progress=None) -> Task:
        task = Task(fn, name, parent=self)
        for sig, cb in ((task.progress, on_progress), (task.finished, on_finished), (task.errored, on_error),
                        (task.cancelled, on_cancelled)):
            if cb:
                sig.connect(self._guarded(cb))
        self._tasks.add(task)
        task.done.connect(lambda t=task: self._retire(t))
        self.pool.start(_Runnable(task))
        return task

    def _guarded(self, cb):
        """Results that arrive after shutdown() (the window is closing) are dropped, not delivered."""

        def call(*args):
            if not self.closed:
                cb(*args)

        return call

    def _retire(self, task: Task) -> None:
        self._tasks.discard(task)
        task.deleteLater()  # GUI thread; all of its earlier queued signals have been delivered by now

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel everything, stop delivering results, wait for the threads."""
        self.closed = True
        self.cancel_all()
        return self.pool.waitForDone(timeout_ms)

    def active(self) -> list[Task]:
        return list(self._tasks)

    def cancel_all(self) -> None:
        for t in list(self._tasks):
            t.cancel()
