"""Settings dialog: model checkpoint, text encoder, device, default fade and depth."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget)

from textsep_desktop.depth import depth_spin_box
from textsep_desktop.settings import DEVICES, Settings


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.setMinimumWidth(560)
        form = QFormLayout(self)

        self.checkpoint = QLineEdit(settings.checkpoint_path)
        from textsep.paths import default_checkpoint

        default = default_checkpoint()
        self.checkpoint.setPlaceholderText(f"Shipped model ({default})")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.checkpoint, 1)
        row.addWidget(browse)
        w = QWidget()
        w.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        form.addRow("Model checkpoint", w)
        if not default.exists():
            note = QLabel("The shipped model is not installed yet: choose a checkpoint file to run edits.")
            note.setObjectName("hint")
            note.setWordWrap(True)
            form.addRow("", note)

        self.encoder = QComboBox()
        from textsep.text import ENCODERS
        from textsep.text.clap import clap_available

        self.encoder.addItem("MiniLM (all-MiniLM-L6-v2)", ENCODERS[0])
        clap_ok = clap_available()
        self.encoder.addItem("CLAP (msclap)" + ("" if clap_ok else " — not installed/configured"), ENCODERS[1])
        if not clap_ok:
            self.encoder.model().item(1).setEnabled(False)
        i = self.encoder.findData(settings.encoder)
        self.encoder.setCurrentIndex(max(0, i))
        form.addRow("Text encoder", self.encoder)
        enc_note = QLabel("The encoder must match the one the checkpoint was trained with.")
        enc_note.setObjectName("hint")
        form.addRow("", enc_note)

        self.device = QComboBox()
        self.device.addItems(DEVICES)
        self.device.setCurrentText(settings.device)
        form.addRow("Device", self.device)

        self.fade = QDoubleSpinBox()
        self.fade.setRange(0, 5000)
        self.fade.setDecimals(0)
        self.fade.setSuffix(" ms")
        self.fade.setValue(settings.default_fade_ms)
        form.addRow("Default fade for new regions", self.fade)

        self.depth = depth_spin_box(settings.default_depth_db)
        form.addRow("Default depth for new regions", self.depth)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _browse(self) -> None:
        start = self.checkpoint.text() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Choose a model checkpoint", start,
                                              "TextSep checkpoints (*.pth *.pt);;All files (*)")
        if path:
            self.checkpoint.setText(path)

    def apply(self) -> None:
        s = self.settings
        s.checkpoint_path = self.checkpoint.text().strip()
        s.encoder = self.encoder.currentData()
        s.device = self.device.currentText()
        s.default_fade_ms = self.fade.value()
        s.default_depth_db = self.depth.value()
        s.sync()
