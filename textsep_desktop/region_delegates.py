"""The regions table's cell editors: mode (a combo box), times (in the time format), numbers (fade, depth),
frequency band edges (Hz, empty = open) and the prompt (a line edit that completes from the model's known
sounds, prompt_feedback.PromptFeedback.completion_model)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QDoubleSpinBox, QLineEdit, QStyledItemDelegate

from textsep.edits import MODES
from textsep_desktop.timefmt import TimeFormat


class ModeDelegate(QStyledItemDelegate):
    def createEditor(self, parent, option, index):  # noqa: N802
        cb = QComboBox(parent)
        cb.addItems(MODES)
        cb.activated.connect(lambda _i, cb=cb: self.commitData.emit(cb))
        return cb

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setCurrentText(index.data(Qt.ItemDataRole.EditRole))

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.currentText())


class TimeDelegate(QStyledItemDelegate):
    """Start/end typed in the current time format (h:mm:ss.mmm, seconds or samples)."""

    def __init__(self, time_format: TimeFormat, parent=None):
        super().__init__(parent)
        self.time_format = time_format

    def createEditor(self, parent, option, index):  # noqa: N802
        ed = QLineEdit(parent)
        ed.setFrame(False)
        ed.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return ed

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setText(self.time_format.text(float(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor, model, index):  # noqa: N802
        try:
            t = self.time_format.parse(editor.text())
        except ValueError as exc:
            model.edit_failed.emit(str(exc))
            return
        model.setData(index, t)


class NumberDelegate(QStyledItemDelegate):
    def __init__(self, decimals: int, maximum: float, step: float, parent=None, minimum: float = 0.0,
                 suffix: str = ""):
        super().__init__(parent)
        self.decimals, self.minimum, self.maximum, self.step, self.suffix = decimals, minimum, maximum, step, suffix

    def createEditor(self, parent, option, index):  # noqa: N802
        sb = QDoubleSpinBox(parent)
        sb.setDecimals(self.decimals)
        sb.setRange(self.minimum, self.maximum)
        sb.setSingleStep(self.step)
        sb.setSuffix(self.suffix)
        sb.setFrame(False)
        return sb

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setValue(float(index.data(Qt.ItemDataRole.EditRole)))

    def setModelData(self, editor, model, index):  # noqa: N802
        editor.interpretText()
        model.setData(index, editor.value())



class BandDelegate(QStyledItemDelegate):
    """A band edge typed in Hz ('500', '2k', '2.5 kHz'); empty = open (0 Hz / Nyquist): the full band."""

    def createEditor(self, parent, option, index):  # noqa: N802
        ed = QLineEdit(parent)
        ed.setFrame(False)
        ed.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        ed.setPlaceholderText("full")
        ed.setToolTip("Hz, e.g. 500 or 2k; empty = no limit on this side")
        return ed

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setText(index.data(Qt.ItemDataRole.DisplayRole) or "")

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.text())


class PromptDelegate(QStyledItemDelegate):
    """The prompt, completed from the sounds the model knows (its classes' paraphrases and names)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.completion_model = None  # a QStringListModel, filled once the model is ready

    def createEditor(self, parent, option, index):  # noqa: N802
        ed = QLineEdit(parent)
        ed.setFrame(False)
        if self.completion_model is not None:
            c = QCompleter(self.completion_model, ed)
            c.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            c.setFilterMode(Qt.MatchFlag.MatchContains)
            c.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            c.setMaxVisibleItems(12)
            ed.setCompleter(c)
        return ed

    def setEditorData(self, editor, index):  # noqa: N802
        if editor.property("filled"):  # the view refreshes open editors on any dataChanged: keep the typing
            return
        editor.setProperty("filled", True)
        editor.setText(index.data(Qt.ItemDataRole.EditRole) or "")

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.text())
