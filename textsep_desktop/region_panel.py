"""The region list: a table editing enabled, start, end, frequency band (Low/High Hz, empty = the full band),
prompt, mode, fade and depth of every region, with what the model understood each prompt as beside it (a
warning when it knows no such sound; prompt_feedback.py) and the prompt editor completing from the known sounds.

Edits never touch the RegionModel directly: they go to `edit_requested(id, new_region)`, which the
main window turns into an undo command; the table then follows the model's signals, exactly like
the waveform overlay does, so both stay in sync whichever side the change came from.
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QTableView, QToolButton,
                               QVBoxLayout, QWidget)

from textsep.edits import MAX_DEPTH_DB, EditError, Region
from textsep_desktop import prompt_feedback as pf
from textsep_desktop.depth import DEPTH_TIP, DEPTH_WHAT, MIN_DEPTH_EDIT_DB
from textsep_desktop.freq_band import format_hz, parse_hz
from textsep_desktop.icons import warning_icon
from textsep_desktop.region_delegates import (BandDelegate, ModeDelegate, NumberDelegate, PromptDelegate,
                                              TimeDelegate)
from textsep_desktop.regions import RegionModel, region_colour
from textsep_desktop.timefmt import TimeFormat

COLUMNS = ("", "#", "Start", "End", "Low Hz", "High Hz", "Prompt", "Understood as", "Mode", "Fade ms", "Depth dB")
C_ON, C_NUM, C_START, C_END, C_LOW, C_HIGH, C_PROMPT, C_UNDERSTOOD, C_MODE, C_FADE, C_DEPTH = range(len(COLUMNS))
TIPS = ("Enabled", "Order (regions apply in this order)", "Start (in the selection bar's time format)",
        "End (in the selection bar's time format)",
        "Lowest frequency the edit acts on, in Hz (empty: from 0 Hz; Ctrl+drag on the spectrogram draws a box)",
        "Highest frequency the edit acts on, in Hz (empty: up to the top)",
        "What to keep or remove, in words (completes from the sounds the model knows)",
        "What the model understood the prompt as: the known sound it maps to and its weight",
        "keep = isolate it, remove = suppress it", "Raised-cosine fade inside the region edges", DEPTH_TIP)
EDITABLE = (C_START, C_END, C_LOW, C_HIGH, C_PROMPT, C_MODE, C_FADE, C_DEPTH)
RIGHT = (C_NUM, C_START, C_END, C_LOW, C_HIGH, C_FADE, C_DEPTH)

class RegionTableModel(QAbstractTableModel):
    edit_requested = Signal(int, object)  # id, new Region
    edit_failed = Signal(str)

    def __init__(self, regions: RegionModel, time_format: TimeFormat | None = None, parent=None):
        super().__init__(parent)
        self.regions = regions
        self.feedback: pf.PromptFeedback | None = None
        self.time_format = time_format or TimeFormat()
        self.time_format.changed.connect(self._times_changed)
        regions.inserted.connect(self._inserted)
        regions.removed.connect(self._removed)
        regions.changed.connect(self._changed)
        regions.reset.connect(self._reset)
        self._ids = regions.ids()

    # keep a private copy of the id order so row removal can be announced before it happens
    def _inserted(self, rid: int, index: int) -> None:
        self.beginInsertRows(QModelIndex(), index, index)
        self._ids.insert(index, rid)
        self.endInsertRows()
        self._renumber()

    def _removed(self, rid: int) -> None:
        row = self._ids.index(rid)
        self.beginRemoveRows(QModelIndex(), row, row)
        self._ids.pop(row)
        self.endRemoveRows()
        self._renumber()

    def _changed(self, rid: int) -> None:
        row = self._ids.index(rid)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _times_changed(self) -> None:
        if self._ids:
            self.dataChanged.emit(self.index(0, C_START), self.index(len(self._ids) - 1, C_END))

    def _reset(self) -> None:
        self.beginResetModel()
        self._ids = self.regions.ids()
        self.endResetModel()

    def set_feedback(self, feedback: pf.PromptFeedback) -> None:
        self.feedback = feedback
        feedback.updated.connect(self._understood_changed)

    def _understood_changed(self) -> None:
        """Answers arrived: the "Understood as" cells, and the prompts' warning icons (not their text: an open
        prompt editor keeps what the user is typing)."""
        if self._ids:
            last = len(self._ids) - 1
            self.dataChanged.emit(self.index(0, C_UNDERSTOOD), self.index(last, C_UNDERSTOOD))
            self.dataChanged.emit(self.index(0, C_PROMPT), self.index(last, C_PROMPT), WARNING_ROLES)

    def understanding(self, row: int):
        """What the model understood row's prompt as (prompt_feedback.PromptFeedback.lookup), or None."""
        if self.feedback is None:
            return None
        return self.feedback.lookup(self.regions.get(self._ids[row]).prompt)

    def _renumber(self) -> None:
        if self._ids:
            self.dataChanged.emit(self.index(0, C_NUM), self.index(len(self._ids) - 1, C_NUM))

    def id_at(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, rid: int) -> int:
        return self._ids.index(rid)

    # -- Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()):  # noqa: N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent=QModelIndex()):  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return TIPS[section]
        return None

    def flags(self, index):
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == C_ON:
            return f | Qt.ItemFlag.ItemIsUserCheckable
        if index.column() in EDITABLE:
            return f | Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        rid = self._ids[index.row()]
        r = self.regions.get(rid)
        c = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and c == C_ON:
            return Qt.CheckState.Checked if r.enabled else Qt.CheckState.Unchecked
        if c in (C_PROMPT, C_UNDERSTOOD) and role in UNDERSTOOD_ROLES:
            shown = self._understood_data(index.row(), c, role, r)
            if shown is not None:
                return shown
        if role == Qt.ItemDataRole.DisplayRole:
            fmt = self.time_format.text
            return {C_NUM: str(index.row() + 1), C_START: fmt(r.start_s), C_END: fmt(r.end_s),
                    C_LOW: format_hz(r.low_hz), C_HIGH: format_hz(r.high_hz), C_PROMPT: r.prompt,
                    C_MODE: r.mode, C_FADE: f"{r.fade_ms:g}", C_DEPTH: f"{r.depth_db:g}"}.get(c)
        if role == Qt.ItemDataRole.EditRole:
            return {C_START: r.start_s, C_END: r.end_s, C_LOW: r.low_hz, C_HIGH: r.high_hz, C_PROMPT: r.prompt,
                    C_MODE: r.mode, C_FADE: r.fade_ms, C_DEPTH: r.depth_db}.get(c)
        if role == Qt.ItemDataRole.ToolTipRole and c == C_DEPTH:
            return f"Gain never below −{r.depth_db:g} dB. {DEPTH_WHAT}"
        if role == Qt.ItemDataRole.ToolTipRole and c in (C_LOW, C_HIGH):
            return "Frequency band in Hz (empty: no limit on this side; both empty: the full band)"
        if role == Qt.ItemDataRole.DecorationRole and c == C_NUM:
            return _swatch(region_colour(r))
        if role == Qt.ItemDataRole.ForegroundRole:
            if not r.enabled:
                return QColor(120, 124, 134)
            if c == C_MODE:
                return region_colour(r)
        if role == Qt.ItemDataRole.TextAlignmentRole and c in RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _understood_data(self, row: int, c: int, role, r: Region):
        """The prompt's warning icon, and the "Understood as" cell: text, tooltip, colour."""
        u = self.understanding(row)
        unknown = pf.is_unknown(u)
        if role == Qt.ItemDataRole.DecorationRole:
            return warning_icon() if unknown else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return pf.understood_tooltip(u)
        if role == Qt.ItemDataRole.ForegroundRole and r.enabled:
            if unknown:
                return QColor(*pf.WARNING_COLOUR)
            return QColor(150, 155, 168) if c == C_UNDERSTOOD else None
        if role == Qt.ItemDataRole.DisplayRole and c == C_UNDERSTOOD:
            return pf.understood_text(u)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):  # noqa: N802
        if not index.isValid():
            return False
        rid = self._ids[index.row()]
        r = self.regions.get(rid)
        c = index.column()
        try:
            if c == C_ON and role == Qt.ItemDataRole.CheckStateRole:
                new = replace(r, enabled=Qt.CheckState(value) == Qt.CheckState.Checked)
            elif role != Qt.ItemDataRole.EditRole:
                return False
            elif c == C_START:
                new = replace(r, start_s=float(value))
            elif c == C_END:
                new = replace(r, end_s=float(value))
            elif c in (C_LOW, C_HIGH):
                hz = value if value is None or isinstance(value, (int, float)) else parse_hz(str(value))
                new = replace(r, **{"low_hz" if c == C_LOW else "high_hz": hz})
            elif c == C_PROMPT:
                new = replace(r, prompt=" ".join(str(value).split()))
            elif c == C_MODE:
                new = replace(r, mode=str(value))
            elif c == C_FADE:
                new = replace(r, fade_ms=float(value))
            elif c == C_DEPTH:
                new = replace(r, depth_db=float(value))
            else:
                return False
        except (EditError, ValueError, TypeError) as exc:
            self.edit_failed.emit(str(exc))
            return False
        if new != r:
            self.edit_requested.emit(rid, new)
        return True


