"""QApplication setup: identity, the dark theme, pyqtgraph options, files opened by the OS (macOS)."""
from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QApplication

from textsep_desktop import theme


_NONE_GUARD: str | None = None


def guard_none_refcount() -> str | None:
    """Work around a PySide6 6.12.0 refcount bug on Python < 3.12 (returns a note when applied).

    With PySide6-Essentials 6.12.0 on Python 3.11 every call of a void-returning binding (QPainter.drawLine,
    QWidget.update, QObject.setObjectName, ...) releases one reference to None that it never took (and some
    paths do the same to True/False; PySide6 6.11.3 does not). None is
    immortal only from Python 3.12 on; here its count falls with every repaint until the interpreter aborts
    with "none_dealloc: deallocating None" (a bare pyqtgraph PlotWidget dies after a few hundred repaints).
    We probe for the bug and, only if present, give None, True and False a very large reference count -- what Python 3.12
    does by design -- so a long editing session cannot crash. The real fix is another PySide6 version.
    """
    global _NONE_GUARD
    if _NONE_GUARD is not None or sys.version_info >= (3, 12):
        return _NONE_GUARD
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(64):
        probe.setObjectName("probe")
    leaked = before - sys.getrefcount(None)
    if leaked <= 0:
        _NONE_GUARD = ""
        return _NONE_GUARD
    import ctypes

    import PySide6

    for singleton in (None, True, False):  # True/False leak too (seen via virtual overrides returning bool)
        ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40
    _NONE_GUARD = (f"PySide6 {PySide6.__version__} leaks references to None on Python "
                   f"{sys.version_info.major}.{sys.version_info.minor}; guard applied")
    return _NONE_GUARD


class TextSepApplication(QApplication):
    """The application object. On macOS, Finder, the Dock and "Open With" hand a file to the running app as
    a QFileOpenEvent sent to this object (also the file a launch by double-click was for: it is not in
    argv). Each one goes to the registered handler -- the main window's open -- and files that arrive
    before a window has registered are kept and opened, in order, once one does."""

    def __init__(self, argv):
        super().__init__(argv)
        self.pending_files: list[str] = []
        self._file_handler = None

    def event(self, ev):  # noqa: N802 - Qt naming
        if ev.type() == QEvent.Type.FileOpen:
            path = ev.file() or ev.url().toLocalFile()
            if path:
                self.request_open(path)
            return True
        return super().event(ev)

    def request_open(self, path: str) -> None:
        if self._file_handler is None:
            self.pending_files.append(path)
        else:
            self._file_handler(path)

    def set_file_handler(self, handler) -> None:
        """`handler(path)` opens a file from now on; files kept so far follow from the event loop."""
        self._file_handler = handler
        if self.pending_files:
            QTimer.singleShot(0, self._flush)

    def clear_file_handler(self, handler) -> None:
        if self._file_handler == handler:
            self._file_handler = None

    def _flush(self) -> None:
        pending, self.pending_files = self.pending_files, []
        for p in pending:
            self.request_open(p)


def create_app(argv: list[str] | None = None) -> QApplication:
    guard_none_refcount()
    app = QApplication.instance()
    if app is None:
        app = TextSepApplication(argv if argv is not None else sys.argv[:1])
    setup_app(app)
    return app


def setup_app(app: QApplication) -> None:
    import pyqtgraph as pg

    guard_none_refcount()
    from textsep_desktop.icons import app_icon

    app.setApplicationName("TextSep")
    app.setOrganizationName("TextSep")
    app.setApplicationDisplayName("TextSep")
    app.setStyle("Fusion")
    app.setPalette(theme.palette())
    app.setStyleSheet(theme.stylesheet())
    from textsep.paths import resource

    shipped = resource("icon.png")  # the project's icon (resources/), else a drawn one
    if shipped.exists():
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(shipped)))
    else:
        app.setWindowIcon(app_icon())
    pg.setConfigOptions(antialias=False, background=theme.BG0, foreground=theme.FG_DIM, imageAxisOrder="col-major")
