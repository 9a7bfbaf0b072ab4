"""The dark DAW look: Fusion style, a dark palette and a QSS sheet (`stylesheet()`).

Styling a QComboBox's drop-down in QSS removes Qt's own arrow, so the sheet names an arrow image drawn here at
start-up (no image files to ship); radio buttons get a visible ring and dot (Fusion's are near-black on the
dark palette).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QPointF, QStandardPaths, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPalette

BG0 = "#15171c"  # deepest (view background)
BG1 = "#1c1f26"  # panels
BG2 = "#242832"  # raised controls
BG3 = "#2e3440"  # hover
LINE = "#333946"
FG = "#d6dae2"
FG_DIM = "#8a91a0"
ACCENT = "#56b6ff"

QSS = f"""
* {{ font-size: 9.5pt; }}
QMainWindow, QWidget {{ background: {BG1}; color: {FG}; }}
QMainWindow::separator {{ background: {BG0}; width: 3px; height: 3px; }}
QToolBar {{ background: {BG1}; border: none; border-bottom: 1px solid {BG0}; spacing: 2px; padding: 3px 6px; }}
QToolBar::separator {{ background: {LINE}; width: 1px; margin: 6px 6px; }}
QToolButton {{ background: transparent; border: 1px solid transparent; border-radius: 5px; padding: 4px; color: {FG}; }}
QToolButton:hover {{ background: {BG3}; border-color: {LINE}; }}
QToolButton:pressed, QToolButton:checked {{ background: #2b4258; border-color: #3d6a92; }}
QToolButton:disabled, QToolButton:checked:disabled {{ color: #5f6370; background: transparent; border-color: transparent; }}
QToolButton#transportTime {{ font-family: monospace; }}
QLabel#timeDisplay {{ background: {BG0}; color: #9fd4ff; border: 1px solid {LINE}; border-radius: 5px;
    padding: 3px 10px; font-family: "DejaVu Sans Mono", monospace; font-size: 12pt; }}
QLabel#panelTitle {{ color: {FG}; font-weight: bold; letter-spacing: 0.5px; }}
QLabel#hint {{ color: {FG_DIM}; font-style: italic; }}
QLabel#infoKey {{ color: {FG_DIM}; }}
QLabel#infoValue {{ color: {FG}; }}
QDockWidget {{ color: {FG_DIM}; titlebar-close-icon: none; }}
QDockWidget::title {{ background: {BG1}; padding: 5px 8px; border-bottom: 1px solid {BG0};
    text-transform: uppercase; font-weight: bold; color: {FG_DIM}; }}
QTableView, QTreeView, QListView {{ background: {BG0}; alternate-background-color: #191c22; border: 1px solid {BG0};
    gridline-color: {LINE}; selection-background-color: #2b4258; selection-color: #ffffff; outline: 0; }}
QTableView::item, QTreeView::item {{ padding: 2px 4px; }}
QHeaderView::section {{ background: {BG2}; color: {FG_DIM}; border: none; border-right: 1px solid {BG0};
    border-bottom: 1px solid {BG0}; padding: 4px 6px; font-weight: bold; }}
QLineEdit, QDoubleSpinBox, QSpinBox, QComboBox {{ background: {BG0}; border: 1px solid {LINE}; border-radius: 4px;
    padding: 3px 6px; color: {FG}; selection-background-color: #2b4258; }}
QLineEdit:focus, QDoubleSpinBox:focus, QSpinBox:focus, QComboBox:focus {{ border-color: {ACCENT}; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right; border: none;
    border-left: 1px solid {LINE}; width: 20px; }}
QComboBox:hover {{ border-color: #4a5262; }}
QComboBox:on {{ border-color: {ACCENT}; }}
QComboBox QAbstractItemView {{ background: {BG2}; border: 1px solid {LINE}; selection-background-color: #2b4258; }}
QPushButton {{ background: {BG2}; border: 1px solid {LINE}; border-radius: 5px; padding: 5px 14px; color: {FG}; }}
QPushButton:hover {{ background: {BG3}; }}
QPushButton:pressed {{ background: #2b4258; }}
QPushButton:default {{ border-color: {ACCENT}; }}
QPushButton:disabled {{ color: #5f6370; }}
QProgressBar {{ background: {BG0}; border: 1px solid {LINE}; border-radius: 4px; text-align: center; color: {FG};
    max-height: 14px; }}
QProgressBar::chunk {{ background: qlineargradient(x1:0, y1:0, x2:1, y2:0, stop:0 #2f7fc1, stop:1 {ACCENT});
    border-radius: 3px; }}
QStatusBar {{ background: {BG0}; color: {FG_DIM}; border-top: 1px solid {LINE}; }}
QStatusBar QLabel {{ background: transparent; color: {FG_DIM}; padding: 0 6px; }}
QMenuBar {{ background: {BG1}; color: {FG}; border-bottom: 1px solid {BG0}; }}
QMenuBar::item:selected {{ background: {BG3}; }}
QMenu {{ background: {BG2}; border: 1px solid {LINE}; color: {FG}; }}
QMenu::item {{ padding: 5px 24px 5px 24px; }}
QMenu::item:selected {{ background: #2b4258; }}
QMenu::separator {{ height: 1px; background: {LINE}; margin: 4px 8px; }}
QScrollBar:vertical {{ background: {BG0}; width: 10px; margin: 0; }}
QScrollBar:horizontal {{ background: {BG0}; height: 10px; margin: 0; }}
QScrollBar::handle {{ background: {BG3}; border-radius: 4px; min-height: 24px; min-width: 24px; }}
QScrollBar::handle:hover {{ background: #3c4454; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}
QCheckBox::indicator, QTableView::indicator {{ width: 14px; height: 14px; }}
QRadioButton {{ spacing: 7px; }}
QRadioButton::indicator {{ width: 12px; height: 12px; border-radius: 8px; border: 2px solid {FG_DIM};
    background: {BG0}; }}
QRadioButton::indicator:hover {{ border-color: {ACCENT}; }}
QRadioButton::indicator:checked {{ border-color: {ACCENT};
    background: qradialgradient(cx:0.5, cy:0.5, radius:0.5, fx:0.5, fy:0.5, stop:0 {ACCENT}, stop:0.55 {ACCENT},
    stop:0.65 {BG0}, stop:1 {BG0}); }}
QRadioButton::indicator:disabled {{ border-color: #4a4f5c; }}
QRadioButton:disabled {{ color: #5f6370; }}
QLineEdit[invalid="true"] {{ border-color: #eb5448; }}
QLineEdit#timeField {{ font-family: "DejaVu Sans Mono", monospace; }}
QWidget#selectionBar {{ background: {BG1}; border-top: 1px solid {BG0}; }}
QToolTip {{ background: {BG2}; color: {FG}; border: 1px solid {LINE}; padding: 4px; }}
QGroupBox {{ border: 1px solid {LINE}; border-radius: 6px; margin-top: 14px; padding-top: 8px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: {FG_DIM}; }}
QSplitter::handle {{ background: {BG0}; }}
QTabBar::tab {{ background: {BG2}; padding: 5px 12px; border: 1px solid {LINE}; border-bottom: none; }}
QTabBar::tab:selected {{ background: {BG1}; color: {ACCENT}; }}
"""


def palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: BG1, QPalette.ColorRole.WindowText: FG, QPalette.ColorRole.Base: BG0,
        QPalette.ColorRole.AlternateBase: "#191c22", QPalette.ColorRole.ToolTipBase: BG2,
        QPalette.ColorRole.ToolTipText: FG, QPalette.ColorRole.Text: FG, QPalette.ColorRole.Button: BG2,
        QPalette.ColorRole.ButtonText: FG, QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: "#2b4258", QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: ACCENT, QPalette.ColorRole.PlaceholderText: FG_DIM,
    }
    for role, c in roles.items():
        p.setColor(role, QColor(c))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#5f6370"))
    return p


def _arrow_png(colour: str, name: str, up: bool = False) -> str:
    """A small down-pointing triangle as a PNG file (the combo boxes' arrow) in the app's cache folder (else a
    new temp folder); its path, with forward slashes."""
    img = QImage(20, 20, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(colour))
    y0, y1 = (13, 6) if up else (7, 14)
    path = QPainterPath(QPointF(4, y0))
    path.lineTo(16, y0)
    path.lineTo(10, y1)
    path.closeSubpath()
    p.drawPath(path)
    p.end()
    cache = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)
    for folder in (Path(cache) / "theme" if cache else None, Path(tempfile.mkdtemp(prefix="textsep-theme-"))):
        if folder is None:
            continue
        try:
            folder.mkdir(parents=True, exist_ok=True)
            out = folder / name
            if img.save(str(out), "PNG"):
                return out.as_posix()
        except OSError:
            continue
    return ""


def stylesheet() -> str:
    """The QSS sheet with the arrow images it needs (drawn once per machine, in the temp folder)."""
    down, up = _arrow_png(FG, "arrow-down.png"), _arrow_png(FG, "arrow-up.png", up=True)
    down_off = _arrow_png("#5f6370", "arrow-down-disabled.png")
    up_off = _arrow_png("#5f6370", "arrow-up-disabled.png", up=True)
    return QSS + f"""
QComboBox::down-arrow {{ image: url({down}); width: 12px; height: 12px; }}
QComboBox::down-arrow:disabled {{ image: url({down_off}); }}
QAbstractSpinBox {{ padding-right: 18px; }}
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{ subcontrol-origin: border; width: 16px;
    border: none; border-left: 1px solid {LINE}; background: {BG2}; }}
QAbstractSpinBox::up-button {{ subcontrol-position: top right; border-top-right-radius: 4px; }}
QAbstractSpinBox::down-button {{ subcontrol-position: bottom right; border-bottom-right-radius: 4px; }}
QAbstractSpinBox::up-button:hover, QAbstractSpinBox::down-button:hover {{ background: {BG3}; }}
QAbstractSpinBox::up-arrow {{ image: url({up}); width: 10px; height: 10px; }}
QAbstractSpinBox::down-arrow {{ image: url({down}); width: 10px; height: 10px; }}
QAbstractSpinBox::up-arrow:disabled, QAbstractSpinBox::up-arrow:off {{ image: url({up_off}); }}
QAbstractSpinBox::down-arrow:disabled, QAbstractSpinBox::down-arrow:off {{ image: url({down_off}); }}
"""
