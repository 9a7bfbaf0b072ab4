"""Helpers shared by the desktop tests (pytest-qt on pyqtgraph, offscreen)."""
from __future__ import annotations

import threading
import time

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from textsep import audio as audio_io


def open_and_wait(qtbot, win, path, timeout=15000):
    win.document.open(path)
    qtbot.waitUntil(lambda: win.jobs.busy_task is None, timeout=timeout)
    qtbot.waitUntil(lambda: not win.jobs.runner.active(), timeout=timeout)


def wait_idle(qtbot, win, timeout=60000):
    qtbot.waitUntil(lambda: win.jobs.busy_task is None and not win.jobs.runner.active(), timeout=timeout)


def view_point(plot_widget, viewbox, x: float, y: float):
    """Widget (viewport) coordinates of view point (x, y) in a pyqtgraph plot."""
    return plot_widget.mapFromScene(viewbox.mapViewToScene(QPointF(x, y)))


def drag(qtbot, plot_widget, viewbox, x0, x1, y=0.0, steps=6):
    vp = plot_widget.viewport()
    p0 = view_point(plot_widget, viewbox, x0, y)
    p1 = view_point(plot_widget, viewbox, x1, y)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=p0)
    for i in range(1, steps + 1):
        p = p0 + (p1 - p0) * (i / steps)
        qtbot.mouseMove(vp, p)
        qtbot.wait(5)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=p1)
    return p0, p1


def seconds_per_pixel(win) -> float:
    t0, t1 = win.view.visible_range()
    return (t1 - t0) / win.view.plot_width_px()


def read(path) -> audio_io.Audio:
    return audio_io.load(path)


def samples_equal(a, b) -> bool:
    return a.shape == b.shape and np.array_equal(a, b)


def wheel(widget, pos, notches: float = 1.0, modifiers=Qt.KeyboardModifier.NoModifier, horizontal=False):
    """A mouse-wheel turn over `widget` (a view's viewport) at widget position `pos`; positive = away from
    the user (up), as a QWheelEvent from a real mouse."""
    pos = QPointF(pos)
    delta = QPoint(int(120 * notches), 0) if horizontal else QPoint(0, int(120 * notches))
    ev = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0), delta,
                     Qt.MouseButton.NoButton, modifiers, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, ev)


class FakeStream:
    """Calls the callback from a thread at (faster than) real time, like PortAudio would."""

    instances: list = []
    period = 0.002  # seconds between blocks; a test that must act during playback makes it longer

    def __init__(self, samplerate, channels, dtype, blocksize, callback, finished_callback=None, **kw):
        import sounddevice as sd

        self.sd = sd
        self.sr, self.channels, self.block = samplerate, channels, blocksize
        self.callback, self.finished_callback = callback, finished_callback
        self.out: list[np.ndarray] = []
        self._stop = threading.Event()
        self.thread = None
        FakeStream.instances.append(self)

    def start(self):
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop.is_set():
            buf = np.full((self.block, self.channels), np.nan, dtype=np.float32)
            try:
                self.callback(buf, self.block, None, None)
            except self.sd.CallbackStop:
                self.out.append(buf.copy())
                break
            self.out.append(buf.copy())
            time.sleep(self.period)
        if self.finished_callback:
            self.finished_callback()

    def stop(self):
        self._stop.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(2)

    def close(self):
        pass

    def played(self) -> np.ndarray:
        return np.concatenate(self.out, axis=0) if self.out else np.zeros((0, self.channels), np.float32)


def modifier_drag(qtbot, widget, p0, p1, modifiers=Qt.KeyboardModifier.NoModifier, steps=8):
    """A left-button drag from p0 to p1 (widget positions) with `modifiers` held throughout, as from a real
    mouse (QTest's mouseMove sends no modifiers, and pyqtgraph reads them from the moves)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QMouseEvent

    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton

    def send(kind, pos, button, buttons):
        pos = QPointF(pos)
        ev = QMouseEvent(kind, pos, QPointF(widget.mapToGlobal(pos.toPoint())), button, buttons, modifiers)
        QApplication.sendEvent(widget, ev)

    send(QEvent.Type.MouseButtonPress, p0, left, left)
    for i in range(1, steps + 1):  # pyqtgraph drops moves closer than 10 ms apart (its mouseRateLimit)
        send(QEvent.Type.MouseMove, QPointF(p0) + (QPointF(p1) - QPointF(p0)) * (i / steps), none, left)
        qtbot.wait(12)
    send(QEvent.Type.MouseButtonRelease, p1, left, none)
