"""Per-region depth (panel editor, undo, settings, sessions, batch), files the OS opens in the running app."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QDoubleSpinBox

from desktop.helpers import open_and_wait, wait_idle
from textsep_desktop.region_panel import C_DEPTH, C_FADE, COLUMNS


@pytest.fixture
def win(make_window, wav_file, qtbot):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=4.0))
    return w


def _edit_depth_in_table(win, qtbot, row: int, text: str):
    """What the user does: go to the Depth cell, press F2 (the edit key), type a value, press Enter."""
    table = win.panel.table
    idx = win.panel.model.index(row, C_DEPTH)
    table.scrollTo(idx)
    table.setFocus()
    table.setCurrentIndex(idx)
    qtbot.keyClick(table, Qt.Key.Key_F2)

    def editor():
        eds = [e for e in table.viewport().findChildren(QDoubleSpinBox) if e.isVisible()]
        return eds[0] if len(eds) == 1 else None

    qtbot.waitUntil(lambda: editor() is not None, timeout=3000)  # the cell's editor is a spin box
    ed = editor()
    assert table.currentIndex().column() == C_DEPTH
    ed.selectAll()
    qtbot.keyClicks(ed, text)
    spin = (ed.minimum(), ed.maximum())
    qtbot.keyClick(ed, Qt.Key.Key_Return)
    # the delegate commits and closes the editor on a queued call
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState, timeout=3000)
    return spin


def test_depth_column_edits_region_and_undo_restores_it(win, qtbot):
    assert COLUMNS[C_DEPTH] == "Depth dB" and C_DEPTH == C_FADE + 1  # next to fade
    win.settings.default_depth_db = 30.0
    rid = win.region_commands.add(0.5, 1.5, "dog bark", "remove")
    m = win.panel.model
    assert win.regions.get(rid).depth_db == 30.0  # new regions take the default from the settings
    assert m.data(m.index(0, C_DEPTH)) == "30"
    spin = _edit_depth_in_table(win, qtbot, 0, "45")
    assert spin == (1.0, 120.0)
    assert win.regions.get(rid).depth_db == 45.0
    assert m.data(m.index(0, C_DEPTH)) == "45"
    assert win.undo_stack.undoText() == "Change depth"
    tips = {it.toolTip() for it in win.overlay.items[rid]}
    tip = tips.pop()
    assert len(tips) == 0 and "depth 45 dB" in tip and f"fade {win.settings.default_fade_ms:g} ms" in tip
    win.undo_stack.undo()
    assert win.regions.get(rid).depth_db == 30.0 and m.data(m.index(0, C_DEPTH)) == "30"
    assert "depth 30 dB" in win.overlay.items[rid][0].toolTip()
    win.undo_stack.redo()
    assert win.regions.get(rid).depth_db == 45.0
    # the spin box takes nothing past the engine's 120 dB ("500" types as "50")
    _edit_depth_in_table(win, qtbot, 0, "500")
    assert win.regions.get(rid).depth_db == 50.0
    _edit_depth_in_table(win, qtbot, 0, "120")
    assert win.regions.get(rid).depth_db == 120.0
    # the table refuses what the engine refuses, and says so
    assert not m.setData(m.index(0, C_DEPTH), 0.0)
    assert win.regions.get(rid).depth_db == 120.0 and "Not applied" in win.statusBar().currentMessage()


def test_depth_change_marks_preview_stale_and_reaches_the_engine(win, qtbot):
    from dataclasses import replace

    rid = win.region_commands.add(0.5, 1.5, "dog bark", "remove")
    win.processing.preview()
    wait_idle(qtbot, win)
    assert win.document.doc.processed is not None and win.processing.stale_label.text() == ""
    assert win.document.doc.processed_for[0].depth_db == win.settings.default_depth_db
    win.region_commands.edit(rid, replace(win.regions.get(rid), depth_db=80.0))
    assert "out of date" in win.processing.stale_label.text()
    win.processing.preview()
    wait_idle(qtbot, win)
    assert win.document.doc.processed_for[0].depth_db == 80.0


def test_default_depth_setting_is_remembered(make_window, settings, tmp_path, qtbot):
    from textsep_desktop.settings import Settings
    from textsep_desktop.settings_dialog import SettingsDialog

    assert settings.default_depth_db == 20.0  # textsep.edits.DEFAULT_DEPTH_DB
    dlg = SettingsDialog(settings)
    qtbot.addWidget(dlg)
    assert dlg.depth.value() == 20.0 and (dlg.depth.minimum(), dlg.depth.maximum()) == (1.0, 120.0)
    dlg.depth.setValue(35.0)
    dlg.fade.setValue(40.0)
    dlg.apply()
    again = Settings(settings.q.fileName())  # a new start reads the same QSettings file
    assert again.default_depth_db == 35.0 and again.default_fade_ms == 40.0
    assert SettingsDialog(again).depth.value() == 35.0
    again.q.setValue("edit/default_depth_db", 0.0)  # a hand-edited, invalid value falls back to the default
    assert again.default_depth_db == 20.0


def test_session_round_trip_keeps_depth(win, qtbot, tmp_path, make_window):
    from dataclasses import replace

    a = win.region_commands.add(0.5, 1.0, "dog bark", "remove")
    win.region_commands.add(1.5, 2.5, "rain", "keep")
    win.region_commands.edit(a, replace(win.regions.get(a), depth_db=60.0))
    sess = tmp_path / "depth.textsep.json"
    assert win.document.save_session_to(sess)
    saved = json.loads(sess.read_text())
    assert [r["depth_db"] for r in saved["regions"]] == [60.0, 20.0]
    win2 = make_window()
    win2.document.open_session(sess)
    wait_idle(qtbot, win2)
    assert [r.depth_db for r in win2.regions.regions()] == [60.0, 20.0]
    assert win2.regions.regions() == win.regions.regions()
    # a session written before depth existed still opens, with the default depth
    for r in saved["regions"]:
        del r["depth_db"]
    old = tmp_path / "old.textsep.json"
    old.write_text(json.dumps(saved))
    win2.document.open_session(old)
    wait_idle(qtbot, win2)
    assert win2.jobs.last_error is None and [r.depth_db for r in win2.regions.regions()] == [20.0, 20.0]


def test_batch_dialog_whole_file_edit_carries_depth(qtbot, tmp_path, win):
    from textsep.batch import WholeFile

    win.region_commands.add(0.5, 1.0, "dog bark", "remove")
    win.settings.default_depth_db = 33.0
    dlg = win.processing.batch_dialog()
    qtbot.addWidget(dlg)
    assert dlg.depth.value() == 33.0  # the settings' default
    assert dlg.edit_source()[0].depth_db == 20.0  # the editor's regions keep their own depth
    dlg.src_whole.setChecked(True)
    dlg.prompt.setText("rain")
    dlg.depth.setValue(90.0)
    assert dlg.edit_source() == WholeFile("rain", "keep", win.settings.default_fade_ms, 90.0)
    dlg.close()


# ---- files the OS opens in the running app (macOS: QFileOpenEvent to the application) ------------
def test_file_open_event_opens_file_in_running_window(make_window, wav_file, qtbot, qapp):
    from PySide6.QtGui import QFileOpenEvent

    w = make_window()
    p = wav_file("from_finder.wav", seconds=1.0)
    qapp.sendEvent(qapp, QFileOpenEvent(str(p)))
    qtbot.waitUntil(lambda: w.document.doc is not None and w.document.doc.path == p, timeout=15000)
    wait_idle(qtbot, w)
    # while a job runs, a second file waits for it instead of being dropped
    q = wav_file("second.wav", seconds=1.5)
    w.region_commands.add(0.2, 0.8, "dog bark")
    assert w.processing.preview() is not None
    qapp.sendEvent(qapp, QFileOpenEvent(str(q)))
    qtbot.waitUntil(lambda: w.document.doc.path == q, timeout=30000)
    wait_idle(qtbot, w)
    assert w.jobs.last_error is None


def test_file_open_event_before_window_exists_is_opened_when_it_does(make_window, wav_file, qtbot, qapp):
    from PySide6.QtGui import QFileOpenEvent

    from textsep_desktop.app import TextSepApplication

    assert isinstance(qapp, TextSepApplication)
    p = wav_file("launched_by_double_click.wav", seconds=1.0)
    qapp.sendEvent(qapp, QFileOpenEvent(str(p)))  # the app is starting; no window yet
    assert qapp.pending_files == [str(p)]
    w = make_window()
    qtbot.waitUntil(lambda: w.document.doc is not None, timeout=15000)
    assert w.document.doc.path == p and qapp.pending_files == []
    wait_idle(qtbot, w)
    w.close()
    # a closed window takes no more files: they wait for the next one
    qapp.sendEvent(qapp, QFileOpenEvent(str(p)))
    assert qapp.pending_files == [str(p)]
    qapp.pending_files.clear()
