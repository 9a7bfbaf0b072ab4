"""Shows prompt suggestions for a region (from textsep.detect.suggest_prompts) and applies the chosen one."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout)


class SuggestionsDialog(QDialog):
    chosen = Signal(str)  # the prompt to use

    def __init__(self, region_desc: str, suggestions: list[tuple[str, str, float]], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Suggested prompts")
        self.setMinimumWidth(380)
        lay = QVBoxLayout(self)
        head = QLabel(f"What the model hears in {region_desc}:")
        lay.addWidget(head)
        self.list = QListWidget()
        for label, prompt, score in suggestions:
            it = QListWidgetItem(f"{prompt}    —  {score * 100:.0f}% of the energy   ({label})")
            it.setData(Qt.ItemDataRole.UserRole, prompt)
            self.list.addItem(it)
        if suggestions:
            self.list.setCurrentRow(0)
        lay.addWidget(self.list)
        note = QLabel("Scores are the share of the region's energy each class's mask keeps; a ranking, "
                      "not a calibrated detector.")
        note.setObjectName("hint")
        note.setWordWrap(True)
        lay.addWidget(note)
        b = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        b.button(QDialogButtonBox.StandardButton.Ok).setText("Use prompt")
        b.accepted.connect(self._use)
        b.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda *_: self._use())
        lay.addWidget(b)

    def _use(self) -> None:
        it = self.list.currentItem()
        if it is not None:
            self.chosen.emit(it.data(Qt.ItemDataRole.UserRole))
        self.accept()
