"""Helpers shared by the desktop tests (pytest-qt on pyqtgraph, offscreen)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt

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
