"""The file info panel (name, duration, rate, channels, format) and the status bar's format summary."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from textsep_desktop.timefmt import format_clock as format_time

SUBTYPE_NAMES = {"PCM_16": "16-bit PCM", "PCM_24": "24-bit PCM", "PCM_32": "32-bit PCM",
                 "PCM_S8": "8-bit PCM", "PCM_U8": "8-bit PCM", "FLOAT": "32-bit float",
                 "DOUBLE": "64-bit float"}
FIELDS = ("Name", "Duration", "Sample rate", "Channels", "Format")


def channels_name(c: int) -> str:
    return {1: "mono", 2: "stereo"}.get(c, f"{c} channels")


def subtype_name(subtype: str) -> str:
    return SUBTYPE_NAMES.get(subtype, subtype)


class InfoPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(10, 8, 10, 8)
        self.labels: dict[str, QLabel] = {}
        for key in FIELDS:
            k = QLabel(key)
            k.setObjectName("infoKey")
            v = QLabel("—")
            v.setObjectName("infoValue")
            v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(k, v)
            self.labels[key] = v
        self.format_label = QLabel("")  # for the status bar

    def show_document(self, doc) -> None:
        a = doc.audio
        L = self.labels
        L["Name"].setText(a.path.name if a.path else "(generated)")
        L["Name"].setToolTip(str(a.path or ""))
        L["Duration"].setText(f"{format_time(a.duration)}  ({a.frames:,} samples)")
        L["Sample rate"].setText(f"{a.sr:,} Hz")
        L["Channels"].setText(f"{a.channels} ({channels_name(a.channels)})")
        L["Format"].setText(f"{a.format} · {subtype_name(a.subtype)}")
        self.format_label.setText(f"{a.sr / 1000:g} kHz · {channels_name(a.channels)} · "
                                  f"{subtype_name(a.subtype)} · {format_time(a.duration)}")
