"""QApplication setup: identity, the dark theme, pyqtgraph options."""
from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from textsep_desktop import theme


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    setup_app(app)
    return app


def setup_app(app: QApplication) -> None:
    import pyqtgraph as pg

    from textsep_desktop.icons import app_icon

    app.setApplicationName("TextSep")
    app.setOrganizationName("TextSep")
    app.setApplicationDisplayName("TextSep")
    app.setStyle("Fusion")
    app.setPalette(theme.palette())
    app.setStyleSheet(theme.QSS)
    app.setWindowIcon(app_icon())
    pg.setConfigOptions(antialias=False, background=theme.BG0, foreground=theme.FG_DIM, imageAxisOrder="col-major")
