"""Export options: format and bit depth (WAV 16/24/32-float, FLAC 16/24); the source's rate and channels."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel

FORMATS = {"WAV": ".wav", "FLAC": ".flac"}
DEPTHS = {"WAV": [("16-bit PCM", "PCM_16"), ("24-bit PCM", "PCM_24"), ("32-bit float", "FLOAT")],
          "FLAC": [("16-bit", "PCM_16"), ("24-bit", "PCM_24")]}


def default_subtype(fmt: str, source_subtype: str) -> str:
    options = [s for _, s in DEPTHS[fmt]]
    if source_subtype in options:
        return source_subtype
    if source_subtype in ("FLOAT", "DOUBLE", "PCM_32"):
        return "FLOAT" if "FLOAT" in options else "PCM_24"
    return "PCM_16" if source_subtype in ("PCM_S8", "PCM_U8") else "PCM_24"


class ExportOptionsDialog(QDialog):
    def __init__(self, source_desc: str, source_subtype: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Export audio")
        self.source_subtype = source_subtype
        form = QFormLayout(self)
        form.addRow("Source", QLabel(source_desc))
        self.format = QComboBox()
        self.format.addItems(list(FORMATS))
        self.depth = QComboBox()
        form.addRow("Format", self.format)
        form.addRow("Bit depth", self.depth)
        note = QLabel("Sample rate and channels are kept. Samples outside the regions are unchanged\n"
                      "(bit for bit when the bit depth matches the source).")
        note.setObjectName("hint")
        form.addRow(note)
        self.format.currentTextChanged.connect(self._fill)
        self._fill(self.format.currentText())
        b = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        b.button(QDialogButtonBox.StandardButton.Ok).setText("Choose file…")
        b.accepted.connect(self.accept)
        b.rejected.connect(self.reject)
        form.addRow(b)

    def _fill(self, fmt: str) -> None:
        self.depth.clear()
        for label, st in DEPTHS[fmt]:
            self.depth.addItem(label, st)
        self.depth.setCurrentIndex(max(0, self.depth.findData(default_subtype(fmt, self.source_subtype))))

    def choice(self) -> tuple[str, str]:
        """(extension, subtype)"""
        return FORMATS[self.format.currentText()], self.depth.currentData()
