"""The dark DAW look: Fusion style, a dark palette and a QSS sheet."""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

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
QComboBox::drop-down {{ border: none; width: 18px; }}
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
