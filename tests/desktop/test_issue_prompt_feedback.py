"""Prompt feedback (issue item 7): beside each prompt, what the model understood it as (the top known sound and
its weight, the full list in the tooltip), an amber warning for a sound it does not know, "…" until the model
is ready (asked on a worker, never on the GUI thread), and the prompt editor completing from the known sounds."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView

from desktop.helpers import open_and_wait
from textsep_desktop import prompt_feedback as pf
from textsep_desktop.region_panel import C_PROMPT, C_UNDERSTOOD, COLUMNS

D, TIP, DECO, FG = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DecorationRole,
                    Qt.ItemDataRole.ForegroundRole)


def cell(win, row, col, role=D):
    m = win.panel.model
    return m.data(m.index(row, col), role)


def filled(win, row):
    return cell(win, row, C_UNDERSTOOD) != pf.PENDING_TEXT


def test_known_prompt_shows_what_it_is_understood_as(make_window, wav_file, qtbot, tiny_separator):
    win = make_window()
    open_and_wait(qtbot, win, wav_file(seconds=2.0, sr=16000, channels=1))
    assert COLUMNS[C_UNDERSTOOD] == "Understood as" and C_UNDERSTOOD == C_PROMPT + 1  # beside the prompt
    win.region_commands.add(0.5, 1.0, "dog bark", "remove")
    qtbot.waitUntil(lambda: filled(win, 0), timeout=20000)
    u = tiny_separator.understand("dog bark")
    assert u.known
    text = cell(win, 0, C_UNDERSTOOD)
    assert text.startswith(u.top.label.replace("_", " ")) and f"{u.top.weight * 100:.0f} %" in text
    assert u.describe() in cell(win, 0, C_UNDERSTOOD, TIP)  # the full list in the tooltip
    assert cell(win, 0, C_PROMPT, DECO) is None  # no warning
    # a new prompt is asked for and fills in (the GUI thread only reads the cache)
    m = win.panel.model
    assert m.setData(m.index(0, C_PROMPT), "rain")
    assert cell(win, 0, C_UNDERSTOOD) == pf.PENDING_TEXT or "rain" in win.feedback.cache
    qtbot.waitUntil(lambda: filled(win, 0), timeout=20000)
    assert cell(win, 0, C_UNDERSTOOD).startswith(tiny_separator.understand("rain").top.label)


def test_unknown_prompt_is_warned_about(make_window, wav_file, qtbot, tiny_separator):
    win = make_window()
    open_and_wait(qtbot, win, wav_file(seconds=2.0, sr=16000, channels=1))
    win.region_commands.add(0.5, 1.0, "asdfgh qwerty", "remove")
    win.region_commands.add(1.2, 1.6, "female speech", "keep")
    qtbot.waitUntil(lambda: filled(win, 0) and filled(win, 1), timeout=20000)
    u = tiny_separator.understand("asdfgh qwerty")
    assert not u.known
    text = cell(win, 0, C_UNDERSTOOD)
    assert text.startswith("unknown sound") and "may be wrong" in text and f"'{u.nearest}'" in text
    assert cell(win, 0, C_PROMPT, DECO) is not None and not cell(win, 0, C_PROMPT, DECO).isNull()  # amber icon
    assert cell(win, 0, C_UNDERSTOOD, FG) == QColor(*pf.WARNING_COLOUR)
    assert "knows no such sound" in cell(win, 0, C_UNDERSTOOD, TIP)
    assert cell(win, 1, C_PROMPT, DECO) is None and not cell(win, 1, C_UNDERSTOOD).startswith("unknown")


def test_nothing_is_asked_before_the_model_is_ready(make_window, wav_file, qtbot, tiny_separator):
    win = make_window(separator=None, prefetch_engine=False)
    open_and_wait(qtbot, win, wav_file(seconds=2.0, sr=16000, channels=1))
    win.region_commands.add(0.5, 1.0, "dog bark", "remove")
    qtbot.wait(100)
    assert cell(win, 0, C_UNDERSTOOD) == pf.PENDING_TEXT  # "…" until the model is ready
    assert "once the model has loaded" in cell(win, 0, C_UNDERSTOOD, TIP)
    assert not win.feedback.runner.active() and not win.feedback.cache  # and nothing was asked
    assert win.feedback.completion_model.rowCount() == 0
    win.models.set_separator(tiny_separator)  # the background load finishes ...
    win.engine.set_state("ready")  # ... and says so
    qtbot.waitUntil(lambda: filled(win, 0), timeout=20000)
    assert cell(win, 0, C_UNDERSTOOD).startswith("dog")
    qtbot.waitUntil(lambda: win.feedback.completion_model.rowCount() > 0, timeout=20000)


def test_prompt_editor_completes_from_the_known_sounds(make_window, wav_file, qtbot):
    win = make_window()
    open_and_wait(qtbot, win, wav_file(seconds=2.0, sr=16000, channels=1))
    qtbot.waitUntil(lambda: "dog bark" in win.feedback.words, timeout=20000)
    assert {"dog bark", "rain", "female speech", "dog"} <= set(win.feedback.words)
    win.selection.set(0.5, 1.0)
    qtbot.keyClick(win, "r")  # R: a region from the selection, its prompt cell opens
    t = win.panel.table
    qtbot.waitUntil(lambda: t.state() == QAbstractItemView.State.EditingState, timeout=3000)
    ed = t.focusWidget()
    completer = ed.completer()
    assert completer is not None
    ed.selectAll()
    qtbot.keyClicks(ed, "dog")
    win.feedback.updated.emit()  # an answer arriving while the user types leaves the typing alone
    m = win.panel.model
    m.dataChanged.emit(m.index(0, 0), m.index(0, len(COLUMNS) - 1))  # (so does any other change of the row)
    assert ed.text() == "dog"
    popup = completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    offered = [completer.completionModel().index(i, 0).data() for i in range(completer.completionModel().rowCount())]
    assert "dog bark" in offered and "rain" not in offered
    row = offered.index("dog bark")
    popup.setCurrentIndex(completer.completionModel().index(row, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)  # take it
    qtbot.waitUntil(lambda: ed.text() == "dog bark", timeout=3000)
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.regions.regions()[0].prompt == "dog bark", timeout=3000)
    qtbot.waitUntil(lambda: filled(win, 0), timeout=20000)
    assert cell(win, 0, C_UNDERSTOOD).startswith("dog")
