"""Listening as in Audacity/RX: Space plays the selection (or selected region) and stops, Shift+Space loops
it, a click sets the cursor, D plays what the edit removed; without a device every key says why."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from desktop.helpers import drag, open_and_wait, seconds_per_pixel, view_point, wait_idle

SR = 16000


@pytest.fixture
def win(make_window, wav_file, qtbot, fake_device):
    w = make_window()
    open_and_wait(qtbot, w, wav_file(seconds=2.0, sr=SR, channels=1))
    qtbot.waitUntil(lambda: w.player.available is not None)
    return w


def _played(fake_device):
    return fake_device.instances[-1].played()[:, 0]


def test_space_plays_the_selection_and_stops_at_its_end(win, qtbot, fake_device):
    v = win.view
    drag(qtbot, v, v.wave_vb, 0.5, 1.0, y=0.3)
    a, b = win.selection.span
    assert a == pytest.approx(0.5, abs=3 * seconds_per_pixel(win))
    assert win.view.cursor_s == a  # the cursor follows the selection's start
    qtbot.keyClick(win, Qt.Key.Key_Space)
    assert win.player.state == "playing"
    qtbot.waitUntil(lambda: win.player.state == "stopped", timeout=10000)
    played = _played(fake_device)
    x = win.document.doc.audio.samples[0]
    i0, i1 = int(a * SR), int(round(b * SR))
    n = i1 - i0
    assert np.array_equal(played[:n], x[i0:i1])  # exactly the selection ...
    assert np.all(played[n:] == 0)  # ... and nothing after it


def test_space_plays_the_selected_region_and_space_again_stops(win, qtbot, fake_device, monkeypatch):
    monkeypatch.setattr(fake_device, "period", 0.05)  # the region lasts ~1 s of blocks: Space lands during it
    rid = win.region_commands.add(1.0, 1.5, "rain")
    win.panel.select(rid)
    win.view.set_cursor(0.1)  # not where the region is
    qtbot.keyClick(win, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: len(fake_device.instances[-1].out) > 2, timeout=5000)
    qtbot.keyClick(win, Qt.Key.Key_Space)
    assert win.player.state == "stopped"
    played = _played(fake_device)
    x = win.document.doc.audio.samples[0]
    k = min(len(played), 8000)
    assert np.array_equal(played[:k], x[16000:16000 + k])  # from the region's start, not the cursor


def test_shift_space_loops_the_selection(win, qtbot, fake_device):
    win.selection_ctrl.set_span(0.25, 0.5)
    qtbot.keyClick(win, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(fake_device.instances[-1].out) > 20, timeout=10000)
    qtbot.keyClick(win, Qt.Key.Key_Space)
    played = _played(fake_device)
    loop = win.document.doc.audio.samples[0, 4000:8000]
    assert len(played) > 2 * len(loop)
    assert np.array_equal(played[: 2 * len(loop)], np.concatenate([loop, loop]))


def test_click_sets_the_cursor_and_drops_the_selection(win, qtbot):
    win.selection_ctrl.set_span(0.25, 0.5)
    p = view_point(win.view, win.view.wave_vb, 1.5, 0.0)
    qtbot.mouseClick(win.view.viewport(), Qt.MouseButton.LeftButton, pos=p)
    assert win.selection.span is None
    assert win.view.cursor_s == pytest.approx(1.5, abs=3 * seconds_per_pixel(win))
    assert win.transport.time_label.text() == win.time_format.text(win.view.cursor_s)


def test_d_plays_what_the_edit_removed(win, qtbot, fake_device):
    rid = win.region_commands.add(0.5, 1.0, "rain", "remove")
    win.processing.preview()
    wait_idle(qtbot, win)
    assert win.action_table["residual"].isEnabled()
    qtbot.keyClick(win, "d")
    assert win.player.which == "R" and win.action_table["residual"].isChecked()
    assert not win.action_table["ab"].isChecked()
    d = win.document.doc
    residual = d.audio.samples - d.processed
    assert np.array_equal(d.residual, residual)
    assert not np.any(residual[:, :8000]) and not np.any(residual[:, 16000:])  # silent outside the region
    assert win.view.ab == "R" and win.view.second_layer() is d.residual_pyramid
    win.panel.select(rid)
    qtbot.keyClick(win, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: win.player.state == "stopped", timeout=10000)
    played = _played(fake_device)
    assert np.array_equal(played[:8000], residual[0, 8000:16000])
    assert "what was removed" in win.transport.playback_label.text() or win.player.state == "stopped"
    qtbot.keyClick(win, "b")  # B: the processed audio; the residual toggle goes off
    assert win.player.which == "B" and not win.action_table["residual"].isChecked()


def test_without_a_device_space_and_home_say_why(make_window, wav_file, qtbot, no_device):
    w = make_window()
    qtbot.waitUntil(lambda: w.player.available is not None)
    open_and_wait(qtbot, w, wav_file(seconds=2.0))
    # said once, in the status bar's label -- not again as a message beside it
    shown = [w.statusBar().currentMessage(), w.transport.playback_label.text()]
    assert sum(s.count("Playback") for s in shown) == 1, shown
    w.view.set_cursor(1.2)
    qtbot.keyClick(w, Qt.Key.Key_Home)
    assert w.view.cursor_s == 0.0 and "playback is off" in w.statusBar().currentMessage()
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert "Cannot play" in w.statusBar().currentMessage()
    assert "no audio output device" in w.statusBar().currentMessage()
    w.region_commands.add(0.5, 1.0, "rain", "remove")
    w.processing.preview()
    wait_idle(qtbot, w)
    assert "Space to listen" not in w.statusBar().currentMessage()
    assert "playback is off" in w.statusBar().currentMessage()
