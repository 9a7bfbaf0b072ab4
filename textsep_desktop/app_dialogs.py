"""The window's small dialogs: settings (a newly chosen model then loads in the background), keyboard
shortcuts, about."""
from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

GESTURES = (("Drag", "on empty view: new region; on a region: move; on an edge: resize"),
            ("Wheel", "zoom time · Shift/middle-drag: pan"))


class AppDialogs(QObject):
    def __init__(self, window: QMainWindow, settings, engine, status):
        super().__init__(window)
        self.window, self.settings, self.engine, self.status = window, settings, engine, status

    def show_settings(self) -> None:
        from textsep_desktop.settings_dialog import SettingsDialog

        dlg = SettingsDialog(self.settings, self.window)
        if dlg.exec() == SettingsDialog.DialogCode.Accepted:
            dlg.apply()
            self.status("Settings saved", 5000)
            self.engine.warm_if_needed()  # the newly chosen model loads in the background now

    def show_shortcuts(self) -> None:
        rows = []
        for a in self.window.actions():
            sc = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if sc and a.text():
                rows.append(f"<tr><td><b>{sc}</b></td><td>&nbsp;&nbsp;{a.text().replace('&', '')}</td></tr>")
        for gesture, what in GESTURES:
            rows.append(f"<tr><td><b>{gesture}</b></td><td>&nbsp;&nbsp;{what}</td></tr>")
        QMessageBox.information(self.window, "Keyboard shortcuts", "<table>" + "".join(rows) + "</table>")

    def show_about(self) -> None:
        from textsep_desktop import __version__

        text = (f"<h3>TextSep {__version__}</h3><p>Edit sound with words: mark a region, say what to keep "
                "or remove, and everything outside the regions stays untouched, sample for sample.</p>")
        QMessageBox.about(self.window, "About TextSep", text)