WARNING_ROLES = [Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole]
UNDERSTOOD_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole,
                   Qt.ItemDataRole.ForegroundRole)
_SWATCHES: dict[int, QIcon] = {}


def _swatch(c: QColor) -> QIcon:
    key = c.rgba()
    if key not in _SWATCHES:
        from PySide6.QtGui import QPainter, QPixmap

        pm = QPixmap(10, 10)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setBrush(c)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawRoundedRect(0, 0, 10, 10, 2, 2)
        p.end()
        _SWATCHES[key] = QIcon(pm)
    return _SWATCHES[key]


class RegionPanel(QWidget):
    """Table of regions plus a small toolbar. `selection_changed(id or None)` follows the table."""

    selection_changed = Signal(object)

    def __init__(self, regions: RegionModel, time_format: TimeFormat | None = None, parent=None):
        super().__init__(parent)
        self.regions = regions
        self.model = RegionTableModel(regions, time_format, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.SelectedClicked)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setItemDelegateForColumn(C_MODE, ModeDelegate(self.table))
        self.time_delegate = TimeDelegate(self.model.time_format, self.table)
        self.table.setItemDelegateForColumn(C_START, self.time_delegate)
        self.table.setItemDelegateForColumn(C_END, self.time_delegate)
        self.table.setItemDelegateForColumn(C_FADE, NumberDelegate(0, 10000, 10, self.table))
        self.depth_delegate = NumberDelegate(0, MAX_DEPTH_DB, 1, self.table, minimum=MIN_DEPTH_EDIT_DB)
        self.table.setItemDelegateForColumn(C_DEPTH, self.depth_delegate)
        self.band_delegate = BandDelegate(self.table)
        self.table.setItemDelegateForColumn(C_LOW, self.band_delegate)
        self.table.setItemDelegateForColumn(C_HIGH, self.band_delegate)
        self.prompt_delegate = PromptDelegate(self.table)
        self.table.setItemDelegateForColumn(C_PROMPT, self.prompt_delegate)
        h = self.table.horizontalHeader()
        fm = h.fontMetrics()
        for c, w in ((C_ON, 28), (C_NUM, 46), (C_START, 104), (C_END, 104), (C_LOW, 70), (C_HIGH, 70),
                     (C_MODE, 86), (C_FADE, 74), (C_DEPTH, 84)):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.Fixed)
            h.resizeSection(c, max(w, fm.horizontalAdvance(COLUMNS[c]) + 22))  # the header text never clips
        h.setSectionResizeMode(C_PROMPT, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(C_UNDERSTOOD, QHeaderView.ResizeMode.Stretch)
        h.setHighlightSections(False)
        self.table.selectionModel().selectionChanged.connect(self._selection)

        self.hint = QLabel("Drag on the waveform or spectrogram to select, then press R to add a region")
        self.hint.setObjectName("hint")
        self.bar = QHBoxLayout()
        self.bar.setContentsMargins(6, 4, 6, 2)
        self.bar.addWidget(self.hint)
        self.bar.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addLayout(self.bar)
        lay.addWidget(self.table)
        regions.inserted.connect(lambda *_: self._update_hint())
        regions.removed.connect(lambda *_: self._update_hint())
        regions.reset.connect(self._update_hint)

    def set_feedback(self, feedback: pf.PromptFeedback) -> None:
        """What the model understood each prompt as, and the prompt editor's completions."""
        self.model.set_feedback(feedback)
        self.prompt_delegate.completion_model = feedback.completion_model

    def add_button(self, action) -> QToolButton:
        b = QToolButton(self)
        b.setDefaultAction(action)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        b.setAutoRaise(True)
        self.bar.addWidget(b)
        return b

    def _update_hint(self) -> None:
        self.hint.setVisible(len(self.regions) == 0)

    def _selection(self, *_):
        self.selection_changed.emit(self.selected_id())

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.id_at(rows[0].row()) if rows else None

    def select(self, rid: int | None) -> None:
        sm = self.table.selectionModel()
        if rid is None or rid not in self.regions:
            sm.clearSelection()
            return
        row = self.model.row_of(rid)
        sm.select(self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                  | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(self.model.index(row, 0))

    def edit_prompt(self, rid: int) -> None:
        row = self.model.row_of(rid)
        idx = self.model.index(row, C_PROMPT)
        self.table.setCurrentIndex(idx)
        self.table.edit(idx)
