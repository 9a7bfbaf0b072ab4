"""The selection bar under the view: the selection's start, end and length (editable), the time format
(h:mm:ss.mmm, seconds, samples -- also the ruler's and the regions table's), the snapping toggles and
"Add region from selection". Without a selection, start and end show the cursor."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from textsep_desktop.timefmt import FORMATS

FIELD_TIPS = {"start": "Selection start (type a time and press Enter)",
              "end": "Selection end (type a time and press Enter)",
              "length": "Selection length (type one to change the end)"}


class SelectionBar(QWidget):
    def __init__(self, controller, time_format, view, actions, status, parent=None):
        """`controller`: the SelectionController; `actions`: the ActionTable (add, snap, snap_zero);
        `status(msg, ms)`: the status bar."""
        super().__init__(parent)
        self.setObjectName("selectionBar")
        self.controller, self.selection = controller, controller.selection
        self.time_format, self.view, self.status = time_format, view, status
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 3, 8, 3)
        lay.setSpacing(6)
        title = QLabel("Selection")
        title.setObjectName("panelTitle")
        lay.addWidget(title)
        self.fields: dict[str, QLineEdit] = {}
        for key in ("start", "end", "length"):
            if key != "start":
                lay.addWidget(QLabel(key.capitalize()))
            f = QLineEdit()
            f.setObjectName("timeField")
            f.setToolTip(FIELD_TIPS[key])
            f.setFixedWidth(100)
            f.setAlignment(Qt.AlignmentFlag.AlignRight)
            f.editingFinished.connect(lambda key=key: self._edited(key))
            self.fields[key] = f
            lay.addWidget(f)
        self.format_combo = QComboBox()
        self.format_combo.setToolTip("Time format of the selection, the ruler and the regions table")
        for key, name in FORMATS.items():
            self.format_combo.addItem(name, key)
        self.format_combo.setCurrentIndex(list(FORMATS).index(time_format.fmt))
        self.format_combo.currentIndexChanged.connect(
            lambda i: time_format.set_format(self.format_combo.itemData(i)))
        lay.addWidget(self.format_combo)
        lay.addSpacing(10)
        self.buttons = {}
        for action_id in ("snap", "snap_zero", "add"):
            b = QToolButton()
            b.setDefaultAction(actions[action_id])
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon if action_id == "add"
                                 else Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.buttons[action_id] = b
            lay.addWidget(b)
        lay.addStretch(1)
        self.selection.changed.connect(self.refresh)
        time_format.changed.connect(self.refresh)
        view.cursorChanged.connect(lambda _t: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        span = self.selection.span
        t0, t1 = span if span is not None else (self.view.cursor_s, self.view.cursor_s)
        for key, t in (("start", t0), ("end", t1), ("length", t1 - t0)):
            f = self.fields[key]
            if not f.hasFocus() or not f.isModified():
                f.setText(self.time_format.text(t))
            f.setProperty("invalid", False)
            f.style().polish(f)

    def _edited(self, key: str) -> None:
        f = self.fields[key]
        if not f.isModified():
            return
        f.setModified(False)
        try:
            t = self.time_format.parse(f.text())
        except ValueError as exc:
            f.setProperty("invalid", True)
            f.style().polish(f)
            self.status(f"Selection not changed: {exc}", 5000)
            return
        span = self.selection.span
        t0, t1 = span if span is not None else (self.view.cursor_s, self.view.cursor_s)
        if key == "start":
            t0 = t
        elif key == "end":
            t1 = t
        else:
            t1 = t0 + t
        if t1 <= t0:
            if key == "start" and span is None:  # no selection: the start field moves the cursor
                self.view.set_cursor(t0)
                self.view.cursorMoved.emit(self.view.cursor_s)
                return
            f.setProperty("invalid", True)
            f.style().polish(f)
            self.status("Selection not changed: the end must come after the start", 5000)
            return
        self.controller.set_span(t0, t1)
        self.refresh()
