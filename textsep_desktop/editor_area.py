"""The central area: the overview strip, the view, its scrollbar and the selection bar -- or, with no file
open, only the hint (no empty axes)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollBar, QVBoxLayout, QWidget

from textsep_desktop.navigation import OverviewStrip

EMPTY_HINT = "Open a recording (Ctrl+O), drop a file here, or double-click one in the browser."


class EditorArea(QWidget):
    def __init__(self, view, parent=None):
        super().__init__(parent)
        self.view = view
        self.overview = OverviewStrip()
        self.scrollbar = QScrollBar(Qt.Orientation.Horizontal)
        self.scrollbar.setObjectName("timeScroll")
        self.scrollbar.setToolTip("Scroll in time (or use the mouse wheel over the view)")
        self.editor = QWidget()
        ed = QVBoxLayout(self.editor)
        ed.setContentsMargins(0, 0, 0, 0)
        ed.setSpacing(0)
        ed.addWidget(self.overview)
        ed.addWidget(view, 1)
        ed.addWidget(self.scrollbar)
        self.bars = QVBoxLayout()
        self.bars.setContentsMargins(0, 0, 0, 0)
        self.bars.setSpacing(0)
        ed.addLayout(self.bars)
        self.empty_label = QLabel(EMPTY_HINT)
        self.empty_label.setObjectName("hint")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.editor, 1)
        lay.addWidget(self.empty_label, 1)
        self.set_empty(True)

    def add_bar(self, *widgets: QWidget) -> None:
        """A row of bars under the scrollbar (the selection bar, the spectrogram settings)."""
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        for i, w in enumerate(widgets):
            row.addWidget(w, 1 if i == 0 else 0)
        self.bars.addLayout(row)

    def set_empty(self, empty: bool) -> None:
        self.editor.setVisible(not empty)
        self.empty_label.setVisible(empty)
