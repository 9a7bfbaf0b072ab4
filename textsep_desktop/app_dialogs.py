"""The window's small dialogs: settings (a newly chosen model then loads in the background), keyboard
shortcuts, about."""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

GESTURES = (("Drag", "on the view: select a time span (R makes it a region)"),
            ("Drag a region", "move it; drag an edge to resize (edges snap)"),
            ("Ctrl+Drag on the spectrogram", ("draw a time-frequency box: a region with a frequency band "
                                              "(so does a drag with the box tool, X)")),
            ("Drag a box / its handles", "move it in time and frequency / resize it"),
            ("Click", "set the cursor (drops the selection); on a region: select it"),
            ("Drag the selection's edge", "resize the selection (the edge snaps)"),
            ("Shift+Click", "extend the selection to the clicked time"),
            ("Wheel", "scroll in time"),
            ("Ctrl+Wheel", "zoom time around the pointer"),
            ("Shift+Wheel", "on the spectrogram: zoom frequency"),
            ("Shift+Drag, middle drag", "pan"),
            ("Overview strip", "drag the box or click to move the view"))


def shortcuts_html(actions) -> str:
    """Every action with all its keys (alternates too), then the mouse gestures, as an HTML table."""
    rows = []
    for a in actions:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts()]
        keys = [k for k in keys if k]
        if keys and a.text():
            text = a.text().replace("&", "")
            rows.append(f"<tr><td><b>{' · '.join(keys)}</b></td><td>&nbsp;&nbsp;{text}</td></tr>")
    rows.append("<tr><td colspan=2><br><i>Mouse</i></td></tr>")
    for gesture, what in GESTURES:
        rows.append(f"<tr><td><b>{gesture}</b></td><td>&nbsp;&nbsp;{what}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


class AppDialogs(QObject):
    def __init__(self, window: QMainWindow, settings, engine, status):
        super().__init__(window)
        self.window, self.settings, self.engine, self.status = window, settings, engine, status
        self.shortcuts_box: QMessageBox | None = None

    def show_settings(self) -> None:
        from textsep_desktop.settings_dialog import SettingsDialog

        dlg = SettingsDialog(self.settings, self.window)
        if dlg.exec() == SettingsDialog.DialogCode.Accepted:
            dlg.apply()
            self.status("Settings saved", 5000)
            self.engine.warm_if_needed()  # the newly chosen model loads in the background now

    def show_shortcuts(self) -> QMessageBox:
        """F1: not modal, so the keys can be tried with the list open."""
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts and mouse",
                          shortcuts_html(self.window.actions()), QMessageBox.StandardButton.Close,
                          self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setModal(False)
        box.show()
        self.shortcuts_box = box
        return box

    def show_about(self) -> None:
        from textsep_desktop import __version__

        text = (f"<h3>TextSep {__version__}</h3><p>Edit sound with words: mark a region, say what to keep "
                "or remove, and everything outside the regions stays untouched, sample for sample.</p>")
        QMessageBox.about(self.window, "About TextSep", text)
